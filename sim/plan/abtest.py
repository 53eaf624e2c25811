"""Sizing the real A/B test: ``python -m sim.plan abtest experiment=hook_cash_vs_coupon --metric capture_rate_card``.

For a test between two strategies on one metric (card or SMS capture rate, first-order rate, 90-day revenue
per member), from the per-unit means and variances the simulation predicts (:mod:`sim.plan.abtest_data`):

- ``abtest.csv``: the units per arm for the given power and significance, the days of parcel, SMS or member
  volume that takes with the traffic split evenly, and what the test costs;
- ``mde.csv``: the minimum detectable effect of each ``--budget-cny`` (half the budget per arm, at each
  strategy's cost per unit);
- ``holdout.csv``: the holdout of buyers without capture needed to measure the cannibalised share (and so the
  private share of the members' repurchases) within ``--holdout-margin``;
- ``power_check.csv``: the simulated test (:mod:`sim.plan.abtest_stats`), run ``--check-reps`` times at the
  recommended size, at half and at twice that size, and at each budget's MDE: the empirical power must be
  within 3 points of the nominal;
- ``power_curve.csv`` and ``abtest_power.png``/``.svg`` (power against units per arm, the chosen size
  marked), and ``abtest.md``, the report section in ``report.lang``.

The formulas are in :mod:`sim.plan.abtest_stats`; the tables are built in :mod:`sim.plan.abtest_tables`.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd

from sim.config.cli import EXIT_BAD_INPUT, ArgumentParser
from sim.plan.abtest_data import ABTEST_METRICS

DEFAULT_BUDGETS_CNY = "10000,100000"


def _open_unit(name: str, text: str) -> float:
    """A number strictly between 0 and 1 (a power, a significance level, a margin), or a one-line ValueError."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} {text}: must be between 0 and 1 (exclusive), e.g. {0.8 if 'power' in name else 0.05}")
    return value


def parse_budgets(text: str) -> list[float]:
    """``10000,100000``: budgets in CNY, each positive and finite."""
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ValueError(f"--budget-cny {text}: write amounts in CNY separated by commas, e.g. 10000,100000") from None
    if not values or not all(math.isfinite(v) and v > 0 for v in values):
        raise ValueError(f"--budget-cny {text}: allowed: positive amounts in CNY, e.g. 10000,100000")
    return values


def _parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="python -m sim.plan abtest",
        description="How big the real A/B test between two strategies must be, from the effect and variance the "
        "simulation predicts. Other arguments are config overrides (e.g. experiment=hook_cash_vs_coupon).",
    )
    parser.add_argument("--metric", default="capture_rate_card", help=f"one of {', '.join(ABTEST_METRICS)}")
    parser.add_argument("--power", default="0.8", help="the test's power, in (0, 1) (default: %(default)s)")
    parser.add_argument("--alpha", default="0.05", help="two-sided significance, in (0, 1) (default: %(default)s)")
    parser.add_argument("--strategy-a", default=None, help="arm A (default: the experiment's baseline)")
    parser.add_argument("--strategy-b", default=None, help="arm B (default: each other strategy in turn)")
    parser.add_argument("--budget-cny", default=DEFAULT_BUDGETS_CNY, help="test budgets for mde.csv (%(default)s)")
    parser.add_argument(
        "--holdout-margin", default="0.05", help="margin of the cannibalised share, in (0, 1) (default: %(default)s)"
    )
    parser.add_argument("--check-reps", type=int, default=4000, help="simulated tests per check (default: 4000)")
    parser.add_argument("--out", type=Path, default=None, help="output directory (default: outputs/abtest/...)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args, overrides = parser.parse_with_overrides(argv)
    try:
        if args.metric not in ABTEST_METRICS:
            raise ValueError(f"--metric {args.metric}: allowed: {', '.join(ABTEST_METRICS)}")
        power = _open_unit("--power", args.power)
        alpha = _open_unit("--alpha", args.alpha)
        margin = _open_unit("--holdout-margin", args.holdout_margin)
        budgets = parse_budgets(args.budget_cny)
        if not 100 <= args.check_reps <= 1_000_000:
            raise ValueError(f"--check-reps {args.check_reps}: allowed range [100, 1000000]")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT

    from sim.plan.variants import load, only

    cfg, experiment = load(overrides)
    a = args.strategy_a or experiment.baseline
    others = [s for s in experiment.strategies if s != a]
    pairs_b = [args.strategy_b] if args.strategy_b else others
    try:
        for flag, name in (("--strategy-a", a), *(("--strategy-b", b) for b in pairs_b)):
            if name not in experiment.strategies:
                raise ValueError(f"{flag} {name}: the experiment has: {', '.join(experiment.strategies)}")
        if not pairs_b or a in pairs_b:
            raise ValueError(
                f"--strategy-b: need a strategy other than {a}; the experiment has: {', '.join(experiment.strategies)}"
            )
        experiment = only(experiment, [a, *pairs_b])
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT

    from sim.plan.abtest_data import collect
    from sim.plan.abtest_tables import Settings, build_tables

    runs = collect(experiment, experiment.shared.run.n_jobs)
    settings = Settings(
        metric=args.metric,
        alpha=alpha,
        power=power,
        budgets_cny=tuple(budgets),
        holdout_margin=margin,
        check_reps=args.check_reps,
        seed=experiment.shared.run.seed,
    )
    tables = build_tables(runs, experiment, a, pairs_b, settings)
    lang_setting = cfg.report.lang if "report" in cfg else "en"
    lang = str(getattr(lang_setting, "value", lang_setting))
    names_zh = dict(cfg.experiment.get("names_zh") or {}) if "experiment" in cfg else {}
    stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    out = args.out or Path("outputs") / "abtest" / f"{experiment.name}_{args.metric}_{stamp}"
    write_abtest(out, tables, lang, {str(k): str(v) for k, v in names_zh.items()})
    show = ["strategy_a", "strategy_b", "mean_a", "mean_b", "effect", "n_per_arm", "days_needed", "empirical_power"]
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(tables["abtest.csv"][show].to_string(index=False))
    for row in tables["abtest.csv"].itertuples(index=False):
        if row.note:
            print(f"note: {row.strategy_a} vs {row.strategy_b}: {row.note}", file=sys.stderr)
    print(f"files in {out}")
    return 0


def write_abtest(out: Path, tables: dict[str, pd.DataFrame], lang: str, names_zh: dict[str, str]) -> None:
    """Write the tables, the power figure and the report section, all at once at the end (or none of them)."""
    from sim.report.abtest_section import abtest_markdown
    from sim.report.i18n import resolve_lang
    from sim.report.plots.abtest import plot_power_curves
    from sim.report.writers import staged, write_figure, write_table, write_text

    lang = resolve_lang(lang)  # English, with one warning, when Chinese has no CJK font
    with staged(out) as stage:
        write_figure(stage, "abtest_power", plot_power_curves(tables["power_curve.csv"], tables["abtest.csv"], lang))
        write_text(stage / "abtest.md", abtest_markdown(tables, lang, names_zh))
        for name in ("power_curve.csv", "power_check.csv", "holdout.csv", "mde.csv", "abtest.csv"):
            write_table(stage / name, tables[name])


if __name__ == "__main__":
    sys.exit(main())
