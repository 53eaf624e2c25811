"""The LTV window (``accounting.ltv_months``): 12, 24 or 36 months, its follow-up, and metrics named after it.

A 12- and a 24-month run of the same strategy on the same seed and the same follow-up simulate the same members,
orders and ledger; only the window's columns differ, and by exactly what the members book in their months 13-24
(checked line by line for the gross margin, recomputed from the order log). The metric names carry the window, and
asking a 24-month run for a 12-month metric is a one-line error naming the 24-month one.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from _helpers import make_shared

from sim.config import AccountingConfig, PlatformConfig, StrategyConfig, ltv_window_days
from sim.config.compose import build_experiment
from sim.config.overrides import compose_experiment
from sim.config.validate import ConfigError
from sim.model.funnel import RunRecord, simulate
from sim.model.population import build_platform
from sim.model.streams import Streams
from sim.report.headline import headline
from sim.run.cache import control_key, platform_key
from sim.run.compare import summarise
from sim.run.metrics import METRICS, WINDOW_METRICS, compute_metrics, window_months, windowed
from sim.run.objectives import metric_info, objective_in

OVER_THE_WINDOW = ("incremental_ltv", "ltv_to_cac", "incremental_ltv_to_cac", "card_contribution")  # unnamed
WINDOW_COLUMNS = ("ltv_window_cny", "gross_margin_window_cny", "lost_platform_window_cny")
# the follow-up of both runs covers 24 months, so that they simulate the same days
SHARED = make_shared(seed=17, buyers_per_year=60_000, horizon_days=60, followup_days=730, platform=PlatformConfig())
STRATEGY = StrategyConfig(name="default")  # touches, referral, cannibalised orders: every value line moves


def _run(months: int) -> RunRecord:
    shared = dataclasses.replace(SHARED, accounting=AccountingConfig(ltv_months=months))
    platform = build_platform(shared.population, shared.run.horizon_days, Streams(shared.run.seed, 0))
    return simulate(STRATEGY, shared, 0, platform)


@pytest.fixture(scope="module")
def runs() -> dict[int, RunRecord]:
    return {months: _run(months) for months in (12, 24)}


def _margin_in_window(rec: RunRecord, days: int) -> tuple[np.ndarray, float]:
    """From the order log: each member's undiscounted private gross margin of orders placed within ``days`` of
    joining, and the same discounted to the join day (as the ledger books it: on the order's day, at mid-day)."""
    m, orders = rec.members, rec.orders
    member = orders["member"].to_numpy()
    t = orders["day"].to_numpy()
    margin = orders["spend_cny"].to_numpy() * AccountingConfig().gross_margin_rate
    join = m["join_day"].to_numpy()[member]
    per_member = np.zeros(len(m))
    np.add.at(per_member, member, np.where(t - join < days, margin, 0.0))
    age = np.maximum(np.floor(t) + 0.5 - join, 0.0)
    daily = np.log1p(AccountingConfig().discount_rate_annual) / 365.0
    discounted = float(np.sum(np.where(age < days, margin * np.exp(-daily * age), 0.0)))
    return per_member, discounted


def test_the_window_changes_only_the_window_columns(runs) -> None:
    short, long = runs[12], runs[24]
    assert len(short.members) > 300 and len(short.orders) > 300  # enough to matter
    pd.testing.assert_frame_equal(short.orders, long.orders)
    pd.testing.assert_frame_equal(short.ledger, long.ledger)
    rest = [c for c in short.members.columns if c not in WINDOW_COLUMNS]
    pd.testing.assert_frame_equal(short.members[rest], long.members[rest])
    assert not short.members["ltv_window_cny"].equals(long.members["ltv_window_cny"])  # the window does move


def test_the_24_month_margin_is_the_12_month_margin_plus_months_13_to_24(runs) -> None:
    """Exact, member by member: each window's margin is the sum over the order log's orders within the window, so
    the 24-month margin minus the 12-month one is the margin of the orders placed 365 to 730 days after joining."""
    by_window = {}
    for months, rec in runs.items():
        days = ltv_window_days(months)
        per_member, discounted = _margin_in_window(rec, days)
        np.testing.assert_allclose(rec.members["gross_margin_window_cny"].to_numpy(), per_member, rtol=1e-12)
        assert rec.value_window_by_line["gross_margin"] == pytest.approx(discounted, rel=1e-12)
        by_window[months] = per_member
    later, _ = _margin_in_window(runs[24], 730)
    first, _ = _margin_in_window(runs[24], 365)
    months_13_to_24 = later - first
    assert months_13_to_24.sum() > 0.0  # members do buy in their second year
    np.testing.assert_allclose(by_window[24] - by_window[12], months_13_to_24, rtol=1e-12, atol=1e-9)
    assert (by_window[24] >= by_window[12]).all()  # a margin never shrinks as the window grows


def test_metric_names_carry_the_window_and_move_by_the_second_year_s_value(runs) -> None:
    """Not "the longer window is worth more": the second year adds margin but also touches, which under these
    defaults cost more than the margin they bring (members who stopped buying are still touched), so the 24-month
    LTV can be the lower one; what holds exactly is that it moves by the value months 13-24 book."""
    short, long = compute_metrics(runs[12]), compute_metrics(runs[24])
    assert list(short) == list(METRICS)  # the default window is named as before
    assert {"ltv_24m", "net_profit_24m", "incremental_net_profit_24m"} <= set(long)
    assert not any(name.endswith("_12m") for name in long)
    assert len(long) == len(short)
    for name in set(METRICS) - set(WINDOW_METRICS) - set(OVER_THE_WINDOW):  # the others: the same numbers
        np.testing.assert_equal(long[name], short[name], err_msg=name)
    for name in OVER_THE_WINDOW:
        assert long[name] != short[name], name
    assert window_months(long) == 24 and window_months(short) == 12
    # the LTV moves by what months 13-24 book, line by line: more margin, and more touch and order costs
    second_year = {k: v - runs[12].value_window_by_line[k] for k, v in runs[24].value_window_by_line.items()}
    members = len(runs[12].members)
    gross = sum(v for k, v in second_year.items() if k != "platform_contribution_lost")
    assert long["ltv_24m"] - short["ltv_12m"] == pytest.approx(gross / members, rel=1e-9)
    assert long["net_profit_24m"] - short["net_profit_12m"] == pytest.approx(gross, rel=1e-9)
    incremental = sum(second_year.values())
    assert long["incremental_net_profit_24m"] - short["incremental_net_profit_12m"] == pytest.approx(incremental)
    assert second_year["gross_margin"] > 0.0 and second_year["touches"] < 0.0 and second_year["shipping"] < 0.0
    assert second_year["first_order_subsidy"] == 0.0  # every first order falls in the first year here


def test_the_window_s_value_lines_sum_to_its_ltv(runs) -> None:
    rec = runs[24]
    lines = sum(v for k, v in rec.value_window_by_line.items() if k != "platform_contribution_lost")
    assert lines == pytest.approx(float(rec.members["ltv_window_cny"].sum()), rel=1e-9)
    lost = -rec.value_window_by_line["platform_contribution_lost"]
    assert lost == pytest.approx(float(rec.members["lost_platform_window_cny"].sum()), rel=1e-9)


def test_the_follow_up_is_raised_to_the_window_and_other_windows_are_refused() -> None:
    base = ["experiment=hook_cash_vs_coupon", "run=tiny"]
    for overrides, followup in (
        ([], 365),
        (["accounting.ltv_months=24"], 730),
        (["accounting.ltv_months=36"], 1095),
        (["accounting.ltv_months=24", "run.followup_days=900"], 900),
        (["run.followup_days=30"], 365),
    ):
        exp = build_experiment(compose_experiment(None, [*base, *overrides]))
        assert exp.shared.run.followup_days == followup, overrides
    with pytest.raises(ConfigError) as err:
        build_experiment(compose_experiment(None, [*base, "accounting.ltv_months=18"]))
    assert str(err.value) == "accounting.ltv_months=18: allowed: 12, 24, 36 (months of each member's LTV window)"


def test_a_metric_named_for_another_window_is_an_error_naming_this_one() -> None:
    assert windowed("ltv_12m", 36) == "ltv_36m" and windowed("cac", 36) == "cac"
    assert metric_info("incremental_net_profit_24m") == METRICS["incremental_net_profit_12m"]
    assert objective_in("ltv_12m", 12) == "ltv_12m" and objective_in("cac", 24) == "cac"
    with pytest.raises(ValueError) as err:
        objective_in("ltv_12m", 24)
    assert str(err.value) == "objective=ltv_12m: not measured with accounting.ltv_months=24; use ltv_24m"
    with pytest.raises(ValueError, match="unknown metric 'ltv_18m'"):
        metric_info("ltv_18m")


def test_the_headline_says_the_window(runs) -> None:
    reps = pd.DataFrame(
        [
            (strategy, r, name, value * (1.0 + 0.1 * r) + (1000.0 if strategy == "a" else 0.0))
            for strategy in ("a", "b")
            for r in range(4)
            for name, value in compute_metrics(runs[24]).items()
        ],
        columns=["strategy", "replication", "metric", "value"],
    )
    text = headline(reps, summarise(reps))
    assert "incremental net profit over 24 months" in text and "12 months" not in text
    assert "24个月增量净利润" in headline(reps, summarise(reps), "zh")


def test_the_window_is_in_the_control_arm_s_cache_key_and_not_in_the_platform_s() -> None:
    two_years = dataclasses.replace(SHARED, accounting=AccountingConfig(ltv_months=24))
    assert control_key(SHARED, STRATEGY, 0) != control_key(two_years, STRATEGY, 0)  # a sweep never mixes windows
    assert platform_key(SHARED, 0) == platform_key(two_years, 0)  # the platform buyers do not depend on it
