"""The tables of ``python -m sim.plan abtest``: design, MDE by budget, holdout, the simulated power check, the curve.

Built from the replications of :mod:`sim.plan.abtest_data` with the formulas of :mod:`sim.plan.abtest_stats`.
Every simulated check draws from its own generator seeded by (``run.seed``, pair, check), so the tables are the
same for the same seed whatever else is in them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.power import NormalIndPower

from sim.config import Experiment
from sim.plan import abtest_stats as st
from sim.plan.abtest_data import BINARY_METRICS, ArmPrediction, ReplicationUnits, arm_prediction
from sim.run.compare import interval

POWER_TOLERANCE = 0.03  # the issue's +-3 points
CHECK_FACTORS = (0.5, 1.0, 2.0)  # the recommended size, halved and doubled
CURVE_POINTS = 61
TEST_NAMES = {True: "two-proportion score test", False: "Welch t-test"}


@dataclass(frozen=True)
class Settings:
    """The command's choices: metric, significance, power, budgets, holdout margin, checks."""

    metric: str
    alpha: float
    power: float
    budgets_cny: tuple[float, ...]
    holdout_margin: float
    check_reps: int
    seed: int


def _check(
    arm_a: ArmPrediction, arm_b: ArmPrediction, n_a: int, n_b: int, s: Settings, rng: np.random.Generator, shift: float
) -> tuple[float, float, str]:
    """Empirical power (and SE) of the recommended test on units drawn as the simulation predicts, or a note."""
    if arm_a.metric in BINARY_METRICS:
        p_b = arm_b.mean + shift
        if not 0.0 <= p_b <= 1.0:
            return math.nan, math.nan, "not checked: the shifted rate is outside [0, 1]"
        rate, se = st.simulated_power_shares(arm_a.mean, p_b, n_a, n_b, s.alpha, s.check_reps, rng)
        return rate, se, ""
    assert arm_a.values is not None and arm_b.values is not None
    if not st.resampling_feasible(n_a, n_b, s.check_reps):
        return math.nan, math.nan, "not checked: too many members to resample (the normal approximation holds there)"
    rate, se = st.simulated_power_resampled(arm_a.values, arm_b.values, n_a, n_b, s.alpha, s.check_reps, rng, shift)
    return rate, se, ""


def _d(a: ArmPrediction, b: ArmPrediction, mean_b: float | None = None) -> float:
    share = a.metric in BINARY_METRICS
    return st.effect_size(share, a.mean, b.mean if mean_b is None else mean_b, a.var_per_unit, b.var_per_unit)


