"""Command line: ``python -m sim.calibrate --orders PATH --out configs/population/NAME.yaml``.

Turns a merchant's order export into a population config the engine uses directly
(``python -m sim experiment=hook_cash_vs_coupon population=NAME``):

1. read the export (:mod:`sim.calibrate.orders`): columns, encoding, refunds, same-day merge (or, with
   ``--same-day-orders keep``, each order a purchase);
2. summarise each customer's repeat buying up to the end of the calibration period and fit
   every model by maximum likelihood (:mod:`sim.calibrate.models`, in weeks): BG/NBD,
   Pareto/NBD and MBG/NBD repeat buying, Gamma-Gamma and spend-by-frequency spend;
3. read platform volume and seasonal peaks off the new customers (:mod:`sim.calibrate.seasonality`);
4. with ``--holdout-end``, backtest every model on the holdout (:mod:`sim.calibrate.backtest`),
   BG/NBD also through the engine's own platform layer (:mod:`sim.calibrate.engine_backtest`):
   a printed table, ``NAME_backtest.csv`` and the figures ``NAME_holdout`` and ``NAME_tracking``;
5. check the population against the engine's schema and ranges, then write the files all at
   once or not at all, the YAML last (:mod:`sim.calibrate.output`, which also checks ``--out``
   before any work). A structured comment block at the YAML's top records the fits, which
   models it holds and why, and the backtest;
6. with ``--parameter-draws N``, also write ``NAME_draws.csv``: N draws of the fitted parameters from the fits'
   asymptotic normal (:mod:`sim.calibrate.draws`), for ``python -m sim.plan risk --parameter-draws``.

The population always holds BG/NBD and Gamma-Gamma, because those are what the engine
simulates; the other models are fitted to say how much a model the engine cannot run would
change the forecast, and the record and the console say which forecast the holdout favoured.

With ``--exports DIR`` the command fits the funnel from the operator's other exports instead
(:mod:`sim.calibrate.funnel.cli`).

Bad input prints one line ``error: ...`` on stderr and exits with status 2; nothing is written.
A failure to write (a full disk) is one line and status 1, Ctrl-C status 130 and SIGTERM 143; none
leaves a file behind.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np
import pandas as pd
import yaml

from sim.calibrate.dates import DATE_ORDERS, EARLIEST, latest_allowed
from sim.calibrate.draws import DEFAULT_SEED, Draws, DrawsError, check_count, parameter_draws, uncertainty_fields
from sim.calibrate.fit import DAYS_PER_WEEK, RFM, Fit, FitError, expected_repeats, rfm_summary
from sim.calibrate.funnel.cli import main as funnel_main
from sim.calibrate.models import ENGINE_REPEAT, ENGINE_SPEND, REPEAT_BY_KEY, SPEND_LABELS, ModelFits, aic, fit_models
from sim.calibrate.orders import SAME_DAY, Orders, OrdersError, load_orders
from sim.calibrate.output import OutError, check_out, publish
from sim.calibrate.seasonality import Volume, platform_volume
from sim.calibrate.spend import likelihood_ratio
from sim.run.interrupt import Terminated, stop_on_signals

if TYPE_CHECKING:
    from sim.calibrate.backtest import Choice
    from sim.calibrate.engine_backtest import EngineForecast

EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_TERMINATED = 1, 2, 130, 143  # 128 + SIGINT, 128 + SIGTERM
FLAGSHIP = "hook_cash_vs_coupon"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-]*$")
RECORD_PREFIX = "# "
RECORD_START = "# calibration:"
SPEND_NAMES = ("Gamma-Gamma", "spend by frequency")


class CalibrationError(ValueError):
    """An input or result the calibration cannot accept; the message is one line."""


class WriteError(RuntimeError):
    """The results could not be written (none were kept); the message is one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, like every other bad input
        print(f"error: {message}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python -m sim.calibrate",
        description="Fit repeat buying (BG/NBD, Pareto/NBD, MBG/NBD), spend, volume and peaks to an order export, "
        "backtest them on a holdout, and write a population config for the engine.",
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
    p.add_argument("--sheet", help="the sheet holding the orders, in an Excel workbook with several sheets")
    p.add_argument(
        "--date-order",
        choices=DATE_ORDERS,
        help="how to read dates such as 03/01/2024: dmy (3 January) or mdy (1 March); default: as the column decides",
    )
    p.add_argument(
        "--same-day-orders",
        choices=SAME_DAY,
        default="merge",
        help="a customer's orders of one day: merge them into one purchase (default; rows may be order lines or "
        "split parcels of one checkout) or keep each as a purchase (each row is an order of its own)",
    )
    p.add_argument(
        "--parameter-draws",
        metavar="N",
        help="also write NAME_draws.csv: N draws of the fitted parameters from the fits' asymptotic normal, one row "
        "per replication of python -m sim.plan risk --parameter-draws",
    )
    p.add_argument(
        "--draws-seed",
        metavar="SEED",
        default=str(DEFAULT_SEED),
        help=f"seed of the parameter draws (default {DEFAULT_SEED}): the same fit and seed give the same draws",
    )
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
    fits: ModelFits
    volume: Volume
    n_later_customers: int  # first bought after the calibration period: left out
    n_after: int  # purchases after the calibration (and holdout) period: not used

    @property
    def bgnbd(self) -> Fit:
        return self.fits.bgnbd

    @property
    def spend(self) -> Fit:
        return self.fits.gamma_gamma


@dataclass(frozen=True)
class Holdout:
    """The backtest on the holdout period: tables, the engine's simulation and the best models."""

    end: pd.Timestamp
    weeks: float
    groups: pd.DataFrame  # sim.calibrate.holdout.holdout_table
    backtest: pd.DataFrame  # sim.calibrate.backtest.backtest_table
    choice: Choice
    engine: EngineForecast
    closed_form_total: float  # BG/NBD's expected total, for the engine check
    process_sd: float  # of the holdout total under BG/NBD: the customers' own randomness (engine replications)
    parameter_sd: float  # of BG/NBD's forecast total: the parameters' uncertainty (delta method)
    tracking: pd.DataFrame
    holdout_tracking: pd.DataFrame

    @property
    def predictive_se(self) -> float:
        """SE of the actual total about BG/NBD's forecast: both sources together."""
        return float(np.hypot(self.process_sd, self.parameter_sd))

    def error_pct(self, model: str, metric: str) -> float:
        rows = self.backtest[(self.backtest["model"] == model) & (self.backtest["metric"] == metric)]
        return float(rows["error_pct"].iloc[0])

    def row(self, model: str, metric: str) -> pd.Series:
        return self.backtest[(self.backtest["model"] == model) & (self.backtest["metric"] == metric)].iloc[0]


def _date(text: str | None, flag: str) -> pd.Timestamp | None:
    if text is None:
        return None
    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        raise CalibrationError(f"{flag} {text}: must be a date as YYYY-MM-DD") from None
    latest = latest_allowed()
    if not EARLIEST <= date <= latest:
        raise CalibrationError(f"{flag} {text}: allowed: a date from {EARLIEST} to {latest} (tomorrow)")
    return pd.Timestamp(date)


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
    if holdout_end is not None and holdout_end > last:
        raise CalibrationError(
            f"--holdout-end {holdout_end.date()}: after the last order ({last.date()}); "
            "the holdout must lie within the orders"
        )
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
    fits = fit_models(rfm)
    spend = fits.gamma_gamma
    if spend.params["q"] <= 1.0:
        raise FitError(
            f"the Gamma-Gamma fit gives q = {spend.params['q']:.3g} <= 1: mean spend would be infinite "
            "(the engine needs q > 1; a few very large orders dominate the spend)"
        )
    volume = platform_volume(purchases, rfm.first_date, end)
    return Calibration(name, source, orders, start, end, rfm, fits, volume, n_later_customers, n_after)


# ----------------------------------------------------------------------------- the backtest


def backtest(c: Calibration, holdout_end: pd.Timestamp) -> Holdout:
    """Every model's forecast of the holdout (end, holdout_end] against what the customers did."""
    from sim.calibrate.backtest import (
        actual_holdout,
        backtest_table,
        choose,
        conditional_forecasts,
        expected_spends,
        holdout_tracking,
        parameter_sd,
        tracking,
    )
    from sim.calibrate.engine_backtest import MODEL, simulate_holdout
    from sim.calibrate.holdout import holdout_table, holdout_weeks

    weeks = holdout_weeks(c.end, holdout_end)
    purchases = c.orders.purchases
    actual = actual_holdout(purchases, c.rfm, c.end, holdout_end)
    repeats = conditional_forecasts(c.rfm, c.fits, weeks)
    engine = simulate_holdout(c.rfm, c.bgnbd, c.spend, weeks)
    spends = expected_spends(c.rfm, c.fits)
    table = backtest_table(c.rfm, actual, {**repeats, MODEL: engine.repeats}, spends, {MODEL: engine.revenue})
    choice = choose(table, list(repeats), list(spends))
    return Holdout(
        end=holdout_end,
        weeks=weeks,
        groups=holdout_table(c.rfm, actual.repeats, {**repeats, MODEL: engine.repeats}),
        backtest=table,
        choice=choice,
        engine=engine,
        closed_form_total=float(repeats[ENGINE_REPEAT].sum()),
        process_sd=float(engine.total_per_replication.std(ddof=1)),
        parameter_sd=parameter_sd(c.rfm, ENGINE_REPEAT, c.bgnbd, weeks),
        tracking=tracking(purchases, c.rfm, c.start, c.end, holdout_end, c.fits),
        holdout_tracking=holdout_tracking(purchases, c.rfm, c.end, weeks, c.fits, engine.weekly_cumulative),
    )


def _label(key: str) -> str:
    if key == "bgnbd_engine":
        return "BG/NBD through the engine"
    return REPEAT_BY_KEY[key].label if key in REPEAT_BY_KEY else SPEND_LABELS.get(key, key)


def model_choice(c: Calibration, h: Holdout | None) -> dict[str, Any]:
    """Which models the population holds and why, the best by likelihood and, with a holdout, the best on it."""
    same = c.fits.same_data
    repeat_ll = {k: same[k].log_likelihood for k in c.fits.repeat if k in same}
    best_ll = max(repeat_ll, key=lambda k: repeat_ll[k])
    spend_aic = {k: aic(same[k]) for k in c.fits.spend if k in same}
    best_spend = min(spend_aic, key=lambda k: spend_aic[k])
    compared = f"all {c.fits.customers} customers"
    if c.fits.sampled:
        compared = f"a random {c.fits.compared_on} of the {c.fits.customers} customers (BG/NBD and Gamma-Gamma too)"
    out: dict[str, Any] = {
        "written": {"repeat": ENGINE_REPEAT, "spend": ENGINE_SPEND},
        "best_by_likelihood": {"repeat": best_ll, "spend": best_spend, "compared_on": compared},
    }
    if h is None:
        why = (
            "the engine simulates BG/NBD repeat buying and Gamma-Gamma spend; no holdout was given to compare forecasts"
        )
    else:
        ch = h.choice
        bg_error = h.error_pct(ENGINE_REPEAT, "repeat_transactions")
        out["best_on_holdout"] = {
            "repeat": ch.repeat,
            "repeat_transactions_error_pct": round(ch.repeat_error_pct, 2),
            "spend": ch.spend,
            "spend_per_repeat_purchase_error_pct": round(ch.spend_error_pct, 2),
        }
        if ch.repeat == ENGINE_REPEAT:
            why = f"BG/NBD, which the engine simulates, also forecast the holdout best ({bg_error:+.1f}%)"
        else:
            why = (
                f"the engine simulates BG/NBD only, so the population holds BG/NBD although {_label(ch.repeat)} "
                f"forecast the holdout's repeat purchases better ({ch.repeat_error_pct:+.1f}% against BG/NBD's "
                f"{bg_error:+.1f}%); read the engine's repurchases of existing customers with that error in mind"
            )
        if ch.spend != ENGINE_SPEND:
            gg = h.error_pct(ENGINE_SPEND, "spend_per_repeat_purchase")
            why += (
                f"; spend is Gamma-Gamma, which the engine draws, although {_label(ch.spend)} forecast the spend "
                f"per purchase better ({ch.spend_error_pct:+.1f}% against {gg:+.1f}%)"
            )
    out["why"] = why
    return out


# ----------------------------------------------------------------------------- the YAML


def _g(value: float, digits: int = 6) -> float:
    return float(f"{value:.{digits}g}")


def population_fields(c: Calibration) -> dict[str, Any]:
    """The PopulationConfig fields the calibration sets; everything else keeps the schema's defaults."""
    b, s = c.bgnbd.params, c.spend.params
    repeat = {"r": _g(b["r"]), "alpha_days": _g(b["alpha"] * DAYS_PER_WEEK), "a": _g(b["a"]), "b": _g(b["b"])}
    spend = {"p": _g(s["p"]), "q": _g(s["q"]), "gamma_cny": _g(s["gamma"])}
    return {
        "name": c.name,
        "buyers_per_year": max(1, round(c.volume.buyers_per_year)),
        "start_date": (c.end + pd.Timedelta(days=1)).date().isoformat(),
        "peaks": [
            {"name": p.name, "month_day": p.month_day, "multiplier": p.multiplier, "width_days": p.width_days}
            for p in c.volume.peaks
        ],
        "repeat": repeat,
        "spend": spend,
        "uncertainty": uncertainty_fields(c.bgnbd, c.spend, {"repeat": repeat, "spend": spend}),
    }


def _fit_record(fit: Fit) -> dict[str, Any]:
    return {
        **{k: _g(v) for k, v in fit.params.items()},
        "se": {k: _g(v, 4) for k, v in fit.se.items()},
        "log_likelihood": round(fit.log_likelihood, 3),
        "aic": round(aic(fit), 2),
        ("repeaters" if fit.model in SPEND_NAMES else "customers"): fit.n,
    }


def _holdout_record(h: Holdout) -> dict[str, Any]:
    """The backtest's totals: actual, and each model's forecast error in percent."""
    totals = h.backtest[h.backtest["metric"].isin(["repeat_transactions", "revenue", "spend_per_repeat_purchase"])]
    out: dict[str, Any] = {"end": str(h.end.date()), "weeks": round(h.weeks, 3)}
    for metric, rows in totals.groupby("metric", sort=False):
        out[str(metric)] = {"actual": _g(float(rows["actual"].iloc[0]), 6)} | {
            str(m): round(float(e), 2) for m, e in zip(rows["model"], rows["error_pct"], strict=True)
        }
    out["error_pct"] = "100 (forecast - actual) / actual; per model and frequency group in the backtest CSV"
    e = h.engine
    bg = h.row(ENGINE_REPEAT, "repeat_transactions")
    out["bgnbd_predictive_se"] = {
        "customers_randomness": round(h.process_sd, 2),
        "parameters": round(h.parameter_sd, 2),
        "total": round(h.predictive_se, 2),
        "miss_in_se": round(float(bg["actual"] - bg["forecast"]) / h.predictive_se, 2),
    }
    out["bgnbd_engine_check"] = {
        "simulated_mean": round(float(e.total_per_replication.mean()), 2),
        "se": round(e.total_se(), 2),
        "closed_form": round(h.closed_form_total, 2),
        "replications": e.replications,
    }
    return out


def calibration_record(c: Calibration, h: Holdout | None = None) -> dict[str, Any]:
    """What the comment block at the top of the YAML records: data, fits (weeks), SEs, log-likelihoods, choice."""
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
            "zero_amount_first_orders_kept": o.n_zero_first,
            "same_day_orders": o.same_day,
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
            "aic": round(aic(b), 2),
            "alpha_days": _g(b.params["alpha"] * DAYS_PER_WEEK),
        },
        "gamma_gamma": {
            **{k: _g(v) for k, v in s.params.items()},
            "se": {k: _g(v, 4) for k, v in s.se.items()},
            "log_likelihood": round(s.log_likelihood, 3),
            "aic": round(aic(s), 2),
            "repeaters": s.n,
            "mean_spend": _g(s.params["p"] * s.params["gamma"] / (s.params["q"] - 1.0), 5),
            "currency": "the export's (the engine reads it as CNY)",
        },
        **{key: _fit_record(fit) for key, fit in c.fits.repeat.items() if key != ENGINE_REPEAT},
        **{key: _fit_record(fit) for key, fit in c.fits.spend.items() if key != ENGINE_SPEND},
        **({"not_fitted": dict(c.fits.notes)} if c.fits.notes else {}),
        "model_choice": model_choice(c, h),
        **({"holdout": _holdout_record(h)} if h is not None else {}),
        "expected_repeats_new_customer": {f"{w:g}_weeks": _g(float(e), 4) for w, e in zip(weeks, ex, strict=True)},
        "volume": {
            "new_customers_per_year": _g(c.volume.buyers_per_year, 6),
            "counted_over": f"{c.volume.acquisition_start.date()} to {c.volume.acquisition_end.date()}",
            "purchases_per_year": _g(c.volume.orders_per_year, 6),
            "peaks": c.volume.peaks_note,
        },
    }


