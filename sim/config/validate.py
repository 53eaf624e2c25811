"""Range and consistency checks on the typed configuration, run once before anything simulates.

Every failure raises :class:`ConfigError`, whose message is one line naming the key,
the value and what is allowed, for example
``hook.value_cny=-3.0: must be >= 0``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from enum import Enum
from typing import Any

import numpy as np

from sim.config import (
    LTV_MONTHS,
    CampaignRepeat,
    CardDesign,
    ContentType,
    HookType,
    LogNormalConfig,
    PlatformConfig,
    PopulationConfig,
    RepeatConfig,
    Segment,
    SharedConfig,
    SpendConfig,
    StrategyConfig,
)


class ConfigError(ValueError):
    """A configuration value outside what the engine accepts (a value of None is not shown)."""

    def __init__(self, key: str, value: Any, allowed: str) -> None:
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"{key}: {allowed}" if value is None else f"{key}={_show(value)}: {allowed}")

    def __reduce__(self) -> tuple[type, tuple[str, Any, str]]:  # raised in a worker process, re-raised here
        return (type(self), (self.key, self.value, self.allowed))


class UnknownKeyError(ConfigError):
    """A key the schema does not have (``allowed`` names the keys it has)."""


def _show(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    return repr(value) if isinstance(value, str) else str(value)


def _range_text(lo: float, hi: float, open_lo: bool) -> str:
    left = "(" if open_lo else "["
    return f"allowed range {left}{lo:g}, {hi:g}]"


def check_ranges(obj: Any, prefix: str) -> None:
    """Check every field declared with a range, recursing into nested dataclasses, lists and dicts."""
    if dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            key = f"{prefix}.{f.name}" if prefix else f.name
            bounds = f.metadata.get("range")
            if bounds is not None and value is not None:
                lo, hi, open_lo = bounds
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise ConfigError(key, value, "must be a number")
                if not math.isfinite(value) or value < lo or value > hi or (open_lo and value <= lo):
                    raise ConfigError(key, value, _range_text(lo, hi, open_lo))
            check_ranges(value, key)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            check_ranges(v, f"{prefix}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            check_ranges(v, f"{prefix}[{i}]")


def _check_keys(mapping: dict[str, Any], allowed: type[Enum], key: str, *, complete: bool) -> None:
    names = [e.value for e in allowed]
    for k in mapping:
        if k not in names:
            raise UnknownKeyError(f"{key}.{k}", mapping[k], f"unknown key; allowed keys: {', '.join(names)}")
    if complete:
        for n in names:
            if n not in mapping:
                raise ConfigError(f"{key}.{n}", None, f"missing; every one of {', '.join(names)} is required")


def _check_values(mapping: dict[str, float], key: str, lo: float, hi: float) -> None:
    for k, v in mapping.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not (lo <= v <= hi) or math.isnan(v):
            raise ConfigError(f"{key}.{k}", v, _range_text(lo, hi, False))


def _check_mix(mix: dict[str, float], key: str) -> None:
    if not isinstance(mix, dict):  # a segment's mix is untyped until here (sim.config.schema.SegmentTouchConfig)
        raise ConfigError(key, mix, "must be a mapping; allowed keys: " + ", ".join(c.value for c in ContentType))
    _check_keys(mix, ContentType, key, complete=False)
    _check_values(mix, key, 0.0, 1.0)
    total = sum(mix.values())
    if abs(total - 1.0) > 1e-6:
        raise ConfigError(key, dict(mix), f"shares must sum to 1 (they sum to {total:g})")


def _check_month_day(text: str, key: str) -> None:
    try:
        dt.datetime.strptime(f"2001-{text}", "%Y-%m-%d")
    except ValueError:
        raise ConfigError(key, text, "must be a month and day as MM-DD, e.g. 11-11") from None


FIRST_START, LAST_START = dt.date(1970, 1, 1), dt.date(2099, 12, 31)  # a run's first day


def validate_shared(shared: SharedConfig) -> None:
    """Check the run, population and accounting settings."""
    check_ranges(shared.run, "run")
    check_ranges(shared.population, "population")
    check_ranges(shared.accounting, "accounting")
    _check_platform(shared.platform)
    pop = shared.population
    try:
        start = dt.date.fromisoformat(pop.start_date)
    except ValueError:
        raise ConfigError("population.start_date", pop.start_date, "must be a date as YYYY-MM-DD") from None
    if not FIRST_START <= start <= LAST_START:
        raise ConfigError("population.start_date", pop.start_date, f"must be between {FIRST_START} and {LAST_START}")
    for i, peak in enumerate(pop.peaks):
        _check_month_day(peak.month_day, f"population.peaks[{i}].month_day")
    resp = pop.touch_response
    _check_keys(resp.lift, ContentType, "population.touch_response.lift", complete=True)
    _check_values(resp.lift, "population.touch_response.lift", 0.0, 100.0)
    _check_keys(resp.delete_risk, ContentType, "population.touch_response.delete_risk", complete=True)
    _check_values(resp.delete_risk, "population.touch_response.delete_risk", 0.0, 1.0)
    months = shared.accounting.ltv_months
    if isinstance(months, bool) or months not in LTV_MONTHS:
        allowed = ", ".join(str(m) for m in LTV_MONTHS)
        raise ConfigError("accounting.ltv_months", months, f"allowed: {allowed} (months of each member's LTV window)")
    if shared.run.n_jobs == 0:
        raise ConfigError("run.n_jobs", 0, "must be -1 (all cores) or a positive number of processes")
    _check_uncertainty(pop, shared.run.parameter_uncertainty)


UNCERTAIN_SECTIONS: tuple[tuple[str, type], ...] = (("repeat", RepeatConfig), ("spend", SpendConfig))
CENTRE_TOLERANCE = 1e-6  # |log(value) - log_estimate| allowed: the calibrator writes both from the same rounded value


def _check_log_normal(normal: LogNormalConfig, schema: type, key: str) -> None:
    """Keys of ``schema``, finite logs, one covariance row per parameter, symmetric positive semi-definite."""
    names = list(normal.log_estimate)
    allowed = [f.name for f in dataclasses.fields(schema)]
    for name, value in normal.log_estimate.items():
        if name not in allowed:
            raise UnknownKeyError(
                f"{key}.log_estimate.{name}", value, f"unknown key; allowed keys: {', '.join(allowed)}"
            )
        if not math.isfinite(value):
            raise ConfigError(f"{key}.log_estimate.{name}", value, "must be a finite number (the log of an estimate)")
    if list(normal.log_covariance) != names:
        raise ConfigError(
            f"{key}.log_covariance",
            list(normal.log_covariance),
            f"must have one row per parameter of {key}.log_estimate, in its order: [{', '.join(names)}]",
        )
    for name, row in normal.log_covariance.items():
        if len(row) != len(names) or not all(math.isfinite(v) for v in row):
            raise ConfigError(f"{key}.log_covariance.{name}", list(row), f"must be {len(names)} finite numbers")
    if names:
        cov = np.array([normal.log_covariance[n] for n in names], dtype=float)
        scale = float(np.abs(np.diag(cov)).max()) or 1.0
        if not np.allclose(cov, cov.T, rtol=0.0, atol=1e-9 * scale) or np.linalg.eigvalsh(cov).min() < -1e-9 * scale:
            raise ConfigError(
                f"{key}.log_covariance", None, "must be symmetric and positive semi-definite (a covariance)"
            )


def _check_uncertainty(pop: PopulationConfig, drawn: bool) -> None:
    """``population.uncertainty`` well formed; with ``run.parameter_uncertainty``, present and centred on the values."""
    for section, schema in UNCERTAIN_SECTIONS:
        _check_log_normal(getattr(pop.uncertainty, section), schema, f"population.uncertainty.{section}")
    if not drawn:
        return
    if pop.uncertainty.empty:
        raise ConfigError(
            "run.parameter_uncertainty=true",
            None,
            f"population '{pop.name}' carries no calibrated uncertainty (population.uncertainty is empty); allowed: a "
            "population written by python -m sim.calibrate (population=NAME), or run.parameter_uncertainty=false",
        )
    for section, _ in UNCERTAIN_SECTIONS:
        for name, log_estimate in getattr(pop.uncertainty, section).log_estimate.items():
            value = getattr(getattr(pop, section), name)
            if abs(math.log(value) - log_estimate) > CENTRE_TOLERANCE:
                raise ConfigError(
                    f"population.{section}.{name}",
                    value,
                    f"differs from the calibrated estimate {math.exp(log_estimate):.6g} the parameter draws are "
                    f"centred on (population.uncertainty.{section}.log_estimate.{name}); allowed: that value, or "
                    "run.parameter_uncertainty=false",
                )


def _check_platform(platform: PlatformConfig) -> None:
    """Ranges of every platform's economics; buyer shares name known platforms and sum to 1."""
    check_ranges(platform, "platform")
    known = ", ".join(platform.economics)
    for name, share in platform.buyer_share.items():
        if name not in platform.economics:
            raise ConfigError(f"platform.buyer_share.{name}", share, f"unknown platform; allowed keys: {known}")
    _check_values(platform.buyer_share, "platform.buyer_share", 0.0, 1.0)
    total = sum(platform.buyer_share.values())
    if abs(total - 1.0) > 1e-6:
        raise ConfigError(
            "platform.buyer_share", dict(platform.buyer_share), f"shares must sum to 1 (they sum to {total:g})"
        )


