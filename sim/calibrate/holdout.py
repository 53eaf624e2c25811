"""Holdout check of a BG/NBD fit: expected against actual repeat purchases after the calibration period.

For each calibration customer, the fitted model's conditional expectation of repeat
purchases in the holdout window given the customer's (x, t_x, T) (Fader, Hardie & Lee
2005, eq. 10) is set against the purchases the customer actually made there. Customers
are grouped by their calibration repeat purchases x = 0, 1, ..., 6 and 7+, as in the
paper's Figure 4, and a total row sums every customer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calibrate.fit import DAYS_PER_WEEK, RFM, Fit, conditional_expected_repeats

TOP_GROUP = 7  # x >= 7 is one group


def holdout_counts(purchases: pd.DataFrame, rfm: RFM, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    """Purchases (customer-days) of each calibration customer in (start, end], aligned with ``rfm``."""
    window = purchases[(purchases["date"] > start) & (purchases["date"] <= end)]
    counts = window.groupby("customer")["date"].size()
    return counts.reindex(rfm.customer, fill_value=0).to_numpy(dtype=float)


def holdout_table(rfm: RFM, actual: np.ndarray, fit: Fit, holdout_weeks: float) -> pd.DataFrame:
    """Per calibration-frequency group: customers, actual and expected mean holdout purchases; then a total row.

    Columns: ``group``, ``customers``, ``actual_mean``, ``expected_mean``, ``actual_total``, ``expected_total``.
    """
    p = fit.params
    expected = conditional_expected_repeats(holdout_weeks, rfm.x, rfm.t_x, rfm.T, p["r"], p["alpha"], p["a"], p["b"])
    group = np.minimum(rfm.x, TOP_GROUP).astype(int)
    labels = [str(g) for g in range(TOP_GROUP)] + [f"{TOP_GROUP}+"]
    rows = []
    for g, label in enumerate(labels):
        sel = group == g
        if not sel.any():
            continue
        rows.append(_row(label, actual[sel], expected[sel]))
    rows.append(_row("total", actual, expected))
    return pd.DataFrame(rows)


def _row(label: str, actual: np.ndarray, expected: np.ndarray) -> dict[str, object]:
    return {
        "group": label,
        "customers": int(actual.size),
        "actual_mean": float(actual.mean()),
        "expected_mean": float(expected.mean()),
        "actual_total": float(actual.sum()),
        "expected_total": float(expected.sum()),
    }


def holdout_weeks(start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Length of the holdout window (start, end] in weeks."""
    return (end - start).days / DAYS_PER_WEEK


def format_table(table: pd.DataFrame) -> str:
    """The table as fixed-width text for the console."""
    lines = [f"{'x in calibration':>16} {'customers':>9} {'actual':>8} {'expected':>9}  (mean repeat purchases)"]
    for r in table.itertuples(index=False):
        if r.group == "total":
            lines.append(
                f"{'total':>16} {r.customers:>9d} {r.actual_total:>8.0f} {r.expected_total:>9.1f}  (sum over customers)"
            )
        else:
            lines.append(f"{r.group:>16} {r.customers:>9d} {r.actual_mean:>8.3f} {r.expected_mean:>9.3f}")
    return "\n".join(lines)
