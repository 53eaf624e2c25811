"""Risk of a plan (``python -m sim.plan risk``): the downside case, the chances and their intervals, the command.

The statistical checks compare the estimators with closed forms on draws from known distributions
(fixed seeds); the end-to-end run checks what the command writes and that bad arguments are one line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.plan.risk import DOWNSIDE_SHARE, RISK_METRICS, parse_target, quantile_interval, risk_row, risk_table

TINY = [
    "experiment=hook_cash_vs_coupon",
    "run=tiny",
    "run.n_replications=4",
    "population.sample_share=0.1",
    "run.seed=17",
]


def test_the_downside_interval_covers_the_true_fifth_percentile_as_the_binomial_law_says() -> None:
    """Over 2,000 samples of 200 standard normals, the share of intervals [x_(l), x_(u)] that hold the true 5th
    percentile (-1.645) is within 3 SE of its closed form P(l <= Bin(200, 0.05) <= u - 1), which is >= 95%."""
    rng = np.random.default_rng(5)
    n, truth = 200, stats.norm.ppf(DOWNSIDE_SHARE)
    n_samples, covered = 2000, 0
    for _ in range(n_samples):
        _, low, high = quantile_interval(rng.standard_normal(n), DOWNSIDE_SHARE)
        covered += low <= truth <= high
    lo_rank = int(stats.binom.ppf(0.025, n, DOWNSIDE_SHARE))
    hi_rank = int(stats.binom.ppf(0.975, n, DOWNSIDE_SHARE)) + 1
    exact = stats.binom.cdf(hi_rank - 1, n, DOWNSIDE_SHARE) - stats.binom.cdf(lo_rank - 1, n, DOWNSIDE_SHARE)
    assert exact >= 0.95
    se = np.sqrt(exact * (1 - exact) / n_samples)
    assert abs(covered / n_samples - exact) < 3 * se, (covered / n_samples, exact)


def test_a_bound_the_replications_cannot_give_is_missing() -> None:
    """With 20 replications the smallest is above the 5th percentile with probability 0.95^20 = 0.36 > 2.5%, so the
    lower bound of the interval does not exist; the upper one does."""
    _, low, high = quantile_interval(np.arange(20.0), DOWNSIDE_SHARE)
    assert np.isnan(low) and high == 3.0  # rank 4: P(Bin(20, 0.05) <= 3) = 0.984 >= 0.975


def test_chances_are_shares_of_replications_and_missing_is_the_worst_outcome() -> None:
    profit = np.array([-5.0, 10.0, 20.0, -1.0, 30.0])
    row = risk_row("a", "incremental_net_profit_12m", profit, target=15.0)
    assert row["p_loss"] == pytest.approx(0.4) and row["p_target"] == pytest.approx(0.4)
    low, high = row["p_loss_ci_low"], row["p_loss_ci_high"]
    assert 0.0 < low < 0.4 < high < 1.0  # Wilson, never the degenerate [0.4, 0.4]
    assert row["downside"] == -5.0  # the 5th percentile of 5 values is the smallest
    payback = np.array([100.0, np.nan, 200.0, 300.0])  # one replication never paid back
    row = risk_row("a", "payback_day", payback, target=250.0)
    assert row["p_target"] == pytest.approx(0.5)  # 100 and 200; the missing one misses the target
    assert np.isnan(row["downside"]) and row["missing_share"] == pytest.approx(0.25)  # the worst case never pays back
    assert row["median"] == 300.0  # of 100, 200, 300 and never: an even count takes the worse middle value
    assert row["mean"] == pytest.approx(200.0)  # of the replications that paid back


def test_the_table_covers_each_strategy_and_metric_but_not_the_control_arm() -> None:
    rows = [
        {"strategy": s, "replication": r, "metric": m, "value": float(r)}
        for s in ("a", "b", "control")
        for r in range(3)
        for m in (*RISK_METRICS, "cac")
    ]
    table = risk_table(pd.DataFrame(rows), {"cac": 1.0})
    assert set(table["strategy"]) == {"a", "b"}
    assert list(table[table["strategy"] == "a"]["metric"]) == [*RISK_METRICS, "cac"]
    cac = table[(table["strategy"] == "a") & (table["metric"] == "cac")].iloc[0]
    assert cac["p_target"] == pytest.approx(2 / 3)  # cac: less is better, so 0 and 1 are at most 1


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("members_acquired", "write metric=value"),
        ("members=5", "unknown metric 'members'"),
        ("private_gmv=lots", "'lots' is not a number"),
        ("private_gmv=nan", "must be a finite number"),
        ("private_gmv=inf", "must be a finite number"),
    ],
)
def test_a_bad_target_names_itself(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_target(text)


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim.plan", "risk", *args], capture_output=True, text=True, cwd=tmp_path, timeout=600
    )


def test_the_command_writes_its_tables_figure_and_section(tmp_path: Path) -> None:
    out = tmp_path / "risk"
    proc = _run(tmp_path, *TINY, "--target", "members_acquired=500", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in out.iterdir()} == {
        "risk.csv",
        "risk_replications.csv",
        "risk.png",
        "risk.svg",
        "risk.md",
    }
    table = pd.read_csv(out / "risk.csv")
    reps = pd.read_csv(out / "risk_replications.csv")
    assert set(table["strategy"]) == {"cash", "coupon"} and (table["n_replications"] == 4).all()
    for row in table[table["metric"] == "incremental_net_profit_12m"].itertuples():
        values = reps[(reps["strategy"] == row.strategy) & (reps["metric"] == row.metric)]["value"]
        assert row.p_loss == pytest.approx((values < 0).mean())
    section = (out / "risk.md").read_text()
    assert "P(loss against doing nothing)" in section and "P(loss against doing nothing)" in proc.stdout
    assert "The model's parameters are the same in every replication" in section


def test_with_parameter_uncertainty_the_section_says_the_chances_hold_it(tmp_path: Path) -> None:
    """A calibrated population with run.parameter_uncertainty=true: the section says the chances hold the
    parameters' uncertainty, and no longer that the parameters are fixed."""
    out = tmp_path / "risk"
    args = ("population=cdnow", "run.parameter_uncertainty=true", "--strategy", "cash", "--out", str(out))
    proc = _run(tmp_path, *TINY, *args)
    assert proc.returncode == 0, proc.stderr
    assert "Each replication first drew the calibrated parameters" in (out / "risk.md").read_text()
    assert "The model's parameters are the same" not in (out / "risk.md").read_text()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--target", "members=5"), "unknown metric 'members'"),
        (("--target", "private_gmv=nan"), "must be a finite number"),
        (("--strategy", "gift"), "unknown strategy 'gift'"),
        (("--bogus",), "unrecognised argument '--bogus'"),
        (("run.n_replications=0",), "run.n_replications"),
    ],
)
def test_bad_arguments_are_one_line_and_write_nothing(tmp_path: Path, args: tuple[str, ...], says: str) -> None:
    out = tmp_path / "risk"
    proc = _run(tmp_path, *TINY, *args, "--out", str(out))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and says in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()


