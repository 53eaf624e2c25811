"""The existing customer base (存量): past buyers at day 0 whose history and future are one BG/NBD process.

- Their orders during the run match BG/NBD's conditional expectation given each one's history
  (x repeat orders, the last at t_x, over T days: Fader, Hardie & Lee 2005, eq. 10) within 3 SE,
  and the share still alive at day 0 matches P(alive | x, t_x, T) within 3 SE. Both fail if the
  run's orders were drawn apart from the history (a fresh rate, or dropout ignored): checked once
  by comparing with the unconditional E[X(t)] instead, which misses by more than 20 SE.
- Adding a base leaves every new buyer's luck as it was, and the control arm has the base's orders.
- A lapsed existing customer (dropped out before day 0) who joins buys once at most.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from _helpers import ALL_PRIVATE, assert_within_3se, make_shared, quiet_strategy
from scipy import special

from sim.config import BaseConfig, ChannelConfig, Experiment, PlatformConfig, SharedConfig, SmsConfig, SmsWaveConfig
from sim.model.funnel import simulate
from sim.model.population import build_platform, draw_base
from sim.model.streams import Streams
from sim.run.experiment import run_replication_tables

pytestmark = pytest.mark.slow

BASE_SIZE = 60_000
HORIZON_DAYS = 180


def _with_base(shared: SharedConfig, size: int, history_days: int = 730) -> SharedConfig:
    pop = dataclasses.replace(shared.population, base=BaseConfig(size=size, history_days=history_days))
    return dataclasses.replace(shared, population=pop)


def conditional_expectation(t: float, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray, rep) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: BG/NBD's expected orders in (T, T + t] of a customer with this history (FHL 2005 eq. 10),
    in days (alpha in days)."""
    r, alpha, a, b = rep.r, rep.alpha_days, rep.a, rep.b
    z = t / (alpha + big_t + t)
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1.0, z)
    num = (a + b + x - 1.0) / (a - 1.0) * (1.0 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyp)
    den = 1.0 + (x > 0) * a / (b + x - 1.0) * ((alpha + big_t) / (alpha + t_x)) ** (r + x)
    return num / den


def p_alive(x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray, rep) -> np.ndarray:
    """P(alive at T | x, t_x, T) under BG/NBD."""
    r, alpha, a, b = rep.r, rep.alpha_days, rep.a, rep.b
    return 1.0 / (1.0 + (x > 0) * a / (b + x - 1.0) * ((alpha + big_t) / (alpha + t_x)) ** (r + x))


def unconditional_expectation(t: float, rep) -> float:
    """E[X(t)] of a new customer (FHL 2005 eq. 9), in days."""
    r, alpha, a, b = rep.r, rep.alpha_days, rep.a, rep.b
    z = t / (alpha + t)
    return (a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + t)) ** r * special.hyp2f1(r, b, a + b - 1.0, z))


@pytest.fixture(scope="module")
def histories() -> dict[str, np.ndarray]:
    """Each existing customer's history at day 0 (x, t_x, T), whether they lapsed, and their orders in the run."""
    shared = _with_base(make_shared(seed=41, buyers_per_year=1, horizon_days=HORIZON_DAYS), BASE_SIZE)
    base = draw_base(shared.population, HORIZON_DAYS, Streams(41, 0), shared.platform)
    past = base.day < 0.0
    repeats = past & (base.index > 0)
    x = np.bincount(base.buyer[repeats], minlength=base.n).astype(float)
    last = np.full(base.n, -np.inf)
    np.maximum.at(last, base.buyer[past], base.day[past])
    big_t = -base.first_day
    return {
        "x": x,
        "t_x": last - base.first_day,  # 0 for a customer without repeat orders
        "T": big_t,
        "lapsed": base.lapsed,
        "future": np.bincount(base.buyer[~past], minlength=base.n).astype(float),
        "rep": shared.population.repeat,  # type: ignore[dict-item]
    }


