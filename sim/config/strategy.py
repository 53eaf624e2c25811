"""A strategy: every lever an operator can pull, one dataclass per Hydra config group.

Channels, hook, package card, SMS (the routine message to new buyers and dated waves), onboarding
desk and WeCom accounts, new-member offer, touches, referral, paid membership and the campaign
calendar; :class:`StrategyConfig` holds one of each. Imports only :mod:`sim.config.fields`.
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


class WaveAudience(str, Enum):
    """Whom an SMS wave goes to, before targeting and deduplication."""

    base = "base"  # the existing customers (population.base), who bought before the run
    new_buyers = "new_buyers"  # platform buyers whose first order falls in the run, before the send time
    all = "all"  # both


class WaveHookType(str, Enum):
    """What an SMS wave promises for adding: a hook type, or none (a plain invitation)."""

    none = "none"
    cash = "cash"
    physical = "physical"  # a sample or low-price gift (领小样), product + shipping paid on add
    coupon = "coupon"
    virtual = "virtual"


class WhenFull(str, Enum):
    """What happens when every WeCom account has reached its friend cap."""

    open_new = "open_new"  # a new staff account replaces each full one, at onboarding.new_account_cost_cny
    lose = "lose"  # no more accounts: further add requests are lost


class ReferralMechanic(str, Enum):
    """How a member's share brings friends in (裂变玩法)."""

    invite = "invite"  # a plain invitation: every friend who accepts joins
    group_buy = "group_buy"  # 拼团: friends join only if group_size - 1 of them join within window_days
    help_link = "help_link"  # 助力: every helper joins; the sharer is paid help_reward_cny at help_threshold helpers
    red_packet = "red_packet"  # 红包: a packet of red_packet_slots shares; at most that many friends join
    lottery = "lottery"  # 抽奖: every friend who joins is a ticket for the sharer, winning lottery_prize_cny


class CampaignRepeat(str, Enum):
    """How often a campaign's window recurs."""

    once = "once"  # the first occurrence of its start date on or after population.start_date
    monthly = "monthly"  # the same day of every month from then on (a member day)


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


DEFAULT_HOUR_MULTIPLIER: tuple[float, ...] = (
    0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0, 1.0,  # 0:00-11:00
    0.9, 0.8, 0.8, 0.8, 0.8, 0.9, 1.0, 1.2, 1.3, 1.2, 0.8, 0.4,  # 12:00-23:00: evenings read most
)  # fmt: skip


@dataclass(frozen=True)
class SmsHookResponseConfig:
    """How much a hook in an SMS lifts its click rate: x (1 + max_click_lift * (1 - exp(-value / value_scale_cny)))."""

    max_click_lift: float = nonneg(1.0, 100.0)
    value_scale_cny: float = positive(10.0, 1e6)


@dataclass  # not frozen: it sits in list items (SmsConfig.waves), which OmegaConf makes read-only if frozen
class WaveHookConfig:
    """The hook an SMS wave promises; paid as the package card's hook of the same type (see HookType)."""

    type: WaveHookType = WaveHookType.none
    value_cny: float = nonneg(0.0, 1e5)
    shipping_cost_cny: float = nonneg(0.0, 1e4)  # physical gifts (samples) only
    coupon_valid_days: int = within(30, 1, 3650)  # coupons only
    virtual_cost_ratio: float = prob(0.2)  # virtual services only


@dataclass  # not frozen: OmegaConf makes list items of a frozen dataclass read-only
class RfmConfig:
    """Targeting by RFM at the send time; the defaults select everybody."""

    max_recency_days: float = within(3650.0, 0.0, 36500.0)  # last platform order at most this long ago
    min_orders: int = within(1, 1, 10_000)  # platform orders so far (the first included)
    min_order_value_cny: float = nonneg(0.0, 1e7)  # the buyer's mean order value


