"""Typed configuration: the dataclass schemas behind every Hydra config group.

Each YAML file in ``configs/<group>/`` is validated against the schema registered
here in Hydra's ``ConfigStore``, so a misspelt key or a wrong type fails when the
config is composed. Value ranges (probabilities in [0, 1], costs >= 0, sizes > 0)
are declared next to each field with :func:`prob`, :func:`nonneg`, :func:`positive`
or :func:`within` and checked by :mod:`sim.validate` before anything runs.

The model never sees OmegaConf objects: the entry point turns the composed config
into these frozen dataclasses with ``OmegaConf.to_object``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from omegaconf import MISSING, DictConfig, ListConfig, OmegaConf

# --------------------------------------------------------------------------- ranges


def within(default: Any, lo: float, hi: float, *, open_lo: bool = False) -> Any:
    """A field whose value must lie in [lo, hi] (or (lo, hi] when ``open_lo``)."""
    return field(default=default, metadata={"range": (lo, hi, open_lo)})


def prob(default: float) -> Any:
    """A probability in [0, 1]."""
    return within(default, 0.0, 1.0)


def nonneg(default: Any, hi: float = float("inf")) -> Any:
    """A cost, count or duration that may be zero but not negative."""
    return within(default, 0.0, hi)


def positive(default: Any, hi: float = float("inf")) -> Any:
    """A size, rate or scale that must be strictly positive."""
    return within(default, 0.0, hi, open_lo=True)


# --------------------------------------------------------------------------- enums


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


# --------------------------------------------------------------------------- shared: run, population


@dataclass(frozen=True)
class RunConfig:
    """How to run: seeds, replications, horizon, parallelism."""

    seed: int = nonneg(20261123, 2**63 - 1)
    n_replications: int = within(20, 1, 10_000)
    n_jobs: int = within(-1, -1, 1024)  # -1: all cores
    horizon_days: int = within(365, 1, 3650)  # acquisition window, calendar days
    followup_days: int = nonneg(365, 3650)  # members keep being simulated this long after the horizon
    progress: bool = True


@dataclass  # not frozen: OmegaConf makes list items of a frozen dataclass read-only (population.peaks.0.*=...)
class PeakConfig:
    """A seasonal sales peak (618, Double 11) as a Gaussian bump in order volume."""

    name: str = "peak"
    month_day: str = "11-11"  # MM-DD
    multiplier: float = within(4.0, 1.0, 100.0)  # volume on the peak day / normal day
    width_days: float = positive(2.0, 60.0)


@dataclass(frozen=True)
class RepeatConfig:
    """BG/NBD repeat buying: rate ~ Gamma(r, alpha_days), dropout ~ Beta(a, b)."""

    r: float = positive(0.243, 1e3)
    alpha_days: float = positive(30.898, 1e6)  # CDNOW 4.414 weeks, in days
    a: float = positive(0.793, 1e3)
    b: float = positive(2.426, 1e3)


@dataclass(frozen=True)
class SpendConfig:
    """Gamma-Gamma spend per order: mean spend of a buyer is p/nu, nu ~ Gamma(q, gamma)."""

    p: float = positive(6.25, 1e3)
    q: float = within(3.74, 1.0, 1e3, open_lo=True)  # q > 1 for a finite mean
    gamma_cny: float = positive(52.6, 1e7)


@dataclass(frozen=True)
class UnsubscribeConfig:
    """Shifted-beta-geometric deleting/unsubscribing: per-period hazard theta ~ Beta(alpha, beta)."""

    alpha: float = positive(0.5, 1e3)
    beta: float = positive(9.5, 1e3)
    period_days: float = positive(30.0, 3650.0)


@dataclass(frozen=True)
class TouchResponseConfig:
    """How members respond to one touch of each content type."""

    lift: dict[str, float] = field(
        default_factory=lambda: {"educational": 0.6, "emotional": 0.9, "promotional": 2.0}
    )  # added to the purchase-rate multiplier, decaying with lift_decay_days
    lift_decay_days: float = positive(4.0, 365.0)
    delete_risk: dict[str, float] = field(
        default_factory=lambda: {"educational": 0.0015, "emotional": 0.0015, "promotional": 0.003}
    )  # per-touch delete probability when recent touches equal the member's tolerance
    fatigue_decay_days: float = positive(7.0, 365.0)
    fatigue_exponent: float = nonneg(2.0, 10.0)


@dataclass(frozen=True)
class PopulationConfig:
    """Who the platform buyers are and how they behave (the practitioners' priors)."""

    name: str = "default"
    buyers_per_year: int = within(600_000, 1, 50_000_000)
    start_date: str = "2026-01-01"
    peaks: list[PeakConfig] = field(
        default_factory=lambda: [
            PeakConfig(name="618", month_day="06-18", multiplier=3.0, width_days=2.0),
            PeakConfig(name="double_11", month_day="11-11", multiplier=5.0, width_days=2.0),
        ]
    )
    repeat: RepeatConfig = field(default_factory=RepeatConfig)
    spend: SpendConfig = field(default_factory=SpendConfig)
    unsubscribe: UnsubscribeConfig = field(default_factory=UnsubscribeConfig)
    touch_response: TouchResponseConfig = field(default_factory=TouchResponseConfig)
    touch_tolerance_per_week: float = positive(3.0, 100.0)  # mean over buyers
    touch_tolerance_shape: float = positive(4.0, 1e3)  # Gamma shape of the tolerance
    delivery_days_mean: float = positive(3.0, 60.0)  # order to parcel delivery, Gamma(shape 4)
    scan_delay_days_mean: float = nonneg(1.0, 60.0)  # delivery to scanning the card, exponential
    patience_hours: float = positive(24.0, 1e5)  # mean wait a buyer accepts before giving up
    greeting_half_life_hours: float = positive(12.0, 1e5)  # wait that halves the first-order chance


@dataclass(frozen=True)
class AccountingConfig:
    """Margins, discounting and the operator's churn definition."""

    gross_margin_rate: float = prob(0.5)  # private orders: (price - cost of goods) / price
    discount_rate_annual: float = nonneg(0.10, 10.0)
    service_cost_per_order_cny: float = nonneg(2.0)  # private orders: customer service
    shipping_cost_per_order_cny: float = nonneg(6.0, 1e4)  # private orders: the brand ships them itself
    payment_fee_rate: float = prob(0.006)  # private orders: WeChat Pay fee, share of the order value
    dormancy_window_days: int = within(90, 1, 3650)


@dataclass(frozen=True)
class MarketplaceConfig:
    """One platform's economics per order, and how its buyers split their orders once they are members."""

    commission_rate: float = prob(0.05)  # platform commission (technical service fee), share of the order value
    ads_cost_per_order_cny: float = nonneg(12.0, 1e5)  # platform advertising spent per order
    gross_margin_rate: float = prob(0.5)  # (platform price - cost of goods) / platform price, fulfilment included
    spend_multiplier: float = within(1.0, 0.01, 100.0)  # this platform's buyers spend this times the population's
    private_share: float = prob(0.5)  # share of a member's natural repurchases placed privately after a first one


@dataclass(frozen=True)
class PlatformConfig:
    """Where the platform buyers bought: each buyer belongs to one platform, drawn from ``buyer_share``."""

    name: str = "tmall"
    buyer_share: dict[str, float] = field(
        default_factory=lambda: {"tmall": 1.0, "jd": 0.0, "pdd": 0.0, "douyin": 0.0}
    )  # every platform's share, so that a config file's shares replace all of these
    economics: dict[str, MarketplaceConfig] = field(
        default_factory=lambda: {
            "tmall": MarketplaceConfig(commission_rate=0.05, ads_cost_per_order_cny=12.0),
            "jd": MarketplaceConfig(commission_rate=0.08, ads_cost_per_order_cny=10.0),
            "pdd": MarketplaceConfig(commission_rate=0.006, ads_cost_per_order_cny=15.0, spend_multiplier=0.7),
            "douyin": MarketplaceConfig(commission_rate=0.05, ads_cost_per_order_cny=20.0),
        }
    )


# --------------------------------------------------------------------------- strategy levers


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
    cost_per_agent_day_cny: float = nonneg(250.0)


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
    high_value_spend_cny: float = nonneg(1000.0)  # cumulative private spend for "high value"


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
    rate_multiplier: float = within(1.5, 0.0, 100.0)
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


@dataclass(frozen=True)
class ExperimentConfig:
    """Which strategies to compare: each is the base strategy with its overrides."""

    name: str = MISSING  # every experiment file names itself (configs/experiment/single.yaml: none chosen)
    question: str = "What does the base strategy return?"
    baseline: str = "base"
    strategies: dict[str, Any] = field(default_factory=dict)  # empty: the base strategy alone


@dataclass(frozen=True)
class Config:
    """The whole composed configuration, as the entry point receives it."""

    run: RunConfig = field(default_factory=RunConfig)
    population: PopulationConfig = field(default_factory=PopulationConfig)
    accounting: AccountingConfig = field(default_factory=AccountingConfig)
    platform: PlatformConfig = field(default_factory=PlatformConfig)
    channel: ChannelConfig = field(default_factory=ChannelConfig)
    hook: HookConfig = field(default_factory=HookConfig)
    card: CardConfig = field(default_factory=CardConfig)
    sms: SmsConfig = field(default_factory=SmsConfig)
    onboarding: OnboardingConfig = field(default_factory=OnboardingConfig)
    offer: OfferConfig = field(default_factory=OfferConfig)
    touch: TouchConfig = field(default_factory=TouchConfig)
    referral: ReferralConfig = field(default_factory=ReferralConfig)
    membership: MembershipConfig = field(default_factory=MembershipConfig)
    # an experiment file, typed as ExperimentConfig by sim.compose so that no schema default hides its '???'
    experiment: Any = None
    report: ReportConfig = field(default_factory=lambda: ReportConfig())


@dataclass(frozen=True)
class SharedConfig:
    """What every strategy of an experiment shares."""

    run: RunConfig
    population: PopulationConfig
    accounting: AccountingConfig
    platform: PlatformConfig = field(default_factory=PlatformConfig)


# --------------------------------------------------------------------------- report


class ReportLang(str, Enum):
    """Language of the run's report and of every figure label."""

    en = "en"
    zh = "zh"  # needs a CJK font (Debian: fonts-noto-cjk); without one the report falls back to English


@dataclass(frozen=True)
class ReportConfig:
    """How the run's figures and report are written (not part of any strategy)."""

    lang: ReportLang = ReportLang.en


GROUP_SCHEMAS: dict[str, type] = {
    "run": RunConfig,
    "population": PopulationConfig,
    "accounting": AccountingConfig,
    "platform": PlatformConfig,
    "channel": ChannelConfig,
    "hook": HookConfig,
    "card": CardConfig,
    "sms": SmsConfig,
    "onboarding": OnboardingConfig,
    "offer": OfferConfig,
    "touch": TouchConfig,
    "referral": ReferralConfig,
    "membership": MembershipConfig,
    "experiment": ExperimentConfig,
    "report": ReportConfig,
}


def _unlock(node: Any) -> None:
    # frozen dataclasses mark their nodes read-only, which composition would trip over
    OmegaConf.set_readonly(node, None)
    children = [v for _, v in node.items_ex(resolve=False)] if isinstance(node, DictConfig) else node  # '???' ok
    for child in children:
        if isinstance(child, (DictConfig, ListConfig)):
            _unlock(child)


def unlocked(schema: type) -> Any:
    """A structured config node of ``schema`` that composition and merging may write to."""
    node = OmegaConf.structured(schema)
    _unlock(node)
    return node


def register_configs() -> None:
    """Register the schemas so each YAML option can pull its schema via its defaults list."""
    from hydra.core.config_store import ConfigStore

    cs = ConfigStore.instance()
    cs.store(name="config_schema", node=unlocked(Config))
    for group, schema in GROUP_SCHEMAS.items():
        cs.store(group=group, name=f"{group}_schema", node=unlocked(schema))
