"""First private order after adding: the share of members who ever place one (the rate) and its mean delay.

The engine gives each new member a first private order with the offer's probability (less the longer the greeting
took) after an exponential delay of the offer's mean, unless the member deletes the brand first. Fitted here as that
mixture (a cure model) by maximum likelihood: a member whose first private order came ``d`` days after adding
contributes p e^(-d/m) / m; one without contributes 1 - p (1 - e^(-c/m)), ``c`` the days observed, to the export's
end or to the member's deletion when the deletion records are given. The rate is thus at the greeting waits the
members had; their effect is :mod:`~.greeting`'s fit, where the customer list has request times.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from sim.calibrate.exports.contacts import added_times, observed_until
from sim.calibrate.funnel.estimate import Estimate, FitError, WorkingFit, from_log, from_logit, mle

SECONDS_PER_DAY = 86400.0


def first_orders(
    contacts: pd.DataFrame,
    orders: pd.DataFrame,
    deletions: pd.DataFrame | None,
    end: pd.Timestamp,
    source: str,
) -> tuple[Estimate, Estimate]:
    """The first-order rate and mean delay in days (tidy frames of the contact, channel order and deletion readers)."""
    fit = cure_fit(contacts, orders, deletions, end)
    x, cov, n = fit.x, fit.cov, fit.n
    return from_logit(float(x[0]), float(cov[0, 0]), n, source), from_log(float(x[1]), float(cov[1, 1]), n, source)


def first_private_orders(orders: pd.DataFrame, added: pd.Series) -> pd.Series:
    """Each member's first private order time at or after adding (``added``: add time by customer; members without
    one left out)."""
    private = orders.loc[orders["private"], ["customer", "order_time"]]
    after = private.merge(added.rename("add_time"), left_on="customer", right_index=True)
    after = after[after["order_time"] >= after["add_time"]]
    return after.groupby("customer")["order_time"].min()


def cure_fit(
    contacts: pd.DataFrame, orders: pd.DataFrame, deletions: pd.DataFrame | None, end: pd.Timestamp
) -> WorkingFit:
    """The cure model's (logit rate, log mean delay days) and covariance (see the module doc)."""
    add = added_times(contacts, deletions)
    first = first_private_orders(orders, add)
    stop = observed_until(add, deletions, end)
    ordered = add.index.isin(first.index)
    delay_days = (first.reindex(add.index) - add).dt.total_seconds().to_numpy()[ordered] / SECONDS_PER_DAY
    seen_days = (stop.reindex(add.index) - add).dt.total_seconds().to_numpy()[~ordered] / SECONDS_PER_DAY
    seen_days = np.maximum(seen_days, 0.0)
    if delay_days.size == 0:
        raise FitError("orders: no member placed a private order (渠道 私域/小程序); allowed: at least one")

    def neg_loglik(x: np.ndarray) -> float:
        p, mean_days = expit(x[0]), np.exp(x[1])
        ordered_ll = np.log(p) - x[1] - delay_days / mean_days
        waiting_ll = np.log1p(-p * -np.expm1(-seen_days / mean_days))
        return -float(ordered_ll.sum() + waiting_ll.sum())

    share = delay_days.size / len(add)
    start = np.array([np.log(share / (1.0 - share)) if share < 1.0 else 3.0, np.log(max(delay_days.mean(), 0.01))])
    x, cov = mle(neg_loglik, start, "orders: first private order")
    return WorkingFit(x, cov, len(add))
