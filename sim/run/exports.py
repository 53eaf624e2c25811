"""What one simulated strategy did to each person, as the operator's systems would log it: the facts behind
``python -m sim.export_logs`` (read-only; the model runs exactly as in an experiment).

:func:`export_facts` runs one strategy on one replication's platform layer, as :mod:`sim.run.experiment` does, and
keeps what the run's record and the model's own arrays say about each person, in days from the run's start:

- ``contacts``: every accepted add request (one row per member): ``buyer``, ``request_day`` (asked),
  ``add_day`` (accepted), ``channel``
  (card, sms, referral) and ``source`` (the card campaign, SMS wave or ``referral`` that brought the member);
- ``deletions``: every member who deleted the brand within the run (after going dormant too): ``buyer``,
  ``add_day``, ``delete_day``;
- ``sms``: every message sent, routine or wave: ``buyer``, ``send_day``, ``delivered`` (not intercepted, and the
  wave not filtered as a whole) and ``wave`` (the wave's name, :data:`ROUTINE` for the routine message). Routine
  recipients are the new buyers due that day who had not asked to add by the send time; wave recipients and
  delivery are those of :func:`sim.model.waves.send_wave`, decided by the same keyed uniforms;
- ``shipments``: every parcel delivered within the run: ``buyer``, ``order_day``, ``delivery_day`` and ``campaign``
  (the card campaign in force on the delivery day; "" when the strategy sends no card);
- ``touches``: every mass message (群发) of the touch policy: ``buyer``, ``touch_day`` (its time) and ``content``
  (educational, emotional, promotional), logged by the member step only when asked for (``touch_log``), so a run
  that exports nothing pays nothing for it; 1:1 chats, moments posts, group messages and live streams are not in it;
- ``orders``: platform orders (``marketplace`` its platform's key) and private orders (``marketplace``
  :data:`PRIVATE`), with ``amount_cny``, as the operator's world has them: a member's platform orders from their
  first private order until they delete the brand are the member step's natural repurchases that stayed on the
  platform (:attr:`~sim.model.members.Members.platform_log`), so a repurchase that went private is not also a
  platform order and a member who dropped out buys on neither; every other platform order is the platform layer's
  (the control arm's). No layer draws platform amounts, so each is drawn here from its buyer's Gamma-Gamma spend
  (streams ``export.platform_spend`` and ``export.member_platform_spend``, keyed by buyer and order number;
  nothing the model uses).

Staff accounts are not modelled per member; members are spread over the strategy's initial WeCom accounts in the
order they joined (``staff`` 0, 1, ..., accounts - 1, 0, ...).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.config import Experiment, HookConfig, SmsWaveConfig, StrategyConfig
from sim.model.capture import wave_click_probs
from sim.model.funnel import FunnelModel, RunRecord
from sim.model.population import HOURS_PER_DAY, Platform, build_platform
from sim.model.quantiles import gamma_quantile
from sim.model.streams import Streams
from sim.model.touches import CONTENT
from sim.model.waves import WaveResult, wave_key

ROUTINE = "routine"
PRIVATE = "private"
REFERRAL_SOURCE = "referral"


def hook_name(hook: HookConfig) -> str:
    """A card campaign's name: its hook type and value, e.g. ``cash_5``."""
    return f"{hook.type.value}_{hook.value_cny:g}"


@dataclass(frozen=True)
class ExportFacts:
    """One strategy's run on one replication, per person (see the module doc)."""

    strategy: StrategyConfig
    record: RunRecord
    platform: Platform
    contacts: pd.DataFrame
    deletions: pd.DataFrame
    sms: pd.DataFrame
    touches: pd.DataFrame
    shipments: pd.DataFrame
    orders: pd.DataFrame
    n_cannibalised: int


