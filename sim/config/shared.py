"""Settings every strategy of an experiment shares: the run, the buyers, the accounting, the platforms.

The platform buyers' behaviour (BG/NBD repeat buying, Gamma-Gamma spend, sBG unsubscribing,
touch response, patience) is a property of the population, not of a strategy, so changing
a strategy never changes who the buyers are. Imports only :mod:`sim.config.fields`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sim.config.fields import nonneg, positive, prob, within

LTV_MONTHS: tuple[int, ...] = (12, 24, 36)  # the LTV windows accounting.ltv_months allows
DAYS_PER_LTV_YEAR = 365  # a 12-month window is 365 days, 24 months 730, 36 months 1095


def ltv_window_days(ltv_months: int) -> int:
    """Days of an LTV window of ``ltv_months`` months (a multiple of 12): members are valued this long after joining."""
    return DAYS_PER_LTV_YEAR * ltv_months // 12


@dataclass(frozen=True)
class RunConfig:
    """How to run: seeds, replications, horizon, parallelism."""

    seed: int = nonneg(20261123, 2**63 - 1)
    n_replications: int = within(20, 1, 10_000)
    n_jobs: int = within(-1, -1, 1024)  # -1: all cores
    horizon_days: int = within(365, 1, 3650)  # acquisition window, calendar days
    followup_days: int = nonneg(
        365, 3650
    )  # members are followed this long after the horizon (raised to the LTV window)
    progress: bool = True
    # sequential replications (sim.run.sequential): stop once every paired difference of the headline is pinned down
    sequential: bool = False
    sequential_tolerance_cny: float = positive(20_000.0, 1e12)  # half-width target of each paired difference
    sequential_min_replications: int = within(6, 2, 10_000)  # the first look
    sequential_batch: int = within(4, 1, 10_000)  # replications between looks
    # draw each replication's calibrated parameters from population.uncertainty (sim.run.uncertainty); the summary's
    # intervals are then the 2.5-97.5% percentiles over the replications (sim.run.compare)
    parameter_uncertainty: bool = False


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
class LogNormalConfig:
    """The sampling distribution of fitted parameters: their logs are normal with this mean and covariance.

    ``log_estimate`` maps each parameter (a key of the section it belongs to, in its units, e.g. ``alpha_days``)
    to the log of its estimate; ``log_covariance`` maps each to its row of the covariance of the logs, in
    ``log_estimate``'s order. Empty: no uncertainty.
    """

    log_estimate: dict[str, float] = field(default_factory=dict)
    log_covariance: dict[str, list[float]] = field(default_factory=dict)


@dataclass(frozen=True)
class UncertaintyConfig:
    """What the data could not pin down: the sampling distribution of the fitted ``repeat`` and ``spend`` parameters
    (``python -m sim.calibrate`` writes it), drawn from once per replication with ``run.parameter_uncertainty``."""

    repeat: LogNormalConfig = field(default_factory=LogNormalConfig)
    spend: LogNormalConfig = field(default_factory=LogNormalConfig)

    @property
    def empty(self) -> bool:
        return not (self.repeat.log_estimate or self.spend.log_estimate)


@dataclass(frozen=True)
class UnsubscribeConfig:
    """Shifted-beta-geometric deleting/unsubscribing: per-period hazard theta ~ Beta(alpha, beta)."""

    alpha: float = positive(0.5, 1e3)
    beta: float = positive(9.5, 1e3)
    period_days: float = positive(30.0, 3650.0)


@dataclass(frozen=True)
class ChatResponseConfig:
    """How members respond to a 1:1 chat (一对一私聊), against a mass message of the same content."""

    lift_multiplier: float = nonneg(2.0, 100.0)  # × the content's lift
    delete_risk_multiplier: float = nonneg(0.3, 100.0)  # × the content's delete risk (fatigue pressure applies)


@dataclass(frozen=True)
class MomentsResponseConfig:
    """How members see and respond to moments posts (朋友圈)."""

    reach: float = prob(0.3)  # share of members who see a post, posting once a week or less
    reach_exponent: float = within(0.5, 0.0, 1.0)  # reach per post × (posts_per_week)^-exponent above one a week
    lift_multiplier: float = nonneg(0.3, 100.0)  # × the post content's lift, for a member who sees it
    delete_risk_multiplier: float = nonneg(0.1, 100.0)  # × the content's delete risk, no fatigue pressure


@dataclass(frozen=True)
class GroupResponseConfig:
    """How members take part in customer groups (社群), which go quiet over time (逐渐群内就开始不活跃)."""

    join_prob: float = prob(0.4)  # a new member invited to the group joins
    activity_half_life_days: float = positive(30.0, 3650.0)  # a group's active share above the floor halves this fast
    activity_floor: float = prob(0.05)  # the active share a group decays towards
    live_boost: float = prob(0.5)  # a live stream restores this share of a group's lost activity
    leave_prob: float = prob(0.003)  # per group message seen, the member leaves the group (not the brand)
    lift_multiplier: float = nonneg(0.6, 100.0)  # × the message content's lift, for an active member who sees it
    delete_risk_multiplier: float = nonneg(0.0, 100.0)  # × the content's delete risk


@dataclass(frozen=True)
class LiveResponseConfig:
    """How members respond to a live stream (直播)."""

    attendance_prob: float = prob(0.04)  # a subscribed member watches a stream
    conversion_prob: float = prob(0.15)  # an attendee who still buys (BG/NBD alive) orders during the stream
    lift_multiplier: float = nonneg(1.0, 100.0)  # × the promotional lift, for an attendee


@dataclass(frozen=True)
class TouchResponseConfig:
    """How members respond to one touch of each content type, and to each touch channel."""

    lift: dict[str, float] = field(
        default_factory=lambda: {"educational": 0.6, "emotional": 0.9, "promotional": 2.0}
    )  # added to the purchase-rate multiplier, decaying with lift_decay_days
    lift_decay_days: float = positive(4.0, 365.0)
    delete_risk: dict[str, float] = field(
        default_factory=lambda: {"educational": 0.0015, "emotional": 0.0015, "promotional": 0.003}
    )  # per-touch delete probability when the recent touch rate equals the member's tolerance
    fatigue_decay_days: float = positive(7.0, 365.0)  # how fast the recent touch rate forgets (sim.model.touches)
    fatigue_exponent: float = nonneg(2.0, 10.0)
    chat: ChatResponseConfig = field(default_factory=ChatResponseConfig)
    moments: MomentsResponseConfig = field(default_factory=MomentsResponseConfig)
    groups: GroupResponseConfig = field(default_factory=GroupResponseConfig)
    live: LiveResponseConfig = field(default_factory=LiveResponseConfig)


@dataclass(frozen=True)
class BaseConfig:
    """The existing customer base (存量): past platform buyers the brand has at day 0, who are not members yet.

    Each first bought at a uniform time within the last ``history_days`` and has bought since as the
    population's BG/NBD process says (so recency, frequency and spend are those of the model's buyers);
    they reorder on their platforms during the run, with package cards, and can be recalled by SMS waves.
    """

    size: int = within(0, 0, 50_000_000)  # existing customers; 0: none (scaled by sample_share like every total)
    history_days: int = within(730, 1, 36500)  # their first orders fall uniformly within this many days before day 0


@dataclass(frozen=True)
class PopulationConfig:
    """Who the platform buyers are and how they behave (the practitioners' priors)."""

    name: str = "default"
    buyers_per_year: int = within(600_000, 1, 50_000_000)
    # simulate this share of the buyers, with onboarding capacity and fixed costs scaled alike, and report
    # totals scaled back: a quick run that gives the same per-member answers as the full one
    sample_share: float = within(1.0, 0.0, 1.0, open_lo=True)
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
    touch_tolerance_per_week: float = positive(3.0, 100.0)  # mean over buyers: touches per week at delete_risk
    touch_tolerance_shape: float = positive(4.0, 1e3)  # Gamma shape of the tolerance
    delivery_days_mean: float = positive(3.0, 60.0)  # order to parcel delivery, Gamma(shape 4)
    scan_delay_days_mean: float = nonneg(1.0, 60.0)  # delivery to scanning the card, exponential
    patience_hours: float = positive(24.0, 1e5)  # mean wait a buyer accepts before giving up
    greeting_half_life_hours: float = positive(12.0, 1e5)  # wait that halves the first-order chance
    base: BaseConfig = field(default_factory=BaseConfig)  # the existing customers at day 0
    uncertainty: UncertaintyConfig = field(default_factory=UncertaintyConfig)  # of repeat and spend, if calibrated


@dataclass(frozen=True)
class AccountingConfig:
    """Margins, discounting and the operator's churn definition."""

    gross_margin_rate: float = prob(0.5)  # private orders: (price - cost of goods) / price
    discount_rate_annual: float = nonneg(0.10, 10.0)
    service_cost_per_order_cny: float = nonneg(2.0, 1e4)  # private orders: customer service
    shipping_cost_per_order_cny: float = nonneg(6.0, 1e4)  # private orders: the brand ships them itself
    payment_fee_rate: float = prob(0.006)  # private orders: WeChat Pay fee, share of the order value
    dormancy_window_days: int = within(90, 1, 3650)
    ltv_months: int = within(12, 12, 36)  # the LTV window: members are valued for their first 12, 24 or 36 months

    @property
    def ltv_window_days(self) -> int:
        """The LTV window in days."""
        return ltv_window_days(self.ltv_months)


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


@dataclass(frozen=True)
class SharedConfig:
    """What every strategy of an experiment shares."""

    run: RunConfig
    population: PopulationConfig
    accounting: AccountingConfig
    platform: PlatformConfig = field(default_factory=PlatformConfig)


def followed_for_window(shared: SharedConfig) -> SharedConfig:
    """``shared`` with ``run.followup_days`` raised to the LTV window, so every member is valued for the whole window:
    the follow-up is max(run.followup_days, accounting.ltv_months in days)."""
    days = max(shared.run.followup_days, shared.accounting.ltv_window_days)
    return replace(shared, run=replace(shared.run, followup_days=days))
