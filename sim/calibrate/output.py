"""Where the calibration's files go: checked before any work, and written all at once or not at all.

``--out configs/population/NAME.yaml`` names the population YAML; a backtest adds ``NAME_backtest.csv``
and the figures ``NAME_holdout`` and ``NAME_tracking`` (``.png`` and ``.svg``) beside it, and
``--parameter-draws`` adds ``NAME_draws.csv``.

:func:`check_out` runs before the orders are read: the path must not be a folder or lie below a file
or in a system folder, and its folder (or the nearest one that exists, when folders are to be made)
must be writable. Each problem is one line (:class:`OutError`).

:func:`publish` writes the files into a hidden staging folder beside the YAML (through
:mod:`sim.report.writers`, each under a temporary name) and, once all are written, renames them into
place, the YAML last, so that a YAML never stands beside half of its backtest. On any failure (a full
disk, Ctrl-C, SIGTERM) the staging folder and any folder it made are removed, and nothing appears.
Files of an earlier run with the same name that this run does not write (its backtest or draws, when this
run has none) are removed, so that the files beside a YAML are always its own. A staging folder left by a
killed run (SIGKILL) is hidden and is removed by the next run of the same name.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

from sim.report.writers import process_alive
from sim.run.interrupt import raise_if_stopped

SYSTEM_FOLDERS = (Path("/proc"), Path("/sys"), Path("/dev"))
STAGING = ".calibrating-"
EXAMPLE = "configs/population/NAME.yaml"


class OutError(ValueError):
    """``--out`` cannot be used; the message is one line."""


def result_paths(out: Path) -> list[Path]:
    """Every file a run with ``--out out`` may write: the YAML, the backtest's files and the draws beside it."""
    folder, stem = out.parent, out.stem
    backtest = [f"{stem}_backtest.csv", *(f"{stem}_{f}.{s}" for f in ("holdout", "tracking") for s in ("png", "svg"))]
    return [out, *(folder / name for name in [*backtest, f"{stem}_draws.csv"])]


def _nearest_existing(path: Path) -> Path:
    while not os.path.lexists(path):
        path = path.parent
    return path


def check_out(out: Path) -> None:
    """One line (:class:`OutError`) unless the run's files can be written at ``out``; writes nothing."""
    path = Path(os.path.abspath(out.expanduser()))
    if any(path.is_relative_to(system) for system in SYSTEM_FOLDERS):
        raise OutError(f"--out {out}: in a system folder; choose a folder of your own, e.g. --out {EXAMPLE}")
    if path.is_dir():
        raise OutError(f"--out {out}: is a folder; give a file name ending in .yaml, e.g. --out {out / 'NAME.yaml'}")
    existing = _nearest_existing(path.parent)
    if not existing.is_dir():
        raise OutError(f"--out {out}: is below a file ({existing}); choose a folder, e.g. --out {EXAMPLE}")
    for target in result_paths(path):
        if target.is_dir() or (target.exists() and not stat.S_ISREG(target.stat().st_mode)):
            what = "a folder" if target.is_dir() else "not a regular file"
            raise OutError(
                f"--out {out}: {target} is {what}, where this run writes a file; move it or choose another --out"
            )
    if os.statvfs(existing).f_flag & os.ST_RDONLY:
        raise OutError(f"--out {out}: cannot write in {existing} (a read-only file system); choose another folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutError(f"--out {out}: cannot write in {existing} (no permission); choose another folder")


def _make_folders(folder: Path) -> list[Path]:
    """Create ``folder`` and the parents it needs; the folders made, outermost first."""
    missing = []
    while not os.path.lexists(folder):
        missing.append(folder)
        folder = folder.parent
    for made in reversed(missing):
        made.mkdir()
    return list(reversed(missing))


def publish(out: Path, write: Callable[[Path], None]) -> list[Path]:
    """Run ``write(staging_folder)``, which writes the run's files (named as they will be), then move them beside
    ``out`` with ``out`` last; on any failure nothing appears (see the module doc). Returns the paths written."""
    out = Path(os.path.abspath(out.expanduser()))
    stage = out.parent / f".{out.name}{STAGING}{os.getpid()}"
    made: list[Path] = []
    moved: list[Path] = []
    done = False
    try:
        made = _make_folders(out.parent)
        for left in out.parent.glob(f".{out.name}{STAGING}*"):
            if not process_alive(left.name.rsplit("-", 1)[-1]):
                shutil.rmtree(left, ignore_errors=True)
        stage.mkdir()
        write(stage)
        raise_if_stopped()  # a Ctrl-C or SIGTERM whose exception was swallowed still stops the results
        files = sorted(stage.iterdir(), key=lambda p: p.name == out.name)  # the YAML last
        if not files or files[-1].name != out.name:
            raise RuntimeError(f"the run wrote no {out.name}")
        for path in files:
            os.replace(path, out.parent / path.name)
            moved.append(out.parent / path.name)
        for stale in result_paths(out):
            if stale not in moved and stale.is_file():
                stale.unlink()
        done = True
        return moved
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if not done:
            for path in moved:
                path.unlink(missing_ok=True)
            for folder in reversed(made):  # innermost first, and only if empty
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
