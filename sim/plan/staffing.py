"""Staffing: the least-cost onboarding desk (agents on duty, WeCom accounts) that keeps losses and delay under targets.

``python -m sim.plan staffing experiment=hook_cash_vs_coupon --max-loss-share 0.05 --max-mean-delay-hours 2``

For each strategy of the experiment and each desk hours tried (``--hours``, default the config's), the fewest
agents on duty whose upper 95% bounds of the share of add requests lost and of the mean greeting delay
(响应时长, request to acceptance) meet the targets, with the daily add limit lifted; then the fewest WeCom
accounts (``onboarding.daily_add_limit_per_account`` each) that still meet them (:mod:`sim.plan.staffing_search`).
Every candidate runs the experiment's replications on the same seed (common random numbers). The plan chosen
per strategy is the cheapest over the hours tried. The desk has one shift a day (its hours) and a plan keeps the
same agents all year (plus a campaign's extra agents in its window; any ``onboarding.schedule`` is dropped), so a
plan is agents per desk and accounts; it costs its
agent-hours and its WeCom accounts, the starting ones and those opened as others fill, at
``onboarding.new_account_cost_cny`` each (:class:`sim.plan.staffing_search.DeskCost`).

Then, per strategy at the hours of its plan, the schedule (``onboarding.schedule``): the fewest agents each day and
the WeCom accounts over the calendar, verified by one more run of the whole schedule
(:mod:`sim.plan.staffing_schedule`).

With several shifts a day (``onboarding.shifts``) the shifts set the hours (``--hours`` is refused) and a plan is the
agents of each shift and the accounts: the fewest agents per shift meeting the targets on the requests each shift
serves first, verified together (:mod:`sim.plan.staffing_shifts`), then the fewest accounts. The schedule is then per
shift per day (schedule entries naming their shift); ``staffing_shifts.csv`` and ``staffing_shifts.png`` show every
shift of the year plans.

Writes ``staffing.csv``, ``staffing_peak.csv``, ``staffing_calendar.csv`` when a strategy has a campaign calendar
(:mod:`sim.plan.staffing_tables`), ``staffing_schedule.csv`` (a row per day, or per day and shift) and
``staffing_schedule_summary.csv``, ``staffing_shifts.csv`` and ``staffing_shifts.png``/``.svg`` (with shifts),
``staffing.png``/``.svg``, ``staffing_schedule.png``/``.svg`` and ``staffing.md`` (in ``report.lang``) into ``--out``,
all at once at the end.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd

from sim.config.cli import EXIT_BAD_INPUT, ArgumentParser
from sim.plan.staffing_search import Desk, DeskEvaluator, Targets

MAX_AGENTS = 10_000  # onboarding.agents' upper bound in the config schema
MAX_SCHEDULE_ROUNDS = 20


def parse_hours(text: str) -> list[tuple[float, float]]:
    """``9-22,0-24``: desk hours to try, each START-END with 0 <= START < END <= 24."""
    out = []
    for part in (p.strip() for p in text.split(",")):
        try:
            start, end = (float(x) for x in part.split("-"))
        except ValueError:
            raise ValueError(f"--hours {text}: write START-END[,START-END...], e.g. 9-22,0-24") from None
        if not 0.0 <= start < end <= 24.0:
            raise ValueError(f"--hours {part}: need 0 <= START < END <= 24, e.g. 9-22 or 0-24")
        out.append((start, end))
    return list(dict.fromkeys(out))


def check_targets(max_loss_share: float, max_mean_delay_hours: float) -> Targets:
    if not 0.0 < max_loss_share < 1.0:
        raise ValueError(f"--max-loss-share {max_loss_share:g}: allowed a share between 0 and 1 (exclusive), e.g. 0.05")
    if not (math.isfinite(max_mean_delay_hours) and max_mean_delay_hours > 0.0):
        raise ValueError(f"--max-mean-delay-hours {max_mean_delay_hours:g}: allowed a positive number of hours, e.g. 2")
    return Targets(max_loss_share, max_mean_delay_hours)


def main(argv: Sequence[str] | None = None) -> int:
    parser = ArgumentParser(
        prog="python -m sim.plan staffing",
        description="The least-cost agents and WeCom accounts that keep the share of add requests lost and the mean "
        "greeting delay under targets, per strategy. Other arguments are config overrides, as for python -m sim.",
    )
    parser.add_argument("--max-loss-share", type=float, required=True, help="most add requests lost, e.g. 0.05")
    parser.add_argument("--max-mean-delay-hours", type=float, required=True, help="most mean greeting delay, e.g. 2")
    parser.add_argument("--hours", default=None, help="desk hours to try, e.g. 9-22,0-24 (default: the config's)")
    parser.add_argument("--max-agents", type=int, default=50, help="most agents to try (default: %(default)s)")
    parser.add_argument(
        "--schedule-rounds",
        type=int,
        default=3,
        help="most re-runs of the day-by-day schedule (or, with onboarding.shifts, of the per-shift plan) after "
        "raising the days (shifts) that miss (default: %(default)s)",
    )
    parser.add_argument("--strategy", action="append", help="strategy to staff (repeatable; default: all)")
    parser.add_argument("--out", type=Path, default=None, help="output directory (default: outputs/staffing/...)")
    args, overrides = parser.parse_with_overrides(argv)
    try:
        targets = check_targets(args.max_loss_share, args.max_mean_delay_hours)
        hours = parse_hours(args.hours) if args.hours else None
        if not 1 <= args.max_agents <= MAX_AGENTS:
            raise ValueError(f"--max-agents {args.max_agents}: allowed 1 to {MAX_AGENTS}")
        if not 0 <= args.schedule_rounds <= MAX_SCHEDULE_ROUNDS:
            raise ValueError(f"--schedule-rounds {args.schedule_rounds}: allowed 0 to {MAX_SCHEDULE_ROUNDS}")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT

    from sim.plan.staffing_schedule import MAX_SCHEDULE_DAYS, plan_schedule, schedule_summary, schedule_table
    from sim.plan.staffing_shifts import shift_table
    from sim.plan.staffing_tables import calendar_notes, calendar_table, peak_table, staffing_table
    from sim.plan.variants import load, only

    cfg, experiment = load(overrides)
    try:
        experiment = only(experiment, args.strategy)
    except ValueError as exc:
        print(f"error: --strategy: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    shared = experiment.shared
    if shared.run.n_replications < 2:
        print(f"error: run.n_replications={shared.run.n_replications}: allowed 2 or more (95% bounds)", file=sys.stderr)
        return EXIT_BAD_INPUT
    if shared.population.sample_share != 1.0:
        print(
            f"error: population.sample_share={shared.population.sample_share:g}: allowed only 1 for staffing "
            "(a sampled desk has fewer, slower agents, so its queue is not the real one's)",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    onboarding = experiment.strategies[next(iter(experiment.strategies))].onboarding
    if onboarding.shifts and hours:
        print(
            f"error: --hours {args.hours}: not allowed with onboarding.shifts (the shifts set the hours)",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    hours = hours or [(onboarding.work_start_hour, onboarding.work_end_hour)]

    evaluator = DeskEvaluator(cfg, overrides, experiment, shared.run.n_jobs)
    chosen, notes = year_plans(evaluator, targets, hours, args.max_agents, args.schedule_rounds)
    table = staffing_table(evaluator, targets, chosen, onboarding.daily_add_limit_per_account)
    shifts = evaluator.shifts
    most = Desk.of_shifts(shifts, [args.max_agents] * len(shifts)) if shifts else Desk(*hours[-1], args.max_agents)
    peak_hours = {s: d or most for s, d in chosen.items()}
    peaks = peak_table(evaluator, targets, peak_hours, args.max_agents, onboarding.daily_add_limit_per_account)
    calendar = calendar_table(evaluator, targets, peak_hours, onboarding.daily_add_limit_per_account)
    notes += calendar_notes(calendar)
    schedules = {}
    if shared.run.horizon_days <= MAX_SCHEDULE_DAYS:
        for strategy, desk in peak_hours.items():
            schedules[strategy] = plan_schedule(
                evaluator, strategy, desk, targets, args.max_agents, args.schedule_rounds
            )
    else:
        notes.append(f"run.horizon_days={shared.run.horizon_days}: no day-by-day schedule beyond {MAX_SCHEDULE_DAYS}")
    schedule = schedule_table(evaluator, schedules, targets)
    year_cost = {s: evaluator.cost(s, d).total_cny for s, d in chosen.items() if d is not None}
    schedule_sum = schedule_summary(schedules, schedule, targets, year_cost)
    notes += [
        f"{r.strategy}: the verified schedule meets the targets on {r.days_meeting_targets} of "
        f"{r.days_with_requests} days with requests after {r.verification_runs} runs; see staffing_schedule.csv"
        for r in schedule_sum.itertuples(index=False)
        if r.days_meeting_targets < r.days_with_requests
    ]
    lang = str(cfg.report.lang.value if hasattr(cfg.report.lang, "value") else cfg.report.lang)
    stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    out = args.out or Path("outputs") / "staffing" / f"{experiment.name}_{stamp}"
    by_shift = shift_table(evaluator, targets, chosen)
    write_staffing(out, table, peaks, calendar, (schedule, schedule_sum), by_shift, targets, notes, lang)
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(table[table["chosen"]].to_string(index=False))
        if by_shift["chosen"].any():
            print(by_shift[by_shift["chosen"]].to_string(index=False))
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"files in {out}")
    return 0


def year_plans(
    evaluator: DeskEvaluator, targets: Targets, hours: list[tuple[float, float]], max_agents: int, rounds: int
) -> tuple[dict[str, Desk | None], list[str]]:
    """Per strategy, the plan chosen (None: none meets the targets) and notes on what did not: with one shift a
    day, the cheapest over the hours tried of the fewest agents then the fewest accounts; with shifts, the fewest
    agents per shift (:func:`sim.plan.staffing_shifts.least_shift_agents`) then the fewest accounts."""
    from sim.plan.staffing_shifts import least_shift_agents
    from sim.plan.staffing_tables import choose

    chosen: dict[str, Desk | None] = {}
    notes: list[str] = []
    for strategy in evaluator.strategies:
        plans = []
        if evaluator.shifts:
            found = least_shift_agents(evaluator, strategy, targets, max_agents, rounds)
            if found is None:
                notes.append(f"{strategy}: a shift misses the targets even with {max_agents} agents")
            candidates = [] if found is None else [found]
        else:
            candidates = []
            for h in hours:
                agents = evaluator.least_agents(strategy, h, targets, max_agents)
                if agents is None:
                    notes.append(
                        f"{strategy}: desk {h[0]:g}-{h[1]:g} h misses the targets even with {max_agents} agents"
                    )
                    continue
                candidates.append(Desk(*h, agents))
        for desk in candidates:
            accounts = evaluator.least_accounts(strategy, desk, targets)
            if accounts is None:  # pragma: no cover - the limit lifted met the targets
                continue
            plan = desk.with_accounts(accounts)
            evaluator(plan)
            plans.append(plan)
        chosen[strategy] = choose([(d, evaluator.cost(strategy, d).total_cny) for d in plans])
    return chosen, notes


def write_staffing(
    out: Path,
    table: pd.DataFrame,
    peaks: pd.DataFrame,
    calendar: pd.DataFrame,
    schedule: tuple[pd.DataFrame, pd.DataFrame],
    by_shift: pd.DataFrame,
    targets: Targets,
    notes: list[str],
    lang: str,
) -> None:
    """Write the figures, the report section, ``staffing_peak.csv``, ``staffing_calendar.csv`` (with a campaign
    calendar), ``staffing_schedule.csv`` and its summary (with a schedule), ``staffing_shifts.csv`` and its figure
    (with shifts) and ``staffing.csv`` at once (or none)."""
    from sim.report.plots.staffing import staffing_figure
    from sim.report.plots.staffing_schedule import schedule_figure
    from sim.report.plots.staffing_shifts import shifts_figure
    from sim.report.staffing import schedule_markdown, shifts_markdown, staffing_markdown
    from sim.report.writers import staged, write_figure, write_table, write_text

    with staged(out) as stage:
        write_figure(
            stage, "staffing", staffing_figure(table, targets.max_loss_share, targets.max_mean_delay_hours, lang=lang)
        )
        days, summary = schedule
        if not days.empty:
            write_figure(stage, "staffing_schedule", schedule_figure(days, lang=lang))
            write_table(stage / "staffing_schedule.csv", days)
            write_table(stage / "staffing_schedule_summary.csv", summary)
        if not by_shift.empty:
            write_figure(
                stage,
                "staffing_shifts",
                shifts_figure(by_shift, targets.max_loss_share, targets.max_mean_delay_hours, lang=lang),
            )
            write_table(stage / "staffing_shifts.csv", by_shift)
        write_text(
            stage / "staffing.md",
            staffing_markdown(
                table, peaks, calendar, targets.max_loss_share, targets.max_mean_delay_hours, notes, lang=lang
            )
            + shifts_markdown(by_shift, lang)
            + schedule_markdown(summary, lang, days),
        )
        write_table(stage / "staffing_peak.csv", peaks)
        if not calendar.empty:
            write_table(stage / "staffing_calendar.csv", calendar)
        write_table(stage / "staffing.csv", table)


if __name__ == "__main__":
    sys.exit(main())
