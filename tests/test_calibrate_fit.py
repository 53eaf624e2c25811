"""BG/NBD and Gamma-Gamma against the published CDNOW results, the closed forms, volume and peaks, the holdout.

Published values (Fader, Hardie & Lee 2005, Marketing Science 24(2) and JMR 42(4); DOMAIN.md):
BG/NBD r = 0.243, alpha = 4.414 weeks, a = 0.793, b = 2.426, log-likelihood -9582.4;
Gamma-Gamma p = 6.25, q = 3.74, gamma = 15.44 on 946 repeaters. Each estimate must lie within
2 of our standard errors of the published value, the log-likelihood within 0.5.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _helpers import assert_within_3se
from scipy.special import betaln, gammaln

from sim.calibrate.backtest import actual_holdout, parameter_sd
from sim.calibrate.engine_backtest import simulate_holdout
from sim.calibrate.fit import (
    RFM,
    FitError,
    Histories,
    bgnbd_loglik,
    conditional_expected_repeats,
    expected_repeats,
    fit_bgnbd,
    fit_gamma_gamma,
    prob_no_repeats,
    rfm_summary,
)
from sim.calibrate.holdout import holdout_table
from sim.calibrate.orders import load_orders
from sim.calibrate.seasonality import detect_peaks, platform_volume

DATA = Path(__file__).resolve().parent / "data"
CDNOW = DATA / "cdnow_sample_orders_1997-01-01_1997-09-30.csv"
CDNOW_78 = DATA / "cdnow_sample_orders_1997-01-01_1998-06-30.csv"  # the same customers to the end of the holdout
CDNOW_END = "1997-09-30"
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_LL = -9582.4
PUBLISHED_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}
PUBLISHED_SE = {"r": 0.013, "alpha": 0.378, "a": 0.186, "b": 0.706}  # as reported by BTYD/lifetimes on this fit


def assert_within_2se(fit, published: dict[str, float]) -> None:
    """Every estimate within 2 of its own standard errors of the published value."""
    for name, value in published.items():
        z = (fit.params[name] - value) / fit.se[name]
        print(f"VALIDATION | {fit.model} {name} | {fit.params[name]:.5g} vs published {value:g} | {z:+.2f} SE")
        assert abs(z) <= 2.0, f"{fit.model} {name}: {fit.params[name]:.5g} is {z:+.2f} SE from the published {value}"


@pytest.fixture(scope="module")
def cdnow_all():
    """The published data set: the 8 zero-amount orders kept (each the only order of its customer)."""
    return rfm_summary(load_orders(CDNOW, drop_zero=False).purchases, CDNOW_END)


@pytest.fixture(scope="module")
def cdnow_paid():
    """What the calibration uses: zero-amount orders dropped."""
    return rfm_summary(load_orders(CDNOW).purchases, CDNOW_END)


def test_cdnow_rfm_counts_match_the_paper(cdnow_all, cdnow_paid) -> None:
    assert len(cdnow_all) == 2357
    assert cdnow_all.x.sum() == 2457
    assert (cdnow_all.x == 0).sum() == 1411
    assert cdnow_all.T.max() == pytest.approx(272 / 7)  # first bought 1997-01-01: 38.86 weeks
    assert len(cdnow_paid) == 2349
    assert cdnow_paid.x.sum() == 2457
    assert (cdnow_paid.x > 0).sum() == 946


def test_bgnbd_reproduces_the_published_cdnow_fit(cdnow_all) -> None:
    fit = fit_bgnbd(cdnow_all)
    assert_within_2se(fit, PUBLISHED_BGNBD)
    for name in PUBLISHED_BGNBD:
        assert fit.se[name] == pytest.approx(PUBLISHED_SE[name], rel=0.05), f"SE of {name}"
    assert fit.log_likelihood == pytest.approx(PUBLISHED_LL, abs=0.5)


def test_calibration_data_fit_matches_the_published_values(cdnow_all, cdnow_paid) -> None:
    """Without the 8 customers whose only order was $0, the estimates stay within 2 SE of the published ones.

    The published log-likelihood is over all 2,357 customers; the paid data's fit, evaluated on
    all of them (the 8 add their own terms), must come within 0.5 of it.
    """
    fit = fit_bgnbd(cdnow_paid)
    assert_within_2se(fit, PUBLISHED_BGNBD)
    h = Histories.of(cdnow_all)
    at_paid_fit = float(h.counts @ bgnbd_loglik(*fit.params.values(), h))
    assert at_paid_fit == pytest.approx(PUBLISHED_LL, abs=0.5)
    spend = fit_gamma_gamma(cdnow_paid)
    assert spend.n == 946
    assert_within_2se(spend, PUBLISHED_GG)
    p, q, g = (spend.params[k] for k in ("p", "q", "gamma"))
    mean_spend_se = _mean_spend_se(spend)
    assert_within_3se(p * g / (q - 1), 35.17, mean_spend_se, "Gamma-Gamma population mean spend")


def _mean_spend_se(fit) -> float:
    """SE of p gamma / (q - 1) by the delta method with the fit's covariance."""
    p, q, g = (fit.params[k] for k in ("p", "q", "gamma"))
    grad = np.array([g / (q - 1), -p * g / (q - 1) ** 2, p / (q - 1)])
    return float(np.sqrt(grad @ fit.covariance @ grad))


