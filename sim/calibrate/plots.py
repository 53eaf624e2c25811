"""Figures of a calibration. Each ``plot_*`` draws on an Axes and returns it; nothing here saves or shows."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

ACTUAL_COLOUR, EXPECTED_COLOUR = "#0072B2", "#E69F00"  # Okabe-Ito blue and orange, as in sim.report.plots


def plot_holdout(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Actual and expected mean holdout repeat purchases by calibration repeat purchases (FHL 2005, Fig. 4)."""
    missing = [c for c in ("group", "customers", "actual_mean", "expected_mean") if c not in table.columns]
    if missing:
        raise ValueError(f"holdout table lacks columns {missing}")
    rows = table[table["group"] != "total"]
    if rows.empty:
        raise ValueError("holdout table has no frequency groups")
    ax = ax or plt.gca()
    pos = np.arange(len(rows))
    ax.plot(pos, rows["actual_mean"], "o-", color=ACTUAL_COLOUR, label="actual")
    ax.plot(pos, rows["expected_mean"], "s--", color=EXPECTED_COLOUR, label="BG/NBD expected")
    ax.set_xticks(pos, [f"{g}\n(n={n})" for g, n in zip(rows["group"], rows["customers"], strict=True)])
    ax.set_xlabel("repeat purchases in the calibration period")
    ax.set_ylabel("mean repeat purchases in the holdout period")
    ax.legend(frameon=False)
    return ax


def holdout_figure(table: pd.DataFrame, title: str) -> Figure:
    """One-panel figure of :func:`plot_holdout` with a title."""
    fig, ax = plt.subplots(figsize=(7.5, 4.5), layout="constrained")
    plot_holdout(table, ax=ax)
    ax.set_title(title)
    return fig
