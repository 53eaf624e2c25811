"""The greeting delay and its effect on first orders, from a customer list with request times (申请时间).

The engine halves a new member's first-order chance for every ``greeting_half_life_hours`` the add request waited
to be accepted: ``p = p0 2^(-w / h)``, ``w`` the wait in hours. Here a member counts as ordering when their first
private order came within :data:`FOLLOW_DAYS` days of adding, and only members added at least that long before the
export's end count; the share is fitted by statsmodels' GLM with the binomial family and the log link on the wait,
``log p = log p0' - (ln 2 / h) w``, so ``h = -ln 2 / slope`` (SE by the delta method). A member who deletes the
brand before their first order is a member who did not order: the baseline deletion and touch fatigue do not depend
on the wait, so they scale every wait's share alike and leave the slope, and so ``h``, alone; they, and the orders
later than :data:`FOLLOW_DAYS`, make ``p0'`` (the share at no wait) a little below the offer's ``first_order_prob``.
Approximate where the offer changes with the calendar and waits are longer in some of its windows than in others
(a campaign with a richer offer and a busier desk): the wait then stands in for the offer.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import ConvergenceWarning, DomainWarning

from sim.calibrate.funnel.estimate import Estimate, FitError

FOLLOW_DAYS = 30.0  # ten times the longest mean first-order delay of the offers (3 days): e^-10 of orders later
SECONDS_PER_HOUR = 3600.0


def greeting_delay(
    contacts: pd.DataFrame, orders: pd.DataFrame, end: pd.Timestamp, source: str
) -> tuple[Estimate, Estimate, float]:
    """The greeting half-life in hours, the first-order share within :data:`FOLLOW_DAYS` days at no wait, and the
    longest wait seen in hours (see the module doc), from the tidy frames of the contact and channel-order readers."""
    members = contacts.dropna(subset=["request_time"]).drop_duplicates("customer")
    members = members[members["add_time"] <= end - pd.Timedelta(days=FOLLOW_DAYS)]
    if members.empty:
        raise FitError(
            f"contacts: no member with a request time (申请时间) added {FOLLOW_DAYS:g} days before the end; "
            "allowed: at least one"
        )
    private = orders.loc[orders["private"], ["customer", "order_time"]].merge(members[["customer", "add_time"]])
    private = private[private["order_time"] >= private["add_time"]]
    first = private.groupby("customer")["order_time"].min()
    delay = first.reindex(members["customer"]).to_numpy() - members["add_time"].to_numpy()
    ordered = delay <= np.timedelta64(int(FOLLOW_DAYS * 86400), "s")  # NaT compares False: never ordered
    wait_hours = (members["add_time"] - members["request_time"]).dt.total_seconds().to_numpy() / SECONDS_PER_HOUR
    if not ordered.any() or np.ptp(wait_hours) == 0.0:
        raise FitError(
            "contacts: the greeting delay needs members who ordered and waits that differ; "
            f"allowed: at least one first private order and two different waits (longest {wait_hours.max():.2f} h)"
        )
    exog = sm.add_constant(wait_hours, has_constant="add")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DomainWarning)  # the log link is not the binomial's canonical one
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            fit = sm.GLM(ordered.astype(np.float64), exog, family=sm.families.Binomial(link=sm.families.links.Log()))
            result = fit.fit(start_params=np.array([math.log(ordered.mean()), 0.0]))
        except (ConvergenceWarning, ValueError, np.linalg.LinAlgError):
            raise FitError("contacts: the greeting-delay regression does not converge") from None
    (log_p0, slope), (se_log_p0, se_slope) = np.asarray(result.params), np.asarray(result.bse)
    if slope >= 0.0:
        raise FitError(
            f"contacts: the first-order share does not fall with the greeting delay (slope {slope:.4g} per hour); "
            "allowed: a share that falls, which has a half-life"
        )
    n = len(members)
    half_life = Estimate(-math.log(2.0) / slope, math.log(2.0) / slope**2 * se_slope, n, source)
    at_no_wait = Estimate(math.exp(log_p0), math.exp(log_p0) * se_log_p0, n, source)
    return half_life, at_no_wait, float(wait_hours.max())
