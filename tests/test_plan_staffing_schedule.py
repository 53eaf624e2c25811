"""The day-by-day staffing schedule (``onboarding.schedule`` and ``python -m sim.plan staffing``'s schedule).

- The config: a schedule entry sets the agents of its days (a campaign's extra agents add to them) and opens WeCom
  accounts on its first day; a schedule that repeats ``onboarding.agents`` changes nothing, exactly.
- The search: :func:`least_per_day` finds, day by day, what :func:`least` finds for each day alone, and on a real
  desk it equals the existing one-day search (:meth:`DeskEvaluator.least_agents` with ``day``) on every day.
- Load classes: a class of days is judged on its days' counts pooled, exactly as the year plan judges the days it
  pools (:func:`meets_targets` over those days), and classes of one day each judge each day alone; days are grouped
  by their band of mean requests and their campaign extra agents.
- The command: the verified schedule never has fewer agents on a day than its load class needs, its accounts never
  fall, its cost is its days' costs; bad input is one line.
- With shifts (issue 19): an entry naming a shift sets that shift's agents (a campaign's extra agents join every
  shift), the desk serves each shift-day with them (exact event times) and the ledger pays them for the shift's
  hours; a schedule repeating each shift's agents changes nothing, bit for bit. On two_shifts with an evening SMS
  wave, the schedule gives the wave day's 晚班 more agents than its 早班 (each shift measured on the requests it
  serves first), and every load class whose need could be shown meets both targets by its pooled upper 95% bounds in
  the verification run (the wave's evening, a class of its own, by that day's own bounds).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.plan.desk_runs import OPENED, desk_delay, desk_share
from sim.plan.staffing_schedule import LOAD_STEP, day_meets, least_per_day, load_classes, slot_meets
from sim.plan.staffing_search import Desk, DeskEvaluator, Targets, least, meets_targets
from sim.plan.variants import load

# Enough buyers for a few hundred add requests a day, few days: each day's 95% bounds are informative (with 6,000
# buyers a year a day has 0-5 requests and two replications leave its bounds wide open).
SMALL = [
    "experiment=double11_campaign",
    "run.n_replications=2",
    "population.buyers_per_year=200000",
    "run.horizon_days=14",
    "run.followup_days=365",  # the config requires it; the desk runs replace it by a short follow-up
    "run.seed=17",
    "run.n_jobs=1",
    "population.start_date=2026-10-25",  # the campaign (11-01, 20 days) is days 7-13
    "population.peaks=[]",
    "onboarding.handling_minutes=20",
]
TARGETS = Targets(0.05, 2.0)


# ----------------------------------------------------------------------------- the config


def test_a_schedule_sets_its_days_agents_and_a_campaign_adds_its_extra_agents() -> None:
    from sim.model.calendar import day_plan

    overrides = [*SMALL, "onboarding.schedule=[{start:'10-27',days:3,agents:2},{start:'11-02',days:2,agents:6}]"]
    _, exp = load(overrides)
    plan = day_plan(exp.strategies["boost_with_staff"], "2026-10-25", 14)
    expected = np.full(14, 4)  # onboarding.agents
    expected[2:5] = 2
    expected[8:10] = 6
    expected[7:] += 4  # the campaign's extra agents from 11-01
    np.testing.assert_array_equal(plan.agents, expected)
    plain = day_plan(exp.strategies["business_as_usual"], "2026-10-25", 14)  # no campaign
    np.testing.assert_array_equal(plain.agents[7:10], [4, 6, 6])


def test_a_schedule_that_repeats_the_desk_changes_nothing_and_scheduled_accounts_open_on_their_day() -> None:
    from sim.plan.desk_runs import run_desk
    from sim.plan.variants import only

    small = [*SMALL[:2], "population.buyers_per_year=5000", *SMALL[3:], "onboarding.accounts=1"]
    _, plain = load(small)
    _, same = load([*small, "onboarding.schedule=[{start:'10-28',days:5,agents:4}]"])
    _, grown = load([*small, "onboarding.schedule=[{start:'10-30',days:1,accounts:3}]"])
    runs = run_desk([only(e, ["business_as_usual"]) for e in (plain, same, grown)], n_jobs=1)
    a, b, c = (r["business_as_usual"] for r in runs)
    np.testing.assert_array_equal(a, b)  # bit for bit: same buyers, same handling draws
    assert a[:, OPENED, :].sum() == 0  # friend caps (5,000) are not reached in 14 days ...
    opened = c[:, OPENED, :]  # ... so the only accounts opened are the schedule's: 2 more on 10-30 (day 5)
    assert (opened[:, 5] == 2).all() and opened.sum() == 2 * c.shape[0]


def test_after_a_day_with_more_agents_a_request_is_taken_by_an_agent_staffed_that_day() -> None:
    """Three agents on day 0, one from day 1, open round the clock: all three sit idle from the start. A request at
    day 1.5 is taken at once by agent 0 (it used to wake only agent 2, no longer staffed, and wait out its patience)."""
    import simpy

    from sim.config import OnboardingConfig
    from sim.model.onboarding import MINUTES_PER_DAY, ServiceDesk

    cfg = OnboardingConfig(agents=1, work_start_hour=0.0, work_end_hour=24.0, handling_minutes=3.0)
    env = simpy.Environment()
    log: list[tuple[str, float]] = []
    desk = ServiceDesk(
        env,
        cfg,
        np.random.default_rng(0),
        lambda b, c, t_req, t_acc: log.append(("accepted", t_acc)),
        lambda b, c, t_lost: log.append(("lost", t_lost)),
        agents_by_day=np.array([3, 1]),
        n_days=3,
    )
    env.timeout(1.5).callbacks.append(lambda _: desk.arrive(0, 0, 0.25))
    env.run(until=3.0)
    handling_days = np.random.default_rng(0).exponential(3.0) / MINUTES_PER_DAY  # the desk's first draw
    assert log == [("accepted", pytest.approx(1.5 + handling_days))]


# ----------------------------------------------------------------------------- the search


def test_least_per_day_is_least_for_every_day_at_once() -> None:
    rng = np.random.default_rng(3)
    thresholds = rng.integers(1, 40, size=200)
    thresholds[:5] = [1, 2, 39, 50, 7]  # 50: not reachable within hi = 40
    calls: list[int] = []

    def meets(n: int) -> np.ndarray:
        calls.append(n)
        return n >= thresholds

    need = least_per_day(meets, 1, 40)
    expected = [least(lambda n, th=th: n >= th, 1, 40) or 0 for th in thresholds]
    np.testing.assert_array_equal(need, expected)
    assert len(set(calls)) <= 40  # every count at most once ...
    assert len(calls) == len(set(calls))  # ... and never twice


def test_on_a_real_desk_the_day_by_day_search_equals_the_one_day_search_on_every_day() -> None:
    """Same runs (cached, same seed), two searches: the vectorised per-day bounds and the existing per-day one."""
    cfg, experiment = load(SMALL)
    evaluator = DeskEvaluator(cfg, SMALL, experiment, n_jobs=1)
    hours = (0.0, 24.0)
    need = least_per_day(lambda n: day_meets(evaluator(Desk(*hours, n))["boost_only"], TARGETS), 1, 8)
    days = evaluator(Desk(*hours, 1))["boost_only"]
    for day in range(days.shape[2]):
        loss, delay = desk_share(days, day, day + 1), desk_delay(days, day, day + 1)
        assert day_meets(days, TARGETS)[day] == meets_targets(loss, delay, TARGETS), day
        assert need[day] == (evaluator.least_agents("boost_only", hours, TARGETS, 8, day=day) or 0), day
    assert len(set(need[7:])) > 1  # the campaign's busy days need more than its first: the check compares something


def test_a_load_class_is_judged_on_its_days_pooled_as_the_year_plan_judges_the_days_it_pools() -> None:
    """Classes of scattered days: each class's verdict is meets_targets over exactly its days (the year plan's rule on
    fewer days); one class of every day is the year plan's verdict; a class per day is each day alone."""
    cfg, experiment = load(SMALL)
    evaluator = DeskEvaluator(cfg, SMALL, experiment, n_jobs=1)
    horizon = experiment.shared.run.horizon_days
    classes = np.random.default_rng(5).integers(0, 3, size=horizon)
    verdicts = set()
    for n in (1, 2, 3):
        desk = Desk(0.0, 24.0, n)
        days = evaluator(desk)["boost_only"]
        judged = slot_meets(days, TARGETS, classes[:, None])[:, 0]
        for c in range(3):
            members = np.flatnonzero(classes == c)
            some = days[:, :, members]
            expected = meets_targets(desk_share(some), desk_delay(some), TARGETS)
            assert (judged[members] == expected).all(), (n, c)
            verdicts.add(expected)
        whole = slot_meets(days, TARGETS, np.zeros((horizon, 1), dtype=int))[:, 0]
        assert (whole == evaluator.meets("boost_only", desk, TARGETS)).all(), n
        alone = slot_meets(days, TARGETS, np.arange(horizon)[:, None])[:, 0]
        np.testing.assert_array_equal(alone, day_meets(days, TARGETS))
    assert verdicts == {True, False}  # some class meets and some misses: the check compares something


