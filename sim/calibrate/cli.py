"""Command line: ``python -m sim.calibrate --orders PATH --out configs/population/NAME.yaml``.

Turns a merchant's order export into a population config the engine uses directly
(``python -m sim experiment=hook_cash_vs_coupon population=NAME``):

1. read the export (:mod:`sim.calibrate.orders`): columns, encoding, refunds, same-day merge;
2. summarise each customer's repeat buying up to the end of the calibration period and
   fit BG/NBD and Gamma-Gamma by maximum likelihood (:mod:`sim.calibrate.fit`, in weeks);
3. read platform volume and seasonal peaks off the new customers (:mod:`sim.calibrate.seasonality`);
4. with ``--holdout-end``, compare expected and actual repeat purchases after the
   calibration period (:mod:`sim.calibrate.holdout`), as a printed table and a figure;
5. check the population against the engine's schema and ranges, then write the YAML,
   last and atomically. A structured comment block at its top records the fit.

Bad input prints one line ``error: ...`` on stderr and exits with status 2; no YAML is written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd
import yaml

from sim.calibrate.fit import (
    DAYS_PER_WEEK,
    RFM,
    Fit,
    FitError,
    expected_repeats,
    fit_bgnbd,
    fit_gamma_gamma,
    rfm_summary,
)
from sim.calibrate.orders import Orders, OrdersError, load_orders
from sim.calibrate.seasonality import Volume, platform_volume

EXIT_BAD_INPUT, EXIT_INTERRUPTED = 2, 130
FLAGSHIP = "hook_cash_vs_coupon"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-]*$")
RECORD_PREFIX = "# "
RECORD_START = "# calibration:"


class CalibrationError(ValueError):
    """An input or result the calibration cannot accept; the message is one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, like every other bad input
        print(f"error: {message}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python -m sim.calibrate",
        description="Fit BG/NBD repeat buying, Gamma-Gamma spend, volume and peaks to an order export "
        "and write a population config for the engine.",
    )
    p.add_argument("--orders", required=True, type=Path, help="order export: CSV (UTF-8 or GBK) or Excel")
    p.add_argument(
        "--out", required=True, type=Path, help="population YAML to write, e.g. configs/population/NAME.yaml"
    )
    p.add_argument("--customer-col", help="customer column (default: recognised from the header)")
    p.add_argument("--date-col", help="order date column (default: recognised from the header)")
    p.add_argument("--amount-col", help="paid amount column (default: recognised from the header)")
    p.add_argument("--end-date", help="end of the calibration period, YYYY-MM-DD (default: the last order date)")
    p.add_argument("--holdout-end", help="end of a holdout period after --end-date, YYYY-MM-DD")
    p.add_argument("--encoding", help="text encoding of a CSV (default: UTF-8 with or without BOM, else GB18030/GBK)")
    return p


# ----------------------------------------------------------------------------- the calibration


@dataclass(frozen=True)
class Calibration:
    """Everything the calibration found, before anything is written."""

    name: str
    source: Path
    orders: Orders
    start: pd.Timestamp
    end: pd.Timestamp
    rfm: RFM
    bgnbd: Fit
    spend: Fit
    volume: Volume
    n_later_customers: int  # first bought after the calibration period: left out
    n_after: int  # purchases after the calibration (and holdout) period: not used


def _date(text: str | None, flag: str) -> pd.Timestamp | None:
    if text is None:
        return None
    try:
        return pd.Timestamp(dt.date.fromisoformat(text))
    except ValueError:
        raise CalibrationError(f"{flag} {text}: must be a date as YYYY-MM-DD") from None


def population_name(out: Path) -> str:
    """The population's name (the YAML's stem), usable as ``population=NAME``."""
    if out.suffix != ".yaml":
        raise CalibrationError(f"--out {out}: must be a .yaml file, e.g. configs/population/mybrand.yaml")
    if not NAME_PATTERN.match(out.stem):
        raise CalibrationError(f"--out {out}: the name may hold only letters, digits, '_' and '-'")
    return out.stem


