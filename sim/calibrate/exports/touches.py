"""Mass-message logs (群发记录): one row per message a member received, with its time, channel and, where the tool
tags it, its content type.

:func:`load_touch_log` returns:

==========  ==============  =============================================================
column      dtype           holds
==========  ==============  =============================================================
customer    string          the recipient's key (external user id, or the key the SCRM joins on)
send_time   datetime64[ns]  when the message was sent (发送时间)
channel     string          the channel as the file writes it (渠道: 企微群发, 朋友圈, ...); "" if not exported
content     string          educational, emotional or promotional (内容类型: 教育/干货, 情感/故事, 促销/优惠);
                            "" where untagged or the file has no content column
==========  ==============  =============================================================

A content tag the reader cannot read as one of the three types is refused with the row and value; a blank tag is
read as untagged.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibrate.exports.frame import Export, Field, keys, parse_times, read_export, text, words

CUSTOMER = Field(
    "customer",
    ("客户ID", "外部联系人ID", "客户UserID", "external_userid", "external_user_id", "customer_id", "customer", "客户"),
)
SEND_TIME = Field("send_time", ("发送时间", "群发时间", "推送时间", "send_time", "sent_at", "push_time"))
CHANNEL = Field("channel", ("渠道", "群发类型", "消息类型", "channel", "message_type"), required=False)
CONTENT = Field("content", ("内容类型", "内容标签", "内容分类", "content_type", "content", "tag"), required=False)
TOUCH_FIELDS: tuple[Field, ...] = (CUSTOMER, SEND_TIME, CHANNEL, CONTENT)
MASS_MESSAGE = "企微群发"  # what python -m sim.export_logs writes as the channel
CONTENT_NAMES: dict[str, str] = {"educational": "教育", "emotional": "情感", "promotional": "促销"}  # as exported
CONTENT_WORDS: dict[str, str] = {
    **{w: "educational" for w in ("教育", "干货", "知识", "科普", "educational", "education", "edu")},
    **{w: "emotional" for w in ("情感", "故事", "情怀", "emotional", "emotion", "story")},
    **{w: "promotional" for w in ("促销", "优惠", "活动", "折扣", "promotional", "promotion", "promo", "sale")},
}
CONTENT_ALLOWED = "教育/干货/educational, 情感/故事/emotional, 促销/优惠/promotional, or blank (untagged)"


def load_touch_log(
    path: Path | str, *, mapping: Mapping[str, str] | None = None, encoding: str | None = None, sheet: str | None = None
) -> pd.DataFrame:
    """The mass-message log as a tidy frame (see the module doc); raises :class:`ExportError` with one line."""
    export = read_export(path, TOUCH_FIELDS, mapping, encoding, sheet)
    content = np.full(len(export.cells), "", dtype=object)
    if "content" in export.columns:
        tagged = (export.cells["content"] != "").to_numpy()
        if tagged.any():  # read the tagged rows only (their row numbers kept for the error line)
            part = Export(export.path, export.cells[tagged].reset_index(drop=True), export.rows[tagged], export.columns)
            content[tagged] = words(part, "content", CONTENT_WORDS, CONTENT_ALLOWED).to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "customer": keys(export, "customer"),
            "send_time": parse_times(export, "send_time"),
            "channel": text(export, "channel"),
            "content": pd.Series(content, dtype=str),
        }
    )
