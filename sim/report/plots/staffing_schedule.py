"""The staffing schedule figure: agents on duty and WeCom accounts per day over the calendar, requests behind them.

Drawn from ``staffing_schedule.csv`` (:mod:`sim.plan.staffing_schedule`): one panel per strategy, the agents on duty
each day (a campaign's extra agents included) and the accounts with room as steps on the left axis, the day's add
requests (mean over replications of the verification run) as a grey line on a second axis, and a red mark on the
agents' step on each day the verified schedule misses the targets. Returns the Figure; never saves.
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


def schedule_figure(schedule: pd.DataFrame, lang: str = "en") -> Figure:
    """One panel per strategy: agents and accounts per day (left axis), requests per day (right axis)."""
    require_columns(schedule, COLUMNS, "staffing schedule")
    strategies = strategies_in(schedule)
    with style(lang) as lang:
        fig = Figure(figsize=(11, 1.2 + PANEL_HEIGHT_INCHES * len(strategies)), layout="constrained")
        axes = fig.subplots(len(strategies), 1, sharex=True, squeeze=False)[:, 0]
        for ax, strategy in zip(axes, strategies, strict=True):
            days = schedule[schedule["strategy"] == strategy]
            when = pd.to_datetime(days["date"])
            right = ax.twinx()
            right.plot(when, days["requests"], color="0.6", linewidth=0.9, label=t("fig.schedule_requests", lang))
            right.set_ylabel(t("fig.schedule_requests", lang))
            right.set_ylim(bottom=0.0)
            ax.step(when, days["agents"], where="post", color="C0", label=t("fig.schedule_agents", lang))
            ax.step(when, days["accounts"], where="post", color="C1", label=t("fig.schedule_accounts", lang))
            missed = ~days["meets_targets"].astype(bool) & (days["requests"] > 0)
            if missed.any():
                ax.plot(when[missed], days["agents"][missed], "x", color="C3", label=t("fig.schedule_missed", lang))
            ax.set_zorder(right.get_zorder() + 1)  # the steps over the requests
            ax.patch.set_visible(False)
            ax.set_ylim(0.0, 1.15 * float(max(days["agents"].max(), days["accounts"].max())))
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
