"""Touch lift from the mass-message log and the orders: BG/NBD repeat buying with the touches' lift, fitted jointly.

The engine lets a touch of content ``c`` on day ``d0`` add ``lift_c e^-(d - d0) / lift_decay_days`` to a member's
purchase-rate multiplier on each day ``d >= d0``, and keeps the member's *natural* repurchases BG/NBD's: at rate
``lambda`` while alive, each going private with the platform's private share ``s`` (the rest stay on the platform),
and each followed by dropout with probability ``p``. The *added* orders come on top at rate ``lambda lift(d)``, are
all private, and carry no dropout: touches make a live customer buy more often, they do not end their life.

So, from a member's first private order ``t0`` (natural repurchases start there) to when they stop being observed
``T`` (their deletion or the export's end), while alive their platform orders come at rate ``lambda (1 - s)`` and
their private orders at ``lambda s (1 + beta.S(t))``, ``S_c(t)`` their touch stock of content ``c`` on the day of
``t`` (each touch of ``c`` on day ``d0`` counting ``q^(d - d0)``, ``q = e^(-1 / lift_decay_days)``) and ``beta_c =
lift_c / s`` the lift on the private rate, which is what is reported. An order at ``t_j`` is natural with chance
``pi_j``: 1 on the platform, ``1 / (1 + beta.S(t_j))`` in private. With ``Lambda(t) = (t - t0) + s beta.int_t0^t
S``, a member's likelihood given ``lambda`` and ``p`` is

    prod_j intensity_j x e^(-lambda Lambda(t_n)) x prod_(j<n) (1 - p pi_j)
        x [p pi_n + (1 - p pi_n) e^(-lambda (Lambda(T) - Lambda(t_n)))]

(the member left at their last order, if it was natural, or lived on without ordering), ``e^(-lambda Lambda(T))``
without orders. ``lambda`` is integrated over its Gamma(r, alpha) in closed form and ``p`` over its Beta(a, b) by
Gauss-Legendre quadrature over its quantiles; a share ``lapsed`` of the members is dead at ``t0`` (existing
customers who had dropped out before and buy nothing after a first private order). ``r, alpha, a, b`` describe the
members, not the platform's buyers (capture favours those who buy often), and are nuisance parameters here.

Why jointly. Without the dropout, the natural estimate conditions each member on their private orders between the
first and the last (a fixed-effect Poisson likelihood, free of the members' rates). But surviving to the last order
means every natural order before it did not end the member's life, while added ones could not: the orders that
survive are tilted towards added ones, and that estimator finds ``beta / (1 - p)`` (over seeds 1-12 less 7 of
``tests/test_touch_fits.py``, z-scores of +0.45 to +1.15, lifts 5-9% high). Only the ends of the members' order
sequences tell how often a natural order ends a life, so ``p`` has to be in the model.
Fitted jointly, over seeds 1-50 of that test's config the lifts' z-scores have means -0.16 to -0.02 and SDs
0.90-0.92, the private share's +0.09 and 0.93.

The platform orders of members are needed to tell the two kinds of orders' shares apart (``s``); with an order
export that has none, every natural repurchase is taken as private (``s = 1``). Approximate where the cadence of the
touches depends on the member's own orders (``at_risk`` and ``high_value`` segments), and where ``lambda`` and ``p``
are not independent over the members (BG/NBD's assumption).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import betaincinv, gammaln, log_expit, logsumexp

from sim.calibrate.funnel.estimate import Estimate, FitError, from_log, from_logit, mle
from sim.calibrate.funnel.touch import DAY, contents, observed_members

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(32)  # Gauss-Legendre over the quantiles of p
P_NODES, LOG_P_WEIGHTS = (_NODES + 1.0) / 2.0, np.log(_WEIGHTS / 2.0)
P_MAX = 1.0 - 1e-12  # p at a node, kept below 1: a running sum of log(1 - p) must stay finite
START = {"r": 0.3, "alpha_days": 5.0, "a": 1.0, "b": 2.0}  # where the nuisance parameters start
LAPSED_START = 0.1


@dataclass(frozen=True)
class LiftFit:
    """The lift on the private purchase rate per content type, the private share of the members' natural
    repurchases (``None`` where the orders have no platform order to tell it), and how many members were used."""

    lift_on_private_rate: dict[str, Estimate]
    private_share: Estimate | None
    members: int


def stock_integral(touch_day: np.ndarray, x: np.ndarray, q: float) -> np.ndarray:
    """The integral from ``touch_day`` (a whole day) to ``x`` of a touch's stock ``q^(floor(u) - touch_day)``; 0 for
    ``x <= touch_day``: ``(1 - q^n) / (1 - q) + q^n (y - n)``, ``y = x - touch_day``, ``n = floor(y)``."""
    y = np.maximum(x - touch_day, 0.0)
    n = np.floor(y)
    return -np.expm1(n * math.log(q)) / (1.0 - q) + q**n * (y - n)


@dataclass(frozen=True)
class _Histories:
    """The members' orders after their first private order, in time order by member, and their touch stocks."""

    kinds: list[str]
    member: np.ndarray  # each order's member (0..n-1), sorted
    is_last: np.ndarray  # each order is its member's last
    private: np.ndarray  # each order's channel
    stock: np.ndarray  # orders x kinds: S at each order
    count: np.ndarray  # orders per member
    span_last: np.ndarray  # t_n - t0 (0 without orders)
    span_end: np.ndarray  # T - t0
    stock_last: np.ndarray  # members x kinds: int_t0^t_n S
    stock_end: np.ndarray  # members x kinds: int_t0^T S


