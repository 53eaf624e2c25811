"""The readers of the operator's exports (sim.calibrate.exports): Chinese and English headers, GBK and Excel, the
column mapping, and one line naming the file, row, column and value for every kind of bad input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from sim.calibrate.exports.channel_orders import load_channel_orders
from sim.calibrate.exports.contacts import load_contacts, load_deletions
from sim.calibrate.exports.frame import ExportError
from sim.calibrate.exports.shipments import load_shipments
from sim.calibrate.exports.sms import load_sms_report
from sim.calibrate.exports.touches import load_touch_log

Reader = Callable[..., pd.DataFrame]

# (reader, Chinese header line, English header line, two body rows, columns and values the reader must return)
CASES: dict[str, tuple[Reader, str, str, list[str], dict[str, list[object]]]] = {
    "contacts": (
        load_contacts,
        "客户ID,所属员工,添加时间,渠道活码",
        "external_userid,staff,add_time,channel",
        ["C1,客服01,2024-11-11 20:15:03,包裹卡-cash_5", "C2,客服02,2024/11/12 08:00,短信-日常短信"],
        {
            "customer": ["C1", "C2"],
            "staff": ["客服01", "客服02"],
            "add_time": [pd.Timestamp("2024-11-11 20:15:03"), pd.Timestamp("2024-11-12 08:00")],
            "channel": ["包裹卡-cash_5", "短信-日常短信"],
        },
    ),
    "deletions": (
        load_deletions,
        "客户ID,所属员工,添加时间,流失时间,流失类型",
        "customer,staff,add_time,delete_time,direction",
        [
            "C1,客服01,2024-11-11 20:15:03,2024-12-01 09:00:00,客户删除员工",
            "C2,客服02,2024-11-12,2024年11月13日 10:00:00,员工删除客户",
        ],
        {
            "customer": ["C1", "C2"],
            "delete_time": [pd.Timestamp("2024-12-01 09:00"), pd.Timestamp("2024-11-13 10:00")],
            "direction": ["customer", "staff"],
        },
    ),
    "sms": (
        load_sms_report,
        "任务名称,手机号(加密),发送时间,发送状态",
        "task_name,phone_hash,send_time,status",
        ["双11召回,ab12,2024-11-08 10:00:00,发送成功", "双11召回,cd34,2024-11-08 10:00:01,发送失败"],
        {"recipient": ["ab12", "cd34"], "delivered": [True, False], "wave": ["双11召回", "双11召回"]},
    ),
    "shipments": (
        load_shipments,
        "客户ID,发货时间,签收时间,包裹卡活动",
        "customer,ship_time,sign_time,card_campaign",
        ["C1,2024-11-11 20:15:03,2024-11-13 12:00:00,cash_5", "C2,2024-11-12 08:00:00,,"],
        {
            "customer": ["C1", "C2"],
            "sign_time": [pd.Timestamp("2024-11-13 12:00"), pd.NaT],
            "campaign": ["cash_5", ""],
        },
    ),
    "orders": (
        load_channel_orders,
        "订单编号,客户ID,下单时间,实付金额,渠道",
        "order_id,customer_id,order_time,amount,channel",
        ["O1,C1,2024-11-11 20:15:03,287.38,天猫", "O2,C1,2024-11-20 21:00:00,59.90,小程序"],
        {"customer": ["C1", "C1"], "amount_cny": [287.38, 59.9], "private": [False, True]},
    ),
    "touch_log": (
        load_touch_log,
        "发送时间,客户ID,渠道,内容类型",
        "send_time,external_userid,channel,content_type",
        ["2024-11-11 20:00:00,C1,企微群发,促销", "2024-11-12 08:00:00,C2,企微群发,"],  # the second untagged
        {
            "customer": ["C1", "C2"],
            "send_time": [pd.Timestamp("2024-11-11 20:00"), pd.Timestamp("2024-11-12 08:00")],
            "channel": ["企微群发", "企微群发"],
            "content": ["promotional", ""],
        },
    ),
}


def _write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def _check(frame: pd.DataFrame, expected: dict[str, list[object]]) -> None:
    assert len(frame) == 2
    for column, values in expected.items():
        got = frame[column].astype(object).where(frame[column].notna(), None).tolist()
        assert got == [None if v is pd.NaT else v for v in values], column


@pytest.mark.parametrize("kind", list(CASES))
@pytest.mark.parametrize(("header", "encoding"), [(1, "utf-8"), (2, "utf-8"), (1, "gbk"), (1, "utf-8-sig")])
def test_each_reader_recognises_chinese_and_english_headers_in_utf8_and_gbk(
    tmp_path: Path, kind: str, header: int, encoding: str
) -> None:
    reader, *headers, rows, expected = CASES[kind]
    path = _write(tmp_path / f"{kind}.csv", ["导出时间：2024-12-01", headers[header - 1], *rows], encoding)  # a title
    frame = reader(path)
    _check(frame, expected)
    for column in frame.columns:
        if column.endswith("_time"):
            assert frame[column].dtype == "datetime64[ns]", column


@pytest.mark.parametrize("kind", list(CASES))
def test_each_reader_reads_an_excel_sheet(tmp_path: Path, kind: str) -> None:
    reader, header, _, rows, expected = CASES[kind]
    table = pd.DataFrame([r.split(",") for r in rows], columns=header.split(","))
    path = tmp_path / f"{kind}.xlsx"
    table.to_excel(path, index=False)
    _check(reader(path), expected)


@pytest.mark.parametrize("kind", list(CASES))
def test_a_mapping_names_a_column_the_reader_does_not_know(tmp_path: Path, kind: str) -> None:
    reader, header, _, rows, expected = CASES[kind]
    names = header.split(",")
    names[1] = "自定义列"  # the second field's column under a name no tool uses
    path = _write(tmp_path / f"{kind}.csv", [",".join(names), *rows])
    field = {
        "contacts": "staff",
        "deletions": "staff",
        "sms": "recipient",
        "shipments": "ship_time",
        "orders": "customer",
        "touch_log": "customer",
    }[kind]
    with pytest.raises(ExportError, match=rf"no {field} column recognised.*mapping {field}=COLUMN"):
        reader(path)
    _check(reader(path, mapping={field: "自定义列"}), expected)


def _one_line_error(reader: Reader, path: Path, **kwargs: object) -> str:
    with pytest.raises(ExportError) as info:
        reader(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message


ERRORS = [
    # (reader, header, row, what the line must hold)
    (
        load_contacts,
        "客户ID,所属员工,添加时间",
        "C1,客服01,2024-13-01 10:00:00",
        ["添加时间", "'2024-13-01 10:00:00'", "row 3"],
    ),
    (load_contacts, "客户ID,所属员工,添加时间", "C1,客服01,yesterday", ["添加时间", "'yesterday'", "is not a time"]),
    (load_contacts, "客户ID,所属员工,添加时间", ",客服01,2024-11-11 10:00:00", ["客户ID", "row 3", "is blank"]),
    (
        load_deletions,
        "客户ID,所属员工,添加时间,流失时间",
        "C1,客服01,2024-11-11 10:00:00,2024-11-10 09:00:00",
        ["流失时间", "'2024-11-10 09:00:00'", "row 3", "before its 添加时间"],
    ),
    (
        load_deletions,
        "客户ID,所属员工,添加时间,流失时间,流失类型",
        "C1,客服01,2024-11-11 10:00:00,2024-11-12 09:00:00,拉黑",
        ["流失类型", "'拉黑'", "row 3", "客户删除员工"],
    ),
    (
        load_sms_report,
        "手机号(加密),发送时间,发送状态",
        "ab12,2024-11-08 10:00:00,发送中",
        ["发送状态", "'发送中'", "row 3", "allowed"],
    ),
    (
        load_shipments,
        "客户ID,发货时间,签收时间,包裹卡活动",
        "C1,2024-11-11 10:00:00,2024-11-10 18:00:00,cash_5",
        ["签收时间", "'2024-11-10 18:00:00'", "row 3", "before its 发货时间"],
    ),
    (
        load_channel_orders,
        "客户ID,下单时间,实付金额,渠道",
        "C1,2024-11-11 10:00:00,12.5,线下门店",
        ["渠道", "'线下门店'", "row 3", "platform"],
    ),
    (
        load_channel_orders,
        "客户ID,下单时间,实付金额,渠道",
        "C1,2024-11-11 10:00:00,abc,天猫",
        ["实付金额", "'abc'", "row 3", "not an amount"],
    ),
    (
        load_channel_orders,
        "客户ID,下单时间,实付金额,渠道",
        "C1,2024-11-11 10:00:00,-3,天猫",
        ["实付金额", "'-3'", "row 3", "out of range"],
    ),
    (
        load_contacts,
        "客户ID,所属员工,添加时间,申请时间",
        "C1,客服01,2024-11-11 10:00:00,2024-11-11 10:05:00",
        ["添加时间", "row 3", "before its 申请时间"],
    ),
    (
        load_touch_log,
        "发送时间,客户ID,内容类型",
        "2024-11-11 10:00:00,C1,新品",
        ["内容类型", "'新品'", "row 3", "educational"],
    ),
    (load_touch_log, "发送时间,客户ID", "11/11/2024 10:00,C1", ["发送时间", "'11/11/2024 10:00'", "is not a time"]),
    (load_contacts, "客户ID,添加时间", "C1,2024-11-11 10:00:00", ["no staff column recognised", "客户ID, 添加时间"]),
    (
        load_contacts,
        "客户ID,所属员工,添加时间,添加时间",
        "C1,客服01,2024-11-11 10:00:00,2024-11-11 10:00:00",
        ["ambiguous add_time column", "mapping add_time=COLUMN"],
    ),
]


@pytest.mark.parametrize(("reader", "header", "row", "holds"), ERRORS)
def test_bad_input_is_one_line_naming_the_file_row_column_and_value(
    tmp_path: Path, reader: Reader, header: str, row: str, holds: list[str]
) -> None:
    path = _write(tmp_path / "export.csv", ["title line", header, "", row])  # the row is line 4
    holds = [h.replace("row 3", "row 4") for h in holds]
    message = _one_line_error(reader, path)
    assert message.startswith(str(path))
    for text in holds:
        assert text in message, (text, message)


def test_the_first_bad_row_is_named_among_good_ones(tmp_path: Path) -> None:
    good = "C1,客服01,2024-11-11 10:00:00"
    path = _write(tmp_path / "contacts.csv", ["客户ID,所属员工,添加时间", good, good, "C2,客服01,2024-11-31 10:00:00"])
    assert "'2024-11-31 10:00:00' at row 4" in _one_line_error(load_contacts, path)


def test_a_deletion_list_without_a_direction_column_takes_the_direction_given(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "staff_deleted.csv", ["客户ID,所属员工,添加时间,删除时间", "C1,客服01,2024-11-11,2024-11-12"]
    )
    assert load_deletions(path)["direction"].tolist() == ["customer"]
    assert load_deletions(path, direction="staff")["direction"].tolist() == ["staff"]
    assert "direction 'both': allowed: customer or staff" in _one_line_error(load_deletions, path, direction="both")


def test_a_mapping_of_an_unknown_field_or_a_missing_column_is_one_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "contacts.csv", ["客户ID,所属员工,添加时间", "C1,客服01,2024-11-11 10:00:00"])
    assert "unknown field 'owner'" in _one_line_error(load_contacts, path, mapping={"owner": "所属员工"})
    assert "mapping staff=跟进人: no such column" in _one_line_error(load_contacts, path, mapping={"staff": "跟进人"})


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: p.mkdir(), "is a folder; give the export file in it (CSV or Excel)"),
        (lambda p: None, "no such file"),
        (lambda p: p.write_bytes(b""), "the file is empty"),
        (lambda p: p.write_text("客户ID,所属员工,添加时间\n\n", encoding="utf-8"), "no rows below the header row"),
    ],
)
def test_a_file_that_is_no_export_is_one_line(tmp_path: Path, make: Callable[[Path], object], says: str) -> None:
    path = tmp_path / "contacts.csv"
    make(path)
    assert _one_line_error(load_contacts, path) == f"{path}: {says}"


def test_a_touch_log_reads_content_tags_in_either_language_and_may_have_none(tmp_path: Path) -> None:
    rows = [
        "2024-11-11 20:00:00,C1,干货分享",
        "2024-11-11 20:00:00,C2,Emotional story",
        "2024-11-12 08:00:00,C3,优惠券",
    ]
    tagged = load_touch_log(_write(tmp_path / "tagged.csv", ["send_time,customer,内容分类", *rows]))
    assert tagged["content"].tolist() == ["educational", "emotional", "promotional"]
    bare = load_touch_log(_write(tmp_path / "bare.csv", ["客户ID,发送时间", "C1,2024-11-11 20:00:00"]))
    assert (bare["content"].tolist(), bare["channel"].tolist()) == ([""], [""])


def test_a_customer_list_may_carry_request_times_blank_where_unknown(tmp_path: Path) -> None:
    rows = [
        "客户ID,所属员工,添加时间,申请时间",
        "C1,客服01,2024-11-11 10:00:00,2024-11-11 09:30:00",
        "C2,客服01,2024-11-11,",
    ]
    requested = load_contacts(_write(tmp_path / "contacts.csv", rows))["request_time"]
    assert requested[0] == pd.Timestamp("2024-11-11 09:30") and pd.isna(requested[1])
    bare = load_contacts(_write(tmp_path / "bare.csv", ["客户ID,所属员工,添加时间", "C1,客服01,2024-11-11"]))
    assert bare["request_time"].isna().all() and bare["request_time"].dtype == "datetime64[ns]"
