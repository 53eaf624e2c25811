"""One experiment at several variants of its configuration, on common random numbers.

The break-even (:mod:`sim.plan.breakeven`) and sensitivity (:mod:`sim.plan.sensitivity`) analyses
change one setting at a time and rerun the experiment. Every variant keeps the
experiment's ``run.seed``, so all variants of a replication share their buyers and luck and
differ only where the setting acts; each (variant, replication) is one job, spread over
``run.n_jobs`` processes, and the results do not depend on how they are spread.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from sim.config import Experiment
from sim.run.experiment import run_replication
from sim.run.workers import map_in_workers


def load(overrides: Sequence[str]) -> tuple[Any, Experiment]:
    """The composed config and its experiment; a bad override prints one line and exits with status 2."""
    from sim.config import register_configs
    from sim.config.compose import build_experiment
    from sim.config.overrides import precheck

    register_configs()
    cfg = precheck(list(overrides))
    return cfg, build_experiment(cfg)


def variant(cfg: Any, overrides: Sequence[str], key: str, value: object) -> Experiment:
    """The experiment with ``key`` set to ``value`` (validated like a command-line override)."""
    from sim.config.compose import build_experiment
    from sim.config.overrides import variant_config

    return build_experiment(variant_config(cfg, list(overrides), key, _text(value)))


def chained_config(cfg: Any, overrides: Sequence[str], settings: Mapping[str, object]) -> tuple[Any, list[str]]:
    """``cfg`` with every ``key: value`` of ``settings`` set in turn and validated once like command-line overrides
    (:func:`sim.config.overrides.values_config`), and the overrides that compose it."""
    from sim.config.overrides import values_config

    texts = {key: _text(value) for key, value in settings.items()}
    return values_config(cfg, list(overrides), texts), [*overrides, *(f"{k}={v}" for k, v in texts.items())]


def variant_chain(cfg: Any, overrides: Sequence[str], settings: Mapping[str, object]) -> Experiment:
    """The experiment with every ``key: value`` of ``settings`` set in turn (see :func:`chained_config`)."""
    from sim.config.compose import build_experiment

    return build_experiment(chained_config(cfg, overrides, settings)[0])


def _text(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value) if isinstance(value, float) else str(value)


def only(experiment: Experiment, strategies: Sequence[str] | None) -> Experiment:
    """The experiment restricted to ``strategies`` (all if None); an unknown name is a ValueError."""
    if not strategies:
        return experiment
    unknown = [s for s in strategies if s not in experiment.strategies]
    if unknown:
        raise ValueError(f"unknown strategy {unknown[0]!r}; the experiment has: {', '.join(experiment.strategies)}")
    kept = {s: experiment.strategies[s] for s in strategies}
    baseline = experiment.baseline if experiment.baseline in kept else next(iter(kept))
    return dataclasses.replace(experiment, strategies=kept, baseline=baseline)


def run_variants(experiments: Sequence[Experiment], n_jobs: int = -1) -> pd.DataFrame:
    """Every replication of every experiment: ``variant, strategy, replication, metric, value``."""
    jobs = [(i, r) for i, exp in enumerate(experiments) for r in range(exp.shared.run.n_replications)]
    parts = map_in_workers(run_replication, [(experiments[i], r) for i, r in jobs], n_jobs)
    frames = []
    for (i, _), rows in zip(jobs, parts, strict=True):
        frame = pd.DataFrame(rows, columns=["strategy", "replication", "metric", "value"])
        frame.insert(0, "variant", i)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True).astype({"value": float})
