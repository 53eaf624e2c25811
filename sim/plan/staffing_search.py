"""The staffing search: the fewest agents, then the fewest WeCom accounts, that keep losses and delay under targets.

A candidate desk (:class:`Desk`) is the config's onboarding desk with its hours, agents on duty and WeCom
accounts changed (``onboarding.*`` overrides through :func:`sim.plan.variants.variant`, so every value is
validated like a command-line override). :class:`DeskEvaluator` runs the experiment at a candidate, keeping the
seed, so every candidate sees the same buyers and luck (common random numbers), and caches the day counts of
:mod:`sim.plan.desk_runs`. A candidate meets the targets when the upper 95% bounds (over replications) of both
the share of add requests lost and the mean greeting delay are at or under them.

:func:`least` finds the least count meeting a monotone condition by doubling and then bisection. Agents are
searched with the daily add limit lifted (``accounts`` None: enough accounts for any day), then accounts at the
agents found. With ``onboarding.shifts`` a desk is the agents of each shift (``shift_agents``; the shifts' names
and hours are the config's) and :mod:`sim.plan.staffing_shifts` searches them.

The cost of a desk (:class:`DeskCost`, :meth:`DeskEvaluator.cost`) over the horizon is its agent-hours and its WeCom
accounts. Agent-hours: the agent-days (the desk's agents every day, plus a campaign's ``extra_agents`` on its
window's days, as the ledger pays them) x ``cost_per_agent_day_cny`` x open hours / the config's open hours (an
agent-day of the config is its open hours); with shifts, each shift's agents (a campaign's extra agents join every
shift) x its hours / the config's open hours (:func:`sim.model.onboarding.shift_agent_days`). Accounts: every
account the desk uses, the ones it starts with and the ones opened within the horizon as others fill
(``when_full=open_new``; the mean over replications), at ``onboarding.new_account_cost_cny`` each. The ledger books
only the openings, because there the starting accounts are given; the plan chooses how many to start with, so they
carry the same price, or starting with more accounts would look cheaper than opening them later.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.config import Experiment, ShiftConfig
from sim.model.calendar import day_plan
from sim.model.onboarding import shift_agent_days, sorted_shifts
from sim.plan.desk_runs import ADDS, OPENED, desk_delay, desk_share, run_desk, summary

MAX_ACCOUNTS = 100_000  # onboarding.accounts' upper bound in the config schema


@dataclass(frozen=True, order=True)
class Desk:
    """One staffing candidate: open hours, agents on duty while open, WeCom accounts (None: no daily add limit);
    with ``onboarding.shifts``, the agents of each shift (by start hour), ``agents`` their sum and the hours from the
    first shift's start to the last one's end."""

    work_start_hour: float
    work_end_hour: float
    agents: int
    accounts: int | None = None
    shift_agents: tuple[int, ...] = ()

    @classmethod
    def of_shifts(cls, shifts: Sequence[ShiftConfig], agents: Sequence[int], accounts: int | None = None) -> Desk:
        """The desk with ``agents[k]`` on shift k of ``shifts`` (by start hour)."""
        return cls(shifts[0].start_hour, shifts[-1].end_hour, int(sum(agents)), accounts, tuple(int(a) for a in agents))

    def with_accounts(self, accounts: int | None) -> Desk:
        return dataclasses.replace(self, accounts=accounts)

    @property
    def open_hours(self) -> float:
        return self.work_end_hour - self.work_start_hour

    def hours_label(self) -> str:
        return f"{self.work_start_hour:g}-{self.work_end_hour:g}"


@dataclass(frozen=True)
class DeskCost:
    """A desk's cost over the horizon for one strategy (CNY); accounts NaN where the add limit was lifted."""

    agent_days: float  # campaign extra agents included; with shifts, in agent-days of the config's open hours
    agent_cny: float
    accounts_opened: float  # mean over replications, within the horizon
    account_cny: float  # (starting accounts + accounts opened) x new_account_cost_cny

    @property
    def total_cny(self) -> float:
        return self.agent_cny + self.account_cny


