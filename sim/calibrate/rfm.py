"""Each customer's repeat-buying history, and the distinct histories the likelihoods are summed over.

:func:`rfm_summary` turns purchases (one per customer and day) into the BG/NBD statistics
of each customer (Fader, Hardie & Lee 2005, "Counting your customers the easy way",
Marketing Science 24(2)): x repeat purchases after the first, the time t_x of the last one
and the age T at the end of the calibration period, both from the first purchase, in
**weeks**, and the mean value of the repeat purchases.

The repeat-buying likelihoods depend on a customer's (x, t_x, T) alone, and each of their
terms on fewer still: special functions of x, logs of t_x or T, functions of (x, t_x) or
(x, T). :class:`Histories` holds the distinct triples with their counts, and the distinct
values and pairs with an index from each triple, so a likelihood evaluates each term once
per distinct value: for a million customers, a few hundred thousand triples and a few
hundred values of x, instead of a million of each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.calibrate.sums import kahan_sums

DAYS_PER_WEEK = 7.0


@dataclass(frozen=True)
class RFM:
    """Per customer: repeat purchases x, recency t_x and age T (weeks), mean repeat spend (NaN if x = 0)."""

    customer: pd.Index  # the customers, sorted
    first_date: np.ndarray
    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray  # noqa: N815 - the paper's name
    mean_repeat_spend: np.ndarray

    def __len__(self) -> int:
        return self.x.size


def rfm_summary(purchases: pd.DataFrame, end: dt.date | pd.Timestamp) -> RFM:
    """BG/NBD statistics from purchases (``customer``, ``date``, ``amount``; one row per purchase).

    Only purchases on or before ``end`` count, and only customers whose first purchase is
    on or before it. T is the number of days from the first purchase to ``end`` over 7,
    so a purchase on the end date has t_x = T (the convention that reproduces the CDNOW fit).
    Customers come in sorted order. Array passes over the purchases sorted by customer and
    date; the mean repeat spend is pandas' (compensated) group mean, as it always was.
    """
    end = pd.Timestamp(end)
    date = purchases["date"].to_numpy(dtype="datetime64[ns]")
    amount = purchases["amount"].to_numpy(dtype=float)
    column = purchases["customer"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes, names = column.cat.codes.to_numpy(), column.cat.categories
    else:
        codes, names = pd.factorize(column.to_numpy(), sort=True)
        names = pd.Index(names)
    inside = date <= end.to_datetime64()
    if not inside.all():  # copies only when some purchases come after the end
        codes, date, amount = codes[inside], date[inside], amount[inside]
    del inside
    if codes.size > 1 and not _sorted_by(codes, date):
        order = np.lexsort((date, codes))
        codes, date, amount = codes[order], date[order], amount[order]
    if codes.size == 0:
        empty = np.zeros(0)
        return RFM(names[:0], date[:0], empty, empty, empty, empty)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    size = np.diff(np.r_[starts, codes.size])
    first, last = date[starts], date[np.r_[starts[1:], codes.size] - 1]
    mean_repeat_spend = _mean_repeat_spend(amount, starts, size)
    day = np.timedelta64(1, "D")
    return RFM(
        customer=names.take(codes[starts]),
        first_date=first,
        x=(size - 1).astype(float),
        t_x=((last - first) // day) / DAYS_PER_WEEK,
        T=((end.to_datetime64() - first) // day) / DAYS_PER_WEEK,
        mean_repeat_spend=mean_repeat_spend,
    )


def _mean_repeat_spend(amount: np.ndarray, starts: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Each customer's mean amount over purchases after the first (NaN if none).

    Rows are sorted by customer and date, customer k's ``size[k]`` rows starting at ``starts[k]``, so a
    customer's repeat purchases are the rows after its first. The sums are pandas'
    compensated group sums (:func:`~sim.calibrate.sums.kahan_sums`): the values its group mean
    always gave this summary, to the last bit.
    """
    is_repeat = np.ones(amount.size, dtype=bool)
    is_repeat[starts] = False
    repeat = np.flatnonzero(is_repeat)
    del is_repeat
    out = np.full(size.size, np.nan)
    if repeat.size:
        customer = np.searchsorted(starts, repeat, side="right") - 1
        runs = np.flatnonzero(np.r_[True, customer[1:] != customer[:-1]])
        count = np.diff(np.r_[runs, repeat.size])
        out[customer[runs]] = kahan_sums(amount[repeat], runs) / count
    return out


