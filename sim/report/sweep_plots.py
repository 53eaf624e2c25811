"""Figures for sweeps, strategy searches, break-even and sensitivity analyses.

Each ``plot_*`` validates its tidy table, draws on an Axes (a new one when ``ax`` is None)
and returns it; nothing here saves or shows (:mod:`sim.report.writers` saves). The ``*_figures``
and ``*_figure`` functions lay the Axes out into the figures the command line writes. The
tables are the ones written next to the figures: ``sweep_summary.csv`` and
``sweep_differences.csv`` (:mod:`sim.plan.sweep`), ``search_trials.csv`` (:mod:`sim.plan.search`),
``breakeven_grid.csv`` (:mod:`sim.plan.breakeven`) and ``sensitivity.csv`` (:mod:`sim.plan.sensitivity`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.report.plots import strategy_colours, style
from sim.run.objectives import metric_info


def _require(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what}: missing columns {missing}; has {list(df.columns)}")
    if df.empty:
        raise ValueError(f"{what}: the table is empty")


def _new_ax(ax: Axes | None) -> Axes:
    return ax if ax is not None else Figure(figsize=(6, 4.5), layout="constrained").subplots()


def _label(metric: str) -> str:
    return f"{metric} ({metric_info(metric).unit})"


def short_number(value: float) -> str:
    """A cell label: three significant figures, thousands as k and millions as M."""
    if not np.isfinite(value):
        return ""
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:.3g}M"
    if size >= 1e4:
        return f"{value / 1e3:.3g}k"
    return f"{value:.3g}"


def is_numeric(values: Sequence[object]) -> bool:
    """All values are numbers (not booleans, not missing)."""
    return all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in values)


def axis_values(values: Sequence[object]) -> list[object]:
    """The distinct values of an override column in plotting order: sorted if numeric, else first seen."""
    distinct = list(dict.fromkeys(v for v in values if not (isinstance(v, float) and math.isnan(v))))
    return sorted(distinct) if is_numeric(distinct) else distinct  # type: ignore[type-var]


# --------------------------------------------------------------------------- sweeps


def plot_sweep_heatmap(
    table: pd.DataFrame,
    *,
    x: str,
    y: str,
    value: str = "mean",
    title: str = "",
    ax: Axes | None = None,
    significant: pd.Series | None = None,
) -> Axes:
    """A heat map of ``value`` over two override columns (one row of ``table`` per cell).

    Cells where ``significant`` (aligned with ``table``) is false get their label in
    parentheses: the 95% interval of that cell includes zero.
    """
    _require(table, [x, y, value], "plot_sweep_heatmap")
    ax = _new_ax(ax)
    xs, ys = axis_values(list(table[x])), axis_values(list(table[y]))
    grid = np.full((len(ys), len(xs)), np.nan)
    marks = np.ones_like(grid, dtype=bool)
    for i, (xv, yv, v) in enumerate(zip(table[x], table[y], table[value], strict=True)):
        r, c = ys.index(yv), xs.index(xv)
        grid[r, c] = float(v)
        if significant is not None:
            marks[r, c] = bool(significant.iloc[i])
    finite = grid[np.isfinite(grid)]
    diverging = value == "mean_diff" and finite.size > 0 and finite.min() < 0 < finite.max()
    if diverging:
        bound = float(np.abs(finite).max())
        image = ax.imshow(grid, origin="lower", aspect="auto", cmap="RdBu", vmin=-bound, vmax=bound)
    else:
        image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis")
    ax.figure.colorbar(image, ax=ax, shrink=0.85)
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    for r in range(len(ys)):
        for c in range(len(xs)):
            text = short_number(grid[r, c])
            if text and not marks[r, c]:
                text = f"({text})"
            light = not diverging and hi > lo and (grid[r, c] - lo) / (hi - lo) < 0.5
            ax.text(c, r, text, ha="center", va="center", fontsize=8, color="white" if light else "black")
    ax.set_xticks(range(len(xs)), [str(v) for v in xs])
    ax.set_yticks(range(len(ys)), [str(v) for v in ys])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.grid(False)
    ax.set_title(title)
    return ax


def plot_sweep_lines(
    table: pd.DataFrame,
    *,
    x: str,
    hue: str,
    title: str = "",
    ylabel: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Mean and 95% band of a metric against an override column, one line per value of ``hue``."""
    _require(table, [x, hue, "mean", "ci_low", "ci_high"], "plot_sweep_lines")
    ax = _new_ax(ax)
    xs = axis_values(list(table[x]))
    numeric = is_numeric(xs)
    groups = axis_values(list(table[hue]))
    colours = strategy_colours([str(g) for g in groups])
    for group in groups:
        part = table[table[hue] == group]
        part = part.assign(_pos=[xs.index(v) for v in part[x]]).sort_values("_pos")
        pos = part[x].to_numpy(dtype=float) if numeric else part["_pos"].to_numpy(dtype=float)
        colour = colours[str(group)]
        ax.plot(pos, part["mean"], marker="o", color=colour, label=f"{hue}={group}")
        ax.fill_between(pos, part["ci_low"], part["ci_high"], color=colour, alpha=0.15, linewidth=0)
    if not numeric:
        ax.set_xticks(range(len(xs)), [str(v) for v in xs])
    ax.set_xlabel(x)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="best")
    return ax