def build_tables(
    runs: list[ReplicationUnits], experiment: Experiment, a: str, others: list[str], s: Settings
) -> dict[str, pd.DataFrame]:
    """Every table of the command, by file name."""
    horizon, share = experiment.shared.run.horizon_days, experiment.shared.population.sample_share
    arm_a = arm_prediction(runs, a, s.metric, horizon, share)
    design, mdes, checks, curves = [], [], [], []
    for k, b in enumerate(others):
        arm_b = arm_prediction(runs, b, s.metric, horizon, share)
        pair: dict[str, object] = {"metric": s.metric, "unit": arm_a.unit, "strategy_a": a, "strategy_b": b}
        rng = np.random.default_rng([s.seed, k, 0])
        is_share = s.metric in BINARY_METRICS
        effect = arm_b.mean - arm_a.mean
        diff = arm_b.mean_by_replication - arm_a.mean_by_replication
        _, lo, hi, _ = interval(diff)
        d = _d(arm_a, arm_b)
        n = st.n_per_arm(d, s.alpha, s.power)
        n_int = math.ceil(n) if math.isfinite(n) else None
        slowest = min(arm_a.units_per_day, arm_b.units_per_day) / 2.0  # each arm gets half the traffic
        notes = []
        if math.isfinite(lo) and lo <= 0.0 <= hi:
            notes.append("the simulation's 95% interval of the effect includes 0: the size is for its point estimate")
        if n_int is None:
            notes.append("no predicted difference: no sample size detects it")
        row = pair | {
            "mean_a": arm_a.mean,
            "mean_b": arm_b.mean,
            "effect": effect,
            "effect_ci_low": lo,
            "effect_ci_high": hi,
            "relative_effect": effect / arm_a.mean if arm_a.mean else math.nan,
            "var_a": arm_a.var_per_unit,
            "var_b": arm_b.var_per_unit,
            "sd": st.pooled_sd(arm_a.var_per_unit, arm_b.var_per_unit),
            "effect_size": d,
            "effect_size_kind": "cohen_h" if is_share else "cohen_d",
            "test": TEST_NAMES[is_share],
            "alpha": s.alpha,
            "power": s.power,
            "n_per_arm": float(n_int) if n_int else math.nan,
            "units_per_day_a": arm_a.units_per_day,
            "units_per_day_b": arm_b.units_per_day,
            "days_needed": n_int / slowest if n_int and slowest > 0 else math.nan,
            "cost_per_unit_a_cny": arm_a.cost_per_unit_cny,
            "cost_per_unit_b_cny": arm_b.cost_per_unit_cny,
            "test_cost_cny": n_int * (arm_a.cost_per_unit_cny + arm_b.cost_per_unit_cny) if n_int else math.nan,
        }
        empirical = (math.nan, math.nan)
        if n_int:
            for factor in CHECK_FACTORS:
                m = max(2, math.ceil(n_int * factor))
                nominal = float(st.power_at(m, d, s.alpha))
                rate, se, note = _check(arm_a, arm_b, m, m, s, rng, 0.0)
                checks.append(_check_row(pair, "predicted", factor, m, m, effect, nominal, rate, se, s, note))
                if factor == 1.0:
                    empirical = (rate, se)
                    if note:
                        notes.append(note)
            grid = np.unique(np.geomspace(max(2.0, n_int / 20), n_int * 5, CURVE_POINTS).round())
            curves.append(pd.DataFrame(pair | {"n_per_arm": grid, "power": st.power_at(grid, d, s.alpha)}))
        size_rate, size_se = math.nan, math.nan
        if n_int:  # the same test with both arms drawn from A: its rejection rate should be alpha
            size_rate, size_se, _ = _check(arm_a, arm_a, n_int, n_int, s, rng, 0.0)
        row |= {
            "empirical_power": empirical[0],
            "empirical_power_se": empirical[1],
            "empirical_size": size_rate,
            "empirical_size_se": size_se,
            "check_reps": s.check_reps,
            "within_3_points": bool(abs(empirical[0] - s.power) <= POWER_TOLERANCE) if n_int else False,
            "note": "; ".join(notes),
        }
        design.append(row)
        for j, budget in enumerate(s.budgets_cny):
            mde_row, check = _mde_rows(pair, arm_a, arm_b, budget, s, np.random.default_rng([s.seed, k, 1 + j]))
            mdes.append(mde_row)
            if check is not None:
                checks.append(check)
    return {
        "abtest.csv": pd.DataFrame(design),
        "mde.csv": pd.DataFrame(mdes),
        "holdout.csv": holdout_table(runs, [a, *others], s, share),
        "power_check.csv": pd.DataFrame(checks),
        "power_curve.csv": pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(),
    }


def _check_row(
    pair: dict[str, object],
    design: str,
    factor: float,
    n_a: int,
    n_b: int,
    effect: float,
    nominal: float,
    rate: float,
    se: float,
    s: Settings,
    note: str,
) -> dict[str, object]:
    return pair | {
        "design": design,
        "size_factor": factor,
        "n_a": n_a,
        "n_b": n_b,
        "effect": effect,
        "nominal_power": nominal,
        "empirical_power": rate,
        "se": se,
        "reps": s.check_reps,
        "within_3_points": bool(abs(rate - nominal) <= POWER_TOLERANCE) if math.isfinite(rate) else False,
        "note": note,
    }


