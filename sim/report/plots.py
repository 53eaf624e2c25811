"""Figures for planning decks. Each ``plot_*`` draws on an Axes and returns it; nothing here saves or shows.

Every ``plot_*`` takes a run's tidy table (``summary``, ``differences``, ``funnel``,
``curves`` or a dose-response table), validates it, draws the mean over replications and
titles the Axes with the takeaway computed from the same numbers. The ``*_figure``
functions lay those Axes out into the figures the report uses. One style (:func:`style`)
holds for all of them; colours are the Okabe-Ito palette, which stays distinguishable
with colour-blindness, given to strategies in the order they first appear in the data.
Words come from :mod:`sim.i18n`: ``lang="zh"`` writes every label in Chinese.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from sim.curves import CARD_DAYS, CHURN_CURVES, FUNNEL_FROM, FUNNEL_STAGES
from sim.i18n import cjk_font, has_cjk, metric_name, money, number, pct, resolve_lang, t, unit_name
from sim.metrics import CONTROL, METRICS, SMS_MARKS_HOURS

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
HEADLINE_METRICS: tuple[str, ...] = ("cac", "ltv_12m", "ltv_to_cac", "monthly_churn")
DOSE_METRICS: tuple[str, ...] = ("ltv_12m", "monthly_churn")
CHURN_STYLES: dict[str, Any] = {"not_churned": "-", "churned_unsubscribe": "--", "churned_dormancy": ":"}
SURVIVAL_TAKEAWAY_DAYS = 180.0  # the survival takeaway compares members this long after joining (or less)
CARD_WITHIN_SHARE = 0.8  # the card takeaway says within how many days this share of adds arrive


# --------------------------------------------------------------------------- style


@contextmanager
def style(lang: str = "en") -> Iterator[str]:
    """The one figure style; yields the language actually used (``en`` when ``zh`` has no CJK font).

    Fonts are named, not generic, so texts created here keep their font wherever they are drawn.
    """
    lang = resolve_lang(lang)
    font = cjk_font() if lang == "zh" else None
    rc = {
        "font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"],
        "axes.prop_cycle": cycler(color=list(OKABE_ITO)),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "grid.linewidth": 0.6,
        "axes.titlesize": 11,
        "axes.titleweight": "bold",
        "axes.labelsize": 10,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "legend.fontsize": 9,
        "legend.frameon": False,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "svg.fonttype": "path",
        "axes.unicode_minus": lang != "zh",
    }
    with plt.rc_context(rc):  # type: ignore[arg-type]
        yield lang


def strategy_colours(strategies: Sequence[str]) -> dict[str, str]:
    """The colour of each strategy, by its position."""
    return {s: OKABE_ITO[i % len(OKABE_ITO)] for i, s in enumerate(strategies)}


# --------------------------------------------------------------------------- helpers


def _require(df: pd.DataFrame, columns: list[str], what: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what} lacks columns {missing}")
    if df.empty:
        raise ValueError(f"{what} is empty")


def _strategies(df: pd.DataFrame) -> list[str]:
    return [str(s) for s in pd.unique(df["strategy"])]


def mean_curve(curves: pd.DataFrame, curve: str) -> pd.DataFrame:
    """One curve's mean over replications and the 95% t-interval of that mean: strategy, x, mean, low, high."""
    from scipy import special

    _require(curves, ["strategy", "replication", "curve", "x", "value"], "curves")
    rows = curves[curves["curve"] == curve]
    if rows.empty:
        raise ValueError(f"curves has no rows for curve {curve!r}")
    order = _strategies(rows)
    g = rows.groupby(["strategy", "x"], sort=False)["value"]
    out = g.agg(mean="mean", sd="std", n="count").reset_index()
    q = np.where(out["n"] > 1, special.stdtrit(np.maximum(out["n"] - 1, 1), 0.975), np.nan)
    half = q * out["sd"].to_numpy(dtype=float) / np.sqrt(out["n"].to_numpy(dtype=float))
    out["low"], out["high"] = out["mean"] - half, out["mean"] + half
    out["strategy"] = pd.Categorical(out["strategy"], categories=order, ordered=True)
    out = out.sort_values(["strategy", "x"], kind="stable").reset_index(drop=True)
    out["strategy"] = out["strategy"].astype(str)
    return out[["strategy", "x", "mean", "low", "high"]]


