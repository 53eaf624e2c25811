"""Benchmark: ``python -m sim.bench [--buyers N] [--repeat K] [--experiment E [--strategy S]]``,
``--speedup [--pairs K]``, ``--sweep [--replications R]`` and ``--calibrate-rows N``.

The engine benchmark runs one replication of the flagship experiment's base strategy (cash card, all
channels, default onboarding, touches and referral) with N new platform buyers a year over 365
days, then the fixed bare-SimPy reference loop (100,000 processes x 10 exponential
timeouts of mean 30 days), in the same process. ``--experiment`` runs one strategy of another
experiment instead (``--strategy``, default its first strategy other than the baseline), with that
experiment's shared settings (its existing customer base, for one) and N new buyers. The last line
is one JSON object: experiment, strategy, buyers (every platform buyer simulated, the existing base
included), base_buyers, seconds, buyers_per_s, bare_simpy_events_per_s, ratio (buyers_per_s /
bare_simpy_events_per_s), peak_rss_mb, members_acquired, simpy_events. With ``--repeat K``
the engine and the reference loop run K times side by side and seconds, speeds and ratio are
medians (the ratio the median of each side-by-side pair's ratio).

The speed-up benchmark runs the flagship experiment at its defaults end to end (every
replication of both strategies and the control arm, comparison, tables, figures and report,
into a temporary directory) K times on one core and K times on all cores, alternating so
that a busy spell of the machine hits both, and each parallel run starting its worker
processes afresh as a new command would. The last line is one JSON object: cores, pairs,
serial_s and parallel_s (each run's seconds), speedup (median serial over median parallel)
and identical_summary (every run's summary.csv byte for byte the same).

The sweep benchmark (``--sweep``) runs, as child processes of this one and back to back, the flagship end to end
(``python -m sim experiment=hook_cash_vs_coupon``) and then the 16-point sweep of it over a 4 x 4 grid of two of its
levers (``python -m sim -m experiment=hook_cash_vs_coupon hook.value_cny=3,5,10,20 touch.touches_per_week=1,2,3,5``),
both at R replications (default 20, the flagship's) and each command's own parallelism defaults (the flagship's
replications on all cores; the sweep's points on all cores, each point's replications serially), into a temporary
directory. The last line is one JSON object: replications, points, flagship_seconds, sweep_seconds and
sweep_over_flagship (their ratio), cores.

The calibration benchmark (``--calibrate-rows N``) writes an N-row Taobao-style order export and
runs ``python -m sim.calibrate`` on it in a child process (:func:`sim.calibrate.bench.calibrate_rows`).
The last line is one JSON object: rows, file_mib, seconds, cpu_seconds, peak_rss_mib (of the
command alone) and cores.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import simpy

from sim.config import PopulationConfig, RunConfig, SharedConfig
from sim.config.cli import ArgumentParser
from sim.config.paths import CONFIG_DIR
from sim.model.funnel import simulate

REFERENCE_PROCESSES = 100_000
REFERENCE_TIMEOUTS = 10
REFERENCE_MEAN_DAYS = 30.0
CALIBRATE_ROWS = (100, 20_000_000)  # generating 20M rows takes about 4 GiB in this process


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


FLAGSHIP = "hook_cash_vs_coupon"
FLAGSHIP_STRATEGY = "cash"


def flagship_config(overrides: tuple[str, ...] = (), experiment: str = FLAGSHIP) -> Any:
    """The flagship experiment's (or ``experiment``'s) composed config, with ``overrides``."""
    from sim.api import compose_experiment

    return compose_experiment(experiment, overrides)


def flagship_base(buyers: int, experiment: str = FLAGSHIP, strategy: str | None = None) -> tuple[Any, SharedConfig]:
    """The flagship experiment's base strategy (or ``experiment``'s ``strategy``, by default its first other than
    the baseline) and shared settings at ``buyers`` new buyers a year over 365 days."""
    from sim.config.compose import build_experiment

    exp = build_experiment(flagship_config(experiment=experiment))
    if strategy is None:
        strategy = (
            FLAGSHIP_STRATEGY
            if experiment == FLAGSHIP
            else next((s for s in exp.strategies if s != exp.baseline), exp.baseline)
        )
    if strategy not in exp.strategies:
        raise KeyError(strategy)
    shared = exp.shared
    shared = dataclasses.replace(
        shared,
        run=dataclasses.replace(shared.run, horizon_days=365),
        population=dataclasses.replace(shared.population, buyers_per_year=buyers),
    )
    return exp.strategies[strategy], shared


def flagship_seconds(n_jobs: int, overrides: tuple[str, ...]) -> tuple[float, bytes]:
    """Seconds to run the flagship end to end in ``n_jobs`` processes (fresh ones), and its summary.csv."""
    from joblib.externals.loky import get_reusable_executor
    from omegaconf import OmegaConf

    from sim.config.compose import build_experiment
    from sim.report.runner import run_and_report

    cfg = flagship_config((*overrides, f"run.n_jobs={n_jobs}", "run.progress=false"))
    get_reusable_executor().shutdown(wait=True)  # no warm workers left from the previous run
    with tempfile.TemporaryDirectory() as out_dir:
        start = time.perf_counter()
        run_and_report(build_experiment(cfg), Path(out_dir), OmegaConf.to_yaml(cfg, resolve=True), show=False)
        seconds = time.perf_counter() - start
        return seconds, (Path(out_dir) / "summary.csv").read_bytes()


def speedup(pairs: int, overrides: tuple[str, ...] = ()) -> dict[str, Any]:
    """Flagship end to end on one core and on all cores, alternating, ``pairs`` times each."""
    serial: list[float] = []
    parallel: list[float] = []
    summaries: set[bytes] = set()
    for _ in range(pairs):
        for n_jobs, times in ((1, serial), (-1, parallel)):
            seconds, summary = flagship_seconds(n_jobs, overrides)
            times.append(round(seconds, 2))
            summaries.add(summary)
    return {
        "cores": os.cpu_count(),
        "pairs": pairs,
        "serial_s": serial,
        "parallel_s": parallel,
        "speedup": round(statistics.median(serial) / statistics.median(parallel), 3),
        "identical_summary": len(summaries) == 1,
    }


SWEEP_GRID: tuple[str, ...] = ("hook.value_cny=3,5,10,20", "touch.touches_per_week=1,2,3,5")
SWEEP_POINTS = 16


def _timed_command(args: list[str]) -> float:
    """Seconds to run ``python -m sim ARGS`` in a child process (its output discarded); exits with the child's last
    error line if it fails."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sim", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode != 0:
        last = (done.stderr.decode(errors="replace").strip().splitlines() or ["(no message)"])[-1]
        print(f"error: python -m sim {' '.join(args)} failed (exit {done.returncode}): {last}", file=sys.stderr)
        sys.exit(done.returncode)
    return time.perf_counter() - start


