"""Several shifts a day at the onboarding desk (``onboarding.shifts``) and their staffing plan.

- Each shift against Erlang-A: stationary Poisson requests round the clock, two 12-hour shifts (早班 00-12 with 2
  agents, 晚班 12-24 with 3), exponential handling (3 min) and patience (6 min), no add limit. A shift is 120 mean
  patiences and 240 mean handling times long, so the queue forgets the previous shift within minutes and each shift
  is M/M/n+M at its own agents. Each shift's share lost and the mean greeting delay of its served requests (wait +
  handling) must match Erlang-A at that shift's agents within 3 standard errors over independent replications
  (SE = sd / sqrt(R)); the bias left by the hand-over is about (relaxation time / shift length) x the gap between
  the shifts' values, under 1% of it, well inside 3 SE. The check can fail: each shift's measurements are more than
  3 SE from Erlang-A at the other shift's agents.
- Requests are counted by the shift that serves them first: the one on duty, or the next to start.
- The config: overlapping shifts, reversed hours, duplicate names and a schedule entry setting agents beside shifts
  are one ``error:`` line; the default (no shifts) runs exactly as before (tests/test_golden.py).
"""

from __future__ import annotations

import math

import numpy as np
from _helpers import NO_UNSUBSCRIBE, assert_within_3se, make_shared, quiet_strategy

from sim.config import CardConfig, ChannelConfig, Experiment, OfferConfig, OnboardingConfig, ShiftConfig
from sim.model.capture import card_add_prob
from sim.plan.desk_runs import desk_delay, desk_share, run_desk, serving_shift, shift_block
from sim.plan.erlang_a import erlang_a

R = 6  # independent replications
HORIZON_DAYS = 24
WARMUP_DAYS = 8  # the desk starts empty and requests ramp up while the first parcels travel
ARRIVALS_PER_HOUR = 50.0
HANDLING_MINUTES = 3.0
PATIENCE_HOURS = 0.05
SHIFTS = [ShiftConfig("早班", 0.0, 12.0, 3), ShiftConfig("晚班", 12.0, 24.0, 4)]


def shifts_experiment(seed: int) -> Experiment:
    """One strategy whose add requests are a stationary Poisson stream (first cards only), served by ``SHIFTS``."""
    card = CardConfig(floor_add_prob=1.0, repeat_card_factor=0.0)
    strategy = quiet_strategy(
        channel=ChannelConfig(card=True, sms=False),
        card=card,
        onboarding=OnboardingConfig(
            handling_minutes=HANDLING_MINUTES,
            accounts=1,
            daily_add_limit_per_account=1_000_000,
            shifts=SHIFTS,
        ),
        offer=OfferConfig(first_order_prob=0.0),
    )
    shared = make_shared(
        seed=seed,
        buyers_per_year=round(ARRIVALS_PER_HOUR * 24 * 365 / card_add_prob(strategy.hook, card)),
        horizon_days=HORIZON_DAYS,
        followup_days=2,
        n_replications=R,
        unsubscribe=NO_UNSUBSCRIBE,
        peaks=[],
        patience_hours=PATIENCE_HOURS,
    )
    return Experiment(name="shifts", question="", baseline="quiet", strategies={"quiet": strategy}, shared=shared)


def test_each_shift_matches_erlang_a_at_its_own_agents() -> None:
    days = run_desk([shifts_experiment(seed=23)], n_jobs=1)[0]["quiet"]
    handling_hours = HANDLING_MINUTES / 60.0
    measured = []
    for k, shift in enumerate(SHIFTS):
        block = shift_block(days, k)
        loss, delay = desk_share(block, WARMUP_DAYS), desk_delay(block, WARMUP_DAYS)
        se_loss, se_delay = loss.std(ddof=1) / math.sqrt(R), delay.std(ddof=1) / math.sqrt(R)
        expected = erlang_a(ARRIVALS_PER_HOUR, handling_hours, PATIENCE_HOURS, shift.agents)
        where = f"shift {shift.name}: M/M/{shift.agents}+M, lambda {ARRIVALS_PER_HOUR:g}/h"
        assert_within_3se(loss.mean(), expected.p_abandon, se_loss, f"Erlang-A {where}: share lost")
        assert_within_3se(
            delay.mean(),
            expected.mean_wait_served_hours + handling_hours,
            se_delay,
            f"Erlang-A {where}: mean greeting delay of served (wait + handling)",
            unit=" h",
        )
        measured.append((loss.mean(), se_loss, delay.mean(), se_delay))
    # the check can fail: each shift's measurements are far from Erlang-A at the other shift's agents
    for (loss, se_loss, delay, se_delay), other in zip(measured, reversed(SHIFTS), strict=True):
        wrong = erlang_a(ARRIVALS_PER_HOUR, handling_hours, PATIENCE_HOURS, other.agents)
        assert abs(loss - wrong.p_abandon) > 3 * se_loss
        assert abs(delay - (wrong.mean_wait_served_hours + handling_hours)) > 3 * se_delay


def test_a_request_belongs_to_the_shift_on_duty_or_the_next_to_start() -> None:
    shifts = [ShiftConfig("early", 8.0, 16.0, 1), ShiftConfig("late", 16.0, 23.0, 1)]
    hours = np.array([7.0, 8.0, 15.99, 16.0, 22.5, 23.0, 23.5])
    day, k = serving_shift(2.0 + hours / 24.0, shifts)
    assert k.tolist() == [0, 0, 0, 1, 1, 0, 0]
    assert day.tolist() == [2, 2, 2, 2, 2, 3, 3]
    none_day, _ = serving_shift(np.array([-1.0]), shifts)
    assert none_day.tolist() == [-1]
