"""The cost and revenue ledger: one daily array per line, in CNY.

Every amount the model spends or earns is booked here exactly once, on the day it
happens, so that metrics and the cumulative-profit curve are sums over the same lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# wave_hook: the hooks of SMS waves (hook: the package card's and routine SMS's); wecom_accounts: accounts opened
ACQUISITION_LINES: tuple[str, ...] = (
    "cards",
    "sms",
    "hook",
    "referral_reward",
    "onboarding_staff",
    "wave_hook",
    "wecom_accounts",
)
ORDER_COST_LINES: tuple[str, ...] = ("service", "shipping", "payment_fee", "membership_discount")  # private orders
# touch_team: the touch team's pay and live streams (sim.model.channels)
RETENTION_LINES: tuple[str, ...] = ("first_order_subsidy", "touches", "touch_team", *ORDER_COST_LINES)
COST_LINES: tuple[str, ...] = ACQUISITION_LINES + RETENTION_LINES
INCOME_LINES: tuple[str, ...] = ("gross_margin", "membership_fee")
# Memo lines, never added to profit: private order value, and what the cannibalised orders would have
# earned on their platform (gross margin - commission - ads), which the control arm keeps.
OTHER_LINES: tuple[str, ...] = ("gmv", "platform_contribution_lost")
LINES: tuple[str, ...] = COST_LINES + INCOME_LINES + OTHER_LINES


class Ledger:
    """Daily amounts per ledger line over the simulated days."""

    def __init__(self, n_days: int) -> None:
        self.n_days = n_days
        self._lines = {name: np.zeros(n_days) for name in LINES}

    def book(self, line: str, day: int | float, amount_cny: float) -> None:
        """Book one amount on the day containing time ``day``."""
        self._lines[line][min(int(day), self.n_days - 1)] += amount_cny

    def book_many(self, line: str, days: np.ndarray, amounts_cny: np.ndarray | float) -> None:
        """Book amounts on the days containing each time in ``days``."""
        idx = np.minimum(days.astype(np.int64), self.n_days - 1)
        weights = np.broadcast_to(np.asarray(amounts_cny, dtype=float), idx.shape)
        self._lines[line] += np.bincount(idx, weights=weights, minlength=self.n_days)

    def frame(self) -> pd.DataFrame:
        """The ledger as a DataFrame: one row per day, one column per line."""
        df = pd.DataFrame(self._lines)
        df.index.name = "day"
        return df
