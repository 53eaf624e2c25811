"""Per-replication aggregates for the figures: funnel stage counts and curves on fixed grids.

Computed inside each replication's job from its :class:`~sim.model.funnel.RunRecord` (pure
numpy/pandas, no SimPy), so only small tidy tables leave the worker: a few thousand rows
per strategy and replication, whatever the number of buyers. Every curve is on a fixed
grid, so replications and strategies line up and the figures average them point by point.

Curves (``curve``, the meaning of ``x``, the meaning of ``value``):

- ``incremental_profit_cny``: day since the start of the run (end of that day); cumulative
  incremental net profit: private income minus every private-domain cost minus the platform
  contribution lost to cannibalised orders (what the control arm earns and this arm does not).
  Its first day at or above 0 for good is the ``payback_day`` metric.
- ``net_profit_cny``: the same, gross: all income lines minus all cost lines of the ledger.
- ``not_churned``, ``churned_unsubscribe``, ``churned_dormancy``: whole days since joining;
  the share of members who by then have not churned, whose first churn was deleting /
  unsubscribing, or whose first churn was dormancy. A discrete-time competing-risks
  estimate (Kaplan-Meier for the first, Aalen-Johansen for the others), censored at the
  end of the run, so the three add up to 1. NaN where no member is followed that long.
- ``sms_add_share``: hours since the SMS was sent; add requests within that many hours /
  SMS sent (at 3, 6, 12 and 24 h these are the ``sms_adds_*h`` metrics). NaN without SMS.
- ``card_adds_per_card``: whole days after the parcel's delivery (the last point holds that
  day and later); card add requests made that day / cards sent. NaN without cards.
- ``requests_daily``, ``adds_daily``, ``requests_lost_daily``, ``lost_to_caps_daily``: day of the
  horizon; add requests reaching the onboarding desk that day, requests accepted, requests lost
  (buyers who gave up waiting, dated at their deadline, and requests turned away by full WeCom
  accounts), and of those the ones turned away by full accounts.
- ``desk_load_daily``: day of the horizon; the agents' handling time / their time on duty that day.
- ``group_members_daily``, ``group_active_share_daily``: day of the horizon; members in a customer group (社群)
  at the end of the day, and their groups' mean active share (the chance a group message reaches a member).
  NaN without groups.
- ``touch_team_load_daily``: day of the horizon; the touch team's minutes used / its minutes that day (1:1 chat,
  posts, group messages, live streams). NaN without a touch team.
- ``wecom_friends``, ``wecom_accounts``: day of the horizon; friends on the WeCom accounts and
  accounts used (opened ones included) at the end of the day. Accounts are not scaled by the sample
  share (a sampled run's accounts hold the share of the friends). The daily curves are NaN with
  unlimited onboarding.

Counts and money are divided by the sample share (``population.sample_share``), like every total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model.funnel import RunRecord
from sim.model.ledger import COST_LINES, INCOME_LINES
from sim.model.members import CHANNELS
from sim.model.population import Platform

FUNNEL_STAGES: tuple[str, ...] = (
    "platform_buyers",
    "reached_card",
    "reached_sms",
    "added",
    "first_order",
    "repeat_buyers",
    "referred",
)
# the stage each funnel stage's conversion is measured from
FUNNEL_FROM: dict[str, str] = {
    "reached_card": "platform_buyers",
    "reached_sms": "platform_buyers",
    "added": "platform_buyers",
    "first_order": "added",
    "repeat_buyers": "first_order",
    "referred": "added",
}
DETAIL_STAGES: tuple[str, ...] = (
    *(f"requests_{c}" for c in CHANNELS),
    *(f"lost_{c}" for c in CHANNELS),
    *(f"added_{c}" for c in CHANNELS),
    "cards_sent",
    "lost_to_caps",
)
CHURN_CURVES: tuple[str, ...] = ("not_churned", "churned_unsubscribe", "churned_dormancy")
CURVES: tuple[str, ...] = (
    "incremental_profit_cny",
    "net_profit_cny",
    *CHURN_CURVES,
    "sms_add_share",
    "card_adds_per_card",
    "requests_daily",
    "adds_daily",
    "requests_lost_daily",
    "lost_to_caps_daily",
    "desk_load_daily",
    "wecom_friends",
    "wecom_accounts",
    "group_members_daily",
    "group_active_share_daily",
    "touch_team_load_daily",
)
SURVIVAL_DAYS = 365
SMS_HOURS: np.ndarray = np.arange(0.0, 48.0 + 0.25, 0.5)
CARD_DAYS: np.ndarray = np.arange(15.0)  # 0 .. 14, the last bin is "14 or more"
FUNNEL_COLUMNS = ["strategy", "replication", "stage", "count"]
CURVE_COLUMNS = ["strategy", "replication", "curve", "x", "value"]


def buyers_with_card(platform: Platform, n_days: int) -> int:
    """Distinct buyers whose parcel (with its card) is delivered within the run's days."""
    n_parcel_days = min(len(platform.parcel_day_start) - 1, n_days)
    end = int(platform.parcel_day_start[n_parcel_days])
    if end == 0:
        return 0
    return int(np.count_nonzero(np.bincount(platform.parcel_buyer[:end].astype(np.int64))))


