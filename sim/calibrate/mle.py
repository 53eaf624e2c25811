"""Maximum likelihood for every model here: the optimiser, standard errors from the observed information.

:func:`maximise` minimises a negative log-likelihood over log-parameters with L-BFGS-B and
polishes the optimum with Nelder-Mead, then takes standard errors from the inverse of the
numerical Hessian at the optimum (the observed information), by the delta method for
log-parameters. A fit that does not converge, runs off to the edge of the parameter space
or has a singular information matrix raises :class:`FitError`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

from sim.calibrate.rfm import RFM, Histories

LOG_BOUND = np.log(1e6)  # parameters are searched in [1e-6, 1e6]
SIGNED_BOUND = 50.0  # a parameter that may be negative is searched in [-50, 50]
EDGE = np.log(1e4)  # an estimate beyond [1e-4, 1e4] has run off to the edge: no finite maximum
FAILED = 1e300  # objective value of a point where the log-likelihood is not finite
FATOL, ULPS = 1e-10, 16  # Nelder-Mead stops when the simplex's values agree to 1e-10 or 16 ulps, the coarser


class FitError(ValueError):
    """A fit that cannot be trusted; the message is one line."""


@dataclass(frozen=True)
class Fit:
    """Maximum-likelihood estimates, their standard errors and the maximised log-likelihood."""

    model: str
    params: dict[str, float]
    se: dict[str, float]
    log_likelihood: float
    n: int  # customers the likelihood is over
    iterations: int
    # of the parameters in ``params`` order (delta method), from the observed information
    covariance: np.ndarray | None = field(default=None, compare=False)


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


def maximise(  # type: ignore[no-untyped-def]
    model: str, names: tuple[str, ...], neg_loglik, x0: np.ndarray, n: int, signed: tuple[str, ...] = ()
) -> Fit:
    """Minimise ``neg_loglik`` over log-parameters; estimates, delta-method SEs from the observed information.

    Parameters named in ``signed`` may be negative: they are searched as they are, in
    [-SIGNED_BOUND, SIGNED_BOUND], and their SEs come straight from the information.
    """
    is_signed = np.array([nm in signed for nm in names])

    def natural(theta: np.ndarray) -> np.ndarray:
        return np.where(is_signed, theta, np.exp(theta)) if signed else np.exp(theta)

    def objective(theta: np.ndarray) -> float:
        with np.errstate(all="ignore"):  # overflow at extreme trial values: the point is just rejected
            value = neg_loglik(natural(theta))
        return float(value) if np.isfinite(value) else FAILED

    bounds = [(-SIGNED_BOUND, SIGNED_BOUND) if sig else (-LOG_BOUND, LOG_BOUND) for sig in is_signed]
    res = minimize(objective, x0, method="L-BFGS-B", bounds=bounds, options={"maxiter": 2000, "ftol": 1e-14})
    # polish: L-BFGS-B stops on a relative tolerance; Nelder-Mead from there pins the optimum down
    # fatol can be no finer than the objective's own rounding: a few ulps of a large log-likelihood are
    # more than 1e-10, and Nelder-Mead then ran all its 20,000 iterations on a big export
    fatol = max(FATOL, ULPS * np.finfo(float).eps * abs(res.fun))
    res2 = minimize(objective, res.x, method="Nelder-Mead", options={"xatol": 1e-9, "fatol": fatol, "maxiter": 20_000})
    best = res2 if res2.fun <= res.fun else res
    theta = np.clip(best.x, [lo for lo, _ in bounds], [hi for _, hi in bounds])
    if not np.isfinite(best.fun) or best.fun >= FAILED:
        raise FitError(f"the {model} fit did not converge: the log-likelihood is not finite anywhere it looked")
    edge = np.where(is_signed, 0.9 * SIGNED_BOUND, EDGE)
    off = [nm for nm, t, e in zip(names, theta, edge, strict=True) if abs(t) > e]
    if off:
        value = natural(theta)
        shown = ", ".join(f"{nm} = {v:.3g}" for nm, v in zip(names, value, strict=True) if nm in off)
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
    params = natural(theta)
    scale = np.where(is_signed, 1.0, params)  # delta method from log-parameters
    se = scale * np.sqrt(var)
    return Fit(
        model=model,
        params={nm: float(v) for nm, v in zip(names, params, strict=True)},
        se={nm: float(v) for nm, v in zip(names, se, strict=True)},
        log_likelihood=float(-best.fun),
        n=n,
        iterations=int(res.nit + res2.nit),
        covariance=cov * np.outer(scale, scale),
    )


def fit_repeat_model(
    model: str,
    names: tuple[str, ...],
    loglik: Callable[..., np.ndarray],
    rfm: RFM,
    x0_natural: Sequence[float],
) -> Fit:
    """A repeat-buying model (BG/NBD, MBG/NBD, Pareto/NBD) fitted to ``rfm`` by maximum likelihood: ``loglik(*params,
    histories)`` gives each distinct history's log-likelihood; ``x0_natural`` is the start, in natural units."""
    if len(rfm) < 2:
        raise FitError(f"{model} needs at least two customers")
    if not (rfm.x > 0).any():
        raise FitError("no customer bought again in the calibration period: repeat buying cannot be fitted")
    h = Histories.of(rfm)

    def neg(params: np.ndarray) -> float:
        return -float(h.counts @ loglik(*params, h))

    return maximise(model, names, neg, np.log(np.asarray(x0_natural, dtype=float)), len(rfm))
