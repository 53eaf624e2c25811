"""The profit figure: cumulative net profit per strategy with its 95% band and the payback day."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.report.i18n import money, t
from sim.report.plots.base import mean_curve, pick_best, set_takeaway, strategies_in, strategy_colours, style


def payback_from_curve(cumulative: np.ndarray) -> float:
    """First index from which a cumulative-profit curve stays >= 0 (as the payback_day metric); NaN if never."""
    cum = np.asarray(cumulative, dtype=float)
    negative = np.flatnonzero(~(cum >= 0))
    if negative.size == 0:
        return 0.0
    last = int(negative[-1])
    return float(last + 1) if last + 1 < cum.size else float("nan")


def plot_profit(
    curves: pd.DataFrame,
    *,
    ax: Axes | None = None,
    baseline: str | None = None,
    horizon_days: int | None = None,
    lang: str = "en",
) -> Axes:
    """Cumulative private net profit per strategy (mean, 95% band), with each strategy's payback day marked."""
    data = mean_curve(curves, "net_profit_cny")
    strategies = strategies_in(data)
    colours = strategy_colours(strategies)
    with style(lang) as lang:
        ax = ax or plt.gca()
        paybacks: dict[str, float] = {}
        finals: dict[str, float] = {}
        for s in strategies:
            d = data[data["strategy"] == s]
            x, y = d["x"].to_numpy(dtype=float), d["mean"].to_numpy(dtype=float)
            ax.plot(x, y, color=colours[s], linewidth=2, label=s)
            ax.fill_between(
                x,
                d["low"].to_numpy(dtype=float),
                d["high"].to_numpy(dtype=float),
                color=colours[s],
                alpha=0.15,
                linewidth=0,
            )
            day = payback_from_curve(y)
            paybacks[s], finals[s] = day, float(y[-1])
            if math.isfinite(day):
                ax.axvline(day, color=colours[s], linestyle=":", linewidth=1.5)
                ax.plot([day], [float(np.interp(day, x, y))], marker="o", color=colours[s], markersize=7)
                ax.annotate(
                    t("fig.payback", lang, strategy=s, day=f"{day:.0f}"),
                    (day, 0.0),
                    xytext=(4, 6 + 14 * strategies.index(s)),
                    textcoords="offset points",
                    fontsize=8,
                    color=colours[s],
                )
        ax.axhline(0.0, color="grey", linewidth=1)
        if horizon_days is not None:
            ax.axvline(horizon_days, color="grey", linestyle="--", linewidth=1)
            ax.text(
                horizon_days, ax.get_ylim()[1], " " + t("fig.horizon_end", lang), va="top", fontsize=8, color="grey"
            )
        ax.set_xlabel(t("fig.days", lang))
        ax.set_ylabel(t("fig.net_profit", lang))
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
        ax.legend(loc="upper left")
        set_takeaway(ax, _profit_takeaway(paybacks, finals, baseline, days=int(data["x"].max()) + 1, lang=lang))
    return ax


def _profit_takeaway(
    paybacks: dict[str, float], finals: dict[str, float], baseline: str | None, *, days: int, lang: str
) -> str:
    """Who pays back first (and when), or, when nobody does, who loses least by the end."""
    paid = {s: d for s, d in paybacks.items() if math.isfinite(d)}
    if paid:
        best, other = pick_best(paid | {s: math.inf for s in paybacks if s not in paid}, baseline, direction=-1)
        assert best is not None
        a = f"{paid[best]:.0f}"
        if other is None:
            return t("take.payback_one", lang, best=best, a=a)
        if other in paid:
            return t("take.payback", lang, best=best, a=a, b=f"{paid[other]:.0f}", other=other)
        return t("take.payback_only", lang, best=best, a=a, other=other, days=days)
    best, other = pick_best(finals, baseline)
    if best is None:
        return ""
    a = money(finals[best], lang)
    if other is None:
        return t("take.no_payback_one", lang, best=best, days=days, a=a)
    return t("take.no_payback", lang, best=best, other=other, days=days, a=a, b=money(finals[other], lang))


def profit_figure(
    curves: pd.DataFrame, baseline: str | None = None, horizon_days: int | None = None, lang: str = "en"
) -> Figure:
    """The cumulative-profit figure."""
    with style(lang) as lang:
        fig = Figure(figsize=(11, 5.5), layout="constrained")
        ax = fig.subplots()
        plot_profit(curves, ax=ax, baseline=baseline, horizon_days=horizon_days, lang=lang)
    return fig
