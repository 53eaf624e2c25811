"""End to end through the command line: ``python -m sim experiment=hook_cash_vs_coupon ...``.

All subprocesses of this module are started at once (they are independent) and awaited
by a module fixture, so the module costs about one run of wall time per core.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim.run.metrics import METRICS

pytestmark = pytest.mark.slow

MAIN = Path(__file__).resolve().parents[1]
SMALL = {
    "run.n_replications": "2",
    "population.buyers_per_year": "20000",
    "run.horizon_days": "90",
    "run.followup_days": "365",
    "run.n_jobs": "1",
    "run.seed": "424242",
}
BAD_INPUTS = {
    "negative_value": ("hook.value_cny=-3", "hook.value_cny"),
    "unknown_enum": ("hook.type=banana", "hook.type"),
    "unknown_key": ("hook.valu=3", "hook.valu"),
    "unknown_option": ("hook=banana", "hook"),
    "zero_horizon": ("run.horizon_days=0", "run.horizon_days"),
    "probability_above_one": ("sms.click_prob=1.5", "sms.click_prob"),
    "mix_not_summing_to_one": ("touch.mix.educational=0.9", "touch.mix"),
    "not_an_integer": ("run.n_replications=abc", "run.n_replications"),
    "unknown_report_language": ("report.lang=fr", "report.lang"),
}


@dataclass
class Result:
    run_dir: Path
    returncode: int
    stdout: str
    stderr: str


def _command(run_dir: Path, extra: list[str]) -> list[str]:
    overridden = {e.split("=", 1)[0] for e in extra}
    small = [f"{k}={v}" for k, v in SMALL.items() if k not in overridden]
    return [sys.executable, "-m", "sim", "experiment=hook_cash_vs_coupon", *small, *extra, f"hydra.run.dir={run_dir}"]


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, Result]:
    root = tmp_path_factory.mktemp("cli")
    jobs = {"good_1": [], "good_2": []} | {name: [override] for name, (override, _) in BAD_INPUTS.items()}
    procs = {}
    for name, extra in jobs.items():
        run_dir = root / name
        procs[name] = (
            run_dir,
            subprocess.Popen(
                _command(run_dir, extra), cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            ),
        )
    out = {}
    for name, (run_dir, proc) in procs.items():
        stdout, stderr = proc.communicate(timeout=300)
        out[name] = Result(run_dir, proc.returncode, stdout, stderr)
    return out


def test_flagship_run_succeeds_and_writes_every_file(results) -> None:
    r = results["good_1"]
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    for name in (
        "summary.csv",
        "differences.csv",
        "replications.parquet",
        "config_resolved.yaml",
        "comparison.png",
        "comparison.svg",
        "funnel.csv",
        "curves.parquet",
        "strategies.csv",
        "assumptions.csv",
        "report.md",
        "report.html",
        *(f"{figure}.{ext}" for figure in ("funnel", "profit", "survival", "response") for ext in ("png", "svg")),
    ):
        path = r.run_dir / name
        assert path.is_file() and path.stat().st_size > 0, name
    assert not list(r.run_dir.glob(".*.tmp")), "temporary files left behind"
    assert (r.run_dir / "comparison.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in (r.run_dir / "comparison.svg").read_text(encoding="utf-8")[:2000]
    assert not (r.run_dir / "dose_response.png").exists(), "one touch frequency: no dose-response figure"


def test_funnel_and_curves_have_every_strategy_and_replication(results) -> None:
    run_dir = results["good_1"].run_dir
    funnel = pd.read_csv(run_dir / "funnel.csv")
    curves = pd.read_parquet(run_dir / "curves.parquet")
    assert list(funnel.columns) == ["strategy", "replication", "stage", "count"]
    assert list(curves.columns) == ["strategy", "replication", "curve", "x", "value"]
    for table in (funnel, curves):
        assert set(table["strategy"]) == {"cash", "coupon"} and set(table["replication"]) == {0, 1}
    reps = pd.read_parquet(run_dir / "replications.parquet")
    reps = reps[reps["strategy"] != "control"]  # the control arm has no funnel or curves
    members = reps[reps["metric"] == "members_acquired"].set_index(["strategy", "replication"])["value"]
    added = funnel[funnel["stage"] == "added"].set_index(["strategy", "replication"])["count"]
    assert added.sort_index().tolist() == members.sort_index().tolist()
    days = curves[(curves["curve"] == "net_profit_cny")].groupby(["strategy", "replication"])["x"].max()
    assert (days == 90 + 365 - 1).all()  # one point per simulated day


def test_summary_csv_has_every_metric_for_both_strategies_and_the_control_arm(results) -> None:
    summary = pd.read_csv(results["good_1"].run_dir / "summary.csv")
    assert list(summary.columns) == ["strategy", "metric", "mean", "ci_low", "ci_high", "n_replications"]
    assert set(summary["strategy"]) == {"cash", "coupon", "control"}
    for strategy in ("cash", "coupon", "control"):
        assert set(summary.loc[summary["strategy"] == strategy, "metric"]) == set(METRICS)
    assert len(summary) == 3 * len(METRICS)
    control = summary[summary["strategy"] == "control"].set_index("metric")["mean"]
    assert control["members_acquired"] == 0 and control["incremental_margin"] == 0
    assert control["brand_orders"] > 0  # its buyers still buy on their platforms
    summary = summary[summary["strategy"] != "control"]
    assert (summary["n_replications"] <= 2).all()
    finite = summary.dropna(subset=["ci_low", "ci_high"])
    assert ((finite["ci_low"] <= finite["mean"]) & (finite["mean"] <= finite["ci_high"])).all()
    members = summary[summary["metric"] == "members_acquired"].set_index("strategy")["mean"]
    assert (members > 0).all()


def test_differences_csv_compares_cash_with_the_coupon_baseline(results) -> None:
    diffs = pd.read_csv(results["good_1"].run_dir / "differences.csv")
    assert list(diffs.columns) == ["strategy", "baseline", "metric", "mean_diff", "ci_low", "ci_high", "prob_better"]
    assert (diffs["strategy"] == "cash").all() and (diffs["baseline"] == "coupon").all()
    assert set(diffs["metric"]) == set(METRICS) and len(diffs) == len(METRICS)
    probs = diffs["prob_better"].dropna()
    assert ((probs >= 0) & (probs <= 1)).all()
    summary = pd.read_csv(results["good_1"].run_dir / "summary.csv").set_index(["strategy", "metric"])["mean"]
    # with every replication finite, the mean paired difference is the difference of the means
    for metric in ("members_acquired", "cac", "private_gmv"):
        d = diffs.set_index("metric").loc[metric, "mean_diff"]
        assert d == pytest.approx(summary[("cash", metric)] - summary[("coupon", metric)])


def test_replications_parquet_has_one_row_per_strategy_replication_metric(results) -> None:
    reps = pd.read_parquet(results["good_1"].run_dir / "replications.parquet")
    assert list(reps.columns) == ["strategy", "replication", "metric", "value"]
    assert len(reps) == 3 * 2 * len(METRICS)  # cash, coupon and the control arm
    assert not reps.duplicated(["strategy", "replication", "metric"]).any()
    assert set(reps["replication"]) == {0, 1}


def test_config_resolved_records_the_overrides(results) -> None:
    cfg = OmegaConf.load(results["good_1"].run_dir / "config_resolved.yaml")
    assert cfg.experiment.name == "hook_cash_vs_coupon"
    assert cfg.experiment.baseline == "coupon"
    assert cfg.population.buyers_per_year == 20000
    assert cfg.run.horizon_days == 90 and cfg.run.n_replications == 2 and cfg.run.seed == 424242


def test_same_seed_gives_byte_identical_summary(results) -> None:
    a, b = results["good_1"], results["good_2"]
    assert a.returncode == 0 and b.returncode == 0
    assert (a.run_dir / "summary.csv").read_bytes() == (b.run_dir / "summary.csv").read_bytes()
    assert (a.run_dir / "differences.csv").read_bytes() == (b.run_dir / "differences.csv").read_bytes()
    assert (a.run_dir / "funnel.csv").read_bytes() == (b.run_dir / "funnel.csv").read_bytes()
    ca, cb = (pd.read_parquet(r.run_dir / "curves.parquet") for r in (a, b))
    pd.testing.assert_frame_equal(ca, cb)


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_exits_2_with_one_line(results, case: str) -> None:
    override, key = BAD_INPUTS[case]
    r = results[case]
    assert r.returncode == 2, f"{override}: exit {r.returncode}\n{r.stderr}"
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"{override}: stderr has {len(lines)} lines:\n{r.stderr}"
    assert lines[0].startswith("error:"), lines[0]
    assert key in lines[0], f"{key!r} not named in {lines[0]!r}"
    assert "Traceback" not in r.stderr
    assert not (r.run_dir / "summary.csv").exists()
