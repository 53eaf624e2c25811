"""The staffing figure: share of add requests lost and mean greeting delay against agents on duty.

Drawn from ``staffing.csv`` (:mod:`sim.plan.staffing`): the desks tried with the daily add limit lifted (``accounts``
empty), at the hours of each strategy's chosen plan; each point the mean over replications with its 95% interval,
the target a dashed line, the chosen agents a ringed point with a dotted bar up to the target (its headroom). Each
panel's axis runs from zero to above both the target and the highest interval, so the target is a line inside the
panel and the reader sees how far under it the plan is. Returns the Figure; never saves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from sim.report.i18n import pct, t
from sim.report.plots.base import require_columns, set_takeaway, strategies_in, strategy_colours, style

COLUMNS = ["strategy", "work_start_hour", "work_end_hour", "agents", "accounts", "chosen"]
TOP_MARGIN = 1.15  # the axis ends this far above the target or the highest interval, whichever is higher
PANELS: tuple[tuple[str, str], ...] = (("loss_share", "fig.staffing_loss"), ("mean_delay_hours", "fig.staffing_delay"))


def agent_curve(table: pd.DataFrame, strategy: str) -> tuple[pd.DataFrame, pd.Series | None]:
    """The strategy's desks with no add limit at its chosen hours (the last hours tried if none is chosen), by
    agents, and its chosen row (None if none)."""
    rows = table[table["strategy"] == strategy]
    chosen = rows[rows["chosen"].astype(bool)]
    pick = chosen.iloc[0] if len(chosen) else None
    ref = pick if pick is not None else rows.iloc[-1]
    same_hours = (rows["work_start_hour"] == ref["work_start_hour"]) & (rows["work_end_hour"] == ref["work_end_hour"])
    return rows[same_hours & rows["accounts"].isna()].sort_values("agents"), pick


def plot_staffing_panel(
    table: pd.DataFrame, column: str, target: float, *, ax: Axes, lang: str = "en", label: str = ""
) -> Axes:
    """One measure (``loss_share`` or ``mean_delay_hours``) against agents, per strategy, with the target."""
    require_columns(table, [*COLUMNS, column, f"{column}_ci_low", f"{column}_ci_high"], "staffing")
    colours = strategy_colours(strategies_in(table))
    top = target
    headroom = False
    for strategy in strategies_in(table):
        curve, pick = agent_curve(table, strategy)
        if curve.empty:
            continue
        x = curve["agents"].to_numpy(dtype=float)
        y = curve[column].to_numpy(dtype=float)
        low = np.maximum(curve[f"{column}_ci_low"].to_numpy(dtype=float), 0.0)  # neither measure is below zero
        high = curve[f"{column}_ci_high"].to_numpy(dtype=float)
        err = np.nan_to_num(np.vstack([y - low, high - y]))
        ax.errorbar(x, y, yerr=err, fmt="-o", capsize=3, color=colours[strategy], label=strategy)
        top = float(np.nanmax([top, *y, *high]))
        if pick is not None:
            ax.plot([pick["agents"]], [pick[column]], "o", ms=13, mfc="none", mec="black")
            if pick[column] < target:
                ax.vlines(pick["agents"], pick[column], target, colors="black", linestyles=":", linewidth=1.2)
                headroom = True
    ax.axhline(target, linestyle="--", color="black", linewidth=1.2, label=t("fig.staffing_target", lang))
    ax.plot([], [], "o", ms=11, mfc="none", mec="black", label=t("fig.staffing_chosen", lang))
    if headroom:
        ax.plot([], [], ":", color="black", linewidth=1.2, label=t("fig.staffing_headroom", lang))
    ax.set_ylim(0.0, min(TOP_MARGIN * top, 1.05) if column == "loss_share" else TOP_MARGIN * top)
    ax.set_xlabel(t("fig.staffing_agents", lang))
    ax.set_ylabel(label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if column == "loss_share":
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.legend(loc="best")
    return ax


def staffing_figure(
    table: pd.DataFrame, max_loss_share: float, max_mean_delay_hours: float, lang: str = "en"
) -> Figure:
    """Two panels (losses, delay) against agents, titled with the plan chosen for the first strategy."""
    require_columns(table, COLUMNS, "staffing")
    with style(lang) as lang:
        fig = Figure(figsize=(11, 4.6), layout="constrained")
        axes = fig.subplots(1, 2)
        for ax, (column, key), target in zip(axes, PANELS, (max_loss_share, max_mean_delay_hours), strict=True):
            plot_staffing_panel(table, column, target, ax=ax, lang=lang, label=t(key, lang))
        chosen = table[table["chosen"].astype(bool)]
        if len(chosen):
            row = chosen.iloc[0]
            title = t(
                "take.staffing",
                lang,
                strategy=row["strategy"],
                agents=int(row["agents"]),
                hours=f"{row['work_start_hour']:g}-{row['work_end_hour']:g}",
                accounts=int(row["accounts"]),
                loss=pct(max_loss_share, lang),
                delay=f"{max_mean_delay_hours:g}",
            )
        else:
            title = t("take.staffing_none", lang, loss=pct(max_loss_share, lang), delay=f"{max_mean_delay_hours:g}")
        set_takeaway(axes[0], title)
    return fig
