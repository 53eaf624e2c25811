"""Refresh the golden fixed-seed results that tests/test_golden.py compares every run against.

Run from the repository root after a change that is *meant* to alter model behaviour:

    python tests/golden/refresh.py

then review ``git diff tests/golden/`` (every changed number is a behaviour change) and commit
it with the change that caused it. The run is the flagship experiment (cash red packet vs
coupon) at a small fixed size and seed, composed through Hydra exactly as the command line
composes it, simulated serially.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
CONFIG_DIR = HERE.parents[1] / "configs"
SUMMARY = HERE / "summary.csv"
DIFFERENCES = HERE / "differences.csv"
OVERRIDES = [
    "experiment=hook_cash_vs_coupon",
    "run=tiny",
    "run.seed=20261123",
    "run.n_replications=3",
    "run.n_jobs=1",
    "run.horizon_days=90",
    "run.followup_days=365",
    "population.buyers_per_year=20000",
]


def golden_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summary, differences) of the golden run, freshly simulated."""
    from hydra import compose, initialize_config_dir

    from sim.config import register_configs
    from sim.config.compose import build_experiment
    from sim.run.compare import paired_differences, summarise
    from sim.run.experiment import run_experiment

    register_configs()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose(config_name="config", overrides=OVERRIDES)
    experiment = build_experiment(cfg)
    replications = run_experiment(experiment)
    return summarise(replications), paired_differences(replications, experiment.baseline)


def main() -> int:
    summary, differences = golden_tables()
    summary.to_csv(SUMMARY, index=False)
    differences.to_csv(DIFFERENCES, index=False)
    print(f"wrote {SUMMARY.relative_to(Path.cwd()) if SUMMARY.is_relative_to(Path.cwd()) else SUMMARY}")
    print(f"wrote {DIFFERENCES.relative_to(Path.cwd()) if DIFFERENCES.is_relative_to(Path.cwd()) else DIFFERENCES}")
    print("review with: git diff tests/golden/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