def _sorted_by(codes: np.ndarray, date: np.ndarray) -> bool:
    """Whether the rows are sorted by customer code, then date."""
    step = np.diff(codes)
    return bool((step >= 0).all() and (date[1:][step == 0] >= date[:-1][step == 0]).all())


@dataclass(frozen=True)
class Histories:
    """The distinct (x, t_x, T) triples (lexicographic order), their counts, and their distinct values and pairs.

    ``x_values[x_of]`` is ``x``, and likewise for t_x, T and the pairs (x, t_x) and (x, T).
    """

    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray  # noqa: N815 - the paper's name
    counts: np.ndarray
    x_values: np.ndarray
    x_of: np.ndarray
    t_values: np.ndarray
    t_of: np.ndarray
    T_values: np.ndarray  # noqa: N815
    T_of: np.ndarray  # noqa: N815
    xt_x: np.ndarray  # the distinct (x, t_x) pairs
    xt_t: np.ndarray
    xt_of: np.ndarray
    xT_x: np.ndarray  # noqa: N815 - the distinct (x, T) pairs
    xT_T: np.ndarray  # noqa: N815
    xT_of: np.ndarray  # noqa: N815

    @classmethod
    def of(cls, rfm: RFM) -> Histories:
        """The distinct histories of the customers in ``rfm``."""
        x, t_x, T, counts = _distinct_triples(rfm)  # noqa: N806
        x_values, x_of = np.unique(x, return_inverse=True)
        t_values, t_of = np.unique(t_x, return_inverse=True)
        T_values, T_of = np.unique(T, return_inverse=True)  # noqa: N806
        _, xt_first, xt_of = np.unique(x_of * t_values.size + t_of, return_index=True, return_inverse=True)
        _, xT_first, xT_of = np.unique(x_of * T_values.size + T_of, return_index=True, return_inverse=True)  # noqa: N806
        return cls(
            x, t_x, T, counts, x_values, x_of, t_values, t_of, T_values, T_of,
            x[xt_first], t_x[xt_first], xt_of, x[xT_first], T[xT_first], xT_of,
        )  # fmt: skip

    def __len__(self) -> int:
        return self.x.size


def _distinct_triples(rfm: RFM) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (x, t_x, T) in lexicographic order and how many customers have each.

    Recency and age are whole days over 7 when they come from :func:`rfm_summary`; then the
    triples are packed into one integer each (the same order, much faster than sorting rows).
    """
    x, t_days, age_days = rfm.x, rfm.t_x * DAYS_PER_WEEK, rfm.T * DAYS_PER_WEEK
    t_whole, age_whole = np.rint(t_days), np.rint(age_days)
    if (
        len(rfm)
        and np.abs(t_days - t_whole).max() < 1e-9
        and np.abs(age_days - age_whole).max() < 1e-9
        and np.array_equal(np.rint(x), x)
        and x.min() >= 0
        and t_whole.min() >= 0
    ):
        span = int(max(age_whole.max(), t_whole.max())) + 1
        if (x.max() + 1) * span * span < 2**62:
            key = (x.astype(np.int64) * span + t_whole.astype(np.int64)) * span + age_whole.astype(np.int64)
            _, first, counts = np.unique(key, return_index=True, return_counts=True)
            return x[first], rfm.t_x[first], rfm.T[first], counts
    stats = np.column_stack([x, rfm.t_x, rfm.T])
    uniq_rows, counts = np.unique(stats, axis=0, return_counts=True)
    return uniq_rows[:, 0], uniq_rows[:, 1], uniq_rows[:, 2], counts
