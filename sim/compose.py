"""From the composed Hydra config to the typed :class:`~sim.experiment.Experiment`.

This module and :mod:`sim.__main__` are the only places that touch OmegaConf. Each
strategy of ``experiment.strategies`` is the base strategy (the top-level groups
``hook``, ``card``, ``touch``, ...) merged with that strategy's overrides, checked
against :class:`~sim.config.StrategyConfig`, converted to a frozen dataclass and
range-checked.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import STRATEGY_GROUPS, Config, SharedConfig, StrategyConfig, unlocked
from sim.errors import allowed_text, omegaconf_error_message
from sim.experiment import Experiment
from sim.metrics import CONTROL
from sim.validate import ConfigError, validate_shared, validate_strategy


def _to_object(node: Any, schema: type, prefix: str) -> Any:
    if isinstance(node, (DictConfig, ListConfig)):
        missing = sorted(OmegaConf.missing_keys(node))
        if missing:  # merging onto the schema would quietly put the default back
            raise ConfigError(f"{prefix}.{missing[0]}" if prefix else missing[0], "???", "a value is required")
    try:
        merged = OmegaConf.merge(unlocked(schema), node)
        return OmegaConf.to_object(merged)
    except OmegaConfBaseException as exc:
        raise ConfigError(*omegaconf_error_message(exc, prefix, schema)) from None
    except dataclasses.FrozenInstanceError:  # a key added with '+' that the frozen schema does not have
        found = _unknown_key(node, schema, prefix)
        raise found or ConfigError(prefix or "config", "<given>", "unknown key; " + allowed_text(schema)) from None


def _unknown_key(node: Any, schema: type, prefix: str) -> ConfigError | None:
    """The error naming the first key of ``node`` (searched depth first) that ``schema`` does not have."""
    hints = typing.get_type_hints(schema)
    for key in node:
        where = f"{prefix}.{key}" if prefix else str(key)
        if key not in hints:
            return ConfigError(where, node[key], "unknown key; " + allowed_text(schema))
        if dataclasses.is_dataclass(hints[key]) and isinstance(node[key], DictConfig):
            found = _unknown_key(node[key], hints[key], where)
            if found is not None:
                return found
    return None


def build_experiment(cfg: DictConfig) -> Experiment:
    """Validate the composed config and build the experiment it describes."""
    try:
        return _build(cfg)
    except OmegaConfBaseException as exc:  # e.g. an interpolation that cannot be resolved
        raise ConfigError(*omegaconf_error_message(exc, "", Config)) from None


def _build(cfg: DictConfig) -> Experiment:
    from sim.config import AccountingConfig, PlatformConfig, PopulationConfig, RunConfig

    shared = SharedConfig(
        run=_to_object(cfg.run, RunConfig, "run"),
        population=_to_object(cfg.population, PopulationConfig, "population"),
        accounting=_to_object(cfg.accounting, AccountingConfig, "accounting"),
        platform=_to_object(cfg.platform, PlatformConfig, "platform"),
    )
    validate_shared(shared)
    base = OmegaConf.create({group: OmegaConf.to_container(cfg[group], resolve=True) for group in STRATEGY_GROUPS})
    validate_strategy(_to_object(base, StrategyConfig, ""), "")  # the base's own errors, named by its own keys
    exp = cfg.experiment
    for field_name in ("name", "baseline"):
        if OmegaConf.is_missing(exp, field_name):
            raise ConfigError(f"experiment.{field_name}", "???", "a value is required")
    overrides = exp.get("strategies")
    if not isinstance(overrides, DictConfig):
        raise ConfigError("experiment.strategies", overrides, "must map strategy names to their overrides")
    if len(overrides) == 0:  # no experiment chosen: the base strategy on its own
        overrides = OmegaConf.create({str(exp.get("baseline")): {}})
    strategies: dict[str, StrategyConfig] = {}
    for name, override in overrides.items():
        key = f"experiment.strategies.{name!s}"
        if str(name) == CONTROL:
            raise ConfigError(key, name, f"'{CONTROL}' is reserved for the arm without capture; choose another name")
        if override is None:
            override = {}
        if not isinstance(override, (DictConfig, dict)):
            raise ConfigError(key, override, "must be a mapping of strategy settings (e.g. {hook: {type: coupon}})")
        node = OmegaConf.merge(base, override)
        strategy = _to_object(node, StrategyConfig, key)
        strategy = dataclasses.replace(strategy, name=str(name))
        validate_strategy(strategy, key)
        strategies[str(name)] = strategy
    baseline = str(exp.get("baseline"))
    if baseline not in strategies:
        raise ConfigError("experiment.baseline", baseline, f"must be one of the strategies: {', '.join(strategies)}")
    return Experiment(
        name=str(exp.get("name")),
        question=str(exp.get("question")),
        baseline=baseline,
        strategies=strategies,
        shared=shared,
    )
