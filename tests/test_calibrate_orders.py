"""Reading order exports: headers, encodings, Excel, refunds, zero amounts, the same-day merge, large files."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibrate import table
from sim.calibrate.bench import calibrate_rows, measure_command, write_export
from sim.calibrate.fit import rfm_summary
from sim.calibrate.orders import OrdersError, find_columns, load_orders, parse_amounts, parse_dates
from sim.calibrate.sums import kahan_sums

GOOD_HEADER = "customer_id,date,amount\n"

TAOBAO_HEADER = ["订单编号", "买家会员名", "买家实际支付金额", "订单状态", "订单创建时间", "订单付款时间", "退款金额"]
TAOBAO_ROWS = [
    ["1001", "小明", "￥128.00", "交易成功", "2024-03-01 10:02:11", "2024-03-01 10:02:30", "0"],
    ["1002", "小明", "￥30.50", "交易成功", "2024-03-01 21:40:00", "2024-03-01 21:41:00", "0"],  # same day: merged
    ["1003", "小红", "99", "交易关闭", "2024-03-02 09:00:00", "", "0"],  # closed: dropped
    ["1004", "小红", "59.9", "交易成功", "2024-03-05 12:00:00", "2024-03-05 12:01:00", "59.9"],  # refunded in full
    ["1005", "小红", "1,200.00", "交易成功", "2024-03-09 08:00:00", "2024-03-09 08:01:00", "200"],  # partly refunded
    ["1006", "老王", "0.00", "交易成功", "2024-03-10 08:00:00", "2024-03-10 08:01:00", "0"],  # zero but first: kept
    ["1007", "老王", "45", "卖家已发货，等待买家确认", "2024-03-12 08:00:00", "2024-03-12 08:00:05", ""],
    ["1008", "小明", "0", "交易成功", "2024-03-15 09:00:00", "2024-03-15 09:00:10", "0"],  # zero, not first: dropped
]


def _write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str, preamble: str = "") -> Path:
    lines = [",".join(header)] + [",".join(f'"{v}"' if "," in v else v for v in r) for r in rows]
    path.write_bytes((preamble + "\n".join(lines) + "\n").encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_chinese_platform_export_in_any_usual_encoding(tmp_path: Path, encoding: str) -> None:
    path = _write_csv(tmp_path / "taobao.csv", TAOBAO_HEADER, TAOBAO_ROWS, encoding)
    orders = load_orders(path)
    cols = orders.columns
    assert (cols.customer, cols.date, cols.amount) == ("买家会员名", "订单创建时间", "买家实际支付金额")
    assert (cols.status, cols.refund) == ("订单状态", "退款金额")
    assert orders.encoding in ("utf-8-sig", "gb18030")
    assert orders.n_rows == 8
    assert orders.n_refunded == 2  # one closed, one refunded in full
    assert orders.n_zero == 1  # 小明's later zero-amount order
    assert orders.n_zero_first == 1  # 老王's zero-amount first order stays his first purchase
    assert orders.n_orders == 5
    assert orders.n_merged == 1
    p = orders.purchases.set_index(["customer", "date"])["amount"]
    assert p[("小明", pd.Timestamp("2024-03-01"))] == pytest.approx(158.5)
    assert p[("小红", pd.Timestamp("2024-03-09"))] == pytest.approx(1000.0)  # 1,200 less the 200 refunded
    assert p[("老王", pd.Timestamp("2024-03-10"))] == 0.0
    assert p[("老王", pd.Timestamp("2024-03-12"))] == pytest.approx(45.0)
    assert len(p) == 4 and orders.n_customers == 3


def test_gbk_file_needs_no_encoding_flag_but_a_wrong_one_is_reported(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "gbk.csv", TAOBAO_HEADER, TAOBAO_ROWS, "gbk")
    assert load_orders(path, encoding="gbk").encoding == "gbk"
    with pytest.raises(OrdersError, match="cannot decode the file as utf-8"):
        load_orders(path, encoding="utf-8")


def test_title_lines_above_the_header_are_skipped_and_rows_keep_their_numbers(tmp_path: Path) -> None:
    rows = [["a", "2024/01/05", "10"], ["b", "2024年1月6日", "12"], ["b", "20240107", "oops"]]
    path = _write_csv(tmp_path / "t.csv", ["下单时间", "买家昵称", "实付金额"], [], "utf-8")
    text = "订单导出报表\n导出时间：2024-02-01\n\n买家昵称,下单时间,实付金额\n" + "\n".join(",".join(r) for r in rows)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OrdersError, match=r"unparseable amount 'oops' in column 实付金额 at row 7\b"):
        load_orders(path)


def test_english_headers_tab_separated_with_times_of_day(tmp_path: Path) -> None:
    text = "Order ID\tCustomer ID\tCreated At\tTotal\n1\tx\t2024-05-01T23:59:00\t5\n2\tx\t2024-05-02 00:01\t7\n"
    path = tmp_path / "shop.tsv"
    path.write_text(text, encoding="utf-8")
    orders = load_orders(path)
    assert (orders.columns.customer, orders.columns.date, orders.columns.amount) == (
        "Customer ID",
        "Created At",
        "Total",
    )
    assert orders.n_merged == 0  # a minute apart but on two days
    assert list(orders.purchases["date"].dt.day) == [1, 2]


def test_excel_export(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl", reason="reading .xlsx needs openpyxl, which sim does not yet depend on")
    path = tmp_path / "orders.xlsx"
    pd.DataFrame(TAOBAO_ROWS, columns=TAOBAO_HEADER).to_excel(path, index=False)
    orders = load_orders(path)
    assert orders.encoding is None
    assert (orders.n_rows, orders.n_refunded, orders.n_zero, orders.n_zero_first, orders.n_merged) == (8, 2, 1, 1, 1)


def test_excel_rows_are_the_sheet_rows_and_an_empty_workbook_is_reported(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl", reason="reading .xlsx needs openpyxl, which sim does not yet depend on")
    import datetime as dt

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "订单导出"  # a title, a blank row, then the header on row 3
    sheet.append([])
    sheet.append(["买家会员名", "下单时间", "实付金额"])
    sheet.append(["a", dt.datetime(2024, 1, 1, 10, 0), 12.5])
    sheet.append(["b", dt.datetime(2024, 1, 2), 13])
    sheet.append(["b", "2024-01-05", "x"])
    book.save(tmp_path / "titled.xlsx")
    with pytest.raises(OrdersError, match=r"unparseable amount 'x' in column 实付金额 at row 6\b"):
        load_orders(tmp_path / "titled.xlsx")
    openpyxl.Workbook().save(tmp_path / "empty.xlsx")
    with pytest.raises(OrdersError, match="the file is empty"):
        load_orders(tmp_path / "empty.xlsx")


def test_columns_named_on_the_command_line_win_over_recognised_ones() -> None:
    headers = ["customer_id", "buyer", "date", "paid", "amount"]
    cols = find_columns(headers, customer="buyer", amount="paid")
    assert (cols.customer, cols.date, cols.amount) == ("buyer", "date", "paid")
    with pytest.raises(OrdersError, match="--date-col when: no such column; the columns are: customer_id, buyer"):
        find_columns(headers, date="when")
    with pytest.raises(OrdersError, match="no amount column recognised; name it with --amount-col"):
        find_columns(["customer_id", "date", "qty"])


def test_value_parsers() -> None:
    dates = parse_dates(pd.Series(["2024-01-02 13:00:00", "2024/1/3", "2024年1月4日 08:00", "", "soon"]))
    assert list(dates.iloc[:3].dt.day) == [2, 3, 4]
    assert dates.iloc[3:].isna().all()
    amounts = parse_amounts(pd.Series(["¥1,299.00", "35.5元", "USD 12", "-3", "abc"]))
    assert amounts.iloc[:4].tolist() == [1299.0, 35.5, 12.0, -3.0]
    assert pd.isna(amounts.iloc[4])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\n\n", "the file is empty"),
        (b"customer_id,date,amount\n", "no orders below the header row"),
        (b"customer_id,date,amount\na,2024-01-01,5\nb,2024-13-45,6\n", r"unparseable date '2024-13-45' .* at row 3\b"),
        (
            b"customer_id,date,amount\na,2024-01-01,5\nb,2024-01-02,-6\n",
            r"negative amount '-6' in column amount at row 3\b",
        ),
        (
            b"customer_id,date,amount\na,2024-01-01,5\n,2024-01-02,6\n",
            r"empty customer in column customer_id at row 3\b",
        ),
        (b"customer_id,date,amount\na,2024-01-01,0\n", "no orders left after dropping 0 refunded"),
    ],
    ids=["empty", "blank", "header_only", "bad_date", "negative", "no_customer", "all_zero"],
)
def test_bad_exports_raise_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(OrdersError, match=message) as info:
        load_orders(path)
    assert "\n" not in str(info.value)


# ----------------------------------------------------------------------------- zero amounts and first purchases


def test_a_zero_amount_first_order_stays_the_customers_first_purchase(tmp_path: Path) -> None:
    """Dropping zero-amount orders must not move a first purchase (a free sample, then paid orders).

    Before the fix, a's first purchase moved to 02-01: x = 1 instead of 2, and T four weeks short.
    """
    text = GOOD_HEADER + (
        "a,2024-01-01,0\n"  # a free first order: stays the first purchase
        "a,2024-02-01,10\n"
        "a,2024-03-01,20\n"
        "b,2024-01-05,15\n"
        "b,2024-01-20,0\n"  # zero but not first: dropped
        "b,2024-02-10,25\n"
        "c,2024-01-07,0\n"  # nothing but zero: not a customer
    )
    path = tmp_path / "zero.csv"
    path.write_text(text, encoding="utf-8")
    orders = load_orders(path)
    assert (orders.n_zero, orders.n_zero_first, orders.n_customers) == (2, 1, 2)
    rfm = rfm_summary(orders.purchases, "2024-03-31")
    kept_all = rfm_summary(load_orders(path, drop_zero=False).purchases, "2024-03-31")
    a = list(rfm.customer).index("a")
    assert rfm.first_date[a] == kept_all.first_date[list(kept_all.customer).index("a")] == np.datetime64("2024-01-01")
    assert (rfm.x[a], rfm.t_x[a], rfm.T[a]) == (2.0, 60 / 7, 90 / 7)
    assert rfm.mean_repeat_spend[a] == 15.0
    b = list(rfm.customer).index("b")
    assert (rfm.x[b], rfm.mean_repeat_spend[b]) == (1.0, 25.0)


# ----------------------------------------------------------------------------- large exports


def _export(tmp_path: Path, n_rows: int, seed: int = 5) -> Path:
    return write_export(tmp_path / f"export_{n_rows}.csv", n_rows, seed)


def test_same_day_orders_are_merged_by_default_or_each_kept_as_a_purchase(tmp_path: Path) -> None:
    """Merged, a's two orders of 01-01 are one first purchase and b's two of 02-01 one repeat of 30; kept, a has a
    repeat on its first day (t_x counts it at day 0) and b two repeats on one day, each in the repeat spend."""
    text = GOOD_HEADER + (
        "b,2024-02-01,20\n"  # rows out of order: kept orders sort by customer and date, file order within a day
        "a,2024-01-01,10\n"
        "a,2024-01-01,30\n"
        "b,2024-01-10,5\n"
        "b,2024-02-01,10\n"
    )
    path = tmp_path / "same_day.csv"
    path.write_text(text, encoding="utf-8")
    merged, kept = load_orders(path), load_orders(path, same_day="keep")
    assert (merged.n_merged, kept.n_merged, len(merged.purchases), len(kept.purchases)) == (2, 0, 3, 5)
    assert kept.purchases["amount"].tolist() == [10.0, 30.0, 5.0, 20.0, 10.0]
    by_merge, by_keep = rfm_summary(merged.purchases, "2024-02-29"), rfm_summary(kept.purchases, "2024-02-29")
    assert by_merge.x.tolist() == [0.0, 1.0] and by_keep.x.tolist() == [1.0, 2.0]
    assert (by_keep.t_x[0], by_keep.t_x[1]) == (0.0, 22 / 7)
    assert np.isnan(by_merge.mean_repeat_spend[0]) and by_merge.mean_repeat_spend[1] == 30.0
    assert by_keep.mean_repeat_spend.tolist() == [30.0, 15.0]
    with pytest.raises(OrdersError, match="same-day orders 'sum': allowed: merge, keep"):
        load_orders(path, same_day="sum")


def test_the_columnar_reader_gives_the_row_by_row_readers_purchases(tmp_path: Path, monkeypatch) -> None:
    """The generated Taobao-style export (title line, times of day, closed/refunded/zero orders) both ways."""
    path = _export(tmp_path, 30_000)
    fast = load_orders(path)
    monkeypatch.setattr(table, "_read_csv_fast", lambda *args: None)  # as for a ragged file
    slow = load_orders(path)
    for name in ("n_rows", "n_refunded", "n_zero", "n_zero_first", "n_merged", "encoding", "columns"):
        assert getattr(fast, name) == getattr(slow, name), name
    assert fast.n_refunded > 0 and fast.n_zero > 0 and fast.n_merged > 0
    pd.testing.assert_frame_equal(fast.purchases, slow.purchases)


def test_an_error_deep_in_a_large_file_names_its_line(tmp_path: Path) -> None:
    """A bad amount in the last of 20,000 orders, after a blank line and a quoted value spanning two lines."""
    path = _export(tmp_path, 20_000)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)  # title, header, 20,000 orders
    fields = lines[1000].rstrip("\n").split(",")
    fields[1] = '"tb multi\nline"'  # one record on two lines
    lines[1000] = ",".join(fields) + "\n"
    lines.insert(500, "\n")
    fields = lines[-1].rstrip("\n").split(",")
    fields[2] = "12.x"
    lines[-1] = ",".join(fields) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    last_line = len(lines) + 1  # the quoted value's line break is one more line
    assert last_line == 20_004
    with pytest.raises(OrdersError, match=rf"unparseable amount '12.x' in column 买家实际支付金额 at row {last_line};"):
        load_orders(path)


def test_a_ragged_file_is_read_row_by_row_and_short_rows_are_padded(tmp_path: Path) -> None:
    text = "customer_id,date,amount,status\na,2024-01-01,5,ok\na,2024-01-09,6\nb,2024-01-02,7,ok\n"
    path = tmp_path / "ragged.csv"
    path.write_text(text, encoding="utf-8")
    orders = load_orders(path)
    assert orders.n_rows == 3 and len(orders.purchases) == 3
    path.write_text(text.replace("a,2024-01-09,6\n", "a,2024-01-09,x\n"), encoding="utf-8")
    with pytest.raises(OrdersError, match=r"unparseable amount 'x' in column amount at row 3\b"):
        load_orders(path)


def test_the_encoding_is_decided_on_the_whole_file(tmp_path: Path) -> None:
    """English headers and ASCII rows, then a GBK buyer name 30,000 rows down: read as GB18030."""
    rows = "".join(f"c{i},2024-01-{1 + i % 28:02d},{5 + i % 7}\n" for i in range(30_000))
    path = tmp_path / "late_gbk.csv"
    path.write_bytes((GOOD_HEADER + rows).encode("ascii") + "小明,2024-02-01,9\n".encode("gbk"))
    orders = load_orders(path)
    assert orders.encoding == "gb18030"
    assert "小明" in set(orders.purchases["customer"])


def test_dates_with_times_of_day_in_the_forms_exports_use(tmp_path: Path) -> None:
    body = (
        "a,2024-03-01 10:02:11,1\n"
        "b,2024/03/02 23:59,1\n"
        'c,"=""2024-03-03 00:00:01""",1\n'  # an Excel-proofed value, ="..."
        "d,2024-03-04T08:00:00,1\n"
    )
    path = tmp_path / "times.csv"
    path.write_text(GOOD_HEADER + body, encoding="utf-8")
    days = load_orders(path).purchases.set_index("customer")["date"].dt.day
    assert [days[c] for c in "abcd"] == [1, 2, 3, 4]
    path.write_text(GOOD_HEADER + body + "e,2024-03-05 25:00:00,1\n", encoding="utf-8")
    with pytest.raises(OrdersError, match=r"unparseable date '2024-03-05 25:00:00' in column date at row 6\b"):
        load_orders(path)