def _pick(values: dict[str, float], baseline: str | None, direction: int = +1) -> tuple[str | None, str | None]:
    """The best strategy and the one it is compared with: the baseline, or the runner-up when best is the baseline.

    ``direction`` is +1 when higher is better, -1 when lower is; strategies with a missing value are never best.
    """
    finite = {s: v for s, v in values.items() if v is not None and math.isfinite(v)}
    if not finite:
        return None, None
    ranked = sorted(finite, key=lambda s: -direction * finite[s])
    best = ranked[0]
    others = [s for s in values if s != best]
    if not others:
        return best, None
    if baseline in others:
        return best, baseline
    return best, (ranked[1] if len(ranked) > 1 else others[0])


def _units(text: str) -> float:
    """Width of ``text`` in Latin characters (a CJK character is about two)."""
    return sum(1.8 if has_cjk(ch) else 1.0 for ch in text)


def wrap(text: str, limit: float) -> str:
    """Break ``text`` into lines of at most ``limit`` Latin-character widths, at spaces or CJK punctuation."""
    if _units(text) <= limit:
        return text
    lines, current = [], ""
    for token in re.split(r"(?<=[\s，；：])", text):
        if current and _units(current + token) > limit:
            lines.append(current.rstrip())
            current = token
        else:
            current += token
    lines.append(current.rstrip())
    return "\n".join(line for line in lines if line)


def _title(ax: Axes, text: str) -> None:
    """Title an Axes with its takeaway, wrapped to the Axes' width."""
    root: object
    try:
        root = ax.get_figure(root=True)
    except TypeError:  # matplotlib < 3.10
        root = ax.get_figure()
    fig_width = root.get_figwidth() if isinstance(root, Figure) else 10.0
    width_in = ax.get_position().width * fig_width
    size = plt.rcParams["axes.titlesize"]
    points = float(size) if isinstance(size, (int, float)) else 11.0
    ax.set_title(wrap(text, width_in * 72.0 / (points * 0.62)), loc="left")


# --------------------------------------------------------------------------- comparison


def plot_metric_intervals(summary: pd.DataFrame, metric: str, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """One metric's mean and 95% interval per strategy (bars with error bars)."""
    _require(summary, ["strategy", "metric", "mean", "ci_low", "ci_high"], "summary")
    rows = summary[summary["metric"] == metric].reset_index(drop=True)
    if rows.empty:
        raise ValueError(f"summary has no rows for metric {metric!r}")
    with style(lang) as lang:
        ax = ax or plt.gca()
        y = np.arange(len(rows))[::-1]
        mean = rows["mean"].to_numpy(dtype=float)
        err = np.vstack([mean - rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float) - mean])
        colours = list(strategy_colours(rows["strategy"].astype(str).tolist()).values())
        ax.barh(y, np.nan_to_num(mean), color=colours, alpha=0.35)
        ax.errorbar(mean, y, xerr=np.nan_to_num(err), fmt="o", color="black", capsize=4)
        ax.set_yticks(y, rows["strategy"].astype(str).tolist())
        ax.set_xlabel(
            t("fig.metric_axis", lang, metric=metric_name(metric, lang), unit=unit_name(METRICS[metric].unit, lang))
        )
        ax.grid(axis="y", visible=False)
        _title(ax, metric_name(metric, lang))
    return ax