def funnel_counts(rec: RunRecord, reached_card: int) -> dict[str, int]:
    """People at each funnel stage (plus detail counts by channel and the cards sent)."""
    m = rec.members
    channel = m["channel"].to_numpy()
    n_orders = m["n_orders"].to_numpy()
    counts = {
        "platform_buyers": rec.platform_buyers,
        "reached_card": reached_card if rec.cards_sent > 0 else 0,
        "reached_sms": rec.sms_reached if rec.sms_reached >= 0 else rec.sms_sent,
        "added": len(m),
        "first_order": int(np.isfinite(m["first_order_day"].to_numpy()).sum()),
        "repeat_buyers": int((n_orders >= 2).sum()),
        "referred": int((channel == "referral").sum()),
    }
    for c in CHANNELS:
        counts[f"requests_{c}"] = int(rec.requests.get(c, 0))
        counts[f"lost_{c}"] = int(rec.lost.get(c, 0))
        counts[f"added_{c}"] = int((channel == c).sum())
    counts["cards_sent"] = rec.cards_sent
    counts["lost_to_caps"] = rec.lost_to_caps
    return {k: int(v) for k, v in counts.items()}


def net_profit_curves(rec: RunRecord) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Cumulative incremental and gross net profit at the end of every simulated day."""
    led = rec.ledger
    daily = led[list(INCOME_LINES)].to_numpy().sum(axis=1) - led[list(COST_LINES)].to_numpy().sum(axis=1)
    days = np.arange(daily.size, dtype=float)
    incremental = daily - led["platform_contribution_lost"].to_numpy()
    share = rec.sample_share
    return {
        "incremental_profit_cny": (days, np.cumsum(incremental) / share),
        "net_profit_cny": (days, np.cumsum(daily) / share),
    }


def churn_curves(rec: RunRecord, max_days: int = SURVIVAL_DAYS) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Competing-risks curves of the first churn event by whole days since joining (see module doc)."""
    m = rec.members
    x = np.arange(max_days + 1, dtype=float)
    if len(m) == 0:
        nan = np.full(x.size, np.nan)
        return {c: (x, nan) for c in CHURN_CURVES}
    join = m["join_day"].to_numpy(dtype=float)
    churn = m["churn_day"].to_numpy(dtype=float)
    kind = m["churn_type"].to_numpy()
    end = float(rec.n_days)
    observed = churn < end
    duration = np.clip(np.where(observed, churn, end) - join, 0.0, None)
    day = np.minimum(np.floor(duration).astype(np.int64), max_days + 1)
    n_bins = max_days + 2
    at_risk = np.bincount(day, minlength=n_bins)[::-1].cumsum()[::-1][: max_days + 1]  # followed into day j
    events = {
        k: np.bincount(day[observed & (kind == k)], minlength=n_bins)[: max_days + 1]
        for k in ("unsubscribe", "dormancy")
    }
    with np.errstate(invalid="ignore", divide="ignore"):
        hazard = {k: np.where(at_risk > 0, e / at_risk, np.nan) for k, e in events.items()}
    surv = np.empty(max_days + 1)
    cif = {k: np.empty(max_days + 1) for k in events}
    surv[0] = 1.0
    for k in cif:
        cif[k][0] = 0.0
    total = hazard["unsubscribe"] + hazard["dormancy"]
    surv[1:] = np.cumprod(1.0 - total[:-1])
    before = surv[:-1]
    for k in cif:
        cif[k][1:] = np.cumsum(before * hazard[k][:-1])
    return {
        "not_churned": (x, surv),
        "churned_unsubscribe": (x, cif["unsubscribe"]),
        "churned_dormancy": (x, cif["dormancy"]),
    }