def test_sums_are_pandas_group_sums_to_the_last_bit() -> None:
    """The merge and the mean repeat spend reproduce pandas' compensated group sums exactly."""
    rng = np.random.default_rng(3)
    key = np.sort(rng.integers(0, 2_000, 10_000))
    values = np.round(rng.gamma(2.0, 20.0, key.size), 2)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    with_nan = pd.Series(np.r_[values, np.nan]).groupby(np.r_[key, key[-1] + 1]).sum()  # NaN: pandas' Kahan path
    np.testing.assert_array_equal(kahan_sums(values, starts), with_nan.to_numpy()[:-1])
    naive = np.add.reduceat(values, starts)
    assert (naive != kahan_sums(values, starts)).any()  # the check can tell the two apart


def test_calibrate_rows_reports_time_and_memory_of_the_command() -> None:
    result = calibrate_rows(3_000)
    assert result["rows"] == 3_000
    assert result["seconds"] > 0 and 50 < result["peak_rss_mib"] < 2048


def test_the_bench_command_runs_the_calibration_benchmark_and_bounds_its_rows() -> None:
    import json
    import subprocess

    bench = [sys.executable, "-m", "sim.bench", "--calibrate-rows"]
    ok = subprocess.run([*bench, "1000"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    result = json.loads(ok.stdout.strip().splitlines()[-1])
    assert result["rows"] == 1000 and 0 < result["cpu_seconds"] and 50 < result["peak_rss_mib"] < 2048
    for rows in ("99", "20000001"):
        bad = subprocess.run([*bench, rows], capture_output=True, text=True)
        assert bad.returncode == 2
        assert bad.stderr.strip() == f"error: --calibrate-rows={rows}: allowed range [100, 20,000,000]"


def test_measured_peak_memory_is_the_commands_not_the_callers() -> None:
    """A caller holding 400 MiB (as after generating an export) must not show in the command's peak RSS.

    Spawned straight from the caller, Linux reports the caller's peak as the child's (463 MiB for ``pass``).
    """
    held = np.ones(400 * 2**20 // 8)
    small = measure_command([sys.executable, "-c", "pass"])
    large = measure_command([sys.executable, "-c", "import numpy as np; np.ones(300 * 2**20 // 8)[:] = 1"])
    assert held.sum() > 0 and small["returncode"] == 0
    assert small["peak_rss_mib"] < 100 and 300 < large["peak_rss_mib"] < 400


def test_the_same_day_merge_is_pandas_groupby_sum_to_the_last_bit() -> None:
    """Unsorted rows (as exports come) with up to 6 orders a customer-day: the old reader's groupby sum exactly."""
    from sim.calibrate.orders import _purchases

    rng = np.random.default_rng(4)
    n = 20_000
    customer = rng.integers(0, 1_500, n).astype(np.int32)
    day = rng.integers(19_700, 19_706, n).astype(np.int32)
    amount = np.round(rng.gamma(2.0, 20.0, n), 2)
    names = pd.Index([f"c{i:04d}" for i in range(1_500)])
    merged = _purchases(customer, day, amount, names)
    frame = pd.DataFrame({"customer": names[customer], "date": day.astype("datetime64[D]"), "amount": amount})
    reference = frame.groupby(["customer", "date"], as_index=False, sort=True)["amount"].sum()
    assert (merged["customer"].astype(str).to_numpy() == reference["customer"].to_numpy()).all()
    np.testing.assert_array_equal(merged["amount"].to_numpy(), reference["amount"].to_numpy())
