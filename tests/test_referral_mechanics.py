"""Referral mechanics (拼团, 助力, 红包) and immunity: exact reductions and Galton-Watson closed forms.

Design (as the branching check in tests/test_validation.py): every buyer is captured by card and every member,
seed or referred, places one first private order at once, so each member shares at most once and the referred
members per seed member converge to K / (1 - K), K = E[friends a member brings in]. A share reaches J friends,
J ~ Poisson(lambda) with lambda = friends_per_invite x accept_prob (x P(delay <= window) for 拼团), and brings
in g(J): J 1{J >= size - 1} (拼团), J (助力), min(J, slots) (红包). So K = invite_prob x E[g(J)] and the
offspring variance is invite_prob E[g(J)^2] - K^2, both summed over the Poisson pmf; the SE of the ratio is
sqrt(Var / (1 - K)^3 / seeds) (total progeny of a subcritical tree). The completion rate (a group formed, a
help link reached its threshold, a packet was fully claimed) is P(J >= m), binomial SE over the shares.

Immunity: with immunity_decay = 0 a member shares at most once, whatever their number of orders N; with N - 1
BG/NBD repeats before dropout (Geometric on 1, 2, ... with p ~ Beta(a, b)), P(share) = 1 - E[(1 - pi)^N] with
E[x^G | p] = p x / (1 - (1 - p) x), integrated over p.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from _helpers import NO_UNSUBSCRIBE, assert_within_3se, make_shared, quiet_strategy
from scipy import integrate, stats

from sim.config import (
    CalendarConfig,
    CampaignConfig,
    CampaignRepeat,
    CardConfig,
    ChannelConfig,
    OfferConfig,
    ReferralConfig,
    ReferralMechanic,
    RepeatConfig,
)
from sim.model.funnel import simulate
from sim.run.metrics import compute_metrics

ONE_ORDER = RepeatConfig(r=0.001, alpha_days=1e6, a=1.0, b=1.0)  # mean rate 1e-9 a day: no repeat orders
FAST_ORDERS = RepeatConfig(r=50.0, alpha_days=5.0, a=6.0, b=4.0)  # ~10 orders a day until BG/NBD dropout
HORIZON_DAYS = 730


def _run(ref: ReferralConfig, repeat: RepeatConfig = ONE_ORDER, seed: int = 41, buyers: int = 10_000):
    shared = make_shared(
        seed=seed,
        buyers_per_year=buyers,
        horizon_days=HORIZON_DAYS,
        followup_days=0,
        unsubscribe=NO_UNSUBSCRIBE,
        repeat=repeat,
    )
    strategy = quiet_strategy(
        channel=ChannelConfig(card=True, sms=False),
        card=CardConfig(floor_add_prob=1.0),
        offer=OfferConfig(first_order_prob=1.0, first_order_mean_days=0.01),
        referral=ref,
    )
    return simulate(strategy, shared, 0)


def _offspring(ref: ReferralConfig) -> tuple[float, float, float]:
    """(K, offspring variance, completion probability per share) of one share under the mechanic."""
    mechanic = ReferralMechanic(ref.mechanic)
    lam = ref.friends_per_invite * ref.accept_prob
    if mechanic is ReferralMechanic.group_buy:
        lam *= -math.expm1(-ref.window_days / ref.join_delay_days)
    j = np.arange(400)
    pmf = stats.poisson.pmf(j, lam)
    if mechanic is ReferralMechanic.group_buy:
        need = ref.group_size - 1
        g = np.where(j >= need, j, 0)
    elif mechanic is ReferralMechanic.help_link:
        need, g = ref.help_threshold, j
    elif mechanic is ReferralMechanic.lottery:  # completes when one of J ~ Poisson(lam) tickets wins
        g = j
        k = ref.invite_prob * lam
        return k, ref.invite_prob * (lam + lam**2) - k**2, -math.expm1(-lam * ref.lottery_win_prob)
    else:
        need = ref.red_packet_slots
        g = np.minimum(j, need)
    mean_g, mean_g2 = float(pmf @ g), float(pmf @ g**2)
    k = ref.invite_prob * mean_g
    return k, ref.invite_prob * mean_g2 - k**2, float(stats.poisson.sf(need - 1, lam))


MECHANICS = {
    "group_buy": ReferralConfig(
        mechanic=ReferralMechanic.group_buy,
        invite_prob=0.3,
        friends_per_invite=6.0,
        accept_prob=0.5,
        join_delay_days=1.0,
        window_days=1.0,
        group_size=3,
    ),
    "help_link": ReferralConfig(
        mechanic=ReferralMechanic.help_link,
        invite_prob=0.5,
        friends_per_invite=2.0,
        accept_prob=0.5,
        join_delay_days=0.0,
        help_threshold=2,
        help_reward_cny=3.0,
    ),
    "red_packet": ReferralConfig(
        mechanic=ReferralMechanic.red_packet,
        invite_prob=0.35,
        friends_per_invite=4.0,
        accept_prob=0.5,
        join_delay_days=0.0,
        red_packet_slots=2,
    ),
    "lottery": ReferralConfig(
        mechanic=ReferralMechanic.lottery,
        invite_prob=0.5,
        friends_per_invite=2.0,
        accept_prob=0.5,
        join_delay_days=0.0,
        lottery_win_prob=0.3,
        lottery_prize_cny=10.0,
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(MECHANICS))
def test_each_mechanic_gives_k_over_one_minus_k_and_its_completion_probability(name: str) -> None:
    ref = MECHANICS[name]
    k, var, completion = _offspring(ref)
    assert 0.4 < k < 0.6
    rec = _run(ref)
    m = rec.members
    seed = (m["channel"] != "referral").to_numpy()
    n_seeds, n_referred = int(seed.sum()), int((~seed).sum())
    assert n_seeds > 15_000 and (m["n_orders"] == 1).all()
    kpis = compute_metrics(rec)
    # generations take at least one day; the horizon leaves every seed hundreds: the truncation is negligible
    generations = np.clip(HORIZON_DAYS - 1 - np.floor(m["first_order_day"].to_numpy()[seed]), 0, None)
    se = math.sqrt(var / (1 - k) ** 3 / n_seeds)
    assert k / (1 - k) - float(np.mean(k * (1 - k**generations) / (1 - k))) < 0.25 * se
    assert_within_3se(kpis["fission_rate"], k / (1 - k), se, f"{name}: fission_rate vs K/(1-K), K={k:.3f}")
    assert kpis["fission_rate"] == n_referred / n_seeds
    shares = rec.referral_shares
    assert_within_3se(
        kpis["share_completion_rate"],
        completion,
        math.sqrt(completion * (1 - completion) / shares),
        f"{name}: completion per share vs P(J >= m)",
    )
    paid = float(rec.ledger["referral_reward"].sum())
    if ref.mechanic is ReferralMechanic.help_link:  # 助力: one reward per completed link, on top of reward_cny a friend
        assert paid == pytest.approx(ref.help_reward_cny * rec.referral_completed + ref.reward_cny * n_referred)
    if ref.mechanic is ReferralMechanic.lottery:  # 抽奖: every friend who joined is a ticket winning with its chance
        wins = (paid - ref.reward_cny * n_referred) / ref.lottery_prize_cny
        p = ref.lottery_win_prob
        assert_within_3se(wins / n_referred, p, math.sqrt(p * (1 - p) / n_referred), "lottery: wins per ticket")


@pytest.mark.parametrize(
    "variant",
    [
        {"mechanic": ReferralMechanic.group_buy, "group_size": 2, "window_days": 365.0},  # one friend is a group
        {"mechanic": ReferralMechanic.help_link, "help_reward_cny": 0.0},
        {"mechanic": ReferralMechanic.red_packet, "red_packet_slots": 1000},
        {"mechanic": ReferralMechanic.lottery, "lottery_win_prob": 0.0},
    ],
    ids=["group_of_two", "help_without_reward", "packet_never_full", "lottery_nobody_wins"],
)
def test_mechanics_that_change_nothing_reduce_exactly_to_the_plain_invitation(variant: dict[str, object]) -> None:
    plain = ReferralConfig(invite_prob=0.3, friends_per_invite=3.0, accept_prob=0.5, join_delay_days=1.0)
    a = _run(plain, buyers=3_000)
    b = _run(dataclasses.replace(plain, **variant), buyers=3_000)
    assert len(a.members) > 1_000 and (a.members["channel"] == "referral").sum() > 300
    assert a.members.equals(b.members)
    assert a.ledger.equals(b.ledger)


def _share_once_probability(invite_prob: float, rep: RepeatConfig) -> float:
    """P(a member shares at least once) with N = 1 + G orders, G ~ Geometric(p) on 1, 2, ..., p ~ Beta(a, b)."""
    x = 1 - invite_prob

    def none_share(p: float) -> float:
        return x * p * x / (1 - (1 - p) * x) * stats.beta.pdf(p, rep.a, rep.b)

    return 1 - integrate.quad(none_share, 0.0, 1.0)[0]


@pytest.mark.slow
def test_full_immunity_lets_a_member_share_once_whatever_their_orders() -> None:
    ref = ReferralConfig(
        invite_prob=0.3, friends_per_invite=1.0, accept_prob=0.9, join_delay_days=0.0, immunity_decay=0.0
    )
    once = _share_once_probability(ref.invite_prob, FAST_ORDERS)
    lam = ref.friends_per_invite * ref.accept_prob
    k = once * lam  # a member shares at most once, and a share brings Poisson(lam) friends
    assert 0.4 < k < 0.6
    rec = _run(ref, repeat=FAST_ORDERS, buyers=6_000)
    m = rec.members
    assert m["n_orders"].mean() > 2.5  # most members order several times, often on the same day
    n = len(m)
    assert_within_3se(rec.referral_shares / n, once, math.sqrt(once * (1 - once) / n), "immunity 0: shares per member")
    n_seeds = int((m["channel"] != "referral").sum())
    se = math.sqrt((once * (lam + lam**2) - k**2) / (1 - k) ** 3 / n_seeds)
    fission = compute_metrics(rec)["fission_rate"]
    assert_within_3se(fission, k / (1 - k), se, f"immunity 0: fission_rate vs K/(1-K), K={k:.3f}")
    without = _run(dataclasses.replace(ref, immunity_decay=1.0), repeat=FAST_ORDERS, buyers=6_000)
    assert without.referral_shares > 1.5 * rec.referral_shares  # immunity is what held them back


# ----------------------------------------------------------------------------- referral pushes on campaign days


def _pushed(push_prob: float, immunity: float, repeat: CampaignRepeat, start: str, friends: float):
    shared = make_shared(
        seed=43, buyers_per_year=20_000, horizon_days=365, followup_days=0, unsubscribe=NO_UNSUBSCRIBE, repeat=ONE_ORDER
    )
    strategy = quiet_strategy(
        channel=ChannelConfig(card=True, sms=False),
        card=CardConfig(floor_add_prob=1.0),
        offer=OfferConfig(first_order_prob=1.0, first_order_mean_days=0.01),
        referral=ReferralConfig(
            invite_prob=0.0, friends_per_invite=friends, accept_prob=0.5, join_delay_days=0.0, immunity_decay=immunity
        ),
        calendar=CalendarConfig(
            campaigns=[CampaignConfig(name="push", start=start, repeat=repeat, referral_push_prob=push_prob)]
        ),
    )
    return simulate(strategy, shared, 0)


def test_a_campaign_push_makes_every_member_present_share_with_its_chance() -> None:
    """One push on day 120 (1 May): each member who joined before it shares with the push's chance and brings
    Poisson(friends x accept) friends; orders share nothing (invite_prob 0), and friends joining later miss it."""
    push_day, pi, lam = 120, 0.4, 2.0 * 0.5
    rec = _pushed(pi, 1.0, CampaignRepeat.once, "05-01", 2.0)
    m = rec.members
    present = int(((m["channel"] != "referral") & (m["join_day"] < push_day)).sum())
    assert present > 3_000
    assert_within_3se(rec.referral_shares / present, pi, math.sqrt(pi * (1 - pi) / present), "push: shares/member")
    referred = int((m["channel"] == "referral").sum())
    var = pi * (lam + lam**2) - (pi * lam) ** 2
    assert_within_3se(referred / present, pi * lam, math.sqrt(var / present), "push: referred per member present")
    assert (m.loc[m["channel"] == "referral", "join_day"] >= push_day + 1).all()


def _share_count_moments(pi: float, decay: float, pushes: int) -> tuple[float, float]:
    """Mean and variance of a member's shares over ``pushes`` pushes, sharing with pi x decay^(shares so far)."""
    dist = np.zeros(pushes + 1)
    dist[0] = 1.0
    for _ in range(pushes):
        p = pi * decay ** np.arange(pushes + 1)
        dist = dist * (1 - p) + np.r_[0.0, (dist * p)[:-1]]
    s = np.arange(pushes + 1)
    mean = float(dist @ s)
    return mean, float(dist @ s**2) - mean**2