def plot_paired_differences(
    differences: pd.DataFrame, summary: pd.DataFrame, *, ax: Axes | None = None, lang: str = "en"
) -> Axes:
    """Forest plot: each strategy's paired difference from the baseline, in % of the baseline's mean."""
    _require(differences, ["strategy", "baseline", "metric", "mean_diff", "ci_low", "ci_high"], "differences")
    _require(summary, ["strategy", "metric", "mean"], "summary")
    with style(lang) as lang:
        ax = ax or plt.gca()
        base_mean = summary.set_index(["strategy", "metric"])["mean"]
        metrics = [m for m in HEADLINE_METRICS if m in set(differences["metric"])]
        names = [*pd.unique(summary["strategy"].astype(str))]
        colour_of = strategy_colours(names)
        labels, mids, lows, highs, colours = [], [], [], [], []
        for strategy, grp in differences.groupby("strategy", sort=False):
            g = grp.set_index("metric")
            for metric in metrics:
                baseline = str(g.loc[metric, "baseline"])
                ref = abs(float(base_mean.get((baseline, metric), np.nan)))
                scale = 100.0 / ref if ref > 0 else np.nan
                versus = t("fig.versus", lang, strategy=strategy, baseline=baseline)
                labels.append(f"{metric_name(metric, lang)}\n{versus}")
                mids.append(g.loc[metric, "mean_diff"] * scale)
                lows.append(g.loc[metric, "ci_low"] * scale)
                highs.append(g.loc[metric, "ci_high"] * scale)
                colours.append(colour_of.get(str(strategy), OKABE_ITO[0]))
        y = np.arange(len(labels))[::-1]
        mid = np.array(mids, dtype=float)
        err = np.nan_to_num(np.vstack([mid - np.array(lows, dtype=float), np.array(highs, dtype=float) - mid]))
        for i, colour in enumerate(colours):
            ax.errorbar(mid[i], y[i], xerr=err[:, i : i + 1], fmt="o", color=colour, capsize=4)
        ax.axvline(0.0, color="grey", linewidth=1, linestyle="--")
        ax.set_yticks(y, labels)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(t("fig.diff_axis", lang))
        _title(ax, t("fig.diff_title", lang))
    return ax


def headline(summary: pd.DataFrame, baseline: str, lang: str = "en") -> str:
    """The takeaway, e.g. 'cash: LTV:CAC 1.60 vs 1.00 for coupon'."""
    ratio = summary[summary["metric"] == "ltv_to_cac"].set_index("strategy")["mean"].astype(float)
    best, other = _pick({str(s): float(v) for s, v in ratio.items()}, baseline)
    if best is None:
        return t("take.ltv_to_cac_missing", lang)
    if other is None:
        return t("take.ltv_to_cac_one", lang, best=best, a=f"{ratio[best]:.2f}")
    a, b = distinct_pair(float(ratio[best]), float(ratio[other]), lang)
    return t("take.ltv_to_cac", lang, best=best, a=a, b=b, other=other)


def distinct_pair(a: float, b: float, lang: str = "en") -> tuple[str, str]:
    """Two ratios with 2 decimals, or 3 significant digits when 2 decimals would show them equal."""
    if not math.isfinite(b):
        return f"{a:.2f}", t("report.missing", lang)
    x, y = f"{a:.2f}", f"{b:.2f}"
    return (x, y) if x != y else (f"{a:.3g}", f"{b:.3g}")