HOURS_PER_DAY = 24


def validate_strategy(strategy: StrategyConfig, prefix: str, platforms: Sequence[str] | None = None) -> None:
    """Check one strategy's levers; ``prefix`` is where it lives in the config ("" for the base), for messages.

    ``platforms`` are the platform names a wave may target (the keys of ``platform.economics``); None: not checked.
    """
    key = prefix.rstrip(".")

    def at(rest: str) -> str:
        return f"{key}.{rest}" if key else rest

    check_ranges(strategy, key)
    card, touch, onb = strategy.card, strategy.touch, strategy.onboarding
    _check_keys(card.design_multiplier, CardDesign, at("card.design_multiplier"), complete=True)
    _check_values(card.design_multiplier, at("card.design_multiplier"), 0.0, 100.0)
    _check_keys(card.hook_response, HookType, at("card.hook_response"), complete=True)
    _check_mix(touch.mix, at("touch.mix"))
    _check_keys(touch.cost_per_touch_cny, ContentType, at("touch.cost_per_touch_cny"), complete=True)
    _check_values(touch.cost_per_touch_cny, at("touch.cost_per_touch_cny"), 0.0, 1e5)
    _check_keys(touch.segments, Segment, at("touch.segments"), complete=False)
    for name, seg in touch.segments.items():
        tpw = seg.touches_per_week
        if tpw is not None and (isinstance(tpw, bool) or not 0.0 <= tpw <= 70.0):
            raise ConfigError(at(f"touch.segments.{name}.touches_per_week"), tpw, _range_text(0, 70, False))
        if seg.mix is not None:
            _check_mix(seg.mix, at(f"touch.segments.{name}.mix"))
    _check_channels(touch, at)
    if not onb.unlimited and onb.work_end_hour <= onb.work_start_hour:
        raise ConfigError(
            at("onboarding.work_end_hour"),
            onb.work_end_hour,
            f"must be later than onboarding.work_start_hour ({onb.work_start_hour:g})",
        )
    _check_sms(strategy, at, platforms)
    _check_calendar(strategy, at)
    _check_shifts(strategy, at)
    _check_schedule(strategy, at)


