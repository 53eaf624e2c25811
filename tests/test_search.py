"""Strategy search: ``hparams_search=optuna`` scores trials, writes a best strategy that composes, and confirms it.

The end-to-end test runs a 4-trial search at a tiny size as a subprocess; the unit tests
check the scoring (the churn ceiling) and the strategy written from a best trial.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from _helpers import CONFIG_DIR

from sim.plan.search import (
    INFEASIBLE,
    SearchSettings,
    best_word,
    confirmation_lines,
    searched_overrides,
    strategy_overrides,
    trial_result,
)
from sim.run.objectives import DEFAULT_OBJECTIVE, NET_PROFIT

TINY = [
    "run.n_replications=2",
    "population.buyers_per_year=8000",
    "run.horizon_days=60",
    "run.followup_days=365",
    "run.seed=5",
]


def _reps(members: float, ltv: float, cac: float, churn: float) -> pd.DataFrame:
    """Two replications of one candidate; the profits are members x (LTV - CAC), gross and (with an incremental
    LTV of half the LTV) incremental, as the engine computes them."""
    rows = []
    for rep, bump in enumerate((-1.0, 1.0)):
        incremental = ltv / 2 + bump
        values = {
            "members_acquired": members,
            "ltv_12m": ltv + bump,
            "incremental_ltv": incremental,
            "cac": cac,
            "monthly_churn": churn,
            NET_PROFIT: members * (ltv + bump - cac),
            DEFAULT_OBJECTIVE: members * (incremental - cac),
        }
        rows += [{"strategy": "candidate", "replication": rep, "metric": m, "value": v} for m, v in values.items()]
    return pd.DataFrame(rows)


def test_trials_over_the_churn_ceiling_score_below_every_trial_under_it() -> None:
    settings = SearchSettings(objective=NET_PROFIT, churn_metric="monthly_churn", churn_ceiling=0.3)
    poor = trial_result(_reps(10.0, 5.0, 100.0, 0.2), settings)  # loses money, churn fine
    rich = trial_result(_reps(1000.0, 50.0, 10.0, 0.5), settings)  # makes money, churns too much
    richer = trial_result(_reps(1000.0, 50.0, 10.0, 0.6), settings)
    assert poor["feasible"] and not rich["feasible"]
    assert poor["objective_mean"] == pytest.approx(10.0 * (5.0 - 100.0))
    assert poor["score"] == pytest.approx(poor["objective_mean"])
    assert rich["objective_mean"] == pytest.approx(40_000.0)
    assert richer["score"] < rich["score"] < INFEASIBLE + 1 < poor["score"]
    free = trial_result(_reps(1000.0, 50.0, 10.0, 0.6), SearchSettings(objective=NET_PROFIT, churn_ceiling=None))
    assert free["feasible"] and free["score"] == pytest.approx(40_000.0)
    default = trial_result(_reps(1000.0, 50.0, 10.0, 0.6), SearchSettings(churn_ceiling=None))
    assert default["score"] == pytest.approx(1000.0 * (25.0 - 10.0))  # incremental by default: members x (incr - cac)
    lower_is_better = trial_result(_reps(10.0, 5.0, 100.0, 0.2), SearchSettings(objective="cac"))
    assert lower_is_better["score"] == pytest.approx(-100.0)


def test_search_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown metric"):
        SearchSettings(objective="profit")
    with pytest.raises(ValueError, match="churn_ceiling"):
        SearchSettings(churn_ceiling=1.5)
    with pytest.raises(ValueError, match="unknown setting"):
        SearchSettings.from_node({"_target_": "sim.plan.search.SearchCallback", "objectiv": "cac"})


def test_best_strategy_holds_what_differs_and_every_searched_lever() -> None:
    base = {"hook": {"type": "cash", "value_cny": 5.0}, "offer": {"name": "trial_9_9", "subsidy_cny": 10.0}}
    best = {"hook": {"type": "cash", "value_cny": 12.5}, "offer": {"name": "none", "subsidy_cny": 0.0}}
    assert strategy_overrides(best, base) == {
        "hook": {"value_cny": 12.5},
        "offer": {"name": "none", "subsidy_cny": 0.0},
    }
    assert searched_overrides(best, base, ["hook.type", "hook.value_cny", "offer"]) == {
        "hook": {"value_cny": 12.5, "type": "cash"},
        "offer": {"name": "none", "subsidy_cny": 0.0},
    }


@pytest.fixture(scope="module")
def search(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("search")
    out = root / "search"
    args = [
        "experiment=hook_cash_vs_coupon",
        "hparams_search=optuna",
        "hydra.sweeper.n_trials=4",
        "hydra.sweeper.sampler.n_startup_trials=2",
        "hydra.callbacks.search.churn_ceiling=0.9",
        *TINY,
        f"hydra.sweep.dir={out}",
    ]
    result = subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=root, capture_output=True, text=True, timeout=900, check=False
    )
    return {"root": root, "dir": out, "result": result}


@pytest.mark.slow
def test_search_runs_its_trials_and_writes_the_trial_table(search) -> None:
    result = search["result"]
    assert result.returncode == 0, result.stderr[-3000:]
    trials = pd.read_csv(search["dir"] / "search_trials.csv")
    assert len(trials) == 4 and list(trials["trial"]) == [0, 1, 2, 3]
    for lever in ("hook.type", "hook.value_cny", "touch.segments.at_risk.touches_per_week", "offer", "referral"):
        assert lever in trials.columns
    assert set(trials["offer"]) <= {"none", "new_member_coupon", "trial_9_9"}
    assert set(trials["referral"]) <= {"default", "off"}
    assert trials["feasible"].all()
    # each trial ran the base strategy alone, as "candidate", next to the control arm
    summary = pd.read_csv(search["dir"] / "0" / "summary.csv")
    assert set(summary["strategy"]) == {"candidate", "control"}
    assert (search["dir"] / "search_history.png").is_file()
    assert (search["dir"] / "sweep_summary.csv").is_file()


@pytest.mark.slow
def test_best_strategy_composes_as_an_experiment_and_carries_the_best_levers(search, tmp_path: Path) -> None:
    assert search["result"].returncode == 0, search["result"].stderr[-3000:]
    from hydra import compose, initialize_config_dir

    from sim.config import register_configs
    from sim.config.compose import build_experiment

    trials = pd.read_csv(search["dir"] / "search_trials.csv")
    best = trials.loc[trials["score"].idxmax()]
    text = (search["dir"] / "best_strategy.yaml").read_text()
    assert text.startswith("# @package _global_")
    configs = tmp_path / "configs"
    shutil.copytree(CONFIG_DIR, configs)
    (configs / "experiment" / "found.yaml").write_text(text)
    register_configs()
    with initialize_config_dir(config_dir=str(configs), version_base="1.3"):
        cfg = compose(config_name="config", overrides=["experiment=found", *TINY])
    experiment = build_experiment(cfg)
    assert set(experiment.strategies) == {"cash", "coupon", "best"}
    assert experiment.baseline == "coupon"
    found = experiment.strategies["best"]
    assert found.hook.type.value == best["hook.type"]
    assert found.hook.value_cny == pytest.approx(best["hook.value_cny"])
    for segment in ("new", "active", "at_risk", "high_value"):
        got = found.touch.segments[segment].touches_per_week
        assert got == pytest.approx(best[f"touch.segments.{segment}.touches_per_week"])
    assert found.offer.name == best["offer"]
    assert found.referral.enabled == (best["referral"] == "default")
    assert yaml.safe_load(text)["experiment"]["strategies"]["coupon"] == {"hook": {"type": "coupon"}}


@pytest.mark.slow
def test_best_is_confirmed_against_the_baseline_and_the_best_hand_made_strategy_on_a_fresh_seed(search) -> None:
    assert search["result"].returncode == 0, search["result"].stderr[-3000:]
    comparison = pd.read_csv(search["dir"] / "search_best.csv")
    rows = comparison[comparison["metric"] == DEFAULT_OBJECTIVE]
    base = rows[rows["role"] == "baseline"].iloc[0]
    assert base["best"] == "best" and base["against"] == "coupon"
    for row in rows.itertuples(index=False):
        assert row.diff_ci_low <= row.mean_diff <= row.diff_ci_high
        assert row.mean_diff == pytest.approx(row.best_mean - row.against_mean)
    assert set(rows["against"]) <= {"coupon", "cash"}
    confirm = yaml.safe_load((search["dir"] / "best_vs_baseline" / "config_resolved.yaml").read_text())
    assert confirm["run"]["seed"] == 6  # run.seed + confirm_seed_offset
    assert (search["dir"] / "best_vs_baseline" / "summary.csv").is_file()
    err = search["result"].stderr
    assert "confirmed on a fresh seed" in err and "against the ceiling" in err


def test_a_trial_with_a_missing_objective_is_reported_as_missing_not_as_over_the_ceiling() -> None:
    reps = _reps(0.0, 5.0, float("nan"), 0.2)  # no member acquired: cac and the profits are missing
    result = trial_result(reps, SearchSettings(churn_ceiling=0.3))
    assert result["status"] == "objective_missing" and not result["feasible"]
    assert result["score"] <= INFEASIBLE
    over = trial_result(_reps(10.0, 5.0, 1.0, 0.5), SearchSettings(churn_ceiling=0.3))
    assert over["status"] == "over_churn_ceiling"


def test_a_search_where_everything_loses_money_names_the_smallest_loss() -> None:
    settings = SearchSettings()
    assert best_word(settings, -1000.0) == "smallest loss"
    assert best_word(settings, 10.0) == "best"
    assert best_word(SearchSettings(objective="ltv_to_cac"), -0.1) == "best"  # not money
    comparison = pd.DataFrame(
        [
            dict(
                metric=DEFAULT_OBJECTIVE,
                best="best",
                best_mean=-500.0,
                against="coupon",
                role="baseline",
                mean_diff=200.0,
                diff_ci_low=-10.0,
                diff_ci_high=410.0,
            ),
            dict(
                metric="monthly_churn",
                best="best",
                best_mean=0.4,
                against="coupon",
                role="baseline",
                mean_diff=0.01,
                diff_ci_low=0.0,
                diff_ci_high=0.02,
            ),
        ]
    )
    lines = confirmation_lines(comparison, pd.Series({"trial": 3}), SearchSettings(churn_ceiling=0.35), 20)
    assert lines[0].startswith("smallest loss: trial 3")
    assert "no clear difference" in lines[1]
    assert "BROKEN" in lines[2]
