"""The sweep cache (sim.run.cache): same numbers with and without it, serial and parallel, and no stale entry.

Each test runs the flagship experiment on a tiny population (2 replications, 60 days) so it takes seconds; equality
is exact (summary.csv byte for byte), since a cached platform layer or control arm must be the very one that would
have been built.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.api import compose_experiment
from sim.config.compose import build_experiment
from sim.report.writers import write_summary
from sim.run.cache import control_key, platform_key
from sim.run.compare import summarise
from sim.run.experiment import control_strategy, run_experiment_tables

TINY = (
    "run.n_replications=2",
    "population.buyers_per_year=6000",
    "run.horizon_days=60",
    "run.followup_days=365",
    "run.seed=5",
    "run.progress=false",
)


def _experiment(*overrides: str):  # noqa: ANN202 - an Experiment
    return build_experiment(compose_experiment("hook_cash_vs_coupon", (*TINY, *overrides)))


def _summary_bytes(experiment, out: Path, cache_dir: Path | None) -> bytes:  # noqa: ANN001
    tables = run_experiment_tables(experiment, with_control=True, cache_dir=cache_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_summary(out, summarise(tables.replications))
    return (out / "summary.csv").read_bytes()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return _summary_bytes(_experiment("run.n_jobs=1"), tmp_path_factory.mktemp("ref"), None)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_summary_is_identical_with_a_cold_and_a_warm_cache_serial_and_parallel(
    reference: bytes, tmp_path: Path, n_jobs: int
) -> None:
    experiment = _experiment(f"run.n_jobs={n_jobs}")
    cache_dir = tmp_path / "cache"
    cold = _summary_bytes(experiment, tmp_path / "cold", cache_dir)
    entries = sorted(p.name for p in cache_dir.glob("*.pkl"))
    assert len(entries) == 4  # a platform layer and a control arm per replication
    warm = _summary_bytes(experiment, tmp_path / "warm", cache_dir)
    assert sorted(p.name for p in cache_dir.glob("*.pkl")) == entries  # all read, none built again
    assert cold == reference
    assert warm == reference


def test_another_point_of_the_sweep_reuses_both_and_gets_its_own_numbers(tmp_path: Path) -> None:
    point_a = _experiment("run.n_jobs=1", "hook.value_cny=3", "touch.touches_per_week=1")
    point_b = _experiment("run.n_jobs=1", "hook.value_cny=20", "touch.touches_per_week=5")
    for r in (0, 1):
        assert platform_key(point_a.shared, r) == platform_key(point_b.shared, r)
        assert control_key(point_a.shared, control_strategy(point_a), r) == control_key(
            point_b.shared, control_strategy(point_b), r
        )
    assert platform_key(point_a.shared, 0) != platform_key(point_a.shared, 1)
    cache_dir = tmp_path / "cache"
    _summary_bytes(point_a, tmp_path / "a", cache_dir)
    entries = sorted(p.name for p in cache_dir.glob("*.pkl"))
    fresh = _summary_bytes(point_b, tmp_path / "b_fresh", None)
    assert _summary_bytes(point_b, tmp_path / "b_cached", cache_dir) == fresh
    assert sorted(p.name for p in cache_dir.glob("*.pkl")) == entries  # point b built nothing


@pytest.mark.parametrize("override", ["population.buyers_per_year=7000", "run.seed=6", "run.horizon_days=61"])
def test_a_changed_population_seed_or_horizon_misses_the_cache(tmp_path: Path, override: str) -> None:
    before, after = _experiment("run.n_jobs=1"), _experiment("run.n_jobs=1", override)
    assert platform_key(before.shared, 0) != platform_key(after.shared, 0)
    cache_dir = tmp_path / "cache"
    _summary_bytes(before, tmp_path / "before", cache_dir)
    fresh = _summary_bytes(after, tmp_path / "fresh", None)
    assert _summary_bytes(after, tmp_path / "cached", cache_dir) == fresh
    assert len(list(cache_dir.glob("*.pkl"))) == 8  # its own platform layers and control arms
