"""The waterfall figure: from the members' margin to the incremental net profit, one bar per ledger line."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.report.i18n import money, t
from sim.report.plots.base import require_columns, set_takeaway, style

SECTIONS: tuple[tuple[str, str], ...] = (  # section, the subtotal drawn after it ({months}: the LTV window)
    ("member_value", "total.ltv_{months}m"),
    ("platform", "total.incremental_value"),
    ("acquisition", "total.incremental_net_profit"),
)
WINDOW_BASIS = "m_value"  # costs.csv's LTV-window basis is 12m_value, 24m_value or 36m_value (sim.run.costs)
UP, DOWN, TOTAL = "#009E73", "#D55E00", "#0072B2"


def line_label(line: str, lang: str = "en") -> str:
    """A ledger line's name; the hook line carries its type (``hook_cash``)."""
    if line.startswith("hook_"):
        return f"{t('line.hook', lang)} ({line.removeprefix('hook_')})"
    return t(f"line.{line}", lang)


def plot_waterfall(costs: pd.DataFrame, strategy: str, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """One strategy's mean amounts on the LTV window's basis (``12m_value`` for 12 months), as steps from zero to its
    incremental net profit."""
    require_columns(costs, ["strategy", "basis", "section", "line", "mean_cny"], "costs")
    windows = [str(b) for b in pd.unique(costs["basis"]) if str(b).endswith(WINDOW_BASIS)]
    months = int(windows[0].removesuffix(WINDOW_BASIS)) if windows else 12
    rows = costs[(costs["strategy"] == strategy) & (costs["basis"] == f"{months}{WINDOW_BASIS}")]
    if rows.empty:
        raise ValueError(f"costs has no {months}{WINDOW_BASIS} rows for strategy {strategy!r}")
    with style(lang) as lang:
        ax = ax or plt.gca()
        labels, bottoms, heights, colours = [], [], [], []
        level = 0.0
        for section, subtotal in SECTIONS:
            for row in rows[rows["section"] == section].itertuples(index=False):
                if row.mean_cny == 0.0:
                    continue
                labels.append(line_label(row.line, lang))
                bottoms.append(level)
                heights.append(row.mean_cny)
                colours.append(UP if row.mean_cny > 0 else DOWN)
                level += row.mean_cny
            labels.append(t(subtotal.format(months=months), lang))
            bottoms.append(0.0)
            heights.append(level)
            colours.append(TOTAL)
        x = np.arange(len(labels))
        ax.bar(x, heights, bottom=bottoms, color=colours, width=0.7)
        ax.axhline(0.0, color="grey", linewidth=1)
        ax.set_xticks(x, labels, rotation=40, ha="right", fontsize=8)
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
        ax.set_ylabel(t("fig.amount_cny", lang))
        ax.grid(axis="x", visible=False)
        set_takeaway(ax, t("take.waterfall", lang, strategy=strategy, a=money(level, lang), months=months))
    return ax


def waterfall_figure(costs: pd.DataFrame, strategies: list[str], lang: str = "en") -> Figure:
    """One waterfall panel per strategy."""
    with style(lang) as lang:
        fig = Figure(figsize=(6.5 * len(strategies), 5.5), layout="constrained")
        axes = np.atleast_1d(fig.subplots(1, len(strategies), sharey=True)).ravel()
        for ax, strategy in zip(axes, strategies, strict=True):
            plot_waterfall(costs, strategy, ax=ax, lang=lang)
    return fig
