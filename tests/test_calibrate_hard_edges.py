"""Hard edges of ``python -m sim.calibrate`` (issue 15): every bad input is one line, and no run leaves a half result.

Cases are generated per class from a seeded generator (the values, the row they sit in, the forms
around them), each run through the command's ``main``:

- the orders path: a folder, a loop of symbolic links, a broken link, a pipe, a missing or unreadable file;
- dates: ISO timestamps in two time zones; year-first and day/month-first dates in one column; a
  column that reads only day-first next to one that reads only month-first; a column no date of which
  decides; dates in the future; typo years (2204, 1204) beyond the plausible range;
- amounts: ``inf``, ``nan``, ``1e400`` and the like, in the amount and the refund column, and amounts
  above ten billion; decimal commas next to decimal points (a column of decimal commas alone is read);
- an Excel workbook with several sheets (``--sheet`` picks one); a title block above the header (read),
  one longer than the rows searched (refused);
- ``--out`` in a folder that cannot take it: a folder itself, below a file, a system folder, a
  read-only mount, a result file's name taken by a folder; checked before the orders are read.

Each must exit 2 with one ``error:`` line that names the file, row or argument, the value and what
is allowed, print no traceback, and leave no file (not even a hidden temporary one) where it was to
write. Then the faults: a full disk (injected at every file of the write, and a real small tmpfs
where the machine allows mounting), Ctrl-C at every file, and SIGTERM during the fit: nothing appears.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibrate import cli
from sim.calibrate.orders import load_orders
from sim.calibrate.output import publish

DATA = Path(__file__).resolve().parent / "data"
CDNOW = DATA / "cdnow_sample_orders_1997-01-01_1997-09-30.csv"
HEADER = ["customer_id", "date", "amount"]
TODAY = dt.date.today()
COUNTS: dict[str, int] = {}  # class -> generated cases, printed by the last test


def _count(name: str, cases: list) -> list:
    COUNTS[name] = COUNTS.get(name, 0) + len(cases)
    return cases


# ----------------------------------------------------------------------------- running the command


def _files(folder: Path) -> set[str]:
    """Every file and folder below ``folder``, hidden ones included."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*")} if folder.exists() else set()


def assert_refused(
    capsys, monkeypatch, argv: list[object], folder: Path, needles: list[str], before: str = "fit"
) -> str:
    """Run the command; assert exit 2, one ``error:`` line holding every needle, no traceback, no file left in
    ``folder``. ``before`` is the step that must not be reached: 'fit' (the models) or 'read' (the orders)."""
    guard = {"fit": "calibrate", "read": "load_orders"}[before]

    def reached(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"{guard} was reached: the error must come before it")

    monkeypatch.setattr(cli, guard, reached)
    existing = _files(folder)
    try:
        cli.main([str(a) for a in argv])
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 2, (code, err)
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in out + err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    assert _files(folder) == existing, f"left behind: {_files(folder) - existing}"
    return lines[0]


