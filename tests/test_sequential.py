"""Sequential replications (sim.run.sequential): the stopping rule's error rate, and what a stopped run returns.

The rule declares a strategy better or worse than the baseline when a look's interval excludes zero; over many
synthetic runs with no true difference it must do so at most alpha = 5% of the time (Bonferroni over the looks),
while the same rule without the correction (each look at 95%) does so far more often: the check can fail. A stopped
run's rows are the first rows of the full run, and identical strategies stop at the first look.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
from _helpers import make_shared

from sim.config import Experiment, HookConfig, HookType, StrategyConfig
from sim.run.experiment import run_experiment_tables
from sim.run.sequential import ALPHA, StoppingRule, paired_headline

HEADLINE = "incremental_net_profit_12m"

RULE = StoppingRule(tolerance=0.05, min_replications=6, batch=4, max_replications=46)  # 11 looks


def _false_decisions(rule: StoppingRule, trials: int, seed: int) -> float:
    """Share of runs with no true difference (sd 1, tolerance 0.05: rarely narrow enough) that stop with the
    interval excluding zero."""
    rng = np.random.default_rng(seed)
    wrong = 0
    for _ in range(trials):
        d = rng.normal(0.0, 1.0, size=(rule.max_replications, 1))
        for batch in rule.batches():
            seen = d[: batch.stop]
            if rule.satisfied(seen):
                n = seen.shape[0]
                h = rule.half_width(seen)
                wrong += bool(n < rule.max_replications and abs(seen.mean()) > h[0])
                break
    return wrong / trials


def test_the_rule_declares_a_difference_that_is_not_there_at_most_alpha_of_the_time() -> None:
    trials = 4000
    rate = _false_decisions(RULE, trials, seed=3)
    se = math.sqrt(ALPHA * (1 - ALPHA) / trials)
    print(f"VALIDATION | sequential false decisions | {rate:.4f} | at most {ALPHA} + 3 SE {3 * se:.4f}")
    assert rate <= ALPHA + 3 * se
    # without the correction over looks the same rule errs far more often: the check has power
    naive = dataclasses.replace(RULE, alpha=ALPHA * RULE.looks)
    naive_rate = _false_decisions(naive, trials, seed=3)
    print(f"VALIDATION | uncorrected looks | {naive_rate:.4f}")
    assert naive_rate > ALPHA + 3 * se


def _experiment(hook_b: HookType, **run: object) -> Experiment:
    shared = make_shared(seed=8, buyers_per_year=8_000, horizon_days=40, followup_days=20, n_replications=12)
    shared = dataclasses.replace(shared, run=dataclasses.replace(shared.run, **run))
    strategies = {
        "a": StrategyConfig(name="a", hook=HookConfig(type=HookType.cash)),
        "b": StrategyConfig(name="b", hook=HookConfig(type=hook_b)),
    }
    return Experiment("seq", "?", "a", strategies, shared)


def test_a_stopped_run_is_the_first_replications_of_the_full_run() -> None:
    full = run_experiment_tables(_experiment(HookType.coupon)).replications
    seq = _experiment(
        HookType.coupon,
        sequential=True,
        sequential_tolerance_cny=1e9,
        sequential_min_replications=4,
        sequential_batch=4,
    )
    stopped = run_experiment_tables(seq).replications
    assert sorted(stopped["replication"].unique()) == [0, 1, 2, 3]
    pd.testing.assert_frame_equal(stopped, full[full["replication"] < 4].reset_index(drop=True))


def test_identical_strategies_stop_at_the_first_look_and_others_where_the_rule_says() -> None:
    same = _experiment(HookType.cash, sequential=True, sequential_tolerance_cny=1.0, sequential_min_replications=3)
    assert run_experiment_tables(same).replications["replication"].nunique() == 3
    settings = {"sequential_tolerance_cny": 2_000.0, "sequential_min_replications": 3, "sequential_batch": 2}
    seq = _experiment(HookType.virtual, sequential=True, **settings)
    full = run_experiment_tables(_experiment(HookType.virtual)).replications
    rule = StoppingRule.of(seq.shared.run)
    assert rule is not None
    looks = [b.stop for b in rule.batches()]
    wanted = next(n for n in looks if rule.satisfied(paired_headline(full[full["replication"] < n], "a", HEADLINE)))
    assert wanted < 12  # the rule stops this pair early: the run must too
    assert run_experiment_tables(seq).replications["replication"].nunique() == wanted