def export_facts(experiment: Experiment, strategy_name: str, replication: int = 0) -> ExportFacts:
    """Run ``strategy_name`` on ``replication`` (the platform layer and streams of an experiment's run) and collect
    the per-person facts."""
    shared = experiment.shared
    strategy = experiment.strategies[strategy_name]
    platform = build_platform(
        shared.population, shared.run.horizon_days, Streams(shared.run.seed, replication), shared.platform
    )
    model = FunnelModel(strategy, shared, platform, Streams(shared.run.seed, replication))
    model.members.touch_log = []
    model.members.platform_log = []
    record = model.run(replication)
    streams = Streams(shared.run.seed, replication)  # keyed uniforms only: their values do not depend on use
    names = [hook_name(h) for h in model.plan.hooks]
    members = record.members
    deleted = np.isfinite(members["delete_day"].to_numpy())
    return ExportFacts(
        strategy=strategy,
        record=record,
        platform=platform,
        contacts=_contacts(record, model.req_hook, names, strategy),
        deletions=pd.DataFrame(
            {
                "buyer": members["buyer"].to_numpy()[deleted],
                "add_day": members["join_day"].to_numpy()[deleted],
                "delete_day": members["delete_day"].to_numpy()[deleted],
            }
        ),
        sms=_sms(model, record, platform, streams),
        touches=_touches(model),
        shipments=_shipments(model, platform, names),
        orders=_orders(model, record, platform, streams, shared.population.spend.p, list(shared.platform.economics)),
        n_cannibalised=int(record.orders["replaced_platform_order"].sum()) if len(record.orders) else 0,
    )


def _contacts(record: RunRecord, req_hook: np.ndarray, names: list[str], strategy: StrategyConfig) -> pd.DataFrame:
    m = record.members.sort_values("join_day", kind="stable")
    buyer = m["buyer"].to_numpy()
    channel = m["channel"].to_numpy(dtype=object)
    origin = m["origin"].to_numpy()
    waves = np.array([w.name for w in strategy.sms.waves] + [ROUTINE], dtype=object)  # origin -1: the last
    hooks = np.array(names, dtype=object)
    card_hook = np.where(channel == "card", req_hook[buyer], 0)  # other channels' hooks index the waves' part
    source = np.where(channel == "sms", waves[origin], hooks[card_hook])
    source = np.where(channel == "referral", REFERRAL_SOURCE, source)
    return pd.DataFrame(
        {
            "buyer": buyer,
            "request_day": m["join_day"].to_numpy() - m["wait_hours"].to_numpy() / HOURS_PER_DAY,
            "add_day": m["join_day"].to_numpy(),
            "channel": channel,
            "source": source,
            "staff": np.arange(len(m)) % strategy.onboarding.accounts,
        }
    )


def _sms(model: FunnelModel, record: RunRecord, platform: Platform, streams: Streams) -> pd.DataFrame:
    parts = []
    strategy = model.s
    if strategy.channel.sms:
        sms, n_new = strategy.sms, platform.n_new
        send_day = np.floor(platform.arrival_day[:n_new]) + sms.delay_days
        t_send = send_day + sms.send_hour / HOURS_PER_DAY
        sent = (t_send < model.horizon_days) & (model.requested_at[:n_new] > t_send)
        who = np.flatnonzero(sent)
        delivered = platform.u_sms[0, who] >= sms.intercept_prob
        parts.append(pd.DataFrame({"buyer": who, "send_day": t_send[who], "delivered": delivered, "wave": ROUTINE}))
    by_name = {w.name: w for w in strategy.sms.waves}
    for result in record.waves:
        wave = by_name[result.name]
        ids = result.recipients
        if result.filtered:
            delivered = np.zeros(ids.size, dtype=bool)
        else:
            delivered = streams.uniform("sms.wave_intercept", ids, wave_key(wave)) >= wave.intercept_prob
        parts.append(
            pd.DataFrame({"buyer": ids, "send_day": result.send_time, "delivered": delivered, "wave": result.name})
        )
    if not parts:
        return pd.DataFrame({"buyer": [], "send_day": [], "delivered": [], "wave": []})
    return pd.concat(parts, ignore_index=True).sort_values("send_day", kind="stable", ignore_index=True)


def _touches(model: FunnelModel) -> pd.DataFrame:
    """The touch log of the member step, in time order (a member's touches of one day in their order)."""
    log = model.members.touch_log or []
    row, day, kind = (np.concatenate([part[i] for part in log]) if log else np.empty(0) for i in range(3))
    order = np.argsort(day, kind="stable")
    return pd.DataFrame(
        {
            "buyer": model.members.cols["buyer"][row.astype(np.int64)[order]],
            "touch_day": day[order].astype(np.float64),
            "content": np.array(CONTENT, dtype=object)[kind.astype(np.int64)[order]],
        }
    )


