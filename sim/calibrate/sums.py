"""Sums that reproduce pandas' grouped arithmetic to the last bit, without its hash tables.

pandas' ``groupby(...).sum()`` and ``.mean()`` on float64 add each group's values in row order
with Kahan compensation (skipping NaN); the reader and :func:`sim.calibrate.rfm.rfm_summary`
used them, and the fits on the CDNOW files depend on those bits. On rows already sorted by
group, :func:`kahan_sums` does the same additions, in the same order, for every group at once,
in a fraction of the memory: a loop over the position within a group, not over groups.
"""

from __future__ import annotations

import numpy as np


def kahan_sums(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Compensated sum of each run of ``values`` beginning at ``starts``, term by term as pandas' group sum does.

    A run of one value is that value. Longer runs are summed together, a step per position
    within a run, each step over the runs that long (taken longest first, so each step's runs
    are a prefix): the work is proportional to the values, whatever the longest run.
    """
    total = 0.0 + values[starts]  # the first term of every run: 0 + v with no compensation
    size = np.diff(np.r_[starts, values.size])
    runs = np.flatnonzero(size > 1)
    if runs.size:
        runs = runs[np.argsort(-size[runs], kind="stable")]
        head, length = starts[runs], size[runs]
        active = np.searchsorted(-length, -np.arange(int(length[0])), side="left")  # runs longer than j, per j
        sums, compensation = np.zeros(runs.size), np.zeros(runs.size)
        for j, n in enumerate(active):
            y = values[head[:n] + j] - compensation[:n]
            t = sums[:n] + y
            compensation[:n] = t - sums[:n] - y
            sums[:n] = t
        total[runs] = sums
    return total
