"""The speed-up benchmark (``python -m sim.bench --speedup``) on a tiny flagship: it times what it says."""

from __future__ import annotations

import pytest

from sim.bench import speedup

pytestmark = pytest.mark.slow

TINY = ("run=tiny", "population.buyers_per_year=5000", "run.n_replications=4")


def test_speedup_times_both_modes_and_their_summaries_agree() -> None:
    result = speedup(2, TINY)
    assert result["pairs"] == 2
    assert len(result["serial_s"]) == len(result["parallel_s"]) == 2
    assert all(s > 0 for s in result["serial_s"] + result["parallel_s"])
    assert result["identical_summary"] is True
    serial = sorted(result["serial_s"])
    parallel = sorted(result["parallel_s"])
    assert result["speedup"] == pytest.approx((serial[0] + serial[1]) / (parallel[0] + parallel[1]), rel=0.01)
