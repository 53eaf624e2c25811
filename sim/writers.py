"""The only module that writes files: a run's tables, resolved config and figures.

Each file is written under a temporary name and renamed into place, and ``summary.csv``
is renamed last, so a run directory holding ``summary.csv`` is complete and an
interrupted run leaves no file that looks like a finished result.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

FIGURE_DPI = 200


def _atomic(path: Path, write) -> None:  # type: ignore[no-untyped-def]
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)


def write_figure(out_dir: Path, name: str, figure: Figure) -> list[Path]:
    """Save a figure as PNG (200 dpi) and SVG, then close it."""
    paths = []
    for ext in ("png", "svg"):
        path = out_dir / f"{name}.{ext}"
        _atomic(path, lambda p, ext=ext: figure.savefig(p, dpi=FIGURE_DPI, format=ext))
        paths.append(path)
    plt.close(figure)
    return paths


def write_run(
    out_dir: Path,
    replications: pd.DataFrame,
    summary: pd.DataFrame,
    differences: pd.DataFrame,
    config_yaml: str,
    figures: dict[str, Figure],
) -> None:
    """Write replications.parquet, differences.csv, config_resolved.yaml, figures, then summary.csv."""
    out_dir.mkdir(parents=True, exist_ok=True)
    _atomic(out_dir / "replications.parquet", lambda p: replications.to_parquet(p, index=False))
    _atomic(out_dir / "differences.csv", lambda p: differences.to_csv(p, index=False))
    _atomic(out_dir / "config_resolved.yaml", lambda p: p.write_text(config_yaml, encoding="utf-8"))
    for name, fig in figures.items():
        write_figure(out_dir, name, fig)
    _atomic(out_dir / "summary.csv", lambda p: summary.to_csv(p, index=False))
