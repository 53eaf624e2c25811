"""A strategy: every lever an operator can pull, one dataclass per Hydra config group.

Channels, hook, package card, SMS, onboarding desk, new-member offer, touches, referral and
paid membership; :class:`StrategyConfig` holds one of each. Imports only
:mod:`sim.config.fields`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from sim.config.fields import nonneg, positive, prob, within


class HookType(str, Enum):
    """What the package card (or SMS) promises for adding the brand as a friend."""

    cash = "cash"  # red packet, paid on add
    physical = "physical"  # low-price gift, product + shipping paid on add
    coupon = "coupon"  # paid only when redeemed on a private order
    virtual = "virtual"  # a service (consultation, membership trial)


class CardDesign(str, Enum):
    """Card format; the generic red 'add me for ¥2' card meets buyer immunity."""

    generic = "generic"
    postcard = "postcard"
    bookmark = "bookmark"
    founder_letter = "founder_letter"


class ContentType(str, Enum):
    """The content triangle of private-domain touches."""

    educational = "educational"
    emotional = "emotional"
    promotional = "promotional"


class Segment(str, Enum):
    """Lifecycle segments a touch policy is set for."""

    new = "new"
    active = "active"
    at_risk = "at_risk"
    high_value = "high_value"


@dataclass(frozen=True)
class ChannelConfig:
    """Which capture channels the strategy uses."""

    card: bool = True
    sms: bool = True


@dataclass(frozen=True)
class HookConfig:
    """The hook offered for adding; cost is paid per its type (see HookType)."""

    type: HookType = HookType.cash
    value_cny: float = nonneg(5.0, 1e5)  # face value to the buyer
    shipping_cost_cny: float = nonneg(0.0, 1e4)  # physical gifts only
    coupon_valid_days: int = within(30, 1, 3650)  # coupons only
    virtual_cost_ratio: float = prob(0.2)  # virtual services: cost to the brand / face value


@dataclass(frozen=True)
class HookResponseConfig:
    """Add probability of one hook type: max_add_prob * (1 - exp(-value / value_scale_cny))."""

    max_add_prob: float = prob(0.1)
    value_scale_cny: float = positive(10.0, 1e6)


@dataclass(frozen=True)
class CardConfig:
    """The package card: cost, design and the buyers' response to it."""

    cost_per_card_cny: float = nonneg(0.3, 1e4)
    design: CardDesign = CardDesign.postcard
    design_multiplier: dict[str, float] = field(
        default_factory=lambda: {"generic": 0.5, "postcard": 1.0, "bookmark": 1.0, "founder_letter": 1.2}
    )
    floor_add_prob: float = prob(0.01)  # some buyers always scan, whatever the hook
    hook_response: dict[str, HookResponseConfig] = field(
        default_factory=lambda: {
            "cash": HookResponseConfig(max_add_prob=0.12, value_scale_cny=8.0),
            "physical": HookResponseConfig(max_add_prob=0.10, value_scale_cny=10.0),
            "coupon": HookResponseConfig(max_add_prob=0.07, value_scale_cny=15.0),
            "virtual": HookResponseConfig(max_add_prob=0.05, value_scale_cny=20.0),
        }
    )
    repeat_card_factor: float = prob(0.5)  # each further card a buyer receives is this much less effective


@dataclass(frozen=True)
class SmsConfig:
    """One SMS per deduplicated platform buyer who has not added by the send time."""

    cost_per_message_cny: float = nonneg(0.03, 100.0)
    delay_days: int = within(3, 0, 365)  # after the buyer's first platform order
    send_hour: float = within(10.0, 0.0, 23.99)
    intercept_prob: float = prob(0.2)  # carrier spam filtering
    click_prob: float = prob(0.005)
    scene_switch_prob: float = prob(0.4)  # of clickers, those who complete the add in WeChat
    response_mean_hours: float = positive(4.0, 1e4)  # exponential delay from send to add request


