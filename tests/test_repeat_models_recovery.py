"""Generate -> export -> fit -> recover, for the models the engine cannot simulate: Pareto/NBD, MBG/NBD and spend by
frequency.

Each seed draws 5,000 customers from the model's own process (exact numpy generators below), who make their first
purchase over 90 days and are followed to day 545, the design of the engine's BG/NBD check in
``test_calibrate_recovery.py``. Their orders are exported one row each with calendar dates and read back as the
calibrator reads them (``--same-day-orders keep``), then fitted. The true values are the CDNOW sample's own fits
(rounded), so the check runs where the models are used. Over seeds 1-150 each parameter's z-score (positive
parameters on the log scale, SE there se / value; delta as it is) must have mean within +-0.3 and SD within
0.8-1.25 (the issue's bands, for at least 50 seeds).

Why 150 seeds: over 50, the mean of unit-normal z has SE 0.14 and the SD about 0.10, so each band is 2-2.5 SE wide,
and with twelve parameters one falls outside by chance more often than not. Seeds 1-50 did that here: Pareto/NBD's
r and alpha had z SDs of 0.73 and 0.79, while seeds 51-150 gave 1.02 and 1.08, and the observed-information SEs
match statsmodels' numerical Hessians to four digits. Over 150 seeds the bands are 3.7 SE (mean) and 3.5-4.3 SE
(SD) wide: a chance failure is rare and a real bias of 0.3 SE is still caught.

Generators (rates per week, as the calibrator's; times in days):

- **Pareto/NBD**: lambda ~ Gamma(r, alpha), mu ~ Gamma(s, beta); the customer dies at an exponential time of rate
  mu; repeat purchases are a Poisson process at rate lambda until then.
- **MBG/NBD**: lambda ~ Gamma(r, alpha), p ~ Beta(a, b); after every purchase, the first included, the customer
  drops out with chance p, so the repeats allowed are Geometric (failures before the first success); repeat
  purchases are the first of those of a Poisson process at rate lambda.
- **spend by frequency**, on the MBG/NBD customers: with x their repeat purchases, nu ~ Gamma(q, gamma_x) (rate),
  gamma_x = gamma ((x + 1) / 2)^delta, and each purchase's amount ~ Gamma(p, nu) (rate).
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _helpers import assert_z_scores_are_unit_normal, log_z

from sim.calibrate import mbg_nbd, pareto_nbd
from sim.calibrate.fit import DAYS_PER_WEEK, RFM, Fit, rfm_summary
from sim.calibrate.orders import load_orders
from sim.calibrate.spend import fit_spend_by_frequency, frequency_scale

CUSTOMERS, JOIN_DAYS, END_DAY = 5_000, 90.0, 545  # days 0..544 observed
EXPORT_START = pd.Timestamp("2023-01-02")
PARETO = {"r": 0.56, "alpha": 10.6, "s": 0.61, "beta": 11.7}  # CDNOW's fit: r 0.556, alpha 10.6, s 0.608, beta 11.7
MBG = {"r": 0.53, "alpha": 6.2, "a": 0.89, "b": 1.63}  # CDNOW's fit: r 0.527, alpha 6.20, a 0.895, b 1.63
SPEND = {"p": 11.0, "q": 3.4, "gamma": 6.8, "delta": 0.23}  # CDNOW's fit: p 11.0, q 3.37, gamma 6.80, delta 0.226
SEEDS = range(1, 151)


def pareto_nbd_orders(g: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(customer, day) of every purchase of Pareto/NBD customers with the parameters of ``PARETO``."""
    lam = g.gamma(PARETO["r"], 1.0 / PARETO["alpha"], CUSTOMERS) / DAYS_PER_WEEK
    mu = g.gamma(PARETO["s"], 1.0 / PARETO["beta"], CUSTOMERS) / DAYS_PER_WEEK
    first = g.uniform(0.0, JOIN_DAYS, CUSTOMERS)
    death = np.minimum(first + g.exponential(1.0 / mu), END_DAY)
    k = g.poisson(lam * (death - first))
    who = np.repeat(np.arange(CUSTOMERS), k)
    when = np.repeat(first, k) + g.uniform(size=who.size) * np.repeat(death - first, k)
    return np.r_[np.arange(CUSTOMERS), who], np.r_[first, when]


