"""Simulate -> calibrate -> recover, and the calibrated population's new cohort against BG/NBD's closed form.

1. The engine simulates private orders with known BG/NBD and Gamma-Gamma parameters
   (touches, referral and unsubscribing off, every member placing a first order at once,
   so repurchase is plain BG/NBD), they are exported as an order CSV (customer, date,
   amount; one row per order) and ``python -m sim.calibrate --same-day-orders keep`` fits
   them back. On seed 2026 each estimate lies within 2 standard errors (observed
   information, as recorded in the YAML) of the truth; over seeds 1-50 each parameter's
   z-score (positive parameters on the log scale, SE there se / value) has mean within
   +-0.3 and SD within 0.8-1.25.

   The export's rows are orders, so each is kept as a purchase. With the default merge of a
   customer's same-day orders (as Fader, Hardie & Lee do for CDNOW, whose rows may be
   order lines) the 0.8% of orders that fall on a day their member already bought on are
   lost, and they are the fastest buyers': over the same 50 seeds the merge moved the mean
   z of alpha to +0.83 and of r to +0.40 (SD 0.91, 0.87), which is why the option exists.
2. The CDNOW population written by the command drives the engine's member dynamics for a
   new cohort; their mean repeat purchases and share without any repeat match E[X(t)]
   and P(X(t) = 0) of the fitted model within 3 SE.
"""

from __future__ import annotations

import dataclasses
import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from _helpers import (
    ALL_PRIVATE,
    CONFIG_DIR,
    NO_UNSUBSCRIBE,
    assert_within_3se,
    assert_z_scores_are_unit_normal,
    log_z,
    make_shared,
    quiet_strategy,
)
from hydra import compose, initialize_config_dir

from sim.calibrate.cli import main, read_record
from sim.calibrate.fit import Fit, expected_repeats, fit_bgnbd, fit_gamma_gamma, prob_no_repeats, rfm_summary
from sim.calibrate.orders import load_orders
from sim.config import (
    AccountingConfig,
    CardConfig,
    ChannelConfig,
    OfferConfig,
    RepeatConfig,
    RunConfig,
    SharedConfig,
    SpendConfig,
    register_configs,
)
from sim.config.compose import build_experiment
from sim.model.funnel import simulate
from sim.model.ledger import Ledger
from sim.model.members import CARD, Members
from sim.model.population import People, Traits
from sim.model.streams import Streams

CDNOW = Path(__file__).resolve().parent / "data" / "cdnow_sample_orders_1997-01-01_1997-09-30.csv"
TRUE_REPEAT = RepeatConfig(r=0.8, alpha_days=70.0, a=0.7, b=2.5)  # alpha = 10 weeks
TRUE_SPEND = SpendConfig(p=4.0, q=3.0, gamma_cny=60.0)
INSTANT_FIRST_ORDER = OfferConfig(first_order_prob=1.0, first_order_mean_days=0.001, subsidy_cny=0.0)
# The engine's calendar starts in the future (population.start_date); the calibrator refuses orders dated after
# today, so the export dates the simulated days from a past day instead. The fits use only days between orders.
EXPORT_START = pd.Timestamp("2023-01-02")
TRUTH = {
    ("bgnbd", "r"): TRUE_REPEAT.r,
    ("bgnbd", "alpha"): TRUE_REPEAT.alpha_days / 7.0,
    ("bgnbd", "a"): TRUE_REPEAT.a,
    ("bgnbd", "b"): TRUE_REPEAT.b,
    ("gamma_gamma", "p"): TRUE_SPEND.p,
    ("gamma_gamma", "q"): TRUE_SPEND.q,
    ("gamma_gamma", "gamma"): TRUE_SPEND.gamma_cny,
}
SEEDS = range(1, 51)


def _engine_orders(seed: int) -> tuple[pd.DataFrame, str, int]:
    """Private orders of ~4,900 members who join over 90 days and are followed for 455 more."""
    shared = make_shared(
        seed=seed,
        buyers_per_year=20_000,
        horizon_days=90,
        followup_days=455,
        unsubscribe=NO_UNSUBSCRIBE,
        repeat=TRUE_REPEAT,
        spend=TRUE_SPEND,
        peaks=[],
    )
    strategy = quiet_strategy(
        channel=ChannelConfig(card=True, sms=False),
        card=CardConfig(floor_add_prob=1.0),  # every buyer's first card is scanned: every buyer joins
        offer=INSTANT_FIRST_ORDER,
    )
    rec = simulate(strategy, shared, 0)
    start = EXPORT_START
    orders = rec.orders
    export = pd.DataFrame(
        {
            "customer_id": "m" + orders["member"].astype(str),
            "date": (start + pd.to_timedelta(np.floor(orders["day"]), unit="D")).dt.strftime("%Y-%m-%d"),
            "amount": orders["spend_cny"].round(2),
        }
    )
    last_day = (start + pd.Timedelta(days=rec.n_days - 1)).date().isoformat()
    return export, last_day, len(rec.members)


def _calibrate(export: pd.DataFrame, last_day: str, folder: Path) -> tuple[dict, dict]:
    """The record and the YAML of ``python -m sim.calibrate --same-day-orders keep`` on ``export``."""
    orders_csv = folder / "engine_orders.csv"
    export.to_csv(orders_csv, index=False)
    out = folder / "recovered.yaml"
    main(["--orders", str(orders_csv), "--out", str(out), "--end-date", last_day, "--same-day-orders", "keep"])
    return read_record(out), yaml.safe_load(out.read_text(encoding="utf-8"))


