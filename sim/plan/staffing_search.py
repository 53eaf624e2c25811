"""The staffing search: the fewest agents, then the fewest WeCom accounts, that keep losses and delay under targets.

A candidate desk (:class:`Desk`) is the config's onboarding desk with its hours, agents on duty and WeCom
accounts changed (``onboarding.*`` overrides through :func:`sim.plan.variants.variant`, so every value is
validated like a command-line override). :class:`DeskEvaluator` runs the experiment at a candidate, keeping the
seed, so every candidate sees the same buyers and luck (common random numbers), and caches the day counts of
:mod:`sim.plan.desk_runs`. A candidate meets the targets when the upper 95% bounds (over replications) of both
the share of add requests lost and the mean greeting delay are at or under them.

:func:`least` finds the least count meeting a monotone condition by doubling and then bisection. Agents are
searched with the daily add limit lifted (``accounts`` None: enough accounts for any day), then accounts at the
agents found.

The cost of a desk (:class:`DeskCost`, :meth:`DeskEvaluator.cost`) over the horizon is its agent-hours and its
WeCom accounts. Agent-hours: the agent-days (the desk's agents every day, plus a campaign's ``extra_agents`` on
its window's days, as the ledger pays them) x ``cost_per_agent_day_cny`` x open hours / the config's open hours
(an agent-day of the config is its open hours). Accounts: every account the desk uses, the ones it starts with and
the ones opened within the horizon as others fill (``when_full=open_new``; the mean over replications), at
``onboarding.new_account_cost_cny`` each. The ledger books only the openings, because there the starting accounts
are given; the plan chooses how many to start with, so they carry the same price, or starting with more accounts
would look cheaper than opening them later.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.config import Experiment
from sim.model.calendar import day_plan
from sim.plan.desk_runs import ADDS, OPENED, desk_delay, desk_share, run_desk, summary

MAX_ACCOUNTS = 100_000  # onboarding.accounts' upper bound in the config schema


@dataclass(frozen=True, order=True)
class Desk:
    """One staffing candidate: open hours, agents on duty while open, WeCom accounts (None: no daily add limit)."""

    work_start_hour: float
    work_end_hour: float
    agents: int
    accounts: int | None = None

    @property
    def open_hours(self) -> float:
        return self.work_end_hour - self.work_start_hour

    def hours_label(self) -> str:
        return f"{self.work_start_hour:g}-{self.work_end_hour:g}"


@dataclass(frozen=True)
class DeskCost:
    """A desk's cost over the horizon for one strategy (CNY); accounts NaN where the add limit was lifted."""

    agent_days: int  # campaign extra agents included
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

    def build(self, desk: Desk) -> Experiment:
        """The experiment with the desk's settings (validated like command-line overrides)."""
        from sim.plan.variants import only, variant_chain

        accounts = MAX_ACCOUNTS if desk.accounts is None else desk.accounts
        settings: dict[str, object] = {
            "onboarding.unlimited": False,
            "onboarding.work_start_hour": desk.work_start_hour,
            "onboarding.work_end_hour": desk.work_end_hour,
            "onboarding.agents": desk.agents,
            "onboarding.accounts": accounts,
            "onboarding.schedule": "[]",  # one desk all year
        }
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

    def least_accounts(self, strategy: str, hours: tuple[float, float], agents: int, targets: Targets) -> int | None:
        """Fewest WeCom accounts (at their daily add limit) meeting the targets with ``agents`` agents."""
        return least(lambda a: self.meets(strategy, Desk(*hours, agents, a), targets), 1, MAX_ACCOUNTS)

    def agents_by_day(self, strategy: str, desk: Desk) -> np.ndarray:
        """Agents on duty each day of the horizon at ``desk``: its agents, plus a campaign's extra agents."""
        s = self.experiment.strategies[strategy]
        horizon = self.experiment.shared.run.horizon_days
        extra = day_plan(s, self.experiment.shared.population.start_date, horizon).agents - s.onboarding.agents
        return desk.agents + extra

    def cost(self, strategy: str, desk: Desk) -> DeskCost:
        """What ``desk`` costs over the horizon for ``strategy`` (see the module docstring)."""
        onb = self.experiment.strategies[strategy].onboarding
        agent_days = int(self.agents_by_day(strategy, desk).sum())
        config_hours = onb.work_end_hour - onb.work_start_hour
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
