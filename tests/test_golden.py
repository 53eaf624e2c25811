"""Regression: a fixed-seed run must reproduce the stored golden summary and differences.

Any change in model behaviour shows up here. If the change is intended, refresh the golden
files with one command from the repository root and review the diff before committing:

    python tests/golden/refresh.py && git diff tests/golden/

Numbers are compared to a relative 1e-9 (exactly, in practice, on one platform); missing
metrics (NaN) must stay missing.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.run.metrics import METRICS

GOLDEN = Path(__file__).resolve().parent / "golden"
REFRESH = "python tests/golden/refresh.py"


def _refresh_module():
    spec = importlib.util.spec_from_file_location("golden_refresh", GOLDEN / "refresh.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fresh() -> tuple[pd.DataFrame, pd.DataFrame]:
    return _refresh_module().golden_tables()


def _compare(fresh: pd.DataFrame, path: Path, keys: list[str]) -> None:
    assert path.is_file(), f"{path} missing: run {REFRESH}"
    golden = pd.read_csv(path)
    assert list(fresh.columns) == list(golden.columns), f"columns changed; if intended run {REFRESH}"
    assert len(fresh) == len(golden), f"rows changed ({len(golden)} -> {len(fresh)}); if intended run {REFRESH}"
    for key in keys:
        assert fresh[key].astype(str).tolist() == golden[key].astype(str).tolist(), f"{key} changed"
    numeric = [c for c in golden.columns if c not in keys]
    a, b = fresh[numeric].to_numpy(dtype=float), golden[numeric].to_numpy(dtype=float)
    bad = ~(np.isclose(a, b, rtol=1e-9, atol=1e-12) | (np.isnan(a) & np.isnan(b)))
    if bad.any():
        rows = [
            f"{' '.join(str(fresh.iloc[i][k]) for k in keys)} {numeric[j]}: golden {b[i, j]!r}, now {a[i, j]!r}"
            for i, j in zip(*np.nonzero(bad), strict=True)
        ]
        pytest.fail(
            f"{bad.sum()} values differ from {path.name} (model behaviour changed; if intended run {REFRESH} "
            "and review the diff):\n" + "\n".join(rows[:40])
        )


def test_golden_summary_is_reproduced(fresh) -> None:
    summary, _ = fresh
    _compare(summary, GOLDEN / "summary.csv", ["strategy", "metric"])


def test_golden_differences_are_reproduced(fresh) -> None:
    _, differences = fresh
    _compare(differences, GOLDEN / "differences.csv", ["strategy", "baseline", "metric"])


def test_golden_files_cover_every_metric_of_both_strategies() -> None:
    summary = pd.read_csv(GOLDEN / "summary.csv")
    assert set(summary["strategy"]) == {"cash", "coupon"}
    for strategy in ("cash", "coupon"):
        assert set(summary.loc[summary["strategy"] == strategy, "metric"]) == set(METRICS)
    assert (summary.loc[summary["metric"] == "members_acquired", "mean"] > 0).all()
