"""Order amounts as exports write them: currency marks, thousands separators, the decimal mark, a plausible range.

Each distinct amount string is read once (:func:`read_amounts`). Currency marks (``¥``, ``￥``, ``$``,
``€``, ``£``, ``元``, ``RMB``, ``CNY``, ``USD``, ``EUR``), spaces and the full-width comma ``，`` are
dropped. The decimal mark is decided per column:

- a **decimal point** (``1,299.00``, ``35.5``) unless the column shows otherwise;
- a **decimal comma** (``12,50``, ``1.299,00``, as European exports write them) when some amount can
  only be read that way (a comma followed by one, two or four or more digits, or dots grouping
  thousands: ``1.234.567``) and none can only be read with a point. Such a column is read with the comma
  as the decimal mark and dots as thousands separators, so ``12,50`` is 12.5, not 1250.

A column with amounts of both kinds is refused (:func:`decimal_mark` names the first conflicting
value), as is a value that is not a finite number (``inf``, ``nan``, ``1e400``) or is above
:data:`LARGEST` (a typo or a sum of a whole ledger, not an order).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

LARGEST = 1e10  # ten billion in the export's currency: above any single order, even in đồng or rupiah
ALLOWED = f"a number from 0 to {LARGEST:,.0f} such as 12.50, ¥1,299.00 or 12,50"
_MARKS = r"[¥￥$€£\s，]|元|RMB|CNY|USD|EUR"
_NOT_FINITE = r"^[+-]?(?:inf|infinity|nan)$"

POINT, COMMA, EITHER = 1, -1, 0


def strip_marks(values: pd.Series) -> pd.Series:
    """The amount text without currency marks, spaces and full-width commas."""
    return values.astype(str).str.replace(_MARKS, "", regex=True, flags=re.IGNORECASE)


def mark_evidence(text: pd.Series) -> np.ndarray:
    """Per amount: POINT if only a decimal point reads it, COMMA if only a decimal comma, EITHER otherwise.

    ``1,250`` and ``1.250`` are EITHER (thousands, or three decimals); ``1,299.00`` is POINT (the last mark
    is the decimal one), ``1.299,00`` and ``12,5`` are COMMA.
    """
    both = text.str.contains(",", regex=False) & text.str.contains(".", regex=False)
    last_comma = text.str.rfind(",") > text.str.rfind(".")
    only_comma = text.str.contains(",", regex=False) & ~both
    only_dot = text.str.contains(".", regex=False) & ~both
    comma_thousands = text.str.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+")
    dot_thousands = text.str.fullmatch(r"[+-]?\d{1,3}(?:\.\d{3})+")
    one_comma = text.str.count(",") == 1
    one_dot = text.str.count(r"\.") == 1
    comma = (both & last_comma) | (only_comma & one_comma & ~comma_thousands) | (only_dot & ~one_dot & dot_thousands)
    point = (both & ~last_comma) | (only_dot & one_dot & ~dot_thousands) | (only_comma & ~one_comma & comma_thousands)
    return np.where(comma.to_numpy(), COMMA, np.where(point.to_numpy(), POINT, EITHER)).astype(np.int8)


def decimal_mark(evidence: np.ndarray) -> int:
    """POINT or COMMA for a column whose amounts show this evidence (rows in order); EITHER means a conflict.

    The caller finds the first row that conflicts with the first decisive one.
    """
    has_comma, has_point = bool((evidence == COMMA).any()), bool((evidence == POINT).any())
    if has_comma and has_point:
        return EITHER
    return COMMA if has_comma else POINT


def read_amounts(text: pd.Series, mark: int = POINT) -> np.ndarray:
    """Numbers of amount strings already stripped of marks (:func:`strip_marks`), with the column's decimal mark;
    NaN where unreadable, and whatever ``inf``/``nan`` text says (checked by the caller)."""
    if mark == COMMA:
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        text = text.str.replace(",", "", regex=False)
    return pd.to_numeric(text.where(text != "", None), errors="coerce").to_numpy(dtype=float, copy=True)


def not_finite_text(text: pd.Series) -> np.ndarray:
    """Which strings spell a non-finite number (``inf``, ``-Infinity``, ``nan``): refused, not 'unreadable'."""
    return text.str.fullmatch(_NOT_FINITE, case=False).fillna(False).to_numpy(dtype=bool)


def parse_amounts(values: pd.Series) -> pd.Series:
    """Numbers from text such as '¥1,299.00', '35.5元', 'USD 12' or '12,50'; NaN where unreadable.

    The decimal mark is the values' own (:func:`decimal_mark`); a mix of both reads with a point.
    """
    text = strip_marks(values)
    mark = decimal_mark(mark_evidence(text))
    return pd.Series(read_amounts(text, COMMA if mark == COMMA else POINT), index=values.index)