def calibrate(
    orders: Orders, name: str, source: Path, end: pd.Timestamp | None, holdout_end: pd.Timestamp | None
) -> Calibration:
    """Fit the population to the purchases up to ``end`` (default: the last purchase)."""
    purchases = orders.purchases
    start = pd.Timestamp(purchases["date"].min())
    last = pd.Timestamp(purchases["date"].max())
    end = last if end is None else end
    if end < start:
        raise CalibrationError(f"--end-date {end.date()}: before the first order ({start.date()})")
    if holdout_end is not None and holdout_end <= end:
        raise CalibrationError(f"--holdout-end {holdout_end.date()}: must be after the end date ({end.date()})")
    calib = purchases[purchases["date"] <= end]
    n_customers = calib["customer"].nunique()
    if n_customers < 2:
        who = calib["customer"].iloc[0]
        raise CalibrationError(
            f"only one customer ({who}) in the calibration period: fitting a population needs many customers"
        )
    rfm = rfm_summary(purchases, end)
    later = purchases.loc[purchases["date"] > end, "customer"]
    n_later_customers = int(later[~later.isin(rfm.customer)].nunique())
    stop = holdout_end if holdout_end is not None else end
    n_after = int((purchases["date"] > stop).sum())
    bgnbd = fit_bgnbd(rfm)
    spend = fit_gamma_gamma(rfm)
    if spend.params["q"] <= 1.0:
        raise FitError(
            f"the Gamma-Gamma fit gives q = {spend.params['q']:.3g} <= 1: mean spend would be infinite "
            "(the engine needs q > 1; a few very large orders dominate the spend)"
        )
    volume = platform_volume(purchases, rfm.first_date, end)
    return Calibration(name, source, orders, start, end, rfm, bgnbd, spend, volume, n_later_customers, n_after)


# ----------------------------------------------------------------------------- the YAML


def _g(value: float, digits: int = 6) -> float:
    return float(f"{value:.{digits}g}")


def population_fields(c: Calibration) -> dict[str, Any]:
    """The PopulationConfig fields the calibration sets; everything else keeps the schema's defaults."""
    b, s = c.bgnbd.params, c.spend.params
    return {
        "name": c.name,
        "buyers_per_year": max(1, round(c.volume.buyers_per_year)),
        "start_date": (c.end + pd.Timedelta(days=1)).date().isoformat(),
        "peaks": [
            {"name": p.name, "month_day": p.month_day, "multiplier": p.multiplier, "width_days": p.width_days}
            for p in c.volume.peaks
        ],
        "repeat": {"r": _g(b["r"]), "alpha_days": _g(b["alpha"] * DAYS_PER_WEEK), "a": _g(b["a"]), "b": _g(b["b"])},
        "spend": {"p": _g(s["p"]), "q": _g(s["q"]), "gamma_cny": _g(s["gamma"])},
    }


def calibration_record(c: Calibration) -> dict[str, Any]:
    """What the comment block at the top of the YAML records: data, fits (weeks), SEs, log-likelihoods."""
    o, rfm, b, s = c.orders, c.rfm, c.bgnbd, c.spend
    weeks = (13.0, 26.0, 52.0)
    ex = expected_repeats(np.array(weeks), b.params["r"], b.params["alpha"], b.params["a"], b.params["b"])
    return {
        "source": c.source.name,
        "columns": {"customer": o.columns.customer, "date": o.columns.date, "amount": o.columns.amount}
        | ({"status": o.columns.status} if o.columns.status else {})
        | ({"refund": o.columns.refund} if o.columns.refund else {}),
        "encoding": o.encoding or "excel",
        "period": {"start": str(c.start.date()), "end": str(c.end.date()), "days": int((c.end - c.start).days + 1)},
        "orders": {
            "rows": o.n_rows,
            "dropped_refunded_or_cancelled": o.n_refunded,
            "dropped_zero_amount": o.n_zero,
            "merged_same_day": o.n_merged,
            "purchases_in_period": int(len(rfm) + rfm.x.sum()),
        },
        "customers": len(rfm),
        "repeat_purchases": int(rfm.x.sum()),
        "customers_without_repeat": int((rfm.x == 0).sum()),
        "time_unit": "weeks",
        "bgnbd": {
            **{k: _g(v) for k, v in b.params.items()},
            "se": {k: _g(v, 4) for k, v in b.se.items()},
            "log_likelihood": round(b.log_likelihood, 3),
            "alpha_days": _g(b.params["alpha"] * DAYS_PER_WEEK),
        },
        "gamma_gamma": {
            **{k: _g(v) for k, v in s.params.items()},
            "se": {k: _g(v, 4) for k, v in s.se.items()},
            "log_likelihood": round(s.log_likelihood, 3),
            "repeaters": s.n,
            "mean_spend": _g(s.params["p"] * s.params["gamma"] / (s.params["q"] - 1.0), 5),
            "currency": "the export's (the engine reads it as CNY)",
        },
        "expected_repeats_new_customer": {f"{w:g}_weeks": _g(float(e), 4) for w, e in zip(weeks, ex, strict=True)},
        "volume": {
            "new_customers_per_year": _g(c.volume.buyers_per_year, 6),
            "counted_over": f"{c.volume.acquisition_start.date()} to {c.volume.acquisition_end.date()}",
            "purchases_per_year": _g(c.volume.orders_per_year, 6),
            "peaks": c.volume.peaks_note,
        },
    }


