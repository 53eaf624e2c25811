"""Capture probabilities and hook economics: how a card or an SMS turns into an add request.

Pure functions of the strategy's configuration (no SimPy, no state), so the response
curves can be tested and plotted on their own. A hook is anything with a ``type`` (a
:class:`~sim.config.HookType` or :class:`~sim.config.WaveHookType`, whose ``none`` costs nothing)
and the settings of :class:`~sim.config.HookConfig`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.config import CardConfig, HookConfig, HookType, SmsConfig, SmsWaveConfig


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


def hook_cost_on_add_cny(hook: Any) -> float:
    """What the brand pays for the hook (a card's or an SMS wave's) when a platform buyer is added."""
    kind = hook.type.value
    if kind == HookType.cash.value:
        return float(hook.value_cny)
    if kind == HookType.physical.value:
        return float(hook.value_cny + hook.shipping_cost_cny)
    if kind == HookType.virtual.value:
        return float(hook.value_cny * hook.virtual_cost_ratio)
    return 0.0  # a coupon costs only when redeemed; no hook costs nothing


def hook_cost_on_redeem_cny(hook: Any) -> float:
    """What the brand pays when a hook coupon is redeemed on the first private order."""
    return float(hook.value_cny) if hook.type.value == HookType.coupon.value else 0.0


# ----------------------------------------------------------------------------- SMS waves


def wave_hook_lift(wave: SmsWaveConfig, sms: SmsConfig) -> float:
    """The click multiplier of the wave's hook: 1 + max_click_lift * (1 - exp(-value / value_scale_cny)); 1 if none."""
    kind = wave.hook.type.value
    if kind == "none":
        return 1.0
    resp = sms.hook_response[kind]
    return 1.0 + resp.max_click_lift * -math.expm1(-wave.hook.value_cny / resp.value_scale_cny)


def recency_factor(recency_days: np.ndarray, sms: SmsConfig) -> np.ndarray:
    """Click multiplier of buyers whose last platform order was ``recency_days`` ago: 1 up to
    ``recency_fresh_days``, then halving every ``recency_half_life_days``."""
    stale = np.maximum(np.asarray(recency_days, dtype=float) - sms.recency_fresh_days, 0.0)
    return np.exp2(-stale / sms.recency_half_life_days)


def wave_click_probs(
    wave: SmsWaveConfig, sms: SmsConfig, recency_days: np.ndarray, earlier_sms: np.ndarray
) -> np.ndarray:
    """Chance that each recipient of a delivered wave message clicks it.

    ``click_prob`` x the hook's lift x the send hour's multiplier x the recency factor x
    ``repeat_factor`` per earlier SMS the recipient received, capped at 1. A fresh buyer sent a
    wave without a hook at 10:00 clicks as the routine message's readers do.
    """
    hour = sms.hour_multiplier[int(wave.send_hour)]
    base = sms.click_prob * wave_hook_lift(wave, sms) * hour
    repeat = sms.repeat_factor ** np.asarray(earlier_sms, dtype=float)
    return np.minimum(1.0, base * recency_factor(recency_days, sms) * repeat)


def wave_add_prob(wave: SmsWaveConfig, sms: SmsConfig, recency_days: float = 0.0, earlier_sms: int = 0) -> float:
    """Chance that one message of a wave that was not filtered as a whole leads to an add request:
    not intercepted, clicked, switched to WeChat (the closed form the tests check)."""
    click = float(wave_click_probs(wave, sms, np.array([recency_days]), np.array([earlier_sms]))[0])
    return (1.0 - wave.intercept_prob) * click * sms.scene_switch_prob


class HookTable:
    """Every hook a strategy pays for, indexed: first the package card's (the strategy's own, then each campaign's
    version), then each SMS wave's. Per index: the cost on add, the cost when redeemed (coupons) and how long a
    coupon stays valid; ``wave`` marks the wave hooks, which the ledger books on their own line."""

    def __init__(self, card_hooks: list[HookConfig], waves: list[SmsWaveConfig] | tuple[()] = ()) -> None:
        hooks: list[Any] = [*card_hooks, *(w.hook for w in waves)]
        self.first_wave = len(card_hooks)
        self.on_add_cny = np.array([hook_cost_on_add_cny(h) for h in hooks])
        self.on_redeem_cny = np.array([hook_cost_on_redeem_cny(h) for h in hooks])
        self.valid_days = np.array([float(h.coupon_valid_days) for h in hooks])
        self.wave = np.arange(len(hooks)) >= self.first_wave

    def of_wave(self, wave: int) -> int:
        """The index of wave ``wave``'s hook."""
        return self.first_wave + wave
