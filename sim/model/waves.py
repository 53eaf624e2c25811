"""SMS waves: a dated message to an audience of platform buyers, deduplicated, that may bring add requests.

:func:`send_wave` decides everything about one wave at its send time, for all its recipients at
once (the model's ``sms_campaigner`` process calls it at each wave's time):

1. the audience: the existing customer base, the new buyers so far, or both; narrowed to one
   platform, to an A/B slice of a per-buyer uniform, and by RFM at the send time (days since the
   last platform order, platform orders so far, mean order value);
2. deduplication: nobody who has asked to add (members, pending and lost requests), nobody who
   unsubscribed from SMS (退订), and, unless the wave says otherwise, nobody an earlier wave reached;
3. the wave as a whole is filtered with ``filter_prob`` (a bad copy or link: zero adds, messages
   still paid); otherwise each message is intercepted with ``intercept_prob``, and a delivered one
   is clicked at the wave's click rate (:func:`sim.model.capture.wave_click_probs`: hook, send hour,
   recency, earlier SMS) and completed in WeChat with ``scene_switch_prob``; requests arrive after an
   exponential delay of mean ``response_mean_hours``; a delivered message not acted on makes its
   reader unsubscribe with ``opt_out_prob``.

Every decision uses counter-based uniforms keyed by (buyer, wave), the wave being known by its
name, so a wave keeps its luck whatever the other waves and strategies (common random numbers).
The state carried from wave to wave (:class:`SmsState`) is plain arrays; nothing here is SimPy.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np

from sim.config import PopulationConfig, SmsConfig, SmsWaveConfig, WaveAudience
from sim.model.calendar import first_day
from sim.model.capture import wave_click_probs
from sim.model.population import HOURS_PER_DAY, Platform
from sim.model.quantiles import exponential_from_uniform
from sim.model.streams import Streams


def wave_key(wave: SmsWaveConfig) -> int:
    """The coordinate of a wave's luck: a hash of its name."""
    return zlib.crc32(wave.name.encode("utf-8")) & 0x7FFFFFFF


def wave_send_time(wave: SmsWaveConfig, start_date: str) -> float:
    """When the wave goes out, in days since the start of the run."""
    return first_day(wave.date, start_date) + wave.send_hour / HOURS_PER_DAY


@dataclass
class SmsState:
    """What waves remember about each platform buyer: SMS delivered so far, unsubscribed, reached by a wave."""

    delivered: np.ndarray  # int16: SMS delivered to the buyer so far (the routine message and waves)
    opted_out: np.ndarray  # bool: unsubscribed from SMS (退订)
    reached: np.ndarray  # bool: sent an earlier wave
    messaged: np.ndarray  # bool: sent any SMS (the routine message or a wave)

    @classmethod
    def empty(cls, n: int) -> SmsState:
        return cls(np.zeros(n, dtype=np.int16), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), np.zeros(n, bool))


@dataclass
class WaveResult:
    """One wave as sent: the counts at each step and who asked to add when."""

    name: str
    send_time: float
    audience: int = 0  # buyers in the audience after targeting, before deduplication
    skipped_asked: int = 0  # ... who had asked to add already
    skipped_opted_out: int = 0  # ... who had unsubscribed (and had not asked)
    skipped_reached: int = 0  # ... whom an earlier wave had reached (and neither of the above)
    sent: int = 0
    filtered: bool = False  # the whole wave was filtered
    delivered: int = 0
    clicked: int = 0
    opted_out: int = 0
    message_cost_cny: float = 0.0
    recipients: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    requesters: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    unsubscribed: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    request_hours: np.ndarray = field(default_factory=lambda: np.empty(0))  # hours from sending to each request


