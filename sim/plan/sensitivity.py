"""Sensitivity: how far CAC and LTV move when each assumption goes to its low or high value.

``python -m sim.plan.sensitivity experiment=hook_cash_vs_coupon --strategy cash [--priors configs/priors.yaml]``

The priors file records, per assumption (a config key), its low, mode and high values and its
source. The run's config is the centre; each assumption in turn is set to its low and to its
high value with every other setting at the centre. All runs keep the seed, so each change is a
paired difference on common random numbers (mean and 95% interval over replications).

Writes ``sensitivity.csv`` (one row per assumption x level x strategy x metric: the value used,
the metric's mean and interval, and its paired change against the centre) and
``tornado.png``/``.svg`` (one panel per metric, each bar with its paired 95% interval, hollow when the
interval includes zero, widest reach from zero on top) and ``tornado.csv`` (the bars as drawn: the
change at the low and high value with their intervals) into ``--out``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.config.cli import ArgumentParser
from sim.config.overrides import CONFIG_DIR
from sim.run.compare import interval, summarise
from sim.run.metrics import windowed
from sim.run.objectives import metric_info, objective_in

DEFAULT_PRIORS = CONFIG_DIR / "priors.yaml"
DEFAULT_METRICS: tuple[str, ...] = ("cac", "ltv_12m")
LEVELS: tuple[str, ...] = ("low", "high")


@dataclass(frozen=True)
class Prior:
    """One assumption: its config key, range and source."""

    key: str
    label: str
    low: float
    mode: float
    high: float
    source: str


def load_priors(path: Path) -> list[Prior]:
    """Read a priors file; a malformed entry is a ValueError naming it."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = data.get("assumptions")
    if not isinstance(entries, dict) or not entries:
        raise ValueError(f"{path}: expected a mapping 'assumptions: {{key: {{low, mode, high, source}}}}'")
    priors = []
    for key, entry in entries.items():
        if not isinstance(entry, dict) or not {"low", "mode", "high", "source"} <= set(entry):
            raise ValueError(f"{path}: {key}: needs low, mode, high and source")
        try:
            low, mode, high = (float(entry[k]) for k in ("low", "mode", "high"))
        except (TypeError, ValueError):
            raise ValueError(f"{path}: {key}: low, mode and high must be numbers") from None
        if not low <= mode <= high or low == high:
            raise ValueError(f"{path}: {key}: need low <= mode <= high and low < high, got {low}, {mode}, {high}")
        priors.append(Prior(str(key), str(entry.get("label", key)), low, mode, high, str(entry["source"])))
    return priors


def config_value(cfg: Any, key: str) -> Any:
    """The value of a dotted key in a composed config (None if absent)."""
    from omegaconf import OmegaConf

    return OmegaConf.select(cfg, key, default=None)


