"""run.parameter_uncertainty=true: the calibrated parameters' sampling distribution, drawn once per replication.

Fast: the draws' mean and covariance are the written ones (closed form, SE tolerances); every arm of a replication
runs on the same draw and replications differ; serial equals parallel; with the setting off nothing is drawn
(tests/test_golden.py holds the numbers unchanged); the calibrator writes the delta-method covariance its standard
errors come from; a population without uncertainty is one line of bad input; the percentile interval sits at
Weibull's plotting positions.

Slow: a tiny run's summary and differences carry percentile intervals and its report says so; interval coverage over
simulate -> calibrate -> forecast trials (see :func:`test_coverage_of_12_month_revenue`).
"""

from __future__ import annotations

import dataclasses
import math
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _helpers import quiet_strategy

from sim.calibrate.draws import uncertainty_fields
from sim.calibrate.fit import RFM, FitError, fit_bgnbd, fit_gamma_gamma
from sim.config import AccountingConfig, Experiment, RepeatConfig, RunConfig, SharedConfig, SpendConfig
from sim.config.compose import population_config
from sim.config.validate import ConfigError, validate_shared
from sim.run import experiment as experiment_module
from sim.run.compare import interval, percentile_interval
from sim.run.uncertainty import draw_log_parameters, with_drawn_parameters

MAIN = Path(__file__).resolve().parents[1]
DAYS_PER_WEEK = 7.0
# the truth of the coverage trials: CDNOW's BG/NBD (Fader, Hardie & Lee 2005; alpha in days) and Gamma-Gamma spend
TRUTH = {"r": 0.243, "alpha_days": 4.414 * DAYS_PER_WEEK, "a": 0.793, "b": 2.426, "p": 6.25, "q": 3.74, "gamma": 15.44}


# ----------------------------------------------------------------------------- BG/NBD + Gamma-Gamma in numpy


def calibration_history(rng: np.random.Generator, n: int, theta: dict[str, float]) -> RFM:
    """``n`` customers' repeat buying from BG/NBD + Gamma-Gamma (weeks), first purchases spread over weeks 0-12 and
    observed to week 39 (CDNOW's design). Given N(T) = k purchases of a Poisson process, their times are k uniform
    order statistics, so the last of x <= k lies at T x Beta(x, k - x + 1); dropout after the J-th repeat,
    J ~ Geometric(p); a customer's x repeats spend Gamma(p x, nu) in all."""
    age_weeks = 39.0 - 12.0 * rng.random(n)
    rate = rng.gamma(theta["r"], DAYS_PER_WEEK / theta["alpha_days"], n)  # per week
    last = rng.geometric(rng.beta(theta["a"], theta["b"], n))
    count = rng.poisson(rate * age_weeks)
    x = np.minimum(count, last)
    recency = np.where(x > 0, age_weeks * rng.beta(np.maximum(x, 1), count - x + 1), 0.0)
    nu = rng.gamma(theta["q"], 1.0 / theta["gamma"], n)
    total = rng.gamma(np.maximum(theta["p"] * x, 1e-300), 1.0 / nu)
    mean_spend = np.where(x > 0, total / np.maximum(x, 1), np.nan)
    return RFM(pd.Index(np.arange(n)), np.zeros(n), x.astype(float), recency, age_weeks, mean_spend)


def cohort_revenue(
    rng: np.random.Generator, members: int, days: float, repeat: RepeatConfig, spend: SpendConfig
) -> float:
    """Revenue of ``members`` new members' repeat orders in their first ``days`` days, every repurchase private (the
    members' natural BG/NBD + Gamma-Gamma process of sim.model.members with private_share = 1, no touches)."""
    rate = rng.gamma(repeat.r, 1.0 / repeat.alpha_days, members)
    last = rng.geometric(rng.beta(repeat.a, repeat.b, members))
    x = np.minimum(rng.poisson(rate * days), last)
    nu = rng.gamma(spend.q, 1.0 / spend.gamma_cny, members)
    return float(rng.gamma(np.maximum(spend.p * x, 1e-300), 1.0 / nu)[x > 0].sum())


