"""The staffing planner's tables: every desk tried, the plan chosen per strategy, and the peak days.

``staffing.csv`` has one row per strategy and desk tried (hours, agents, accounts; with shifts, the agents per shift
as ``3/5`` in ``shift_agents``, by start hour, and ``agents`` their sum), with the share of add requests lost and
the mean greeting delay (mean and 95% interval over replications), the desk's cost (agent-days and their cost, WeCom
accounts opened and the cost of every account used, the total; see :class:`~sim.plan.staffing_search.DeskCost`; the
account cost and total are empty where the add limit was lifted), whether it meets the targets and whether it is the
plan chosen: for each strategy, the cheapest desk meeting the targets over the hours tried, with the fewest
accounts. ``staffing_peak.csv`` has, per strategy, the busiest request days of the year (the request peak after each
seasonal order peak in ``population.peaks``, the busiest day if it is another one) and an ordinary day: the
requests, the chosen desk's losses and delay on that day, and the agents and accounts that day alone needs (with
shifts, the agents per shift too, and ``agents`` their sum). ``staffing_calendar.csv`` (only when a strategy has a
campaign calendar, e.g. 双11) has, per strategy, every day of every campaign window: the chosen desk's agents on duty
that day (the campaign's extra agents included), the requests, losses, delay and adds, whether that day alone meets
the targets, and the WeCom accounts whose daily add limit covers that day's adds at the same agents with the limit
lifted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.config import PeakConfig
from sim.model.calendar import day_plan
from sim.plan.desk_runs import ADDS, REQUESTS, desk_delay, desk_share, summary
from sim.plan.staffing_search import Desk, DeskEvaluator, Targets, accounts_for, meets_targets
from sim.plan.staffing_shifts import least_shift_agents

PEAK_LAG_DAYS = 10  # requests follow the order peak by delivery and scanning: look this many days after it
WARMUP_DAYS = 14  # the first days' requests ramp up from none (parcels in transit): not an ordinary day

STAFFING_COLUMNS = [
    "strategy",
    "work_start_hour",
    "work_end_hour",
    "agents",
    "accounts",
    "daily_add_quota",
    "loss_share",
    "loss_share_ci_low",
    "loss_share_ci_high",
    "mean_delay_hours",
    "mean_delay_hours_ci_low",
    "mean_delay_hours_ci_high",
    "agent_days",
    "agent_cost_cny",
    "accounts_opened",
    "account_cost_cny",
    "cost_cny",
    "meets_targets",
    "chosen",
    "n_replications",
    "shift_agents",
]


def staffing_table(
    evaluator: DeskEvaluator, targets: Targets, chosen: dict[str, Desk | None], daily_add_limit: int
) -> pd.DataFrame:
    """One row per strategy and desk tried, sorted by strategy, hours, accounts (no limit first) and agents."""
    rows = []
    for desk, result in evaluator.results.items():
        for strategy, days in result.items():
            loss, delay = desk_share(days), desk_delay(days)
            cost = evaluator.cost(strategy, desk)
            rows.append(
                {
                    "strategy": strategy,
                    "work_start_hour": desk.work_start_hour,
                    "work_end_hour": desk.work_end_hour,
                    "agents": desk.agents,
                    "accounts": desk.accounts,
                    "daily_add_quota": None if desk.accounts is None else desk.accounts * daily_add_limit,
                    **dict(zip(STAFFING_COLUMNS[6:9], summary(loss), strict=True)),
                    **dict(zip(STAFFING_COLUMNS[9:12], summary(delay), strict=True)),
                    "agent_days": cost.agent_days,
                    "agent_cost_cny": cost.agent_cny,
                    "accounts_opened": cost.accounts_opened,
                    "account_cost_cny": cost.account_cny,
                    "cost_cny": cost.total_cny,
                    "meets_targets": meets_targets(loss, delay, targets),
                    "chosen": chosen.get(strategy) == desk,
                    "n_replications": days.shape[0],
                    "shift_agents": "/".join(map(str, desk.shift_agents)),
                }
            )
    table = pd.DataFrame(rows, columns=STAFFING_COLUMNS).astype({"accounts": "Int64", "daily_add_quota": "Int64"})
    order = {s: i for i, s in enumerate(evaluator.strategies)}
    table["_s"] = table["strategy"].map(order)
    table["_unlimited"] = table["accounts"].isna()
    table = table.sort_values(["_s", "work_start_hour", "work_end_hour", "_unlimited", "accounts", "agents"])
    return table.drop(columns=["_s", "_unlimited"]).reset_index(drop=True)


def choose(plans: Sequence[tuple[Desk, float]]) -> Desk | None:
    """The cheapest plan, then the one with fewer accounts, then the first listed; None if there is none."""
    if not plans:
        return None
    return min(enumerate(plans), key=lambda p: (p[1][1], p[1][0].accounts or 0, p[0]))[1][0]


def peak_days(mean_requests: np.ndarray, peaks: Sequence[PeakConfig], start_date: str) -> list[tuple[str, int]]:
    """(kind, day) of the request peak after each seasonal order peak in the horizon, the busiest day if another,
    and an ordinary day (the day after the warm-up whose requests are nearest the median)."""
    days = mean_requests.size
    start = dt.date.fromisoformat(start_date)
    found: list[tuple[str, int]] = []
    for peak in peaks:
        month, day = (int(x) for x in peak.month_day.split("-"))
        for year in (start.year, start.year + 1):
            offset = (dt.date(year, month, day) - start).days
            if 0 <= offset < days:
                window = mean_requests[offset : min(days, offset + PEAK_LAG_DAYS + 1)]
                found.append((peak.name, offset + int(np.argmax(window))))
    busiest = int(np.argmax(mean_requests))
    if busiest not in {d for _, d in found}:
        found.append(("busiest", busiest))
    settled = mean_requests[WARMUP_DAYS:] if days > 2 * WARMUP_DAYS else mean_requests
    first = WARMUP_DAYS if days > 2 * WARMUP_DAYS else 0
    ordinary = first + int(np.argmin(np.abs(settled - np.median(settled))))
    found.append(("ordinary", ordinary))
    return found


def peak_table(
    evaluator: DeskEvaluator,
    targets: Targets,
    plans: dict[str, Desk],
    max_agents: int,
    daily_add_limit: int,
) -> pd.DataFrame:
    """Per strategy and busy (or ordinary) day: requests, the chosen desk's results that day, what the day needs."""
    exp = evaluator.experiment
    start = dt.date.fromisoformat(exp.shared.population.start_date)
    rows = []
    for strategy, desk in plans.items():
        days = evaluator(desk)[strategy]
        requests = days[:, REQUESTS, :]
        hours = (desk.work_start_hour, desk.work_end_hour)
        for kind, day in peak_days(
            requests.mean(axis=0), exp.shared.population.peaks, exp.shared.population.start_date
        ):
            need_desk = day_need(evaluator, strategy, hours, targets, max_agents, day)
            need = None if need_desk is None else need_desk.agents
            adds = None if need_desk is None else evaluator.adds_high(strategy, need_desk, day)
            req = summary(requests[:, day])
            loss = summary(desk_share(days, day, day + 1))
            delay = summary(desk_delay(days, day, day + 1))
            rows.append(
                {
                    "strategy": strategy,
                    "day": kind,
                    "day_of_horizon": day,
                    "date": (start + dt.timedelta(days=day)).isoformat(),
                    "requests": req[0],
                    "requests_ci_low": req[1],
                    "requests_ci_high": req[2],
                    "work_start_hour": desk.work_start_hour,
                    "work_end_hour": desk.work_end_hour,
                    "agents_chosen": desk.agents,
                    "loss_share_at_chosen": loss[0],
                    "loss_share_at_chosen_ci_high": loss[2],
                    "mean_delay_hours_at_chosen": delay[0],
                    "mean_delay_hours_at_chosen_ci_high": delay[2],
                    "agents_needed": need,
                    "shift_agents_needed": "" if need_desk is None else "/".join(map(str, need_desk.shift_agents)),
                    "adds_ci_high": adds,
                    "accounts_needed": None if adds is None else accounts_for(adds, daily_add_limit),
                }
            )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    return table.astype({"agents_needed": "Int64", "accounts_needed": "Int64"})


