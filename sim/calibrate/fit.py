"""Fitting BG/NBD repeat buying and Gamma-Gamma spend to purchases by maximum likelihood.

Time is in **weeks** here, as in the published CDNOW fits; the engine's population
config takes the BG/NBD scale in days (``alpha_days = 7 * alpha``).

- :func:`rfm_summary` turns purchases (one per customer and day) into the BG/NBD
  statistics of each customer: x repeat purchases after the first, the time t_x of the
  last one and the age T at the end of the calibration period, both measured from the
  first purchase (Fader, Hardie & Lee 2005, "Counting your customers the easy way",
  Marketing Science 24(2)), and the mean value of the repeat purchases.
- :func:`fit_bgnbd` and :func:`fit_gamma_gamma` maximise the log-likelihoods (the
  latter on customers with at least one repeat purchase, as in Fader, Hardie & Lee
  2005, "RFM and CLV", JMR 42(4)) with ``scipy.optimize`` over log-parameters, and give
  standard errors from the observed information (the inverse Hessian at the optimum).
- :func:`expected_repeats`, :func:`prob_no_repeats` and :func:`conditional_expected_repeats`
  are BG/NBD's closed forms (eqs. 8-10 of the paper).

A fit that does not converge, runs off to the edge of the parameter space or has a
singular information matrix raises :class:`FitError`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

DAYS_PER_WEEK = 7.0
LOG_BOUND = np.log(1e6)  # parameters are searched in [1e-6, 1e6]
EDGE = np.log(1e4)  # an estimate beyond [1e-4, 1e4] has run off to the edge: no finite maximum
FAILED = 1e300  # objective value of a point where the log-likelihood is not finite


class FitError(ValueError):
    """A fit that cannot be trusted; the message is one line."""


@dataclass(frozen=True)
class RFM:
    """Per customer: repeat purchases x, recency t_x and age T (weeks), mean repeat spend (NaN if x = 0)."""

    customer: np.ndarray
    first_date: np.ndarray
    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray  # noqa: N815 - the paper's name
    mean_repeat_spend: np.ndarray

    def __len__(self) -> int:
        return self.x.size


@dataclass(frozen=True)
class Fit:
    """Maximum-likelihood estimates, their standard errors and the maximised log-likelihood."""

    model: str
    params: dict[str, float]
    se: dict[str, float]
    log_likelihood: float
    n: int  # customers the likelihood is over
    iterations: int


def rfm_summary(purchases: pd.DataFrame, end: dt.date | pd.Timestamp) -> RFM:
    """BG/NBD statistics from purchases (``customer``, ``date``, ``amount``; one row per customer and day).

    Only purchases on or before ``end`` count, and only customers whose first purchase is
    on or before it. T is the number of days from the first purchase to ``end`` over 7,
    so a purchase on the end date has t_x = T (the convention that reproduces the CDNOW fit).
    """
    end = pd.Timestamp(end)
    p = purchases[purchases["date"] <= end]
    first = p.groupby("customer", sort=True)["date"].transform("min")
    repeat = p["date"] > first
    by = p.assign(first=first, repeat_amount=p["amount"].where(repeat)).groupby("customer", sort=True)
    agg = by.agg(
        first=("date", "min"),
        last=("date", "max"),
        n=("date", "size"),
        spend=("repeat_amount", "mean"),
    )
    return RFM(
        customer=agg.index.to_numpy(),
        first_date=agg["first"].to_numpy(),
        x=(agg["n"] - 1).to_numpy(dtype=float),
        t_x=((agg["last"] - agg["first"]).dt.days / DAYS_PER_WEEK).to_numpy(dtype=float),
        T=((end - agg["first"]).dt.days / DAYS_PER_WEEK).to_numpy(dtype=float),
        mean_repeat_spend=agg["spend"].to_numpy(dtype=float),
    )


# ----------------------------------------------------------------------------- likelihoods


def bgnbd_loglik(r: float, alpha: float, a: float, b: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray):  # noqa: N803
    """Each customer's BG/NBD log-likelihood (FHL 2005, eq. 6), computed in logs."""
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + T)
    repeaters = x > 0
    a4 = np.full(x.shape, -np.inf)
    xr = x[repeaters]
    a4[repeaters] = np.log(a) - np.log(b + xr - 1.0) - (r + xr) * np.log(alpha + t_x[repeaters])
    return a1 + a2 + np.logaddexp(a3, a4)


def gamma_gamma_loglik(p: float, q: float, gamma: float, x: np.ndarray, m_x: np.ndarray) -> np.ndarray:
    """Each repeater's log-density of its mean repeat spend m_x over x purchases (Gamma-Gamma)."""
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1.0) * np.log(m_x)
        + px * np.log(x)
        - (px + q) * np.log(gamma + x * m_x)
    )


