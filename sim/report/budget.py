"""The budget report section and console lines: the best mix against the baseline, spend by line, the next CNY 10k.

:class:`BudgetResult` holds what :mod:`sim.plan.budget` found; words come from :mod:`sim.report.i18n`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from sim.report.i18n import metric_name, metric_value, money, t
from sim.report.plots.waterfall import line_label
from sim.run.metrics import as_in, window_months

PROFIT = "incremental_net_profit_12m"


@dataclass(frozen=True)
class BudgetResult:
    """The trials, the profit-vs-budget frontier, the fresh-seed comparison and the allocation by ledger line."""

    trials: pd.DataFrame  # one row per trial: levers, objective, churn, spend (total and by line), score
    curve: pd.DataFrame  # budget_cny, best_objective_mean, trial, spend_cny
    comparison: pd.DataFrame  # metric, strategy, baseline, strategy_mean, baseline_mean, mean_diff, ci_low, ci_high
    allocation: pd.DataFrame  # line, one column of mean spend per strategy, limit_cny
    budget_cny: float
    budget_is_baseline: bool  # no budget given: the baseline's spend, so "within" means no more than the baseline's
    marginal_cny: float  # frontier gain from the budget to the budget + CNY 10,000
    best_trial: int


def _row(result: BudgetResult, metric: str) -> pd.Series:
    return result.comparison[result.comparison["metric"] == metric].iloc[0]


def verdict(result: BudgetResult, lang: str = "en") -> str:
    """The answer: does the best mix beat the baseline at no more than the budget, and how sure are we."""
    profit, spend = _row(result, as_in(PROFIT, result.comparison["metric"])), _row(result, "spend_cny")
    diff = f"{money(profit.mean_diff, lang)} [{money(profit.ci_low, lang)}, {money(profit.ci_high, lang)}]"
    if result.budget_is_baseline:  # at equal or lower spend than the baseline, on the same (fresh) seed
        within = spend.strategy_mean <= spend.baseline_mean
    else:
        within = spend.strategy_mean <= result.budget_cny
    values = {
        "strategy": profit.strategy,
        "baseline": profit.baseline,
        "diff": diff,
        "spend": money(spend.strategy_mean, lang),
        "budget": money(result.budget_cny, lang),
        "months": window_months(result.comparison["metric"]),
    }
    if profit.ci_low > 0 and within:
        return t("budget.beats", lang, **values)
    if profit.ci_high < 0:
        return t("budget.worse", lang, **values)
    if not within:
        return t("budget.over", lang, **values)
    return t("budget.unclear", lang, **values)


def marginal_sentence(result: BudgetResult, lang: str = "en") -> str:
    if not math.isfinite(result.marginal_cny):
        return t("budget.marginal_none", lang)
    return t("budget.marginal", lang, gain=money(result.marginal_cny, lang), budget=money(result.budget_cny, lang))


def budget_section(result: BudgetResult, name: str, lang: str = "en") -> str:
    """The markdown section: verdict, the comparison table, the allocation by line and the frontier sentence."""
    lines = [f"## {t('budget.heading', lang, name=name)}", "", f"**{verdict(result, lang)}**", ""]
    lines += [t("budget.method", lang, n=len(result.trials), trial=result.best_trial), ""]
    header = [t(f"budget.col.{c}", lang) for c in ("metric", "best", "baseline", "diff")]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in result.comparison.itertuples(index=False):
        unit = "CNY" if row.metric == "spend_cny" else _unit(row.metric)
        months = window_months(result.comparison["metric"])
        name_ = t("budget.spend", lang) if row.metric == "spend_cny" else metric_name(row.metric, lang, months)
        diff = metric_value(row.metric, unit, row.mean_diff, lang)
        low, high = metric_value(row.metric, unit, row.ci_low, lang), metric_value(row.metric, unit, row.ci_high, lang)
        cells = [
            name_,
            metric_value(row.metric, unit, row.strategy_mean, lang),
            metric_value(row.metric, unit, row.baseline_mean, lang),
            f"{diff} [{low}, {high}]",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"### {t('budget.allocation', lang)}", ""]
    strategies = [c for c in result.allocation.columns if c not in ("line", "limit_cny")]
    lines += ["| " + " | ".join([t("budget.col.line", lang), *strategies]) + " |", "|" + "---|" * (1 + len(strategies))]
    for row in result.allocation.to_dict("records"):
        label = line_label(str(row["line"]), lang)
        lines.append("| " + " | ".join([label, *(money(row[s], lang) for s in strategies)]) + " |")
    lines += ["", marginal_sentence(result, lang)]
    return "\n".join(lines) + "\n"


def _unit(metric: str) -> str:
    from sim.run.objectives import metric_info

    return metric_info(metric).unit


def console_lines(result: BudgetResult) -> list[str]:
    """The verdict and the frontier sentence, in English, for the terminal."""
    return [verdict(result, "en"), marginal_sentence(result, "en")]