@dataclass  # not frozen: OmegaConf makes list items of a frozen dataclass read-only
class SmsWaveConfig:
    """One dated SMS wave (a recall or a campaign message) to an audience, deduplicated before sending."""

    name: str = "wave"
    date: str = "03-01"  # MM-DD: its first occurrence on or after population.start_date
    send_hour: float = within(10.0, 0.0, 23.99)
    audience: WaveAudience = WaveAudience.base
    platform: str = ""  # only buyers of this platform (a key of platform.economics); "" for every platform
    rfm: RfmConfig = field(default_factory=RfmConfig)
    # an A/B split: only buyers whose split uniform lies in [slice_from, slice_to) (stream sms.ab_split)
    slice_from: float = prob(0.0)
    slice_to: float = prob(1.0)
    hook: WaveHookConfig = field(default_factory=WaveHookConfig)
    cost_per_message_cny: float = nonneg(0.03, 100.0)
    intercept_prob: float = prob(0.2)  # each message filtered by the carrier
    filter_prob: float = prob(0.05)  # the whole wave filtered (a bad copy or link): it yields zero, and is paid
    skip_earlier_recipients: bool = True  # deduplicate against earlier waves' recipients


@dataclass(frozen=True)
class SmsConfig:
    """The routine SMS (one per deduplicated new buyer who has not added by the send time) and dated waves.

    The routine message keeps its hook-independent response (``click_prob``); a wave's click rate is
    ``click_prob`` times its hook's lift, the send hour's multiplier, a recency factor and
    ``repeat_factor`` per earlier SMS the buyer received (:func:`sim.model.capture.wave_click_probs`).
    """

    cost_per_message_cny: float = nonneg(0.03, 100.0)
    delay_days: int = within(3, 0, 365)  # after the buyer's first platform order
    send_hour: float = within(10.0, 0.0, 23.99)
    intercept_prob: float = prob(0.2)  # carrier spam filtering
    click_prob: float = prob(0.005)
    scene_switch_prob: float = prob(0.4)  # of clickers, those who complete the add in WeChat
    response_mean_hours: float = positive(4.0, 1e4)  # exponential delay from send to add request
    waves: list[SmsWaveConfig] = field(default_factory=list)
    hook_response: dict[str, SmsHookResponseConfig] = field(
        default_factory=lambda: {
            "cash": SmsHookResponseConfig(max_click_lift=3.0, value_scale_cny=5.0),
            "physical": SmsHookResponseConfig(max_click_lift=2.5, value_scale_cny=5.0),
            "coupon": SmsHookResponseConfig(max_click_lift=1.5, value_scale_cny=5.0),
            "virtual": SmsHookResponseConfig(max_click_lift=1.0, value_scale_cny=10.0),
        }
    )
    # click multiplier by the hour of sending (0:00 .. 23:00); 1 at the routine message's 10:00
    hour_multiplier: list[float] = field(default_factory=lambda: list(DEFAULT_HOUR_MULTIPLIER))
    recency_fresh_days: float = nonneg(30.0, 36500.0)  # buyers who ordered this recently respond fully
    recency_half_life_days: float = positive(180.0, 36500.0)  # beyond that, the click rate halves every this long
    repeat_factor: float = prob(0.6)  # each earlier SMS the buyer received multiplies the click rate by this
    opt_out_prob: float = prob(0.01)  # a delivered message not acted on makes its reader unsubscribe (退订)


@dataclass  # not frozen: OmegaConf makes list items of a frozen dataclass read-only
class ScheduleEntryConfig:
    """A date range of the onboarding desk's schedule (the desk's hours, or with ``onboarding.shifts`` the shift
    it names); unset values stay."""

    start: str = "01-01"  # MM-DD: the first such date on or after population.start_date
    days: int = within(1, 1, 366)
    agents: int | None = within(None, 1, 10_000)  # on duty on these days instead of onboarding.agents (or the shift's)
    accounts: int | None = within(None, 1, 100_000)  # first day: new WeCom accounts open until this many have room
    shift: str | None = None  # with onboarding.shifts: the name of the shift whose agents the entry sets


