"""Command line: ``python -m sim experiment=hook_cash_vs_coupon [key=value ...]``, and sweeps with ``-m``.

A thin Hydra entry point. The overrides are composed and validated once before Hydra
creates a run directory, so a bad value prints one line (key, value, what is allowed)
and exits with status 2, with no traceback and no output folder that looks like a result.

A multirun (``-m``, e.g. ``hook.value_cny=3,5,10,20 touch.touches_per_week=1,2,3,5``) is
checked the same way for every value of every swept key (and of the sweeper's params), then
runs with these defaults unless the command line or the config sets them:
``hydra/launcher=joblib`` (points in parallel on local cores), ``run.n_jobs=1`` (each point's
replications serially, so the cores are not oversubscribed) and
``hydra/callbacks=sweep_summary`` (``sweep_summary.csv`` and figures when the multirun ends,
:mod:`sim.plan.sweep`) and ``report.point_figures=false`` (each point writes its tables only; its
figures and report are drawn by ``python -m sim.report POINT_DIR``, or by every point with
``report.point_figures=true``). A point whose directory already holds a finished run of the same
configuration is skipped (and, with ``report.point_figures=true``, given the figures it lacks).
``hparams_search=optuna`` implies ``-m`` (:mod:`sim.plan.search`).
"""

from __future__ import annotations

import copy
import dataclasses
import errno
import logging
import sys
from pathlib import Path
from typing import NoReturn

import hydra
import yaml
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict

from sim.config import LTV_MONTHS, register_configs
from sim.config.compose import build_experiment
from sim.config.overrides import CONFIG_DIR, fail, output_dir, precheck, precheck_sweep
from sim.config.validate import ConfigError
from sim.run.cache import CACHE_DIR_NAME
from sim.run.interrupt import Terminated, stop_on_signals

EXIT_INTERRUPTED, EXIT_TERMINATED, EXIT_FAILED = 130, 143, 1  # 128 + SIGINT, 128 + SIGTERM
MULTIRUN_FLAGS = ("-m", "--multirun")
SWEEP_CALLBACK = "sim.plan.sweep.SweepSummaryCallback"
BASIC_LAUNCHER = "hydra._internal.core_plugins.basic_launcher.BasicLauncher"
log = logging.getLogger(__name__)


def _check_search_settings(cfg: DictConfig) -> None:
    from sim.plan.search import CALLBACK_TARGET, settings_from_callbacks
    from sim.run.objectives import objective_in

    try:
        settings = settings_from_callbacks(cfg.hydra.callbacks)
        months = cfg.accounting.ltv_months
        if settings is not None and months in LTV_MONTHS:  # another window's objective: an error naming this one's
            objective_in(settings.objective, months)
    except (ValueError, TypeError) as exc:
        name = next((k for k, v in cfg.hydra.callbacks.items() if v and v.get("_target_") == CALLBACK_TARGET), "")
        fail(f"hydra.callbacks.{name}: {exc}")


def multirun_defaults(cfg: DictConfig, overrides: list[str]) -> list[str]:
    """Overrides added to a multirun: the joblib launcher, serial replications per point, the sweep summary, and
    tables only from each point."""
    given = {o.lstrip("+~").split("=", 1)[0] for o in overrides}
    extra = []
    launcher = str(cfg.hydra.launcher.get("_target_", ""))
    if "hydra/launcher" not in given and launcher == BASIC_LAUNCHER and _has_joblib_launcher():
        extra.append("hydra/launcher=joblib")
        launcher = "joblib"
    if "run.n_jobs" not in given and launcher != BASIC_LAUNCHER:
        extra.append("run.n_jobs=1")
    targets = {str(v.get("_target_")) for v in (cfg.hydra.callbacks or {}).values() if v is not None}
    if "hydra/callbacks" not in given and SWEEP_CALLBACK not in targets:
        extra.append("hydra/callbacks=sweep_summary")
    if "report.point_figures" not in given:
        extra.append("report.point_figures=false")
    return extra


def _has_joblib_launcher() -> bool:
    try:
        import hydra_plugins.hydra_joblib_launcher  # noqa: F401
    except ImportError:
        return False
    return True


def _root_has_group(group: str) -> bool:
    root = yaml.safe_load((CONFIG_DIR / "config.yaml").read_text(encoding="utf-8")) or {}
    return any(isinstance(d, dict) and group in d for d in root.get("defaults", []))


def normalise(args: list[str]) -> list[str]:
    """``hparams_search=X`` selects a search: add ``+`` if the root config lists no such group, and ``-m``."""
    out = list(args)
    search = [i for i, a in enumerate(out) if a.startswith("hparams_search=")]
    if search and not _root_has_group("hparams_search"):
        for i in search:
            out[i] = "+" + out[i]
    if (search or any(a.startswith("+hparams_search=") for a in out)) and not any(a in MULTIRUN_FLAGS for a in out):
        out.insert(0, "--multirun")
    return out


# --------------------------------------------------------------------------- the task


