"""Run an experiment end to end: simulate with progress, compare, print and write.

The one place that strings the pieces together for the command line; the pieces
(experiment, compare, plots, writers, console) each do one job.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

from sim.compare import paired_differences, summarise
from sim.console import print_comparison, progress
from sim.experiment import Experiment, run_experiment
from sim.writers import write_run


def run_and_report(experiment: Experiment, out_dir: Path, config_yaml: str) -> float:
    """Simulate, print the comparison, write the run's files; return the best mean LTV:CAC."""
    matplotlib.use("Agg")
    from sim.plots import comparison_figure

    run = experiment.shared.run
    with progress(run.n_replications, f"{experiment.name}: replications", enabled=run.progress) as advance:
        replications = run_experiment(experiment, on_done=advance)
    summary = summarise(replications)
    differences = paired_differences(replications, experiment.baseline)
    figure = comparison_figure(summary, differences, experiment.baseline)
    write_run(out_dir, replications, summary, differences, config_yaml, {"comparison": figure})
    print_comparison(experiment, summary, differences, out_dir)
    ratio = summary[summary["metric"] == "ltv_to_cac"]["mean"]
    return float(ratio.max()) if ratio.notna().any() else float("nan")
