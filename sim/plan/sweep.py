"""Sweeps: finished points, skipping them on a re-run, and the sweep's tidy summary and figures.

A multirun (``python -m sim -m experiment=hook_cash_vs_coupon hook.value_cny=3,5,10,20
touch.touches_per_week=1,2,3,5``) writes one run directory per point,
``<hydra.sweep.dir>/<job number>/``, each complete once its ``summary.csv`` exists. Every
point runs on the same ``run.seed``, so points share their buyers and luck (common random
numbers) and differ only where their settings do.

- :func:`point_finished` tells the entry point that a point's directory already holds a
  finished run of exactly this configuration, so re-running the same sweep into the same
  directory skips it, and a sweep killed midway loses no finished point.
- :func:`sweep_tables` reads every finished point back into one tidy table: one row per point x
  strategy x metric, the swept settings as columns, with means and 95% intervals (and the same
  for the paired differences against each point's baseline).
- :class:`SweepSummaryCallback` writes ``sweep_summary.csv``, ``sweep_differences.csv`` and the
  figures when the multirun ends, and removes the points' shared cache (``.cache``, :mod:`sim.run.cache`: the
  platform layers take about 80 MB a replication at the default population); ``python -m sim.plan.sweep
  SWEEP_DIR`` rebuilds them from whatever finished (after a kill, or with other metrics).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.config import CONTROL
from sim.config.cli import ArgumentParser
from sim.run.cache import CACHE_DIR_NAME
from sim.run.metrics import DEFAULT_LTV_MONTHS, as_in, window_months, windowed
from sim.run.objectives import INCREMENTAL_NET_PROFIT, metric_info, objective_in

SUMMARY = "summary.csv"
CONFIG = "config_resolved.yaml"
DEFAULT_FIGURE_METRICS: tuple[str, ...] = (INCREMENTAL_NET_PROFIT, "incremental_ltv_to_cac", "monthly_churn")
# settings that change how a point runs, not what it computes: a finished point stays valid whatever they are
VOLATILE_KEYS: tuple[tuple[str, str], ...] = (("run", "n_jobs"), ("run", "progress"), ("report", "point_figures"))
SUMMARY_COLUMNS = ["point", "strategy", "metric", "mean", "ci_low", "ci_high", "n_replications"]
DIFFERENCE_COLUMNS = ["point", "strategy", "baseline", "metric", "mean_diff", "ci_low", "ci_high", "prob_better"]


# --------------------------------------------------------------------------- finished points


def _comparable(config: Any) -> Any:
    if isinstance(config, dict):
        config = {k: v for k, v in config.items() if k != "hydra"}
        for group, key in VOLATILE_KEYS:
            if isinstance(config.get(group), dict):
                config[group] = {k: v for k, v in config[group].items() if k != key}
    return config


def point_finished(out_dir: Path, config_yaml: str) -> bool:
    """``out_dir`` holds a finished run (``summary.csv``) of this same resolved configuration."""
    summary, stored = out_dir / SUMMARY, out_dir / CONFIG
    if not (summary.is_file() and stored.is_file()):
        return False
    try:
        before = yaml.safe_load(stored.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return False
    return _comparable(before) == _comparable(yaml.safe_load(config_yaml))


def best_objective(out_dir: Path) -> float:
    """What a finished point returns to the sweeper: its best mean incremental net profit, as the run itself returns."""
    from sim.report.runner import best_mean

    summary = pd.read_csv(out_dir / SUMMARY)
    return best_mean(summary, as_in(INCREMENTAL_NET_PROFIT, summary["metric"]))


def _point_order(path: Path) -> tuple[int, int | str]:
    return (0, int(path.name)) if path.name.isdigit() else (1, path.name)


def point_dirs(sweep_dir: Path) -> list[Path]:
    """The sweep's point directories (Hydra job directories), finished or not, in job order."""
    if not sweep_dir.is_dir():
        return []
    found = [p for p in sweep_dir.iterdir() if (p / ".hydra" / "overrides.yaml").is_file()]
    return sorted(found, key=_point_order)


def finished_points(sweep_dir: Path) -> list[Path]:
    """The point directories holding a finished run."""
    return [p for p in point_dirs(sweep_dir) if (p / SUMMARY).is_file()]


# --------------------------------------------------------------------------- swept settings


def _parse_value(text: str) -> Any:
    """A number if the override's value is one, else the text as typed (``off`` stays ``off``)."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def split_override(override: str) -> tuple[str, str]:
    """``+hook.value_cny=3`` -> (``hook.value_cny``, ``3``)."""
    key, _, value = override.partition("=")
    return key.lstrip("+~"), value


def point_overrides(point: Path) -> dict[str, str]:
    """The command-line overrides of one point, key -> value as typed."""
    lines = yaml.safe_load((point / ".hydra" / "overrides.yaml").read_text(encoding="utf-8")) or []
    return dict(split_override(str(line)) for line in lines)


def sweep_keys_from_config(task_overrides: Sequence[str], sweeper_params: Any) -> list[str]:
    """Keys swept by a multirun: sweep overrides on the command line (``a=1,2``) and the sweeper's params."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    keys: list[str] = []
    try:
        parsed = OverridesParser.create().parse_overrides(list(task_overrides))
    except Exception:  # noqa: BLE001 - an unparsable list only loses the column order
        parsed = []
    for override in parsed:
        if override.is_sweep_override():
            keys.append(override.key_or_group)
    for key in sweeper_params or {}:
        keys.append(split_override(f"{key}=")[0])
    return list(dict.fromkeys(keys))


