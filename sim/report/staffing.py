"""The staffing report section (``staffing.md``), in English or Chinese, from the staffing planner's two tables.

``staffing.csv``, ``staffing_peak.csv``, ``staffing_calendar.csv``, the schedule's summary
(``staffing_schedule_summary.csv``, :func:`schedule_markdown`) and the shifts (``staffing_shifts.csv``,
:func:`shifts_markdown`) come from :mod:`sim.plan.staffing`; every word
comes from :mod:`sim.report.labels` (keys ``staffing.*``).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim.report.i18n import money, number, pct, t


def _bound(mean: float, low: float, high: float, fmt: object) -> str:
    f = fmt if callable(fmt) else str
    return f"{f(mean)} [{f(low)}, {f(high)}]"


def _row(cells: Sequence[object]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    return [_row(header), _row(["---"] * len(header)), *(_row(r) for r in rows)]


def calendar_lines(calendar: pd.DataFrame, lang: str) -> list[str]:
    """Per strategy, over the campaign days: agents on duty, the busiest day, the worst day's losses and delay (means
    over replications), the days whose upper bounds meet the targets, and the most accounts a day needs."""
    header = [
        t(f"staffing.col.{c}", lang)
        for c in (
            "strategy",
            "campaign_days",
            "agents_on_duty",
            "busiest_day",
            "worst_loss",
            "worst_delay",
            "days_met",
            "accounts_needed_max",
        )
    ]
    rows = []
    for strategy, days in calendar.groupby("strategy", sort=False):
        busiest = days.loc[days["requests"].idxmax()]
        campaigns = ", ".join(c for c in pd.unique(days["campaign"]) if c) or "—"
        lo, hi = int(days["agents_on_duty"].min()), int(days["agents_on_duty"].max())
        rows.append(
            [
                strategy,
                f"{days['date'].iloc[0]} – {days['date'].iloc[-1]} ({campaigns})",
                str(lo) if lo == hi else f"{lo}–{hi}",
                f"{busiest['date']}: {number(busiest['requests'], lang)}",
                pct(float(days["loss_share"].max()), lang),
                f"{number(float(days['mean_delay_hours'].max()), lang)} h",
                f"{int(days['meets_targets'].sum())} / {len(days)}",
                int(days["accounts_needed"].max()),
            ]
        )
    title = f"### {t('staffing.calendar_title', lang)}"
    return [title, "", t("staffing.calendar_intro", lang), "", *_table(header, rows)]


def staffing_markdown(
    table: pd.DataFrame,
    peaks: pd.DataFrame,
    calendar: pd.DataFrame,
    max_loss_share: float,
    max_mean_delay_hours: float,
    notes: Sequence[str],
    lang: str = "en",
) -> str:
    """The section: the targets, the plan chosen per strategy, the peak days, what was not reachable, the method."""
    hours = lambda v: f"{number(v, lang)} h"  # noqa: E731
    share = lambda v: pct(v, lang)  # noqa: E731
    lines = [
        f"## {t('staffing.title', lang)}",
        "",
        t("staffing.targets", lang, loss=pct(max_loss_share, lang), delay=f"{max_mean_delay_hours:g}"),
        "",
    ]
    chosen = table[table["chosen"].astype(bool)]
    header = [
        t(f"staffing.col.{c}", lang)
        for c in (
            "strategy",
            "hours",
            "agents",
            "accounts",
            "loss",
            "delay",
            "agent_cost",
            "accounts_opened",
            "account_cost",
            "cost",
        )
    ]
    rows = [
        [
            r.strategy,
            f"{r.work_start_hour:g}-{r.work_end_hour:g}",
            int(r.agents),
            int(r.accounts),
            _bound(r.loss_share, r.loss_share_ci_low, r.loss_share_ci_high, share),
            _bound(r.mean_delay_hours, r.mean_delay_hours_ci_low, r.mean_delay_hours_ci_high, hours),
            money(r.agent_cost_cny, lang),
            number(r.accounts_opened, lang),
            money(r.account_cost_cny, lang),
            money(r.cost_cny, lang),
        ]
        for r in chosen.itertuples(index=False)
    ]
    lines += [*_table(header, rows), "", t("staffing.cost_note", lang)] if rows else [t("staffing.none", lang)]
    missing = [s for s in pd.unique(table["strategy"]) if s not in set(chosen["strategy"])]
    if missing and rows:
        lines += ["", t("staffing.missing", lang, strategies=", ".join(map(str, missing)))]
    if notes:
        lines += ["", *(f"- {n}" for n in notes)]
    if not peaks.empty:
        lines += ["", f"### {t('staffing.peak_title', lang)}", "", t("staffing.peak_intro", lang), ""]
        header = [
            t(f"staffing.col.{c}", lang)
            for c in ("strategy", "day", "date", "requests", "loss_at_chosen", "agents_needed", "accounts_needed")
        ]
        rows = [
            [
                r.strategy,
                r.day,
                r.date,
                number(r.requests, lang),
                share(r.loss_share_at_chosen),
                "" if pd.isna(r.agents_needed) else int(r.agents_needed),
                "" if pd.isna(r.accounts_needed) else int(r.accounts_needed),
            ]
            for r in peaks.itertuples(index=False)
        ]
        lines += _table(header, rows)
    if not calendar.empty:
        lines += ["", *calendar_lines(calendar, lang)]
    lines += ["", t("staffing.method", lang), ""]
    return "\n".join(lines)


def schedule_markdown(summary: pd.DataFrame, lang: str = "en", days: pd.DataFrame | None = None) -> str:
    """The schedule's subsection (empty without one): per strategy, the verified year's losses and delay, the days
    meeting the targets, agent-days, accounts used, and the schedule's cost against the year plan's; with shifts
    (several in ``days``, ``staffing_schedule.csv``), the schedule shift by shift (:func:`schedule_shift_lines`)."""
    if summary.empty:
        return ""
    hours = lambda v: f"{number(v, lang)} h"  # noqa: E731
    header = [
        t(f"staffing.col.{c}", lang)
        for c in (
            "strategy",
            "hours",
            "loss_upper",
            "delay_upper",
            "year_met",
            "days_met",
            "agent_days",
            "accounts_used",
            "cost",
            "year_plan_cost",
        )
    ]
    rows = [
        [
            r.strategy,
            r.shift,
            f"{pct(r.loss_share, lang)} (≤ {pct(r.loss_share_ci_high, lang)})",
            f"{hours(r.mean_delay_hours)} (≤ {hours(r.mean_delay_hours_ci_high)})",
            t("staffing.yes" if r.meets_targets else "staffing.no", lang),
            f"{r.days_meeting_targets} / {r.days_with_requests}",
            number(r.agent_days, lang)
            if isinstance(r.agent_days, float)
            else r.agent_days,  # with shifts: hours-weighted
            number(r.accounts_used, lang),
            money(r.cost_cny, lang),
            money(r.year_plan_cost_cny, lang),
        ]
        for r in summary.itertuples(index=False)
    ]
    lines = ["", f"### {t('staffing.schedule_title', lang)}", "", t("staffing.schedule_intro", lang), ""]
    by_shift = schedule_shift_lines(days, lang) if days is not None else []
    return "\n".join([*lines, *_table(header, rows), *by_shift, ""])


def schedule_shift_lines(days: pd.DataFrame, lang: str) -> list[str]:
    """With shifts (empty otherwise): per strategy and shift, the fewest and most agents a day, the days with its
    requests that meet the targets, its worst day's upper bound of losses and delay, and its cost (a day's new
    accounts on its first shift)."""
    if days.empty or days.groupby("strategy")["shift"].nunique().max() < 2:
        return []
    hours = lambda v: f"{number(v, lang)} h"  # noqa: E731
    header = [
        t(f"staffing.col.{c}", lang)
        for c in ("strategy", "shift", "agents_range", "days_met", "worst_loss_upper", "worst_delay_upper", "cost")
    ]
    rows = []
    for (strategy, shift), g in days.groupby(["strategy", "shift"], sort=False):
        asked = g["requests"] > 0
        rows.append(
            [
                strategy,
                shift,
                f"{int(g['agents'].min())}–{int(g['agents'].max())}",
                f"{int((asked & g['meets_targets'].astype(bool)).sum())} / {int(asked.sum())}",
                pct(g["loss_share_ci_high"].max(), lang),
                hours(g["mean_delay_hours_ci_high"].max()),
                money(g["cost_cny"].sum(), lang),
            ]
        )
    return ["", t("staffing.schedule_shifts_intro", lang), "", *_table(header, rows)]


def shifts_markdown(by_shift: pd.DataFrame, lang: str = "en") -> str:
    """The shifts' subsection (empty without shifts): per strategy and shift of the chosen plan, its hours, agents,
    the requests it serves first, and their losses and mean greeting delay (mean and 95% interval)."""
    rows = by_shift[by_shift["chosen"].astype(bool)] if not by_shift.empty else by_shift
    if rows.empty:
        return ""
    hours = lambda v: f"{number(v, lang)} h"  # noqa: E731
    share = lambda v: pct(v, lang)  # noqa: E731
    header = [
        t(f"staffing.col.{c}", lang)
        for c in ("strategy", "shift", "hours", "agents", "shift_requests", "loss", "delay")
    ]
    cells = [
        [
            r.strategy,
            r.shift,
            f"{r.start_hour:g}-{r.end_hour:g}",
            int(r.agents),
            number(r.requests, lang),
            _bound(r.loss_share, r.loss_share_ci_low, r.loss_share_ci_high, share),
            _bound(r.mean_delay_hours, r.mean_delay_hours_ci_low, r.mean_delay_hours_ci_high, hours),
        ]
        for r in rows.itertuples(index=False)
    ]
    lines = ["", f"### {t('staffing.shifts_title', lang)}", "", t("staffing.shifts_intro", lang), ""]
    return "\n".join([*lines, *_table(header, cells), ""])