@dataclass  # not frozen: OmegaConf makes list items of a frozen dataclass read-only
class ShiftConfig:
    """One shift of the onboarding desk each day: its hours (start before end, within the day) and agents on duty."""

    name: str = "shift"
    start_hour: float = within(0.0, 0.0, 24.0)
    end_hour: float = within(24.0, 0.0, 24.0)
    agents: int = within(1, 0, 10_000)  # 0: the shift is listed but nobody is on duty


@dataclass(frozen=True)
class OnboardingConfig:
    """The customer-service team that accepts add requests (a SimPy resource)."""

    unlimited: bool = False  # True: every request is accepted at once (no queue, no limits)
    agents: int = within(4, 1, 10_000)
    work_start_hour: float = within(9.0, 0.0, 24.0)
    work_end_hour: float = within(22.0, 0.0, 24.0)
    handling_minutes: float = positive(3.0, 24 * 60.0)  # mean, exponential
    accounts: int = within(5, 1, 100_000)  # WeCom staff accounts taking add requests at the start
    daily_add_limit_per_account: int = within(300, 1, 1_000_000)
    cost_per_agent_day_cny: float = nonneg(250.0, 1e5)
    friend_cap_per_account: int = within(5000, 1, 1_000_000)  # WeCom: 5,000 customers per staff account at first
    when_full: WhenFull = WhenFull.open_new
    new_account_cost_cny: float = nonneg(0.0, 1e7)  # per account opened when another fills (when_full=open_new)
    # date ranges with their own agents (a campaign's extra agents add to them) or accounts; later entries win
    schedule: list[ScheduleEntryConfig] = field(default_factory=list)
    # several shifts a day, each with its hours and agents (no overlaps); empty: one shift, work_start_hour to
    # work_end_hour with ``agents``. With shifts, a campaign's extra agents join every shift.
    shifts: list[ShiftConfig] = field(default_factory=list)


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
class ChatConfig:
    """一对一私聊 (1:1 chat): staff write to members one by one, on top of the mass messages (群发)."""

    touches_per_week: float = nonneg(0.0, 70.0)  # per member of the segments below; 0: no 1:1 chat
    segments: list[str] = field(default_factory=lambda: [s.value for s in Segment])
    staff_minutes_per_touch: float = positive(3.0, 600.0)


@dataclass(frozen=True)
class MomentsConfig:
    """朋友圈 (moments): posts every friend may see in their feed."""

    posts_per_week: float = nonneg(0.0, 70.0)  # 0: no posts
    staff_minutes_per_post: float = nonneg(20.0, 6000.0)


@dataclass(frozen=True)
class GroupsConfig:
    """社群 (customer groups): new members are invited to the brand's group; full groups close and new ones open."""

    enabled: bool = False
    size_cap: int = within(500, 2, 500)  # WeCom customer group: up to 500 members
    messages_per_week: float = nonneg(3.0, 70.0)  # per group
    staff_minutes_per_message: float = nonneg(10.0, 6000.0)  # per group and message


@dataclass(frozen=True)
class LiveConfig:
    """直播 (live streams): scheduled events every member is invited to; attendees may buy during the stream."""

    streams_per_week: float = nonneg(0.0, 7.0)  # 0: no live streams
    hour: float = within(20.0, 0.0, 23.99)  # start, hours after midnight
    cost_per_stream_cny: float = nonneg(800.0, 1e7)  # host, samples and traffic, for the whole member base
    staff_minutes_per_stream: float = nonneg(180.0, 6000.0)


