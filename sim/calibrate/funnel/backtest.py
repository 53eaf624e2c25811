"""Backtest of the funnel fits: fitted on the exports up to the end, each part forecasts the holdout
(end, holdout_end] and is set against what the exports show there.

The forecasts take the holdout's exposure as given, as an operator planning it knows it: the parcels it ships, the
messages it sends, who joins and when a member leaves (which ends their chance of a first order). Every unit (a
card, a message, a member) has a chance ``P(t)`` of its event by day ``t`` of the holdout under the fitted
parameters; the forecast is the sum, and its standard error combines the units' own randomness (the sum of
P (1 - P)) with the parameters' (delta method over the fit's covariance):

- ``adds_card`` (model ``card_capture``): first carded parcels signed in the holdout whose whole add window lies in
  it, each adding with its campaign's share fitted on the calibration cards whose window had closed by the end (a
  campaign new in the holdout has no forecast and is left out). The tracking counts a card's add at its signing.
- ``adds_sms`` (``sms_response``): messages delivered in the holdout, each answered with its wave's fitted add share
  after an exponential response time of the pooled mean. A wave new in the holdout gets all calibration waves'
  pooled share, whose variance adds the spread between the calibration waves (a moment estimate of the variance of
  the waves' true shares); a wave to a selected audience (a reminder to those who did not answer) may still differ.
- ``first_orders`` (``first_order_cure``): members still without a first private order at the end, by the cure
  model given how long they have waited, and members added in the holdout; each until the holdout's end or their
  deletion.
- ``deletions`` (``sbg_deletion``): members' own deletions (客户删除员工) by the sBG survival given each member's age,
  of members there at the end and of those added in the holdout; a deletion by the staff ends a member's exposure.

:func:`funnel_backtest` returns the table (``model, metric, actual, forecast, error_pct, forecast_se``) and the
weekly cumulative tracking (``metric, day, actual, forecast``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import betaln, expit

from sim.calibrate.exports.contacts import added_times, deletion_times, observed_until
from sim.calibrate.funnel.card import first_cards
from sim.calibrate.funnel.deletion import sbg_fit
from sim.calibrate.funnel.estimate import FitError
from sim.calibrate.funnel.first_order import cure_fit, first_private_orders
from sim.calibrate.funnel.sms import answered_messages, wave_fits

SECONDS_PER_DAY = 86400.0
STEP = 1e-5  # central differences of the forecast over the working parameters
COLUMNS = ("model", "metric", "actual", "forecast", "error_pct", "forecast_se")


@dataclass(frozen=True)
class Forecast:
    """One part's units: ``chance(x, t_days)`` is each unit's chance of its event by day ``t_days`` of the holdout
    under working parameters ``x`` (covariance ``cov``); ``actual_days`` the holdout day of each actual event."""

    model: str
    metric: str
    x: np.ndarray
    cov: np.ndarray
    chance: Callable[[np.ndarray, float], np.ndarray]
    actual_days: np.ndarray


def _days(times: pd.Series, start: pd.Timestamp) -> np.ndarray:
    return (times - start).dt.total_seconds().to_numpy(dtype=float) / SECONDS_PER_DAY


def card_forecast(
    cal: dict[str, pd.DataFrame],
    full: dict[str, pd.DataFrame],
    end: pd.Timestamp,
    holdout_end: pd.Timestamp,
    window_days: float,
) -> Forecast:
    """``adds_card``: each campaign's add share per first card (working parameters: the shares)."""
    window = pd.Timedelta(days=window_days)
    fitted = first_cards(cal["shipments"], cal["contacts"], window_days)
    fitted = fitted[fitted["sign_time"] + window < end]
    counts = fitted.groupby("campaign")["added"].agg(["sum", "size"])
    share = (counts["sum"] / counts["size"]).to_numpy(dtype=float)
    cards = first_cards(full["shipments"], full["contacts"], window_days)
    cards = cards[(cards["sign_time"] >= end) & (cards["sign_time"] + window < holdout_end)]
    cards = cards[cards["campaign"].isin(counts.index)]
    which = pd.Categorical(cards["campaign"], categories=counts.index).codes
    sign_days = _days(cards["sign_time"], end)

    def chance(x: np.ndarray, t_days: float) -> np.ndarray:
        return np.where(sign_days <= t_days, x[which], 0.0)

    cov = np.diag(share * (1.0 - share) / counts["size"].to_numpy(dtype=float))
    return Forecast("card_capture", "adds_card", share, cov, chance, sign_days[cards["added"].to_numpy()])


