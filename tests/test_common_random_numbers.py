"""Common random numbers for every assumption: changing one setting changes only what can depend on it.

The cases are generated from the schema: every leaf setting of the population, accounting, platform and
strategy dataclasses is moved to another valid value, one at a time, on a fixed seed, and

- the platform layer (arrivals, each buyer trait, platforms, parcels, SMS luck) must stay exactly as it
  was except for the quantities the setting drives (:data:`PLATFORM_DRIVERS`);
- the capture side of the model (every platform buyer's first add request: time and channel; cards and
  SMS sent and their stages) and the joins (who joined through card or SMS, and when) must stay exactly
  as they were unless the setting acts on them (:data:`CAPTURE_DRIVERS`, :data:`JOIN_DRIVERS`).

A new setting is covered without editing this file: it must leave all of these unchanged unless it is
added to the tables below, which say, in one place, which assumption drives which quantity.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from enum import Enum
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _helpers import make_shared

from sim.config import (
    BaseConfig,
    CalendarConfig,
    CampaignConfig,
    ChannelConfig,
    Experiment,
    HookType,
    PlatformConfig,
    ReferralConfig,
    Segment,
    SharedConfig,
    SmsConfig,
    SmsWaveConfig,
    StrategyConfig,
    TouchConfig,
    WaveAudience,
    WaveHookConfig,
    WaveHookType,
)
from sim.config.validate import ConfigError, validate_shared, validate_strategy
from sim.model.funnel import CARD, SMS, FunnelModel
from sim.model.population import Platform, build_platform
from sim.model.streams import Streams
from sim.run.experiment import run_experiment

ARRIVALS = (  # who the buyers are
    "population.buyers_per_year",
    "population.sample_share",
    "population.start_date",
    "population.peaks.*",
    "population.base.*",  # the existing customers: how many, and since when
)
REPEAT = ("population.repeat.*",)
PLATFORM_DRIVERS: dict[str, tuple[str, ...]] = {
    "arrival_day": (),
    "trait.rate_per_day": ("population.repeat.r", "population.repeat.alpha_days"),
    "trait.dropout_prob": ("population.repeat.a", "population.repeat.b"),
    "trait.spend_rate": (
        "population.spend.q",
        "population.spend.gamma_cny",
        "platform.buyer_share.*",
        "platform.economics.*.spend_multiplier",
    ),
    "trait.tolerance_per_week": ("population.touch_tolerance_per_week", "population.touch_tolerance_shape"),
    "trait.unsub_hazard_per_day": ("population.unsubscribe.*",),
    "trait.patience_days": ("population.patience_hours",),
    "trait.u_unsubscribe": (),
    "trait.u_first_order": (),
    "trait.first_order_delay": (),
    "trait.u_membership": (),
    "trait.u_dropout": (),
    "marketplace": ("platform.buyer_share.*",),
    "parcels": REPEAT,  # which parcels exist: (buyer, order number)
    "parcel.order_day": REPEAT,
    "parcel.delivery_day": (*REPEAT, "population.delivery_days_mean"),
    "parcel.u_scan": (),  # of the parcels that exist in both
    "parcel.scan_delay": ("population.scan_delay_days_mean",),
    "sms_luck": (),
    "lapsed": REPEAT,  # existing customers who dropped out before day 0
}
PLATFORM_LAYER = tuple(sorted({k for keys in PLATFORM_DRIVERS.values() for k in keys} | set(ARRIVALS)))
CAMPAIGN = "strategy.calendar.campaigns.*"
CAPTURE_DRIVERS = (
    *PLATFORM_LAYER,
    "strategy.channel.*",
    "strategy.hook.*",
    "strategy.card.*",
    "strategy.sms.*",  # the routine message and the waves (each wave's luck is keyed by its name)
    f"{CAMPAIGN}.hook_*",  # a campaign's card hook, in its window
    f"{CAMPAIGN}.start",
    f"{CAMPAIGN}.days",
    f"{CAMPAIGN}.repeat",
)
# the desk decides who joins and when; referral requests queue at the same desk; a campaign may add agents
JOIN_DRIVERS = (*CAPTURE_DRIVERS, "strategy.onboarding.*", "strategy.referral.*", f"{CAMPAIGN}.extra_agents")

# every setting in play: an SMS wave to new buyers and the existing base, and a campaign that changes every lever
WAVE = SmsWaveConfig(
    name="recall",
    date="01-20",
    send_hour=20.0,
    audience=WaveAudience.all,
    hook=WaveHookConfig(type=WaveHookType.coupon, value_cny=3.0),
    filter_prob=0.0,
)
CAMPAIGN_CONFIG = CampaignConfig(
    name="week",
    start="01-10",
    days=10,
    hook_type=HookType.coupon,
    hook_value_cny=8.0,
    touches_per_week=3.0,
    touch_mix={"educational": 0.2, "emotional": 0.3, "promotional": 0.5},
    first_order_prob=0.4,
    subsidy_cny=5.0,
    extra_agents=1,
)
BASE_STRATEGY = StrategyConfig(
    name="base",
    referral=ReferralConfig(enabled=False),
    touch=TouchConfig(staff_hours_per_day=8.0),  # a touch team, so that every channel lever can be switched on
    sms=SmsConfig(waves=[WAVE]),
    calendar=CalendarConfig(campaigns=[CAMPAIGN_CONFIG]),
)
BASE_SHARED = make_shared(
    seed=31, buyers_per_year=30_000, horizon_days=45, followup_days=30, platform=PlatformConfig(), base=BaseConfig(2000)
)


# ----------------------------------------------------------------------------- the generated cases


def _leaves(obj: Any, prefix: str) -> list[str]:
    """Every leaf setting below ``obj`` as a dotted key (dict entries and list items included)."""
    if dataclasses.is_dataclass(obj):
        return [k for f in dataclasses.fields(obj) for k in _leaves(getattr(obj, f.name), f"{prefix}.{f.name}")]
    if isinstance(obj, dict):
        return [k for name, v in obj.items() for k in _leaves(v, f"{prefix}.{name}")]
    if isinstance(obj, list):
        return [k for i, v in enumerate(obj) for k in _leaves(v, f"{prefix}.{i}")]
    return [prefix]


def _get(obj: Any, part: str) -> Any:
    if isinstance(obj, dict):
        return obj[part]
    if isinstance(obj, list):
        return obj[int(part)]
    return getattr(obj, part)


def _set(obj: Any, parts: list[str], value: Any) -> Any:
    """A copy of ``obj`` with the leaf at ``parts`` set to ``value``."""
    head, rest = parts[0], parts[1:]
    new = value if not rest else _set(_get(obj, head), rest, value)
    if isinstance(obj, dict):
        return {**obj, head: new}
    if isinstance(obj, list):
        out = list(obj)
        out[int(head)] = new
        return out
    return dataclasses.replace(obj, **{head: new})


def _candidates(key: str, value: Any) -> list[Any]:
    """Other values to try for a setting, most informative first."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, Enum):
        return [m for m in type(value) if m != value]
    if isinstance(value, int):
        return [value + 1, value - 1, value * 2]
    if isinstance(value, float):
        return [value * 1.25 + 0.01, value * 0.8, value + 0.5, 1.0, 0.5] if value else [0.5, 0.05, 1.0]
    if isinstance(value, str):
        if key.endswith("start_date"):
            return ["2026-01-02"]
        if key.endswith(("month_day", ".date", ".start")):
            return [value[:3] + f"{int(value[3:]) % 28 + 1:02d}"]
        if key.endswith(".platform"):  # a wave's platform: "" for every one
            return ["tmall"]
        if ".chat.segments." in key:  # a segment 1:1 chat targets
            return [s.value for s in Segment if s.value != value]
        return [value + "_changed"]
    if value is None:
        return [1.0]
    raise AssertionError(f"{key}: no perturbation for a {type(value).__name__}; extend _candidates")


