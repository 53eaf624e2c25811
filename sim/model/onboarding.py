"""Onboarding: the customer-service team that accepts add requests, in SimPy.

Add requests wait in one first-come-first-served queue. Each agent is a SimPy process
that works only while the desk is open (the :meth:`ServiceDesk.shifts` process opens and
closes it), only while the day's add quota of the team's WeCom accounts lasts, and takes
the oldest waiting request. A buyer whose request waits longer than their patience has
given up: the agent who reaches it finds it expired and it is lost, dated at the buyer's
deadline (reneging, handled lazily so that a long queue costs no extra events). So
under-staffing, short hours or a low add limit lower capture.
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

MINUTES_PER_DAY = 24.0 * 60.0


@dataclass(slots=True)
class AddRequest:
    """One buyer waiting to be added."""

    buyer: int
    channel: int
    t_request: float
    deadline: float  # the buyer gives up after this time


class ServiceDesk:
    """Agents, working hours and the daily add quota of the team's WeCom accounts."""

    def __init__(
        self,
        env: simpy.Environment,
        cfg: OnboardingConfig,
        rng: np.random.Generator,
        on_accept: Callable[[int, int, float, float], None],
        on_lost: Callable[[int, int, float], None],
        share: float = 1.0,
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
        # and the same share of the accounts' daily adds.
        self.n_agents = math.ceil(cfg.agents * share - 1e-9)
        self.handling_minutes = cfg.handling_minutes * self.n_agents / (cfg.agents * share)
        self.daily_quota = max(1, round(cfg.accounts * cfg.daily_add_limit_per_account * share))
        self.quota_day = 0
        self.adds_today = 0
        self.busy_days = 0.0  # handling time of the requests served so far
        self.queue: deque[AddRequest] = deque()
        self._idle: list[simpy.Event] = []  # wake-up events of agents with nothing to do
        self.on_accept = on_accept
        self.on_lost = on_lost
        env.process(self.shifts())
        for _ in range(self.n_agents):
            env.process(self.agent())

    def is_open(self) -> bool:
        """Whether the team is on duty now."""
        return self.on_duty

    def shifts(self) -> Generator[simpy.Event, Any, None]:
        """Open and close the desk each day: waits for the opening, wakes the agents, waits for closing.

        Opening and closing times are computed from the day number, not accumulated, so
        they do not drift; a 0-24 desk closes and reopens at midnight within one instant.
        """
        env = self.env
        day = 0
        while True:
            opening, closing = day + self.open_from, day + self.open_until
            if env.now < opening:
                yield env.timeout(opening - env.now)
            self.on_duty = True
            self.opened.succeed()
            self.opened = env.event()
            yield env.timeout(closing - env.now)
            self.on_duty = False
            day += 1

    def arrive(self, buyer: int, channel: int, patience_days: float) -> None:
        """A buyer's add request joins the queue now; an idle agent is woken."""
        now = self.env.now
        self.queue.append(AddRequest(buyer, channel, now, now + patience_days))
        if self._idle:
            self._idle.pop().succeed()

    def agent(self) -> Generator[simpy.Event, Any, None]:
        """One agent: serves the queue first come, first served while on duty and within quota.

        Waits for the opening, for midnight when the day's quota is used up, or for a
        request to arrive; then yields the handling time and reports the member added.
        """
        env = self.env
        while True:
            if not self.on_duty:
                yield self.opened
                continue
            if not self._quota_left():
                yield env.timeout(math.floor(env.now) + 1.0 - env.now)
                continue
            req = self._next_request()
            if req is None:
                wake = env.event()
                self._idle.append(wake)
                yield wake
                continue
            self.adds_today += 1
            handling_days = self.rng.exponential(self.handling_minutes) / MINUTES_PER_DAY
            self.busy_days += handling_days
            yield env.timeout(handling_days)
            self.on_accept(req.buyer, req.channel, req.t_request, env.now)

    def _next_request(self) -> AddRequest | None:
        """The oldest request whose buyer is still waiting; those past their deadline are lost."""
        now = self.env.now
        while self.queue:
            req = self.queue.popleft()
            if req.deadline >= now:
                return req
            self.on_lost(req.buyer, req.channel, req.deadline)
        return None

    def expire(self) -> None:
        """Report the buyers still queued whose deadline has passed (call at the end of a run)."""
        now = self.env.now
        waiting: deque[AddRequest] = deque()
        for req in self.queue:
            if req.deadline < now:
                self.on_lost(req.buyer, req.channel, req.deadline)
            else:
                waiting.append(req)
        self.queue = waiting

    def _quota_left(self) -> bool:
        today = math.floor(self.env.now)
        if today != self.quota_day:
            self.quota_day, self.adds_today = today, 0
        return self.adds_today < self.daily_quota

    def utilisation(self, days: float) -> float:
        """Share of the agents' working time over ``days`` days spent handling requests."""
        on_duty_days = self.n_agents * (self.open_until - self.open_from) * days
        return self.busy_days / on_duty_days if on_duty_days > 0 else float("nan")