def test_days_share_a_load_class_exactly_when_their_band_of_requests_and_extra_agents_agree() -> None:
    rng = np.random.default_rng(11)
    requests = rng.lognormal(2.0, 1.5, size=(400, 2))
    requests[rng.random(requests.shape) < 0.1] = 0.0  # days without a request
    extra = rng.integers(0, 2, size=requests.shape)
    classes = load_classes(requests, extra)
    with np.errstate(divide="ignore"):
        band = np.maximum(np.floor(np.log(requests) / np.log(LOAD_STEP)), -1e9)  # no request: below every band
    for k in range(2):
        same_class = classes[:, k][:, None] == classes[:, k][None, :]
        same_key = (band[:, k][:, None] == band[:, k][None, :]) & (extra[:, k][:, None] == extra[:, k][None, :])
        np.testing.assert_array_equal(same_class, same_key)
        assert sorted(set(classes[:, k])) == list(range(classes[:, k].max() + 1))  # numbered 0, 1, ...
        order = np.argsort(classes[:, k], kind="stable")
        assert (np.diff(band[order, k]) >= 0).all()  # by increasing load (no request first)
    assert classes.max() > 10 and np.bincount(classes[:, 0]).max() >= 5  # many classes, some of several days


# ----------------------------------------------------------------------------- the command


