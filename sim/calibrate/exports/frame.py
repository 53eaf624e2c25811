"""The machinery the export readers share: fields and their header names, a whole-file read, times, one-line errors.

A :class:`Field` is one thing a reader needs (``customer``, ``add_time``, ...) with the header names it is known by,
best first (the first is what ``python -m sim.export_logs`` writes). Names are matched as the order reader matches
them (:func:`sim.calibrate.columns.normalise`: case, spaces, ``_``, ``-`` and a bracketed suffix such as
"(北京时间)" are ignored). The header row is the first of the top :data:`HEADER_SEARCH_ROWS` rows that names every
required field. Each field takes the column spelling its best name the file has (a customer ID column wins over a
customer name column); two columns spelling that same name are refused as ambiguous, and a required field no column
spells, as missing; either line names the mapping that settles it (``mapping={"staff": "跟进人"}``).

Times are read by :func:`parse_times`: year-first dates with an optional time of day, as Chinese tools write them
(``2024-11-11 20:15:03``, ``2024/11/11 20:15``, ``2024年11月11日 20:15:03``, ``2024-11-11``), in the export's own
clock (no time zone). Rows are numbered as the file shows them (a CSV line, an Excel row).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibrate.columns import HEADER_SEARCH_ROWS, OrdersError, normalise
from sim.calibrate.table import EXCEL_SUFFIXES, check_readable, detect_encoding, parse_csv_rows, read_excel

FAST_FORMAT = "%Y-%m-%d %H:%M:%S"  # what most tools write (and python -m sim.export_logs): parsed in one pass
TIME_ALLOWED = "a time such as 2024-11-11 20:15:03, 2024/11/11 20:15 or 2024-11-11"
_TIME = (
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d{1,9})?)?)?$"
)


class ExportError(ValueError):
    """An export a reader cannot use; the message is one line naming the file, and the row, column and value."""


@dataclass(frozen=True)
class Field:
    """One field a reader needs: its name in the tidy frame, the headers it is known by (best first), and whether
    a file must have it."""

    name: str
    headers: tuple[str, ...]
    required: bool = True


@dataclass(frozen=True)
class Export:
    """An export's cells as strings, one column per field found (named by the field), and each row's number."""

    path: Path
    cells: pd.DataFrame
    rows: np.ndarray  # the file's row number of each row of cells
    columns: dict[str, str]  # field name -> the file's header

    def error(self, i: int, field: str, says: str) -> ExportError:
        """``{path}: {column} {value!r} at row {n} {says}``: the one-line error about one cell."""
        value = self.cells[field].iloc[i]
        return ExportError(f"{self.path}: column {self.columns[field]} {value!r} at row {int(self.rows[i])} {says}")

    def first(self, bad: np.ndarray) -> int | None:
        """The first row flagged in ``bad``."""
        return int(np.argmax(bad)) if bad.any() else None


def _matches(headers: list[str], field: Field, mapping: Mapping[str, str]) -> list[str]:
    """The headers that are ``field``: those spelling the mapped name if mapped, else those spelling its best
    recognised name (two of them: ambiguous)."""
    names = (mapping[field.name],) if field.name in mapping else field.headers
    for name in names:
        hits = [h for h in headers if normalise(h) == normalise(name)]
        if hits:
            return hits
    return []


def _check_mapping(fields: tuple[Field, ...], mapping: Mapping[str, str]) -> None:
    names = [f.name for f in fields]
    for key in mapping:
        if key not in names:
            raise ExportError(f"mapping {key}={mapping[key]}: unknown field {key!r}; allowed: {', '.join(names)}")


def find_fields(
    path: Path, headers: list[str], fields: tuple[Field, ...], mapping: Mapping[str, str]
) -> dict[str, str]:
    """Field name -> header, each required field found, optional ones where present; one line otherwise."""
    listed = ", ".join(h for h in headers if h) or "(none)"
    found: dict[str, str] = {}
    for field in fields:
        hits = _matches(headers, field, mapping)
        if not hits:
            if field.name in mapping:
                raise ExportError(
                    f"{path}: mapping {field.name}={mapping[field.name]}: no such column; the columns are: {listed}"
                )
            if field.required:
                raise ExportError(
                    f"{path}: no {field.name} column recognised (known as {', '.join(field.headers[:4])}, ...); "
                    f"name it with the mapping {field.name}=COLUMN (the columns are: {listed})"
                )
            continue
        if len(hits) > 1:
            raise ExportError(
                f"{path}: ambiguous {field.name} column: {' and '.join(hits)} are both read as {field.name}; "
                f"say which with the mapping {field.name}=COLUMN"
            )
        found[field.name] = hits[0]
    used: dict[str, str] = {}
    for name, header in found.items():
        if header in used:
            raise ExportError(
                f"{path}: column {header} is read as both {used[header]} and {name}; "
                f"map one of them elsewhere ({name}=COLUMN)"
            )
        used[header] = name
    return found


def _header_row(path: Path, top: list[list[str]], fields: tuple[Field, ...], mapping: Mapping[str, str]) -> int:
    """The first top row naming every required field (an ambiguous one included), else the row naming the most."""
    required = [f for f in fields if f.required]
    counts = [sum(bool(_matches([c.strip() for c in row], f, mapping)) for f in required) for row in top]
    if not counts:
        raise ExportError(f"{path}: the file is empty")
    if len(required) in counts:
        return counts.index(len(required))
    return counts.index(max(counts))  # find_fields then says which field is missing


def read_export(
    path: Path | str,
    fields: tuple[Field, ...],
    mapping: Mapping[str, str] | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> Export:
    """Read a whole export (CSV or Excel) and keep the fields' columns as stripped strings, blank rows dropped."""
    path, mapping = Path(path), dict(mapping or {})
    _check_mapping(fields, mapping)
    try:
        check_readable(path)
        if path.suffix.lower() in EXCEL_SUFFIXES:
            table = read_excel(path, sheet)
            numbers = np.arange(1, len(table) + 1)
        else:
            if sheet is not None:
                raise ExportError(f"sheet {sheet}: {path.name} is not an Excel workbook")
            table, numbers = parse_csv_rows(path, detect_encoding(path, encoding))
    except OrdersError as exc:  # the order reader's lines about the file itself
        raise ExportError(str(exc).replace("the order export file", "the export file")) from None
    top = [[str(v) for v in table.iloc[i].tolist()] for i in range(min(HEADER_SEARCH_ROWS, len(table)))]
    h = _header_row(path, top, fields, mapping)
    headers = [str(v).strip() for v in table.iloc[h].tolist()]
    columns = find_fields(path, headers, fields, mapping)
    body = table.iloc[h + 1 :, [headers.index(c) for c in columns.values()]].astype(str)
    body.columns = list(columns)
    body = body.apply(lambda c: c.str.strip().str.replace(r'^="?|"$', "", regex=True).str.strip())
    filled = (body != "").any(axis=1).to_numpy()
    if not filled.any():
        raise ExportError(f"{path}: no rows below the header row")
    return Export(path, body[filled].reset_index(drop=True), np.asarray(numbers[h + 1 :])[filled], columns)