def calibrated_shared(rfm: RFM, seed: int) -> SharedConfig:
    """The population the calibrator would write from ``rfm`` (its fits, its uncertainty block), validated as the
    engine validates it, with run.parameter_uncertainty=true."""
    bg, gg = fit_bgnbd(rfm), fit_gamma_gamma(rfm)
    written = {
        "repeat": {"r": bg.params["r"], "alpha_days": bg.params["alpha"] * DAYS_PER_WEEK, "a": bg.params["a"],
                   "b": bg.params["b"]},
        "spend": {"p": gg.params["p"], "q": gg.params["q"], "gamma_cny": gg.params["gamma"]},
    }  # fmt: skip
    pop = population_config({"name": "trial", **written, "uncertainty": uncertainty_fields(bg, gg, written)})
    shared = SharedConfig(RunConfig(seed=seed, parameter_uncertainty=True), pop, AccountingConfig())
    validate_shared(shared)
    return shared


@pytest.fixture(scope="module")
def cdnow_like() -> SharedConfig:
    """A population calibrated from 1,000 simulated CDNOW-like customers."""
    return calibrated_shared(calibration_history(np.random.default_rng(3), 1000, TRUTH), seed=5)


# ----------------------------------------------------------------------------- fast


def test_a_calibration_too_uncertain_to_draw_from_is_one_line(cdnow_like: SharedConfig) -> None:
    """Draws whose spend q lies below 1 (the engine needs q > 1) every time, here by a log estimate of q at log 0.5
    with its written variance: after MAX_DRAWS tries, a ConfigError (one line at the command line) that names the
    replication and what is allowed."""
    spend = cdnow_like.population.uncertainty.spend
    low_q = dataclasses.replace(spend, log_estimate={**spend.log_estimate, "q": math.log(0.5)})
    unc = dataclasses.replace(cdnow_like.population.uncertainty, spend=low_q)
    shared = dataclasses.replace(cdnow_like, population=dataclasses.replace(cdnow_like.population, uncertainty=unc))
    with pytest.raises(ConfigError) as raised:
        draw_log_parameters(shared, 3)
    message = str(raised.value)
    assert "\n" not in message and "draws in a row of replication 3" in message
    assert message.endswith("allowed: a calibration on more data, or run.parameter_uncertainty=false")
    assert str(pickle.loads(pickle.dumps(raised.value))) == message  # raised in a worker, re-raised in the run


def test_draws_have_the_written_mean_and_covariance(cdnow_like: SharedConfig) -> None:
    """Over n replications the draws' log mean and covariance match the written ones: each mean within 4 SE
    (SE sqrt(S_jj / n)) and each covariance within 4 SE (SE sqrt((S_ii S_jj + S_ij^2) / n), the normal's)."""
    n = 4000
    draws = [draw_log_parameters(cdnow_like, r) for r in range(n)]
    for section in ("repeat", "spend"):
        normal = getattr(cdnow_like.population.uncertainty, section)
        names = list(normal.log_estimate)
        mean = np.array([normal.log_estimate[k] for k in names])
        cov = np.array([normal.log_covariance[k] for k in names])
        z = np.array([[d[section][k] for k in names] for d in draws])
        mean_se = np.sqrt(np.diag(cov) / n)
        assert np.all(np.abs(z.mean(axis=0) - mean) <= 4 * mean_se), (section, z.mean(axis=0) - mean, mean_se)
        cov_se = np.sqrt((np.outer(np.diag(cov), np.diag(cov)) + cov**2) / n)
        assert np.all(np.abs(np.cov(z, rowvar=False) - cov) <= 4 * cov_se), section


def test_calibrator_writes_the_covariance_its_standard_errors_come_from(cdnow_like: SharedConfig) -> None:
    """exp(log_estimate) are the written values, and sqrt(diagonal) x estimate is the fit's delta-method SE."""
    rfm = calibration_history(np.random.default_rng(3), 1000, TRUTH)
    bg = fit_bgnbd(rfm)
    normal = cdnow_like.population.uncertainty.repeat
    assert math.exp(normal.log_estimate["r"]) == pytest.approx(cdnow_like.population.repeat.r, rel=1e-12)
    for name, key in (("r", "r"), ("alpha", "alpha_days"), ("a", "a"), ("b", "b")):
        row = list(normal.log_estimate).index(key)
        se = math.sqrt(normal.log_covariance[key][row]) * bg.params[name]
        assert se == pytest.approx(bg.se[name], rel=1e-9), name


