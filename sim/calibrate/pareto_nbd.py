"""Pareto/NBD repeat buying: likelihood, maximum-likelihood fit and closed forms (time in weeks).

Schmittlein, Morrison & Colombo (1987), "Counting your customers", Management Science
33(1): while alive a customer buys at a Poisson rate λ ~ Gamma(r, α) and dies at an
exponential time of rate μ ~ Gamma(s, β), independent of purchasing. Unlike BG/NBD,
a customer can die at any moment, not only just after a purchase.

The formulas are those of Fader & Hardie (2005), "A note on deriving the Pareto/NBD model
and related expressions" (brucehardie.com, note 009): the individual log-likelihood
(eq. 18, with A_0 of eqs. 19-20 computed in logs), P(alive) (eq. 36), E[X(t)] (eq. 27)
and E[Y(t) | x, t_x, T] (eq. 41). Published CDNOW estimates: r = 0.553, α = 10.578,
s = 0.606, β = 11.669.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, hyp2f1

from sim.calibrate.mle import Fit, fit_repeat_model
from sim.calibrate.rfm import RFM, Histories

NAME = "Pareto/NBD"
PARAMS = ("r", "alpha", "s", "beta")


def _log_a0_term(r: float, alpha: float, s: float, beta: float, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """log of 2F1(r+s+x, ., r+s+x+1; |α-β| / (max(α,β) + y)) / (max(α,β) + y)^(r+s+x), for y = t_x or T."""
    rsx = r + s + x
    second: float | np.ndarray
    if alpha >= beta:
        top, gap, second = alpha, alpha - beta, s + 1.0
    else:
        top, gap, second = beta, beta - alpha, r + x
    return np.log(hyp2f1(rsx, second, rsx + 1.0, gap / (top + y))) - rsx * np.log(top + y)


def _log_a0(log_at_t_x: np.ndarray, log_at_T: np.ndarray) -> np.ndarray:  # noqa: N803
    """log A_0 (eqs. 19-20) = log(term(t_x) - term(T)) >= -inf, from the two terms' logs."""
    d = np.minimum(log_at_T - log_at_t_x, 0.0)  # term(T) <= term(t_x)
    with np.errstate(divide="ignore"):  # t_x = T: A_0 = 0
        return log_at_t_x + np.log(-np.expm1(d))


def loglik(r: float, alpha: float, s: float, beta: float, h: Histories) -> np.ndarray:
    """The Pareto/NBD log-likelihood (eq. 18) of each distinct history."""
    xs = h.x_values
    head = (gammaln(r + xs) - gammaln(r) + r * np.log(alpha) + s * np.log(beta))[h.x_of]
    alive = -(r + h.x) * np.log(alpha + h.T_values)[h.T_of] - s * np.log(beta + h.T_values)[h.T_of]
    at_t_x = _log_a0_term(r, alpha, s, beta, h.xt_x, h.xt_t)[h.xt_of]
    at_T = _log_a0_term(r, alpha, s, beta, h.xT_x, h.xT_T)[h.xT_of]  # noqa: N806
    died = (np.log(s) - np.log(r + s + xs))[h.x_of] + _log_a0(at_t_x, at_T)
    return head + np.logaddexp(alive, died)


def fit(rfm: RFM) -> Fit:
    """Pareto/NBD parameters r, alpha (weeks), s, beta (weeks) by maximum likelihood."""
    mean_T = max(float(np.mean(rfm.T)), 1e-3)  # noqa: N806
    # start away from alpha = beta, where A_0 switches form: finite differences across the switch
    # stopped L-BFGS-B at its first step
    return fit_repeat_model(NAME, PARAMS, loglik, rfm, [1.0, mean_T, 1.0, 2.0 * mean_T])


def prob_alive(
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,  # noqa: N803
    r: float,
    alpha: float,
    s: float,
    beta: float,
) -> np.ndarray:
    """P(alive at T | x, t_x, T) (eq. 36)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))  # noqa: N806
    log_odds = (
        np.log(s)
        - np.log(r + s + x)
        + (r + x) * np.log(alpha + T)
        + s * np.log(beta + T)
        + _log_a0(_log_a0_term(r, alpha, s, beta, x, t_x), _log_a0_term(r, alpha, s, beta, x, T))
    )
    return 1.0 / (1.0 + np.exp(log_odds))


def _lifetime_share(t: float | np.ndarray, s: float, scale: np.ndarray | float) -> np.ndarray:
    """(1 - (scale / (scale + t))^(s - 1)) / (s - 1), the time-alive factor of eqs. 27 and 41 (its limit at s = 1)."""
    log_ratio = np.log(scale) - np.log(np.asarray(scale) + t)
    if abs(s - 1.0) < 1e-9:  # the limit s -> 1
        return -log_ratio
    return -np.expm1((s - 1.0) * log_ratio) / (s - 1.0)


def expected_repeats(t: float | np.ndarray, r: float, alpha: float, s: float, beta: float) -> np.ndarray:
    """E[X(t)]: a new customer's expected repeat purchases in (0, t] (eq. 27)."""
    t = np.asarray(t, dtype=float)
    return r * beta / alpha * _lifetime_share(t, s, beta)


def conditional_expected_repeats(
    t: float,
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,  # noqa: N803
    r: float,
    alpha: float,
    s: float,
    beta: float,
) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected purchases in the next t of a customer with that history (eq. 41)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))  # noqa: N806
    alive = prob_alive(x, t_x, T, r, alpha, s, beta)
    return alive * (r + x) * (beta + T) / (alpha + T) * _lifetime_share(t, s, beta + T)
