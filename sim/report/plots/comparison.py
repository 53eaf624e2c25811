"""The comparison figure: headline metrics per strategy with 95% intervals, and paired differences.

Its title is the run's verdict on incremental net profit (:mod:`sim.report.headline`): a winner only
when the paired interval excludes zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from sim.config import CONTROL
from sim.report.headline import headline_title
from sim.report.i18n import metric_name, t, unit_name
from sim.report.plots.base import require_columns, set_takeaway, strategy_colours, style, wrap
from sim.run.metrics import as_in, definition, metric_key, window_months

HEADLINE_METRICS: tuple[str, ...] = ("incremental_net_profit_12m", "incremental_ltv_to_cac", "cac", "monthly_churn")
REFERENCE_LINES: dict[str, float] = {
    "incremental_net_profit_12m": 0.0,
    "incremental_ltv_to_cac": 1.0,
    "ltv_to_cac": 1.0,
}


def plot_metric_intervals(summary: pd.DataFrame, metric: str, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """One metric's mean and 95% interval per strategy (bars with error bars)."""
    require_columns(summary, ["strategy", "metric", "mean", "ci_low", "ci_high"], "summary")
    rows = summary[summary["metric"] == metric].reset_index(drop=True)
    if rows.empty:
        raise ValueError(f"summary has no rows for metric {metric!r}")
    with style(lang) as lang:
        name = metric_name(metric, lang, window_months(summary["metric"]))
        ax = ax or plt.gca()
        y = np.arange(len(rows))[::-1]
        mean = rows["mean"].to_numpy(dtype=float)
        err = np.vstack([mean - rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float) - mean])
        colours = list(strategy_colours(rows["strategy"].astype(str).tolist()).values())
        ax.barh(y, np.nan_to_num(mean), color=colours, alpha=0.35)
        ax.errorbar(mean, y, xerr=np.nan_to_num(err), fmt="o", color="black", capsize=4)
        ax.set_yticks(y, rows["strategy"].astype(str).tolist())
        reference = REFERENCE_LINES.get(metric_key(metric) or metric)
        if reference is not None:  # break-even: no profit, or LTV equal to CAC
            ax.axvline(reference, color="#D55E00", linewidth=1.2, linestyle="--")
        ax.set_xlabel(t("fig.metric_axis", lang, metric=name, unit=unit_name(definition(metric).unit, lang)))
        ax.grid(axis="y", visible=False)
        set_takeaway(ax, name)
    return ax


def plot_paired_differences(
    differences: pd.DataFrame,
    metric: str,
    *,
    ax: Axes | None = None,
    strategies: Sequence[str] | None = None,
    lang: str = "en",
) -> Axes:
    """Forest plot of one metric: each strategy's paired difference from the baseline with its 95% interval, in the
    metric's own unit; ``strategies`` (the experiment's order) sets the colours, as in the other panels."""
    require_columns(differences, ["strategy", "baseline", "metric", "mean_diff", "ci_low", "ci_high"], "differences")
    rows = differences[differences["metric"] == metric].reset_index(drop=True)
    with style(lang) as lang:
        ax = ax or plt.gca()
        names = rows["strategy"].astype(str).tolist()
        colour_of = strategy_colours(list(strategies) if strategies is not None else names)
        y = np.arange(len(rows))[::-1]
        mid = rows["mean_diff"].to_numpy(dtype=float)
        err = np.nan_to_num(
            np.vstack([mid - rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float) - mid])
        )
        for i, name in enumerate(names):
            ax.errorbar(mid[i], y[i], xerr=err[:, i : i + 1], fmt="o", color=colour_of[name], capsize=4)
        ax.axvline(0.0, color="grey", linewidth=1, linestyle="--")
        labels = [t("fig.versus", lang, strategy=s, baseline=b) for s, b in zip(names, rows["baseline"], strict=True)]
        ax.set_yticks(y, labels)
        ax.set_ylim(-0.8, max(len(rows) - 0.2, 0.8))
        ax.grid(axis="y", visible=False)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        if definition(metric).unit.startswith("share"):
            ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel(t("fig.diff_axis", lang, unit=unit_name(definition(metric).unit, lang)), fontsize=9)
    return ax


def distinct_pair(a: float, b: float, lang: str = "en") -> tuple[str, str]:
    """Two ratios with 2 decimals, or 3 significant digits when 2 decimals would show them equal."""
    if not math.isfinite(b):
        return f"{a:.2f}", t("report.missing", lang)
    x, y = f"{a:.2f}", f"{b:.2f}"
    return (x, y) if x != y else (f"{a:.3g}", f"{b:.3g}")


def comparison_figure(
    summary: pd.DataFrame,
    differences: pd.DataFrame,
    replications: pd.DataFrame,
    baseline: str,
    lang: str = "en",
    *,
    predictive: bool = False,
) -> Figure:
    """Headline metrics with intervals and, when there is more than one strategy, their paired differences; titled
    with the verdict on incremental net profit (``predictive``: decided by percentile intervals, with parameter
    uncertainty).

    The control arm's rows, if ``summary`` has them, are left out: it acquires nobody.
    """
    summary = summary[summary["strategy"] != CONTROL]
    names = [str(x) for x in pd.unique(summary["strategy"])]
    shown = [as_in(m, summary["metric"]) for m in HEADLINE_METRICS]  # named after the run's LTV window
    with style(lang) as lang:
        paired = not differences.empty
        fig = Figure(figsize=(14, 7.5) if paired else (9, 7.5), layout="constrained")
        grid = fig.add_gridspec(4, 3 if paired else 2)
        for i, metric in enumerate(shown):
            ax = fig.add_subplot(grid[2 * (i // 2) : 2 * (i // 2) + 2, i % 2])
            plot_metric_intervals(summary, metric, ax=ax, lang=lang)
        if paired:
            for i, metric in enumerate(shown):
                ax = fig.add_subplot(grid[i, 2])
                plot_paired_differences(differences, metric, ax=ax, strategies=names, lang=lang)
                set_takeaway(ax, metric_name(metric, lang, window_months(summary["metric"])))
        fig.suptitle(
            wrap(headline_title(replications, summary, lang, predictive=predictive), 110),
            fontsize=13,
            fontweight="bold",
        )
    return fig