@dataclass(frozen=True)
class OnboardingConfig:
    """The customer-service team that accepts add requests (a SimPy resource)."""

    unlimited: bool = False  # True: every request is accepted at once (no queue, no limits)
    agents: int = within(4, 1, 10_000)
    work_start_hour: float = within(9.0, 0.0, 24.0)
    work_end_hour: float = within(22.0, 0.0, 24.0)
    handling_minutes: float = positive(3.0, 24 * 60.0)  # mean, exponential
    accounts: int = within(5, 1, 100_000)
    daily_add_limit_per_account: int = within(300, 1, 1_000_000)
    cost_per_agent_day_cny: float = nonneg(250.0, 1e5)


@dataclass(frozen=True)
class OfferConfig:
    """The new-member offer that should bring the first private order."""

    name: str = "trial_9_9"
    first_order_prob: float = prob(0.3)  # for a member greeted at once
    first_order_mean_days: float = positive(2.0, 365.0)
    subsidy_cny: float = nonneg(10.0, 1e5)  # per first order
    first_order_cannibalisation: float = prob(0.5)  # chance the first private order replaces a platform order


@dataclass(frozen=True)
class SegmentTouchConfig:
    """Touch policy for one lifecycle segment; unset values fall back to the touch config's."""

    touches_per_week: float | None = None
    mix: Any = None  # dict[str, float] | None; untyped because OmegaConf cannot merge a mapping into a typed null


@dataclass(frozen=True)
class TouchConfig:
    """Touch policy: frequency, content mix and cap, per lifecycle segment."""

    touches_per_week: float = nonneg(2.0, 70.0)
    cap_per_week: int = within(7, 0, 70)
    mix: dict[str, float] = field(default_factory=lambda: {"educational": 0.4, "emotional": 0.3, "promotional": 0.3})
    cost_per_touch_cny: dict[str, float] = field(
        default_factory=lambda: {"educational": 0.1, "emotional": 0.1, "promotional": 0.2}
    )
    segments: dict[str, SegmentTouchConfig] = field(
        default_factory=lambda: {s.value: SegmentTouchConfig() for s in Segment}
    )
    new_days: int = within(30, 0, 3650)  # members younger than this are "new"
    at_risk_days: int = within(45, 1, 3650)  # no private order for this long: "at risk"
    high_value_spend_cny: float = nonneg(1000.0, 1e8)  # cumulative private spend for "high value"


@dataclass(frozen=True)
class ReferralConfig:
    """Members who buy may invite friends, who join the private domain directly."""

    enabled: bool = True
    invite_prob: float = prob(0.05)  # per private order
    friends_per_invite: float = nonneg(2.0, 1000.0)  # mean, Poisson
    accept_prob: float = prob(0.3)
    reward_cny: float = nonneg(5.0, 1e5)  # paid to the inviter per friend added
    join_delay_days: float = nonneg(1.0, 365.0)  # mean, exponential


@dataclass(frozen=True)
class MembershipConfig:
    """Optional paid membership offered at the first private order."""

    enabled: bool = False
    fee_cny: float = nonneg(99.0, 1e5)
    uptake_prob: float = prob(0.1)
    rate_multiplier: float = within(1.5, 1.0, 100.0)  # paid members' repurchase rate / natural rate
    discount_rate: float = prob(0.05)  # member price discount on private orders


@dataclass(frozen=True)
class StrategyConfig:
    """One strategy: every lever an operator can pull."""

    name: str = "base"
    channel: ChannelConfig = field(default_factory=ChannelConfig)
    hook: HookConfig = field(default_factory=HookConfig)
    card: CardConfig = field(default_factory=CardConfig)
    sms: SmsConfig = field(default_factory=SmsConfig)
    onboarding: OnboardingConfig = field(default_factory=OnboardingConfig)
    offer: OfferConfig = field(default_factory=OfferConfig)
    touch: TouchConfig = field(default_factory=TouchConfig)
    referral: ReferralConfig = field(default_factory=ReferralConfig)
    membership: MembershipConfig = field(default_factory=MembershipConfig)


STRATEGY_GROUPS: tuple[str, ...] = (
    "channel",
    "hook",
    "card",
    "sms",
    "onboarding",
    "offer",
    "touch",
    "referral",
    "membership",
)
