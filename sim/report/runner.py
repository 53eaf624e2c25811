"""Run an experiment end to end: simulate with progress, compare, print and write.

The one place that strings the pieces together for the command line; the pieces
(experiment, compare, report, plots, writers, console) each do one job. The figures and
the report are drawn from the same tables the run writes, exactly as
``python -m sim.report RUN_DIR`` draws them from the files.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from sim.config import Experiment
from sim.report.console import print_comparison, progress
from sim.report.writers import write_run, write_summary
from sim.run.compare import paired_differences, summarise
from sim.run.experiment import run_experiment_tables
from sim.run.workers import n_processes


def run_and_report(experiment: Experiment, out_dir: Path, config_yaml: str, *, show: bool = True) -> float:
    """Simulate, print the comparison, write the run's tables, figures and report; return the best mean LTV:CAC."""
    from sim.report.publish import publish
    from sim.report.tables import RunTables, assumption_table, meta_from_config, strategy_table

    run = experiment.shared.run
    with progress(run.n_replications, f"{experiment.name}: replications", enabled=run.progress) as advance:
        tables = run_experiment_tables(experiment, on_done=advance, with_control=True)
    summary = summarise(tables.replications)
    differences = paired_differences(tables.replications, experiment.baseline)
    run_tables = RunTables(
        **meta_from_config(yaml.safe_load(config_yaml) or {}),
        summary=summary,
        differences=differences,
        replications=tables.replications,
        funnel=tables.funnel,
        curves=tables.curves,
        strategies=strategy_table(experiment),
        assumptions=assumption_table(experiment),
    )
    write_run(
        out_dir,
        {
            "replications.parquet": tables.replications,
            "differences.csv": differences,
            "funnel.csv": tables.funnel,
            "curves.parquet": tables.curves,
            "strategies.csv": run_tables.strategies,
            "assumptions.csv": run_tables.assumptions,
        },
        config_yaml,
    )
    publish(out_dir, run_tables, n_processes(run.n_jobs, run.n_replications))  # the run's workers, still warm
    write_summary(out_dir, summary)
    if show:
        print_comparison(experiment, summary, differences, out_dir)
    ratio = summary[summary["metric"] == "ltv_to_cac"]["mean"]
    return float(ratio.max()) if ratio.notna().any() else float("nan")
