"""Which columns of an order export hold the customer, date and amount: recognised header names and the header row.

Names are matched ignoring case, spaces, '_', '-' and a bracketed suffix such as "(元)" or
"（北京时间）"; the first recognised name of each kind wins unless the column is named on the
command line. The header row is the first of the top ``HEADER_SEARCH_ROWS`` rows in which all
three are found, so a title or notes above it are skipped. :class:`OrdersError` is the
reader's one-line error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


def normalise(name: object) -> str:
    text = str(name).replace("\ufeff", "").strip().lower()
    text = re.sub(r"[(（][^)）]*[)）]$", "", text)  # "金额(元)" -> "金额"
    return re.sub(r"[\s_\-]+", "", text)


def _pick(headers: list[str], given: str | None, candidates: tuple[str, ...]) -> str | None:
    by_norm: dict[str, str] = {}
    for h in headers:
        by_norm.setdefault(normalise(h), h)
    if given is not None:
        return given if given in headers else by_norm.get(normalise(given))
    for c in candidates:
        hit = by_norm.get(normalise(c))
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


def _recognised(headers: list[str], customer: str | None, date: str | None, amount: str | None) -> int:
    """How many of the customer, date and amount columns a row names."""
    kinds = ((customer, CUSTOMER_HEADERS), (date, DATE_HEADERS), (amount, AMOUNT_HEADERS))
    return sum(_pick(headers, given, candidates) is not None for given, candidates in kinds)


def header_row(rows: list[list[str]], customer: str | None, date: str | None, amount: str | None) -> int:
    """Index of the header row: the first of the top rows in which all three columns are found.

    Failing that, the top row naming the most of them (so that the error says which is missing); a file
    whose top rows name none gets a line saying so (a title block longer than the rows searched, say).
    """
    rows = rows[:HEADER_SEARCH_ROWS]
    found = [_recognised([str(v).strip() for v in row], customer, date, amount) for row in rows]
    if 3 in found:
        return found.index(3)
    if not found or max(found) == 0:
        first = ", ".join(str(v).strip() for v in rows[0] if str(v).strip()) if rows else ""
        raise OrdersError(
            f"no header row with customer, date and amount columns in the first {len(rows)} non-blank rows "
            f"(the first holds: {first[:80] or 'nothing'}); allowed: a header within the first "
            f"{HEADER_SEARCH_ROWS} rows (remove the lines above it), or name the columns with --customer-col, "
            "--date-col and --amount-col"
        )
    return found.index(max(found))
