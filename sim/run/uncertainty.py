"""Parameter uncertainty: one draw of the calibrated parameters per replication (``run.parameter_uncertainty=true``).

``population.uncertainty`` (written by ``python -m sim.calibrate``) holds, for the fitted ``repeat`` (BG/NBD) and
``spend`` (Gamma-Gamma) parameters, the normal their logs follow: the log estimates and the covariance of the logs
from the maximum-likelihood fit's observed information. :func:`with_drawn_parameters` draws the logs once from that
normal and returns the shared settings with ``population.repeat`` and ``population.spend`` set to the exponentials,
so every strategy and the control arm of the replication run on the same draw (paired differences stay paired).

The draw comes from a stream of its own, :data:`STREAM`, seeded from (``run.seed``, replication) like the model's
streams (:class:`sim.model.streams.Streams`) but under a name no model stream uses, so it is independent of them
and a run without parameter uncertainty draws exactly what it drew before. A draw outside what the engine accepts
(a setting's range in :mod:`sim.config.shared`, e.g. spend ``q <= 1``) is drawn again from the same stream: the
draws follow the normal truncated to the accepted ranges. Pure numpy; no files.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sim.config import LogNormalConfig, SharedConfig
from sim.config.validate import ConfigError, check_ranges
from sim.model.streams import Streams

STREAM = "parameter_uncertainty"
MAX_DRAWS = 1000  # redraws before giving up: only a normal lying almost wholly outside the ranges needs many
SECTIONS = ("repeat", "spend")


def _normals(shared: SharedConfig) -> list[tuple[str, list[str], np.ndarray, np.ndarray]]:
    """(section, parameter names, log mean, log covariance) of each section that carries uncertainty."""
    out = []
    for section in SECTIONS:
        normal: LogNormalConfig = getattr(shared.population.uncertainty, section)
        names = list(normal.log_estimate)
        if names:
            mean = np.array([normal.log_estimate[n] for n in names], dtype=float)
            cov = np.array([normal.log_covariance[n] for n in names], dtype=float)
            out.append((section, names, mean, cov))
    return out


def draw_log_parameters(shared: SharedConfig, replication: int) -> dict[str, dict[str, float]]:
    """Replication ``replication``'s draw of the log parameters, by section and name (see the module docstring)."""
    rng = Streams(shared.run.seed, replication)[STREAM]
    normals = _normals(shared)
    mean = np.concatenate([m for _, _, m, _ in normals])
    cov = np.zeros((mean.size, mean.size))
    at = 0
    for _, _, m, c in normals:
        cov[at : at + m.size, at : at + m.size] = c
        at += m.size
    for _ in range(MAX_DRAWS):
        z = rng.multivariate_normal(mean, cov, method="eigh")
        drawn, at = {}, 0
        for section, names, m, _ in normals:
            drawn[section] = dict(zip(names, z[at : at + m.size].tolist(), strict=True))
            at += m.size
        population = _applied(shared, drawn).population
        try:
            for section in drawn:
                check_ranges(getattr(population, section), f"population.{section}")
        except ConfigError:
            continue
        return drawn
    raise ConfigError(
        "population.uncertainty",
        None,
        f"{MAX_DRAWS} draws in a row of replication {replication} lay outside the ranges the engine accepts (the "
        "calibration is too uncertain to draw from); allowed: a calibration on more data, or "
        "run.parameter_uncertainty=false",
    )


def _applied(shared: SharedConfig, log_values: dict[str, dict[str, float]]) -> SharedConfig:
    pop = shared.population
    sections = {
        section: replace(getattr(pop, section), **{n: float(np.exp(v)) for n, v in values.items()})
        for section, values in log_values.items()
    }
    return replace(shared, population=replace(pop, **sections))


def with_drawn_parameters(shared: SharedConfig, replication: int) -> SharedConfig:
    """``shared`` itself without ``run.parameter_uncertainty``; else with replication ``replication``'s draw of the
    calibrated parameters in ``population.repeat`` and ``population.spend``."""
    if not shared.run.parameter_uncertainty:
        return shared
    return _applied(shared, draw_log_parameters(shared, replication))