def _check_shifts(strategy: StrategyConfig, at: Any) -> None:
    """Every shift of the onboarding desk: a unique name, start before end, no overlap with another shift."""
    onb = strategy.onboarding
    names: set[str] = set()
    for i, shift in enumerate(onb.shifts):
        where = at(f"onboarding.shifts[{i}]")
        if not shift.name.strip() or shift.name in names:
            raise ConfigError(f"{where}.name", shift.name, "must be a non-empty name used by no other shift")
        names.add(shift.name)
        if shift.end_hour <= shift.start_hour:
            raise ConfigError(
                f"{where}.end_hour", shift.end_hour, f"must be later than start_hour ({shift.start_hour:g})"
            )
        for j, other in enumerate(onb.shifts[:i]):
            if shift.start_hour < other.end_hour and other.start_hour < shift.end_hour:
                hours = f"{other.start_hour:g}-{other.end_hour:g}"
                raise ConfigError(
                    f"{where}.start_hour",
                    shift.start_hour,
                    f"overlaps onboarding.shifts[{j}] ({other.name}, {hours}); shifts must not overlap",
                )


def _check_schedule(strategy: StrategyConfig, at: Any) -> None:
    """Every entry of the onboarding schedule: a start date, agents or accounts to set, and with shifts, agents that
    name their shift (one of them); a shift named without shifts or without agents is refused."""
    onb = strategy.onboarding
    names = ", ".join(repr(s.name) for s in onb.shifts)
    for i, entry in enumerate(onb.schedule):
        where = at(f"onboarding.schedule[{i}]")
        _check_month_day(entry.start, f"{where}.start")
        if entry.shift is not None and not onb.shifts:
            raise ConfigError(
                f"{where}.shift", entry.shift, "allowed only with onboarding.shifts (one shift a day here)"
            )
        if entry.shift is not None and entry.shift not in {s.name for s in onb.shifts}:
            raise ConfigError(f"{where}.shift", entry.shift, f"unknown shift; allowed: {names}")
        if entry.shift is not None and entry.agents is None:
            raise ConfigError(f"{where}.shift", entry.shift, "names the shift whose agents the entry sets: set agents")
        if onb.shifts and entry.agents is not None and entry.shift is None:
            raise ConfigError(
                f"{where}.agents",
                entry.agents,
                f"with onboarding.shifts, name the shift they staff in {where}.shift (one of {names})",
            )
        if entry.agents is None and entry.accounts is None:
            raise ConfigError(where, "no agents or accounts", "must set agents, accounts or both")


