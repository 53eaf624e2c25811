"""SMS send reports (短信发送报告): one row per message sent, with its delivery receipt and the task (wave) it belonged
to.

:func:`load_sms_report` returns:

==========  ==============  =============================================================
column      dtype           holds
==========  ==============  =============================================================
recipient   string          the recipient's key (an encrypted phone number, or the key the SCRM joins on)
send_time   datetime64[ns]  when the message was sent (发送时间)
delivered   bool            the receipt says delivered (发送成功); False for failed, intercepted or rejected
wave        string          the task or wave name (任务名称); "" if not exported
==========  ==============  =============================================================

A receipt the reader cannot read as delivered or not (a pending "发送中", say) is refused with the row and value.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from sim.calibrate.exports.frame import Field, keys, parse_times, read_export, text, words

RECIPIENT = Field(
    "recipient",
    ("手机号(加密)", "手机号", "手机号码", "接收号码", "接收人", "phone_hash", "phone", "mobile", "recipient"),
)
SEND_TIME = Field("send_time", ("发送时间", "提交时间", "send_time", "sent_at", "submit_time"))
STATUS = Field("status", ("发送状态", "回执状态", "状态报告", "回执", "状态", "status", "delivery_status", "receipt"))
WAVE = Field(
    "wave", ("任务名称", "短信任务", "批次名称", "任务", "wave", "task_name", "task", "campaign"), required=False
)
SMS_FIELDS: tuple[Field, ...] = (RECIPIENT, SEND_TIME, STATUS, WAVE)
DELIVERED, FAILED = "发送成功", "发送失败"  # what the tools write
STATUS_WORDS: dict[str, bool] = {
    "发送成功": True,
    "接收成功": True,
    "已送达": True,
    "送达": True,
    "成功": True,
    "delivered": True,
    "success": True,
    "succeeded": True,
    "ok": True,
    "发送失败": False,
    "未送达": False,
    "被拦截": False,
    "拦截": False,
    "拒收": False,
    "空号": False,
    "停机": False,
    "失败": False,
    "undelivered": False,
    "unsuccessful": False,
    "failed": False,
    "failure": False,
    "rejected": False,
    "blocked": False,
    "intercepted": False,
}
STATUS_ALLOWED = f"a receipt such as {DELIVERED}, 已送达, delivered (delivered) or {FAILED}, 被拦截, failed (not)"


def load_sms_report(
    path: Path | str, *, mapping: Mapping[str, str] | None = None, encoding: str | None = None, sheet: str | None = None
) -> pd.DataFrame:
    """The send report as a tidy frame (see the module doc); raises :class:`ExportError` with one line."""
    export = read_export(path, SMS_FIELDS, mapping, encoding, sheet)
    return pd.DataFrame(
        {
            "recipient": keys(export, "recipient"),
            "send_time": parse_times(export, "send_time"),
            "delivered": words(export, "status", STATUS_WORDS, STATUS_ALLOWED).astype(bool),
            "wave": text(export, "wave"),
        }
    )
