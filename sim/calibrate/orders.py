"""Reading a merchant's order export: one row per order, in CSV or Excel, English or Chinese headers.

:func:`load_orders` finds the customer, date and amount columns (or takes the names given;
:mod:`sim.calibrate.columns`), reads them (:mod:`sim.calibrate.table`: GBK/GB18030 as well as
UTF-8 with or without BOM, title lines above the header, millions of rows in bounded memory),
parses dates and amounts once per distinct string, drops refunded, cancelled and
zero-amount orders, and merges a customer's orders of the same day into one purchase (as
Fader, Hardie & Lee do for CDNOW). It returns the purchases with counts of what it dropped
and merged.

A zero-amount order (a free sample, a fully discounted order) is not a purchase of any
value, but when it is the first order of a customer who later pays, it is when the customer
arrived: that order stays as the customer's first purchase (with amount 0), so that dropping
zero amounts never moves a first purchase later and turns a repeat purchase into a first one.
A customer whose orders are all zero-amount is dropped.

Bad input raises :class:`OrdersError` with a one-line message naming the problem and,
where there is one, the row. Rows are numbered as the file shows them: a CSV's line
number, an Excel sheet's row number (with the header on the first line, the first order
is row 2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sim.calibrate.columns import Columns, OrdersError, find_columns
from sim.calibrate.sums import kahan_sums
from sim.calibrate.table import Column, Table, plain, read_table

__all__ = ["Columns", "Orders", "OrdersError", "find_columns", "load_orders", "parse_amounts", "parse_dates"]

# An order whose status contains one of these is refunded, cancelled or never paid; it is dropped.
DROPPED_STATUS_WORDS: tuple[str, ...] = (
    "退款成功",
    "已退款",
    "全额退款",
    "交易关闭",
    "已关闭",
    "已取消",
    "订单取消",
    "取消",
    "等待买家付款",
    "待付款",
    "未付款",
    "refund",
    "cancel",
    "closed",
    "void",
    "unpaid",
    "pending",
)


@dataclass(frozen=True)
class Orders:
    """A customer's purchases, one row per customer and day: ``customer``, ``date`` (day), ``amount``.

    ``customer`` is categorical, its categories the customers in sorted order.
    """

    purchases: pd.DataFrame
    columns: Columns
    encoding: str | None  # None for Excel
    n_rows: int  # order rows read (blank rows not counted)
    n_refunded: int  # dropped: refunded, cancelled or unpaid (status column, or refunded in full)
    n_zero: int  # dropped: zero amount
    n_merged: int  # orders folded into another order of the same customer and day
    n_zero_first: int = 0  # zero-amount orders kept as their customer's first purchase

    @property
    def n_orders(self) -> int:
        """Orders kept before the same-day merge."""
        return self.n_rows - self.n_refunded - self.n_zero

    @property
    def n_customers(self) -> int:
        return int(self.purchases["customer"].nunique())


# ----------------------------------------------------------------------------- values


def _clean(values: pd.Series) -> pd.Series:
    # platform exports often wrap values as ="..." or pad them with tabs to stop Excel reformatting
    return values.astype(str).str.strip().str.replace(r'^="?|"$', "", regex=True).str.strip()


def parse_dates(values: pd.Series) -> pd.Series:
    """Dates (times of day are dropped) from ISO, slashed, compact or Chinese-style text; NaT where unparseable."""
    text = values.str.replace(r"(\d)\s*年\s*(\d)", r"\1-\2", regex=True)
    text = text.str.replace(r"(\d)\s*月\s*(\d)", r"\1-\2", regex=True).str.replace("日", "", regex=False)
    text = text.where(text != "", None)
    parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")
    rest = parsed.isna() & text.notna()
    if rest.any():
        parsed[rest] = pd.to_datetime(text[rest], errors="coerce", format="mixed")
    return parsed.dt.normalize()


def parse_amounts(values: pd.Series) -> pd.Series:
    """Numbers from text such as '¥1,299.00', '35.5元' or 'USD 12'; NaN where unparseable."""
    text = values.str.replace(r"[¥￥$€,，\s]|元|RMB|CNY|USD", "", regex=True, flags=re.IGNORECASE)
    return pd.to_numeric(text.where(text != "", None), errors="coerce")


def _row_error(what: str, column: str, value: object, row_number: int) -> OrdersError:
    return OrdersError(f"{what} {str(value)!r} in column {column} at row {row_number}")


def _dropped_by_status(status: pd.Series) -> np.ndarray:
    text = status.str.lower()
    hit = np.zeros(len(text), dtype=bool)
    for word in DROPPED_STATUS_WORDS:
        hit |= text.str.contains(word, regex=False).to_numpy()
    return hit


def _clean_values(values: pa.Array) -> pa.Array:
    """:func:`_clean` of each distinct string (one that starts and ends with a letter or digit is kept as it is)."""
    odd = np.flatnonzero(plain(values) == 0)
    if odd.size == 0:
        return values
    cleaned = _clean(pd.Series(values.take(pa.array(odd)).to_pylist(), dtype=object)).tolist()
    mask = np.zeros(len(values), dtype=bool)
    mask[odd] = True
    return pc.replace_with_mask(values, pa.array(mask), pa.array(cleaned, pa.string()))


def _distinct(column: Column) -> pd.Series:
    """The column's distinct strings, cleaned, as a pandas Series (for parsing once each)."""
    return pd.Series(_clean_values(column.values).to_pylist(), dtype=object)


