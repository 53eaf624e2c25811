"""The statistics of sizing an A/B test, and the simulated test that checks them (numpy, scipy, statsmodels).

**Design** (normal approximation, statsmodels' ``NormalIndPower``, two-sided at level ``alpha``). Two arms
with per-unit means ``mean_a``, ``mean_b`` and variances ``var_a``, ``var_b``:

- a share (``p_a``, ``p_b``): Cohen's ``h = 2 asin(sqrt(p_b)) - 2 asin(sqrt(p_a))``
  (``statsmodels.stats.proportion.proportion_effectsize``) and ``n = 2 (z_{1-alpha/2} + z_{power})^2 / h^2`` per arm;
- a mean (revenue): ``d = effect / sqrt((var_a + var_b) / 2)`` and ``n = (z_{1-alpha/2} + z_{power})^2 (var_a + var_b)
  / effect^2`` per arm. For unequal arms (a budget buys different numbers of units at different costs) the same
  holds with ``sigma^2 = (var_a / n_a + var_b / n_b) / (1 / n_a + 1 / n_b)``, which gives the minimum detectable
  effect (:func:`mde`).

**The test each design is for** (:func:`test_rejects`): for a share, the two-proportion score test
(``statsmodels.stats.proportion.test_proportions_2indep``, method ``score``: the pooled z-test); for a mean,
Welch's unequal-variance t-test from each arm's mean and standard deviation (``scipy.stats.ttest_ind_from_stats``).

**The check** (:func:`simulated_power_shares`, :func:`simulated_power_resampled`): run that test ``reps`` times
on units drawn from the distributions the simulation predicts (Bernoulli at each arm's rate, drawn as a
binomial count, which is the sum of ``n`` Bernoulli units; for revenue, ``n`` members resampled with
replacement from each arm's simulated members, heavy tail and all), and count rejections. The share has
standard error ``sqrt(power (1 - power) / reps)``.

**Holdout** (:func:`holdout_size`): the cannibalised share of private orders is estimated as
``c = (Y_h - Y_t) / P_t``: platform orders per buyer in a holdout without capture (``Y_h``) less those of
the treated buyers (``Y_t``), per private order of the treated buyers (``P_t``). The private orders that moved
from the platforms (the private share of the members' repurchases) are the same contrast ``Y_h - Y_t``.
With ``n_h`` holdout buyers and ``n_t`` treated ones, ``Var(c) = (var_h / n_h + var_t / n_t) / P_t^2`` (delta
method; ``P_t`` is measured on the large treated arm and its own variance is left out). The holdout needed out
of ``N`` buyers is the least ``n_h`` with ``z_{1-alpha/2} sqrt(Var(c)) <= margin`` and ``n_t = N - n_h``; none
exists when even the best split (``n_h / N = sd_h / (sd_h + sd_t)``) falls short.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import optimize, stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize, test_proportions_2indep

MAX_DRAWS = 60_000_000  # resampled member values per simulated check; beyond this the check is skipped
CHUNK_DRAWS = 4_000_000  # resampled values held in memory at once


def pooled_sd(var_a: float, var_b: float) -> float:
    """The per-unit standard deviation of two equal arms: sqrt((var_a + var_b) / 2)."""
    return math.sqrt((var_a + var_b) / 2.0)


def effect_size(share: bool, mean_a: float, mean_b: float, var_a: float, var_b: float) -> float:
    """The standardised effect of B over A: Cohen's h for a share, the difference over the pooled sd for a mean."""
    if share:
        return float(proportion_effectsize(mean_b, mean_a))
    sd = pooled_sd(var_a, var_b)
    return (mean_b - mean_a) / sd if sd > 0 else float("nan")


def _solve(**kwargs: float | None) -> float:
    return float(np.asarray(NormalIndPower().solve_power(alternative="two-sided", **kwargs)).item())


def n_per_arm(d: float, alpha: float, power: float) -> float:
    """Units per arm for a two-sided test of the standardised effect ``d`` (NaN when there is none)."""
    if not math.isfinite(d) or d == 0.0:
        return float("nan")
    return _solve(effect_size=abs(d), alpha=alpha, power=power, ratio=1.0)


def power_at(n: np.ndarray | float, d: float, alpha: float) -> np.ndarray:
    """Power of the two-sided test with ``n`` units per arm (normal approximation)."""
    return np.asarray(NormalIndPower().power(abs(d), np.asarray(n, dtype=float), alpha, ratio=1.0), dtype=float)


def mde(
    share: bool, mean_a: float, var_a: float, var_b: float, n_a: float, n_b: float, alpha: float, power: float
) -> float:
    """The least rise of B over A (in the metric's unit) detected with ``power`` by ``n_a`` and ``n_b`` units."""
    if not (n_a >= 2 and n_b >= 2) or not math.isfinite(mean_a):
        return float("nan")
    d = _solve(effect_size=None, nobs1=n_a, alpha=alpha, power=power, ratio=n_b / n_a)
    if share:  # invert h = 2 asin(sqrt(p_b)) - 2 asin(sqrt(p_a)) for p_b
        angle = math.asin(math.sqrt(mean_a)) + d / 2.0
        return math.sin(angle) ** 2 - mean_a if angle <= math.pi / 2 else float("nan")
    if not math.isfinite(var_a + var_b) or var_a + var_b <= 0:
        return float("nan")
    return d * math.sqrt((var_a / n_a + var_b / n_b) / (1.0 / n_a + 1.0 / n_b))