def day_need(
    evaluator: DeskEvaluator, strategy: str, hours: tuple[float, float], targets: Targets, max_agents: int, day: int
) -> Desk | None:
    """The desk (daily add limit lifted) with the fewest agents that request day alone needs: at ``hours``, or with
    shifts the fewest per shift (:func:`sim.plan.staffing_shifts.least_shift_agents`); None if out of reach."""
    if evaluator.shifts:
        return least_shift_agents(evaluator, strategy, targets, max_agents, 0, day=day)
    need = evaluator.least_agents(strategy, hours, targets, max_agents, day=day)
    return None if need is None else Desk(*hours, need)


CALENDAR_COLUMNS = [
    "strategy",
    "campaign",
    "date",
    "day_of_horizon",
    "work_start_hour",
    "work_end_hour",
    "agents_on_duty",
    "requests",
    "requests_ci_low",
    "requests_ci_high",
    "loss_share",
    "loss_share_ci_high",
    "mean_delay_hours",
    "mean_delay_hours_ci_high",
    "adds",
    "meets_targets",
    "adds_unlimited_ci_high",
    "accounts_needed",
]


def campaign_days(evaluator: DeskEvaluator) -> np.ndarray:
    """The days of the horizon inside any strategy's campaign window, in order (none without a calendar)."""
    exp = evaluator.experiment
    horizon, start = exp.shared.run.horizon_days, exp.shared.population.start_date
    on = np.zeros(horizon, dtype=bool)
    for strategy in evaluator.strategies:
        on |= day_plan(exp.strategies[strategy], start, horizon).campaign >= 0
    return np.flatnonzero(on)


