"""Figures for planning decks. Each ``plot_*`` draws on an Axes and returns it; nothing here saves or shows.

Colours are the Okabe-Ito palette, which stays distinguishable with colour-blindness.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.metrics import METRICS

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
HEADLINE_METRICS: tuple[str, ...] = ("cac", "ltv_12m", "ltv_to_cac", "monthly_churn")


def _require(df: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what} lacks columns {missing}")


def plot_metric_intervals(summary: pd.DataFrame, metric: str, *, ax: Axes | None = None) -> Axes:
    """One metric's mean and 95% interval per strategy (points with error bars)."""
    _require(summary, ["strategy", "metric", "mean", "ci_low", "ci_high"], "summary")
    rows = summary[summary["metric"] == metric].reset_index(drop=True)
    if rows.empty:
        raise ValueError(f"summary has no rows for metric {metric!r}")
    ax = ax or plt.gca()
    y = np.arange(len(rows))
    mean = rows["mean"].to_numpy(dtype=float)
    err = np.vstack([mean - rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float) - mean])
    colours = [OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(rows))]
    ax.barh(y, mean, color=colours, alpha=0.35)
    ax.errorbar(mean, y, xerr=np.nan_to_num(err), fmt="o", color="black", capsize=4)
    ax.set_yticks(y, rows["strategy"].tolist())
    ax.set_xlabel(f"{metric} ({METRICS[metric].unit})")
    ax.set_title(metric)
    return ax


def plot_paired_differences(differences: pd.DataFrame, summary: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Forest plot: each strategy's paired difference from the baseline, in % of the baseline's mean."""
    _require(differences, ["strategy", "baseline", "metric", "mean_diff", "ci_low", "ci_high"], "differences")
    ax = ax or plt.gca()
    base_mean = summary.set_index(["strategy", "metric"])["mean"]
    metrics = [m for m in HEADLINE_METRICS if m in set(differences["metric"])]
    labels, mids, lows, highs, colours = [], [], [], [], []
    for i, (strategy, grp) in enumerate(differences.groupby("strategy", sort=False)):
        g = grp.set_index("metric")
        for metric in metrics:
            ref = abs(float(base_mean.get((g.loc[metric, "baseline"], metric), np.nan)))
            scale = 100.0 / ref if ref > 0 else np.nan
            labels.append(f"{metric}\n{strategy} vs {g.loc[metric, 'baseline']}")
            mids.append(g.loc[metric, "mean_diff"] * scale)
            lows.append(g.loc[metric, "ci_low"] * scale)
            highs.append(g.loc[metric, "ci_high"] * scale)
            colours.append(OKABE_ITO[i % len(OKABE_ITO)])
    y = np.arange(len(labels))[::-1]
    mid = np.array(mids, dtype=float)
    err = np.nan_to_num(np.vstack([mid - np.array(lows, dtype=float), np.array(highs, dtype=float) - mid]))
    for i, colour in enumerate(colours):
        ax.errorbar(mid[i], y[i], xerr=err[:, i : i + 1], fmt="o", color=colour, capsize=4)
    ax.axvline(0.0, color="grey", linewidth=1, linestyle="--")
    ax.set_yticks(y, labels)
    ax.set_xlabel("paired difference, % of baseline (95% CI)")
    ax.set_title("Paired differences against the baseline")
    return ax


def headline(summary: pd.DataFrame, baseline: str) -> str:
    """The takeaway, e.g. 'cash: LTV:CAC 1.6 vs 1.0 for coupon'."""
    ratio = summary[summary["metric"] == "ltv_to_cac"].set_index("strategy")["mean"]
    if ratio.dropna().empty:
        return "LTV:CAC is missing for every strategy"
    best = str(ratio.idxmax())
    if best == baseline:
        others = ratio.drop(baseline)
        if others.empty:
            return f"{best}: LTV:CAC {ratio[best]:.2f}"
        runner = str(others.idxmax())
        return f"{best}: LTV:CAC {ratio[best]:.2f} vs {others[runner]:.2f} for {runner}"
    return f"{best}: LTV:CAC {ratio[best]:.2f} vs {ratio[baseline]:.2f} for {baseline}"


def comparison_figure(summary: pd.DataFrame, differences: pd.DataFrame, baseline: str) -> Figure:
    """Headline metrics with intervals and, when there is more than one strategy, the forest plot."""
    fig = plt.figure(figsize=(12, 7.5), layout="constrained")
    grid = fig.add_gridspec(2, 3)
    for i, metric in enumerate(HEADLINE_METRICS):
        plot_metric_intervals(summary, metric, ax=fig.add_subplot(grid[i // 2, i % 2]))
    if not differences.empty:
        plot_paired_differences(differences, summary, ax=fig.add_subplot(grid[:, 2]))
    fig.suptitle(headline(summary, baseline), fontsize=14, fontweight="bold")
    return fig
