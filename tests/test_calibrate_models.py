"""Pareto/NBD, MBG/NBD and spend by frequency: published CDNOW values, recovery of known parameters, closed forms.

- Pareto/NBD on CDNOW (all 2,357 customers, as published; DOMAIN.md): r = 0.553, alpha = 10.578,
  s = 0.606, beta = 11.669, each within 2 of our standard errors.
- MBG/NBD and spend by frequency have no published CDNOW fit: data simulated from each model with
  known parameters are fitted back, each estimate within 3 standard errors (observed information).
- Closed forms: E[X(t)] against the mean repeat purchases of customers drawn from the model, and
  the conditional expectation of a brand-new customer against E[X(t)].
- The likelihoods summed over distinct histories against the per-customer formulas written out.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _helpers import assert_within_3se
from scipy.special import betaln, gammaln, hyp2f1

from sim.calibrate import mbg_nbd, pareto_nbd
from sim.calibrate.fit import RFM, Histories, rfm_summary
from sim.calibrate.orders import load_orders
from sim.calibrate.spend import conditional_expected_spend, fit_spend_by_frequency, frequency_scale, likelihood_ratio

CDNOW = Path(__file__).resolve().parent / "data" / "cdnow_sample_orders_1997-01-01_1997-09-30.csv"
PUBLISHED_PARETO = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
TRUE_MBG = {"r": 0.5, "alpha": 6.0, "a": 0.9, "b": 1.6}  # near the CDNOW fit
TRUE_SPEND = {"p": 6.0, "q": 3.5, "gamma": 12.0, "delta": 0.3}


@pytest.fixture(scope="module")
def cdnow_all() -> RFM:
    return rfm_summary(load_orders(CDNOW, drop_zero=False).purchases, "1997-09-30")


def _assert_recovered(fit, truth: dict[str, float], k: float = 3.0) -> None:
    for name, value in truth.items():
        assert_within_3se(fit.params[name], value, fit.se[name] * k / 3.0, f"{fit.model} {name}")


def test_pareto_nbd_reproduces_the_published_cdnow_fit(cdnow_all: RFM) -> None:
    fit = pareto_nbd.fit(cdnow_all)
    for name, value in PUBLISHED_PARETO.items():
        z = (fit.params[name] - value) / fit.se[name]
        print(f"VALIDATION | Pareto/NBD {name} | {fit.params[name]:.5g} vs published {value:g} | {z:+.2f} SE")
        assert abs(z) <= 2.0, name
    assert fit.n == 2357


def _mbg_customers(n: int, seed: int, weeks: float) -> RFM:
    """MBG/NBD customers observed for ``weeks`` after arrivals spread over 12 weeks (continuous time)."""
    r, alpha, a, b = TRUE_MBG.values()
    rng = np.random.default_rng(seed)
    arrival = rng.uniform(0.0, 12.0, n)
    rate, dropout = rng.gamma(r, 1.0 / alpha, n), rng.beta(a, b, n)
    x, last = np.zeros(n), arrival.copy()
    alive = np.flatnonzero(rng.random(n) >= dropout)  # MBG/NBD: may drop out right after the first purchase
    when = arrival.copy()
    while alive.size:
        when[alive] += rng.exponential(1.0, alive.size) / rate[alive]
        alive = alive[when[alive] <= weeks]
        x[alive] += 1
        last[alive] = when[alive]
        alive = alive[rng.random(alive.size) >= dropout[alive]]
    return RFM(pd.Index(np.arange(n)), arrival, x, last - arrival, weeks - arrival, np.full(n, np.nan))


def test_mbg_nbd_recovers_known_parameters() -> None:
    rfm = _mbg_customers(30_000, seed=7, weeks=52.0)
    _assert_recovered(mbg_nbd.fit(rfm), TRUE_MBG)


def _fresh(t: float, model, params: dict[str, float]) -> float:
    zero = np.zeros(1)
    return float(model.conditional_expected_repeats(t, zero, zero, zero, *params.values())[0])


def test_mbg_nbd_closed_forms_match_customers_drawn_from_the_model() -> None:
    r, alpha, a, b = TRUE_MBG.values()
    rng = np.random.default_rng(10)
    n, t = 200_000, 26.0
    rate, dropout = rng.gamma(r, 1.0 / alpha, n), rng.beta(a, b, n)
    count, when = np.zeros(n), np.zeros(n)
    alive = np.flatnonzero(rng.random(n) >= dropout)  # may drop out right after the first purchase
    while alive.size:
        when[alive] += rng.exponential(1.0, alive.size) / rate[alive]
        alive = alive[when[alive] <= t]
        count[alive] += 1
        alive = alive[rng.random(alive.size) >= dropout[alive]]
    expected = float(mbg_nbd.expected_repeats(t, r, alpha, a, b))
    assert_within_3se(count.mean(), expected, count.std(ddof=1) / math.sqrt(n), "MBG/NBD E[X(26)]")
    assert _fresh(t, mbg_nbd, TRUE_MBG) == pytest.approx(expected, rel=1e-9)


def test_pareto_nbd_closed_forms_match_customers_drawn_from_the_model() -> None:
    r, alpha, s, beta = PUBLISHED_PARETO.values()
    rng = np.random.default_rng(11)
    n, t = 200_000, 26.0
    rate, death_rate = rng.gamma(r, 1.0 / alpha, n), rng.gamma(s, 1.0 / beta, n)
    lifetime = np.minimum(rng.exponential(1.0, n) / death_rate, t)
    count = rng.poisson(rate * lifetime)
    expected = float(pareto_nbd.expected_repeats(t, r, alpha, s, beta))
    assert_within_3se(count.mean(), expected, count.std(ddof=1) / math.sqrt(n), "Pareto/NBD E[X(26)]")
    assert _fresh(t, pareto_nbd, PUBLISHED_PARETO) == pytest.approx(expected, rel=1e-9)
    # P(alive) of a customer with no repeat purchase falls as the customer ages without buying
    zero = np.zeros(3)
    alive = pareto_nbd.prob_alive(zero, zero, np.array([1.0, 10.0, 40.0]), r, alpha, s, beta)
    assert 1.0 >= alive[0] > alive[1] > alive[2] > 0.0


def test_likelihoods_over_distinct_histories_are_the_per_customer_formulas(cdnow_all: RFM) -> None:
    """Both likelihoods written out per customer (Fader & Hardie's notes), against the fast sums."""
    h = Histories.of(cdnow_all)
    x, t_x, big_t = cdnow_all.x, cdnow_all.t_x, cdnow_all.T

    r, alpha, s, beta = 0.55, 10.0, 0.6, 12.0  # Pareto/NBD, alpha < beta; eqs. 18-20 of note 009
    rsx = r + s + x
    a0 = (
        hyp2f1(rsx, r + x, rsx + 1, (beta - alpha) / (beta + t_x)) / (beta + t_x) ** rsx
        - hyp2f1(rsx, r + x, rsx + 1, (beta - alpha) / (beta + big_t)) / (beta + big_t) ** rsx
    )
    per_customer = (
        gammaln(r + x)
        - gammaln(r)
        + r * np.log(alpha)
        + s * np.log(beta)
        + np.log((alpha + big_t) ** -(r + x) * (beta + big_t) ** -s + s / rsx * a0)
    )
    assert float(h.counts @ pareto_nbd.loglik(r, alpha, s, beta, h)) == pytest.approx(per_customer.sum(), abs=1e-6)
    alpha, beta = 12.0, 10.0  # the other branch of A_0
    a0 = (
        hyp2f1(rsx, s + 1, rsx + 1, (alpha - beta) / (alpha + t_x)) / (alpha + t_x) ** rsx
        - hyp2f1(rsx, s + 1, rsx + 1, (alpha - beta) / (alpha + big_t)) / (alpha + big_t) ** rsx
    )
    per_customer = (
        gammaln(r + x)
        - gammaln(r)
        + r * np.log(alpha)
        + s * np.log(beta)
        + np.log((alpha + big_t) ** -(r + x) * (beta + big_t) ** -s + s / rsx * a0)
    )
    assert float(h.counts @ pareto_nbd.loglik(r, alpha, s, beta, h)) == pytest.approx(per_customer.sum(), abs=1e-6)

    r, alpha, a, b = 0.5, 6.0, 0.9, 1.6  # MBG/NBD, the two terms of its likelihood
    head = np.exp(gammaln(r + x) - gammaln(r) + r * np.log(alpha))
    alive = np.exp(betaln(a, b + x + 1) - betaln(a, b)) * (alpha + big_t) ** -(r + x)
    dead = np.exp(betaln(a + 1, b + x) - betaln(a, b)) * (alpha + t_x) ** -(r + x)
    per_customer = np.log(head * (alive + dead))
    assert float(h.counts @ mbg_nbd.loglik(r, alpha, a, b, h)) == pytest.approx(per_customer.sum(), abs=1e-6)


def _repeaters(n: int, seed: int, delta: float) -> RFM:
    """Repeat buyers whose spend scale depends on their repeat purchases as spend by frequency says."""
    p, q, gamma = TRUE_SPEND["p"], TRUE_SPEND["q"], TRUE_SPEND["gamma"]
    rng = np.random.default_rng(seed)
    x = 1.0 + rng.poisson(2.0, n)
    nu = rng.gamma(q, 1.0 / frequency_scale(x, gamma, delta))
    mean_spend = rng.gamma(p * x, 1.0 / (x * nu))  # the mean of x Gamma(p, nu) purchases
    return RFM(pd.Index(np.arange(n)), np.zeros(n), x, np.zeros(n), np.ones(n), mean_spend)


def test_spend_by_frequency_recovers_known_parameters_and_nests_gamma_gamma() -> None:
    rfm = _repeaters(20_000, seed=12, delta=TRUE_SPEND["delta"])
    fit = fit_spend_by_frequency(rfm)
    _assert_recovered(fit, TRUE_SPEND)
    # with delta = 0 the data are Gamma-Gamma: delta's estimate is within 3 SE of 0
    null = fit_spend_by_frequency(_repeaters(20_000, seed=13, delta=0.0))
    assert_within_3se(null.params["delta"], 0.0, null.se["delta"], "spend by frequency delta on Gamma-Gamma data")


def test_conditional_expected_spend_and_the_likelihood_ratio() -> None:
    from sim.calibrate.fit import fit_gamma_gamma

    rfm = _repeaters(5_000, seed=14, delta=TRUE_SPEND["delta"])
    gg, sbf = fit_gamma_gamma(rfm), fit_spend_by_frequency(rfm)
    stat, p_value = likelihood_ratio(gg, sbf)
    assert stat > 0 and p_value < 1e-6  # delta = 0.3 on 5,000 buyers is plain to see
    # posterior mean spend: p (gamma_x + x m) / (p x + q - 1); for x = 0 the prior mean p gamma_x / (q - 1)
    p, q, g, d = (sbf.params[k] for k in ("p", "q", "gamma", "delta"))
    got = conditional_expected_spend(sbf, np.array([0.0, 3.0]), np.array([np.nan, 40.0]))
    assert got[0] == pytest.approx(p * g * 0.5**d / (q - 1))
    assert got[1] == pytest.approx(p * (g * 2.0**d + 120.0) / (3 * p + q - 1))


def test_a_large_log_likelihood_still_converges_in_a_few_hundred_steps() -> None:
    """Nelder-Mead's fatol of 1e-10 is finer than a rounding step of a log-likelihood near -5e5: without the
    relative floor it ran all 20,000 iterations (minutes) on a big export."""
    from sim.calibrate.fit import fit_gamma_gamma

    rfm = _repeaters(125_000, seed=1, delta=0.0)  # without the floor: 20,020 iterations, six minutes
    fit = fit_gamma_gamma(rfm)
    assert abs(fit.log_likelihood) > 5e5
    assert fit.iterations < 2_000