def test_every_arm_of_a_replication_runs_on_its_one_draw(cdnow_like: SharedConfig, monkeypatch) -> None:
    """The platform layer, both strategies and the control arm see the same drawn parameters; replications differ;
    a replication's draw depends on (seed, replication) alone, so serial and parallel runs draw alike."""
    shared = dataclasses.replace(
        cdnow_like,
        run=dataclasses.replace(cdnow_like.run, horizon_days=20, followup_days=0, n_replications=2, progress=False),
        population=dataclasses.replace(cdnow_like.population, buyers_per_year=2000),
    )
    exp = Experiment("unc", "?", "a", {"a": quiet_strategy("a"), "b": quiet_strategy("b")}, shared)
    seen: list[tuple[str, object, object]] = []
    real_simulate, real_platform = experiment_module.simulate, experiment_module.build_platform

    def simulate(strategy, shared_, replication, platform):  # type: ignore[no-untyped-def]
        seen.append((strategy.name, shared_.population.repeat, shared_.population.spend))
        return real_simulate(strategy, shared_, replication, platform)

    def build_platform(pop, *args):  # type: ignore[no-untyped-def]
        seen.append(("platform", pop.repeat, pop.spend))
        return real_platform(pop, *args)

    monkeypatch.setattr(experiment_module, "simulate", simulate)
    monkeypatch.setattr(experiment_module, "build_platform", build_platform)
    per_rep = []
    for replication in (0, 1):
        seen.clear()
        experiment_module.run_replication_tables(exp, replication, with_control=True)
        assert [s[0] for s in seen] == ["platform", "a", "b", "control"]
        assert len({(s[1], s[2]) for s in seen}) == 1, "an arm ran on another draw"
        per_rep.append(seen[0][1:])
    assert per_rep[0] != per_rep[1], "two replications drew the same parameters"
    assert per_rep[0][0] != shared.population.repeat, "the replication ran on the point estimate"
    again = with_drawn_parameters(shared, 1).population
    assert (again.repeat, again.spend) == per_rep[1]  # the draw depends on (seed, replication) alone


def test_serial_equals_parallel(cdnow_like: SharedConfig) -> None:
    """Three replications with parameter uncertainty give the same rows in one process and in two."""
    shared = dataclasses.replace(
        cdnow_like,
        run=dataclasses.replace(cdnow_like.run, horizon_days=20, followup_days=0, n_replications=3, progress=False),
        population=dataclasses.replace(cdnow_like.population, buyers_per_year=2000),
    )
    rows = []
    for n_jobs in (1, 2):
        exp = Experiment("unc", "?", "a", {"a": quiet_strategy("a")}, dataclasses.replace(
            shared, run=dataclasses.replace(shared.run, n_jobs=n_jobs)))  # fmt: skip
        rows.append(experiment_module.run_experiment_tables(exp, with_control=True).replications)
    pd.testing.assert_frame_equal(rows[0], rows[1])


def test_off_draws_nothing(cdnow_like: SharedConfig) -> None:
    """With the setting off the shared settings pass through untouched (test_golden.py: the numbers do too)."""
    off = dataclasses.replace(cdnow_like, run=dataclasses.replace(cdnow_like.run, parameter_uncertainty=False))
    assert with_drawn_parameters(off, 3) is off


def test_percentile_interval_at_weibull_positions() -> None:
    """39 values: the interval is their minimum and maximum (positions 0.025 x 40 = 1 and 0.975 x 40 = 39), which hold
    a 40th exchangeable value with probability 38/40; 79 values: the 2nd and 78th."""
    v = np.random.default_rng(0).permutation(np.arange(39.0))
    assert percentile_interval(v)[1:3] == pytest.approx((0.0, 38.0), abs=1e-12)
    w = np.arange(79.0)
    assert percentile_interval(w)[1:3] == pytest.approx((1.0, 77.0), abs=1e-12)
    assert percentile_interval(np.array([1.0]))[1:3] != percentile_interval(np.array([1.0]))[1:3]  # NaN: no spread


@pytest.mark.slow  # about 30 s: one tiny run with its figures
def test_run_reports_percentile_intervals(tmp_path: Path) -> None:
    """population=cdnow (calibrated, with uncertainty) run with run.parameter_uncertainty=true: summary.csv's and
    differences.csv's intervals are the percentile intervals of replications.parquet, and the report says so."""
    from sim.api import load_run, run

    out = run(
        "hook_cash_vs_coupon", ["run=tiny", "population=cdnow", "run.parameter_uncertainty=true"], out_dir=tmp_path
    )
    tables = load_run(out)
    reps = tables.replications
    values = reps[(reps["strategy"] == "cash") & (reps["metric"] == "private_gmv")]["value"].to_numpy()
    row = tables.summary.set_index(["strategy", "metric"]).loc[("cash", "private_gmv")]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(percentile_interval(values)[1:3], rel=1e-12)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((values.min(), values.max()), rel=1e-12)  # 3 replications
    wide = reps[reps["metric"] == "private_gmv"].pivot(index="replication", columns="strategy", values="value")
    diff = tables.differences.set_index(["strategy", "metric"]).loc[("cash", "private_gmv")]  # baseline: coupon
    paired = (wide["cash"] - wide["coupon"]).to_numpy()
    assert (diff["ci_low"], diff["ci_high"]) == pytest.approx(percentile_interval(paired)[1:3], rel=1e-12)
    assert "2.5–97.5% percentile interval" in (out / "report.md").read_text(encoding="utf-8")