def _moved(shared: SharedConfig, strategy: StrategyConfig, key: str) -> tuple[SharedConfig, StrategyConfig]:
    """The configuration with ``key`` moved to another valid value (validated as the command line would)."""
    section, *parts = key.split(".")
    root = strategy if section == "strategy" else getattr(shared, section)
    value = _get_path(root, parts)
    for new_root in _moves(root, parts, key, value):
        s2 = new_root if section == "strategy" else strategy
        sh2 = shared if section == "strategy" else dataclasses.replace(shared, **{section: new_root})
        try:
            validate_shared(dataclasses.replace(sh2, run=dataclasses.replace(sh2.run, followup_days=365)))
            validate_strategy(s2, "")
        except ConfigError:
            continue
        return sh2, s2
    raise AssertionError(f"{key}={value!r}: no valid other value found; extend _moves")


def _moves(root: Any, parts: list[str], key: str, value: Any) -> Any:
    """Candidate roots with the leaf moved; shares that must sum to 1 move together with another entry."""
    if value is None and parts[-1] == "mix":  # a segment without a mix of its own gets one
        yield _set(root, parts, {"educational": 1.0, "emotional": 0.0, "promotional": 0.0})
        return
    owner = _get_path(root, parts[:-1])
    shares = len(parts) > 1 and parts[-2] in ("mix", "buyer_share", "touch_mix")
    for candidate in _candidates(key, value):
        if shares:  # move the difference to another entry, so the shares still sum to 1
            other = next(name for name in owner if name != parts[-1])
            moved = {**owner, parts[-1]: candidate, other: owner[other] + value - candidate}
            yield _set(root, parts[:-1], moved)
        else:
            yield _set(root, parts, candidate)


