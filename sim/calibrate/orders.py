"""Reading a merchant's order export: one row per order, in CSV or Excel, English or Chinese headers.

:func:`load_orders` finds the customer, date and amount columns (or takes the names
given), decodes GBK/GB18030 as well as UTF-8 with or without BOM, parses dates and
amounts, drops refunded, cancelled and zero-amount orders, and merges a customer's
orders of the same day into one purchase (as Fader, Hardie & Lee do for CDNOW). It
returns the purchases with counts of what it dropped and merged.

Bad input raises :class:`OrdersError` with a one-line message naming the problem and,
where there is one, the row. Rows are numbered as the file shows them: a CSV's line
number, an Excel sheet's row number (with the header on the first line, the first order
is row 2). Lines above the header, such as a report title, are skipped.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ENCODINGS: tuple[str, ...] = ("utf-8-sig", "gb18030")  # gb18030 is a superset of GBK and GB2312
EXCEL_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm", ".xls")
DELIMITERS: tuple[str, ...] = (",", "\t", ";", "|")
HEADER_SEARCH_ROWS = 20  # a title or notes above the header row are skipped

# Header names recognised, best first. Matching ignores case, spaces, '_', '-' and a
# bracketed suffix such as "(元)" or "（北京时间）".
CUSTOMER_HEADERS: tuple[str, ...] = (
    "customer_id",
    "customer",
    "cust_id",
    "client_id",
    "buyer_id",
    "buyer",
    "buyer_nick",
    "user_id",
    "member_id",
    "买家会员名",
    "买家会员id",
    "买家id",
    "买家昵称",
    "买家账号",
    "会员名",
    "会员id",
    "客户id",
    "客户编号",
    "客户名称",
    "用户id",
    "用户昵称",
    "用户名",
    "收货人手机号",
    "收货人手机",
    "手机号",
)
DATE_HEADERS: tuple[str, ...] = (
    "date",
    "order_date",
    "order_time",
    "order_created",
    "created_at",
    "created",
    "purchase_date",
    "transaction_date",
    "paid_at",
    "payment_time",
    "订单创建时间",
    "下单时间",
    "创建时间",
    "订单时间",
    "成交时间",
    "付款时间",
    "支付时间",
    "日期",
)
AMOUNT_HEADERS: tuple[str, ...] = (
    "amount",
    "order_amount",
    "paid_amount",
    "amount_paid",
    "payment_amount",
    "total",
    "order_total",
    "total_price",
    "revenue",
    "sales",
    "spend",
    "value",
    "买家实际支付金额",
    "实付金额",
    "实际支付金额",
    "实收金额",
    "实收款",
    "支付金额",
    "付款金额",
    "订单金额",
    "订单总金额",
    "总金额",
    "金额",
)
STATUS_HEADERS: tuple[str, ...] = ("status", "order_status", "financial_status", "订单状态", "交易状态")
REFUND_HEADERS: tuple[str, ...] = ("refund", "refund_amount", "refunded_amount", "退款金额", "退款金额(元)")

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


class OrdersError(ValueError):
    """An order export the calibration cannot use; the message is one line."""


@dataclass(frozen=True)
class Columns:
    """The export's columns that were used (status and refund may be absent)."""

    customer: str
    date: str
    amount: str
    status: str | None = None
    refund: str | None = None


@dataclass(frozen=True)
class Orders:
    """A customer's purchases, one row per customer and day: ``customer``, ``date`` (day), ``amount``."""

    purchases: pd.DataFrame
    columns: Columns
    encoding: str | None  # None for Excel
    n_rows: int  # order rows read (blank rows not counted)
    n_refunded: int  # dropped: refunded, cancelled or unpaid (status column, or refunded in full)
    n_zero: int  # dropped: zero amount
    n_merged: int  # orders folded into another order of the same customer and day

    @property
    def n_orders(self) -> int:
        """Orders kept before the same-day merge."""
        return self.n_rows - self.n_refunded - self.n_zero

    @property
    def n_customers(self) -> int:
        return int(self.purchases["customer"].nunique())


