"""A strategy's touch policy as arrays: each lifecycle segment's cadence and content mix, and what a touch does.

Members are in one of four lifecycle segments (new, active, at risk, high value); each
segment has its own touches per week (capped by ``cap_per_week``) and content mix. A touch
of each content type (educational, emotional, promotional) has a cost, a lift on the
purchase rate and a delete risk. :class:`TouchPolicy` resolves the config into vectors
indexed by segment or content code, so that the member step applies them to many members
at once. Pure numpy; no SimPy, no state beyond the resolved config.
"""

from __future__ import annotations

import math

import numpy as np

from sim.config import ContentType, Segment, TouchConfig, TouchResponseConfig

SEGMENTS: tuple[str, ...] = tuple(s.value for s in Segment)
CONTENT: tuple[str, ...] = tuple(c.value for c in ContentType)


def content_vector(by_content: dict[str, float]) -> np.ndarray:
    """A per-content mapping as a vector indexed by content code."""
    return np.array([by_content[x] for x in CONTENT])


class TouchPolicy:
    """Touch interval (days) and content mix of each segment, and the cost, lift and risk of each content type."""

    def __init__(self, touch: TouchConfig, response: TouchResponseConfig) -> None:
        self.touch = touch
        intervals, mixes = [], []
        for name in SEGMENTS:
            seg = touch.segments.get(name)
            tpw = touch.touches_per_week if seg is None or seg.touches_per_week is None else seg.touches_per_week
            per_week = min(tpw, float(touch.cap_per_week))
            intervals.append(7.0 / per_week if per_week > 0.0 else math.inf)
            mix = touch.mix if seg is None or seg.mix is None else seg.mix
            mixes.append([mix.get(cname, 0.0) for cname in CONTENT])
        self.interval_days = np.array(intervals)
        shares = np.array(mixes)
        self.cum_mix = np.cumsum(shares, axis=1)[:, :-1] / shares.sum(axis=1, keepdims=True)  # inner cut points
        self.one_mix = bool((self.cum_mix == self.cum_mix[0]).all())  # every segment's mix the same
        self.on = bool(np.isfinite(self.interval_days).any())
        self.every_segment = bool(np.isfinite(self.interval_days).all())  # no segment left untouched
        # one cadence and one mix for every segment (the default): a member's segment changes nothing about a touch
        self.segments_alike = self.one_mix and bool((self.interval_days == self.interval_days[0]).all())
        self.cost_cny = content_vector(touch.cost_per_touch_cny)
        self.lift = content_vector(response.lift)
        self.delete_risk = content_vector(response.delete_risk)

    def segment_codes(
        self,
        day: float | np.ndarray,
        last_activity_day: np.ndarray,
        join_day: np.ndarray,
        spend_cny: np.ndarray,
    ) -> np.ndarray:
        """Lifecycle segment (index into SEGMENTS) of members with these histories at time ``day``."""
        touch = self.touch
        seg = np.full(join_day.size, SEGMENTS.index("active"), dtype=np.int8)
        seg[day - last_activity_day > touch.at_risk_days] = SEGMENTS.index("at_risk")
        seg[day - join_day < touch.new_days] = SEGMENTS.index("new")
        seg[spend_cny >= touch.high_value_spend_cny] = SEGMENTS.index("high_value")
        return seg

    def content_kinds(self, u: np.ndarray, seg: np.ndarray) -> np.ndarray:
        """The content type (index into CONTENT) of one touch each: a categorical draw (uniform ``u``) from the mix of
        its segment ``seg``."""
        kind = np.zeros(u.size, dtype=np.int64)
        for j in range(self.cum_mix.shape[1]):  # the mix's inner cut points, one comparison each
            # one mix for every segment (the default): its cut point is a scalar, else each touch's segment's
            kind += u >= (self.cum_mix[0, j] if self.one_mix else self.cum_mix[:, j][seg])
        return kind

    def content_counts(self, kind: np.ndarray, sent: np.ndarray) -> np.ndarray:
        """Touches of each content type per member, from each touch's content code (:meth:`content_kinds`); ``sent``
        touches per member, the codes in member order."""
        row = np.repeat(np.arange(sent.size), sent)
        return np.bincount(row * len(CONTENT) + kind, minlength=sent.size * len(CONTENT)).reshape(-1, len(CONTENT))


def decayed_batch(sent: np.ndarray, interval_days: np.ndarray, decay_days: float) -> np.ndarray:
    """``sent`` touches ``interval_days`` apart, each decayed by exp(-age / decay_days), as of the last of them."""
    out = sent.astype(np.float64)
    many = np.flatnonzero(sent > 1)  # a single touch counts 1 (most days: a touch a day at most)
    if many.size:
        q = np.exp(-interval_days[many] / decay_days)
        out[many] = (1.0 - q ** sent[many]) / (1.0 - q)
    return out


def touch_rate_per_week(decayed_count: np.ndarray, decay_days: float) -> np.ndarray:
    """The recent touch rate, in touches per week, that fatigue compares with the member's tolerance.

    ``decayed_count`` is the member's touches so far, each weighted by exp(-age / decay_days), at the
    time of their latest touch. The rate is the regular cadence that would leave that count:
    touches every D days, forever, leave 1 / (1 - exp(-D / decay_days)), so
    D = -decay_days * ln(1 - 1 / count) and the rate is 7 / D. For any regular cadence this is the
    cadence itself, whatever ``decay_days`` (which only sets how fast the measure forgets); it starts
    at 0 for a single touch and grows towards the cadence over the first few touches.
    """
    count = np.asarray(decayed_count, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        days_apart = -decay_days * np.log1p(-1.0 / count)
        return np.where(count > 1.0, 7.0 / days_apart, 0.0)
