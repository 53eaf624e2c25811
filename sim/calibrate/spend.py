"""Spend per purchase: Gamma-Gamma, and a Gamma-Gamma whose scale depends on how often the customer buys.

Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV", JMR 42(4); fitted in
:func:`sim.calibrate.fit.fit_gamma_gamma`): a customer's purchases are Gamma(p, ν) and ν ~
Gamma(q, γ) across customers, independent of how often they buy. On CDNOW, though, the
repeat buyers' mean spend and their number of repeat purchases correlate (0.11).

**Spend by frequency** lets the scale of ν depend on the calibration repeat purchases x:
ν ~ Gamma(q, γ_x) with γ_x = γ · ((x + 1) / 2)^δ, so a customer's expected spend per
purchase is p γ_x / (q - 1), rising with x when δ > 0. δ = 0 is Gamma-Gamma: the two are
nested, and a likelihood-ratio test compares them. γ is the scale of a customer with one
repeat purchase; for customers with none (x = 0, no repeat spend seen) the model
extrapolates to γ_0 = γ · 2^-δ. The likelihood is over the same data as Gamma-Gamma's: each
repeater's mean repeat spend m_x given x.

:func:`conditional_expected_spend` is either model's posterior mean spend per purchase
given (x, m_x): p (γ_x + x m_x) / (p x + q - 1); for x = 0 the prior mean p γ_x / (q - 1).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2

from sim.calibrate.fit import SpendHistories, gamma_gamma_loglik
from sim.calibrate.mle import Fit, FitError, maximise
from sim.calibrate.rfm import RFM

NAME = "spend by frequency"
PARAMS = ("p", "q", "gamma", "delta")


def frequency_scale(x: np.ndarray, gamma: float, delta: float) -> np.ndarray:
    """γ_x = γ ((x + 1) / 2)^δ: the scale of ν for customers with x calibration repeat purchases."""
    return gamma * ((np.asarray(x, dtype=float) + 1.0) / 2.0) ** delta


def fit_spend_by_frequency(rfm: RFM) -> Fit:
    """Spend-by-frequency parameters p, q, gamma, delta by maximum likelihood (delta may be negative)."""
    rep = (rfm.x > 0) & np.isfinite(rfm.mean_repeat_spend)
    x, m = rfm.x[rep], rfm.mean_repeat_spend[rep]
    if rep.sum() < 3:
        raise FitError("spend by frequency needs at least three customers who bought again")
    if np.any(m <= 0):
        raise FitError("spend by frequency needs positive spend: a repeat purchase has zero value")
    if np.unique(x).size < 2:
        raise FitError("spend by frequency needs repeat buyers with different numbers of repeat purchases")

    d = SpendHistories.of(x, m)

    def neg(params: np.ndarray) -> float:
        p, q, g, delta = params
        return -float(gamma_gamma_loglik(p, q, frequency_scale(d.x_values, g, delta), d).sum())

    x0 = np.array([0.0, np.log(2.0), np.log(float(np.mean(m))), 0.0])
    return maximise(NAME, PARAMS, neg, x0, int(rep.sum()), signed=("delta",))


def conditional_expected_spend(fit: Fit, x: np.ndarray, mean_repeat_spend: np.ndarray) -> np.ndarray:
    """Posterior mean spend per purchase of each customer under a Gamma-Gamma or spend-by-frequency fit."""
    p, q = fit.params["p"], fit.params["q"]
    scale = (
        frequency_scale(x, fit.params["gamma"], fit.params["delta"]) if "delta" in fit.params else fit.params["gamma"]
    )
    x = np.asarray(x, dtype=float)
    seen = np.where(x > 0, np.nan_to_num(mean_repeat_spend), 0.0)
    return p * (scale + x * seen) / (p * x + q - 1.0)


def likelihood_ratio(nested: Fit, full: Fit, extra: int = 1) -> tuple[float, float]:
    """Likelihood-ratio statistic of ``full`` against the ``nested`` model and its chi-square p-value."""
    stat = max(2.0 * (full.log_likelihood - nested.log_likelihood), 0.0)
    return stat, float(chi2.sf(stat, extra))
