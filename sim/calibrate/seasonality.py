"""Platform volume and seasonal peaks from purchases, in the form the engine's population takes.

The engine draws new platform buyers as a Poisson count per day around
``buyers_per_year / 365``, raised around each peak by a Gaussian bump (``PeakConfig``:
``multiplier`` on the peak day over a normal day, ``width_days`` its standard
deviation). So both are read off the daily counts of **new customers** (first purchases):

- ``buyers_per_year``: new customers per day over the span in which first purchases
  occur (the first order date to the last first purchase), times 365;
- peaks: days whose new-customer count is at least ``PEAK_MIN_RATIO`` times a baseline
  and improbable under a Poisson count at that baseline (upper-tail p below 0.01 / number
  of days, a Bonferroni bound). Adjacent peak days form one peak. Its date is the centroid
  of the bump (the excess ratio over its days and ``SPREAD_DAYS`` either side), its
  multiplier the ratio on that day, and its width comes from the area of the bump:
  sum of (ratio - 1) = (multiplier - 1) * width * sqrt(2 pi).

The baseline is the centred 29-day rolling median of the days **outside** the peaks: a first
pass finds the peak days with the median of all days, a second leaves out those days and
``MASK_DAYS`` either side. With the peak's own days in the window, the median rose by about
5% at a 3x peak (half the window is bump), and every multiplier came out about 1.1 standard
errors low. A peak's standard error combines the Poisson noise of its day's count and of the
median: SE = m sqrt(1/count + pi / (2 n baseline)) over the n days the median used.

A span shorter than ``MIN_SPAN_DAYS`` is too short to tell peaks from the baseline; then
no peaks are reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import poisson

BASELINE_DAYS = 29
PEAK_MIN_RATIO = 2.0
FAMILY_ALPHA = 0.01
SPREAD_DAYS = 3  # the bump's area is summed over its flagged days and this many days either side
MASK_DAYS = 5  # the second-pass baseline leaves out the peak days and this many either side
MIN_SPAN_DAYS = 2 * BASELINE_DAYS
MAX_MULTIPLIER, MIN_WIDTH_DAYS, MAX_WIDTH_DAYS = 100.0, 0.5, 60.0  # PeakConfig's ranges


@dataclass(frozen=True)
class Peak:
    """A seasonal peak: its date, multiplier over a normal day (and its standard error) and width (days)."""

    name: str
    month_day: str
    multiplier: float
    width_days: float
    multiplier_se: float = float("nan")


@dataclass(frozen=True)
class Volume:
    """Platform volume: new customers and orders per year, and the span they were counted over."""

    buyers_per_year: float
    orders_per_year: float
    acquisition_start: pd.Timestamp
    acquisition_end: pd.Timestamp
    span_days: int
    peaks: list[Peak]
    peaks_note: str


def new_customers_per_day(first_dates: np.ndarray, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Count of first purchases on each day from ``start`` to ``end`` (zeros included)."""
    days = pd.date_range(start, end, freq="D")
    counts = pd.Series(pd.to_datetime(first_dates)).value_counts()
    return counts.reindex(days, fill_value=0).astype(float)


def _baseline(daily: pd.Series, left_out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Centred rolling median of the days not left out, and how many days each median used."""
    kept = daily if left_out is None else daily.where(~left_out)
    window = kept.rolling(BASELINE_DAYS, center=True, min_periods=BASELINE_DAYS // 2)
    return window.median().to_numpy(), window.count().to_numpy()


def _flag(counts: np.ndarray, base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each day's ratio to the baseline, and whether it is a peak day."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(base > 0, counts / base, np.nan)
    p_upper = np.where(base > 0, poisson.sf(counts - 1.0, np.where(base > 0, base, 1.0)), 1.0)
    return ratio, (ratio >= PEAK_MIN_RATIO) & (p_upper < FAMILY_ALPHA / counts.size)


def detect_peaks(daily: pd.Series) -> tuple[list[Peak], str]:
    """Peaks of a daily count series (see the module doc); returns them and a one-line note."""
    n = len(daily)
    if n < MIN_SPAN_DAYS:
        return [], f"no peaks: {n} days of new customers are too few to tell peaks (need {MIN_SPAN_DAYS})"
    counts = daily.to_numpy()
    first_base, _ = _baseline(daily)
    _, first_flags = _flag(counts, first_base)
    near_peak = np.convolve(first_flags.astype(int), np.ones(2 * MASK_DAYS + 1, dtype=int), mode="same") > 0
    base, used = _baseline(daily, near_peak)
    base = np.where(np.isnan(base), first_base, base)  # a window all peak: keep the first pass
    used = np.where(used > 0, used, BASELINE_DAYS)
    ratio, flagged = _flag(counts, base)
    peaks: dict[str, Peak] = {}
    i = 0
    while i < n:
        if not flagged[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and flagged[j + 1]:
            j += 1
        lo, hi = max(i - SPREAD_DAYS, 0), min(j + SPREAD_DAYS, n - 1)
        bump = np.nan_to_num(ratio[lo : hi + 1] - 1.0)
        weight = np.clip(bump, 0.0, None)
        top = lo + int(round(float((np.arange(bump.size) * weight).sum() / weight.sum())))
        if not flagged[top]:  # a lopsided bump: its centroid fell off the peak days
            top = i + int(np.nanargmax(ratio[i : j + 1]))
        multiplier = float(min(ratio[top], MAX_MULTIPLIER))
        width = float(bump.sum()) / ((multiplier - 1.0) * math.sqrt(2.0 * math.pi))
        se = multiplier * math.sqrt(1.0 / max(counts[top], 1.0) + math.pi / (2.0 * used[top] * base[top]))
        day = daily.index[top]
        month_day = f"{day.month:02d}-{day.day:02d}"
        peak = Peak(
            name=f"peak_{month_day}",
            month_day=month_day,
            multiplier=round(multiplier, 3),
            width_days=round(float(np.clip(width, MIN_WIDTH_DAYS, MAX_WIDTH_DAYS)), 3),
            multiplier_se=round(se, 4),
        )
        if month_day not in peaks or peaks[month_day].multiplier < peak.multiplier:
            peaks[month_day] = peak  # the same date in several years: keep the strongest
        i = j + 1
    found = sorted(peaks.values(), key=lambda p: p.month_day)
    if not found:
        return [], (
            f"no peaks: no day had {PEAK_MIN_RATIO:g}x the rolling {BASELINE_DAYS}-day median of new customers "
            f"with Poisson p < {FAMILY_ALPHA:g}/{n}"
        )
    return found, f"{len(found)} peak(s): " + ", ".join(f"{p.month_day} x{p.multiplier:g}" for p in found)


def platform_volume(purchases: pd.DataFrame, first_dates: np.ndarray, end: pd.Timestamp) -> Volume:
    """New customers and orders per year, and the peaks of new-customer arrivals, up to ``end``."""
    kept = purchases[purchases["date"] <= end]
    start = pd.Timestamp(kept["date"].min())
    last_first = pd.Timestamp(pd.to_datetime(first_dates).max())
    span = (last_first - start).days + 1
    all_span = (end - start).days + 1
    daily = new_customers_per_day(first_dates, start, last_first)
    peaks, note = detect_peaks(daily)
    return Volume(
        buyers_per_year=len(first_dates) / span * 365.0,
        orders_per_year=len(kept) / all_span * 365.0,
        acquisition_start=start,
        acquisition_end=last_first,
        span_days=span,
        peaks=peaks,
        peaks_note=note,
    )
