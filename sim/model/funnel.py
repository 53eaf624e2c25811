"""The funnel model: SimPy processes that move platform buyers into the private domain.

Processes (named after their actors), all in days:

- ``post_office``: once a day, the day's parcels reach their buyers; cards are scanned
  (a batched event over the day's parcels) and add requests are submitted.
- ``sms_sender``: once a day at the send hour, the day's deduplicated SMS batch goes out to
  new buyers who have not asked to add yet; responders submit add requests hours later.
- ``sms_campaigner``: waits for each dated SMS wave's send time and sends it
  (:func:`~sim.model.waves.send_wave`: audience, deduplication, response by hook, hour and recency).
- ``buyer_asks``: one event per add request (a :class:`RequestDue` at the request's time, processed as a
  timeout; only buyers entering the private domain), whose callback queues the request at the
  :class:`~sim.model.onboarding.ServiceDesk`, where agent processes serve it.
- ``members_day``: once a day, every member is advanced through the day
  (:meth:`~sim.model.members.Members.step`); friends who accept referral invitations become new
  add requests.

Platform buyers who never ask to add have no process and no Python object. The campaign
calendar (:mod:`~sim.model.calendar`) sets, day by day, the card's hook, the desk's agents and the
members' touches and offer; every add request remembers its hook and the wave that brought it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import simpy
from simpy.events import NORMAL

from sim.config import ReferralMechanic, SharedConfig, StrategyConfig
from sim.model.blas import one_blas_thread
from sim.model.calendar import day_plan
from sim.model.capture import SMS_ADDED, SMS_INTERCEPTED, HookTable, card_add_prob, sms_stage
from sim.model.ledger import Ledger
from sim.model.members import CARD, CHANNELS, REFERRAL, SMS, Members
from sim.model.onboarding import DAILY_RECORDS, ServiceDesk, shift_agent_days
from sim.model.population import HOURS_PER_DAY, People, Platform, TraitPool, Traits
from sim.model.streams import Streams
from sim.model.waves import SmsState, WaveResult, routine_opt_outs, send_wave, wave_send_time

NOT_ASKED, ASKED, LOST, JOINED = 0, 1, 2, 3
BUYER_STATES: tuple[str, ...] = (
    "platform_only",
    "request_lost",
    "request_pending",
    "member_active",
    "member_dormant",
    "member_unsubscribed",
)


@dataclass
class RunRecord:
    """Everything one replication of one strategy produced, as plain arrays and frames."""

    strategy: str
    replication: int
    horizon_days: int
    n_days: int
    platform_buyers: int
    platform_orders: int
    referred_people: int
    cards_sent: int
    sms_sent: int
    sms_stages: dict[str, int]
    requests: dict[str, int]
    lost: dict[str, int]
    buyer_states: dict[str, int]
    members: pd.DataFrame
    ledger: pd.DataFrame
    sms_response_hours: np.ndarray
    card_add_delay_days: np.ndarray
    orders: pd.DataFrame
    simpy_events: int
    value_window_by_line: dict[str, float]  # members' LTV window by ledger line, discounted (costs negative)
    desk_utilisation: float  # share of the agents' working time over the horizon spent handling requests
    sample_share: float  # the share of buyers simulated (population.sample_share): totals are divided by it
    waves: list[WaveResult] = field(default_factory=list)  # every SMS wave, in the strategy's order
    windows: pd.DataFrame | None = None  # the campaign windows: campaign, name, start_day, end_day
    daily: pd.DataFrame | None = None  # per day: the desk's requests and load (DAILY_RECORDS), friends, accounts
    accounts: dict[str, float] = field(default_factory=dict)  # initial, used, friends, lost_to_caps, first_full_day
    sms_reached: int = -1  # distinct buyers sent at least one SMS (-1: sms_sent)
    lost_to_caps: int = 0  # add requests lost because every WeCom account was full
    referral_shares: int = 0  # referral shares members made (sim.model.referral)
    referral_mechanic: str = "invite"  # referral.mechanic: only other mechanics complete anything
    referral_completed: int = 0  # of which a 拼团 group formed, a 助力 link reached its threshold, a packet filled
    channels: dict[str, float] = field(default_factory=dict)  # what the touch channels did (CHANNEL_COUNTS), groups
    ltv_months: int = 12  # accounting.ltv_months: the LTV window, which the window's metrics are named after


class RequestDue(simpy.Event):
    """An add request falling due: an event scheduled for the request's time (``env.schedule``) that holds the request
    (buyer, channel, request time, patience in days) and has one callback. It is processed as a ``Timeout`` for that
    delay would be, without a Timeout's checks and a ``functools.partial`` per request."""

    def __init__(
        self, env: simpy.Environment, on_due: Callable[[simpy.Event], None], request: tuple[int, int, float, float]
    ) -> None:
        self.env = env
        self.callbacks = [on_due]
        self._value = None
        self._ok = True
        self.request = request


