"""Private-domain members: first order, repurchase, touches, churn and referral, as arrays.

Members are rows of numpy arrays that grow as buyers are accepted. Once a day the model's
``members_day`` process calls :meth:`Members.step`, which advances every member through
that day at once:

1. touches by lifecycle segment (new, active, at risk, high value), within the weekly cap;
2. deleting/unsubscribing: a shifted-beta-geometric base hazard plus the fatigue risk of
   today's touches;
3. the first private order, if due today;
4. repeat orders: Poisson counts at the member's BG/NBD rate, lifted by recent touches,
   capped by the number of repeat purchases left before BG/NBD dropout, so that with
   touches off the counts are exactly BG/NBD's;
5. referral invitations from today's buyers;
6. dormancy: no private order (or join) within the window.

Money is booked in the :class:`~sim.ledger.Ledger` and in per-member value accumulators.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.capture import hook_cost_on_add_cny, hook_cost_on_redeem_cny
from sim.config import ContentType, Segment, SharedConfig, StrategyConfig
from sim.ledger import Ledger
from sim.population import HOURS_PER_DAY, People
from sim.streams import Streams

CARD, SMS, REFERRAL = 0, 1, 2
CHANNELS: tuple[str, ...] = ("card", "sms", "referral")
NO_CHURN, UNSUBSCRIBED, DORMANT = 0, 1, 2
SEGMENTS: tuple[str, ...] = tuple(s.value for s in Segment)
CONTENT: tuple[str, ...] = tuple(c.value for c in ContentType)
LTV_WINDOW_DAYS = 365.0
TOUCH_PHASE = 0.5  # a member's first touch comes half a touch interval after joining

_FIELDS: dict[str, tuple[type, float]] = {
    # name: (dtype, initial value)
    "buyer": (np.int64, -1),
    "channel": (np.int8, 0),
    "join_day": (np.float64, 0.0),
    "wait_days": (np.float64, 0.0),
    "rate_per_day": (np.float64, 0.0),
    "spend_rate": (np.float64, 1.0),
    "tolerance_per_week": (np.float64, 1.0),
    "unsub_hazard_per_day": (np.float64, 0.0),
    "first_due_day": (np.float64, math.inf),
    "first_order_day": (np.float64, math.inf),
    "repeats_left": (np.int64, 0),
    "subscribed": (np.bool_, True),
    "paid_member": (np.bool_, False),
    "churn_day": (np.float64, math.inf),
    "churn_type": (np.int8, NO_CHURN),
    "last_activity_day": (np.float64, 0.0),
    "n_orders": (np.int64, 0),
    "spend_cny": (np.float64, 0.0),
    "lift": (np.float64, 0.0),
    "fatigue": (np.float64, 0.0),
    "touches_last_week": (np.int64, 0),
    "ltv_12m_cny": (np.float64, 0.0),
    "ltv_horizon_cny": (np.float64, 0.0),
    "gross_margin_12m_cny": (np.float64, 0.0),
}


@dataclass
class Invitations:
    """Friends who accepted an invitation today and will send an add request."""

    n: int
    request_day: np.ndarray


class Members:
    """The private-domain member table and its daily dynamics."""

    def __init__(
        self,
        strategy: StrategyConfig,
        shared: SharedConfig,
        people: People,
        ledger: Ledger,
        streams: Streams,
    ) -> None:
        self.s = strategy
        self.shared = shared
        self.people = people
        self.ledger = ledger
        self.streams = streams
        self.horizon_days = shared.run.horizon_days
        self.n = 0
        self._capacity = 0
        self.cols: dict[str, np.ndarray] = {}
        self.touch_history = np.zeros((7, 0), dtype=np.int16)
        self._grow(1024)
        self.daily_discount = math.log1p(shared.accounting.discount_rate_annual) / 365.0
        self._orders: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._resolve_touch_policy()

    # ------------------------------------------------------------------ table

    def _grow(self, capacity: int) -> None:
        for name, (dtype, init) in _FIELDS.items():
            new = np.full(capacity, init, dtype=dtype)
            if name in self.cols:
                new[: self.n] = self.cols[name][: self.n]
            self.cols[name] = new
        hist = np.zeros((7, capacity), dtype=np.int16)
        hist[:, : self.n] = self.touch_history[:, : self.n]
        self.touch_history = hist
        self._capacity = capacity

    def __getattr__(self, name: str) -> np.ndarray:
        cols = self.__dict__.get("cols")
        if cols is not None and name in cols:
            return cols[name][: self.__dict__["n"]]
        raise AttributeError(name)

    def add(self, buyer: np.ndarray, channel: np.ndarray, t_request: np.ndarray, t_accept: np.ndarray) -> None:
        """Accept new members: draw their first-order plan and book the hook or referral reward."""
        k = buyer.size
        if k == 0:
            return
        if self.n + k > self._capacity:
            self._grow(max(2 * self._capacity, self.n + k))
        sl = slice(self.n, self.n + k)
        take, c, offer = self.people.take, self.cols, self.s.offer
        wait = t_accept - t_request
        c["buyer"][sl] = buyer
        c["channel"][sl] = channel
        c["join_day"][sl] = t_accept
        c["wait_days"][sl] = wait
        c["last_activity_day"][sl] = t_accept
        for name in ("rate_per_day", "spend_rate", "tolerance_per_week", "unsub_hazard_per_day"):
            c[name][sl] = take(name, buyer)
        half_life_days = self.shared.population.greeting_half_life_hours / HOURS_PER_DAY
        p_first = offer.first_order_prob * np.exp2(-wait / half_life_days)
        will_order = take("u_first_order", buyer) < p_first
        c["first_due_day"][sl] = np.where(
            will_order, t_accept + take("first_order_delay", buyer) * offer.first_order_mean_days, math.inf
        )
        p = take("dropout_prob", buyer).astype(np.float64)
        with np.errstate(divide="ignore"):
            repeats = np.ceil(np.log1p(-take("u_dropout", buyer).astype(np.float64)) / np.log1p(-p))
        c["repeats_left"][sl] = np.clip(np.nan_to_num(repeats, posinf=2**40), 1, 2**40).astype(np.int64)
        self.n += k
        captured = channel != REFERRAL
        self.ledger.book_many("hook", t_accept[captured], hook_cost_on_add_cny(self.s.hook))
        self.ledger.book_many("referral_reward", t_accept[~captured], self.s.referral.reward_cny)

    # ------------------------------------------------------------------ touches

    def _resolve_touch_policy(self) -> None:
        """Touches per week and content mix of each segment, indexed by segment code."""
        touch = self.s.touch
        tpw, mixes = [], []
        for name in SEGMENTS:
            seg = touch.segments.get(name)
            tpw.append(touch.touches_per_week if seg is None or seg.touches_per_week is None else seg.touches_per_week)
            mix = touch.mix if seg is None or seg.mix is None else seg.mix
            mixes.append([mix.get(cname, 0.0) for cname in CONTENT])
        self._tpw_by_segment = np.array(tpw)
        self._mix_by_segment = np.array(mixes)

    def segment_codes(self, day: int) -> np.ndarray:
        """Lifecycle segment of every member at the start of ``day`` (index into SEGMENTS)."""
        touch = self.s.touch
        age = day - self.join_day
        idle = day - self.last_activity_day
        seg = np.full(self.n, SEGMENTS.index("active"), dtype=np.int8)
        seg[idle > touch.at_risk_days] = SEGMENTS.index("at_risk")
        seg[age < touch.new_days] = SEGMENTS.index("new")
        seg[self.spend_cny >= touch.high_value_spend_cny] = SEGMENTS.index("high_value")
        return seg

    def _touch(self, day: int, reachable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Send today's touches to the ``reachable`` members; return (cost_cny, delete_prob) per member.

        Each segment's members are touched on a regular cadence of ``touches_per_week``
        (staggered by join time), never beyond the weekly cap counted over the last 7 days.
        """
        touch, resp = self.s.touch, self.shared.population.touch_response
        c, n = self.cols, self.n
        sent = np.zeros(n, dtype=np.int64)
        hit = np.empty(0, dtype=np.int64)
        counts = np.zeros((0, len(CONTENT)), dtype=np.int64)
        if touch.cap_per_week > 0 and self._tpw_by_segment.max() > 0.0:
            seg = self.segment_codes(day)
            per_day = self._tpw_by_segment[seg] / 7.0
            join = c["join_day"][:n]
            due = np.floor(per_day * (day + 1.0 - join) + TOUCH_PHASE) - np.floor(
                per_day * np.maximum(0.0, day - join) + TOUCH_PHASE
            )
            room = touch.cap_per_week - c["touches_last_week"][:n]
            sent = np.where(reachable, np.minimum(due.astype(np.int64), room), 0)
            hit = np.flatnonzero(sent > 0)
            counts = np.empty((hit.size, len(CONTENT)), dtype=np.int64)
            rng = self.streams["touch_content"]
            seg_hit = seg[hit]
            for code in np.unique(seg_hit):
                rows = np.flatnonzero(seg_hit == code)
                counts[rows] = rng.multinomial(sent[hit[rows]], self._mix_by_segment[code])
        slot = self.touch_history[day % 7, :n]
        c["touches_last_week"][:n] += sent - slot
        slot[:] = sent
        lift = c["lift"][:n]
        lift *= math.exp(-1.0 / resp.lift_decay_days)
        lift[hit] += counts @ self._content_vector(resp.lift)
        fatigue = c["fatigue"][:n]
        fatigue *= math.exp(-1.0 / resp.fatigue_decay_days)
        fatigue += sent
        cost = np.zeros(n)
        cost[hit] = counts @ self._content_vector(touch.cost_per_touch_cny)
        delete_prob = np.zeros(n)
        pressure = (fatigue[hit] / c["tolerance_per_week"][hit]) ** resp.fatigue_exponent
        delete_prob[hit] = np.minimum(1.0, (counts @ self._content_vector(resp.delete_risk)) * pressure)
        return cost, delete_prob

    @staticmethod
    def _content_vector(by_content: dict[str, float]) -> np.ndarray:
        return np.array([by_content[x] for x in CONTENT])

    # ------------------------------------------------------------------ the day

    def step(self, day: int) -> Invitations:
        """Advance every member through ``day`` (the interval [day, day + 1))."""
        c = self.cols
        n = self.n
        end = day + 1.0
        reachable = c["subscribed"][:n].copy()
        touch_cost, delete_prob = self._touch(day, reachable)
        self.ledger.book("touches", day, float(touch_cost.sum()))
        flow = -touch_cost

        # deleting / unsubscribing
        hazard = 1.0 - (1.0 - c["unsub_hazard_per_day"][:n]) * (1.0 - delete_prob)
        leaving = np.flatnonzero(reachable & (self.streams["unsubscribe"].random(n) < hazard))
        c["subscribed"][leaving] = False
        first_churn = leaving[c["churn_type"][leaving] == NO_CHURN]
        c["churn_type"][first_churn] = UNSUBSCRIBED
        c["churn_day"][first_churn] = day + 0.5

        # first private orders due today
        sub = c["subscribed"][:n]
        first = np.flatnonzero(sub & (c["first_due_day"][:n] < end) & np.isinf(c["first_order_day"][:n]))
        t_first = c["first_due_day"][first]
        c["first_order_day"][first] = t_first
        self._first_order_costs(first, t_first, flow)

        # repeat orders: Poisson counts, capped by the purchases left before BG/NBD dropout
        buyers = np.flatnonzero(sub & (c["first_order_day"][:n] < end) & (c["repeats_left"][:n] > 0))
        start = np.maximum(float(day), c["first_order_day"][buyers])
        rate = c["rate_per_day"][buyers] * (1.0 + c["lift"][buyers])
        if self.s.membership.enabled:
            rate = np.where(c["paid_member"][buyers], rate * self.s.membership.rate_multiplier, rate)
        k = np.minimum(self.streams["purchases"].poisson(rate * (end - start)), c["repeats_left"][buyers])
        c["repeats_left"][buyers] -= k
        rep = np.repeat(buyers, k)
        t_rep = np.repeat(start, k) + np.repeat(end - start, k) * self.streams["order_times"].random(rep.size)

        # money of every order placed today
        orders = np.concatenate([first, rep])
        t_orders = np.concatenate([t_first, t_rep])
        self._book_orders(day, orders, t_orders, flow)

        # value accumulators, discounted to each member's join day
        age_mid = day + 0.5 - c["join_day"][:n]
        discount = np.exp(-self.daily_discount * np.maximum(age_mid, 0.0))
        in_window = (age_mid >= 0.0) & (age_mid < LTV_WINDOW_DAYS)
        c["ltv_12m_cny"][:n] += np.where(in_window, flow * discount, 0.0)
        if day < self.horizon_days:
            c["ltv_horizon_cny"][:n] += flow * discount

        # dormancy, as the operator sees it: no private order within the window
        window = self.shared.accounting.dormancy_window_days
        idle_since = c["last_activity_day"][:n]
        dormant = np.flatnonzero((c["churn_type"][:n] == NO_CHURN) & (end - idle_since >= window))
        c["churn_type"][dormant] = DORMANT
        c["churn_day"][dormant] = idle_since[dormant] + window

        return self._invite(day, orders)

    def _first_order_costs(self, first: np.ndarray, t_first: np.ndarray, flow: np.ndarray) -> None:
        """Book the new-member subsidy, coupon redemptions and membership uptake of first orders."""
        c, s = self.cols, self.s
        subsidy = s.offer.subsidy_cny
        self.ledger.book_many("first_order_subsidy", t_first, subsidy)
        flow[first] -= subsidy
        redeem_cost = hook_cost_on_redeem_cny(s.hook)
        if redeem_cost > 0.0:
            valid = (c["channel"][first] != REFERRAL) & (t_first - c["join_day"][first] <= s.hook.coupon_valid_days)
            self.ledger.book_many("hook", t_first[valid], redeem_cost)
        if s.membership.enabled:
            joins = self.people.take("u_membership", c["buyer"][first]) < s.membership.uptake_prob
            c["paid_member"][first[joins]] = True
            self.ledger.book_many("membership_fee", t_first[joins], s.membership.fee_cny)
            flow[first[joins]] += s.membership.fee_cny

    def _book_orders(self, day: int, orders: np.ndarray, t_orders: np.ndarray, flow: np.ndarray) -> None:
        """Draw each order's spend (Gamma-Gamma) and book margin, service and discounts."""
        if orders.size == 0:
            return
        c, acc = self.cols, self.shared.accounting
        spend = self.streams["spend"].gamma(self.shared.population.spend.p, 1.0 / c["spend_rate"][orders])
        discount = np.where(c["paid_member"][orders], self.s.membership.discount_rate, 0.0) * spend
        margin = spend * acc.gross_margin_rate
        per_member_flow = margin - acc.service_cost_per_order_cny - discount
        np.add.at(flow, orders, per_member_flow)
        np.add.at(c["spend_cny"], orders, spend)
        np.add.at(c["n_orders"], orders, 1)
        np.maximum.at(c["last_activity_day"], orders, t_orders)
        age = t_orders - c["join_day"][orders]
        np.add.at(c["gross_margin_12m_cny"], orders, np.where(age < LTV_WINDOW_DAYS, margin, 0.0))
        ledger = self.ledger
        ledger.book("gmv", day, float(spend.sum()))
        ledger.book("gross_margin", day, float(margin.sum()))
        ledger.book("service", day, acc.service_cost_per_order_cny * orders.size)
        ledger.book("membership_discount", day, float(discount.sum()))
        self._orders.append((orders, t_orders, spend))

    def _invite(self, day: int, orders: np.ndarray) -> Invitations:
        """Today's buyers invite friends; return the friends who accept."""
        ref = self.s.referral
        if not ref.enabled or day >= self.horizon_days or orders.size == 0:
            return Invitations(0, np.empty(0))
        rng = self.streams["referral"]
        inviting = rng.random(orders.size) < ref.invite_prob
        friends = rng.poisson(ref.friends_per_invite, int(inviting.sum()))
        accepted = int(rng.binomial(friends, ref.accept_prob).sum())
        delay = rng.exponential(ref.join_delay_days, accepted) if ref.join_delay_days > 0 else np.zeros(accepted)
        return Invitations(accepted, day + 1.0 + delay)

    # ------------------------------------------------------------------ results

    def order_log(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All private orders: (member row, day, spend_cny), in the order they were booked."""
        if not self._orders:
            return np.empty(0, dtype=np.int64), np.empty(0), np.empty(0)
        rows, days, spend = (np.concatenate(parts) for parts in zip(*self._orders, strict=True))
        return rows, days, spend
