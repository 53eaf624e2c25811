"""Command line: ``python -m sim.calibrate --exports DIR --out funnel.yaml [--end-date YYYY-MM-DD]
[--holdout-end YYYY-MM-DD] [--window-days 14] [--period-days 30] [--lift-decay-days 4] [--fatigue-decay-days 7]
[--touch-window-minutes 60] [--map EXPORT.FIELD=COLUMN ...]``.

Reads whichever of the operator's exports DIR holds (``contacts``, ``deletions``, ``sms_report``, ``shipments``,
``orders``, ``touch_log``, each ``.csv`` or ``.xlsx``, as :mod:`sim.calibrate.exports` reads them), cuts them at the
export's end
(``--end-date``, the end of that day; default the latest time in the files), fits each part of the funnel the
files allow and writes one YAML: per parameter its value, standard error, how many units it rests on and the files
it came from, and which parts keep the priors and why. A short report goes to the console. ``--map
contacts.staff=跟进人`` names a column a reader does not recognise. With ``--holdout-end`` each part fitted up to the
end also forecasts the days after it up to that day, against what the exports show there
(:mod:`sim.calibrate.funnel.backtest`): ``<out>_backtest.csv`` and the figure ``<out>_tracking`` beside the YAML.

Bad input prints one line ``error: ...`` and exits with status 2; nothing is written. A failure to write is one
line and status 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pandas as pd
import yaml

from sim.calibrate.dates import EARLIEST
from sim.calibrate.exports.channel_orders import load_channel_orders
from sim.calibrate.exports.contacts import load_contacts, load_deletions
from sim.calibrate.exports.frame import ExportError
from sim.calibrate.exports.shipments import load_shipments
from sim.calibrate.exports.sms import load_sms_report
from sim.calibrate.exports.touches import load_touch_log
from sim.calibrate.funnel.backtest import backtest_report, funnel_backtest
from sim.calibrate.funnel.card import card_capture
from sim.calibrate.funnel.deletion import sbg_deletion
from sim.calibrate.funnel.estimate import Estimate, FitError
from sim.calibrate.funnel.first_order import first_orders
from sim.calibrate.funnel.greeting import FOLLOW_DAYS, greeting_delay
from sim.calibrate.funnel.lift import touch_lift
from sim.calibrate.funnel.sms import wave_fits
from sim.calibrate.funnel.touch import touch_fatigue
from sim.calibrate.output import OutError, check_out, publish
from sim.calibrate.plots import funnel_tracking_figure

EXIT_FAILED, EXIT_BAD_INPUT = 1, 2
READERS = {
    "contacts": load_contacts,
    "deletions": load_deletions,
    "sms_report": load_sms_report,
    "shipments": load_shipments,
    "orders": load_channel_orders,
    "touch_log": load_touch_log,
}
TIMES = {
    "contacts": "add_time",
    "deletions": "delete_time",
    "sms_report": "send_time",
    "shipments": "sign_time",
    "orders": "order_time",
    "touch_log": "send_time",
}
TICK = pd.Timedelta(seconds=1)  # the exports' resolution: the default end lies just after the latest time
MAX_WINDOW_DAYS = 365.0
LIFT_DECAY_DAYS, FATIGUE_DECAY_DAYS = 4.0, 7.0  # the engine's defaults (configs/population/default.yaml)
TOUCH_WINDOW_MINUTES = 60.0


def _positive(name: str, upper: float, unit: str = "days") -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not 0.0 < value <= upper:
            raise argparse.ArgumentTypeError(
                f"{name} {text}: allowed: a number of {unit} above 0 and at most {upper:g}"
            )
        return value

    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sim.calibrate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--exports", required=True, help="folder holding the exports (any subset)")
    parser.add_argument("--out", required=True, help="the YAML to write, e.g. funnel.yaml")
    parser.add_argument("--end-date", help="last day the exports cover (YYYY-MM-DD); default: the latest time in them")
    parser.add_argument(
        "--holdout-end",
        help="backtest: fit up to --end-date and forecast the days after it up to this day (YYYY-MM-DD)",
    )
    parser.add_argument("--window-days", type=_positive("--window-days", MAX_WINDOW_DAYS), default=14.0)
    parser.add_argument("--period-days", type=_positive("--period-days", 3650.0), default=30.0)
    parser.add_argument(
        "--lift-decay-days",
        type=_positive("--lift-decay-days", 365.0),
        default=LIFT_DECAY_DAYS,
        help="how fast a touch's purchase lift decays (given, not fitted)",
    )
    parser.add_argument(
        "--fatigue-decay-days",
        type=_positive("--fatigue-decay-days", 365.0),
        default=FATIGUE_DECAY_DAYS,
        help="how fast the recent touch rate forgets (given, not fitted)",
    )
    parser.add_argument(
        "--touch-window-minutes",
        type=_positive("--touch-window-minutes", 1440.0, "minutes"),
        default=TOUCH_WINDOW_MINUTES,
        help="a customer deletion this soon after a touch is the touch's",
    )
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="EXPORT.FIELD=COLUMN",
        help="name a column the reader does not recognise, e.g. contacts.staff=跟进人 (repeatable)",
    )
    return parser


def _find(folder: Path) -> dict[str, Path]:
    found = {}
    for name in READERS:
        paths = [folder / f"{name}.{ext}" for ext in ("csv", "xlsx") if (folder / f"{name}.{ext}").is_file()]
        if len(paths) > 1:
            raise FitError(f"--exports {folder}: both {paths[0].name} and {paths[1].name}; allowed: one per export")
        if paths:
            found[name] = paths[0]
    if not found:
        names = ", ".join(f"{n}.csv" for n in READERS)
        raise FitError(f"--exports {folder}: holds none of the exports; allowed: a folder with any of {names}")
    return found


def _day_end(option: str, text: str) -> pd.Timestamp:
    """The end of day ``text`` (YYYY-MM-DD): the next midnight."""
    try:
        day = pd.Timestamp(dt.date.fromisoformat(text))
    except ValueError:
        day = pd.NaT
    if pd.isna(day) or day < pd.Timestamp(EARLIEST):
        raise FitError(f"{option} {text}: allowed: a date YYYY-MM-DD from {EARLIEST}")
    return day + pd.Timedelta(days=1)


def _latest(frames: dict[str, pd.DataFrame]) -> pd.Timestamp:
    latest = [f[TIMES[n]].max() for n, f in frames.items() if len(f)]
    latest = [t for t in latest if pd.notna(t)]
    if not latest:
        raise FitError("--exports: every export is empty; allowed: at least one row")
    return max(latest)


def _end(frames: dict[str, pd.DataFrame], end_date: str | None) -> pd.Timestamp:
    return _day_end("--end-date", end_date) if end_date is not None else _latest(frames) + TICK


def _holdout_end(frames: dict[str, pd.DataFrame], text: str, end: pd.Timestamp) -> pd.Timestamp:
    """The holdout's end: after the calibration's, and no later than the end of the exports' last day."""
    holdout_end = _day_end("--holdout-end", text)
    if holdout_end <= end:
        raise FitError(f"--holdout-end {text}: allowed: a day after the end of the fit ({(end - TICK).date()})")
    last = _latest(frames)
    if holdout_end - pd.Timedelta(days=1) > last:
        raise FitError(f"--holdout-end {text}: after the last day in the exports ({last.date()}); allowed: up to it")
    return holdout_end