class FunnelModel:
    """One strategy simulated on one replication's platform buyers."""

    def __init__(self, strategy: StrategyConfig, shared: SharedConfig, platform: Platform, streams: Streams) -> None:
        self.s = strategy
        self.shared = shared
        self.platform = platform
        self.streams = streams
        self.env = simpy.Environment()
        self.horizon_days = shared.run.horizon_days
        self.n_days = self.horizon_days + shared.run.followup_days
        self.ledger = Ledger(self.n_days)
        self.people = People(platform.traits, platform.marketplace, platform.lapsed)
        self.friend_traits = TraitPool(shared.population, streams, "referral_trait")
        n = platform.n_buyers
        self.requested_at = np.full(n, math.inf)
        self.status = np.zeros(n, dtype=np.int8)
        self.channel = np.full(n, -1, dtype=np.int8)
        self.req_hook = np.full(n, -1, dtype=np.int16)  # the hook each buyer's earliest request was made for
        self.req_origin = np.full(n, -1, dtype=np.int16)  # the SMS wave that brought it (-1: none)
        self.plan = day_plan(strategy, shared.population.start_date, self.n_days)
        self.hooks = HookTable(self.plan.hooks, strategy.sms.waves)
        self.members = Members(strategy, shared, self.people, self.ledger, streams, self.plan, self.hooks)
        self.cards_sent = 0
        self.sms_stage_counts = np.zeros(4, dtype=np.int64)
        self.sms_response_hours: list[np.ndarray] = []
        self.card_add_delay: list[np.ndarray] = []
        self.lost = np.zeros(len(CHANNELS), dtype=np.int64)
        self.lost_cap = 0
        self.waves: list[WaveResult] = []
        self.sms_state = SmsState.empty(n) if strategy.sms.waves else None
        self.friends_daily = np.full(self.n_days, np.nan)
        self.accounts_daily = np.full(self.n_days, np.nan)
        self._joins: list[tuple[int, int, float, float]] = []
        self._pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # unlimited onboarding
        self.desk: ServiceDesk | None = None
        if not strategy.onboarding.unlimited:
            extra = bool((self.plan.agents != strategy.onboarding.agents).any())
            self.desk = ServiceDesk(
                self.env,
                strategy.onboarding,
                streams["handling"],
                self._accept,
                self._lose,
                share=shared.population.sample_share,
                agents_by_day=self.plan.agents if extra else None,
                accounts_by_day=self.plan.accounts if self.plan.accounts.any() else None,
                shift_agents_by_day=self.plan.shift_agents if strategy.onboarding.shifts else None,
                on_capped=self._lose_to_caps,
                on_open=self._open_account,
                n_days=self.n_days,
            )
        env = self.env
        if strategy.channel.card:
            env.process(self.post_office())
        if strategy.channel.sms:
            env.process(self.sms_sender())
        if strategy.sms.waves:
            env.process(self.sms_campaigner())
        self._staff_costs()
        self.members_proc = env.process(self.members_day())

    # ------------------------------------------------------------------ add requests

    def submit(
        self, who: np.ndarray, t_request: np.ndarray, channel: int, hook: np.ndarray | int = 0, origin: int = -1
    ) -> None:
        """Register add requests (made for ``hook``, an index into the HookTable, and brought by wave ``origin``);
        a buyer's earliest request wins, later ones are dropped."""
        in_time = t_request < self.n_days
        hook = np.broadcast_to(np.asarray(hook, dtype=np.int16), who.shape)[in_time]
        who, t_request = who[in_time], t_request[in_time]
        np.minimum.at(self.requested_at, who, t_request)
        first = t_request == self.requested_at[who]
        who, t_request, hook = who[first], t_request[first], hook[first]
        if who.size == 0:
            return
        self.status[who] = ASKED
        self.channel[who] = channel
        self.req_hook[who] = hook
        self.req_origin[who] = origin
        if self.desk is None:
            self._pending.append((who, t_request, np.full(who.size, channel, dtype=np.int8)))
            return
        patience = self.people.take("patience_days", who)
        env, asks = self.env, self.buyer_asks
        delays = (t_request - env.now).tolist()  # what env.timeout(t - env.now) would be given, one by one
        for b, t, wait, delay in zip(who.tolist(), t_request.tolist(), patience.tolist(), delays, strict=True):
            env.schedule(RequestDue(env, asks, (b, channel, t, wait)), NORMAL, delay)

    def buyer_asks(self, due: simpy.Event) -> None:
        """At the request time (a :class:`RequestDue`'s callback), the buyer's request joins the desk's queue."""
        assert isinstance(due, RequestDue)
        buyer, channel, t_request, patience_days = due.request
        if self.requested_at[buyer] < t_request:  # an earlier request by the same buyer exists
            return
        assert self.desk is not None
        self.desk.arrive(buyer, channel, patience_days)

    def _accept(self, buyer: int, channel: int, t_request: float, t_accept: float) -> None:
        self._joins.append((buyer, channel, t_request, t_accept))

    def _lose(self, buyer: int, channel: int, t_lost: float) -> None:
        self.status[buyer] = LOST
        self.lost[channel] += 1

    def _lose_to_caps(self, buyer: int, channel: int, t_lost: float) -> None:
        self.status[buyer] = LOST
        self.lost_cap += 1

    def _open_account(self, t_open: float) -> None:
        share = self.shared.population.sample_share  # the full run opens as many accounts, at full cost
        self.ledger.book("wecom_accounts", t_open, self.s.onboarding.new_account_cost_cny * share)

    def _admit(self, until: float) -> None:
        """Turn accepted requests up to ``until`` into members (vectorised)."""
        if self.desk is None:
            if not self._pending:
                return
            who, t, ch = (np.concatenate(x) for x in zip(*self._pending, strict=True))
            now = (t < until) & (t == self.requested_at[who])
            later = (t >= until) & (t == self.requested_at[who])
            self._pending = [(who[later], t[later], ch[later])] if later.any() else []
            who, t, ch = who[now], t[now], ch[now]
            who, idx = np.unique(who, return_index=True)
            t_req = t_acc = t[idx]
            ch = ch[idx]
        else:
            ready = [j for j in self._joins if j[3] < until]
            if not ready:
                return
            self._joins = [j for j in self._joins if j[3] >= until]
            who = np.array([j[0] for j in ready], dtype=np.int64)
            ch = np.array([j[1] for j in ready], dtype=np.int8)
            t_req = np.array([j[2] for j in ready])
            t_acc = np.array([j[3] for j in ready])
        self.status[who] = JOINED
        hook = np.where(ch == REFERRAL, -1, self.req_hook[who])
        self.members.add(who, ch, t_req, t_acc, hook=hook, origin=self.req_origin[who])

    # ------------------------------------------------------------------ processes

    def post_office(self) -> Generator[simpy.Event, Any, None]:
        """Each day, the day's parcels are delivered and their cards scanned; waits a day between batches."""
        p, card = self.platform, self.s.card
        p_first_card = [card_add_prob(hook, card) for hook in self.plan.hooks]  # by the day's hook (campaigns)
        n_parcel_days = min(len(p.parcel_day_start) - 1, self.n_days)
        for day in range(n_parcel_days):
            lo, hi = int(p.parcel_day_start[day]), int(p.parcel_day_start[day + 1])
            if hi > lo:
                hook = int(self.plan.hook[day])
                self.cards_sent += hi - lo
                self.ledger.book("cards", day, card.cost_per_card_cny * (hi - lo))
                who = p.parcel_buyer[lo:hi].astype(np.int64)
                delivered = p.parcel_delivery_day[lo:hi]
                t_scan = delivered + p.parcel_scan_delay[lo:hi].astype(np.float64)
                prob = p_first_card[hook] * card.repeat_card_factor ** p.parcel_card_index[lo:hi].astype(float)
                adds = (p.parcel_u_scan[lo:hi] < prob) & (t_scan < self.requested_at[who])
                self.card_add_delay.append(t_scan[adds] - delivered[adds])
                self.submit(who[adds], t_scan[adds], CARD, hook)
            yield self.env.timeout(1.0)

    def sms_sender(self) -> Generator[simpy.Event, Any, None]:
        """Each day at the send hour, SMS the new buyers due today who have not asked to add; waits a day."""
        p, sms = self.platform, self.s.sms
        send_day = np.floor(p.arrival_day[: p.n_new]) + sms.delay_days
        bounds = np.searchsorted(send_day, np.arange(self.horizon_days + 1, dtype=float))
        hour = sms.send_hour / HOURS_PER_DAY
        yield self.env.timeout(hour)
        for day in range(self.horizon_days):
            t_send = day + hour
            if t_send >= self.horizon_days:
                break
            who = np.arange(bounds[day], bounds[day + 1], dtype=np.int64)
            who = who[self.requested_at[who] > t_send]
            if who.size:
                self.ledger.book("sms", day, sms.cost_per_message_cny * who.size)
                u = p.u_sms[:, who]
                stage = sms_stage(u[0], u[1], u[2], sms)
                self.sms_stage_counts += np.bincount(stage, minlength=4)
                added = who[stage == SMS_ADDED]
                delay_hours = p.sms_response_delay[added].astype(np.float64) * sms.response_mean_hours
                self.sms_response_hours.append(delay_hours)
                self.submit(added, t_send + delay_hours / HOURS_PER_DAY, SMS, int(self.plan.hook[day]))
                if self.sms_state is not None:  # what later waves need to know
                    self.sms_state.messaged[who] = True
                    delivered = stage != SMS_INTERCEPTED
                    self.sms_state.delivered[who[delivered]] += 1
                    leaving = routine_opt_outs(who, delivered, stage == SMS_ADDED, sms, self.streams)
                    self.sms_state.opted_out[leaving] = True
            yield self.env.timeout(1.0)

    def sms_campaigner(self) -> Generator[simpy.Event, Any, None]:
        """Waits for each SMS wave's send time (in time order; the list's order at equal times) and sends it."""
        sms, pop = self.s.sms, self.shared.population
        assert self.sms_state is not None
        platforms = list(self.shared.platform.economics)
        times = [wave_send_time(w, pop.start_date) for w in sms.waves]
        for index in sorted(range(len(sms.waves)), key=lambda i: (times[i], i)):
            wave, t_send = sms.waves[index], times[index]
            if t_send >= self.horizon_days:  # waves go out within the acquisition window only
                self.waves.append(WaveResult(wave.name, t_send))
                continue
            yield self.env.timeout(t_send - self.env.now)
            result = send_wave(
                wave, t_send, self.platform, self.sms_state, self.requested_at, sms, self.streams, pop, platforms
            )
            self.waves.append(result)
            self.ledger.book("sms", t_send, result.message_cost_cny)
            self.sms_stage_counts += np.array(
                [result.sent - result.delivered, result.delivered - result.clicked, result.clicked, 0]
            )
            n_added = result.requesters.size
            self.sms_stage_counts[2:] += [-n_added, n_added]
            self.sms_response_hours.append(result.request_hours)
            t_request = t_send + result.request_hours / HOURS_PER_DAY
            self.submit(result.requesters, t_request, SMS, self.hooks.of_wave(index), index)

    def members_day(self) -> Generator[simpy.Event, Any, None]:
        """At the end of each day, admit that day's accepted requests and advance all members."""
        for day in range(self.n_days):
            yield self.env.timeout(day + 1.0 - self.env.now)
            self.members.begin_day(day)
            self._admit(day + 1.0)
            invited = self.members.step(day)
            if self.desk is not None:
                self.friends_daily[day] = self.desk.accounts.total_friends
                self.accounts_daily[day] = self.desk.accounts.used
            if invited.n:
                friends = self._add_people(self.friend_traits.take(invited.n))
                self.submit(friends, invited.request_day, REFERRAL)

    def _add_people(self, traits: Traits) -> np.ndarray:
        """Make referred friends people of the model; returns their ids.

        Per-person arrays grow by doubling their referred part, so the platform part
        is copied only a logarithmic number of times.
        """
        start = len(self.people)
        ids = self.people.add(traits)
        capacity = len(self.requested_at)
        if len(self.people) > capacity:
            capacity = len(self.people) + max(len(self.people) - self.platform.n_buyers, 1024)
            self.requested_at = _grown(self.requested_at, start, capacity, math.inf)
            self.status = _grown(self.status, start, capacity, NOT_ASKED)
            self.channel = _grown(self.channel, start, capacity, -1)
            self.req_hook = _grown(self.req_hook, start, capacity, -1)
            self.req_origin = _grown(self.req_origin, start, capacity, -1)
        return ids

    def _staff_costs(self) -> None:
        """The onboarding team (with a campaign's extra agents in its window) is paid every day of the horizon,
        unless no capture channel is on; with ``onboarding.shifts``, each shift's agents for its hours."""
        onb = self.s.onboarding
        if not (self.s.channel.card or self.s.channel.sms or self.s.sms.waves):
            return
        share = self.shared.population.sample_share
        if onb.shifts and not onb.unlimited:  # each shift's agents for its hours
            agent_days = shift_agent_days(onb, self.plan.shift_agents[: self.horizon_days])
            for day in range(self.horizon_days):
                self.ledger.book("onboarding_staff", day, float(agent_days[day]) * onb.cost_per_agent_day_cny * share)
            return
        for day in range(self.horizon_days):
            self.ledger.book("onboarding_staff", day, int(self.plan.agents[day]) * onb.cost_per_agent_day_cny * share)

    # ------------------------------------------------------------------ run

    def run(self, replication: int) -> RunRecord:
        """Run to the end of the follow-up, with one BLAS thread (:mod:`sim.model.blas`), and collect the record."""
        with one_blas_thread():
            self.env.run(until=self.members_proc)
        self.members.settle_team_costs()
        if self.desk is not None:
            self.desk.expire()
        events = next(self.env._eid)  # SimPy numbers every scheduled event
        return self._record(replication, events)

    def _requests_by_channel(self) -> dict[str, int]:
        """People who asked to add, by the channel of their earliest request."""
        asked = self.channel[: len(self.people)]
        counts = np.bincount(asked[asked >= 0], minlength=len(CHANNELS))
        return dict(zip(CHANNELS, counts.tolist(), strict=True))

    def _buyer_states(self) -> dict[str, int]:
        m = self.members
        end = float(self.n_days)
        window = self.shared.accounting.dormancy_window_days
        unsub = int((~m.subscribed).sum())
        dormant = int((m.subscribed & (end - m.last_activity_day >= window)).sum())
        counts = np.bincount(self.status[: len(self.people)], minlength=4)
        return {
            "platform_only": int(counts[NOT_ASKED]),
            "request_lost": int(counts[LOST]),
            "request_pending": int(counts[ASKED]),
            "member_active": m.n - unsub - dormant,
            "member_dormant": dormant,
            "member_unsubscribed": unsub,
        }

    def _record(self, replication: int, events: int) -> RunRecord:
        m = self.members
        members = pd.DataFrame(
            {
                "buyer": m.buyer,
                "channel": np.asarray(CHANNELS, dtype=object)[m.channel],
                "marketplace": m.marketplace,  # index into the platform config's economics; -1: referred friend
                "join_day": m.join_day,
                "wait_hours": m.wait_days * HOURS_PER_DAY,
                "first_order_day": m.first_order_day,
                "n_orders": m.n_orders,
                "spend_cny": m.spend_cny,
                "churn_day": m.churn_day,
                "churn_type": np.array(["none", "unsubscribe", "dormancy"], dtype=object)[m.churn_type],
                "delete_day": m.delete_day,  # deleting the brand, after dormancy too (churn_day: the first churn)
                "subscribed": m.subscribed,
                "dormant_at_end": m.subscribed
                & (self.n_days - m.last_activity_day >= self.shared.accounting.dormancy_window_days),
                "ltv_window_cny": m.ltv_window_cny,
                "ltv_horizon_cny": m.ltv_horizon_cny,
                "gross_margin_window_cny": m.gross_margin_window_cny,
                "lost_platform_window_cny": m.lost_platform_window_cny,
                "request_day": m.request_day,
                "hook_cost_cny": m.hook_cost_cny,  # the member's hook: paid on add or redeemed (acquisition)
                "origin": m.origin,  # the SMS wave that captured the member (index into sms.waves); -1: none
                "lapsed": m.lapsed,
                "group": m.group,  # the customer group (社群) the member is in at the end; -1: none
                "existing": m.buyer >= self.platform.n_new,  # from the existing customer base (referred: no)
            }
        )
        members.loc[members["buyer"] >= self.platform.n_buyers, "existing"] = False
        orders = pd.DataFrame(m.order_table())
        stages = self.sms_stage_counts
        return RunRecord(
            strategy=self.s.name,
            replication=replication,
            horizon_days=self.horizon_days,
            n_days=self.n_days,
            platform_buyers=self.platform.n_buyers,
            platform_orders=self.platform.n_orders,
            referred_people=self.people.n_referred,
            cards_sent=self.cards_sent,
            sms_sent=int(stages.sum()),
            sms_stages={
                "intercepted": int(stages[0]),
                "ignored": int(stages[1]),
                "clicked_not_added": int(stages[2]),
                "added": int(stages[3]),
            },
            requests=self._requests_by_channel(),
            lost=dict(zip(CHANNELS, self.lost.tolist(), strict=True)),
            buyer_states=self._buyer_states(),
            members=members,
            ledger=self.ledger.frame(),
            sms_response_hours=np.concatenate(self.sms_response_hours) if self.sms_response_hours else np.empty(0),
            card_add_delay_days=np.concatenate(self.card_add_delay) if self.card_add_delay else np.empty(0),
            orders=orders,
            simpy_events=events,
            value_window_by_line=dict(m.value_window_by_line),
            ltv_months=self.shared.accounting.ltv_months,
            desk_utilisation=self.desk.utilisation(self.horizon_days) if self.desk is not None else float("nan"),
            sample_share=self.shared.population.sample_share,
            waves=self.waves,
            windows=pd.DataFrame(
                [(w.campaign, w.name, w.start_day, w.end_day) for w in self.plan.windows],
                columns=["campaign", "name", "start_day", "end_day"],
            ),
            daily=self._daily(),
            accounts=self._accounts(),
            sms_reached=int(self.sms_state.messaged.sum()) if self.sms_state is not None else int(stages.sum()),
            lost_to_caps=self.lost_cap,
            referral_shares=self.members.referral_shares,
            referral_completed=self.members.referral_completed,
            referral_mechanic=ReferralMechanic(self.s.referral.mechanic).value,
            channels=self._channels(),
        )

    def _daily(self) -> pd.DataFrame:
        """Per day of the run: the desk's requests, acceptances, losses and load, and the WeCom accounts' friends."""
        if self.desk is None:
            nan = np.full(self.n_days, np.nan)
            frame = pd.DataFrame({name: nan for name in DAILY_RECORDS})
        else:
            frame = pd.DataFrame(self.desk.daily)
        frame["friends"] = self.friends_daily
        frame["accounts"] = self.accounts_daily
        m = self.members
        frame["touch_staff_minutes"] = m.staff_minutes_used
        frame["group_members"] = m.group_members_daily
        frame["group_active_share"] = m.group_activity_daily
        frame["group_audience"] = m.group_audience_daily
        frame["group_views"] = m.group_views_daily
        frame["touch_team_per_member_cny"] = m.team_cost_per_member_cny
        frame.index.name = "day"
        return frame

    def _channels(self) -> dict[str, float]:
        """What the touch channels did: the counts of :data:`~sim.model.members.CHANNEL_COUNTS`, the groups opened,
        and the touch team's minutes available and used over the horizon."""
        m = self.members
        return {
            **m.channel_counts,
            "groups_opened": float(m.groups.n),
            "staff_minutes_available": m.channels.staff_minutes_per_day * self.horizon_days,
            "staff_minutes_used": float(m.staff_minutes_used[: self.horizon_days].sum()),
        }

    def _accounts(self) -> dict[str, float]:
        """The WeCom accounts at the end: initial, used (opened included), friends, requests lost to the caps,
        and the day the first account filled (NaN if none did; nothing at all with unlimited onboarding)."""
        if self.desk is None:
            return {}
        acc = self.desk.accounts
        return {
            "initial": float(acc.initial),
            "used": float(acc.used),
            "friends": float(acc.total_friends),
            "cap_per_account": float(acc.cap),
            "lost_to_caps": float(self.lost_cap),
            "first_full_day": acc.full_days[0] if acc.full_days else float("nan"),
        }


def _grown(values: np.ndarray, n_rows: int, capacity: int, fill: float) -> np.ndarray:
    out = np.full(capacity, fill, dtype=values.dtype)
    out[:n_rows] = values[:n_rows]
    return out


def simulate(
    strategy: StrategyConfig, shared: SharedConfig, replication: int, platform: Platform | None = None
) -> RunRecord:
    """Simulate one strategy for one replication; ``platform`` may be shared between strategies."""
    from sim.model.population import build_platform

    streams = Streams(shared.run.seed, replication)
    if platform is None:
        platform = build_platform(
            shared.population, shared.run.horizon_days, Streams(shared.run.seed, replication), shared.platform
        )
    return FunnelModel(strategy, shared, platform, streams).run(replication)
