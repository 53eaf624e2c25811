"""Referral mechanics (裂变玩法): what members' shares on one day bring in.

An order's buyer shares with the referral's ``invite_prob`` (and, on the first day of a campaign with a
``referral_push_prob``, every subscribed member shares with that chance, ordering or not), lowered by
``immunity_decay`` for every share they made before (members grow immune to repeated campaigns; 1 keeps the
chance, 0 allows one share per member). A share reaches Poisson(``friends_per_invite``) friends; each accepts
with ``accept_prob`` and would send an add request an exponential ``join_delay_days`` after the day ends. The
mechanic decides who joins:

- ``invite``: every friend who accepts;
- ``group_buy`` (拼团): the group forms only if ``group_size - 1`` friends accept within ``window_days``;
  then those friends join, otherwise nobody does (the order is refunded);
- ``help_link`` (助力): every helper joins; the sharer earns ``help_reward_cny`` at ``help_threshold`` helpers;
- ``red_packet`` (红包): the packet has ``red_packet_slots`` shares, so at most that many friends join;
- ``lottery`` (抽奖): every friend who accepts joins and is a ticket for the sharer, which wins
  ``lottery_prize_cny`` with ``lottery_win_prob`` (a share completes when one of its tickets wins).

Every random number is keyed by (buyer, order number, friend), so ``invite`` with no immunity draws exactly
the same friends as before the mechanics existed, and strategies that differ only in mechanic share the luck.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.config import ReferralConfig, ReferralMechanic
from sim.model.quantiles import exponential_from_uniform, poisson_from_uniform
from sim.model.streams import occurrence, ranks_within

Uniform = Callable[..., np.ndarray]


@dataclass(frozen=True)
class Invitations:
    """One day's shares: the friends who joined and will send an add request, and what the shares did."""

    n: int
    request_day: np.ndarray
    shares: int = 0  # shares made today
    completed: int = 0  # of which a group formed, a help link reached its threshold or a packet was fully claimed
    sharer_rewards_cny: float = 0.0  # help_link rewards and lottery prizes earned today

    @classmethod
    def none(cls) -> Invitations:
        return cls(0, np.empty(0))

    def merged(self, other: Invitations) -> Invitations:
        """Two sets of one day's shares (orders' and a push's) as one."""
        return Invitations(
            self.n + other.n,
            np.concatenate([self.request_day, other.request_day]),
            self.shares + other.shares,
            self.completed + other.completed,
            self.sharer_rewards_cny + other.sharer_rewards_cny,
        )


def sharing(
    ref: ReferralConfig, uniform: Uniform, buyer: np.ndarray, numbers: np.ndarray, shares_before: np.ndarray
) -> np.ndarray:
    """Which orders (buyer, order number) share, given each buyer's shares before today (``shares_before``, per
    order); a buyer's later orders today see the shares of their earlier ones."""
    u = uniform("referral_invite", buyer, numbers)
    if ref.immunity_decay == 1.0 or buyer.size == 0:
        return u < ref.invite_prob
    rank = occurrence(buyer)
    shares = np.asarray(shares_before, dtype=np.int64)
    if rank.max() == 0:  # one order each (most days): no earlier share today, the loop's first round
        return u < ref.invite_prob * ref.immunity_decay**shares
    _, who = np.unique(buyer, return_inverse=True)
    shares = shares.copy()
    out = np.zeros(buyer.size, dtype=bool)
    for r in range(int(rank.max()) + 1):  # each buyer's r-th order of the day, after their earlier ones
        at = np.flatnonzero(rank == r)
        out[at] = u[at] < ref.invite_prob * ref.immunity_decay ** shares[at]
        shares += np.bincount(who[at[out[at]]], minlength=who.max() + 1)[who]
    return out


def share_outcomes(
    ref: ReferralConfig, uniform: Uniform, buyer: np.ndarray, numbers: np.ndarray, day: int
) -> Invitations:
    """The friends that shares by (buyer, order number) bring in under the referral's mechanic."""
    friends = poisson_from_uniform(
        np.full(buyer.size, ref.friends_per_invite), uniform("referral_friends", buyer, numbers)
    )
    share_of = np.repeat(np.arange(buyer.size), friends)
    b, n = buyer[share_of], numbers[share_of]
    friend = ranks_within(friends)
    accepts = uniform("referral_accept", b, n, friend) < ref.accept_prob
    delay = exponential_from_uniform(ref.join_delay_days, uniform("referral_delay", b, n, friend))
    mechanic = ReferralMechanic(ref.mechanic)
    completed, rewards = np.zeros(buyer.size, dtype=bool), 0.0
    if mechanic is ReferralMechanic.group_buy:
        in_window = accepts & (delay <= ref.window_days)
        completed = np.bincount(share_of[in_window], minlength=buyer.size) >= ref.group_size - 1
        joins = in_window & completed[share_of]
    elif mechanic is ReferralMechanic.help_link:
        joins = accepts
        completed = np.bincount(share_of[accepts], minlength=buyer.size) >= ref.help_threshold
        rewards = ref.help_reward_cny * float(completed.sum())
    elif mechanic is ReferralMechanic.red_packet:
        joins = accepts.copy()
        joins[accepts] = occurrence(share_of[accepts]) < ref.red_packet_slots
        completed = np.bincount(share_of[joins], minlength=buyer.size) >= ref.red_packet_slots
    elif mechanic is ReferralMechanic.lottery:
        joins = accepts
        won = joins & (uniform("referral_lottery", b, n, friend) < ref.lottery_win_prob)
        completed = np.bincount(share_of[won], minlength=buyer.size) > 0
        rewards = ref.lottery_prize_cny * float(won.sum())
    else:
        joins = accepts
    return Invitations(int(joins.sum()), day + 1.0 + delay[joins], buyer.size, int(completed.sum()), rewards)
