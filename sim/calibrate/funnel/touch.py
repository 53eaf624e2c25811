"""Touch fatigue from the mass-message log: a discrete-time hazard regression with the members' tolerance.

(The touch lift is fitted with repeat buying, in :mod:`sim.calibrate.funnel.lift`; this module also holds the
helpers both fits share: the members' days at risk and the content tags.)

**Fatigue** (:func:`touch_fatigue`). The engine deletes a member at a touch with probability ``delete_risk_c (rate /
tolerance_i)^k``, ``rate`` the recent touch rate (:func:`sim.model.touches.touch_rate_per_week` of the member's touches
so far, each decayed by ``e^-age / fatigue_decay_days``) and ``tolerance_i`` the member's own, Gamma over members. Here
each touch is a Bernoulli trial of a discrete-time hazard, a deletion by the customer within ``window_minutes`` after it
(and after no later touch) a success; a member's first touch (rate 0: no fatigue) and touches after the member left are
not trials. The members' tolerance is a random effect: with ``b_c = delete_risk_c / tolerance_mean^k`` (what the log can
tell apart: the chance at one touch a week for a member of mean tolerance) and ``g`` the member's tolerance over the
mean, Gamma with mean 1 and its shape fitted, each touch's chance is ``x_j = h_j g^-k``, ``h_j = b_c(j) rate_j^k``, and
a member's likelihood is ``E_g[prod_j (1 - x_j)^(1 - deleted_j) x_j^deleted_j]`` (``log(1 - x)`` summed as its series to
:data:`SERIES_TERMS` terms, so that each power of ``h`` is summed once per member), integrated over ``g`` by
Gauss-Legendre quadrature over its quantiles and maximised by :func:`~.estimate.mle` from the pooled log-link binomial
GLM of statsmodels (which ignores the tolerance). Ignoring it is not harmless: members of low tolerance leave first, so
later touches meet more tolerant members, and the pooled fit of the recovery test (seed 7) put ``k`` at 1.75 (truth 2,
SE 0.09); the frailty fit with ``1 - x`` taken as ``e^-x`` put it at 1.94 and the delete chances 15% high, and with the
series at 1.96. Approximate where a deletion for another reason comes within the window (the baseline deletion hazard
times the window adds to every touch's chance alike, flattening the fitted curve: on seed 7 a window of 60 minutes took
1.6% more deletions than one of 1 minute and ``k`` 0.1 lower); the engine itself deletes at the touch.

The decay time is not fitted: it is given (the engine's default unless told), and written with the fit.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.special import gammaincinv, logsumexp
from statsmodels.tools.sm_exceptions import ConvergenceWarning, DomainWarning

from sim.calibrate.exports.contacts import added_times, observed_until
from sim.calibrate.funnel.estimate import Estimate, FitError, from_log, mle
from sim.model.touches import touch_rate_per_week

DAY = pd.Timedelta(days=1)
UNTAGGED = "untagged"  # the content of touches the log does not tag
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(64)  # Gauss-Legendre over the tolerance's quantiles
CDF_NODES, LOG_CDF_WEIGHTS = (_NODES + 1.0) / 2.0, np.log(_WEIGHTS / 2.0)
SERIES_TERMS = 4  # log(1 - x) to x^4 / 4: within 1% of the log for a chance x up to 0.4
LOG_SHAPE_RANGE = (np.log(0.05), np.log(1000.0))  # the tolerance's Gamma shape is sought within 0.05-1000
LOG_SPREAD = 1000.0  # members' log-weights set this far apart that one member's touches never reach the next's


def contents(touches: pd.DataFrame) -> pd.Series:
    return touches["content"].replace("", UNTAGGED)


def observed_members(contacts: pd.DataFrame, deletions: pd.DataFrame | None, end: pd.Timestamp) -> pd.DataFrame:
    """Each member's add time and the time they stop being at risk: their deletion, or the export's end."""
    added = added_times(contacts, deletions)
    return added.to_frame().assign(stop=observed_until(added, deletions, end))


def _decayed_counts(customer: np.ndarray, day: np.ndarray, decay_days: float) -> np.ndarray:
    """Each touch's member's touches so far (itself included), each decayed by e^-age / decay_days; ``customer`` and
    ``day`` sorted by customer, then time. A grouped running log-sum-exp: members' log-weights are set
    :data:`LOG_SPREAD` apart, so a running sum over all touches carries no member's weight into the next."""
    member = np.cumsum(np.r_[True, customer[1:] != customer[:-1]])
    base = day[np.r_[0, np.flatnonzero(customer[1:] != customer[:-1]) + 1]][member - 1]
    log_w = (day - base) / decay_days + member * LOG_SPREAD
    if np.any((day - base) / decay_days >= LOG_SPREAD / 2):
        raise FitError(f"touch_log: a member's touches span {LOG_SPREAD / 2:g} fatigue decay times; allowed: fewer")
    return np.exp(np.logaddexp.accumulate(log_w) - log_w)


@dataclass(frozen=True)
class FatigueFit:
    """The fatigue fit: per content type the delete probability of one touch at one touch a week for a member of
    the mean tolerance (``delete_risk_c / tolerance_mean^k``), the fatigue exponent ``k``, the shape of the
    members' Gamma tolerance, and how many deletions came within the window after a touch."""

    delete_prob_at_one_per_week: dict[str, Estimate]
    fatigue_exponent: Estimate
    tolerance_shape: Estimate
    deletions: int


