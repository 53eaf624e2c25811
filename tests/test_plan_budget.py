"""Budget split (``python -m sim.plan budget``): spend by line, the constraints, the frontier, the command.

Spend is checked against the ledger of a real (small) run; the frontier and the constraints on
tables with known answers; the end-to-end run checks what the command writes and that bad
arguments are one line.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _helpers import make_shared

from sim.config import Experiment, StrategyConfig
from sim.plan.budget import (
    CANDIDATE,
    LEVERS,
    RETENTION_SPEND_LINES,
    Constraints,
    evaluate,
    frontier,
    levers,
    marginal_return,
    parse_limit,
    spend_lines,
    strategy_settings,
)

NOT_SPEND = {"gross_margin", "membership_fee", "service", "shipping", "payment_fee", "platform_contribution_lost"}


def test_levers_become_nested_strategy_settings() -> None:
    settings = strategy_settings(
        {"hook.type": "cash", "hook.value_cny": 8.0, "touch.segments.new.touches_per_week": 1.5, "channel.sms": False},
        "2026-01-01",
    )
    assert settings == {
        "hook": {"type": "cash", "value_cny": 8.0},
        "touch": {"segments": {"new": {"touches_per_week": 1.5}}},
        "channel": {"sms": False},
    }
    keys = [lever.key for lever in levers(365)]
    assert len(set(keys)) == len(keys) and set(keys) >= {lever.key for lever in LEVERS}


WAVE_ON = {
    "sms.wave.audience": "base",
    "sms.wave.segment": "rfm",
    "sms.wave.day": 66,
    "sms.wave.send_hour": 20,
    "sms.wave.hook": "physical",
}


def test_the_wave_levers_become_one_dated_wave_or_none() -> None:
    """Day 66 of a run starting on 1 January is 8 March; the rfm segment and the sample gift are those of
    sms_recall_existing_base; audience off empties the waves (so a strategy's own waves are not kept either)."""
    settings = strategy_settings({"channel.sms": False, **WAVE_ON}, "2026-01-01")
    assert settings == {
        "channel": {"sms": False},
        "sms": {
            "waves": [
                {
                    "name": "budget_wave",
                    "date": "03-08",
                    "send_hour": 20.0,
                    "audience": "base",
                    "hook": {"type": "physical", "value_cny": 3.0, "shipping_cost_cny": 4.0},
                    "rfm": {"max_recency_days": 365.0, "min_orders": 2},
                }
            ]
        },
    }
    assert strategy_settings({**WAVE_ON, "sms.wave.audience": "off"}, "2026-01-01") == {"sms": {"waves": []}}
    leap = {**WAVE_ON, "sms.wave.day": 59, "sms.wave.segment": "everyone", "sms.wave.hook": "none"}
    (wave,) = strategy_settings(leap, "2028-01-01")["sms"]["waves"]  # day 59 of 2028 is 29 February
    assert wave["date"] == "02-28" and "rfm" not in wave and wave["hook"] == {"type": "none"}


def test_a_trial_with_the_wave_lever_sends_the_wave_and_one_without_does_not() -> None:
    """With the routine SMS off, the sms line is the wave's alone: a trial whose wave goes to the 50,000 existing
    customers (everyone, no hook) on day 10 pays CNY 0.03 for each one not yet asking to add by then: at most CNY
    1,500, and at least 99% of it (only the few who reordered and added through a package card in the first 10 days
    are left out: 0.04% here); the same trial with the wave off pays nothing for SMS. Both run on the same seed."""
    from sim.plan.budget_run import _with_strategy, strategy_levers
    from sim.plan.variants import load, only

    overrides = [*TINY, "population.base.size=50000", "run.n_replications=2"]
    cfg, experiment = load(overrides)
    mix = strategy_levers(experiment, "coupon") | {"channel.sms": False}
    wave = {**WAVE_ON, "sms.wave.segment": "everyone", "sms.wave.hook": "none", "sms.wave.day": 10}
    spend = {}
    for name, levers_on in (("wave", mix | wave), ("off", mix | {**wave, "sms.wave.audience": "off"})):
        candidate = only(_with_strategy(cfg, overrides, CANDIDATE, levers_on, []), [CANDIDATE])
        assert len(candidate.strategies[CANDIDATE].sms.waves) == (name == "wave")
        _, lines = evaluate(candidate, n_jobs=1)
        spend[name] = (
            lines[lines["line"] == "sms"].groupby("replication")["spend_cny"].sum().reindex([0, 1], fill_value=0.0)
        )
    assert ((spend["wave"] <= 50_000 * 0.03 + 1e-9) & (spend["wave"] >= 0.99 * 50_000 * 0.03)).all(), spend["wave"]
    assert (spend["off"] == 0.0).all()


def test_spend_is_every_horizon_line_but_fulfilment_and_the_platform_loss() -> None:
    """On a small run, spend by line is the horizon basis's cost lines with their sign flipped: the acquisition lines,
    first-order subsidies, touches and membership discounts, and nothing that follows orders."""
    shared = make_shared(buyers_per_year=20_000, horizon_days=60, n_replications=2)
    experiment = Experiment("t", "?", "a", {"a": StrategyConfig()}, shared)
    reps, lines = evaluate(experiment, n_jobs=1)
    from sim.run.experiment import run_replication_tables

    costs = pd.concat([run_replication_tables(experiment, r).costs for r in range(2)], ignore_index=True)
    horizon = costs[(costs["basis"] == "horizon") & ~costs["line"].isin(NOT_SPEND)]
    assert set(lines["line"]) == set(horizon["line"])
    assert set(horizon[horizon["section"] != "acquisition"]["line"]) <= set(RETENTION_SPEND_LINES)
    expected = -horizon.groupby("replication")["amount_cny"].sum().to_numpy()
    spend = reps[reps["metric"] == "spend_cny"].sort_values("replication")["value"].to_numpy()
    np.testing.assert_allclose(spend, expected, rtol=1e-12)
    assert (spend > 0).all() and (lines["spend_cny"] >= 0).all()
    assert spend_lines(costs)["spend_cny"].sum() == pytest.approx(spend.sum(), rel=1e-12)


def test_excess_is_zero_when_feasible_and_relative_when_not() -> None:
    c = Constraints(budget_cny=100.0, limits_cny={"cards": 10.0}, churn_ceiling=0.2)
    assert c.excess(100.0, {"cards": 10.0}, 0.2) == 0.0
    assert c.excess(150.0, {"cards": 10.0}, 0.1) == pytest.approx(0.5)
    assert c.excess(100.0, {"cards": 20.0}, 0.1) == pytest.approx(1.0)
    assert c.excess(100.0, {"cards": 5.0}, 0.3) == pytest.approx(0.5)
    assert c.excess(100.0, {}, math.nan) == 1.0  # churn missing: not known to be within the ceiling


def _trials(rows: list[tuple[float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"trial": i, "spend_cny": s, "objective_mean": p, "churn_mean": c, "spend.cards": 0.0}
            for i, (s, p, c) in enumerate(rows)
        ]
    )


def test_the_frontier_is_the_best_trial_at_or_below_each_spend_and_never_falls() -> None:
    trials = _trials([(100.0, 10.0, 0.1), (200.0, 5.0, 0.1), (300.0, 40.0, 0.1), (250.0, 99.0, 0.9)])
    c = Constraints(budget_cny=200.0, limits_cny={}, churn_ceiling=0.5)
    curve = frontier(trials, c)
    assert (np.diff(curve["best_objective_mean"]) >= 0).all()
    at = curve.set_index("budget_cny")["best_objective_mean"]
    assert at[200.0] == 10.0  # trial 1 (5.0) is worse than trial 0; trial 3 breaks the churn ceiling
    assert at[300.0] == 40.0
    assert marginal_return(curve, 200.0) == 30.0  # CNY 10,000 more reaches trial 2 (spend 300): 40 - 10
    assert marginal_return(curve, 300.0) == 0.0  # nothing better was tried above 300


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("cards", "write line=CNY"),
        ("gross_margin=5", "unknown line 'gross_margin'"),
        ("cards=lots", "'lots' is not a number"),
        ("cards=-1", "must be a finite amount >= 0"),
        ("cards=inf", "must be a finite amount >= 0"),
    ],
)
def test_a_bad_limit_names_itself(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_limit(text)


TINY = ["experiment=hook_cash_vs_coupon", "run=tiny", "run.n_replications=3", "population.sample_share=0.2"]


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "sim.plan", "budget", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=900)


