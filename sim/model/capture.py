"""Capture probabilities and hook economics: how a card or an SMS turns into an add request.

Pure functions of the strategy's configuration (no SimPy, no state), so the response
curves can be tested and plotted on their own.
"""

from __future__ import annotations

import math

import numpy as np

from sim.config import CardConfig, HookConfig, HookType, SmsConfig


def card_add_prob(hook: HookConfig, card: CardConfig) -> float:
    """Chance that a buyer's first card leads to an add request.

    ``floor + max_add_prob * (1 - exp(-value / value_scale))`` for the hook type
    (diminishing returns in the hook's value; the floor means a card never yields zero),
    times the design multiplier (the generic card meets immunity), capped at 1.
    """
    resp = card.hook_response[hook.type.value]
    curve = resp.max_add_prob * -math.expm1(-hook.value_cny / resp.value_scale_cny)
    return min(1.0, (card.floor_add_prob + curve) * card.design_multiplier[card.design.value])


def card_add_probs(hook: HookConfig, card: CardConfig, card_index: np.ndarray) -> np.ndarray:
    """Add probability of the k-th card a buyer receives (k = card_index, 0 for the first)."""
    return card_add_prob(hook, card) * card.repeat_card_factor ** card_index.astype(float)


def sms_add_prob(sms: SmsConfig) -> float:
    """Chance that one SMS leads to an add request: not intercepted, clicked, switched to WeChat."""
    return (1.0 - sms.intercept_prob) * sms.click_prob * sms.scene_switch_prob


SMS_INTERCEPTED, SMS_IGNORED, SMS_CLICKED, SMS_ADDED = 0, 1, 2, 3


def sms_stage(u_intercept: np.ndarray, u_click: np.ndarray, u_switch: np.ndarray, sms: SmsConfig) -> np.ndarray:
    """Furthest stage each SMS reaches, each stage decided by its own uniform per buyer.

    Intercepted if ``u_intercept < intercept_prob``; a delivered message is clicked if
    ``u_click < click_prob``; a click is completed in WeChat if ``u_switch < scene_switch_prob``.
    Each stage is monotone in its own probability and ignores the others' settings, so raising the
    click rate adds clickers without changing who was intercepted or who switches (common random numbers).
    """
    stage = np.full(u_intercept.shape, SMS_INTERCEPTED, dtype=np.int8)
    delivered = u_intercept >= sms.intercept_prob
    stage[delivered] = SMS_IGNORED
    clicked = delivered & (u_click < sms.click_prob)
    stage[clicked] = SMS_CLICKED
    stage[clicked & (u_switch < sms.scene_switch_prob)] = SMS_ADDED
    return stage


def hook_cost_on_add_cny(hook: HookConfig) -> float:
    """What the brand pays for the hook when a platform buyer is added."""
    if hook.type is HookType.cash:
        return hook.value_cny
    if hook.type is HookType.physical:
        return hook.value_cny + hook.shipping_cost_cny
    if hook.type is HookType.virtual:
        return hook.value_cny * hook.virtual_cost_ratio
    return 0.0  # a coupon costs only when redeemed


def hook_cost_on_redeem_cny(hook: HookConfig) -> float:
    """What the brand pays when a hook coupon is redeemed on the first private order."""
    return hook.value_cny if hook.type is HookType.coupon else 0.0
