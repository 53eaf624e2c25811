"""Sweeps: ``python -m sim -m ...`` runs every point, writes one tidy summary, and skips finished points.

The end-to-end tests run one tiny 2 x 2 sweep of the flagship experiment as a subprocess,
then re-run it after "killing" one point (its ``summary.csv`` removed): only that point runs
again, and it comes out identical. The unit tests cover the pieces without simulating.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.plan.sweep import point_finished, sweep_keys_from_config, sweep_tables
from sim.report.writers import write_summary, write_text
from sim.run.metrics import METRICS
from sim.run.objectives import INCREMENTAL_NET_PROFIT, NET_PROFIT

KEYS = ["hook.value_cny", "touch.touches_per_week"]
TINY = [
    "run.n_replications=2",
    "population.buyers_per_year=8000",
    "run.horizon_days=60",
    "run.followup_days=365",
    "run.seed=99",
]
SWEEP = ["experiment=hook_cash_vs_coupon", "hook.value_cny=3,10", "touch.touches_per_week=1,3", *TINY]


def _sim(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


# --------------------------------------------------------------------------- unit


def test_point_finished_ignores_how_it_ran_but_not_what_it_computed(tmp_path: Path) -> None:
    config = {"run": {"seed": 1, "n_jobs": -1, "progress": True}, "hook": {"value_cny": 5.0}}
    text = yaml.safe_dump(config)
    assert not point_finished(tmp_path, text)  # nothing there
    write_text(tmp_path / "config_resolved.yaml", text)
    assert not point_finished(tmp_path, text)  # no summary: not finished (killed midway)
    write_summary(tmp_path, pd.DataFrame({"strategy": ["a"], "metric": ["cac"], "mean": [1.0]}))
    assert point_finished(tmp_path, text)
    serial = {**config, "run": {"seed": 1, "n_jobs": 1, "progress": False}}
    assert point_finished(tmp_path, yaml.safe_dump(serial))
    assert not point_finished(tmp_path, yaml.safe_dump({**config, "hook": {"value_cny": 10.0}}))
    assert not point_finished(tmp_path, yaml.safe_dump({**config, "run": {"seed": 2, "n_jobs": -1}}))


def test_sweep_keys_come_from_sweep_overrides_and_sweeper_params() -> None:
    task = ["experiment=x", "hook.value_cny=3,5", "touch.touches_per_week=range(1,3)", "run.n_jobs=1", "offer=none"]
    params = {"hook.type": "choice(cash, coupon)", "+referral.reward_cny": "interval(0, 5)"}
    assert sweep_keys_from_config(task, params) == [
        "hook.value_cny",
        "touch.touches_per_week",
        "hook.type",
        "referral.reward_cny",
    ]


def test_sweep_figures_return_figures_without_saving() -> None:
    from matplotlib.figure import Figure

    from sim.report.sweep_plots import plot_sweep_heatmap, sweep_figures

    rows, diffs = [], []
    for p, (v, t) in enumerate([(3, 1), (3, 3), (10, 1), (10, 3)]):
        for s, shift in (("cash", 1.0), ("coupon", 0.0)):
            mean = v * 0.1 + t + shift
            rows.append({"hook.value_cny": v, "touches": t, "point": str(p), "strategy": s, "metric": "cac"})
            rows[-1].update(mean=mean, ci_low=mean - 0.5, ci_high=mean + 0.5, n_replications=2)
        diffs.append({"hook.value_cny": v, "touches": t, "point": str(p), "strategy": "cash", "baseline": "coupon"})
        diffs[-1].update(metric="cac", mean_diff=1.0, ci_low=0.5, ci_high=1.5, prob_better=0.0)
    summary, differences = pd.DataFrame(rows), pd.DataFrame(diffs)
    figures = sweep_figures(summary, differences, ["hook.value_cny", "touches"], ["cac"])
    assert set(figures) == {"sweep_cac_heatmap", "sweep_cac_lines"}
    assert all(isinstance(f, Figure) for f in figures.values())
    one_key = sweep_figures(summary[summary["touches"] == 1], differences, ["hook.value_cny"], ["cac"])
    assert set(one_key) == {"sweep_cac"}
    ax = plot_sweep_heatmap(summary[summary["strategy"] == "cash"], x="touches", y="hook.value_cny")
    assert np.asarray(ax.images[0].get_array()).shape == (2, 2)
    with pytest.raises(ValueError, match="missing columns"):
        plot_sweep_heatmap(summary, x="nope", y="hook.value_cny")


# --------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("sweep")
    sweep_dir = root / "sweep"
    first = _sim(["-m", *SWEEP, f"hydra.sweep.dir={sweep_dir}"], root)
    before = pd.read_csv(sweep_dir / "sweep_summary.csv") if first.returncode == 0 else None
    return {"root": root, "dir": sweep_dir, "first": first, "before": before}


@pytest.mark.slow
def test_sweep_runs_every_point_with_joblib_and_serial_replications(sweep) -> None:
    first = sweep["first"]
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Traceback" not in first.stderr
    sweep_dir = sweep["dir"]
    multirun = yaml.safe_load((sweep_dir / "multirun.yaml").read_text())
    assert "joblib" in multirun["hydra"]["launcher"]["_target_"]
    for point in range(4):
        overrides = yaml.safe_load((sweep_dir / str(point) / ".hydra" / "overrides.yaml").read_text())
        assert "run.n_jobs=1" in overrides
        assert "report.point_figures=False" in overrides  # as Hydra records a bool
        assert (sweep_dir / str(point) / "summary.csv").is_file()
        # tables only: no figure and no report per point (the sweep's own figures are drawn once, at the end)
        assert not list((sweep_dir / str(point)).glob("*.png"))
        assert not (sweep_dir / str(point) / "report.md").exists()
        assert (sweep_dir / str(point) / "replications.parquet").is_file()


@pytest.mark.slow
def test_sweep_summary_is_one_tidy_row_per_point_strategy_metric(sweep) -> None:
    table = sweep["before"]
    assert table is not None, sweep["first"].stderr[-3000:]
    assert list(table.columns) == [*KEYS, "point", "strategy", "metric", "mean", "ci_low", "ci_high", "n_replications"]
    metrics = list(METRICS)  # the profits, gross and incremental, among them
    assert {INCREMENTAL_NET_PROFIT, NET_PROFIT} <= set(metrics)
    assert len(table) == 4 * 2 * len(metrics)
    assert not table.duplicated(["point", "strategy", "metric"]).any()
    grid = table.drop_duplicates("point")[KEYS].to_numpy().tolist()
    assert sorted(map(tuple, grid)) == [(3, 1), (3, 3), (10, 1), (10, 3)]
    assert set(table["metric"]) == set(metrics)
    assert (table["n_replications"] <= 2).all()
    # the summary repeats each point's own summary.csv
    point0 = pd.read_csv(sweep["dir"] / "0" / "summary.csv")
    point0 = point0[point0["strategy"] != "control"].reset_index(drop=True)  # the sweep leaves the control arm out
    mine = table[table["point"] == 0].drop(columns=[*KEYS, "point"]).iloc[: len(point0)].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, point0, check_dtype=False)
    # net profit = members x (ltv - cac) per replication, then averaged; gross and incremental
    reps = pd.read_parquet(sweep["dir"] / "0" / "replications.parquet")
    wide = reps[reps["strategy"] == "cash"].pivot(index="replication", columns="metric", values="value")
    for name, ltv in ((NET_PROFIT, "ltv_12m"), (INCREMENTAL_NET_PROFIT, "incremental_ltv")):
        profit = (wide["members_acquired"] * (wide[ltv] - wide["cac"])).mean()
        got = table[(table["point"] == 0) & (table["strategy"] == "cash") & (table["metric"] == name)]["mean"]
        assert got.iloc[0] == pytest.approx(profit)
    diffs = pd.read_csv(sweep["dir"] / "sweep_differences.csv")
    assert set(diffs["strategy"]) == {"cash"} and set(diffs["baseline"]) == {"coupon"}
    assert {NET_PROFIT, INCREMENTAL_NET_PROFIT} <= set(diffs["metric"])
    figures = ("sweep_incremental_ltv_to_cac_heatmap", "sweep_incremental_ltv_to_cac_lines")
    for name in (*figures, f"sweep_{INCREMENTAL_NET_PROFIT}_heatmap"):
        assert (sweep["dir"] / f"{name}.png").stat().st_size > 10_000
        assert (sweep["dir"] / f"{name}.svg").is_file()


@pytest.mark.slow
def test_rerun_skips_finished_points_and_redoes_a_killed_one_identically(sweep) -> None:
    assert sweep["before"] is not None, sweep["first"].stderr[-3000:]
    sweep_dir: Path = sweep["dir"]
    (sweep_dir / "2" / "summary.csv").unlink()  # as if the sweep had been killed while point 2 ran
    stamps = {p: (sweep_dir / str(p) / "summary.csv").stat().st_mtime_ns for p in (0, 1, 3)}
    again = _sim(["-m", *SWEEP, f"hydra.sweep.dir={sweep_dir}"], sweep["root"])
    assert again.returncode == 0, again.stderr[-3000:]
    for p, stamp in stamps.items():
        assert (sweep_dir / str(p) / "summary.csv").stat().st_mtime_ns == stamp, f"point {p} ran again"
        assert "already finished, skipped" in (sweep_dir / str(p) / "__main__.log").read_text()
    assert (sweep_dir / "2" / "summary.csv").is_file()
    after = pd.read_csv(sweep_dir / "sweep_summary.csv")
    pd.testing.assert_frame_equal(after, sweep["before"])  # same seed, same numbers


@pytest.mark.slow
def test_point_figures_on_request_are_drawn_from_the_finished_points_tables(sweep, tmp_path: Path) -> None:
    assert sweep["before"] is not None, sweep["first"].stderr[-3000:]
    copy = tmp_path / "figures"
    shutil.copytree(sweep["dir"], copy)
    stamps = {p: (copy / str(p) / "summary.csv").stat().st_mtime_ns for p in range(4)}
    again = _sim(["-m", *SWEEP, "report.point_figures=true", f"hydra.sweep.dir={copy}"], tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    for p, stamp in stamps.items():
        assert (copy / str(p) / "summary.csv").stat().st_mtime_ns == stamp, f"point {p} ran again"
        assert (copy / str(p) / "report.md").is_file()
        assert (copy / str(p) / "comparison.png").stat().st_size > 10_000
    pd.testing.assert_frame_equal(pd.read_csv(copy / "sweep_summary.csv"), sweep["before"])


@pytest.mark.slow
def test_summary_rebuilds_from_the_points_that_finished(sweep, tmp_path: Path) -> None:
    from sim.plan.sweep import main

    assert sweep["before"] is not None, sweep["first"].stderr[-3000:]
    copy = tmp_path / "killed"
    shutil.copytree(sweep["dir"], copy)
    (copy / "1" / "summary.csv").unlink()
    (copy / "sweep_summary.csv").unlink()
    assert main([str(copy), "--metrics", "cac"]) == 0
    rebuilt = pd.read_csv(copy / "sweep_summary.csv")
    assert sorted(rebuilt["point"].unique()) == [0, 2, 3]
    before = sweep["before"]
    pd.testing.assert_frame_equal(
        rebuilt.reset_index(drop=True), before[before["point"] != 1].reset_index(drop=True), check_dtype=False
    )
    assert (copy / "sweep_cac_heatmap.png").is_file()
    tables = sweep_tables(copy)
    assert (tables.points, tables.unfinished) == (3, 1)
    assert tables.keys == KEYS  # from multirun.yaml, even with one point missing


@pytest.mark.slow
@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("hook.value_cny=3,-5", "error: hook.value_cny=-5: allowed range"),
        ("offer=none,banana", "error: offer=banana: unknown option"),
        ("hook.type=cash,banana", "error: hook.type=banana"),
    ],
)
def test_a_bad_value_anywhere_in_a_sweep_is_one_line_before_anything_runs(
    override: str, expected: str, tmp_path: Path
) -> None:
    result = _sim(
        ["-m", "experiment=hook_cash_vs_coupon", override, *TINY, f"hydra.sweep.dir={tmp_path / 's'}"], tmp_path
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(expected), result.stderr
    assert not (tmp_path / "s").exists()
