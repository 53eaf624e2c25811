"""Shared helpers for the test suite: small, fast, deterministic configurations.

Imported by the test modules as ``from _helpers import ...`` (pytest puts tests/ on sys.path).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from sim.config import (
    AccountingConfig,
    MarketplaceConfig,
    OnboardingConfig,
    PlatformConfig,
    PopulationConfig,
    ReferralConfig,
    RunConfig,
    SharedConfig,
    StrategyConfig,
    TouchConfig,
    UnsubscribeConfig,
)

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"

# Members place every natural repurchase privately, so the private orders are the whole BG/NBD process.
ALL_PRIVATE = PlatformConfig(
    name="all_private", buyer_share={"tmall": 1.0}, economics={"tmall": MarketplaceConfig(private_share=1.0)}
)

# An unsubscribe hazard so small that nobody leaves in a test's lifetime (theta mean 1e-6 per period).
NO_UNSUBSCRIBE = UnsubscribeConfig(alpha=0.001, beta=1000.0, period_days=30.0)


def make_shared(
    *,
    seed: int = 11,
    buyers_per_year: int = 20_000,
    horizon_days: int = 60,
    followup_days: int = 30,
    n_replications: int = 2,
    n_jobs: int = 1,
    accounting: AccountingConfig | None = None,
    platform: PlatformConfig = ALL_PRIVATE,
    **population: object,
) -> SharedConfig:
    """A small shared configuration; extra keyword arguments go to PopulationConfig.

    The platform defaults to :data:`ALL_PRIVATE`, so that the published repeat-buying models apply to the
    private orders as they are; the incremental tests pass their own.
    """
    return SharedConfig(
        run=RunConfig(
            seed=seed,
            n_replications=n_replications,
            n_jobs=n_jobs,
            horizon_days=horizon_days,
            followup_days=followup_days,
            progress=False,
        ),
        population=PopulationConfig(buyers_per_year=buyers_per_year, **population),
        accounting=accounting or AccountingConfig(),
        platform=platform,
    )


def quiet_strategy(name: str = "quiet", **levers: object) -> StrategyConfig:
    """Unlimited onboarding, no touches, no referral: the plain BG/NBD / sBG world."""
    base = StrategyConfig(
        name=name,
        onboarding=OnboardingConfig(unlimited=True),
        touch=TouchConfig(touches_per_week=0.0),
        referral=ReferralConfig(enabled=False),
    )
    return dataclasses.replace(base, **levers)


def assert_within_3se(observed: float, expected: float, se: float, what: str, *, unit: str = "") -> None:
    """|observed - expected| <= 3 standard errors (se computed by the caller from its variance formula); prints one
    ``VALIDATION`` line for the validation note (``pytest -s`` shows it)."""
    assert se > 0.0, f"{what}: standard error must be positive, got {se}"
    ok = abs(observed - expected) <= 3.0 * se
    print(
        f"VALIDATION | {what} | measured {observed:.6g}{unit} | expected {expected:.6g}{unit} | "
        f"3 SE {3 * se:.3g}{unit} | {'ok' if ok else 'FAIL'}"
    )
    assert ok, f"{what}: observed {observed:.6g}, expected {expected:.6g}, |diff| {abs(observed - expected):.3g} > 3 SE"


def assert_z_scores_are_unit_normal(seed_z_scores: Callable[[int], dict[str, float]], seeds: range) -> None:
    """Run ``seed_z_scores`` on every seed, two at a time, and check each parameter's z-scores: mean within +-0.3
    and SD within 0.8-1.25 (the issue's bands). Each seed is independent and seeded, so the order does not matter;
    prints one ``VALIDATION`` line per parameter."""
    with ProcessPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(seed_z_scores, seeds))
    for name in runs[0]:
        z = np.array([run[name] for run in runs])
        print(f"VALIDATION | {name} z over {len(seeds)} seeds | mean {z.mean():+.2f} | SD {z.std(ddof=1):.2f}")
        assert abs(z.mean()) <= 0.3 and 0.8 <= z.std(ddof=1) <= 1.25, (name, z.mean(), z.std(ddof=1))


def log_z(estimate: float, se: float, truth: float) -> float:
    """(log estimate - log truth) / (se / estimate): a positive parameter's z-score on the log scale, its SE there
    by the delta method."""
    return (math.log(estimate) - math.log(truth)) / (se / estimate)
