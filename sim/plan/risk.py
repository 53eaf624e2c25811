"""Risk of a plan: the chance each strategy loses money or misses a target, and its downside case.

``python -m sim.plan risk experiment=hook_cash_vs_coupon --target members_acquired=300000``

Each replication is one possible year of the business (its own buyers and luck), so the
spread of a metric over replications is the spread of outcomes the plan can meet. For each
strategy and metric the command reports the distribution over replications: mean, standard
deviation, median, the *downside case* (the 5th percentile of a metric where more is better,
the 95th where less is better, with a distribution-free 95% interval from order statistics
when the replications allow one), P(loss) for incremental net profit, and P(reaching each
target) with a Wilson 95% interval. A missing value counts as the worst outcome: a payback day
that never came is later than any day, so it misses every payback target.

**Parameter uncertainty.** ``--parameter-draws FILE`` (a CSV whose columns are config keys, e.g.
``population.repeat.r``, one row per draw; ``python -m sim.calibrate --orders ... --out NAME.yaml
--parameter-draws N`` writes ``NAME_draws.csv`` from the fits' covariance, :mod:`sim.calibrate.draws`, to run
with ``population=NAME``) runs replication *i* with the values of row *i*, so the spread over replications holds the
uncertainty of the fitted parameters as well as the luck of the year. Every strategy of a replication
uses the same row (common random numbers hold within a replication).

Writes ``risk.csv`` (one row per strategy and metric), ``risk_replications.csv`` (every
replication's values), ``risk.png``/``.svg`` (the distributions side by side) and ``risk.md`` (the
report section, in ``report.lang``) into ``--out``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from sim.config import CONTROL
from sim.config.cli import EXIT_BAD_INPUT, ArgumentParser
from sim.run.metrics import as_in, metric_key
from sim.run.objectives import DEFAULT_OBJECTIVE, metric_info, objective_in

RISK_METRICS: tuple[str, ...] = (DEFAULT_OBJECTIVE, "members_acquired", "private_gmv", "payback_day")
DOWNSIDE_SHARE = 0.05  # the downside case is the outcome this bad or worse in 5% of years
CONFIDENCE = 0.95
RISK_COLUMNS = [
    "strategy",
    "metric",
    "unit",
    "direction",
    "n_replications",
    "mean",
    "sd",
    "median",
    "downside",
    "downside_ci_low",
    "downside_ci_high",
    "missing_share",
    "p_loss",
    "p_loss_ci_low",
    "p_loss_ci_high",
    "target",
    "p_target",
    "p_target_ci_low",
    "p_target_ci_high",
]


def parse_target(text: str) -> tuple[str, float]:
    """``metric=value`` (e.g. ``members_acquired=300000``); a ValueError names what is wrong."""
    metric, sep, value = text.partition("=")
    if not sep:
        raise ValueError(f"--target {text}: write metric=value, e.g. members_acquired=300000")
    try:
        metric_info(metric)
    except ValueError as exc:
        raise ValueError(f"--target {text}: {exc}") from None
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"--target {text}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"--target {text}: must be a finite number")
    return metric, number


def worst_first(values: np.ndarray, direction: int) -> np.ndarray:
    """The values in the metric's good direction (higher is better), missing as the worst outcome."""
    oriented = direction * values.astype(float)
    return np.where(np.isfinite(oriented), oriented, -np.inf)


def quantile_interval(oriented: np.ndarray, share: float) -> tuple[float, float, float]:
    """The ``share`` quantile of ``oriented`` (an order statistic, no interpolation) and its distribution-free 95%
    interval [x_(l), x_(u)] from the binomial law of the number of values below the quantile; a bound the
    replications cannot give (too few of them) is NaN."""
    x = np.sort(oriented)
    n = x.size
    estimate = float(np.quantile(x, share, method="inverted_cdf"))
    alpha = 1.0 - CONFIDENCE
    lo_rank = int(stats.binom.ppf(alpha / 2, n, share))  # 1-based rank of the lower bound
    hi_rank = int(stats.binom.ppf(1 - alpha / 2, n, share)) + 1
    low = float(x[lo_rank - 1]) if lo_rank >= 1 else float("nan")
    high = float(x[hi_rank - 1]) if hi_rank <= n else float("nan")
    return estimate, low, high


