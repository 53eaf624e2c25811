"""``python -m sim.calibrate --exports DIR --end-date D --holdout-end H``: each funnel part fitted up to D forecasts
(D, H] with a standard error, written to ``<out>_backtest.csv`` with a tracking figure.

The forecasts and their SEs are checked where the truth is known exactly (slow): exports drawn in numpy from the cure
model (first orders) and the sBG (deletions), 100 data sets each, whose z-scores (actual - forecast) / SE must have
mean within +-0.3 and SD within 0.79-1.21 (3 SE: 0.1 and 0.07). Measured: first orders mean -0.09, SD 1.07;
deletions -0.02, 0.98. Parameters shifted by one SE move the first orders' mean to -0.66; without the parameters'
variance the deletions' SD is 1.9.
Through the engine (slow), eight seeds' z-scores of every part must have mean within +-3/sqrt(8) = +-1.06. Bad
holdout ends are one line with nothing written.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibrate.cli import main as calibrate_main
from sim.calibrate.funnel.backtest import COLUMNS, Forecast, deletion_forecast, first_order_forecast, forecast_row
from sim.calibrate.funnel.cli import _cut
from sim.export_logs import main as export_main

START = pd.Timestamp("2026-01-01")
END, HOLDOUT_END = START + pd.Timedelta(days=120), START + pd.Timedelta(days=200)
CASH = [
    "--strategy",
    "cash",
    "experiment=hook_cash_vs_coupon",
    "onboarding=unlimited",
    "touch=off",
    "referral=off",
    "sms.click_prob=0.1",  # as in tests/test_funnel_fits.py: enough SMS adds to forecast
    "run=tiny",
    "population.sample_share=0.05",
]
END_DATE, HOLDOUT_DATE = "2026-03-31", "2027-04-28"  # the tiny run's exports end on 2027-04-30 (a platform order)


def _z(forecast: Forecast) -> float:
    row = forecast_row(forecast, (HOLDOUT_END - END).days)
    return (float(row["actual"]) - float(row["forecast"])) / float(row["forecast_se"])


def _members(rng: np.random.Generator, n: int) -> tuple[pd.Index, pd.Series]:
    customers = pd.Index([f"C{i}" for i in range(n)])
    return customers, START + pd.to_timedelta(rng.uniform(0.0, 200.0, n), unit="D")


def _frames(customers: pd.Index, added: pd.Series, deleted: np.ndarray, orders: pd.DataFrame) -> dict:
    gone = deleted < 1000.0  # a later deletion lies beyond every export here
    contacts = pd.DataFrame({"customer": customers, "staff": "s1", "add_time": added, "channel": ""})
    deletions = pd.DataFrame(
        {
            "customer": customers[gone],
            "staff": "s1",
            "add_time": added[gone],
            "delete_time": added[gone] + pd.to_timedelta(deleted[gone], unit="D"),
            "direction": pd.Categorical(["customer"] * int(gone.sum()), categories=["customer", "staff"]),
        }
    )
    return {"contacts": contacts, "deletions": deletions, "orders": orders}


def _cure_data(seed: int, p: float = 0.3, mean_days: float = 6.0, n: int = 1500) -> dict:
    """Members added uniformly over 200 days; each orders with chance ``p`` after an exponential delay, unless their
    exponential deletion (mean 150 days) comes first."""
    rng = np.random.default_rng(seed)
    customers, added = _members(rng, n)
    delay = rng.exponential(mean_days, n)
    deleted = rng.exponential(150.0, n)
    orders_ = (rng.random(n) < p) & (delay < deleted)
    orders = pd.DataFrame(
        {
            "customer": customers[orders_],
            "order_time": added[orders_] + pd.to_timedelta(delay[orders_], unit="D"),
            "amount_cny": 100.0,
            "channel": "私域",
            "private": True,
        }
    )
    return _frames(customers, pd.Series(added), deleted, orders)


def _sbg_data(seed: int, alpha: float = 0.8, beta: float = 6.0, period_days: float = 30.0, n: int = 1500) -> dict:
    """Members added uniformly over 200 days, each deleting at a chance theta ~ Beta(alpha, beta) a period."""
    rng = np.random.default_rng(seed)
    customers, added = _members(rng, n)
    theta = rng.beta(alpha, beta, n)
    deleted = period_days * np.log(rng.random(n)) / np.log1p(-theta)
    orders = pd.DataFrame(columns=["customer", "order_time", "amount_cny", "channel", "private"])
    return _frames(customers, pd.Series(added), deleted, orders)


def _in_window(frames: dict, end: pd.Timestamp) -> dict:
    frames = {**frames, "orders": frames["orders"].astype({"order_time": "datetime64[ns]"})}
    return _cut(frames, end)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("data", "forecast"),
    [
        (_cure_data, lambda cal, full: first_order_forecast(cal, full, END, HOLDOUT_END)),
        (_sbg_data, lambda cal, full: deletion_forecast(cal, full, END, HOLDOUT_END, 30.0)),
    ],
    ids=["first orders: cure model", "deletions: sBG"],
)
def test_forecasts_and_their_standard_errors_match_exact_data(data, forecast) -> None:
    z = []
    for seed in range(100):
        frames = data(seed)
        z.append(_z(forecast(_in_window(frames, END), _in_window(frames, HOLDOUT_END))))
    mean, sd = float(np.mean(z)), float(np.std(z, ddof=1))
    assert abs(mean) <= 0.3 and 0.79 <= sd <= 1.21, (mean, sd)


@pytest.fixture(scope="module")
def backtested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cash_exports")
    assert export_main(["--out", str(folder), *CASH, "run.seed=7"]) == 0
    out = folder / "fit" / "funnel.yaml"
    with pytest.raises(SystemExit) as done:
        calibrate_main(
            ["--exports", str(folder), "--end-date", END_DATE, "--holdout-end", HOLDOUT_DATE, "--out", str(out)]
        )
    assert done.value.code == 0
    return out


def test_the_backtest_table_has_every_part_and_the_tracking_ends_at_its_totals(backtested: Path) -> None:
    table = pd.read_csv(backtested.parent / "funnel_backtest.csv")
    assert tuple(table.columns) == COLUMNS
    assert list(table["metric"]) == ["adds_card", "adds_sms", "first_orders", "deletions"]
    assert np.allclose(table["error_pct"], 100 * (table["forecast"] - table["actual"]) / table["actual"])
    assert (table["forecast_se"] > 0).all() and (table["actual"] > 0).all()
    for suffix in ("png", "svg"):
        assert (backtested.parent / f"funnel_tracking.{suffix}").stat().st_size > 0


@pytest.mark.parametrize(
    ("holdout", "says"),
    [
        ("2026-03-31", "error: --holdout-end 2026-03-31: allowed: a day after the end of the fit (2026-03-31)"),
        ("2027-05-01", "error: --holdout-end 2027-05-01: after the last day in the exports (2027-04-30); allowed:"),
        ("2027-02-30", "error: --holdout-end 2027-02-30: allowed: a date YYYY-MM-DD from"),
    ],
)
def test_a_bad_holdout_end_is_one_line_and_writes_nothing(
    backtested: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], holdout: str, says: str
) -> None:
    out = tmp_path / "out" / "funnel.yaml"
    with pytest.raises(SystemExit) as done:
        calibrate_main(
            [
                "--exports",
                str(backtested.parent.parent),
                "--end-date",
                END_DATE,
                "--holdout-end",
                holdout,
                "--out",
                str(out),
            ]
        )
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(says), err
    assert not out.parent.exists()


@pytest.mark.slow
def test_every_part_forecasts_the_engine_holdout_within_its_standard_error(tmp_path: Path) -> None:
    z: dict[str, list[float]] = {}
    for seed in range(1, 9):
        folder = tmp_path / str(seed)
        assert export_main(["--out", str(folder), *CASH, f"run.seed={seed}"]) == 0
        out = folder / "fit" / "funnel.yaml"
        with pytest.raises(SystemExit):
            calibrate_main(
                ["--exports", str(folder), "--end-date", END_DATE, "--holdout-end", HOLDOUT_DATE, "--out", str(out)]
            )
        table = pd.read_csv(folder / "fit" / "funnel_backtest.csv")
        for row in table.itertuples():
            z.setdefault(row.metric, []).append((row.actual - row.forecast) / row.forecast_se)
    print({m: np.round(v, 2).tolist() for m, v in z.items()})
    for metric, values in z.items():
        assert len(values) == 8 and abs(np.mean(values)) <= 1.06, (metric, values)
