"""Benchmark: ``python -m sim.bench [--buyers N]``.

Runs one replication of the flagship experiment's base strategy (cash card, all
channels, default onboarding, touches and referral) with N platform buyers over 365
days, then the fixed bare-SimPy reference loop (100,000 processes x 10 exponential
timeouts of mean 30 days), in the same process. The last line is one JSON object:
buyers, seconds, buyers_per_s, bare_simpy_events_per_s, ratio (buyers_per_s /
bare_simpy_events_per_s), peak_rss_mb, members_acquired, simpy_events.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import resource
import time
from collections.abc import Generator
from typing import Any

import simpy

from sim.config import RunConfig, SharedConfig
from sim.model import simulate

REFERENCE_PROCESSES = 100_000
REFERENCE_TIMEOUTS = 10
REFERENCE_MEAN_DAYS = 30.0


def reference_events_per_s(seed: int = 1) -> float:
    """Bare SimPy speed: 100,000 processes each yielding 10 exponential timeouts, timed around env.run()."""
    rng = random.Random(seed)
    env = simpy.Environment()

    def waiter() -> Generator[simpy.Event, Any, None]:
        for _ in range(REFERENCE_TIMEOUTS):
            yield env.timeout(rng.expovariate(1.0 / REFERENCE_MEAN_DAYS))

    for _ in range(REFERENCE_PROCESSES):
        env.process(waiter())
    start = time.perf_counter()
    env.run()
    return REFERENCE_PROCESSES * REFERENCE_TIMEOUTS / (time.perf_counter() - start)


def flagship_base(buyers: int) -> tuple[Any, SharedConfig]:
    """The flagship experiment's base strategy and shared settings at ``buyers`` a year."""
    from hydra import compose, initialize_config_dir

    from sim.__main__ import CONFIG_DIR
    from sim.compose import build_experiment
    from sim.config import register_configs

    register_configs()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose(config_name="config", overrides=["experiment=hook_cash_vs_coupon"])
    exp = build_experiment(cfg)
    shared = exp.shared
    shared = dataclasses.replace(
        shared,
        run=dataclasses.replace(shared.run, horizon_days=365),
        population=dataclasses.replace(shared.population, buyers_per_year=buyers),
    )
    return exp.strategies["cash"], shared


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=1_000_000, help="platform buyers a year (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=RunConfig().seed)
    args = parser.parse_args(argv)
    if args.buyers < 1:
        parser.error(f"--buyers={args.buyers}: must be at least 1")
    strategy, shared = flagship_base(args.buyers)
    shared = dataclasses.replace(shared, run=dataclasses.replace(shared.run, seed=args.seed))
    start = time.perf_counter()
    record = simulate(strategy, shared, replication=0)
    seconds = time.perf_counter() - start
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    bare = reference_events_per_s()
    buyers_per_s = record.platform_buyers / seconds
    result = {
        "buyers": record.platform_buyers,
        "seconds": round(seconds, 3),
        "buyers_per_s": round(buyers_per_s, 1),
        "bare_simpy_events_per_s": round(bare, 1),
        "ratio": round(buyers_per_s / bare, 3),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "members_acquired": len(record.members),
        "simpy_events": record.simpy_events,
        "platform_orders": record.platform_orders,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
