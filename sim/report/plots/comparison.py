"""The comparison figure: headline metrics per strategy with 95% intervals, and paired differences."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.config import CONTROL
from sim.report.i18n import metric_name, t, unit_name
from sim.report.plots.base import OKABE_ITO, pick_best, require_columns, set_takeaway, strategy_colours, style
from sim.run.metrics import METRICS

HEADLINE_METRICS: tuple[str, ...] = ("cac", "ltv_12m", "ltv_to_cac", "monthly_churn")


def plot_metric_intervals(summary: pd.DataFrame, metric: str, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """One metric's mean and 95% interval per strategy (bars with error bars)."""
    require_columns(summary, ["strategy", "metric", "mean", "ci_low", "ci_high"], "summary")
    rows = summary[summary["metric"] == metric].reset_index(drop=True)
    if rows.empty:
        raise ValueError(f"summary has no rows for metric {metric!r}")
    with style(lang) as lang:
        ax = ax or plt.gca()
        y = np.arange(len(rows))[::-1]
        mean = rows["mean"].to_numpy(dtype=float)
        err = np.vstack([mean - rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float) - mean])
        colours = list(strategy_colours(rows["strategy"].astype(str).tolist()).values())
        ax.barh(y, np.nan_to_num(mean), color=colours, alpha=0.35)
        ax.errorbar(mean, y, xerr=np.nan_to_num(err), fmt="o", color="black", capsize=4)
        ax.set_yticks(y, rows["strategy"].astype(str).tolist())
        ax.set_xlabel(
            t("fig.metric_axis", lang, metric=metric_name(metric, lang), unit=unit_name(METRICS[metric].unit, lang))
        )
        ax.grid(axis="y", visible=False)
        set_takeaway(ax, metric_name(metric, lang))
    return ax


def plot_paired_differences(
    differences: pd.DataFrame, summary: pd.DataFrame, *, ax: Axes | None = None, lang: str = "en"
) -> Axes:
    """Forest plot: each strategy's paired difference from the baseline, in % of the baseline's mean."""
    require_columns(differences, ["strategy", "baseline", "metric", "mean_diff", "ci_low", "ci_high"], "differences")
    require_columns(summary, ["strategy", "metric", "mean"], "summary")
    with style(lang) as lang:
        ax = ax or plt.gca()
        base_mean = summary.set_index(["strategy", "metric"])["mean"]
        metrics = [m for m in HEADLINE_METRICS if m in set(differences["metric"])]
        names = [*pd.unique(summary["strategy"].astype(str))]
        colour_of = strategy_colours(names)
        labels, mids, lows, highs, colours = [], [], [], [], []
        for strategy, grp in differences.groupby("strategy", sort=False):
            g = grp.set_index("metric")
            for metric in metrics:
                baseline = str(g.loc[metric, "baseline"])
                ref = abs(float(base_mean.get((baseline, metric), np.nan)))
                scale = 100.0 / ref if ref > 0 else np.nan
                versus = t("fig.versus", lang, strategy=strategy, baseline=baseline)
                labels.append(f"{metric_name(metric, lang)}\n{versus}")
                mids.append(g.loc[metric, "mean_diff"] * scale)
                lows.append(g.loc[metric, "ci_low"] * scale)
                highs.append(g.loc[metric, "ci_high"] * scale)
                colours.append(colour_of.get(str(strategy), OKABE_ITO[0]))
        y = np.arange(len(labels))[::-1]
        mid = np.array(mids, dtype=float)
        err = np.nan_to_num(np.vstack([mid - np.array(lows, dtype=float), np.array(highs, dtype=float) - mid]))
        for i, colour in enumerate(colours):
            ax.errorbar(mid[i], y[i], xerr=err[:, i : i + 1], fmt="o", color=colour, capsize=4)
        ax.axvline(0.0, color="grey", linewidth=1, linestyle="--")
        ax.set_yticks(y, labels)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(t("fig.diff_axis", lang))
        set_takeaway(ax, t("fig.diff_title", lang))
    return ax


def headline(summary: pd.DataFrame, baseline: str, lang: str = "en") -> str:
    """The takeaway, e.g. 'cash: LTV:CAC 1.60 vs 1.00 for coupon'."""
    ratio = summary[summary["metric"] == "ltv_to_cac"].set_index("strategy")["mean"].astype(float)
    best, other = pick_best({str(s): float(v) for s, v in ratio.items()}, baseline)
    if best is None:
        return t("take.ltv_to_cac_missing", lang)
    if other is None:
        return t("take.ltv_to_cac_one", lang, best=best, a=f"{ratio[best]:.2f}")
    a, b = distinct_pair(float(ratio[best]), float(ratio[other]), lang)
    return t("take.ltv_to_cac", lang, best=best, a=a, b=b, other=other)


def distinct_pair(a: float, b: float, lang: str = "en") -> tuple[str, str]:
    """Two ratios with 2 decimals, or 3 significant digits when 2 decimals would show them equal."""
    if not math.isfinite(b):
        return f"{a:.2f}", t("report.missing", lang)
    x, y = f"{a:.2f}", f"{b:.2f}"
    return (x, y) if x != y else (f"{a:.3g}", f"{b:.3g}")


def comparison_figure(summary: pd.DataFrame, differences: pd.DataFrame, baseline: str, lang: str = "en") -> Figure:
    """Headline metrics with intervals and, when there is more than one strategy, the forest plot.

    The control arm's rows, if ``summary`` has them, are left out: it acquires nobody.
    """
    summary = summary[summary["strategy"] != CONTROL]
    with style(lang) as lang:
        paired = not differences.empty
        fig = Figure(figsize=(13, 7.5) if paired else (9, 7.5), layout="constrained")
        grid = fig.add_gridspec(2, 3 if paired else 2)
        for i, metric in enumerate(HEADLINE_METRICS):
            plot_metric_intervals(summary, metric, ax=fig.add_subplot(grid[i // 2, i % 2]), lang=lang)
        if paired:
            plot_paired_differences(differences, summary, ax=fig.add_subplot(grid[:, 2]), lang=lang)
        fig.suptitle(headline(summary, baseline, lang), fontsize=14, fontweight="bold")
    return fig