def parse_times(export: Export, field: str, *, blank_ok: bool = False) -> pd.Series:
    """A field's times (``datetime64[ns]``); NaT for blanks where ``blank_ok``, one line at the first bad cell."""
    text = export.cells[field]
    distinct, codes = np.unique(text.to_numpy(dtype=str), return_inverse=True)
    # the common spelling first, in one vectorised parse; the pattern reads the rest
    stamp = pd.Series(pd.to_datetime(distinct, format=FAST_FORMAT, errors="coerce"))
    rest = stamp.isna().to_numpy()
    numbers = pd.Series(distinct[rest]).str.extract(_TIME).astype(float)
    slow = pd.to_datetime(
        {"year": numbers["y"], "month": numbers["m"], "day": numbers["d"]}, errors="coerce"
    ) + pd.to_timedelta(numbers["H"].fillna(0) * 3600 + numbers["M"].fillna(0) * 60 + numbers["S"].fillna(0), "s")
    bad_time = (numbers["H"] > 23) | (numbers["M"] > 59) | (numbers["S"] > 59)
    slow[bad_time.to_numpy()] = pd.NaT
    stamp[rest] = slow.to_numpy()
    blank = pd.Series(distinct).eq("").to_numpy()
    unread = stamp.isna().to_numpy() & ~(blank & blank_ok)
    if (i := export.first(unread[codes])) is not None:
        what = "is blank" if blank[codes[i]] else "is not a time"
        raise export.error(i, field, f"{what}; allowed: {TIME_ALLOWED}")
    return pd.Series(stamp.to_numpy()[codes], name=field, dtype="datetime64[ns]")


def keys(export: Export, field: str) -> pd.Series:
    """A key field (a customer, a staff account) as strings; a blank key is one line."""
    values = export.cells[field]
    if (i := export.first(values.eq("").to_numpy())) is not None:
        raise export.error(i, field, "is blank; allowed: a non-empty key")
    return values.astype(str).rename(field)


def text(export: Export, field: str) -> pd.Series:
    """An optional text field (a channel, a wave name) as strings; "" on every row when the export lacks the column."""
    values = export.cells[field] if field in export.columns else pd.Series("", index=export.cells.index)
    return values.astype(str).rename(field)


def words(export: Export, field: str, vocabulary: Mapping[str, object], allowed: str) -> pd.Series:
    """A field whose cells are read through ``vocabulary`` (a normalised word -> value; a word is found when the
    normalised cell contains it, longest words first); one line at the first cell no word reads."""
    distinct, codes = np.unique(export.cells[field].to_numpy(dtype=str), return_inverse=True)
    ordered = sorted(vocabulary, key=len, reverse=True)
    values: list[object] = []
    for cell in map(normalise, distinct):  # a handful of distinct statuses or channels
        hit = next((w for w in ordered if w in cell), None) if cell else None
        values.append(vocabulary[hit] if hit is not None else None)
    unread = np.array([v is None for v in values])[codes]
    if (i := export.first(unread)) is not None:
        raise export.error(i, field, f"is not recognised; allowed: {allowed}")
    return pd.Series(np.array(values, dtype=object)[codes], name=field)


def not_before(export: Export, later: str, earlier: str, times: pd.DataFrame) -> None:
    """One line at the first row whose ``later`` time comes before its ``earlier`` time."""
    bad = (times[later] < times[earlier]).to_numpy()
    if (i := export.first(bad)) is not None:
        when = times[earlier].iloc[i]
        raise export.error(i, later, f"is before its {export.columns[earlier]} {when}; allowed: on or after it")
