"""Reading an order export's cells: the used columns as distinct values and per-row codes, and the file's row numbers.

An export can have tens of millions of rows and dozens of columns, most of them unused, and
few distinct values in most used columns (days, amounts, statuses). So only the customer,
date, amount, status and refund columns are read, and each becomes a :class:`Column`: its
distinct strings and, per row, the index of the row's string. Values are then cleaned and
parsed once per distinct string (:mod:`sim.calibrate.orders`), never per row.

- **CSV**: the encoding is the first of UTF-8 (with or without BOM) and GB18030 that
  decodes the whole file (checked in 16 MiB pieces, never holding the text); the first
  lines give the delimiter (the most frequent of ``,``, tab, ``;``, ``|`` in them) and the
  header row (title lines above it are skipped, :func:`sim.calibrate.columns.header_row`).
  The rows below are parsed by pyarrow's streaming CSV reader in blocks, each block's
  columns dictionary-encoded as it arrives, so memory holds a few integers per row. A date
  with a time of day (``2024-03-01 10:02:11``, ``2024/03/01 10:02``) keeps only its date
  part (and its time zone, if it has one), which is all the calibration uses, so the dates
  of a year have a few hundred distinct strings instead of one per order. A file whose rows have a varying number of
  fields (other than blank lines) is read row by row with Python's ``csv`` instead.
- **Excel**: read whole with pandas/openpyxl (a sheet holds at most 1,048,576 rows). A workbook
  with several sheets (a summary sheet first, say) is refused unless ``--sheet`` names one.

A folder, a loop of symbolic links, a broken link, a device or an unreadable file is refused with a
line that says which (:func:`check_readable`).

Rows in which every used cell is blank are not orders and are dropped. Row numbers are the
file's: a CSV line number (of the record's last line), an Excel sheet row. For the fast
reader they are found only when an error needs one, by counting the records again.
"""

from __future__ import annotations

import codecs
import csv
import errno
import io
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from sim.calibrate.columns import HEADER_SEARCH_ROWS, Columns, OrdersError, find_columns, header_row

ENCODINGS: tuple[str, ...] = ("utf-8-sig", "gb18030")  # gb18030 is a superset of GBK and GB2312
EXCEL_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm", ".xls")
DELIMITERS: tuple[str, ...] = (",", "\t", ";", "|")
CHUNK_BYTES = 1 << 24  # pieces of the encoding check
BLOCK_BYTES = 1 << 20  # CSV blocks: the reader keeps a few dozen ahead, so small blocks keep memory small
RELEASE_ROWS = 1 << 20  # return the blocks' freed memory to the system every million rows or so
HEAD_BYTES = 1 << 20  # the first MiB holds the header row, or more is read
# a date followed by a time of day and perhaps a time zone, optionally wrapped as ="..." or padded: keep the date
# and the zone ("2024-03-01 +08:00"; "2024-03-01 " without one), which sim.calibrate.dates checks
DATE_WITH_TIME = (
    r'^\s*(?:="?)?(\d{4}[-/]\d{2}[-/]\d{2})[ T](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?'
    r'\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?"?\s*$'
)


@dataclass(frozen=True)
class Column:
    """One used column: its distinct strings (as read; dates without their time) and each row's index into them."""

    values: pa.Array  # string
    codes: np.ndarray  # int32, one per row


@dataclass(frozen=True)
class Table:
    """The used columns of an export's order rows, by header name, and how to find a row's number and raw cells."""

    path: Path
    columns: Columns
    cells: dict[str, Column]
    n_rows: int
    encoding: str | None  # None for Excel
    _row_numbers: np.ndarray | None  # known row numbers (Excel, row-by-row CSV); None: count again on demand
    _raw: pd.DataFrame | None  # the raw cells when the whole table is in memory
    _csv: tuple[int, str, str, int, list[int], np.ndarray] | None  # offset, encoding, delimiter, width, used, kept

    def row(self, i: int) -> tuple[int, dict[str, str]]:
        """The file's row number of order row ``i`` and its raw cells, by header name."""
        if self._raw is not None and self._row_numbers is not None:
            return int(self._row_numbers[i]), {k: str(v) for k, v in self._raw.iloc[i].items()}
        assert self._csv is not None
        offset, encoding, delimiter, width, used, kept = self._csv
        target = int(kept[i])  # index among the records the fast reader parsed
        names = [n for n in (self.columns.customer, self.columns.date, self.columns.amount) if n] + [
            n for n in (self.columns.status, self.columns.refund) if n
        ]
        seen = -1
        for line_number, record in _records(self.path, offset, encoding, delimiter):
            if len(record) != width:
                continue  # blank lines and blank short rows: the fast reader skipped them too
            seen += 1
            if seen == target:
                by_index = dict(zip(used, names, strict=True))
                return line_number, {by_index[k]: record[k] for k in used}
        raise IndexError(f"order row {i} not found in {self.path}")


