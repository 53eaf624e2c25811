"""One fitted parameter with its standard error and source, and the two ways they are made here: a binomial share
and a maximum-likelihood fit on the log scale (scipy's optimiser, statsmodels' numerical Hessian)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from statsmodels.tools.numdiff import approx_hess3


class FitError(ValueError):
    """Exports that cannot be fitted; the message is one line."""


@dataclass(frozen=True)
class Estimate:
    """A fitted value, its standard error, how many units (parcels, messages, members) it rests on, and its files."""

    value: float
    se: float
    n: int
    source: str

    def as_dict(self) -> dict[str, object]:
        return {"value": float(self.value), "se": float(self.se), "n": int(self.n), "source": self.source}


@dataclass(frozen=True)
class WorkingFit:
    """A maximum-likelihood fit on its working (unbounded) scale: the estimate, its covariance and the units."""

    x: np.ndarray
    cov: np.ndarray
    n: int


def binomial(successes: int, trials: int, source: str) -> Estimate:
    """The share ``successes / trials`` with its binomial standard error sqrt(p (1 - p) / n)."""
    p = successes / trials
    return Estimate(p, math.sqrt(p * (1.0 - p) / trials), trials, source)


def mle(neg_loglik: Callable[[np.ndarray], float], start: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Minimise ``neg_loglik`` over unbounded working parameters from ``start`` (BFGS); returns the estimate and its
    covariance, the inverse of the observed information (statsmodels' numerical Hessian at the optimum)."""
    result = minimize(neg_loglik, start, method="BFGS")
    if not np.all(np.isfinite(result.x)) or not np.isfinite(result.fun):
        raise FitError(f"{what}: the likelihood has no finite maximum")
    try:
        cov = np.linalg.inv(approx_hess3(result.x, neg_loglik))
    except np.linalg.LinAlgError:
        raise FitError(f"{what}: the data do not pin the parameters down (singular information)") from None
    if not np.all(np.diag(cov) > 0):
        raise FitError(f"{what}: the data do not pin the parameters down (information not positive)")
    return result.x, cov


def from_log(x: float, var: float, n: int, source: str) -> Estimate:
    """A positive parameter fitted as its log: value exp(x), se exp(x) sqrt(var) (delta method)."""
    return Estimate(math.exp(x), math.exp(x) * math.sqrt(var), n, source)


def from_logit(x: float, var: float, n: int, source: str) -> Estimate:
    """A probability fitted as its logit: value p = 1 / (1 + exp(-x)), se p (1 - p) sqrt(var) (delta method)."""
    p = 1.0 / (1.0 + math.exp(-x))
    return Estimate(p, p * (1.0 - p) * math.sqrt(var), n, source)