def plot_sweep_scatter(table: pd.DataFrame, *, x: str, title: str = "", ax: Axes | None = None) -> Axes:
    """Each point's mean (with its 95% interval) against one override column, coloured by strategy."""
    _require(table, [x, "strategy", "mean", "ci_low", "ci_high"], "plot_sweep_scatter")
    ax = _new_ax(ax)
    xs = axis_values(list(table[x]))
    numeric = is_numeric(xs)
    strategies = list(dict.fromkeys(table["strategy"]))
    colours = strategy_colours(strategies)
    for strategy in strategies:
        part = table[table["strategy"] == strategy]
        pos = part[x].to_numpy(dtype=float) if numeric else np.array([xs.index(v) for v in part[x]], dtype=float)
        mean = part["mean"].to_numpy(dtype=float)
        err = np.vstack([mean - part["ci_low"].to_numpy(dtype=float), part["ci_high"].to_numpy(dtype=float) - mean])
        ax.errorbar(
            pos, mean, yerr=np.nan_to_num(err), fmt="o", ms=4, alpha=0.7, color=colours[strategy], label=strategy
        )
    if not numeric:
        ax.set_xticks(range(len(xs)), [str(v) for v in xs])
    ax.set_xlabel(x)
    ax.set_title(title)
    ax.legend(loc="best")
    return ax


def is_grid(summary: pd.DataFrame, keys: Sequence[str]) -> bool:
    """The points lie on a grid over ``keys``: one point per combination, at least half the combinations present.

    A sweep killed midway still draws as a grid with empty cells; scattered points (a search) do not.
    """
    points = summary.drop_duplicates("point")
    combos = points[list(keys)].astype(str).drop_duplicates()
    size = math.prod(len(axis_values(list(points[k]))) for k in keys)
    return len(combos) == len(points) and 2 * len(points) >= size