def render_yaml(c: Calibration, h: Holdout | None = None) -> str:
    """The population YAML: a commented record of the calibration, then the config itself."""
    record = yaml.safe_dump({"calibration": calibration_record(c, h)}, sort_keys=False, allow_unicode=True, width=1000)
    fields = population_fields(c)
    body = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)
    head = [
        f"# Population calibrated from {c.source.name} by python -m sim.calibrate.",
        f"# Run: python -m sim experiment={FLAGSHIP} population={c.name}",
        "# repeat and spend are the maximum-likelihood BG/NBD and Gamma-Gamma fits (alpha_days = 7 x alpha in weeks),",
        "# the models the engine simulates; model_choice below says how the other fitted models compared.",
        "# buyers_per_year and peaks come from the new customers per day. Every other field keeps the schema's",
        "# defaults (sim/config/shared.py PopulationConfig, the same values as configs/population/default.yaml).",
        "# uncertainty is the fits' sampling distribution: the logs of repeat and spend are normal with the covariance",
        "# of the observed information; run.parameter_uncertainty=true draws each replication's parameters from it.",
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


def read_lines(o: Orders, source: Path) -> list[str]:
    """What was read: the columns used, and the orders dropped and merged (printed before the fits start)."""
    cols = o.columns
    extra = "".join(f", {k} = {getattr(cols, k)}" for k in ("status", "refund") if getattr(cols, k))
    kept_first = (
        f"; kept {o.n_zero_first} zero-amount first orders as their customer's first purchase" if o.n_zero_first else ""
    )
    return [
        f"read {source} ({o.encoding or 'Excel'}): customer = {cols.customer}, date = {cols.date}, "
        f"amount = {cols.amount}{extra}",
        f"{o.n_rows} orders: dropped {o.n_refunded} refunded or cancelled and {o.n_zero} zero-amount; "
        f"merged {o.n_merged} same-day orders into their customer's purchase of that day{kept_first}"
        if o.same_day == "merge"
        else f"kept each of a customer's orders of one day as a purchase of its own{kept_first}",
    ]


def report_lines(c: Calibration) -> list[str]:
    """The calibration period and every fit (after :func:`read_lines`)."""
    rfm, b, s, v = c.rfm, c.bgnbd, c.spend, c.volume
    weeks = (c.end - c.start).days / DAYS_PER_WEEK
    lines = [
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
    ]
    same = c.fits.same_data
    if c.fits.sampled:
        lines.append(
            f"compared on a random {c.fits.compared_on} of the {c.fits.customers} customers, to which BG/NBD has "
            f"log-likelihood {same[ENGINE_REPEAT].log_likelihood:.1f} and Gamma-Gamma "
            f"{same[ENGINE_SPEND].log_likelihood:.1f}:"
        )
    for key, fit in c.fits.repeat.items():
        if key != ENGINE_REPEAT:
            lines.append(f"{_label(key)} (time in weeks): {_fmt_fit(fit)}; log-likelihood {fit.log_likelihood:.1f}")
    if "spend_by_frequency" in c.fits.spend:
        f = c.fits.spend["spend_by_frequency"]
        stat, p_value = likelihood_ratio(same[ENGINE_SPEND], f)
        lines.append(
            f"spend by frequency on {f.n} repeaters: {_fmt_fit(f)}; log-likelihood {f.log_likelihood:.1f}; "
            f"against Gamma-Gamma: likelihood ratio {stat:.1f}, p = {p_value:.2g}"
        )
    lines += [f"not fitted: {_label(key)}: {note}" for key, note in c.fits.notes.items()]
    lines.append(
        f"volume: {v.buyers_per_year:.0f} new customers a year (first purchases {v.acquisition_start.date()} to "
        f"{v.acquisition_end.date()}), {v.orders_per_year:.0f} purchases a year; {v.peaks_note}"
    )
    return lines


def holdout_lines(c: Calibration, h: Holdout) -> list[str]:
    """The backtest on the console: the group table, then each model's totals and errors."""
    from sim.calibrate.engine_backtest import MODEL
    from sim.calibrate.holdout import format_table

    def totals(metric: str, models: list[str], fmt: str) -> str:
        cells = []
        for model in models:
            row = h.row(model, metric)
            cells.append(f"{_label(model.split('+')[0])} {row['forecast']:{fmt}} ({row['error_pct']:+.2f}%)")
        return ", ".join(cells)

    repeat_models = [*c.fits.repeat, MODEL]
    e = h.engine
    bg = h.row(ENGINE_REPEAT, "repeat_transactions")
    gap = (e.total_per_replication.mean() - h.closed_form_total) / e.total_se()
    lines = [
        f"holdout {(c.end + pd.Timedelta(days=1)).date()} to {h.end.date()} ({h.weeks:.1f} weeks), "
        "forecasts from the calibration period only:",
        format_table(h.groups),
        f"repeat purchases: actual {h.row(ENGINE_REPEAT, 'repeat_transactions')['actual']:.0f}; "
        + totals("repeat_transactions", list(c.fits.repeat), ".1f"),
        f"  BG/NBD's predictive SE {h.predictive_se:.1f} (customers' randomness {h.process_sd:.1f}, parameters "
        f"{h.parameter_sd:.1f}): the actual is {(bg['actual'] - bg['forecast']) / h.predictive_se:+.1f} SE from it",
        f"  through the engine (BG/NBD posterior, {e.replications} replications): "
        f"{e.total_per_replication.mean():.1f} (SE {e.total_se():.1f}), {gap:+.1f} SE from BG/NBD's closed form",
        f"revenue: actual {h.row(ENGINE_REPEAT, 'revenue')['actual']:.2f}; with Gamma-Gamma spend: "
        + totals("revenue", repeat_models, ".2f"),
    ]
    others = [m for m in h.backtest["model"].unique() if "+" in m]
    if others:
        lines.append("  with spend by frequency: " + totals("revenue", others, ".2f"))
    spend_rows = h.backtest[h.backtest["metric"] == "spend_per_repeat_purchase"]
    lines.append(
        f"spend per repeat purchase: actual {spend_rows['actual'].iloc[0]:.2f}; "
        + ", ".join(
            f"{_label(m)} {f:.2f} ({err:+.1f}%)"
            for m, f, err in zip(spend_rows["model"], spend_rows["forecast"], spend_rows["error_pct"], strict=True)
        )
    )
    return lines


# ----------------------------------------------------------------------------- main


def run(argv: list[str] | None = None) -> Path:
    """Parse, check --out, calibrate, backtest, print, write; returns the YAML written. Raises on bad input."""
    args = build_parser().parse_args(argv)
    check_out(args.out)
    name = population_name(args.out)
    n_draws = None if args.parameter_draws is None else check_count(args.parameter_draws)
    seed = _seed(args.draws_seed)
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
        date_order=args.date_order,
        sheet=args.sheet,
        same_day=args.same_day_orders,
    )
    print("\n".join(read_lines(orders, args.orders)), flush=True)  # a large export: say what was read before fitting
    c = calibrate(orders, name, args.orders, end, holdout_end)
    h = backtest(c, holdout_end) if holdout_end is not None else None
    text = render_yaml(c, h)
    check_population(text)
    for line in report_lines(c):
        print(line)
    if h is not None:
        for line in holdout_lines(c, h):
            print(line)
    choice = model_choice(c, h)
    print(f"the population holds BG/NBD and Gamma-Gamma: {choice['why']}")
    figures = _backtest_figures(c, h) if h is not None else {}
    draws = parameter_draws(c.bgnbd, c.spend, n_draws, seed) if n_draws is not None else None
    draws_csv = args.out.parent / f"{args.out.stem}_draws.csv"

    def write(stage: Path) -> None:
        from sim.report.writers import write_figure_bytes, write_table, write_text

        if h is not None:
            write_table(stage / f"{args.out.stem}_backtest.csv", _backtest_csv(h))
            for figure, (png, svg) in figures.items():
                write_figure_bytes(stage, figure, png, svg)
        if draws is not None:
            write_table(stage / draws_csv.name, draws.table)
        write_text(stage / args.out.name, text)

    try:
        publish(args.out, write)
    except OSError as exc:
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
        reason = "no space left on the device" if full else exc.strerror or str(exc)
        raise WriteError(f"{reason} while writing {args.out} and its files; none were kept") from None
    if h is not None:
        folder = args.out.parent
        print(
            f"wrote {folder / f'{args.out.stem}_backtest.csv'} and "
            f"{', '.join(f'{folder / n}.png' for n in figures)} (and .svg)"
        )
    if draws is not None:
        print(_draws_line(draws, draws_csv, name))
    print(f"wrote {args.out}; run it with: python -m sim experiment={FLAGSHIP} population={name}")
    return args.out