def test_the_likelihood_summed_over_distinct_histories_is_the_per_customer_formula(cdnow_all) -> None:
    """FHL 2005 eq. 6 written out per customer, against the fast sum over distinct (x, t_x, T)."""
    r, alpha, a, b = 0.25, 4.0, 0.8, 2.5
    x, t_x, big_t = cdnow_all.x, cdnow_all.t_x, cdnow_all.T
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)
    alive = np.exp(-(r + x) * np.log(alpha + big_t))
    dead = np.where(x > 0, a / (b + np.maximum(x, 1.0) - 1.0) * (alpha + t_x) ** -(r + x), 0.0)
    per_customer = float((a1 + a2 + np.log(alive + dead)).sum())
    h = Histories.of(cdnow_all)
    assert float(h.counts @ bgnbd_loglik(r, alpha, a, b, h)) == pytest.approx(per_customer, abs=1e-6)
    assert h.counts.sum() == len(cdnow_all)


def test_closed_forms_give_the_published_new_customer_expectations() -> None:
    r, alpha, a, b = (PUBLISHED_BGNBD[k] for k in ("r", "alpha", "a", "b"))
    published = {1: 0.0532, 3: 0.1506, 32: 1.0437, 78: 1.8576}
    got = expected_repeats(np.array(list(published)), r, alpha, a, b)
    # the paper's numbers come from the unrounded estimates: allow the rounding of the parameters
    np.testing.assert_allclose(got, list(published.values()), rtol=0.003)
    assert float(prob_no_repeats(39.0, r, alpha)) == pytest.approx(0.5738, abs=5e-5)


def test_conditional_expectation_of_a_customer_never_seen_again_is_below_a_new_customers() -> None:
    r, alpha, a, b = (PUBLISHED_BGNBD[k] for k in ("r", "alpha", "a", "b"))
    new = float(expected_repeats(39.0, r, alpha, a, b))
    # a brand-new customer (x = 0, T = 0) expects exactly E[X(t)]
    fresh = conditional_expected_repeats(39.0, np.array([0.0]), np.array([0.0]), np.array([0.0]), r, alpha, a, b)
    assert float(fresh[0]) == pytest.approx(new, rel=1e-9)
    # 4 purchases long ago vs 4 purchases recently: the recent buyer is more likely alive
    x, tx, big_t = np.array([4.0, 4.0]), np.array([5.0, 38.0]), np.array([39.0, 39.0])
    old, recent = conditional_expected_repeats(39.0, x, tx, big_t, r, alpha, a, b)
    assert recent > old > 0


