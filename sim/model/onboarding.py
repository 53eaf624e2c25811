"""Onboarding: the customer-service team that accepts add requests, in SimPy.

Add requests wait in one first-come-first-served queue. Each agent is a SimPy process
that works only while the desk is open (the :meth:`ServiceDesk.shifts` process opens and
closes it, once a day from ``work_start_hour`` to ``work_end_hour`` or, with ``onboarding.shifts``,
for each shift's hours) and the agent is staffed in the day or shift on duty (a campaign may add agents
for its window; with shifts, to every shift),
only while the day's add quota of the team's WeCom accounts lasts, and takes the oldest
waiting request. A buyer whose request waits longer than their patience has given up: the
agent who reaches it finds it expired and it is lost, dated at the buyer's deadline
(reneging, handled lazily so that a long queue costs no extra events). Each accepted
request becomes a friend of one WeCom account (:class:`~sim.model.accounts.WeComAccounts`);
when every account is at its friend cap and no new one may be opened, the request is lost
to the caps. So under-staffing, short hours, a low add limit or full accounts lower capture.
The desk also keeps, per day, the requests that arrived, were accepted and were lost, and the
agents' handling time and time on duty (the desk's load).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from sim.config import OnboardingConfig
from sim.model.accounts import WeComAccounts

MINUTES_PER_DAY = 24.0 * 60.0
HANDLING_BLOCK = 4096  # handling times drawn ahead at a time (ServiceDesk._unit_handling)
DAILY_RECORDS: tuple[str, ...] = ("arrived", "accepted", "lost_patience", "lost_cap", "busy_days", "duty_days")


@dataclass(slots=True)
class AddRequest:
    """One buyer waiting to be added."""

    buyer: int
    channel: int
    t_request: float
    deadline: float  # the buyer gives up after this time


class ServiceDesk:
    """Agents, working hours and the daily add quota and friend caps of the team's WeCom accounts.

    ``agents_by_day`` (one entry per day; the last holds for later days) staffs the desk day by day,
    for campaigns and the desk's schedule; without it ``cfg.agents`` work every day. With ``cfg.shifts``,
    ``shift_agents_by_day`` (days, shifts by start hour; the last row holds for later days) staffs each shift day by
    day instead; without it each shift's own agents work every day. ``accounts_by_day``
    (0: no change) opens WeCom accounts at a day's opening until that many have room. ``on_capped`` is
    told of requests lost to full accounts (``on_lost`` by default); ``on_open`` of each account opened (time).
    """

    def __init__(
        self,
        env: simpy.Environment,
        cfg: OnboardingConfig,
        rng: np.random.Generator,
        on_accept: Callable[[int, int, float, float], None],
        on_lost: Callable[[int, int, float], None],
        share: float = 1.0,
        *,
        agents_by_day: np.ndarray | None = None,
        accounts_by_day: np.ndarray | None = None,
        shift_agents_by_day: np.ndarray | None = None,
        on_capped: Callable[[int, int, float], None] | None = None,
        on_open: Callable[[float], None] | None = None,
        n_days: int = 1,
    ) -> None:
        self.env = env
        self.cfg = cfg
        self.rng = rng
        self.open_from = cfg.work_start_hour / 24.0  # fraction of the day
        self.open_until = cfg.work_end_hour / 24.0
        self.on_duty = False  # set by the shifts process
        self.opened = env.event()  # succeeds at the next opening
        # A sampled population (population.sample_share) gets the same share of capacity: the fewest whole
        # agents that hold it, each handling requests proportionally slower, so utilisation is unchanged,
        # and the same share of the accounts' daily adds and friends.
        self.share = share
        self.n_agents = math.ceil(cfg.agents * share - 1e-9)
        self.handling_minutes = cfg.handling_minutes * self.n_agents / (cfg.agents * share)
        self.agents_by_day = agents_by_day
        self.staffed = (  # whole agents each day, and their mean handling time
            None
            if agents_by_day is None
            else np.ceil(np.asarray(agents_by_day, dtype=float) * share - 1e-9).astype(np.int64)
        )
        # the periods the desk is open each day (fractions of the day, by start) and, with shifts, the agents wanted
        # in each (days, shifts) and their whole agents; the day-level staffing above is then unused
        self.periods = [(self.open_from, self.open_until)]
        self.shift_agents: np.ndarray | None = None
        self.shift_staffed: np.ndarray | None = None
        if cfg.shifts:
            base = np.array([[s.agents for s in sorted_shifts(cfg)]], dtype=float)
            self.shift_agents = base if shift_agents_by_day is None else np.asarray(shift_agents_by_day, dtype=float)
            self.shift_staffed = np.ceil(self.shift_agents * share - 1e-9).astype(np.int64)
            self.periods = [(s.start_hour / 24.0, s.end_hour / 24.0) for s in sorted_shifts(cfg)]
            self.staffed = self.agents_by_day = None
        self.shift = (0, 0)  # (day, index) of the period on duty or last on duty
        # whether the agents on duty (and so their handling time) change by day or shift
        self._staffing_varies = self.staffed is not None or self.shift_staffed is not None
        self.accounts = WeComAccounts(cfg, share, on_open)
        self._draws: list[float] = []  # standard exponentials drawn ahead from ``rng`` (:meth:`_unit_handling`)
        self._next_draw = 0
        self.accounts_by_day = accounts_by_day
        self.quota_day = 0
        self.adds_today = 0
        self.queue: deque[AddRequest] = deque()
        self._idle: list[tuple[int, simpy.Event]] = []  # agents with nothing to do: (index, wake-up event)
        self.on_accept = on_accept
        self.on_lost = on_lost
        self.on_capped = on_capped or on_lost
        # per day: plain lists, not numpy arrays (a Python float += on a list is several times faster per request)
        self._counts: dict[str, list[float]] = {name: [0.0] * max(n_days, 1) for name in DAILY_RECORDS}
        self._last_day = max(n_days, 1) - 1
        env.process(self.shifts())
        most = self.n_agents if self.staffed is None else max(self.n_agents, int(self.staffed.max(initial=0)))
        if self.shift_staffed is not None:
            most = int(self.shift_staffed.max(initial=0))
        for index in range(most):
            env.process(self.agent(index))

    @property
    def daily_quota(self) -> int:
        """The team's adds a day: the accounts with room x the daily limit per account (of the simulated share)."""
        return self.accounts.daily_quota()

    @property
    def daily(self) -> dict[str, np.ndarray]:
        """Per day (index: day of the run, the last holding later days): :data:`DAILY_RECORDS`."""
        return {name: np.asarray(values, dtype=float) for name, values in self._counts.items()}

    def _day(self, t: float) -> int:
        return min(int(t), self._last_day)

    def agents_on(self, day: int) -> int:
        """Whole agents staffed on ``day``."""
        if self.staffed is None:
            return self.n_agents
        return int(self.staffed[min(day, self.staffed.size - 1)])

    def staffed_now(self) -> int:
        """Whole agents staffed now: the day's (one shift a day) or the shift's on duty or last on duty."""
        if self.shift_staffed is None:
            return self.agents_on(int(self.env.now))
        return self._staffed_in(*self.shift)

    def _staffed_in(self, day: int, k: int) -> int:
        if self.shift_staffed is None:
            return self.agents_on(day)
        return int(self.shift_staffed[min(day, self.shift_staffed.shape[0] - 1), k])

    def _handling_minutes_now(self) -> float:
        """Mean handling time of one agent on duty now (see :meth:`_handling_minutes_on`)."""
        if self.shift_agents is None:
            return self.handling_minutes if self.staffed is None else self._handling_minutes_on(int(self.env.now))
        day, k = self.shift
        wanted = float(self.shift_agents[min(day, self.shift_agents.shape[0] - 1), k]) * self.share
        return self.cfg.handling_minutes * self.staffed_now() / wanted if wanted > 0 else self.cfg.handling_minutes

    def _handling_minutes_on(self, day: int) -> float:
        """Mean handling time of one of ``day``'s agents: slower in proportion when the share's agents are fewer."""
        if self.agents_by_day is None:
            return self.handling_minutes
        wanted = float(self.agents_by_day[min(day, self.agents_by_day.size - 1)]) * self.share
        return self.cfg.handling_minutes * self.agents_on(day) / wanted

    def is_open(self) -> bool:
        """Whether the team is on duty now."""
        return self.on_duty

    def shifts(self) -> Generator[simpy.Event, Any, None]:
        """Open and close the desk for each period of each day (its hours, or each shift's): waits for the opening,
        opens the day's scheduled WeCom accounts (at the day's first opening), wakes the agents, waits for closing.

        Opening and closing times are computed from the day number, not accumulated, so
        they do not drift; a 0-24 desk, or a shift ending as the next starts, closes and
        reopens within one instant.
        """
        env = self.env
        day = 0
        while True:
            for k, (start, end) in enumerate(self.periods):
                opening, closing = day + start, day + end
                if env.now < opening:
                    yield env.timeout(opening - env.now)
                plan = self.accounts_by_day
                if k == 0 and plan is not None and day < plan.size and plan[day]:
                    self.accounts.grow_to(int(plan[day]), env.now)
                self.shift = (day, k)
                self.on_duty = True
                self._counts["duty_days"][self._day(day)] += self._staffed_in(day, k) * (end - start)
                self.opened.succeed()
                self.opened = env.event()
                yield env.timeout(closing - env.now)
                self.on_duty = False
            day += 1

    def arrive(self, buyer: int, channel: int, patience_days: float) -> None:
        """A buyer's add request joins the queue now; an idle agent staffed today is woken (idle agents no longer
        staffed, after a day with more agents, are woken on the way and go to wait for a day they are staffed)."""
        now = self.env.now
        self._counts["arrived"][self._day(now)] += 1
        self.queue.append(AddRequest(buyer, channel, now, now + patience_days))
        while self._idle:
            index, wake = self._idle.pop()
            wake.succeed()
            if not self._staffing_varies or index < self.staffed_now():
                break

    def agent(self, index: int = 0) -> Generator[simpy.Event, Any, None]:
        """One agent: serves the queue first come, first served while on duty, staffed and within quota.

        Waits for the opening (and for a day it is staffed), for midnight when the day's quota is
        used up, or for a request to arrive; then yields the handling time and reports the member
        added. Once every WeCom account is full (and none may be opened) it turns each request away.
        """
        env, last_day = self.env, self._last_day
        busy, accepted = self._counts["busy_days"], self._counts["accepted"]
        while True:
            now = env.now
            if not self.on_duty or (self._staffing_varies and index >= self.staffed_now()):
                yield self.opened
                continue
            if not self._quota_left(now):
                if not self.accounts.all_full:
                    yield env.timeout(math.floor(now) + 1.0 - now)
                    continue
                req = self._next_request()
                if req is None:
                    wake = env.event()
                    self._idle.append((index, wake))
                    yield wake
                    continue
                self._counts["lost_cap"][self._day(now)] += 1
                self.on_capped(req.buyer, req.channel, now)
                continue
            req = self._next_request()
            if req is None:
                wake = env.event()
                self._idle.append((index, wake))
                yield wake
                continue
            self.adds_today += 1
            self.accounts.take(now)
            today = int(now)
            minutes = self._handling_minutes_now() if self._staffing_varies else self.handling_minutes
            handling_days = minutes * self._unit_handling() / MINUTES_PER_DAY
            busy[min(today, last_day)] += handling_days
            yield env.timeout(handling_days)
            now = env.now
            accepted[min(int(now), last_day)] += 1
            self.on_accept(req.buyer, req.channel, req.t_request, now)

    def _unit_handling(self) -> float:
        """The next handling time in units of its mean: a standard exponential from ``rng``, drawn a block ahead.
        ``minutes * this`` is exactly ``rng.exponential(minutes)`` drawn one at a time (numpy scales the same draw),
        and only the desk draws from ``rng``, so the desk's numbers are the same, at a fraction of the cost."""
        if self._next_draw == len(self._draws):
            self._draws, self._next_draw = self.rng.standard_exponential(HANDLING_BLOCK).tolist(), 0
        value: float = self._draws[self._next_draw]
        self._next_draw += 1
        return value

    def _next_request(self) -> AddRequest | None:
        """The oldest request whose buyer is still waiting; those past their deadline are lost."""
        now = self.env.now
        while self.queue:
            req = self.queue.popleft()
            if req.deadline >= now:
                return req
            self._counts["lost_patience"][self._day(req.deadline)] += 1
            self.on_lost(req.buyer, req.channel, req.deadline)
        return None

    def expire(self) -> None:
        """Report the buyers still queued whose deadline has passed (call at the end of a run)."""
        now = self.env.now
        waiting: deque[AddRequest] = deque()
        for req in self.queue:
            if req.deadline < now:
                self._counts["lost_patience"][self._day(req.deadline)] += 1
                self.on_lost(req.buyer, req.channel, req.deadline)
            else:
                waiting.append(req)
        self.queue = waiting

    def _quota_left(self, now: float) -> bool:
        today = math.floor(now)
        if today != self.quota_day:
            self.quota_day, self.adds_today = today, 0
        return self.adds_today < self.accounts.daily_quota()

    def utilisation(self, days: int) -> float:
        """Share of the agents' working time over the first ``days`` days spent handling requests."""
        if self.shift_staffed is not None:
            on_duty_days = float(sum(self._counts["duty_days"][:days]))
        elif self.staffed is None:
            on_duty_days = self.n_agents * (self.open_until - self.open_from) * days
        else:
            staffed = self.staffed[np.minimum(np.arange(days), self.staffed.size - 1)]
            on_duty_days = float(staffed.sum()) * (self.open_until - self.open_from)
        busy_days = float(sum(self._counts["busy_days"][:days]))  # requests taken up within the first days only
        return busy_days / on_duty_days if on_duty_days > 0 else float("nan")


def sorted_shifts(cfg: OnboardingConfig) -> list[Any]:
    """``cfg.shifts`` by start hour (the order the desk opens them each day)."""
    return sorted(cfg.shifts, key=lambda s: s.start_hour)


def shift_agent_days(cfg: OnboardingConfig, shift_agents: np.ndarray) -> np.ndarray:
    """Per day, the agent-days paid with ``cfg.shifts`` for ``shift_agents`` (days, shifts by start hour): each shift's
    agents x its hours / the hours of an agent-day (``work_end_hour - work_start_hour``, what
    ``cost_per_agent_day_cny`` pays)."""
    hours = np.array([s.end_hour - s.start_hour for s in sorted_shifts(cfg)], dtype=float)
    return np.asarray(shift_agents, dtype=float) @ hours / (cfg.work_end_hour - cfg.work_start_hour)
