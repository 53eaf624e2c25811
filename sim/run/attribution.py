"""Where a run's incremental profit comes from: by capture source, by SMS wave, by campaign, and the accounts.

Pure numpy/pandas on one replication's :class:`~sim.model.funnel.RunRecord`. A member's
*incremental value* is their LTV window (``ltv_12m``, discounted to the join day) less what
their cannibalised orders would have earned on their platform: what the headline sums.

- :func:`profit_by_source` splits ``incremental_net_profit_12m`` exactly: each capture source
  (package card, routine SMS, every wave, referral) gets its members' incremental value minus
  their hooks and its own messages or cards; the team (onboarding staff, accounts opened) is a
  source of its own. The parts sum to the headline.
- :func:`wave_rows`: per SMS wave, what it sent, delivered and brought (add requests at 3, 6, 12
  and 24 h, members, first orders), what it cost (messages and its members' hooks) and its
  incremental profit as attributed above. An attribution, not a causal effect: a member a wave
  captured might have scanned a card later; the paired difference against the same strategy
  without the wave measures that.
- :func:`campaign_rows`: per campaign, over its windows: the members whose add request fell in a
  window, their incremental value, the spend booked on the window's days (cards, SMS, staff,
  accounts) and their hooks, and the desk on the window's busiest day (requests, load, losses).
- :func:`account_row`: the WeCom accounts at the end of the run.

Totals are divided by the sample share, like every total.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.config import StrategyConfig
from sim.model.funnel import RunRecord
from sim.run.compare import interval
from sim.run.metrics import SMS_MARKS_HOURS

TEAM_LINES: tuple[str, ...] = ("onboarding_staff", "wecom_accounts")
WINDOW_LINES: tuple[str, ...] = ("cards", "sms", "onboarding_staff", "wecom_accounts")
WAVE_COLUMNS = [
    "strategy",
    "replication",
    "wave",
    "hook",
    "send_day",
    "send_hour",
    "audience_kind",
    "audience",
    "sent",
    "delivered",
    "filtered",
    "clicked",
    "requests",
    *(f"adds_{h}h" for h in SMS_MARKS_HOURS),
    "members",
    "first_orders",
    "opted_out",
    "message_cost_cny",
    "hook_cost_cny",
    "cost_cny",
    "cost_per_member_cny",
    "incremental_value_cny",
    "incremental_profit_cny",
]
CAMPAIGN_COLUMNS = [
    "strategy",
    "replication",
    "campaign",
    "windows",
    "days",
    "requests",
    "members",
    "first_orders",
    "spend_cny",
    "incremental_value_cny",
    "incremental_profit_cny",
    "peak_day",
    "peak_requests",
    "peak_load",
    "peak_lost",
]
ACCOUNT_COLUMNS = [
    "strategy",
    "replication",
    "initial",
    "used",
    "capacity",
    "friends",
    "lost_to_caps",
    "first_full_day",
]
# quantities that are totals over buyers (divided by the sample share); the others are days, hours, shares or ratios
_TOTAL_KEYS = {
    "audience",
    "sent",
    "delivered",
    "clicked",
    "requests",
    *(f"adds_{h}h" for h in SMS_MARKS_HOURS),
    "members",
    "first_orders",
    "opted_out",
    "message_cost_cny",
    "hook_cost_cny",
    "cost_cny",
    "incremental_value_cny",
    "spend_cny",
    "incremental_profit_cny",  # campaigns (a wave's comes scaled from profit_by_source)
    "peak_requests",
    "peak_lost",
}


def incremental_value(rec: RunRecord) -> np.ndarray:
    """Each member's incremental value over the LTV window: its LTV less the platform contribution of their
    cannibalised orders."""
    m = rec.members
    return m["ltv_window_cny"].to_numpy() - m["lost_platform_window_cny"].to_numpy()


def profit_by_source(rec: RunRecord, wave_names: list[str] | None = None) -> dict[str, float]:
    """``incremental_net_profit_12m`` split by capture source (totals, scaled to the population); the parts sum
    to it exactly (up to rounding)."""
    m, led = rec.members, rec.ledger
    names = wave_names if wave_names is not None else [w.name for w in rec.waves]
    net = incremental_value(rec) - m["hook_cost_cny"].to_numpy()
    channel, origin = m["channel"].to_numpy(), m["origin"].to_numpy()
    wave_messages = [w.message_cost_cny for w in rec.waves]
    out = {
        "card": float(net[channel == "card"].sum()) - float(led["cards"].sum()),
        "sms": float(net[(channel == "sms") & (origin < 0)].sum()) - (float(led["sms"].sum()) - sum(wave_messages)),
    }
    for i, name in enumerate(names):
        out[f"wave:{name}"] = float(net[origin == i].sum()) - (wave_messages[i] if i < len(wave_messages) else 0.0)
    out["referral"] = float(net[channel == "referral"].sum()) - float(led["referral_reward"].sum())
    out["team"] = -float(led[list(TEAM_LINES)].to_numpy().sum())
    return {k: v / rec.sample_share for k, v in out.items()}


def _hook_text(strategy: StrategyConfig, index: int) -> str:
    hook = strategy.sms.waves[index].hook
    return "none" if hook.type.value == "none" else f"{hook.type.value} {hook.value_cny:g}"


def wave_rows(rec: RunRecord, strategy: StrategyConfig) -> pd.DataFrame:
    """One row per SMS wave of the strategy (:data:`WAVE_COLUMNS`)."""
    if not rec.waves:
        return pd.DataFrame(columns=WAVE_COLUMNS)
    m = rec.members
    origin = m["origin"].to_numpy()
    value = incremental_value(rec)
    hook_cost = m["hook_cost_cny"].to_numpy()
    first = np.isfinite(m["first_order_day"].to_numpy())
    profit = profit_by_source(rec, [w.name for w in strategy.sms.waves])
    by_name = {w.name: (i, w) for i, w in enumerate(strategy.sms.waves)}
    rows = []
    for result in rec.waves:
        i, wave = by_name[result.name]
        mine = origin == i
        hours = np.asarray(result.request_hours)
        cost = result.message_cost_cny + float(hook_cost[mine].sum())
        row = {
            "wave": result.name,
            "hook": _hook_text(strategy, i),
            "send_day": float(np.floor(result.send_time)),
            "send_hour": wave.send_hour,
            "audience_kind": wave.audience.value,
            "audience": result.audience,
            "sent": result.sent,
            "delivered": result.delivered,
            "filtered": float(result.filtered),
            "clicked": result.clicked,
            "requests": int(hours.size),
            **{f"adds_{h}h": int((hours <= h).sum()) for h in SMS_MARKS_HOURS},
            "members": int(mine.sum()),
            "first_orders": int((mine & first).sum()),
            "opted_out": result.opted_out,
            "message_cost_cny": result.message_cost_cny,
            "hook_cost_cny": float(hook_cost[mine].sum()),
            "cost_cny": cost,
            "cost_per_member_cny": cost / mine.sum() if mine.any() else np.nan,
            "incremental_value_cny": float(value[mine].sum()),
        }
        scaled = {k: (float(v) / rec.sample_share if k in _TOTAL_KEYS else v) for k, v in row.items()}
        scaled["incremental_profit_cny"] = profit[f"wave:{result.name}"]
        rows.append(scaled)
    frame = pd.DataFrame(rows)
    frame.insert(0, "replication", rec.replication)
    frame.insert(0, "strategy", rec.strategy)
    return frame[WAVE_COLUMNS]


def campaign_rows(rec: RunRecord, strategy: StrategyConfig) -> pd.DataFrame:
    """One row per campaign of the strategy, over all its windows (:data:`CAMPAIGN_COLUMNS`)."""
    windows = rec.windows
    if windows is None or windows.empty:
        return pd.DataFrame(columns=CAMPAIGN_COLUMNS)
    m, led, daily = rec.members, rec.ledger, rec.daily
    request_day = m["request_day"].to_numpy()
    captured = m["channel"].to_numpy() != "referral"
    value = incremental_value(rec)
    hook_cost = m["hook_cost_cny"].to_numpy()
    first = np.isfinite(m["first_order_day"].to_numpy())
    line_by_day = led[list(WINDOW_LINES)].to_numpy().sum(axis=1)
    rows = []
    for index, campaign in enumerate(strategy.calendar.campaigns):
        mine = windows[windows["campaign"] == index]
        days = np.zeros(len(led), dtype=bool)
        for start, end in zip(mine["start_day"], mine["end_day"], strict=True):
            days[int(start) : int(end)] = True
        in_window = captured & days[np.minimum(np.floor(request_day).astype(np.int64), days.size - 1)]
        spend = float(line_by_day[days].sum()) + float(hook_cost[in_window].sum())
        row: dict[str, Any] = {
            "campaign": campaign.name,
            "windows": ";".join(f"{int(s)}-{int(e)}" for s, e in zip(mine["start_day"], mine["end_day"], strict=True)),
            "days": int(days.sum()),
            "requests": np.nan,
            "members": int(in_window.sum()),
            "first_orders": int((in_window & first).sum()),
            "spend_cny": spend,
            "incremental_value_cny": float(value[in_window].sum()),
            "incremental_profit_cny": float(value[in_window].sum()) - spend,
            "peak_day": np.nan,
            "peak_requests": np.nan,
            "peak_load": np.nan,
            "peak_lost": np.nan,
        }
        if daily is not None and days.any() and daily["arrived"].notna().any():
            arrived = daily["arrived"].to_numpy()
            row["requests"] = float(arrived[days[: arrived.size]].sum())
            window_days = np.flatnonzero(days[: arrived.size])
            peak = int(window_days[np.argmax(arrived[window_days])])
            duty = float(daily["duty_days"].iloc[peak])
            row["peak_day"] = float(peak)
            row["peak_requests"] = float(arrived[peak])
            row["peak_load"] = float(daily["busy_days"].iloc[peak]) / duty if duty > 0 else np.nan
            row["peak_lost"] = float(daily["lost_patience"].iloc[peak] + daily["lost_cap"].iloc[peak])
        rows.append({k: (float(v) / rec.sample_share if k in _TOTAL_KEYS else v) for k, v in row.items()})
    frame = pd.DataFrame(rows)
    frame.insert(0, "replication", rec.replication)
    frame.insert(0, "strategy", rec.strategy)
    return frame[CAMPAIGN_COLUMNS]


def account_row(rec: RunRecord) -> pd.DataFrame:
    """The WeCom accounts at the end of the run (:data:`ACCOUNT_COLUMNS`); no row with unlimited onboarding.

    ``used`` counts accounts (the same in a sampled run, whose accounts hold the share of the friends);
    ``capacity`` (friends the initial accounts hold), ``friends`` and ``lost_to_caps`` are totals.
    """
    acc = rec.accounts
    if not acc:
        return pd.DataFrame(columns=ACCOUNT_COLUMNS)
    row = {
        "strategy": rec.strategy,
        "replication": rec.replication,
        "initial": acc["initial"],
        "used": acc["used"],
        "capacity": acc["initial"] * acc["cap_per_account"] / rec.sample_share,
        "friends": acc["friends"] / rec.sample_share,
        "lost_to_caps": acc["lost_to_caps"] / rec.sample_share,
        "first_full_day": acc["first_full_day"],
    }
    return pd.DataFrame([row], columns=ACCOUNT_COLUMNS)


WAVE_KEYS = ["strategy", "wave", "hook", "send_day", "send_hour", "audience_kind"]
CAMPAIGN_KEYS = ["strategy", "campaign", "windows", "days"]
ACCOUNT_KEYS = ["strategy"]
SUMMARY_TAIL = ["quantity", "mean", "ci_low", "ci_high", "n_replications"]


def summarise_rows(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Mean and 95% interval over replications of every other numeric column, one row per ``keys`` x quantity
    (the strategies and rows in their first-seen order)."""
    quantities = [c for c in rows.columns if c not in keys and c != "replication"]
    out = []
    for key, part in rows.groupby(keys, sort=False, dropna=False):
        for q in quantities:
            mean, low, high, n = interval(part[q].to_numpy(dtype=float))
            out.append((*key, q, mean, low, high, n))
    return pd.DataFrame(out, columns=[*keys, *SUMMARY_TAIL])
