"""Run an experiment end to end: simulate with progress, compare, print and write.

The one place that strings the pieces together for the command line; the pieces
(experiment, compare, report, plots, writers, console) each do one job. The figures and
the report are drawn from the same tables the run writes, exactly as
``python -m sim.report RUN_DIR`` draws them from the files.
"""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

import pandas as pd
import yaml

from sim.config import CONTROL, Experiment
from sim.report.console import print_comparison, progress
from sim.report.headline import headline, headline_metric
from sim.report.writers import staged, write_run, write_summary
from sim.run.compare import paired_differences, summarise
from sim.run.costs import summarise_costs
from sim.run.experiment import run_experiment_tables
from sim.run.workers import n_processes

log = logging.getLogger(__name__)


def run_and_report(
    experiment: Experiment,
    out_dir: Path,
    config_yaml: str,
    *,
    show: bool = True,
    figures: bool = True,
    cache_dir: Path | None = None,
) -> float:
    """Simulate, print the comparison, write the run's tables (and, with ``figures``, its figures and report); return
    the best mean incremental net profit over the LTV window (what a sweeper optimises). ``cache_dir``: a sweep's shared
    platform layers and control arms (:mod:`sim.run.cache`)."""
    from sim.report.publish import publish
    from sim.report.tables import (
        RunTables,
        assumption_table,
        extra_files,
        extra_summaries,
        meta_from_config,
        strategy_table,
    )

    run = experiment.shared.run
    log.info(
        "experiment %s: strategies %s (baseline %s) and the control arm; %d replications from seed %d; %d buyers a "
        "year (sample share %g)",
        experiment.name,
        ", ".join(experiment.strategies),
        experiment.baseline,
        run.n_replications,
        run.seed,
        experiment.shared.population.buyers_per_year,
        experiment.shared.population.sample_share,
    )
    finished = itertools.count(1)
    with progress(run.n_replications, f"{experiment.name}: replications", enabled=run.progress) as advance:

        def done() -> None:
            advance()
            log.info("replication %d of %d finished", next(finished), run.n_replications)

        tables = run_experiment_tables(experiment, on_done=done, with_control=True, cache_dir=cache_dir)
    predictive = run.parameter_uncertainty  # percentile intervals over replications (sim.run.compare)
    summary = summarise(tables.replications, predictive=predictive)
    differences = paired_differences(tables.replications, experiment.baseline, predictive=predictive)
    extras = extra_summaries(tables)  # per SMS wave, per campaign, the WeCom accounts
    run_tables = RunTables(
        **meta_from_config(yaml.safe_load(config_yaml) or {}),
        summary=summary,
        differences=differences,
        replications=tables.replications,
        funnel=tables.funnel,
        curves=tables.curves,
        strategies=strategy_table(experiment),
        assumptions=assumption_table(experiment),
        costs=summarise_costs(tables.costs),
        **extras,
    )
    with staged(out_dir) as stage:  # every file appears at the end, or none does
        write_run(
            stage,
            {
                "replications.parquet": tables.replications,
                "differences.csv": differences,
                "funnel.csv": tables.funnel,
                "curves.parquet": tables.curves,
                "strategies.csv": run_tables.strategies,
                "assumptions.csv": run_tables.assumptions,
                "costs.csv": run_tables.costs,
                **extra_files(extras),
            },
            config_yaml,
        )
        if figures:
            workers = n_processes(run.n_jobs, run.n_replications)  # the run's workers, still warm
            publish(stage, run_tables, workers, shown_as=out_dir)
        write_summary(stage, summary)
    log.info("wrote the run's tables%s to %s", ", figures and report" if figures else "", out_dir)
    log.info("%s", headline(tables.replications, summary, predictive=predictive))
    if show:
        print_comparison(run_tables, out_dir)
    return best_mean(summary, headline_metric(summary))


def best_mean(summary: pd.DataFrame, metric: str) -> float:
    """The best strategy's mean of ``metric`` (the control arm left out), NaN if missing everywhere."""
    values = summary[(summary["metric"] == metric) & (summary["strategy"] != CONTROL)]["mean"]
    return float(values.max()) if values.notna().any() else float("nan")
