"""The benchmarks (``python -m sim.bench``) at tiny sizes: they run, time what they say and print their fields."""

from __future__ import annotations

import json

import pytest

from sim.bench import main, speedup, sweep_bench

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


def test_engine_benchmark_prints_the_fields_the_readme_lists(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--buyers", "20000", "--repeat", "2"])
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    fields = {"buyers", "seconds", "buyers_per_s", "bare_simpy_events_per_s", "ratio", "peak_rss_mb"}
    assert fields | {"members_acquired", "simpy_events", "platform_orders", "repeats"} <= set(result)
    assert abs(result["buyers"] - 20000) < 5 * 20000**0.5  # Poisson arrivals around buyers_per_year
    assert result["buyers_per_s"] == pytest.approx(result["buyers"] / result["seconds"], rel=1e-3)
    assert result["repeats"] == 2 and result["members_acquired"] > 0 and result["simpy_events"] > 0


def test_engine_benchmark_runs_a_strategy_of_another_experiment(capsys: pytest.CaptureFixture[str]) -> None:
    """sms_recall_existing_base: its first strategy after the baseline, with its 200,000 existing customers."""
    main(["--buyers", "5000", "--experiment", "sms_recall_existing_base"])
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["experiment"] == "sms_recall_existing_base" and result["strategy"] == "coupon_all"
    assert result["base_buyers"] == 200_000
    assert abs(result["buyers"] - 205_000) < 5 * 5000**0.5  # the base and the new buyers
    assert result["members_acquired"] > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--experiment", "nope"], "--experiment=nope: allowed: compare, double11_campaign"),
        (["--experiment", "wecom_accounts", "--strategy", "x"], "--strategy=x: not a strategy of experiment"),
    ],
)
def test_engine_benchmark_refuses_an_unknown_experiment_or_strategy(args, message, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--buyers", "100", *args])
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_sweep_benchmark_times_the_flagship_and_its_sixteen_points() -> None:
    result = sweep_bench(1, ("population.buyers_per_year=2000", "run.horizon_days=30"))
    assert result["replications"] == 1 and result["points"] == 16
    assert result["flagship_seconds"] > 0 and result["sweep_seconds"] > 0
    ratio = result["sweep_seconds"] / result["flagship_seconds"]
    assert result["sweep_over_flagship"] == pytest.approx(ratio, rel=0.01)  # rounded seconds


def test_sweep_benchmark_reports_a_failed_command_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        sweep_bench(1, ("population.buyers_per_year=-1",))
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_info.value.code == 2
    assert len(err) == 1 and err[0].startswith("error: python -m sim experiment=hook_cash_vs_coupon")
    assert "population.buyers_per_year=-1" in err[0]


def test_sweep_benchmark_refuses_a_replication_count_out_of_range(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--sweep", "--replications", "0"])
    assert exit_info.value.code == 2
    assert "--replications=0: allowed range [1, 10,000]" in capsys.readouterr().err
