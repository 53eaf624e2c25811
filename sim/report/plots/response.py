"""The response figure: SMS add requests by hours since sending, card add requests by days after delivery."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.report.i18n import pct, t
from sim.report.plots.base import (
    IDENTICAL_DASHES,
    identical_to,
    mean_curve,
    set_takeaway,
    strategies_in,
    strategy_colours,
    style,
)
from sim.run.curves import CARD_DAYS
from sim.run.metrics import SMS_MARKS_HOURS

CARD_WITHIN_SHARE = 0.8  # the card takeaway says within how many days this share of adds arrive


def has_curve(curves: pd.DataFrame, curve: str) -> bool:
    """Whether ``curves`` holds any finite value of ``curve`` (no SMS sent: no SMS curve)."""
    rows = curves[curves["curve"] == curve]
    return bool(np.isfinite(rows["value"].to_numpy(dtype=float)).any())


def plot_sms_response(
    curves: pd.DataFrame, *, ax: Axes | None = None, baseline: str | None = None, lang: str = "en"
) -> Axes:
    """Cumulative SMS add requests / SMS sent by hours since sending, with the 3/6/12/24 h marks."""
    data = mean_curve(curves, "sms_add_share").dropna(subset=["mean"])
    if data.empty:
        raise ValueError("curves has no SMS response (no SMS sent)")
    strategies = strategies_in(data)
    colours = strategy_colours(strategies_in(curves))
    with style(lang) as lang:
        ax = ax or plt.gca()
        same = identical_to(data, strategies)
        for s in strategies:
            d = data[data["strategy"] == s]
            twin = same[s]
            ax.plot(
                d["x"].to_numpy(dtype=float),
                d["mean"].to_numpy(dtype=float),
                color=colours[s],
                linewidth=2,
                linestyle=IDENTICAL_DASHES if twin else "-",
                label=t("fig.identical", lang, strategy=s, other=twin) if twin else s,
            )
        for h in SMS_MARKS_HOURS:
            ax.axvline(h, color="grey", linestyle=":", linewidth=1)
            ax.text(
                h,
                0.02,
                " " + t("fig.mark_hours", lang, hours=h),
                transform=ax.get_xaxis_transform(),
                rotation=90,
                ha="right",
                va="bottom",
                fontsize=8,
                color="grey",
            )
        marks = data[data["x"].isin([float(h) for h in SMS_MARKS_HOURS])]
        for s in strategies:
            m = marks[marks["strategy"] == s]
            ax.plot(
                m["x"].to_numpy(dtype=float),
                m["mean"].to_numpy(dtype=float),
                linestyle="none",
                marker="o",
                color=colours[s],
            )
        ax.set_xticks([0, *SMS_MARKS_HOURS, 36, 48])
        ax.set_xlabel(t("fig.hours_since_sms", lang))
        ax.set_ylabel(t("fig.sms_add_share", lang))
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=2))
        ax.set_ylim(bottom=0.0)
        if len(strategies) > 1:
            ax.legend(loc="lower right")
        ref = baseline if baseline in strategies else strategies[0]
        d = data[data["strategy"] == ref].set_index("x")["mean"]
        at24, at3 = float(d.get(24.0, np.nan)), float(d.get(3.0, np.nan))
        set_takeaway(ax, t("take.sms", lang, a=pct(at24, lang), b=pct(at3 / at24 if at24 > 0 else np.nan, lang)))
    return ax


def plot_card_adds(
    curves: pd.DataFrame, *, ax: Axes | None = None, baseline: str | None = None, lang: str = "en"
) -> Axes:
    """Card add requests / cards sent by whole days after delivery (the last bar: that day or later)."""
    data = mean_curve(curves, "card_adds_per_card").dropna(subset=["mean"])
    if data.empty:
        raise ValueError("curves has no card adds (no cards sent)")
    strategies = strategies_in(data)
    colours = strategy_colours(strategies_in(curves))
    with style(lang) as lang:
        ax = ax or plt.gca()
        width = 0.8 / len(strategies)
        for i, s in enumerate(strategies):
            d = data[data["strategy"] == s]
            x = d["x"].to_numpy(dtype=float)
            ax.bar(
                x - 0.4 + width * (i + 0.5),
                d["mean"].to_numpy(dtype=float),
                width=width * 0.95,
                color=colours[s],
                label=s,
            )
        last = int(CARD_DAYS[-1])
        ticks = list(range(0, last + 1, 2)) + ([last] if last % 2 else [])
        ax.set_xticks(ticks, [t("fig.days_or_more", lang, day=d) if d == last else str(d) for d in ticks])
        ax.grid(axis="x", visible=False)
        ax.set_xlabel(t("fig.days_after_delivery", lang))
        ax.set_ylabel(t("fig.card_adds_per_card", lang))
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=1))
        if len(strategies) > 1:
            ax.legend(loc="upper right")
        pooled = data.groupby("x", sort=True)["mean"].sum()
        share = pooled.cumsum() / pooled.sum() if pooled.sum() > 0 else pooled * np.nan
        within = share[share >= CARD_WITHIN_SHARE]
        k = int(within.index[0]) + 1 if not within.empty else last + 1
        set_takeaway(ax, t("take.card", lang, a=pct(float(share.iloc[k - 1]), lang, digits=0), k=k))
    return ax


def response_figure(curves: pd.DataFrame, baseline: str | None = None, lang: str = "en") -> Figure | None:
    """SMS response curve and card adds by day, side by side (each only when the run has it); None if neither."""
    panels = [
        p
        for p, c in ((plot_sms_response, "sms_add_share"), (plot_card_adds, "card_adds_per_card"))
        if has_curve(curves, c)
    ]
    if not panels:
        return None
    with style(lang) as lang:
        fig = Figure(figsize=(6.5 * len(panels), 5), layout="constrained")
        axes = fig.subplots(1, len(panels), squeeze=False)
        for plot, ax in zip(panels, axes[0], strict=True):
            plot(curves, ax=ax, baseline=baseline, lang=lang)
    return fig