def _mde_rows(
    pair: dict[str, object],
    arm_a: ArmPrediction,
    arm_b: ArmPrediction,
    budget: float,
    s: Settings,
    rng: np.random.Generator,
) -> tuple[dict[str, object], dict[str, object] | None]:
    """The MDE of one budget (half per arm) and the simulated power of the test at that MDE."""
    n_a = math.floor(budget / 2.0 / arm_a.cost_per_unit_cny) if arm_a.cost_per_unit_cny > 0 else 0
    n_b = math.floor(budget / 2.0 / arm_b.cost_per_unit_cny) if arm_b.cost_per_unit_cny > 0 else 0
    share = s.metric in BINARY_METRICS
    smallest = st.mde(share, arm_a.mean, arm_a.var_per_unit, arm_b.var_per_unit, n_a, n_b, s.alpha, s.power)
    effect = arm_b.mean - arm_a.mean
    days = max(n_a / (arm_a.units_per_day / 2.0), n_b / (arm_b.units_per_day / 2.0)) if n_a and n_b else math.nan
    row = pair | {
        "budget_cny": budget,
        "n_a": n_a,
        "n_b": n_b,
        "days_needed": days,
        "mean_a": arm_a.mean,
        "mde": smallest,
        "mde_relative": smallest / arm_a.mean if arm_a.mean else math.nan,
        "predicted_effect": effect,
        "detectable": bool(abs(effect) >= smallest) if math.isfinite(smallest) else False,
        "alpha": s.alpha,
        "power": s.power,
    }
    if not math.isfinite(smallest):
        return row, None
    # the test at the MDE: arm B moved so that B - A equals the MDE (a share: B's rate set to A's + MDE)
    shift = arm_a.mean + smallest - arm_b.mean
    sigma2 = (arm_a.var_per_unit / n_a + arm_b.var_per_unit / n_b) / (1.0 / n_a + 1.0 / n_b)
    d = st.effect_size(share, arm_a.mean, arm_a.mean + smallest, sigma2, sigma2)
    nominal = float(NormalIndPower().power(d, n_a, s.alpha, ratio=n_b / n_a))
    rate, se, note = _check(arm_a, arm_b, n_a, n_b, s, rng, shift)
    return row, _check_row(pair | {"budget_cny": budget}, "mde", 1.0, n_a, n_b, smallest, nominal, rate, se, s, note)


def holdout_table(runs: list[ReplicationUnits], strategies: list[str], s: Settings, share: float) -> pd.DataFrame:
    """Per treated strategy: the holdout that measures its cannibalised share within the margin."""
    rows = []
    for strategy in strategies:
        mine = [r.holdout for r in runs if r.strategy == strategy]
        mean = {key: float(np.nanmean([h[key] for h in mine])) for key in mine[0]}
        n_buyers = mean["n_buyers"] / share  # buyers arriving in the horizon, whole population
        var_h, var_t, private = mean["holdout_var"], mean["treated_var"], mean["private_per_buyer"]
        n_h = st.holdout_size(s.holdout_margin, s.alpha, var_h, var_t, private, n_buyers)
        floor = st.holdout_variance_floor(var_h, var_t, n_buyers)
        needed = st.buyers_for_margin(s.holdout_margin, s.alpha, var_h, var_t, private)
        rows.append(
            {
                "strategy": strategy,
                "estimand": "cannibalised_share",
                "value": mean["cannibalisation_rate"],
                "margin": s.holdout_margin,
                "alpha": s.alpha,
                "platform_orders_per_buyer": mean["holdout_mean"],
                "sd_holdout_per_buyer": math.sqrt(var_h),
                "sd_treated_per_buyer": math.sqrt(var_t),
                "private_orders_per_buyer": private,
                "buyers_in_horizon": n_buyers,
                "holdout_buyers": n_h,
                "holdout_share": n_h / n_buyers if math.isfinite(n_h) else math.nan,
                "best_margin_in_horizon": float(stats.norm.ppf(1 - s.alpha / 2)) * math.sqrt(floor) / private
                if private > 0
                else math.nan,
                "buyers_needed_50_50": needed,
                "horizons_needed_50_50": needed / n_buyers,
            }
        )
    return pd.DataFrame(rows)
