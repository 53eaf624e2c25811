"""The SMS wave figure: each wave's response by hook and send hour, and its incremental profit."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.report.i18n import money, number, t
from sim.report.plots.base import require_columns, set_takeaway, strategies_in, strategy_colours, style
from sim.run.metrics import SMS_MARKS_HOURS

WAVE_SUMMARY_COLUMNS = ["strategy", "wave", "hook", "send_day", "send_hour", "quantity", "mean", "ci_low", "ci_high"]
PER_DELIVERED = 1000.0  # response is shown per this many delivered messages


def wave_table(waves: pd.DataFrame) -> pd.DataFrame:
    """One row per strategy and wave: the mean of every quantity (and the interval of the incremental profit),
    with add requests within 3, 6, 12 and 24 h per 1,000 delivered messages."""
    require_columns(waves, WAVE_SUMMARY_COLUMNS, "waves")
    keys = ["strategy", "wave", "hook", "send_day", "send_hour"]
    order = waves[keys].drop_duplicates()
    means = waves.pivot_table(index=keys, columns="quantity", values="mean", sort=False).reset_index()
    wide = order.merge(means, how="left")  # pivot_table sorts; the merge keeps the run's order
    profit = waves[waves["quantity"] == "incremental_profit_cny"].set_index(["strategy", "wave"])
    wide["profit_low"] = [profit.loc[(s, w), "ci_low"] for s, w in zip(wide["strategy"], wide["wave"], strict=True)]
    wide["profit_high"] = [profit.loc[(s, w), "ci_high"] for s, w in zip(wide["strategy"], wide["wave"], strict=True)]
    delivered = wide["delivered"].to_numpy(dtype=float)
    for h in SMS_MARKS_HOURS:
        with np.errstate(invalid="ignore", divide="ignore"):
            wide[f"per_1000_{h}h"] = np.where(delivered > 0, wide[f"adds_{h}h"] / delivered * PER_DELIVERED, np.nan)
    return wide


def wave_label(row: pd.Series, lang: str) -> str:
    """``strategy · wave (hook, hh:00)`` for a row of :func:`wave_table`."""
    hook = row["hook"]
    kind, _, value = str(hook).partition(" ")
    hook_text = t(f"value.{kind}", lang) + (f" {value}" if value else "")
    hour = int(row["send_hour"])
    return t("fig.wave_label", lang, strategy=row["strategy"], wave=row["wave"], hook=hook_text, hour=hour)


def plot_wave_response(waves: pd.DataFrame, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """Add requests within 24 h per 1,000 delivered messages, per wave (bars), with the 3, 6 and 12 h marks."""
    table = wave_table(waves)
    colours = strategy_colours(strategies_in(table))
    with style(lang) as lang:
        ax = ax or plt.gca()
        y = np.arange(len(table))[::-1]
        final = table[f"per_1000_{SMS_MARKS_HOURS[-1]}h"].to_numpy(dtype=float)
        ax.barh(y, np.nan_to_num(final), color=[colours[s] for s in table["strategy"]], alpha=0.85, height=0.7)
        for mark, h in zip(("|", "x", "+"), SMS_MARKS_HOURS[:-1], strict=False):
            ax.plot(
                table[f"per_1000_{h}h"].to_numpy(dtype=float),
                y,
                linestyle="none",
                marker=mark,
                color="black",
                markersize=7,
                label=t("fig.within_hours", lang, hours=h),
            )
        ax.set_yticks(y, [wave_label(r, lang) for _, r in table.iterrows()])
        ax.set_xlabel(t("fig.adds_per_1000", lang, hours=SMS_MARKS_HOURS[-1]))
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower right")
        if np.isfinite(final).any():
            best, worst = int(np.nanargmax(final)), int(np.nanargmin(final))
            set_takeaway(
                ax,
                t(
                    "take.wave_response",
                    lang,
                    best=wave_label(table.iloc[best], lang),
                    a=number(final[best], lang),
                    worst=wave_label(table.iloc[worst], lang),
                    b=number(final[worst], lang),
                ),
            )
    return ax


def plot_wave_profit(waves: pd.DataFrame, *, ax: Axes | None = None, lang: str = "en", months: int = 12) -> Axes:
    """Each wave's incremental profit (its members' incremental value over the LTV window of ``months`` less its
    messages and hooks), 95% CI."""
    table = wave_table(waves)
    colours = strategy_colours(strategies_in(table))
    with style(lang) as lang:
        ax = ax or plt.gca()
        y = np.arange(len(table))[::-1]
        mean = table["incremental_profit_cny"].to_numpy(dtype=float)
        low, high = table["profit_low"].to_numpy(dtype=float), table["profit_high"].to_numpy(dtype=float)
        err = np.vstack([np.nan_to_num(mean - low), np.nan_to_num(high - mean)])
        ax.errorbar(mean, y, xerr=err, fmt="none", ecolor="grey", capsize=3)
        ax.scatter(mean, y, color=[colours[s] for s in table["strategy"]], zorder=3)
        ax.axvline(0.0, color="black", linewidth=0.8)
        ax.set_yticks(y, [wave_label(r, lang) for _, r in table.iterrows()])
        ax.set_xlabel(t("fig.wave_profit", lang, months=months))
        ax.grid(axis="y", visible=False)
        if np.isfinite(mean).any():
            best = int(np.nanargmax(mean))
            losing = int((mean < 0).sum())
            set_takeaway(
                ax,
                t(
                    "take.wave_profit",
                    lang,
                    best=wave_label(table.iloc[best], lang),
                    a=money(mean[best], lang),
                    n=losing,
                    total=len(mean),
                ),
            )
    return ax


def waves_figure(waves: pd.DataFrame, lang: str = "en", months: int = 12) -> Figure:
    """Response per wave (by hook and send hour) and each wave's incremental profit over the LTV window of
    ``months``, side by side."""
    n = len(wave_table(waves))
    with style(lang) as lang:
        fig = Figure(figsize=(14, max(4.0, 1.2 + 0.42 * n)), layout="constrained")
        left, right = fig.subplots(1, 2, width_ratios=[1.3, 1.0])
        plot_wave_response(waves, ax=left, lang=lang)
        plot_wave_profit(waves, ax=right, lang=lang, months=months)
        right.set_ylim(left.get_ylim())
        right.tick_params(labelleft=False)  # the rows are the left panel's
    return fig