def _histories(
    contacts: pd.DataFrame,
    deletions: pd.DataFrame | None,
    orders: pd.DataFrame,
    touches: pd.DataFrame,
    end: pd.Timestamp,
    lift_decay_days: float,
) -> _Histories:
    members = observed_members(contacts, deletions, end)
    origin = min(members["add_time"].min(), touches["send_time"].min()).floor("D")

    def days(times: pd.Series) -> np.ndarray:
        return ((times - origin) / DAY).to_numpy(dtype=np.float64)

    own = orders[["customer", "order_time", "private"]].merge(members, on="customer")
    own = own[own["order_time"] >= own["add_time"]]
    first = own[own["private"]].groupby("customer")["order_time"].min()
    t0 = pd.Series(days(first), index=first.index)
    stop = pd.Series(days(members["stop"].reindex(first.index)), index=first.index)
    t0, stop = t0[stop > t0], stop[stop > t0]
    if t0.empty:
        raise FitError("orders: no member placed a private order before leaving; allowed: at least one")
    index = pd.Index(t0.index)
    later = own[own["customer"].isin(index)].assign(t=lambda f: days(f["order_time"]))
    later = later[(later["t"] > later["customer"].map(t0)) & (later["t"] < later["customer"].map(stop))]
    later = later.assign(member=index.get_indexer(later["customer"])).sort_values(["member", "t"], kind="stable")
    member, t = later["member"].to_numpy(), later["t"].to_numpy()
    kinds = sorted(contents(touches).unique())
    sent = touches[touches["customer"].isin(index)]
    t_member = index.get_indexer(sent["customer"])
    t_day = np.floor(days(sent["send_time"]))
    t_kind = pd.Categorical(contents(sent), categories=kinds).codes
    q = math.exp(-1.0 / lift_decay_days)
    pairs = pd.DataFrame({"member": member, "order": np.arange(t.size), "day": np.floor(t)}).merge(
        pd.DataFrame({"member": t_member, "t_day": t_day, "kind": t_kind})
    )
    pairs = pairs[pairs["t_day"] <= pairs["day"]]
    stock = np.zeros((t.size, len(kinds)))
    np.add.at(stock, (pairs["order"].to_numpy(), pairs["kind"].to_numpy()), q ** (pairs["day"] - pairs["t_day"]))
    count = np.bincount(member, minlength=index.size)
    is_last = np.r_[member[1:] != member[:-1], True] if member.size else np.zeros(0, dtype=bool)
    t_last = t0.to_numpy().copy()
    t_last[member[is_last]] = t[is_last]
    start, finish = t0.to_numpy(), stop.to_numpy()

    def integral(upto: np.ndarray) -> np.ndarray:
        part = stock_integral(t_day, upto[t_member], q) - stock_integral(t_day, start[t_member], q)
        out = np.zeros((index.size, len(kinds)))
        np.add.at(out, (t_member, t_kind), part)
        return out

    for kind in range(len(kinds)):
        if not stock[later["private"].to_numpy(), kind].any():
            raise FitError(f"touch_log: no {kinds[kind]} touch before a private repurchase; allowed: every content")
    return _Histories(
        kinds,
        member,
        is_last,
        later["private"].to_numpy(),
        stock,
        count,
        t_last - start,
        finish - start,
        integral(t_last),
        integral(finish),
    )