def comparison_figure(summary: pd.DataFrame, differences: pd.DataFrame, baseline: str, lang: str = "en") -> Figure:
    """Headline metrics with intervals and, when there is more than one strategy, the forest plot.

    The control arm's rows, if ``summary`` has them, are left out: it acquires nobody.
    """
    summary = summary[summary["strategy"] != CONTROL]
    with style(lang) as lang:
        paired = not differences.empty
        fig = Figure(figsize=(13, 7.5) if paired else (9, 7.5), layout="constrained")
        grid = fig.add_gridspec(2, 3 if paired else 2)
        for i, metric in enumerate(HEADLINE_METRICS):
            plot_metric_intervals(summary, metric, ax=fig.add_subplot(grid[i // 2, i % 2]), lang=lang)
        if paired:
            plot_paired_differences(differences, summary, ax=fig.add_subplot(grid[:, 2]), lang=lang)
        fig.suptitle(headline(summary, baseline, lang), fontsize=14, fontweight="bold")
    return fig


# --------------------------------------------------------------------------- funnel


def funnel_means(funnel: pd.DataFrame) -> pd.DataFrame:
    """Mean count per strategy and funnel stage (rows: strategies in order; columns: :data:`FUNNEL_STAGES`)."""
    _require(funnel, ["strategy", "replication", "stage", "count"], "funnel")
    order = _strategies(funnel)
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
        best, other = _pick(rate, baseline)
        if best is not None and other is not None:
            title = t("take.funnel", lang, best=best, a=pct(rate[best], lang), b=pct(rate[other], lang), other=other)
        elif best is not None:
            ordered = means.loc[best, "first_order"] / means.loc[best, "added"] if means.loc[best, "added"] else np.nan
            title = t("take.funnel_one", lang, best=best, a=pct(rate[best], lang), b=pct(ordered, lang))
        else:
            title = ""
        _title(ax, title)
    return ax


def funnel_figure(funnel: pd.DataFrame, baseline: str | None = None, lang: str = "en") -> Figure:
    """The funnel figure."""
    with style(lang) as lang:
        n = funnel["strategy"].nunique()
        fig = Figure(figsize=(11, 2.2 + 0.55 * len(FUNNEL_STAGES) * max(1.0, n / 2)), layout="constrained")
        ax = fig.subplots()
        plot_funnel(funnel, ax=ax, baseline=baseline, lang=lang)
    return fig


# --------------------------------------------------------------------------- profit


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
    strategies = _strategies(data)
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
        _title(ax, _profit_takeaway(paybacks, finals, baseline, days=int(data["x"].max()) + 1, lang=lang))
    return ax


def _profit_takeaway(
    paybacks: dict[str, float], finals: dict[str, float], baseline: str | None, *, days: int, lang: str
) -> str:
    """Who pays back first (and when), or, when nobody does, who loses least by the end."""
    paid = {s: d for s, d in paybacks.items() if math.isfinite(d)}
    if paid:
        best, other = _pick(paid | {s: math.inf for s in paybacks if s not in paid}, baseline, direction=-1)
        assert best is not None
        a = f"{paid[best]:.0f}"
        if other is None:
            return t("take.payback_one", lang, best=best, a=a)
        if other in paid:
            return t("take.payback", lang, best=best, a=a, b=f"{paid[other]:.0f}", other=other)
        return t("take.payback_only", lang, best=best, a=a, other=other, days=days)
    best, other = _pick(finals, baseline)
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


# --------------------------------------------------------------------------- survival


def plot_survival(
    curves: pd.DataFrame, *, ax: Axes | None = None, baseline: str | None = None, lang: str = "en"
) -> Axes:
    """Members by days since joining: not churned (solid), unsubscribed (dashed), dormant (dotted)."""
    data = {c: mean_curve(curves, c) for c in CHURN_CURVES}
    strategies = _strategies(data["not_churned"])
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
        ax.set_ylim(0.0, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        ax.set_xlabel(t("fig.days_since_join", lang))
        ax.set_ylabel(t("fig.share_members", lang))
        handles = [Line2D([], [], color=colours[s], linewidth=2, label=s) for s in strategies]
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
        best, other = _pick(at, baseline)
        if best is None:
            title = ""
        elif other is None:
            title = t("take.survival_one", lang, best=best, a=pct(at[best], lang), days=f"{last:.0f}")
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
        _title(ax, title)
    return ax


def survival_figure(curves: pd.DataFrame, baseline: str | None = None, lang: str = "en") -> Figure:
    """The member-survival figure."""
    with style(lang) as lang:
        fig = Figure(figsize=(11, 5.5), layout="constrained")
        ax = fig.subplots()
        plot_survival(curves, ax=ax, baseline=baseline, lang=lang)
    return fig


# --------------------------------------------------------------------------- responses


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
    strategies = _strategies(data)
    colours = strategy_colours(_strategies(curves))
    with style(lang) as lang:
        ax = ax or plt.gca()
        for s in strategies:
            d = data[data["strategy"] == s]
            ax.plot(
                d["x"].to_numpy(dtype=float), d["mean"].to_numpy(dtype=float), color=colours[s], linewidth=2, label=s
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
        _title(ax, t("take.sms", lang, a=pct(at24, lang), b=pct(at3 / at24 if at24 > 0 else np.nan, lang)))
    return ax


def plot_card_adds(
    curves: pd.DataFrame, *, ax: Axes | None = None, baseline: str | None = None, lang: str = "en"
) -> Axes:
    """Card add requests / cards sent by whole days after delivery (the last bar: that day or later)."""
    data = mean_curve(curves, "card_adds_per_card").dropna(subset=["mean"])
    if data.empty:
        raise ValueError("curves has no card adds (no cards sent)")
    strategies = _strategies(data)
    colours = strategy_colours(_strategies(curves))
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
        _title(ax, t("take.card", lang, a=pct(float(share.iloc[k - 1]), lang, digits=0), k=k))
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


# --------------------------------------------------------------------------- dose response


def dose_table(summary: pd.DataFrame, touches_per_week: dict[str, float]) -> pd.DataFrame:
    """Summary rows with each strategy's touches per week: strategy, touches_per_week, metric, mean, ci_low, ci_high."""
    _require(summary, ["strategy", "metric", "mean", "ci_low", "ci_high"], "summary")
    rows = summary[summary["strategy"].isin(list(touches_per_week))].copy()
    rows.insert(1, "touches_per_week", rows["strategy"].map(touches_per_week).astype(float))
    return rows[["strategy", "touches_per_week", "metric", "mean", "ci_low", "ci_high"]].reset_index(drop=True)


def varies_touch_frequency(touches_per_week: dict[str, float]) -> bool:
    """Whether an experiment's strategies differ in touches per week."""
    return len({float(v) for v in touches_per_week.values()}) > 1


def plot_dose_response(
    dose: pd.DataFrame, metric: str, *, ax: Axes | None = None, baseline: str | None = None, lang: str = "en"
) -> Axes:
    """One metric's mean and 95% interval against touches per week (one point per strategy, joined in order)."""
    _require(dose, ["strategy", "touches_per_week", "metric", "mean", "ci_low", "ci_high"], "dose")
    d = dose[dose["metric"] == metric].sort_values("touches_per_week", kind="stable")
    if d.empty:
        raise ValueError(f"dose has no rows for metric {metric!r}")
    unit = METRICS[metric].unit
    with style(lang) as lang:
        ax = ax or plt.gca()
        x = d["touches_per_week"].to_numpy(dtype=float)
        y = d["mean"].to_numpy(dtype=float)
        err = np.nan_to_num(np.vstack([y - d["ci_low"].to_numpy(dtype=float), d["ci_high"].to_numpy(dtype=float) - y]))
        colour = OKABE_ITO[0] if metric != "monthly_churn" else OKABE_ITO[3]
        ax.errorbar(x, y, yerr=err, fmt="-o", color=colour, capsize=4, linewidth=2)
        if baseline is not None and (d["strategy"] == baseline).any():
            b = d[d["strategy"] == baseline]
            ax.plot(
                b["touches_per_week"],
                b["mean"],
                marker="D",
                markersize=11,
                markerfacecolor="none",
                markeredgecolor="black",
                linestyle="none",
                label=t("fig.baseline_marker", lang),
            )
            ax.legend(loc="best")
        ax.set_xlabel(t("fig.touches_per_week", lang))
        ax.set_ylabel(t("fig.metric_axis", lang, metric=metric_name(metric, lang), unit=unit_name(unit, lang)))
        if unit.startswith("share"):
            ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        fmt = (
            (lambda v: pct(v, lang))
            if unit.startswith("share")
            else (lambda v: money(v, lang))
            if unit.startswith("CNY")
            else (lambda v: number(v, lang))
        )
        direction = METRICS[metric].direction
        best_i = int(np.nanargmax(direction * y)) if np.isfinite(y).any() else -1
        name = metric_name(metric, lang)
        xs = lambda v: f"{v:g}"  # noqa: E731
        if 0 < best_i < len(y) - 1:
            key = "take.dose_peak" if direction > 0 else "take.dose_low"
            key += "_one" if x[best_i] == 1.0 else ""
            title = t(key, lang, metric=name, x=xs(x[best_i]), a=fmt(y[best_i]))
        else:
            title = t("take.dose_range", lang, metric=name, a=fmt(y[0]), x0=xs(x[0]), b=fmt(y[-1]), x1=xs(x[-1]))
        _title(ax, title)
    return ax


def dose_response_figure(dose: pd.DataFrame, baseline: str | None = None, lang: str = "en") -> Figure:
    """LTV (12 months) and monthly churn against touches per week, side by side."""
    with style(lang) as lang:
        fig = Figure(figsize=(12, 5), layout="constrained")
        axes = fig.subplots(1, len(DOSE_METRICS))
        for metric, ax in zip(DOSE_METRICS, axes, strict=True):
            plot_dose_response(dose, metric, ax=ax, baseline=baseline, lang=lang)
    return fig
