"""Small pure pieces: streams, ledger, payback, summaries and paired differences, validation, the platform layer."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from _helpers import assert_within_3se, make_shared
from scipy import stats
from scipy.special import hyp2f1

from sim.config import (
    AccountingConfig,
    HookConfig,
    OnboardingConfig,
    PeakConfig,
    PopulationConfig,
    RepeatConfig,
    RunConfig,
    StrategyConfig,
    TouchConfig,
    followed_for_window,
)
from sim.config.validate import ConfigError, check_ranges, validate_shared, validate_strategy
from sim.model.ledger import LINES, Ledger
from sim.model.population import Traits, build_platform, draw_arrivals, platform_orders, seasonal_weights
from sim.model.streams import Streams
from sim.run.compare import paired_differences, summarise
from sim.run.metrics import METRICS, payback_day

# ----------------------------------------------------------------------------- streams


def test_streams_are_reproducible_and_independent_by_name_and_replication() -> None:
    a = Streams(5, 0)["x"].random(8)
    assert np.array_equal(a, Streams(5, 0)["x"].random(8))
    assert not np.array_equal(a, Streams(5, 0)["y"].random(8))
    assert not np.array_equal(a, Streams(5, 1)["x"].random(8))
    assert not np.array_equal(a, Streams(6, 0)["x"].random(8))
    s = Streams(5, 0)
    assert s["x"] is s["x"]  # one generator per name: draws continue, never restart


def test_stream_draws_do_not_depend_on_other_streams_being_used() -> None:
    s1, s2 = Streams(3, 2), Streams(3, 2)
    s1["other"].random(1000)
    assert np.array_equal(s1["x"].random(4), s2["x"].random(4))


# ----------------------------------------------------------------------------- ledger and payback


def test_ledger_books_on_the_day_and_clamps_to_the_last_day() -> None:
    led = Ledger(5)
    led.book("cards", 0.2, 1.0)
    led.book("cards", 3.99, 2.0)
    led.book("cards", 17.0, 4.0)  # after the end: booked on the last day
    led.book_many("hook", np.array([0.5, 0.7, 4.2, 9.0]), 3.0)
    led.book_many("gmv", np.array([1.5, 2.5]), np.array([10.0, 20.0]))
    df = led.frame()
    assert list(df.columns) == list(LINES)
    assert df.index.name == "day" and len(df) == 5
    assert df["cards"].tolist() == [1.0, 0.0, 0.0, 2.0, 4.0]
    assert df["hook"].tolist() == [6.0, 0.0, 0.0, 0.0, 6.0]
    assert df["gmv"].tolist() == [0.0, 10.0, 20.0, 0.0, 0.0]
    assert df.drop(columns=["cards", "hook", "gmv"]).to_numpy().sum() == 0.0


@pytest.mark.parametrize(
    ("income", "cost", "expected"),
    [
        ([0, 0, 5, 5], [3, 1, 0, 0], 2.0),  # cumulative -3, -4, 1, 6: non-negative from day 2
        ([5, 0, 0], [0, 1, 1], 0.0),  # never negative
        ([0, 5, 0, 0], [1, 0, 1, 9], math.nan),  # negative at the end: never pays back
        ([0, 3, 0, 2], [2, 0, 2, 0], 3.0),  # cumulative -2, 1, -1, 1: counts from after the last dip
    ],
)
def test_payback_day(income, cost, expected) -> None:
    got = payback_day(np.array(income, float), np.array(cost, float))
    if math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == expected


# ----------------------------------------------------------------------------- summaries and paired differences


def _reps(values: dict[str, list[float]], metric: str = "cac") -> pd.DataFrame:
    rows = [
        {"strategy": s, "replication": r, "metric": metric, "value": v}
        for s, vs in values.items()
        for r, v in enumerate(vs)
    ]
    return pd.DataFrame(rows)


def test_summarise_gives_student_t_interval_and_skips_missing() -> None:
    reps = _reps({"a": [1.0, 2.0, 3.0, float("nan")]})
    row = summarise(reps).iloc[0]
    half = stats.t.ppf(0.975, 2) * 1.0 / math.sqrt(3)  # sd of 1, 2, 3 is 1
    assert row["mean"] == pytest.approx(2.0)
    assert row["ci_low"] == pytest.approx(2.0 - half)
    assert row["ci_high"] == pytest.approx(2.0 + half)
    assert row["n_replications"] == 3


def test_summarise_single_and_all_missing() -> None:
    one = summarise(_reps({"a": [4.0]})).iloc[0]
    assert one["mean"] == 4.0 and math.isnan(one["ci_low"]) and one["n_replications"] == 1
    none = summarise(_reps({"a": [float("nan"), float("nan")]})).iloc[0]
    assert math.isnan(none["mean"]) and none["n_replications"] == 0


def test_paired_differences_pair_by_replication_and_respect_direction() -> None:
    # cac: lower is better. b is lower than a in replications 0 and 1, higher in 2
    reps = _reps({"a": [10.0, 20.0, 30.0], "b": [8.0, 19.0, 31.0]})
    d = paired_differences(reps, "a").iloc[0]
    assert d["strategy"] == "b" and d["baseline"] == "a" and d["metric"] == "cac"
    assert d["mean_diff"] == pytest.approx((-2.0 - 1.0 + 1.0) / 3)
    assert d["prob_better"] == pytest.approx(2 / 3)
    sd = np.std([-2.0, -1.0, 1.0], ddof=1)
    assert d["ci_high"] - d["ci_low"] == pytest.approx(2 * stats.t.ppf(0.975, 2) * sd / math.sqrt(3))
    # members_acquired: higher is better, so the same numbers give the opposite verdict
    up = paired_differences(_reps({"a": [10.0, 20.0, 30.0], "b": [8.0, 19.0, 31.0]}, "members_acquired"), "a").iloc[0]
    assert up["prob_better"] == pytest.approx(1 / 3)
    assert METRICS["cac"].direction == -1 and METRICS["members_acquired"].direction == +1


def test_paired_differences_leave_out_missing_pairs() -> None:
    reps = _reps({"a": [1.0, float("nan"), 3.0], "b": [2.0, 5.0, 3.0]}, "roi")
    d = paired_differences(reps, "a").iloc[0]
    assert d["mean_diff"] == pytest.approx(0.5)  # pairs (1, 2) and (3, 3)
    assert d["prob_better"] == pytest.approx(0.75)  # one win, one tie


# ----------------------------------------------------------------------------- validation


def _error(fn, *args) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        fn(*args)
    return info.value


def test_range_errors_name_key_value_and_range() -> None:
    err = _error(check_ranges, HookConfig(value_cny=-3.0), "hook")
    assert str(err) == "hook.value_cny=-3.0: allowed range [0, 100000]"
    assert err.key == "hook.value_cny"
    err = _error(check_ranges, RunConfig(horizon_days=0), "run")
    assert err.key == "run.horizon_days" and "[1, 3650]" in str(err)
    err = _error(check_ranges, RepeatConfig(r=0.0), "population.repeat")
    assert err.key == "population.repeat.r" and "(0," in str(err)  # open at zero
    err = _error(check_ranges, HookConfig(value_cny=float("nan")), "hook")
    assert err.key == "hook.value_cny"
    err = _error(check_ranges, RunConfig(horizon_days=True), "run")
    assert "must be a number" in str(err)


def test_strategy_consistency_checks() -> None:
    ok = StrategyConfig()
    validate_strategy(ok, "s")  # the defaults are valid
    err = _error(
        validate_strategy,
        dataclasses.replace(ok, onboarding=OnboardingConfig(work_start_hour=18.0, work_end_hour=9.0)),
        "s",
    )
    assert err.key == "s.onboarding.work_end_hour"
    # an unlimited desk ignores its hours
    validate_strategy(
        dataclasses.replace(ok, onboarding=OnboardingConfig(unlimited=True, work_start_hour=18.0, work_end_hour=9.0)),
        "s",
    )
    err = _error(
        validate_strategy, dataclasses.replace(ok, touch=TouchConfig(mix={"educational": 0.5, "emotional": 0.6})), "s"
    )
    assert err.key == "s.touch.mix" and "sum to 1" in str(err)
    err = _error(
        validate_strategy, dataclasses.replace(ok, touch=TouchConfig(mix={"educational": 0.5, "gossip": 0.5})), "s"
    )
    assert err.key == "s.touch.mix.gossip"


def test_shared_consistency_checks() -> None:
    shared = make_shared(followup_days=365)
    validate_shared(shared)
    short = dataclasses.replace(shared, run=dataclasses.replace(shared.run, followup_days=364))
    validate_shared(short)  # a follow-up shorter than the LTV window is raised to it, not refused
    assert followed_for_window(short).run.followup_days == 365
    two_years = dataclasses.replace(short, accounting=AccountingConfig(ltv_months=24))
    assert followed_for_window(two_years).run.followup_days == 730
    longer = dataclasses.replace(two_years, run=dataclasses.replace(shared.run, followup_days=800))
    assert followed_for_window(longer).run.followup_days == 800  # a longer follow-up is kept
    err = _error(validate_shared, dataclasses.replace(shared, accounting=AccountingConfig(ltv_months=18)))
    assert str(err) == "accounting.ltv_months=18: allowed: 12, 24, 36 (months of each member's LTV window)"
    bad_jobs = dataclasses.replace(shared, run=dataclasses.replace(shared.run, n_jobs=0))
    assert _error(validate_shared, bad_jobs).key == "run.n_jobs"
    bad_date = dataclasses.replace(shared, population=PopulationConfig(start_date="2026-02-30"))
    assert _error(validate_shared, bad_date).key == "population.start_date"
    bad_peak = dataclasses.replace(shared, population=PopulationConfig(peaks=[PeakConfig(month_day="13-01")]))
    assert _error(validate_shared, bad_peak).key == "population.peaks[0].month_day"


# ----------------------------------------------------------------------------- platform layer


def test_seasonal_weights_average_one_and_peak_at_double_11() -> None:
    pop = PopulationConfig()
    w = seasonal_weights(pop, 365)
    assert w.mean() == pytest.approx(1.0)
    double_11 = 314  # 2026-11-11 is day 314 after 2026-01-01
    quiet = 100
    assert int(np.argmax(w)) == double_11
    assert w[double_11] / w[quiet] == pytest.approx(5.0, rel=1e-6)
    six_eighteen = 168  # 2026-06-18
    assert w[six_eighteen] / w[quiet] == pytest.approx(3.0, rel=1e-6)
    assert int(np.argmax(w[:200])) == six_eighteen


def test_arrivals_are_poisson_with_the_seasonal_mean() -> None:
    pop = PopulationConfig(buyers_per_year=200_000)
    horizon = 120
    arrivals = draw_arrivals(pop, horizon, np.random.default_rng(8))
    expected = pop.buyers_per_year / 365.0 * seasonal_weights(pop, horizon).sum()
    assert_within_3se(arrivals.size, expected, math.sqrt(expected), "arrivals (Poisson: SE = sqrt(mean))")
    assert (np.diff(np.floor(arrivals)) >= 0).all(), "buyers are numbered in order of arrival day"
    assert arrivals.min() >= 0 and arrivals.max() < horizon


def test_platform_repeat_orders_follow_bgnbd() -> None:
    pop = PopulationConfig(repeat=RepeatConfig(r=1.0, alpha_days=10.0, a=2.0, b=4.0))
    n, t, horizon = 30_000, 30.0, 60.0
    streams = Streams(4, 0)
    traits = Traits.draw(n, pop, streams)
    arrival = np.zeros(n)
    buyer, day, index = platform_orders(arrival, traits, horizon, streams)
    assert (np.bincount(buyer, minlength=n) >= 1).all()
    first = index == 0
    assert first.sum() == n and np.array_equal(day[first], arrival[buyer[first]])
    x = np.bincount(buyer[~first & (day <= t)], minlength=n).astype(float)
    rep = pop.repeat
    r, al, a, b = rep.r, rep.alpha_days, rep.a, rep.b
    expected = (a + b - 1) / (a - 1) * (1 - (al / (al + t)) ** r * hyp2f1(r, b, a + b - 1, t / (al + t)))
    assert_within_3se(x.mean(), expected, x.std(ddof=1) / math.sqrt(n), "platform E[X(30)]")
    assert day.max() < horizon


def test_platform_parcels_are_consistent() -> None:
    shared = make_shared(buyers_per_year=50_000, horizon_days=60)
    p = build_platform(shared.population, 60, Streams(1, 0))
    assert p.n_orders == p.parcel_buyer.size == p.parcel_delivery_day.size >= p.n_buyers
    assert (np.diff(p.parcel_delivery_day) >= 0).all()
    # card indices of each buyer are 0, 1, ..., k-1
    order = np.lexsort((p.parcel_card_index, p.parcel_buyer))
    b, k = p.parcel_buyer[order], p.parcel_card_index[order]
    starts = np.r_[True, b[1:] != b[:-1]]
    run_start = np.maximum.accumulate(np.where(starts, np.arange(b.size), 0))
    assert np.array_equal(k, np.arange(b.size) - run_start)
    assert np.unique(b).size == p.n_buyers
    # the day index finds each day's parcels
    for d in (0, 10, 59):
        lo, hi = p.parcel_day_start[d], p.parcel_day_start[d + 1]
        assert (np.floor(p.parcel_delivery_day[lo:hi]) == d).all()
    # same streams, same platform
    q = build_platform(shared.population, 60, Streams(1, 0))
    assert np.array_equal(p.parcel_u_scan, q.parcel_u_scan) and np.array_equal(p.arrival_day, q.arrival_day)