def sms_forecast(
    cal: dict[str, pd.DataFrame], full: dict[str, pd.DataFrame], end: pd.Timestamp, holdout_end: pd.Timestamp
) -> Forecast:
    """``adds_sms``: each wave's add share per delivered message and the pooled response mean (working parameters:
    the shares, the pooled share and the mean in days)."""
    waves, mean = wave_fits(cal["sms_report"], cal["contacts"], end, "")
    fitted = {name: w.add_share_per_delivered for name, w in waves.items() if w.add_share_per_delivered is not None}
    if mean is None:
        raise FitError("sms_report: no delivered message was answered before the end; allowed: at least one answer")
    trials = np.array([e.n for e in fitted.values()], dtype=float)
    successes = np.rint([e.value * e.n for e in fitted.values()])
    trials, successes = np.append(trials, trials.sum()), np.append(successes, successes.sum())
    share = successes / trials
    messages = answered_messages(full["sms_report"], full["contacts"])
    messages = messages[messages["send_time"] >= end]
    which = pd.Categorical(messages["wave"], categories=list(fitted)).codes
    which = np.where(which < 0, len(fitted), which)  # a new wave: the pooled share
    send_days = _days(messages["send_time"], end)

    def chance(x: np.ndarray, t_days: float) -> np.ndarray:
        return x[which] * -np.expm1(-np.maximum(t_days - send_days, 0.0) / x[-1])

    within = share * (1.0 - share) / trials
    waves = share[:-1]
    between = float(np.var(waves, ddof=1) - np.mean(within[:-1])) if waves.size > 1 else 0.0
    within[-1] += max(between, 0.0)  # a new wave's share: the pooled one, give or take the spread between waves
    x = np.append(share, mean.value / 24.0)
    cov = np.diag(np.append(within, (mean.se / 24.0) ** 2))
    add_days = _days(messages.loc[messages["answered"], "add_time"], end)
    return Forecast("sms_response", "adds_sms", x, cov, chance, add_days)


def first_order_forecast(
    cal: dict[str, pd.DataFrame], full: dict[str, pd.DataFrame], end: pd.Timestamp, holdout_end: pd.Timestamp
) -> Forecast:
    """``first_orders``: the cure model (working parameters: the logit rate and the log mean delay in days)."""
    fit = cure_fit(cal["contacts"], cal["orders"], cal.get("deletions"), end)
    deletions = full.get("deletions")
    added = added_times(full["contacts"], deletions)
    first = first_private_orders(full["orders"], added).reindex(added.index)
    stop = observed_until(added, deletions, holdout_end)
    open_at_end = ~(first < end) & (stop >= end)  # no first order yet, not gone: NaT compares False
    added, first, stop = added[open_at_end], first[open_at_end], stop[open_at_end]
    waited_days = np.maximum(-_days(added, end), 0.0)  # at the end; 0 for members added later
    start_days = np.maximum(_days(added, end), 0.0)  # 0 for members added before the end
    stop_days = _days(stop, end)

    def chance(x: np.ndarray, t_days: float) -> np.ndarray:
        p, mean_days = expit(x[0]), np.exp(x[1])
        still = p * np.exp(-waited_days / mean_days)
        by_end = still / (1.0 - p + still)  # cure model: the chance to order yet, given none so far
        until = np.clip(np.minimum(t_days, stop_days) - start_days, 0.0, None)
        return by_end * -np.expm1(-until / mean_days)

    ordered = first.notna() & (first <= stop)
    return Forecast("first_order_cure", "first_orders", fit.x, fit.cov, chance, _days(first[ordered], end))


