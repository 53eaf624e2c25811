"""Figures of a calibration. Each ``plot_*`` draws on an Axes and returns it; nothing here saves or shows."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

ACTUAL_COLOUR = "#000000"
# Okabe-Ito, as in sim.report.plots: one colour per model, the same in every figure
MODEL_COLOURS = {
    "bgnbd": "#E69F00",
    "pareto_nbd": "#009E73",
    "mbgnbd": "#CC79A7",
    "bgnbd_engine": "#0072B2",
}
MODEL_LABELS = {
    "bgnbd": "BG/NBD",
    "pareto_nbd": "Pareto/NBD",
    "mbgnbd": "MBG/NBD",
    "bgnbd_engine": "BG/NBD through the engine",
}
MARKERS = {"bgnbd": "s", "pareto_nbd": "^", "mbgnbd": "v", "bgnbd_engine": "D"}


def _models(table: pd.DataFrame, fixed: tuple[str, ...]) -> list[str]:
    return [c for c in table.columns if c not in fixed]


def plot_holdout(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Actual and each model's mean holdout repeat purchases by calibration repeat purchases (FHL 2005, Fig. 4)."""
    missing = [c for c in ("group", "customers", "actual") if c not in table.columns]
    if missing:
        raise ValueError(f"holdout table lacks columns {missing}")
    rows = table[table["group"] != "total"]
    if rows.empty:
        raise ValueError("holdout table has no frequency groups")
    ax = ax or plt.gca()
    pos = np.arange(len(rows))
    ax.plot(pos, rows["actual"], "o-", color=ACTUAL_COLOUR, label="actual", linewidth=2)
    for model in _models(table, ("group", "customers", "actual")):
        ax.plot(
            pos,
            rows[model],
            linestyle="--",
            marker=MARKERS.get(model, "s"),
            color=MODEL_COLOURS.get(model),
            label=MODEL_LABELS.get(model, model),
        )
    ax.set_xticks(pos, [f"{g}\n(n={n})" for g, n in zip(rows["group"], rows["customers"], strict=True)])
    ax.set_xlabel("repeat purchases in the calibration period")
    ax.set_ylabel("mean repeat purchases in the holdout period")
    ax.legend(frameon=False)
    return ax


def plot_tracking(weekly: pd.DataFrame, *, calibration_weeks: float | None = None, ax: Axes | None = None) -> Axes:
    """Cumulative repeat transactions by week, actual and each model's (FHL 2005, Fig. 2).

    ``weekly`` has a ``week`` column, an ``actual`` column and one column per model; a
    ``date`` column is ignored. ``calibration_weeks`` marks the end of the calibration period.
    """
    if "week" not in weekly.columns or "actual" not in weekly.columns or weekly.empty:
        raise ValueError("tracking table needs rows and the columns week and actual")
    ax = ax or plt.gca()
    ax.plot(weekly["week"], weekly["actual"], "-", color=ACTUAL_COLOUR, label="actual", linewidth=2)
    for model in _models(weekly, ("week", "date", "actual")):
        ax.plot(
            weekly["week"],
            weekly[model],
            "--",
            color=MODEL_COLOURS.get(model),
            label=MODEL_LABELS.get(model, model),
        )
    if calibration_weeks is not None:
        ax.axvline(calibration_weeks, color="#999999", linewidth=1, linestyle=":")
        ax.annotate(
            "end of calibration",
            (calibration_weeks, 0.02),
            xycoords=("data", "axes fraction"),
            rotation=90,
            ha="right",
            va="bottom",
            fontsize=8,
            color="#666666",
        )
    ax.set_ylabel("cumulative repeat transactions")
    ax.legend(frameon=False)
    return ax


def holdout_figure(table: pd.DataFrame, title: str) -> Figure:
    """One-panel figure of :func:`plot_holdout` with a title."""
    fig, ax = plt.subplots(figsize=(7.5, 4.5), layout="constrained")
    plot_holdout(table, ax=ax)
    ax.set_title(title)
    return fig


def tracking_figure(full: pd.DataFrame, holdout: pd.DataFrame, calibration_weeks: float, title: str) -> Figure:
    """Two panels: the whole period against each model's E[X(t)], and the holdout against the conditional forecasts."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12.0, 4.5), layout="constrained")
    plot_tracking(full, calibration_weeks=calibration_weeks, ax=left)
    left.set_xlabel("week since the first order")
    left.set_title("every customer's repeat purchases: E[X(t)] of each model")
    plot_tracking(holdout, ax=right)
    right.set_xlabel("week after the calibration period")
    right.set_title("holdout: forecast given each customer's history")
    fig.suptitle(title)
    return fig


FUNNEL_LABELS = {
    "adds_card": "adds by card (at the card's signing)",
    "adds_sms": "adds by SMS",
    "first_orders": "first private orders",
    "deletions": "members' deletions",
}


def plot_funnel_tracking(tracking: pd.DataFrame, metric: str, *, ax: Axes | None = None) -> Axes:
    """Cumulative events of one funnel part in the holdout, actual against the fits' forecast, by day."""
    rows = tracking[tracking["metric"] == metric]
    if rows.empty:
        raise ValueError(f"tracking has no rows of {metric}")
    ax = ax or plt.gca()
    ax.plot(rows["day"], rows["actual"], "-", color=ACTUAL_COLOUR, linewidth=2, label="actual")
    ax.plot(rows["day"], rows["forecast"], "--", color=MODEL_COLOURS["bgnbd_engine"], label="forecast")
    ax.set_title(FUNNEL_LABELS.get(metric, metric), fontsize=10)
    ax.set_xlabel("day of the holdout")
    ax.set_ylabel("cumulative")
    ax.legend(frameon=False)
    return ax


def funnel_tracking_figure(tracking: pd.DataFrame, title: str) -> Figure:
    """One panel per funnel part of :func:`plot_funnel_tracking`, with a title."""
    metrics = list(dict.fromkeys(tracking["metric"]))
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.0 * len(metrics), 3.8), layout="constrained", squeeze=False)
    for metric, ax in zip(metrics, axes[0], strict=True):
        plot_funnel_tracking(tracking, metric, ax=ax)
    fig.suptitle(title)
    return fig