def _records(path: Path, offset: int, encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each CSV record from byte ``offset`` on; line numbers count from the file's start."""
    with open(path, "rb") as raw:
        before = raw.read(offset)
        lines_before = _count_lines(before.decode(encoding))
        text = io.TextIOWrapper(raw, encoding=_python_encoding(encoding), newline="")
        reader = csv.reader(text, delimiter=delimiter)
        for record in reader:
            yield lines_before + reader.line_num, record


def _count_lines(text: str) -> int:
    return len(io.StringIO(text, newline="").readlines())


def _python_encoding(encoding: str) -> str:
    return "utf-8" if encoding == "utf-8-sig" else encoding


# ----------------------------------------------------------------------------- reading


def read_table(
    path: Path | str,
    encoding: str | None = None,
    customer: str | None = None,
    date: str | None = None,
    amount: str | None = None,
    sheet: str | None = None,
) -> Table:
    """Read an export's used columns (see the module doc); raises :class:`OrdersError` with a one-line message.

    ``sheet`` names the sheet of an Excel workbook; a workbook with several sheets needs it.
    """
    path = Path(path)
    check_readable(path)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        raw = read_excel(path, sheet)
        return _from_frame(path, raw, np.arange(1, len(raw) + 1), None, customer, date, amount)
    if sheet is not None:
        raise OrdersError(f"--sheet {sheet}: {path.name} is not an Excel workbook; --sheet is for .xlsx/.xlsm/.xls")
    enc = detect_encoding(path, encoding)
    head, rows, lines, delimiter = _head(path, enc)
    if not rows:
        raise OrdersError(f"{path}: the file is empty")
    h = _header_row(path, rows, customer, date, amount)
    headers = [str(v).strip() for v in rows[h]]
    cols = find_columns(headers, customer, date, amount)
    offset = _byte_offset(path, head, lines[h], enc)
    fast = _read_csv_fast(path, offset, enc, delimiter, headers, cols)
    if fast is not None:
        return fast
    table, numbers = parse_csv_rows(path, enc)  # ragged rows: the row-by-row reader
    return _from_frame(path, table, numbers, enc, customer, date, amount)


def _header_row(path: Path, rows: list[list[str]], customer: str | None, date: str | None, amount: str | None) -> int:
    try:
        return header_row(rows, customer, date, amount)
    except OrdersError as exc:
        raise OrdersError(f"{path}: {exc}") from None


def check_readable(path: Path) -> None:
    """One line unless ``path`` is a regular, readable, non-empty file: what was found there and what to do."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise OrdersError(f"{path}: a symbolic link to {os.readlink(path)}, which does not exist") from None
        raise OrdersError(f"{path}: no such file") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OrdersError(f"{path}: a loop of symbolic links; give the order export file itself") from None
        raise OrdersError(f"{path}: cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise OrdersError(f"{path}: is a folder; give the order export file in it (CSV or Excel)")
    if not stat.S_ISREG(info.st_mode):
        raise OrdersError(f"{path}: not a regular file (a device, pipe or socket); give the order export file")
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        reason = "no permission to read it" if exc.errno == errno.EACCES else exc.strerror
        raise OrdersError(f"{path}: cannot be read ({reason}); check its permissions or copy it") from None
    if info.st_size == 0:
        raise OrdersError(f"{path}: the file is empty")


def detect_encoding(path: Path, given: str | None) -> str:
    tried = (given,) if given else ENCODINGS
    for enc in tried:
        try:
            decoder = codecs.getincrementaldecoder(_python_encoding(enc))()
        except LookupError:
            raise OrdersError(f"--encoding {given}: unknown encoding") from None
        try:
            with open(path, "rb") as f:
                while chunk := f.read(CHUNK_BYTES):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return enc
    raise OrdersError(f"{path}: cannot decode the file as {' or '.join(tried)}; pass --encoding")


def _head(path: Path, encoding: str) -> tuple[str, list[list[str]], list[int], str]:
    """The first lines as text, the first non-blank rows, their line numbers and the delimiter."""
    size = HEAD_BYTES
    while True:
        with open(path, "rb") as f:
            data = f.read(size)
            at_end = not f.read(1)
        text = codecs.getincrementaldecoder(_python_encoding(encoding))().decode(data, final=at_end)
        text = text.removeprefix("\ufeff")
        if not at_end:  # keep whole lines only
            cut = max(text.rfind("\n"), text.rfind("\r"))
            text = text[: cut + 1] if cut >= 0 else ""
        sample = "\n".join(text.splitlines()[:20])
        delimiter = max(DELIMITERS, key=sample.count)  # the most frequent (',' on a tie)
        rows, lines = [], []
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    rows.append(row)
                    lines.append(reader.line_num)
                    if len(rows) >= HEADER_SEARCH_ROWS:
                        break
        except csv.Error as exc:
            raise OrdersError(f"{path}: not a readable CSV file at row {reader.line_num} ({exc})") from None
        if len(rows) >= HEADER_SEARCH_ROWS or at_end:
            return text, rows, lines, delimiter
        size *= 4


def _byte_offset(path: Path, head: str, header_line: int, encoding: str) -> int:
    """Bytes from the file's start to the end of line ``header_line`` (1-based) of the head text."""
    before = "".join(io.StringIO(head, newline="").readlines()[:header_line])
    bom = 0
    with open(path, "rb") as f:
        if f.read(3) == codecs.BOM_UTF8 and encoding == "utf-8-sig":
            bom = 3
    return bom + len(before.encode(_python_encoding(encoding)))


def _read_csv_fast(
    path: Path, offset: int, encoding: str, delimiter: str, headers: list[str], cols: Columns
) -> Table | None:
    """The rows below the header with pyarrow, block by block; None if some row has the wrong number of fields."""
    width = len(headers)
    names = _used_names(cols)
    used = [headers.index(n) for n in names]
    ragged: list[str] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        if (row.text or "").replace(delimiter, "").replace('"', "").strip():
            ragged.append(row.text or "")
        return "skip"

    field = [f"f{i}" for i in range(width)]
    read = pacsv.ReadOptions(
        column_names=field,
        block_size=BLOCK_BYTES,
        encoding="utf8" if encoding == "utf-8-sig" else _python_encoding(encoding),
    )
    parse = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid)
    convert = pacsv.ConvertOptions(
        include_columns=[field[k] for k in used],
        column_types={field[k]: pa.string() for k in used},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    parts: dict[str, list[pa.DictionaryArray]] = {n: [] for n in names}
    n_read = 0
    with pa.OSFile(str(path)) as f:  # native reads: a Python file object would be read far ahead of the parser
        f.seek(offset)
        try:
            reader = pacsv.open_csv(f, read_options=read, parse_options=parse, convert_options=convert)
            for batch in reader:
                for name, k in zip(names, used, strict=True):
                    values = batch.column(field[k])
                    if name == cols.date:
                        values = pc.replace_substring_regex(values, DATE_WITH_TIME, r"\1 \2")
                    parts[name].append(values.dictionary_encode())
                n_read += batch.num_rows
                if n_read % RELEASE_ROWS < batch.num_rows:
                    pa.default_memory_pool().release_unused()  # the allocator keeps parsed blocks' memory
                if ragged:
                    return None
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            if ragged:
                return None
            if "Empty CSV file" in str(exc):  # nothing but blank lines below the header
                raise OrdersError(f"{path}: no orders below the header row") from None
            raise OrdersError(f"{path}: not a readable CSV file ({_first_line(exc)})") from None
    if ragged:
        return None
    cells = {name: _merge(parts.pop(name)) for name in names}
    keep = _not_blank(cells, n_read)
    if not keep.all():
        cells = {name: Column(c.values, c.codes[keep]) for name, c in cells.items()}
    kept = np.flatnonzero(keep)
    if kept.size == 0:
        raise OrdersError(f"{path}: no orders below the header row")
    return Table(
        path, cols, cells, int(kept.size), encoding, None, None, (offset, encoding, delimiter, width, used, kept)
    )


def _merge(encoded: list[pa.DictionaryArray]) -> Column:
    """One dictionary for every block: the distinct strings of all blocks, each row's index re-pointed to them."""
    if not encoded:
        return Column(pa.array([], pa.string()), np.zeros(0, dtype=np.int32))
    unified = pa.chunked_array(encoded).unify_dictionaries()
    encoded.clear()  # the blocks' own dictionaries and indices can go
    codes = np.concatenate([chunk.indices.to_numpy(zero_copy_only=False) for chunk in unified.chunks])
    values = unified.chunk(0).dictionary
    del unified
    pa.default_memory_pool().release_unused()  # hand the blocks' memory back before the next column
    return Column(values, codes.astype(np.int32, copy=False))


def _not_blank(cells: dict[str, Column], n: int) -> np.ndarray:
    """Rows with at least one non-blank used cell."""
    filled = np.zeros(n, dtype=bool)
    for column in cells.values():
        filled |= ~blank_values(column.values)[column.codes]
    return filled


def blank_values(values: pa.Array) -> np.ndarray:
    """Which distinct strings are blank (empty or whitespace in Python's sense)."""
    out = np.asarray(pc.equal(pc.utf8_length(values), 0).to_numpy(zero_copy_only=False), dtype=bool)
    maybe = np.flatnonzero(np.asarray(plain(values)) == 0)  # only strings that start or end oddly can be blank
    if maybe.size:
        text = values.take(pa.array(maybe)).to_pylist()
        out[maybe] = [not t.strip() for t in text]
    return out


def plain(values: pa.Array) -> np.ndarray:
    """1 where a string starts and ends with a letter or digit (nothing a cleaning could strip), else 0."""
    hit = pc.match_substring_regex(values, r"(?s)^[\p{L}\p{N}](.*[\p{L}\p{N}])?$")
    return np.asarray(hit.to_numpy(zero_copy_only=False), dtype=np.int8)


def _used_names(cols: Columns) -> list[str]:
    return [n for n in (cols.customer, cols.date, cols.amount, cols.status, cols.refund) if n]


# ----------------------------------------------------------------------------- whole tables (Excel, ragged CSV)


def _from_frame(
    path: Path,
    table: pd.DataFrame,
    numbers: np.ndarray,
    encoding: str | None,
    customer: str | None,
    date: str | None,
    amount: str | None,
) -> Table:
    """A table of strings held whole: find the header among its top rows and encode the used columns."""
    top = [[str(v) for v in table.iloc[i].tolist()] for i in range(min(HEADER_SEARCH_ROWS, len(table)))]
    h = _header_row(path, top, customer, date, amount)
    headers = [str(v).strip() for v in table.iloc[h].tolist()]
    cols = find_columns(headers, customer, date, amount)
    names = _used_names(cols)
    body = table.iloc[h + 1 :, [headers.index(n) for n in names]].astype(str)
    body.columns = names
    rows = numbers[h + 1 :]
    filled = (body.apply(lambda c: c.str.strip()) != "").any(axis=1).to_numpy()
    body, rows = body[filled].reset_index(drop=True), rows[filled]
    if body.empty:
        raise OrdersError(f"{path}: no orders below the header row")
    cells = {}
    for name in names:
        codes, uniques = pd.factorize(body[name].to_numpy(dtype=object))
        cells[name] = Column(pa.array(list(uniques), pa.string()), codes.astype(np.int32))
    return Table(path, cols, cells, len(body), encoding, rows, body, None)


def parse_csv_rows(path: Path, encoding: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Every non-blank row as strings (short rows padded), and its line number: the row-by-row reader."""
    text = path.read_bytes().decode(_python_encoding(encoding)).removeprefix("\ufeff")
    sample = "\n".join(text.splitlines()[:20])
    delimiter = max(DELIMITERS, key=sample.count)
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


def read_excel(path: Path, sheet: str | None) -> pd.DataFrame:
    """The workbook's only sheet, or the sheet named, as strings; a workbook with several needs ``sheet``."""
    try:
        import openpyxl  # noqa: F401 - pandas reads .xlsx through it
    except ImportError:
        raise OrdersError(f"{path}: reading Excel files needs openpyxl (pip install openpyxl)") from None
    try:
        with pd.ExcelFile(path) as book:
            names = [str(n) for n in book.sheet_names]
            listed = ", ".join(names)
            if sheet is None and len(names) > 1:
                raise OrdersError(
                    f"{path}: a workbook with {len(names)} sheets ({listed}); allowed: one sheet, "
                    "or --sheet NAME to say which holds the orders"
                )
            if sheet is not None and sheet not in names:
                raise OrdersError(f"--sheet {sheet}: no such sheet in {path.name}; the sheets are: {listed}")
            table = pd.read_excel(book, sheet_name=sheet or 0, header=None, dtype=str, keep_default_na=False)
    except OrdersError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure is one line
        raise OrdersError(f"{path}: not a readable Excel file ({_first_line(exc)})") from None
    table = table.fillna("").astype(str)
    if table.empty or not (table.apply(lambda c: c.str.strip()) != "").any(axis=None):
        raise OrdersError(f"{path}: the file is empty")
    return table


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