def _cut(frames: dict[str, pd.DataFrame], end: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """What the exports held at ``end``: later adds, sends, orders and shipments dropped, later deletions not yet
    made, later signings not yet signed."""
    cut = {}
    for name, frame in frames.items():
        if name == "contacts":
            frame = frame[frame["add_time"] < end]
        elif name == "deletions":
            frame = frame[(frame["add_time"] < end) & (frame["delete_time"] < end)]
        elif name == "sms_report":
            frame = frame[frame["send_time"] < end]
        elif name == "shipments":
            frame = frame[frame["ship_time"] < end].assign(sign_time=frame["sign_time"].where(frame["sign_time"] < end))
        elif name == "touch_log":
            frame = frame[frame["send_time"] < end]
        else:
            frame = frame[frame["order_time"] < end]
        cut[name] = frame
    return cut


def _e(estimate: Estimate | None) -> dict[str, object] | None:
    return None if estimate is None else estimate.as_dict()


def mappings(given: list[str]) -> dict[str, dict[str, str]]:
    """``--map EXPORT.FIELD=COLUMN`` options as each reader's ``mapping``."""
    out: dict[str, dict[str, str]] = {}
    for text in given:
        export, dot, rest = text.partition(".")
        field, equals, column = rest.partition("=")
        if not (dot and equals and field and column) or export not in READERS:
            raise FitError(f"--map {text}: allowed: EXPORT.FIELD=COLUMN with EXPORT one of {', '.join(READERS)}")
        out.setdefault(export, {})[field] = column
    return out


def read_exports(folder: Path, mapping: list[str] | None = None) -> tuple[dict[str, Path], dict[str, pd.DataFrame]]:
    """The exports ``folder`` holds: their paths and tidy frames."""
    paths = _find(folder)
    maps = mappings(mapping or [])
    return paths, {n: READERS[n](p, mapping=maps.get(n)) for n, p in paths.items()}


@dataclass(frozen=True)
class TouchOptions:
    """What the touch fits take as given: the two decay times and the window that ties a deletion to a touch."""

    lift_decay_days: float = LIFT_DECAY_DAYS
    fatigue_decay_days: float = FATIGUE_DECAY_DAYS
    window_minutes: float = TOUCH_WINDOW_MINUTES


def fit_exports(
    folder: Path,
    end_date: str | None,
    window_days: float,
    period_days: float,
    mapping: list[str] | None = None,
    touch: TouchOptions = TouchOptions(),
) -> dict[str, object]:
    """Every fit the exports in ``folder`` allow, as the YAML's plain values."""
    paths, read = read_exports(folder, mapping)
    return fit_frames(paths, read, _end(read, end_date), window_days, period_days, folder, touch)


def fit_frames(
    paths: dict[str, Path],
    read: dict[str, pd.DataFrame],
    end: pd.Timestamp,
    window_days: float,
    period_days: float,
    folder: Path,
    touch: TouchOptions = TouchOptions(),
) -> dict[str, object]:
    """Every fit the exports allow, cut at ``end``, as the YAML's plain values."""
    frames = _cut(read, end)
    files = {n: p.name for n, p in paths.items()}
    out: dict[str, object] = {"exports": str(folder), "end_time": str(end), "files": sorted(files.values())}
    kept: dict[str, str] = {}

    def src(*names: str) -> str:
        return " + ".join(files[n] for n in names if n in files)

    def need(part: str, *names: str) -> bool:
        missing = [f"{n}.csv" for n in names if n not in frames]
        if missing:
            kept[part] = f"prior kept: needs {' and '.join(missing)}"
        return not missing

    if need("card_capture", "shipments", "contacts"):
        fits = card_capture(frames["shipments"], frames["contacts"], window_days, src("shipments", "contacts"))
        out["card_capture"] = {
            "window_days": window_days,
            "add_prob_first_card": {c: e.as_dict() for c, e in fits.items()},
        }
    if need("sms", "sms_report", "contacts"):
        waves, pooled = wave_fits(frames["sms_report"], frames["contacts"], end, src("sms_report", "contacts"))
        out["sms"] = {
            "response_mean_hours_all_waves": _e(pooled),
            "waves": {
                name: {
                    "delivered_share": w.delivered_share.as_dict(),
                    "add_share_per_delivered": _e(w.add_share_per_delivered),
                    "response_mean_hours": _e(w.response_mean_hours),
                }
                for name, w in waves.items()
            },
        }
    if need("first_order", "contacts", "orders"):
        deletions = frames.get("deletions")
        rate, delay = first_orders(
            frames["contacts"], frames["orders"], deletions, end, src("contacts", "orders", "deletions")
        )
        out["first_order"] = {"rate": rate.as_dict(), "mean_delay_days": delay.as_dict()}
    if need("deletion", "contacts", "deletions"):
        alpha, beta = sbg_deletion(
            frames["contacts"], frames["deletions"], end, period_days, src("contacts", "deletions")
        )
        out["deletion"] = {"period_days": period_days, "alpha": alpha.as_dict(), "beta": beta.as_dict()}
    if need("greeting_delay", "contacts", "orders"):
        if frames["contacts"]["request_time"].notna().any():
            try:
                half_life, at_no_wait, longest = greeting_delay(
                    frames["contacts"], frames["orders"], end, src("contacts", "orders")
                )
                out["greeting_delay"] = {
                    "follow_days": FOLLOW_DAYS,
                    "longest_wait_hours": longest,
                    "half_life_hours": half_life.as_dict(),
                    "first_order_share_at_no_wait": at_no_wait.as_dict(),
                }
            except FitError as exc:
                kept["greeting_delay"] = f"prior kept: {exc}"
        else:
            kept["greeting_delay"] = "prior kept: the customer list has no request times (申请时间)"
    lift = need("touch_lift", "touch_log", "contacts", "orders")
    fatigue = need("touch_fatigue", "touch_log", "contacts", "deletions")
    if lift or fatigue:
        out["touch"] = _touch_fits(frames, end, touch, src, lift, fatigue)
    out["priors_kept"] = kept
    return out


def _touch_fits(
    frames: dict[str, pd.DataFrame],
    end: pd.Timestamp,
    touch: TouchOptions,
    src: Callable[..., str],
    lift: bool,
    fatigue: bool,
) -> dict[str, object]:
    """The touch lift and fatigue fits (:mod:`sim.calibrate.funnel.lift`, :mod:`~sim.calibrate.funnel.touch`) the
    exports allow."""
    out: dict[str, object] = {"channels": sorted(set(frames["touch_log"]["channel"]))}
    deletions = frames.get("deletions")
    if lift:
        lifts = touch_lift(
            frames["contacts"],
            deletions,
            frames["orders"],
            frames["touch_log"],
            end,
            touch.lift_decay_days,
            src("touch_log", "contacts", "orders", "deletions"),
        )
        out["lift"] = {
            "lift_decay_days_given": touch.lift_decay_days,
            "lift_on_private_rate": {c: e.as_dict() for c, e in lifts.lift_on_private_rate.items()},
            "private_share_of_natural_repurchases": (
                lifts.private_share.as_dict() if lifts.private_share is not None else "1 (no platform orders)"
            ),
            "members": lifts.members,
        }
    if fatigue:
        assert deletions is not None
        fit = touch_fatigue(
            frames["contacts"],
            deletions,
            frames["touch_log"],
            end,
            touch.fatigue_decay_days,
            touch.window_minutes,
            src("touch_log", "contacts", "deletions"),
        )
        out["fatigue"] = {
            "fatigue_decay_days_given": touch.fatigue_decay_days,
            "window_minutes": touch.window_minutes,
            "deletions_after_a_touch": fit.deletions,
            "delete_prob_at_one_per_week": {c: e.as_dict() for c, e in fit.delete_prob_at_one_per_week.items()},
            "fatigue_exponent": fit.fatigue_exponent.as_dict(),
            "tolerance_shape": fit.tolerance_shape.as_dict(),
        }
    return out


def _line(label: str, e: dict[str, object] | None, digits: int = 4) -> str:
    if e is None:
        return f"  {label}: none (nothing delivered or nobody answered)"
    return f"  {label}: {e['value']:.{digits}f} (SE {e['se']:.{digits}f}, n {e['n']:,}; {e['source']})"


def report(fits: dict[str, object]) -> str:
    """The console summary of :func:`fit_exports`'s result."""
    lines = [f"funnel fits from {fits['exports']} up to {fits['end_time']}"]
    card = fits.get("card_capture")
    if isinstance(card, dict):
        lines.append(f"card capture (adds within {card['window_days']:g} days of signing a first carded parcel):")
        lines += [_line(c, e) for c, e in card["add_prob_first_card"].items()]
    sms = fits.get("sms")
    if isinstance(sms, dict):
        lines.append("SMS per wave: delivered share, add share per delivered message, mean response hours:")
        for name, w in sms["waves"].items():
            lines += [
                _line(f"{name} delivered", w["delivered_share"]),
                _line(f"{name} adds per delivered", w["add_share_per_delivered"], 5),
                _line(f"{name} response hours", w["response_mean_hours"], 2),
            ]
        lines.append(_line("all waves' response hours", sms["response_mean_hours_all_waves"], 2))
    first = fits.get("first_order")
    if isinstance(first, dict):
        lines += [
            "first private order:",
            _line("rate", first["rate"]),
            _line("mean delay days", first["mean_delay_days"], 2),
        ]
    deletion = fits.get("deletion")
    if isinstance(deletion, dict):
        lines.append(f"deletion baseline (sBG per {deletion['period_days']:g} days):")
        lines += [_line("alpha", deletion["alpha"]), _line("beta", deletion["beta"])]
    greeting = fits.get("greeting_delay")
    if isinstance(greeting, dict):
        lines.append(f"greeting delay (first private orders within {greeting['follow_days']:g} days of adding):")
        lines += [
            _line("half-life hours", greeting["half_life_hours"], 2),
            _line("first-order share at no wait", greeting["first_order_share_at_no_wait"]),
        ]
    touch = fits.get("touch")
    if isinstance(touch, dict):
        if "lift" in touch:
            lift = touch["lift"]
            lines.append(
                f"touch lift on the private purchase rate (decay {lift['lift_decay_days_given']:g} days, given):"
            )
            lines += [_line(c, e, 3) for c, e in lift["lift_on_private_rate"].items()]
            share = lift["private_share_of_natural_repurchases"]
            label = "private share of natural repurchases"
            lines.append(_line(label, share) if isinstance(share, dict) else f"  {label}: {share}")
        if "fatigue" in touch:
            f = touch["fatigue"]
            lines.append(
                f"touch fatigue ({f['deletions_after_a_touch']} deletions within {f['window_minutes']:g} minutes of "
                f"a touch; decay {f['fatigue_decay_days_given']:g} days, given): delete probability per touch at "
                "one touch a week for a member of mean tolerance, the exponent and the tolerance's Gamma shape:"
            )
            lines += [_line(c, e, 5) for c, e in f["delete_prob_at_one_per_week"].items()]
            lines.append(_line("fatigue exponent", f["fatigue_exponent"], 3))
            lines.append(_line("tolerance shape", f["tolerance_shape"], 3))
    kept = fits["priors_kept"]
    assert isinstance(kept, dict)
    lines += [f"{part}: {why}" for part, why in kept.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns 0, or exits with status 2 (bad input) or 1 (could not write)."""
    parser = _parser()
    parser.error = lambda message: _fail(message)  # type: ignore[method-assign]
    args = parser.parse_args(argv)
    out = Path(args.out)
    try:
        check_out(out)
        folder = Path(args.exports)
        if not folder.is_dir():
            raise FitError(f"--exports {folder}: not a folder; allowed: a folder holding the exports")
        paths, read = read_exports(folder, args.map)
        end = _end(read, args.end_date)
        holdout_end = None if args.holdout_end is None else _holdout_end(read, args.holdout_end, end)
        touch = TouchOptions(args.lift_decay_days, args.fatigue_decay_days, args.touch_window_minutes)
        fits = fit_frames(paths, read, end, args.window_days, args.period_days, folder, touch)
        if holdout_end is not None:
            table, tracking = funnel_backtest(
                _cut(read, end), _cut(read, holdout_end), end, holdout_end, args.window_days, args.period_days
            )
    except (ExportError, FitError, OutError) as exc:
        _fail(str(exc))
    text = yaml.safe_dump(fits, allow_unicode=True, sort_keys=False)

    def write(stage: Path) -> None:
        from sim.report.writers import figure_bytes, write_figure_bytes, write_table, write_text

        write_text(stage / out.name, text)
        if holdout_end is not None:
            write_table(stage / f"{out.stem}_backtest.csv", table)
            span = f"{(end - TICK).date()} to {(holdout_end - TICK).date()}"
            png, svg = figure_bytes(funnel_tracking_figure(tracking, f"{out.stem}: funnel holdout {span}"))
            write_figure_bytes(stage, f"{out.stem}_tracking", png, svg)

    try:
        publish(out, write)
    except OSError as exc:
        print(f"error: --out {out}: cannot write ({exc.strerror})", file=sys.stderr)
        return EXIT_FAILED
    print(report(fits))
    if holdout_end is not None:
        print(backtest_report(table))
        print(f"wrote {out.stem}_backtest.csv and {out.stem}_tracking.png (and .svg)")
    print(f"wrote {out}")
    return 0


def _fail(message: str) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)
