"""Backtest: every model's holdout forecast against what the calibration customers actually did.

The holdout is the window (end, holdout_end] after the calibration period. For each
calibration customer the actual repeat purchases (customer-days) and revenue in it are set
against each repeat-buying model's conditional expectation E[Y(t) | x, t_x, T], and the
revenue against that times the spend model's posterior mean spend per purchase. The
engine's own forecast (:mod:`sim.calibrate.engine_backtest`) enters as model
``bgnbd_engine``. Parameters come from the calibration period only; the holdout only
judges.

:func:`backtest_table` returns one row per (model, metric): ``model, metric, actual,
forecast, error_pct`` with error_pct = 100 (forecast - actual) / actual. Metrics:

- ``repeat_transactions`` and ``revenue``: totals over all customers; ``revenue`` with
  Gamma-Gamma spend (the engine's), or with spend by frequency for model ``M+spend_by_frequency``;
- ``repeat_transactions_per_customer_x=K`` and ``revenue_per_customer_x=K``: means over the
  customers with K repeat purchases in the calibration period (K = 0..6 and 7+, FHL 2005 Fig. 4);
- ``spend_per_repeat_purchase`` (models ``gamma_gamma``, ``spend_by_frequency``): holdout
  revenue over holdout purchases, against the same average of each buyer's expected spend
  weighted by their actual holdout purchases, which judges spend alone, whatever the
  repeat-buying model; also per calibration-frequency group.

:func:`choose` names the repeat-buying and spend models with the smallest absolute error
of the totals. :func:`tracking` gives the weekly cumulative repeat transactions of the whole
period against each model's E[X(t)] summed over customers (FHL 2005 Fig. 2), and
:func:`holdout_tracking` those of the holdout against the conditional forecasts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.calibrate.fit import DAYS_PER_WEEK, RFM, Fit, Histories
from sim.calibrate.models import ENGINE_SPEND, REPEAT_BY_KEY, ModelFits
from sim.calibrate.spend import conditional_expected_spend

TOP_GROUP = 7  # x >= 7 is one group
COLUMNS = ("model", "metric", "actual", "forecast", "error_pct")


@dataclass(frozen=True)
class Actual:
    """Each calibration customer's holdout purchases (customer-days) and revenue, aligned with the RFM."""

    repeats: np.ndarray
    revenue: np.ndarray


def actual_holdout(purchases: pd.DataFrame, rfm: RFM, start: pd.Timestamp, end: pd.Timestamp) -> Actual:
    """Purchases and revenue of each calibration customer in (start, end]."""
    window = purchases[(purchases["date"] > start) & (purchases["date"] <= end)]
    by = window.groupby("customer", observed=True)["amount"].agg(["size", "sum"])
    by = by.reindex(rfm.customer, fill_value=0)
    return Actual(repeats=by["size"].to_numpy(dtype=float), revenue=by["sum"].to_numpy(dtype=float))