def render_yaml(c: Calibration) -> str:
    """The population YAML: a commented record of the calibration, then the config itself."""
    record = yaml.safe_dump({"calibration": calibration_record(c)}, sort_keys=False, allow_unicode=True, width=1000)
    fields = population_fields(c)
    body = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)
    head = [
        f"# Population calibrated from {c.source.name} by python -m sim.calibrate.",
        f"# Run: python -m sim experiment={FLAGSHIP} population={c.name}",
        "# repeat and spend are the maximum-likelihood BG/NBD and Gamma-Gamma fits (alpha_days = 7 x alpha in weeks);",
        "# buyers_per_year and peaks come from the new customers per day. Every other field keeps the schema's",
        "# defaults (sim/config/shared.py PopulationConfig, the same values as configs/population/default.yaml).",
        "# The block below (uncomment to read it as YAML) records the data and the fit, in weeks:",
    ]
    commented = [RECORD_PREFIX + line if line else "#" for line in record.rstrip("\n").split("\n")]
    return "\n".join([*head, *commented, "defaults:", "  - population_schema", body.rstrip("\n")]) + "\n"


def read_record(path: Path) -> dict[str, Any]:
    """The calibration record of a YAML written by this command (the commented block), as a dict."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(RECORD_START)
    block = []
    for line in lines[start:]:
        if not line.startswith("#"):
            break
        block.append(line[len(RECORD_PREFIX) :] if line.startswith(RECORD_PREFIX) else "")
    return yaml.safe_load("\n".join(block))["calibration"]


def check_population(text: str) -> None:
    """Type and range-check the YAML as the engine will, so a written file always composes."""
    from sim.config.compose import population_config
    from sim.config.validate import ConfigError

    node = yaml.safe_load(text)
    node.pop("defaults", None)
    try:
        population_config(node)
    except ConfigError as exc:
        first = str(exc).strip().splitlines()[0]
        raise CalibrationError(f"the fitted population is outside what the engine accepts: {first}") from None


# ----------------------------------------------------------------------------- console


def _fmt_fit(fit: Fit) -> str:
    return ", ".join(f"{k} = {v:.4g} (SE {fit.se[k]:.2g})" for k, v in fit.params.items())


def report_lines(c: Calibration) -> list[str]:
    o, rfm, b, s, v = c.orders, c.rfm, c.bgnbd, c.spend, c.volume
    cols = o.columns
    extra = "".join(f", {k} = {getattr(cols, k)}" for k in ("status", "refund") if getattr(cols, k))
    weeks = (c.end - c.start).days / DAYS_PER_WEEK
    lines = [
        f"read {c.source} ({o.encoding or 'Excel'}): customer = {cols.customer}, date = {cols.date}, "
        f"amount = {cols.amount}{extra}",
        f"{o.n_rows} orders: dropped {o.n_refunded} refunded or cancelled and {o.n_zero} zero-amount; "
        f"merged {o.n_merged} same-day orders into their customer's purchase of that day",
        f"calibration period {c.start.date()} to {c.end.date()} ({weeks:.1f} weeks): {len(rfm)} customers, "
        f"{int(len(rfm) + rfm.x.sum())} purchases, {int(rfm.x.sum())} repeat purchases, "
        f"{int((rfm.x == 0).sum())} customers with none",
    ]
    if c.n_later_customers or c.n_after:
        lines.append(
            f"left out: {c.n_later_customers} customers who first bought after {c.end.date()}, "
            f"{c.n_after} purchases after the period used"
        )
    mean_spend = s.params["p"] * s.params["gamma"] / (s.params["q"] - 1.0)
    p = b.params
    lines += [
        f"BG/NBD (time in weeks): {_fmt_fit(b)}; log-likelihood {b.log_likelihood:.1f}",
        f"  alpha = {p['alpha'] * DAYS_PER_WEEK:.4g} days; a new customer's expected repeat purchases: "
        f"{float(expected_repeats(13.0, p['r'], p['alpha'], p['a'], p['b'])):.3f} in 13 weeks, "
        f"{float(expected_repeats(52.0, p['r'], p['alpha'], p['a'], p['b'])):.3f} in 52 weeks",
        f"Gamma-Gamma on {s.n} repeaters: {_fmt_fit(s)}; log-likelihood {s.log_likelihood:.1f}; "
        f"mean spend per order {mean_spend:.2f}",
        f"volume: {v.buyers_per_year:.0f} new customers a year (first purchases {v.acquisition_start.date()} to "
        f"{v.acquisition_end.date()}), {v.orders_per_year:.0f} purchases a year; {v.peaks_note}",
    ]
    return lines


# ----------------------------------------------------------------------------- main


def run(argv: list[str] | None = None) -> Path:
    """Parse, calibrate, print, write; returns the YAML written. Raises on bad input."""
    args = build_parser().parse_args(argv)
    name = population_name(args.out)
    end = _date(args.end_date, "--end-date")
    holdout_end = _date(args.holdout_end, "--holdout-end")
    if holdout_end is not None and end is None:
        raise CalibrationError("--holdout-end needs --end-date (the end of the calibration period)")
    orders = load_orders(
        args.orders,
        customer_col=args.customer_col,
        date_col=args.date_col,
        amount_col=args.amount_col,
        encoding=args.encoding,
    )
    c = calibrate(orders, name, args.orders, end, holdout_end)
    text = render_yaml(c)
    check_population(text)
    for line in report_lines(c):
        print(line)
    if holdout_end is not None:
        _holdout(c, holdout_end, args.out)
    from sim.report.writers import write_text

    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_text(args.out, text)
    print(f"wrote {args.out}; run it with: python -m sim experiment={FLAGSHIP} population={name}")
    return args.out


def _holdout(c: Calibration, holdout_end: pd.Timestamp, out: Path) -> None:
    from sim.calibrate.holdout import format_table, holdout_counts, holdout_table, holdout_weeks
    from sim.calibrate.plots import holdout_figure
    from sim.report.writers import write_figure

    weeks = holdout_weeks(c.end, holdout_end)
    actual = holdout_counts(c.orders.purchases, c.rfm, c.end, holdout_end)
    table = holdout_table(c.rfm, actual, c.bgnbd, weeks)
    print(f"holdout {(c.end + pd.Timedelta(days=1)).date()} to {holdout_end.date()} ({weeks:.1f} weeks):")
    print(format_table(table))
    title = f"{c.name}: holdout repeat purchases, {weeks:.0f} weeks after {c.end.date()}"
    out.parent.mkdir(parents=True, exist_ok=True)
    name = f"{out.stem}_holdout"
    write_figure(out.parent, name, holdout_figure(table, title))
    print(f"wrote {out.parent / name}.png and .svg")


def main(argv: list[str] | None = None) -> None:
    try:
        run(argv)
    except (OrdersError, FitError, CalibrationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        print("interrupted: no population written", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
