"""Per-replication metrics computed from a run's record (pure numpy/pandas, no SimPy).

Every metric is defined once in :data:`METRICS` (the README's table is written from
the same definitions). A metric whose denominator is zero (no SMS sent, no members
acquired, ...) is NaN here and "missing" in the outputs, never 0 or infinity.

The headline is ``incremental_net_profit_12m``: what the members acquired earn in their LTV window
(their first 12 months) over what the same buyers earn without capture (the control arm), minus
everything spent acquiring them. The metrics of :data:`WINDOW_METRICS` say their window: with
``accounting.ltv_months=24`` they are ``incremental_net_profit_24m``, ``net_profit_24m`` and ``ltv_24m``
(:func:`windowed`); :data:`METRICS` names them as at the default window. Totals (``Metric.total``) are
divided by ``population.sample_share``, so a run on a sample of the buyers reports the whole population's totals.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from sim.config import LTV_MONTHS
from sim.model.funnel import RunRecord
from sim.model.ledger import ACQUISITION_LINES, COST_LINES, INCOME_LINES, ORDER_COST_LINES
from sim.model.members import TOUCH_CHANNELS

DAYS_PER_MONTH = 365.25 / 12.0
SMS_MARKS_HOURS: tuple[int, ...] = (3, 6, 12, 24)
DEFAULT_LTV_MONTHS = 12  # the window METRICS names: ltv_12m


@dataclass(frozen=True)
class Metric:
    """A metric's unit, direction (+1: higher is better, -1: lower is better) and definition; ``total``: a sum over
    buyers, which a sampled run divides by its sample share."""

    unit: str
    direction: int
    definition: str
    total: bool = False


METRICS: dict[str, Metric] = {
    "incremental_net_profit_12m": Metric(
        "CNY",
        +1,
        "the headline: the members' value in their LTV window (accounting.ltv_months: 12, 24 or 36 months; "
        "discounted to the join day) less what their "
        "cannibalised orders would have earned on the platforms, minus the acquisition spend: the profit against "
        "doing nothing = members_acquired x (incremental_ltv - cac)",
        total=True,
    ),
    "net_profit_12m": Metric(
        "CNY",
        +1,
        "as incremental_net_profit_12m, but gross: cannibalised orders count as new = members_acquired x "
        "(ltv_12m - cac)",
        total=True,
    ),
    "members_acquired": Metric(
        "members", +1, "friends added (accepted add requests) from card, SMS and referral", total=True
    ),
    "capture_rate_card": Metric("share", +1, "members added through the package card / cards sent"),
    "capture_rate_sms": Metric("share", +1, "members added through SMS / SMS sent"),
    "card_contribution": Metric(
        "CNY per card", +1, "private gross margin in the LTV window of card-captured members / cards sent"
    ),
    "first_order_rate": Metric("share", +1, "members with a first private order / members acquired"),
    "cac": Metric(
        "CNY per member",
        -1,
        "acquisition spend (cards, SMS, hook payouts, referral rewards, onboarding staff) / members acquired",
    ),
    "cost_per_first_order": Metric(
        "CNY per first order", -1, "(acquisition spend + first-order subsidies) / first private orders"
    ),
    "ltv_12m": Metric(
        "CNY per member",
        +1,
        "private gross margin net of subsidies, touch costs and private order costs (service, shipping, payment "
        "fee, member discount), plus membership fees, in each member's LTV window (first 12, 24 or 36 months), "
        "discounted to the join day, per member acquired",
    ),
    "incremental_ltv": Metric(
        "CNY per member",
        +1,
        "ltv_12m less what the members' cannibalised orders would have earned on their platform "
        "(gross margin - commission - ads), discounted alike: the value against the control arm without capture",
    ),
    "ltv_horizon": Metric(
        "CNY per member", +1, "as ltv_12m, but counting only what happens before the end of the horizon"
    ),
    "ltv_to_cac": Metric("ratio", +1, "ltv_12m / cac"),
    "incremental_ltv_to_cac": Metric("ratio", +1, "incremental_ltv / cac"),
    "monthly_churn": Metric(
        "share per month",
        -1,
        "chance a member churns (first unsubscribe or dormancy) within a month: 1 - exp(-h), "
        "h = first churn events / member-months at risk before churning",
    ),
    "monthly_churn_unsubscribe": Metric(
        "share per month", -1, "monthly_churn times the share of churn events that are deleting/unsubscribing"
    ),
    "monthly_churn_dormancy": Metric(
        "share per month",
        -1,
        "monthly_churn times the share of churn events that are dormancy (no private order within the window)",
    ),
    "payback_day": Metric(
        "day",
        -1,
        "first day from which cumulative incremental net profit (private income minus all private-domain costs "
        "minus the platform contribution lost to cannibalised orders) stays >= 0",
    ),
    "roi": Metric(
        "ratio", +1, "(private income - all private-domain costs) / all private-domain costs, within the horizon"
    ),
    "incremental_roi": Metric(
        "ratio",
        +1,
        "(private income - all private-domain costs - platform contribution lost to cannibalised orders) "
        "/ all private-domain costs, within the horizon",
    ),
    "private_gmv": Metric("CNY", +1, "value of private orders within the horizon", total=True),
    "private_orders": Metric("orders", +1, "private orders within the horizon", total=True),
    "brand_orders": Metric(
        "orders",
        +1,
        "orders of the brand from these buyers and their referred friends within the horizon, on the platforms "
        "and in private: the control arm's platform orders, less the cannibalised ones, plus the private ones",
        total=True,
    ),
    "cannibalised_orders": Metric(
        "orders",
        -1,
        "private orders within the horizon that replaced an order the member would have placed "
        "on their platform (the control arm has it there)",
        total=True,
    ),
    "cannibalisation_rate": Metric("share", -1, "cannibalised_orders / private_orders"),
    "incremental_margin": Metric(
        "CNY",
        +1,
        "private gross margin less order costs (service, shipping, payment fee, member discount) less the "
        "platform contribution (gross margin - commission - ads) of cannibalised orders, within the horizon: "
        "the order margin the brand gains over the control arm, before acquisition and retention spend",
        total=True,
    ),
    "desk_utilisation": Metric(
        "share",
        -1,
        "share of the onboarding agents' working time over the horizon spent handling add requests; a planning "
        "signal, not a goal: near 0 the team is idle",
    ),
    "requests_lost_share": Metric(
        "share", -1, "add requests lost because the buyer gave up waiting / add requests made"
    ),
    "traffic": Metric(
        "messages",
        +1,
        "package cards and SMS sent: the traffic (流量) of the private-domain GMV formula",
        total=True,
    ),
    "referred_members": Metric("members", +1, "members who joined through a member's referral (裂变)", total=True),
    "k_factor": Metric(
        "ratio",
        +1,
        "referred members / members acquired: every referred member has one referrer, so this is the mean number "
        "of friends a member brings in (K); one card or SMS member grows into 1 / (1 - K) members when K < 1",
    ),
    "fission_rate": Metric(
        "ratio",
        +1,
        "referred members / members captured by card or SMS (裂变率): K / (1 - K) once every referral chain has ended",
    ),
    "share_completion_rate": Metric(
        "share",
        +1,
        "referral shares whose 拼团 group formed, 助力 link reached its threshold, red packet was fully claimed or "
        "抽奖 ticket won / referral shares (成团率)",
    ),
    "response_time_hours": Metric(
        "hours", -1, "mean hours from a buyer's add request to the agent accepting it, over members acquired (响应时长)"
    ),
    "repurchase_cycle_days": Metric(
        "days",
        -1,
        "median days between a member's consecutive private orders, both within the horizon (复购周期)",
    ),
    "touch_team_utilisation": Metric(
        "share",
        -1,
        "share of the touch team's minutes over the horizon spent on 1:1 chats, posts, group messages and live "
        "streams (touch.staff_hours_per_day); a planning signal: near 1 the team is the bottleneck",
    ),
    "interaction_rate": Metric(
        "share",
        +1,
        "moments posts seen, group messages that reached their member and live streams attended / the members each "
        "was sent to (内容互动率, read as seen or attended: the model has no likes or replies)",
    ),
    "groups_opened": Metric("groups", +1, "customer groups (社群) opened, each up to touch.groups.size_cap members"),
    "group_members": Metric("members", +1, "members who joined a customer group (社群)", total=True),
    "group_active_share": Metric(
        "share",
        +1,
        "the groups' active share over the horizon (the chance a group message reaches a member in the group), "
        "averaged over days weighted by the members in groups",
    ),
    **{
        f"orders_from_{name}": Metric(
            "orders",
            +1,
            f"private orders over the run added by {text}: an added order is credited to the channels in "
            "proportion to the part of the purchase rate each one's lift added",
            total=True,
        )
        for name, text in (
            ("chat", "1:1 chat (一对一私聊)"),
            ("moments", "moments posts (朋友圈)"),
            ("groups", "group messages (社群)"),
            ("live", "live streams (直播), the orders placed during a stream included"),
        )
    },
    **{
        f"sms_adds_{h}h": Metric("share", +1, f"SMS add requests within {h} h of sending / SMS sent")
        for h in SMS_MARKS_HOURS
    },
}


WINDOW_METRICS: tuple[str, ...] = ("incremental_net_profit_12m", "net_profit_12m", "ltv_12m")  # name their window


def windowed(metric: str, ltv_months: int) -> str:
    """``metric`` as a run with an LTV window of ``ltv_months`` names it: ``ltv_12m`` is ``ltv_24m`` at 24 months;
    a metric outside :data:`WINDOW_METRICS` keeps its name."""
    return f"{metric.removesuffix('_12m')}_{ltv_months}m" if metric in WINDOW_METRICS else metric


def metric_key(metric: str) -> str | None:
    """The :data:`METRICS` key of ``metric`` at any LTV window (``ltv_24m`` -> ``ltv_12m``); None if unknown."""
    stem, sep, months = metric.rpartition("_")
    if sep and months.endswith("m") and months[:-1].isdigit() and f"{stem}_12m" in WINDOW_METRICS:
        return f"{stem}_12m" if int(months[:-1]) in LTV_MONTHS else None
    return metric if metric in METRICS else None


def definition(metric: str) -> Metric:
    """The definition of ``metric`` at any LTV window (``ltv_24m`` is defined as ``ltv_12m``); KeyError if unknown."""
    return METRICS[metric_key(metric) or metric]


def window_months(metrics: Iterable[str]) -> int:
    """The LTV window (months) of a table whose metrics are ``metrics``, from the name of its ``ltv_..m`` metric;
    the default window when the table has none."""
    for name in metrics:
        if name not in METRICS and metric_key(name) == "ltv_12m":
            return int(name.removeprefix("ltv_")[:-1])
    return DEFAULT_LTV_MONTHS


def as_in(metric: str, metrics: Iterable[str]) -> str:
    """``metric`` (named as :data:`METRICS` names it) as a table whose metrics are ``metrics`` names it."""
    return windowed(metric, window_months(metrics))


NO_MEMBERS = "no member acquired"
# When each metric can be missing (NaN); a metric not listed here always has a value.
MISSING_WHEN: dict[str, str] = {
    "capture_rate_card": "no card sent",
    "card_contribution": "no card sent",
    "capture_rate_sms": "no SMS sent",
    **{f"sms_adds_{h}h": "no SMS sent" for h in SMS_MARKS_HOURS},
    "first_order_rate": NO_MEMBERS,
    "cac": NO_MEMBERS,
    "ltv_12m": NO_MEMBERS,
    "ltv_horizon": NO_MEMBERS,
    "incremental_ltv": NO_MEMBERS,
    "monthly_churn": NO_MEMBERS,
    "monthly_churn_unsubscribe": NO_MEMBERS,
    "monthly_churn_dormancy": NO_MEMBERS,
    "ltv_to_cac": f"{NO_MEMBERS}, or no acquisition spend",
    "incremental_ltv_to_cac": f"{NO_MEMBERS}, or no acquisition spend",
    "cost_per_first_order": "no first private order",
    "cannibalisation_rate": "no private order within the horizon",
    "roi": "no private-domain cost within the horizon",
    "incremental_roi": "no private-domain cost within the horizon",
    "requests_lost_share": "no add request",
    "k_factor": NO_MEMBERS,
    "fission_rate": "no member captured by card or SMS",
    "share_completion_rate": "no referral share, or referral.mechanic=invite (nothing to complete)",
    "response_time_hours": NO_MEMBERS,
    "repurchase_cycle_days": "no member with two private orders within the horizon",
    "desk_utilisation": "onboarding.unlimited=true (no desk)",
    "touch_team_utilisation": "no touch team (touch.staff_hours_per_day=0)",
    "group_active_share": "no member in a group",
    "interaction_rate": "no moments post, group message or live stream",
    "payback_day": "cumulative incremental net profit does not stay >= 0 before the run ends",
}


def _ratio(num: float, den: float) -> float:
    """num / den, or NaN (missing) when there is no positive denominator or the quotient overflows."""
    if not den > 0:
        return float("nan")
    with np.errstate(over="ignore"):
        q = np.float64(num) / np.float64(den)
    return float(q) if np.isfinite(q) else float("nan")


def payback_day(ledger_income: np.ndarray, ledger_cost: np.ndarray) -> float:
    """First day from which cumulative net profit stays non-negative; NaN if it never does."""
    cum = np.cumsum(ledger_income - ledger_cost)
    negative = np.flatnonzero(cum < 0)
    if negative.size == 0:
        return 0.0
    last_negative = int(negative[-1])
    return float(last_negative + 1) if last_negative + 1 < cum.size else float("nan")


def monthly_churn(churned: np.ndarray, kind: np.ndarray, months_at_risk: float) -> dict[str, float]:
    """Monthly churn probability from a constant-hazard fit, split by the kind of churn event."""
    events = float(churned.sum())
    total = -math.expm1(-_ratio(events, months_at_risk))
    unsub = float((churned & (kind == "unsubscribe")).sum())
    share = _ratio(unsub, events) if events > 0 else 0.0
    return {
        "monthly_churn": total,
        "monthly_churn_unsubscribe": total * share,
        "monthly_churn_dormancy": total * (1.0 - share),
    }


def repurchase_cycle_days(member: np.ndarray, day: np.ndarray, horizon_days: float) -> float:
    """Median gap in days between consecutive private orders of the same member, counting orders placed before
    ``horizon_days``; NaN if no member has two."""
    keep = day < horizon_days
    member, day = member[keep], day[keep]
    order = np.lexsort((day, member))
    member, day = member[order], day[order]
    gaps_days = np.diff(day)[member[1:] == member[:-1]]
    return float(np.median(gaps_days)) if gaps_days.size else float("nan")


def compute_metrics(rec: RunRecord) -> dict[str, float]:
    """All metrics of one replication of one strategy (totals scaled to the whole population)."""
    m, led = rec.members, rec.ledger
    n_members = len(m)
    channel = m["channel"].to_numpy()
    card_members = channel == "card"
    acquisition = float(led[list(ACQUISITION_LINES)].to_numpy().sum())
    first_orders = int(np.isfinite(m["first_order_day"].to_numpy()).sum())
    cac = _ratio(acquisition, n_members)

    end = float(rec.n_days)
    join = m["join_day"].to_numpy()
    churn_day = m["churn_day"].to_numpy()
    churned = churn_day < end
    months_at_risk = float(np.clip(np.minimum(churn_day, end) - join, 0.0, None).sum()) / DAYS_PER_MONTH
    kind = m["churn_type"].to_numpy()

    in_horizon = led.index < rec.horizon_days
    income = led[list(INCOME_LINES)].to_numpy().sum(axis=1)
    cost = led[list(COST_LINES)].to_numpy().sum(axis=1)
    lost_daily = led["platform_contribution_lost"].to_numpy()
    horizon_cost = float(cost[in_horizon].sum())
    lost = float(lost_daily[in_horizon].sum())
    order_costs = float(led[list(ORDER_COST_LINES)].to_numpy()[in_horizon].sum())
    order_day = rec.orders["day"].to_numpy()
    private_orders = int((order_day < rec.horizon_days).sum())
    cannibalised = int((rec.orders["replaced_platform_order"].to_numpy() & (order_day < rec.horizon_days)).sum())
    net_horizon = float(income[in_horizon].sum()) - horizon_cost
    ltv_total = float(m["ltv_window_cny"].sum())
    incremental_total = ltv_total - float(m["lost_platform_window_cny"].sum())
    requests = sum(rec.requests.values())
    referred = int((channel == "referral").sum())

    out = {
        "incremental_net_profit_12m": incremental_total - acquisition,
        "net_profit_12m": ltv_total - acquisition,
        "members_acquired": float(n_members),
        "capture_rate_card": _ratio(card_members.sum(), rec.cards_sent),
        "capture_rate_sms": _ratio((channel == "sms").sum(), rec.sms_sent),
        "card_contribution": _ratio(m["gross_margin_window_cny"].to_numpy()[card_members].sum(), rec.cards_sent),
        "first_order_rate": _ratio(first_orders, n_members),
        "cac": cac,
        "cost_per_first_order": _ratio(acquisition + float(led["first_order_subsidy"].sum()), first_orders),
        "ltv_12m": _ratio(ltv_total, n_members),
        "ltv_horizon": _ratio(m["ltv_horizon_cny"].sum(), n_members),
        **monthly_churn(churned, kind, months_at_risk),
        "payback_day": payback_day(income, cost + lost_daily),
        "roi": _ratio(net_horizon, horizon_cost),
        "incremental_roi": _ratio(net_horizon - lost, horizon_cost),
        "private_gmv": float(led["gmv"].to_numpy()[in_horizon].sum()),
        "private_orders": float(private_orders),
        "brand_orders": float(rec.platform_orders - cannibalised + private_orders),
        "cannibalised_orders": float(cannibalised),
        "cannibalisation_rate": _ratio(cannibalised, private_orders),
        "incremental_margin": float(led["gross_margin"].to_numpy()[in_horizon].sum()) - order_costs - lost,
        "incremental_ltv": _ratio(incremental_total, n_members),
        "desk_utilisation": rec.desk_utilisation,
        "requests_lost_share": _ratio(sum(rec.lost.values()), requests),
        "traffic": float(rec.cards_sent + rec.sms_sent),
        "referred_members": float(referred),
        "k_factor": _ratio(referred, n_members),
        "fission_rate": _ratio(referred, n_members - referred),
        "share_completion_rate": _ratio(rec.referral_completed, rec.referral_shares)
        if rec.referral_mechanic != "invite"
        else float("nan"),
        "response_time_hours": float(m["wait_hours"].mean()) if n_members else float("nan"),
        "repurchase_cycle_days": repurchase_cycle_days(
            rec.orders["member"].to_numpy(), order_day, float(rec.horizon_days)
        ),
        **channel_metrics(rec),
    }
    out["ltv_to_cac"] = _ratio(out["ltv_12m"], cac) if np.isfinite(out["ltv_12m"]) else float("nan")
    out["incremental_ltv_to_cac"] = (
        _ratio(out["incremental_ltv"], cac) if np.isfinite(out["incremental_ltv"]) else float("nan")
    )
    hours = rec.sms_response_hours
    for h in SMS_MARKS_HOURS:
        out[f"sms_adds_{h}h"] = _ratio((hours <= h).sum(), rec.sms_sent)
    return {
        windowed(name, rec.ltv_months): out[name] / rec.sample_share if METRICS[name].total else out[name]
        for name in METRICS
    }


def channel_metrics(rec: RunRecord) -> dict[str, float]:
    """The touch team's utilisation, the groups, and the added orders credited to each channel (of the sample)."""
    ch = rec.channels
    out = {
        "touch_team_utilisation": _ratio(ch.get("staff_minutes_used", 0.0), ch.get("staff_minutes_available", 0.0)),
        "groups_opened": ch.get("groups_opened", 0.0),
        "group_members": ch.get("group_joins", 0.0),
        "group_active_share": float("nan"),
        "interaction_rate": _ratio(
            ch.get("moments_views", 0.0) + ch.get("group_views", 0.0) + ch.get("live_attendees", 0.0),
            ch.get("moments_audience", 0.0) + ch.get("group_audience", 0.0) + ch.get("live_audience", 0.0),
        ),
        **{f"orders_from_{name}": ch.get(f"added_orders_{name}", 0.0) for name in TOUCH_CHANNELS},
    }
    if rec.daily is not None and "group_members" in rec.daily:
        d = rec.daily.iloc[: rec.horizon_days]
        members, active = d["group_members"].to_numpy(), d["group_active_share"].to_numpy()
        out["group_active_share"] = _ratio(float(np.nansum(members * active)), members.sum())
    return out


def acquisition_spend(rec: RunRecord) -> float:
    """Total of the ledger's acquisition lines: the numerator of ``cac`` (of the simulated sample)."""
    return float(rec.ledger[list(ACQUISITION_LINES)].to_numpy().sum())
