"""BG/NBD repeat buying and Gamma-Gamma spend: likelihoods, maximum-likelihood fits and closed forms.

Time is in **weeks** here, as in the published CDNOW fits; the engine's population
config takes the BG/NBD scale in days (``alpha_days = 7 * alpha``).

- :func:`fit_bgnbd` and :func:`fit_gamma_gamma` maximise the log-likelihoods (the
  latter on customers with at least one repeat purchase, as in Fader, Hardie & Lee
  2005, "RFM and CLV", JMR 42(4)) with :func:`sim.calibrate.mle.maximise`, which gives
  standard errors from the observed information.
- :func:`expected_repeats`, :func:`prob_no_repeats`, :func:`conditional_expected_repeats` and
  :func:`prob_alive` are BG/NBD's closed forms (Fader, Hardie & Lee 2005, "Counting your
  customers the easy way", Marketing Science 24(2), eqs. 8-10).

The likelihoods evaluate each term once per distinct value it depends on
(:class:`~sim.calibrate.rfm.Histories`, :class:`SpendHistories`), with the very operations
of the per-customer formulas, so the sums are the same to the last bit as term by term.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import betaln, gammaln, hyp2f1

from sim.calibrate.mle import Fit, FitError, fit_repeat_model, maximise
from sim.calibrate.rfm import DAYS_PER_WEEK, RFM, Histories, rfm_summary

__all__ = [
    "DAYS_PER_WEEK",
    "RFM",
    "Fit",
    "FitError",
    "Histories",
    "SpendHistories",
    "bgnbd_loglik",
    "conditional_expected_repeats",
    "expected_repeats",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "gamma_gamma_loglik",
    "prob_alive",
    "prob_no_repeats",
    "rfm_summary",
]


# ----------------------------------------------------------------------------- likelihoods


def bgnbd_loglik(r: float, alpha: float, a: float, b: float, h: Histories) -> np.ndarray:
    """The BG/NBD log-likelihood (FHL 2005, eq. 6) of each distinct history, computed in logs."""
    xs = h.x_values
    a1 = (gammaln(r + xs) - gammaln(r) + r * np.log(alpha))[h.x_of]
    a2 = (betaln(a, b + xs) - betaln(a, b))[h.x_of]
    a3 = -(r + h.x) * np.log(alpha + h.T_values)[h.T_of]
    a4 = np.full(h.xt_x.shape, -np.inf)  # per (x, t_x): dropped out just after the last purchase
    rep = h.xt_x > 0
    xr = h.xt_x[rep]
    a4[rep] = np.log(a) - np.log(b + xr - 1.0) - (r + xr) * np.log(alpha + h.xt_t[rep])
    return a1 + a2 + np.logaddexp(a3, a4[h.xt_of])


@dataclass(frozen=True)
class SpendHistories:
    """The repeaters' x and mean repeat spend m_x, with what the Gamma-Gamma likelihoods reuse at every step."""

    x: np.ndarray
    m: np.ndarray
    log_m: np.ndarray
    xm: np.ndarray  # x * m_x
    x_values: np.ndarray
    x_of: np.ndarray
    log_x_values: np.ndarray

    @classmethod
    def of(cls, x: np.ndarray, m: np.ndarray) -> SpendHistories:
        x_values, x_of = np.unique(x, return_inverse=True)
        return cls(x, m, np.log(m), x * m, x_values, x_of, np.log(x_values))


def gamma_gamma_loglik(p: float, q: float, gamma: float | np.ndarray, d: SpendHistories) -> np.ndarray:
    """Each repeater's log-density of its mean repeat spend m_x over x purchases (Gamma-Gamma).

    ``gamma`` is the scale of ν, or one scale per distinct x (``d.x_values``).
    """
    px, pxu = p * d.x, p * d.x_values
    scale = gamma if np.ndim(gamma) == 0 else np.asarray(gamma)[d.x_of]
    q_log_scale = q * np.log(gamma) if np.ndim(gamma) == 0 else (q * np.log(gamma))[d.x_of]
    return (
        gammaln(pxu + q)[d.x_of]
        - gammaln(pxu)[d.x_of]
        - gammaln(q)
        + q_log_scale
        + (px - 1.0) * d.log_m
        + (pxu * d.log_x_values)[d.x_of]
        - (px + q) * np.log(scale + d.xm)
    )


# ----------------------------------------------------------------------------- maximum likelihood


def fit_bgnbd(rfm: RFM) -> Fit:
    """BG/NBD parameters r, alpha (weeks), a, b by maximum likelihood."""
    start = [1.0, max(float(np.mean(rfm.T)), 1e-3), 1.0, 1.0]
    return fit_repeat_model("BG/NBD", ("r", "alpha", "a", "b"), bgnbd_loglik, rfm, start)


def fit_gamma_gamma(rfm: RFM) -> Fit:
    """Gamma-Gamma spend parameters p, q, gamma from the repeaters' mean repeat spend."""
    rep = (rfm.x > 0) & np.isfinite(rfm.mean_repeat_spend)
    x, m = rfm.x[rep], rfm.mean_repeat_spend[rep]
    if rep.sum() < 2:
        raise FitError("Gamma-Gamma needs at least two customers who bought again")
    if np.any(m <= 0):
        raise FitError("Gamma-Gamma needs positive spend: a repeat purchase has zero value")

    d = SpendHistories.of(x, m)

    def neg(params: np.ndarray) -> float:
        p, q, g = params
        return -float(gamma_gamma_loglik(p, q, g, d).sum())

    x0 = np.log([1.0, 2.0, float(np.mean(m))])
    return maximise("Gamma-Gamma", ("p", "q", "gamma"), neg, x0, int(rep.sum()))


# ----------------------------------------------------------------------------- closed forms


def expected_repeats(t: float | np.ndarray, r: float, alpha: float, a: float, b: float) -> np.ndarray:
    """E[X(t)]: expected repeat purchases of a new customer in (0, t] (FHL 2005, eq. 9)."""
    t = np.asarray(t, dtype=float)
    z = t / (alpha + t)
    return (a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1.0, z))


def prob_no_repeats(t: float | np.ndarray, r: float, alpha: float) -> np.ndarray:
    """P(X(t) = 0): chance a new customer makes no repeat purchase in (0, t] (FHL 2005, eq. 8 at x = 0)."""
    t = np.asarray(t, dtype=float)
    return (alpha / (alpha + t)) ** r


def conditional_expected_repeats(
    t: float,
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,  # noqa: N803
    r: float,
    alpha: float,
    a: float,
    b: float,
) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected repeat purchases in the next t of a customer with that history (eq. 10)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))  # noqa: N806
    head = (a + b + x - 1.0) / (a - 1.0)
    tail = 1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1.0, t / (alpha + T + t))
    alive_odds = np.where(x > 0, a / np.maximum(b + x - 1.0, 1e-300) * ((alpha + T) / (alpha + t_x)) ** (r + x), 0.0)
    return head * tail / (1.0 + alive_odds)


def prob_alive(
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,  # noqa: N803
    r: float,
    alpha: float,
    a: float,
    b: float,
) -> np.ndarray:
    """P(alive at T | x, t_x, T) under BG/NBD (FHL 2005, eq. 10's denominator; 1 for x = 0)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))  # noqa: N806
    odds = np.where(x > 0, a / np.maximum(b + x - 1.0, 1e-300) * ((alpha + T) / (alpha + t_x)) ** (r + x), 0.0)
    return 1.0 / (1.0 + odds)
