"""The staffing schedule: the fewest agents each day (each shift of each day) and the WeCom accounts over the calendar.

The year plan (:mod:`sim.plan.staffing`) keeps one desk all year. A schedule changes the agents on duty day by day
and opens WeCom accounts on the days they are first needed, through ``onboarding.schedule`` (a campaign's extra
agents add to the scheduled agents). A day has one *slot* per shift: one for a desk with one shift a day (its hours),
else one per shift of ``onboarding.shifts`` (by start hour; schedule entries then name their shift), measured on the
requests that shift serves first (the one on duty when a request is made, or the next to start:
:func:`sim.plan.desk_runs.serving_shift`). For one strategy at the hours (shifts) of its year plan:

1. Per slot, the days are put in *load classes*: days whose mean requests (in the first candidate's run) lie within
   the same ``LOAD_STEP`` band and that have the same campaign extra agents on duty (:func:`load_classes`). Per load
   class, the fewest agents whose upper 95% bounds of the class's share lost and mean greeting delay (its days'
   counts pooled, per replication) meet the targets, with the daily add limit lifted; every day of a class gets its
   count. One day's bounds rest on a handful of requests per replication, so they straddle a target that the class's
   pooled bounds settle; a class of one day is the day alone. A candidate is a whole-year desk at n agents (on every
   shift) (:class:`DeskEvaluator`, cached, common random numbers) and one run answers for every class and slot, so
   :func:`least_per_day` doubles and bisects them all together: a handful of runs, not one per day. A class that no
   count up to ``--max-agents`` can be shown to meet the targets (too few requests for a 95% bound, or out of reach)
   keeps the year plan's agents (its shift's).
2. Per day, the accounts whose daily add limit covers the upper bound of that day's adds at its busiest slot's agents
   (on every slot: the most that day can add). An account opened stays, so the schedule opens each on the first day
   it is needed (the running maximum).
3. The whole schedule is run once more on the same seed. Days and shifts interact (a backlog carries over to the next
   shift and day), so this verification is what counts: a load class whose pooled 95% bounds miss the targets gets
   one agent more on each of its days (and a day one account more where its adds reached the accounts' daily quota)
   and the schedule is run again, at most ``rounds`` times.

Its cost over the horizon is priced as the year plan's (:class:`~sim.plan.staffing_search.DeskCost`): agent-days
(campaign extra agents included) at ``cost_per_agent_day_cny`` scaled by each slot's hours over the config's open
hours, and every account used (the starting ones and every one opened, by the schedule or as others fill) at
``new_account_cost_cny``, booked on the day's first slot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from sim.config import Experiment, OnboardingConfig, ShiftConfig
from sim.model.calendar import day_plan
from sim.model.onboarding import shift_agent_days
from sim.plan.desk_runs import (
    ACCEPTED,
    ADDS,
    DELAY_SUM,
    LOST_ROW,
    OPENED,
    REQUESTS,
    desk_delay,
    desk_share,
    n_shifts,
    run_desk,
    shift_block,
    summary,
)
from sim.plan.staffing_search import Desk, DeskEvaluator, Targets, accounts_for, meets_targets, shifts_text

CONFIDENCE = 0.95
LOAD_STEP = 2.0**0.25  # a load class's band of mean requests a day: days within a factor of about 1.19 are like
MAX_SCHEDULE_DAYS = 365  # a schedule entry's MM-DD names one day only within a year of the start date

SCHEDULE_COLUMNS = [
    "strategy",
    "date",
    "day_of_horizon",
    "shift",
    "agents",
    "agents_needed",
    "load_class",
    "load_class_days",
    "accounts",
    "requests",
    "requests_ci_low",
    "requests_ci_high",
    "loss_share",
    "loss_share_ci_low",
    "loss_share_ci_high",
    "mean_delay_hours",
    "mean_delay_hours_ci_low",
    "mean_delay_hours_ci_high",
    "meets_targets",
    "cost_cny",
]


def day_bounds(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per column (day): mean and 95% t-interval of the finite values over replications (rows), as
    :func:`sim.run.compare.interval` column by column; NaN bounds where fewer than two are finite."""
    finite = np.isfinite(values)
    n = finite.sum(axis=0)
    v = np.where(finite, values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, v.sum(axis=0) / n, np.nan)
        var = np.where(finite, (values - mean) ** 2, 0.0).sum(axis=0) / (n - 1)
        half = special.stdtrit(np.maximum(n - 1, 1), 0.5 + CONFIDENCE / 2) * np.sqrt(var / n)
    half = np.where(n >= 2, half, np.nan)
    return mean, mean - half, mean + half