def frequency_groups(x: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """(label, mask) of each calibration-frequency group that has customers: 0, 1, ..., 6, 7+."""
    group = np.minimum(x, TOP_GROUP).astype(int)
    labels = [str(g) for g in range(TOP_GROUP)] + [f"{TOP_GROUP}+"]
    return [(label, group == g) for g, label in enumerate(labels) if (group == g).any()]


def conditional_forecasts(rfm: RFM, fits: ModelFits, weeks: float) -> dict[str, np.ndarray]:
    """Each fitted repeat-buying model's E[Y(weeks) | x, t_x, T] for every customer."""
    out = {}
    for key, fit in fits.repeat.items():
        model = REPEAT_BY_KEY[key]
        out[key] = model.conditional(weeks, rfm.x, rfm.t_x, rfm.T, *fit.params.values())
    return out


def expected_spends(rfm: RFM, fits: ModelFits) -> dict[str, np.ndarray]:
    """Each fitted spend model's posterior mean spend per purchase for every customer."""
    return {key: conditional_expected_spend(fit, rfm.x, rfm.mean_repeat_spend) for key, fit in fits.spend.items()}


def _error_pct(actual: float, forecast: float) -> float:
    return 100.0 * (forecast - actual) / actual if actual else float("nan")


def backtest_table(
    rfm: RFM,
    actual: Actual,
    repeats: dict[str, np.ndarray],
    spends: dict[str, np.ndarray],
    revenues: dict[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """The backtest rows (see the module doc).

    ``repeats`` maps a repeat-buying model to each customer's forecast purchases, ``spends`` a
    spend model to each customer's expected spend per purchase; ``revenues`` overrides the
    revenue forecast of a model (the engine simulates its own spends).
    """
    revenues = revenues or {}
    groups = frequency_groups(rfm.x)
    rows: list[tuple[str, str, float, float]] = []

    def add(model: str, metric: str, act: np.ndarray, fc: np.ndarray) -> None:
        rows.append((model, metric, float(act.sum()), float(fc.sum())))
        for label, sel in groups:
            rows.append((model, f"{metric}_per_customer_x={label}", float(act[sel].mean()), float(fc[sel].mean())))

    for model, forecast in repeats.items():
        add(model, "repeat_transactions", actual.repeats, forecast)
        add(model, "revenue", actual.revenue, revenues.get(model, forecast * spends[ENGINE_SPEND]))
    for spend, per_purchase in spends.items():
        if spend == ENGINE_SPEND:
            continue
        for model, forecast in repeats.items():
            if model not in revenues:  # the engine draws Gamma-Gamma spends only
                add(f"{model}+{spend}", "revenue", actual.revenue, forecast * per_purchase)
    bought = actual.repeats > 0
    for spend, per_purchase in spends.items():
        weighted = actual.repeats * per_purchase
        for label, sel in [("", np.ones_like(bought)), *groups]:
            sel = sel & bought
            if not sel.any():
                continue
            metric = "spend_per_repeat_purchase" + (f"_x={label}" if label else "")
            act = actual.revenue[sel].sum() / actual.repeats[sel].sum()
            rows.append((spend, metric, float(act), float(weighted[sel].sum() / actual.repeats[sel].sum())))
    table = pd.DataFrame(rows, columns=list(COLUMNS[:4]))
    table["error_pct"] = [_error_pct(a, f) for a, f in zip(table["actual"], table["forecast"], strict=True)]
    return table


@dataclass(frozen=True)
class Choice:
    """The models with the smallest absolute total error on the holdout, and their errors."""

    repeat: str
    repeat_error_pct: float
    spend: str
    spend_error_pct: float


def choose(table: pd.DataFrame, repeat_models: list[str], spend_models: list[str]) -> Choice:
    """The repeat-buying model whose total repeat transactions miss least, and the spend model likewise for spend."""

    def best(models: list[str], metric: str) -> tuple[str, float]:
        rows = table[table["model"].isin(models) & (table["metric"] == metric)]
        top = rows.loc[rows["error_pct"].abs().idxmin()]
        return str(top["model"]), float(top["error_pct"])

    repeat, repeat_error = best(repeat_models, "repeat_transactions")
    spend, spend_error = best(spend_models, "spend_per_repeat_purchase")
    return Choice(repeat, repeat_error, spend, spend_error)


def week_ends(weeks: float) -> np.ndarray:
    """1, 2, ... whole weeks up to ``weeks``, and ``weeks`` itself if it is not whole."""
    whole = np.arange(1.0, np.floor(weeks) + 1.0)
    return whole if whole.size and whole[-1] == weeks else np.append(whole, weeks)


def tracking(
    purchases: pd.DataFrame, rfm: RFM, start: pd.Timestamp, end: pd.Timestamp, stop: pd.Timestamp, fits: ModelFits
) -> pd.DataFrame:
    """Weekly cumulative repeat transactions of the calibration customers from ``start`` to ``stop``.

    Columns ``week`` (weeks since ``start``, the last possibly partial), ``date`` (the week's
    last day), ``actual`` and one per repeat-buying model: the sum over customers of E[X(age)],
    the customer's age counted from the first purchase, as fitted on the period up to ``end``.
    """
    span_days = (stop - start).days + 1
    weeks = week_ends(span_days / DAYS_PER_WEEK)
    last_day = start + pd.to_timedelta(np.rint(weeks * DAYS_PER_WEEK).astype(int) - 1, unit="D")
    mine = purchases[purchases["customer"].isin(rfm.customer) & (purchases["date"] <= stop)]
    first = pd.Series(rfm.first_date, index=rfm.customer)
    repeat_days = np.sort(mine.loc[mine["date"] > mine["customer"].map(first).to_numpy(), "date"].to_numpy())
    out = {"week": weeks, "date": last_day, "actual": np.searchsorted(repeat_days, last_day.to_numpy(), side="right")}
    first_day, n_first = np.unique(
        ((rfm.first_date - np.datetime64(start, "D")) // np.timedelta64(1, "D")), return_counts=True
    )
    age_weeks = (np.rint(weeks * DAYS_PER_WEEK)[:, None] - 1 - first_day[None, :]) / DAYS_PER_WEEK
    for key, fit in fits.repeat.items():
        expected = REPEAT_BY_KEY[key].expected(np.maximum(age_weeks, 0.0), *fit.params.values())
        out[key] = (np.where(age_weeks > 0, expected, 0.0) * n_first).sum(axis=1)
    return pd.DataFrame(out)


def holdout_tracking(
    purchases: pd.DataFrame,
    rfm: RFM,
    end: pd.Timestamp,
    holdout_weeks: float,
    fits: ModelFits,
    engine_weekly: np.ndarray | None = None,
) -> pd.DataFrame:
    """Cumulative repeat transactions of the calibration customers by each holdout week, actual and forecast.

    Columns ``week`` (weeks after ``end``), ``actual``, one per repeat-buying model (the sum of
    E[Y(week) | x, t_x, T]) and ``bgnbd_engine`` when the engine's weekly means are given.
    """
    weeks = week_ends(holdout_weeks)
    mine = purchases[purchases["customer"].isin(rfm.customer) & (purchases["date"] > end)]
    days_after = np.sort(((mine["date"] - end).dt.days).to_numpy())
    out: dict[str, np.ndarray] = {
        "week": weeks,
        "actual": np.searchsorted(days_after, np.rint(weeks * DAYS_PER_WEEK), side="right").astype(float),
    }
    h = Histories.of(rfm)
    for key, fit in fits.repeat.items():
        model = REPEAT_BY_KEY[key]
        out[key] = np.array([h.counts @ model.conditional(w, h.x, h.t_x, h.T, *fit.params.values()) for w in weeks])
    if engine_weekly is not None:
        out["bgnbd_engine"] = engine_weekly
    return pd.DataFrame(out)


def parameter_sd(rfm: RFM, key: str, fit: Fit, weeks: float) -> float:
    """Standard deviation of a model's forecast total from its parameters' uncertainty (delta method).

    The gradient of the summed E[Y(weeks) | x, t_x, T] with respect to the parameters is taken by
    central differences, and combined with the fit's covariance from the observed information.
    """
    if fit.covariance is None:
        return float("nan")
    model, h = REPEAT_BY_KEY[key], Histories.of(rfm)
    theta = np.array(list(fit.params.values()))

    def total(params: np.ndarray) -> float:
        return float(h.counts @ model.conditional(weeks, h.x, h.t_x, h.T, *params))

    grad = np.empty(theta.size)
    for i in range(theta.size):
        step = np.zeros(theta.size)
        step[i] = 1e-5 * abs(theta[i])
        grad[i] = (total(theta + step) - total(theta - step)) / (2.0 * step[i])
    return float(np.sqrt(grad @ fit.covariance @ grad))


def fits_summary(fit: Fit) -> str:
    """'r = 0.243 (SE 0.013), ...' for the console."""
    return ", ".join(f"{k} = {v:.4g} (SE {fit.se[k]:.2g})" for k, v in fit.params.items())