def test_orders_in_the_run_match_the_bg_nbd_conditional_expectation(histories) -> None:
    h = histories
    expected = conditional_expectation(HORIZON_DAYS, h["x"], h["t_x"], h["T"], h["rep"])
    residual = h["future"] - expected
    se = residual.std(ddof=1) / np.sqrt(residual.size)
    assert_within_3se(h["future"].mean(), expected.mean(), se, "existing base: orders in 180 days vs E[Y(t)|x,t_x,T]")
    for label, group in (("x=0", h["x"] == 0), ("x=1", h["x"] == 1), ("x>=2", h["x"] >= 2)):
        r = residual[group]
        assert group.sum() > 1000, label
        assert_within_3se(
            h["future"][group].mean(),
            expected[group].mean(),
            r.std(ddof=1) / np.sqrt(r.size),
            f"existing base {label}: orders in 180 days vs E[Y(t)|x,t_x,T]",
        )
    # the check can fail: ignoring the history (a new customer's E[X(t)]) misses by far
    naive = unconditional_expectation(HORIZON_DAYS, h["rep"])
    assert abs(h["future"].mean() - naive) > 20 * se


def test_the_share_still_alive_at_day_zero_matches_p_alive(histories) -> None:
    h = histories
    prob = p_alive(h["x"], h["t_x"], h["T"], h["rep"])
    alive = (~h["lapsed"]).astype(float)
    se = np.sqrt(np.sum(prob * (1.0 - prob))) / prob.size
    assert_within_3se(alive.mean(), prob.mean(), se, "existing base: alive at day 0 vs P(alive|x,t_x,T)")
    assert (alive[h["x"] == 0] == 1.0).all()  # BG/NBD: nobody drops out before a repeat order


def test_a_base_leaves_the_new_buyers_luck_and_enters_the_control_arm() -> None:
    shared = make_shared(seed=5, buyers_per_year=20_000, horizon_days=60, platform=PlatformConfig())
    without = build_platform(shared.population, 60, Streams(5, 0), shared.platform)
    with_base = build_platform(_with_base(shared, 5_000).population, 60, Streams(5, 0), shared.platform)
    n = without.n_buyers
    assert with_base.n_new == n and with_base.n_base == 5_000
    np.testing.assert_array_equal(with_base.arrival_day[:n], without.arrival_day)
    np.testing.assert_array_equal(with_base.traits.rate_per_day[:n], without.traits.rate_per_day)
    assert (with_base.arrival_day[n:] < 0).all()
    new_parcels = with_base.parcel_buyer < n
    np.testing.assert_array_equal(np.sort(with_base.parcel_delivery_day[new_parcels]), without.parcel_delivery_day)
    assert with_base.n_orders > without.n_orders  # the base reorders during the run, with cards
    experiment = Experiment("x", "?", "base", {"base": quiet_strategy("base")}, _with_base(shared, 5_000))
    control = run_replication_tables(experiment, 0, with_control=True).replications
    control = control[control["strategy"] == "control"].set_index("metric")["value"]
    assert control["brand_orders"] == with_base.n_orders


def test_lapsed_existing_customers_buy_once_at_most_and_replace_no_platform_order() -> None:
    """They can only join through an SMS recall (they order no more, so no parcel brings them a card)."""
    shared = _with_base(make_shared(seed=9, buyers_per_year=1, horizon_days=120, platform=ALL_PRIVATE), 20_000)
    recall = SmsWaveConfig(name="recall", date="01-10", filter_prob=0.0)
    sms = SmsConfig(click_prob=0.5, recency_half_life_days=36500.0, waves=[recall])
    strategy = quiet_strategy("recall", channel=ChannelConfig(card=False, sms=False), sms=sms)
    rec = simulate(strategy, shared, 0)
    m = rec.members
    lapsed = m["lapsed"].to_numpy()
    assert m["existing"].sum() > 0.99 * len(m) and lapsed.sum() > 20
    assert (m.loc[lapsed, "n_orders"] <= 1).all()
    assert (m.loc[~lapsed, "n_orders"] >= 2).any()
    orders = rec.orders
    lapsed_rows = np.flatnonzero(lapsed)
    assert not orders.loc[orders["member"].isin(lapsed_rows), "replaced_platform_order"].any()
