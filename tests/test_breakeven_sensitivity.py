"""Break-even (``python -m sim.plan.breakeven``) and sensitivity (``python -m sim.plan.sensitivity``).

Unit tests check the crossing and its interval on curves with known answers and the priors
file against the configs; the tiny end-to-end runs check what the commands write.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.plan.breakeven import band_interval, breakeven_table, crossings, parse_values
from sim.plan.sensitivity import DEFAULT_PRIORS, config_value, load_priors
from sim.report.sweep_plots import tornado_table

TINY = [
    "experiment=hook_cash_vs_coupon",
    "run.n_replications=2",
    "population.buyers_per_year=6000",
    "run.horizon_days=60",
    "run.followup_days=365",
    "run.seed=17",
    "run.n_jobs=1",
]


# --------------------------------------------------------------------------- break-even: unit


def test_values_are_a_list_or_an_even_range() -> None:
    assert parse_values("5,1,3") == [1.0, 3.0, 5.0]
    assert parse_values("0:10:3") == [0.0, 5.0, 10.0]
    for bad in ("1", "1:2", "5:1:3", "1:2:1"):
        with pytest.raises(ValueError):
            parse_values(bad)


def test_crossings_of_a_piecewise_linear_curve() -> None:
    x = np.array([0.0, 1.0, 2.0, 3.0])
    assert crossings(x, np.array([0.0, 2.0, 4.0, 6.0]), 3.0) == [1.5]
    assert crossings(x, np.array([0.0, 2.0, 0.0, 2.0]), 1.0) == [0.5, 1.5, 2.5]
    assert crossings(x, np.array([0.0, np.nan, 4.0, 6.0]), 1.0) == []  # a missing value hides the crossing
    assert crossings(x, np.array([5.0, 6.0, 7.0, 8.0]), 1.0) == []


def test_interval_is_where_the_target_lies_inside_the_band() -> None:
    x = np.linspace(0.0, 10.0, 11)
    mean = x.copy()  # metric = lever, target 5: break-even at 5
    low, high, note = band_interval(x, mean - 1.0, mean + 1.0, 5.0, 5.0)
    assert low == pytest.approx(4.0, abs=0.01) and high == pytest.approx(6.0, abs=0.01) and note == ""
    low, high, note = band_interval(x, mean - 8.0, mean + 8.0, 5.0, 5.0)
    assert np.isnan(low) and np.isnan(high) and "below the values searched" in note and "above" in note


def test_breakeven_table_has_a_row_per_strategy_and_says_when_there_is_no_crossing() -> None:
    rows = []
    for v in (1.0, 2.0, 3.0):
        for s, mean in (("up", v), ("flat", 10.0)):
            rows.append({"lever": "hook.value_cny", "lever_value": v, "strategy": s, "metric": "ltv_to_cac"})
            rows[-1].update(mean=mean, ci_low=mean - 0.2, ci_high=mean + 0.2, n_replications=5)
    table = breakeven_table(pd.DataFrame(rows), "ltv_to_cac", 2.5).set_index("strategy")
    assert table.loc["up", "estimate"] == pytest.approx(2.5)
    assert table.loc["up", "ci_low"] == pytest.approx(2.3, abs=0.01)
    assert table.loc["up", "ci_high"] == pytest.approx(2.7, abs=0.01)
    assert np.isnan(table.loc["flat", "estimate"]) and "stays above" in table.loc["flat", "note"]


def _grid(values: list[float], means: list[float], half: float = 0.1) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lever": "x",
            "lever_value": values,
            "strategy": "s",
            "metric": "ltv_to_cac",
            "mean": means,
            "ci_low": [m - half for m in means],
            "ci_high": [m + half for m in means],
            "n_replications": 5,
        }
    )


def test_a_metric_curved_between_grid_points_is_flagged_with_a_finer_grid_to_run() -> None:
    x = [1.0, 5.0, 9.0, 13.0]
    convex = breakeven_table(_grid(x, [float(np.exp(v / 2)) for v in x]), "ltv_to_cac", 20.0).iloc[0]
    assert 5.0 < convex["estimate"] < 9.0 and abs(convex["estimate"] - 2 * np.log(20.0)) > 0.4  # the line misses it
    assert "curved between grid points" in convex["note"] and "--values 5:9:6" in convex["note"]
    straight = breakeven_table(_grid(x, [0.5 * v for v in x]), "ltv_to_cac", 3.0).iloc[0]
    assert straight["estimate"] == pytest.approx(6.0) and "curved" not in straight["note"]


def test_a_metric_crossing_the_target_twice_says_so() -> None:
    table = breakeven_table(_grid([1.0, 2.0, 3.0, 4.0, 5.0], [0.5, 1.5, 2.0, 1.5, 0.5]), "ltv_to_cac", 1.0)
    assert len(table) == 2
    assert all("not monotone" in note for note in table["note"])


def test_tornado_ranks_bars_by_how_far_they_reach_from_zero_and_marks_unclear_ones() -> None:
    rows = []
    for name, (low, high) in {"a": (1.0, 5.0), "b": (-4.5, 0.0), "c": (0.2, -0.1)}.items():
        for level, value in (("low", low), ("high", high)):
            rows.append(
                dict(
                    assumption=name,
                    level=level,
                    metric="m",
                    diff_vs_mode=value,
                    diff_ci_low=value - 0.5,
                    diff_ci_high=value + 0.5,
                )
            )
    table = tornado_table(pd.DataFrame(rows), "m")
    assert list(table["assumption"]) == ["a", "b", "c"]  # |high - low| would put b (4.5) above a (4)
    assert list(table["extent"]) == [5.0, 4.5, pytest.approx(0.3)]
    assert (
        table.set_index("assumption").loc["a", "high_clear"] and not table.set_index("assumption").loc["c", "low_clear"]
    )


# --------------------------------------------------------------------------- break-even: end to end


@pytest.mark.slow
def test_breakeven_command_finds_the_hook_value_for_a_capture_rate(tmp_path: Path) -> None:
    from sim.plan.breakeven import main

    out = tmp_path / "be"
    code = main(
        ["--lever", "hook.value_cny", "--values", "1,5,25", "--metric", "capture_rate_card", "--target", "0.045"]
        + ["--strategy", "cash", "--out", str(out), *TINY]
    )
    assert code == 0
    grid = pd.read_csv(out / "breakeven_grid.csv")
    assert sorted(grid["lever_value"].unique()) == [1.0, 5.0, 25.0]
    assert set(grid["strategy"]) == {"cash"}
    rates = grid[grid["metric"] == "capture_rate_card"].sort_values("lever_value")["mean"].to_numpy()
    assert (np.diff(rates) > 0).all()  # a richer hook is scanned more, on the same buyers
    assert rates[0] < 0.045 < rates[-1]
    result = pd.read_csv(out / "breakeven.csv")
    assert len(result) == 1
    row = result.iloc[0]
    assert 1.0 < row["estimate"] < 25.0
    if np.isfinite(row["ci_low"]):
        assert row["ci_low"] <= row["estimate"]
    if np.isfinite(row["ci_high"]):
        assert row["estimate"] <= row["ci_high"]
    assert (out / "breakeven.png").is_file() and (out / "breakeven.svg").is_file()


def test_breakeven_bad_arguments_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sim.plan.breakeven import main

    assert main(["--lever", "hook.value_cny", "--values", "1", "--target", "1", *TINY]) == 2
    assert main(["--lever", "hook.value_cny", "--values", "1,2", "--target", "1", "--metric", "nope", *TINY]) == 2
    assert main(["--lever", "hook.value_cny", "--values", "1,2", "--target", "nan", *TINY]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("error: ") for line in err)
    assert "--target nan: must be a finite number" in err[2]


# --------------------------------------------------------------------------- sensitivity


def test_priors_file_records_low_mode_high_and_source_matching_the_configs() -> None:
    from sim.api import compose_experiment

    priors = load_priors(DEFAULT_PRIORS)
    assert len(priors) >= 12
    cfg = compose_experiment("hook_cash_vs_coupon")
    for prior in priors:
        assert prior.low < prior.mode < prior.high, prior.key
        assert prior.source.strip(), prior.key
        value = config_value(cfg, prior.key)
        assert value is not None, f"{prior.key} is not a config key"
        assert float(value) == pytest.approx(prior.mode), f"{prior.key}: config {value} vs prior mode {prior.mode}"


def test_a_malformed_priors_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "priors.yaml"
    bad.write_text("assumptions:\n  sms.click_prob: {low: 0.01, mode: 0.005, high: 0.02, source: x}\n")
    with pytest.raises(ValueError, match="low <= mode <= high"):
        load_priors(bad)
    bad.write_text("assumptions:\n  sms.click_prob: {low: 0.01, high: 0.02}\n")
    with pytest.raises(ValueError, match="needs low, mode, high and source"):
        load_priors(bad)


@pytest.mark.slow
def test_sensitivity_command_writes_the_tornado_data(tmp_path: Path) -> None:
    from sim.plan.sensitivity import main

    out = tmp_path / "sens"
    only = "accounting.gross_margin_rate,card.hook_response.cash.max_add_prob"
    assert main(["--strategy", "cash", "--only", only, "--out", str(out), *TINY]) == 0
    table = pd.read_csv(out / "sensitivity.csv")
    assert set(table["metric"]) == {"cac", "ltv_12m"}
    assert set(table["strategy"]) == {"cash"}
    assert len(table) == (1 + 2 * 2) * 2
    centre = table[table["level"] == "mode"]
    assert (centre["diff_vs_mode"] == 0.0).all()
    margin = table[table["assumption"] == "accounting.gross_margin_rate"].set_index(["level", "metric"])
    # on common random numbers the margin changes LTV, and leaves CAC exactly where it was
    assert margin.loc[("low", "cac"), "diff_vs_mode"] == 0.0
    assert margin.loc[("high", "cac"), "diff_vs_mode"] == 0.0
    assert margin.loc[("low", "ltv_12m"), "diff_vs_mode"] < 0.0 < margin.loc[("high", "ltv_12m"), "diff_vs_mode"]
    card = table[table["assumption"] == "card.hook_response.cash.max_add_prob"].set_index(["level", "metric"])
    assert card.loc[("low", "cac"), "value"] == 0.06 and card.loc[("high", "cac"), "value"] == 0.30
    tornado = tornado_table(table, "ltv_12m")
    assert {"low", "low_ci_low", "low_ci_high", "high", "high_ci_low", "high_ci_high", "extent"} <= set(tornado.columns)
    assert tornado["extent"].is_monotonic_decreasing
    assert (out / "tornado.png").is_file() and (out / "tornado.svg").is_file()
    bars = pd.read_csv(out / "tornado.csv")
    assert set(bars["metric"]) == {"cac", "ltv_12m"} and len(bars) == 4
