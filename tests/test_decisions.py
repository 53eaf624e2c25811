"""Decisions a planner can trust: incremental profit first, a winner only from a clear paired difference, every
yuan accounted for, and answers that do not depend on how many buyers were simulated."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from _helpers import make_shared
from scipy import special

from sim.config import (
    AccountingConfig,
    Experiment,
    HookConfig,
    HookType,
    MembershipConfig,
    PlatformConfig,
    StrategyConfig,
)
from sim.model.funnel import simulate
from sim.model.ledger import ACQUISITION_LINES
from sim.report.headline import headline, headline_title
from sim.run.compare import summarise, verdict
from sim.run.costs import cost_frame
from sim.run.experiment import run_experiment, run_experiment_tables
from sim.run.metrics import compute_metrics

TINY = make_shared(seed=4, buyers_per_year=40_000, horizon_days=60, followup_days=365, platform=PlatformConfig())


# ----------------------------------------------------------------------------- every yuan shown


@pytest.fixture(scope="module")
def record():
    strategy = StrategyConfig(name="paid", membership=MembershipConfig(enabled=True, uptake_prob=0.5))
    return simulate(strategy, TINY, 0)


def test_costs_sum_to_the_cac_numerator_and_to_the_incremental_profit_to_the_cent(record) -> None:
    metrics = compute_metrics(record)
    costs = cost_frame(record, "paid", 0, "cash")
    value = costs[costs["basis"] == "12m_value"].set_index("line")["amount_cny"]
    acquisition = value[[line if line != "hook" else "hook_cash" for line in ACQUISITION_LINES]]
    members = metrics["members_acquired"]
    assert members > 100
    assert -acquisition.sum() == pytest.approx(metrics["cac"] * members, abs=0.01)
    assert value.sum() == pytest.approx(metrics["incremental_net_profit_12m"], abs=0.01)
    gross = value.drop("platform_contribution_lost").sum()
    assert gross == pytest.approx(metrics["net_profit_12m"], abs=0.01)
    assert gross - acquisition.sum() == pytest.approx(metrics["ltv_12m"] * members, abs=0.01)
    for line in ("gross_margin", "membership_fee", "first_order_subsidy", "touches", "shipping", "service"):
        assert value[line] != 0.0, f"{line} has no amount: the check would not see it"


def test_horizon_costs_sum_to_the_roi_numerators(record) -> None:
    metrics = compute_metrics(record)
    horizon = cost_frame(record, "paid", 0, "cash").query("basis == 'horizon'").set_index("line")["amount_cny"]
    spend = -horizon[horizon < 0].drop("platform_contribution_lost").sum()
    net = horizon.drop("platform_contribution_lost").sum()
    assert net == pytest.approx(metrics["roi"] * spend, abs=0.01)
    assert horizon.sum() == pytest.approx(metrics["incremental_roi"] * spend, abs=0.01)


# ----------------------------------------------------------------------------- a right winner


def _reps(values: dict[str, list[float]], metric: str = "incremental_net_profit_12m") -> pd.DataFrame:
    rows = [
        {"strategy": s, "replication": r, "metric": metric, "value": v}
        for s, vs in values.items()
        for r, v in enumerate(vs)
    ]
    return pd.DataFrame(rows)


def test_the_winner_comes_from_the_paired_difference_not_from_the_means() -> None:
    # both lose money; b loses more in every replication: a wins although both are negative
    reps = _reps({"a": [-10.0, -12.0, -11.0, -13.0], "b": [-20.0, -21.0, -23.0, -22.0]})
    v = verdict(reps, "incremental_net_profit_12m")
    assert v is not None and v.winner == "a" and v.runner_up == "b"
    assert v.ci_low > 0  # a - b, paired
    # means differ, but the paired difference swings both ways: no winner
    noisy = _reps({"a": [10.0, -5.0, 12.0, -4.0], "b": [-3.0, 8.0, -2.0, 9.0]})
    v = verdict(noisy, "incremental_net_profit_12m")
    assert v is not None and v.leader == "a" and v.winner is None
    # two identical strategies: no winner, a zero difference
    same = _reps({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 3.0]})
    v = verdict(same, "incremental_net_profit_12m")
    assert v is not None and v.winner is None and v.mean_diff == 0.0


def _run(strategies: dict[str, StrategyConfig], shared=TINY) -> tuple[pd.DataFrame, pd.DataFrame]:
    reps = run_experiment(Experiment("x", "?", next(iter(strategies)), strategies, shared))
    return reps, summarise(reps)


def test_with_negative_ltv_for_both_the_headline_still_names_the_better_one_or_no_clear_difference() -> None:
    # margins below the order costs: every member loses money, so LTV < 0 (and every ratio is meaningless)
    losing = dataclasses.replace(
        TINY, run=dataclasses.replace(TINY.run, n_replications=4), accounting=AccountingConfig(gross_margin_rate=0.02)
    )
    strategies = {
        "cash": StrategyConfig(name="cash"),
        "coupon": StrategyConfig(name="coupon", hook=HookConfig(type=HookType.coupon)),
    }
    reps, summary = _run(strategies, losing)
    ltv = summary[summary["metric"] == "ltv_12m"].set_index("strategy")["mean"]
    assert (ltv < 0).all(), ltv
    v = verdict(reps, "incremental_net_profit_12m")
    assert v is not None
    text = headline(reps, summary)
    if v.winner is not None:
        wide = reps[reps["metric"] == "incremental_net_profit_12m"].pivot(
            index="replication", columns="strategy", values="value"
        )
        assert wide[v.winner].mean() > wide[v.runner_up].mean()  # the better one, by profit, not by a ratio
        assert text.startswith(f"{v.winner} earns")
    else:
        assert text.startswith("No clear difference")
    print(f"VALIDATION | headline with negative LTV | {text}")


def test_two_identical_strategies_name_no_winner() -> None:
    strategies = {"a": StrategyConfig(name="a"), "b": StrategyConfig(name="b")}
    reps, summary = _run(strategies)
    assert headline(reps, summary).startswith("No clear difference")
    assert headline_title(reps, summary).startswith("No clear difference")
    assert "a − b = CNY 0.00" in headline(reps, summary)


def test_the_headline_states_each_strategy_incremental_profit_with_its_interval() -> None:
    strategies = {"cash": StrategyConfig(name="cash"), "none": StrategyConfig(name="none")}
    reps, summary = _run(strategies)
    text = headline(reps, summary)
    row = summary.set_index(["strategy", "metric"]).loc[("cash", "incremental_net_profit_12m")]
    from sim.report.i18n import money

    assert f"cash {money(row['mean'])} [{money(row['ci_low'])}, {money(row['ci_high'])}]" in text
    assert "incremental net profit over 12 months" in text


# ----------------------------------------------------------------------------- answers that do not depend on scale


def _se(row: pd.Series) -> float:
    t = special.stdtrit(row["n_replications"] - 1, 0.975)
    return float((row["ci_high"] - row["ci_low"]) / 2 / t)


@pytest.mark.slow
def test_a_sample_of_the_buyers_gives_the_full_runs_per_member_answers_and_winner() -> None:
    """population.sample_share=0.1 against the whole population: per-member metrics and totals (scaled back) within 3
    SE of each other, and the same winner."""
    from sim.api import compose_experiment
    from sim.config.compose import build_experiment

    def run(share: float) -> tuple[pd.DataFrame, pd.DataFrame]:
        overrides = ["run=tiny", "run.n_replications=6", "run.n_jobs=2", f"population.sample_share={share}"]
        experiment = build_experiment(compose_experiment("hook_cash_vs_coupon", overrides))
        reps = run_experiment_tables(experiment).replications
        return reps, summarise(reps).set_index(["strategy", "metric"])

    full_reps, full = run(1.0)
    part_reps, part = run(0.1)
    metrics = (
        "incremental_net_profit_12m",
        "members_acquired",
        "cac",
        "incremental_ltv",
        "ltv_12m",
        "incremental_ltv_to_cac",
        "first_order_rate",
        "capture_rate_card",
        "monthly_churn",
        "requests_lost_share",
        "desk_utilisation",
    )
    for strategy in ("cash", "coupon"):
        for metric in metrics:
            a, b = full.loc[(strategy, metric)], part.loc[(strategy, metric)]
            se = math.hypot(_se(a), _se(b))
            ok = abs(a["mean"] - b["mean"]) <= 3 * se
            print(
                f"VALIDATION | sample_share 0.1 vs 1: {strategy} {metric} | measured {b['mean']:.6g} | "
                f"expected {a['mean']:.6g} | 3 SE {3 * se:.3g} | {'ok' if ok else 'FAIL'}"
            )
            assert ok, (strategy, metric, a["mean"], b["mean"], se)
    full_v, part_v = verdict(full_reps, "incremental_net_profit_12m"), verdict(part_reps, "incremental_net_profit_12m")
    assert full_v is not None and part_v is not None
    assert full_v.winner == part_v.winner == "cash"
    assert np.isfinite(part.loc[("cash", "members_acquired"), "mean"])
