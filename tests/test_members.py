"""Member dynamics against their closed forms: first order, sBG unsubscribe, BG/NBD repeats, Gamma-Gamma spend.

Every statistical check compares with the closed form within 3 standard errors, the SE
written out from the binomial / sample variance in each test. Touches and referral are off,
so the published models apply exactly.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from _helpers import NO_UNSUBSCRIBE, assert_within_3se, make_shared, quiet_strategy
from scipy.special import betaln, hyp2f1

from sim.config import (
    CardConfig,
    OfferConfig,
    RepeatConfig,
    SharedConfig,
    SpendConfig,
    StrategyConfig,
    UnsubscribeConfig,
)
from sim.model.funnel import simulate
from sim.model.ledger import Ledger
from sim.model.members import CARD, Members
from sim.model.population import Traits
from sim.model.streams import Streams
from sim.run.metrics import compute_metrics

N = 20_000


def _people(traits: Traits):
    """What Members reads traits from: a People table over the traits (or, in older versions, the traits)."""
    try:
        from sim.model.population import People
    except ImportError:  # pragma: no cover - Members took a Traits table before People existed
        return traits
    return People(traits)


def members_at_zero(
    strategy: StrategyConfig, shared: SharedConfig, n: int = N, wait_days: float = 0.0, seed: int = 1
) -> Members:
    """n members who all asked at t=0 and were accepted after ``wait_days``."""
    traits = Traits.draw(n, shared.population, Streams(seed, 1))
    n_days = shared.run.horizon_days + shared.run.followup_days
    m = Members(strategy, shared, _people(traits), Ledger(n_days), Streams(seed, 0))
    buyers = np.arange(n)
    m.add(buyers, np.full(n, CARD, dtype=np.int8), np.zeros(n), np.full(n, wait_days))
    return m


def bgnbd_expected_repeats(t: float, rep: RepeatConfig) -> float:
    """E[X(t)] of BG/NBD (Fader, Hardie & Lee 2005, eq. 9)."""
    r, alpha, a, b = rep.r, rep.alpha_days, rep.a, rep.b
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))


def sbg_survival(k: int, alpha: float, beta: float) -> float:
    """P(still subscribed after k periods) = B(alpha, beta + k) / B(alpha, beta)."""
    return math.exp(betaln(alpha, beta + k) - betaln(alpha, beta))


# ----------------------------------------------------------------------------- first order


def _quiet_run(**population: object):
    shared = make_shared(
        seed=3, buyers_per_year=20_000, horizon_days=60, followup_days=40, unsubscribe=NO_UNSUBSCRIBE, **population
    )
    strategy = quiet_strategy(card=CardConfig(floor_add_prob=1.0))  # every first card is scanned: many members
    return shared, strategy


def test_first_order_rate_and_delay_with_unlimited_onboarding() -> None:
    shared, strategy = _quiet_run()
    offer = strategy.offer
    rec = simulate(strategy, shared, 0)
    m = rec.members
    assert (m["wait_hours"] == 0.0).all(), "unlimited onboarding accepts at once"
    assert len(m) > 2000

    # members with at least 20 days left (a 2-day mean delay is then never censored in practice)
    followed = m[m["join_day"] <= rec.n_days - 20]
    n = len(followed)
    ordered = np.isfinite(followed["first_order_day"].to_numpy())
    p = offer.first_order_prob
    se = math.sqrt(p * (1 - p) / n)  # binomial
    assert_within_3se(ordered.mean(), p, se, "first-order share of followed members")

    metric = compute_metrics(rec)["first_order_rate"]
    assert metric == pytest.approx(np.isfinite(m["first_order_day"]).mean())
    assert_within_3se(metric, p, math.sqrt(p * (1 - p) / len(m)), "first_order_rate metric")

    delays = (followed["first_order_day"] - followed["join_day"]).to_numpy()[ordered]
    assert (delays >= 0).all()
    mu = offer.first_order_mean_days
    se = mu / math.sqrt(delays.size)  # exponential: SD = mean
    assert_within_3se(delays.mean(), mu, se, "mean first-order delay (days)")


@pytest.mark.parametrize(
    "offer", [OfferConfig(first_order_prob=0.1, first_order_mean_days=5.0), OfferConfig(first_order_prob=0.6)]
)
def test_first_order_probability_and_delay_per_offer(offer: OfferConfig) -> None:
    shared = make_shared(horizon_days=1, followup_days=120, unsubscribe=NO_UNSUBSCRIBE)
    m = members_at_zero(quiet_strategy(offer=offer), shared)
    for day in range(shared.run.followup_days):
        m.step(day)
    ordered = np.isfinite(m.first_order_day)
    p = offer.first_order_prob
    assert_within_3se(ordered.mean(), p, math.sqrt(p * (1 - p) / N), "first-order share")
    delays = m.first_order_day[ordered] - m.join_day[ordered]
    mu = offer.first_order_mean_days
    assert_within_3se(delays.mean(), mu, mu / math.sqrt(delays.size), "mean first-order delay")


def test_slow_greeting_halves_first_order_chance_per_half_life() -> None:
    shared = make_shared(horizon_days=1, followup_days=30, unsubscribe=NO_UNSUBSCRIBE, greeting_half_life_hours=12.0)
    offer = OfferConfig(first_order_prob=0.4, first_order_mean_days=1.0)
    for wait_hours, factor in ((12.0, 0.5), (24.0, 0.25)):
        m = members_at_zero(quiet_strategy(offer=offer), shared, wait_days=wait_hours / 24.0)
        for day in range(shared.run.followup_days):
            m.step(day)
        p = offer.first_order_prob * factor
        share = np.isfinite(m.first_order_day).mean()
        assert_within_3se(share, p, math.sqrt(p * (1 - p) / N), f"first-order share after a {wait_hours} h wait")


# ----------------------------------------------------------------------------- unsubscribe (sBG)


@pytest.mark.parametrize(
    "unsub",
    [
        UnsubscribeConfig(),
        UnsubscribeConfig(alpha=0.704, beta=1.182, period_days=30.0),
        UnsubscribeConfig(alpha=0.668, beta=3.806, period_days=7.0),
    ],
    ids=["default", "fader_hardie_regular", "fader_hardie_high_end_weekly"],
)
def test_unsubscribe_survival_matches_shifted_beta_geometric(unsub: UnsubscribeConfig) -> None:
    periods = 3
    days = int(round(unsub.period_days * periods))
    shared = make_shared(horizon_days=1, followup_days=days, unsubscribe=unsub)
    m = members_at_zero(quiet_strategy(), shared)
    checked = []
    for day in range(days):
        m.step(day)
        k, rest = divmod(day + 1, unsub.period_days)
        if rest == 0:
            k = int(k)
            survived = m.subscribed.mean()
            s = sbg_survival(k, unsub.alpha, unsub.beta)
            if k == 1:
                assert s == pytest.approx(1 - unsub.alpha / (unsub.alpha + unsub.beta))
            se = math.sqrt(s * (1 - s) / N)  # binomial: each member survives or not
            assert_within_3se(survived, s, se, f"survival after {k} period(s)")
            checked.append(k)
    assert checked == list(range(1, periods + 1))
    gone = ~m.subscribed
    assert (m.churn_type[gone] == 1).all()  # UNSUBSCRIBED
    assert np.isfinite(m.churn_day[gone]).all()


# ----------------------------------------------------------------------------- repeat buying (BG/NBD)

REPEATS = [
    RepeatConfig(),  # CDNOW, in days
    RepeatConfig(r=1.0, alpha_days=10.0, a=2.0, b=4.0),
]


@pytest.mark.parametrize("rep", REPEATS, ids=["cdnow", "frequent"])
def test_repeat_orders_match_bgnbd_expected_count(rep: RepeatConfig) -> None:
    t = 30
    shared = make_shared(horizon_days=1, followup_days=t + 1, unsubscribe=NO_UNSUBSCRIBE, repeat=rep)
    offer = OfferConfig(first_order_prob=1.0, first_order_mean_days=0.01)
    m = members_at_zero(quiet_strategy(offer=offer), shared)
    for day in range(t + 1):
        m.step(day)
    assert np.isfinite(m.first_order_day).all()
    rows, days, _ = m.order_log()
    first = m.first_order_day
    repeat = (days > first[rows]) & (days <= first[rows] + t)
    x = np.bincount(rows[repeat], minlength=N).astype(float)
    expected = bgnbd_expected_repeats(t, rep)
    se = x.std(ddof=1) / math.sqrt(N)  # members are independent: sample SD of X(t) / sqrt(n)
    assert_within_3se(x.mean(), expected, se, f"E[X({t})]")


def test_repeat_orders_in_run_record_match_bgnbd() -> None:
    """Through the whole model: orders.member indexes the members table; count repeats t days after the first order."""
    rep = RepeatConfig(r=1.0, alpha_days=10.0, a=2.0, b=4.0)
    t = 30
    shared, strategy = _quiet_run(repeat=rep)
    shared = dataclasses.replace(shared, run=dataclasses.replace(shared.run, followup_days=60))
    rec = simulate(strategy, shared, 0)
    m, o = rec.members, rec.orders
    assert o["member"].between(0, len(m) - 1).all()
    n_orders = np.bincount(o["member"], minlength=len(m))
    np.testing.assert_array_equal(n_orders, m["n_orders"].to_numpy())  # row index really is the member row
    np.testing.assert_allclose(np.bincount(o["member"], weights=o["spend_cny"], minlength=len(m)), m["spend_cny"])

    first = m["first_order_day"].to_numpy()
    rows, days = o["member"].to_numpy(), o["day"].to_numpy()
    # each member's earliest order is the first order
    has = np.isfinite(first)
    earliest = np.full(len(m), np.inf)
    np.minimum.at(earliest, rows, days)
    np.testing.assert_array_equal(earliest[has], first[has])
    assert (n_orders[~has] == 0).all()

    eligible = np.flatnonzero(first <= rec.n_days - t)
    repeat = (days > first[rows]) & (days <= first[rows] + t)
    x = np.bincount(rows[repeat], minlength=len(m))[eligible].astype(float)
    assert eligible.size > 500
    se = x.std(ddof=1) / math.sqrt(eligible.size)
    assert_within_3se(x.mean(), bgnbd_expected_repeats(t, rep), se, f"E[X({t})] in the run record")


# ----------------------------------------------------------------------------- spend (Gamma-Gamma)


@pytest.mark.parametrize(
    "spend", [SpendConfig(), SpendConfig(p=6.25, q=3.74, gamma_cny=15.44)], ids=["default", "cdnow"]
)
def test_mean_spend_per_order_matches_gamma_gamma(spend: SpendConfig) -> None:
    shared = make_shared(horizon_days=1, followup_days=2, unsubscribe=NO_UNSUBSCRIBE, spend=spend)
    offer = OfferConfig(first_order_prob=1.0, first_order_mean_days=0.01)
    m = members_at_zero(quiet_strategy(offer=offer), shared)
    for day in range(2):
        m.step(day)
    rows, days, amount = m.order_log()
    is_first = days == m.first_order_day[rows]
    assert np.bincount(rows[is_first], minlength=N).max() == 1
    s = amount[is_first]  # one order per member: independent draws
    assert s.size == N and (s > 0).all()
    p, q, g = spend.p, spend.q, spend.gamma_cny
    mean = p * g / (q - 1)
    # Var(S) = E[Var(S|nu)] + Var(E[S|nu]) = p E[1/nu^2] + p^2 (E[1/nu^2] - E[1/nu]^2), nu ~ Gamma(q, rate g)
    e_inv, e_inv2 = g / (q - 1), g**2 / ((q - 1) * (q - 2))
    var = p * e_inv2 + p**2 * (e_inv2 - e_inv**2)
    assert_within_3se(s.mean(), mean, math.sqrt(var / s.size), "mean spend per order")


def test_default_mean_order_is_120_cny() -> None:
    spend = SpendConfig()
    assert spend.p * spend.gamma_cny / (spend.q - 1) == pytest.approx(120.0, rel=1e-3)


# ----------------------------------------------------------------------------- money per member


def test_cash_hook_booked_per_captured_member_and_coupon_on_first_order() -> None:
    shared = make_shared(horizon_days=1, followup_days=40, unsubscribe=NO_UNSUBSCRIBE)
    from sim.config import HookConfig, HookType

    cash = members_at_zero(quiet_strategy(hook=HookConfig(type=HookType.cash, value_cny=5.0)), shared, n=1000)
    assert cash.ledger.frame()["hook"].sum() == pytest.approx(5.0 * 1000)

    coupon_hook = HookConfig(type=HookType.coupon, value_cny=7.0, coupon_valid_days=3)
    offer = OfferConfig(first_order_prob=0.5, first_order_mean_days=3.0)
    coupon = members_at_zero(quiet_strategy(hook=coupon_hook, offer=offer), shared, n=1000)
    assert coupon.ledger.frame()["hook"].sum() == 0.0  # nothing paid on add
    for day in range(40):
        coupon.step(day)
    redeemed = (coupon.first_order_day - coupon.join_day) <= coupon_hook.coupon_valid_days
    assert 0 < redeemed.sum() < np.isfinite(coupon.first_order_day).sum()
    assert coupon.ledger.frame()["hook"].sum() == pytest.approx(7.0 * redeemed.sum())
    assert coupon.ledger.frame()["first_order_subsidy"].sum() == pytest.approx(
        offer.subsidy_cny * np.isfinite(coupon.first_order_day).sum()
    )
