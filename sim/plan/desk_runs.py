"""The onboarding desk seen day by day: what the staffing search (:mod:`sim.plan.staffing`) measures.

One job is one replication of every strategy of an experiment on the same platform buyers (common random
numbers, as :mod:`sim.run.experiment`). For each strategy it returns, per request day of the horizon, the add
requests made, how many of them were lost (the buyer gave up waiting), how many were accepted, the sum of
their greeting delays (响应时长: request to acceptance, handling included, hours), the adds made per
calendar day (what the WeCom accounts' daily add limit counts) and the WeCom accounts opened per calendar day
(one each time an account reaches its friend cap, with ``onboarding.when_full=open_new``, and those the desk's
schedule opens on its dates). A request still
waiting when the run ends is neither lost nor accepted and is left out of both shares.

With ``onboarding.shifts`` the table has one more block of the same rows per shift (by start hour; adds and
accounts zero there): the requests each shift serves first, by the day of that shift. A request belongs to the shift
on duty when it is made, or to the next one to start (the next day's first after the last): the shift whose agents
it waits for. :func:`shift_block` picks a shift's block, which every function here takes like the whole day's.

The desk needs only a short follow-up after the horizon, long enough for the last requests to be settled:
:func:`desk_followup_days` replaces ``run.followup_days`` (members' values over the LTV window are not measured here).
:func:`desk_share` and :func:`desk_delay` turn the day counts into per-replication values and 95% intervals.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np

from sim.config import Experiment, ShiftConfig
from sim.model.funnel import LOST, NOT_ASKED, FunnelModel
from sim.model.onboarding import sorted_shifts
from sim.model.population import build_platform
from sim.model.streams import Streams
from sim.run.compare import interval
from sim.run.workers import map_in_workers

HOURS_PER_DAY = 24.0
ROWS: tuple[str, ...] = ("requests", "lost", "accepted", "delay_hours_sum", "adds", "accounts_opened")
REQUESTS, LOST_ROW, ACCEPTED, DELAY_SUM, ADDS, OPENED = range(len(ROWS))
MIN_FOLLOWUP_DAYS = 7


def desk_followup_days(experiment: Experiment) -> int:
    """Days simulated after the horizon: at least a week and ten mean patiences."""
    patience_days = experiment.shared.population.patience_hours / HOURS_PER_DAY
    return max(MIN_FOLLOWUP_DAYS, math.ceil(10.0 * patience_days))


def desk_replication(experiment: Experiment, replication: int) -> dict[str, np.ndarray]:
    """Every strategy on one replication: strategy -> array (len(ROWS), horizon_days) of day counts."""
    shared = experiment.shared
    shared = dataclasses.replace(
        shared, run=dataclasses.replace(shared.run, followup_days=desk_followup_days(experiment))
    )
    days = shared.run.horizon_days
    platform = build_platform(shared.population, days, Streams(shared.run.seed, replication), shared.platform)
    out: dict[str, np.ndarray] = {}
    for name, strategy in experiment.strategies.items():
        model = FunnelModel(strategy, shared, platform, Streams(shared.run.seed, replication))
        record = model.run(replication)
        n = len(model.people)
        status = model.status[:n]
        asked = status != NOT_ASKED
        request_day = np.floor(np.where(asked, model.requested_at[:n], -1.0)).astype(np.int64)
        shifts = sorted_shifts(strategy.onboarding) if not strategy.onboarding.unlimited else []
        table = np.zeros((len(ROWS) * (1 + len(shifts)), days))

        def count(mask: np.ndarray, weights: np.ndarray | None = None, day: np.ndarray = request_day) -> np.ndarray:
            d = day[mask]
            keep = (d >= 0) & (d < days)
            w = None if weights is None else weights[keep]
            return np.bincount(d[keep], weights=w, minlength=days)[:days]

        table[REQUESTS] = count(asked)
        table[LOST_ROW] = count(status == LOST)
        members = record.members
        buyer = members["buyer"].to_numpy(dtype=np.int64)
        delay_hours = members["wait_hours"].to_numpy(dtype=float)
        member_day = request_day[buyer]
        every = np.ones(buyer.size, dtype=bool)
        table[ACCEPTED] = count(every, day=member_day)
        table[DELAY_SUM] = count(every, delay_hours, day=member_day)
        table[ADDS] = count(every, day=np.floor(members["join_day"].to_numpy(dtype=float)).astype(np.int64))
        if model.desk is not None:
            opened = np.floor(np.asarray(model.desk.accounts.opened_days, dtype=float)).astype(np.int64)
            table[OPENED] = count(np.ones(opened.size, dtype=bool), day=opened)
        if shifts:
            shift_day, shift = serving_shift(np.where(asked, model.requested_at[:n], -1.0), shifts)
            for k in range(len(shifts)):
                rows = slice((k + 1) * len(ROWS), (k + 2) * len(ROWS))
                block = table[rows]
                on = shift == k
                block[REQUESTS] = count(asked & on, day=shift_day)
                block[LOST_ROW] = count((status == LOST) & on, day=shift_day)
                served = on[buyer]
                block[ACCEPTED] = count(served, day=shift_day[buyer])
                block[DELAY_SUM] = count(served, delay_hours[served], day=shift_day[buyer])
        out[name] = table
    return out


def serving_shift(t_request_days: np.ndarray, shifts: Sequence[ShiftConfig]) -> tuple[np.ndarray, np.ndarray]:
    """Per request time (days; negative: none): the day and index (by start hour) of the shift that serves it first,
    the one on duty then or the next to start; -1 days for none."""
    ends = np.array([s.end_hour for s in shifts], dtype=float)
    day = np.floor(t_request_days)
    hour = (t_request_days - day) * HOURS_PER_DAY + 1e-9  # a request at a shift's end, to rounding, is the next's
    k = np.searchsorted(ends, hour, side="right")
    after = k == ends.size  # after the day's last shift: the next day's first
    day = np.where(t_request_days < 0, -1, day + after).astype(np.int64)
    return day, np.where(after, 0, k)


def n_shifts(days: np.ndarray) -> int:
    """Shifts with a block in ``days`` (replications, rows, days): 0 for a desk with one shift a day."""
    return days.shape[1] // len(ROWS) - 1


def shift_block(days: np.ndarray, k: int) -> np.ndarray:
    """Shift ``k``'s rows of ``days`` (replications, rows, days), laid out like the whole day's."""
    return days[:, (k + 1) * len(ROWS) : (k + 2) * len(ROWS), :]


def run_desk(experiments: Sequence[Experiment], n_jobs: int) -> list[dict[str, np.ndarray]]:
    """Every replication of every experiment: per experiment, strategy -> array (replications, len(ROWS), days)."""
    jobs = [(i, r) for i, exp in enumerate(experiments) for r in range(exp.shared.run.n_replications)]
    parts = map_in_workers(desk_replication, [(experiments[i], r) for i, r in jobs], n_jobs)
    results: list[dict[str, list[np.ndarray]]] = [{} for _ in experiments]
    for (i, _), part in zip(jobs, parts, strict=True):
        for name, table in part.items():
            results[i].setdefault(name, []).append(table)
    return [{name: np.stack(tables) for name, tables in res.items()} for res in results]


def _window(days: np.ndarray, first_day: int, last_day: int | None) -> np.ndarray:
    """Sum the day counts of [first_day, last_day) per replication: (replications, len(ROWS))."""
    return days[:, :, first_day:last_day].sum(axis=2)


def desk_share(days: np.ndarray, first_day: int = 0, last_day: int | None = None) -> np.ndarray:
    """Per replication: lost / (lost + accepted) of the requests made in [first_day, last_day); NaN if none."""
    w = _window(days, first_day, last_day)
    settled = w[:, LOST_ROW] + w[:, ACCEPTED]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(settled > 0, w[:, LOST_ROW] / settled, np.nan)


def desk_delay(days: np.ndarray, first_day: int = 0, last_day: int | None = None) -> np.ndarray:
    """Per replication: mean greeting delay (hours) of the requests made in [first_day, last_day) and accepted."""
    w = _window(days, first_day, last_day)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(w[:, ACCEPTED] > 0, w[:, DELAY_SUM] / w[:, ACCEPTED], np.nan)


def summary(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% t-interval over replications (NaN bounds with one replication)."""
    mean, low, high, _ = interval(np.asarray(values, dtype=float))
    return mean, low, high
