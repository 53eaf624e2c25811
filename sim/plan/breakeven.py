"""Break-even: the value of one lever at which a metric (LTV:CAC by default) crosses a target.

``python -m sim.plan.breakeven experiment=hook_cash_vs_coupon --lever hook.value_cny --values 1:30:8 --target 0.5``

The experiment is run at each value of the lever (every value on the same seed: common
random numbers, so the curve is smooth in the lever), and for each strategy the metric's mean
and 95% interval are interpolated linearly between the values. The break-even value is where
the mean crosses the target. Its 95% interval is the stretch of lever values, around that
crossing, where the target lies inside the metric's 95% interval (inverse prediction): the
values the data cannot tell apart from break-even. A bound that reaches the end of the values
searched is left empty and said so in ``note``: widen ``--values``. A curve that crosses the
target more than once gives one row per crossing.

Writes ``breakeven.csv`` (one row per strategy and crossing), ``breakeven_grid.csv`` (every
metric's mean and interval at every value) and ``breakeven.png``/``.svg`` into ``--out``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config.cli import ArgumentParser
from sim.run.compare import summarise
from sim.run.objectives import metric_info

FINE_POINTS = 4001  # resolution of the interpolated band when finding the interval
CURVATURE_TOLERANCE = 0.1  # warn when a parabola moves the crossing by more than this share of the grid step
RESULT_COLUMNS = [
    "strategy",
    "metric",
    "lever",
    "target",
    "crossing",
    "estimate",
    "ci_low",
    "ci_high",
    "note",
    "values_searched",
    "n_replications",
]


def parse_values(text: str) -> list[float]:
    """``1,3,5,10`` (the values) or ``1:30:8`` (8 evenly spaced values from 1 to 30)."""
    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise ValueError(f"--values {text}: write lo:hi:n, e.g. 1:30:8")
        lo, hi, n = float(parts[0]), float(parts[1]), int(parts[2])
        if n < 2 or not hi > lo:
            raise ValueError(f"--values {text}: need hi > lo and n >= 2")
        return [float(v) for v in np.linspace(lo, hi, n)]
    values = sorted({float(v) for v in text.split(",") if v.strip()})
    if len(values) < 2:
        raise ValueError(f"--values {text}: need at least two values")
    return values


def crossings(x: np.ndarray, y: np.ndarray, target: float) -> list[float]:
    """Where the piecewise-linear curve (x, y) crosses ``target`` (x sorted); segments with a NaN are skipped."""
    out: list[float] = []
    d = y - target
    for i in range(len(x) - 1):
        a, b = d[i], d[i + 1]
        if not (np.isfinite(a) and np.isfinite(b)):
            continue
        if a == 0.0:
            out.append(float(x[i]))
        elif a * b < 0.0:
            out.append(float(x[i] + (x[i + 1] - x[i]) * a / (a - b)))
    if len(d) and d[-1] == 0.0 and np.isfinite(d[-1]):
        out.append(float(x[-1]))
    return sorted(set(out))


def band_interval(
    x: np.ndarray, lo: np.ndarray, hi: np.ndarray, target: float, estimate: float
) -> tuple[float, float, str]:
    """The stretch around ``estimate`` where ``lo <= target <= hi`` (linear between the values), and a note."""
    fine = np.linspace(x[0], x[-1], FINE_POINTS)
    inside = (np.interp(fine, x, lo) <= target) & (target <= np.interp(fine, x, hi))
    k = int(np.clip(np.searchsorted(fine, estimate), 0, len(fine) - 1))
    if not inside[k]:  # the metric has no interval here (a single replication, or missing values)
        return float("nan"), float("nan"), "no interval: the metric's 95% interval is missing at the crossing"
    left = k
    while left > 0 and inside[left - 1]:
        left -= 1
    right = k
    while right < len(fine) - 1 and inside[right + 1]:
        right += 1
    notes = []
    low = float(fine[left])
    high = float(fine[right])
    if left == 0:
        low = float("nan")
        notes.append(f"lower bound below the values searched (< {x[0]:g})")
    if right == len(fine) - 1:
        high = float("nan")
        notes.append(f"upper bound above the values searched (> {x[-1]:g})")
    return low, high, "; ".join(notes)


def curved_crossing(x: np.ndarray, y: np.ndarray, target: float, estimate: float) -> float | None:
    """Where a parabola through the crossing's bracket and a neighbouring value crosses ``target``, if it does
    inside the bracket: a check of the straight line drawn between two grid points. None when it cannot tell."""
    i = int(np.clip(np.searchsorted(x, estimate, side="right") - 1, 0, len(x) - 2))
    found = []
    for k in (i - 1, i + 2):  # the neighbour on each side of the bracket [x_i, x_i+1]
        if not 0 <= k < len(x):
            continue
        idx = sorted({i, i + 1, k})
        xs, ys = x[idx], y[idx] - target
        if not np.isfinite(ys).all():
            continue
        roots = np.roots(np.polyfit(xs, ys, 2))
        inside = [r.real for r in roots if abs(r.imag) < 1e-12 and x[i] <= r.real <= x[i + 1]]
        found += inside
    if not found:
        return None
    return max(found, key=lambda r: abs(r - estimate))


def grid_table(reps: pd.DataFrame, lever: str, values: Sequence[float]) -> pd.DataFrame:
    """Mean and 95% interval of every metric at every lever value: lever, lever_value, strategy, metric, ..."""
    parts = []
    for i, value in enumerate(values):
        summary = summarise(reps[reps["variant"] == i].drop(columns="variant"))
        summary.insert(0, "lever_value", value)
        summary.insert(0, "lever", lever)
        parts.append(summary)
    return pd.concat(parts, ignore_index=True)


def breakeven_table(grid: pd.DataFrame, metric: str, target: float) -> pd.DataFrame:
    """One row per strategy and crossing of ``target`` by the metric's mean."""
    rows = []
    part = grid[grid["metric"] == metric]
    for strategy, block in part.groupby("strategy", sort=False):
        block = block.sort_values("lever_value")
        x = block["lever_value"].to_numpy(dtype=float)
        mean, lo, hi = (block[c].to_numpy(dtype=float) for c in ("mean", "ci_low", "ci_high"))
        common = {
            "strategy": strategy,
            "metric": metric,
            "lever": block["lever"].iloc[0],
            "target": target,
            "values_searched": f"{x[0]:g}..{x[-1]:g} ({len(x)} values)",
            "n_replications": int(block["n_replications"].min()),
        }
        found = crossings(x, mean, target)
        if not found:
            finite = mean[np.isfinite(mean)]
            side = "above" if finite.size and finite.min() > target else "below" if finite.size else "missing"
            note = f"the mean stays {side} the target over the values searched"
            nan = float("nan")
            row = {"crossing": 0, "estimate": nan, "ci_low": nan, "ci_high": nan, "note": note}
            rows.append(common | row)
            continue
        for k, estimate in enumerate(found, start=1):
            low, high, note = band_interval(x, lo, hi, target, estimate)
            notes = [note]
            if len(found) > 1:
                notes.insert(
                    0, f"crossing {k} of {len(found)}: the metric is not monotone in the lever; check a finer grid"
                )
            curved = curved_crossing(x, mean, target, estimate)
            i = int(np.clip(np.searchsorted(x, estimate, side="right") - 1, 0, len(x) - 2))
            if curved is not None and abs(curved - estimate) > CURVATURE_TOLERANCE * (x[i + 1] - x[i]):
                notes.append(
                    f"curved between grid points: a parabola through the neighbouring values crosses at {curved:.4g}; "
                    f"run a finer grid, e.g. --values {x[i]:g}:{x[i + 1]:g}:6"
                )
            note = "; ".join(filter(None, notes))
            rows.append(common | {"crossing": k, "estimate": estimate, "ci_low": low, "ci_high": high, "note": note})
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def main(argv: Sequence[str] | None = None) -> int:
    parser = ArgumentParser(
        prog="python -m sim.plan.breakeven",
        description="The lever value at which a metric (default LTV:CAC) crosses a target, with a 95% interval. "
        "Other arguments are config overrides, as for python -m sim (e.g. experiment=hook_cash_vs_coupon).",
    )
    parser.add_argument("--lever", required=True, help="the config key to vary, e.g. hook.value_cny")
    parser.add_argument("--values", required=True, help="values to run: 1,3,5,10 or lo:hi:n, e.g. 1:30:8")
    parser.add_argument("--target", required=True, type=float, help="the metric's break-even level, e.g. 1.0")
    parser.add_argument("--metric", default="ltv_to_cac", help="metric to cross the target (default: %(default)s)")
    parser.add_argument("--strategy", action="append", help="strategy to analyse (repeatable; default: all)")
    parser.add_argument("--out", type=Path, default=None, help="output directory (default: outputs/breakeven/...)")
    args, overrides = parser.parse_with_overrides(argv)
    try:
        values = parse_values(args.values)
        metric_info(args.metric)
        if not math.isfinite(args.target):
            raise ValueError(f"--target {args.target}: must be a finite number, e.g. 1.0")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from sim.plan.variants import load, only, run_variants, variant

    cfg, experiment = load(overrides)
    try:
        only(experiment, args.strategy)
    except ValueError as exc:
        print(f"error: --strategy: {exc}", file=sys.stderr)
        return 2
    experiments = [only(variant(cfg, overrides, args.lever, v), args.strategy) for v in values]
    reps = run_variants(experiments, experiment.shared.run.n_jobs)
    grid = grid_table(reps, args.lever, values)
    result = breakeven_table(grid, args.metric, args.target)
    stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    out = args.out or Path("outputs") / "breakeven" / f"{experiment.name}_{args.lever}_{stamp}"
    write_breakeven(out, grid, result)
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(result.drop(columns=["lever", "values_searched", "note"]).to_string(index=False))
    for row in result.itertuples(index=False):
        if row.note:
            print(f"note: {row.strategy}: {row.note}", file=sys.stderr)
    print(f"files in {out}")
    return 0


def write_breakeven(out: Path, grid: pd.DataFrame, result: pd.DataFrame) -> None:
    """Write the grid, the figure and ``breakeven.csv``, all at once at the end (or none of them)."""
    from sim.report.sweep_plots import breakeven_figure
    from sim.report.writers import staged, write_figure, write_table

    with staged(out) as stage:
        write_table(stage / "breakeven_grid.csv", grid)
        metric = str(result["metric"].iloc[0])
        part = grid[grid["metric"] == metric].rename(columns={"lever_value": "value"})
        write_figure(stage, "breakeven", breakeven_figure(part, result))
        write_table(stage / "breakeven.csv", result)


if __name__ == "__main__":
    sys.exit(main())
