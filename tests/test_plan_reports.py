"""The three operator questions of issue 16, run end to end at a tiny size: each writes its own table, draws its
own figure from it and puts it in the report.

- ``sms_recall_existing_base``: ``waves.csv``; the wave figure's bars are each wave's add requests within
  24 h per 1,000 delivered messages, computed here from the table; every strategy's waves are in the report.
- ``double11_campaign``: ``campaigns.csv``; the calendar figure's adds line is the mean ``adds_daily`` curve and
  its shaded window is Double 11's days.
- ``wecom_accounts``: ``accounts.csv``; the accounts figure's friends line is the mean ``wecom_friends`` curve,
  never above what the accounts hold, and requests are lost to the caps only without new accounts.

The runs go through :func:`sim.api.run` (``tests/_runs.py``), as ``python -m sim experiment=...`` does.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from _runs import tiny_run  # noqa: E402

from sim.model.calendar import first_day  # noqa: E402
from sim.report import plots  # noqa: E402
from sim.report.i18n import t  # noqa: E402
from sim.report.tables import load_run  # noqa: E402
from sim.run.metrics import SMS_MARKS_HOURS  # noqa: E402

pytestmark = pytest.mark.slow


def _figure_files(run_dir) -> list[str]:
    return sorted(p.stem for p in run_dir.glob("*.png"))


def _curve_means(curves: pd.DataFrame, curve: str) -> dict[str, pd.Series]:
    """Mean over replications of one curve, per strategy, indexed by x: computed here, not by sim.report.plots."""
    rows = curves[curves["curve"] == curve]
    return {s: g.groupby("x")["value"].mean() for s, g in rows.groupby("strategy", sort=False)}


def _line(ax, label: str):
    return next(line for line in ax.get_lines() if line.get_label() == label)


# ----------------------------------------------------------------------------- SMS recall of the existing base


@pytest.fixture(scope="module")
def recall():
    return tiny_run("sms_recall_existing_base")


def test_the_recall_run_reports_every_wave_and_draws_their_response(recall) -> None:
    run = load_run(recall)
    assert {"waves", "calendar"} <= set(_figure_files(recall)) and "accounts" not in _figure_files(recall)
    waves = pd.read_csv(recall / "waves.csv")
    senders = [s for s in run.strategy_names if s != "no_recall"]
    assert list(dict.fromkeys(waves["strategy"])) == senders  # the baseline sends no wave
    assert set(waves["wave"]) == {"recall_10h", "recall_20h", "reminder"}
    means = waves.set_index(["strategy", "wave", "quantity"])["mean"]
    for s in senders:  # the base only: its audience is the sampled base, 200,000 scaled back
        assert means[(s, "recall_10h", "sent")] + means[(s, "recall_20h", "sent")] <= 200_000 * 1.0001
    assert means[("coupon_all", "recall_10h", "sent")] > means[("coupon_rfm", "recall_10h", "sent")] > 0
    fig = plots.waves_figure(run.waves)
    response = fig.axes[0]
    bars = [p.get_width() for p in response.patches]
    rows = waves[["strategy", "wave"]].drop_duplicates().itertuples(index=False)
    expected = [means[(s, w, "adds_24h")] / means[(s, w, "delivered")] * 1000 for s, w in rows]
    assert bars == pytest.approx(expected)
    h3 = _line(response, t("fig.within_hours", hours=SMS_MARKS_HOURS[0])).get_xdata()
    assert (np.asarray(h3) <= np.asarray(bars) + 1e-9).all()  # within 3 h never exceeds within 24 h
    md = (recall / "report.md").read_text(encoding="utf-8")
    assert "## SMS waves" in md and "![waves](waves.png)" in md
    for s in senders:
        assert f"| {s} | reminder |" in md


# ----------------------------------------------------------------------------- Double 11


@pytest.fixture(scope="module")
def double11():
    return tiny_run("double11_campaign")


def test_the_double11_run_reports_the_campaign_and_draws_its_days(double11) -> None:
    run = load_run(double11)
    assert "calendar" in _figure_files(double11)
    campaigns = pd.read_csv(double11 / "campaigns.csv")
    assert list(dict.fromkeys(campaigns["strategy"])) == ["boost_with_staff", "boost_only"]
    start = first_day("11-01", "2026-01-01")
    assert set(campaigns["windows"]) == {f"{start}-{start + 20}"}
    fig = plots.calendar_figure(run.curves, run.campaigns, run.waves, run.horizon_days, run.baseline)
    adds = fig.axes[0]
    for s, mean in _curve_means(run.curves, "adds_daily").items():
        line = _line(adds, s)
        np.testing.assert_allclose(line.get_ydata(), mean.to_numpy())
    shaded = [(p.get_x(), p.get_x() + p.get_width()) for p in adds.patches]  # axvspan: one rectangle a window
    assert shaded == [(start, start + 20)]
    md = (double11 / "report.md").read_text(encoding="utf-8")
    assert "## Campaign calendar" in md and "![calendar](calendar.png)" in md
    assert "| boost_with_staff | double_11 |" in md and "| boost_only | double_11 |" in md


# ----------------------------------------------------------------------------- WeCom accounts


@pytest.fixture(scope="module")
def accounts():
    return tiny_run("wecom_accounts")


def test_the_accounts_run_reports_accounts_filling_and_requests_lost_to_caps(accounts) -> None:
    run = load_run(accounts)
    assert "accounts" in _figure_files(accounts)
    table = pd.read_csv(accounts / "accounts.csv").set_index(["strategy", "quantity"])["mean"]
    assert table[("accounts_3", "capacity")] == pytest.approx(15_000, rel=0.01)  # 3 x 5,000, sampled and scaled
    assert table[("accounts_6", "capacity")] == pytest.approx(30_000, rel=0.01)
    assert table[("accounts_3", "lost_to_caps")] > 0 and table[("accounts_3_open_new", "lost_to_caps")] == 0
    assert table[("accounts_3", "used")] == 3 and table[("accounts_3_open_new", "used")] > 3
    fig = plots.accounts_figure(run.curves, run.accounts, run.baseline)
    friends = fig.axes[0]
    for s, mean in _curve_means(run.curves, "wecom_friends").items():
        np.testing.assert_allclose(_line(friends, s).get_ydata(), mean.dropna().to_numpy())
        if s != "accounts_3_open_new":  # an invariant: never more friends than the accounts hold
            assert mean.max() <= table[(s, "capacity")] * (1 + 1e-9)
    md = (accounts / "report.md").read_text(encoding="utf-8")
    assert "## WeCom accounts" in md and "![accounts](accounts.png)" in md
