"""Incremental value against the control arm: cannibalisation, platform economics, the control itself.

The control arm is the baseline strategy with no capture channel, on the same buyers. A private order
that replaced a platform order (cannibalised) earns the brand only what the platform would have taken
(commission and ads), less the private order's own costs; orders the touches added are new money.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from _helpers import NO_UNSUBSCRIBE, assert_within_3se, make_shared, quiet_strategy

from sim.config import (
    CONTROL,
    AccountingConfig,
    CardConfig,
    ChannelConfig,
    Experiment,
    HookConfig,
    HookType,
    MarketplaceConfig,
    OfferConfig,
    PlatformConfig,
    ReferralConfig,
    StrategyConfig,
    TouchConfig,
)
from sim.model.funnel import simulate
from sim.model.population import build_platform
from sim.model.streams import Streams
from sim.run.experiment import control_strategy, run_experiment_tables
from sim.run.metrics import compute_metrics


def _platform(**economics: float) -> PlatformConfig:
    return PlatformConfig(name="test", buyer_share={"tmall": 1.0}, economics={"tmall": MarketplaceConfig(**economics)})


def test_with_capture_off_every_strategy_equals_the_control_arm_exactly() -> None:
    """Strategies that differ in every lever but capture nobody are the control arm, metric for metric."""
    shared = make_shared(seed=8, buyers_per_year=30_000, horizon_days=60, followup_days=30, platform=PlatformConfig())
    off = ChannelConfig(card=False, sms=False)
    strategies = {
        "cash": StrategyConfig(name="cash", channel=off),
        "coupon_touchy": StrategyConfig(
            name="coupon_touchy",
            channel=off,
            hook=HookConfig(type=HookType.coupon, value_cny=20.0),
            touch=TouchConfig(touches_per_week=7.0),
            offer=OfferConfig(first_order_prob=1.0, subsidy_cny=50.0),
            referral=ReferralConfig(invite_prob=0.5),
        ),
    }
    experiment = Experiment("off", "?", "cash", strategies, shared)
    reps = run_experiment_tables(experiment, with_control=True).replications
    wide = reps.pivot_table(index=["replication", "metric"], columns="strategy", values="value", dropna=False)
    assert set(wide.columns) == {"cash", "coupon_touchy", CONTROL}
    for name in strategies:
        np.testing.assert_array_equal(wide[name].to_numpy(), wide[CONTROL].to_numpy())
    control = reps[reps["strategy"] == CONTROL].set_index(["replication", "metric"])["value"]
    assert (control.xs("brand_orders", level="metric") > 1000).all()  # the buyers still buy on the platform
    assert (control.xs("incremental_margin", level="metric") == 0.0).all()
    assert control.xs("incremental_ltv", level="metric").isna().all()  # no member: missing, not 0
    assert control_strategy(experiment).channel == off


def test_full_cannibalisation_with_equal_margins_leaves_saved_commission_minus_private_costs() -> None:
    """Every private order replaced a platform order, and the margins are equal, so the incremental margin is
    exactly what the platform would have taken (commission and ads) less what a private order costs.

    Hand-computable: per order of value v, (0.10 v + 4) - (2 + 3 + 0.01 v) = 0.09 v - 1 CNY.
    """
    shared = make_shared(
        seed=5,
        buyers_per_year=5_000,
        horizon_days=60,
        followup_days=0,
        unsubscribe=NO_UNSUBSCRIBE,
        accounting=AccountingConfig(
            gross_margin_rate=0.4,
            service_cost_per_order_cny=2.0,
            shipping_cost_per_order_cny=3.0,
            payment_fee_rate=0.01,
        ),
        platform=_platform(commission_rate=0.10, ads_cost_per_order_cny=4.0, gross_margin_rate=0.4, private_share=1.0),
    )
    strategy = quiet_strategy(
        card=CardConfig(floor_add_prob=1.0),  # everyone joins: many orders
        offer=OfferConfig(first_order_prob=1.0, first_order_mean_days=1.0, first_order_cannibalisation=1.0),
    )
    rec = simulate(strategy, shared, 0)
    metrics = compute_metrics(rec)
    orders = rec.orders
    assert len(orders) > 500 and orders["replaced_platform_order"].all()
    assert metrics["cannibalisation_rate"] == 1.0
    value = orders["spend_cny"].to_numpy()
    by_hand = float(np.sum(0.09 * value - 1.0))
    assert metrics["incremental_margin"] == pytest.approx(by_hand, abs=0.005)  # to the cent
    commission_and_ads = float(np.sum(0.10 * value + 4.0))
    private_costs = float(np.sum(2.0 + 3.0 + 0.01 * value))
    assert round(metrics["incremental_margin"], 2) == round(commission_and_ads - private_costs, 2)


def test_no_cannibalisation_makes_incremental_equal_gross() -> None:
    """Private share 0 and no cannibalised first orders: every private order is new, nothing is lost."""
    shared = make_shared(
        seed=6, buyers_per_year=5_000, horizon_days=60, followup_days=30, platform=_platform(private_share=0.0)
    )
    strategy = dataclasses.replace(
        quiet_strategy(card=CardConfig(floor_add_prob=1.0), offer=OfferConfig(first_order_cannibalisation=0.0)),
        touch=TouchConfig(touches_per_week=3.0),  # the touches' added orders are the only repeats
    )
    rec = simulate(strategy, shared, 0)
    metrics = compute_metrics(rec)
    assert metrics["private_orders"] > 100
    assert metrics["cannibalised_orders"] == 0
    assert metrics["incremental_ltv"] == pytest.approx(metrics["ltv_12m"], rel=1e-12)
    assert metrics["incremental_roi"] == pytest.approx(metrics["roi"], rel=1e-12)


def test_private_share_sends_that_share_of_natural_repurchases_private() -> None:
    """With touches off every repeat order is natural; on common random numbers the same repeat orders occur
    whatever the share, and each goes private with the platform's private share (binomial, 3 SE)."""
    counts = {}
    for share in (1.0, 0.3):
        shared = make_shared(
            seed=7, buyers_per_year=40_000, horizon_days=60, followup_days=120, platform=_platform(private_share=share)
        )
        strategy = quiet_strategy(card=CardConfig(floor_add_prob=1.0), offer=OfferConfig(first_order_prob=1.0))
        rec = simulate(strategy, shared, 0)
        first = rec.members["first_order_day"].to_numpy()[rec.orders["member"].to_numpy()]
        repeats = rec.orders[rec.orders["day"].to_numpy() > first]
        assert repeats["replaced_platform_order"].all()  # natural repurchases placed privately replace platform ones
        counts[share] = len(repeats)
    n = counts[1.0]
    assert n > 2000
    se = math.sqrt(0.3 * 0.7 / n)
    assert_within_3se(counts[0.3] / n, 0.3, se, "private repeat orders at share 0.3 / at share 1")


