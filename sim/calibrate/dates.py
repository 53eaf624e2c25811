"""Order dates as exports write them: the forms read, the time zone, day- or month-first, a plausible range.

Each distinct date string is read once (:func:`read_dates`); the reader then checks the column as a
whole and names the first row that breaks a rule (:mod:`sim.calibrate.orders`):

- **forms** (times of day are dropped; only the date is used):

  - *year first*: ``2024-01-03``, ``2024/1/3``, ``2024.1.3``, ``20240103``, ``2024年1月3日``;
  - *day or month first*: ``03/01/2024``, ``3.1.2024``, ``03-01-2024`` (four-digit year). Whether
    ``03/01/2024`` is 3 January or 1 March is read off the column: a first number above 12 means
    day-first, a second above 12 month-first; ``--date-order dmy`` or ``mdy`` says it instead. A column in
    which neither occurs, or both, is refused;
  - *with a month name*: ``Jan 3, 2024``, ``3 January 2024`` (read by dateutil).

  A column that mixes year-first with day- or month-first dates is refused (unless ``--date-order``
  is given): it usually joins exports of two systems, and ``01/02/2023`` next to ``2023-01-02`` cannot
  be read safely. Two-digit years (``24-01-03``) are not read: they could be any of three orders.
- **time zones**: a time with a zone (``2024-01-03T10:00:00+08:00``, ``...Z``, ``... UTC``) keeps its
  date as written, the customer's calendar day. So every date of a column must be in one zone (or
  none); a column with two is refused rather than converted, since converting moves orders across
  midnight.
- **range**: dates before :data:`EARLIEST` or after tomorrow (one day's grace for time zones ahead
  of this machine's) are refused as typos: a year such as 2204 would stretch the period by centuries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

EARLIEST = dt.date(1990, 1, 1)  # before e-commerce order exports; CDNOW starts in 1997
GRACE_DAYS = 1  # dates up to tomorrow: an export's time zone may be ahead of this machine's
DATE_ORDERS: tuple[str, ...] = ("dmy", "mdy")

# families of date forms
UNREAD, YEAR_FIRST, DAY_OR_MONTH_FIRST, MONTH_NAME = 0, 1, 2, 3
FAMILY_NAMES = {YEAR_FIRST: "year-first", DAY_OR_MONTH_FIRST: "day/month-first", MONTH_NAME: "with a month name"}
ALLOWED = (
    "dates such as 2024-01-03, 2024/1/3, 20240103, 2024年1月3日, 03/01/2024 or Jan 3, 2024 (times of day are ignored)"
)

_TIME = r"(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d{1,9})?)?(?:\s*[AaPp]\.?[Mm]\.?)?"
_ZONE_AT_END = rf"^(?P<rest>.*?{_TIME}\s*|.*?\d\s+)(?P<zone>Z|UTC|GMT|[+-]\d{{2}}(?::?\d{{2}})?)$"
_TIME_AT_END = rf"^(?P<date>.*?\d)(?:[ T]+{_TIME})?\s*$"
_YEAR_FIRST = r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})$|^(?P<y8>\d{4})(?P<m8>\d{2})(?P<d8>\d{2})$"
_DAY_OR_MONTH_FIRST = r"^(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4})$"


@dataclass(frozen=True)
class DateForms:
    """Each distinct date string read: its family, its zone ('' for none) and its day where the form decides it.

    ``first``/``second`` are the two leading numbers of day/month-first dates (0 elsewhere); their
    ``days`` are NaN until the order is known (:meth:`days`).
    """

    family: np.ndarray  # int8: UNREAD, YEAR_FIRST, DAY_OR_MONTH_FIRST, MONTH_NAME
    zone: np.ndarray  # object: '' or '+08:00'
    first: np.ndarray  # int
    second: np.ndarray  # int
    year: np.ndarray  # int
    known_days: np.ndarray  # float days since 1970-01-01; NaN where unreadable or day/month-first

    def days(self, order: str | None) -> np.ndarray:
        """Days since 1970-01-01 of every string, day/month-first ones read in ``order`` ('dmy' or 'mdy')."""
        out = self.known_days.copy()
        numeric = self.family == DAY_OR_MONTH_FIRST
        if order is not None and numeric.any():
            day, month = (self.first, self.second) if order == "dmy" else (self.second, self.first)
            out[numeric] = _days_from_parts(self.year[numeric], month[numeric], day[numeric])
        return out

    def evidence(self) -> np.ndarray:
        """Per string: +1 only day-first can read it (first number > 12), -1 only month-first, 0 either or n/a."""
        numeric = self.family == DAY_OR_MONTH_FIRST
        day_first = numeric & (self.first > 12) & (self.second <= 12)
        month_first = numeric & (self.second > 12) & (self.first <= 12)
        return day_first.astype(np.int8) - month_first.astype(np.int8)


def _days_from_parts(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of (year, month, day), NaN where no such date (month 13, 30 February)."""
    year, month, day = (np.asarray(v, dtype=np.int64) for v in (year, month, day))
    ok = (month >= 1) & (month <= 12) & (day >= 1) & (year >= 1)
    months = np.where(ok, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    start = months.astype("datetime64[D]")
    length = ((months + 1).astype("datetime64[D]") - start).astype(np.int64)
    ok &= day <= length
    days = (start - np.datetime64("1970-01-01", "D")).astype(np.int64) + day - 1
    return np.where(ok, days.astype(float), np.nan)


def _zone(text: str) -> str:
    """A zone as ±HH:MM (Z, UTC and GMT are +00:00)."""
    if text in ("Z", "UTC", "GMT"):
        return "+00:00"
    digits = text[1:].replace(":", "")
    return f"{text[0]}{digits[:2]}:{digits[2:4] or '00'}"


def read_dates(values: pd.Series) -> DateForms:
    """Read distinct date strings (already stripped of ``="..."`` wrappers and padding)."""
    text = values.astype(str)
    text = text.str.replace(r"(\d)\s*年\s*(\d)", r"\1-\2", regex=True)
    text = text.str.replace(r"(\d)\s*月\s*(\d)", r"\1-\2", regex=True).str.replace("日", "", regex=False)
    zoned = text.str.extract(_ZONE_AT_END)
    has_zone = zoned["zone"].notna()
    zone = np.full(len(text), "", dtype=object)
    if has_zone.any():
        zone[has_zone.to_numpy()] = [_zone(z) for z in zoned.loc[has_zone, "zone"]]
        text = text.where(~has_zone, zoned["rest"])
    date = text.str.extract(_TIME_AT_END)["date"].fillna("")

    n = len(text)
    family = np.full(n, UNREAD, dtype=np.int8)
    first, second, year = (np.zeros(n, dtype=np.int64) for _ in range(3))
    days = np.full(n, np.nan)

    ymd = date.str.extract(_YEAR_FIRST)
    is_ymd = (ymd["y"].notna() | ymd["y8"].notna()).to_numpy()
    if is_ymd.any():
        y = ymd["y"].fillna(ymd["y8"])[is_ymd].astype(np.int64).to_numpy()
        m = ymd["m"].fillna(ymd["m8"])[is_ymd].astype(np.int64).to_numpy()
        d = ymd["d"].fillna(ymd["d8"])[is_ymd].astype(np.int64).to_numpy()
        family[is_ymd], year[is_ymd] = YEAR_FIRST, y
        days[is_ymd] = _days_from_parts(y, m, d)

    dmy = date.str.extract(_DAY_OR_MONTH_FIRST)
    is_dmy = dmy["y"].notna().to_numpy() & ~is_ymd
    if is_dmy.any():
        family[is_dmy] = DAY_OR_MONTH_FIRST
        first[is_dmy] = dmy.loc[is_dmy, "a"].astype(np.int64).to_numpy()
        second[is_dmy] = dmy.loc[is_dmy, "b"].astype(np.int64).to_numpy()
        year[is_dmy] = dmy.loc[is_dmy, "y"].astype(np.int64).to_numpy()

    named = date.str.contains(r"[A-Za-z]{3}", regex=True).to_numpy() & ~is_ymd & ~is_dmy
    if named.any():
        parsed = pd.to_datetime(date[named], errors="coerce", format="mixed")
        read = parsed.notna().to_numpy()
        idx = np.flatnonzero(named)[read]
        family[idx] = MONTH_NAME
        day_values = parsed[read].to_numpy().astype("datetime64[D]")
        days[idx] = (day_values - np.datetime64("1970-01-01", "D")).astype(np.int64).astype(float)
        year[idx] = day_values.astype("datetime64[Y]").astype(np.int64) + 1970
    return DateForms(family, zone, first, second, year, days)


def infer_order(forms: DateForms) -> str | None:
    """'dmy' or 'mdy' when the day/month-first strings decide it one way, else None (neither or both)."""
    evidence = forms.evidence()
    day_first, month_first = bool((evidence > 0).any()), bool((evidence < 0).any())
    if day_first != month_first:
        return "dmy" if day_first else "mdy"
    return None


def latest_allowed(today: dt.date | None = None) -> dt.date:
    """The latest order date accepted: tomorrow (see the module doc)."""
    return (today or dt.date.today()) + dt.timedelta(days=GRACE_DAYS)


def day_number(date: dt.date) -> int:
    """Days since 1970-01-01."""
    return (date - dt.date(1970, 1, 1)).days


def parse_dates(values: pd.Series, order: str | None = None) -> pd.Series:
    """Dates (times of day dropped) of date strings; NaT where unreadable or where day/month-first and no order.

    The order of day/month-first dates is ``order``, else what the values themselves decide (see the module doc).
    """
    forms = read_dates(values.fillna("").astype(str).str.strip())
    days = forms.days(order or infer_order(forms))
    out = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = np.isfinite(days) & (days > -106_000) & (days < 106_000)  # within datetime64[ns]
    out[ok] = days[ok].astype(np.int64).astype("datetime64[D]")
    return pd.Series(out, index=values.index)
