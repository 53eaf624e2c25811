"""The same sweep on a Ray cluster (``hydra/launcher=ray``) gives the same numbers as on local cores (joblib).

Runs against a local Ray instance that the launcher starts. Skips, saying why, when ``ray`` or
``hydra-ray-launcher`` is not installed (``pip install -e ".[ray]"``) or Ray cannot start here.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.slow

SWEEP = [
    "-m",
    "experiment=hook_cash_vs_coupon",
    "hook.value_cny=3,10",
    "run.n_replications=2",
    "population.buyers_per_year=8000",
    "run.horizon_days=60",
    "run.followup_days=365",
    "run.seed=31",
]
RAY = [
    "hydra/launcher=ray",
    "+hydra.launcher.ray.init.num_cpus=2",
    "+hydra.launcher.ray.init.include_dashboard=false",
]


def _missing() -> str | None:
    for module, package in (("ray", "ray"), ("hydra_plugins.hydra_ray_launcher", "hydra-ray-launcher")):
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            return f"{package} is not installed (pip install -e '.[ray]')"
    return None


def _ray_cannot_start() -> str | None:
    probe = "import ray; ray.init(num_cpus=1, include_dashboard=False); ray.shutdown()"
    try:
        result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired:
        return "a local Ray instance did not start within 180 s"
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return f"a local Ray instance cannot start here: {last}"
    return None


def _sweep(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, timeout=900, check=False
    )


def test_ray_launcher_gives_the_joblib_results(tmp_path: Path) -> None:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    on_ray = _sweep([*SWEEP, *RAY, f"hydra.sweep.dir={tmp_path / 'ray'}"], tmp_path)
    if on_ray.returncode != 0:
        reason = _ray_cannot_start()
        if reason:
            pytest.skip(reason)
    assert on_ray.returncode == 0, on_ray.stderr[-3000:]
    assert "Ray Launcher is launching 2 jobs" in on_ray.stderr + on_ray.stdout
    local = _sweep([*SWEEP, f"hydra.sweep.dir={tmp_path / 'joblib'}"], tmp_path)
    assert local.returncode == 0, local.stderr[-3000:]
    ray_table = pd.read_csv(tmp_path / "ray" / "sweep_summary.csv")
    joblib_table = pd.read_csv(tmp_path / "joblib" / "sweep_summary.csv")
    assert len(ray_table) > 0
    pd.testing.assert_frame_equal(ray_table, joblib_table)
    for point in ("0", "1"):
        a = pd.read_parquet(tmp_path / "ray" / point / "replications.parquet")
        b = pd.read_parquet(tmp_path / "joblib" / point / "replications.parquet")
        pd.testing.assert_frame_equal(a, b)