def share_test_rejects(k_a: np.ndarray, n_a: int, k_b: np.ndarray, n_b: int, alpha: float) -> np.ndarray:
    """Whether the two-proportion score test rejects at ``alpha``, per simulated test (counts ``k`` of ``n``).

    A test with no variation at all (every unit 0, or every unit 1) has no p-value and does not reject.
    """
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        p = test_proportions_2indep(k_b, n_b, k_a, n_a, method="score", compare="diff").pvalue
    return np.asarray(np.nan_to_num(np.asarray(p, dtype=float), nan=1.0) < alpha)


def welch_rejects(
    mean_a: np.ndarray, sd_a: np.ndarray, n_a: int, mean_b: np.ndarray, sd_b: np.ndarray, n_b: int, alpha: float
) -> np.ndarray:
    """Whether Welch's two-sided t-test rejects equal means at ``alpha``, per simulated test (arrays)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p = stats.ttest_ind_from_stats(mean_a, sd_a, n_a, mean_b, sd_b, n_b, equal_var=False).pvalue
    return np.asarray(np.nan_to_num(p, nan=1.0) < alpha)


def _rate(rejects: np.ndarray) -> tuple[float, float]:
    rate = float(rejects.mean())
    return rate, math.sqrt(rate * (1.0 - rate) / rejects.size)


def simulated_power_shares(
    p_a: float, p_b: float, n_a: int, n_b: int, alpha: float, reps: int, rng: np.random.Generator
) -> tuple[float, float]:
    """Rejection rate (and its standard error) of the score test on ``n_a`` and ``n_b`` Bernoulli units."""
    k_a = rng.binomial(n_a, p_a, size=reps)
    k_b = rng.binomial(n_b, p_b, size=reps)
    return _rate(share_test_rejects(k_a, n_a, k_b, n_b, alpha))


def _resampled_moments(values: np.ndarray, n: int, reps: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Mean and standard deviation of ``n`` values resampled with replacement, ``reps`` times (in chunks)."""
    means, sds = np.empty(reps), np.empty(reps)
    per_chunk = max(1, CHUNK_DRAWS // n)
    for start in range(0, reps, per_chunk):
        k = min(per_chunk, reps - start)
        sample = values[rng.integers(0, values.size, size=(k, n))]
        means[start : start + k] = sample.mean(axis=1)
        sds[start : start + k] = sample.std(axis=1, ddof=1)
    return means, sds


def resampling_feasible(n_a: float, n_b: float, reps: int) -> bool:
    """Whether resampling ``reps`` tests of ``n_a`` + ``n_b`` members stays within :data:`MAX_DRAWS`."""
    return math.isfinite(n_a + n_b) and (n_a + n_b) * reps <= MAX_DRAWS


def simulated_power_resampled(
    values_a: np.ndarray,
    values_b: np.ndarray,
    n_a: int,
    n_b: int,
    alpha: float,
    reps: int,
    rng: np.random.Generator,
    shift_b: float = 0.0,
) -> tuple[float, float]:
    """Rejection rate (and its standard error) of Welch's test on members resampled from each arm's simulated
    values; ``shift_b`` is added to every arm-B value (to test a chosen effect)."""
    mean_a, sd_a = _resampled_moments(np.asarray(values_a, dtype=float), n_a, reps, rng)
    mean_b, sd_b = _resampled_moments(np.asarray(values_b, dtype=float), n_b, reps, rng)
    return _rate(welch_rejects(mean_a, sd_a, n_a, mean_b + shift_b, sd_b, n_b, alpha))


def holdout_variance_floor(var_holdout: float, var_treated: float, n_buyers: float) -> float:
    """The least Var(Y_h - Y_t) any split of ``n_buyers`` reaches: (sd_h + sd_t)^2 / N."""
    return (math.sqrt(var_holdout) + math.sqrt(var_treated)) ** 2 / n_buyers


def holdout_size(
    margin: float, alpha: float, var_holdout: float, var_treated: float, private_per_buyer: float, n_buyers: float
) -> float:
    """The least holdout (buyers) that estimates the cannibalised share within ``margin`` at confidence
    ``1 - alpha`` out of ``n_buyers`` (see the module's docstring); NaN when no split of the buyers can."""
    z = float(stats.norm.ppf(1.0 - alpha / 2.0))
    target = (margin * private_per_buyer / z) ** 2  # the variance of Y_h - Y_t that gives the margin
    sd_h, sd_t = math.sqrt(var_holdout), math.sqrt(var_treated)
    if not (target > 0 and n_buyers > 2 and sd_h > 0):
        return float("nan")

    def excess(n_h: float) -> float:
        return var_holdout / n_h + var_treated / (n_buyers - n_h) - target

    best = n_buyers * sd_h / (sd_h + sd_t)
    if excess(best) > 0:
        return float("nan")
    return float(math.ceil(optimize.brentq(excess, 1e-9 * n_buyers, best, xtol=1e-6)))


def holdout_margin(
    alpha: float, var_holdout: float, var_treated: float, private_per_buyer: float, n_h: float, n_t: float
) -> float:
    """The margin (half-width at confidence ``1 - alpha``) of the cannibalised share with ``n_h`` and ``n_t``."""
    z = float(stats.norm.ppf(1.0 - alpha / 2.0))
    return z * math.sqrt(var_holdout / n_h + var_treated / n_t) / private_per_buyer


def buyers_for_margin(margin: float, alpha: float, var_holdout: float, var_treated: float, private: float) -> float:
    """Buyers in all that a 50/50 holdout needs for ``margin``: 2 z^2 (var_h + var_t) / (margin P_t)^2."""
    z = float(stats.norm.ppf(1.0 - alpha / 2.0))
    return 2.0 * z**2 * (var_holdout + var_treated) / (margin * private) ** 2