@pytest.mark.slow
def test_the_command_writes_its_tables_figure_and_section(tmp_path: Path) -> None:
    out = tmp_path / "budget"
    proc = _run(tmp_path, *TINY, "--trials", "4", "--search-replications", "2", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    names = {p.name for p in out.iterdir()}
    assert names == {
        "budget_trials.csv",
        "budget_frontier.csv",
        "budget_allocation.csv",
        "budget_comparison.csv",
        "budget_best.yaml",
        "budget.png",
        "budget.svg",
        "budget.md",
    }
    trials = pd.read_csv(out / "budget_trials.csv")
    assert len(trials) == 4 and trials["feasible"].iloc[0]  # the first trial is the baseline's levers: its spend
    comparison = pd.read_csv(out / "budget_comparison.csv")
    assert {"incremental_net_profit_12m", "spend_cny"} <= set(comparison["metric"])
    assert (comparison["baseline"] == "coupon").all()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--budget-cny", "-5"), "--budget-cny -5.0: must be a finite amount > 0"),
        (("--budget-cny", "nan"), "--budget-cny nan"),
        (("--churn-ceiling", "1.5"), "--churn-ceiling 1.5: must be in (0, 1]"),
        (("--trials", "1"), "--trials 1: must be from 2"),
        (("--search-share", "0"), "--search-share 0.0: must be in (0, 1]"),
        (("--limit", "cards"), "write line=CNY"),
        (("--budget-cny", "abc"), "invalid float value: 'abc'"),
    ],
)
def test_bad_arguments_are_one_line_and_write_nothing(tmp_path: Path, args: tuple[str, ...], says: str) -> None:
    out = tmp_path / "budget"
    proc = _run(tmp_path, *TINY, *args, "--out", str(out))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and says in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()
