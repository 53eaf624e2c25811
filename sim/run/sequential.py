"""Sequential replications: stop an experiment once its answer is pinned down (``run.sequential=true``).

Replications run in batches: ``run.sequential_min_replications`` first, then ``run.sequential_batch`` at a time,
up to ``run.n_replications``. After each batch, for every strategy other than the baseline, the paired differences
of the headline (incremental net profit over the LTV window) against the baseline, replication by replication,
give a t-interval at level 1 - alpha / L, where L is the number of looks the rule can take (Bonferroni over the
looks, so that with probability at least 1 - alpha no look's interval misses its true difference). The run stops
when every strategy's interval is narrower than ``run.sequential_tolerance_cny`` on either side of its mean, or
lies wholly above or below zero (the strategy clearly beats or loses to the baseline). With identical strategies
(zero differences) it stops at the first look. The reported intervals are the usual 95% ones over the replications
run; replication r is the same whether or not the run stops early, so a stopped run's tables are the first rows
of a full run's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.config import CONTROL, RunConfig

ALPHA = 0.05


@dataclass(frozen=True)
class StoppingRule:
    """When a sequential run stops (see the module doc)."""

    tolerance: float  # half-width target of each paired difference, in the headline's unit (CNY)
    min_replications: int
    batch: int
    max_replications: int
    alpha: float = ALPHA

    @classmethod
    def of(cls, run: RunConfig) -> StoppingRule | None:
        """The rule of a run config; None when ``run.sequential`` is off."""
        if not run.sequential:
            return None
        first = min(run.sequential_min_replications, run.n_replications)
        return cls(run.sequential_tolerance_cny, first, run.sequential_batch, run.n_replications)

    @property
    def looks(self) -> int:
        """How many times the rule can look: after the first replications and after every batch."""
        return 1 + math.ceil(max(self.max_replications - self.min_replications, 0) / self.batch)

    def batches(self) -> list[range]:
        """The replications of each batch, in order."""
        edges = [0, *range(self.min_replications, self.max_replications, self.batch), self.max_replications]
        return [range(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]

    def half_width(self, differences: np.ndarray) -> np.ndarray:
        """Each column's t half-width at level 1 - alpha / looks (``differences``: replications x strategies)."""
        n = differences.shape[0]
        sd = differences.std(axis=0, ddof=1)
        return stats.t.ppf(1.0 - self.alpha / self.looks / 2.0, n - 1) * sd / math.sqrt(n)

    def satisfied(self, differences: np.ndarray) -> bool:
        """Whether every strategy's interval is narrow enough or excludes zero, or the replications ran out."""
        n = differences.shape[0]
        if n >= self.max_replications or differences.shape[1] == 0:
            return True
        if n < max(self.min_replications, 2):
            return False
        mean, h = differences.mean(axis=0), self.half_width(differences)
        decided = (mean - h > 0.0) | (mean + h < 0.0)
        return bool(np.all((h <= self.tolerance) | decided))


def paired_headline(replications: pd.DataFrame, baseline: str, headline: str) -> np.ndarray:
    """The paired differences of ``headline`` between each strategy and ``baseline`` (not the control arm), one
    row per replication, one column per strategy."""
    rows = replications[replications["metric"] == headline]
    table = rows.pivot(index="replication", columns="strategy", values="value")
    others = [s for s in table.columns if s not in (baseline, CONTROL)]
    return (table[others].to_numpy() - table[[baseline]].to_numpy()).reshape(len(table), len(others))
