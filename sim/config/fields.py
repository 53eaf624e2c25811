"""Declaring a field's allowed range next to its default; every numeric setting has finite bounds.

:func:`within`, :func:`prob`, :func:`nonneg` and :func:`positive` make dataclass fields that
carry their range in the field's metadata; :func:`sim.config.validate.check_ranges` checks
every value against it before anything runs. Imports nothing from ``sim``.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any


def within(default: Any, lo: float, hi: float, *, open_lo: bool = False) -> Any:
    """A field whose value must lie in [lo, hi] (or (lo, hi] when ``open_lo``)."""
    return field(default=default, metadata={"range": (lo, hi, open_lo)})


def prob(default: float) -> Any:
    """A probability in [0, 1]."""
    return within(default, 0.0, 1.0)


def nonneg(default: Any, hi: float) -> Any:
    """A cost, count or duration that may be zero but not negative, up to a finite ``hi`` (a sanity bound)."""
    return within(default, 0.0, hi)


def positive(default: Any, hi: float) -> Any:
    """A size, rate or scale that must be strictly positive, up to a finite ``hi`` (a sanity bound)."""
    return within(default, 0.0, hi, open_lo=True)
