"""The survival figure: members not churned, unsubscribed and dormant, by days since joining."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from sim.report.i18n import pct, t
from sim.report.plots.base import (
    identical_to,
    mean_curve,
    pick_best,
    set_takeaway,
    strategies_in,
    strategy_colours,
    style,
)
from sim.run.curves import CHURN_CURVES

CHURN_STYLES: dict[str, Any] = {"not_churned": "-", "churned_unsubscribe": "--", "churned_dormancy": ":"}
SURVIVAL_TAKEAWAY_DAYS = 180.0  # the survival takeaway compares members this long after joining (or less)


def plot_survival(
    curves: pd.DataFrame,
    *,
    ax: Axes | None = None,
    baseline: str | None = None,
    dormancy_window_days: float | None = None,
    lang: str = "en",
) -> Axes:
    """Members by days since joining: not churned (solid), unsubscribed (dashed), dormant (dotted); the dormancy
    window, where members who never ordered start to count as churned, is marked. A strategy whose curves repeat an
    earlier one's is labelled so."""
    data = {c: mean_curve(curves, c) for c in CHURN_CURVES}
    strategies = strategies_in(data["not_churned"])
    colours = strategy_colours(strategies)
    with style(lang) as lang:
        ax = ax or plt.gca()
        for s in strategies:
            for c in CHURN_CURVES:
                d = data[c][data[c]["strategy"] == s]
                ax.plot(
                    d["x"].to_numpy(dtype=float),
                    d["mean"].to_numpy(dtype=float),
                    color=colours[s],
                    linestyle=CHURN_STYLES[c],
                    linewidth=2,
                )
        if dormancy_window_days is not None:
            ax.axvline(dormancy_window_days, color="grey", linestyle=(0, (1, 3)), linewidth=1)
            ax.annotate(
                t("fig.dormancy_window", lang, days=f"{dormancy_window_days:.0f}"),
                (dormancy_window_days, 0.97),
                xytext=(6, 0),
                textcoords="offset points",
                va="top",
                fontsize=8,
                color="dimgrey",
            )
        ax.set_ylim(0.0, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        ax.set_xlabel(t("fig.days_since_join", lang))
        ax.set_ylabel(t("fig.share_members", lang))
        same = identical_to(data["not_churned"], strategies)
        handles = [
            Line2D([], [], color=colours[s], linewidth=2, label=t("fig.identical", lang, strategy=s, other=same[s]))
            if same[s]
            else Line2D([], [], color=colours[s], linewidth=2, label=s)
            for s in strategies
        ]
        handles += [
            Line2D([], [], color="grey", linestyle=CHURN_STYLES[c], linewidth=2, label=t(f"fig.{c}", lang))
            for c in CHURN_CURVES
        ]
        ax.legend(handles=handles, loc="center right")
        surv = data["not_churned"].dropna(subset=["mean"])
        last = float(surv.groupby("strategy")["x"].max().min()) if not surv.empty else float("nan")
        last = min(last, SURVIVAL_TAKEAWAY_DAYS)
        at = {
            s: float(surv[(surv["strategy"] == s) & (surv["x"] == last)]["mean"].iloc[0])
            for s in strategies
            if ((surv["strategy"] == s) & (surv["x"] == last)).any()
        }
        best, other = pick_best(at, baseline)
        if best is None:
            title = ""
        elif other is None:
            title = t("take.survival_one", lang, best=best, a=pct(at[best], lang), days=f"{last:.0f}")
        elif pct(at[best], lang) == pct(at[other], lang):
            title = t("take.survival_tie", lang, best=best, other=other, a=pct(at[best], lang), days=f"{last:.0f}")
        else:
            title = t(
                "take.survival",
                lang,
                best=best,
                a=pct(at[best], lang),
                b=pct(at.get(other, np.nan), lang),
                other=other,
                days=f"{last:.0f}",
            )
        set_takeaway(ax, title)
    return ax


def survival_figure(
    curves: pd.DataFrame, baseline: str | None = None, dormancy_window_days: float | None = None, lang: str = "en"
) -> Figure:
    """The member-survival figure."""
    with style(lang) as lang:
        fig = Figure(figsize=(11, 5.5), layout="constrained")
        ax = fig.subplots()
        plot_survival(curves, ax=ax, baseline=baseline, dormancy_window_days=dormancy_window_days, lang=lang)
    return fig
