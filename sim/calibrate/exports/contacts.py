"""WeCom contacts (客户列表) and deletion records (流失记录): who added which staff account when, through which channel
or live code, and who deleted whom when.

:func:`load_contacts` returns one row per customer-staff relation (a customer who added two staff accounts has two):

==========  ==============  =============================================================
column      dtype           holds
==========  ==============  =============================================================
customer    string          the customer's key (external user id, or the key the SCRM joins on)
staff       string          the staff account added (所属员工)
add_time    datetime64[ns]  when the friendship began (添加时间)
channel     string          the channel or live code that brought the customer (渠道活码); "" if not exported
request_    datetime64[ns]  when the customer asked to add (申请时间): the greeting delay is add_time minus it; NaT
time                        where blank or not exported
==========  ==============  =============================================================

:func:`load_deletions` returns one row per deletion: ``customer``, ``staff``, ``add_time``, ``delete_time`` (流失时间)
and ``direction``: ``customer`` (the customer deleted the staff account, 客户删除员工) or ``staff`` (员工删除客户).
A file without a direction column is one list of the two, given by ``direction`` (SCRM tools export the 流失 list of
customers who deleted staff apart from the staff's own deletions). A deletion before its add time is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from sim.calibrate.exports.frame import ExportError, Field, keys, not_before, parse_times, read_export, text, words

CUSTOMER = Field(
    "customer",
    ("客户ID", "外部联系人ID", "客户UserID", "external_userid", "external_user_id", "customer_id", "customer", "客户"),
)
STAFF = Field("staff", ("所属员工", "添加人", "员工", "员工账号", "跟进人", "staff", "staff_account", "userid"))
ADD_TIME = Field("add_time", ("添加时间", "添加好友时间", "add_time", "added_at", "createtime", "created_at"))
CHANNEL = Field(
    "channel", ("渠道活码", "添加渠道", "渠道", "来源渠道", "channel", "live_code", "state"), required=False
)
REQUEST_TIME = Field(
    "request_time",
    ("申请时间", "好友申请时间", "请求时间", "request_time", "requested_at", "apply_time"),
    required=False,
)
DELETE_TIME = Field(
    "delete_time", ("流失时间", "删除时间", "删除好友时间", "delete_time", "deleted_at", "deletion_time", "lost_time")
)
DIRECTION = Field(
    "direction", ("流失类型", "删除方式", "删除类型", "删除方", "direction", "deleted_by"), required=False
)
CONTACT_FIELDS: tuple[Field, ...] = (CUSTOMER, STAFF, ADD_TIME, CHANNEL, REQUEST_TIME)
DELETION_FIELDS: tuple[Field, ...] = (CUSTOMER, STAFF, ADD_TIME, DELETE_TIME, DIRECTION)
DIRECTIONS: tuple[str, str] = ("customer", "staff")
CUSTOMER_DELETED, STAFF_DELETED = "客户删除员工", "员工删除客户"  # what the tools write
DIRECTION_WORDS: dict[str, str] = {
    "客户删除员工": "customer",
    "被客户删除": "customer",
    "客户删除": "customer",
    "客户": "customer",
    "员工删除客户": "staff",
    "被员工删除": "staff",
    "员工删除": "staff",
    "删除客户": "staff",
    "员工": "staff",
    "customerdeletedstaff": "customer",
    "bycustomer": "customer",
    "customer": "customer",
    "staffdeletedcustomer": "staff",
    "bystaff": "staff",
    "staff": "staff",
}
DIRECTION_ALLOWED = f"{CUSTOMER_DELETED} (customer) or {STAFF_DELETED} (staff)"


def load_contacts(
    path: Path | str, *, mapping: Mapping[str, str] | None = None, encoding: str | None = None, sheet: str | None = None
) -> pd.DataFrame:
    """The customer list as a tidy frame (see the module doc); raises :class:`ExportError` with one line."""
    export = read_export(path, CONTACT_FIELDS, mapping, encoding, sheet)
    times = pd.DataFrame({"add_time": parse_times(export, "add_time")})
    if "request_time" in export.columns:
        times["request_time"] = parse_times(export, "request_time", blank_ok=True)
        not_before(export, "add_time", "request_time", times)
    else:
        times["request_time"] = pd.Series(pd.NaT, index=times.index, dtype="datetime64[ns]")
    return pd.DataFrame(
        {
            "customer": keys(export, "customer"),
            "staff": keys(export, "staff"),
            "add_time": times["add_time"],
            "channel": text(export, "channel"),
            "request_time": times["request_time"],
        }
    )


def load_deletions(
    path: Path | str,
    *,
    direction: str = "customer",
    mapping: Mapping[str, str] | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> pd.DataFrame:
    """The deletion records as a tidy frame (see the module doc); ``direction`` is every row's when the file has no
    direction column. Raises :class:`ExportError` with one line."""
    if direction not in DIRECTIONS:
        raise ExportError(f"direction {direction!r}: allowed: {' or '.join(DIRECTIONS)}")
    export = read_export(path, DELETION_FIELDS, mapping, encoding, sheet)
    times = pd.DataFrame(
        {"add_time": parse_times(export, "add_time"), "delete_time": parse_times(export, "delete_time")}
    )
    not_before(export, "delete_time", "add_time", times)
    if "direction" in export.columns:
        who = words(export, "direction", DIRECTION_WORDS, DIRECTION_ALLOWED)
    else:
        who = pd.Series(direction, index=export.cells.index)
    return pd.DataFrame(
        {
            "customer": keys(export, "customer"),
            "staff": keys(export, "staff"),
            "add_time": times["add_time"],
            "delete_time": times["delete_time"],
            "direction": pd.Categorical(who, categories=list(DIRECTIONS)),
        }
    )


def added_times(contacts: pd.DataFrame, deletions: pd.DataFrame | None = None) -> pd.Series:
    """When each customer the exports show was added, by customer: from the customer list and the deletion records
    (a list may omit the deleted), a customer's first listing counting."""
    listed = [contacts] if deletions is None else [contacts, deletions]
    members = pd.concat([f[["customer", "add_time"]] for f in listed]).drop_duplicates("customer")
    return members.set_index("customer")["add_time"]


def deletion_times(deletions: pd.DataFrame, direction: str | None = None) -> pd.Series:
    """When each customer was deleted, by customer (their first record), only ``direction``'s deletions if given."""
    records = deletions.drop_duplicates("customer").set_index("customer")
    if direction is not None:
        records = records[records["direction"] == direction]
    return records["delete_time"]


def observed_until(added: pd.Series, deletions: pd.DataFrame | None, end: pd.Timestamp) -> pd.Series:
    """Until when each member (``added``'s index) is observed: their deletion, by either side, or ``end`` if that is
    earlier or they were not deleted."""
    if deletions is None or not len(deletions):
        return pd.Series(end, index=added.index)
    return deletion_times(deletions).reindex(added.index).fillna(end).clip(upper=end)
