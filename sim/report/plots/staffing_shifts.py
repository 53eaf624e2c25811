"""The shifts figure: the chosen plan's agents, losses and delay shift by shift, over the hours of the day.

Drawn from the chosen rows of ``staffing_shifts.csv`` (:mod:`sim.plan.staffing_shifts`): per strategy, a step line
of the agents on duty from 0 to 24 h (zero between shifts), and for each shift a segment over its hours at the share
of the requests it serves first that are lost, and one at their mean greeting delay, each with its 95% interval as a
band and the target a dashed line. Returns the Figure; never saves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from sim.report.i18n import t
from sim.report.plots.base import require_columns, set_takeaway, strategies_in, strategy_colours, style

COLUMNS = ["strategy", "shift", "start_hour", "end_hour", "agents", "chosen"]
HOURS_PER_DAY = 24.0


def plot_shift_agents(rows: pd.DataFrame, *, ax: Axes, lang: str = "en") -> Axes:
    """Agents on duty over the hours of the day, per strategy (the chosen plan's shifts; zero off shift)."""
    require_columns(rows, COLUMNS, "staffing_shifts")
    colours = strategy_colours(strategies_in(rows))
    for strategy in strategies_in(rows):
        shifts = rows[rows["strategy"] == strategy].sort_values("start_hour")
        edges = np.unique(np.concatenate([[0.0, HOURS_PER_DAY], shifts["start_hour"], shifts["end_hour"]]))
        on = np.zeros(edges.size)
        for r in shifts.itertuples(index=False):
            on[(edges >= r.start_hour) & (edges < r.end_hour)] = r.agents
        on[-1] = on[-2]  # the last step runs to the end of the day
        ax.step(edges, on, where="post", color=colours[strategy], label=strategy)
    for r in rows.drop_duplicates("shift").itertuples(index=False):  # at the first strategy's agents
        ax.annotate(
            str(r.shift),
            ((r.start_hour + r.end_hour) / 2, r.agents),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            fontsize=9,
        )
    ax.set_xlim(0.0, HOURS_PER_DAY)
    ax.set_ylim(0.0, 1.25 * max(float(rows["agents"].max()), 1.0) if len(rows) else 1.0)
    ax.set_xticks(np.arange(0, 25, 4))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(t("fig.shifts_hour", lang))
    ax.set_ylabel(t("fig.staffing_agents", lang))
    ax.legend(loc="best")
    return ax


def plot_shift_measure(rows: pd.DataFrame, column: str, target: float, *, ax: Axes, lang: str = "en") -> Axes:
    """One measure (``loss_share`` or ``mean_delay_hours``) per shift, over its hours, with its interval band and
    the target."""
    require_columns(rows, [*COLUMNS, column, f"{column}_ci_low", f"{column}_ci_high"], "staffing_shifts")
    colours = strategy_colours(strategies_in(rows))
    top = target
    for strategy in strategies_in(rows):
        for r in rows[rows["strategy"] == strategy].itertuples(index=False):
            span = [r.start_hour, r.end_hour]
            mean, low, high = (float(getattr(r, c)) for c in (column, f"{column}_ci_low", f"{column}_ci_high"))
            ax.plot(span, [mean, mean], color=colours[strategy], linewidth=2.2)
            if np.isfinite(low) and np.isfinite(high):
                ax.fill_between(span, max(low, 0.0), high, color=colours[strategy], alpha=0.2, linewidth=0)
            top = float(np.nanmax([top, mean, high]))
    ax.axhline(target, linestyle="--", color="black", linewidth=1.2, label=t("fig.staffing_target", lang))
    ax.set_xlim(0.0, HOURS_PER_DAY)
    ax.set_xticks(np.arange(0, 25, 4))
    ax.set_ylim(0.0, 1.15 * top)
    ax.set_xlabel(t("fig.shifts_hour", lang))
    ax.set_ylabel(t("fig.staffing_loss" if column == "loss_share" else "fig.staffing_delay", lang))
    if column == "loss_share":
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.legend(loc="best")
    return ax


def shifts_figure(table: pd.DataFrame, max_loss_share: float, max_mean_delay_hours: float, lang: str = "en") -> Figure:
    """Three panels (agents, losses, delay) over the hours of the day for the chosen plans; the first strategy's
    shifts in the title (empty panels, and a title saying so, when no plan was chosen)."""
    require_columns(table, COLUMNS, "staffing_shifts")
    rows = table[table["chosen"].astype(bool)]
    with style(lang) as lang:
        fig = Figure(figsize=(14, 4.6), layout="constrained")
        axes = fig.subplots(1, 3)
        if len(rows):
            plot_shift_agents(rows, ax=axes[0], lang=lang)
            plot_shift_measure(rows, "loss_share", max_loss_share, ax=axes[1], lang=lang)
            plot_shift_measure(rows, "mean_delay_hours", max_mean_delay_hours, ax=axes[2], lang=lang)
            first = rows[rows["strategy"] == rows["strategy"].iloc[0]]
            plan = ", ".join(f"{r.shift} {r.start_hour:g}-{r.end_hour:g}: {r.agents}" for r in first.itertuples())
            set_takeaway(axes[0], t("take.shifts", lang, strategy=first["strategy"].iloc[0], plan=plan))
        else:
            set_takeaway(axes[0], t("take.shifts_none", lang))
    return fig