def test_fits_refuse_data_they_cannot_fit(cdnow_paid) -> None:
    nobody_returns = dataclasses.replace(
        cdnow_paid,
        x=np.zeros(len(cdnow_paid)),
        t_x=np.zeros(len(cdnow_paid)),
        mean_repeat_spend=np.full(len(cdnow_paid), np.nan),
    )
    with pytest.raises(FitError, match="no customer bought again"):
        fit_bgnbd(nobody_returns)
    with pytest.raises(FitError, match="Gamma-Gamma needs at least two customers who bought again"):
        fit_gamma_gamma(nobody_returns)


def test_cdnow_volume_and_no_peaks(cdnow_paid) -> None:
    purchases = load_orders(CDNOW).purchases
    vol = platform_volume(purchases, cdnow_paid.first_date, pd.Timestamp(CDNOW_END))
    assert vol.acquisition_start == pd.Timestamp("1997-01-01")
    assert vol.acquisition_end == pd.Timestamp("1997-03-25")  # the last first purchase of the Q1 cohort
    assert vol.buyers_per_year == pytest.approx(2349 / 84 * 365)
    assert vol.peaks == []
    assert vol.peaks_note.startswith("no peaks")


def test_peaks_are_found_where_they_are_and_nowhere_else() -> None:
    """Two Gaussian bumps on a Poisson baseline: their dates exactly, multipliers within 3 of the estimator's SEs.

    Across 300 seeds the multipliers' z-scores had mean -0.09 and SD 1.0 (one seed beyond 3);
    before the baseline left the peaks out they sat 1.1 SE low.
    """
    rng = np.random.default_rng(20261111)
    days = pd.date_range("2025-01-01", "2025-12-31", freq="D")
    base = 200.0
    rate = np.full(days.size, base)
    truth = {"06-18": (3.0, 2.0), "11-11": (5.0, 1.5)}
    for md, (mult, width) in truth.items():
        centre = days.get_loc(pd.Timestamp(f"2025-{md}"))
        k = np.arange(-10, 11)
        rate[centre + k] *= 1 + (mult - 1) * np.exp(-0.5 * (k / width) ** 2)
    counts = pd.Series(rng.poisson(rate).astype(float), index=days)
    peaks, note = detect_peaks(counts)
    assert [p.month_day for p in peaks] == list(truth)
    for p, (mult, width) in zip(peaks, truth.values(), strict=True):
        # the estimator's SE, checked against the Poisson noise of the peak day and of a 29-day median
        floor = mult * math.sqrt(1 / (mult * base) + math.pi / (2 * 29 * base))
        assert floor <= p.multiplier_se <= 1.3 * floor
        assert_within_3se(p.multiplier, mult, p.multiplier_se, f"multiplier of {p.month_day}")
        assert 0.5 * width <= p.width_days <= 2 * width
    assert note.startswith("2 peak(s)")
    flat = pd.Series(rng.poisson(base, days.size).astype(float), index=days)
    assert detect_peaks(flat)[0] == []


def test_new_customers_per_year_within_poisson_error() -> None:
    rng = np.random.default_rng(7)
    days = pd.date_range("2025-01-01", "2025-06-30", freq="D")
    per_day = 40.0
    n_new = rng.poisson(per_day, days.size)
    first = np.repeat(days.to_numpy(), n_new)
    purchases = pd.DataFrame({"customer": np.arange(first.size).astype(str), "date": first, "amount": 1.0})
    vol = platform_volume(purchases, first, days[-1])
    se = math.sqrt(first.size) / days.size * 365  # Poisson count over the span
    assert_within_3se(vol.buyers_per_year, per_day * 365, se, "new customers per year")


def _predictive_se(rfm: RFM, fit, spend, weeks: float, replications: int = 200) -> float:
    """SE of a holdout total under BG/NBD: the customers' own randomness plus the parameters' uncertainty.

    The first is the spread of the total over the engine's draws from each customer's posterior
    (sim.calibrate.engine_backtest), the second the delta method with the fit's covariance.
    """
    process = simulate_holdout(rfm, fit, spend, weeks, replications=replications, seed=5).total_per_replication
    return math.hypot(float(process.std(ddof=1)), parameter_sd(rfm, "bgnbd", fit, weeks))


