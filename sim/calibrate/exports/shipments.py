"""Shipping exports (发货记录): one row per parcel, with its ship and sign times and the package-card campaign it
carried.

:func:`load_shipments` returns:

==========  ==============  =============================================================
column      dtype           holds
==========  ==============  =============================================================
customer    string          the buyer's key
ship_time   datetime64[ns]  when the parcel was shipped (发货时间)
sign_time   datetime64[ns]  when the buyer signed for it (签收时间); NaT where not signed yet (a blank cell)
campaign    string          the package-card campaign in the parcel (包裹卡活动); "" for a parcel without a card
==========  ==============  =============================================================

A sign time before its ship time is refused with the row and value.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from sim.calibrate.columns import CUSTOMER_HEADERS
from sim.calibrate.exports.frame import Field, keys, not_before, parse_times, read_export

CUSTOMER = Field("customer", ("客户ID", "customer", *CUSTOMER_HEADERS))
SHIP_TIME = Field("ship_time", ("发货时间", "出库时间", "ship_time", "shipped_at", "dispatch_time"))
SIGN_TIME = Field("sign_time", ("签收时间", "妥投时间", "sign_time", "signed_at", "delivered_at", "received_at"))
CAMPAIGN = Field("campaign", ("包裹卡活动", "包裹卡", "卡片活动", "card_campaign", "card", "insert_card"))
SHIPMENT_FIELDS: tuple[Field, ...] = (CUSTOMER, SHIP_TIME, SIGN_TIME, CAMPAIGN)


def load_shipments(
    path: Path | str, *, mapping: Mapping[str, str] | None = None, encoding: str | None = None, sheet: str | None = None
) -> pd.DataFrame:
    """The shipping export as a tidy frame (see the module doc); raises :class:`ExportError` with one line."""
    export = read_export(path, SHIPMENT_FIELDS, mapping, encoding, sheet)
    times = pd.DataFrame(
        {"ship_time": parse_times(export, "ship_time"), "sign_time": parse_times(export, "sign_time", blank_ok=True)}
    )
    not_before(export, "sign_time", "ship_time", times)
    return pd.DataFrame(
        {
            "customer": keys(export, "customer"),
            "ship_time": times["ship_time"],
            "sign_time": times["sign_time"],
            "campaign": export.cells["campaign"].astype(str),
        }
    )
