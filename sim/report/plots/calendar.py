"""The campaign calendar figure: add requests accepted, the desk's load and losses, and profit, day by day.

Campaign windows are shaded and SMS waves marked, so a planner sees what each campaign or wave does to
the adds, whether the onboarding desk keeps up on the peak days, and what it earns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.report.i18n import count, money, pct, t
from sim.report.plots.base import mean_curve, pick_best, set_takeaway, strategies_in, strategy_colours, style

SHADE = "#F0E442"  # Okabe-Ito yellow, light: campaign windows


def windows_of(campaigns: pd.DataFrame | None) -> list[tuple[str, int, int]]:
    """Every campaign window of any strategy: (campaign, start_day, end_day), without repeats."""
    if campaigns is None or campaigns.empty:
        return []
    out: dict[tuple[str, int, int], None] = {}
    for name, text in campaigns[["campaign", "windows"]].drop_duplicates().itertuples(index=False):
        for part in str(text).split(";"):
            if part and "-" in part:
                start, end = (int(float(x)) for x in part.split("-"))
                out[(str(name), start, end)] = None
    return list(out)


def wave_days(waves: pd.DataFrame | None) -> list[tuple[str, float]]:
    """Every SMS wave of any strategy: (wave, send time in days), without repeats."""
    if waves is None or waves.empty:
        return []
    rows = waves[["wave", "send_day", "send_hour"]].drop_duplicates()
    return [(str(w), float(d) + float(h) / 24.0) for w, d, h in rows.itertuples(index=False)]


def _mark(ax: Axes, windows: list[tuple[str, int, int]], waves: list[tuple[str, float]], *, label: bool) -> None:
    for name, start, end in windows:
        ax.axvspan(start, end, color=SHADE, alpha=0.35, linewidth=0)
        if label:
            ax.text(start, 1.0, f" {name}", transform=ax.get_xaxis_transform(), va="top", fontsize=8)
    for _, when in waves:
        ax.axvline(when, color="grey", linestyle=":", linewidth=1)


def _daily_lines(ax: Axes, data: pd.DataFrame, colours: dict[str, str]) -> None:
    for s in strategies_in(data):
        d = data[data["strategy"] == s]
        ax.plot(d["x"].to_numpy(dtype=float), d["mean"].to_numpy(dtype=float), color=colours[s], linewidth=1.2, label=s)


def calendar_figure(
    curves: pd.DataFrame,
    campaigns: pd.DataFrame | None,
    waves: pd.DataFrame | None,
    horizon_days: int,
    baseline: str | None = None,
    lang: str = "en",
) -> Figure:
    """Adds accepted a day, the desk's load and requests lost a day over the horizon, and cumulative incremental
    profit over the whole run (members keep earning after the horizon)."""
    windows, sends = windows_of(campaigns), wave_days(waves)
    colours = strategy_colours(strategies_in(curves))
    adds = mean_curve(curves, "adds_daily")
    load = mean_curve(curves, "desk_load_daily")
    lost = mean_curve(curves, "requests_lost_daily")
    profit = mean_curve(curves, "incremental_profit_cny")
    with style(lang) as lang:
        fig = Figure(figsize=(12, 13), layout="constrained")
        axes = fig.subplots(4, 1, height_ratios=[1.0, 1.0, 1.0, 1.1])
        for ax, data, ylabel in (
            (axes[0], adds, t("fig.adds_per_day", lang)),
            (axes[1], load, t("fig.desk_load", lang)),
            (axes[2], lost, t("fig.lost_per_day", lang)),
            (axes[3], profit, t("fig.net_profit", lang)),
        ):
            _daily_lines(ax, data, colours)
            _mark(ax, windows, sends, label=ax is axes[0])
            ax.set_ylabel(ylabel)
        for ax in axes[:3]:
            ax.set_xlim(0, horizon_days)
        axes[2].set_xlabel(t("fig.days", lang))
        axes[1].yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        axes[3].axhline(0.0, color="black", linewidth=0.8)
        axes[3].axvline(horizon_days, color="grey", linestyle="--", linewidth=1)
        axes[3].set_xlabel(t("fig.days", lang))
        axes[3].set_xlim(0, float(profit["x"].max()) + 1.0)
        n = len(strategies_in(adds))
        axes[0].legend(loc="upper left", bbox_to_anchor=(0.0, 0.92), ncols=min(n, 4))
        peak = adds.loc[adds["mean"].idxmax()] if adds["mean"].notna().any() else None
        if peak is not None:
            text = t(
                "take.calendar_adds", lang, strategy=peak["strategy"], a=count(peak["mean"], lang), day=int(peak["x"])
            )
            set_takeaway(axes[0], text)
        busiest = load.loc[load["mean"].idxmax()] if load["mean"].notna().any() else None
        if busiest is not None:
            same_day = lost[(lost["strategy"] == busiest["strategy"]) & (lost["x"] == busiest["x"])]["mean"]
            set_takeaway(
                axes[1],
                t(
                    "take.calendar_load",
                    lang,
                    strategy=busiest["strategy"],
                    a=pct(float(busiest["mean"]), lang, digits=0),
                    day=int(busiest["x"]),
                    b=count(float(same_day.iloc[0]) if len(same_day) else np.nan, lang),
                ),
            )
        totals = lost.groupby("strategy", sort=False)["mean"].sum()
        set_takeaway(
            axes[2],
            t("take.calendar_lost", lang, strategy=str(totals.idxmax()), a=count(float(totals.max()), lang)),
        )
        last = float(profit["x"].max())
        end = profit[profit["x"] == last].set_index("strategy")["mean"]
        best, other = pick_best({str(k): float(v) for k, v in end.items()}, baseline)
        if best is not None and other is not None:
            text = t(
                "take.calendar_profit",
                lang,
                strategy=best,
                a=money(float(end[best]), lang),
                other=other,
                b=money(float(end[other]), lang),
                days=int(last) + 1,
            )
            set_takeaway(axes[3], text)
    return fig