def sweep_figures(
    summary: pd.DataFrame, differences: pd.DataFrame, keys: Sequence[str], metrics: Sequence[str]
) -> dict[str, Figure]:
    """The sweep's figures by file name (without extension), for each of ``metrics``.

    One swept key: lines against it, one per strategy. Two keys on a grid (:func:`is_grid`): a heat map per
    strategy plus one per paired difference against the baseline, and lines against the first key,
    one per value of the second. Otherwise (more keys, or points that are not a grid, as in a
    search): each point's mean against each key.
    """
    _require(summary, ["point", "strategy", "metric", "mean", "ci_low", "ci_high"], "sweep_figures")
    keys = [k for k in keys if k in summary.columns]
    figures: dict[str, Figure] = {}
    for metric in metrics:
        part = summary[summary["metric"] == metric]
        if part.empty or not part["mean"].notna().any():
            continue
        diff = differences[differences["metric"] == metric] if not differences.empty else differences
        with style():
            if len(keys) == 1:
                figures[f"sweep_{metric}"] = _lines_one_key(part, keys[0], metric)
            elif len(keys) == 2 and is_grid(part, keys):
                figures[f"sweep_{metric}_heatmap"] = _heatmaps(part, diff, keys, metric)
                figures[f"sweep_{metric}_lines"] = _lines_two_keys(part, keys, metric)
            elif keys:
                figures[f"sweep_{metric}"] = _scatter_keys(part, keys, metric)
    return figures


def _lines_one_key(part: pd.DataFrame, key: str, metric: str) -> Figure:
    fig = Figure(figsize=(7, 4.8), layout="constrained")
    plot_sweep_lines(part, x=key, hue="strategy", ylabel=_label(metric), title=f"{metric} by {key}", ax=fig.subplots())
    return fig