def _order_days_of_parcels(platform: Platform) -> np.ndarray:
    """Each parcel's order day: a buyer's k-th parcel (``parcel_card_index`` k) is the k-th of their orders within
    the run (the platform layer numbers both in time order)."""
    assert platform.order_buyer is not None and platform.order_day is not None
    during = platform.order_day >= 0.0
    buyer, day = platform.order_buyer[during].astype(np.int64), platform.order_day[during]
    order = np.lexsort((day, buyer))
    buyer, day = buyer[order], day[order]
    first = np.searchsorted(buyer, buyer, side="left")
    rank = np.arange(buyer.size) - first
    span = int(rank.max()) + 1 if rank.size else 1
    key = buyer * span + rank
    wanted = platform.parcel_buyer.astype(np.int64) * span + platform.parcel_card_index.astype(np.int64)
    at = np.searchsorted(key, wanted)
    assert np.array_equal(key[at], wanted), "every parcel has its order"
    return day[at]


def _shipments(model: FunnelModel, platform: Platform, names: list[str]) -> pd.DataFrame:
    delivery = platform.parcel_delivery_day
    inside = delivery < model.n_days
    campaign = np.full(int(inside.sum()), "", dtype=object)
    if model.s.channel.card:  # every parcel delivered within the run carries the day's card (post_office)
        campaign = np.array(names, dtype=object)[model.plan.hook[np.floor(delivery[inside]).astype(np.int64)]]
    return pd.DataFrame(
        {
            "buyer": platform.parcel_buyer[inside],
            "order_day": _order_days_of_parcels(platform)[inside],
            "delivery_day": delivery[inside],
            "campaign": campaign,
        }
    )


def _orders(
    model: FunnelModel,
    record: RunRecord,
    platform: Platform,
    streams: Streams,
    spend_p: float,
    marketplaces: list[str],
) -> pd.DataFrame:
    assert platform.order_buyer is not None and platform.order_day is not None
    during = platform.order_day >= 0.0
    buyer, day = platform.order_buyer[during].astype(np.int64), platform.order_day[during]

    def amounts(stream: str, who: np.ndarray) -> np.ndarray:  # each order's, from its buyer's Gamma-Gamma spend
        u = streams.uniform(stream, who, np.arange(who.size))
        return gamma_quantile(spend_p, u) / platform.traits.spend_rate[who].astype(np.float64)

    amount = amounts("export.platform_spend", buyer)
    # a member's platform orders between their first private order and their deletion are the member step's
    members = record.members
    switch = np.full(platform.traits.spend_rate.size, np.inf)
    stop = np.full(switch.size, np.inf)
    on_platform = members["marketplace"].to_numpy() >= 0  # referred friends bought on no platform
    m_buyer = members["buyer"].to_numpy(dtype=np.int64)[on_platform]
    switch[m_buyer] = members["first_order_day"].to_numpy(dtype=np.float64)[on_platform]
    stop[m_buyer] = np.nan_to_num(members["delete_day"].to_numpy(dtype=np.float64)[on_platform], nan=np.inf)
    layer = (day < switch[buyer]) | (day >= stop[buyer])
    log = model.members.platform_log or []
    row, m_day = (np.concatenate([part[i] for part in log]) if log else np.empty(0) for i in range(2))
    m_buyer = model.members.cols["buyer"][row.astype(np.int64)].astype(np.int64)
    m_amount = amounts("export.member_platform_spend", m_buyer)
    buyer, day = np.r_[buyer[layer], m_buyer], np.r_[day[layer], m_day.astype(np.float64)]
    platform_orders = pd.DataFrame(
        {
            "buyer": buyer,
            "day": day,
            "amount_cny": np.round(np.r_[amount[layer], m_amount], 2),
            "marketplace": np.array(marketplaces, dtype=object)[platform.marketplace[buyer]],
        }
    )
    private = record.orders
    members = record.members["buyer"].to_numpy()
    private_orders = pd.DataFrame(
        {
            "buyer": members[private["member"].to_numpy(dtype=np.int64)] if len(private) else np.empty(0, np.int64),
            "day": private["day"].to_numpy(dtype=float) if len(private) else np.empty(0),
            "amount_cny": np.round(private["spend_cny"].to_numpy(dtype=float), 2) if len(private) else np.empty(0),
            "marketplace": PRIVATE,
        }
    )
    both = pd.concat([platform_orders, private_orders], ignore_index=True)
    return both.sort_values("day", kind="stable", ignore_index=True)


