"""The onboarding desk (SimPy): working hours, patience, daily add quota, agents.

Time is in days; an hour is 1/24. Handling times are drawn from the desk's generator in
the order buyers start being handled, so a copy of the same seed reproduces them exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import simpy
from _helpers import assert_within_3se, make_shared

from sim.config import OnboardingConfig, StrategyConfig
from sim.model.funnel import simulate
from sim.model.onboarding import MINUTES_PER_DAY, ServiceDesk
from sim.model.population import build_platform
from sim.model.streams import Streams

H = 1.0 / 24.0  # one hour in days
SEED = 0


def handling_times(cfg: OnboardingConfig, n: int) -> list[float]:
    """The first n handling times (days) the desk will draw with generator seed SEED."""
    rng = np.random.default_rng(SEED)
    return [rng.exponential(cfg.handling_minutes) / MINUTES_PER_DAY for _ in range(n)]


def run_desk(cfg: OnboardingConfig, requests: list[tuple[float, float]], until: float = 10.0) -> dict:
    """Submit request i at time requests[i][0] with patience requests[i][1]; return accepted/lost logs."""
    env = simpy.Environment()
    accepted: dict[int, tuple[int, float, float]] = {}
    lost: dict[int, tuple[int, float]] = {}

    def on_accept(buyer: int, channel: int, t_request: float, t_accept: float) -> None:
        assert buyer not in accepted and buyer not in lost
        accepted[buyer] = (channel, t_request, t_accept)

    def on_lost(buyer: int, channel: int, t_lost: float) -> None:
        assert buyer not in accepted and buyer not in lost
        assert t_lost <= env.now  # reported when an agent reaches the request, dated at the deadline
        lost[buyer] = (channel, t_lost)

    desk = ServiceDesk(env, cfg, np.random.default_rng(SEED), on_accept, on_lost)

    for buyer, (t, patience) in enumerate(requests):
        env.timeout(t).callbacks.append(lambda _, b=buyer, w=patience: desk.arrive(b, 7, w))
    env.run(until=until)
    desk.expire()
    return {"accepted": accepted, "lost": lost}


def t_accept(log: dict, buyer: int) -> float:
    return log["accepted"][buyer][2]


DAY_SHIFT = OnboardingConfig(agents=1, work_start_hour=9.0, work_end_hour=22.0)


def test_request_during_working_hours_is_accepted_after_handling() -> None:
    (h,) = handling_times(DAY_SHIFT, 1)
    log = run_desk(DAY_SHIFT, [(12 * H, 5.0)])
    assert log["lost"] == {}
    channel, t_req, t_acc = log["accepted"][0]
    assert channel == 7
    assert t_req == pytest.approx(12 * H)
    assert t_acc == pytest.approx(12 * H + h)


def test_request_after_closing_waits_for_next_opening() -> None:
    (h,) = handling_times(DAY_SHIFT, 1)
    log = run_desk(DAY_SHIFT, [(23 * H, 5.0)])
    assert t_accept(log, 0) == pytest.approx(1.0 + 9 * H + h)
    assert t_accept(log, 0) > 1.0 + 9 * H  # not before 09:00 the next day


def test_request_before_opening_waits_until_nine() -> None:
    (h,) = handling_times(DAY_SHIFT, 1)
    log = run_desk(DAY_SHIFT, [(2 * H, 5.0)])
    assert t_accept(log, 0) == pytest.approx(9 * H + h)


def test_night_queue_is_served_first_come_first_served_in_the_morning() -> None:
    h = handling_times(DAY_SHIFT, 3)
    log = run_desk(DAY_SHIFT, [(23 * H, 5.0), (23.2 * H, 5.0), (23.4 * H, 5.0)])
    open_ = 1.0 + 9 * H
    assert t_accept(log, 0) == pytest.approx(open_ + h[0])
    assert t_accept(log, 1) == pytest.approx(open_ + h[0] + h[1])
    assert t_accept(log, 2) == pytest.approx(open_ + h[0] + h[1] + h[2])


def test_impatient_buyer_is_lost_at_their_deadline() -> None:
    patience = 2 * H  # request at 22:30, desk opens at 09:00 (10.5 h later)
    log = run_desk(DAY_SHIFT, [(22.5 * H, patience)])
    assert log["accepted"] == {}
    channel, t_lost = log["lost"][0]
    assert channel == 7
    assert t_lost == pytest.approx(22.5 * H + patience)


def test_patience_longer_than_the_wait_is_not_lost() -> None:
    (h,) = handling_times(DAY_SHIFT, 1)
    log = run_desk(DAY_SHIFT, [(22.5 * H, 11 * H)])  # waits 10.5 h, patient for 11 h
    assert log["lost"] == {}
    assert t_accept(log, 0) == pytest.approx(1.0 + 9 * H + h)


def test_daily_add_limit_pushes_second_request_to_next_day() -> None:
    cfg = OnboardingConfig(agents=4, accounts=1, daily_add_limit_per_account=1, work_start_hour=9.0, work_end_hour=22.0)
    h = handling_times(cfg, 3)
    log = run_desk(cfg, [(12 * H, 5.0), (12 * H, 5.0), (12 * H, 5.0)])
    assert log["lost"] == {}
    assert t_accept(log, 0) == pytest.approx(12 * H + h[0])
    # quota resets at midnight but the desk opens at 09:00: one add per day
    assert t_accept(log, 1) == pytest.approx(1.0 + 9 * H + h[1])
    assert t_accept(log, 2) == pytest.approx(2.0 + 9 * H + h[2])


def test_daily_quota_is_accounts_times_limit() -> None:
    cfg = OnboardingConfig(agents=4, accounts=2, daily_add_limit_per_account=1, work_start_hour=9.0, work_end_hour=22.0)
    log = run_desk(cfg, [(12 * H, 5.0)] * 3)
    same_day = [b for b in range(3) if t_accept(log, b) < 1.0]
    assert len(same_day) == 2
    assert 1.0 + 9 * H < t_accept(log, 2) < 1.0 + 10 * H


def test_quota_wait_beyond_patience_is_lost_at_deadline() -> None:
    cfg = OnboardingConfig(agents=1, accounts=1, daily_add_limit_per_account=1)
    log = run_desk(cfg, [(12 * H, 5.0), (13 * H, 3 * H)])
    assert 0 in log["accepted"]
    assert log["lost"][1][1] == pytest.approx(16 * H)  # deadline before midnight: lost at the deadline


def test_single_agent_serves_simultaneous_requests_one_after_the_other() -> None:
    cfg = OnboardingConfig(agents=1, handling_minutes=10.0)
    h = handling_times(cfg, 2)
    log = run_desk(cfg, [(12 * H, 5.0), (12 * H, 5.0)])
    assert t_accept(log, 0) == pytest.approx(12 * H + h[0])
    assert t_accept(log, 1) == pytest.approx(12 * H + h[0] + h[1])  # waited for the first buyer's handling


def test_two_agents_serve_simultaneous_requests_in_parallel() -> None:
    cfg = OnboardingConfig(agents=2, handling_minutes=10.0)
    h = handling_times(cfg, 2)
    log = run_desk(cfg, [(12 * H, 5.0), (12 * H, 5.0)])
    assert t_accept(log, 0) == pytest.approx(12 * H + h[0])
    assert t_accept(log, 1) == pytest.approx(12 * H + h[1])


def test_agent_finishes_buyer_in_hand_after_closing_but_queue_waits_for_morning() -> None:
    cfg = OnboardingConfig(agents=1, handling_minutes=30.0)
    h = handling_times(cfg, 2)
    t_a, t_b = 21.99 * H, 21.995 * H
    assert t_a + h[0] > 22 * H, "precondition: the first buyer's handling runs past closing"
    log = run_desk(cfg, [(t_a, 5.0), (t_b, 5.0)])
    assert t_accept(log, 0) == pytest.approx(t_a + h[0])  # not interrupted at 22:00
    assert t_accept(log, 1) == pytest.approx(1.0 + 9 * H + h[1])  # the queue waits for the next shift


def test_desk_opening_at_midnight_is_open_on_day_zero() -> None:
    """work_start_hour=0 is allowed: the desk is open from the very start of day 0."""
    cfg = OnboardingConfig(agents=1, work_start_hour=0.0, work_end_hour=12.0)
    (h,) = handling_times(cfg, 1)
    log = run_desk(cfg, [(2 * H, 5.0)])
    assert t_accept(log, 0) == pytest.approx(2 * H + h)


def test_round_the_clock_desk_is_never_closed() -> None:
    """work hours 0-24 mean always on duty, on every day (not every other day)."""
    cfg = OnboardingConfig(agents=1, work_start_hour=0.0, work_end_hour=24.0)
    (h,) = handling_times(cfg, 1)
    for day in range(4):
        log = run_desk(cfg, [(day + 2.4 * H, 5.0)])
        assert t_accept(log, 0) == pytest.approx(day + 2.4 * H + h), f"day {day}"


def test_round_the_clock_desk_is_an_mmc_queue_matching_erlang_c() -> None:
    """Poisson arrivals, exponential handling, c agents, no hours/quota/patience limits: M/M/c (Erlang C)."""
    c, lam_h, mu_h = 2, 1.5, 1.0  # per hour; load a = 1.5, utilisation 0.75
    cfg = OnboardingConfig(
        agents=c,
        work_start_hour=0.0,
        work_end_hour=24.0,
        handling_minutes=60.0 / mu_h,
        accounts=1,
        daily_add_limit_per_account=1_000_000,
    )
    days = 300
    gaps = np.random.default_rng(1).exponential(1.0 / (lam_h * 24.0), int(lam_h * 24 * days * 1.1))
    arrivals = np.cumsum(gaps)
    arrivals = arrivals[arrivals < days]
    log = run_desk(cfg, [(t, 1e6) for t in arrivals], until=days + 5.0)
    assert len(log["accepted"]) == arrivals.size and log["lost"] == {}
    # FIFO: buyers start being handled in arrival order, so buyer i's handling time is the i-th draw
    h = np.array(handling_times(cfg, arrivals.size))
    t_req = np.array([log["accepted"][i][1] for i in range(arrivals.size)])
    t_acc = np.array([log["accepted"][i][2] for i in range(arrivals.size)])
    wait_h = (t_acc - t_req - h) * 24.0
    assert wait_h.min() > -1e-6
    wait_h = wait_h[t_req > 10.0]  # drop the start-up from an empty desk

    a = lam_h / mu_h
    top = a**c / math.factorial(c) * c / (c - a)
    erlang_c = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)  # P(wait > 0)
    mean_wait = erlang_c / (c * mu_h - lam_h)  # hours

    # waits are autocorrelated: SE from 20 batch means, SE = sd(batch means) / sqrt(20)
    def batch_se(x: np.ndarray, batches: int = 20) -> float:
        means = np.array([b.mean() for b in np.array_split(x, batches)])
        return float(means.std(ddof=1) / math.sqrt(batches))

    assert_within_3se(wait_h.mean(), mean_wait, batch_se(wait_h), "mean wait in queue (h)")
    waited = (wait_h > 1e-9).astype(float)
    assert_within_3se(waited.mean(), erlang_c, batch_se(waited), "P(wait > 0)")


@pytest.mark.parametrize(("start", "end"), [(10.0, 18.0), (7.0, 19.0), (8.5, 17.5)])
def test_buyer_waiting_overnight_is_served_at_the_next_opening_every_day(start: float, end: float) -> None:
    cfg = OnboardingConfig(agents=1, work_start_hour=start, work_end_hour=end)
    (h,) = handling_times(cfg, 1)
    late = []
    for day in range(10):
        log = run_desk(cfg, [(day + (end + 1.0) * H, 5.0)], until=day + 8.0)
        expected = day + 1.0 + start * H + h
        if 0 not in log["accepted"] or abs(t_accept(log, 0) - expected) > 1e-9:
            late.append((day, log))
    assert late == []


def test_understaffed_desk_captures_fewer_members_on_the_same_platform() -> None:
    shared = make_shared(seed=5, buyers_per_year=100_000, horizon_days=60, followup_days=20)
    platform = build_platform(shared.population, shared.run.horizon_days, Streams(shared.run.seed, 0))
    default = simulate(StrategyConfig(name="default"), shared, 0, platform)
    under = simulate(
        StrategyConfig(name="under", onboarding=OnboardingConfig(agents=1, work_start_hour=10.0, work_end_hour=18.0)),
        shared,
        0,
        platform,
    )
    unlimited = simulate(
        StrategyConfig(name="unlimited", onboarding=OnboardingConfig(unlimited=True)), shared, 0, platform
    )

    # same platform, same cards and luck: the requests are identical up to the (rare) referral ones
    assert default.requests["card"] == under.requests["card"] == unlimited.requests["card"]
    assert default.requests["sms"] == under.requests["sms"] == unlimited.requests["sms"]

    assert len(under.members) < len(default.members) < len(unlimited.members)
    assert sum(under.lost.values()) > sum(default.lost.values()) > 0
    assert sum(unlimited.lost.values()) == 0
    assert under.members["wait_hours"].mean() > default.members["wait_hours"].mean() > 0.0
    assert (unlimited.members["wait_hours"] == 0.0).all()
    # every accepted member waited at least as long as the desk's earliest possible reply
    assert (default.members["wait_hours"] > 0.0).all()
