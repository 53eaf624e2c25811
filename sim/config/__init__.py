"""Configuration: the typed schema of every setting, its validation, and turning Hydra's config into it.

Data flows config -> model -> run -> report / plan; this is the bottom layer. Modules:

- :mod:`~sim.config.fields`: a field's allowed range, declared next to its default;
- :mod:`~sim.config.shared`: what every strategy shares (run, population, accounting, platforms);
- :mod:`~sim.config.strategy`: the levers of one strategy (hook, card, SMS, onboarding, touches, ...);
- :mod:`~sim.config.schema`: the whole config, the experiment, and their registration with Hydra;
- :mod:`~sim.config.validate`: range and consistency checks, :class:`~sim.config.validate.ConfigError`;
- :mod:`~sim.config.errors`: Hydra's and OmegaConf's errors as one line (key, value, what is allowed);
- :mod:`~sim.config.compose`: the composed Hydra config -> a typed :class:`Experiment`;
- :mod:`~sim.config.overrides`: composing from command-line overrides, with one-line errors.

Hydra and OmegaConf are used here and in the entry points only; the model, the runs and the
reports see frozen dataclasses. This package re-exports the schema's names, so
``from sim.config import StrategyConfig`` works.

May import no other part of ``sim``: everything else imports from here.
"""

from sim.config.fields import (
    nonneg,
    positive,
    prob,
    within,
)
from sim.config.schema import (
    CONTROL,
    GROUP_SCHEMAS,
    Config,
    Experiment,
    ExperimentConfig,
    ReportConfig,
    ReportLang,
    register_configs,
    unlocked,
)
from sim.config.shared import (
    LTV_WINDOW_DAYS,
    AccountingConfig,
    BaseConfig,
    MarketplaceConfig,
    PeakConfig,
    PlatformConfig,
    PopulationConfig,
    RepeatConfig,
    RunConfig,
    SharedConfig,
    SpendConfig,
    TouchResponseConfig,
    UnsubscribeConfig,
)
from sim.config.strategy import (
    DEFAULT_HOUR_MULTIPLIER,
    STRATEGY_GROUPS,
    CalendarConfig,
    CampaignConfig,
    CampaignRepeat,
    CardConfig,
    CardDesign,
    ChannelConfig,
    ContentType,
    HookConfig,
    HookResponseConfig,
    HookType,
    MembershipConfig,
    OfferConfig,
    OnboardingConfig,
    ReferralConfig,
    ReferralMechanic,
    RfmConfig,
    ScheduleEntryConfig,
    Segment,
    SegmentTouchConfig,
    SmsConfig,
    SmsHookResponseConfig,
    SmsWaveConfig,
    StrategyConfig,
    TouchConfig,
    WaveAudience,
    WaveHookConfig,
    WaveHookType,
    WhenFull,
)

__all__ = [
    "DEFAULT_HOUR_MULTIPLIER",
    "LTV_WINDOW_DAYS",
    "AccountingConfig",
    "BaseConfig",
    "CalendarConfig",
    "CampaignConfig",
    "ScheduleEntryConfig",
    "CampaignRepeat",
    "CONTROL",
    "CardConfig",
    "CardDesign",
    "ChannelConfig",
    "Config",
    "ContentType",
    "Experiment",
    "ExperimentConfig",
    "GROUP_SCHEMAS",
    "HookConfig",
    "HookResponseConfig",
    "HookType",
    "MarketplaceConfig",
    "MembershipConfig",
    "OfferConfig",
    "OnboardingConfig",
    "PeakConfig",
    "PlatformConfig",
    "PopulationConfig",
    "ReferralConfig",
    "ReferralMechanic",
    "RepeatConfig",
    "ReportConfig",
    "ReportLang",
    "RfmConfig",
    "RunConfig",
    "STRATEGY_GROUPS",
    "Segment",
    "SegmentTouchConfig",
    "SharedConfig",
    "SmsConfig",
    "SmsHookResponseConfig",
    "SmsWaveConfig",
    "SpendConfig",
    "StrategyConfig",
    "TouchConfig",
    "TouchResponseConfig",
    "UnsubscribeConfig",
    "WaveAudience",
    "WaveHookConfig",
    "WaveHookType",
    "WhenFull",
    "nonneg",
    "positive",
    "prob",
    "register_configs",
    "unlocked",
    "within",
]