def _export(n_rows: int, rng: np.random.Generator) -> pd.DataFrame:
    """A small order export: customers, ISO dates in 2024 (oldest first), amounts with two decimals."""
    customer = rng.integers(0, max(2, n_rows // 3), n_rows)
    day = np.sort(rng.integers(0, 330, n_rows))
    return pd.DataFrame(
        {
            "customer_id": [f"c{c}" for c in customer],
            "date": (np.datetime64("2024-01-01") + day).astype(str),
            "amount": [f"{a:.2f}" for a in np.round(rng.gamma(2.0, 20.0, n_rows) + 1.0, 2)],
        }
    )


def _write(path: Path, frame: pd.DataFrame, sep: str = ",", preamble: str = "") -> Path:
    def cell(v: object) -> str:
        text = str(v)
        return f'"{text}"' if sep in text or '"' in text else text

    lines = [sep.join(frame.columns)] + [sep.join(cell(v) for v in row) for row in frame.itertuples(index=False)]
    path.write_text(preamble + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _row(k: int, title_lines: int = 0) -> str:
    """The file's row number of data row ``k`` (the header on the line after the title block)."""
    return f"at row {k + 2 + title_lines}"


# ----------------------------------------------------------------------------- the orders path


def _path_cases() -> list[str]:
    return ["folder", "folder_named_csv", "folder_named_xlsx", "self_loop", "two_loop", "three_loop", "broken_link"]


@pytest.mark.parametrize("case", _count("orders path", [*_path_cases(), "pipe", "missing", "no_permission"]))
def test_an_orders_path_that_is_not_a_readable_file_is_one_line(tmp_path: Path, capsys, monkeypatch, case: str) -> None:
    src = tmp_path / "in"
    src.mkdir()
    out = tmp_path / "out" / "pop.yaml"
    path = src / "orders.csv"
    says = {
        "folder": "is a folder; give the order export file in it",
        "folder_named_csv": "is a folder; give the order export file in it",
        "folder_named_xlsx": "is a folder; give the order export file in it",
        "self_loop": "a loop of symbolic links",
        "two_loop": "a loop of symbolic links",
        "three_loop": "a loop of symbolic links",
        "broken_link": "a symbolic link to",
        "pipe": "not a regular file",
        "missing": "no such file",
        "no_permission": "no permission to read it",
    }[case]
    if case == "folder":
        path = src / "exports"
        path.mkdir()
    elif case in ("folder_named_csv", "folder_named_xlsx"):
        path = src / ("orders.csv" if case == "folder_named_csv" else "订单.xlsx")
        path.mkdir()
    elif case.endswith("loop"):
        n = {"self_loop": 1, "two_loop": 2, "three_loop": 3}[case]
        links = [src / f"l{i}.csv" for i in range(n)]
        for i, link in enumerate(links):
            os.symlink(links[(i + 1) % n].name, link)
        path = links[0]
    elif case == "broken_link":
        os.symlink("gone.csv", path)
    elif case == "pipe":
        os.mkfifo(path)
    elif case == "no_permission":
        if os.geteuid() == 0:
            pytest.skip("runs as root, who may read any file: a file without read permission cannot be made")
        _write(path, _export(20, np.random.default_rng(0)))
        path.chmod(0)
    assert_refused(capsys, monkeypatch, ["--orders", path, "--out", out], tmp_path / "out", [str(path), says], "fit")


# ----------------------------------------------------------------------------- dates

ZONES = ["+08:00", "+0800", "+08", "Z", "UTC", " GMT", "-05:00", "+05:30", "-0800", "+01:00", ""]
TIMES = ["T10:00:00", " 23:59:59", "T00:00:00.123", " 08:30", "T12:00"]


def _zone_cases() -> list[tuple[int, str, str, str]]:
    rng = np.random.default_rng(151)
    norm = {"+08:00": "+08:00", "+0800": "+08:00", "+08": "+08:00", "Z": "0", "UTC": "0", " GMT": "0"}
    cases = []
    while len(cases) < 24:
        a, b = rng.choice(ZONES, 2, replace=False)
        if norm.get(a, a) == norm.get(b, b):
            continue
        cases.append((int(rng.integers(1, 40)), str(a), str(b), str(rng.choice(TIMES))))
    return cases


@pytest.mark.parametrize(("k", "zone", "other", "clock"), _count("time zones", _zone_cases()))
def test_timestamps_in_two_time_zones_are_one_line_naming_the_row(
    tmp_path: Path, capsys, monkeypatch, k: int, zone: str, other: str, clock: str
) -> None:
    frame = _export(40, np.random.default_rng(k))
    frame["date"] = frame["date"] + clock + zone
    frame.loc[k, "date"] = frame.loc[k, "date"].removesuffix(zone) + other
    path = _write(tmp_path / "orders.csv", frame)
    value = frame.loc[k, "date"].strip()
    line = assert_refused(
        capsys,
        monkeypatch,
        ["--orders", path, "--out", tmp_path / "pop.yaml"],
        tmp_path,
        [f"date {value!r} in column date {_row(k)}", "allowed: one time zone per column"],
    )
    assert ("without a time zone" in line) == ("" in (zone, other))


def test_timestamps_in_one_time_zone_keep_the_date_as_written(tmp_path: Path) -> None:
    """One zone throughout: each order's local date, never shifted to UTC (23:30+08:00 stays that day)."""
    frame = _export(60, np.random.default_rng(5))
    dated = frame.copy()
    dated["date"] = dated["date"] + "T23:30:00+08:00"
    plain = load_orders(_write(tmp_path / "plain.csv", frame)).purchases
    zoned = load_orders(_write(tmp_path / "zoned.csv", dated)).purchases
    pd.testing.assert_frame_equal(plain, zoned)


FIRST_FORMS = ["{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}{m:02d}{d:02d}", "{y}年{m}月{d}日", "{y}.{m:02d}.{d:02d}"]
DMY_FORMS = ["{d:02d}/{m:02d}/{y}", "{d}.{m}.{y}", "{d:02d}-{m:02d}-{y}"]


def _mixed_cases() -> list[tuple[int, str, str, bool]]:
    """(row, the column's form, the odd row's form, day/month-first column with a year-first odd row)."""
    rng = np.random.default_rng(152)
    cases = []
    for i in range(24):
        reverse = i % 3 == 2
        forms = (DMY_FORMS, FIRST_FORMS) if reverse else (FIRST_FORMS, DMY_FORMS)
        cases.append((int(rng.integers(1, 40)), str(rng.choice(forms[0])), str(rng.choice(forms[1])), reverse))
    return cases


def _dates_in(form: str, days: pd.Series) -> list[str]:
    return [form.format(y=d.year, m=d.month, d=d.day) for d in pd.to_datetime(days)]


@pytest.mark.parametrize(("k", "form", "odd", "reverse"), _count("mixed date forms", _mixed_cases()))
def test_year_first_and_day_or_month_first_dates_in_one_column_are_refused_naming_the_row(
    tmp_path: Path, capsys, monkeypatch, k: int, form: str, odd: str, reverse: bool
) -> None:
    frame = _export(40, np.random.default_rng(k + 1000))
    frame.loc[0, "date"] = "2024-01-25"  # a first number above 12: a day/month-first column reads day-first
    written = _dates_in(form, frame["date"])
    written[k] = _dates_in(odd, frame["date"].iloc[[k]])[0]
    frame["date"] = written
    path = _write(tmp_path / "orders.csv", frame)
    kinds = ("year-first", "day/month-first") if reverse else ("day/month-first", "year-first")
    assert_refused(
        capsys,
        monkeypatch,
        ["--orders", path, "--out", tmp_path / "pop.yaml"],
        tmp_path,
        [f"date {written[k]!r} in column date {_row(k)} is {kinds[0]} but row 2's {written[0]!r} is {kinds[1]}"]
        + ["allowed: one form per column, or --date-order dmy or mdy"],
    )


def _order_cases() -> list[tuple[int, int, int]]:
    rng = np.random.default_rng(153)
    return [(int(rng.integers(2, 40)), int(rng.integers(13, 29)), int(rng.integers(1, 13))) for _ in range(12)]


@pytest.mark.parametrize(("k", "day", "month"), _count("day-first and month-first", _order_cases()))
def test_a_month_first_date_in_a_day_first_column_is_refused_naming_the_row(
    tmp_path: Path, capsys, monkeypatch, k: int, day: int, month: int
) -> None:
    frame = _export(40, np.random.default_rng(k + 2000))
    written = _dates_in("{d:02d}/{m:02d}/{y}", frame["date"])
    written[0] = "25/01/2024"  # decides day-first
    written[k] = f"{month:02d}/{day:02d}/2024"  # only month-first can read it
    frame["date"] = written
    path = _write(tmp_path / "orders.csv", frame)
    assert_refused(
        capsys,
        monkeypatch,
        ["--orders", path, "--out", tmp_path / "pop.yaml"],
        tmp_path,
        [f"date {written[k]!r} in column date {_row(k)} can only be read month-first but row 2's '25/01/2024' only"],
    )


@pytest.mark.parametrize("seed", _count("no date decides the order", list(range(6))))
def test_a_column_no_date_of_which_decides_day_or_month_first_needs_date_order(
    tmp_path: Path, capsys, monkeypatch, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    n = 30
    day, month = rng.integers(1, 13, n), rng.integers(1, 13, n)
    day[0] = month[0] = 5  # the first reads the same either way: the message names the first that does not
    day[1], month[1] = 3, 4
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{i % 9}" for i in range(n)],
            "date": [f"{d:02d}/{m:02d}/2024" for d, m in zip(day, month, strict=True)],
            "amount": ["10.00"] * n,
        }
    )
    path = _write(tmp_path / "orders.csv", frame)
    assert_refused(
        capsys,
        monkeypatch,
        ["--orders", path, "--out", tmp_path / "pop.yaml"],
        tmp_path,
        ["date '03/04/2024' in column date at row 3 can be day-first (2024-04-03) or month-first (2024-03-04)"]
        + ["allowed: --date-order dmy or --date-order mdy"],
    )
    for order in ("dmy", "mdy"):
        read = load_orders(path, date_order=order).purchases["date"]
        first, second = (day, month) if order == "dmy" else (month, day)
        expected = {pd.Timestamp(2024, m, d) for d, m in zip(first, second, strict=True)}
        assert set(read) == expected


def _future_cases() -> list[tuple[int, str, str]]:
    rng = np.random.default_rng(154)
    later = [TODAY + dt.timedelta(days=n) for n in (2, 3, 40, 400, 4000)]
    values = [d.isoformat() for d in later] + ["2099-12-31", f"{TODAY.year + 1}/1/1", f"{TODAY.year + 2}0615"]
    return [(int(rng.integers(1, 40)), v, "in the future") for v in values]


def _typo_cases() -> list[tuple[int, str, str]]:
    rng = np.random.default_rng(155)
    future = ["2204-06-15", "2204/6/15", "22040615", "2204年6月15日", "9999-12-31", "3024-01-02", "2204-06-15 10:00:00"]
    past = ["1204-06-15", "0204-06-15", "1024/1/2", "1899-12-31", "1989-12-31", "1900年1月1日"]
    return [(int(rng.integers(1, 40)), v, "in the future") for v in future] + [
        (int(rng.integers(1, 40)), v, "before 1990-01-01") for v in past
    ]


@pytest.mark.parametrize(
    ("k", "value", "says"), _count("future dates", _future_cases()) + _count("typo years", _typo_cases())
)
def test_dates_beyond_the_plausible_range_are_refused_naming_the_row(
    tmp_path: Path, capsys, monkeypatch, k: int, value: str, says: str
) -> None:
    frame = _export(40, np.random.default_rng(k + 3000))
    frame.loc[k, "date"] = value
    path = _write(tmp_path / "orders.csv", frame)
    assert_refused(
        capsys,
        monkeypatch,
        ["--orders", path, "--out", tmp_path / "pop.yaml"],
        tmp_path,
        [f"date {value!r} in column date {_row(k)} is {says}", "allowed: dates from 1990-01-01 to "],
    )


def test_the_ends_of_the_plausible_range_are_read(tmp_path: Path) -> None:
    frame = _export(40, np.random.default_rng(7))
    frame.loc[0, "date"] = "1990-01-01"
    frame.loc[39, "date"] = (TODAY + dt.timedelta(days=1)).isoformat()
    dates = load_orders(_write(tmp_path / "orders.csv", frame)).purchases["date"]
    assert dates.min() == pd.Timestamp("1990-01-01") and dates.max() == pd.Timestamp(TODAY + dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("flag", "value"),
    _count(
        "future dates",
        [("--end-date", (TODAY + dt.timedelta(days=2)).isoformat()), ("--end-date", "2204-01-01")]
        + [("--holdout-end", "2204-01-01"), ("--end-date", "1989-12-31")],
    ),
)
def test_end_dates_beyond_the_plausible_range_are_one_line(
    tmp_path: Path, capsys, monkeypatch, flag: str, value: str
) -> None:
    argv = ["--orders", CDNOW, "--out", tmp_path / "pop.yaml", "--end-date", "1997-06-30", flag, value]
    assert_refused(capsys, monkeypatch, argv, tmp_path, [f"{flag} {value}: allowed: a date from 1990-01-01 to"], "read")


# ----------------------------------------------------------------------------- amounts

NOT_FINITE = ["inf", "-inf", "+inf", "Infinity", "-Infinity", "INF", "nan", "NaN", "NAN", "1e400", "-1e400", "¥inf"]


def _amount_cases() -> list[tuple[int, str, str, str]]:
    rng = np.random.default_rng(156)
    cases = [(int(rng.integers(1, 40)), v, "amount", "is not a finite number") for v in NOT_FINITE]
    cases += [(int(rng.integers(1, 40)), v, "refund", "is not a finite number") for v in ("inf", "nan", "1e400")]
    cases += [(int(rng.integers(1, 40)), v, "amount", "is above 10,000,000,000") for v in ("1e11", "12345678901")]
    return cases


@pytest.mark.parametrize(("k", "value", "column", "says"), _count("non-finite amounts", _amount_cases()))
def test_amounts_that_are_not_finite_or_implausible_are_refused_naming_the_row(
    tmp_path: Path, capsys, monkeypatch, k: int, value: str, column: str, says: str
) -> None:
    frame = _export(40, np.random.default_rng(k + 4000))
    frame["refund"] = "0"
    frame.loc[k, column] = value
    path = _write(tmp_path / "orders.csv", frame)
    assert_refused(
        capsys,
        monkeypatch,
        ["--orders", path, "--out", tmp_path / "pop.yaml"],
        tmp_path,
        [f"{column} {value!r} in column {column} {_row(k)} {says}", "allowed: a number from 0 to 10,000,000,000"],
    )


def _mark_cases() -> list[tuple[int, str, bool]]:
    """(row, the odd amount, the column uses decimal commas)."""
    rng = np.random.default_rng(157)
    commas, points = ["12,50", "1.299,00", "0,5", "3,25", "1.234.567"], ["12.50", "1,299.00", "0.5", "1,234,567"]
    return [(int(rng.integers(1, 40)), v, False) for v in commas] + [
        (int(rng.integers(1, 40)), v, True) for v in points
    ]


@pytest.mark.parametrize(("k", "value", "comma_column"), _count("decimal commas", _mark_cases()))
def test_decimal_commas_next_to_decimal_points_are_refused_naming_the_row(
    tmp_path: Path, capsys, monkeypatch, k: int, value: str, comma_column: bool
) -> None:
    frame = _export(40, np.random.default_rng(k + 5000))
    frame.loc[0, "amount"] = "10.25"
    if comma_column:
        frame["amount"] = frame["amount"].str.replace(".", ",", regex=False)
    frame.loc[k, "amount"] = value
    path = _write(tmp_path / "orders.csv", frame, sep=";")
    odd, first = ("a decimal point", "a decimal comma") if comma_column else ("a decimal comma", "a decimal point")
    assert_refused(
        capsys,
        monkeypatch,
        ["--orders", path, "--out", tmp_path / "pop.yaml"],
        tmp_path,
        [f"amount {value!r} in column amount {_row(k)} has {odd} but row 2's {frame.loc[0, 'amount']!r} {first}"],
    )


def test_an_export_with_decimal_commas_is_read_as_the_same_amounts(tmp_path: Path) -> None:
    """CDNOW's amounts x 100, written with thousands separators the English way (1,234.56; ',' between fields) and the
    European way (1.234,56; ';' between fields): the same purchases to the last bit."""
    frame = pd.read_csv(CDNOW, dtype=str)
    english = [f"{100 * float(a):,.2f}" for a in frame["amount"]]
    european = ["".join({",": ".", ".": ","}.get(ch, ch) for ch in a) for a in english]
    assert any("." in a and "," in a for a in european)  # 1.234,56
    read = {}
    for name, amounts, sep in (("en", english, ","), ("eu", european, ";")):
        read[name] = load_orders(_write(tmp_path / f"{name}.csv", frame.assign(amount=amounts), sep=sep)).purchases
    pd.testing.assert_frame_equal(read["eu"], read["en"])
    assert read["en"]["amount"].max() > 1_000


# ----------------------------------------------------------------------------- Excel sheets and title blocks

SHEETS = ["汇总", "订单", "Sheet1", "退款明细", "Orders 2024", "说明"]


def _sheet_cases() -> list[tuple[tuple[str, ...], int]]:
    rng = np.random.default_rng(158)
    cases = []
    for n in (2, 2, 3, 3, 4, 4, 5, 6):
        names = tuple(str(s) for s in rng.choice(SHEETS, n, replace=False))
        cases.append((names, int(rng.integers(0, n))))
    return cases


@pytest.mark.parametrize(("names", "orders_at"), _count("multi-sheet Excel", _sheet_cases()))
def test_a_workbook_with_several_sheets_needs_sheet(
    tmp_path: Path, capsys, monkeypatch, names: tuple[str, ...], orders_at: int
) -> None:
    pytest.importorskip("openpyxl")
    frame = _export(30, np.random.default_rng(len(names)))
    path = tmp_path / "orders.xlsx"
    with pd.ExcelWriter(path) as book:
        for i, name in enumerate(names):
            (frame if i == orders_at else pd.DataFrame({"合计": [len(frame)]})).to_excel(
                book, sheet_name=name, index=False
            )
    before = _files(tmp_path)
    listed = ", ".join(names)
    assert_refused(
        capsys,
        monkeypatch,
        ["--orders", path, "--out", tmp_path / "pop.yaml"],
        tmp_path,
        [f"{path}: a workbook with {len(names)} sheets ({listed}); allowed: one sheet, or --sheet NAME"],
    )
    assert_refused(
        capsys,
        monkeypatch,
        ["--orders", path, "--out", tmp_path / "pop.yaml", "--sheet", "nope"],
        tmp_path,
        [f"--sheet nope: no such sheet in orders.xlsx; the sheets are: {listed}"],
    )
    picked = load_orders(path, sheet=names[orders_at])
    assert picked.n_rows == len(frame) and _files(tmp_path) == before


def test_sheet_on_a_csv_is_one_line(tmp_path: Path, capsys, monkeypatch) -> None:
    path = _write(tmp_path / "orders.csv", _export(20, np.random.default_rng(1)))
    argv = ["--orders", path, "--out", tmp_path / "pop.yaml", "--sheet", "订单"]
    assert_refused(capsys, monkeypatch, argv, tmp_path, ["--sheet 订单: orders.csv is not an Excel workbook"])


TITLES = ["订单导出报表", "导出时间：2024-02-01", "", "说明,以下为已付款订单,金额单位:元", "Shop: 小店", "  "]


@pytest.mark.parametrize("n_titles", _count("title blocks", [1, 2, 3, 5, 8, 12]))
def test_a_title_block_above_the_header_is_skipped_and_rows_keep_the_files_numbers(
    tmp_path: Path, capsys, monkeypatch, n_titles: int
) -> None:
    rng = np.random.default_rng(n_titles)
    titles = [str(rng.choice(TITLES)) for _ in range(n_titles)]
    titles[0] = "订单导出报表"
    frame = _export(40, rng)
    good = _write(tmp_path / "good.csv", frame, preamble="\n".join(titles) + "\n")
    assert load_orders(good).n_rows == len(frame)
    k = int(rng.integers(1, 40))
    frame.loc[k, "amount"] = "12.x"
    bad = _write(tmp_path / "bad.csv", frame, preamble="\n".join(titles) + "\n")
    assert_refused(
        capsys,
        monkeypatch,
        ["--orders", bad, "--out", tmp_path / "pop.yaml"],
        tmp_path,
        [f"unparseable amount '12.x' in column amount {_row(k, n_titles)}"],
    )


def test_a_title_block_longer_than_the_rows_searched_says_so(tmp_path: Path, capsys, monkeypatch) -> None:
    titles = "\n".join(f"备注 {i}" for i in range(25)) + "\n"
    path = _write(tmp_path / "orders.csv", _export(10, np.random.default_rng(2)), preamble=titles)
    assert_refused(
        capsys,
        monkeypatch,
        ["--orders", path, "--out", tmp_path / "pop.yaml"],
        tmp_path,
        [f"{path}: no header row with customer, date and amount columns in the first 20", "(the first holds: 备注 0)"],
    )


# ----------------------------------------------------------------------------- --out


def _read_only_folder(tmp: Path) -> Path | None:
    """A read-only bind mount of a fresh folder (None where this machine does not allow mounting)."""
    src, dst = tmp / "src", tmp / "ro"
    src.mkdir()
    dst.mkdir()
    if subprocess.run(["mount", "--bind", str(src), str(dst)], capture_output=True).returncode != 0:
        return None
    if subprocess.run(["mount", "-o", "remount,bind,ro", str(dst)], capture_output=True).returncode != 0:
        subprocess.run(["umount", str(dst)], capture_output=True)
        return None
    return dst


def _out_cases() -> list[tuple[str, str]]:
    return [
        ("folder", "is a folder; give a file name ending in .yaml"),
        ("folder_named_yaml", "is a folder; give a file name ending in .yaml"),
        ("dot", "is a folder; give a file name ending in .yaml"),
        ("below_a_file", "is below a file"),
        ("two_below_a_file", "is below a file"),
        ("three_below_a_file", "is below a file"),
        ("proc", "in a system folder"),
        ("sys", "in a system folder"),
        ("dev", "in a system folder"),
        ("backtest_is_a_folder", "_backtest.csv is a folder, where this run writes a file"),
        ("figure_is_a_folder", "_tracking.svg is a folder, where this run writes a file"),
        ("read_only", "(a read-only file system)"),
        ("read_only_below", "(a read-only file system)"),
    ]


@pytest.mark.parametrize(("case", "says"), _count("--out", _out_cases()))
def test_an_out_that_cannot_be_written_is_one_line_before_the_orders_are_read(
    tmp_path: Path, capsys, monkeypatch, case: str, says: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "a_file").write_text("x")
    out = {
        "folder": work,
        "folder_named_yaml": work / "pop.yaml",
        "dot": Path("."),
        "below_a_file": work / "a_file" / "pop.yaml",
        "two_below_a_file": work / "a_file" / "x" / "pop.yaml",
        "three_below_a_file": work / "a_file" / "x" / "y" / "pop.yaml",
        "proc": Path("/proc/pop.yaml"),
        "sys": Path("/sys/kernel/pop.yaml"),
        "dev": Path("/dev/shm/populations/pop.yaml"),
        "backtest_is_a_folder": work / "pop.yaml",
        "figure_is_a_folder": work / "pop.yaml",
    }.get(case)
    if case == "folder_named_yaml":
        (work / "pop.yaml").mkdir()
    if case == "dot":
        monkeypatch.chdir(work)
    if case == "backtest_is_a_folder":
        (work / "pop_backtest.csv").mkdir()
    if case == "figure_is_a_folder":
        (work / "pop_tracking.svg").mkdir()
    ro = None
    if case.startswith("read_only"):
        ro = _read_only_folder(tmp_path)
        if ro is None:
            pytest.skip("this machine does not allow a read-only bind mount (needs root and mount)")
        out = ro / "pop.yaml" if case == "read_only" else ro / "new" / "deeper" / "pop.yaml"
    assert out is not None
    try:
        argv = ["--orders", CDNOW, "--out", out, "--end-date", "1997-06-30", "--holdout-end", "1997-09-30"]
        assert_refused(capsys, monkeypatch, argv, work, [f"--out {out}: ", says], "read")
        if ro is not None:
            assert _files(ro) == set()
    finally:
        if ro is not None:
            subprocess.run(["umount", str(ro)], capture_output=True)


# ----------------------------------------------------------------------------- results whole or not at all

RESULT_FILES = ["pop_backtest.csv", "pop_holdout.png", "pop_holdout.svg", "pop_tracking.png", "pop_tracking.svg"]
N_FILES = len(RESULT_FILES) + 1  # and the YAML


def _writer(fail_at: int, error: BaseException) -> Callable[[Path], None]:
    """Writes the files a backtest writes, the YAML last, through sim.report.writers; fails before file ``fail_at``."""
    from sim.report.writers import write_table, write_text

    def write(stage: Path) -> None:
        for i, name in enumerate([*RESULT_FILES, "pop.yaml"]):
            if i == fail_at:
                raise error
            if name.endswith(".csv"):
                write_table(stage / name, pd.DataFrame({"a": [1]}))
            else:
                write_text(stage / name, name)

    return write


WRITE_ERRORS = [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()]
COUNTS["write faults"] = N_FILES * len(WRITE_ERRORS)


@pytest.mark.parametrize("fail_at", range(N_FILES))
@pytest.mark.parametrize("error", WRITE_ERRORS, ids=["full_disk", "ctrl_c"])
def test_a_write_that_fails_at_any_file_leaves_nothing(tmp_path: Path, fail_at: int, error: BaseException) -> None:
    out = tmp_path / "new" / "folder" / "pop.yaml"
    with pytest.raises(type(error)):
        publish(out, _writer(fail_at, error))
    assert _files(tmp_path) == set()  # not the files, not the staging folder, not the folders it made


def test_a_write_that_succeeds_moves_every_file_and_drops_an_earlier_runs_backtest(tmp_path: Path) -> None:
    out = tmp_path / "pop.yaml"
    written = publish(out, _writer(N_FILES, RuntimeError("not raised")))
    assert written[-1] == out  # the YAML last
    assert _files(tmp_path) == {*RESULT_FILES, "pop.yaml"}

    def yaml_only(stage: Path) -> None:  # a run without a holdout
        from sim.report.writers import write_text

        write_text(stage / "pop.yaml", "name: pop\n")

    publish(out, yaml_only)
    assert _files(tmp_path) == {"pop.yaml"}


def test_a_full_disk_during_the_command_is_one_line_and_leaves_nothing(tmp_path: Path, capsys, monkeypatch) -> None:
    from sim.report import writers

    calls = {"n": 0}
    real = writers.write_figure_bytes

    def full_after_one(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(writers, "write_figure_bytes", full_after_one)
    out = tmp_path / "out" / "pop.yaml"
    argv = ["--orders", CDNOW, "--out", out, "--end-date", "1997-06-30", "--holdout-end", "1997-09-30"]
    with pytest.raises(SystemExit) as info:
        cli.main([str(a) for a in argv])
    _, err = capsys.readouterr()
    assert info.value.code == 1
    assert err.strip() == f"error: no space left on the device while writing {out} and its files; none were kept"
    assert calls["n"] == 2 and _files(tmp_path) == set()


@pytest.mark.slow
def test_a_real_full_disk_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    disk = tmp_path / "small"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("this machine does not allow mounting a small tmpfs (needs root)")
    try:
        out = disk / "pop.yaml"
        argv = ["--orders", CDNOW, "--out", out, "--end-date", "1997-06-30", "--holdout-end", "1997-09-30"]
        proc = subprocess.run(
            [sys.executable, "-m", "sim.calibrate", *map(str, argv)], capture_output=True, text=True, timeout=600
        )
        assert proc.returncode == 1, proc.stderr[-2000:]
        assert proc.stderr.strip().splitlines() == [
            f"error: no space left on the device while writing {out} and its files; none were kept"
        ]
        assert _files(disk) == set()
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


@pytest.mark.slow
def test_sigterm_during_the_fit_stops_the_command_and_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out" / "pop.yaml"
    argv = ["--orders", CDNOW, "--out", out, "--end-date", "1997-06-30", "--holdout-end", "1997-09-30"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.calibrate", *map(str, argv)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()  # "read ...", flushed: the orders are in, the fits are under way
    assert first.startswith("read "), first
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert err.strip().splitlines() == ["interrupted: no population written"]
    assert _files(tmp_path) == set()


# ----------------------------------------------------------------------------- end to end, and the counts


@pytest.mark.slow
def test_bad_input_through_the_real_command_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    frame = _export(40, np.random.default_rng(9))
    frame.loc[7, "date"] = "2024-03-01T10:00:00Z"
    zones = _write(tmp_path / "zones.csv", frame)
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    (tmp_path / "a_file").write_text("x")
    runs = {
        "zones": ([zones, tmp_path / "o" / "pop.yaml"], "at row 9"),
        "folder": ([folder, tmp_path / "o" / "pop.yaml"], "is a folder"),
        "out below a file": ([CDNOW, tmp_path / "a_file" / "pop.yaml"], "is below a file"),
    }
    for name, ((orders, out), says) in runs.items():
        proc = subprocess.run(
            [sys.executable, "-m", "sim.calibrate", "--orders", str(orders), "--out", str(out)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and len(lines) == 1 and says in lines[0], (name, proc.stderr)
        assert not (tmp_path / "o").exists(), name


def test_the_classes_and_their_counts() -> None:
    print("VALIDATION | calibrate bad-input cases per class | " + "; ".join(f"{k}: {n}" for k, n in COUNTS.items()))
    assert len(COUNTS) >= 12 and all(n >= 4 for n in COUNTS.values()), COUNTS
