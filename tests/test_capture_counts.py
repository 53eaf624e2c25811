"""Capture counts in whole runs against the configured add probabilities (3 binomial SE)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _helpers import assert_within_3se, make_shared, quiet_strategy

from sim.config import CardConfig, ChannelConfig, HookConfig, HookType, SmsConfig
from sim.model.capture import card_add_prob, sms_add_prob
from sim.model.funnel import simulate
from sim.model.population import build_platform
from sim.model.streams import Streams
from sim.run.metrics import compute_metrics

SHARED = make_shared(seed=21, buyers_per_year=100_000, horizon_days=90, followup_days=30)


@pytest.fixture(scope="module")
def platform():
    return build_platform(SHARED.population, SHARED.run.horizon_days, Streams(SHARED.run.seed, 0))


@pytest.mark.parametrize(
    "hook",
    [HookConfig(type=HookType.cash, value_cny=5.0), HookConfig(type=HookType.virtual, value_cny=20.0)],
    ids=["cash5", "virtual20"],
)
def test_first_card_requests_match_card_add_prob(platform, hook: HookConfig) -> None:
    # only first cards can add (repeat_card_factor=0 makes every further card worthless)
    card = CardConfig(repeat_card_factor=0.0)
    strategy = quiet_strategy(channel=ChannelConfig(card=True, sms=False), hook=hook, card=card)
    rec = simulate(strategy, SHARED, 0, platform)
    p = card_add_prob(hook, card)

    first = platform.parcel_card_index == 0
    scanned_in_time = platform.parcel_delivery_day + platform.parcel_scan_delay < rec.n_days
    n_first = int((first & scanned_in_time).sum())
    assert n_first > 10_000
    # every buyer receives exactly one first card
    assert np.bincount(platform.parcel_buyer[first], minlength=platform.n_buyers).max() == 1

    # exactly the first cards whose scan uniform falls under the probability become requests ...
    expected_exact = int((first & scanned_in_time & (platform.parcel_u_scan < p)).sum())
    assert rec.requests["card"] == expected_exact
    assert rec.requests["sms"] == 0 and rec.sms_sent == 0
    # ... and that count is Binomial(n_first, p): SE = sqrt(n p (1 - p))
    assert_within_3se(rec.requests["card"], n_first * p, math.sqrt(n_first * p * (1 - p)), "first-card requests")
    # unlimited onboarding: every request becomes a member
    assert len(rec.members) == rec.requests["card"]
    assert (rec.members["channel"] == "card").all()


def test_further_cards_add_with_the_repeat_factor(platform) -> None:
    card = CardConfig(floor_add_prob=0.3, repeat_card_factor=0.5)
    strategy = quiet_strategy(channel=ChannelConfig(card=True, sms=False), card=card)
    rec = simulate(strategy, SHARED, 0, platform)
    assert rec.cards_sent == platform.n_orders  # every parcel (delivered within the run) carries a card
    p_k = card_add_prob(strategy.hook, card) * card.repeat_card_factor ** platform.parcel_card_index.astype(float)
    qualifies = (platform.parcel_u_scan < p_k) & (
        platform.parcel_delivery_day + platform.parcel_scan_delay < rec.n_days
    )
    # with unlimited onboarding, every buyer with at least one card that leads to a request becomes one member
    assert len(rec.members) == np.unique(platform.parcel_buyer[qualifies]).size
    assert len(np.unique(rec.members["buyer"])) == len(rec.members)
    # later cards do add: more members than from first cards alone
    assert len(rec.members) > int((qualifies & (platform.parcel_card_index == 0)).sum())
    metrics = compute_metrics(rec)
    assert metrics["capture_rate_card"] == pytest.approx(len(rec.members) / rec.cards_sent)


@pytest.mark.parametrize(
    "sms",
    [SmsConfig(), SmsConfig(intercept_prob=0.4, click_prob=0.05, scene_switch_prob=0.5)],
    ids=["defaults", "high_click"],
)
def test_sms_requests_per_message_match_sms_add_prob(platform, sms: SmsConfig) -> None:
    strategy = quiet_strategy(channel=ChannelConfig(card=False, sms=True), sms=sms)
    rec = simulate(strategy, SHARED, 0, platform)
    n = rec.sms_sent
    assert rec.cards_sent == 0 and rec.requests["card"] == 0
    # one message per deduplicated buyer, sent delay_days after the first order, within the horizon
    due = np.floor(platform.arrival_day) + sms.delay_days + sms.send_hour / 24.0 < SHARED.run.horizon_days
    assert n == int(due.sum())
    assert sum(rec.sms_stages.values()) == n
    p = sms_add_prob(sms)
    assert_within_3se(rec.requests["sms"] / n, p, math.sqrt(p * (1 - p) / n), "SMS requests per SMS sent")
    assert rec.requests["sms"] == rec.sms_stages["added"]
    # intercepted share is the carrier filter probability
    q = sms.intercept_prob
    assert_within_3se(rec.sms_stages["intercepted"] / n, q, math.sqrt(q * (1 - q) / n), "intercepted share")
    # response delays are exponential with the configured mean: SE = mean / sqrt(k)
    hours = rec.sms_response_hours
    assert hours.size == rec.sms_stages["added"]
    assert_within_3se(
        hours.mean(), sms.response_mean_hours, sms.response_mean_hours / math.sqrt(hours.size), "mean response hours"
    )
    metrics = compute_metrics(rec)
    assert metrics["capture_rate_sms"] == pytest.approx(rec.requests["sms"] / n)
    marks = [metrics[f"sms_adds_{h}h"] for h in (3, 6, 12, 24)]
    assert marks == sorted(marks) and marks[-1] <= metrics["capture_rate_sms"] + 1e-12


def test_intercepted_sms_yield_zero(platform) -> None:
    strategy = quiet_strategy(channel=ChannelConfig(card=False, sms=True), sms=SmsConfig(intercept_prob=1.0))
    rec = simulate(strategy, SHARED, 0, platform)
    assert rec.sms_sent > 0
    assert rec.requests["sms"] == 0 and len(rec.members) == 0
    assert compute_metrics(rec)["capture_rate_sms"] == 0.0
    assert np.isnan(compute_metrics(rec)["cac"])  # no members: missing, not infinite


def test_near_instant_sms_responses_late_in_the_year_never_precede_the_send() -> None:
    # Traits are stored in float32; a response time built from them in float32 rounded to before its send
    # time late in the year (spacing ~3e-5 days at day 300) and SimPy refused the negative delay.
    shared = make_shared(seed=4, buyers_per_year=20_000, horizon_days=365, followup_days=5)
    sms = SmsConfig(intercept_prob=0.0, click_prob=1.0, scene_switch_prob=1.0, response_mean_hours=1e-4)
    strategy = quiet_strategy(channel=ChannelConfig(card=False, sms=True), sms=sms)
    rec = simulate(strategy, shared, 0)
    assert rec.requests["sms"] == rec.sms_sent > 10_000
    assert (rec.sms_response_hours >= 0).all()
    joined_after_send = rec.members["join_day"].to_numpy() % 1.0 >= sms.send_hour / 24.0
    assert joined_after_send.all()