def _customers(column: Column) -> tuple[np.ndarray, pd.Index]:
    """Each row's customer code and the customers in sorted order (codes index into them)."""
    cleaned = _clean_values(column.values).dictionary_encode()
    names = cleaned.dictionary
    order = pc.sort_indices(names).to_numpy()
    rank = np.empty(len(names), dtype=np.int32)
    rank[order] = np.arange(len(names), dtype=np.int32)
    per_value = rank[cleaned.indices.to_numpy(zero_copy_only=False)]
    return per_value[column.codes], pd.Index(names.take(pa.array(order)).to_pandas(), name=None)


def _days(dates: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 of parsed dates, NaN where NaT."""
    days = dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    return np.where(np.isnat(days), np.nan, days.astype(np.int64).astype(float))


def _first_row(bad: np.ndarray) -> int | None:
    return int(np.argmax(bad)) if bad.any() else None


def _raise_at(table: Table, what: str, column: str, i: int) -> None:
    row_number, cells = table.row(i)
    value = _clean(pd.Series([cells[column]], dtype=object)).iloc[0]
    raise _row_error(what, column, value, row_number)


def _first_day_orders(customer: np.ndarray, day: np.ndarray, counted: np.ndarray, paid: np.ndarray) -> np.ndarray:
    """Zero-amount orders on their customer's first order day, before any paid purchase (see the module doc)."""
    n = int(customer.max()) + 1 if customer.size else 0
    first = np.full(n, np.inf)
    np.minimum.at(first, customer[counted], day[counted])
    first_paid = np.full(n, np.inf)
    np.minimum.at(first_paid, customer[paid], day[paid])
    later_paid = np.isfinite(first_paid) & (first_paid > first)
    return counted & ~paid & (day == first[customer]) & later_paid[customer]


# ----------------------------------------------------------------------------- loading


def load_orders(
    path: Path | str,
    *,
    customer_col: str | None = None,
    date_col: str | None = None,
    amount_col: str | None = None,
    encoding: str | None = None,
    drop_zero: bool = True,
) -> Orders:
    """Read an order export and return one purchase per customer and day.

    Raises :class:`OrdersError` for a missing column, an unparseable date or amount, a
    negative amount, an empty file or a file without orders.
    """
    path = Path(path)
    table = read_table(path, encoding, customer_col, date_col, amount_col)
    cols, n_rows = table.columns, table.n_rows
    cells = table.cells  # each column is taken out once parsed, so its codes can be freed

    dropped = np.zeros(n_rows, dtype=bool)
    if cols.status is not None:
        status = cells.pop(cols.status)
        dropped |= _dropped_by_status(_distinct(status))[status.codes]
    customer, names = _customers(cells.pop(cols.customer))
    empty = (np.asarray(names == "") if len(names) else np.zeros(0, dtype=bool))[customer] & ~dropped
    if (i := _first_row(empty)) is not None:
        raise OrdersError(f"empty customer in column {cols.customer} at row {table.row(i)[0]}")

    dates = cells.pop(cols.date)
    day_values = _days(parse_dates(_distinct(dates)))
    if (i := _first_row(np.isnan(day_values)[dates.codes] & ~dropped)) is not None:
        _raise_at(table, "unparseable date", cols.date, i)
    day = np.nan_to_num(day_values).astype(np.int32)[dates.codes]  # days since 1970; 0 where dropped anyway
    del dates

    amounts = cells.pop(cols.amount)
    amount = parse_amounts(_distinct(amounts)).to_numpy(dtype=float)[amounts.codes]
    del amounts
    if (i := _first_row(np.isnan(amount) & ~dropped)) is not None:
        _raise_at(table, "unparseable amount", cols.amount, i)
    if (i := _first_row((amount < 0) & ~dropped)) is not None:
        _raise_at(table, "negative amount", cols.amount, i)
    if cols.refund is not None:
        refunds = cells.pop(cols.refund)
        refund = np.nan_to_num(parse_amounts(_distinct(refunds)).to_numpy(dtype=float))[refunds.codes]
        del refunds
        if (i := _first_row((refund < 0) & ~dropped)) is not None:
            _raise_at(table, "negative refund", cols.refund, i)
        dropped |= (refund > 0) & (refund >= amount)  # refunded in full
        np.subtract(amount, refund, out=amount, where=~dropped)  # a partial refund reduces the amount
        del refund
    n_refunded = int(dropped.sum())
    zero = (amount == 0) & ~dropped
    keep = ~dropped
    del dropped
    first_zero = np.zeros(n_rows, dtype=bool)
    if drop_zero:
        first_zero = _first_day_orders(customer, day, keep, keep & ~zero)
        keep &= ~zero | first_zero
    n_zero = int(zero.sum() - first_zero.sum()) if drop_zero else 0
    if not keep.any():
        raise OrdersError(
            f"{path}: no orders left after dropping {n_refunded} refunded or cancelled and {n_zero} zero-amount orders"
        )
    n_kept = int(keep.sum())
    kept = customer[keep], day[keep], amount[keep]
    del customer, day, amount, zero
    purchases = _merge_same_day(*kept, names)
    return Orders(
        purchases=purchases,
        columns=cols,
        encoding=table.encoding,
        n_rows=n_rows,
        n_refunded=n_refunded,
        n_zero=n_zero,
        n_merged=n_kept - len(purchases),
        n_zero_first=int(first_zero.sum()),
    )


def _merge_same_day(customer: np.ndarray, day: np.ndarray, amount: np.ndarray, names: pd.Index) -> pd.DataFrame:
    """One purchase per customer and day, sorted by customer and date.

    The amounts are summed exactly as pandas' ``groupby(...).sum()`` summed them when the
    reader used it, to the last bit: with ``numpy.add.reduceat`` when the rows come sorted by
    customer and day, else with pandas' compensated (Kahan) sum in row order (see
    :func:`sim.calibrate.sums.kahan_sums`).
    """
    low = int(day.min())
    span = int(day.max()) - low + 1
    key = customer.astype(np.int64) * span + (day - low)
    del customer, day
    if key.size > 1 and not (key[1:] >= key[:-1]).all():
        order = np.argsort(key, kind="stable")
        key, amount = key[order], amount[order]
        del order
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        total = kahan_sums(amount, starts)
    else:
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        total = np.add.reduceat(amount, starts)
    key = key[starts]
    del starts, amount
    return pd.DataFrame(
        {
            "customer": pd.Categorical.from_codes((key // span).astype(np.int32), categories=names),
            "date": (key % span + low).astype("datetime64[D]").astype("datetime64[ns]"),
            "amount": total,
        },
        copy=False,
    )
