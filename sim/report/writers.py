"""The only module that writes files: a run's tables, resolved config, figures and reports, and its lock.

A run writes everything into a hidden staging folder inside its directory (:func:`staged`) and, once
every file is there, moves them into place in one quick pass with ``summary.csv`` last; a run that is
killed, interrupted or runs out of disk space before that leaves no file that looks like a result (a
SIGKILL leaves only the hidden staging folder, which the next run into the directory removes). Each
file is written under a temporary name and renamed, so no half-written file is ever visible.
:func:`lock_dir` makes a second run into the same directory refuse instead of mixing its files with the first's.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from sim.run.interrupt import raise_if_stopped

FIGURE_DPI = 200
STAGING_PREFIX = ".staging-"
RESULT_SUFFIXES = (".csv", ".parquet", ".png", ".svg", ".md", ".html")  # with config_resolved.yaml: a run's results
LOCK_NAME = ".lock"


class DirectoryInUseError(RuntimeError):
    """Another run holds the directory's lock; the message is one line."""


def _atomic(path: Path, write: Callable[[Path], object]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)


def write_table(path: Path, table: pd.DataFrame) -> Path:
    """Write a table as Parquet or CSV, by the path's suffix."""
    if path.suffix == ".parquet":
        _atomic(path, lambda p: table.to_parquet(p, index=False))
    elif path.suffix == ".csv":
        _atomic(path, lambda p: table.to_csv(p, index=False))
    else:
        raise ValueError(f"{path.name}: tables are written as .csv or .parquet")
    return path


def write_text(path: Path, text: str) -> Path:
    """Write UTF-8 text (a config, a report)."""
    _atomic(path, lambda p: p.write_text(text, encoding="utf-8"))
    return path


def figure_bytes(figure: Figure) -> tuple[bytes, bytes]:
    """A figure as PNG (200 dpi) and SVG bytes; the figure is closed. Touches no file (workers may call it)."""
    png, svg = io.BytesIO(), io.BytesIO()
    figure.savefig(png, dpi=FIGURE_DPI, format="png")
    figure.set_layout_engine("none")  # keep the layout just computed: the SVG matches the PNG, and is faster
    figure.savefig(svg, format="svg")
    plt.close(figure)
    return png.getvalue(), svg.getvalue()


def write_figure_bytes(out_dir: Path, name: str, png: bytes, svg: bytes) -> None:
    """Write a figure already rendered by :func:`figure_bytes` as ``name.png`` and ``name.svg``."""
    _atomic(out_dir / f"{name}.png", lambda p: p.write_bytes(png))
    _atomic(out_dir / f"{name}.svg", lambda p: p.write_bytes(svg))


def write_figure(out_dir: Path, name: str, figure: Figure) -> bytes:
    """Save a figure as ``name.png`` (200 dpi) and ``name.svg``, close it, and return the PNG's bytes."""
    png, svg = figure_bytes(figure)
    write_figure_bytes(out_dir, name, png, svg)
    return png


def write_run(out_dir: Path, tables: dict[str, pd.DataFrame], config_yaml: str) -> None:
    """Write a run's tables (file name -> table; not ``summary.csv``) and its resolved config."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        if name == "summary.csv":
            raise ValueError("summary.csv is written last, by write_summary")
        write_table(out_dir / name, table)
    write_text(out_dir / "config_resolved.yaml", config_yaml)


def write_summary(out_dir: Path, summary: pd.DataFrame) -> Path:
    """Write ``summary.csv``, the file that marks a run directory complete."""
    return write_table(out_dir / "summary.csv", summary)


@contextmanager
def staged(out_dir: Path) -> Iterator[Path]:
    """A hidden folder in ``out_dir`` to write a run's results into; when the block ends normally every file moves
    into ``out_dir`` (results of an earlier run there removed first, ``summary.csv`` last); whatever happens, the
    staging folder is gone afterwards. Staging folders left by killed runs are removed first."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for left in out_dir.glob(f"{STAGING_PREFIX}*"):
        if not process_alive(left.name.removeprefix(STAGING_PREFIX)):
            shutil.rmtree(left, ignore_errors=True)
    stage = out_dir / f"{STAGING_PREFIX}{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    try:
        yield stage
        raise_if_stopped()  # a Ctrl-C or SIGTERM whose exception was swallowed still stops the results
        _promote(stage, out_dir)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def process_alive(pid: str) -> bool:
    """Whether process ``pid`` (a staging folder's suffix) is running; this process counts as not running."""
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _is_result(path: Path) -> bool:
    return path.is_file() and (path.suffix in RESULT_SUFFIXES or path.name == "config_resolved.yaml")


def _promote(stage: Path, out_dir: Path) -> None:
    (out_dir / "summary.csv").unlink(missing_ok=True)  # the directory stops looking finished first
    for old in out_dir.iterdir():
        if _is_result(old) and not old.name.startswith("."):
            old.unlink()
    staged_files = sorted(stage.iterdir(), key=lambda p: p.name == "summary.csv")
    for path in staged_files:
        os.replace(path, out_dir / path.name)


def lock_dir(out_dir: Path) -> object:
    """Hold ``out_dir`` for this process (a lock file inside it, released when the process ends, even if killed);
    raises :class:`DirectoryInUseError` when another run holds it. Keep the returned lock alive for the run."""
    from filelock import FileLock, Timeout

    out_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out_dir / LOCK_NAME))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise DirectoryInUseError(
            f"{out_dir}: another run is writing into this folder; wait for it or choose another"
        ) from None
    return lock
