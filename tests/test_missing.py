"""When a metric is missing: exactly the cases the README's metric table lists (``MISSING_WHEN``), never others.

Two extremes bracket it: a strategy that captures nobody and spends nothing, where every metric with a listed
case is missing except a payback that is reached on day 0, and a strategy that captures members through card and
SMS and runs a touch team with groups, where no metric is missing (the payback aside, which depends on luck within a
short run).
"""

from __future__ import annotations

import math

from _helpers import make_shared

from sim.config import ChannelConfig, Experiment, GroupsConfig, OnboardingConfig, StrategyConfig, TouchConfig
from sim.run.experiment import run_experiment_tables
from sim.run.metrics import METRICS, MISSING_WHEN


def _missing(strategy: StrategyConfig) -> set[str]:
    shared = make_shared(seed=5, buyers_per_year=30_000, horizon_days=60, followup_days=365, n_replications=1)
    experiment = Experiment("missing", "?", strategy.name, {strategy.name: strategy}, shared)
    reps = run_experiment_tables(experiment, with_control=False).replications
    values = reps.set_index("metric")["value"]
    assert set(values.index) == set(METRICS)
    return {name for name, value in values.items() if not math.isfinite(value)}


def test_a_strategy_that_captures_nobody_is_missing_exactly_where_the_table_says() -> None:
    nothing = StrategyConfig(
        name="nothing", channel=ChannelConfig(card=False, sms=False), onboarding=OnboardingConfig(unlimited=True)
    )
    assert _missing(nothing) == set(MISSING_WHEN) - {"payback_day"}  # nothing earned, nothing spent: paid back at 0


def test_a_strategy_that_captures_members_has_every_metric() -> None:
    team = TouchConfig(staff_hours_per_day=8.0, groups=GroupsConfig(enabled=True))
    both = StrategyConfig(name="both", channel=ChannelConfig(card=True, sms=True), touch=team)
    # a plain invitation has nothing to complete (tests/test_referral_mechanics.py covers the mechanics that do)
    assert _missing(both) <= {"payback_day", "share_completion_rate"}
