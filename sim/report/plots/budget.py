"""The budget figure: spend by ledger line for the best mix and the baseline, and profit against spend."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.report.budget import BudgetResult
from sim.report.i18n import metric_name, money, t
from sim.report.plots.base import set_takeaway, strategy_colours, style
from sim.report.plots.waterfall import line_label
from sim.run.metrics import as_in


def plot_allocation(result: BudgetResult, *, ax: Axes, lang: str = "en") -> Axes:
    """Horizontal bars: mean spend per ledger line (fresh seed), one bar per strategy."""
    allocation = result.allocation
    strategies = [c for c in allocation.columns if c not in ("line", "limit_cny")]
    colours = strategy_colours(strategies)
    y = np.arange(len(allocation))
    height = 0.8 / max(len(strategies), 1)
    for i, strategy in enumerate(strategies):
        ax.barh(y + i * height, allocation[strategy], height=height, color=colours[strategy], label=strategy)
    ax.set_yticks(y + height * (len(strategies) - 1) / 2, [line_label(str(x), lang) for x in allocation["line"]])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.set_xlabel(t("budget.spend_axis", lang))
    ax.legend()
    set_takeaway(ax, t("budget.take_allocation", lang))
    return ax


def plot_frontier(result: BudgetResult, *, ax: Axes, lang: str = "en") -> Axes:
    """Every trial's mean spend and incremental profit (hollow: over a limit or the churn ceiling), the best found
    at or below each spend as a step line, and the budget."""
    trials, curve = result.trials, result.curve
    budget = result.budget_cny
    ok = trials["feasible"].to_numpy(dtype=bool)
    spend, profit = trials["spend_cny"], trials["objective_mean"]
    ax.scatter(spend[ok], profit[ok], s=18, color="#0072B2", label=t("budget.ok", lang))
    ax.scatter(
        spend[~ok],
        profit[~ok],
        s=18,
        facecolors="none",
        edgecolors="grey",
        label=t("budget.not_ok", lang),
    )
    if not curve.empty:
        best_at = t("budget.best_at", lang)
        ax.step(curve["budget_cny"], curve["best_objective_mean"], where="post", color="black", label=best_at)
    ax.axvline(budget, color="#D55E00", linestyle="--", label=t("budget.budget_line", lang, budget=money(budget, lang)))
    ax.axhline(0.0, color="grey", linewidth=1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.set_xlabel(t("budget.spend_axis", lang))
    ax.set_ylabel(metric_name(as_in("incremental_net_profit_12m", result.comparison["metric"]), lang))
    ax.legend(fontsize=8)
    set_takeaway(ax, t("budget.take_frontier", lang, gain=money(result.marginal_cny, lang)))
    return ax


def budget_figure(result: BudgetResult, lang: str = "en") -> Figure:
    """Two panels: the allocation by line, and profit against spend with the budget."""
    with style(lang) as lang:
        fig = Figure(figsize=(13.0, 5.2), layout="constrained")
        left, right = fig.subplots(1, 2)
        plot_allocation(result, ax=left, lang=lang)
        plot_frontier(result, ax=right, lang=lang)
    return fig