def _stored_sweep_keys(sweep_dir: Path, points: Sequence[Path]) -> list[str]:
    """The swept keys recorded by Hydra: ``multirun.yaml`` (basic sweeper) or a point's ``hydra.yaml``."""
    sources = [sweep_dir / "multirun.yaml"] + [p / ".hydra" / "hydra.yaml" for p in points[:1]]
    for source in sources:
        if not source.is_file():
            continue
        data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        hydra = data.get("hydra", data)
        task = (hydra.get("overrides") or {}).get("task") or [] if source.name == "multirun.yaml" else []
        params = (hydra.get("sweeper") or {}).get("params")
        keys = sweep_keys_from_config(task, params)
        if keys:
            return keys
    return []


def swept_keys(sweep_dir: Path, points: Sequence[Path], known: Sequence[str] = ()) -> list[str]:
    """Override columns: the keys known to be swept, then any other key whose value varies between points."""
    keys = list(known) or _stored_sweep_keys(sweep_dir, points)
    overrides = [point_overrides(p) for p in points]
    for key in dict.fromkeys(k for o in overrides for k in o):
        if key.startswith("hydra") or key in keys:
            continue
        if len({o.get(key) for o in overrides}) > 1:
            keys.append(key)
    return keys


def _select(config: Any, dotted: str) -> Any:
    node = config
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, (int, float, str, bool)) else None


def setting_values(point: Path, keys: Sequence[str]) -> dict[str, Any]:
    """Each swept key's value at this point: as overridden, else from its config (or chosen group option)."""
    overrides = point_overrides(point)
    config: dict[str, Any] = {}
    choices: dict[str, Any] = {}
    if (point / CONFIG).is_file():
        config = yaml.safe_load((point / CONFIG).read_text(encoding="utf-8")) or {}
    hydra_yaml = point / ".hydra" / "hydra.yaml"
    if hydra_yaml.is_file():
        hydra = (yaml.safe_load(hydra_yaml.read_text(encoding="utf-8")) or {}).get("hydra", {})
        choices = (hydra.get("runtime") or {}).get("choices") or {}
    out = {}
    for key in keys:
        if key in overrides:
            out[key] = _parse_value(overrides[key])
        elif key in choices:
            out[key] = choices[key]
        else:
            out[key] = _select(config, key)
    return out


# --------------------------------------------------------------------------- the summary


@dataclass(frozen=True)
class SweepTables:
    """A sweep read back from its directory."""

    keys: list[str]  # the swept settings, one column each
    summary: pd.DataFrame  # keys..., point, strategy, metric, mean, ci_low, ci_high, n_replications
    differences: pd.DataFrame  # keys..., point, strategy, baseline, metric, mean_diff, ci_low, ci_high, prob_better
    points: int  # finished points read
    unfinished: int  # point directories without a summary (killed or failed)


