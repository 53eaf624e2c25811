"""``python -m sim.calibrate``: what it prints and writes, bad input, and the YAML composing with the engine."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from _helpers import CONFIG_DIR
from hydra import compose, initialize_config_dir

from sim.calibrate.cli import main, read_record
from sim.calibrate.fit import Histories, bgnbd_loglik, rfm_summary
from sim.calibrate.orders import load_orders
from sim.config import register_configs
from sim.config.compose import build_experiment

DATA = Path(__file__).resolve().parent / "data"
CDNOW = DATA / "cdnow_sample_orders_1997-01-01_1997-09-30.csv"
MAIN = Path(__file__).resolve().parents[1]


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    """main() in-process: (exit status, stdout, stderr)."""
    try:
        main([str(a) for a in argv])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def cdnow_yaml(tmp_path_factory) -> Path:
    """The CDNOW population, written by the command into a Hydra search-path folder."""
    root = tmp_path_factory.mktemp("searchpath")
    out = root / "population" / "calibrated_cdnow.yaml"
    main(["--orders", str(CDNOW), "--out", str(out)])
    return out


# ----------------------------------------------------------------------------- good input


def test_cdnow_run_prints_what_it_used_and_records_the_fit(tmp_path: Path, capsys) -> None:
    out = tmp_path / "pop" / "cdnow_test.yaml"
    code, stdout, err = _run(["--orders", CDNOW, "--out", out], capsys)
    assert code == 0, err
    assert err == ""
    assert "customer = customer_id, date = date, amount = amount" in stdout
    assert "4960 orders: dropped 0 refunded or cancelled and 8 zero-amount; merged 146 same-day orders" in stdout
    assert "1997-01-01 to 1997-09-30" in stdout and "2349 customers" in stdout and "2457 repeat purchases" in stdout
    assert "no peaks" in stdout
    assert f"population={out.stem}" in stdout
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("# Population calibrated from cdnow_sample_orders")
    body = yaml.safe_load(text)
    assert body["defaults"] == ["population_schema"]
    assert body["name"] == "cdnow_test"
    assert body["start_date"] == "1997-10-01"
    assert body["peaks"] == []
    rec = read_record(out)
    assert rec["time_unit"] == "weeks"
    assert rec["period"] == {"start": "1997-01-01", "end": "1997-09-30", "days": 273}
    assert rec["customers"] == 2349 and rec["repeat_purchases"] == 2457
    # the published -9582.4 is over all 2,357 customers: the recorded fit, evaluated on them, within 0.5 of it
    everyone = Histories.of(rfm_summary(load_orders(CDNOW, drop_zero=False).purchases, "1997-09-30"))
    params = [rec["bgnbd"][k] for k in ("r", "alpha", "a", "b")]
    assert float(everyone.counts @ bgnbd_loglik(*params, everyone)) == pytest.approx(-9582.4, abs=0.5)
    assert body["repeat"]["alpha_days"] == pytest.approx(7 * rec["bgnbd"]["alpha"], rel=1e-5)
    for k in ("r", "a", "b"):
        assert body["repeat"][k] == rec["bgnbd"][k]
    assert body["spend"] == {
        "p": rec["gamma_gamma"]["p"],
        "q": rec["gamma_gamma"]["q"],
        "gamma_cny": rec["gamma_gamma"]["gamma"],
    }
    assert not list(out.parent.glob(".*.tmp")), "temporary file left behind"


def test_holdout_prints_a_table_and_writes_the_backtest(tmp_path: Path, capsys) -> None:
    out = tmp_path / "cdnow_h.yaml"
    argv = ["--orders", CDNOW, "--out", out, "--end-date", "1997-06-30", "--holdout-end", "1997-09-30"]
    code, stdout, err = _run(argv, capsys)
    assert code == 0, err
    assert "holdout 1997-07-01 to 1997-09-30 (13.1 weeks)" in stdout
    lines = stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.strip().startswith("x in calibration"))
    assert lines[header].split()[3:8] == ["customers", "actual", "bgnbd", "pareto_nbd", "mbgnbd"]
    groups = [line.split()[0] for line in lines[header + 1 : header + 10]]
    assert groups == ["0", "1", "2", "3", "4", "5", "6", "7+", "total"]
    for name in ("cdnow_h_holdout.png", "cdnow_h_tracking.png", "cdnow_h_backtest.csv"):
        assert (tmp_path / name).stat().st_size > 1_000, name
    assert out.is_file()
    assert read_record(out)["period"]["end"] == "1997-06-30"


def test_written_yaml_composes_with_the_engine(cdnow_yaml: Path) -> None:
    register_configs()
    overrides = [f"population={cdnow_yaml.stem}", f"hydra.searchpath=[file://{cdnow_yaml.parent.parent}]"]
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose(config_name="config", overrides=[*overrides, "experiment=hook_cash_vs_coupon"])
    exp = build_experiment(cfg)
    pop = exp.shared.population
    body = yaml.safe_load(cdnow_yaml.read_text(encoding="utf-8"))
    assert pop.name == body["name"]
    assert pop.repeat.alpha_days == body["repeat"]["alpha_days"]
    assert pop.spend.gamma_cny == body["spend"]["gamma_cny"]
    assert pop.peaks == []
    assert pop.unsubscribe.alpha == 0.5  # not calibrated: the schema's default
    assert set(exp.strategies) == {"cash", "coupon"}


def test_committed_cdnow_population_is_what_the_command_writes(cdnow_yaml: Path) -> None:
    committed = CONFIG_DIR / "population" / "cdnow.yaml"
    ours, theirs = yaml.safe_load(cdnow_yaml.read_text(encoding="utf-8")), yaml.safe_load(committed.read_text("utf-8"))
    assert theirs["name"] == "cdnow"
    for key in ("buyers_per_year", "start_date", "peaks"):
        assert theirs[key] == ours[key], key
    for group in ("repeat", "spend"):
        for key, value in ours[group].items():
            assert theirs[group][key] == pytest.approx(value, rel=1e-4), f"{group}.{key}"
    assert read_record(committed)["bgnbd"]["log_likelihood"] == pytest.approx(-9578.2, abs=0.1)


# ----------------------------------------------------------------------------- bad input

GOOD_HEADER = "customer_id,date,amount\n"


def _bad_cases(tmp: Path) -> dict[str, tuple[list[object], str]]:
    regular = "".join(
        f"c{c},2024-{m:02d}-{d:02d},{10 + c % 5}\n" for c in range(40) for m in (1, 2, 3) for d in (1, 8, 15, 22)
    )
    out = tmp / "pop.yaml"
    return {
        "missing_column": (
            ["--orders", _csv(tmp / "a.csv", "customer_id,when,amount\na,2024-01-01,5\n"), "--out", out],
            r"no date column recognised; name it with --date-col \(the columns are: customer_id, when, amount\)",
        ),
        "missing_named_column": (
            ["--orders", _csv(tmp / "b.csv", GOOD_HEADER + "a,2024-01-01,5\n"), "--out", out, "--amount-col", "paid"],
            r"--amount-col paid: no such column",
        ),
        "unparseable_date": (
            [
                "--orders",
                _csv(tmp / "c.csv", GOOD_HEADER + "a,2024-01-01,5\nb,2024-02-01,5\nb,yesterday,6\n"),
                "--out",
                out,
            ],
            r"unparseable date 'yesterday' in column date at row 4",
        ),
        "negative_amount": (
            ["--orders", _csv(tmp / "d.csv", GOOD_HEADER + "a,2024-01-01,5\nb,2024-01-03,-2.50\n"), "--out", out],
            r"negative amount '-2.50' in column amount at row 3",
        ),
        "empty_file": (["--orders", _csv(tmp / "e.csv", ""), "--out", out], r"the file is empty"),
        "header_only": (
            ["--orders", _csv(tmp / "f.csv", GOOD_HEADER), "--out", out],
            r"no orders below the header row",
        ),
        "single_customer": (
            ["--orders", _csv(tmp / "g.csv", GOOD_HEADER + "solo,2024-01-01,5\nsolo,2024-02-01,7\n"), "--out", out],
            r"only one customer \(solo\) in the calibration period",
        ),
        "no_convergence": (
            ["--orders", _csv(tmp / "h.csv", GOOD_HEADER + regular), "--out", out],
            r"the BG/NBD fit did not converge: .* ran off to the edge of the parameter space",
        ),
        "missing_file": (["--orders", tmp / "nope.csv", "--out", out], r"nope.csv: no such file"),
        "bad_end_date": (
            ["--orders", CDNOW, "--out", out, "--end-date", "1997-13-01"],
            r"--end-date 1997-13-01: must be",
        ),
        "holdout_before_end": (
            ["--orders", CDNOW, "--out", out, "--end-date", "1997-06-30", "--holdout-end", "1997-06-01"],
            r"--holdout-end 1997-06-01: must be after the end date \(1997-06-30\)",
        ),
        "holdout_after_the_data": (
            ["--orders", CDNOW, "--out", out, "--end-date", "1997-06-30", "--holdout-end", "1997-12-31"],
            r"--holdout-end 1997-12-31: after the last order \(1997-09-30\); the holdout must lie within the orders$",
        ),
        "holdout_without_end": (
            ["--orders", CDNOW, "--out", out, "--holdout-end", "1997-09-30"],
            r"--holdout-end needs --end-date",
        ),
        "out_not_yaml": (["--orders", CDNOW, "--out", tmp / "pop.txt"], r"--out .*pop.txt: must be a .yaml file"),
        "unknown_flag": (["--orders", CDNOW, "--out", out, "--colour", "red"], r"unrecognized arguments: --colour red"),
    }


CASES = (
    "missing_column",
    "missing_named_column",
    "unparseable_date",
    "negative_amount",
    "empty_file",
    "header_only",
    "single_customer",
    "no_convergence",
    "missing_file",
    "bad_end_date",
    "holdout_before_end",
    "holdout_after_the_data",
    "holdout_without_end",
    "out_not_yaml",
    "unknown_flag",
)


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_error_line_exit_2_and_no_yaml(tmp_path: Path, capsys, case: str) -> None:
    cases = _bad_cases(tmp_path)
    assert set(cases) == set(CASES)
    argv, pattern = cases[case]
    out = tmp_path / "pop.yaml"
    out.write_text("previous: untouched\n", encoding="utf-8")  # a failed run must not overwrite it
    code, stdout, err = _run(argv, capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert re.search(pattern, lines[0]), lines[0]
    assert "Traceback" not in err + stdout
    assert out.read_text(encoding="utf-8") == "previous: untouched\n"
    assert not (tmp_path / "pop.txt").exists()
    assert not list(tmp_path.glob("*.png")) and not list(tmp_path.glob("*_backtest.csv"))
    assert not list(tmp_path.glob(".*.tmp"))


# ----------------------------------------------------------------------------- end to end


@pytest.mark.slow
def test_command_line_end_to_end_and_the_flagship_experiment_runs_on_the_yaml(tmp_path: Path) -> None:
    search = tmp_path / "search"
    out = search / "population" / "calibrated_e2e.yaml"
    bad = _csv(tmp_path / "bad.csv", GOOD_HEADER + "a,2024-01-01,5\nb,2024-01-03,-2\n")
    calib = [sys.executable, "-m", "sim.calibrate", "--orders", str(CDNOW), "--out", str(out)]
    failing = [sys.executable, "-m", "sim.calibrate", "--orders", str(bad), "--out", str(tmp_path / "bad.yaml")]
    procs = [subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=300) for cmd in (calib, failing)]
    good, wrong = procs
    assert good.returncode == 0, good.stderr
    assert out.is_file()
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == (
        "error: negative amount '-2' in column amount at row 3 (refunds belong in a refund or status column); "
        "allowed: a number from 0 to 10,000,000,000 such as 12.50, ¥1,299.00 or 12,50"
    )
    assert not (tmp_path / "bad.yaml").exists()

    run_dir = tmp_path / "run"
    flagship = [
        sys.executable,
        "-m",
        "sim",
        "experiment=hook_cash_vs_coupon",
        f"population={out.stem}",
        f"hydra.searchpath=[file://{search}]",
        "run.n_replications=2",
        "run.n_jobs=1",
        "run.horizon_days=60",
        "run.followup_days=365",
        f"hydra.run.dir={run_dir}",
    ]
    res = subprocess.run(flagship, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert res.returncode == 0, res.stderr
    assert (run_dir / "summary.csv").is_file()
    resolved = yaml.safe_load((run_dir / "config_resolved.yaml").read_text(encoding="utf-8"))
    assert resolved["population"]["name"] == out.stem
    assert resolved["population"]["repeat"] == yaml.safe_load(out.read_text(encoding="utf-8"))["repeat"]


def test_a_population_the_engine_would_reject_is_one_line_and_never_written() -> None:
    from sim.calibrate.cli import CalibrationError, check_population

    with pytest.raises(CalibrationError, match=r"population.repeat.b=5000.0: allowed range \(0, 1000\]$"):
        check_population("defaults: [population_schema]\nrepeat: {r: 0.5, alpha_days: 10.0, a: 0.5, b: 5000.0}\n")
    with pytest.raises(CalibrationError, match="alpha_dayz") as info:
        check_population("repeat: {r: 0.5, alpha_dayz: 10.0}\n")
    assert "\n" not in str(info.value)