def _check_channels(touch: Any, at: Any) -> None:
    """1:1 chat targets known segments, and a channel that takes staff time has a touch team to do it."""
    allowed = {s.value for s in Segment}
    for i, name in enumerate(touch.chat.segments):
        if name not in allowed:
            raise ConfigError(at(f"touch.chat.segments[{i}]"), name, f"unknown segment; allowed: {', '.join(allowed)}")
    needs_staff = {
        "touch.chat.touches_per_week": touch.chat.touches_per_week > 0.0,
        "touch.moments.posts_per_week": touch.moments.posts_per_week > 0.0 and touch.moments.staff_minutes_per_post > 0,
        "touch.groups.enabled": touch.groups.enabled and touch.groups.staff_minutes_per_message > 0.0,
        "touch.live.streams_per_week": touch.live.streams_per_week > 0.0 and touch.live.staff_minutes_per_stream > 0,
    }
    for key, needs in needs_staff.items():
        if needs and touch.staff_hours_per_day == 0.0:
            raise ConfigError(at(key), _lookup(touch, key), "takes staff time: set touch.staff_hours_per_day above 0")


def _lookup(touch: Any, key: str) -> Any:
    """The value at ``key`` (``touch.<channel>.<field>``) of the touch config."""
    _, channel, name = key.split(".")
    return getattr(getattr(touch, channel), name)


def _check_sms(strategy: StrategyConfig, at: Any, platforms: Sequence[str] | None) -> None:
    """The SMS response curves and every wave: unique names, dates, A/B slices and platforms."""
    sms = strategy.sms
    _check_keys(sms.hook_response, HookType, at("sms.hook_response"), complete=True)
    hours = sms.hour_multiplier
    if not isinstance(hours, list) or len(hours) != HOURS_PER_DAY:
        raise ConfigError(at("sms.hour_multiplier"), hours, "must be a list of 24 click multipliers, one per hour")
    for i, v in enumerate(hours):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= v <= 100.0:
            raise ConfigError(at(f"sms.hour_multiplier[{i}]"), v, _range_text(0, 100, False))
    names: set[str] = set()
    for i, wave in enumerate(sms.waves):
        where = at(f"sms.waves[{i}]")
        if not wave.name.strip() or wave.name in names:
            raise ConfigError(f"{where}.name", wave.name, "must be a non-empty name used by no other wave")
        names.add(wave.name)
        _check_month_day(wave.date, f"{where}.date")
        if wave.slice_to <= wave.slice_from:
            raise ConfigError(f"{where}.slice_to", wave.slice_to, f"must be above slice_from ({wave.slice_from:g})")
        if wave.platform and platforms is not None and wave.platform not in platforms:
            allowed = f"unknown platform; allowed: '' (every platform), {', '.join(platforms)}"
            raise ConfigError(f"{where}.platform", wave.platform, allowed)


def _check_calendar(strategy: StrategyConfig, at: Any) -> None:
    """Every campaign: a unique name, a start date (a day a monthly campaign finds in every month), its touch mix."""
    names: set[str] = set()
    for i, campaign in enumerate(strategy.calendar.campaigns):
        where = at(f"calendar.campaigns[{i}]")
        if not campaign.name.strip() or campaign.name in names:
            raise ConfigError(f"{where}.name", campaign.name, "must be a non-empty name used by no other campaign")
        names.add(campaign.name)
        _check_month_day(campaign.start, f"{where}.start")
        if campaign.repeat is CampaignRepeat.monthly and int(campaign.start[3:]) > 28:
            raise ConfigError(f"{where}.start", campaign.start, "a monthly campaign's day must be 28 or earlier")
        if campaign.repeat is CampaignRepeat.monthly and campaign.days > 28:
            raise ConfigError(f"{where}.days", campaign.days, "a monthly campaign lasts at most 28 days")
        if campaign.touch_mix is not None:
            _check_mix(campaign.touch_mix, f"{where}.touch_mix")
