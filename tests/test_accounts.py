"""WeCom accounts: no account ever holds more friends than its cap (an invariant, checked on random sequences and
on whole runs), full accounts are replaced or requests are lost to the caps, the daily add quota shrinks as
accounts fill, and opened accounts are paid for."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import simpy
from _helpers import make_shared, quiet_strategy
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.config import OnboardingConfig, PlatformConfig, ReferralConfig, WhenFull
from sim.model.accounts import WeComAccounts
from sim.model.funnel import FunnelModel
from sim.model.onboarding import ServiceDesk
from sim.model.population import build_platform
from sim.model.streams import Streams

H = 1.0 / 24.0


@settings(max_examples=200, deadline=None)
@given(
    accounts=st.integers(1, 6),
    cap=st.integers(1, 30),
    takes=st.integers(0, 300),
    open_new=st.booleans(),
    share=st.sampled_from([1.0, 0.5, 0.1]),
)
def test_no_account_ever_exceeds_its_cap(accounts: int, cap: int, takes: int, open_new: bool, share: float) -> None:
    cfg = OnboardingConfig(
        accounts=accounts, friend_cap_per_account=cap, when_full=WhenFull.open_new if open_new else WhenFull.lose
    )
    opened: list[float] = []
    acc = WeComAccounts(cfg, share, opened.append)
    scaled = max(1, round(cap * share))
    assert acc.cap == scaled
    accepted = 0
    for i in range(takes):
        got = acc.take(float(i))
        accepted += got is not None
        assert max(acc.friends) <= acc.cap  # the invariant, after every acceptance
        room = [acc.friends[a] for a in acc.with_room]
        assert not room or max(room) - min(room) <= 1 or open_new  # round-robin: the initial accounts fill evenly
    assert acc.total_friends == accepted
    if open_new:
        assert accepted == takes and acc.used == accounts + len(opened)
        assert len(opened) == sum(f == acc.cap for f in acc.friends)  # one new account for each full one
    else:
        assert accepted == min(takes, accounts * acc.cap) and acc.used == accounts and not opened
        assert acc.all_full == (takes >= accounts * acc.cap)


def test_the_daily_quota_is_the_accounts_with_room_times_the_limit() -> None:
    cfg = OnboardingConfig(
        accounts=3, friend_cap_per_account=2, daily_add_limit_per_account=10, when_full=WhenFull.lose
    )
    acc = WeComAccounts(cfg)
    quotas = []
    for i in range(6):
        quotas.append(acc.daily_quota())
        acc.take(float(i))
    assert quotas == [30, 30, 30, 30, 20, 10] and acc.daily_quota() == 0


def _desk(cfg: OnboardingConfig, n_requests: int, days: float = 30.0) -> tuple[ServiceDesk, dict[str, int]]:
    env = simpy.Environment()
    log = {"accepted": 0, "lost": 0, "capped": 0}
    desk = ServiceDesk(
        env,
        cfg,
        np.random.default_rng(0),
        lambda *_: log.__setitem__("accepted", log["accepted"] + 1),
        lambda *_: log.__setitem__("lost", log["lost"] + 1),
        on_capped=lambda *_: log.__setitem__("capped", log["capped"] + 1),
        n_days=int(days) + 1,
    )
    for buyer in range(n_requests):
        env.timeout(12 * H + buyer * 1e-4).callbacks.append(lambda _, b=buyer: desk.arrive(b, 0, 100.0))
    env.run(until=days)
    desk.expire()
    return desk, log


def test_full_accounts_lose_every_further_request_to_the_caps() -> None:
    cfg = OnboardingConfig(
        agents=2, accounts=2, friend_cap_per_account=40, daily_add_limit_per_account=1000, when_full=WhenFull.lose
    )
    desk, log = _desk(cfg, 200)
    assert log == {"accepted": 80, "lost": 0, "capped": 120}
    assert desk.accounts.friends == [40, 40]
    assert desk.daily["lost_cap"].sum() == 120 and desk.daily["accepted"].sum() == 80


def test_full_accounts_are_replaced_and_paid_for() -> None:
    cfg = OnboardingConfig(
        agents=2, accounts=2, friend_cap_per_account=40, daily_add_limit_per_account=1000, new_account_cost_cny=50.0
    )
    desk, log = _desk(cfg, 200)
    assert log == {"accepted": 200, "lost": 0, "capped": 0}
    friends = desk.accounts.friends
    assert friends == [40, 40, 40, 40, 20, 20]  # two by two: each full pair is replaced by a new pair
    assert desk.accounts.used == 2 + sum(f == 40 for f in friends) == 6


def test_a_whole_run_never_puts_more_friends_on_an_account_than_its_cap() -> None:
    """Card, SMS and referral requests share the accounts: members never exceed accounts x cap, day by day."""
    shared = make_shared(seed=13, buyers_per_year=200_000, horizon_days=90, platform=PlatformConfig())
    onboarding = OnboardingConfig(accounts=3, friend_cap_per_account=400, when_full=WhenFull.lose)
    strategy = quiet_strategy("capped", onboarding=onboarding, referral=ReferralConfig(enabled=True, invite_prob=0.3))
    streams = Streams(13, 0)
    platform = build_platform(shared.population, 90, streams, shared.platform)
    model = FunnelModel(strategy, shared, platform, Streams(13, 0))
    rec = model.run(0)
    assert model.desk is not None
    assert max(model.desk.accounts.friends) <= 400
    assert np.nanmax(rec.daily["friends"].to_numpy()) == len(rec.members) == 1200
    assert rec.lost_to_caps > 1000 and (rec.members["channel"] == "referral").any()
    assert rec.accounts["first_full_day"] < 90


def test_opened_accounts_are_booked_and_a_sample_keeps_the_count() -> None:
    """With when_full=open_new each account opened costs new_account_cost_cny; a 10% sample opens as many accounts
    (each holding a tenth of the friends), so its cost, scaled back, is the full run's."""
    onboarding = OnboardingConfig(friend_cap_per_account=500, new_account_cost_cny=120.0)
    strategy = quiet_strategy("open", onboarding=onboarding)
    used = {}
    for share in (1.0, 0.1):
        shared = make_shared(seed=19, buyers_per_year=300_000, horizon_days=60, platform=PlatformConfig())
        shared = dataclasses.replace(shared, population=dataclasses.replace(shared.population, sample_share=share))
        streams = Streams(19, 0)
        platform = build_platform(shared.population, 60, streams, shared.platform)
        rec = FunnelModel(strategy, shared, platform, Streams(19, 0)).run(0)
        opened = rec.accounts["used"] - rec.accounts["initial"]
        assert rec.ledger["wecom_accounts"].sum() / share == pytest.approx(120.0 * opened)
        assert rec.accounts["cap_per_account"] == round(500 * share)
        used[share] = rec.accounts["used"]
    assert math.isclose(used[1.0], used[0.1], rel_tol=0.2)  # as many accounts, give or take the sample's luck
