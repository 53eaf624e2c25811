"""Run an experiment: every strategy on every replication, serially or across cores.

One job is one replication: it draws the platform buyers once and runs every strategy
on them, with each strategy's own streams seeded from (seed, replication, name), so the
results do not depend on how jobs are spread over processes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd
from joblib import Parallel, delayed

from sim.config import SharedConfig, StrategyConfig
from sim.metrics import compute_metrics
from sim.model import simulate
from sim.population import build_platform
from sim.streams import Streams


@dataclass(frozen=True)
class Experiment:
    """What to compare: named strategies, the baseline among them, and the shared settings."""

    name: str
    question: str
    baseline: str
    strategies: dict[str, StrategyConfig]
    shared: SharedConfig


def run_replication(experiment: Experiment, replication: int) -> list[dict[str, object]]:
    """All strategies on one replication; returns tidy rows (strategy, replication, metric, value)."""
    shared = experiment.shared
    platform = build_platform(shared.population, shared.run.horizon_days, Streams(shared.run.seed, replication))
    rows: list[dict[str, object]] = []
    for name, strategy in experiment.strategies.items():
        record = simulate(strategy, shared, replication, platform)
        for metric, value in compute_metrics(record).items():
            rows.append({"strategy": name, "replication": replication, "metric": metric, "value": value})
    return rows


def n_processes(n_jobs: int, n_tasks: int) -> int:
    """Processes to use: ``n_jobs`` (-1 for all cores), never more than there are tasks."""
    cores = os.cpu_count() or 1
    wanted = cores if n_jobs < 0 else n_jobs
    return max(1, min(wanted, n_tasks))


def run_experiment(experiment: Experiment, on_done: Callable[[], None] | None = None) -> pd.DataFrame:
    """Run every replication; one row per strategy x replication x metric, in a fixed order."""
    reps = range(experiment.shared.run.n_replications)
    workers = n_processes(experiment.shared.run.n_jobs, len(reps))
    results: Iterable[list[dict[str, object]]]
    if workers == 1:
        results = (run_replication(experiment, r) for r in reps)
    else:
        results = Parallel(n_jobs=workers, return_as="generator")(delayed(run_replication)(experiment, r) for r in reps)
    rows: list[dict[str, object]] = []
    for part in results:
        rows.extend(part)
        if on_done is not None:
            on_done()
    df = pd.DataFrame(rows, columns=["strategy", "replication", "metric", "value"])
    return df.astype({"value": float})