# ----------------------------------------------------------------------------- reading


def _normalise(name: object) -> str:
    text = str(name).replace("\ufeff", "").strip().lower()
    text = re.sub(r"[(（][^)）]*[)）]$", "", text)  # "金额(元)" -> "金额"
    return re.sub(r"[\s_\-]+", "", text)


def read_table(path: Path, encoding: str | None = None) -> tuple[pd.DataFrame, np.ndarray, str | None]:
    """The file's non-blank rows as strings (no header interpretation), their row numbers, and the encoding."""
    if not path.is_file():
        raise OrdersError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise OrdersError(f"{path}: the file is empty")
    if path.suffix.lower() in EXCEL_SUFFIXES:
        table = _read_excel(path)
        return table, np.arange(1, len(table) + 1), None
    data = path.read_bytes()
    tried = (encoding,) if encoding else ENCODINGS
    for enc in tried:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        except LookupError:
            raise OrdersError(f"--encoding {encoding}: unknown encoding") from None
        text = text.removeprefix("\ufeff")  # a BOM read as utf-8
        table, lines = _parse_csv(text, path)
        return table, lines, enc
    raise OrdersError(f"{path}: cannot decode the file as {' or '.join(tried)}; pass --encoding")


def _parse_csv(text: str, path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    sample = "\n".join(text.splitlines()[:20])
    delimiter = max(DELIMITERS, key=sample.count)  # the most frequent of ',', tab, ';', '|' (',' on a tie)
    rows, lines = [], []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(row)
                lines.append(reader.line_num)
    except csv.Error as exc:
        raise OrdersError(f"{path}: not a readable CSV file at row {reader.line_num} ({exc})") from None
    if not rows:
        raise OrdersError(f"{path}: the file is empty")
    width = max(len(r) for r in rows)
    table = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=str)
    return table, np.asarray(lines)


def _read_excel(path: Path) -> pd.DataFrame:
    try:
        import openpyxl  # noqa: F401 - pandas reads .xlsx through it
    except ImportError:
        raise OrdersError(f"{path}: reading Excel files needs openpyxl (pip install openpyxl)") from None
    try:
        table = pd.read_excel(path, header=None, dtype=str, keep_default_na=False)
    except Exception as exc:  # noqa: BLE001 - any reader failure is one line
        raise OrdersError(f"{path}: not a readable Excel file ({_first_line(exc)})") from None
    table = table.fillna("").astype(str)
    if table.empty or not (table.apply(lambda c: c.str.strip()) != "").any(axis=None):
        raise OrdersError(f"{path}: the file is empty")
    return table


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# ----------------------------------------------------------------------------- columns


def _pick(headers: list[str], given: str | None, candidates: tuple[str, ...]) -> str | None:
    by_norm: dict[str, str] = {}
    for h in headers:
        by_norm.setdefault(_normalise(h), h)
    if given is not None:
        return given if given in headers else by_norm.get(_normalise(given))
    for c in candidates:
        hit = by_norm.get(_normalise(c))
        if hit is not None:
            return hit
    return None


def find_columns(
    headers: list[str], customer: str | None = None, date: str | None = None, amount: str | None = None
) -> Columns:
    """The columns to use: the names given, else the best recognised header of each kind."""
    found = {
        "customer": (_pick(headers, customer, CUSTOMER_HEADERS), customer, "--customer-col"),
        "date": (_pick(headers, date, DATE_HEADERS), date, "--date-col"),
        "amount": (_pick(headers, amount, AMOUNT_HEADERS), amount, "--amount-col"),
    }
    listed = ", ".join(h for h in headers if h) or "(none)"
    for kind, (hit, given, flag) in found.items():
        if hit is None:
            if given is not None:
                raise OrdersError(f"{flag} {given}: no such column; the columns are: {listed}")
            raise OrdersError(f"no {kind} column recognised; name it with {flag} (the columns are: {listed})")
    used = {found[k][0] for k in found}
    status = _pick(headers, None, STATUS_HEADERS)
    refund = _pick(headers, None, REFUND_HEADERS)
    return Columns(
        customer=str(found["customer"][0]),
        date=str(found["date"][0]),
        amount=str(found["amount"][0]),
        status=status if status not in used else None,
        refund=refund if refund not in used else None,
    )