def audience(
    wave: SmsWaveConfig,
    platform: Platform,
    t_send: float,
    streams: Streams,
    pop: PopulationConfig,
    platforms: list[str],
    history: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """The buyers a wave targets at ``t_send`` (before deduplication), in id order.

    ``history`` is every buyer's last platform order before ``t_send`` and orders so far
    (:meth:`Platform.history_at`).
    """
    n_new = platform.n_new
    parts = []
    if wave.audience in (WaveAudience.new_buyers, WaveAudience.all):
        parts.append(np.flatnonzero(platform.arrival_day[:n_new] < t_send))
    if wave.audience in (WaveAudience.base, WaveAudience.all):
        parts.append(np.arange(n_new, platform.n_buyers))
    ids = np.concatenate(parts).astype(np.int64)
    if wave.platform:
        ids = ids[platform.marketplace[ids] == platforms.index(wave.platform)]
    if wave.slice_from > 0.0 or wave.slice_to < 1.0:
        u = streams.uniform("sms.ab_split", ids)
        ids = ids[(u >= wave.slice_from) & (u < wave.slice_to)]
    last, n_orders = history
    rfm = wave.rfm
    keep = (t_send - last[ids] <= rfm.max_recency_days) & (n_orders[ids] >= rfm.min_orders)
    if rfm.min_order_value_cny > 0.0:
        mean_order_cny = pop.spend.p / platform.traits.spend_rate[ids].astype(np.float64)
        keep &= mean_order_cny >= rfm.min_order_value_cny
    return ids[keep]


def send_wave(
    wave: SmsWaveConfig,
    t_send: float,
    platform: Platform,
    state: SmsState,
    requested_at: np.ndarray,
    sms: SmsConfig,
    streams: Streams,
    pop: PopulationConfig,
    platforms: list[str],
) -> WaveResult:
    """Send one wave at ``t_send``: deduplicate its audience, decide every message, update ``state``."""
    history = platform.history_at(t_send)
    ids = audience(wave, platform, t_send, streams, pop, platforms, history)
    result = WaveResult(wave.name, t_send, audience=int(ids.size))
    asked = requested_at[ids] <= t_send
    opted = ~asked & state.opted_out[ids]
    reached = ~asked & ~opted & state.reached[ids] if wave.skip_earlier_recipients else np.zeros(ids.size, bool)
    result.skipped_asked, result.skipped_opted_out = int(asked.sum()), int(opted.sum())
    result.skipped_reached = int(reached.sum())
    ids = ids[~(asked | opted | reached)]
    result.sent, result.recipients = int(ids.size), ids
    result.message_cost_cny = wave.cost_per_message_cny * ids.size
    if ids.size == 0:
        return result
    key = wave_key(wave)
    state.reached[ids] = True
    state.messaged[ids] = True
    result.filtered = bool(streams.uniform("sms.wave_filtered", key) < wave.filter_prob)
    if result.filtered:
        return result
    delivered = streams.uniform("sms.wave_intercept", ids, key) >= wave.intercept_prob
    recency = t_send - history[0][ids]
    click = wave_click_probs(wave, sms, recency, state.delivered[ids])
    clicked = delivered & (streams.uniform("sms.wave_click", ids, key) < click)
    added = clicked & (streams.uniform("sms.wave_switch", ids, key) < sms.scene_switch_prob)
    opt_out = delivered & ~added & (streams.uniform("sms.wave_opt_out", ids, key) < sms.opt_out_prob)
    state.delivered[ids[delivered]] += 1
    state.opted_out[ids[opt_out]] = True
    result.delivered, result.clicked, result.opted_out = int(delivered.sum()), int(clicked.sum()), int(opt_out.sum())
    result.requesters, result.unsubscribed = ids[added], ids[opt_out]
    delay = exponential_from_uniform(sms.response_mean_hours, streams.uniform("sms.wave_delay", ids[added], key))
    result.request_hours = delay
    return result


def routine_opt_outs(
    who: np.ndarray, delivered: np.ndarray, added: np.ndarray, sms: SmsConfig, streams: Streams
) -> np.ndarray:
    """Which readers of the routine message (``who``, delivered and not added) unsubscribe from SMS."""
    u = streams.uniform("sms.routine_opt_out", who)
    return who[delivered & ~added & (u < sms.opt_out_prob)]
