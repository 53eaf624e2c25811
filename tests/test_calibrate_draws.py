"""``python -m sim.calibrate --parameter-draws N``: the draws follow the fits' asymptotic normal, and risk takes them.

The statistical checks draw from the CDNOW fit (fixed seeds) and compare the sample with the normal the fit
implies, with tolerances from the sampling error of N draws; the end-to-end run calibrates the CDNOW sample and
runs ``python -m sim.plan risk`` with the draws.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from sim.calibrate.cli import main
from sim.calibrate.draws import DEFAULT_SEED, parameter_draws
from sim.calibrate.fit import Fit, fit_bgnbd, fit_gamma_gamma, rfm_summary
from sim.calibrate.orders import load_orders

CDNOW = Path(__file__).resolve().parent / "data" / "cdnow_sample_orders_1997-01-01_1997-09-30.csv"
N_DRAWS = 4000
KEYS = {  # config key -> (fit, parameter, factor to the config's units)
    "population.repeat.r": ("bgnbd", "r", 1.0),
    "population.repeat.alpha_days": ("bgnbd", "alpha", 7.0),
    "population.repeat.a": ("bgnbd", "a", 1.0),
    "population.repeat.b": ("bgnbd", "b", 1.0),
    "population.spend.p": ("spend", "p", 1.0),
    "population.spend.q": ("spend", "q", 1.0),
    "population.spend.gamma_cny": ("spend", "gamma", 1.0),
}


@pytest.fixture(scope="module")
def fits() -> dict[str, Fit]:
    rfm = rfm_summary(load_orders(CDNOW).purchases, "1997-09-30")
    return {"bgnbd": fit_bgnbd(rfm), "spend": fit_gamma_gamma(rfm)}


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    """The command's draws file for the CDNOW sample, N_DRAWS rows."""
    out = tmp_path_factory.mktemp("draws") / "population" / "cdnow_draws_test.yaml"
    main(["--orders", str(CDNOW), "--end-date", "1997-09-30", "--out", str(out), "--parameter-draws", str(N_DRAWS)])
    return out.parent / "cdnow_draws_test_draws.csv"


def _log_normal(fits: dict[str, Fit]) -> tuple[np.ndarray, np.ndarray]:
    """The fits' normal on the log scale, in the config's units, block-diagonal (the fits are separate)."""
    mean, cov = np.empty(len(KEYS)), np.zeros((len(KEYS), len(KEYS)))
    for i, (fit_i, name_i, factor) in enumerate(KEYS.values()):
        f = fits[fit_i]
        mean[i] = np.log(f.params[name_i] * factor)
        names = list(f.params)
        for j, (fit_j, name_j, _) in enumerate(KEYS.values()):
            if fit_j == fit_i:
                natural = f.covariance[names.index(name_i), names.index(name_j)]  # type: ignore[index]
                cov[i, j] = natural / (f.params[name_i] * f.params[name_j])  # delta method, undone
    return mean, cov


