"""The deletion baseline: the shifted-beta-geometric (sBG) time from add to deletion.

Each member deletes in a period of ``period_days`` with a chance theta of their own, theta ~ Beta(alpha, beta),
so the chance to still be there after ``t`` days is S(t) = B(alpha, beta + t / period) / B(alpha, beta) (the engine
draws the deletion time continuously at that per-period chance: (1 - theta)^(t / period) survival). A deletion on
day ``k`` after adding contributes S(k) - S(min(k + 1, c)), ``c`` the days observed; a member still there at the
export's end (or whom the staff deleted, then) contributes S(c). Fitted by maximum likelihood on the log scale.
Every deletion counts: touch fatigue
and other causes are part of the fitted time, so it is the baseline only where touches are off or rare.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln

from sim.calibrate.exports.contacts import added_times, deletion_times
from sim.calibrate.funnel.estimate import Estimate, FitError, WorkingFit, from_log, mle

SECONDS_PER_DAY = 86400.0


def sbg_deletion(
    contacts: pd.DataFrame, deletions: pd.DataFrame, end: pd.Timestamp, period_days: float, source: str
) -> tuple[Estimate, Estimate]:
    """The sBG (alpha, beta) per ``period_days`` from the deletion records and the customer list (who is still
    there)."""
    fit = sbg_fit(contacts, deletions, end, period_days)
    x, cov, n = fit.x, fit.cov, fit.n
    return from_log(float(x[0]), float(cov[0, 0]), n, source), from_log(float(x[1]), float(cov[1, 1]), n, source)


def sbg_fit(contacts: pd.DataFrame, deletions: pd.DataFrame, end: pd.Timestamp, period_days: float) -> WorkingFit:
    """The sBG's (log alpha, log beta) per ``period_days`` and their covariance."""
    added = added_times(contacts, deletions)
    gone = deletion_times(deletions, "customer")
    stop = deletion_times(deletions, "staff").reindex(added.index).fillna(end)  # staff deletion: censored
    seen_days = (stop - added).dt.total_seconds().to_numpy() / SECONDS_PER_DAY
    is_gone = added.index.isin(gone.index)
    life_days = (gone.reindex(added.index) - added).dt.total_seconds().to_numpy() / SECONDS_PER_DAY
    if not is_gone.any():
        raise FitError("deletions: no customer deletion (客户删除员工) before the end; allowed: at least one")
    day = np.floor(life_days[is_gone])
    lo = day / period_days
    hi = np.maximum(np.minimum(day + 1.0, seen_days[is_gone]), life_days[is_gone]) / period_days
    still = np.maximum(seen_days[~is_gone], 0.0) / period_days

    def neg_loglik(x: np.ndarray) -> float:
        a, b = np.exp(x)
        base = betaln(a, b)
        log_s_lo, log_s_hi = betaln(a, b + lo) - base, betaln(a, b + hi) - base
        gone_ll = log_s_lo + np.log(-np.expm1(log_s_hi - log_s_lo))
        return -float(gone_ll.sum() + np.sum(betaln(a, b + still) - base))

    x, cov = mle(neg_loglik, np.array([0.0, np.log(10.0)]), "deletions: sBG")
    return WorkingFit(x, cov, len(added))