def touch_lift(
    contacts: pd.DataFrame,
    deletions: pd.DataFrame | None,
    orders: pd.DataFrame,
    touches: pd.DataFrame,
    end: pd.Timestamp,
    lift_decay_days: float,
    source: str,
) -> LiftFit:
    """The lift on the private purchase rate per content type (see the module doc), from the tidy frames of the
    contact, deletion, channel-order and touch-log readers."""
    h = _histories(contacts, deletions, orders, touches, end, lift_decay_days)
    k, n = len(h.kinds), h.count.size
    has = h.count > 0
    counted = h.count.astype(np.float64)
    is_last = h.is_last
    seg_end = np.zeros(n, dtype=np.int64)
    seg_end[h.member[is_last]] = np.flatnonzero(is_last)  # each member's last order's index
    seg_start = np.r_[0, np.cumsum(h.count)[:-1]]
    shared = int(not h.private.all())  # platform orders tell the private share apart: fitted, else 1

    def neg_loglik(x: np.ndarray) -> float:
        beta = np.exp(x[:k])
        # log share and log (1 - share) of natural repurchases going private (share 1 without platform orders)
        log_share, log_rest = (float(log_expit(x[k])), float(log_expit(-x[k]))) if shared else (0.0, -math.inf)
        share = math.exp(log_share)
        r, alpha, a, b = np.exp(x[k + shared : k + shared + 4])
        log_lapsed, log_live = float(log_expit(x[-1])), float(log_expit(-x[-1]))
        lifted = h.stock @ beta
        log_intensity = np.where(h.private, log_share + np.log1p(lifted), log_rest)
        natural = np.where(h.private, 1.0 / (1.0 + lifted), 1.0)
        p = np.minimum(betaincinv(a, b, P_NODES), P_MAX)
        log_stay = np.log1p(-np.outer(natural, p))  # orders x nodes: the order did not end the member's life
        log_stay[is_last] = 0.0
        running = np.vstack([np.zeros(p.size), np.cumsum(log_stay, axis=0)])
        survived = running[seg_end + 1] - running[seg_start]  # members x nodes: every order before the last
        survived[~has] = 0.0

        def gamma_part(exposure: np.ndarray) -> np.ndarray:  # E over lambda of lambda^n e^(-lambda exposure)
            return gammaln(r + counted) - gammaln(r) + r * math.log(alpha) - (r + counted) * np.log(alpha + exposure)

        at_last = gamma_part(h.span_last + share * (h.stock_last @ beta))
        at_end = gamma_part(h.span_end + share * (h.stock_end @ beta))
        ended = np.outer(np.where(has, natural[seg_end], 0.0), p)  # the last order ended the member's life
        with np.errstate(divide="ignore"):
            tail = np.logaddexp(np.log(ended) + at_last[:, None], np.log1p(-ended) + at_end[:, None])
        alive = logsumexp(survived + tail + LOG_P_WEIGHTS[None, :], axis=1)
        alive += np.bincount(h.member, log_intensity, minlength=n)
        log_l = np.where(has, log_live + alive, np.logaddexp(log_lapsed, log_live + alive))
        return -float(log_l.sum())

    start = np.r_[np.zeros(k + shared), np.log(list(START.values())), math.log(LAPSED_START / (1 - LAPSED_START))]
    x, cov = mle(neg_loglik, start, "touch_log: purchase lift with repeat buying")
    used = int(n)
    return LiftFit(
        lift_on_private_rate={c: from_log(float(x[j]), float(cov[j, j]), used, source) for j, c in enumerate(h.kinds)},
        private_share=from_logit(float(x[k]), float(cov[k, k]), int(h.member.size), source) if shared else None,
        members=used,
    )
