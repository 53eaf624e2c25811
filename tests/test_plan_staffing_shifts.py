"""Several shifts a day at the onboarding desk (``onboarding.shifts``) and their staffing plan.

- Each shift against Erlang-A: stationary Poisson requests round the clock, two 12-hour shifts (早班 00-12 with 2
  agents, 晚班 12-24 with 3), exponential handling (3 min) and patience (6 min), no add limit. A shift is 120 mean
  patiences and 240 mean handling times long, so the queue forgets the previous shift within minutes and each shift
  is M/M/n+M at its own agents. Each shift's share lost and the mean greeting delay of its served requests (wait +
  handling) must match Erlang-A at that shift's agents within 3 standard errors over independent replications
  (SE = sd / sqrt(R)); the bias left by the hand-over is about (relaxation time / shift length) x the gap between
  the shifts' values, under 1% of it, well inside 3 SE. The check can fail: each shift's measurements are more than
  3 SE from Erlang-A at the other shift's agents.
- Requests are counted by the shift that serves them first: the one on duty, or the next to start.
- The desk (exact event times): a request between shifts waits for the next and may give up meanwhile; each shift
  serves with its own agents. Shift agents are paid for their hours, a campaign's extra agents on every shift.
- The config: overlapping shifts, reversed hours, duplicate names and a schedule entry setting agents beside shifts
  without naming its shift are one ``error:`` line; the default (no shifts) runs exactly as before
  (tests/test_golden.py).
- The planner (slow): each chosen shift meets the targets with the fewest agents the search can show; the figure;
  the shift counts are the same serial and parallel.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _helpers import NO_UNSUBSCRIBE, assert_within_3se, make_shared, quiet_strategy
from test_onboarding import H, handling_times, t_accept
from test_onboarding import run_desk as run_desk_log
from test_plan_staffing import TINY

from sim.config import (
    CalendarConfig,
    CampaignConfig,
    CardConfig,
    ChannelConfig,
    Experiment,
    OfferConfig,
    OnboardingConfig,
    ShiftConfig,
)
from sim.model.capture import card_add_prob
from sim.model.funnel import simulate
from sim.model.onboarding import shift_agent_days
from sim.plan.desk_runs import REQUESTS, desk_delay, desk_share, run_desk, serving_shift, shift_block
from sim.plan.erlang_a import erlang_a

R = 6  # independent replications
HORIZON_DAYS = 24
WARMUP_DAYS = 8  # the desk starts empty and requests ramp up while the first parcels travel
ARRIVALS_PER_HOUR = 50.0
HANDLING_MINUTES = 3.0
PATIENCE_HOURS = 0.05
SHIFTS = [ShiftConfig("早班", 0.0, 12.0, 3), ShiftConfig("晚班", 12.0, 24.0, 4)]


def shifts_experiment(seed: int) -> Experiment:
    """One strategy whose add requests are a stationary Poisson stream (first cards only), served by ``SHIFTS``."""
    card = CardConfig(floor_add_prob=1.0, repeat_card_factor=0.0)
    strategy = quiet_strategy(
        channel=ChannelConfig(card=True, sms=False),
        card=card,
        onboarding=OnboardingConfig(
            handling_minutes=HANDLING_MINUTES,
            accounts=1,
            daily_add_limit_per_account=1_000_000,
            shifts=SHIFTS,
        ),
        offer=OfferConfig(first_order_prob=0.0),
    )
    shared = make_shared(
        seed=seed,
        buyers_per_year=round(ARRIVALS_PER_HOUR * 24 * 365 / card_add_prob(strategy.hook, card)),
        horizon_days=HORIZON_DAYS,
        followup_days=2,
        n_replications=R,
        unsubscribe=NO_UNSUBSCRIBE,
        peaks=[],
        patience_hours=PATIENCE_HOURS,
    )
    return Experiment(name="shifts", question="", baseline="quiet", strategies={"quiet": strategy}, shared=shared)


def test_each_shift_matches_erlang_a_at_its_own_agents() -> None:
    days = run_desk([shifts_experiment(seed=23)], n_jobs=1)[0]["quiet"]
    handling_hours = HANDLING_MINUTES / 60.0
    measured = []
    for k, shift in enumerate(SHIFTS):
        block = shift_block(days, k)
        loss, delay = desk_share(block, WARMUP_DAYS), desk_delay(block, WARMUP_DAYS)
        se_loss, se_delay = loss.std(ddof=1) / math.sqrt(R), delay.std(ddof=1) / math.sqrt(R)
        expected = erlang_a(ARRIVALS_PER_HOUR, handling_hours, PATIENCE_HOURS, shift.agents)
        where = f"shift {shift.name}: M/M/{shift.agents}+M, lambda {ARRIVALS_PER_HOUR:g}/h"
        assert_within_3se(loss.mean(), expected.p_abandon, se_loss, f"Erlang-A {where}: share lost")
        assert_within_3se(
            delay.mean(),
            expected.mean_wait_served_hours + handling_hours,
            se_delay,
            f"Erlang-A {where}: mean greeting delay of served (wait + handling)",
            unit=" h",
        )
        measured.append((loss.mean(), se_loss, delay.mean(), se_delay))
    # the check can fail: each shift's measurements are far from Erlang-A at the other shift's agents
    for (loss, se_loss, delay, se_delay), other in zip(measured, reversed(SHIFTS), strict=True):
        wrong = erlang_a(ARRIVALS_PER_HOUR, handling_hours, PATIENCE_HOURS, other.agents)
        assert abs(loss - wrong.p_abandon) > 3 * se_loss
        assert abs(delay - (wrong.mean_wait_served_hours + handling_hours)) > 3 * se_delay


def test_a_request_belongs_to_the_shift_on_duty_or_the_next_to_start() -> None:
    shifts = [ShiftConfig("early", 8.0, 16.0, 1), ShiftConfig("late", 16.0, 23.0, 1)]
    hours = np.array([7.0, 8.0, 15.99, 16.0, 22.5, 23.0, 23.5])
    day, k = serving_shift(2.0 + hours / 24.0, shifts)
    assert k.tolist() == [0, 0, 0, 1, 1, 0, 0]
    assert day.tolist() == [2, 2, 2, 2, 2, 3, 3]
    none_day, _ = serving_shift(np.array([-1.0]), shifts)
    assert none_day.tolist() == [-1]


# ----------------------------------------------------------------------------- the desk, shift by shift

GAP = OnboardingConfig(shifts=[ShiftConfig("early", 8.0, 12.0, 1), ShiftConfig("late", 14.0, 20.0, 1)])
EARLY_ONE_LATE_TWO = OnboardingConfig(shifts=[ShiftConfig("早班", 0.0, 12.0, 1), ShiftConfig("晚班", 12.0, 24.0, 2)])


def test_a_request_between_shifts_waits_for_the_next_one_and_may_give_up_meanwhile() -> None:
    h = handling_times(GAP, 2)
    log = run_desk_log(GAP, [(13 * H, 5.0), (13.2 * H, 0.5 * H), (1.0 + 21 * H, 5.0)], until=5.0)
    assert t_accept(log, 0) == pytest.approx(14 * H + h[0])  # 13:00, between the shifts: at 14:00
    assert log["lost"] == {1: (7, pytest.approx(13.7 * H))}  # half an hour's patience runs out before 14:00
    assert t_accept(log, 2) == pytest.approx(2.0 + 8 * H + h[1])  # after the last shift: 08:00 the next day


def test_each_shift_serves_with_its_own_agents() -> None:
    h = handling_times(EARLY_ONE_LATE_TWO, 4)
    log = run_desk_log(EARLY_ONE_LATE_TWO, [(13 * H, 5.0), (13 * H, 5.0), (1.0 + H, 5.0), (1.0 + H, 5.0)], until=5.0)
    assert [t_accept(log, b) for b in (0, 1)] == pytest.approx([13 * H + h[0], 13 * H + h[1]])  # two at once
    assert [t_accept(log, b) for b in (2, 3)] == pytest.approx([1.0 + H + h[2], 1.0 + H + h[2] + h[3]])  # in turn


def test_shift_agents_are_paid_for_their_hours_and_campaign_agents_join_every_shift() -> None:
    """An agent-day pays work_end_hour - work_start_hour hours (13 by default): two early agents for 8 h and four
    late ones for 8 h are 48/13 agent-days a day; a day with 1 extra agent adds 16/13; the ledger books that."""
    cfg = OnboardingConfig(shifts=[ShiftConfig("早班", 8.0, 16.0, 2), ShiftConfig("晚班", 16.0, 24.0, 4)])
    shift_agents = np.array([[2, 4], [3, 5], [2, 4]])
    assert shift_agent_days(cfg, shift_agents) == pytest.approx([48 / 13, 64 / 13, 48 / 13])
    shared = make_shared(seed=3, buyers_per_year=3_000, horizon_days=20, followup_days=5)
    campaign = CampaignConfig(name="boost", start="01-05", days=2, extra_agents=1)
    strategy = quiet_strategy(onboarding=cfg, calendar=CalendarConfig(campaigns=[campaign]))
    staff = simulate(strategy, shared, 0).ledger["onboarding_staff"].to_numpy()[:20]
    expected = np.full(20, 48 / 13 * cfg.cost_per_agent_day_cny)
    expected[4:6] = 64 / 13 * cfg.cost_per_agent_day_cny
    assert staff == pytest.approx(expected)


@pytest.mark.parametrize(
    ("override", "says"),
    [
        (
            "[{name:a,start_hour:8,end_hour:16,agents:2},{name:b,start_hour:15,end_hour:24,agents:4}]",
            "onboarding.shifts[1].start_hour=15.0: overlaps onboarding.shifts[0] (a, 8-16)",
        ),
        ("[{name:a,start_hour:16,end_hour:8,agents:2}]", "onboarding.shifts[0].end_hour=8.0: must be later"),
        (
            "[{name:a,start_hr:8,end_hour:16,agents:2}]",
            "onboarding.shifts[0].start_hr=8: unknown key; allowed keys: name, start_hour, end_hour, agents",
        ),
        ("[{name:a,start_hour:8,end_hour:25,agents:2}]", "onboarding.shifts[0].end_hour=25.0: allowed range [0, 24]"),
        ("[{name:a,start_hour:8,end_hour:16,agents:-1}]", "onboarding.shifts[0].agents=-1: allowed range [0, 10000]"),
        (
            "[{name:a,start_hour:0,end_hour:8,agents:1},{name:a,start_hour:8,end_hour:9,agents:1}]",
            "onboarding.shifts[1].name='a': must be a non-empty name used by no other shift",
        ),
    ],
)
def test_bad_shifts_are_one_line_exit_2_and_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], override: str, says: str
) -> None:
    from sim.plan.__main__ import main

    out = tmp_path / "staff"
    args = ["staffing", "--max-loss-share", "0.05", "--max-mean-delay-hours", "2", "--out", str(out)]
    try:
        code = main([*args, *TINY, f"onboarding.shifts={override}"])
    except SystemExit as exc:  # a bad config value stops at composition, before anything runs
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and says in err[0], err
    assert not out.exists()


def test_shifts_leave_the_hours_to_try_out_and_schedule_agents_name_their_shift(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sim.plan.__main__ import main

    out = tmp_path / "staff"
    shifts = "onboarding.shifts=[{name:a,start_hour:8,end_hour:20,agents:1}]"
    args = ["staffing", "--max-loss-share", "0.05", "--max-mean-delay-hours", "2", "--out", str(out), *TINY, shifts]
    assert main([*args, "--hours", "0-24"]) == 2
    schedule = "onboarding.schedule=[{start:'01-05',days:2,agents:3}]"
    try:
        code = main([*args, schedule])
    except SystemExit as exc:
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("error: --hours 0-24: not allowed with onboarding.shifts"), err
    assert err[1].startswith("error: onboarding.schedule[0].agents=3: with onboarding.shifts, name the shift"), err
    assert len(err) == 2 and not out.exists()


# ----------------------------------------------------------------------------- the planner with shifts

SHIFTS_RUN = [
    "experiment=hook_cash_vs_coupon",
    "run.n_replications=4",
    "population.buyers_per_year=12000",
    "run.horizon_days=40",
    "run.followup_days=365",
    "run.seed=17",
    "run.n_jobs=1",
    "onboarding.handling_minutes=240",
    "onboarding.shifts=[{name:'早班',start_hour:8,end_hour:16,agents:1},{name:'晚班',start_hour:16,end_hour:24,agents:1}]",
]


@pytest.mark.slow
def test_the_planner_finds_the_fewest_agents_per_shift(tmp_path: Path) -> None:
    """Each chosen shift meets the targets by its upper bounds; each has the fewest agents the search can show: the
    least n at which the same n on every shift meets that shift's targets, or one more where the desk with one agent
    fewer on that shift (the others as chosen) was run and missed. Its agent cost is each shift's agents x 8 h / 13 h
    (an agent-day of the default 9-22 desk) x CNY 250 x 40 days."""
    from sim.plan.__main__ import main

    out = tmp_path / "staff"
    targets = ["--max-loss-share", "0.15", "--max-mean-delay-hours", "10"]
    assert main(["staffing", *targets, "--max-agents", "4", "--strategy", "cash", "--out", str(out), *SHIFTS_RUN]) == 0
    by_shift = pd.read_csv(out / "staffing_shifts.csv", dtype={"desk_agents": str})
    table = pd.read_csv(out / "staffing.csv", dtype={"shift_agents": str})
    chosen = by_shift[by_shift["chosen"]]
    assert chosen["shift"].tolist() == ["早班", "晚班"]
    assert chosen["meets_targets"].all()
    assert (chosen["loss_share_ci_high"] <= 0.15).all() and (chosen["mean_delay_hours_ci_high"] <= 10).all()
    unlimited = by_shift[by_shift["accounts"].isna()]
    for strategy, rows in chosen.groupby("strategy"):
        agents = rows.sort_values("start_hour")["agents"].tolist()
        for k, shift in enumerate(["早班", "晚班"]):
            same = unlimited[(unlimited["strategy"] == strategy) & (unlimited["shift"] == shift)]
            uniform = same[same["desk_agents"].str.split("/").map(lambda a: len(set(a)) == 1)]
            need = int(uniform[uniform["meets_targets"]]["agents"].min())
            fewer = "/".join(str(a - (i == k)) for i, a in enumerate(agents))
            missed = not by_shift[(by_shift["strategy"] == strategy) & (by_shift["desk_agents"] == fewer)][
                "meets_targets"
            ].all()
            assert agents[k] == need or missed, (strategy, shift, agents)
        plan = table[(table["strategy"] == strategy) & table["chosen"]].iloc[0]
        assert plan["shift_agents"] == "/".join(map(str, agents))
        assert plan["agent_cost_cny"] == pytest.approx(sum(agents) * 8 / 13 * 250.0 * 40)
    assert "### Shifts" in (out / "staffing.md").read_text(encoding="utf-8")
    assert (out / "staffing_shifts.png").is_file()
    schedule = pd.read_csv(out / "staffing_schedule.csv")  # the day-by-day schedule: a row per day and shift
    assert schedule["shift"].tolist() == ["早班", "晚班"] * 40
    # a peak day's need per shift is blank here: one day's few requests leave its 95% bounds wide with 4 replications
    assert "shift_agents_needed" in pd.read_csv(out / "staffing_peak.csv").columns


def test_the_shifts_figure_steps_through_each_shifts_agents_over_the_day() -> None:
    from sim.report.plots.staffing_shifts import shifts_figure

    measures = {f"{m}{s}": 0.01 for m in ("loss_share", "mean_delay_hours") for s in ("", "_ci_low", "_ci_high")}
    rows = pd.DataFrame(
        [
            {"strategy": "cash", "shift": "早班", "start_hour": 8.0, "end_hour": 16.0, "agents": 2, "chosen": True},
            {"strategy": "cash", "shift": "晚班", "start_hour": 16.0, "end_hour": 24.0, "agents": 3, "chosen": True},
        ]
    ).assign(**measures)
    fig = shifts_figure(rows, 0.05, 2.0)
    (step,) = fig.axes[0].get_lines()
    assert step.get_xdata().tolist() == [0.0, 8.0, 16.0, 24.0]
    assert step.get_ydata().tolist() == [0.0, 2.0, 3.0, 3.0]  # closed before 08:00; the last step runs to 24:00
    none = shifts_figure(rows.assign(chosen=False), 0.05, 2.0)
    assert not none.axes[0].get_lines() and "No agents per shift" in none.axes[0].get_title(loc="left")


def test_shift_counts_are_the_same_serial_and_parallel() -> None:
    exp = shifts_experiment(seed=5)
    short = dataclasses.replace(
        exp.shared, run=dataclasses.replace(exp.shared.run, n_replications=2, horizon_days=6, followup_days=1)
    )
    exp = dataclasses.replace(exp, shared=short)
    serial, parallel = (run_desk([exp], n_jobs=n)[0]["quiet"] for n in (1, 2))
    assert shift_block(serial, 1)[:, REQUESTS, :].sum() > 0
    np.testing.assert_array_equal(serial, parallel)