def sms_response_curve(rec: RunRecord) -> tuple[np.ndarray, np.ndarray]:
    """(hours, add requests within that many hours / SMS sent) on :data:`SMS_HOURS`."""
    if rec.sms_sent <= 0:
        return SMS_HOURS, np.full(SMS_HOURS.size, np.nan)
    hours = np.sort(np.asarray(rec.sms_response_hours, dtype=float))
    return SMS_HOURS, np.searchsorted(hours, SMS_HOURS, side="right") / float(rec.sms_sent)


def card_adds_curve(rec: RunRecord) -> tuple[np.ndarray, np.ndarray]:
    """(days after delivery, card add requests that day / cards sent) on :data:`CARD_DAYS`."""
    if rec.cards_sent <= 0:
        return CARD_DAYS, np.full(CARD_DAYS.size, np.nan)
    last = CARD_DAYS.size - 1
    day = np.minimum(np.floor(np.asarray(rec.card_add_delay_days, dtype=float)).astype(np.int64), last)
    return CARD_DAYS, np.bincount(day, minlength=CARD_DAYS.size)[: CARD_DAYS.size] / float(rec.cards_sent)


def daily_curves(rec: RunRecord) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The desk's requests, adds, losses and load and the WeCom accounts by day of the horizon (see module doc)."""
    days = np.arange(rec.horizon_days, dtype=float)
    if rec.daily is None:
        nan = np.full(days.size, np.nan)
        return {name: (days, nan) for name in CURVES if name.endswith("_daily") or name.startswith("wecom_")}
    d = rec.daily.iloc[: rec.horizon_days]
    share = rec.sample_share
    with np.errstate(invalid="ignore", divide="ignore"):
        load = np.where(d["duty_days"] > 0, d["busy_days"] / d["duty_days"], np.nan)
    return {
        "requests_daily": (days, d["arrived"].to_numpy() / share),
        "adds_daily": (days, d["accepted"].to_numpy() / share),
        "requests_lost_daily": (days, (d["lost_patience"] + d["lost_cap"]).to_numpy() / share),
        "lost_to_caps_daily": (days, d["lost_cap"].to_numpy() / share),
        "desk_load_daily": (days, load),
        "wecom_friends": (days, d["friends"].to_numpy() / share),
        "wecom_accounts": (days, d["accounts"].to_numpy()),
        **channel_curves(rec, d, days),
    }


def channel_curves(rec: RunRecord, d: pd.DataFrame, days: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The groups' members and mean active share, and the touch team's load, by day of the horizon (NaN without
    groups or team)."""
    available = rec.channels.get("staff_minutes_available", 0.0) / max(rec.horizon_days, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        load = d["touch_staff_minutes"].to_numpy() / available if available > 0 else np.full(days.size, np.nan)
    groups = rec.channels.get("groups_opened", 0.0) > 0
    return {
        "group_members_daily": (days, d["group_members"].to_numpy() / rec.sample_share if groups else days * np.nan),
        "group_active_share_daily": (days, d["group_active_share"].to_numpy() if groups else days * np.nan),
        "touch_team_load_daily": (days, load),
    }


def curve_frame(rec: RunRecord, strategy: str, replication: int) -> pd.DataFrame:
    """Every curve of one strategy on one replication, as a tidy table (:data:`CURVE_COLUMNS`)."""
    curves = {**net_profit_curves(rec), **churn_curves(rec)}
    curves["sms_add_share"] = sms_response_curve(rec)
    curves["card_adds_per_card"] = card_adds_curve(rec)
    curves.update(daily_curves(rec))
    parts = [
        pd.DataFrame({"curve": name, "x": x.astype(float), "value": np.asarray(v, dtype=float)})
        for name, (x, v) in curves.items()
    ]
    df = pd.concat(parts, ignore_index=True)
    df.insert(0, "replication", replication)
    df.insert(0, "strategy", strategy)
    return df[CURVE_COLUMNS]


def funnel_frame(rec: RunRecord, strategy: str, replication: int, reached_card: int) -> pd.DataFrame:
    """The funnel counts of one strategy on one replication, as a tidy table (:data:`FUNNEL_COLUMNS`)."""
    counts = funnel_counts(rec, reached_card)
    return pd.DataFrame(
        {
            "strategy": strategy,
            "replication": replication,
            "stage": list(counts),
            "count": np.array(list(counts.values()), dtype=float) / rec.sample_share,
        }
    )