def test_first_order_cannibalisation_is_the_share_of_first_orders_replacing_platform_orders() -> None:
    shared = make_shared(seed=9, buyers_per_year=40_000, horizon_days=60, followup_days=10, platform=_platform())
    strategy = quiet_strategy(
        card=CardConfig(floor_add_prob=1.0),
        offer=OfferConfig(first_order_prob=1.0, first_order_cannibalisation=0.25),
    )
    rec = simulate(strategy, shared, 0)
    first = rec.orders.drop_duplicates("member", keep="first")  # each member's first order is booked first
    share = float(first["replaced_platform_order"].mean())
    assert_within_3se(share, 0.25, math.sqrt(0.25 * 0.75 / len(first)), "cannibalised share of first orders")


def test_referred_friends_orders_never_replace_platform_orders() -> None:
    shared = make_shared(seed=10, buyers_per_year=20_000, horizon_days=90, followup_days=30, platform=_platform())
    strategy = quiet_strategy(
        card=CardConfig(floor_add_prob=1.0),
        offer=OfferConfig(first_order_prob=1.0, first_order_cannibalisation=1.0),
        referral=ReferralConfig(invite_prob=0.5, accept_prob=0.8),
    )
    rec = simulate(strategy, shared, 0)
    members = rec.members
    referred = members.index[members["channel"] == "referral"]
    assert len(referred) > 100 and (members.loc[referred, "marketplace"] == -1).all()
    friend_orders = rec.orders[rec.orders["member"].isin(referred)]
    assert len(friend_orders) > 50 and not friend_orders["replaced_platform_order"].any()
    assert (members.loc[referred, "lost_platform_window_cny"] == 0).all()


def test_a_platform_mix_assigns_buyers_by_share_and_scales_their_spend() -> None:
    mix = PlatformConfig(name="mix", buyer_share={"tmall": 0.5, "jd": 0.2, "pdd": 0.15, "douyin": 0.15})
    shared = make_shared(buyers_per_year=200_000, horizon_days=365, platform=mix)
    p = build_platform(shared.population, 365, Streams(3, 0), mix)
    n = p.n_buyers
    names = list(mix.economics)
    for i, name in enumerate(names):
        share = mix.buyer_share[name]
        observed = float((p.marketplace == i).mean())
        assert_within_3se(observed, share, math.sqrt(share * (1 - share) / n), f"share of buyers on {name}")
    # a platform's spend multiplier divides the Gamma-Gamma scale nu: mean spend p / nu scales with it
    base = build_platform(shared.population, 365, Streams(3, 0))  # all on Tmall: the same traits otherwise
    pdd = p.marketplace == names.index("pdd")
    ratio = base.traits.spend_rate[pdd] / p.traits.spend_rate[pdd]
    assert ratio == pytest.approx(np.full(ratio.size, mix.economics["pdd"].spend_multiplier), rel=1e-6)
