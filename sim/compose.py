"""From the composed Hydra config to the typed :class:`~sim.experiment.Experiment`.

This module and :mod:`sim.__main__` are the only places that touch OmegaConf. Each
strategy of ``experiment.strategies`` is the base strategy (the top-level groups
``hook``, ``card``, ``touch``, ...) merged with that strategy's overrides, checked
against :class:`~sim.config.StrategyConfig`, converted to a frozen dataclass and
range-checked.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import STRATEGY_GROUPS, SharedConfig, StrategyConfig, unlocked
from sim.errors import omegaconf_error_message
from sim.experiment import Experiment
from sim.validate import ConfigError, validate_shared, validate_strategy


def _to_object(node: Any, schema: type, prefix: str) -> Any:
    try:
        merged = OmegaConf.merge(unlocked(schema), node)
        return OmegaConf.to_object(merged)
    except OmegaConfBaseException as exc:
        raise ConfigError(*omegaconf_error_message(exc, prefix, schema)) from None


def build_experiment(cfg: DictConfig) -> Experiment:
    """Validate the composed config and build the experiment it describes."""
    from sim.config import AccountingConfig, PopulationConfig, RunConfig

    shared = SharedConfig(
        run=_to_object(cfg.run, RunConfig, "run"),
        population=_to_object(cfg.population, PopulationConfig, "population"),
        accounting=_to_object(cfg.accounting, AccountingConfig, "accounting"),
    )
    validate_shared(shared)
    base = OmegaConf.create({group: OmegaConf.to_container(cfg[group], resolve=True) for group in STRATEGY_GROUPS})
    validate_strategy(_to_object(base, StrategyConfig, ""), "")  # the base's own errors, named by its own keys
    exp = cfg.experiment
    overrides = exp.get("strategies")
    if not isinstance(overrides, DictConfig):
        raise ConfigError("experiment.strategies", overrides, "must map strategy names to their overrides")
    if len(overrides) == 0:  # no experiment chosen: the base strategy on its own
        overrides = OmegaConf.create({str(exp.get("baseline")): {}})
    strategies: dict[str, StrategyConfig] = {}
    for name, override in overrides.items():
        key = f"experiment.strategies.{name!s}"
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
