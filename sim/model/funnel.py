"""The funnel model: SimPy processes that move platform buyers into the private domain.

Processes (named after their actors), all in days:

- ``post_office``: once a day, the day's parcels reach their buyers; cards are scanned
  (a batched event over the day's parcels) and add requests are submitted.
- ``sms_sender``: once a day at the send hour, the day's deduplicated SMS batch goes out to
  buyers who have not asked to add yet; responders submit add requests hours later.
- ``buyer_asks``: one timeout event per add request (only buyers entering the private
  domain), whose callback queues the request at the :class:`~sim.model.onboarding.ServiceDesk`,
  where agent processes serve it.
- ``members_day``: once a day, every member is advanced through the day
  (:meth:`~sim.model.members.Members.step`); friends who accept referral invitations become new
  add requests.

Platform buyers who never ask to add have no process and no Python object.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import simpy

from sim.config import SharedConfig, StrategyConfig
from sim.model.capture import SMS_ADDED, card_add_prob, sms_stage
from sim.model.ledger import Ledger
from sim.model.members import CARD, CHANNELS, REFERRAL, SMS, Members
from sim.model.onboarding import ServiceDesk
from sim.model.population import HOURS_PER_DAY, People, Platform, TraitPool, Traits
from sim.model.streams import Streams

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
    value_12m_by_line: dict[str, float]  # members' first 12 months by ledger line, discounted (costs negative)
    desk_utilisation: float  # share of the agents' working time over the horizon spent handling requests
    sample_share: float  # the share of buyers simulated (population.sample_share): totals are divided by it


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
        self.people = People(platform.traits, platform.marketplace)
        self.friend_traits = TraitPool(shared.population, streams, "referral_trait")
        n = platform.n_buyers
        self.requested_at = np.full(n, math.inf)
        self.status = np.zeros(n, dtype=np.int8)
        self.channel = np.full(n, -1, dtype=np.int8)
        self.members = Members(strategy, shared, self.people, self.ledger, streams)
        self.cards_sent = 0
        self.sms_stage_counts = np.zeros(4, dtype=np.int64)
        self.sms_response_hours: list[np.ndarray] = []
        self.card_add_delay: list[np.ndarray] = []
        self.lost = np.zeros(len(CHANNELS), dtype=np.int64)
        self._joins: list[tuple[int, int, float, float]] = []
        self._pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # unlimited onboarding
        self.desk: ServiceDesk | None = None
        if not strategy.onboarding.unlimited:
            self.desk = ServiceDesk(
                self.env,
                strategy.onboarding,
                streams["handling"],
                self._accept,
                self._lose,
                share=shared.population.sample_share,
            )
        env = self.env
        if strategy.channel.card:
            env.process(self.post_office())
        if strategy.channel.sms:
            env.process(self.sms_sender())
        self._staff_costs()
        self.members_proc = env.process(self.members_day())

    # ------------------------------------------------------------------ add requests

    def submit(self, who: np.ndarray, t_request: np.ndarray, channel: int) -> None:
        """Register add requests; a buyer's earliest request wins, later ones are dropped."""
        in_time = t_request < self.n_days
        who, t_request = who[in_time], t_request[in_time]
        np.minimum.at(self.requested_at, who, t_request)
        first = t_request == self.requested_at[who]
        who, t_request = who[first], t_request[first]
        if who.size == 0:
            return
        self.status[who] = ASKED
        self.channel[who] = channel
        if self.desk is None:
            self._pending.append((who, t_request, np.full(who.size, channel, dtype=np.int8)))
            return
        patience = self.people.take("patience_days", who)
        env = self.env
        for b, t, wait in zip(who.tolist(), t_request.tolist(), patience.tolist(), strict=True):
            env.timeout(t - env.now).callbacks.append(partial(self.buyer_asks, b, channel, t, wait))

    def buyer_asks(self, buyer: int, channel: int, t_request: float, patience_days: float, _: simpy.Event) -> None:
        """At the request time (a timeout's callback), the buyer's request joins the desk's queue."""
        if self.requested_at[buyer] < t_request:  # an earlier request by the same buyer exists
            return
        assert self.desk is not None
        self.desk.arrive(buyer, channel, patience_days)

    def _accept(self, buyer: int, channel: int, t_request: float, t_accept: float) -> None:
        self._joins.append((buyer, channel, t_request, t_accept))

    def _lose(self, buyer: int, channel: int, t_lost: float) -> None:
        self.status[buyer] = LOST
        self.lost[channel] += 1

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
        self.members.add(who, ch, t_req, t_acc)

    # ------------------------------------------------------------------ processes

    def post_office(self) -> Generator[simpy.Event, Any, None]:
        """Each day, the day's parcels are delivered and their cards scanned; waits a day between batches."""
        p, card = self.platform, self.s.card
        p_first_card = card_add_prob(self.s.hook, card)
        n_parcel_days = min(len(p.parcel_day_start) - 1, self.n_days)
        for day in range(n_parcel_days):
            lo, hi = int(p.parcel_day_start[day]), int(p.parcel_day_start[day + 1])
            if hi > lo:
                self.cards_sent += hi - lo
                self.ledger.book("cards", day, card.cost_per_card_cny * (hi - lo))
                who = p.parcel_buyer[lo:hi].astype(np.int64)
                delivered = p.parcel_delivery_day[lo:hi]
                t_scan = delivered + p.parcel_scan_delay[lo:hi].astype(np.float64)
                prob = p_first_card * card.repeat_card_factor ** p.parcel_card_index[lo:hi].astype(float)
                adds = (p.parcel_u_scan[lo:hi] < prob) & (t_scan < self.requested_at[who])
                self.card_add_delay.append(t_scan[adds] - delivered[adds])
                self.submit(who[adds], t_scan[adds], CARD)
            yield self.env.timeout(1.0)

    def sms_sender(self) -> Generator[simpy.Event, Any, None]:
        """Each day at the send hour, SMS the buyers due today who have not asked to add; waits a day."""
        p, sms = self.platform, self.s.sms
        send_day = np.floor(p.arrival_day) + sms.delay_days
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
                self.submit(added, t_send + delay_hours / HOURS_PER_DAY, SMS)
            yield self.env.timeout(1.0)

    def members_day(self) -> Generator[simpy.Event, Any, None]:
        """At the end of each day, admit that day's accepted requests and advance all members."""
        for day in range(self.n_days):
            yield self.env.timeout(day + 1.0 - self.env.now)
            self._admit(day + 1.0)
            invited = self.members.step(day)
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
        return ids

    def _staff_costs(self) -> None:
        """The onboarding team is paid every day of the horizon, unless no capture channel is on."""
        onb = self.s.onboarding
        if not (self.s.channel.card or self.s.channel.sms):
            return
        daily = onb.agents * onb.cost_per_agent_day_cny * self.shared.population.sample_share
        for day in range(self.horizon_days):
            self.ledger.book("onboarding_staff", day, daily)

    # ------------------------------------------------------------------ run

    def run(self, replication: int) -> RunRecord:
        """Run to the end of the follow-up and collect the record."""
        self.env.run(until=self.members_proc)
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
                "subscribed": m.subscribed,
                "dormant_at_end": m.subscribed
                & (self.n_days - m.last_activity_day >= self.shared.accounting.dormancy_window_days),
                "ltv_12m_cny": m.ltv_12m_cny,
                "ltv_horizon_cny": m.ltv_horizon_cny,
                "gross_margin_12m_cny": m.gross_margin_12m_cny,
                "lost_platform_12m_cny": m.lost_platform_12m_cny,
            }
        )
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
            value_12m_by_line=dict(m.value_12m_by_line),
            desk_utilisation=self.desk.utilisation(self.horizon_days) if self.desk is not None else float("nan"),
            sample_share=self.shared.population.sample_share,
        )


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