@pytest.mark.slow
def test_monthly_pushes_wear_off_as_members_grow_immune() -> None:
    """Pushes on the 15th of every month; a member present at k of them makes S_k shares, a Markov chain that
    shares with pi x decay^S (mean and variance by dynamic programming); the total is checked within 3 SE."""
    pi, decay = 0.3, 0.5
    rec = _pushed(pi, decay, CampaignRepeat.monthly, "01-15", 1.0)  # a share brings 0.5 friends: subcritical
    m = rec.members
    windows = rec.windows
    push_days = np.sort(windows.loc[windows["start_day"] < 365, "start_day"].to_numpy())
    assert len(push_days) == 12
    join = m["join_day"].to_numpy()
    k = (push_days[None, :] > join[:, None]).sum(axis=1)  # pushes each member (seed or referred) was present for
    moments = np.array([_share_count_moments(pi, decay, int(n)) for n in range(13)])
    expected, var = moments[k, 0].sum(), moments[k, 1].sum()
    assert_within_3se(rec.referral_shares, expected, math.sqrt(var), "monthly pushes with immunity: total shares")
    assert expected + 3 * math.sqrt(var) < pi * k.sum()  # immunity matters here: without it, pi x pushes present


def test_a_push_before_anyone_has_joined_shares_nothing() -> None:
    """A push on day 0 finds no member (and, with immunity, must not fail on the empty day)."""
    shared = make_shared(seed=5, buyers_per_year=2_000, horizon_days=30, followup_days=0, repeat=ONE_ORDER)
    strategy = quiet_strategy(
        channel=ChannelConfig(card=True, sms=False),
        referral=ReferralConfig(invite_prob=0.0, immunity_decay=0.5),
        calendar=CalendarConfig(campaigns=[CampaignConfig(name="push", start="01-01", referral_push_prob=1.0)]),
    )
    rec = simulate(strategy, shared, 0)
    assert len(rec.members) > 0 and rec.referral_shares == 0
