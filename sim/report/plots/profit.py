"""The profit figure: cumulative incremental net profit per strategy with its 95% band, the gross profit beside it,
and the payback day (the ``payback_day`` metric, the same number as in the tables)."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.report.i18n import money, t
from sim.report.plots.base import mean_curve, set_takeaway, strategies_in, strategy_colours, style
from sim.report.plots.response import has_curve


def payback_from_curve(cumulative: np.ndarray) -> float:
    """First index from which a cumulative-profit curve stays >= 0 (as the payback_day metric); NaN if never."""
    cum = np.asarray(cumulative, dtype=float)
    negative = np.flatnonzero(~(cum >= 0))
    if negative.size == 0:
        return 0.0
    last = int(negative[-1])
    return float(last + 1) if last + 1 < cum.size else float("nan")


def paybacks(curves: pd.DataFrame) -> dict[str, tuple[float, float, float, int, int]]:
    """Per strategy: the payback day's mean over the replications that pay back, its 95% interval, how many pay back
    and of how many: the ``payback_day`` metric, computed again from each replication's incremental profit curve."""
    from sim.run.compare import interval

    rows = curves[curves["curve"] == "incremental_profit_cny"].sort_values(["strategy", "replication", "x"])
    out = {}
    for strategy in strategies_in(curves[curves["curve"] == "incremental_profit_cny"]):
        part = rows[rows["strategy"] == strategy]
        days = np.array([payback_from_curve(g["value"].to_numpy()) for _, g in part.groupby("replication")])
        mean, low, high, n = interval(days)
        out[strategy] = (mean, low, high, n, days.size)
    return out


def plot_profit(
    curves: pd.DataFrame,
    *,
    ax: Axes | None = None,
    baseline: str | None = None,
    horizon_days: int | None = None,
    lang: str = "en",
) -> Axes:
    """Cumulative incremental net profit per strategy (mean, 95% band), the gross one as a thin dashed line, and each
    strategy's payback day (the ``payback_day`` metric: mean over replications, with its interval) marked."""
    data = mean_curve(curves, "incremental_profit_cny")
    gross = mean_curve(curves, "net_profit_cny") if has_curve(curves, "net_profit_cny") else None
    strategies = strategies_in(data)
    colours = strategy_colours(strategies)
    marks = paybacks(curves)
    with style(lang) as lang:
        ax = ax or plt.gca()
        for s in strategies:
            d = data[data["strategy"] == s]
            x, y = d["x"].to_numpy(dtype=float), d["mean"].to_numpy(dtype=float)
            ax.plot(x, y, color=colours[s], linewidth=2, label=t("fig.incremental_of", lang, strategy=s))
            ax.fill_between(
                x,
                d["low"].to_numpy(dtype=float),
                d["high"].to_numpy(dtype=float),
                color=colours[s],
                alpha=0.15,
                linewidth=0,
            )
            if gross is not None:
                g = gross[gross["strategy"] == s]
                ax.plot(
                    g["x"],
                    g["mean"],
                    color=colours[s],
                    linewidth=1,
                    linestyle="--",
                    label=t("fig.gross_of", lang, strategy=s),
                )
            day = marks[s][0]
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
        ax.legend(loc="best", fontsize=8)
        days = int(data["x"].max()) + 1
        set_takeaway(ax, profit_takeaway(marks, data, days=days, lang=lang))
    return ax


def profit_takeaway(
    marks: dict[str, tuple[float, float, float, int, int]], data: pd.DataFrame, *, days: int, lang: str
) -> str:
    """Each strategy's payback day with its interval (and in how many replications it comes), or where its
    incremental profit ends when it never pays back."""
    parts = []
    for s, (mean, low, high, n, total) in marks.items():
        if n == 0:
            end = float(data[data["strategy"] == s]["mean"].iloc[-1])
            parts.append(t("take.payback_never", lang, strategy=s, days=days, a=money(end, lang)))
            continue
        when = f"{mean:.0f}" if not math.isfinite(low) else f"{mean:.0f} [{low:.0f}, {high:.0f}]"
        text = t("take.payback_day", lang, strategy=s, day=when)
        if n < total:
            text += t("take.payback_share", lang, n=n, total=total)
        parts.append(text)
    return t("head.separator", lang).join(parts)


def profit_figure(
    curves: pd.DataFrame, baseline: str | None = None, horizon_days: int | None = None, lang: str = "en"
) -> Figure:
    """The cumulative-profit figure."""
    with style(lang) as lang:
        fig = Figure(figsize=(11, 5.5), layout="constrained")
        ax = fig.subplots()
        plot_profit(curves, ax=ax, baseline=baseline, horizon_days=horizon_days, lang=lang)
    return fig