def sweep_bench(replications: int, overrides: tuple[str, ...] = (), sequential: bool = False) -> dict[str, Any]:
    """The flagship end to end and its 16-point sweep, back to back, at ``replications`` replications; with
    ``sequential``, the sweep's points stop early (``run.sequential=true``), the flagship runs them all."""
    common = [f"experiment={FLAGSHIP}", f"run.n_replications={replications}", "run.progress=false", *overrides]
    points = [*common, *SWEEP_GRID, *(["run.sequential=true"] if sequential else [])]
    with tempfile.TemporaryDirectory() as out_dir:
        flagship_s = _timed_command([*common, f"hydra.run.dir={out_dir}/flagship"])
        sweep_s = _timed_command(["--multirun", *points, f"hydra.sweep.dir={out_dir}/sweep"])
    return {
        "replications": replications,
        "sequential": sequential,
        "points": SWEEP_POINTS,
        "flagship_seconds": round(flagship_s, 2),
        "sweep_seconds": round(sweep_s, 2),
        "sweep_over_flagship": round(sweep_s / flagship_s, 3),
        "cores": os.cpu_count(),
    }


def _buyers_limit() -> int:
    """The largest ``--buyers``: the range of ``population.buyers_per_year``."""
    bounds = next(f for f in dataclasses.fields(PopulationConfig) if f.name == "buyers_per_year").metadata["range"]
    return int(bounds[1])


