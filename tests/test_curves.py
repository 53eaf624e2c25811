"""The per-replication aggregates behind the figures (sim.run.curves) agree with the metrics and with hand counts."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from _helpers import make_shared, quiet_strategy

from sim.config import Experiment, OnboardingConfig, StrategyConfig
from sim.model.funnel import simulate
from sim.model.ledger import OTHER_LINES
from sim.model.population import build_platform
from sim.model.streams import Streams
from sim.report.plots import payback_from_curve
from sim.run.curves import (
    CARD_DAYS,
    CURVE_COLUMNS,
    CURVES,
    FUNNEL_STAGES,
    SMS_HOURS,
    buyers_with_card,
    card_adds_curve,
    churn_curves,
    curve_frame,
    funnel_counts,
    net_profit_curves,
    sms_response_curve,
)
from sim.run.experiment import run_experiment, run_experiment_tables
from sim.run.metrics import SMS_MARKS_HOURS, compute_metrics


@pytest.fixture(scope="module")
def record():
    shared = make_shared(buyers_per_year=20_000, horizon_days=60, followup_days=30)
    platform = build_platform(shared.population, shared.run.horizon_days, Streams(shared.run.seed, 0))
    rec = simulate(StrategyConfig(name="base"), shared, 0, platform)
    return rec, platform


def test_funnel_counts_match_the_metrics(record) -> None:
    rec, platform = record
    metrics = compute_metrics(rec)
    counts = funnel_counts(rec, buyers_with_card(platform, rec.n_days))
    assert list(counts)[: len(FUNNEL_STAGES)] == list(FUNNEL_STAGES)
    assert counts["platform_buyers"] == rec.platform_buyers
    assert counts["added"] == metrics["members_acquired"]
    assert counts["first_order"] / counts["added"] == pytest.approx(metrics["first_order_rate"])
    assert counts["reached_sms"] == rec.sms_sent
    assert counts["added_card"] / rec.cards_sent == pytest.approx(metrics["capture_rate_card"])
    assert counts["added_card"] + counts["added_sms"] + counts["added_referral"] == counts["added"]
    assert counts["referred"] == counts["added_referral"]
    assert 0 < counts["repeat_buyers"] <= counts["first_order"] <= counts["added"] <= counts["platform_buyers"]
    # every buyer's first parcel arrives within the run here, so every buyer gets a card
    assert counts["reached_card"] == rec.platform_buyers
    assert counts["cards_sent"] == rec.cards_sent >= counts["reached_card"]


def test_profit_curves_end_at_the_ledger_totals_and_the_incremental_one_gives_the_payback_metric(record) -> None:
    rec, _ = record
    curves = net_profit_curves(rec)
    x, gross = curves["net_profit_cny"]
    assert x.tolist() == list(range(rec.n_days))
    income = rec.ledger[["gross_margin", "membership_fee"]].to_numpy().sum()
    costs = rec.ledger.drop(columns=["gross_margin", "membership_fee", *OTHER_LINES]).to_numpy().sum()
    assert gross[-1] == pytest.approx(income - costs)
    _, incremental = curves["incremental_profit_cny"]
    lost = rec.ledger["platform_contribution_lost"].sum()
    assert lost > 0 and incremental[-1] == pytest.approx(income - costs - lost)
    expected = compute_metrics(rec)["payback_day"]
    got = payback_from_curve(incremental)
    assert (math.isnan(got) and math.isnan(expected)) or got == expected


def test_sms_curve_at_the_marks_equals_the_sms_metrics(record) -> None:
    rec, _ = record
    metrics = compute_metrics(rec)
    x, share = sms_response_curve(rec)
    assert np.array_equal(x, SMS_HOURS)
    for h in SMS_MARKS_HOURS:
        assert share[np.flatnonzero(x == h)[0]] == metrics[f"sms_adds_{h}h"]
    assert np.all(np.diff(share) >= 0)


def test_card_curve_counts_every_card_add_request_once(record) -> None:
    rec, _ = record
    x, per_card = card_adds_curve(rec)
    assert np.array_equal(x, CARD_DAYS)
    assert per_card.sum() * rec.cards_sent == pytest.approx(len(rec.card_add_delay_days))
    assert per_card[0] == max(per_card)  # scans come soon after delivery


def test_no_sms_or_no_cards_gives_missing_curves_not_zeros(record) -> None:
    rec, _ = record
    silent = dataclasses.replace(rec, sms_sent=0, cards_sent=0, sms_response_hours=np.empty(0))
    assert np.isnan(sms_response_curve(silent)[1]).all()
    assert np.isnan(card_adds_curve(silent)[1]).all()


def test_churn_curves_on_a_hand_made_members_table(record) -> None:
    rec, _ = record
    members = pd.DataFrame(
        {
            "join_day": [0.0, 0.0, 0.0, 0.0],
            "churn_day": [10.5, 20.2, math.inf, math.inf],
            "churn_type": ["unsubscribe", "dormancy", "none", "none"],
        }
    )
    tiny = dataclasses.replace(rec, members=members, n_days=30)
    curves = {k: v for k, (_, v) in churn_curves(tiny, max_days=40).items()}
    surv, unsub, dorm = curves["not_churned"], curves["churned_unsubscribe"], curves["churned_dormancy"]
    assert surv[10] == 1.0 and surv[11] == 0.75 and surv[21] == 0.5
    assert unsub[11] == 0.25 and dorm[20] == 0.0 and dorm[21] == 0.25
    assert surv[31] == 0.5  # the two survivors are followed to day 30
    assert np.isnan(surv[32:]).all()  # nobody is followed longer: unknown, not 0


def test_churn_curves_add_up_to_one_and_survival_falls(record) -> None:
    rec, _ = record
    c = {k: v for k, (_, v) in churn_curves(rec).items()}
    total = c["not_churned"] + c["churned_unsubscribe"] + c["churned_dormancy"]
    finite = np.isfinite(total)
    assert finite.sum() > 60
    assert np.allclose(total[finite], 1.0)
    s = c["not_churned"][finite]
    assert s[0] == 1.0 and np.all(np.diff(s) <= 0)


def test_curve_frame_has_every_curve_on_its_grid(record) -> None:
    rec, _ = record
    df = curve_frame(rec, "base", 0)
    assert list(df.columns) == CURVE_COLUMNS
    assert list(pd.unique(df["curve"])) == list(CURVES)
    assert (df.groupby("curve")["x"].apply(lambda x: x.is_monotonic_increasing)).all()
    assert len(df) < 3000  # small whatever the number of buyers


def test_experiment_tables_keep_the_metric_rows_unchanged() -> None:
    shared = make_shared(n_replications=2, buyers_per_year=10_000, horizon_days=45, followup_days=15)
    strategies = {
        "desk": StrategyConfig(name="desk"),
        "open": quiet_strategy("open", onboarding=OnboardingConfig(unlimited=True)),
    }
    exp = Experiment("t", "q", "desk", strategies, shared)
    tables = run_experiment_tables(exp)
    pd.testing.assert_frame_equal(tables.replications, run_experiment(exp))
    assert set(tables.funnel["replication"]) == {0, 1} and set(tables.curves["replication"]) == {0, 1}
    assert list(pd.unique(tables.funnel["strategy"])) == ["desk", "open"]
    added = tables.funnel[tables.funnel["stage"] == "added"].set_index(["strategy", "replication"])["count"]
    reps = tables.replications[tables.replications["metric"] == "members_acquired"]
    assert added.to_dict() == {(r.strategy, r.replication): r.value for r in reps.itertuples()}
