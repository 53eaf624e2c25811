"""Touches and paid membership add orders on top of a member's natural repurchases; they never relabel them.

A member's natural repurchases (BG/NBD: what they would buy anyway) must not depend on touches or
membership: same counts, times and spends on common random numbers when touch deletes are off. Added
orders come from streams of their own, only while the member is alive in BG/NBD's sense, and are never
cannibalised. Fatigue compares a touches-per-week rate with the member's tolerance whatever the decay.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from _helpers import NO_UNSUBSCRIBE, assert_within_3se, make_shared, quiet_strategy
from test_members import bgnbd_expected_repeats, members_at_zero

from sim.config import (
    Experiment,
    MarketplaceConfig,
    MembershipConfig,
    OfferConfig,
    PlatformConfig,
    ReferralConfig,
    RepeatConfig,
    StrategyConfig,
    TouchConfig,
    TouchResponseConfig,
)
from sim.model.touches import decayed_batch, touch_rate_per_week
from sim.run.experiment import run_experiment

NO_DELETES = TouchResponseConfig(delete_risk={"educational": 0.0, "emotional": 0.0, "promotional": 0.0})
NO_DROPOUT = RepeatConfig(r=1.0, alpha_days=10.0, a=0.01, b=1000.0)  # dropout chance ~1e-5 per repeat
FREQUENT = RepeatConfig(r=1.0, alpha_days=10.0, a=2.0, b=4.0)  # BG/NBD with real dropout, many repeats
ORDER_AT_ONCE = OfferConfig(first_order_prob=1.0, first_order_mean_days=0.01)
DAYS = 120
N = 8_000


def _members(strategy: StrategyConfig, repeat: RepeatConfig = FREQUENT, days: int = DAYS):
    shared = make_shared(
        horizon_days=1, followup_days=days, unsubscribe=NO_UNSUBSCRIBE, repeat=repeat, touch_response=NO_DELETES
    )
    m = members_at_zero(strategy, shared, n=N)
    for day in range(days):
        m.step(day)
    return m


def _strategy(touches_per_week: float, **levers: object) -> StrategyConfig:
    return quiet_strategy(offer=ORDER_AT_ONCE, touch=TouchConfig(touches_per_week=touches_per_week), **levers)


def _natural(m) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = m.order_table()
    keep = ~t["added"]
    return t["member"][keep], t["day"][keep], t["spend_cny"][keep]


def test_natural_repurchases_are_identical_whatever_the_touches_and_membership() -> None:
    reference = _natural(_members(_strategy(0.0)))
    assert reference[0].size > N  # first orders and many repeats
    variants = {
        "2 a week": _strategy(2.0),
        "7 a week": _strategy(7.0),  # the default cap is 7 a week
        "paid membership": _strategy(0.0, membership=MembershipConfig(enabled=True, uptake_prob=1.0)),
        "both": _strategy(3.0, membership=MembershipConfig(enabled=True, uptake_prob=1.0, rate_multiplier=2.0)),
    }
    for name, strategy in variants.items():
        m = _members(strategy)
        assert m.order_table()["added"].sum() > 1000, f"{name}: touches or membership added nothing"
        natural = _natural(m)
        for got, want, what in zip(natural, reference, ("member", "day", "spend"), strict=True):
            np.testing.assert_array_equal(np.sort(got), np.sort(want), err_msg=f"{name}: natural {what} changed")


@pytest.mark.parametrize("repeat", [NO_DROPOUT, FREQUENT], ids=["dropout_off", "dropout_on"])
def test_a_constant_boost_multiplies_all_orders_by_the_boost(repeat: RepeatConfig) -> None:
    """Paid membership with uptake 1 is a constant boost m: repeat orders with it are m times those without.

    Paired by member (same natural luck): d_i = repeats_i(with) - m * repeats_i(without) has mean 0.
    With dropout on this holds because added orders come only while the member is alive: E[added] =
    rate x (m - 1) x E[alive time] = (m - 1) E[natural] (optional stopping).
    """
    multiplier = 2.5
    boost = MembershipConfig(enabled=True, uptake_prob=1.0, rate_multiplier=multiplier, discount_rate=0.0)
    plain = _members(_strategy(0.0), repeat)
    boosted = _members(_strategy(0.0, membership=boost), repeat)
    repeats = [np.bincount(m.order_table()["member"], minlength=N) - 1 for m in (plain, boosted)]  # minus 1st order
    d = repeats[1] - multiplier * repeats[0]
    assert repeats[0].sum() > 2 * N
    assert_within_3se(d.mean(), 0.0, d.std(ddof=1) / math.sqrt(N), f"repeats with boost - {multiplier} x without")


def test_added_orders_are_never_cannibalised_and_natural_ones_are_at_the_private_share() -> None:
    share = 0.4
    platform = PlatformConfig(
        name="t", buyer_share={"tmall": 1.0}, economics={"tmall": MarketplaceConfig(private_share=share)}
    )
    shared = make_shared(
        horizon_days=1,
        followup_days=DAYS,
        unsubscribe=NO_UNSUBSCRIBE,
        repeat=FREQUENT,
        platform=platform,
        touch_response=NO_DELETES,
    )
    m = members_at_zero(_strategy(3.0), shared, n=N)
    for day in range(DAYS):
        m.step(day)
    t = m.order_table()
    added, replaced = t["added"], t["replaced_platform_order"]
    assert added.sum() > 1000
    assert not replaced[added].any(), "an added order replaced a platform order"
    # natural repeats are private (replaced) with the share; the first orders (cannibalisation 0.5) are left out
    first = np.zeros(t["member"].size, dtype=bool)
    first[np.unique(t["member"], return_index=True)[1]] = True
    natural_repeats = (~added & ~first).sum()
    assert natural_repeats > 1000
    # private natural repeats / all natural repeats, with all = private / share in expectation: compare with
    # the plain run's natural repeat count, which places every repeat (share 1 on its own platform)
    everything = _members(_strategy(3.0))
    all_natural = (~everything.order_table()["added"]).sum() - N
    p = natural_repeats / all_natural
    assert_within_3se(p, share, math.sqrt(share * (1 - share) / all_natural), "private share of natural repeats")


def test_bgnbd_holds_for_the_natural_stream_with_touches_on() -> None:
    t = 60
    m = _members(_strategy(3.0), FREQUENT, days=t + 1)
    table = m.order_table()
    assert table["added"].sum() > 1000
    rows, days = _natural(m)[:2]
    first = m.first_order_day
    repeat = (days > first[rows]) & (days <= first[rows] + t)
    x = np.bincount(rows[repeat], minlength=N).astype(float)
    expected = bgnbd_expected_repeats(t, FREQUENT)
    assert_within_3se(x.mean(), expected, x.std(ddof=1) / math.sqrt(N), f"natural E[X({t})] with 3 touches a week")


def test_touch_frequency_leaves_cannibalised_orders_unchanged() -> None:
    """The issue's check, through the whole model: deletes and referral off, every natural repurchase private and
    no first order cannibalised, so the cannibalised orders are the natural repurchases, whatever the touches."""
    platform = PlatformConfig(
        name="t", buyer_share={"tmall": 1.0}, economics={"tmall": MarketplaceConfig(private_share=1.0)}
    )
    shared = make_shared(
        seed=5,
        buyers_per_year=200_000,
        horizon_days=120,
        followup_days=365,
        n_replications=2,
        platform=platform,
        touch_response=NO_DELETES,
    )
    base = StrategyConfig(referral=ReferralConfig(enabled=False), offer=OfferConfig(first_order_cannibalisation=0.0))
    strategies = {
        f"touch_{k}": dataclasses.replace(base, name=f"touch_{k}", touch=TouchConfig(touches_per_week=float(k)))
        for k in (0, 2, 7)
    }
    reps = run_experiment(Experiment("touch", "?", "touch_2", strategies, shared))
    wide = reps.pivot_table(index="replication", columns=["metric", "strategy"], values="value")
    cannibalised = wide["cannibalised_orders"]
    assert (cannibalised["touch_0"] > 100).all()
    for k in ("touch_2", "touch_7"):
        np.testing.assert_array_equal(cannibalised[k], cannibalised["touch_0"], err_msg=k)
        assert (wide["private_orders"][k] > wide["private_orders"]["touch_0"]).all(), "touches added no order"


@pytest.mark.parametrize("decay_days", [2.0, 7.0, 30.0])
@pytest.mark.parametrize("touches_per_week", [0.5, 1.0, 2.0, 3.5, 7.0, 14.0])
def test_fatigue_measures_a_regular_cadence_as_its_touches_per_week(touches_per_week: float, decay_days: float) -> None:
    """Touch a member every 7 / tpw days for a long time: the measured rate is tpw, whatever the decay."""
    interval = 7.0 / touches_per_week
    count, last = 0.0, 0.0
    for k in range(2000):
        t = k * interval
        count = count * math.exp(-(t - last) / decay_days) + 1.0
        last = t
    assert touch_rate_per_week(np.array([count]), decay_days)[0] == pytest.approx(touches_per_week, rel=1e-9)


def test_a_day_of_several_touches_decays_like_touches_sent_one_by_one() -> None:
    sent, interval, tau = np.array([1, 3, 5]), np.array([0.5, 0.5, 0.25]), 7.0
    one_by_one = [sum(math.exp(-j * dt / tau) for j in range(k)) for k, dt in zip(sent, interval, strict=True)]
    np.testing.assert_allclose(decayed_batch(sent, interval, tau), one_by_one, rtol=1e-12)
    assert touch_rate_per_week(np.array([1.0]), tau)[0] == 0.0  # a single touch is no cadence yet
