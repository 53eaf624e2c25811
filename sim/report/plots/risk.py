"""The risk figure: each strategy's outcomes over the replications, side by side, one panel per metric."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.report.i18n import metric_name, metric_value, pct, t
from sim.report.plots.base import require_columns, set_takeaway, strategy_colours, style
from sim.run.metrics import metric_key, window_months

JITTER = 0.12  # half-width of the random horizontal spread of the replication dots (fixed seed)


def plot_risk_panel(reps: pd.DataFrame, table: pd.DataFrame, metric: str, *, ax: Axes, lang: str = "en") -> Axes:
    """One metric: a box and the replication dots per strategy, the downside case as a bar and the target as a line.

    Replications where the metric is missing (a payback that never came) are counted in the title, not drawn."""
    rows = table[table["metric"] == metric]
    strategies = [str(s) for s in rows["strategy"]]
    colours = strategy_colours(strategies)
    rng = np.random.default_rng(0)
    data, ticks = [], []
    never = metric_value(metric, str(rows["unit"].iloc[0]), float("nan"), lang) if len(rows) else ""
    for i, strategy in enumerate(strategies):
        values = reps.loc[(reps["strategy"] == strategy) & (reps["metric"] == metric), "value"].to_numpy(float)
        finite = values[np.isfinite(values)]
        data.append(finite if finite.size else np.array([np.nan]))
        missing = values.size - finite.size
        note = t("risk.missing", lang, k=missing, n=values.size, what=never)
        ticks.append(f"{strategy}\n{note}" if missing else strategy)
        ax.scatter(i + rng.uniform(-JITTER, JITTER, finite.size), finite, s=14, color=colours[strategy], alpha=0.7)
        downside = float(rows.iloc[i]["downside"])
        if math.isfinite(downside):
            ax.hlines(downside, i - 0.3, i + 0.3, color="black", linewidth=2)
    ax.boxplot(data, positions=range(len(strategies)), widths=0.5, showfliers=False, manage_ticks=False)
    ax.set_xticks(range(len(strategies)), ticks)
    target = float(rows["target"].iloc[0]) if len(rows) else float("nan")
    if math.isfinite(target):
        ax.axhline(target, color="#D55E00", linestyle="--", linewidth=1.2, label=t("risk.target", lang))
    if metric_key(metric) == "incremental_net_profit_12m":
        ax.axhline(0.0, color="grey", linewidth=1)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.set_ylabel(metric_name(metric, lang, window_months(table["metric"])))
    set_takeaway(ax, _takeaway(rows, metric, lang))
    return ax


def _takeaway(rows: pd.DataFrame, metric: str, lang: str) -> str:
    parts = []
    for row in rows.itertuples(index=False):
        if metric_key(metric) == "incremental_net_profit_12m":
            parts.append(t("risk.take_loss", lang, strategy=row.strategy, p=pct(row.p_loss, lang)))
        elif math.isfinite(row.target):
            parts.append(t("risk.take_target", lang, strategy=row.strategy, p=pct(row.p_target, lang)))
        else:
            value = metric_value(metric, str(row.unit), float(row.downside), lang)
            parts.append(t("risk.take_downside", lang, strategy=row.strategy, v=value))
    return t("risk.join", lang).join(parts)


def risk_figure(reps: pd.DataFrame, table: pd.DataFrame, lang: str = "en") -> Figure:
    """One panel per metric of ``table`` (from :func:`sim.plan.risk.risk_table`), strategies side by side."""
    require_columns(reps, ["strategy", "replication", "metric", "value"], "replications")
    require_columns(table, ["strategy", "metric", "unit", "downside", "target", "p_loss", "p_target"], "risk")
    metrics = list(dict.fromkeys(table["metric"]))
    with style(lang) as lang:
        cols = min(2, len(metrics))
        nrows = math.ceil(len(metrics) / cols)
        fig = Figure(figsize=(6.0 * cols, 4.2 * nrows), layout="constrained")
        axes = np.atleast_1d(fig.subplots(nrows, cols, squeeze=False)).ravel()
        for ax, metric in zip(axes, metrics, strict=False):
            plot_risk_panel(reps, table, metric, ax=ax, lang=lang)
        for ax in axes[len(metrics) :]:
            ax.set_visible(False)
        fig.suptitle(t("risk.fig_title", lang, n=int(table["n_replications"].max())), fontsize=11)
    return fig