def share_interval(hits: int, n: int) -> tuple[float, float, float]:
    """The share ``hits / n`` and its Wilson 95% interval."""
    low, high = proportion_confint(hits, n, alpha=1.0 - CONFIDENCE, method="wilson")
    return hits / n, float(low), float(high)


def _signed(value: float, direction: int) -> float:
    return direction * value if math.isfinite(value) else float("nan")


def risk_row(strategy: str, metric: str, values: np.ndarray, target: float | None) -> dict[str, object]:
    """The distribution of one strategy's metric over the replications (see the module docstring)."""
    info = metric_info(metric)
    direction = info.direction
    oriented = worst_first(values, direction)
    n = oriented.size
    finite = values[np.isfinite(values)]
    down, down_lo, down_hi = quantile_interval(oriented, DOWNSIDE_SHARE)
    row: dict[str, object] = {
        "strategy": strategy,
        "metric": metric,
        "unit": info.unit,
        "direction": direction,
        "n_replications": n,
        "mean": float(finite.mean()) if finite.size else float("nan"),
        "sd": float(finite.std(ddof=1)) if finite.size > 1 else float("nan"),
        "median": _signed(float(np.quantile(oriented, 0.5, method="inverted_cdf")), direction),
        "downside": _signed(down, direction),
        "downside_ci_low": _signed(down_lo if direction > 0 else down_hi, direction),
        "downside_ci_high": _signed(down_hi if direction > 0 else down_lo, direction),
        "missing_share": 1.0 - finite.size / n,
    }
    nan = float("nan")
    row["p_loss"] = row["p_loss_ci_low"] = row["p_loss_ci_high"] = nan
    if metric_key(metric) == DEFAULT_OBJECTIVE:  # at any LTV window
        row["p_loss"], row["p_loss_ci_low"], row["p_loss_ci_high"] = share_interval(int((oriented < 0.0).sum()), n)
    row["target"] = nan if target is None else target
    row["p_target"] = row["p_target_ci_low"] = row["p_target_ci_high"] = nan
    if target is not None:
        hits = int((oriented >= direction * target).sum())
        row["p_target"], row["p_target_ci_low"], row["p_target_ci_high"] = share_interval(hits, n)
    return row


def read_draws(path: Path, n_replications: int) -> list[list[str]]:
    """Per replication, the overrides (``key=value``) of one row of the parameter-draws CSV; a ValueError names what
    is wrong (missing file, no rows, fewer rows than replications, a value that is not a finite number)."""
    try:
        draws = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(f"--parameter-draws {path}: cannot read it as CSV ({type(exc).__name__})") from None
    if len(draws) < n_replications:
        raise ValueError(
            f"--parameter-draws {path}: {len(draws)} rows for {n_replications} replications; "
            "give at least one row per replication"
        )
    values = draws.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = np.argwhere(~np.isfinite(values))
    if bad.size:
        row, col = bad[0]
        raise ValueError(
            f"--parameter-draws {path}: row {row + 2}, column {draws.columns[col]}: "
            f"{draws.iat[row, col]!r} is not a finite number"
        )
    keys = [str(c) for c in draws.columns]
    return [[f"{k}={float(values[i, j])!r}" for j, k in enumerate(keys)] for i in range(n_replications)]


def run_with_draws(
    cfg: Any, overrides: list[str], draws: list[list[str]], strategies: list[str] | None
) -> pd.DataFrame:
    """Replication *i* with the overrides of draw *i* (validated like command-line overrides, once per draw)."""
    from sim.plan.variants import only, variant_chain
    from sim.run.experiment import run_replication
    from sim.run.workers import map_in_workers

    jobs = []
    for i, row in enumerate(draws):
        settings = dict(item.split("=", 1) for item in row)
        jobs.append((only(variant_chain(cfg, overrides, settings), strategies), i))
    n_jobs = jobs[0][0].shared.run.n_jobs
    parts = map_in_workers(run_replication, jobs, n_jobs)
    rows = [row for part in parts for row in part]
    return pd.DataFrame(rows, columns=["strategy", "replication", "metric", "value"]).astype({"value": float})