def day_measures(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per replication and request day: share lost and mean greeting delay (NaN where none was settled/accepted)."""
    lost, accepted = days[:, LOST_ROW, :], days[:, ACCEPTED, :]
    settled = lost + accepted
    with np.errstate(invalid="ignore", divide="ignore"):
        loss = np.where(settled > 0, lost / settled, np.nan)
        delay = np.where(accepted > 0, days[:, DELAY_SUM, :] / accepted, np.nan)
    return loss, delay


def day_meets(days: np.ndarray, targets: Targets) -> np.ndarray:
    """Per request day: whether its upper 95% bounds meet the targets (as
    :func:`~sim.plan.staffing_search.meets_targets` day by day; a day with no request meets them trivially)."""
    loss, delay = day_measures(days)
    loss_hi, delay_hi = day_bounds(loss)[2], day_bounds(delay)[2]
    none_asked = ~np.isfinite(loss).any(axis=0)
    all_lost = ~np.isfinite(delay).any(axis=0)
    within = (loss_hi <= targets.max_loss_share) & (delay_hi <= targets.max_mean_delay_hours)
    return none_asked | (~all_lost & within)


def least_per_day(meets: Callable[[int], np.ndarray], lo: int, hi: int) -> np.ndarray:
    """Per day, the least n in [lo, hi] with ``meets(n)[day]`` (true once true, day by day); 0 if even ``hi`` fails.

    :func:`~sim.plan.staffing_search.least` for every day at once: doubles from ``lo`` until every day holds (or
    ``hi``), then bisects each day's last step; days that share a step share their runs.
    """
    ok = meets(lo)
    need = np.where(ok, lo, 0)
    failed = np.full(ok.size, lo - 1)
    n = lo
    while not (need > 0).all() and n < hi:
        failed = np.where(need == 0, n, failed)
        n = min(hi, max(n + 1, 2 * n))
        need = np.where((need == 0) & meets(n), n, need)
    while True:
        open_ = (need > 0) & (need - failed > 1)
        if not open_.any():
            return need
        mid = (failed + need) // 2
        for m in np.unique(mid[open_]):
            at = open_ & (mid == m)
            hit = meets(int(m))
            need = np.where(at & hit, m, need)
            failed = np.where(at & ~hit, m, failed)


def slot_blocks(days: np.ndarray) -> list[np.ndarray]:
    """The day counts of each slot of a day: the whole day's for a desk with one shift a day, else each shift's
    block (by start hour; :func:`~sim.plan.desk_runs.shift_block`)."""
    k = n_shifts(days)
    return [days] if k == 0 else [shift_block(days, i) for i in range(k)]


def load_classes(requests: np.ndarray, extra_agents: np.ndarray) -> np.ndarray:
    """Per day and slot (days, slots), the day's load class within its slot, numbered 0, 1, ... by increasing load:
    the days whose mean requests lie in the same band [``LOAD_STEP``^k, ``LOAD_STEP``^(k+1)) and that have the same
    campaign extra agents on duty (``extra_agents``, days x slots). Days without a request are a class of their own."""
    asked = requests > 0
    band = np.where(asked, np.floor(np.log(np.where(asked, requests, 1.0)) / np.log(LOAD_STEP)), -np.inf)
    classes = np.empty(requests.shape, dtype=np.int64)
    for k in range(requests.shape[1]):
        keys = np.stack([band[:, k], extra_agents[:, k]], axis=1)
        classes[:, k] = np.unique(keys, axis=0, return_inverse=True)[1].ravel()
    return classes


def pooled(block: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """A slot's day counts (replications, rows, days) summed over each load class's days: (replications, rows,
    classes), so a class reads as one long day."""
    members = classes[:, None] == np.arange(classes.max() + 1)[None, :]
    return block @ members


def by_class(days: np.ndarray, classes: np.ndarray, judge: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Per request day and slot (days, slots): ``judge``'s verdict on the day's load class (``classes``, days x
    slots), ``judge`` taking a slot's counts pooled by class (:func:`pooled`) and giving one verdict per class."""
    return np.stack([judge(pooled(b, classes[:, k]))[classes[:, k]] for k, b in enumerate(slot_blocks(days))], axis=1)


def slot_meets(days: np.ndarray, targets: Targets, classes: np.ndarray) -> np.ndarray:
    """Per request day and slot (days, slots): whether that slot's load class (its days' counts pooled) meets the
    targets by its upper 95% bounds, as :func:`day_meets` judges one day."""
    return by_class(days, classes, lambda counts: day_meets(counts, targets))


def slot_shown(days: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Per request day and slot: whether its load class's share lost has a 95% bound (requests in that class in two
    replications or more)."""
    return by_class(days, classes, lambda counts: np.isfinite(day_bounds(day_measures(counts)[0])[2]))


@dataclass(frozen=True)
class Schedule:
    """One strategy's schedule over the horizon: the desk's hours (with shifts, the first shift's start to the last
    one's end), scheduled agents per day and slot (days, slots: one slot for a desk with one shift a day, else one
    per shift by start hour; a campaign's extra agents not included), the WeCom accounts with room from each day
    (non-decreasing) and the shifts (empty: one shift a day)."""

    hours: tuple[float, float]
    agents: np.ndarray
    accounts: np.ndarray
    shifts: tuple[ShiftConfig, ...] = ()

    def settings(self, start_date: str) -> dict[str, object]:
        """The ``onboarding.*`` settings that run it: per slot the most common agents (``onboarding.agents``, or each
        shift's ``agents`` in ``onboarding.shifts``), the first day's accounts as ``onboarding.accounts``, and a
        schedule entry per run of other agents (naming its shift, with shifts) and per account step."""
        start = dt.date.fromisoformat(start_date)
        mmdd = lambda day: f"'{(start + dt.timedelta(days=int(day))).strftime('%m-%d')}'"  # noqa: E731
        bases, entries = [], []
        for k in range(self.agents.shape[1]):
            agents = self.agents[:, k]
            values, counts = np.unique(agents, return_counts=True)
            base = int(values[np.argmax(counts)])
            bases.append(base)
            shift = f",shift:'{self.shifts[k].name}'" if self.shifts else ""
            change = np.flatnonzero(np.diff(agents, prepend=-1, append=-1))
            for first, end in zip(change[:-1], change[1:], strict=True):
                if agents[first] != base:
                    entries.append(f"{{start:{mmdd(first)},days:{end - first},agents:{int(agents[first])}{shift}}}")
        for day in np.flatnonzero(np.diff(self.accounts)) + 1:
            entries.append(f"{{start:{mmdd(day)},days:1,accounts:{int(self.accounts[day])}}}")
        desk: dict[str, object] = (
            {"onboarding.shifts": shifts_text(self.shifts, bases)}
            if self.shifts
            else {
                "onboarding.work_start_hour": self.hours[0],
                "onboarding.work_end_hour": self.hours[1],
                "onboarding.agents": bases[0],
            }
        )
        return {
            "onboarding.unlimited": False,
            **desk,
            "onboarding.accounts": int(self.accounts[0]),
            "onboarding.schedule": "[" + ",".join(entries) + "]",
        }

    def slot_names(self) -> list[str]:
        """Each slot's ``shift`` label: the desk's hours (``9-22``), or each shift's name."""
        return [s.name for s in self.shifts] or [f"{self.hours[0]:g}-{self.hours[1]:g}"]

    def slot_hours(self) -> np.ndarray:
        """Each slot's open hours a day."""
        return np.array([s.end_hour - s.start_hour for s in self.shifts] or [self.hours[1] - self.hours[0]])


@dataclass(frozen=True)
class Verified:
    """A schedule and its verification run: day counts (replications, rows, days), agents on duty per day and slot."""

    schedule: Schedule
    need: np.ndarray  # per day and slot: the fewest scheduled agents its load class needs (0: none up to the maximum)
    classes: np.ndarray  # per day and slot: its load class within the slot (:func:`load_classes`)
    days: np.ndarray
    on_duty: np.ndarray
    experiment: Experiment
    rounds: int  # verification runs made


def run_schedule(evaluator: DeskEvaluator, strategy: str, schedule: Schedule) -> tuple[Experiment, np.ndarray]:
    """The experiment (``strategy`` only) with ``schedule`` set, and its day counts on the evaluator's seed."""
    from sim.plan.variants import only, variant_chain

    start = evaluator.experiment.shared.population.start_date
    exp = only(variant_chain(evaluator.cfg, evaluator.overrides, schedule.settings(start)), [strategy])
    return exp, run_desk([exp], evaluator.n_jobs)[0][strategy]


def plan_schedule(
    evaluator: DeskEvaluator, strategy: str, plan: Desk, targets: Targets, max_agents: int, rounds: int
) -> Verified:
    """Search the per-day (per shift, with shifts) schedule at the hours of the year plan ``plan`` and verify it (see
    the module docstring); ``plan``'s agents (each shift's) staff the days no count can be shown to serve."""
    horizon = evaluator.experiment.shared.run.horizon_days
    limit = evaluator.experiment.strategies[strategy].onboarding.daily_add_limit_per_account
    shifts = tuple(evaluator.shifts)
    hours = (plan.work_start_hour, plan.work_end_hour)
    n_slots = max(len(shifts), 1)

    def uniform(n: int) -> Desk:  # n agents on the desk, or on every shift
        return Desk.of_shifts(shifts, [n] * n_slots) if shifts else Desk(*hours, n)

    first = evaluator(uniform(1))[strategy]
    requests = np.stack([b[:, REQUESTS, :].mean(axis=0) for b in slot_blocks(first)], axis=1)
    on_duty_at_one = (
        evaluator.shift_agents_by_day(strategy, uniform(1))
        if shifts
        else evaluator.agents_by_day(strategy, uniform(1))[:, None]
    )
    classes = load_classes(requests, on_duty_at_one[:horizon] - 1)
    flat = least_per_day(lambda n: slot_meets(evaluator(uniform(n))[strategy], targets, classes).ravel(), 1, max_agents)
    need = flat.reshape(horizon, n_slots)
    agents = np.where(need > 0, need, np.array(plan.shift_agents or (plan.agents,))[None, :])
    busiest = agents.max(axis=1)  # a day's adds at its busiest slot's agents on every slot: the most it can add
    by_agents = {int(n): day_bounds(evaluator(uniform(int(n)))[strategy][:, ADDS, :])[2] for n in set(busiest)}
    adds_high = np.array([by_agents[int(busiest[d])][d] for d in range(horizon)])
    account_need = np.array([accounts_for(a if np.isfinite(a) else 0.0, limit) for a in adds_high])
    made = 0
    while True:
        schedule = Schedule(hours, agents.copy(), np.maximum.accumulate(account_need), shifts)
        exp, days = run_schedule(evaluator, strategy, schedule)
        made += 1
        missed = ~slot_meets(days, targets, classes) & slot_shown(days, classes) & (need > 0)
        raise_agents = missed & (agents < max_agents)
        full = missed.any(axis=1) & (days[:, ADDS, :].max(axis=0) >= schedule.accounts * limit)
        if made > rounds or not (raise_agents.any() or full.any()):
            break
        agents = agents + raise_agents
        account_need = np.maximum(account_need, schedule.accounts) + full
    s = exp.strategies[strategy]
    day = day_plan(s, exp.shared.population.start_date, horizon)
    on_duty = day.shift_agents[:horizon] if shifts else day.agents[:horizon, None]
    return Verified(schedule, need, classes, days, on_duty, exp, made)


def schedule_costs(verified: Verified, onb: OnboardingConfig) -> np.ndarray:
    """Per day of the horizon and slot (CNY): the agents on duty at ``onb``'s day rate scaled by the slot's hours over
    ``onb``'s open hours, and on the day's first slot the accounts opened that day (mean over replications; the
    starting ones on day 0) at its ``new_account_cost_cny``."""
    config_hours = onb.work_end_hour - onb.work_start_hour
    cost = verified.on_duty * onb.cost_per_agent_day_cny * verified.schedule.slot_hours()[None, :] / config_hours
    opened = verified.days[:, OPENED, :].mean(axis=0)
    opened[0] += verified.schedule.accounts[0]
    cost[:, 0] = cost[:, 0] + opened * onb.new_account_cost_cny
    return cost


def schedule_table(evaluator: DeskEvaluator, schedules: dict[str, Verified], targets: Targets) -> pd.DataFrame:
    """One row per strategy, day of the horizon and slot (the desk's hours, or each shift): the schedule (agents on
    duty, what the slot's load class needs, the class and its number of days, the accounts with room), the
    verification run's requests, losses and delay there that day (mean and 95% interval), whether its load class
    meets the targets (pooled bounds), and the cost (a day's accounts on its first slot)."""
    start = dt.date.fromisoformat(evaluator.experiment.shared.population.start_date)
    frames = []
    for strategy, v in schedules.items():
        horizon = v.days.shape[2]
        names = v.schedule.slot_names()
        n_slots = len(names)
        extra = v.on_duty - v.schedule.agents
        frame = pd.DataFrame(
            {
                "strategy": strategy,
                "date": np.repeat([(start + dt.timedelta(days=d)).isoformat() for d in range(horizon)], n_slots),
                "day_of_horizon": np.repeat(np.arange(horizon), n_slots),
                "shift": np.tile(names, horizon),
                "agents": v.on_duty.ravel(),
                "agents_needed": pd.array(np.where(v.need > 0, v.need + extra, -1).ravel(), dtype="Int64"),
                "load_class": v.classes.ravel(),
                "load_class_days": np.stack([np.bincount(c)[c] for c in v.classes.T], axis=1).ravel(),
                "accounts": np.repeat(v.schedule.accounts, n_slots),
            }
        )
        frame.loc[v.need.ravel() == 0, "agents_needed"] = pd.NA
        per_slot = [(b[:, REQUESTS, :], *day_measures(b)) for b in slot_blocks(v.days)]
        for i, name in enumerate(("requests", "loss_share", "mean_delay_hours")):
            bounds = np.stack([day_bounds(slot[i]) for slot in per_slot], axis=2)  # (mean/low/high, days, slots)
            frame[name], frame[f"{name}_ci_low"], frame[f"{name}_ci_high"] = (b.ravel() for b in bounds)
        frame["meets_targets"] = slot_meets(v.days, targets, v.classes).ravel()
        frame["cost_cny"] = schedule_costs(v, evaluator.experiment.strategies[strategy].onboarding).ravel()
        frames.append(frame[SCHEDULE_COLUMNS])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=SCHEDULE_COLUMNS)


def schedule_agent_days(verified: Verified, onb: OnboardingConfig) -> float:
    """The schedule's agent-days over the horizon: agents on duty each day (a whole number), or with shifts each
    shift's agents x its hours / ``onb``'s open hours (as the year plan counts them)."""
    if verified.schedule.shifts:
        return float(shift_agent_days(onb, verified.on_duty).sum())
    return int(verified.on_duty.sum())


SUMMARY_COLUMNS = [
    "strategy",
    "shift",
    "loss_share",
    "loss_share_ci_high",
    "mean_delay_hours",
    "mean_delay_hours_ci_high",
    "meets_targets",
    "days_with_requests",
    "days_meeting_targets",
    "agent_days",
    "accounts_used",
    "cost_cny",
    "year_plan_cost_cny",
    "verification_runs",
]


def schedule_summary(
    schedules: dict[str, Verified], table: pd.DataFrame, targets: Targets, year_cost_cny: dict[str, float]
) -> pd.DataFrame:
    """Per strategy: the verification run over the horizon (losses, delay, whether the year meets the targets, the
    days with requests that meet them), the schedule's agent-days, accounts used and cost, and the year plan's cost
    (NaN where no single desk met the targets)."""
    rows = []
    for strategy, v in schedules.items():
        loss, delay = desk_share(v.days), desk_delay(v.days)
        slots = table[table["strategy"] == strategy]
        days = slots.groupby("day_of_horizon", sort=True).agg(
            requests=("requests", "sum"), meets_targets=("meets_targets", "all"), cost_cny=("cost_cny", "sum")
        )
        asked = days["requests"] > 0
        rows.append(
            {
                "strategy": strategy,
                "shift": f"{v.schedule.hours[0]:g}-{v.schedule.hours[1]:g}",
                "loss_share": summary(loss)[0],
                "loss_share_ci_high": summary(loss)[2],
                "mean_delay_hours": summary(delay)[0],
                "mean_delay_hours_ci_high": summary(delay)[2],
                "meets_targets": meets_targets(loss, delay, targets),
                "days_with_requests": int(asked.sum()),
                "days_meeting_targets": int((asked & days["meets_targets"]).sum()),
                "agent_days": schedule_agent_days(v, v.experiment.strategies[strategy].onboarding),
                "accounts_used": float(v.schedule.accounts[0] + v.days[:, OPENED, :].sum(axis=1).mean()),
                "cost_cny": float(days["cost_cny"].sum()),
                "year_plan_cost_cny": year_cost_cny.get(strategy, float("nan")),
                "verification_runs": v.rounds,
            }
        )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