def test_holdout_forecast_on_cdnow_is_within_its_predictive_standard_error() -> None:
    """Calibrate to 1997-06-30, forecast the 13 weeks to 1997-09-30 (FHL Fig. 4), against the predictive SE.

    The SE is that of the forecast itself: the customers' randomness given their histories and
    the parameters' uncertainty. With 2,349 customers and 13 weeks it is 7% of the total, so
    3 SE is about +-21%: all a check on this data can resolve (the old residual-based SE gave
    +-17% without counting the parameters). The simulated test below has the power.
    """
    purchases = load_orders(CDNOW).purchases
    end, stop = pd.Timestamp("1997-06-30"), pd.Timestamp(CDNOW_END)
    rfm = rfm_summary(purchases, end)
    fit, spend = fit_bgnbd(rfm), fit_gamma_gamma(rfm)
    actual = actual_holdout(purchases, rfm, end, stop).repeats
    weeks = (stop - end).days / 7
    expected = conditional_expected_repeats(weeks, rfm.x, rfm.t_x, rfm.T, *fit.params.values())
    table = holdout_table(rfm, actual, {"bgnbd": expected})
    assert list(table["group"]) == ["0", "1", "2", "3", "4", "5", "6", "7+", "total"]
    total = table.iloc[-1]
    assert total["customers"] == len(rfm) and total["actual"] == actual.sum() == 725
    assert total["bgnbd"] == pytest.approx(expected.sum())
    se = _predictive_se(rfm, fit, spend, weeks)
    assert_within_3se(actual.sum(), expected.sum(), se, "CDNOW 13-week holdout repeat purchases")


def _bgnbd_customers(n: int, seed: int, calibration_weeks: float, holdout_weeks: float):
    """BG/NBD customers (CDNOW's parameters) arriving over 12 weeks: their (x, t_x, T) and holdout purchases.

    Continuous time, no rounding to days: the model exactly as FHL 2005 states it.
    """
    r, alpha, a, b = (PUBLISHED_BGNBD[k] for k in ("r", "alpha", "a", "b"))
    rng = np.random.default_rng(seed)
    arrival = rng.uniform(0.0, 12.0, n)
    rate, dropout = rng.gamma(r, 1.0 / alpha, n), rng.beta(a, b, n)
    end, stop = calibration_weeks, calibration_weeks + holdout_weeks
    x, last, later = np.zeros(n), arrival.copy(), np.zeros(n)
    alive, when = np.arange(n), arrival.copy()
    while alive.size:
        when[alive] += rng.exponential(1.0, alive.size) / rate[alive]
        alive = alive[when[alive] < stop]
        inside = when[alive] <= end
        x[alive[inside]] += 1
        last[alive[inside]] = when[alive[inside]]
        later[alive[~inside]] += 1
        alive = alive[rng.random(alive.size) >= dropout[alive]]
    mean_spend = np.where(x > 0, 30.0, np.nan)
    rfm = RFM(pd.Index(np.arange(n)), arrival, x, last - arrival, end - arrival, mean_spend)
    return rfm, later


def test_holdout_forecast_of_a_large_bgnbd_population_is_within_3_predictive_se() -> None:
    """100,000 BG/NBD customers: calibrate 39 weeks, forecast 39 more; 3 predictive SE is about +-3% here.

    Checked to fail: the same forecast 5% lower (or ages T taken a week short) is outside 3 SE.
    """
    rfm, actual = _bgnbd_customers(100_000, seed=18, calibration_weeks=39.0, holdout_weeks=39.0)
    fit = fit_bgnbd(rfm)
    spend = dataclasses.replace(fit, model="Gamma-Gamma", params={"p": 6.0, "q": 4.0, "gamma": 15.0})
    expected = float(conditional_expected_repeats(39.0, rfm.x, rfm.t_x, rfm.T, *fit.params.values()).sum())
    se = _predictive_se(rfm, fit, spend, 39.0, replications=40)
    assert 3 * se < 0.035 * expected
    assert_within_3se(actual.sum(), expected, se, "holdout repeat purchases of 100,000 BG/NBD customers")