@dataclass(frozen=True)
class TouchConfig:
    """Touch policy: frequency, content mix and cap per lifecycle segment (mass messages, 群发), and the other
    channels: 1:1 chat, moments, groups and live streams, run by a touch team of ``staff_hours_per_day``."""

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
    chat: ChatConfig = field(default_factory=ChatConfig)
    moments: MomentsConfig = field(default_factory=MomentsConfig)
    groups: GroupsConfig = field(default_factory=GroupsConfig)
    live: LiveConfig = field(default_factory=LiveConfig)
    staff_hours_per_day: float = nonneg(0.0, 240_000.0)  # the touch team's working hours a day (chat, posts, groups)
    staff_cost_per_hour_cny: float = nonneg(40.0, 1e5)  # paid for every hour of the team, used or not


@dataclass(frozen=True)
class ReferralConfig:
    """Members who buy may invite friends, who join the private domain directly."""

    enabled: bool = True
    invite_prob: float = prob(0.05)  # per private order
    friends_per_invite: float = nonneg(2.0, 1000.0)  # mean, Poisson
    accept_prob: float = prob(0.3)
    reward_cny: float = nonneg(5.0, 1e5)  # per friend added (the invite reward, 拼团 discount or red packet share)
    join_delay_days: float = nonneg(1.0, 365.0)  # mean, exponential
    mechanic: ReferralMechanic = ReferralMechanic.invite
    immunity_decay: float = prob(1.0)  # share of the invite chance kept after each share (1: no immunity)
    group_size: int = within(3, 2, 100)  # 拼团: the sharer and group_size - 1 friends
    window_days: float = positive(1.0, 365.0)  # 拼团: friends must join within this many days of the share
    help_threshold: int = within(3, 1, 1000)  # 助力: helpers needed for the sharer's reward
    help_reward_cny: float = nonneg(0.0, 1e5)  # 助力: paid to the sharer once the threshold is reached
    red_packet_slots: int = within(5, 1, 1000)  # 红包: friends one packet can bring in
    lottery_win_prob: float = prob(0.1)  # 抽奖: the chance each ticket (a friend who joined) wins
    lottery_prize_cny: float = nonneg(20.0, 1e5)  # 抽奖: paid to the sharer per winning ticket


@dataclass(frozen=True)
class MembershipConfig:
    """Optional paid membership offered at the first private order."""

    enabled: bool = False
    fee_cny: float = nonneg(99.0, 1e5)
    uptake_prob: float = prob(0.1)
    rate_multiplier: float = within(1.5, 1.0, 100.0)  # paid members' repurchase rate / natural rate
    discount_rate: float = prob(0.05)  # member price discount on private orders


@dataclass  # not frozen: OmegaConf makes list items of a frozen dataclass read-only
class CampaignConfig:
    """A dated campaign (618, Double 11, a member day) that changes levers for a window; unset levers stay."""

    name: str = "campaign"
    start: str = "11-01"  # MM-DD
    days: int = within(1, 1, 366)  # length of the window
    repeat: CampaignRepeat = CampaignRepeat.once
    hook_type: HookType | None = None  # the package card's hook (and the routine SMS's) in the window
    hook_value_cny: float | None = within(None, 0.0, 1e5)
    touches_per_week: float | None = within(None, 0.0, 70.0)  # every segment's, in the window
    touch_mix: Any = None  # dict[str, float] | None: every segment's content mix, in the window
    first_order_prob: float | None = within(None, 0.0, 1.0)  # the new-member offer of members joining in the window
    subsidy_cny: float | None = within(None, 0.0, 1e5)
    extra_agents: int = within(0, 0, 10_000)  # onboarding agents added on the window's days, at the same day rate
    referral_push_prob: float = prob(0.0)  # on the window's first day, each subscribed member shares with this chance


@dataclass(frozen=True)
class CalendarConfig:
    """The campaign calendar: campaigns whose windows change levers (later campaigns win where they overlap)."""

    campaigns: list[CampaignConfig] = field(default_factory=list)


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
    calendar: CalendarConfig = field(default_factory=CalendarConfig)


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
    "calendar",
)
