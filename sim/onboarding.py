"""Onboarding: the customer-service team that accepts add requests, as a SimPy resource.

Agents are a ``simpy.PriorityResource``. Outside working hours the :meth:`ServiceDesk.shifts`
process holds every agent with a higher-priority request, so waiting buyers are served
only when the team is on duty. Each WeCom account accepts at most a fixed number of
adds a day. A buyer whose request waits longer than their patience gives up and is lost,
so under-staffing lowers capture.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import Any

import numpy as np
import simpy

from sim.config import OnboardingConfig

MINUTES_PER_DAY = 24.0 * 60.0
OFF_DUTY, CUSTOMER = -1, 0  # request priorities: lower is served first


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
        self.agents = simpy.PriorityResource(env, capacity=cfg.agents)
        self.daily_quota = cfg.accounts * cfg.daily_add_limit_per_account
        self.quota_day = 0
        self.adds_today = 0
        self.on_accept = on_accept
        self.on_lost = on_lost
        env.process(self.shifts())

    def shifts(self) -> Generator[simpy.Event, Any, None]:
        """Take all agents off duty outside working hours.

        Waits for closing time, requests every agent at OFF_DUTY priority (an agent
        finishes the buyer in hand first), and holds them until the next opening.
        """
        start = self.cfg.work_start_hour / 24.0
        end = self.cfg.work_end_hour / 24.0
        env = self.env
        while True:
            held = [self.agents.request(priority=OFF_DUTY) for _ in range(self.cfg.agents)]
            yield env.timeout(math.floor(env.now - start) + 1.0 + start - env.now)  # until opening
            for req in held:
                self._withdraw(req)
            yield env.timeout(end - start)  # on duty until closing

    def _withdraw(self, req: simpy.resources.resource.Request) -> None:
        """Give an agent back, or leave the queue if the request was never granted."""
        if req.triggered:
            self.agents.release(req)
        else:
            req.cancel()

    def _quota_left(self) -> bool:
        today = math.floor(self.env.now)
        if today != self.quota_day:
            self.quota_day, self.adds_today = today, 0
        return self.adds_today < self.daily_quota

    def serve(self, buyer: int, channel: int, patience_days: float) -> Generator[simpy.Event, Any, None]:
        """Serve one add request arriving now: wait for a quota slot and an agent, then handle it.

        Yields (possibly repeatedly) a wait for the next day's quota or the agent request
        raced against the buyer's remaining patience, then the handling time. Ends by
        calling ``on_accept(buyer, channel, t_request, t_accept)`` or ``on_lost(buyer, channel)``.
        """
        env = self.env
        t_request = env.now
        deadline = t_request + patience_days
        while True:
            if not self._quota_left():
                midnight = math.floor(env.now) + 1.0
                if midnight >= deadline:
                    yield env.timeout(deadline - env.now)
                    self.on_lost(buyer, channel)
                    return
                yield env.timeout(midnight - env.now)
                continue
            req = self.agents.request(priority=CUSTOMER)
            got = yield req | env.timeout(max(0.0, deadline - env.now))
            if req not in got:
                self._withdraw(req)
                self.on_lost(buyer, channel)
                return
            if not self._quota_left():  # the quota ran out while this buyer waited
                self.agents.release(req)
                continue
            self.adds_today += 1
            yield env.timeout(self.rng.exponential(self.cfg.handling_minutes) / MINUTES_PER_DAY)
            self.agents.release(req)
            self.on_accept(buyer, channel, t_request, env.now)
            return