def test_the_schedule_is_verified_never_below_a_days_own_need_and_costs_its_days(tmp_path: Path) -> None:
    from sim.plan.__main__ import main

    out = tmp_path / "staff"
    args = ["staffing", "--max-loss-share", "0.05", "--max-mean-delay-hours", "2", "--hours", "0-24"]
    rounds = ["--schedule-rounds", "0"]  # the search's schedule as it is, verified once and not raised
    assert main([*args, "--max-agents", "8", *rounds, "--strategy", "boost_only", "--out", str(out), *SMALL]) == 0
    days = pd.read_csv(out / "staffing_schedule.csv")
    assert len(days) == 14 and (days["shift"] == "0-24").all()
    needed = days.dropna(subset=["agents_needed"])
    assert (needed["agents"] >= needed["agents_needed"]).all()
    assert needed["agents_needed"].max() > 1  # some day needs more than one agent: the check compares something
    assert (np.diff(days["accounts"]) >= 0).all()  # an account opened stays
    # new_account_cost_cny is 0: a day costs its agents at CNY 250 an agent-day of the config's 13 open hours
    np.testing.assert_allclose(days["cost_cny"], days["agents"] * 250 * 24 / 13)
    summary = pd.read_csv(out / "staffing_schedule_summary.csv").iloc[0]
    assert summary["cost_cny"] == pytest.approx(days["cost_cny"].sum())
    assert summary["agent_days"] == days["agents"].sum()
    assert summary["days_meeting_targets"] == (days["meets_targets"] & (days["requests"] > 0)).sum()
    assert summary["verification_runs"] == 1
    assert (out / "staffing_schedule.png").is_file() and (out / "staffing_schedule.svg").is_file()
    assert "### Day-by-day schedule" in (out / "staffing.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--schedule-rounds", "-1"], "--schedule-rounds -1: allowed 0 to 20"),
        (
            ["onboarding.schedule=[{start:'11-01',days:2,shift:3}]"],
            "onboarding.schedule[0].shift='3': allowed only with onboarding.shifts",
        ),
        (["onboarding.schedule=[{start:'11-31',days:2,agents:2}]"], "onboarding.schedule[0].start"),
        (["onboarding.schedule=[{start:'11-01',days:2}]"], "must set agents, accounts or both"),
        (["onboarding.schedule=[{start:'11-01',days:2,agents:0}]"], "onboarding.schedule"),
        (
            ["onboarding=two_shifts", "onboarding.schedule=[{start:'11-01',days:2,shift:'夜班',agents:2}]"],
            "onboarding.schedule[0].shift='夜班': unknown shift; allowed: '早班', '晚班'",
        ),
        (
            ["onboarding=two_shifts", "onboarding.schedule=[{start:'11-01',days:2,shift:'早班',accounts:2}]"],
            "onboarding.schedule[0].shift='早班': names the shift whose agents the entry sets: set agents",
        ),
    ],
)
def test_bad_schedule_input_is_one_line_exit_2_and_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], says: str
) -> None:
    from sim.plan.__main__ import main

    out = tmp_path / "staff"
    args = ["staffing", "--max-loss-share", "0.05", "--max-mean-delay-hours", "2", "--out", str(out)]
    try:
        code = main([*args, *SMALL, *extra])
    except SystemExit as exc:  # a bad config value stops at composition, before anything runs
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and says in err[0], err
    assert not out.exists()