def point_tables(point: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One finished point's summary and differences, without the control arm (the strategies' incremental metrics
    already measure against it)."""
    summary = pd.read_csv(point / SUMMARY)
    summary = summary[summary["strategy"] != CONTROL]
    diffs_path = point / "differences.csv"
    differences = pd.read_csv(diffs_path) if diffs_path.is_file() else pd.DataFrame()
    return summary, differences


def _baseline(point: Path, differences: pd.DataFrame) -> str | None:
    if not differences.empty and "baseline" in differences:
        return str(differences["baseline"].iloc[0])
    if (point / CONFIG).is_file():
        config = yaml.safe_load((point / CONFIG).read_text(encoding="utf-8")) or {}
        baseline = _select(config, "experiment.baseline")
        return None if baseline is None else str(baseline)
    return None


def sweep_tables(sweep_dir: Path, keys: Sequence[str] = ()) -> SweepTables:
    """Read every finished point of ``sweep_dir`` into one summary and one differences table."""
    all_points = point_dirs(sweep_dir)
    points = [p for p in all_points if (p / SUMMARY).is_file()]
    columns = swept_keys(sweep_dir, points, keys)
    summaries, differences = [], []
    for point in points:
        settings = setting_values(point, columns)
        summary, diffs = point_tables(point)
        summaries.append(_with_settings(summary, settings, point.name))
        if not diffs.empty:
            differences.append(_with_settings(diffs, settings, point.name))
    summary_table = (
        pd.concat(summaries, ignore_index=True) if summaries else pd.DataFrame(columns=columns + SUMMARY_COLUMNS)
    )
    diff_table = (
        pd.concat(differences, ignore_index=True) if differences else pd.DataFrame(columns=columns + DIFFERENCE_COLUMNS)
    )
    return SweepTables(
        keys=columns,
        summary=summary_table[columns + SUMMARY_COLUMNS],
        differences=diff_table[columns + DIFFERENCE_COLUMNS],
        points=len(points),
        unfinished=len(all_points) - len(points),
    )


def _with_settings(table: pd.DataFrame, settings: dict[str, Any], point: str) -> pd.DataFrame:
    out = table.copy()
    out.insert(0, "point", point)
    for i, (key, value) in enumerate(settings.items()):
        out.insert(i, key, value)
    return out


def write_sweep(
    sweep_dir: Path, keys: Sequence[str] = (), metrics: Sequence[str] | None = None, key: str = "metrics"
) -> SweepTables:
    """Write ``sweep_differences.csv``, the figures of ``metrics`` (None: :data:`DEFAULT_FIGURE_METRICS`, named
    after the sweep's LTV window) and, last, ``sweep_summary.csv``. A metric that names another LTV window than the
    sweep's is a ValueError naming ``key`` (the option that gave the metrics)."""
    from sim.report.sweep_plots import sweep_figures
    from sim.report.writers import write_figure, write_table

    for metric in metrics or ():
        metric_info(metric)  # an unknown metric fails before anything is written
    tables = sweep_tables(sweep_dir, keys)
    months = window_months(tables.summary["metric"]) if "metric" in tables.summary else DEFAULT_LTV_MONTHS
    if metrics is None:
        metrics = [windowed(m, months) for m in DEFAULT_FIGURE_METRICS]
    for metric in metrics:
        objective_in(metric, months, key)  # ltv_12m of a 24-month sweep: an error naming ltv_24m
    write_table(sweep_dir / "sweep_differences.csv", tables.differences)
    if tables.points:
        for name, figure in sweep_figures(tables.summary, tables.differences, tables.keys, metrics).items():
            write_figure(sweep_dir, name, figure)
    write_table(sweep_dir / "sweep_summary.csv", tables.summary)
    return tables


# --------------------------------------------------------------------------- Hydra callback


try:
    from hydra.experimental.callback import Callback
except ImportError:  # pragma: no cover - hydra-core is a dependency
    Callback = object  # type: ignore[misc,assignment]


class SweepSummaryCallback(Callback):  # type: ignore[misc]
    """Hydra callback (``configs/hydra/callbacks/sweep_summary.yaml``): summarise the sweep when the multirun ends."""

    def __init__(self, metrics: Sequence[str] | None = None) -> None:
        self.metrics = [str(m) for m in metrics] if metrics is not None else None

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        from omegaconf import OmegaConf

        hydra = config.hydra
        sweeper_params = OmegaConf.to_container(hydra.sweeper.params) if hydra.sweeper.get("params") else None
        keys = sweep_keys_from_config(list(hydra.overrides.task), sweeper_params)
        sweep_dir = Path(str(hydra.sweep.dir))
        shutil.rmtree(sweep_dir / CACHE_DIR_NAME, ignore_errors=True)
        tables = write_sweep(sweep_dir, keys, self.metrics)
        print(
            f"sweep: {tables.points} finished points"
            + (f", {tables.unfinished} unfinished" if tables.unfinished else "")
            + f"; summary in {sweep_dir / 'sweep_summary.csv'}",
            file=sys.stderr,
        )


# --------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sim.plan.sweep SWEEP_DIR [--metrics a,b]``: rebuild a sweep's summary and figures."""
    parser = ArgumentParser(
        prog="python -m sim.plan.sweep",
        description="Rebuild sweep_summary.csv, sweep_differences.csv and the figures from a sweep's finished points.",
    )
    parser.add_argument("sweep_dir", type=Path, help="the multirun's directory (hydra.sweep.dir)")
    parser.add_argument(
        "--metrics",
        default=None,
        help=f"comma-separated metrics to draw (default: {','.join(DEFAULT_FIGURE_METRICS)}, at the sweep's window)",
    )
    args = parser.parse_args(argv)
    metrics = [m for m in args.metrics.split(",") if m] if args.metrics is not None else None
    try:
        for metric in metrics or ():
            metric_info(metric)
    except ValueError as exc:
        print(f"error: --metrics: {exc}", file=sys.stderr)
        return 2
    if not point_dirs(args.sweep_dir):
        print(f"error: {args.sweep_dir}: no sweep points (no */.hydra/overrides.yaml) here", file=sys.stderr)
        return 2
    try:
        tables = write_sweep(args.sweep_dir, metrics=metrics, key="--metrics")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"{tables.points} finished points, {tables.unfinished} unfinished; "
        f"wrote {args.sweep_dir / 'sweep_summary.csv'} ({len(tables.summary)} rows, swept: {', '.join(tables.keys)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
