"""Run experiments from Python (notebooks, scripts): the same configs, checks and outputs as ``python -m sim``.

>>> from sim.api import run, load_run
>>> out = run("hook_cash_vs_coupon", ["run=tiny", "hook.value_cny=10"], out_dir="runs/cash_10")
>>> tables = load_run(out)          # summary, differences, funnel, curves, ... as pandas DataFrames

Like :mod:`sim.__main__`, this is an entry point: it composes the Hydra config from
``configs/`` with the given overrides, validates it (a bad value raises
:class:`~sim.config.validate.ConfigError` naming the key), and hands plain dataclasses to the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sim.config.overrides import CONFIG_DIR, compose_experiment
from sim.report.tables import RunTables, load_run

__all__ = ["CONFIG_DIR", "RunTables", "compose_experiment", "load_run", "run"]


def run(
    experiment: str | None,
    overrides: Sequence[str] = (),
    *,
    out_dir: Path | str,
    show: bool = False,
) -> Path:
    """Run an experiment into ``out_dir`` (tables, figures, report) and return ``out_dir``.

    ``overrides`` are command-line style, e.g. ``["run=tiny", "hook.value_cny=10"]``;
    ``show`` prints the comparison table as the command line does.
    """
    from omegaconf import OmegaConf

    from sim.config.compose import build_experiment
    from sim.report.runner import run_and_report
    from sim.report.writers import lock_dir

    cfg = compose_experiment(experiment, overrides)
    exp = build_experiment(cfg)
    out = Path(out_dir)
    lock = lock_dir(out)  # a second run into the same folder raises DirectoryInUseError
    try:
        run_and_report(exp, out, OmegaConf.to_yaml(cfg, resolve=True), show=show)
    finally:
        del lock
    return out