def truth(experiment: Experiment, facts: ExportFacts, replication: int) -> dict[str, object]:
    """The true parameters that generated the exports, and what the run counted, as plain values (for truth.yaml)."""
    from sim.model.calendar import day_plan
    from sim.model.capture import card_add_prob, sms_add_prob, wave_add_prob

    shared, s, record = experiment.shared, facts.strategy, facts.record
    streams = Streams(shared.run.seed, replication)  # keyed uniforms only
    pop = shared.population
    plan = day_plan(s, pop.start_date, record.n_days)
    cards = {
        hook_name(h): {
            "hook_type": h.type.value,
            "hook_value_cny": float(h.value_cny),
            "add_prob_first_card": card_add_prob(h, s.card),
        }
        for h in plan.hooks
    }
    waves = {
        w.name: {
            "send_day": float(_wave_result(record, w.name).send_time),
            "hook_type": w.hook.type.value,
            "hook_value_cny": float(w.hook.value_cny),
            "intercept_prob": float(w.intercept_prob),
            "filter_prob": float(w.filter_prob),
            "filtered_this_run": bool(_wave_result(record, w.name).filtered),
            "add_prob_fresh_buyer": wave_add_prob(w, s.sms),  # recency 0, no earlier SMS
            "delivered_prob": 0.0 if _wave_result(record, w.name).filtered else 1.0 - float(w.intercept_prob),
            "add_prob_per_delivered": _wave_add_prob_per_delivered(w, s, facts, streams),
        }
        for w in s.sms.waves
    }
    members = record.members
    offer = plan.offer[np.floor(members["join_day"].to_numpy(dtype=float)).astype(np.int64)]  # in force that day
    offer_prob = np.array([o.first_order_prob for o in plan.offers])[offer]
    greeted = offer_prob * np.exp2(-members["wait_hours"].to_numpy(dtype=float) / pop.greeting_half_life_hours)
    return {
        "strategy": s.name,
        "seed": int(shared.run.seed),
        "replication": int(replication),
        "start_date": pop.start_date,
        "end_time": str(pd.Timestamp(pop.start_date) + pd.Timedelta(days=record.n_days)),
        "sample_share": float(pop.sample_share),
        "card": {
            "campaigns": cards,
            "repeat_card_factor": float(s.card.repeat_card_factor),
            "scan_delay_days_mean": float(pop.scan_delay_days_mean),
        },
        "sms": {
            "routine": {
                "intercept_prob": float(s.sms.intercept_prob),
                "click_prob": float(s.sms.click_prob),
                "scene_switch_prob": float(s.sms.scene_switch_prob),
                "add_prob": sms_add_prob(s.sms),
                "add_prob_per_delivered": float(s.sms.click_prob * s.sms.scene_switch_prob),
                "send_hour": float(s.sms.send_hour),
                "delay_days": int(s.sms.delay_days),
            },
            "waves": waves,
            "wave_click_modifiers": {
                "recency_fresh_days": float(s.sms.recency_fresh_days),
                "recency_half_life_days": float(s.sms.recency_half_life_days),
                "repeat_factor_per_earlier_sms": float(s.sms.repeat_factor),
                "hour_multiplier": [float(x) for x in s.sms.hour_multiplier],
            },
            "response_mean_hours": float(s.sms.response_mean_hours),
            "opt_out_prob": float(s.sms.opt_out_prob),
        },
        "onboarding": {
            "greeting_half_life_hours": float(pop.greeting_half_life_hours),
            "patience_hours": float(pop.patience_hours),
            "unlimited": bool(s.onboarding.unlimited),
        },
        "first_order": {
            o.name: {"first_order_prob": float(o.first_order_prob), "mean_delay_days": float(o.first_order_mean_days)}
            for o in plan.offers
        },
        "first_order_expected_rate": float(greeted.mean()) if len(members) else 0.0,
        "touch_response": {
            **_touch_truth(experiment, record),
            "cost_per_touch_cny": {c: float(v) for c, v in s.touch.cost_per_touch_cny.items()},
        },
        "unsubscribe": {
            "alpha": float(pop.unsubscribe.alpha),
            "beta": float(pop.unsubscribe.beta),
            "period_days": float(pop.unsubscribe.period_days),
            "touches_per_week": float(s.touch.touches_per_week),
        },
        "repeat_bgnbd": {k: float(getattr(pop.repeat, k)) for k in ("r", "alpha_days", "a", "b")},
        "spend_gamma_gamma": {k: float(getattr(pop.spend, k)) for k in ("p", "q", "gamma_cny")},
        "counts": {
            "adds": {ch: int((members["channel"] == ch).sum()) for ch in ("card", "sms", "referral")},
            "deletions": len(facts.deletions),
            "sms_sent": int(record.sms_sent),
            "sms_delivered": int(record.sms_sent - record.sms_stages["intercepted"]),
            "parcels": len(facts.shipments),
            "parcels_with_card": int((facts.shipments["campaign"] != "").sum()),
            "cards_sent": int(record.cards_sent),
            "platform_orders": int((facts.orders["marketplace"] != PRIVATE).sum()),
            "private_orders": len(record.orders),
            "touches": len(facts.touches),
            "touch_cost_cny": float(record.ledger["touches"].sum()),  # what the engine booked for them
            "private_orders_replacing_a_platform_order": facts.n_cannibalised,
        },
    }