def deletion_forecast(
    cal: dict[str, pd.DataFrame],
    full: dict[str, pd.DataFrame],
    end: pd.Timestamp,
    holdout_end: pd.Timestamp,
    period_days: float,
) -> Forecast:
    """``deletions``: the sBG (working parameters: log alpha and log beta)."""
    fit = sbg_fit(cal["contacts"], cal["deletions"], end, period_days)
    deletions = full["deletions"]
    added = added_times(full["contacts"], deletions)
    own = deletion_times(deletions, "customer").reindex(added.index)
    until = observed_until(added, deletions, holdout_end)
    open_at_end = until >= end  # not gone before the end
    added, own, until = added[open_at_end], own[open_at_end], until[open_at_end]
    stop_days = np.where(own.isna(), _days(until, end), np.inf)  # a staff deletion ends the exposure
    age_days = np.maximum(-_days(added, end), 0.0)  # at the end; 0 for members added later
    start_days = np.maximum(_days(added, end), 0.0)

    def chance(x: np.ndarray, t_days: float) -> np.ndarray:
        a, b = np.exp(x)
        exposed = np.clip(np.minimum(t_days, stop_days) - start_days, 0.0, None)
        log_ratio = betaln(a, b + (age_days + exposed) / period_days) - betaln(a, b + age_days / period_days)
        return -np.expm1(log_ratio)

    left = own.notna() & (own <= holdout_end)
    return Forecast("sbg_deletion", "deletions", fit.x, fit.cov, chance, _days(own[left], end))


def forecast_row(f: Forecast, horizon_days: float) -> dict[str, float | str]:
    """The table's row of one part: actual and forecast events by day ``horizon_days``, the error and the SE."""
    p = f.chance(f.x, horizon_days)
    grad = np.empty(f.x.size)
    for k in range(f.x.size):
        step = np.zeros(f.x.size)
        step[k] = STEP * max(1.0, abs(f.x[k]))
        grad[k] = (f.chance(f.x + step, horizon_days).sum() - f.chance(f.x - step, horizon_days).sum()) / (2 * step[k])
    se = float(np.sqrt(np.sum(p * (1.0 - p)) + grad @ f.cov @ grad))
    actual, forecast = float(np.sum(f.actual_days <= horizon_days)), float(p.sum())
    error = 100.0 * (forecast - actual) / actual if actual > 0 else float("nan")
    return {
        "model": f.model,
        "metric": f.metric,
        "actual": actual,
        "forecast": forecast,
        "error_pct": error,
        "forecast_se": se,
    }


def funnel_backtest(
    cal: dict[str, pd.DataFrame],
    full: dict[str, pd.DataFrame],
    end: pd.Timestamp,
    holdout_end: pd.Timestamp,
    window_days: float,
    period_days: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The backtest table and weekly tracking of every part the exports allow (``cal``: the frames cut at the end,
    ``full``: cut at the holdout's end)."""
    parts: list[Forecast] = []
    if {"shipments", "contacts"} <= full.keys():
        parts.append(card_forecast(cal, full, end, holdout_end, window_days))
    if {"sms_report", "contacts"} <= full.keys():
        parts.append(sms_forecast(cal, full, end, holdout_end))
    if {"contacts", "orders"} <= full.keys():
        parts.append(first_order_forecast(cal, full, end, holdout_end))
    if {"contacts", "deletions"} <= full.keys():
        parts.append(deletion_forecast(cal, full, end, holdout_end, period_days))
    horizon_days = (holdout_end - end).total_seconds() / SECONDS_PER_DAY
    table = pd.DataFrame([forecast_row(f, horizon_days) for f in parts], columns=list(COLUMNS))
    days = np.unique(np.append(np.arange(7.0, horizon_days, 7.0), horizon_days))
    tracking = pd.DataFrame(
        [
            {
                "metric": f.metric,
                "day": t,
                "actual": int(np.sum(f.actual_days <= t)),
                "forecast": f.chance(f.x, t).sum(),
            }
            for f in parts
            for t in days
        ]
    )
    return table, tracking


def backtest_report(table: pd.DataFrame) -> str:
    """The console lines of the backtest table: each part's forecast, its SE and the actual."""
    lines = ["holdout forecasts from the fits up to the end (SE: the units' randomness and the parameters'):"]
    for row in table.itertuples(index=False):
        z = (row.actual - row.forecast) / row.forecast_se if row.forecast_se > 0 else float("nan")
        lines.append(
            f"  {row.metric} ({row.model}): actual {row.actual:,.0f}, forecast {row.forecast:,.1f} "
            f"(SE {row.forecast_se:,.1f}), error {row.error_pct:+.1f}%, actual {z:+.1f} SE from it"
        )
    return "\n".join(lines)
