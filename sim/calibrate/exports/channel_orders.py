"""Orders with a sales channel (全渠道订单): one row per order, on a platform (天猫, 京东, 拼多多, 抖音) or in private
(小程序, 私域, 企微).

:func:`load_channel_orders` returns:

==========  ==============  =============================================================
column      dtype           holds
==========  ==============  =============================================================
customer    string          the buyer's key
order_time  datetime64[ns]  when the order was placed (下单时间)
amount_cny  float64         what the buyer paid (实付金额)
channel     string          the channel as the file writes it (渠道)
private     bool            the channel is private (mini-program shop, WeCom, 私域); False on a platform
==========  ==============  =============================================================

The order reader (:mod:`sim.calibrate.orders`) keeps its job, one purchase per customer and day for the repeat-buying
fits; this one keeps every order and its channel, which the first-order and cannibalisation fits need. A channel
the reader knows neither as a platform nor as private is refused with the row and value.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibrate.amounts import ALLOWED, LARGEST, parse_amounts
from sim.calibrate.columns import AMOUNT_HEADERS, CUSTOMER_HEADERS, DATE_HEADERS
from sim.calibrate.exports.frame import Field, keys, parse_times, read_export, words

CUSTOMER = Field("customer", ("客户ID", "customer", *CUSTOMER_HEADERS))
ORDER_TIME = Field("order_time", ("下单时间", *DATE_HEADERS))
AMOUNT = Field("amount", ("实付金额", *AMOUNT_HEADERS))
CHANNEL = Field(
    "channel", ("渠道", "订单来源", "销售渠道", "来源", "平台", "channel", "sales_channel", "source", "platform")
)
ORDER_FIELDS: tuple[Field, ...] = (CUSTOMER, ORDER_TIME, AMOUNT, CHANNEL)
PLATFORM_NAMES: dict[str, str] = {"tmall": "天猫", "jd": "京东", "pdd": "拼多多", "douyin": "抖音"}  # as exported
PRIVATE_NAME = "小程序"
CHANNEL_WORDS: dict[str, bool] = {
    **{name: False for name in ("天猫", "淘宝", "京东", "拼多多", "抖音", "快手", "唯品会")},
    **{name: False for name in ("tmall", "taobao", "jd", "jingdong", "pdd", "pinduoduo", "douyin", "kuaishou")},
    **{name: True for name in ("小程序", "私域", "企微", "企业微信", "微信", "有赞", "微商城", "社群")},
    **{name: True for name in ("miniprogram", "private", "wecom", "wechat", "youzan")},
}
CHANNEL_ALLOWED = (
    "a platform (天猫, 淘宝, 京东, 拼多多, 抖音, tmall, jd, ...) or private (小程序, 私域, 企微, wecom, ...)"
)


def load_channel_orders(
    path: Path | str, *, mapping: Mapping[str, str] | None = None, encoding: str | None = None, sheet: str | None = None
) -> pd.DataFrame:
    """The orders as a tidy frame (see the module doc); raises :class:`ExportError` with one line."""
    export = read_export(path, ORDER_FIELDS, mapping, encoding, sheet)
    amount = parse_amounts(export.cells["amount"]).to_numpy()
    if (i := export.first(np.isnan(amount))) is not None:
        raise export.error(i, "amount", f"is not an amount; allowed: {ALLOWED}")
    if (i := export.first((amount < 0) | (amount > LARGEST))) is not None:
        raise export.error(i, "amount", f"is out of range; allowed: {ALLOWED}")
    return pd.DataFrame(
        {
            "customer": keys(export, "customer"),
            "order_time": parse_times(export, "order_time"),
            "amount_cny": amount,
            "channel": export.cells["channel"].astype(str),
            "private": words(export, "channel", CHANNEL_WORDS, CHANNEL_ALLOWED).astype(bool),
        }
    )
