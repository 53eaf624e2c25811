"""Every yuan of a run by ledger line: what CAC, LTV, ROI and the incremental profit are made of (pure pandas).

Amounts are signed contributions to profit (income positive, costs negative), in CNY, and like every
total divided by the sample share (``population.sample_share``). Two bases, each summing exactly to the
metrics built on it:

- ``12m_value`` (``24m_value``, ``36m_value``: named after the LTV window, :func:`value_basis`): the
  acquisition lines in full (cards, SMS, the hook by type, referral rewards, onboarding staff), as in the
  numerator of ``cac``; each member's LTV window by line, discounted to the join day, as in ``ltv_12m``;
  and, on the same basis, the platform contribution lost to cannibalised orders. All lines sum to
  ``incremental_net_profit_12m``; without the last one, to ``net_profit_12m``.
- ``horizon``: every ledger line within the horizon, undiscounted, as in ``roi`` and
  ``incremental_roi`` (the platform contribution lost is the difference between the two).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model.funnel import RunRecord
from sim.model.ledger import ACQUISITION_LINES, INCOME_LINES, RETENTION_LINES
from sim.model.members import VALUE_LINES
from sim.run.compare import interval

COST_COLUMNS = ["strategy", "replication", "basis", "section", "line", "amount_cny", "per_member_cny"]
SUMMARY_COLUMNS = [
    "strategy",
    "basis",
    "section",
    "line",
    "mean_cny",
    "ci_low_cny",
    "ci_high_cny",
    "per_member_mean_cny",
    "per_member_ci_low_cny",
    "per_member_ci_high_cny",
    "n_replications",
]
PLATFORM_LINE = "platform_contribution_lost"


def value_basis(ltv_months: int) -> str:
    """The basis of the LTV window's amounts: ``12m_value`` for a 12-month window."""
    return f"{ltv_months}m_value"


def _acquisition_line(line: str, hook_type: str) -> str:
    return f"hook_{hook_type}" if line == "hook" else line


def cost_frame(rec: RunRecord, strategy: str, replication: int, hook_type: str) -> pd.DataFrame:
    """One replication's amounts by basis, section and line (and per member acquired)."""
    led = rec.ledger
    in_horizon = led.index < rec.horizon_days
    rows: list[tuple[str, str, str, float]] = []
    window = value_basis(rec.ltv_months)
    for line in ACQUISITION_LINES:
        rows.append((window, "acquisition", _acquisition_line(line, hook_type), -float(led[line].sum())))
    for line in VALUE_LINES:
        section = "platform" if line == PLATFORM_LINE else "member_value"
        rows.append((window, section, line, rec.value_window_by_line[line]))
    for line in ACQUISITION_LINES:
        amount = -float(led[line].to_numpy()[in_horizon].sum())
        rows.append(("horizon", "acquisition", _acquisition_line(line, hook_type), amount))
    for line in (*INCOME_LINES, *RETENTION_LINES):
        sign = 1.0 if line in INCOME_LINES else -1.0
        rows.append(("horizon", "member_value", line, sign * float(led[line].to_numpy()[in_horizon].sum())))
    rows.append(("horizon", "platform", PLATFORM_LINE, -float(led[PLATFORM_LINE].to_numpy()[in_horizon].sum())))
    frame = pd.DataFrame(rows, columns=["basis", "section", "line", "amount_cny"])
    frame["amount_cny"] /= rec.sample_share
    members = len(rec.members) / rec.sample_share
    frame["per_member_cny"] = frame["amount_cny"] / members if members > 0 else np.nan
    frame.insert(0, "replication", replication)
    frame.insert(0, "strategy", strategy)
    return frame[COST_COLUMNS]


def summarise_costs(costs: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% interval over replications of every line, in total and per member acquired."""
    rows = []
    keys = ["strategy", "basis", "section", "line"]
    for key, part in costs.groupby(keys, sort=False):
        mean, low, high, n = interval(part["amount_cny"].to_numpy(dtype=float))
        pm_mean, pm_low, pm_high, _ = interval(part["per_member_cny"].to_numpy(dtype=float))
        rows.append((*key, mean, low, high, pm_mean, pm_low, pm_high, n))
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