def _seed(text: str) -> int:
    if not text.isdigit() or int(text) >= 2**32:
        raise CalibrationError(f"--draws-seed {text}: allowed: a whole number from 0 to {2**32 - 1}")
    return int(text)


def _draws_line(draws: Draws, path: Path, name: str) -> str:
    redrawn = f"; {draws.redrawn} draws outside the ranges the engine accepts were drawn again" if draws.redrawn else ""
    return (
        f"wrote {path}: {len(draws.table)} draws of {', '.join(draws.table.columns)}{redrawn}; use them with: "
        f"python -m sim.plan risk experiment={FLAGSHIP} population={name} run.n_replications={len(draws.table)} "
        f"--parameter-draws {path}"
    )


def _backtest_csv(h: Holdout) -> pd.DataFrame:
    return h.backtest.round({"actual": 6, "forecast": 6, "error_pct": 3})


def _backtest_figures(c: Calibration, h: Holdout) -> dict[str, tuple[bytes, bytes]]:
    """The figures NAME_holdout and NAME_tracking, rendered (PNG and SVG bytes), for beside the YAML."""
    from sim.calibrate.plots import holdout_figure, tracking_figure
    from sim.report.writers import figure_bytes

    weeks = f"{h.weeks:.0f} weeks after {c.end.date()}"
    return {
        f"{c.name}_holdout": figure_bytes(holdout_figure(h.groups, f"{c.name}: holdout repeat purchases, {weeks}")),
        f"{c.name}_tracking": figure_bytes(
            tracking_figure(
                h.tracking,
                h.holdout_tracking,
                (c.end - c.start).days / DAYS_PER_WEEK + 1.0 / DAYS_PER_WEEK,
                f"{c.name}: cumulative repeat transactions, calibration to {c.end.date()}, holdout {weeks}",
            )
        ),
    }


def main(argv: list[str] | None = None) -> None:
    given = sys.argv[1:] if argv is None else argv
    if any(a == "--exports" or a.startswith("--exports=") for a in given):  # the funnel fits (issue 18)
        sys.exit(funnel_main(given))
    try:
        with stop_on_signals():
            run(argv)
    except (OrdersError, FitError, CalibrationError, OutError, DrawsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    except WriteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(EXIT_FAILED)
    except KeyboardInterrupt as exc:
        print("interrupted: no population written", file=sys.stderr)
        sys.exit(EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED)
