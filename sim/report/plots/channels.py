"""The touch channels figure: LTV, churn and profit by strategy, the orders each channel added, and the groups'
active share over time.

Drawn when the strategies differ in a channel lever (:func:`varies_channels`): 1:1 chat, moments, groups, live
streams or the touch team's hours. The first row has LTV, monthly churn and incremental net profit (over the LTV
window) with 95% intervals; the second the added orders credited to each channel (means over replications), and,
when some strategy runs groups (社群), their mean active share by day, which decays unless live streams feed it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.config import CONTROL
from sim.report.i18n import metric_name, t
from sim.report.plots.base import mean_curve, require_columns, set_takeaway, strategies_in, strategy_colours, style
from sim.report.plots.comparison import plot_metric_intervals
from sim.run.metrics import as_in

CHANNEL_METRICS: tuple[str, ...] = ("ltv_12m", "monthly_churn", "incremental_net_profit_12m")
CHANNEL_ORDERS: tuple[str, ...] = ("orders_from_chat", "orders_from_moments", "orders_from_groups", "orders_from_live")
CHANNEL_LEVERS: tuple[str, ...] = ("touch.chat.", "touch.moments.", "touch.groups.", "touch.live.", "touch.staff_hours")


def varies_channels(levers: dict[str, dict[str, str]]) -> bool:
    """Whether an experiment's strategies differ in a touch channel lever (``touch.*`` key -> value by strategy)."""
    return any(key.startswith(CHANNEL_LEVERS) and len(set(values.values())) > 1 for key, values in levers.items())


def plot_channel_orders(summary: pd.DataFrame, *, ax: Axes, lang: str = "en") -> Axes:
    """Added orders credited to each channel, stacked per strategy (means over replications)."""
    rows = summary[summary["metric"].isin(CHANNEL_ORDERS)]
    table = rows.pivot_table(index="strategy", columns="metric", values="mean", sort=False).reindex(
        columns=list(CHANNEL_ORDERS)
    )
    table = table.reindex(strategies_in(rows))
    with style(lang) as lang:
        y = np.arange(len(table))[::-1]
        left = np.zeros(len(table))
        for metric in CHANNEL_ORDERS:
            values = np.nan_to_num(table[metric].to_numpy(dtype=float))
            ax.barh(y, values, left=left, label=metric_name(metric, lang))
            left += values
        ax.set_yticks(y, table.index.astype(str).tolist())
        ax.set_xlabel(t("fig.channel_orders_axis", lang))
        ax.legend(loc="upper right", fontsize="small")
        ax.grid(axis="y", visible=False)
        best = str(table.index[int(np.argmax(left))]) if left.size else ""
        set_takeaway(ax, t("take.channel_orders", lang, strategy=best))
    return ax


def plot_group_activity(curves: pd.DataFrame, *, ax: Axes, lang: str = "en") -> Axes:
    """The groups' mean active share by day of the horizon, one line per strategy with groups."""
    data = mean_curve(curves, "group_active_share_daily").dropna(subset=["mean"])
    colours = strategy_colours(strategies_in(curves))
    with style(lang) as lang:
        for s in strategies_in(data):
            d = data[data["strategy"] == s]
            ax.plot(d["x"].to_numpy(dtype=float), d["mean"].to_numpy(dtype=float), color=colours[s], label=s)
        ax.set_ylim(0.0, 1.05)
        ax.set_xlabel(t("fig.days", lang))
        ax.set_ylabel(t("fig.group_active_share", lang))
        ax.legend(loc="lower left")
        set_takeaway(ax, t("take.group_activity", lang))
    return ax


def channels_figure(summary: pd.DataFrame, curves: pd.DataFrame | None, lang: str = "en") -> Figure:
    """LTV, churn and profit by strategy; the orders each channel added; the groups' active share over time."""
    require_columns(summary, ["strategy", "metric", "mean", "ci_low", "ci_high"], "summary")
    summary = summary[summary["strategy"] != CONTROL]
    has_groups = curves is not None and bool(
        np.isfinite(curves.loc[curves["curve"] == "group_active_share_daily", "value"].to_numpy(float)).any()
    )
    with style(lang) as lang:
        fig = Figure(figsize=(16.0, 9.0), layout="constrained")
        grid = fig.add_gridspec(2, 3)
        for i, metric in enumerate(CHANNEL_METRICS):
            named = as_in(metric, summary["metric"])  # named after the run's LTV window
            plot_metric_intervals(summary, named, ax=fig.add_subplot(grid[0, i]), lang=lang)
        plot_channel_orders(summary, ax=fig.add_subplot(grid[1, :2] if has_groups else grid[1, :]), lang=lang)
        if has_groups and curves is not None:
            plot_group_activity(curves[curves["strategy"] != CONTROL], ax=fig.add_subplot(grid[1, 2]), lang=lang)
        fig.suptitle(t("fig.channels_title", lang))
    return fig
