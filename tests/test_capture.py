"""Capture response curves and hook economics (pure functions of the configuration)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from _helpers import assert_within_3se

from sim.config import CardConfig, CardDesign, HookConfig, HookType, SmsConfig
from sim.model.capture import (
    SMS_ADDED,
    SMS_CLICKED,
    SMS_IGNORED,
    SMS_INTERCEPTED,
    card_add_prob,
    card_add_probs,
    hook_cost_on_add_cny,
    hook_cost_on_redeem_cny,
    sms_add_prob,
    sms_stage,
)

RANKING = (HookType.cash, HookType.physical, HookType.coupon, HookType.virtual)
VALUES = (1.0, 5.0, 10.0, 20.0, 50.0)


def _p(hook_type: HookType, value: float, card: CardConfig | None = None) -> float:
    return card_add_prob(HookConfig(type=hook_type, value_cny=value), card or CardConfig())


@pytest.mark.parametrize("value", VALUES)
def test_practitioners_ranking_at_equal_value(value: float) -> None:
    probs = [_p(t, value) for t in RANKING]
    assert probs == sorted(probs, reverse=True)
    assert len(set(probs)) == len(probs), f"ties in {probs}"


def test_card_add_prob_closed_form() -> None:
    card = CardConfig()
    resp = card.hook_response["cash"]
    expected = card.floor_add_prob + resp.max_add_prob * (1.0 - math.exp(-7.0 / resp.value_scale_cny))
    assert _p(HookType.cash, 7.0) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("hook_type", list(HookType))
def test_diminishing_returns_in_hook_value(hook_type: HookType) -> None:
    values = np.arange(0.0, 101.0, 5.0)
    probs = np.array([_p(hook_type, v) for v in values])
    increments = np.diff(probs)
    assert np.all(increments > 0), "more value must attract more adds"
    assert np.all(np.diff(increments) < 0), "each further CNY 5 must add less than the previous one"
    # saturates at floor + max_add_prob
    resp = CardConfig().hook_response[hook_type.value]
    assert _p(hook_type, 1e5) == pytest.approx(CardConfig().floor_add_prob + resp.max_add_prob)


@pytest.mark.parametrize("hook_type", list(HookType))
def test_card_never_yields_zero(hook_type: HookType) -> None:
    card = CardConfig()
    assert _p(hook_type, 0.0) == pytest.approx(card.floor_add_prob)
    assert _p(hook_type, 0.0) > 0.0
    generic = dataclasses.replace(card, design=CardDesign.generic)
    assert _p(hook_type, 0.0, generic) > 0.0


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("hook_type", list(HookType))
def test_generic_design_below_postcard(hook_type: HookType, value: float) -> None:
    postcard = CardConfig(design=CardDesign.postcard)
    generic = CardConfig(design=CardDesign.generic)
    letter = CardConfig(design=CardDesign.founder_letter)
    assert _p(hook_type, value, generic) < _p(hook_type, value, postcard) < _p(hook_type, value, letter)
    assert _p(hook_type, value, generic) == pytest.approx(0.5 * _p(hook_type, value, postcard))


def test_card_add_prob_capped_at_one() -> None:
    card = CardConfig(floor_add_prob=0.9, design=CardDesign.founder_letter)
    assert _p(HookType.cash, 100.0, card) == 1.0


def test_repeat_cards_less_effective() -> None:
    hook, card = HookConfig(), CardConfig(repeat_card_factor=0.5)
    probs = card_add_probs(hook, card, np.array([0, 1, 2, 3]))
    first = card_add_prob(hook, card)
    np.testing.assert_allclose(probs, first * np.array([1.0, 0.5, 0.25, 0.125]))


def test_sms_add_prob_formula_and_below_card() -> None:
    sms = SmsConfig()
    assert sms_add_prob(sms) == pytest.approx((1 - sms.intercept_prob) * sms.click_prob * sms.scene_switch_prob)
    for hook_type in HookType:
        assert sms_add_prob(sms) < _p(hook_type, HookConfig().value_cny)
    assert sms_add_prob(dataclasses.replace(sms, intercept_prob=1.0)) == 0.0  # a blocked message yields zero


@pytest.mark.parametrize(
    "sms",
    [SmsConfig(), SmsConfig(intercept_prob=0.45, click_prob=0.05, scene_switch_prob=0.3)],
    ids=["defaults", "high_click"],
)
def test_sms_stage_frequencies(sms: SmsConfig) -> None:
    n = 1_000_000
    u = np.random.default_rng(2024).random((3, n))
    stage = sms_stage(*u, sms)
    assert set(np.unique(stage)) <= {SMS_INTERCEPTED, SMS_IGNORED, SMS_CLICKED, SMS_ADDED}

    delivered = int((stage != SMS_INTERCEPTED).sum())
    clicked = int((stage >= SMS_CLICKED).sum())
    added = int((stage == SMS_ADDED).sum())

    # each conditional share is a binomial proportion: SE = sqrt(p (1 - p) / trials)
    p = 1.0 - sms.intercept_prob
    assert_within_3se(delivered / n, p, math.sqrt(p * (1 - p) / n), "delivered share")
    p = sms.click_prob
    assert_within_3se(clicked / delivered, p, math.sqrt(p * (1 - p) / delivered), "click share of delivered")
    p = sms.scene_switch_prob
    assert_within_3se(added / clicked, p, math.sqrt(p * (1 - p) / clicked), "scene-switch share of clicked")
    p = sms_add_prob(sms)
    assert_within_3se(added / n, p, math.sqrt(p * (1 - p) / n), "overall add share")


def test_each_sms_stage_keeps_its_luck_when_another_stage_changes() -> None:
    """Common random numbers per stage: a higher click rate adds clickers and changes no one's interception or
    scene switch; a higher interception rate only turns delivered messages into intercepted ones."""
    u = np.random.default_rng(7).random((3, 200_000))
    base = SmsConfig(intercept_prob=0.2, click_prob=0.1, scene_switch_prob=0.5)
    stage = sms_stage(*u, base)
    more_clicks = sms_stage(*u, dataclasses.replace(base, click_prob=0.2))
    assert np.array_equal(stage == SMS_INTERCEPTED, more_clicks == SMS_INTERCEPTED)
    assert np.all(more_clicks[stage >= SMS_CLICKED] >= SMS_CLICKED)  # every clicker still clicks
    switched = u[2] < base.scene_switch_prob
    assert np.array_equal(more_clicks == SMS_ADDED, (more_clicks >= SMS_CLICKED) & switched)
    more_intercepted = sms_stage(*u, dataclasses.replace(base, intercept_prob=0.3))
    changed = more_intercepted != stage
    assert changed.any() and np.all(more_intercepted[changed] == SMS_INTERCEPTED)


@pytest.mark.parametrize("value", [0.0, 3.0, 20.0])
def test_hook_costs_by_type(value: float) -> None:
    cash = HookConfig(type=HookType.cash, value_cny=value)
    coupon = HookConfig(type=HookType.coupon, value_cny=value)
    physical = HookConfig(type=HookType.physical, value_cny=value, shipping_cost_cny=4.0)
    virtual = HookConfig(type=HookType.virtual, value_cny=value, virtual_cost_ratio=0.2)

    assert hook_cost_on_add_cny(cash) == value
    assert hook_cost_on_redeem_cny(cash) == 0.0

    assert hook_cost_on_add_cny(coupon) == 0.0
    assert hook_cost_on_redeem_cny(coupon) == value

    assert hook_cost_on_add_cny(physical) == value + 4.0
    assert hook_cost_on_redeem_cny(physical) == 0.0

    assert hook_cost_on_add_cny(virtual) == pytest.approx(0.2 * value)
    assert hook_cost_on_redeem_cny(virtual) == 0.0