def _get_path(obj: Any, parts: list[str]) -> Any:
    for part in parts:
        obj = _get(obj, part)
    return obj


def _matches(key: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(key, p) for p in patterns)


SHARED_KEYS = [
    k for part in ("population", "accounting", "platform") for k in _leaves(getattr(BASE_SHARED, part), part)
]
STRATEGY_KEYS = [k for k in _leaves(BASE_STRATEGY, "strategy") if k != "strategy.name"]


def test_the_cases_cover_every_setting_of_the_schema() -> None:
    assert len(SHARED_KEYS) > 40 and len(STRATEGY_KEYS) > 50
    for must in (
        "population.unsubscribe.beta",
        "population.spend.p",
        "strategy.card.floor_add_prob",
        "population.base.size",
        "strategy.sms.waves.0.hook.value_cny",
        "strategy.sms.waves.0.rfm.max_recency_days",
        "strategy.calendar.campaigns.0.extra_agents",
        "strategy.onboarding.friend_cap_per_account",
    ):
        assert must in SHARED_KEYS + STRATEGY_KEYS


# ----------------------------------------------------------------------------- the platform layer


def _platform_quantities(p: Platform) -> dict[str, Any]:
    parcels = (
        pd.DataFrame(
            {
                "buyer": p.parcel_buyer,
                "index": p.parcel_card_index,
                "delivery_day": p.parcel_delivery_day,
                "u_scan": p.parcel_u_scan,
                "scan_delay": p.parcel_scan_delay,
            }
        )
        .set_index(["buyer", "index"])
        .sort_index()
    )
    out: dict[str, Any] = {"arrival_day": p.arrival_day, "marketplace": p.marketplace, "parcels": parcels.index}
    for f in dataclasses.fields(p.traits):
        out[f"trait.{f.name}"] = getattr(p.traits, f.name)
    out["parcel.delivery_day"] = parcels["delivery_day"]
    out["parcel.order_day"] = parcels.index  # order days follow from the same per-(buyer, k) draws
    out["parcel.u_scan"] = parcels["u_scan"]
    out["parcel.scan_delay"] = parcels["scan_delay"]
    out["sms_luck"] = (p.u_sms, p.sms_response_delay)
    out["lapsed"] = p.lapsed
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, tuple):
        return all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, pd.Series):  # parcels: compare those that exist in both
        common = a.index.intersection(b.index)
        return len(common) > 0 and np.array_equal(a.loc[common].to_numpy(), b.loc[common].to_numpy())
    if isinstance(a, pd.Index):
        return a.equals(b)
    return np.array_equal(a, b)


@pytest.fixture(scope="module")
def base_platform() -> dict[str, Any]:
    s = BASE_SHARED
    return _platform_quantities(build_platform(s.population, s.run.horizon_days, Streams(s.run.seed, 0), s.platform))


@pytest.mark.parametrize("key", SHARED_KEYS)
def test_a_setting_changes_only_the_platform_quantities_it_drives(base_platform, key: str) -> None:
    shared, _ = _moved(BASE_SHARED, BASE_STRATEGY, key)
    moved = build_platform(shared.population, shared.run.horizon_days, Streams(shared.run.seed, 0), shared.platform)
    after = _platform_quantities(moved)
    if _matches(key, ARRIVALS):
        return  # the population itself changes: which buyers exist and when they arrive
    for quantity, drivers in PLATFORM_DRIVERS.items():
        if not _matches(key, drivers):
            assert _same(base_platform[quantity], after[quantity]), f"{key} changed {quantity}"


# ----------------------------------------------------------------------------- the capture side of the model