def mbg_nbd_orders(g: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(customer, day) of every purchase of MBG/NBD customers with the parameters of ``MBG``."""
    lam = g.gamma(MBG["r"], 1.0 / MBG["alpha"], CUSTOMERS) / DAYS_PER_WEEK
    p = g.beta(MBG["a"], MBG["b"], CUSTOMERS)
    first = g.uniform(0.0, JOIN_DAYS, CUSTOMERS)
    allowed = g.geometric(p) - 1  # repeats before the dropout that may follow any purchase, the first included
    k = g.poisson(lam * (END_DAY - first))
    who = np.repeat(np.arange(CUSTOMERS), k)
    when = np.repeat(first, k) + g.uniform(size=who.size) * np.repeat(END_DAY - first, k)
    order = np.lexsort((when, who))
    who, when = who[order], when[order]
    rank = np.arange(who.size) - np.repeat(np.cumsum(k) - k, k)  # 0 for a customer's earliest repeat
    kept = rank < allowed[who]
    return np.r_[np.arange(CUSTOMERS), who[kept]], np.r_[first, when[kept]]


def spend_by_frequency_amounts(g: np.random.Generator, customer: np.ndarray) -> np.ndarray:
    """An amount for each purchase of ``customer`` (one entry per purchase), with the parameters of ``SPEND``."""
    x = np.bincount(customer, minlength=CUSTOMERS) - 1
    nu = g.gamma(SPEND["q"], 1.0 / frequency_scale(x, SPEND["gamma"], SPEND["delta"]))
    return g.gamma(SPEND["p"], 1.0 / nu[customer])


def fitted(customer: np.ndarray, day: np.ndarray, amount: np.ndarray, folder: Path) -> RFM:
    """The calibrator's summary of the orders, exported one row each with their calendar date and read back."""
    export = pd.DataFrame(
        {
            "customer_id": "c" + pd.Series(customer).astype(str),
            "date": (EXPORT_START + pd.to_timedelta(np.floor(day), unit="D")).strftime("%Y-%m-%d"),
            "amount": np.round(amount, 2),
        }
    )
    path = folder / "orders.csv"
    export.to_csv(path, index=False)
    last_day = (EXPORT_START + pd.Timedelta(days=END_DAY - 1)).date().isoformat()
    return rfm_summary(load_orders(path, same_day="keep").purchases, last_day)


def _z(fit: Fit, truth: dict[str, float], signed: tuple[str, ...] = ()) -> dict[str, float]:
    """(fit - truth) / SE per parameter: on the log scale (SE there se / value) except those in ``signed``."""
    out = {}
    for name, value in truth.items():
        est, se = fit.params[name], fit.se[name]
        out[name] = (est - value) / se if name in signed else log_z(est, se, value)
    return out


def seed_z_scores(seed: int) -> dict[str, float]:
    """Generate, export, read and fit on ``seed``: the z-scores of Pareto/NBD, MBG/NBD and spend by frequency."""
    g = np.random.default_rng([seed, 18])
    z: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        customer, day = pareto_nbd_orders(g)
        rfm = fitted(customer, day, np.ones(customer.size), Path(folder))
        z |= {f"Pareto/NBD {k}": v for k, v in _z(pareto_nbd.fit(rfm), PARETO).items()}
        customer, day = mbg_nbd_orders(g)
        rfm = fitted(customer, day, spend_by_frequency_amounts(g, customer), Path(folder))
        z |= {f"MBG/NBD {k}": v for k, v in _z(mbg_nbd.fit(rfm), MBG).items()}
        fit = fit_spend_by_frequency(rfm)
        z |= {f"spend by frequency {k}": v for k, v in _z(fit, SPEND, signed=("delta",)).items()}
    return z


def test_the_generators_make_the_models_closed_form_repeat_purchases() -> None:
    """Each generator against its model's E[X(t)] for customers followed t weeks from their first purchase (all
    followed to day 545 here; t = 52 weeks for every customer), within 3 SE: the test data are the models'."""
    g = np.random.default_rng(5)
    t_weeks = 52.0
    for orders, model, truth in ((pareto_nbd_orders, pareto_nbd, PARETO), (mbg_nbd_orders, mbg_nbd, MBG)):
        customer, day = orders(g)
        first = day[:CUSTOMERS]
        repeat = np.arange(day.size) >= CUSTOMERS
        inside = repeat & (day - first[customer] <= t_weeks * DAYS_PER_WEEK)
        counts = np.bincount(customer[inside], minlength=CUSTOMERS)
        expected = float(model.expected_repeats(t_weeks, *truth.values()))
        se = counts.std(ddof=1) / math.sqrt(CUSTOMERS)
        assert abs(counts.mean() - expected) <= 3.0 * se, (model.NAME, counts.mean(), expected, se)


@pytest.mark.slow
def test_comparison_model_z_scores_over_150_seeds_have_mean_0_and_sd_1() -> None:
    """Over seeds 1-150 each parameter's z-score has mean within +-0.3 and SD within 0.8-1.25 (the mean of 150
    unit-normal z has SE 0.08, the SD about 0.06). Two seeds at a time; each is seeded, so order does not matter."""
    assert_z_scores_are_unit_normal(seed_z_scores, SEEDS)
