"""The backtest on CDNOW's real holdout: every model's errors, the engine's own forecast, the files written.

Calibration 1997-01-01 to 1997-09-30 (39 weeks), holdout to 1998-06-30 (39 weeks), the CDNOW
sample (tests/data, from the lifetimes package). Known: BG/NBD's conditional expectation
forecasts 1,653.4 of the 1,882 repeat purchases (-12.15%, as lifetimes gives), and misses
most for customers with 1 and 2 calibration repeat purchases (0.697 against 0.523, 1.393
against 1.044 per customer).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _helpers import assert_within_3se

from sim.calibrate.backtest import COLUMNS, Actual, backtest_table, choose, tracking
from sim.calibrate.cli import main, read_record
from sim.calibrate.engine_backtest import simulate_holdout
from sim.calibrate.fit import RFM, conditional_expected_repeats, fit_bgnbd, fit_gamma_gamma, rfm_summary
from sim.calibrate.models import REPEAT_BY_KEY, fit_models
from sim.calibrate.orders import load_orders

CDNOW_78 = Path(__file__).resolve().parent / "data" / "cdnow_sample_orders_1997-01-01_1998-06-30.csv"
END, HOLDOUT_END = "1997-09-30", "1998-06-30"
MODELS = ("bgnbd", "pareto_nbd", "mbgnbd", "bgnbd_engine")


@pytest.fixture(scope="module")
def backtest_run(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("backtest") / "pop.yaml"
    import contextlib
    import io

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        main(["--orders", str(CDNOW_78), "--end-date", END, "--holdout-end", HOLDOUT_END, "--out", str(out)])
    return out, printed.getvalue()


def _row(table: pd.DataFrame, model: str, metric: str) -> pd.Series:
    rows = table[(table["model"] == model) & (table["metric"] == metric)]
    assert len(rows) == 1, (model, metric)
    return rows.iloc[0]


def test_backtest_csv_has_every_model_and_bgnbd_misses_as_known(backtest_run) -> None:
    out, _ = backtest_run
    table = pd.read_csv(out.parent / "pop_backtest.csv")
    assert list(table.columns) == list(COLUMNS)
    for model in MODELS:
        for metric in ("repeat_transactions", "revenue"):
            row = _row(table, model, metric)
            assert row["error_pct"] == pytest.approx(100 * (row["forecast"] - row["actual"]) / row["actual"], abs=1e-3)
    bg = _row(table, "bgnbd", "repeat_transactions")
    assert bg["actual"] == 1882
    assert bg["forecast"] == pytest.approx(1653.38, abs=0.01)
    assert bg["error_pct"] == pytest.approx(-12.15, abs=0.01)
    for group, actual, forecast in (("1", 0.697, 0.523), ("2", 1.393, 1.044)):
        row = _row(table, "bgnbd", f"repeat_transactions_per_customer_x={group}")
        assert (row["actual"], row["forecast"]) == (pytest.approx(actual, abs=5e-4), pytest.approx(forecast, abs=5e-4))
    # every frequency group of every model, and the spend models judged on their own
    groups = ["0", "1", "2", "3", "4", "5", "6", "7+"]
    for model in MODELS:
        for metric in ("repeat_transactions", "revenue"):
            assert {f"{metric}_per_customer_x={g}" for g in groups} <= set(table.loc[table["model"] == model, "metric"])
    for spend in ("gamma_gamma", "spend_by_frequency"):
        assert _row(table, spend, "spend_per_repeat_purchase")["actual"] == pytest.approx(70976.39 / 1882, abs=1e-3)
    revenue = _row(table, "bgnbd", "revenue")["actual"]
    assert revenue == pytest.approx(70976.39, abs=0.01)


def test_the_record_and_the_console_say_which_model_was_written_and_why(backtest_run) -> None:
    out, printed = backtest_run
    rec = read_record(out)
    choice = rec["model_choice"]
    assert choice["written"] == {"repeat": "bgnbd", "spend": "gamma_gamma"}
    assert choice["best_on_holdout"]["repeat"] in ("bgnbd", "pareto_nbd", "mbgnbd")
    assert "engine simulates" in choice["why"]
    assert rec["holdout"]["repeat_transactions"]["bgnbd"] == pytest.approx(-12.15, abs=0.01)
    assert set(MODELS) <= set(rec["holdout"]["repeat_transactions"])
    assert "the population holds BG/NBD and Gamma-Gamma" in printed
    for name in ("Pareto/NBD", "MBG/NBD", "spend by frequency", "through the engine"):
        assert name in printed
    for figure in ("pop_holdout.png", "pop_tracking.png", "pop_tracking.svg"):
        assert (out.parent / figure).stat().st_size > 10_000


def test_the_engines_forecast_matches_bgnbds_conditional_expectation(backtest_run) -> None:
    """The engine's platform layer, fed each customer's posterior, forecasts what eq. 10 says, within 3 SE."""
    out, _ = backtest_run
    check = read_record(out)["holdout"]["bgnbd_engine_check"]
    assert check["replications"] >= 20
    assert_within_3se(check["simulated_mean"], check["closed_form"], check["se"], "engine holdout total (CLI)")
    # the customers with one calibration repeat purchase, and those with 7 or more, on their own
    purchases = load_orders(CDNOW_78).purchases
    rfm = rfm_summary(purchases, END)
    fit, spend = fit_bgnbd(rfm), fit_gamma_gamma(rfm)
    for name, sel in (("x = 1", rfm.x == 1), ("x >= 7", rfm.x >= 7)):
        group = _subset(rfm, sel)
        sim = simulate_holdout(group, fit, spend, 39.0, replications=100, seed=3)
        expected = conditional_expected_repeats(39.0, group.x, group.t_x, group.T, *fit.params.values()).sum()
        assert_within_3se(sim.repeats.sum(), expected, sim.total_se(), f"engine holdout total, {name}")


def _subset(rfm: RFM, sel: np.ndarray) -> RFM:
    return RFM(rfm.customer[sel], rfm.first_date[sel], rfm.x[sel], rfm.t_x[sel], rfm.T[sel], rfm.mean_repeat_spend[sel])


def test_backtest_arithmetic_on_a_small_table() -> None:
    """Three customers by hand: totals, group means, spend per purchase weighted by actual purchases."""
    x = np.array([0.0, 1.0, 1.0])
    rfm = RFM(pd.Index(["a", "b", "c"]), np.zeros(3), x, np.zeros(3), np.ones(3), np.array([np.nan, 10.0, 30.0]))
    actual = Actual(repeats=np.array([0.0, 2.0, 1.0]), revenue=np.array([0.0, 30.0, 20.0]))
    table = backtest_table(rfm, actual, {"m": np.array([0.5, 1.0, 2.0])}, {"gamma_gamma": np.array([10, 20, 40.0])})
    assert _row(table, "m", "repeat_transactions")[["actual", "forecast"]].tolist() == [3.0, 3.5]
    assert _row(table, "m", "revenue")[["actual", "forecast"]].tolist() == [50.0, 0.5 * 10 + 20 + 80]
    assert _row(table, "m", "repeat_transactions_per_customer_x=1")[["actual", "forecast"]].tolist() == [1.5, 1.5]
    spend = _row(table, "gamma_gamma", "spend_per_repeat_purchase")
    assert spend[["actual", "forecast"]].tolist() == [pytest.approx(50 / 3), pytest.approx((2 * 20 + 1 * 40) / 3)]
    choice = choose(table, ["m"], ["gamma_gamma"])
    assert choice.repeat == "m" and choice.repeat_error_pct == pytest.approx(100 * 0.5 / 3)


def test_tracking_counts_every_repeat_purchase_and_follows_the_models() -> None:
    purchases = load_orders(CDNOW_78).purchases
    rfm = rfm_summary(purchases, END)
    fits = fit_models(rfm)
    start = pd.Timestamp("1997-01-01")
    weekly = tracking(purchases, rfm, start, pd.Timestamp(END), pd.Timestamp(HOLDOUT_END), fits)
    assert weekly["actual"].is_monotonic_increasing
    at_end = weekly.loc[weekly["date"] == pd.Timestamp(END)]
    assert int(at_end["actual"].iloc[0]) == int(rfm.x.sum()) == 2457  # every calibration repeat purchase
    assert int(weekly["actual"].iloc[-1]) == 2457 + 1882
    # each model's curve is the sum over customers of E[X(age)]: at the end of the calibration, age = T
    for model in ("bgnbd", "pareto_nbd", "mbgnbd"):
        fit = fits.repeat[model]
        direct = REPEAT_BY_KEY[model].expected(rfm.T, *fit.params.values()).sum()
        assert at_end[model].iloc[0] == pytest.approx(direct, rel=1e-12), model
        assert weekly[model].is_monotonic_increasing
