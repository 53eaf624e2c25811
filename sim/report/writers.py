"""The only module that writes files: a run's tables, resolved config, figures and reports.

Each file is written under a temporary name and renamed into place, and ``summary.csv``
is renamed last (:func:`write_summary`), so a run directory holding ``summary.csv`` is
complete and an interrupted run leaves no file that looks like a finished result.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

FIGURE_DPI = 200


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