def risk_table(reps: pd.DataFrame, targets: dict[str, float]) -> pd.DataFrame:
    """One row per strategy (not the control arm) and metric of :data:`RISK_METRICS` and of ``targets``."""
    metrics = list(dict.fromkeys([*(as_in(m, reps["metric"]) for m in RISK_METRICS), *targets]))
    rows = []
    for strategy in [s for s in reps["strategy"].unique() if s != CONTROL]:
        mine = reps[reps["strategy"] == strategy]
        for metric in metrics:
            values = mine.loc[mine["metric"] == metric, "value"].to_numpy(dtype=float)
            if values.size:
                rows.append(risk_row(str(strategy), metric, values, targets.get(metric)))
    return pd.DataFrame(rows, columns=RISK_COLUMNS)


def main(argv: Sequence[str] | None = None) -> int:
    parser = ArgumentParser(
        prog="python -m sim.plan risk",
        description="The chance each strategy loses money or misses a target, and its downside case (5th "
        "percentile), over the experiment's replications. Other arguments are config overrides, as for "
        "python -m sim (e.g. experiment=hook_cash_vs_coupon run.n_replications=40).",
    )
    parser.add_argument(
        "--target",
        action="append",
        default=[],
        help="a target as metric=value, e.g. members_acquired=300000 or private_gmv=5000000 (repeatable)",
    )
    parser.add_argument("--strategy", action="append", help="strategy to analyse (repeatable; default: all)")
    parser.add_argument(
        "--parameter-draws",
        type=Path,
        default=None,
        help="CSV of parameter draws (columns: config keys; one row per replication) for parameter uncertainty",
    )
    parser.add_argument("--out", type=Path, default=None, help="output directory (default: outputs/risk/...)")
    args, overrides = parser.parse_with_overrides(argv)
    try:
        targets = dict(parse_target(text) for text in args.target)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    from sim.plan.variants import load, only, run_variants

    cfg, experiment = load(overrides)
    try:
        experiment = only(experiment, args.strategy)
    except ValueError as exc:
        print(f"error: --strategy: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        for metric in targets:
            objective_in(metric, experiment.shared.accounting.ltv_months, "--target")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    out = args.out or Path("outputs") / "risk" / f"{experiment.name}_{stamp}"
    if args.parameter_draws is None:
        reps = run_variants([experiment], experiment.shared.run.n_jobs).drop(columns="variant")
    else:
        try:
            draws = read_draws(args.parameter_draws, experiment.shared.run.n_replications)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        reps = run_with_draws(cfg, list(overrides), draws, args.strategy)
    table = risk_table(reps, targets)
    lang = str(getattr(cfg.report.lang, "value", cfg.report.lang))
    parameters = (
        "draws"
        if args.parameter_draws is not None
        else "calibrated"
        if experiment.shared.run.parameter_uncertainty
        else "fixed"
    )
    write_risk(out, reps, table, experiment.name, lang, parameters)
    from sim.report.risk import console_lines

    for line in console_lines(table):
        print(line)
    print(f"files in {out}")
    return 0


def write_risk(out: Path, reps: pd.DataFrame, table: pd.DataFrame, name: str, lang: str, parameters: str) -> None:
    """Write the tables, the figure and the report section (``parameters``: where each replication's parameters came
    from, :data:`sim.report.risk.PARAMETERS`), all at once at the end (or none of them)."""
    from sim.report.plots.risk import risk_figure
    from sim.report.risk import risk_section
    from sim.report.writers import staged, write_figure, write_table, write_text

    with staged(out) as stage:
        write_table(stage / "risk_replications.csv", reps)
        write_figure(stage, "risk", risk_figure(reps, table, lang))
        write_text(stage / "risk.md", risk_section(table, name, lang, parameters))
        write_table(stage / "risk.csv", table)


if __name__ == "__main__":
    sys.exit(main())