def test_parameter_draws_give_one_row_of_overrides_per_replication(tmp_path: Path) -> None:
    from sim.plan.risk import read_draws

    path = tmp_path / "draws.csv"
    path.write_text("population.repeat.r,population.repeat.alpha_days\n0.25,30\n0.5,31.5\n0.1,29\n")
    assert read_draws(path, 2) == [
        ["population.repeat.r=0.25", "population.repeat.alpha_days=30.0"],
        ["population.repeat.r=0.5", "population.repeat.alpha_days=31.5"],
    ]
    with pytest.raises(ValueError, match="3 rows for 4 replications"):
        read_draws(path, 4)
    path.write_text("population.repeat.r\n0.2\nabc\n")
    with pytest.raises(ValueError, match="row 3, column population.repeat.r: 'abc' is not a finite number"):
        read_draws(path, 2)
    with pytest.raises(ValueError, match="cannot read it as CSV"):
        read_draws(tmp_path / "none.csv", 2)


def test_each_replication_runs_with_its_own_draw(tmp_path: Path) -> None:
    """With draws, replication i uses row i: a row with more repeat buying gives more private GMV than the row with
    less, on the same buyers and luck; and a draw outside a setting's range is one line naming it."""
    draws = tmp_path / "draws.csv"
    draws.write_text("population.repeat.r\n0.05\n0.05\n1.0\n1.0\n")
    out = tmp_path / "risk"
    proc = _run(tmp_path, *TINY, "--parameter-draws", str(draws), "--strategy", "cash", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    reps = pd.read_csv(out / "risk_replications.csv")
    gmv = reps[reps["metric"] == "private_gmv"].set_index("replication")["value"]
    assert min(gmv[2], gmv[3]) > 2 * max(gmv[0], gmv[1])  # E[rate] r/alpha is 20 times higher in rows 2-3
    assert "its own row of the parameter draws (--parameter-draws)" in (out / "risk.md").read_text()
    draws.write_text("population.repeat.r\n0.2\n-1\n0.2\n0.2\n")
    proc = _run(tmp_path, *TINY, "--parameter-draws", str(draws), "--out", str(tmp_path / "bad"))
    assert proc.returncode == 2 and proc.stderr.strip() == "error: population.repeat.r=-1.0: allowed range (0, 1000]"
    assert not (tmp_path / "bad").exists()


def test_a_draw_set_at_once_gives_the_experiment_set_key_by_key() -> None:
    """Risk validates a draw's keys once, after setting them all (one build per replication, not one per key): the
    experiment is the one setting and validating them in turn gives."""
    from sim.config.compose import build_experiment
    from sim.config.overrides import values_config
    from sim.plan.variants import load, variant_chain

    cfg, _ = load(TINY)
    row = {"population.repeat.r": "0.5", "population.spend.q": "2.5", "population.repeat.alpha_days": "12.0"}
    at_once = build_experiment(values_config(cfg, TINY, row))
    assert at_once == variant_chain(cfg, TINY, row)
    assert at_once.shared.population.repeat.r == 0.5 and at_once.shared.population.spend.q == 2.5