def _header_row(table: pd.DataFrame, customer: str | None, date: str | None, amount: str | None) -> int:
    """Index of the header row: the first of the top rows in which all three columns are found."""
    for i in range(min(HEADER_SEARCH_ROWS, len(table))):
        headers = [str(v).strip() for v in table.iloc[i].tolist()]
        try:
            find_columns(headers, customer, date, amount)
        except OrdersError:
            continue
        return i
    return 0


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
    table, lines, used_encoding = read_table(path, encoding)
    header = _header_row(table, customer_col, date_col, amount_col)
    headers = [str(v).strip() for v in table.iloc[header].tolist()]
    cols = find_columns(headers, customer_col, date_col, amount_col)
    body = table.iloc[header + 1 :]
    rows = lines[header + 1 :]
    filled = (body.apply(lambda c: c.str.strip()) != "").any(axis=1).to_numpy()
    body, rows = body[filled], rows[filled]  # blank rows are not orders
    if body.empty:
        raise OrdersError(f"{path}: no orders below the header row")
    index = {
        name: headers.index(name) for name in (cols.customer, cols.date, cols.amount, cols.status, cols.refund) if name
    }

    def column(name: str) -> pd.Series:
        return _clean(body[index[name]])

    n_rows = len(body)
    dropped = np.zeros(n_rows, dtype=bool)
    if cols.status is not None:
        dropped |= _dropped_by_status(column(cols.status))
    customer = column(cols.customer).to_numpy()
    empty = (customer == "") & ~dropped
    if empty.any():
        raise OrdersError(f"empty customer in column {cols.customer} at row {rows[np.argmax(empty)]}")

    raw_date = column(cols.date)
    date = parse_dates(raw_date)
    bad = (date.isna().to_numpy()) & ~dropped
    if bad.any():
        i = int(np.argmax(bad))
        raise _row_error("unparseable date", cols.date, raw_date.iloc[i], int(rows[i]))

    raw_amount = column(cols.amount)
    amount = parse_amounts(raw_amount).to_numpy(dtype=float)
    bad = np.isnan(amount) & ~dropped
    if bad.any():
        i = int(np.argmax(bad))
        raise _row_error("unparseable amount", cols.amount, raw_amount.iloc[i], int(rows[i]))
    negative = (amount < 0) & ~dropped
    if negative.any():
        i = int(np.argmax(negative))
        raise _row_error("negative amount", cols.amount, raw_amount.iloc[i], int(rows[i]))
    if cols.refund is not None:
        raw_refund = column(cols.refund)
        refund = np.nan_to_num(parse_amounts(raw_refund).to_numpy(dtype=float))
        negative = (refund < 0) & ~dropped
        if negative.any():
            i = int(np.argmax(negative))
            raise _row_error("negative refund", cols.refund, raw_refund.iloc[i], int(rows[i]))
        refunded_in_full = (refund > 0) & (refund >= amount) & ~dropped
        dropped |= refunded_in_full
        amount = np.where(dropped, amount, amount - refund)
    n_refunded = int(dropped.sum())
    zero = (amount == 0) & ~dropped
    n_zero = int(zero.sum()) if drop_zero else 0
    keep = ~dropped & (~zero if drop_zero else True)
    if not keep.any():
        raise OrdersError(
            f"{path}: no orders left after dropping {n_refunded} refunded or cancelled and {n_zero} zero-amount orders"
        )
    kept = pd.DataFrame({"customer": customer[keep], "date": date.to_numpy()[keep], "amount": amount[keep]})
    purchases = kept.groupby(["customer", "date"], as_index=False, sort=True)["amount"].sum()
    return Orders(
        purchases=purchases,
        columns=cols,
        encoding=used_encoding,
        n_rows=n_rows,
        n_refunded=n_refunded,
        n_zero=n_zero,
        n_merged=int(keep.sum()) - len(purchases),
    )
