"""Typed configuration: the dataclass schemas behind every Hydra config group.

Each YAML file in ``configs/<group>/`` is validated against the schema registered
here in Hydra's ``ConfigStore``, so a misspelt key or a wrong type fails when the
config is composed. Value ranges (probabilities in [0, 1], costs >= 0, sizes > 0)
are declared next to each field with :func:`prob`, :func:`nonneg`, :func:`positive`
or :func:`within` and checked by :mod:`sim.config.validate` before anything runs.

The model never sees OmegaConf objects: the entry point turns the composed config
into these frozen dataclasses with ``OmegaConf.to_object``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from omegaconf import MISSING, DictConfig, ListConfig, OmegaConf

from sim.config.shared import (
    AccountingConfig,
    PlatformConfig,
    PopulationConfig,
    RunConfig,
    SharedConfig,
)
from sim.config.strategy import (
    CalendarConfig,
    CardConfig,
    ChannelConfig,
    HookConfig,
    MembershipConfig,
    OfferConfig,
    OnboardingConfig,
    ReferralConfig,
    SmsConfig,
    StrategyConfig,
    TouchConfig,
)

CONTROL = "control"  # the result tables' name for the arm without capture, which incremental metrics measure against


@dataclass(frozen=True)
class ExperimentConfig:
    """Which strategies to compare: each is the base strategy with its overrides."""

    name: str = MISSING  # every experiment file names itself (configs/experiment/single.yaml: none chosen)
    question: str = "What does the base strategy return?"
    baseline: str = "base"
    strategies: dict[str, Any] = field(default_factory=dict)  # empty: the base strategy alone
    # the report in Chinese (report.lang=zh): the question, and a display name per strategy
    question_zh: str = ""
    names_zh: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Experiment:
    """What to compare, typed and validated: named strategies, the baseline among them, the shared settings."""

    name: str
    question: str
    baseline: str
    strategies: dict[str, StrategyConfig]
    shared: SharedConfig


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
    calendar: CalendarConfig = field(default_factory=CalendarConfig)
    # an experiment file, typed as ExperimentConfig by sim.config.compose so that no schema default hides its '???'
    experiment: Any = None
    report: ReportConfig = field(default_factory=lambda: ReportConfig())


# --------------------------------------------------------------------------- report


class ReportLang(str, Enum):
    """Language of the run's report and of every figure label."""

    en = "en"
    zh = "zh"  # needs a CJK font (Debian: fonts-noto-cjk); without one the report falls back to English


@dataclass(frozen=True)
class ReportConfig:
    """How the run's figures and report are written (not part of any strategy)."""

    lang: ReportLang = ReportLang.en
    # a sweep point's own figures and report; python -m sim -m sets it false (the sweep's figures are drawn once, at
    # the end) unless given, and python -m sim.report POINT_DIR draws them later from the point's tables
    point_figures: bool = True


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
    "calendar": CalendarConfig,
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