# ----------------------------------------------------------------------------- maximum likelihood


def _hessian(f, x: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Central-difference Hessian of a scalar function."""
    k = x.size
    h = 1e-4 * np.maximum(1.0, np.abs(x))
    out = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.zeros(k), np.zeros(k)
            ei[i], ej[j] = h[i], h[j]
            v = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4.0 * h[i] * h[j])
            out[i, j] = out[j, i] = v
    return out


def _maximise(model: str, names: tuple[str, ...], neg_loglik, x0: np.ndarray, n: int) -> Fit:  # type: ignore[no-untyped-def]
    """Minimise ``neg_loglik`` over log-parameters; estimates, delta-method SEs from the observed information."""

    def objective(theta: np.ndarray) -> float:
        with np.errstate(all="ignore"):  # overflow at extreme trial values: the point is just rejected
            value = neg_loglik(np.exp(theta))
        return float(value) if np.isfinite(value) else FAILED

    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(names)
    res = minimize(objective, x0, method="L-BFGS-B", bounds=bounds, options={"maxiter": 2000, "ftol": 1e-14})
    # polish: L-BFGS-B stops on a relative tolerance; Nelder-Mead from there pins the optimum down
    res2 = minimize(objective, res.x, method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-10, "maxiter": 20_000})
    best = res2 if res2.fun <= res.fun else res
    theta = np.clip(best.x, -LOG_BOUND, LOG_BOUND)
    if not np.isfinite(best.fun) or best.fun >= FAILED:
        raise FitError(f"the {model} fit did not converge: the log-likelihood is not finite anywhere it looked")
    off = [nm for nm, t in zip(names, theta, strict=True) if abs(t) > EDGE]
    if off:
        shown = ", ".join(f"{nm} = {np.exp(t):.3g}" for nm, t in zip(names, theta, strict=True) if nm in off)
        raise FitError(
            f"the {model} fit did not converge: {shown} ran off to the edge of the parameter space "
            "(the customers differ too little for the model's heterogeneity to be estimated)"
        )
    if not (res.success or res2.success):
        raise FitError(f"the {model} fit did not converge: the optimiser stopped without a maximum ({res.message})")
    hess = _hessian(objective, theta)
    try:
        cov = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        cov = np.full_like(hess, np.nan)
    var = np.diag(cov)
    if not np.all(np.isfinite(var)) or np.any(var <= 0):
        raise FitError(f"the {model} fit did not converge: the log-likelihood is flat at its maximum")
    params = np.exp(theta)
    se = params * np.sqrt(var)  # delta method from log-parameters
    return Fit(
        model=model,
        params={nm: float(v) for nm, v in zip(names, params, strict=True)},
        se={nm: float(v) for nm, v in zip(names, se, strict=True)},
        log_likelihood=float(-best.fun),
        n=n,
        iterations=int(res.nit + res2.nit),
    )


def fit_bgnbd(rfm: RFM) -> Fit:
    """BG/NBD parameters r, alpha (weeks), a, b by maximum likelihood."""
    if len(rfm) < 2:
        raise FitError("BG/NBD needs at least two customers")
    if not (rfm.x > 0).any():
        raise FitError("no customer bought again in the calibration period: repeat buying cannot be fitted")
    # the likelihood depends on (x, t_x, T) only: fit over the distinct triples with their counts
    stats = np.column_stack([rfm.x, rfm.t_x, rfm.T])
    uniq, counts = np.unique(stats, axis=0, return_counts=True)
    x, t_x, T = uniq.T  # noqa: N806

    def neg(params: np.ndarray) -> float:
        r, alpha, a, b = params
        return -float(counts @ bgnbd_loglik(r, alpha, a, b, x, t_x, T))

    x0 = np.log([1.0, max(float(np.mean(rfm.T)), 1e-3), 1.0, 1.0])
    return _maximise("BG/NBD", ("r", "alpha", "a", "b"), neg, x0, len(rfm))


def fit_gamma_gamma(rfm: RFM) -> Fit:
    """Gamma-Gamma spend parameters p, q, gamma from the repeaters' mean repeat spend."""
    rep = (rfm.x > 0) & np.isfinite(rfm.mean_repeat_spend)
    x, m = rfm.x[rep], rfm.mean_repeat_spend[rep]
    if rep.sum() < 2:
        raise FitError("Gamma-Gamma needs at least two customers who bought again")
    if np.any(m <= 0):
        raise FitError("Gamma-Gamma needs positive spend: a repeat purchase has zero value")

    def neg(params: np.ndarray) -> float:
        p, q, g = params
        return -float(gamma_gamma_loglik(p, q, g, x, m).sum())

    x0 = np.log([1.0, 2.0, float(np.mean(m))])
    return _maximise("Gamma-Gamma", ("p", "q", "gamma"), neg, x0, int(rep.sum()))


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
