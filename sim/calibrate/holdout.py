"""The holdout by calibration frequency: actual against each model's expected repeat purchases (FHL 2005, Fig. 4).

Customers are grouped by their repeat purchases x in the calibration period (0, 1, ..., 6
and 7+); each group's mean holdout purchases are set against each model's mean conditional
expectation E[Y(t) | x, t_x, T], and a total row sums every customer. This is the table the
command prints and the figure it draws; :mod:`sim.calibrate.backtest` writes the same
comparison, and revenue, as rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calibrate.backtest import frequency_groups
from sim.calibrate.rfm import DAYS_PER_WEEK, RFM


def holdout_weeks(start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Length of the holdout window (start, end] in weeks."""
    return (end - start).days / DAYS_PER_WEEK


def holdout_table(rfm: RFM, actual: np.ndarray, forecasts: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per calibration-frequency group: customers, actual and each model's mean holdout purchases; then a total row.

    Columns ``group``, ``customers``, ``actual`` and one per model (means per customer; sums in the total row).
    """
    rows = []
    for label, sel in [*frequency_groups(rfm.x), ("total", np.ones(len(rfm), dtype=bool))]:
        reduce = np.sum if label == "total" else np.mean
        row: dict[str, object] = {"group": label, "customers": int(sel.sum()), "actual": float(reduce(actual[sel]))}
        row.update({name: float(reduce(f[sel])) for name, f in forecasts.items()})
        rows.append(row)
    return pd.DataFrame(rows)


def format_table(table: pd.DataFrame) -> str:
    """The table as fixed-width text for the console: means per customer by group, then the totals."""
    models = [c for c in table.columns if c not in ("group", "customers", "actual")]
    head = f"{'x in calibration':>16} {'customers':>9} {'actual':>8}" + "".join(f" {m:>12}" for m in models)
    lines = [head + "  (mean repeat purchases)"]
    for r in table.to_dict("records"):
        if r["group"] == "total":
            cells = f"{r['actual']:>8.0f}" + "".join(f" {r[m]:>12.1f}" for m in models)
            lines.append(f"{'total':>16} {r['customers']:>9d} {cells}  (sum over customers)")
        else:
            cells = f"{r['actual']:>8.3f}" + "".join(f" {r[m]:>12.3f}" for m in models)
            lines.append(f"{r['group']:>16} {r['customers']:>9d} {cells}")
    return "\n".join(lines)
