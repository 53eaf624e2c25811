"""Onboarding: the customer-service team that accepts add requests, as a SimPy resource.

Agents are a FIFO ``simpy.Resource``. The desk is open during working hours: the
:meth:`ServiceDesk.shifts` process succeeds the shared ``opened`` event at each opening,
and buyers who ask while the desk is closed wait for it. Each WeCom account accepts at
most a fixed number of adds a day. A buyer whose request waits longer than their
patience gives up and is lost, so under-staffing lowers capture.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import Any

import numpy as np
import simpy

from sim.config import OnboardingConfig

MINUTES_PER_DAY = 24.0 * 60.0


class ServiceDesk:
    """Agents, working hours and the daily add quota of the team's WeCom accounts."""

    def __init__(
        self,
        env: simpy.Environment,
        cfg: OnboardingConfig,
        rng: np.random.Generator,
        on_accept: Callable[[int, int, float, float], None],
        on_lost: Callable[[int, int], None],
    ) -> None:
        self.env = env
        self.cfg = cfg
        self.rng = rng
        self.agents = simpy.Resource(env, capacity=cfg.agents)
        self.open_from = cfg.work_start_hour / 24.0  # fraction of the day
        self.open_until = cfg.work_end_hour / 24.0
        self.on_duty = False  # set by the shifts process
        self.opened = env.event()  # succeeds at the next opening
        self.daily_quota = cfg.accounts * cfg.daily_add_limit_per_account
        self.quota_day = 0
        self.adds_today = 0
        self.on_accept = on_accept
        self.on_lost = on_lost
        env.process(self.shifts())

    def is_open(self) -> bool:
        """Whether the team is on duty now."""
        return self.on_duty

    def shifts(self) -> Generator[simpy.Event, Any, None]:
        """Open and close the desk each day: waits for the opening, wakes the waiting buyers, waits for closing.

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

    def _quota_left(self) -> bool:
        today = math.floor(self.env.now)
        if today != self.quota_day:
            self.quota_day, self.adds_today = today, 0
        return self.adds_today < self.daily_quota

    def serve(self, buyer: int, channel: int, patience_days: float) -> Generator[simpy.Event, Any, None]:
        """Serve one add request arriving now: wait for the desk to open, a quota slot and an agent.

        Each wait (the next opening, the next day's quota, a free agent) is raced against
        the buyer's remaining patience; an agent already free is taken without a race.
        Then the handling time. Ends by calling ``on_accept(buyer, channel, t_request,
        t_accept)`` or ``on_lost(buyer, channel)``.
        """
        env = self.env
        t_request = env.now
        deadline = t_request + patience_days
        while True:
            if not self.is_open():
                opened = self.opened
                got = yield opened | env.timeout(max(0.0, deadline - env.now))
                if opened not in got:
                    self.on_lost(buyer, channel)
                    return
                continue
            if not self._quota_left():
                midnight = math.floor(env.now) + 1.0
                if midnight >= deadline:
                    yield env.timeout(deadline - env.now)
                    self.on_lost(buyer, channel)
                    return
                yield env.timeout(midnight - env.now)
                continue
            req = self.agents.request()
            if req.triggered:
                yield req
            else:
                got = yield req | env.timeout(max(0.0, deadline - env.now))
                if req not in got:
                    self._withdraw(req)
                    self.on_lost(buyer, channel)
                    return
            if not (self.is_open() and self._quota_left()):  # closed or out of quota while waiting
                self.agents.release(req)
                continue
            self.adds_today += 1
            yield env.timeout(self.rng.exponential(self.cfg.handling_minutes) / MINUTES_PER_DAY)
            self.agents.release(req)
            self.on_accept(buyer, channel, t_request, env.now)
            return

    def _withdraw(self, req: simpy.resources.resource.Request) -> None:
        """Give an agent back, or leave the queue if the request was never granted."""
        if req.triggered:
            self.agents.release(req)
        else:
            req.cancel()
