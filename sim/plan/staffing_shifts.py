"""Staffing several shifts a day (``onboarding.shifts``): the least-cost agents per shift that meet the targets.

A desk with shifts (:class:`~sim.plan.staffing_search.Desk` with ``shift_agents``) keeps the config's shifts, their
names and hours, and changes only each shift's agents. A shift is judged on the requests it serves first (the
shift on duty when the request is made, or the next to start; :func:`sim.plan.desk_runs.serving_shift`): the upper
95% bounds of their share lost and mean greeting delay must meet the targets, as must the whole desk's.

:func:`least_shift_agents` searches them in two steps:

1. Desks with the same n agents on every shift: none if a shift misses even at ``max_agents``; else n doubled and
   bisected for every shift at once
   (:func:`~sim.plan.staffing_schedule.least_per_day` over shifts instead of days): per shift, the fewest agents
   meeting the targets there. A shift's agents cost in proportion to its hours, and a shift's requests are served
   by it (and, those still waiting at its end, by the next one), so fewest per shift is least cost.
2. That combination is run (common random numbers) and checked, because shifts interact: a backlog left at one
   shift's end waits for the next. A shift that misses gets one agent more (the shift with the highest upper
   bound of loss when only the whole desk misses), at most ``rounds`` times.

With ``day`` it answers for one request day instead (no verification): what a peak day needs per shift.
:func:`shift_table` gives every shift desk tried, shift by shift (``staffing_shifts.csv``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.plan.desk_runs import REQUESTS, desk_delay, desk_share, n_shifts, shift_block, summary
from sim.plan.staffing_schedule import least_per_day
from sim.plan.staffing_search import Desk, DeskEvaluator, Targets, meets_targets

SHIFT_COLUMNS = [
    "strategy",
    "desk_agents",
    "accounts",
    "shift",
    "start_hour",
    "end_hour",
    "agents",
    "requests",
    "loss_share",
    "loss_share_ci_low",
    "loss_share_ci_high",
    "mean_delay_hours",
    "mean_delay_hours_ci_low",
    "mean_delay_hours_ci_high",
    "meets_targets",
    "chosen",
]


def shift_meets(days: np.ndarray, targets: Targets, day: int | None = None) -> np.ndarray:
    """Per shift: whether its requests (over the horizon, or made on ``day``) meet the targets."""
    lo, hi = (0, None) if day is None else (day, day + 1)
    blocks = [shift_block(days, k) for k in range(n_shifts(days))]
    return np.array([meets_targets(desk_share(b, lo, hi), desk_delay(b, lo, hi), targets) for b in blocks])


def least_shift_agents(
    evaluator: DeskEvaluator, strategy: str, targets: Targets, max_agents: int, rounds: int, day: int | None = None
) -> Desk | None:
    """The fewest agents per shift meeting the targets with no daily add limit (see the module docstring); None if
    some shift misses them even with ``max_agents``."""
    shifts = evaluator.shifts

    def uniform(n: int) -> np.ndarray:
        return shift_meets(evaluator(Desk.of_shifts(shifts, [n] * len(shifts)))[strategy], targets, day)

    if not uniform(max_agents).all():  # one run settles what is out of reach, as the one-shift search does
        return None
    need = least_per_day(uniform, 1, max_agents)
    desk = Desk.of_shifts(shifts, need.tolist())
    if day is not None:
        return desk
    for _ in range(rounds):
        days = evaluator(desk)[strategy]
        missed = ~shift_meets(days, targets)
        if not missed.any():
            if evaluator.meets(strategy, desk, targets):
                return desk
            highs = [summary(desk_share(shift_block(days, k)))[2] for k in range(len(shifts))]
            missed[int(np.nanargmax(highs))] = True
        agents = np.minimum(np.array(desk.shift_agents) + missed, max_agents)
        if (agents == desk.shift_agents).all():
            return None
        desk = Desk.of_shifts(shifts, agents.tolist())
    days = evaluator(desk)[strategy]
    return desk if shift_meets(days, targets).all() and evaluator.meets(strategy, desk, targets) else None


def shift_table(evaluator: DeskEvaluator, targets: Targets, chosen: dict[str, Desk | None]) -> pd.DataFrame:
    """One row per strategy, shift desk tried and shift: its hours and agents, the requests it serves first (mean
    over replications), their share lost and mean greeting delay (mean and 95% interval), whether they meet the
    targets, and whether the desk is the plan chosen."""
    rows = []
    for desk, result in evaluator.results.items():
        if not desk.shift_agents:
            continue
        for strategy, days in result.items():
            for k, (shift, agents) in enumerate(zip(evaluator.shifts, desk.shift_agents, strict=True)):
                block = shift_block(days, k)
                loss, delay = desk_share(block), desk_delay(block)
                rows.append(
                    {
                        "strategy": strategy,
                        "desk_agents": "/".join(map(str, desk.shift_agents)),
                        "accounts": desk.accounts,
                        "shift": shift.name,
                        "start_hour": shift.start_hour,
                        "end_hour": shift.end_hour,
                        "agents": agents,
                        "requests": float(block[:, REQUESTS, :].sum(axis=1).mean()),
                        **dict(zip(SHIFT_COLUMNS[8:11], summary(loss), strict=True)),
                        **dict(zip(SHIFT_COLUMNS[11:14], summary(delay), strict=True)),
                        "meets_targets": meets_targets(loss, delay, targets),
                        "chosen": chosen.get(strategy) == desk,
                    }
                )
    table = pd.DataFrame(rows, columns=SHIFT_COLUMNS).astype({"accounts": "Int64"})
    order = {s: i for i, s in enumerate(evaluator.strategies)}
    table["_s"] = table["strategy"].map(order)
    table["_unlimited"] = table["accounts"].isna()
    return (
        table.sort_values(["_s", "_unlimited", "accounts", "desk_agents", "start_hour"], kind="stable")
        .drop(columns=["_s", "_unlimited"])
        .reset_index(drop=True)
    )


def shift_label(desk: Desk, evaluator: DeskEvaluator) -> str:
    """``早班 8-16: 3, 晚班 16-24: 5``: each shift's hours and agents."""
    return ", ".join(
        f"{sh.name} {sh.start_hour:g}-{sh.end_hour:g}: {a}"
        for sh, a in zip(evaluator.shifts, desk.shift_agents, strict=True)
    )