def sensitivity_table(reps: pd.DataFrame, runs: list[tuple[str, str, float]], priors: list[Prior]) -> pd.DataFrame:
    """Summaries and paired changes against the centre (variant 0) for every run, strategy and metric."""
    info = {p.key: p for p in priors}
    centre = reps[reps["variant"] == 0]
    rows = []
    for variant, (key, level, value) in enumerate(runs):
        part = reps[reps["variant"] == variant]
        summary = summarise(part.drop(columns="variant"))
        for row in summary.itertuples(index=False):
            a = part[(part["strategy"] == row.strategy) & (part["metric"] == row.metric)].set_index("replication")
            b = centre[(centre["strategy"] == row.strategy) & (centre["metric"] == row.metric)].set_index("replication")
            diff = (a["value"] - b["value"]).dropna().to_numpy(dtype=float)
            d_mean, d_lo, d_hi, _ = interval(diff)
            prior = info.get(key)
            rows.append(
                {
                    "assumption": key,
                    "label": prior.label if prior else "",
                    "level": level,
                    "value": value,
                    "strategy": row.strategy,
                    "metric": row.metric,
                    "mean": row.mean,
                    "ci_low": row.ci_low,
                    "ci_high": row.ci_high,
                    "diff_vs_mode": d_mean,
                    "diff_ci_low": d_lo,
                    "diff_ci_high": d_hi,
                    "n_replications": row.n_replications,
                    "source": prior.source if prior else "the run's config",
                }
            )
    return pd.DataFrame(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = ArgumentParser(
        prog="python -m sim.plan.sensitivity",
        description="Tornado chart of CAC and LTV over each assumption's low and high value (from a priors file). "
        "Other arguments are config overrides, as for python -m sim (e.g. experiment=hook_cash_vs_coupon).",
    )
    parser.add_argument(
        "--priors", type=Path, default=DEFAULT_PRIORS, help="priors file (default: configs/priors.yaml)"
    )
    parser.add_argument("--strategy", default=None, help="strategy to analyse (default: the experiment's baseline)")
    parser.add_argument(
        "--metrics", default=None, help=f"comma-separated (default: {','.join(DEFAULT_METRICS)}, at the LTV window)"
    )
    parser.add_argument("--only", default=None, help="comma-separated assumption keys to vary (default: all)")
    parser.add_argument("--out", type=Path, default=None, help="output directory (default: outputs/sensitivity/...)")
    args, overrides = parser.parse_with_overrides(argv)
    metrics = [m for m in (args.metrics or ",".join(DEFAULT_METRICS)).split(",") if m]
    try:
        for metric in metrics:
            metric_info(metric)
        priors = load_priors(args.priors)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.only:
        wanted = [k for k in args.only.split(",") if k]
        unknown = [k for k in wanted if k not in {p.key for p in priors}]
        if unknown:
            print(f"error: --only: {unknown[0]} is not in {args.priors}", file=sys.stderr)
            return 2
        priors = [p for p in priors if p.key in wanted]

    from sim.plan.variants import load, only, run_variants, variant

    cfg, experiment = load(overrides)
    months = experiment.shared.accounting.ltv_months
    try:  # the default metrics follow the LTV window; a metric named for another window is an error
        metrics = [windowed(m, months) for m in metrics] if args.metrics is None else metrics
        for metric in metrics:
            objective_in(metric, months, "--metrics")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    strategy = args.strategy or experiment.baseline
    try:
        centre = only(experiment, [strategy])
    except ValueError as exc:
        print(f"error: --strategy: {exc}", file=sys.stderr)
        return 2
    runs: list[tuple[str, str, float]] = [("(centre)", "mode", float("nan"))]
    experiments = [centre]
    for prior in priors:
        current = config_value(cfg, prior.key)
        if current is None:
            print(f"error: {args.priors}: {prior.key} is not a config key", file=sys.stderr)
            return 2
        if float(current) != prior.mode:
            print(f"note: {prior.key} is {current} in this config, not the prior's mode {prior.mode}", file=sys.stderr)
        for level in LEVELS:
            value = getattr(prior, level)
            runs.append((prior.key, level, value))
            experiments.append(only(variant(cfg, overrides, prior.key, value), [strategy]))
    reps = run_variants(experiments, experiment.shared.run.n_jobs)
    reps = reps[reps["metric"].isin(metrics)]
    table = sensitivity_table(reps, runs, priors)
    stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    out = args.out or Path("outputs") / "sensitivity" / f"{experiment.name}_{strategy}_{stamp}"
    write_sensitivity(out, table, metrics)
    for metric in metrics:
        from sim.report.sweep_plots import tornado_table

        top = tornado_table(table, metric).head(5)
        print(f"{metric} ({strategy}): widest swings (paired change vs centre at low / high, 95% interval):")
        for row in top.itertuples(index=False):
            low = f"{row.low:+.4g} [{row.low_ci_low:+.3g}, {row.low_ci_high:+.3g}]"
            high = f"{row.high:+.4g} [{row.high_ci_low:+.3g}, {row.high_ci_high:+.3g}]"
            print(f"  {row.assumption:45s} {low:>30s} {high:>30s}")
    print(f"files in {out}")
    return 0


def write_sensitivity(out: Path, table: pd.DataFrame, metrics: Sequence[str]) -> None:
    """Write the tornado figure, ``tornado.csv`` and ``sensitivity.csv``, all at once at the end (or none of them)."""
    from sim.report.sweep_plots import tornado_figure, tornado_table
    from sim.report.writers import staged, write_figure, write_table

    with staged(out) as stage:
        write_figure(stage, "tornado", tornado_figure(table, metrics))
        bars = [tornado_table(table, metric).assign(metric=metric) for metric in metrics]
        write_table(stage / "tornado.csv", pd.concat(bars, ignore_index=True))
        write_table(stage / "sensitivity.csv", table)


if __name__ == "__main__":
    sys.exit(main())
