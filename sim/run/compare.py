"""Summaries and paired comparisons across replications (pure pandas/scipy).

Intervals are 95% Student-t intervals of the mean over replications. With parameter uncertainty
(``run.parameter_uncertainty=true``, ``predictive=True`` here) each replication is one draw of the
calibrated parameters and one simulated year, and the interval is instead the 2.5-97.5% percentile
interval over the replications (:func:`percentile_interval`): where the outcome falls, given what the
data could not pin down, which does not shrink as replications are added. Differences are paired by
replication: strategies of the same replication share their buyers, luck and parameter draw (common
random numbers), so the paired difference cancels most of the noise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from sim.config import CONTROL
from sim.run.metrics import definition

CONFIDENCE = 0.95
DIFFERENCE_COLUMNS = ["strategy", "baseline", "metric", "mean_diff", "ci_low", "ci_high", "prob_better"]


def interval(values: np.ndarray) -> tuple[float, float, float, int]:
    """Mean and 95% t-interval of the finite values; NaNs (missing metrics) are left out."""
    v = values[np.isfinite(values)]
    n = v.size
    if n == 0:
        return float("nan"), float("nan"), float("nan"), 0
    mean = float(v.mean())
    if n == 1:
        return mean, float("nan"), float("nan"), 1
    half = float(special.stdtrit(n - 1, 0.5 + CONFIDENCE / 2) * v.std(ddof=1) / np.sqrt(n))  # Student-t quantile
    return mean, mean - half, mean + half, n


def percentile_interval(values: np.ndarray) -> tuple[float, float, float, int]:
    """Mean and the 2.5% and 97.5% quantiles of the finite values, at Weibull's plotting positions p(n + 1): with
    n + 1 a multiple of 40 (39, 79, ... replications) a further exchangeable replication falls between them with
    probability exactly 95%; with fewer than 39 they are the smallest and largest value, which hold a further one
    with probability (n - 1) / (n + 1)."""
    v = values[np.isfinite(values)]
    n = v.size
    if n < 2:
        return (float(v.mean()) if n else float("nan")), float("nan"), float("nan"), n
    low, high = np.quantile(v, [(1 - CONFIDENCE) / 2, (1 + CONFIDENCE) / 2], method="weibull")
    return float(v.mean()), float(low), float(high), n


def interval_of(predictive: bool) -> Callable[[np.ndarray], tuple[float, float, float, int]]:
    """:func:`percentile_interval` with parameter uncertainty (``predictive``), else the t-interval of the mean."""
    return percentile_interval if predictive else interval


def summarise(replications: pd.DataFrame, *, predictive: bool = False) -> pd.DataFrame:
    """One row per strategy and metric: mean, ci_low, ci_high, n_replications (``predictive``: percentile interval)."""
    rows = []
    spread = interval_of(predictive)
    for (strategy, metric), grp in replications.groupby(["strategy", "metric"], sort=False):
        mean, lo, hi, n = spread(grp["value"].to_numpy(dtype=float))
        rows.append(
            {"strategy": strategy, "metric": metric, "mean": mean, "ci_low": lo, "ci_high": hi, "n_replications": n}
        )
    return pd.DataFrame(rows, columns=["strategy", "metric", "mean", "ci_low", "ci_high", "n_replications"])


def paired_differences(
    replications: pd.DataFrame,
    baseline: str,
    direction: Callable[[str], int] | None = None,
    *,
    predictive: bool = False,
) -> pd.DataFrame:
    """Each strategy (not the control arm) minus the baseline, paired by replication, per metric (``predictive``:
    with the percentile interval of the paired differences).

    ``prob_better`` is the share of paired replications in which the strategy beat the
    baseline in the metric's good direction (ties count one half), so two identical
    strategies give a difference of exactly 0 and prob_better 0.5.
    """
    wide = replications.pivot_table(index=["metric", "replication"], columns="strategy", values="value", dropna=False)
    rows = []
    for strategy in [s for s in replications["strategy"].unique() if s not in (baseline, CONTROL)]:
        for metric in replications["metric"].unique():
            block = wide.loc[metric]
            diff = (block[strategy] - block[baseline]).to_numpy(dtype=float)
            mean, lo, hi, n = interval_of(predictive)(diff)
            good = direction(metric) if direction is not None else definition(metric).direction
            d = diff[np.isfinite(diff)] * good
            prob = float(((d > 0).sum() + 0.5 * (d == 0).sum()) / n) if n else float("nan")
            rows.append(
                {
                    "strategy": strategy,
                    "baseline": baseline,
                    "metric": metric,
                    "mean_diff": mean,
                    "ci_low": lo,
                    "ci_high": hi,
                    "prob_better": prob,
                }
            )
    return pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)


@dataclass(frozen=True)
class Verdict:
    """Which strategy wins on one metric, decided by a paired difference, never by comparing means alone.

    ``leader`` has the best mean (in the metric's good direction) and ``runner_up`` the next best;
    ``mean_diff``, ``ci_low``, ``ci_high`` are leader minus runner-up, paired by replication. ``winner``
    is the leader when that interval excludes zero, else None ("no clear difference").
    """

    metric: str
    leader: str
    runner_up: str | None
    mean_diff: float
    ci_low: float
    ci_high: float

    @property
    def winner(self) -> str | None:
        clear = self.ci_low > 0 or self.ci_high < 0  # False when the interval is missing (one replication)
        return self.leader if self.runner_up is not None and clear else None


def verdict(replications: pd.DataFrame, metric: str, *, predictive: bool = False) -> Verdict | None:
    """The verdict on ``metric`` among the strategies of ``replications`` (the control arm left out); None when the
    metric is missing for every strategy. ``predictive``: decided by the percentile interval of the paired
    differences (the leader wins in at least 97.5% of the replications)."""
    rows = replications[(replications["metric"] == metric) & (replications["strategy"] != CONTROL)]
    wide = rows.pivot_table(index="replication", columns="strategy", values="value", sort=False, dropna=False)
    means = wide.mean().dropna()
    if means.empty:
        return None
    ranked = sorted(means.index, key=lambda s: -definition(metric).direction * means[s])
    leader = str(ranked[0])
    if len(ranked) == 1:
        return Verdict(metric, leader, None, float("nan"), float("nan"), float("nan"))
    runner_up = str(ranked[1])
    mean, low, high, _ = interval_of(predictive)((wide[leader] - wide[runner_up]).to_numpy(dtype=float))
    return Verdict(metric, leader, runner_up, mean, low, high)