def test_no_uncertainty_is_one_line_of_bad_input(tmp_path: Path) -> None:
    """The default population carries none: one line naming the setting, exit 2, no run folder."""
    out = tmp_path / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "run=tiny", "run.parameter_uncertainty=true", f"hydra.run.dir={out}"],
        cwd=MAIN,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("error: run.parameter_uncertainty=true: population 'default' carries no calibrated")
    assert proc.stderr.count("\n") == 1
    assert not out.exists()


# ----------------------------------------------------------------------------- slow: coverage

TRIALS = 100
CALIBRATION_CUSTOMERS = 1000
COHORT_MEMBERS = 10_000
FORECAST_REPLICATIONS = 39  # at Weibull's positions the 2.5-97.5% interval of 39 values is their range: exactly 95%
YEAR_DAYS = 365.0


def coverage_trial(trial: int) -> tuple[bool, bool, bool] | None:
    """One simulate -> calibrate -> forecast trial: whether the truth lies in the interval with parameter uncertainty,
    without it (percentile interval, simulation noise only) and without it as the engine reports it (t-interval of
    the mean); None when the calibration fails (the calibrator would write no population)."""
    rng = np.random.default_rng([18, trial])
    try:
        shared = calibrated_shared(calibration_history(rng, CALIBRATION_CUSTOMERS, TRUTH), seed=1000 + trial)
    except FitError:
        return None
    pop = shared.population
    with_draws, at_estimate = [], []
    for replication in range(FORECAST_REPLICATIONS):
        drawn = with_drawn_parameters(shared, replication).population
        noise = np.random.default_rng([18, trial, replication])  # the year's luck, apart from the parameter draw
        with_draws.append(cohort_revenue(noise, COHORT_MEMBERS, YEAR_DAYS, drawn.repeat, drawn.spend))
        at_estimate.append(cohort_revenue(noise, COHORT_MEMBERS, YEAR_DAYS, pop.repeat, pop.spend))
    truth_repeat = dataclasses.replace(pop.repeat, r=TRUTH["r"], alpha_days=TRUTH["alpha_days"], a=TRUTH["a"],
                                       b=TRUTH["b"])  # fmt: skip
    truth_spend = dataclasses.replace(pop.spend, p=TRUTH["p"], q=TRUTH["q"], gamma_cny=TRUTH["gamma"])
    truth = cohort_revenue(np.random.default_rng([19, trial]), COHORT_MEMBERS, YEAR_DAYS, truth_repeat, truth_spend)
    covered = []
    for values, spread in (
        (with_draws, percentile_interval),
        (at_estimate, percentile_interval),
        (at_estimate, interval),
    ):
        _, low, high, _ = spread(np.asarray(values))
        covered.append(low <= truth <= high)
    return covered[0], covered[1], covered[2]


@pytest.mark.slow
def test_coverage_of_12_month_revenue() -> None:
    """Over 100 trials (truth CDNOW's fits; 1,000 calibration customers simulated in numpy from BG/NBD + Gamma-Gamma;
    the project's own fits and uncertainty block; 39 forecast replications of a 10,000-member cohort's first-year
    revenue, each on one parameter draw of sim.run.uncertainty; truth: the cohort's realised revenue under the true
    parameters with an independent seed), the 95% percentile interval covers the truth in 92-98% of trials. Without
    parameter uncertainty it falls clearly short. With exact 95% coverage, 100 trials give 95% +- 2.2% (binomial SE)."""
    results = [r for r in (coverage_trial(t) for t in range(TRIALS + 10)) if r is not None][:TRIALS]
    assert len(results) == TRIALS, "more than 10 calibrations failed"
    on, off, off_t = (float(np.mean([r[i] for r in results])) for i in range(3))
    print(f"coverage: with parameter uncertainty {on:.0%}, without {off:.0%} (percentile), {off_t:.0%} (t-interval)")
    assert 0.92 <= on <= 0.98, on
    assert off < 0.92, off
