"""Touch channels (sim.model.channels): 1:1 chat, moments, groups and live streams.

Checks: channels switched on but doing nothing reduce exactly to the model without them; a group message reaches
a member with the group's active share, which follows its configured decay curve; moments reach and live
attendance at their configured rates; the orders one channel adds are all credited to it; the touch team never
works more than its hours; nobody is in a group after deleting the brand, and leaving a group is not deleting the
brand; a channel that takes staff time needs a team (one-line config error).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from _helpers import NO_UNSUBSCRIBE, assert_within_3se, make_shared, quiet_strategy

from sim.config import (
    ChannelConfig,
    ChatConfig,
    GroupResponseConfig,
    GroupsConfig,
    LiveConfig,
    MomentsConfig,
    TouchConfig,
    TouchResponseConfig,
)
from sim.config.validate import ConfigError, validate_strategy
from sim.model.funnel import simulate
from sim.model.population import build_platform
from sim.model.streams import Streams
from sim.run.metrics import compute_metrics

CARD_ONLY = ChannelConfig(card=True, sms=False)
TEAM = 16.0  # staff hours a day


def _shared(response: TouchResponseConfig | None = None, buyers_per_year: int = 60_000):  # noqa: ANN202
    return make_shared(
        seed=5,
        buyers_per_year=buyers_per_year,
        horizon_days=150,
        followup_days=30,
        unsubscribe=NO_UNSUBSCRIBE,
        touch_response=response or TouchResponseConfig(),
    )


def _run(touch: TouchConfig, shared=None):  # noqa: ANN001, ANN202
    shared = shared or _shared()
    strategy = quiet_strategy(channel=CARD_ONLY, touch=touch)
    platform = build_platform(shared.population, shared.run.horizon_days, Streams(shared.run.seed, 0))
    return simulate(strategy, shared, 0, platform)


def test_channels_on_but_inert_reduce_exactly_to_the_model_without_them() -> None:
    """Groups nobody joins, a team paid nothing, no chat, posts or streams: members, orders and ledger all equal."""
    base = TouchConfig(touches_per_week=2.0)
    inert = dataclasses.replace(
        base, staff_hours_per_day=TEAM, staff_cost_per_hour_cny=0.0, groups=GroupsConfig(enabled=True)
    )
    shared = _shared(TouchResponseConfig(groups=GroupResponseConfig(join_prob=0.0)))
    off, on = _run(base, shared), _run(inert, shared)
    assert on.channels["group_joins"] == 0.0 and len(off.members) > 1000
    pd.testing.assert_frame_equal(off.members, on.members)
    pd.testing.assert_frame_equal(off.orders, on.orders)
    pd.testing.assert_frame_equal(off.ledger, on.ledger)


def test_a_group_message_reaches_a_member_with_the_groups_configured_active_share() -> None:
    """One group (cap above the members), no events: the share reached by each day's message, pooled by month,
    against floor + (1 - floor) * 2^-(t - opened) / half_life, within 3 binomial SE."""
    response = TouchResponseConfig(
        groups=GroupResponseConfig(
            join_prob=0.6, activity_half_life_days=40.0, activity_floor=0.1, leave_prob=0.0, delete_risk_multiplier=0
        )
    )
    touch = TouchConfig(
        touches_per_week=0.0,
        staff_hours_per_day=TEAM,
        groups=GroupsConfig(enabled=True, size_cap=500, messages_per_week=7.0, staff_minutes_per_message=1.0),
    )
    shared = _shared(response, buyers_per_year=14_000)
    rec = _run(touch, shared)
    in_group = rec.members[rec.members["group"] >= 0]
    assert rec.channels["groups_opened"] == 1.0 and len(in_group) > 200
    opened = float(rec.members.loc[rec.members["group"] == 0, "join_day"].min())
    g = response.groups
    daily = rec.daily.iloc[: rec.horizon_days]
    day = daily.index.to_numpy(dtype=float)

    def curve(t: np.ndarray) -> np.ndarray:
        age_days = np.maximum(t - opened, 0.0)
        return g.activity_floor + (1 - g.activity_floor) * np.exp2(-age_days / g.activity_half_life_days)

    expected_share = curve(day + 0.5)
    audience, views = daily["group_audience"].to_numpy(), daily["group_views"].to_numpy()
    for month in range(int(opened) // 30, rec.horizon_days // 30):
        window = slice(month * 30, month * 30 + 30)
        n, p = audience[window], expected_share[window]
        if n.sum() < 500:
            continue
        expected = float((n * p).sum())
        se = math.sqrt(float((n * p * (1 - p)).sum()))
        assert_within_3se(float(views[window].sum()), expected, se, f"group views, days {window.start}-{window.stop}")
    # the reported active share is the same curve, at the end of each day
    shown = daily["group_active_share"].to_numpy()
    np.testing.assert_allclose(shown[int(opened) + 1 :], curve(day + 1.0)[int(opened) + 1 :], rtol=1e-12)


def test_moments_reach_and_live_attendance_at_their_configured_rates() -> None:
    """Views / (posts x audience) = reach x posts_per_week^-exponent; attendees / audience = attendance_prob."""
    touch = TouchConfig(
        touches_per_week=0.0,
        staff_hours_per_day=TEAM,
        moments=MomentsConfig(posts_per_week=4.0),
        live=LiveConfig(streams_per_week=1.0),
    )
    response = TouchResponseConfig()
    rec = _run(touch, _shared(response))
    ch = rec.channels
    reach = response.moments.reach * 4.0**-response.moments.reach_exponent
    n = ch["moments_audience"]
    assert_within_3se(ch["moments_views"] / n, reach, math.sqrt(reach * (1 - reach) / n), "moments reach per post")
    p, n = response.live.attendance_prob, ch["live_audience"]
    assert_within_3se(ch["live_attendees"] / n, p, math.sqrt(p * (1 - p) / n), "live attendance")
    seen = (ch["moments_views"] + ch["live_attendees"]) / (ch["moments_audience"] + ch["live_audience"])
    assert compute_metrics(rec)["interaction_rate"] == pytest.approx(seen, rel=1e-12)


def test_the_orders_one_channel_adds_are_all_credited_to_it() -> None:
    """Only moments lift the purchase rate (no mass messages, no membership): every added order is a moments order."""
    touch = TouchConfig(touches_per_week=0.0, staff_hours_per_day=TEAM, moments=MomentsConfig(posts_per_week=7.0))
    rec = _run(touch)
    added = float(rec.orders["added"].sum())
    assert added > 50
    assert rec.channels["added_orders_moments"] == pytest.approx(added, rel=1e-9)
    assert rec.channels["added_orders_chat"] == rec.channels["added_orders_groups"] == 0.0


def test_the_touch_team_never_works_more_than_its_hours() -> None:
    """1:1 chat to every member every day cannot all be sent: the team is full on busy days, never over."""
    touch = TouchConfig(
        touches_per_week=2.0,
        staff_hours_per_day=2.0,
        chat=ChatConfig(touches_per_week=7.0, staff_minutes_per_touch=5.0),
        moments=MomentsConfig(posts_per_week=3.0, staff_minutes_per_post=30.0),
    )
    shared = _shared()
    rec = _run(touch, shared)
    minutes = rec.daily["touch_staff_minutes"].to_numpy()
    capacity = 2.0 * 60.0 * shared.population.sample_share
    assert minutes.max() <= capacity + 1e-9
    assert (minutes > capacity - 5.0).sum() > 100  # the cap binds: the queue of chats is never cleared
    sent = rec.channels["chat_touches"] * 5.0 + rec.channels["moments_posts"] * 30.0 * shared.population.sample_share
    assert sent == pytest.approx(minutes.sum(), rel=1e-12)  # every minute used is a chat or a post


def test_nobody_is_in_a_group_after_deleting_the_brand_and_leaving_a_group_is_not_deleting() -> None:
    response = TouchResponseConfig(groups=GroupResponseConfig(join_prob=0.8, leave_prob=0.02, delete_risk_multiplier=2))
    touch = TouchConfig(
        touches_per_week=3.0,
        staff_hours_per_day=TEAM,
        groups=GroupsConfig(enabled=True, size_cap=100, messages_per_week=5.0, staff_minutes_per_message=1.0),
    )
    rec = _run(touch, _shared(response))
    m = rec.members
    gone = ~m["subscribed"]
    assert gone.sum() > 50 and (m.loc[gone, "group"] == -1).all()
    # every deletion is dated, those after dormancy too (the exports list them all)
    deleted = np.isfinite(m["delete_day"].to_numpy())
    assert (deleted == gone.to_numpy()).all() and (m["delete_day"][deleted] >= m["join_day"][deleted]).all()
    first = (m["churn_type"] == "unsubscribe").to_numpy()
    assert (m["delete_day"][first] == m["churn_day"][first]).all() and (deleted & ~first).sum() > 0
    assert rec.channels["groups_opened"] > 5
    # members who left their group but stayed with the brand exist, and the leavers are counted
    assert rec.channels["group_leavers"] > 0
    assert (m["subscribed"] & (m["group"] == -1)).sum() > 0


@pytest.mark.parametrize(
    ("touch", "key"),
    [
        (TouchConfig(chat=ChatConfig(touches_per_week=1.0)), "touch.chat.touches_per_week=1.0"),
        (TouchConfig(groups=GroupsConfig(enabled=True)), "touch.groups.enabled=True"),
        (TouchConfig(moments=MomentsConfig(posts_per_week=2.0)), "touch.moments.posts_per_week=2.0"),
        (TouchConfig(live=LiveConfig(streams_per_week=1.0)), "touch.live.streams_per_week=1.0"),
        (
            TouchConfig(staff_hours_per_day=8.0, chat=ChatConfig(touches_per_week=1.0, segments=["vip"])),
            "touch.chat.segments[0]='vip'",
        ),
    ],
)
def test_a_channel_without_a_team_or_with_an_unknown_segment_is_a_one_line_error(touch: TouchConfig, key: str) -> None:
    with pytest.raises(ConfigError) as err:
        validate_strategy(quiet_strategy(touch=touch), "")
    message = str(err.value)
    assert message.startswith(key) and "\n" not in message


def test_each_member_pays_the_teams_daily_share_of_every_day_they_were_subscribed() -> None:
    """The team's pay (and live streams) split equally among each day's subscribed members, discounted to the join day
    and counted in the LTV window: against a day-by-day sum over members x days, to 1e-9."""
    paid = TouchConfig(
        touches_per_week=3.0,
        staff_hours_per_day=TEAM,
        moments=MomentsConfig(posts_per_week=3.0),
        live=LiveConfig(streams_per_week=1.0),
    )
    shared = _shared(buyers_per_year=20_000)
    with_pay = _run(paid, shared)
    unpaid = _run(
        dataclasses.replace(
            paid, staff_cost_per_hour_cny=0.0, live=LiveConfig(streams_per_week=1.0, cost_per_stream_cny=0.0)
        ),
        shared,
    )
    m = with_pay.members
    pd.testing.assert_frame_equal(
        m.drop(columns=["ltv_window_cny", "ltv_horizon_cny"]),
        unpaid.members.drop(columns=["ltv_window_cny", "ltv_horizon_cny"]),
    )
    share = with_pay.daily["touch_team_per_member_cny"].to_numpy()
    assert share[10 : with_pay.horizon_days].all() and (m["delete_day"] < with_pay.n_days).sum() > 20
    day = np.arange(share.size)[None, :] + 0.5
    join = m["join_day"].to_numpy()[:, None]
    gone = np.floor(np.minimum(m["delete_day"].to_numpy(), 1e9))[:, None]  # the day they deleted: not paid
    paying = (day - 0.5 >= np.floor(join)) & (day - 0.5 < gone)
    age = np.maximum(day - join, 0.0)
    rate = math.log1p(shared.accounting.discount_rate_annual) / 365.0
    charged = share[None, :] * np.exp(-rate * age) * paying
    expected = charged * (age < 365.0)
    got = unpaid.members["ltv_window_cny"].to_numpy() - m["ltv_window_cny"].to_numpy()
    np.testing.assert_allclose(got, expected.sum(axis=1), rtol=1e-9, atol=1e-9)
    horizon = charged * (day < with_pay.horizon_days)
    got_h = unpaid.members["ltv_horizon_cny"].to_numpy() - m["ltv_horizon_cny"].to_numpy()
    np.testing.assert_allclose(got_h, horizon.sum(axis=1), rtol=1e-9, atol=1e-9)
    # undiscounted, every day's pay is shared out in full: the shares add up to the ledger's team line
    assert float((share[None, :] * paying).sum()) == pytest.approx(float(with_pay.ledger["touch_team"].sum()), rel=1e-9)