# ----------------------------------------------------------------------------- the schedule with shifts (issue 19)

TWO_SHIFTS = ["onboarding=two_shifts"]  # 早班 8-16 with 2 agents, 晚班 16-24 with 3


def test_a_schedule_entry_sets_its_shifts_agents_and_a_campaign_adds_to_every_shift() -> None:
    from sim.model.calendar import day_plan

    entries = "[{start:'10-27',days:3,shift:'晚班',agents:6},{start:'11-02',days:2,shift:'早班',agents:1}]"
    _, exp = load([*SMALL, *TWO_SHIFTS, f"onboarding.schedule={entries}"])
    plan = day_plan(exp.strategies["boost_with_staff"], "2026-10-25", 14)
    expected = np.tile([2, 3], (14, 1))  # each shift's own agents (by start hour) ...
    expected[2:5, 1] = 6  # ... 晚班 from 10-27 for 3 days
    expected[8:10, 0] = 1  # ... 早班 from 11-02 for 2 days
    expected[7:] += 4  # the campaign's extra agents from 11-01 join every shift
    np.testing.assert_array_equal(plan.shift_agents, expected)
    np.testing.assert_array_equal(plan.agents, np.where(np.arange(14) >= 7, 8, 4))  # the one-shift desk: unchanged


def test_a_scheduled_shift_serves_with_its_days_agents_and_is_paid_for_its_hours() -> None:
    """早班 00-12 with 1 agent and 晚班 12-24 with 2, but 早班 has 2 on day 1: two requests at 01:00 on day 0 are taken
    in turn, two at 01:00 on day 1 at once (exact event times). The ledger pays each day's shift agents x 12 h / 13 h
    (the default 9-22 agent-day)."""
    import simpy
    from _helpers import make_shared, quiet_strategy
    from test_onboarding import SEED, H, handling_times

    from sim.config import OnboardingConfig, ScheduleEntryConfig, ShiftConfig
    from sim.model.funnel import simulate
    from sim.model.onboarding import ServiceDesk

    cfg = OnboardingConfig(shifts=[ShiftConfig("早班", 0.0, 12.0, 1), ShiftConfig("晚班", 12.0, 24.0, 2)])
    env = simpy.Environment()
    accepted: dict[int, float] = {}
    desk = ServiceDesk(
        env,
        cfg,
        np.random.default_rng(SEED),
        lambda b, c, t_req, t_acc: accepted.__setitem__(b, t_acc),
        lambda b, c, t_lost: None,
        shift_agents_by_day=np.array([[1, 2], [2, 2], [1, 2]]),
        n_days=3,
    )
    for buyer, t in enumerate([H, H, 1.0 + H, 1.0 + H]):
        env.timeout(t).callbacks.append(lambda _, b=buyer: desk.arrive(b, 0, 5.0))
    env.run(until=3.0)
    h = handling_times(cfg, 4)
    assert [accepted[b] for b in (0, 1)] == pytest.approx([H + h[0], H + h[0] + h[1]])  # one agent: in turn
    assert [accepted[b] for b in (2, 3)] == pytest.approx([1.0 + H + h[2], 1.0 + H + h[3]])  # two: at once

    schedule = [ScheduleEntryConfig("01-03", 2, 3, shift="晚班")]
    strategy = quiet_strategy(onboarding=dataclasses.replace(cfg, schedule=schedule))
    staff = simulate(strategy, make_shared(seed=3, buyers_per_year=3_000, horizon_days=8), 0).ledger
    expected = np.full(8, (1 + 2) * 12 / 13 * cfg.cost_per_agent_day_cny)
    expected[2:4] = (1 + 3) * 12 / 13 * cfg.cost_per_agent_day_cny
    assert staff["onboarding_staff"].to_numpy()[:8] == pytest.approx(expected)