def test_draws_have_the_fits_mean_and_covariance_on_the_log_scale(written: Path, fits: dict[str, Fit]) -> None:
    """For N = 4000 draws z (the log of each column), k = 7: the sample mean m is N(mu, Sigma/N), so
    N (m - mu)' Sigma^-1 (m - mu) is chi-squared with k degrees of freedom, and the likelihood-ratio statistic of
    the sample covariance S against Sigma, (N - 1) [tr(A) - log det A - k] with A = Sigma^-1 S, is asymptotically
    chi-squared with k (k + 1) / 2 = 28 (each entry of S has SE sqrt((Sigma_ii Sigma_jj + Sigma_ij^2) / (N - 1)),
    2.2% of a variance). Each statistic must be below its chi-squared 99.9th percentile (24.3 and 56.9). Sigma's
    cross-model entries are 0 (separate fits), and its diagonal is the fits' (SE / estimate)^2 (delta method)."""
    draws = pd.read_csv(written)
    assert list(draws.columns) == list(KEYS) and len(draws) == N_DRAWS
    z = np.log(draws.to_numpy())
    mu, sigma = _log_normal(fits)
    se_ratio = [fits[f].se[p] / fits[f].params[p] for f, p, _ in KEYS.values()]
    np.testing.assert_allclose(np.sqrt(np.diag(sigma)), se_ratio, rtol=1e-9)
    gap = z.mean(axis=0) - mu
    assert N_DRAWS * gap @ np.linalg.solve(sigma, gap) < stats.chi2.ppf(0.999, len(KEYS)), gap
    a = np.linalg.solve(sigma, np.cov(z, rowvar=False))
    k = len(KEYS)
    ratio = (N_DRAWS - 1) * (np.trace(a) - np.linalg.slogdet(a)[1] - k)
    assert ratio < stats.chi2.ppf(0.999, k * (k + 1) // 2), ratio


def test_every_column_is_a_key_the_written_yaml_sets(written: Path) -> None:
    body = yaml.safe_load((written.parent / "cdnow_draws_test.yaml").read_text(encoding="utf-8"))
    sets = {f"population.{group}.{key}" for group in ("repeat", "spend") for key in body[group]}
    assert set(pd.read_csv(written, nrows=1).columns) == sets


def test_the_same_seed_gives_the_same_draws_and_another_seed_others(fits: dict[str, Fit]) -> None:
    one = parameter_draws(fits["bgnbd"], fits["spend"], 50, DEFAULT_SEED).table
    pd.testing.assert_frame_equal(one, parameter_draws(fits["bgnbd"], fits["spend"], 50, DEFAULT_SEED).table)
    assert not np.allclose(one, parameter_draws(fits["bgnbd"], fits["spend"], 50, DEFAULT_SEED + 1).table)


def test_a_draw_the_engine_would_refuse_is_drawn_again_as_often_as_the_normal_says(fits: dict[str, Fit]) -> None:
    """Spend q = 1.5 with log-scale SD 0.5: a draw has q <= 1 (the engine needs q > 1) with probability
    P(Z <= -log 1.5 / 0.5) = 0.209. Over the n + redrawn draws made, the share refused is within 4 binomial SE of
    that, and no kept row has q <= 1."""
    q, sd = 1.5, 0.5
    spend = Fit("Gamma-Gamma", {"p": 6.0, "q": q, "gamma": 15.0}, {}, 0.0, 1, 0, np.diag([0.01, (q * sd) ** 2, 1.0]))
    draws = parameter_draws(fits["bgnbd"], spend, 2000, 3)
    made = 2000 + draws.redrawn
    expected = stats.norm.cdf(-np.log(q) / sd)
    assert abs(draws.redrawn / made - expected) < 4 * np.sqrt(expected * (1 - expected) / made)
    assert (draws.table["population.spend.q"] > 1.0).all()


def test_a_later_run_without_draws_removes_the_earlier_draws(tmp_path: Path) -> None:
    """The files beside a YAML are always its own: draws written by an earlier run of the same name go."""
    out = tmp_path / "pop.yaml"
    main(["--orders", str(CDNOW), "--out", str(out), "--parameter-draws", "5", "--draws-seed", "9"])
    assert len(pd.read_csv(tmp_path / "pop_draws.csv")) == 5
    main(["--orders", str(CDNOW), "--out", str(out)])
    assert out.is_file() and not (tmp_path / "pop_draws.csv").exists()


@pytest.mark.parametrize("value", ["0", "-3", "x", "1.5", "100001"])
def test_a_bad_count_is_one_line_and_writes_nothing(tmp_path: Path, capsys, value: str) -> None:
    out = tmp_path / "pop.yaml"
    with pytest.raises(SystemExit) as exit_info:
        main(["--orders", str(CDNOW), "--out", str(out), f"--parameter-draws={value}"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert (
        err
        == f"error: --parameter-draws {value}: allowed: a whole number from 1 to 100,000 (one draw per replication)\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", ["-1", "x", "4294967296"])
def test_a_bad_seed_is_one_line_and_writes_nothing(tmp_path: Path, capsys, value: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(
            [
                "--orders",
                str(CDNOW),
                "--out",
                str(tmp_path / "pop.yaml"),
                "--parameter-draws",
                "3",
                f"--draws-seed={value}",
            ]
        )
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == f"error: --draws-seed {value}: allowed: a whole number from 0 to 4294967295\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_risk_runs_each_replication_on_a_row_of_the_calibrated_draws(tmp_path: Path) -> None:
    """Calibrate the CDNOW sample with draws, then ``sim.plan risk`` on that population with them: every column is a
    key risk accepts (an unknown key or a value out of range would be one error line and status 2)."""
    search = tmp_path / "search"
    out = search / "population" / "cdnow_e2e.yaml"
    calib = [sys.executable, "-m", "sim.calibrate", "--orders", str(CDNOW), "--end-date", "1997-09-30"]
    proc = subprocess.run(
        [*calib, "--out", str(out), "--parameter-draws", "3"], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    draws = out.parent / "cdnow_e2e_draws.csv"
    risk = [sys.executable, "-m", "sim.plan", "risk", "experiment=hook_cash_vs_coupon", "run=tiny"]
    settings = ["run.n_replications=3", "population.sample_share=0.05", f"population={out.stem}"]
    args = [*settings, f"hydra.searchpath=[file://{search}]", "--strategy", "cash", "--parameter-draws", str(draws)]
    proc = subprocess.run(
        [*risk, *args, "--out", str(tmp_path / "risk")], capture_output=True, text=True, cwd=tmp_path, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    reps = pd.read_csv(tmp_path / "risk" / "risk_replications.csv")
    assert sorted(reps["replication"].unique()) == [0, 1, 2]
