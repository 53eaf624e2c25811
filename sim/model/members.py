"""Private-domain members: first order, repurchase, touches, churn and referral, as arrays.

Members are rows of numpy arrays that grow as buyers are accepted. Once a day the model's
``members_day`` process calls :meth:`Members.step`, which advances every member through
that day at once:

1. touches by lifecycle segment (new, active, at risk, high value) on each member's own
   cadence, spaced at least 7 / cap_per_week days apart, each with a fatigue delete risk;
2. deleting/unsubscribing at each member's shifted-beta-geometric time (drawn at joining);
3. the first private order, if due today;
4. repeat orders, in two streams. *Natural* repurchases are what the member would buy anyway:
   Poisson counts at the member's BG/NBD rate, capped by the purchases left before BG/NBD
   dropout, so with or without touches or membership they are exactly BG/NBD's (same counts,
   times and spends on common random numbers). A natural repurchase goes private with the
   platform's ``private_share``, replacing the platform order the member would have placed (a
   cannibalised order), and otherwise stays on the platform, where the control arm has it too.
   *Added* orders come on top, from streams of their own, at the natural rate times (boost - 1),
   boost being the touch lift (1 + decayed lift) times the paid-membership multiplier, and only
   while the member is alive in BG/NBD's sense (before the repurchase after which they drop out):
   touches make a live customer buy more often, they do not bring back one who has left. Added
   orders are private and new. Referred friends bought on no platform: all their orders are
   private and new;
5. referral shares from today's private orders, under the referral mechanic (invitation, 拼团, 助力 or 红包,
   :mod:`sim.model.referral`), less likely with every earlier share when members grow immune;
6. dormancy: no private order (or join) within the window.

Each of these touches only the members it concerns (those due today), found with one
comparison over the table, so a day costs little more than the day's events. Lift and
fatigue decay lazily: they are stored with the day they were last updated. Each member's
buyer id is hashed with the key of every stream drawn from daily once (:meth:`Members._uniform`),
and a touch's fatigue pressure is worked out only for the few who could leave.

Money is booked in the :class:`~sim.model.ledger.Ledger` and in per-member value accumulators;
what cannibalised orders would have earned on their platform is booked on a memo line,
so that incremental value (against the control arm without capture) is the gross value
minus it.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from sim.config import ContentType, ReferralConfig, SharedConfig, StrategyConfig
from sim.model.calendar import DayPlan, day_plan
from sim.model.capture import HookTable
from sim.model.channels import ChannelPlan, Groups
from sim.model.ledger import Ledger
from sim.model.population import HOURS_PER_DAY, People
from sim.model.quantiles import gamma_from_uniform, poisson_from_uniform
from sim.model.referral import Invitations, share_outcomes, sharing
from sim.model.streams import Streams, finish, occurrence, ranks_within
from sim.model.touches import CONTENT, SEGMENTS, TouchPolicy, decayed_batch, touch_rate_per_week

CARD, SMS, REFERRAL = 0, 1, 2
# what members' LTV window is made of, discounted to their join day (costs negative): the window's LTV sums all but
# the last, which is what their cannibalised orders would have earned on the platforms
VALUE_LINES: tuple[str, ...] = (
    "gross_margin",
    "membership_fee",
    "first_order_subsidy",
    "touches",
    "touch_team",
    "service",
    "shipping",
    "payment_fee",
    "membership_discount",
    "platform_contribution_lost",
)
CHANNELS: tuple[str, ...] = ("card", "sms", "referral")
NO_CHURN, UNSUBSCRIBED, DORMANT = 0, 1, 2
TOUCH_PHASE = 0.5  # a member's first touch comes half a touch interval after joining
RECHECK = 1.0  # members of an untouched segment are looked at again the next day
PUSH_NUMBER = -(2**40)  # a referral push on day d keys its draws by PUSH_NUMBER - d, apart from any order number
TOUCH_CHANNELS: tuple[str, ...] = ("chat", "moments", "groups", "live")  # beyond the mass message (群发)
LIFT_PARTS: tuple[str, ...] = tuple(f"lift_{name}" for name in TOUCH_CHANNELS)  # each channel's part of "lift"
CHANNEL_COUNTS: tuple[str, ...] = (  # what the channels did over the run (RunRecord.channels)
    "chat_touches",
    "moments_posts",
    "moments_audience",  # subscribed members at each post, summed over posts
    "moments_views",
    "group_messages",
    "group_audience",  # members in a group at each group message, summed over messages
    "group_views",
    "group_joins",
    "group_leavers",
    "live_streams",
    "live_audience",  # subscribed members at each stream, summed over streams
    "live_attendees",
    "live_orders",
    "events_skipped",  # posts, group messages and streams the touch team had no minutes left for
    *(f"added_orders_{name}" for name in TOUCH_CHANNELS),  # added orders, by the channel whose lift added them
)
ACTIVE = SEGMENTS.index("active")  # a post's or a group message's content is drawn from this segment's mix
MIDDAY = 0.5  # posts and group messages go out at noon, to the members who joined before

_FIELDS: dict[str, tuple[type, float]] = {
    # name: (dtype, initial value)
    "buyer": (np.int64, -1),
    "channel": (np.int8, 0),
    "marketplace": (np.int8, -1),  # platform the member bought on; -1 for referred friends
    "join_day": (np.float64, 0.0),
    "wait_days": (np.float64, 0.0),
    "rate_per_day": (np.float64, 0.0),
    "exp_neg_rate": (np.float64, 1.0),  # exp(-rate_per_day): a whole day's chance of no natural repurchase
    "spend_rate": (np.float64, 1.0),
    "tolerance_per_week": (np.float64, 1.0),
    "unsubscribe_day": (np.float64, math.inf),  # shifted-beta-geometric time to delete; inf once gone
    "next_touch_day": (np.float64, math.inf),
    "first_due_day": (np.float64, math.inf),  # inf once placed or impossible
    "first_order_day": (np.float64, math.inf),
    "repeats_left": (np.int64, 0),
    "can_buy": (np.bool_, False),  # first order placed, subscribed, repeats left
    "subscribed": (np.bool_, True),
    "paid_member": (np.bool_, False),
    "churn_day": (np.float64, math.inf),
    "churn_type": (np.int8, NO_CHURN),
    "last_activity_day": (np.float64, 0.0),
    "dormant_day": (np.float64, math.inf),  # when dormancy churn strikes unless an order comes first
    "n_orders": (np.int64, 0),  # private orders, the first included
    "n_added": (np.int64, 0),  # of which added by touches or paid membership
    "spend_cny": (np.float64, 0.0),
    "lift": (np.float64, 0.0),  # as of lift_day
    "lift_day": (np.float64, 0.0),
    "fatigue": (np.float64, 0.0),  # touches so far, each decayed by exp(-age / fatigue_decay_days), as of fatigue_day
    "fatigue_day": (np.float64, 0.0),  # time of the member's last touch
    "ltv_window_cny": (np.float64, 0.0),
    "ltv_horizon_cny": (np.float64, 0.0),
    "gross_margin_window_cny": (np.float64, 0.0),
    "lost_platform_window_cny": (np.float64, 0.0),  # discounted platform contribution of cannibalised orders
    "request_day": (np.float64, 0.0),  # when the member asked to add
    "hook": (np.int16, -1),  # the hook the member was captured with (index into the HookTable); -1: none (referred)
    "origin": (np.int16, -1),  # the SMS wave that captured the member (index into sms.waves); -1: none
    "offer": (np.int16, 0),  # the new-member offer the member got (index into the day plan's offers)
    "lapsed": (np.bool_, False),  # an existing customer who had dropped out (BG/NBD) before day 0
    "hook_cost_cny": (np.float64, 0.0),  # what the member's hook cost: paid on add, or redeemed on the first order
    "shares": (np.int64, 0),  # referral shares made so far (immunity: each lowers the chance of the next)
    "delete_day": (np.float64, math.inf),  # when the member deleted the brand, whatever their first churn; inf: never
    "next_chat_day": (np.float64, math.inf),  # the member's next 1:1 chat (sim.model.channels)
    "group": (np.int64, -1),  # the customer group the member is in (index into Groups); -1: none
    **{part: (np.float64, 0.0) for part in LIFT_PARTS},  # each channel's part of lift, as of lift_day
}


class Members:
    """The private-domain member table and its daily dynamics."""

    def __init__(
        self,
        strategy: StrategyConfig,
        shared: SharedConfig,
        people: People,
        ledger: Ledger,
        streams: Streams,
        plan: DayPlan | None = None,
        hooks: HookTable | None = None,
    ) -> None:
        self.s = strategy
        self.shared = shared
        self.people = people
        self.ledger = ledger
        self.streams = streams
        self.horizon_days = shared.run.horizon_days
        self.n = 0
        self.referral_shares = 0  # shares made by members (all mechanics)
        self.referral_completed = 0  # of which a group formed, a help link or a packet filled
        self._capacity = 0
        self.cols: dict[str, np.ndarray] = {}
        # per stream, each member's buyer id hashed with the stream's key (Streams.keyed), for the rows filled so far
        self._keyed: dict[str, tuple[np.ndarray, int]] = {}
        self._grow(1024)
        self.daily_discount = math.log1p(shared.accounting.discount_rate_annual) / 365.0
        self._orders: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.value_window_by_line: dict[str, float] = dict.fromkeys(VALUE_LINES, 0.0)
        self.ltv_window_days = shared.accounting.ltv_window_days
        n_days = shared.run.horizon_days + shared.run.followup_days
        self.plan = plan or day_plan(strategy, shared.population.start_date, n_days)
        self.hooks = hooks or HookTable(self.plan.hooks)
        response = shared.population.touch_response
        # exp(-age / lift_decay_days) at every whole age in days: lift is stored as of a day, and decayed to a day
        self._lift_decay = np.exp(-np.arange(n_days + 1, dtype=np.float64) / response.lift_decay_days)
        self.policies = [TouchPolicy(t, response) for t in self.plan.touches]
        self.touches = self.policies[0]  # the policy in force today (campaigns change it: begin_day)
        self.touches_on = any(p.on for p in self.policies)
        offers = self.plan.offers
        self._first_order_prob = np.array([o.first_order_prob for o in offers])
        self._first_order_mean_days = np.array([o.first_order_mean_days for o in offers])
        self._subsidy_cny = np.array([o.subsidy_cny for o in offers])
        self._cannibalisation = np.array([o.first_order_cannibalisation for o in offers])
        self.offer_today = 0
        self._resolve_platforms()
        share = shared.population.sample_share
        self.channels = ChannelPlan(strategy.touch, response, share, n_days)
        self.groups = Groups(self.channels.group_size, response.groups)
        self.feed_days = {w.start_day for w in self.plan.windows}  # a campaign's first day feeds the groups
        self.channel_counts: dict[str, float] = dict.fromkeys(CHANNEL_COUNTS, 0.0)
        self.staff_minutes_used = np.zeros(n_days)
        self.group_members_daily = np.zeros(n_days)
        self.group_activity_daily = np.full(n_days, np.nan)
        self.group_audience_daily = np.zeros(n_days)  # members in a group at each of the day's group messages
        self.group_views_daily = np.zeros(n_days)  # of which the message reached
        # each mass message sent (member row, time, content code), kept only when asked for (sim.run.exports)
        self.touch_log: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None
        # each natural repurchase that stayed on the platform (member row, time), kept only when asked for (exports)
        self.platform_log: list[tuple[np.ndarray, np.ndarray]] | None = None
        self._team_cost_today = 0.0  # live stream costs of the day, paid at its end (_team_day)
        self.team_cost_per_member_cny = np.zeros(n_days)  # each day's team cost / the day's subscribed members

    def begin_day(self, day: int) -> None:
        """Put the touch policy and new-member offer in force on ``day`` (the campaign calendar's)."""
        d = min(day, self.plan.touch.size - 1)
        self.touches = self.policies[int(self.plan.touch[d])]
        self.offer_today = int(self.plan.offer[d])

    # ------------------------------------------------------------------ table

    def _grow(self, capacity: int) -> None:
        for name, (dtype, init) in _FIELDS.items():
            new: np.ndarray = np.full(capacity, init, dtype=dtype)
            if name in self.cols:
                new[: self.n] = self.cols[name][: self.n]
            self.cols[name] = new
        self._capacity = capacity

    def _uniform(self, name: str, rows: np.ndarray, *rest: np.ndarray | int) -> np.ndarray:
        """``streams.uniform(name, buyer[rows], *rest)``, with each member's buyer id hashed with the stream's key
        once (:meth:`Streams.keyed`), not every day: the same values at about half the hashing."""
        keyed, filled = self._keyed.get(name, (np.empty(0, dtype=np.uint64), 0))
        if filled < self.n:
            if keyed.size < self.n:
                keyed = np.concatenate([keyed[:filled], np.empty(self._capacity - filled, dtype=np.uint64)])
            keyed[filled : self.n] = self.streams.keyed(name, self.cols["buyer"][filled : self.n])
            self._keyed[name] = (keyed, self.n)
        return finish(keyed[rows], *rest)

    def __getattr__(self, name: str) -> np.ndarray:
        cols = self.__dict__.get("cols")
        if cols is not None and name in cols:
            return cols[name][: self.__dict__["n"]]
        raise AttributeError(name)

    def add(
        self,
        buyer: np.ndarray,
        channel: np.ndarray,
        t_request: np.ndarray,
        t_accept: np.ndarray,
        hook: np.ndarray | None = None,
        origin: np.ndarray | None = None,
    ) -> None:
        """Accept new members: draw their first-order plan and book the hook or referral reward.

        ``hook`` is each member's hook (index into the HookTable; default: the strategy's own for card and SMS
        members, none for referred friends); ``origin`` the SMS wave that captured each (default none).
        """
        k = buyer.size
        if k == 0:
            return
        if self.n + k > self._capacity:
            self._grow(max(2 * self._capacity, self.n + k))
        sl = slice(self.n, self.n + k)
        take, c = self.people.take, self.cols
        captured = channel != REFERRAL
        if hook is None:
            hook = np.where(captured, 0, -1)
        wait = t_accept - t_request
        c["buyer"][sl] = buyer
        c["channel"][sl] = channel
        c["marketplace"][sl] = self.people.marketplace_of(buyer)
        c["join_day"][sl] = t_accept
        c["request_day"][sl] = t_request
        c["wait_days"][sl] = wait
        c["hook"][sl] = hook
        c["origin"][sl] = -1 if origin is None else origin
        c["offer"][sl] = self.offer_today
        c["lapsed"][sl] = self.people.lapsed_of(buyer)
        c["last_activity_day"][sl] = t_accept
        c["dormant_day"][sl] = t_accept + self.shared.accounting.dormancy_window_days
        for name in ("rate_per_day", "spend_rate", "tolerance_per_week"):
            c[name][sl] = take(name, buyer)
        c["exp_neg_rate"][sl] = np.exp(-c["rate_per_day"][sl])
        hazard = take("unsub_hazard_per_day", buyer)
        with np.errstate(divide="ignore"):  # exponential time at the daily hazard: survival (1 - hazard)^t
            c["unsubscribe_day"][sl] = t_accept + np.log1p(-take("u_unsubscribe", buyer)) / np.log1p(-hazard)
        interval = self.touches.interval_days[self._touch_segments(t_accept, np.arange(self.n, self.n + k))]
        if self.touches_on:
            c["next_touch_day"][sl] = t_accept + np.where(np.isfinite(interval), TOUCH_PHASE * interval, RECHECK)
        if self.channels.on:
            self._join_channels(sl, buyer, t_accept)
        half_life_days = self.shared.population.greeting_half_life_hours / HOURS_PER_DAY
        p_first = self._first_order_prob[self.offer_today] * np.exp2(-wait / half_life_days)
        will_order = take("u_first_order", buyer) < p_first
        c["first_due_day"][sl] = np.where(
            will_order,
            t_accept + take("first_order_delay", buyer) * self._first_order_mean_days[self.offer_today],
            math.inf,
        )
        p = take("dropout_prob", buyer)
        with np.errstate(divide="ignore"):
            repeats = np.ceil(np.log1p(-take("u_dropout", buyer)) / np.log1p(-p))
        repeats = np.clip(np.nan_to_num(repeats, posinf=2**40), 1, 2**40).astype(np.int64)
        # an existing customer who dropped out before day 0 buys nothing more after a first private order
        c["repeats_left"][sl] = np.where(c["lapsed"][sl], 0, repeats)
        self.n += k
        on_add = np.where(captured, self.hooks.on_add_cny[np.maximum(hook, 0)], 0.0)
        c["hook_cost_cny"][sl] = on_add
        wave = captured & self.hooks.wave[np.maximum(hook, 0)]
        self.ledger.book_many("hook", t_accept[captured & ~wave], on_add[captured & ~wave])
        if wave.any():
            self.ledger.book_many("wave_hook", t_accept[wave], on_add[wave])
        self.ledger.book_many("referral_reward", t_accept[~captured], self.s.referral.reward_cny)

    def _join_channels(self, sl: slice, buyer: np.ndarray, t_accept: np.ndarray) -> None:
        """New members ``sl``: their first 1:1 chat half an interval after joining, and the group invitation."""
        c, ch = self.cols, self.channels
        if ch.chat_on:
            seg = self.segment_codes(t_accept, np.arange(sl.start, sl.stop))
            interval = ch.chat_interval_days[seg]
            c["next_chat_day"][sl] = t_accept + np.where(np.isfinite(interval), TOUCH_PHASE * interval, RECHECK)
        if ch.groups_on:
            rows = np.arange(sl.start, sl.stop)
            joins = self.streams.uniform("group_join", buyer) < self.groups.response.join_prob
            c["group"][rows[joins]] = self.groups.assign(int(joins.sum()), float(t_accept[joins].min(initial=np.inf)))
            self.channel_counts["group_joins"] += float(joins.sum())

    # ------------------------------------------------------------------ platforms

    def _resolve_platforms(self) -> None:
        """Per-platform vectors indexed by the member's marketplace; the last row (index -1) is 'no platform'.

        Referred friends (marketplace -1) place every order privately and replace nothing.
        """
        econ = list(self.shared.platform.economics.values())
        self._private_share = np.array([m.private_share for m in econ] + [1.0])
        self._replaces = np.array([True] * len(econ) + [False])
        self._margin_after_commission = np.array([m.gross_margin_rate - m.commission_rate for m in econ] + [0.0])
        self._ads_per_order = np.array([m.ads_cost_per_order_cny for m in econ] + [0.0])

    # ------------------------------------------------------------------ touches

    def segment_codes(self, day: float | np.ndarray, who: np.ndarray) -> np.ndarray:
        """Lifecycle segment of members ``who`` at time ``day`` (index into SEGMENTS)."""
        c = self.cols
        return self.touches.segment_codes(day, c["last_activity_day"][who], c["join_day"][who], c["spend_cny"][who])

    def _touch_segments(self, day: float | np.ndarray, who: np.ndarray) -> np.ndarray:
        """The segments that the touch policy in force sees members ``who`` in at ``day``: their lifecycle segments,
        or all the first when every segment has the same cadence and mix (the default), so that none is worked out."""
        if self.touches.segments_alike:
            return np.zeros(who.size, dtype=np.int8)
        return self.segment_codes(day, who)

    # ------------------------------------------------------------------ the day

    def step(self, day: int) -> Invitations:
        """Advance every member through ``day`` (the interval [day, day + 1))."""
        c, n = self.cols, self.n
        end = day + 1.0
        if self.touches_on:
            self._touch(day)
        attendees = self._channels(day) if self.channels.on else None
        base = np.flatnonzero(c["unsubscribe_day"][:n] < end)
        self._leave(base, c["unsubscribe_day"][base])

        # first private orders due today
        first = np.flatnonzero(c["first_due_day"][:n] < end)
        t_first = c["first_due_day"][first]
        c["first_due_day"][first] = math.inf
        c["first_order_day"][first] = t_first
        c["can_buy"][first] = True
        self._first_order_costs(day, first, t_first)
        # an existing customer who had dropped out before day 0 would not have ordered on the platform again
        first_replaces = (
            self._replaces[c["marketplace"][first]]
            & ~c["lapsed"][first]
            & (
                self.streams.uniform("first_order_channel", c["buyer"][first])
                < self._cannibalisation[c["offer"][first]]
            )
        )

        # repeat orders: the member's natural ones (BG/NBD, whatever the touches), then those touches add on top
        buyers = np.flatnonzero(c["can_buy"][:n])
        start = np.maximum(float(day), c["first_order_day"][buyers])
        rate = c["rate_per_day"][buyers]
        nat, t_nat, alive_until = self._natural_repeats(day, buyers, rate, start, end)
        nat, t_nat, nat_replaces = self._route_natural(day, nat, t_nat)
        added, t_added = self._added_repeats(day, buyers, rate, start, alive_until)
        if attendees is not None:  # orders during today's live stream: added, from members who still buy
            live, t_live = self._live_orders(day, attendees)
            added, t_added = np.concatenate([added, live]), np.concatenate([t_added, t_live])

        # money of every private order placed today
        orders = np.concatenate([first, nat, added])
        numbers = self._book_orders(
            day,
            orders,
            np.concatenate([t_first, t_nat, t_added]),
            np.concatenate([first_replaces, nat_replaces, np.zeros(added.size, dtype=bool)]),
            np.concatenate([np.zeros(first.size + nat.size, dtype=bool), np.ones(added.size, dtype=bool)]),
        )

        # dormancy, as the operator sees it: no private order within the window
        dormant = np.flatnonzero(c["dormant_day"][:n] <= end)
        c["churn_type"][dormant] = DORMANT
        c["churn_day"][dormant] = c["dormant_day"][dormant]
        c["dormant_day"][dormant] = math.inf

        if self.channels.on:
            self._team_day(day)
        return self._invite(day, orders, numbers)

    def _natural_repeats(
        self, day: int, buyers: np.ndarray, rate: np.ndarray, start: np.ndarray, end: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The natural repurchases of members ``buyers`` (their ``rate_per_day``: ``rate``) in [start, end): what they
        would buy anyway.

        Poisson counts at the member's BG/NBD rate, capped by the purchases left before dropout, so
        they depend on nothing a strategy does after the first order (touches, membership). Returns
        (member, time) of each order and, per buyer, the end of their alive time within the day: the
        time of the repurchase after which they drop out, or ``end``.
        """
        c = self.cols
        luck = self._uniform("purchases", buyers, day)
        span = end - start
        exp_neg_mean = c["exp_neg_rate"][buyers]  # a whole day's (mean = rate x 1.0), looked up
        part = np.flatnonzero(span != 1.0)  # the first order's day: from the first order on
        exp_neg_mean[part] = np.exp(-(rate[part] * span[part]))
        repeats_left = c["repeats_left"][buyers]
        k = np.minimum(poisson_from_uniform(rate * span, luck, exp_neg_mean), repeats_left)
        left = repeats_left - k
        c["repeats_left"][buyers] = left
        c["can_buy"][buyers[left == 0]] = False
        rep = np.repeat(buyers, k)
        when = self.streams.uniform("order_times", c["buyer"][rep], day, ranks_within(k))  # buyers: distinct
        t_rep = np.repeat(start, k) + np.repeat(span, k) * when
        alive_until = np.full(buyers.size, end)
        gone = left == 0  # dropped out today, or (lapsed existing customers) before their first private order
        if gone.any():
            dropped = np.repeat(gone, k)
            last = np.full(buyers.size, -math.inf)
            np.maximum.at(last, np.repeat(np.arange(buyers.size), k)[dropped], t_rep[dropped])
            alive_until = np.where(gone, last, end)
        return rep, t_rep, alive_until

    def _route_natural(self, day: int, rep: np.ndarray, t_rep: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Natural repurchases by channel: the private ones (member, time) and whether each replaced a platform order.

        A member's natural repurchase goes private with their platform's private share, replacing the
        platform order they would have placed (cannibalised); otherwise it stays on the platform, where the
        platform layer and the control arm have it already, and is dropped here (logged in :attr:`platform_log`
        when asked). Referred friends bought on no platform: their orders are private and replace nothing.
        """
        market = self.cols["marketplace"][rep]
        u = self.streams.uniform("order_channel", self.cols["buyer"][rep], day, occurrence(rep))
        replaces = (u < self._private_share[market]) & self._replaces[market]
        private = replaces | ~self._replaces[market]
        if self.platform_log is not None:
            self.platform_log.append((rep[~private], t_rep[~private]))
        return rep[private], t_rep[private], replaces[private]

    def _added_repeats(
        self, day: int, buyers: np.ndarray, rate: np.ndarray, start: np.ndarray, alive_until: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Orders that touches and paid membership add on top of the natural ones (``rate``: the members' natural
        rate), in [start, alive_until).

        The rate is the natural rate times (boost - 1), where boost is the touch lift's multiplier
        (1 + decayed lift) times the paid-membership multiplier; only while the member is alive in
        BG/NBD's sense, so a member who has dropped out is not brought back. Added orders are private
        and new: none replaces a platform order. Drawn from streams of their own, so natural
        repurchases are the same whatever the touches.
        """
        c = self.cols
        decay = self._decay(day, buyers)
        lift = c["lift"][buyers] * decay
        boost = 1.0 + lift
        if self.s.membership.enabled:
            boost = np.where(c["paid_member"][buyers], boost * self.s.membership.rate_multiplier, boost)
        span = np.maximum(alive_until - start, 0.0)
        mean = rate * (boost - 1.0) * span
        luck = self._uniform("added_purchases", buyers, day)
        k = poisson_from_uniform(mean, luck)
        if self.channels.on:
            self._attribute(buyers, k, lift, boost, decay)
        rep = np.repeat(buyers, k)
        when = self.streams.uniform("added_order_times", c["buyer"][rep], day, ranks_within(k))  # buyers: distinct
        return rep, np.repeat(start, k) + np.repeat(span, k) * when

    def _attribute(
        self, buyers: np.ndarray, k: np.ndarray, lift: np.ndarray, boost: np.ndarray, decay: np.ndarray
    ) -> None:
        """Credit the ``k`` added orders of each of ``buyers`` to the channels in proportion to the part of the rate
        each added: the channel's part of the lift (decayed by ``decay`` to today), times the membership multiplier,
        over boost - 1."""
        got = k > 0
        if not got.any():
            return
        c, who = self.cols, buyers[got]
        per_lift = k[got] * boost[got] / (1.0 + lift[got]) / (boost[got] - 1.0) * decay[got]
        for name, part in zip(TOUCH_CHANNELS, LIFT_PARTS, strict=True):
            self.channel_counts[f"added_orders_{name}"] += float(np.dot(c[part][who], per_lift))

    def _touch(self, day: int) -> None:
        """Send the touches due today, book their cost, and let fatigue make some members leave.

        A member due today receives every touch of their segment's cadence that falls in
        the day; the content of each is drawn from the segment's mix.
        """
        c = self.cols
        end = day + 1.0
        due = np.flatnonzero(c["next_touch_day"][: self.n] < end)
        if due.size == 0:
            return
        first_touch = c["next_touch_day"][due]
        policy = self.touches
        seg = self._touch_segments(float(day), due)
        interval = policy.interval_days[seg]
        if policy.every_segment:  # every member due is touched: nobody to set aside
            hit = due
            sent = np.floor((end - first_touch) / interval).astype(np.int64) + 1
            c["next_touch_day"][due] = first_touch + sent * interval
        else:
            touched = np.isfinite(interval)
            sent = np.zeros(due.size, dtype=np.int64)
            sent[touched] = np.floor((end - first_touch[touched]) / interval[touched]).astype(np.int64) + 1
            with np.errstate(invalid="ignore"):  # untouched segments (interval inf, none sent) are rechecked tomorrow
                c["next_touch_day"][due] = np.where(touched, first_touch + sent * interval, end - 1.0 + RECHECK)
            hit, sent, seg, first_touch, interval = (x[touched] for x in (due, sent, seg, first_touch, interval))
            if hit.size == 0:
                return
        if sent.max() == 1:  # a touch each (cadences of at most one a day): its content's values, as the sums give them
            kind = policy.content_kinds(self._uniform("touch_content", hit, day, 0), seg)
            if self.touch_log is not None:
                self.touch_log.append((hit, first_touch, kind))
            cost, lift, risk = policy.cost_cny[kind], policy.lift[kind], policy.delete_risk[kind]
        else:
            rank = ranks_within(sent)
            u = self.streams.uniform("touch_content", c["buyer"][np.repeat(hit, sent)], day, rank)
            kind = policy.content_kinds(u, np.repeat(seg, sent))
            if self.touch_log is not None:
                times = np.repeat(first_touch, sent) + rank * np.repeat(interval, sent)
                self.touch_log.append((np.repeat(hit, sent), times, kind))
            counts = policy.content_counts(kind, sent)
            cost, lift, risk = counts @ policy.cost_cny, counts @ policy.lift, counts @ policy.delete_risk
        self.ledger.book("touches", day, float(cost.sum()))
        self._accrue(day, hit, {"touches": -cost})
        self._add_lift(day, hit, lift)
        leaving = self._fatigued(hit, sent, first_touch, interval, risk, self._uniform("touch_delete", hit, day))
        self._leave(hit[leaving], first_touch[leaving])

    def _decay(self, day: int, who: np.ndarray) -> np.ndarray:
        """exp(-(day - lift_day) / lift_decay_days) of members ``who``: lift_day is a whole day, so a lookup."""
        return self._lift_decay[(day - self.cols["lift_day"][who]).astype(np.int64)]

    def _add_lift(self, day: int, who: np.ndarray, lift: np.ndarray, part: str | None = None) -> None:
        """Decay the lift of members ``who`` (distinct) to ``day`` and add ``lift``, as channel ``part``'s if given."""
        c = self.cols
        decay = self._decay(day, who)
        c["lift"][who] = c["lift"][who] * decay + lift
        if self.channels.on:
            for name in LIFT_PARTS:
                c[name][who] = c[name][who] * decay + (lift if name == part else 0.0)
        c["lift_day"][who] = day

    def _fatigued(
        self,
        hit: np.ndarray,
        sent: np.ndarray,
        first_touch: np.ndarray,
        interval: np.ndarray,
        risk: np.ndarray,
        u: np.ndarray,
    ) -> np.ndarray:
        """Add ``sent`` messages ``interval`` days apart from ``first_touch`` to the fatigue of members ``hit``; which
        of them delete the brand: ``u < min(1, risk x pressure)``, the pressure being (recent touch rate / tolerance) ^
        fatigue_exponent (:func:`sim.model.touches.touch_rate_per_week`).

        The rate, 7 / (-decay_days x log1p(-1 / count)), is at most 7 x count / decay_days (as -log1p(-x) >= x), so
        the pressure is computed only for the members whose ``u`` is below ``risk`` times that bound (widened by a
        millionth, far more than rounding needs): deletes are rare, and the others could not have left.
        """
        c, resp = self.cols, self.shared.population.touch_response
        tau, power = resp.fatigue_decay_days, resp.fatigue_exponent
        last_touch = first_touch + (sent - 1) * interval
        fatigue_day = c["fatigue_day"][hit]
        since = np.maximum(last_touch - fatigue_day, 0.0)  # a chat before the day's mass message: 0
        if interval.size and (interval == interval[0]).all():  # one cadence: since is mostly that interval itself
            faded = np.full(interval.size, np.exp(-interval[:1] / tau)[0])  # exp(-since / tau) looked up, ...
            other = np.flatnonzero(since != interval)
            faded[other] = np.exp(-since[other] / tau)  # ... and computed for the others
        else:
            faded = np.exp(-since / tau)
        fatigue = c["fatigue"][hit] * faded + decayed_batch(sent, interval, tau)
        c["fatigue"][hit] = fatigue
        c["fatigue_day"][hit] = np.maximum(last_touch, fatigue_day)
        tolerance = c["tolerance_per_week"][hit]
        may = np.flatnonzero(u < risk * (fatigue * (7.0 * (1.0 + 1e-6) / tau) / tolerance) ** power)
        pressure = (touch_rate_per_week(fatigue[may], tau) / tolerance[may]) ** power
        leaving = np.zeros(hit.size, dtype=bool)
        leaving[may] = u[may] < np.minimum(1.0, risk[may] * pressure)
        return leaving

    # ------------------------------------------------------------------ channels (sim.model.channels)

    def _channels(self, day: int) -> np.ndarray | None:
        """The touch team's day: today's live stream, group messages and moments posts take their minutes first (an
        event that does not fit is skipped), then 1:1 chats in order of due time. Returns the live stream's
        attendees (member rows), or None when there is no stream today."""
        ch, c = self.channels, self.cols
        left = ch.staff_minutes_per_day

        def fits(minutes: float, events: float) -> bool:
            """Whether ``events`` taking ``minutes`` fit in what is left of the day (taken if so, skipped if not)."""
            nonlocal left
            if minutes <= left:
                left -= minutes
                return True
            self.channel_counts["events_skipped"] += events
            return False

        attendees = self._live(day) if ch.streams[day] and fits(ch.stream_minutes, 1.0) else None
        if ch.groups_on and day in self.feed_days:
            self.groups.feed(float(day))
        messages = int(ch.group_messages[day])
        if messages and self.groups.n:
            in_group = np.flatnonzero((c["group"][: self.n] >= 0) & (c["join_day"][: self.n] < day + MIDDAY))
            if fits(np.unique(c["group"][in_group]).size * messages * ch.group_message_minutes, messages):
                self._group_messages(day, in_group, messages)
        posts = int(ch.posts[day])
        if posts and fits(posts * ch.post_minutes, posts):
            self._moments(day, posts)
        if ch.chat_on:
            left -= self._chat(day, left)
        self.staff_minutes_used[min(day, self.staff_minutes_used.size - 1)] = ch.staff_minutes_per_day - left
        return attendees

    def _content(self, name: str, day: int, k: int) -> int:
        """The content type (index into CONTENT) of the brand's ``k``-th post or group message of ``day``: one draw
        from the active segment's mix."""
        u = self.streams.uniform(name, np.array([day]), k)
        return int((u[0] >= self.touches.cum_mix[ACTIVE]).sum())

    def _subscribed(self, before: float) -> np.ndarray:
        """Rows of the members who joined before time ``before`` and are still subscribed."""
        c = self.cols
        return np.flatnonzero(c["subscribed"][: self.n] & (c["join_day"][: self.n] < before))

    def _broadcast(
        self, prefix: str, part: str, day: int, k: int, audience: np.ndarray, reach: float | np.ndarray
    ) -> np.ndarray:
        """The ``k``-th moments post or group message of ``day`` (``prefix``: its streams and counts; ``part``: its
        lift column): its content is one draw from the active segment's mix; each member of ``audience`` sees it with
        ``reach`` and gets the content's lift and delete risk times the channel's multipliers. Returns who saw it."""
        resp = self.shared.population.touch_response
        response = resp.moments if prefix == "moments" else resp.groups
        content = CONTENT[self._content(f"{prefix}_content", day, k)]
        seen = audience[self._uniform(f"{prefix}_seen", audience, day, k) < reach]
        self.channel_counts[f"{prefix}_audience"] += audience.size
        self.channel_counts[f"{prefix}_views"] += seen.size
        self._add_lift(day, seen, np.full(seen.size, resp.lift[content] * response.lift_multiplier), part)
        risk = resp.delete_risk[content] * response.delete_risk_multiplier
        leaving = seen[self._uniform(f"{prefix}_delete", seen, day, k) < risk]
        self._leave(leaving, np.full(leaving.size, day + MIDDAY))
        return seen

    def _moments(self, day: int, posts: int) -> None:
        """Today's ``posts`` moments posts to every subscribed member, each seen with the plan's reach (no fatigue: the
        member scrolls)."""
        who = self._subscribed(day + MIDDAY)
        for k in range(posts):
            self.channel_counts["moments_posts"] += 1
            self._broadcast("moments", "lift_moments", day, k, who, self.channels.moments_reach)
            who = who[self.cols["subscribed"][who]]

    def _group_messages(self, day: int, in_group: np.ndarray, messages: int) -> None:
        """Today's ``messages`` messages in every group: each reaches a member with the group's active share at noon;
        a member reached gets the content's lift and delete risk times the group multipliers, and may leave the
        group (staying a member of the brand)."""
        c, leave_prob = self.cols, self.shared.population.touch_response.groups.leave_prob
        for k in range(messages):
            self.channel_counts["group_messages"] += float(np.unique(c["group"][in_group]).size)
            activity = self.groups.activity(day + MIDDAY)[c["group"][in_group]]
            seen = self._broadcast("group", "lift_groups", day, k, in_group, activity)
            self.group_audience_daily[day] += in_group.size
            self.group_views_daily[day] += seen.size
            quit_group = seen[self._uniform("group_leave", seen, day, k) < leave_prob]
            c["group"][quit_group] = -1
            self.channel_counts["group_leavers"] += quit_group.size
            in_group = in_group[c["group"][in_group] >= 0]

    def _live(self, day: int) -> np.ndarray:
        """Today's live stream: it feeds the groups' activity; each subscribed member attends with the attendance
        probability and gets the promotional lift times the live multiplier. Returns the attendees."""
        resp = self.shared.population.touch_response
        t_stream = day + self.channels.stream_day_fraction
        if self.channels.groups_on:
            self.groups.feed(t_stream)
        who = self._subscribed(t_stream)
        attendees = who[self._uniform("live_attend", who, day) < resp.live.attendance_prob]
        self.channel_counts["live_streams"] += 1
        self.channel_counts["live_audience"] += who.size
        self.channel_counts["live_attendees"] += attendees.size
        lift = resp.lift[ContentType.promotional.value] * resp.live.lift_multiplier
        self._add_lift(day, attendees, np.full(attendees.size, lift), "lift_live")
        self._team_cost_today += self.channels.stream_cost_cny
        return attendees

    def _live_orders(self, day: int, attendees: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Orders during today's stream: an attendee who still buys (first order placed, not dropped out) orders with
        the conversion probability. Returns (member, time) of each."""
        c = self.cols
        buyers = attendees[c["can_buy"][attendees]]
        conversion = self.shared.population.touch_response.live.conversion_prob
        live = buyers[self._uniform("live_buy", buyers, day) < conversion]
        self.channel_counts["live_orders"] += live.size
        self.channel_counts["added_orders_live"] += live.size
        return live, np.full(live.size, day + self.channels.stream_day_fraction)

    def _chat(self, day: int, minutes_left: float) -> float:
        """Send the 1:1 chats due today in order of due time while the team has ``minutes_left``; the others wait
        for the next day. A chat has the content's lift and delete risk times the chat multipliers and adds to
        the member's fatigue like any message. Returns the minutes used."""
        c, ch, resp = self.cols, self.channels, self.shared.population.touch_response
        end = day + 1.0
        due = np.flatnonzero(c["next_chat_day"][: self.n] < end)
        if due.size == 0:
            return 0.0
        first_touch = c["next_chat_day"][due]
        seg = self.segment_codes(float(day), due)
        interval = ch.chat_interval_days[seg]
        targeted = np.isfinite(interval)
        c["next_chat_day"][due[~targeted]] = end - 1.0 + RECHECK
        due, first_touch, seg, interval = (x[targeted] for x in (due, first_touch, seg, interval))
        sent = np.floor((end - first_touch) / interval).astype(np.int64) + 1
        order = np.argsort(first_touch, kind="stable")
        fits = np.zeros(due.size, dtype=bool)
        fits[order[np.cumsum(sent[order]) * ch.chat_minutes_per_touch <= minutes_left]] = True
        c["next_chat_day"][due[~fits]] = end  # no minutes left today: first thing tomorrow
        hit, sent, seg, first_touch, interval = (x[fits] for x in (due, sent, seg, first_touch, interval))
        if hit.size == 0:
            return 0.0
        c["next_chat_day"][hit] = first_touch + sent * interval
        u = self.streams.uniform("chat_content", c["buyer"][np.repeat(hit, sent)], day, ranks_within(sent))
        counts = self.touches.content_counts(self.touches.content_kinds(u, np.repeat(seg, sent)), sent)
        self.channel_counts["chat_touches"] += float(sent.sum())
        self._add_lift(day, hit, (counts @ self.touches.lift) * resp.chat.lift_multiplier, "lift_chat")
        risk = (counts @ self.touches.delete_risk) * resp.chat.delete_risk_multiplier
        leaving = self._fatigued(hit, sent, first_touch, interval, risk, self._uniform("chat_delete", hit, day))
        self._leave(hit[leaving], first_touch[leaving])
        return float(sent.sum()) * ch.chat_minutes_per_touch

    def _team_day(self, day: int) -> None:
        """The end of the touch team's day: its pay and the day's live stream cost are shared equally by the day's
        subscribed members (no member yet: no team), who are charged their shares at the end of the run
        (:meth:`settle_team_costs`); the groups' members and active share are recorded."""
        c = self.cols
        paying = self._subscribed(day + 1.0).size
        if paying:
            cost = self.channels.team_cost_per_day_cny + self._team_cost_today
            self.ledger.book("touch_team", day, cost)
            self.team_cost_per_member_cny[day] = cost / paying
        self._team_cost_today = 0.0
        if self.channels.groups_on and day < self.group_members_daily.size:
            in_group = c["group"][: self.n][c["group"][: self.n] >= 0]
            self.group_members_daily[day] = in_group.size
            if in_group.size:
                self.group_activity_daily[day] = float(self.groups.activity(day + 1.0)[in_group].mean())

    def settle_team_costs(self) -> None:
        """Charge every member the touch team's daily share (``team_cost_per_member_cny``) of each day from the one
        they joined to the one before they deleted the brand, discounted and windowed as :meth:`_accrue` would have
        day by day, through prefix sums over the days (no per-member-day work). Called once, at the end of the run."""
        share = self.team_cost_per_member_cny
        if not share.any():
            return
        c, n, days = self.cols, self.n, share.size
        join = c["join_day"][:n]
        first = np.floor(join).astype(np.int64)
        gone = np.minimum(np.floor(np.minimum(c["delete_day"][:n], days)), days).astype(np.int64)
        rate = self.daily_discount
        prefix = np.concatenate([[0.0], np.cumsum(share * np.exp(-rate * (np.arange(days) + 0.5)))])

        def charged(stop: np.ndarray) -> np.ndarray:
            """Each member's discounted shares of the days [first, stop): the first day at age max(0, ...)."""
            stop = np.maximum(stop, first)
            day_one = np.where(stop > first, share[first] * np.exp(-rate * np.maximum(first + 0.5 - join, 0.0)), 0.0)
            after = np.minimum(first + 1, stop)
            return day_one + np.exp(rate * join) * (prefix[stop] - prefix[after])

        window_end = np.minimum(gone, np.minimum(np.ceil(join + self.ltv_window_days - 0.5), days).astype(np.int64))
        in_window = charged(window_end)
        c["ltv_window_cny"][:n] -= in_window
        c["ltv_horizon_cny"][:n] -= charged(np.minimum(gone, self.horizon_days))
        self.value_window_by_line["touch_team"] -= float(in_window.sum())

    def _leave(self, who: np.ndarray, t: np.ndarray) -> None:
        """Members ``who`` delete the brand at times ``t``: no more touches or orders."""
        c = self.cols
        c["delete_day"][who[c["subscribed"][who]]] = t[c["subscribed"][who]]
        c["subscribed"][who] = False
        for name in ("unsubscribe_day", "next_touch_day", "first_due_day", "dormant_day", "next_chat_day"):
            c[name][who] = math.inf
        c["can_buy"][who] = False
        c["group"][who] = -1  # deleting the brand leaves its groups too
        first = c["churn_type"][who] == NO_CHURN
        c["churn_type"][who[first]] = UNSUBSCRIBED
        c["churn_day"][who[first]] = t[first]

    def _weights(self, day: int, who: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Discount factors of today's amounts of members ``who`` to their join day, and the same inside their
        LTV window only (zero after it)."""
        age = np.maximum(day + 0.5 - self.cols["join_day"][who], 0.0)
        factor = np.exp(-self.daily_discount * age)
        return factor, np.where(age < self.ltv_window_days, factor, 0.0)

    def _accrue(
        self,
        day: int,
        who: np.ndarray,
        flows: dict[str, np.ndarray | float],
        weights: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """Add today's flows of members ``who`` (CNY by ledger line, costs negative) to their value, discounted to
        the join day; the LTV window's part is also summed by line (:attr:`value_window_by_line`). ``weights``: their
        :meth:`_weights` today, if the caller has them already."""
        c = self.cols
        factor, in_window = self._weights(day, who) if weights is None else weights
        amounts = {line: np.broadcast_to(np.asarray(v, dtype=float), who.shape) for line, v in flows.items()}
        total = sum(amounts.values(), np.zeros(who.shape))
        np.add.at(c["ltv_window_cny"], who, total * in_window)
        if day < self.horizon_days:
            np.add.at(c["ltv_horizon_cny"], who, total * factor)
        for line, amount in amounts.items():
            self.value_window_by_line[line] += float(np.dot(amount, in_window))

    def _first_order_costs(self, day: int, first: np.ndarray, t_first: np.ndarray) -> None:
        """Book the new-member subsidy, coupon redemptions and membership uptake of first orders."""
        c, s = self.cols, self.s
        subsidy = self._subsidy_cny[c["offer"][first]]
        self.ledger.book_many("first_order_subsidy", t_first, subsidy)
        self._accrue(day, first, {"first_order_subsidy": -subsidy})
        hook = c["hook"][first]
        has_hook = hook >= 0
        redeem = np.where(has_hook, self.hooks.on_redeem_cny[np.maximum(hook, 0)], 0.0)
        if (redeem > 0.0).any():
            valid = (
                has_hook
                & (redeem > 0.0)
                & (t_first - c["join_day"][first] <= self.hooks.valid_days[np.maximum(hook, 0)])
            )
            wave = valid & self.hooks.wave[np.maximum(hook, 0)]
            self.ledger.book_many("hook", t_first[valid & ~wave], redeem[valid & ~wave])
            if wave.any():
                self.ledger.book_many("wave_hook", t_first[wave], redeem[wave])
            np.add.at(c["hook_cost_cny"], first[valid], redeem[valid])
        if s.membership.enabled:
            joins = self.people.take("u_membership", c["buyer"][first]) < s.membership.uptake_prob
            c["paid_member"][first[joins]] = True
            self.ledger.book_many("membership_fee", t_first[joins], s.membership.fee_cny)
            self._accrue(day, first[joins], {"membership_fee": s.membership.fee_cny})

    def _book_orders(
        self, day: int, orders: np.ndarray, t_orders: np.ndarray, replaces: np.ndarray, added: np.ndarray
    ) -> np.ndarray:
        """Draw each private order's spend (Gamma-Gamma); book margin, order costs, discounts and, for orders that
        replaced a platform order (``replaces``), the platform contribution lost; reset dormancy.

        Returns each order's number, the coordinate of its luck (spend, referral): the member's 0-based count of
        natural orders (the first order included) for a natural order, and -1, -2, ... for added ones, so that
        natural orders keep their luck whatever touches add.
        """
        if orders.size == 0:
            return np.empty(0, dtype=np.int64)
        c, acc = self.cols, self.shared.accounting
        number = np.empty(orders.size, dtype=np.int64)
        natural = orders[~added]
        number[~added] = c["n_orders"][natural] - c["n_added"][natural] + occurrence(natural)
        number[added] = -(c["n_added"][orders[added]] + occurrence(orders[added]) + 1)
        luck = self.streams.uniform("spend", c["buyer"][orders], number)
        spend = gamma_from_uniform(self.shared.population.spend.p, 1.0 / c["spend_rate"][orders], luck)
        discount = np.where(c["paid_member"][orders], self.s.membership.discount_rate, 0.0) * spend
        margin = spend * acc.gross_margin_rate
        payment_fee = spend * acc.payment_fee_rate
        flows = {
            "gross_margin": margin,
            "service": -acc.service_cost_per_order_cny,
            "shipping": -acc.shipping_cost_per_order_cny,
            "payment_fee": -payment_fee,
            "membership_discount": -discount,
        }
        weights = self._weights(day, orders)
        self._accrue(day, orders, flows, weights)
        market = c["marketplace"][orders]
        lost = np.where(replaces, spend * self._margin_after_commission[market] - self._ads_per_order[market], 0.0)
        lost_window = lost * weights[1]
        np.add.at(c["lost_platform_window_cny"], orders, lost_window)
        self.value_window_by_line["platform_contribution_lost"] -= float(lost_window.sum())
        np.add.at(c["spend_cny"], orders, spend)
        np.add.at(c["n_orders"], orders, 1)
        np.add.at(c["n_added"], orders[added], 1)
        np.maximum.at(c["last_activity_day"], orders, t_orders)
        still = orders[c["churn_type"][orders] == NO_CHURN]
        c["dormant_day"][still] = c["last_activity_day"][still] + acc.dormancy_window_days
        age = t_orders - c["join_day"][orders]
        np.add.at(c["gross_margin_window_cny"], orders, np.where(age < self.ltv_window_days, margin, 0.0))
        ledger = self.ledger
        ledger.book("gmv", day, float(spend.sum()))
        ledger.book("gross_margin", day, float(margin.sum()))
        ledger.book("service", day, acc.service_cost_per_order_cny * orders.size)
        ledger.book("shipping", day, acc.shipping_cost_per_order_cny * orders.size)
        ledger.book("payment_fee", day, float(payment_fee.sum()))
        ledger.book("membership_discount", day, float(discount.sum()))
        ledger.book("platform_contribution_lost", day, float(lost.sum()))
        self._orders.append((orders, t_orders, spend, replaces, added))
        return number

    def _invite(self, day: int, orders: np.ndarray, numbers: np.ndarray) -> Invitations:
        """Today's shares: each order may share (decided by its buyer and order number), and on a campaign's referral
        push every subscribed member may, ordering or not (:meth:`_share`)."""
        ref = self.s.referral
        if not ref.enabled or day >= self.horizon_days:
            return Invitations.none()
        invited = self._share(day, ref, orders, numbers) if orders.size else Invitations.none()
        push_prob = float(self.plan.referral_push[day])
        if push_prob > 0.0:
            c = self.cols
            who = np.flatnonzero(c["subscribed"][: self.n] & (c["join_day"][: self.n] < day))
            push = dataclasses.replace(ref, invite_prob=push_prob)
            invited = invited.merged(self._share(day, push, who, np.full(who.size, PUSH_NUMBER - day)))
        return invited

    def _share(self, day: int, ref: ReferralConfig, members: np.ndarray, numbers: np.ndarray) -> Invitations:
        """Members ``members`` may share (each keyed by its ``numbers``: an order number, or a push's), less with
        every earlier share when members grow immune; the referral mechanic says which friends join
        (:mod:`sim.model.referral`)."""
        buyer = self.cols["buyer"][members]
        share = sharing(ref, self.streams.uniform, buyer, numbers, self.cols["shares"][members])
        np.add.at(self.cols["shares"], members[share], 1)
        invited = share_outcomes(ref, self.streams.uniform, buyer[share], numbers[share], day)
        self.referral_shares += invited.shares
        self.referral_completed += invited.completed
        if invited.sharer_rewards_cny:
            self.ledger.book("referral_reward", day, invited.sharer_rewards_cny)
        return invited

    # ------------------------------------------------------------------ results

    def order_log(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All private orders: (member row, day, spend_cny), in the order they were booked."""
        table = self.order_table()
        return table["member"], table["day"], table["spend_cny"]

    def order_table(self) -> dict[str, np.ndarray]:
        """All private orders in booking order: member row, day, spend_cny, replaced_platform_order (a cannibalised
        natural repurchase or first order) and added (an order touches or paid membership added)."""
        names = ("member", "day", "spend_cny", "replaced_platform_order", "added")
        if not self._orders:
            dtypes = (np.int64, np.float64, np.float64, bool, bool)
            return {name: np.empty(0, dtype=dtype) for name, dtype in zip(names, dtypes, strict=True)}
        return {name: np.concatenate(part) for name, part in zip(names, zip(*self._orders, strict=True), strict=True)}
