"""Parameter draws: the fitted population's parameters drawn from the fits' asymptotic normal, for ``sim.plan risk``,
and that normal as the population YAML's ``uncertainty`` block, for ``run.parameter_uncertainty=true``.

:func:`uncertainty_fields` gives ``population.uncertainty`` (:class:`sim.config.shared.UncertaintyConfig`): per section
(``repeat``, ``spend``), the log of each value the YAML writes and the covariance of the logs (:func:`log_normal`),
which :mod:`sim.run.uncertainty` draws from once per replication.

``python -m sim.calibrate ... --out pop.yaml --parameter-draws N`` writes ``pop_draws.csv`` beside the YAML: N
rows, one column per population setting the calibration fitted (the BG/NBD repeat-buying and the Gamma-Gamma
spend parameters), named by the config key the YAML sets (``population.repeat.r``, ``population.repeat.alpha_days``,
..., ``population.spend.gamma_cny``), so ``python -m sim.plan risk population=pop --parameter-draws pop_draws.csv``
applies row *i* to replication *i* as overrides.

Every parameter is positive and was estimated on the log scale (:func:`sim.calibrate.mle.maximise`), so a row is
``exp(z)`` with ``z ~ N(log estimate, covariance of the log estimates)``: the observed-information covariance the fit
computed for its standard errors, brought back from the delta method's natural scale (divided by the outer product of
the estimates). BG/NBD and Gamma-Gamma are fitted separately, so their draws are independent. ``alpha_days`` is the
weekly alpha times 7 (log alpha plus log 7, the same variance).

A draw the engine would refuse (outside a setting's range in :mod:`sim.config.shared`, e.g. spend ``q <= 1``) is
drawn again, so the rows follow the normal truncated to what the engine accepts; :attr:`Draws.redrawn` counts them,
and the command prints the count. The draws come from ``numpy.random.default_rng(seed)``: the same fit and seed give
the same file.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.calibrate.fit import DAYS_PER_WEEK, Fit
from sim.config.shared import RepeatConfig, SpendConfig

MAX_DRAWS = 100_000
DEFAULT_SEED = 1
MAX_ROUNDS = 100  # redraw rounds before giving up: only a fit whose normal lies mostly outside the ranges needs many

# (fit parameter, config key, factor from the fit's units to the config's)
REPEAT_KEYS = (
    ("r", "population.repeat.r", 1.0),
    ("alpha", "population.repeat.alpha_days", DAYS_PER_WEEK),
    ("a", "population.repeat.a", 1.0),
    ("b", "population.repeat.b", 1.0),
)
SPEND_KEYS = (
    ("p", "population.spend.p", 1.0),
    ("q", "population.spend.q", 1.0),
    ("gamma", "population.spend.gamma_cny", 1.0),
)


class DrawsError(ValueError):
    """The draws cannot be made; the message is one line."""


@dataclass(frozen=True)
class LogNormal:
    """The asymptotic normal of a fit's log-parameters, in the config's units: mean, covariance, config keys."""

    keys: tuple[str, ...]
    mean: np.ndarray  # log of each estimate, in the config's units
    covariance: np.ndarray  # of the log estimates (units do not change it)


def log_normal(fit: Fit, keys: tuple[tuple[str, str, float], ...]) -> LogNormal:
    """The fit's log-scale normal for the parameters named in ``keys``, from its delta-method covariance."""
    names = list(fit.params)
    if fit.covariance is None:
        raise DrawsError(f"the {fit.model} fit has no covariance to draw from")
    order = [names.index(name) for name, _, _ in keys]
    estimate = np.array([fit.params[name] for name, _, _ in keys])
    natural = fit.covariance[np.ix_(order, order)]
    factor = np.array([f for _, _, f in keys])
    return LogNormal(
        keys=tuple(key for _, key, _ in keys),
        mean=np.log(estimate * factor),
        covariance=natural / np.outer(estimate, estimate),
    )


def uncertainty_fields(bgnbd: Fit, spend: Fit, written: dict[str, dict[str, float]]) -> dict[str, Any]:
    """``population.uncertainty`` for the YAML: per section, ``log_estimate`` (the log of each value in ``written``,
    the section's fields as the YAML writes them, so the draws are centred exactly there) and ``log_covariance`` (one
    row per parameter, symmetrised)."""
    out: dict[str, Any] = {}
    for section, fit, keys in (("repeat", bgnbd, REPEAT_KEYS), ("spend", spend, SPEND_KEYS)):
        normal = log_normal(fit, keys)
        names = [key.rsplit(".", 1)[1] for key in normal.keys]
        cov = (normal.covariance + normal.covariance.T) / 2.0
        out[section] = {
            "log_estimate": {name: float(np.log(written[section][name])) for name in names},
            "log_covariance": {name: [float(v) for v in row] for name, row in zip(names, cov, strict=True)},
        }
    return out


def _ranges() -> dict[str, tuple[float, float, bool]]:
    """Each drawn key's allowed range (lo, hi, open at lo), as the engine checks it."""
    out = {}
    for prefix, schema in (("population.repeat.", RepeatConfig), ("population.spend.", SpendConfig)):
        for f in dataclasses.fields(schema):
            out[prefix + f.name] = f.metadata["range"]
    return out


def _accepted(values: np.ndarray, keys: tuple[str, ...]) -> np.ndarray:
    """Per row, whether every value lies in its key's range."""
    ok = np.ones(values.shape[0], dtype=bool)
    ranges = _ranges()
    for j, key in enumerate(keys):
        lo, hi, open_lo = ranges[key]
        above = values[:, j] > lo if open_lo else values[:, j] >= lo
        ok &= above & (values[:, j] <= hi)
    return ok


@dataclass(frozen=True)
class Draws:
    """The rows (one column per config key) and how many draws were refused by the engine's ranges and redrawn."""

    table: pd.DataFrame
    redrawn: int


def parameter_draws(bgnbd: Fit, spend: Fit, n: int, seed: int = DEFAULT_SEED) -> Draws:
    """``n`` draws of the population's fitted parameters (see the module docstring)."""
    parts = [log_normal(bgnbd, REPEAT_KEYS), log_normal(spend, SPEND_KEYS)]
    keys = tuple(k for part in parts for k in part.keys)
    mean = np.concatenate([part.mean for part in parts])
    cov = np.zeros((mean.size, mean.size))
    at = 0
    for part in parts:
        k = part.mean.size
        cov[at : at + k, at : at + k] = part.covariance
        at += k
    rng = np.random.default_rng(seed)
    kept: list[np.ndarray] = []
    have, redrawn = 0, 0
    for _ in range(MAX_ROUNDS):
        values = np.exp(rng.multivariate_normal(mean, cov, size=n - have, method="cholesky"))
        ok = _accepted(values, keys)
        kept.append(values[ok])
        have += int(ok.sum())
        redrawn += int((~ok).sum())
        if have == n:
            return Draws(pd.DataFrame(np.concatenate(kept), columns=list(keys)), redrawn)
    raise DrawsError(
        f"--parameter-draws {n}: after {MAX_ROUNDS} rounds only {have} draws lay within the ranges the engine "
        "accepts (the fit is too uncertain to draw from)"
    )


def check_count(text: str) -> int:
    """``--parameter-draws N``: a whole number from 1 to :data:`MAX_DRAWS`; a DrawsError names what is wrong."""
    if not text.isdigit() or not 1 <= int(text) <= MAX_DRAWS:
        raise DrawsError(
            f"--parameter-draws {text}: allowed: a whole number from 1 to {MAX_DRAWS:,} (one draw per replication)"
        )
    return int(text)