def _heatmaps(part: pd.DataFrame, diff: pd.DataFrame, keys: Sequence[str], metric: str) -> Figure:
    x, y = keys[1], keys[0]
    strategies = list(dict.fromkeys(part["strategy"]))
    diff_strategies = list(dict.fromkeys(diff["strategy"])) if not diff.empty else []
    n = len(strategies) + len(diff_strategies)
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(5.2 * cols, 4.2 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax, strategy in zip(axes, strategies, strict=False):
        plot_sweep_heatmap(part[part["strategy"] == strategy], x=x, y=y, title=f"{strategy}: {metric}", ax=ax)
    for ax, strategy in zip(axes[len(strategies) :], diff_strategies, strict=False):
        block = diff[diff["strategy"] == strategy].reset_index(drop=True)
        excludes_zero = (block["ci_low"] > 0) | (block["ci_high"] < 0)
        baseline = block["baseline"].iloc[0]
        plot_sweep_heatmap(
            block,
            x=x,
            y=y,
            value="mean_diff",
            title=f"{strategy} - {baseline} (paired; (..) = 95% CI includes 0)",
            ax=ax,
            significant=excludes_zero,
        )
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.suptitle(f"{metric} ({metric_info(metric).unit}) over {y} x {x}")
    return fig


def _lines_two_keys(part: pd.DataFrame, keys: Sequence[str], metric: str) -> Figure:
    strategies = list(dict.fromkeys(part["strategy"]))
    fig = Figure(figsize=(6 * len(strategies), 4.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(strategies), sharey=True)).ravel()
    for ax, strategy in zip(axes, strategies, strict=True):
        plot_sweep_lines(
            part[part["strategy"] == strategy], x=keys[0], hue=keys[1], ylabel=_label(metric), title=strategy, ax=ax
        )
    fig.suptitle(f"{metric} by {keys[0]}, one line per {keys[1]} (95% bands)")
    return fig


def _scatter_keys(part: pd.DataFrame, keys: Sequence[str], metric: str) -> Figure:
    cols = min(len(keys), 3)
    rows = math.ceil(len(keys) / cols)
    fig = Figure(figsize=(5.2 * cols, 4 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, sharey=True)).ravel()
    for ax, key in zip(axes, keys, strict=False):
        plot_sweep_scatter(part, x=key, title=key, ax=ax)
        ax.set_ylabel(_label(metric))
    for ax in axes[len(keys) :]:
        ax.set_visible(False)
    fig.suptitle(f"{metric} of each point against each swept setting")
    return fig


# --------------------------------------------------------------------------- search


def plot_search_history(trials: pd.DataFrame, *, objective: str, ax: Axes | None = None) -> Axes:
    """Each trial's objective (hollow: over the churn ceiling) and the best feasible one so far."""
    _require(trials, ["trial", "objective_mean", "feasible"], "plot_search_history")
    ax = _new_ax(ax)
    t = trials.sort_values("trial")
    feasible = t["feasible"].to_numpy(dtype=bool)
    ax.scatter(t["trial"][feasible], t["objective_mean"][feasible], color="#0072B2", label="within churn ceiling")
    ax.scatter(
        t["trial"][~feasible],
        t["objective_mean"][~feasible],
        facecolors="none",
        edgecolors="#D55E00",
        label="over churn ceiling",
    )
    sign = metric_info(objective).direction
    best = (t["objective_mean"].where(t["feasible"]) * sign).cummax() * sign
    ax.step(t["trial"], best, where="post", color="black", label="best so far")
    ax.set_xlabel("trial")
    ax.set_ylabel(_label(objective))
    ax.set_title(f"search: {objective} per trial")
    ax.legend(loc="best")
    return ax


def search_figure(trials: pd.DataFrame, objective: str) -> Figure:
    """The search history as a figure."""
    with style():
        fig = Figure(figsize=(8, 4.8), layout="constrained")
        plot_search_history(trials, objective=objective, ax=fig.subplots())
    return fig


# --------------------------------------------------------------------------- break-even


def plot_breakeven(grid: pd.DataFrame, result: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Each strategy's mean and 95% band against the lever, the target, and each break-even value with its interval.

    ``grid`` has one row per strategy and lever value (``value, strategy, mean, ci_low, ci_high``);
    ``result`` one row per strategy and crossing (``breakeven.csv``).
    """
    _require(grid, ["value", "strategy", "mean", "ci_low", "ci_high"], "plot_breakeven")
    _require(result, ["strategy", "metric", "lever", "target", "estimate", "ci_low", "ci_high"], "plot_breakeven")
    ax = _new_ax(ax)
    strategies = list(dict.fromkeys(grid["strategy"]))
    colours = strategy_colours(strategies)
    x_min, x_max = float(grid["value"].min()), float(grid["value"].max())
    for strategy in strategies:
        g = grid[grid["strategy"] == strategy].sort_values("value")
        colour = colours[strategy]
        ax.plot(g["value"], g["mean"], marker="o", color=colour, label=f"{strategy} (95% band)")
        ax.fill_between(g["value"], g["ci_low"], g["ci_high"], color=colour, alpha=0.15, linewidth=0)
        for row in result[result["strategy"] == strategy].itertuples(index=False):
            if not np.isfinite(row.estimate):
                continue
            lo = row.ci_low if np.isfinite(row.ci_low) else x_min
            hi = row.ci_high if np.isfinite(row.ci_high) else x_max
            ax.axvspan(lo, hi, color=colour, alpha=0.12)
            ax.axvline(row.estimate, color=colour, linewidth=1.5, linestyle="-.")
            ax.annotate(
                f"{row.estimate:.3g}",
                (row.estimate, row.target),
                textcoords="offset points",
                xytext=(4, 6),
                color=colour,
                fontsize=9,
            )
    first = result.iloc[0]
    ax.axhline(float(first["target"]), color="black", linestyle="--", linewidth=1, label=f"target {first['target']:g}")
    ax.set_xlabel(str(first["lever"]))
    ax.set_ylabel(_label(str(first["metric"])))
    ax.set_title(f"break-even: {first['metric']} = {first['target']:g} (shaded: 95% interval)")
    ax.legend(loc="best")
    return ax


def breakeven_figure(grid: pd.DataFrame, result: pd.DataFrame) -> Figure:
    """The break-even curves as a figure."""
    with style():
        fig = Figure(figsize=(8, 5), layout="constrained")
        plot_breakeven(grid, result, ax=fig.subplots())
    return fig


# --------------------------------------------------------------------------- sensitivity


def tornado_table(sensitivity: pd.DataFrame, metric: str) -> pd.DataFrame:
    """One row per assumption: the metric's paired change at its low and high value with 95% intervals.

    ``extent`` is how far the bars reach from zero, as drawn (the larger of |low| and |high| when both
    change the metric the same way, |high - low| otherwise); rows are sorted by it. ``low_clear`` and
    ``high_clear`` say whether the interval of that change excludes zero.
    """
    _require(sensitivity, ["assumption", "level", "metric", "diff_vs_mode", "diff_ci_low", "diff_ci_high"], "tornado")
    part = sensitivity[(sensitivity["metric"] == metric) & (sensitivity["level"].isin(["low", "high"]))]
    out = pd.DataFrame(index=pd.Index(pd.unique(part["assumption"]), name="assumption"))
    for level in ("low", "high"):
        rows = part[part["level"] == level].set_index("assumption")
        out[level] = rows["diff_vs_mode"]
        out[f"{level}_ci_low"] = rows["diff_ci_low"]
        out[f"{level}_ci_high"] = rows["diff_ci_high"]
        out[f"{level}_clear"] = (rows["diff_ci_low"] > 0) | (rows["diff_ci_high"] < 0)
    ends = out[["low", "high"]].fillna(0.0)
    out["extent"] = np.maximum(ends.max(axis=1), 0.0) - np.minimum(ends.min(axis=1), 0.0)
    return out.sort_values("extent", ascending=False, kind="stable").reset_index()


def plot_tornado(sensitivity: pd.DataFrame, *, metric: str, ax: Axes | None = None) -> Axes:
    """Tornado chart: paired change of ``metric`` against the centre run at each assumption's low and high value,
    each bar with its 95% interval; a bar whose interval includes zero is drawn hollow (not distinguishable from
    no change on these replications). Widest reach from zero on top."""
    table = tornado_table(sensitivity, metric)
    ax = _new_ax(ax)
    pos = np.arange(len(table))[::-1]
    for level, colour, label in (("low", "#56B4E9", "low value"), ("high", "#D55E00", "high value")):
        values = table[level].to_numpy(dtype=float)
        clear = table[f"{level}_clear"].to_numpy(dtype=bool)
        errors = np.vstack(
            [
                values - table[f"{level}_ci_low"].to_numpy(dtype=float),
                table[f"{level}_ci_high"].to_numpy(dtype=float) - values,
            ]
        )
        offset = 0.19 if level == "low" else -0.19
        ax.barh(pos[clear] + offset, values[clear], height=0.36, color=colour, label=f"assumption at its {label}")
        ax.barh(
            pos[~clear] + offset,
            values[~clear],
            height=0.36,
            facecolor="none",
            edgecolor=colour,
            hatch="///",
            label=f"{label}: interval includes 0" if (~clear).any() else None,
        )
        ax.errorbar(
            values, pos + offset, xerr=np.nan_to_num(errors), fmt="none", ecolor="#333333", elinewidth=0.8, capsize=2
        )
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_yticks(pos, list(table["assumption"]))
    mode = sensitivity[(sensitivity["metric"] == metric) & (sensitivity["level"] == "mode")]["mean"]
    centre = f" (centre {short_number(float(mode.iloc[0]))})" if len(mode) else ""
    ax.set_xlabel(f"paired change in {metric}, {metric_info(metric).unit} (95% interval)")
    ax.set_title(f"{metric}{centre}: sensitivity to each assumption")
    ax.legend(loc="lower right")
    return ax


def tornado_figure(sensitivity: pd.DataFrame, metrics: Sequence[str]) -> Figure:
    """One tornado panel per metric."""
    n_assumptions = sensitivity["assumption"].nunique()
    with style():
        fig = Figure(figsize=(7.5 * len(metrics), 1.2 + 0.38 * n_assumptions), layout="constrained")
        axes = np.atleast_1d(fig.subplots(1, len(metrics))).ravel()
        for ax, metric in zip(axes, metrics, strict=True):
            plot_tornado(sensitivity, metric=metric, ax=ax)
    return fig
