"""Accounting identities and reproducibility of whole runs: these hold exactly, not statistically."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from _helpers import make_shared

from sim.config import (
    AccountingConfig,
    ChannelConfig,
    Experiment,
    HookConfig,
    HookType,
    MembershipConfig,
    OnboardingConfig,
    ReferralConfig,
    StrategyConfig,
    TouchConfig,
    UnsubscribeConfig,
)
from sim.model.funnel import BUYER_STATES, simulate
from sim.model.ledger import ACQUISITION_LINES, COST_LINES, INCOME_LINES, LINES, RETENTION_LINES
from sim.model.population import build_platform
from sim.model.streams import Streams
from sim.run.compare import paired_differences, summarise
from sim.run.experiment import run_experiment
from sim.run.metrics import METRICS, acquisition_spend, compute_metrics

SHARED = make_shared(seed=7, buyers_per_year=60_000, horizon_days=90, followup_days=30)

STRATEGIES = {
    "default": StrategyConfig(name="default"),
    "coupon_understaffed": StrategyConfig(
        name="coupon_understaffed",
        hook=HookConfig(type=HookType.coupon, value_cny=10.0),
        onboarding=OnboardingConfig(agents=1, work_start_hour=10.0, work_end_hour=18.0),
    ),
    "physical_paid_membership": StrategyConfig(
        name="physical_paid_membership",
        hook=HookConfig(type=HookType.physical, value_cny=8.0, shipping_cost_cny=4.0),
        membership=MembershipConfig(enabled=True, uptake_prob=0.5),
        touch=TouchConfig(touches_per_week=7.0, mix={"educational": 0.2, "emotional": 0.2, "promotional": 0.6}),
    ),
    "viral_unlimited": StrategyConfig(
        name="viral_unlimited",
        onboarding=OnboardingConfig(unlimited=True),
        referral=ReferralConfig(invite_prob=0.5, friends_per_invite=3.0, accept_prob=0.5),
    ),
    "sms_only": StrategyConfig(name="sms_only", channel=ChannelConfig(card=False, sms=True)),
}


@pytest.fixture(scope="module")
def platform():
    return build_platform(SHARED.population, SHARED.run.horizon_days, Streams(SHARED.run.seed, 0))


@pytest.fixture(scope="module")
def records(platform):
    return {name: simulate(s, SHARED, 0, platform) for name, s in STRATEGIES.items()}


@pytest.fixture(params=list(STRATEGIES))
def rec(request, records):
    return records[request.param]


def test_every_person_ends_in_exactly_one_state(rec) -> None:
    states = rec.buyer_states
    assert set(states) == set(BUYER_STATES)
    assert all(v >= 0 for v in states.values()), states
    assert sum(states.values()) == rec.platform_buyers + rec.referred_people
    members = states["member_active"] + states["member_dormant"] + states["member_unsubscribed"]
    assert members == len(rec.members)
    assert states["member_unsubscribed"] == int((~rec.members["subscribed"]).sum())
    assert states["member_dormant"] == int(rec.members["dormant_at_end"].sum())
    # requests count people (by the channel of their earliest request): each asked once, with one outcome
    assert len(rec.members) + states["request_lost"] + states["request_pending"] == sum(rec.requests.values())
    assert states["request_lost"] == sum(rec.lost.values())
    assert rec.members["buyer"].is_unique


def test_referred_people_exist_only_with_referral(records) -> None:
    viral = records["viral_unlimited"]
    assert viral.referred_people > 0
    n_ref = int((viral.members["channel"] == "referral").sum())
    assert 0 < n_ref <= viral.referred_people
    assert viral.requests["referral"] >= n_ref
    assert (viral.members.loc[viral.members["channel"] == "referral", "buyer"] >= viral.platform_buyers).all()
    assert (viral.members.loc[viral.members["channel"] != "referral", "buyer"] < viral.platform_buyers).all()


def test_funnel_never_widens(rec) -> None:
    m = rec.members
    metrics = compute_metrics(rec)
    members = len(m)
    first_orders = int(np.isfinite(m["first_order_day"]).sum())
    repeat_buyers = int((m["n_orders"] >= 2).sum())
    assert members >= first_orders >= repeat_buyers
    assert metrics["members_acquired"] == members
    if members:
        assert metrics["first_order_rate"] == pytest.approx(first_orders / members)
        assert 0.0 <= metrics["first_order_rate"] <= 1.0
    # members with a first order have at least one order; members without have none
    has_first = np.isfinite(m["first_order_day"].to_numpy())
    assert (m["n_orders"].to_numpy()[has_first] >= 1).all()
    assert (m["n_orders"].to_numpy()[~has_first] == 0).all()
    assert (m["first_order_day"][has_first] >= m["join_day"][has_first]).all()
    assert (m["wait_hours"] >= 0).all()
    assert ((m["join_day"] >= 0) & (m["join_day"] < rec.n_days)).all()


def test_acquisition_lines_sum_to_cac_times_members(rec) -> None:
    metrics = compute_metrics(rec)
    spend = acquisition_spend(rec)
    assert spend == pytest.approx(float(rec.ledger[list(ACQUISITION_LINES)].to_numpy().sum()))
    assert spend > 0.0
    assert metrics["cac"] * metrics["members_acquired"] == pytest.approx(spend, rel=1e-9)
    subsidies = float(rec.ledger["first_order_subsidy"].sum())
    first_orders = int(np.isfinite(rec.members["first_order_day"]).sum())
    assert metrics["cost_per_first_order"] == pytest.approx((spend + subsidies) / first_orders)


def test_ledger_lines_match_the_orders_and_members(rec) -> None:
    led, o, m = rec.ledger, rec.orders, rec.members
    strategy = STRATEGIES[rec.strategy]
    acc = SHARED.accounting
    assert list(led.columns) == list(LINES)
    assert len(led) == rec.n_days
    assert (led[list(COST_LINES + INCOME_LINES)].to_numpy() >= 0).all(), (
        "costs and incomes are booked as positive amounts"
    )
    assert led["gmv"].sum() == pytest.approx(o["spend_cny"].sum())
    assert led["gross_margin"].sum() == pytest.approx(acc.gross_margin_rate * o["spend_cny"].sum())
    assert led["service"].sum() == pytest.approx(acc.service_cost_per_order_cny * len(o))
    assert m["n_orders"].sum() == len(o)
    assert led["cards"].sum() == pytest.approx(strategy.card.cost_per_card_cny * rec.cards_sent)
    assert led["sms"].sum() == pytest.approx(strategy.sms.cost_per_message_cny * rec.sms_sent)
    onb = strategy.onboarding
    assert led["onboarding_staff"].sum() == pytest.approx(onb.agents * onb.cost_per_agent_day_cny * rec.horizon_days)
    n_ref = int((m["channel"] == "referral").sum())
    assert led["referral_reward"].sum() == pytest.approx(strategy.referral.reward_cny * n_ref)
    first_orders = int(np.isfinite(m["first_order_day"]).sum())
    assert led["first_order_subsidy"].sum() == pytest.approx(strategy.offer.subsidy_cny * first_orders)
    captured = m["channel"] != "referral"
    hook = strategy.hook
    if hook.type is HookType.coupon:
        age = m["first_order_day"] - m["join_day"]
        redeemed = int((captured & (age <= hook.coupon_valid_days)).sum())
        assert led["hook"].sum() == pytest.approx(hook.value_cny * redeemed)
    elif hook.type is HookType.cash:
        assert led["hook"].sum() == pytest.approx(hook.value_cny * int(captured.sum()))
    elif hook.type is HookType.physical:
        assert led["hook"].sum() == pytest.approx((hook.value_cny + hook.shipping_cost_cny) * int(captured.sum()))
    if not strategy.membership.enabled:
        assert led["membership_fee"].sum() == 0.0 and led["membership_discount"].sum() == 0.0
    else:
        assert led["membership_fee"].sum() > 0.0 and led["membership_discount"].sum() > 0.0
    if strategy.touch.touches_per_week == 0.0:
        assert led["touches"].sum() == 0.0


def test_private_gmv_counts_only_the_horizon(rec) -> None:
    o = rec.orders
    in_horizon = o["day"] < rec.horizon_days
    assert compute_metrics(rec)["private_gmv"] == pytest.approx(o.loc[in_horizon, "spend_cny"].sum())


def test_no_metric_is_infinite(rec) -> None:
    metrics = compute_metrics(rec)
    assert list(metrics) == list(METRICS)
    for name, value in metrics.items():
        assert isinstance(value, float), name
        assert not math.isinf(value), f"{name} is infinite"
    for name in ("members_acquired", "capture_rate_sms", "cac", "monthly_churn", "private_gmv"):
        assert math.isfinite(metrics[name]), name
    assert metrics["monthly_churn"] == pytest.approx(
        metrics["monthly_churn_unsubscribe"] + metrics["monthly_churn_dormancy"]
    )


def test_channel_off_means_no_capture_from_it(records) -> None:
    sms_only = records["sms_only"]
    assert sms_only.cards_sent == 0 and sms_only.requests["card"] == 0
    assert math.isnan(compute_metrics(sms_only)["capture_rate_card"])  # no cards: missing, not 0 or inf
    assert sms_only.ledger["cards"].sum() == 0.0


def test_simulate_does_not_mutate_the_shared_platform(platform) -> None:
    before = {f.name: np.copy(getattr(platform.traits, f.name)) for f in dataclasses.fields(platform.traits)}
    parcels = np.copy(platform.parcel_buyer), np.copy(platform.parcel_u_scan)
    a = simulate(STRATEGIES["viral_unlimited"], SHARED, 0, platform)
    assert a.referred_people > 0  # the strategy did grow its own people table
    for name, arr in before.items():
        np.testing.assert_array_equal(getattr(platform.traits, name), arr, err_msg=name)
    np.testing.assert_array_equal(platform.parcel_buyer, parcels[0])
    np.testing.assert_array_equal(platform.parcel_u_scan, parcels[1])
    # and running on the shared platform equals building the platform afresh
    b = simulate(STRATEGIES["viral_unlimited"], SHARED, 0)
    assert compute_metrics(a) == pytest.approx(compute_metrics(b), nan_ok=True)
    pd.testing.assert_frame_equal(a.members, b.members)


def test_ltv_horizon_equals_retention_net_flow_without_discounting(platform) -> None:
    shared = dataclasses.replace(SHARED, accounting=AccountingConfig(discount_rate_annual=0.0))
    rec = simulate(STRATEGIES["physical_paid_membership"], shared, 0, platform)
    led = rec.ledger
    net = led[list(INCOME_LINES)].sum(axis=1) - led[list(RETENTION_LINES)].sum(axis=1)
    assert rec.members["ltv_horizon_cny"].sum() == pytest.approx(net[led.index < rec.horizon_days].sum())


def test_ltv_12m_counts_every_flow_of_the_first_year(platform) -> None:
    # the whole run is shorter than a year, so with no discounting ltv_12m must sum to all retention flows
    shared = dataclasses.replace(SHARED, accounting=AccountingConfig(discount_rate_annual=0.0))
    rec = simulate(STRATEGIES["viral_unlimited"], shared, 0, platform)
    assert rec.n_days < 365
    led = rec.ledger
    net = led[list(INCOME_LINES)].sum(axis=1) - led[list(RETENTION_LINES)].sum(axis=1)
    assert rec.members["ltv_window_cny"].sum() == pytest.approx(net.sum())


def test_no_member_churns_before_joining() -> None:
    # a high unsubscribe hazard (mean 25% a month) so that same-day unsubscribes occur
    shared = dataclasses.replace(
        SHARED, population=dataclasses.replace(SHARED.population, unsubscribe=UnsubscribeConfig(alpha=1.0, beta=3.0))
    )
    rec = simulate(StrategyConfig(), shared, 0)  # traits drawn from this population
    m = rec.members
    assert (m["churn_day"] >= m["join_day"]).all()


# ----------------------------------------------------------------------------- experiments


def _experiment(strategies: dict[str, StrategyConfig], baseline: str, **run) -> Experiment:
    shared = make_shared(seed=run.pop("seed", 99), buyers_per_year=20_000, horizon_days=60, followup_days=20, **run)
    return Experiment(name="t", question="?", baseline=baseline, strategies=strategies, shared=shared)


def test_identical_strategies_have_exactly_zero_paired_difference() -> None:
    same = StrategyConfig(hook=HookConfig(type=HookType.coupon))
    exp = _experiment(
        {"a": dataclasses.replace(same, name="a"), "b": dataclasses.replace(same, name="b")}, "a", n_replications=3
    )
    reps = run_experiment(exp)
    diffs = paired_differences(reps, "a")
    assert set(diffs["metric"]) == set(METRICS)
    assert (diffs["strategy"] == "b").all() and (diffs["baseline"] == "a").all()
    finite = diffs[np.isfinite(diffs["mean_diff"])]
    nan_everywhere = reps["value"].isna().groupby(reps["metric"]).all()
    # only a metric missing in every replication (no touch team, nothing to complete, ...) may have a NaN difference
    assert set(diffs["metric"]) - set(finite["metric"]) <= set(nan_everywhere[nan_everywhere].index)
    assert (finite["mean_diff"] == 0.0).all(), finite
    assert (finite["prob_better"] == 0.5).all()
    summ = summarise(reps).set_index(["strategy", "metric"])
    for metric in METRICS:
        np.testing.assert_equal(summ.loc[("a", metric), "mean"], summ.loc[("b", metric), "mean"])


def test_run_experiment_table_shape_and_order() -> None:
    exp = _experiment(
        {"x": StrategyConfig(name="x"), "y": StrategyConfig(name="y", hook=HookConfig(type=HookType.virtual))}, "x"
    )
    reps = run_experiment(exp)
    assert list(reps.columns) == ["strategy", "replication", "metric", "value"]
    assert len(reps) == 2 * exp.shared.run.n_replications * len(METRICS)
    assert reps["value"].dtype == float
    assert not reps.duplicated(["strategy", "replication", "metric"]).any()
    summ = summarise(reps)
    assert len(summ) == 2 * len(METRICS)
    assert (summ["n_replications"] <= exp.shared.run.n_replications).all()


@pytest.mark.slow
def test_serial_and_parallel_runs_are_identical() -> None:
    strategies = {
        "cash": StrategyConfig(name="cash"),
        "coupon": StrategyConfig(name="coupon", hook=HookConfig(type=HookType.coupon)),
    }
    serial = run_experiment(_experiment(strategies, "coupon", n_replications=3, n_jobs=1))
    parallel = run_experiment(_experiment(strategies, "coupon", n_replications=3, n_jobs=2))
    pd.testing.assert_frame_equal(serial, parallel)


def test_same_seed_same_results_different_seed_different() -> None:
    strategies = {"base": StrategyConfig(name="base")}
    a = summarise(run_experiment(_experiment(strategies, "base", seed=5)))
    b = summarise(run_experiment(_experiment(strategies, "base", seed=5)))
    c = summarise(run_experiment(_experiment(strategies, "base", seed=6)))
    pd.testing.assert_frame_equal(a, b)
    assert not a["mean"].equals(c["mean"])
    gmv = lambda s: float(s.loc[s["metric"] == "private_gmv", "mean"].iloc[0])  # noqa: E731
    assert gmv(a) != gmv(c)  # a continuous total: equal only by a coincidence of measure zero


def test_replications_differ_from_each_other() -> None:
    reps = run_experiment(_experiment({"base": StrategyConfig(name="base")}, "base", n_replications=2))
    members = reps[reps["metric"] == "members_acquired"].set_index("replication")["value"]
    assert members.loc[0] != members.loc[1]
