"""Objectives that sweeps, searches and break-even analyses rank strategies by (pure pandas).

The engine's metrics (:data:`sim.run.metrics.METRICS`) are per member or ratios; an operator
choosing how much to spend also asks how much money a strategy makes in total. This module
adds that as a *derived* metric, computed per replication from the engine's own metrics so
that it gets intervals and paired differences like any other:

``net_profit_12m = members_acquired x (ltv_12m - cac)``, in CNY: the discounted 12-month
private margin (net of subsidies, touch, service and discount costs) of every member acquired
within the horizon, minus everything spent acquiring them (cards, SMS, hooks, referral
rewards, onboarding staff). It grows with the horizon and the number of platform buyers, so
compare it only between runs of the same ``run.horizon_days`` and ``population.buyers_per_year``.
"""

from __future__ import annotations

import pandas as pd

from sim.run.compare import DIFFERENCE_COLUMNS, paired_differences
from sim.run.metrics import METRICS, Metric

NET_PROFIT = "net_profit_12m"

DERIVED: dict[str, Metric] = {
    NET_PROFIT: Metric(
        "CNY",
        +1,
        "members_acquired x (ltv_12m - cac): 12-month discounted private margin of the members acquired "
        "within the horizon, minus the acquisition spend",
    ),
}


def metric_info(metric: str) -> Metric:
    """The definition of an engine metric or a derived one; a clear error for an unknown name."""
    if metric in METRICS:
        return METRICS[metric]
    if metric in DERIVED:
        return DERIVED[metric]
    known = ", ".join([*METRICS, *DERIVED])
    raise ValueError(f"unknown metric {metric!r}; known metrics: {known}")


def derived_rows(replications: pd.DataFrame) -> pd.DataFrame:
    """The derived metrics' rows (strategy, replication, metric, value) from a run's replications."""
    needed = ["members_acquired", "ltv_12m", "cac"]
    part = replications[replications["metric"].isin(needed)]
    wide = part.pivot_table(index=["strategy", "replication"], columns="metric", values="value", dropna=False)
    wide = wide.reindex(columns=needed)
    profit = wide["members_acquired"] * (wide["ltv_12m"] - wide["cac"])
    out = profit.rename("value").reset_index()
    out.insert(2, "metric", NET_PROFIT)
    order = {s: i for i, s in enumerate(replications["strategy"].unique())}
    out = out.sort_values(["replication", "strategy"], key=lambda c: c.map(order) if c.name == "strategy" else c)
    return out[["strategy", "replication", "metric", "value"]].astype({"value": float}).reset_index(drop=True)


def with_derived(replications: pd.DataFrame) -> pd.DataFrame:
    """The replications with the derived metrics' rows appended (existing rows untouched)."""
    if replications.empty:
        return replications
    return pd.concat([replications, derived_rows(replications)], ignore_index=True)


def paired_table(replications: pd.DataFrame, baseline: str, metrics: list[str]) -> pd.DataFrame:
    """Paired differences (strategy minus baseline) for ``metrics``, as in ``differences.csv``, metrics in order."""
    part = replications[replications["metric"].isin(metrics)]
    if baseline not in set(part["strategy"]):
        return pd.DataFrame(columns=DIFFERENCE_COLUMNS)
    table = paired_differences(part, baseline, direction=lambda m: metric_info(m).direction)
    order = {m: i for i, m in enumerate(metrics)}
    return table.sort_values("metric", key=lambda col: col.map(order), kind="stable").reset_index(drop=True)
