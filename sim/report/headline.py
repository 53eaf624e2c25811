"""The answer a planner reads first: how much more profit than doing nothing, and how sure we are.

The headline metric is ``incremental_net_profit_12m`` (``_24m``, ``_36m``: named after the run's LTV window,
:func:`headline_metric`; the sentences say the window's months). Each strategy's value against doing nothing
comes with its 95% interval; a winner is named only when the paired difference between the best
and the next best strategy has an interval that excludes zero (:func:`sim.run.compare.verdict`),
otherwise the sentence says there is no clear difference. The report's first sentence, the
comparison figure's title and the console all use these two functions.
"""

from __future__ import annotations

import pandas as pd

from sim.config import CONTROL
from sim.report.i18n import money, pct, t
from sim.run.compare import Verdict, verdict
from sim.run.metrics import as_in, window_months

HEADLINE_METRIC = "incremental_net_profit_12m"  # as at the default window


def headline_metric(table: pd.DataFrame) -> str:
    """The headline metric as ``table`` (summary or replications) names it: after the run's LTV window."""
    return as_in(HEADLINE_METRIC, table["metric"])


def _months(table: pd.DataFrame) -> int:
    return window_months(table["metric"])


def _each(summary: pd.DataFrame, lang: str) -> str:
    rows = summary[(summary["metric"] == headline_metric(summary)) & (summary["strategy"] != CONTROL)]
    parts = [
        t("head.each", lang, strategy=r.strategy, value=_interval(r.mean, r.ci_low, r.ci_high, lang))
        for r in rows.itertuples(index=False)
    ]
    return t("head.separator", lang).join(parts)


def _interval(mean: float, low: float, high: float, lang: str) -> str:
    if pd.isna(low) or pd.isna(high):
        return money(mean, lang)
    return f"{money(mean, lang)} [{money(low, lang)}, {money(high, lang)}]"


def headline_verdict(replications: pd.DataFrame, *, predictive: bool = False) -> Verdict | None:
    """The verdict on the headline metric among the run's strategies (``predictive``: with parameter uncertainty, by
    the percentile interval, :func:`sim.run.compare.verdict`)."""
    return verdict(replications, headline_metric(replications), predictive=predictive)


def headline(replications: pd.DataFrame, summary: pd.DataFrame, lang: str = "en", *, predictive: bool = False) -> str:
    """The report's first sentence: every strategy's incremental net profit with its interval, and the winner (or
    "no clear difference") from the paired difference."""
    v = headline_verdict(replications, predictive=predictive)
    if v is None:
        return t("head.missing", lang)
    each, months = _each(summary, lang), _months(summary)
    if v.runner_up is None:
        return t("head.one", lang, each=each, months=months)
    diff = _interval(v.mean_diff, v.ci_low, v.ci_high, lang)
    if v.winner is not None:
        return t("head.winner", lang, best=v.leader, other=v.runner_up, diff=diff, each=each, months=months)
    return t("head.tie", lang, a=v.leader, b=v.runner_up, diff=diff, each=each, months=months)


def headline_title(
    replications: pd.DataFrame, summary: pd.DataFrame, lang: str = "en", *, predictive: bool = False
) -> str:
    """The comparison figure's title: the same verdict, shorter, saying so when every strategy clearly loses money."""
    v = headline_verdict(replications, predictive=predictive)
    if v is None:
        return t("head.missing", lang)
    rows = summary[(summary["metric"] == headline_metric(summary)) & (summary["strategy"] != CONTROL)]
    suffix = t("title.all_lose", lang) if len(rows) > 1 and (rows["ci_high"] < 0).all() else ""
    months = _months(summary)
    if v.runner_up is None:
        return t("title.one", lang, each=_each(summary, lang), months=months)
    diff = _interval(v.mean_diff, v.ci_low, v.ci_high, lang)
    if v.winner is not None:
        return t("title.winner", lang, best=v.leader, other=v.runner_up, diff=diff, months=months) + suffix
    return t("title.tie", lang, a=v.leader, b=v.runner_up, diff=diff, months=months) + suffix


DESK_IDLE_BELOW = 0.2  # utilisation under which the onboarding team is idle most of its working time
DESK_LOSS_ABOVE = 0.05  # share of add requests lost above which the team (or its hours) falls short


def desk_warnings(summary: pd.DataFrame, lang: str = "en") -> list[str]:
    """At most one line when the onboarding team is far from its load: idle most of its working time (busy under
    :data:`DESK_IDLE_BELOW`), or losing more than :data:`DESK_LOSS_ABOVE` of the add requests; both at once means
    the buyers give up while the desk is closed."""
    rows = summary[summary["strategy"] != CONTROL]
    by = rows.set_index(["strategy", "metric"])["mean"]
    idle, losing = [], []
    for strategy in pd.unique(rows["strategy"]):
        busy = by.get((strategy, "desk_utilisation"), float("nan"))
        lost = by.get((strategy, "requests_lost_share"), float("nan"))
        if busy < DESK_IDLE_BELOW:
            idle.append(f"{strategy} {pct(busy, lang)}")
        if lost > DESK_LOSS_ABOVE:
            losing.append(f"{strategy} {pct(lost, lang)}")
    sep = t("head.separator", lang)
    if idle and losing:
        return [t("warn.desk_hours", lang, busy=sep.join(idle), lost=sep.join(losing))]
    if idle:
        return [t("warn.desk_idle", lang, busy=sep.join(idle))]
    if losing:
        return [t("warn.desk_losing", lang, lost=sep.join(losing))]
    return []