def _model_quantities(shared: SharedConfig, strategy: StrategyConfig) -> dict[str, Any]:
    streams = Streams(shared.run.seed, 0)
    platform = build_platform(shared.population, shared.run.horizon_days, streams, shared.platform)
    model = FunnelModel(strategy, shared, platform, Streams(shared.run.seed, 0))
    model.run(0)
    n = platform.n_buyers
    m = model.members
    captured = np.isin(m.channel, (CARD, SMS))
    return {
        "capture": (model.requested_at[:n].copy(), model.channel[:n].copy(), model.cards_sent, model.sms_stage_counts),
        "joins": (m.buyer[captured].copy(), m.join_day[captured].copy()),
    }


@pytest.fixture(scope="module")
def base_model() -> dict[str, Any]:
    return _model_quantities(BASE_SHARED, BASE_STRATEGY)


def _check_model(base: dict[str, Any], key: str) -> None:
    if _matches(key, ARRIVALS):
        return
    shared, strategy = _moved(BASE_SHARED, BASE_STRATEGY, key)
    after = _model_quantities(shared, strategy)
    requested = base["capture"][0]
    assert np.isfinite(requested).sum() > 200, "too few add requests for a meaningful check"
    if not _matches(key, CAPTURE_DRIVERS):
        for a, b in zip(base["capture"], after["capture"], strict=True):
            assert np.array_equal(a, b), f"{key} changed the capture side"
    if not _matches(key, JOIN_DRIVERS):
        for a, b in zip(base["joins"], after["joins"], strict=True):
            assert np.array_equal(np.sort(a), np.sort(b)), f"{key} changed who joined through card or SMS"


@pytest.mark.parametrize("key", STRATEGY_KEYS)
def test_a_strategy_lever_changes_capture_only_if_it_acts_on_it(base_model, key: str) -> None:
    _check_model(base_model, key)


@pytest.mark.parametrize("key", [k for k in SHARED_KEYS if not _matches(k, PLATFORM_LAYER)])
def test_a_post_platform_assumption_leaves_capture_and_joins_unchanged(base_model, key: str) -> None:
    _check_model(base_model, key)


def test_the_checks_see_a_change_where_a_setting_acts(base_platform, base_model) -> None:
    """The comparisons are not vacuous: a driver changes what it drives."""
    shared, _ = _moved(BASE_SHARED, BASE_STRATEGY, "population.repeat.r")
    p = _platform_quantities(build_platform(shared.population, 45, Streams(shared.run.seed, 0), shared.platform))
    assert not _same(base_platform["trait.rate_per_day"], p["trait.rate_per_day"])
    assert not _same(base_platform["parcels"], p["parcels"])
    assert _same(base_platform["trait.dropout_prob"], p["trait.dropout_prob"])
    for key, quantity in (
        ("strategy.card.floor_add_prob", "capture"),
        ("strategy.onboarding.handling_minutes", "joins"),
    ):
        after = _model_quantities(*_moved(BASE_SHARED, BASE_STRATEGY, key))
        changed = [not np.array_equal(a, b) for a, b in zip(base_model[quantity], after[quantity], strict=True)]
        assert any(changed), f"{key} should change {quantity}"


# ----------------------------------------------------------------------------- the example, as metrics


@pytest.mark.parametrize(
    ("key", "value"), [("unsubscribe", dict(beta=4.0)), ("spend", dict(p=2.0))], ids=["unsubscribe.beta", "spend.p"]
)
def test_post_join_shapes_leave_the_capture_metrics_exactly_unchanged(key: str, value: dict[str, float]) -> None:
    """members_acquired, capture_rate_card and capture_rate_sms are identical on a fixed seed (referral off, so that
    referred friends, whose number follows orders and deletes, do not enter members_acquired)."""
    shared = make_shared(seed=3, buyers_per_year=50_000, horizon_days=60, followup_days=30, platform=PlatformConfig())
    moved = dataclasses.replace(
        shared,
        population=dataclasses.replace(
            shared.population, **{key: dataclasses.replace(getattr(shared.population, key), **value)}
        ),
    )
    strategy = dataclasses.replace(BASE_STRATEGY, channel=ChannelConfig())
    out = []
    for s in (shared, moved):
        reps = run_experiment(Experiment("x", "?", "base", {"base": strategy}, s))
        out.append(reps.set_index(["replication", "metric"])["value"])
    for metric in ("members_acquired", "capture_rate_card", "capture_rate_sms"):
        a, b = out[0].xs(metric, level="metric"), out[1].xs(metric, level="metric")
        assert (a > 0).all()
        np.testing.assert_array_equal(a.to_numpy(), b.to_numpy(), err_msg=metric)
    assert not out[0].xs("ltv_12m", level="metric").equals(out[1].xs("ltv_12m", level="metric"))
