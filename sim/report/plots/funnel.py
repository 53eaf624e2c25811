"""The funnel figure: people at each stage per strategy, with the conversion between stages."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.report.i18n import pct, t
from sim.report.plots.base import pick_best, require_columns, set_takeaway, strategies_in, strategy_colours, style
from sim.run.curves import FUNNEL_FROM, FUNNEL_STAGES


def funnel_means(funnel: pd.DataFrame) -> pd.DataFrame:
    """Mean count per strategy and funnel stage (rows: strategies in order; columns: :data:`FUNNEL_STAGES`)."""
    require_columns(funnel, ["strategy", "replication", "stage", "count"], "funnel")
    order = strategies_in(funnel)
    wide = funnel.pivot_table(index="strategy", columns="stage", values="count", aggfunc="mean", sort=False)
    missing = [s for s in FUNNEL_STAGES if s not in wide.columns]
    if missing:
        raise ValueError(f"funnel lacks stages {missing}")
    return wide.loc[order, list(FUNNEL_STAGES)].astype(float)


def _count(mean_people: float) -> str:
    """A mean number of people: whole above 10, one decimal below (a mean over replications)."""
    return f"{mean_people:,.0f}" if mean_people >= 10 or mean_people == 0 else f"{mean_people:.1f}"


def plot_funnel(funnel: pd.DataFrame, *, ax: Axes | None = None, baseline: str | None = None, lang: str = "en") -> Axes:
    """The funnel per strategy: one bar per stage and strategy (mean people, log scale), with conversions."""
    means = funnel_means(funnel)
    strategies = list(means.index)
    colours = strategy_colours(strategies)
    with style(lang) as lang:
        ax = ax or plt.gca()
        n_s = len(strategies)
        height = 0.8 / n_s
        stage_y = np.arange(len(FUNNEL_STAGES))[::-1].astype(float)
        xmax = float(np.nanmax(means.to_numpy())) if means.size else 1.0
        for i, s in enumerate(strategies):
            y = stage_y + 0.4 - height * (i + 0.5)
            values = means.loc[s].to_numpy(dtype=float)
            ax.barh(y, values, height=height * 0.92, color=colours[s], label=s)
            for stage, yy, v in zip(FUNNEL_STAGES, y, values, strict=True):
                if stage in FUNNEL_FROM:
                    src = means.loc[s, FUNNEL_FROM[stage]]
                    share = pct(v / src, lang) if src > 0 else t("report.missing", lang)
                    of_stage = t("fig.of_stage", lang, share=share, stage=t(f"stage.{FUNNEL_FROM[stage]}", lang))
                    text = f"{_count(v)}  ·  {of_stage}"
                else:
                    text = _count(v)
                ax.text(max(v, 0.5) * 1.15, yy, text, va="center", fontsize=7.5)
        ax.set_xscale("log")
        positive = means.to_numpy()[means.to_numpy() > 0]
        ax.set_xlim(min(1.0, 0.5 * float(positive.min())) if positive.size else 1.0, xmax * 60)
        ax.set_yticks(stage_y, [t(f"stage.{s}", lang) for s in FUNNEL_STAGES])
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(t("fig.people_log", lang))
        if n_s > 1:
            ax.legend(loc="lower right")
        rate = {s: means.loc[s, "added"] / means.loc[s, "platform_buyers"] for s in strategies}
        best, other = pick_best(rate, baseline)
        if best is not None and other is not None and pct(rate[best], lang) == pct(rate[other], lang):
            title = t("take.funnel_tie", lang, best=best, a=pct(rate[best], lang), other=other)  # no winner on a tie
        elif best is not None and other is not None:
            title = t("take.funnel", lang, best=best, a=pct(rate[best], lang), b=pct(rate[other], lang), other=other)
        elif best is not None:
            ordered = means.loc[best, "first_order"] / means.loc[best, "added"] if means.loc[best, "added"] else np.nan
            title = t("take.funnel_one", lang, best=best, a=pct(rate[best], lang), b=pct(ordered, lang))
        else:
            title = ""
        set_takeaway(ax, title)
    return ax


def funnel_figure(funnel: pd.DataFrame, baseline: str | None = None, lang: str = "en") -> Figure:
    """The funnel figure."""
    with style(lang) as lang:
        n = funnel["strategy"].nunique()
        fig = Figure(figsize=(11, 2.2 + 0.55 * len(FUNNEL_STAGES) * max(1.0, n / 2)), layout="constrained")
        ax = fig.subplots()
        plot_funnel(funnel, ax=ax, baseline=baseline, lang=lang)
    return fig
