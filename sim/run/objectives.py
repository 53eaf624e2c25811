"""Objectives that sweeps, searches and break-even analyses rank strategies by (pure pandas).

The engine's metrics (:data:`sim.run.metrics.METRICS`) are per member or ratios; an operator
choosing how much to spend also asks how much money a strategy makes in total. This module
adds that as *derived* metrics, computed per replication from the engine's own metrics so that
they get intervals and paired differences like any other:

- ``incremental_net_profit_12m = members_acquired x (incremental_ltv - cac)``, in CNY: what the
  members acquired within the horizon earn in their first 12 months over what the same buyers
  would have earned on their platforms without capture (the control arm), minus everything spent
  acquiring them (cards, SMS, hooks, referral rewards, onboarding staff). The default objective.
- ``net_profit_12m = members_acquired x (ltv_12m - cac)``: the same, gross: it counts private
  orders that replaced platform orders as new money.

Both grow with the horizon and the number of platform buyers, so compare them only between runs
of the same ``run.horizon_days`` and ``population.buyers_per_year``.
"""

from __future__ import annotations

import pandas as pd

from sim.run.compare import DIFFERENCE_COLUMNS, paired_differences
from sim.run.metrics import METRICS, Metric

NET_PROFIT = "net_profit_12m"
INCREMENTAL_NET_PROFIT = "incremental_net_profit_12m"
DEFAULT_OBJECTIVE = INCREMENTAL_NET_PROFIT

DERIVED: dict[str, Metric] = {
    INCREMENTAL_NET_PROFIT: Metric(
        "CNY",
        +1,
        "members_acquired x (incremental_ltv - cac): 12-month discounted private margin of the members acquired "
        "within the horizon over what their cannibalised orders would have earned on the platforms, minus the "
        "acquisition spend: the profit against doing nothing",
    ),
    NET_PROFIT: Metric(
        "CNY",
        +1,
        "members_acquired x (ltv_12m - cac): 12-month discounted private margin of the members acquired "
        "within the horizon, minus the acquisition spend (gross: cannibalised orders count as new)",
    ),
}
_VALUE_PER_MEMBER = {INCREMENTAL_NET_PROFIT: "incremental_ltv", NET_PROFIT: "ltv_12m"}


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
    needed = ["members_acquired", "incremental_ltv", "ltv_12m", "cac"]
    part = replications[replications["metric"].isin(needed)]
    wide = part.pivot_table(index=["strategy", "replication"], columns="metric", values="value", dropna=False)
    wide = wide.reindex(columns=needed)
    frames = []
    for name, per_member in _VALUE_PER_MEMBER.items():
        profit = wide["members_acquired"] * (wide[per_member] - wide["cac"])
        out = profit.rename("value").reset_index()
        out.insert(2, "metric", name)
        frames.append(out)
    out = pd.concat(frames, ignore_index=True)
    order = {s: i for i, s in enumerate(replications["strategy"].unique())}
    metric_order = {m: i for i, m in enumerate(DERIVED)}
    out = out.sort_values(
        ["replication", "strategy", "metric"],
        key=lambda c: c.map(order) if c.name == "strategy" else c.map(metric_order) if c.name == "metric" else c,
        kind="stable",
    )
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