def candidate_config(cfg: DictConfig) -> DictConfig:
    """A search trial's config: the base strategy with the trial's levers, alone, as ``candidate``."""
    from sim.plan.search import CANDIDATE

    trial = copy.deepcopy(cfg)
    with open_dict(trial):
        trial.experiment.strategies = {CANDIDATE: {}}  # the base strategy (with the trial's levers), named
        trial.experiment.names_zh = {}
        trial.experiment.baseline = CANDIDATE
    return trial


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def hydra_entry(cfg: DictConfig) -> float | None:
    """Run the configured experiment into Hydra's run directory; return the value a sweeper optimises."""
    from sim.report.runner import run_and_report

    hc = HydraConfig.get()
    multirun = hc.mode == RunMode.MULTIRUN
    if multirun:  # sweeps and searches only: their modules take a while to import
        from sim.plan.search import settings_from_callbacks, trial_score
        from sim.plan.sweep import best_objective, point_finished
    search = settings_from_callbacks(hc.callbacks) if multirun else None
    if search is not None:
        cfg = candidate_config(cfg)
    try:
        experiment = build_experiment(cfg)
    except ConfigError as exc:
        fail(str(exc))
        return None
    out_dir = Path(hc.runtime.output_dir)
    config_yaml = OmegaConf.to_yaml(cfg, resolve=True)
    point = " ".join(hc.overrides.task)
    if not multirun:
        try:
            return run_and_report(experiment, out_dir, config_yaml)
        except OSError as exc:
            _write_failed(exc, out_dir)
        except ConfigError as exc:  # found only while running: parameter draws the engine cannot use
            fail(str(exc))
    figures = bool(cfg.report.point_figures)
    if point_finished(out_dir, config_yaml):
        log.info("point %s already finished, skipped: %s", hc.job.num, point)
        if figures and not (out_dir / "report.md").is_file():
            _publish_point(out_dir)
    else:
        run = dataclasses.replace(experiment.shared.run, progress=False)
        experiment = dataclasses.replace(experiment, shared=dataclasses.replace(experiment.shared, run=run))
        cache_dir = Path(hc.sweep.dir) / CACHE_DIR_NAME  # the points share platform layers and control arms
        run_and_report(experiment, out_dir, config_yaml, show=False, figures=figures, cache_dir=cache_dir)
        log.info("point %s finished: %s", hc.job.num, point)
    return trial_score(out_dir, search) if search is not None else best_objective(out_dir)


def _publish_point(out_dir: Path) -> None:
    """Draw a finished point's figures and report from its tables (it ran with ``report.point_figures=false``)."""
    from sim.report.publish import publish
    from sim.report.tables import load_run

    publish(out_dir, load_run(out_dir))
    log.info("drew the figures and report of %s", out_dir)


def _hold(cfg: DictConfig, key: str) -> tuple[object, str]:
    """Check the output folder, take its lock, and pin it: Hydra resolves ``${now:...}`` again when it starts, so
    the folder locked here is given back to it as a fixed override."""
    from sim.report.writers import DirectoryInUseError, lock_dir

    folder = output_dir(cfg, key)
    try:
        lock = lock_dir(folder)
    except DirectoryInUseError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{key}={folder}: cannot be created ({exc.strerror}); choose another folder")
    return lock, f"{key}='{folder}'"


def _write_failed(exc: OSError, out_dir: Path) -> NoReturn:
    """One line for a run whose results could not be written (nothing of them was kept), and exit 1."""
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    reason = "no space left on the device" if full else exc.strerror or str(exc)
    print(f"error: {reason} while writing the results to {out_dir}; none were kept", file=sys.stderr)
    sys.exit(EXIT_FAILED)


def main() -> None:
    register_configs()
    logging.getLogger("alembic").setLevel(logging.WARNING)  # imported by Optuna; its INFO lines are noise here
    logging.raiseExceptions = False  # a log line that cannot be written (full disk) is not worth a traceback
    args = normalise(sys.argv[1:])
    flags = [a for a in args if a.startswith("-")]
    overrides = [a for a in args if not a.startswith("-")]
    lock: object = None
    if not flags:  # a plain run
        lock, pinned = _hold(precheck(args), "hydra.run.dir")
        args = [*args, pinned]
    elif all(f in MULTIRUN_FLAGS for f in flags):  # a multirun; --help, --cfg ... go to Hydra as they are
        cfg = precheck_sweep(overrides)
        _check_search_settings(cfg)
        lock, pinned = _hold(cfg, "hydra.sweep.dir")
        args = [*args, *multirun_defaults(cfg, overrides), pinned]
    sys.argv = [sys.argv[0], *args]
    try:
        with stop_on_signals():
            hydra_entry()
    except KeyboardInterrupt as exc:
        if any(a in MULTIRUN_FLAGS for a in args):
            print(
                "interrupted: finished points are kept; run the same command (same hydra.sweep.dir) to finish the "
                "sweep, or python -m sim.plan.sweep SWEEP_DIR to summarise what finished",
                file=sys.stderr,
            )
        else:
            print("interrupted: the run stopped and wrote no summary", file=sys.stderr)
        sys.exit(EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED)
    finally:
        del lock


if __name__ == "__main__":
    main()