def z_scores(fits: dict[str, Fit]) -> dict[str, float]:
    """(log fit - log truth) / (se / fit) of each BG/NBD and Gamma-Gamma parameter."""
    return {
        f"{model} {name}": log_z(fits[model].params[name], fits[model].se[name], value)
        for (model, name), value in TRUTH.items()
    }


def seed_z_scores(seed: int) -> dict[str, float]:
    """Simulate and export on ``seed``, then read and fit the export as the command does (its reader, summary and
    BG/NBD and Gamma-Gamma fits, without the comparison models, whose fits to BG/NBD data take most of its time).
    """
    export, last_day, _ = _engine_orders(seed)
    with tempfile.TemporaryDirectory() as folder:
        orders_csv = Path(folder) / "engine_orders.csv"
        export.to_csv(orders_csv, index=False)
        rfm = rfm_summary(load_orders(orders_csv, same_day="keep").purchases, last_day)
    return z_scores({"bgnbd": fit_bgnbd(rfm), "gamma_gamma": fit_gamma_gamma(rfm)})


def test_simulated_orders_are_fitted_back_within_two_standard_errors(tmp_path: Path) -> None:
    export, last_day, n_members = _engine_orders(seed=2026)
    assert n_members > 4000
    rec, body = _calibrate(export, last_day, tmp_path)
    assert rec["customers"] == n_members
    assert rec["orders"]["same_day_orders"] == "keep" and rec["orders"]["merged_same_day"] == 0
    assert rec["customers"] + rec["repeat_purchases"] == len(export)  # every order a purchase
    for (model, name), value in TRUTH.items():
        fit, se = rec[model][name], rec[model]["se"][name]
        assert abs(fit - value) <= 2.0 * se, (model, name, fit, value, se)
    assert body["repeat"]["alpha_days"] == pytest.approx(7.0 * rec["bgnbd"]["alpha"], rel=1e-5)


@pytest.mark.slow
def test_repeat_and_spend_z_scores_over_50_seeds_have_mean_0_and_sd_1() -> None:
    """Over seeds 1-50 each BG/NBD and Gamma-Gamma parameter's z-score has mean within +-0.3 and SD within
    0.8-1.25 (the issue's bands: the mean of 50 unit-normal z has SE 0.14, the SD about 0.10). The seeds run two
    at a time; each is independent and seeded, so the result does not depend on the order."""
    assert_z_scores_are_unit_normal(seed_z_scores, SEEDS)


@pytest.fixture(scope="module")
def calibrated_population(tmp_path_factory):
    """The CDNOW population as the engine composes it from the YAML the command wrote, and its record."""
    root = tmp_path_factory.mktemp("searchpath")
    out = root / "population" / "cohort_cdnow.yaml"
    main(["--orders", str(CDNOW), "--out", str(out)])
    register_configs()
    overrides = [f"population={out.stem}", f"hydra.searchpath=[file://{root}]", "experiment=hook_cash_vs_coupon"]
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose(config_name="config", overrides=overrides)
    return build_experiment(cfg).shared.population, read_record(out)


def test_new_cohort_under_the_calibrated_population_matches_the_closed_form(calibrated_population) -> None:
    pop, record = calibrated_population
    weeks = (13.0, 39.0, 78.0)
    n, followup_days = 20_000, int(max(weeks) * 7) + 1
    pop = dataclasses.replace(pop, unsubscribe=NO_UNSUBSCRIBE)  # BG/NBD alone: nobody deletes the brand
    shared = SharedConfig(
        run=RunConfig(seed=97, n_jobs=1, horizon_days=1, followup_days=followup_days, progress=False),
        population=pop,
        accounting=AccountingConfig(),
        platform=ALL_PRIVATE,  # every repurchase private: the private orders are the whole BG/NBD process
    )
    strategy = quiet_strategy(offer=INSTANT_FIRST_ORDER)
    traits = Traits.draw(n, pop, Streams(97, 1))
    members = Members(strategy, shared, People(traits), Ledger(1 + followup_days), Streams(97, 0))
    members.add(np.arange(n), np.full(n, CARD, dtype=np.int8), np.zeros(n), np.zeros(n))
    for day in range(1 + followup_days):
        members.step(day)
    rows, days, _ = members.order_log()
    assert np.isfinite(members.first_order_day).all()
    since_first = days - members.first_order_day[rows]

    fitted = record["bgnbd"]  # the fit, in weeks; the engine ran on alpha_days = 7 * alpha
    r, alpha, a, b = (fitted[k] for k in ("r", "alpha", "a", "b"))
    for t in weeks:
        repeats = np.bincount(rows[(since_first > 0) & (since_first <= t * 7.0)], minlength=n)
        expected = float(expected_repeats(t, r, alpha, a, b))
        se = repeats.std(ddof=1) / math.sqrt(n)
        assert_within_3se(repeats.mean(), expected, se, f"mean repeat purchases in {t:g} weeks")
        p0 = float(prob_no_repeats(t, r, alpha))
        assert_within_3se((repeats == 0).mean(), p0, math.sqrt(p0 * (1 - p0) / n), f"P(no repeat in {t:g} weeks)")