def _wave_result(record: RunRecord, name: str) -> WaveResult:
    return next(r for r in record.waves if r.name == name)


def _wave_add_prob_per_delivered(wave: SmsWaveConfig, s: StrategyConfig, facts: ExportFacts, streams: Streams) -> float:
    """The expected add share of a wave's delivered messages in this run: the mean over its delivered recipients of
    their click probability (recency and earlier delivered SMS as at the send) times the scene switch; NaN when
    nothing was delivered."""
    result = _wave_result(facts.record, wave.name)
    ids = result.recipients
    if result.filtered or ids.size == 0:
        return math.nan
    delivered = ids[streams.uniform("sms.wave_intercept", ids, wave_key(wave)) >= wave.intercept_prob]
    if delivered.size == 0:
        return math.nan
    last_order_day, _ = facts.platform.history_at(result.send_time)
    before = facts.sms[(facts.sms["send_day"] < result.send_time) & facts.sms["delivered"].astype(bool)]
    earlier = np.bincount(before["buyer"].to_numpy(dtype=np.int64), minlength=facts.platform.n_buyers)[delivered]
    click = wave_click_probs(wave, s.sms, result.send_time - last_order_day[delivered], earlier)
    return float(click.mean() * s.sms.scene_switch_prob)


def _touch_truth(experiment: Experiment, record: RunRecord) -> dict[str, object]:
    """The touch response that generated the touch log's effects, and what the fits of
    :mod:`sim.calibrate.funnel.touch` can see of it: the lift on the private purchase rate (the engine's lift is on
    the member's whole repurchase rate, of which the private baseline is the platform's ``private_share``, 1 for a
    referred friend; the members' mean of lift / share), and the per-touch delete probability at one touch a week for
    a member of the mean tolerance, ``delete_risk / tolerance_mean^k`` (the tolerance's mean and ``delete_risk`` are
    not seen apart)."""
    pop = experiment.shared.population
    resp = pop.touch_response
    shares = np.array([m.private_share for m in experiment.shared.platform.economics.values()] + [1.0])
    market = record.members["marketplace"].to_numpy(dtype=np.int64) if len(record.members) else np.empty(0, np.int64)
    inverse_share = float(np.mean(1.0 / shares[market])) if market.size else math.nan
    k, tolerance = float(resp.fatigue_exponent), float(pop.touch_tolerance_per_week)
    return {
        "lift": {c: float(v) for c, v in resp.lift.items()},
        "lift_decay_days": float(resp.lift_decay_days),
        "lift_on_private_rate": {c: float(v) * inverse_share for c, v in resp.lift.items()},
        "private_share": 1.0 / inverse_share if market.size else math.nan,  # of natural repurchases (harmonic mean)
        "delete_risk": {c: float(v) for c, v in resp.delete_risk.items()},
        "delete_prob_at_one_per_week": {c: float(v) * tolerance**-k for c, v in resp.delete_risk.items()},
        "fatigue_decay_days": float(resp.fatigue_decay_days),
        "fatigue_exponent": k,
        "tolerance_per_week_mean": tolerance,
        "tolerance_shape": float(pop.touch_tolerance_shape),
    }
