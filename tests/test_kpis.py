"""The operator KPIs (K-factor, fission rate, response time, repurchase cycle) and the GMV formula's factors.

- ``repurchase_cycle_days`` on a hand-built order table (exact), and through the model against its closed form:
  with no dropout, a member's private orders after the first are a Poisson process at their rate
  lambda ~ Gamma(r, alpha), observed until the horizon, L days after the first order. The expected number of
  observed gaps <= x of such a member is lambda (x + (L - x) F(x)) with F the exponential CDF (x <= L), so the
  pooled gaps' expected CDF is H(x) = sum_i [x_i + (L_i - x_i)(1 - (alpha / (alpha + x_i))^(r + 1))] / sum_i L_i,
  x_i = min(x, L_i), after averaging over lambda; the expected median solves H(m) = 1/2. SE of the sample median
  by linearisation with member-clustered variance: sum_i (C_i(m) - N_i / 2)^2 / (sum_i N_i)^2 / H'(m)^2
  (C_i: the member's gaps <= m, N_i: all their gaps).
- ``gmv_decomposition``: the factors multiply to the mean private GMV, and each is its ratio of sums.
- ``response_time_hours`` is the mean request-to-acceptance wait of the members (0 with unlimited onboarding).
The K-factor and fission rate are checked against the Galton-Watson closed forms in tests/test_validation.py.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from _helpers import NO_UNSUBSCRIBE, assert_within_3se, make_shared, quiet_strategy
from scipy import optimize

from sim.config import CardConfig, ChannelConfig, Experiment, OfferConfig, RepeatConfig, StrategyConfig
from sim.model.funnel import simulate
from sim.run.experiment import run_experiment_tables
from sim.run.kpis import gmv_decomposition
from sim.run.metrics import compute_metrics, repurchase_cycle_days


def test_repurchase_cycle_is_the_median_gap_between_a_member_s_orders_within_the_horizon() -> None:
    member = np.array([0, 1, 0, 1, 0, 2, 0])
    day = np.array([4.0, 2.0, 1.0, 3.0, 10.0, 50.0, 25.0])  # member 0's order on day 25 is after the horizon
    # gaps: member 0: 1 -> 4 -> 10 = 3, 6; member 1: 2 -> 3 = 1; member 2 has one order
    assert repurchase_cycle_days(member, day, 20.0) == 3.0
    assert math.isnan(repurchase_cycle_days(np.array([0, 1]), np.array([1.0, 2.0]), 20.0))


def _expected_pooled_cdf(x: float, horizon_left_days: np.ndarray, r: float, alpha_days: float) -> float:
    xi = np.minimum(x, horizon_left_days)
    caught = 1.0 - (alpha_days / (alpha_days + xi)) ** (r + 1.0)
    return float((xi + (horizon_left_days - xi) * caught).sum() / horizon_left_days.sum())


def test_repurchase_cycle_matches_the_pooled_poisson_gamma_median() -> None:
    r, alpha_days = 4.0, 40.0  # mean rate 0.1 orders a day, CV 0.5
    horizon = 365
    shared = make_shared(
        seed=23,
        buyers_per_year=4_000,
        horizon_days=horizon,
        followup_days=365,
        unsubscribe=NO_UNSUBSCRIBE,
        repeat=RepeatConfig(r=r, alpha_days=alpha_days, a=0.001, b=1000.0),  # dropout p ~ 1e-6: none
    )
    strategy = quiet_strategy(
        channel=ChannelConfig(card=True, sms=False),
        card=CardConfig(floor_add_prob=1.0),
        offer=OfferConfig(first_order_prob=1.0, first_order_mean_days=0.01),
    )
    rec = simulate(strategy, shared, 0)
    measured = compute_metrics(rec)["repurchase_cycle_days"]

    first = rec.members["first_order_day"].to_numpy()
    left = np.clip(horizon - first[np.isfinite(first)], 0.0, None)
    median = optimize.brentq(lambda x: _expected_pooled_cdf(x, left, r, alpha_days) - 0.5, 1e-6, float(horizon))
    step = 1e-3 * median
    density = (
        _expected_pooled_cdf(median + step, left, r, alpha_days)
        - _expected_pooled_cdf(median - step, left, r, alpha_days)
    ) / (2 * step)

    orders = rec.orders[rec.orders["day"] < horizon].sort_values(["member", "day"])
    same = orders["member"].to_numpy()[1:] == orders["member"].to_numpy()[:-1]
    gaps = pd.DataFrame(
        {"member": orders["member"].to_numpy()[1:][same], "gap": np.diff(orders["day"].to_numpy())[same]}
    )
    per_member = gaps.groupby("member")["gap"].agg(below=lambda g: float((g <= median).sum()), n="size")
    assert per_member["n"].sum() > 50_000
    clustered_var = float(((per_member["below"] - per_member["n"] / 2) ** 2).sum()) / per_member["n"].sum() ** 2
    se = math.sqrt(clustered_var) / density
    assert_within_3se(measured, median, se, "repurchase_cycle_days vs pooled Poisson-Gamma median", unit=" days")


@pytest.fixture(scope="module")
def replications() -> pd.DataFrame:
    shared = make_shared(seed=7, buyers_per_year=20_000, horizon_days=90, followup_days=365, n_replications=3)
    strategies = {
        "card": StrategyConfig(name="card", channel=ChannelConfig(card=True, sms=False)),
        "both": StrategyConfig(name="both", channel=ChannelConfig(card=True, sms=True)),
    }
    experiment = Experiment("kpis", "?", "card", strategies, shared)
    return run_experiment_tables(experiment).replications


def test_the_gmv_factors_multiply_to_the_mean_private_gmv(replications: pd.DataFrame) -> None:
    table = gmv_decomposition(replications)
    assert list(table["strategy"]) == ["card", "both"]  # the control arm has no traffic and no row
    sums = replications.groupby(["strategy", "metric"])["value"].sum()
    for _, row in table.iterrows():
        s = row["strategy"]
        product = (
            row["traffic"]
            * row["conversion_rate"]
            * row["fission_multiplier"]
            * row["orders_per_member"]
            * row["aov_cny"]
        )
        assert product == pytest.approx(row["private_gmv_cny"], rel=1e-12)
        assert row["private_gmv_cny"] == pytest.approx(sums[(s, "private_gmv")] / 3, rel=1e-12)
        members, referred = sums[(s, "members_acquired")], sums[(s, "referred_members")]
        assert row["fission_multiplier"] == pytest.approx(members / (members - referred), rel=1e-12)
        assert row["aov_cny"] == pytest.approx(sums[(s, "private_gmv")] / sums[(s, "private_orders")], rel=1e-12)
        assert 0 < row["conversion_rate"] < 1 and row["fission_multiplier"] >= 1


def test_response_time_is_the_members_mean_wait_and_zero_without_a_desk() -> None:
    shared = make_shared(seed=3, buyers_per_year=20_000, horizon_days=60)
    desk = StrategyConfig(name="desk", channel=ChannelConfig(card=True, sms=True))
    rec = simulate(desk, shared, 0)
    waits = rec.members["wait_hours"].to_numpy()
    assert waits.max() > 0
    assert compute_metrics(rec)["response_time_hours"] == pytest.approx(waits.mean(), rel=1e-12)
    unlimited = simulate(quiet_strategy(channel=ChannelConfig(card=True, sms=True)), shared, 0)
    assert compute_metrics(unlimited)["response_time_hours"] == 0.0
