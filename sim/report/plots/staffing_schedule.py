"""The staffing schedule figure: agents on duty and WeCom accounts per day over the calendar, requests behind them.

Drawn from ``staffing_schedule.csv`` (:mod:`sim.plan.staffing_schedule`): one panel per strategy, the agents on duty
each day (a campaign's extra agents included; with shifts, one step per shift) and the accounts with room as steps on
the left axis, the day's add requests (mean over replications of the verification run, summed over shifts) as a grey
line on a second axis, and a red mark on the agents' step on each day (shift) the verified schedule misses the
targets. Returns the Figure; never saves.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.report.i18n import t
from sim.report.plots.base import require_columns, strategies_in, style

COLUMNS = ["strategy", "date", "agents", "accounts", "requests", "meets_targets"]
PANEL_HEIGHT_INCHES = 2.6
SHIFT_COLOURS = ("C0", "C2", "C4", "C5", "C6", "C8", "C9")  # agents per shift: not the accounts' C1, the misses' C3


def schedule_figure(schedule: pd.DataFrame, lang: str = "en") -> Figure:
    """One panel per strategy: agents and accounts per day (left axis), requests per day (right axis)."""
    require_columns(schedule, COLUMNS, "staffing schedule")
    strategies = strategies_in(schedule)
    with style(lang) as lang:
        fig = Figure(figsize=(11, 1.2 + PANEL_HEIGHT_INCHES * len(strategies)), layout="constrained")
        axes = fig.subplots(len(strategies), 1, sharex=True, squeeze=False)[:, 0]
        for ax, strategy in zip(axes, strategies, strict=True):
            slots = schedule[schedule["strategy"] == strategy]
            days = slots.groupby("date", sort=False).agg(requests=("requests", "sum"), accounts=("accounts", "first"))
            when = pd.to_datetime(days.index.to_series())
            right = ax.twinx()
            right.plot(when, days["requests"], color="0.6", linewidth=0.9, label=t("fig.schedule_requests", lang))
            right.set_ylabel(t("fig.schedule_requests", lang))
            right.set_ylim(bottom=0.0)
            shifts = slots["shift"].unique()
            by_shift = [(shift, slots[slots["shift"] == shift]) for shift in shifts]
            for k, (shift, one) in enumerate(by_shift):
                label = (
                    t("fig.schedule_agents", lang)
                    if len(shifts) == 1
                    else t("fig.schedule_shift_agents", lang, shift=shift)
                )
                colour = SHIFT_COLOURS[k % len(SHIFT_COLOURS)]
                ax.step(pd.to_datetime(one["date"]), one["agents"], where="post", color=colour, label=label)
            ax.step(when, days["accounts"], where="post", color="C1", label=t("fig.schedule_accounts", lang))
            missed_label: str | None = t(
                "fig.schedule_missed" if len(shifts) == 1 else "fig.schedule_shift_missed", lang
            )
            for _, one in by_shift:
                missed = ~one["meets_targets"].astype(bool) & (one["requests"] > 0)
                if missed.any():
                    at = pd.to_datetime(one["date"][missed])
                    ax.plot(at, one["agents"][missed], "x", color="C3", label=missed_label)
                    missed_label = None  # one legend entry for every shift's marks
            ax.set_zorder(right.get_zorder() + 1)  # the steps over the requests
            ax.patch.set_visible(False)
            ax.set_ylim(0.0, 1.15 * float(max(slots["agents"].max(), days["accounts"].max())))
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylabel(t("fig.schedule_count", lang))
            ax.set_title(strategy, loc="left")
            if ax is axes[0]:  # one legend for every panel
                handles, labels = ax.get_legend_handles_labels()
                more, more_labels = right.get_legend_handles_labels()
                ax.legend(handles + more, labels + more_labels, loc="upper left")
        locator = AutoDateLocator()
        axes[-1].xaxis.set_major_locator(locator)
        axes[-1].xaxis.set_major_formatter(ConciseDateFormatter(locator))
        fig.suptitle(t("take.schedule", lang))
    return fig