def calendar_table(
    evaluator: DeskEvaluator, targets: Targets, plans: dict[str, Desk], daily_add_limit: int
) -> pd.DataFrame:
    """Per strategy and campaign day (the days of any strategy's window, so a strategy without that campaign is
    shown on the same days): the chosen desk's agents that day (a campaign's extra agents included), requests,
    losses, delay and adds, and whether the day's upper bounds meet the targets; then the upper bound of the day's
    adds at the same agents with the daily add limit lifted, and the WeCom accounts whose limit covers them (the
    accounts that day needs). Empty without a calendar."""
    exp = evaluator.experiment
    start = dt.date.fromisoformat(exp.shared.population.start_date)
    days_on = campaign_days(evaluator)
    rows = []
    for strategy, desk in plans.items():
        days = evaluator(desk)[strategy]
        plan = day_plan(exp.strategies[strategy], exp.shared.population.start_date, exp.shared.run.horizon_days)
        names = [c.name for c in exp.strategies[strategy].calendar.campaigns]
        agents = evaluator.agents_by_day(strategy, desk)
        unlimited = desk.with_accounts(None)  # run by the agent search already
        for day in days_on:
            adds_free = evaluator.adds_high(strategy, unlimited, int(day))
            req = summary(days[:, REQUESTS, day])
            loss, delay = desk_share(days, day, day + 1), desk_delay(days, day, day + 1)
            loss_mean, _, loss_high = summary(loss)
            delay_mean, _, delay_high = summary(delay)
            rows.append(
                {
                    "strategy": strategy,
                    "campaign": names[plan.campaign[day]] if plan.campaign[day] >= 0 else "",
                    "date": (start + dt.timedelta(days=int(day))).isoformat(),
                    "day_of_horizon": int(day),
                    "work_start_hour": desk.work_start_hour,
                    "work_end_hour": desk.work_end_hour,
                    "agents_on_duty": int(agents[day]),
                    "requests": req[0],
                    "requests_ci_low": req[1],
                    "requests_ci_high": req[2],
                    "loss_share": loss_mean,
                    "loss_share_ci_high": loss_high,
                    "mean_delay_hours": delay_mean,
                    "mean_delay_hours_ci_high": delay_high,
                    "adds": float(days[:, ADDS, day].mean()),
                    "meets_targets": meets_targets(loss, delay, targets),
                    "adds_unlimited_ci_high": adds_free,
                    "accounts_needed": accounts_for(adds_free, daily_add_limit),
                }
            )
    return pd.DataFrame(rows, columns=CALENDAR_COLUMNS)


def calendar_notes(calendar: pd.DataFrame) -> list[str]:
    """One line per strategy with campaign days not shown to meet the targets at its chosen desk (the horizon's bounds
    can meet them while a peak's days do not), naming the day with the most lost."""
    notes = []
    for strategy, days in calendar.groupby("strategy", sort=False):
        missed = days[~days["meets_targets"].astype(bool)]
        if missed.empty:
            continue
        worst = missed.loc[missed["loss_share"].fillna(-1.0).idxmax()]
        notes.append(
            f"{strategy}: {len(missed)} of {len(days)} campaign days miss the targets at the chosen desk or cannot be "
            "shown to meet them (an upper 95% bound over a target, or none with this few replications; most lost "
            f"{worst['date']}: {worst['loss_share']:.1%}, mean delay {worst['mean_delay_hours']:.2g} h); "
            "see staffing_calendar.csv"
        )
    return notes
