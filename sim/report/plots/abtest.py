"""The A/B test sizing figure: power against units per arm for each pair of strategies, the chosen size marked.

Reads the tables of ``python -m sim.plan abtest``: ``power_curve.csv`` (the normal-approximation curve) and
``abtest.csv`` (the chosen size, the nominal power and the empirical power of the simulated test there, drawn
with a 95% bar). Draws and returns the Figure; never saves.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.report.i18n import metric_name, pct, t
from sim.report.plots.base import OKABE_ITO, require_columns, set_takeaway, style


def _metric_label(metric: str, lang: str) -> str:
    return t("abtest.metric.revenue_90d_cny", lang) if metric == "revenue_90d_cny" else metric_name(metric, lang)


def plot_power_curves(curve: pd.DataFrame, design: pd.DataFrame, lang: str = "en") -> Figure:
    """Power of the test against units per arm (log scale), one line per pair, the recommended size marked."""
    require_columns(design, ["metric", "strategy_a", "strategy_b", "n_per_arm", "power", "empirical_power"], "design")
    with style(lang) as lang:
        fig, ax = plt.subplots(figsize=(8, 4.8), layout="constrained")
        sized = design[design["n_per_arm"].notna()]
        if curve.empty or sized.empty:
            ax.text(0.5, 0.5, t("abtest.fig.no_effect", lang), ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            set_takeaway(ax, t("abtest.fig.no_effect", lang))
            return fig
        for i, row in enumerate(sized.itertuples(index=False)):
            colour = OKABE_ITO[i % len(OKABE_ITO)]
            mine = curve[(curve["strategy_a"] == row.strategy_a) & (curve["strategy_b"] == row.strategy_b)]
            label = t("abtest.fig.pair", lang, a=row.strategy_a, b=row.strategy_b)
            ax.plot(mine["n_per_arm"], mine["power"], color=colour, linewidth=2, label=label)
            ax.axvline(row.n_per_arm, color=colour, linestyle=":", linewidth=1.2)
            if math.isfinite(row.empirical_power):
                ax.errorbar(
                    [row.n_per_arm],
                    [row.empirical_power],
                    yerr=[[1.96 * row.empirical_power_se], [1.96 * row.empirical_power_se]],
                    fmt="o",
                    color=colour,
                    capsize=3,
                    label=t("abtest.fig.empirical", lang),
                )
        ax.axhline(float(sized["power"].iloc[0]), color="grey", linestyle="--", linewidth=1)
        ax.set_xscale("log")
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel(t("abtest.fig.x", lang, unit=t(f"abtest.unit.{sized['unit'].iloc[0]}", lang)))
        ax.set_ylabel(t("abtest.fig.y", lang))
        ax.legend(loc="lower right")
        first = sized.iloc[0]
        set_takeaway(
            ax,
            t(
                "abtest.fig.take",
                lang,
                metric=_metric_label(str(first["metric"]), lang),
                n=f"{float(first['n_per_arm']):,.0f}",
                power=pct(float(first["power"]), lang),
                empirical=pct(float(first["empirical_power"]), lang),
            ),
        )
    return fig
