"""From the composed Hydra config to the typed :class:`~sim.run.experiment.Experiment`.

This module and :mod:`sim.__main__` are the only places that touch OmegaConf. Each
strategy of ``experiment.strategies`` is the base strategy (the top-level groups
``hook``, ``card``, ``touch``, ...) merged with that strategy's overrides, checked
against :class:`~sim.config.schema.StrategyConfig`, converted to a frozen dataclass and
range-checked. Keys that no schema has are rejected at any depth (also those added with
``+``), and the experiment, left untyped while Hydra composes it, is typed here.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import (
    CONTROL,
    STRATEGY_GROUPS,
    AccountingConfig,
    Experiment,
    ExperimentConfig,
    PlatformConfig,
    PopulationConfig,
    RunConfig,
    SharedConfig,
    StrategyConfig,
    followed_for_window,
    unlocked,
)
from sim.config.errors import (
    ROOT,
    allowed_text,
    container_kind,
    field_type,
    list_item_error,
    omegaconf_error_message,
)
from sim.config.lint import bad_name
from sim.config.options import with_kind_settings
from sim.config.validate import ConfigError, UnknownKeyError, validate_shared, validate_strategy

BASE = "base"  # the base strategy's name when an experiment names no strategies


def _key(prefix: str, name: Any) -> str:
    return f"{prefix}.{name}" if prefix else str(name)


def _to_object(node: Any, schema: type, prefix: str) -> Any:
    """``node`` as a ``schema`` dataclass, or a ConfigError naming the key (below ``prefix``) that is wrong."""
    if not isinstance(node, DictConfig):
        raise ConfigError(prefix, node, "must be a mapping; " + allowed_text(schema))
    missing = sorted(OmegaConf.missing_keys(OmegaConf.create(node)))  # a detached copy: keys below ``prefix``
    if missing:  # merging onto the schema would quietly put the default back
        raise ConfigError(_key(prefix, missing[0]), "???", "a value is required")
    try:
        return OmegaConf.to_object(OmegaConf.merge(unlocked(schema), node))
    except (OmegaConfBaseException, dataclasses.FrozenInstanceError) as exc:  # frozen: a key added with '+'
        raise _typing_error(exc, node, schema, prefix) from None


def _typing_error(exc: Exception, node: DictConfig, schema: type, prefix: str) -> ConfigError:
    """The error to report for ``exc``, raised while typing ``node``: an unknown key first, with its value."""
    unknown = _unknown_key(node, schema, prefix)
    if unknown is not None:
        return unknown
    if isinstance(exc, OmegaConfBaseException):
        in_item = list_item_error(exc, OmegaConf.to_container(node, resolve=False), schema, prefix)
        if in_item is not None:  # inside an SMS wave or a campaign, whose key OmegaConf gives relative to the item
            return ConfigError(*in_item)
        return ConfigError(*omegaconf_error_message(exc, prefix, schema))
    return UnknownKeyError(prefix, None, "unknown key; " + allowed_text(schema))


def _unknown_key(node: Any, schema: Any, prefix: str) -> UnknownKeyError | None:
    """The error naming the first key of ``node`` (depth first) that ``schema`` does not have; None if none.

    Only keys are checked: a node whose shape does not fit its schema (a list for a mapping) is left to typing.
    """
    kind = dict if isinstance(node, DictConfig) else list if isinstance(node, ListConfig) else None
    if kind is None or container_kind(schema) is not kind:
        return None
    pairs = node.items_ex(resolve=False) if kind is dict else enumerate(node)
    for name, child in pairs:
        where = f"{prefix}[{name}]" if kind is list else _key(prefix, name)
        hint = field_type(schema, str(name))
        if hint is None:
            return UnknownKeyError(where, child, "unknown key; " + allowed_text(schema))
        found = _unknown_key(child, hint, where)
        if found is not None:
            return found
    return None


def _check_keys(cfg: DictConfig) -> None:
    """Reject a key that no schema has, at any depth: a misspelt group (+hoook.value_cny=3) or setting."""
    groups = OmegaConf.masked_copy(cfg, [str(key) for key in cfg if key != "hydra"])
    unknown = _unknown_key(groups, ROOT, "")
    if unknown is not None:
        raise unknown


def build_experiment(cfg: DictConfig) -> Experiment:
    """Validate the composed config and build the experiment it describes."""
    try:
        return _build(cfg)
    except OmegaConfBaseException as exc:  # e.g. an interpolation that cannot be resolved
        raise ConfigError(*omegaconf_error_message(exc)) from None


def _build(cfg: DictConfig) -> Experiment:
    _check_keys(cfg)
    shared = SharedConfig(
        run=_to_object(cfg.run, RunConfig, "run"),
        population=_to_object(cfg.population, PopulationConfig, "population"),
        accounting=_to_object(cfg.accounting, AccountingConfig, "accounting"),
        platform=_to_object(cfg.platform, PlatformConfig, "platform"),
    )
    validate_shared(shared)
    shared = followed_for_window(shared)  # every member is valued for the whole LTV window
    base = OmegaConf.create({group: OmegaConf.to_container(cfg[group], resolve=True) for group in STRATEGY_GROUPS})
    platforms = list(shared.platform.economics)
    validate_strategy(_to_object(base, StrategyConfig, ""), "", platforms)  # the base's errors, by its own keys
    plain_base: dict[str, Any] = OmegaConf.to_container(base, resolve=True)  # type: ignore[assignment]
    if isinstance(cfg.experiment, DictConfig) and OmegaConf.is_missing(cfg.experiment, "baseline"):
        names = ", ".join(str(k) for k in (cfg.experiment.get("strategies") or {})) or "(none given yet)"
        raise ConfigError("experiment.baseline", "???", f"name the strategy the others are compared with: {names}")
    exp = _to_object(cfg.experiment, ExperimentConfig, "experiment")
    problem = bad_name("experiment.name", exp.name)
    if problem is not None:
        raise ConfigError("experiment.name", exp.name, problem)
    if not exp.strategies and exp.baseline != BASE:
        raise ConfigError(
            "experiment.strategies",
            {},
            f"empty, yet the baseline is {exp.baseline!r}: name the strategies (experiment.strategies.NAME), or "
            f"leave the baseline '{BASE}' to run the base strategy alone",
        )
    overrides = exp.strategies or {BASE: {}}  # no strategies: the base strategy on its own
    strategies: dict[str, StrategyConfig] = {}
    for name, override in overrides.items():
        key = f"experiment.strategies.{name!s}"
        if str(name) == CONTROL:
            raise ConfigError(key, name, f"'{CONTROL}' is reserved for the arm without capture; choose another name")
        problem = bad_name(key, name)
        if problem is not None:
            raise ConfigError(key, name, f"a strategy name {problem}")
        if override is None:
            override = {}
        if not isinstance(override, dict):
            raise ConfigError(key, override, "must be a mapping of strategy settings (e.g. {hook: {type: coupon}})")
        node = OmegaConf.merge(base, with_kind_settings(plain_base, override))
        strategy = _to_object(node, StrategyConfig, key)
        strategy = dataclasses.replace(strategy, name=str(name))
        validate_strategy(strategy, key, platforms)
        strategies[str(name)] = strategy
    for name, label in exp.names_zh.items():
        if name not in strategies:
            raise ConfigError(
                f"experiment.names_zh.{name}", label, f"no such strategy; strategies: {', '.join(strategies)}"
            )
        if not str(label).strip() or list(exp.names_zh.values()).count(label) > 1:
            raise ConfigError(
                f"experiment.names_zh.{name}", label, "must be a non-empty name used by no other strategy"
            )
    baseline = exp.baseline
    if baseline not in strategies:
        raise ConfigError("experiment.baseline", baseline, f"must be one of the strategies: {', '.join(strategies)}")
    return Experiment(
        name=exp.name,
        question=exp.question,
        baseline=baseline,
        strategies=strategies,
        shared=shared,
    )


def population_config(node: dict[str, Any]) -> PopulationConfig:
    """A population mapping (a population YAML's body) typed and range-checked as the engine will.

    Raises :class:`~sim.config.validate.ConfigError` naming the first key that is wrong.
    """
    try:
        pop = OmegaConf.to_object(OmegaConf.merge(unlocked(PopulationConfig), node))
    except OmegaConfBaseException as exc:
        raise ConfigError(*omegaconf_error_message(exc, "population", PopulationConfig)) from None
    assert isinstance(pop, PopulationConfig)
    validate_shared(SharedConfig(run=RunConfig(), population=pop, accounting=AccountingConfig()))
    return pop