def test_a_shift_schedule_that_repeats_each_shifts_agents_changes_nothing() -> None:
    from sim.plan.desk_runs import run_desk
    from sim.plan.variants import only

    small = [*SMALL[:2], "population.buyers_per_year=5000", *SMALL[3:], *TWO_SHIFTS]
    _, plain = load(small)
    same = "[{start:'10-28',days:5,shift:'早班',agents:2},{start:'10-29',days:3,shift:'晚班',agents:3}]"
    _, repeated = load([*small, f"onboarding.schedule={same}"])
    a, b = (r["business_as_usual"] for r in run_desk([only(e, ["business_as_usual"]) for e in (plain, repeated)], 1))
    assert a[:, 0, :].sum() > 0  # requests were made: the comparison compares something
    np.testing.assert_array_equal(a, b)  # bit for bit, every shift's block too


# An evening SMS wave (10-30 at 16:00, to 40,000 past buyers, a CNY 10 cash hook, never filtered) on two_shifts: its
# replies arrive over the evening (mean 4 h), so that day 晚班 (16-24) serves about 90 requests against 早班's 23
# (早班 serves the night's requests too, so on other days it is the busier one). Three replications: with two, a
# day's t-interval (t = 12.7) leaves most shift-days unshown. Patience 72 h and handling 20 min: a handful of agents.
WAVE_DAY = "2026-10-30"
EVENING_WAVE = [
    "experiment=hook_cash_vs_coupon",
    "run.n_replications=3",
    "population.buyers_per_year=200000",
    "run.horizon_days=7",
    "run.followup_days=365",
    "run.seed=17",
    "run.n_jobs=1",
    "population.start_date=2026-10-26",
    "population.peaks=[]",
    "population.patience_hours=72",
    "onboarding.handling_minutes=20",
    *TWO_SHIFTS,
    "population.base.size=40000",
    "sms.waves=[{name:evening,date:'10-30',send_hour:16,audience:base,filter_prob:0,hook:{type:cash,value_cny:10}}]",
]


def test_the_shift_schedule_staffs_the_evening_wave_and_each_verified_shift_meets_the_targets(tmp_path: Path) -> None:
    from sim.plan.__main__ import main

    out = tmp_path / "staff"
    args = ["staffing", "--max-loss-share", "0.1", "--max-mean-delay-hours", "6", "--max-agents", "4"]
    assert main([*args, "--strategy", "cash", "--out", str(out), *EVENING_WAVE]) == 0
    slots = pd.read_csv(out / "staffing_schedule.csv")
    assert len(slots) == 7 * 2 and slots["shift"].tolist() == ["早班", "晚班"] * 7  # a row per date x shift
    wave = slots[slots["date"] == WAVE_DAY].set_index("shift")
    assert wave.loc["晚班", "requests"] > 2 * wave.loc["早班", "requests"]
    need = wave["agents_needed"]
    assert need.notna().all() and need["晚班"] > need["早班"], need  # the evening needs more that day ...
    assert wave.loc["晚班", "agents"] > wave.loc["早班", "agents"]  # ... and the verified schedule staffs it so
    quiet = slots[(slots["date"] < WAVE_DAY) & slots["agents_needed"].notna()]
    assert quiet.groupby("shift")["agents"].max()["晚班"] < wave.loc["晚班", "agents"]  # the wave's evening alone
    # every load class whose need could be shown meets the targets by its pooled upper 95% bounds in the verification
    # run; the wave's evening is a class of its own, so its own day's bounds meet them
    shown = slots[slots["agents_needed"].notna() & (slots["requests"] > 0)]
    assert len(shown) >= 8 and shown["meets_targets"].all()
    assert wave.loc["晚班", "load_class_days"] == 1
    assert wave.loc["晚班", "loss_share_ci_high"] <= 0.1 and wave.loc["晚班", "mean_delay_hours_ci_high"] <= 6
    assert (slots["agents"] >= slots["agents_needed"].fillna(0)).all()
    # accounts are free by default: a shift-day costs its agents x 8 h / 13 h (an agent-day of the 9-22 desk) x CNY 250
    np.testing.assert_allclose(slots["cost_cny"], slots["agents"] * 250 * 8 / 13)
    summary = pd.read_csv(out / "staffing_schedule_summary.csv").iloc[0]
    assert summary["shift"] == "8-24" and summary["cost_cny"] == pytest.approx(slots["cost_cny"].sum())
    assert summary["agent_days"] == pytest.approx(slots["agents"].sum() * 8 / 13)
    report = (out / "staffing.md").read_text(encoding="utf-8")
    assert "Agents a day (fewest–most)" in report and "| cash | 晚班 |" in report
