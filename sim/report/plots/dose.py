"""The dose-response figure: LTV and churn against touches per week."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.report.i18n import metric_name, money, number, pct, t, unit_name
from sim.report.plots.base import OKABE_ITO, require_columns, set_takeaway, style
from sim.run.metrics import as_in, definition

DOSE_METRICS: tuple[str, ...] = ("ltv_12m", "monthly_churn")


def dose_table(summary: pd.DataFrame, touches_per_week: dict[str, float]) -> pd.DataFrame:
    """Summary rows with each strategy's touches per week: strategy, touches_per_week, metric, mean, ci_low, ci_high."""
    require_columns(summary, ["strategy", "metric", "mean", "ci_low", "ci_high"], "summary")
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
    require_columns(dose, ["strategy", "touches_per_week", "metric", "mean", "ci_low", "ci_high"], "dose")
    d = dose[dose["metric"] == metric].sort_values("touches_per_week", kind="stable")
    if d.empty:
        raise ValueError(f"dose has no rows for metric {metric!r}")
    unit = definition(metric).unit
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
        direction = definition(metric).direction
        best_i = int(np.nanargmax(direction * y)) if np.isfinite(y).any() else -1
        name = metric_name(metric, lang)
        xs = lambda v: f"{v:g}"  # noqa: E731
        if 0 < best_i < len(y) - 1:
            key = "take.dose_peak" if direction > 0 else "take.dose_low"
            key += "_one" if x[best_i] == 1.0 else ""
            title = t(key, lang, metric=name, x=xs(x[best_i]), a=fmt(y[best_i]))
        else:
            title = t("take.dose_range", lang, metric=name, a=fmt(y[0]), x0=xs(x[0]), b=fmt(y[-1]), x1=xs(x[-1]))
        set_takeaway(ax, title)
    return ax


def dose_response_figure(dose: pd.DataFrame, baseline: str | None = None, lang: str = "en") -> Figure:
    """LTV (over the run's LTV window) and monthly churn against touches per week, side by side."""
    with style(lang) as lang:
        fig = Figure(figsize=(12, 5), layout="constrained")
        axes = fig.subplots(1, len(DOSE_METRICS))
        for metric, ax in zip(DOSE_METRICS, axes, strict=True):
            plot_dose_response(dose, as_in(metric, dose["metric"]), ax=ax, baseline=baseline, lang=lang)
    return fig