def main(argv: list[str] | None = None) -> None:
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=1_000_000, help="platform buyers a year (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=RunConfig().seed)
    parser.add_argument("--repeat", type=int, default=1, help="engine and reference runs, medians reported")
    parser.add_argument("--experiment", default=FLAGSHIP, help=f"the experiment (default {FLAGSHIP})")
    parser.add_argument("--strategy", default=None, help="its strategy (default: the first that is not the baseline)")
    parser.add_argument("--speedup", action="store_true", help="time the flagship end to end, one core vs all")
    parser.add_argument("--pairs", type=int, default=3, help="serial/parallel pairs for --speedup (default 3)")
    parser.add_argument("--sweep", action="store_true", help="time the flagship's 16-point sweep against one run of it")
    parser.add_argument("--replications", type=int, default=20, help="replications for --sweep (default 20)")
    parser.add_argument("--sequential", action="store_true", help="--sweep: the points stop early (run.sequential)")
    parser.add_argument("--calibrate-rows", type=int, help="time python -m sim.calibrate on an N-row order export")
    args = parser.parse_args(argv)
    limit = _buyers_limit()
    if not 1 <= args.buyers <= limit:
        parser.error(f"--buyers={args.buyers}: allowed range [1, {limit:,}] (population.buyers_per_year's range)")
    if not 1 <= args.pairs <= 100:
        parser.error(f"--pairs={args.pairs}: allowed range [1, 100]")
    if not 1 <= args.repeat <= 100:
        parser.error(f"--repeat={args.repeat}: allowed range [1, 100]")
    if not 0 <= args.seed < 2**63:
        parser.error(f"--seed={args.seed}: allowed range [0, 2**63 - 1]")
    if not 1 <= args.replications <= 10_000:
        parser.error(f"--replications={args.replications}: allowed range [1, 10,000] (run.n_replications's range)")
    if args.calibrate_rows is not None:
        if not CALIBRATE_ROWS[0] <= args.calibrate_rows <= CALIBRATE_ROWS[1]:
            parser.error(f"--calibrate-rows={args.calibrate_rows}: allowed range [100, {CALIBRATE_ROWS[1]:,}]")
        from sim.calibrate.bench import calibrate_rows

        print(json.dumps(calibrate_rows(args.calibrate_rows)))
        return
    if args.sweep:
        print(json.dumps(sweep_bench(args.replications, (f"run.seed={args.seed}",), args.sequential)))
        return
    if args.speedup:
        print(json.dumps(speedup(args.pairs, (f"run.seed={args.seed}",))))
        return
    known = sorted(p.stem for p in (CONFIG_DIR / "experiment").glob("*.yaml"))
    if args.experiment not in known:
        parser.error(f"--experiment={args.experiment}: allowed: {', '.join(known)}")
    try:
        strategy, shared = flagship_base(args.buyers, args.experiment, args.strategy)
    except KeyError:
        parser.error(f"--strategy={args.strategy}: not a strategy of experiment {args.experiment}")
    shared = dataclasses.replace(shared, run=dataclasses.replace(shared.run, seed=args.seed))
    seconds, bare, ratios = [], [], []
    for i in range(args.repeat):  # engine and reference loop side by side, so a slow spell hits both
        start = time.perf_counter()
        record = simulate(strategy, shared, replication=0)
        seconds.append(time.perf_counter() - start)
        if i == 0:  # before the reference loop's own allocations
            peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        bare.append(reference_events_per_s())
        ratios.append(record.platform_buyers / seconds[-1] / bare[-1])
    result = {
        "experiment": args.experiment,
        "strategy": strategy.name,
        "buyers": record.platform_buyers,
        "base_buyers": round(shared.population.base.size * shared.population.sample_share),
        "seconds": round(statistics.median(seconds), 3),
        "buyers_per_s": round(record.platform_buyers / statistics.median(seconds), 1),
        "bare_simpy_events_per_s": round(statistics.median(bare), 1),
        "ratio": round(statistics.median(ratios), 3),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "members_acquired": len(record.members),
        "simpy_events": record.simpy_events,
        "platform_orders": record.platform_orders,
        "repeats": args.repeat,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