def _trials(
    members: pd.DataFrame,
    deletions: pd.DataFrame,
    touches: pd.DataFrame,
    fatigue_decay_days: float,
    window: pd.Timedelta,
) -> pd.DataFrame:
    """One row per touch that could have made its member leave: ``member`` (a code), ``content``, ``log_rate`` (of
    the recent touch rate per week) and ``deleted`` (the member's customer deletion came within ``window`` after
    it, and after no later touch)."""
    t = touches[touches["customer"].isin(members.index)].sort_values(["customer", "send_time"], kind="stable")
    customer = t["customer"].to_numpy(dtype=str)
    send = t["send_time"].to_numpy()
    day = ((t["send_time"] - t["send_time"].min()) / DAY).to_numpy(dtype=np.float64)
    rate = touch_rate_per_week(_decayed_counts(customer, day, fatigue_decay_days), fatigue_decay_days)
    by_customer = deletions.loc[deletions["direction"] == "customer", ["customer", "delete_time"]]
    latest = pd.merge_asof(  # each customer deletion: the latest touch at or before it, if within the window
        by_customer.drop_duplicates("customer").sort_values("delete_time"),
        pd.DataFrame({"customer": customer, "send_time": send, "touch": np.arange(len(t))}).sort_values(
            "send_time", kind="stable"
        ),
        left_on="delete_time",
        right_on="send_time",
        by="customer",
        direction="backward",
        tolerance=window,
    ).dropna(subset=["touch"])
    deleted = np.zeros(len(t), dtype=bool)
    deleted[latest["touch"].to_numpy(dtype=np.int64)] = True
    add = members["add_time"].reindex(customer).to_numpy()
    stop = members["stop"].reindex(customer).to_numpy()
    at_risk = (send >= add) & (send <= stop) & (rate > 0.0)  # a first touch (rate 0) carries no fatigue
    return pd.DataFrame(
        {
            "member": pd.factorize(customer[at_risk])[0],
            "content": contents(t)[at_risk].to_numpy(),
            "log_rate": np.log(rate[at_risk]),
            "deleted": deleted[at_risk],
        }
    )


def _pooled_start(y: np.ndarray, exog: np.ndarray) -> np.ndarray:
    """The pooled log-link binomial GLM (statsmodels), tolerance ignored: where the frailty fit starts."""
    start = np.r_[np.full(exog.shape[1] - 1, np.log(y.mean())), 1.0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DomainWarning)  # the log link is not the binomial's canonical one
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            fit = sm.GLM(y, exog, family=sm.families.Binomial(link=sm.families.links.Log())).fit(start_params=start)
        except (ConvergenceWarning, ValueError, np.linalg.LinAlgError):
            raise FitError("touch_log: the pooled fatigue regression does not converge") from None
    return np.asarray(fit.params)


def touch_fatigue(
    contacts: pd.DataFrame,
    deletions: pd.DataFrame,
    touches: pd.DataFrame,
    end: pd.Timestamp,
    fatigue_decay_days: float,
    window_minutes: float,
    source: str,
) -> FatigueFit:
    """The fatigue fit (see the module doc) from the tidy frames of the contact, deletion and touch-log readers."""
    members = observed_members(contacts, deletions, end)
    trials = _trials(members, deletions, touches, fatigue_decay_days, pd.Timedelta(minutes=window_minutes))
    kinds = sorted(contents(touches).unique())
    kind = pd.Categorical(trials["content"], categories=kinds).codes
    y = trials["deleted"].to_numpy()
    if not y.any():
        raise FitError(
            f"deletions: no customer deletion within {window_minutes:g} minutes of a touch; allowed: at least one"
        )
    log_rate = trials["log_rate"].to_numpy()
    member = trials["member"].to_numpy()
    n_members = int(member.max()) + 1
    event = np.zeros(n_members, dtype=bool)
    event[member[y]] = True
    pooled = _pooled_start(y.astype(np.float64), np.column_stack([np.eye(len(kinds))[kind], log_rate]))

    stayed = ~y
    powers = np.arange(1, SERIES_TERMS + 1)

    def neg_loglik(x: np.ndarray) -> float:
        log_b, k = x[: len(kinds)], x[len(kinds)]
        shape = np.exp(np.clip(x[-1], *LOG_SHAPE_RANGE))
        log_h = log_b[kind] + k * log_rate  # each touch's log chance at the mean tolerance
        # sum_j log(1 - h_j g^-k) over the touches a member stayed through, as the series -sum_p H_p g^-pk / p
        sums = np.stack(
            [np.bincount(member[stayed], np.exp(p * log_h[stayed]), minlength=n_members) / p for p in powers], axis=1
        )
        log_h_event = np.zeros(n_members)
        log_h_event[member[y]] = log_h[y]
        log_g_k = -k * np.log(gammaincinv(shape, CDF_NODES) / shape)  # log (tolerance / mean)^-k at the nodes
        with np.errstate(over="ignore"):  # a tolerance near 0: its members never stay, exp(-inf) = 0
            log_f = -sums @ np.exp(np.outer(powers, log_g_k)) + event[:, None] * np.minimum(
                log_h_event[:, None] + log_g_k[None, :], 0.0
            )
        return -float(logsumexp(log_f + LOG_CDF_WEIGHTS[None, :], axis=1).sum())

    x, cov = mle(neg_loglik, np.r_[pooled, np.log(4.0)], "touch_log: fatigue with members' tolerance")
    n = int(len(trials))
    return FatigueFit(
        delete_prob_at_one_per_week={
            c: from_log(float(x[j]), float(cov[j, j]), n, source) for j, c in enumerate(kinds)
        },
        fatigue_exponent=Estimate(float(x[len(kinds)]), math.sqrt(float(cov[len(kinds), len(kinds)])), n, source),
        tolerance_shape=from_log(float(x[-1]), float(cov[-1, -1]), n_members, source),
        deletions=int(y.sum()),
    )
