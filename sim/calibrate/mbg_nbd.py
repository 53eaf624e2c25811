"""MBG/NBD repeat buying: likelihood, maximum-likelihood fit and closed forms (time in weeks).

Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison of models for
customer base analysis", IJRM 24(3): BG/NBD, except that a customer may also drop out right
after the first purchase, so that a customer who never bought again need not be alive
(Wagner & Hoppe 2008 give the conditional expectation). While alive, purchases come at a
Poisson rate λ ~ Gamma(r, α); after every purchase, the first included, the customer
drops out with probability p ~ Beta(a, b).

The likelihood of (x, t_x, T) is
B(a, b + x + 1) / B(a, b) · Γ(r + x) α^r / (Γ(r) (α + T)^(r + x))
+ B(a + 1, b + x) / B(a, b) · Γ(r + x) α^r / (Γ(r) (α + t_x)^(r + x)),
the first term for a customer still alive at T, the second for one who dropped out at the
last purchase t_x.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, gammaln, hyp2f1

from sim.calibrate.mle import Fit, fit_repeat_model
from sim.calibrate.rfm import RFM, Histories

NAME = "MBG/NBD"
PARAMS = ("r", "alpha", "a", "b")


def _log_dead_odds(r: float, alpha: float, a: float, b: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray):  # noqa: N803
    """log of P(dropped out at t_x) / P(alive at T), both joint with the history."""
    return np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))


def loglik(r: float, alpha: float, a: float, b: float, h: Histories) -> np.ndarray:
    """The MBG/NBD log-likelihood of each distinct history."""
    xs = h.x_values
    alive = (gammaln(r + xs) - gammaln(r) + r * np.log(alpha) + betaln(a, b + xs + 1.0) - betaln(a, b))[h.x_of]
    log_age = np.log(alpha + h.T_values)[h.T_of]
    alive = alive - (r + h.x) * log_age
    dead_odds = (np.log(a) - np.log(b + xs))[h.x_of] + (r + h.x) * (log_age - np.log(alpha + h.t_values)[h.t_of])
    return alive + np.logaddexp(0.0, dead_odds)


def fit(rfm: RFM) -> Fit:
    """MBG/NBD parameters r, alpha (weeks), a, b by maximum likelihood."""
    return fit_repeat_model(NAME, PARAMS, loglik, rfm, [1.0, max(float(np.mean(rfm.T)), 1e-3), 1.0, 1.0])


def prob_alive(
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,  # noqa: N803
    r: float,
    alpha: float,
    a: float,
    b: float,
) -> np.ndarray:
    """P(alive at T | x, t_x, T)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))  # noqa: N806
    return 1.0 / (1.0 + np.exp(_log_dead_odds(r, alpha, a, b, x, t_x, T)))


def expected_repeats(t: float | np.ndarray, r: float, alpha: float, a: float, b: float) -> np.ndarray:
    """E[X(t)]: a new customer's expected repeat purchases in (0, t]."""
    t = np.asarray(t, dtype=float)
    return b / (a - 1.0) * (1.0 - (alpha / (alpha + t)) ** r * hyp2f1(r, b + 1.0, a + b, t / (alpha + t)))


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
    """E[Y(t) | x, t_x, T]: expected purchases in the next t of a customer with that history (Wagner & Hoppe 2008)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))  # noqa: N806
    head = (a + b + x) / (a - 1.0)
    z = t / (alpha + T + t)
    tail = 1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x + 1.0, a + b + x, z)
    return head * tail * prob_alive(x, t_x, T, r, alpha, a, b)
