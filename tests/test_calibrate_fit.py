"""The fits against the published CDNOW results, the closed forms, volume and peaks, and the holdout table.

Published values (Fader, Hardie & Lee 2005, Marketing Science 24(2) and JMR 42(4); DOMAIN.md):
BG/NBD r = 0.243, alpha = 4.414 weeks, a = 0.793, b = 2.426, log-likelihood -9582.4;
Gamma-Gamma p = 6.25, q = 3.74, gamma = 15.44 on 946 repeaters.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _helpers import assert_within_3se

from sim.calibrate.fit import (
    FitError,
    conditional_expected_repeats,
    expected_repeats,
    fit_bgnbd,
    fit_gamma_gamma,
    prob_no_repeats,
    rfm_summary,
)
from sim.calibrate.holdout import holdout_counts, holdout_table
from sim.calibrate.orders import load_orders
from sim.calibrate.seasonality import detect_peaks, platform_volume

CDNOW = Path(__file__).resolve().parent / "data" / "cdnow_sample_orders_1997-01-01_1997-09-30.csv"
CDNOW_END = "1997-09-30"
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_LL = -9582.4
PUBLISHED_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}
PUBLISHED_SE = {"r": 0.013, "alpha": 0.378, "a": 0.186, "b": 0.706}  # as reported by BTYD/lifetimes on this fit


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
    for name, value in PUBLISHED_BGNBD.items():
        assert fit.params[name] == pytest.approx(value, rel=0.005), name  # published to 3-4 digits
        assert fit.se[name] == pytest.approx(PUBLISHED_SE[name], rel=0.05), f"SE of {name}"
    assert fit.log_likelihood == pytest.approx(PUBLISHED_LL, abs=0.05)


def test_calibration_data_fit_within_one_percent_of_published(cdnow_paid) -> None:
    fit = fit_bgnbd(cdnow_paid)
    for name, value in PUBLISHED_BGNBD.items():
        assert fit.params[name] == pytest.approx(value, rel=0.01), name
    assert fit.log_likelihood == pytest.approx(PUBLISHED_LL, rel=0.01)
    spend = fit_gamma_gamma(cdnow_paid)
    assert spend.n == 946
    for name, value in PUBLISHED_GG.items():
        assert spend.params[name] == pytest.approx(value, rel=0.01), name
    p, q, g = (spend.params[k] for k in ("p", "q", "gamma"))
    assert p * g / (q - 1) == pytest.approx(35.17, rel=0.01)  # the population's mean spend


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
    import dataclasses

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
    assert [p.month_day for p in peaks] in (["06-18", "11-11"], ["06-17", "11-11"], ["06-18", "11-10"])
    for p, (mult, width) in zip(peaks, truth.values(), strict=True):
        se = math.sqrt(mult * base) / base  # Poisson noise of the peak day's ratio over the baseline
        assert_within_3se(p.multiplier, mult, se, f"multiplier of {p.month_day}")
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


def test_holdout_expected_total_tracks_the_actual_on_cdnow() -> None:
    """Calibrate to 1997-06-30, predict the 13 weeks to 1997-09-30 (the model's own check, FHL Fig. 4)."""
    purchases = load_orders(CDNOW).purchases
    end, stop = pd.Timestamp("1997-06-30"), pd.Timestamp(CDNOW_END)
    rfm = rfm_summary(purchases, end)
    fit = fit_bgnbd(rfm)
    actual = holdout_counts(purchases, rfm, end, stop)
    weeks = (stop - end).days / 7
    table = holdout_table(rfm, actual, fit, weeks)
    assert list(table["group"]) == ["0", "1", "2", "3", "4", "5", "6", "7+", "total"]
    total = table.iloc[-1]
    assert total["customers"] == len(rfm) and total["actual_total"] == actual.sum()
    expected = conditional_expected_repeats(weeks, rfm.x, rfm.t_x, rfm.T, *fit.params.values())
    # SE of the total from the customers' own residuals (parameter uncertainty left out)
    se = math.sqrt(float(((actual - expected) ** 2).sum()))
    assert_within_3se(total["actual_total"], total["expected_total"], se, "holdout repeat purchases")