@dataclass(frozen=True)
class Targets:
    """The most a plan accepts: share of add requests lost, mean greeting delay (hours)."""

    max_loss_share: float
    max_mean_delay_hours: float


def least(meets: Callable[[int], bool], lo: int, hi: int) -> int | None:
    """The least n in [lo, hi] with ``meets(n)``, for a condition that stays true once true (monotone).

    Doubles from ``lo`` until the condition holds, then bisects the last step; None if it fails at ``hi``.
    """
    failed, n = lo - 1, lo
    while not meets(n):
        failed = n
        if n >= hi:
            return None
        n = min(hi, max(n + 1, 2 * n))
    while n - failed > 1:
        mid = (failed + n) // 2
        if meets(mid):
            n = mid
        else:
            failed = mid
    return n


def meets_targets(loss: np.ndarray, delay: np.ndarray, targets: Targets) -> bool:
    """Upper 95% bounds of both at or under their targets; a stretch with no request meets them trivially."""
    loss_hi, delay_hi = summary(loss)[2], summary(delay)[2]
    if not np.isfinite(loss).any():
        return True
    if not np.isfinite(delay).any():  # every request lost
        return False
    return bool(loss_hi <= targets.max_loss_share and delay_hi <= targets.max_mean_delay_hours)


class DeskEvaluator:
    """Runs the experiment at candidate desks on common random numbers; remembers every result."""

    def __init__(self, cfg: Any, overrides: Sequence[str], experiment: Experiment, n_jobs: int) -> None:
        self.cfg, self.overrides, self.experiment, self.n_jobs = cfg, list(overrides), experiment, n_jobs
        self.results: dict[Desk, dict[str, np.ndarray]] = {}
        self.strategies = list(experiment.strategies)
        first = experiment.strategies[self.strategies[0]].onboarding
        self.shifts = sorted_shifts(first)  # the config's shifts (their names and hours); empty: one shift a day

    def build(self, desk: Desk) -> Experiment:
        """The experiment with the desk's settings (validated like command-line overrides)."""
        from sim.plan.variants import only, variant_chain

        accounts = MAX_ACCOUNTS if desk.accounts is None else desk.accounts
        settings: dict[str, object] = {"onboarding.unlimited": False}
        if desk.shift_agents:
            settings["onboarding.shifts"] = shifts_text(self.shifts, desk.shift_agents)
        else:
            settings["onboarding.work_start_hour"] = desk.work_start_hour
            settings["onboarding.work_end_hour"] = desk.work_end_hour
            settings["onboarding.agents"] = desk.agents
        settings["onboarding.accounts"] = accounts
        settings["onboarding.schedule"] = "[]"  # one desk all year
        return only(variant_chain(self.cfg, self.overrides, settings), self.strategies)

    def __call__(self, desk: Desk) -> dict[str, np.ndarray]:
        """Day counts per strategy, shape (replications, rows, days), at ``desk``."""
        if desk not in self.results:
            self.results[desk] = run_desk([self.build(desk)], self.n_jobs)[0]
        return self.results[desk]

    def meets(self, strategy: str, desk: Desk, targets: Targets, day: int | None = None) -> bool:
        """Whether ``desk`` meets the targets for ``strategy`` over the horizon (or on one request day)."""
        days = self(desk)[strategy]
        lo, hi = (0, None) if day is None else (day, day + 1)
        return meets_targets(desk_share(days, lo, hi), desk_delay(days, lo, hi), targets)

    def least_agents(
        self, strategy: str, hours: tuple[float, float], targets: Targets, max_agents: int, day: int | None = None
    ) -> int | None:
        """Fewest agents meeting the targets with no daily add limit; None if even ``max_agents`` do not."""
        if not self.meets(strategy, Desk(*hours, max_agents), targets, day):
            return None
        return least(lambda n: self.meets(strategy, Desk(*hours, n), targets, day), 1, max_agents)

    def least_accounts(self, strategy: str, desk: Desk, targets: Targets) -> int | None:
        """Fewest WeCom accounts (at their daily add limit) meeting the targets with ``desk``'s agents."""
        return least(lambda a: self.meets(strategy, desk.with_accounts(a), targets), 1, MAX_ACCOUNTS)

    def agents_by_day(self, strategy: str, desk: Desk) -> np.ndarray:
        """Agents on duty each day of the horizon at ``desk``: its agents, plus a campaign's extra agents (with
        shifts, the sum over the day's shifts, the extra agents joining each)."""
        s = self.experiment.strategies[strategy]
        horizon = self.experiment.shared.run.horizon_days
        if desk.shift_agents:
            return self.shift_agents_by_day(strategy, desk).sum(axis=1)
        planned = day_plan(s, self.experiment.shared.population.start_date, horizon).agents
        return desk.agents + planned - s.onboarding.agents

    def shift_agents_by_day(self, strategy: str, desk: Desk) -> np.ndarray:
        """Per day of the horizon and shift (by start hour), the agents on duty at shift desk ``desk``: its shift's
        agents, plus a campaign's extra agents (the desk runs with no schedule)."""
        s = self.experiment.strategies[strategy]
        onb = dataclasses.replace(self.shift_config(strategy, desk), schedule=[])
        horizon = self.experiment.shared.run.horizon_days
        return day_plan(
            dataclasses.replace(s, onboarding=onb), self.experiment.shared.population.start_date, horizon
        ).shift_agents

    def shift_config(self, strategy: str, desk: Desk) -> Any:
        """``strategy``'s onboarding config with ``desk``'s agents on its shifts."""
        onb = self.experiment.strategies[strategy].onboarding
        shifts = [dataclasses.replace(sh, agents=a) for sh, a in zip(self.shifts, desk.shift_agents, strict=True)]
        return dataclasses.replace(onb, shifts=shifts)

    def cost(self, strategy: str, desk: Desk) -> DeskCost:
        """What ``desk`` costs over the horizon for ``strategy`` (see the module docstring)."""
        onb = self.experiment.strategies[strategy].onboarding
        config_hours = onb.work_end_hour - onb.work_start_hour
        if desk.shift_agents:
            agent_days = float(shift_agent_days(onb, self.shift_agents_by_day(strategy, desk)).sum())
            agent_cny = agent_days * onb.cost_per_agent_day_cny
        else:
            agent_days = int(self.agents_by_day(strategy, desk).sum())
            agent_cny = agent_days * onb.cost_per_agent_day_cny * desk.open_hours / config_hours
        opened = float(self(desk)[strategy][:, OPENED, :].sum(axis=1).mean())
        accounts = float("nan") if desk.accounts is None else (desk.accounts + opened) * onb.new_account_cost_cny
        return DeskCost(agent_days, agent_cny, opened, accounts)

    def adds_high(self, strategy: str, desk: Desk, day: int) -> float:
        """Upper 95% bound (over replications) of the adds accepted on calendar day ``day``."""
        adds = self(desk)[strategy][:, ADDS, day]
        high = summary(adds)[2]
        return float(high if np.isfinite(high) else adds.max())


def accounts_for(adds: float, daily_add_limit: int) -> int:
    """WeCom accounts whose daily add limit covers ``adds`` adds in a day."""
    return max(1, math.ceil(adds / daily_add_limit - 1e-9))


def shifts_text(shifts: Sequence[ShiftConfig], agents: Sequence[int]) -> str:
    """The ``onboarding.shifts`` override with ``agents[k]`` on shift k (names quoted: they may be Chinese)."""
    items = [
        f"{{name:'{sh.name}',start_hour:{sh.start_hour!r},end_hour:{sh.end_hour!r},agents:{int(a)}}}"
        for sh, a in zip(shifts, agents, strict=True)
    ]
    return "[" + ",".join(items) + "]"
