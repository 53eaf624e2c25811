"""What sweeps, searches and break-even analyses rank strategies by (pure pandas).

The default objective is the headline metric ``incremental_net_profit_12m`` (the profit against
doing nothing, :mod:`sim.run.metrics`); ``net_profit_12m`` is the same, gross. Both grow with the
horizon and the number of platform buyers, so compare them only between runs of the same
``run.horizon_days`` and ``population.buyers_per_year``. With ``accounting.ltv_months=24`` they are
named ``..._24m`` (:func:`objective_in`: asking such a run for ``..._12m`` is an error naming the 24m one).
"""

from __future__ import annotations

import pandas as pd

from sim.run.compare import DIFFERENCE_COLUMNS, paired_differences
from sim.run.metrics import METRICS, Metric, metric_key, windowed

NET_PROFIT = "net_profit_12m"
INCREMENTAL_NET_PROFIT = "incremental_net_profit_12m"
DEFAULT_OBJECTIVE = INCREMENTAL_NET_PROFIT


def metric_info(metric: str) -> Metric:
    """The definition of a metric; a clear error for an unknown name."""
    key = metric_key(metric)
    if key is not None:
        return METRICS[key]
    raise ValueError(f"unknown metric {metric!r}; known metrics: {', '.join(METRICS)}")


def objective_in(metric: str, ltv_months: int, key: str = "objective") -> str:
    """``metric`` checked against a run with an LTV window of ``ltv_months``: an LTV-window metric must name that
    window (``ltv_24m`` when accounting.ltv_months=24); a ValueError naming ``key`` and the right name otherwise."""
    window_key = metric_key(metric)
    if window_key is not None and windowed(window_key, ltv_months) != metric:
        raise ValueError(
            f"{key}={metric}: not measured with accounting.ltv_months={ltv_months}; "
            f"use {windowed(window_key, ltv_months)}"
        )
    return metric


def paired_table(replications: pd.DataFrame, baseline: str, metrics: list[str]) -> pd.DataFrame:
    """Paired differences (strategy minus baseline) for ``metrics``, as in ``differences.csv``, metrics in order."""
    part = replications[replications["metric"].isin(metrics)]
    if baseline not in set(part["strategy"]):
        return pd.DataFrame(columns=DIFFERENCE_COLUMNS)
    table = paired_differences(part, baseline, direction=lambda m: metric_info(m).direction)
    order = {m: i for i, m in enumerate(metrics)}
    return table.sort_values("metric", key=lambda col: col.map(order), kind="stable").reset_index(drop=True)
