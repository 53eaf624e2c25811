"""The models the calibrator fits and compares: three of repeat buying, two of spend, and which one it writes.

Repeat buying (time in weeks, each by maximum likelihood with SEs from the observed information):
``bgnbd`` (:mod:`sim.calibrate.fit`), ``pareto_nbd`` (:mod:`sim.calibrate.pareto_nbd`) and
``mbgnbd`` (:mod:`sim.calibrate.mbg_nbd`), each with the same closed forms: E[X(t)] of a
new customer, E[Y(t) | x, t_x, T] and P(alive). Spend: ``gamma_gamma``
(:func:`sim.calibrate.fit.fit_gamma_gamma`) and ``spend_by_frequency``
(:mod:`sim.calibrate.spend`).

The engine simulates BG/NBD repeat buying and Gamma-Gamma spend, so those are the fits the
population YAML always carries; the others are fitted to say whether a model the engine
cannot run would have forecast better. :func:`fit_models` fits all of them: BG/NBD and
Gamma-Gamma must succeed (their :class:`~sim.calibrate.fit.FitError` stops the calibration);
a comparison model that cannot be fitted is left out with a one-line note.

BG/NBD and Gamma-Gamma are always fitted to every customer. With more than
``COMPARISON_CUSTOMERS`` customers, the comparison models are fitted to a random sample of that
many (a fixed seed), which is plenty to tell the models apart and keeps a ten-million-order
export within its time budget; BG/NBD and Gamma-Gamma are then fitted to the same sample as
well, so that log-likelihoods and AICs are compared on the same customers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.calibrate import fit as bg
from sim.calibrate import mbg_nbd, pareto_nbd
from sim.calibrate.fit import RFM, Fit, FitError
from sim.calibrate.spend import fit_spend_by_frequency

ENGINE_REPEAT, ENGINE_SPEND = "bgnbd", "gamma_gamma"  # what the engine simulates, so what the YAML holds
COMPARISON_CUSTOMERS = 250_000
SAMPLE_SEED = 20


@dataclass(frozen=True)
class RepeatModel:
    """A repeat-buying model: how to fit it and its closed forms, each taking the fit's parameters in order."""

    key: str
    label: str
    fit: Callable[[RFM], Fit]
    expected: Callable[..., np.ndarray]  # (t, *params) -> E[X(t)]
    conditional: Callable[..., np.ndarray]  # (t, x, t_x, T, *params) -> E[Y(t) | x, t_x, T]
    alive: Callable[..., np.ndarray]  # (x, t_x, T, *params) -> P(alive)


REPEAT_MODELS: tuple[RepeatModel, ...] = (
    RepeatModel("bgnbd", "BG/NBD", bg.fit_bgnbd, bg.expected_repeats, bg.conditional_expected_repeats, bg.prob_alive),
    RepeatModel(
        "pareto_nbd",
        "Pareto/NBD",
        pareto_nbd.fit,
        pareto_nbd.expected_repeats,
        pareto_nbd.conditional_expected_repeats,
        pareto_nbd.prob_alive,
    ),
    RepeatModel(
        "mbgnbd",
        "MBG/NBD",
        mbg_nbd.fit,
        mbg_nbd.expected_repeats,
        mbg_nbd.conditional_expected_repeats,
        mbg_nbd.prob_alive,
    ),
)
REPEAT_BY_KEY = {m.key: m for m in REPEAT_MODELS}
SPEND_MODELS: dict[str, Callable[[RFM], Fit]] = {
    "gamma_gamma": bg.fit_gamma_gamma,
    "spend_by_frequency": fit_spend_by_frequency,
}
SPEND_LABELS = {"gamma_gamma": "Gamma-Gamma", "spend_by_frequency": "spend by frequency"}


@dataclass(frozen=True)
class ModelFits:
    """Every fit that succeeded, by key, and a note for each comparison model that did not.

    ``repeat`` and ``spend`` hold BG/NBD and Gamma-Gamma fitted to every customer and the
    comparison models fitted to ``compared_on`` customers; ``same_data`` holds every model
    fitted to those same customers, for comparing log-likelihoods.
    """

    repeat: dict[str, Fit]
    spend: dict[str, Fit]
    notes: dict[str, str]
    customers: int
    compared_on: int
    same_data: dict[str, Fit]

    @property
    def bgnbd(self) -> Fit:
        return self.repeat[ENGINE_REPEAT]

    @property
    def gamma_gamma(self) -> Fit:
        return self.spend[ENGINE_SPEND]

    @property
    def sampled(self) -> bool:
        return self.compared_on < self.customers


def comparison_sample(rfm: RFM, size: int = COMPARISON_CUSTOMERS, seed: int = SAMPLE_SEED) -> RFM:
    """``rfm`` itself, or a random ``size`` of its customers (in their order) when it has more."""
    if len(rfm) <= size:
        return rfm
    rows = np.sort(np.random.default_rng(seed).choice(len(rfm), size, replace=False))
    return RFM(
        customer=rfm.customer[rows],
        first_date=rfm.first_date[rows],
        x=rfm.x[rows],
        t_x=rfm.t_x[rows],
        T=rfm.T[rows],
        mean_repeat_spend=rfm.mean_repeat_spend[rows],
    )


def fit_models(rfm: RFM) -> ModelFits:
    """Fit every model; the engine's (BG/NBD, Gamma-Gamma) must fit, the others are skipped with a note if not."""
    repeat = {ENGINE_REPEAT: bg.fit_bgnbd(rfm)}
    spend = {ENGINE_SPEND: bg.fit_gamma_gamma(rfm)}
    sample = comparison_sample(rfm)
    same_data = dict(repeat) | dict(spend)
    if sample is not rfm:
        same_data = {ENGINE_REPEAT: bg.fit_bgnbd(sample), ENGINE_SPEND: bg.fit_gamma_gamma(sample)}
    notes: dict[str, str] = {}
    fitters = [(m.key, m.fit, repeat) for m in REPEAT_MODELS if m.key != ENGINE_REPEAT]
    fitters += [(k, f, spend) for k, f in SPEND_MODELS.items() if k != ENGINE_SPEND]
    for key, fitter, into in fitters:
        try:
            into[key] = same_data[key] = fitter(sample)
        except FitError as exc:
            notes[key] = str(exc)
    return ModelFits(repeat, spend, notes, len(rfm), len(sample), same_data)


def aic(fit: Fit) -> float:
    """Akaike's information criterion, 2k - 2 log L."""
    return 2.0 * len(fit.params) - 2.0 * fit.log_likelihood
