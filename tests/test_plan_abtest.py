"""``python -m sim.plan abtest``: the sample-size formulas, the simulated test that validates them, the command.

Statistical checks (fixed seeds, so deterministic):

- The design against its closed form: ``n = 2 (z_{1-a/2} + z_{power})^2 / h^2`` for a share (Cohen's h) and
  ``(z_{1-a/2} + z_{power})^2 (var_a + var_b) / effect^2`` for a mean, to 1e-5 relative
  (statsmodels counts the far rejection tail too, which the closed form leaves out; its solver stops near 1e-5).
- Empirical power of the test, simulated ``REPS`` = 4000 times at the recommended size, within the issue's
  +-3 points of the nominal 80%. Its standard error is sqrt(0.8 * 0.2 / 4000) = 0.63 points, so 3 points is
  4.7 SE: a correct design fails by chance with probability under 1e-5.
- The check can fail: at half the recommended size the same simulation gives about 51%, far outside +-3 points.
- Size: with both arms from the same distribution the rejection rate is within 3 SE (sqrt(a (1 - a) / REPS) =
  0.34 points at a = 5%) of alpha.
- For 90-day revenue, members are resampled from a tiny run's simulated members, heavy tail included.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.plan import abtest_stats as st
from sim.plan.abtest_data import arm_prediction, collect, revenue_in_window
from sim.plan.variants import load

REPS = 4000
TOLERANCE = 0.03  # the issue's +-3 points
ALPHA, POWER = 0.05, 0.8
Z = stats.norm.ppf(1 - ALPHA / 2) + stats.norm.ppf(POWER)
# the flagship's predicted card capture rates (coupon, cash) at its defaults
P_COUPON, P_CASH = 0.0180, 0.0393
TINY = [
    "experiment=hook_cash_vs_coupon",
    "run=tiny",
    "run.n_replications=2",
    "population.buyers_per_year=60000",
]


# --------------------------------------------------------------------------- formulas against closed forms


def test_share_sample_size_is_the_closed_form_with_cohens_h() -> None:
    h = 2 * math.asin(math.sqrt(P_CASH)) - 2 * math.asin(math.sqrt(P_COUPON))
    d = st.effect_size(True, P_COUPON, P_CASH, 0.0, 0.0)
    assert d == pytest.approx(h, rel=1e-12)
    assert st.n_per_arm(d, ALPHA, POWER) == pytest.approx(2 * Z**2 / h**2, rel=1e-5)
    assert float(st.power_at(2 * Z**2 / h**2, d, ALPHA)) == pytest.approx(POWER, abs=1e-6)


def test_mean_sample_size_and_mde_are_the_closed_forms() -> None:
    var_a, var_b, effect = 250.0**2, 240.0**2, 10.0
    d = st.effect_size(False, 70.0, 70.0 + effect, var_a, var_b)
    assert st.n_per_arm(d, ALPHA, POWER) == pytest.approx(Z**2 * (var_a + var_b) / effect**2, rel=1e-5)
    # unequal arms: the MDE solves z-sum * sqrt(var_a / n_a + var_b / n_b) = effect (the far tail is negligible)
    n_a, n_b = 5000.0, 3000.0
    assert st.mde(False, 70.0, var_a, var_b, n_a, n_b, ALPHA, POWER) == pytest.approx(
        Z * math.sqrt(var_a / n_a + var_b / n_b), rel=1e-5
    )
    # a share's MDE moves p_a by the h the budget detects
    mde = st.mde(True, P_COUPON, 0.0, 0.0, n_a, n_a, ALPHA, POWER)
    h = st.effect_size(True, P_COUPON, P_COUPON + mde, 0.0, 0.0)
    assert h == pytest.approx(Z * math.sqrt(2 / n_a), rel=1e-4)  # solve_power solves to about 1e-5


def test_no_effect_has_no_sample_size() -> None:
    assert math.isnan(st.n_per_arm(0.0, ALPHA, POWER))


def test_holdout_size_meets_its_margin_and_is_impossible_when_no_split_can() -> None:
    var, private, n_buyers = 4.0, 0.05, 1e9
    n_h = st.holdout_size(0.05, ALPHA, var, var, private, n_buyers)
    assert st.holdout_margin(ALPHA, var, var, private, n_h, n_buyers - n_h) <= 0.05
    assert st.holdout_margin(ALPHA, var, var, private, n_h - 2, n_buyers - n_h + 2) > 0.05
    assert math.isnan(st.holdout_size(0.05, ALPHA, var, var, private, 600_000))  # a year of the flagship's buyers
    assert st.buyers_for_margin(0.05, ALPHA, var, var, private) == pytest.approx(
        2 * stats.norm.ppf(0.975) ** 2 * 2 * var / (0.05 * private) ** 2
    )


# --------------------------------------------------------------------------- the simulated test: shares


def _n_share(p_a: float, p_b: float) -> int:
    return math.ceil(st.n_per_arm(st.effect_size(True, p_a, p_b, 0.0, 0.0), ALPHA, POWER))


def test_empirical_power_of_the_card_test_is_nominal() -> None:
    n = _n_share(P_COUPON, P_CASH)
    rate, se = st.simulated_power_shares(P_COUPON, P_CASH, n, n, ALPHA, REPS, np.random.default_rng(19))
    assert se <= 0.01
    assert abs(rate - POWER) <= TOLERANCE, (n, rate, se)


def test_the_power_check_fails_at_half_the_sample_size() -> None:
    n = _n_share(P_COUPON, P_CASH) // 2
    rate, _ = st.simulated_power_shares(P_COUPON, P_CASH, n, n, ALPHA, REPS, np.random.default_rng(19))
    assert rate < POWER - 0.2, rate  # about 51%: the check has teeth


def test_size_of_the_share_test_is_alpha() -> None:
    n = _n_share(P_COUPON, P_CASH)
    rate, _ = st.simulated_power_shares(P_COUPON, P_COUPON, n, n, ALPHA, REPS, np.random.default_rng(23))
    se = math.sqrt(ALPHA * (1 - ALPHA) / REPS)
    assert abs(rate - ALPHA) <= 3 * se, rate


# --------------------------------------------------------------------------- the simulated test: revenue


@pytest.fixture(scope="module")
def revenue_arms() -> tuple[object, object]:
    _, experiment = load(TINY)
    runs = collect(experiment, 1)
    horizon, share = experiment.shared.run.horizon_days, experiment.shared.population.sample_share
    return (
        arm_prediction(runs, "coupon", "revenue_90d_cny", horizon, share),
        arm_prediction(runs, "cash", "revenue_90d_cny", horizon, share),
    )


def test_simulated_revenue_is_heavy_tailed(revenue_arms: tuple) -> None:
    a, _ = revenue_arms
    assert a.values.size > 500
    assert np.mean(a.values == 0) > 0.5  # most members buy nothing in 90 days
    assert stats.skew(a.values) > 3  # a long right tail: the normal approximation is not a given


def test_empirical_power_of_the_revenue_test_is_nominal(revenue_arms: tuple) -> None:
    a, b = revenue_arms
    # a design effect of 0.2 sd (about 390 members an arm); arm B moved so that B - A is that effect
    effect = 0.2 * st.pooled_sd(a.var_per_unit, b.var_per_unit)
    d = st.effect_size(False, a.mean, a.mean + effect, a.var_per_unit, b.var_per_unit)
    n = math.ceil(st.n_per_arm(d, ALPHA, POWER))
    shift = a.mean + effect - b.mean
    rng = np.random.default_rng(29)
    rate, se = st.simulated_power_resampled(a.values, b.values, n, n, ALPHA, REPS, rng, shift_b=shift)
    assert abs(rate - POWER) <= TOLERANCE, (n, rate, se)
    half, _ = st.simulated_power_resampled(a.values, b.values, n // 2, n // 2, ALPHA, REPS, rng, shift_b=shift)
    assert half < POWER - 0.2, half
    size, _ = st.simulated_power_resampled(a.values, a.values, n, n, ALPHA, REPS, rng)
    assert abs(size - ALPHA) <= 3 * math.sqrt(ALPHA * (1 - ALPHA) / REPS), size


def test_revenue_in_window_counts_only_the_first_90_days() -> None:
    class Rec:
        members = pd.DataFrame({"join_day": [0.0, 10.0, 20.0]})
        orders = pd.DataFrame({"member": [0, 0, 1, 1], "day": [5.0, 95.0, 99.0, 100.0], "spend_cny": [1, 2, 4, 8]})

    assert revenue_in_window(Rec()).tolist() == [1.0, 4.0, 0.0]  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the command


def _run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim.plan", "abtest", *args], capture_output=True, text=True, cwd=tmp_path, timeout=300
    )


@pytest.mark.slow
def test_command_writes_every_file(tmp_path: Path) -> None:
    out = tmp_path / "ab"
    proc = _run([*TINY, "--metric", "capture_rate_card", "--check-reps", "2000", "--out", str(out)], tmp_path)
    assert proc.returncode == 0, proc.stderr
    names = {"abtest.csv", "mde.csv", "holdout.csv", "power_check.csv", "power_curve.csv", "abtest.md"}
    assert names | {"abtest_power.png", "abtest_power.svg"} <= {p.name for p in out.iterdir()}
    design = pd.read_csv(out / "abtest.csv")
    row = design.iloc[0]
    assert (row.strategy_a, row.strategy_b) == ("coupon", "cash")
    assert row.n_per_arm > 0 and row.days_needed > 0 and abs(row.empirical_power - 0.8) <= TOLERANCE
    assert set(pd.read_csv(out / "mde.csv")["budget_cny"]) == {10000.0, 100000.0}
    assert "## Sizing the real A/B test" in (out / "abtest.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--metric", "ltv_12m"], "--metric ltv_12m: allowed: capture_rate_card"),
        (["--power", "1.2"], "--power 1.2: must be between 0 and 1"),
        (["--power", "0"], "--power 0: must be between 0 and 1"),
        (["--alpha", "1"], "--alpha 1: must be between 0 and 1"),
        (["--alpha", "x"], "--alpha x"),
        (["--strategy-b", "nope"], "--strategy-b nope: the experiment has: cash, coupon"),
        (["--strategy-a", "nope"], "--strategy-a nope: the experiment has: cash, coupon"),
        (["--budget-cny", "-5"], "--budget-cny -5: allowed: positive amounts"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_no_folder(args: list[str], needle: str, tmp_path: Path) -> None:
    out = tmp_path / "ab"
    proc = _run([*TINY, *args, "--out", str(out)], tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], proc.stderr
    assert not out.exists() and not (tmp_path / "outputs").exists()
