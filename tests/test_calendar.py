"""The campaign calendar: windows on the right days, each lever changed only inside its window (the card's hook
within 3 SE of its configured add rate, touches, the new-member offer, staff and their cost), and a calendar
that changes nothing leaves every metric exactly as without it."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from _helpers import assert_within_3se, make_shared, quiet_strategy

from sim.config import (
    CalendarConfig,
    CampaignConfig,
    CampaignRepeat,
    ChannelConfig,
    HookConfig,
    HookType,
    OfferConfig,
    OnboardingConfig,
    PlatformConfig,
    StrategyConfig,
    TouchConfig,
)
from sim.model.calendar import campaign_windows, day_plan, first_day
from sim.model.capture import card_add_prob
from sim.model.funnel import FunnelModel, simulate
from sim.model.population import build_platform
from sim.model.streams import Streams
from sim.run.attribution import campaign_rows
from sim.run.metrics import compute_metrics

START = "2026-01-01"


def _with(strategy: StrategyConfig, *campaigns: CampaignConfig) -> StrategyConfig:
    return dataclasses.replace(strategy, calendar=CalendarConfig(campaigns=list(campaigns)))


def test_windows_fall_on_their_dates() -> None:
    assert first_day("11-11", START) == 314 and first_day("01-01", "2026-03-01") == 306  # next year's
    once = CampaignConfig(name="d11", start="11-01", days=20)
    monthly = CampaignConfig(name="member_day", start="01-08", days=1, repeat=CampaignRepeat.monthly)
    windows = campaign_windows([once, monthly], START, 365)
    assert [(w.name, w.start_day, w.end_day) for w in windows if w.name == "d11"] == [("d11", 304, 324)]
    member_days = [w.start_day for w in windows if w.name == "member_day"]
    assert member_days == [7, 38, 66, 97, 127, 158, 188, 219, 250, 280, 311, 341]


def test_a_later_campaign_wins_where_windows_overlap() -> None:
    strategy = StrategyConfig()
    plan = day_plan(
        _with(
            strategy,
            CampaignConfig(name="long", start="01-11", days=20, hook_value_cny=8.0, extra_agents=2),
            CampaignConfig(name="short", start="01-16", days=5, hook_value_cny=12.0, extra_agents=5),
        ),
        START,
        60,
    )
    values = [plan.hooks[h].value_cny for h in plan.hook]
    assert values[9] == 5.0 and values[10] == 8.0 and values[15] == 12.0 and values[20] == 8.0 and values[30] == 5.0
    assert plan.agents[10] == 6 and plan.agents[15] == 9 and plan.agents[30] == 4
    assert list(plan.campaign[[9, 10, 15, 20, 30]]) == [-1, 0, 1, 0, -1]


def test_a_card_boost_acts_in_its_window_only_at_the_configured_add_rate() -> None:
    """Of buyers whose first parcel is delivered in the window, the share who ask to add at that parcel's scan is
    the boosted hook's card add rate (3 SE); outside the window, the base hook's."""
    shared = make_shared(seed=7, buyers_per_year=400_000, horizon_days=70, platform=PlatformConfig())
    boost = CampaignConfig(name="boost", start="01-21", days=20, hook_type=HookType.cash, hook_value_cny=15.0)
    strategy = _with(quiet_strategy("boost", channel=ChannelConfig(card=True, sms=False)), boost)
    platform = build_platform(shared.population, 70, Streams(7, 0), shared.platform)
    model = FunnelModel(strategy, shared, platform, Streams(7, 0))
    model.run(0)
    first = platform.parcel_card_index == 0
    buyer = platform.parcel_buyer.astype(np.int64)
    delivered = platform.parcel_delivery_day
    t_scan = delivered + platform.parcel_scan_delay.astype(np.float64)
    asked_here = model.requested_at[buyer] == t_scan
    day = np.floor(delivered).astype(int)
    for label, where, hook in (
        ("in the window", (day >= 20) & (day < 40), HookConfig(type=HookType.cash, value_cny=15.0)),
        ("before it", day < 20, strategy.hook),
    ):
        group = first & where
        p = card_add_prob(hook, strategy.card)
        n = int(group.sum())
        assert_within_3se(asked_here[group].mean(), p, math.sqrt(p * (1 - p) / n), f"card add rate {label}")
    in_window = model.req_hook[buyer[first & (day >= 20) & (day < 40) & asked_here]]
    assert (in_window == 1).all()


def test_touches_offers_and_staff_change_only_in_the_window() -> None:
    shared = make_shared(seed=11, buyers_per_year=150_000, horizon_days=60, platform=PlatformConfig())
    campaign = CampaignConfig(
        name="member_week",
        start="01-21",
        days=10,
        touches_per_week=7.0,
        first_order_prob=0.9,
        subsidy_cny=20.0,
        extra_agents=3,
    )
    base = quiet_strategy("week", onboarding=OnboardingConfig(), touch=TouchConfig(touches_per_week=0.0))
    rec = simulate(_with(base, campaign), shared, 0)
    touches = rec.ledger["touches"].to_numpy()
    assert touches[20:30].sum() > 0 and touches[:20].sum() == 0 and touches[30:].sum() == 0
    staff = rec.ledger["onboarding_staff"].to_numpy()
    assert staff[25] == pytest.approx(7 * 250.0) and staff[10] == pytest.approx(4 * 250.0)
    m = rec.members
    joined = np.floor(m["join_day"].to_numpy())
    first = np.isfinite(m["first_order_day"].to_numpy())
    in_window = (joined >= 20) & (joined < 30)
    assert first[in_window].mean() > 0.5 > first[~in_window].mean()
    expected = 20.0 * (first & in_window).sum() + 10.0 * (first & ~in_window).sum()
    assert rec.ledger["first_order_subsidy"].sum() == pytest.approx(expected)
    row = campaign_rows(rec, _with(base, campaign)).iloc[0]
    asked = np.floor(m["request_day"].to_numpy())
    assert row["members"] == int(((asked >= 20) & (asked < 30) & (m["channel"] != "referral").to_numpy()).sum())
    assert 20 <= row["peak_day"] < 30


@pytest.mark.parametrize(
    "campaign",
    [
        CampaignConfig(name="nothing", start="01-10", days=30),
        CampaignConfig(name="next_year", start="12-01", days=30, hook_value_cny=20.0, extra_agents=5),
    ],
    ids=["no_lever", "after_the_run"],
)
def test_a_calendar_that_changes_nothing_leaves_every_metric_as_it_was(campaign: CampaignConfig) -> None:
    shared = make_shared(seed=21, buyers_per_year=50_000, horizon_days=45, platform=PlatformConfig())
    plain = StrategyConfig(name="plain", offer=OfferConfig())
    a = compute_metrics(simulate(plain, shared, 0))
    b = compute_metrics(simulate(_with(plain, campaign), shared, 0))
    for name in a:
        assert a[name] == b[name] or (math.isnan(a[name]) and math.isnan(b[name])), name
