"""Ctrl-C: an interrupted run stops promptly, exits non-zero and leaves no summary.csv.

``python -m sim`` is started in its own session with a size that takes far longer than the
test waits; once Hydra has created the run directory (the job is running), SIGINT goes to the
whole process group, as a terminal's Ctrl-C does, serially and with two worker processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

LONG_RUN = [
    "experiment=hook_cash_vs_coupon",
    "run.n_replications=60",
    "population.buyers_per_year=50000",
    "run.horizon_days=180",
    "run.followup_days=365",
    "run.progress=false",
]
STOP_WITHIN_S = 10.0


def _live_members_of_group(pgid: int) -> list[int]:
    """Processes of the group that are still running (zombies waiting to be reaped do not count)."""
    live = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        state, pgrp = fields[0], int(fields[2])
        if pgrp == pgid and state not in ("Z", "X"):
            live.append(int(entry.name))
    return live


@pytest.mark.skipif(not Path("/proc").is_dir() or os.name != "posix", reason="needs POSIX signals and /proc")
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_ctrl_c_stops_promptly_and_writes_no_summary(tmp_path: Path, n_jobs: int) -> None:
    run_dir = tmp_path / "run"
    cmd = [sys.executable, "-m", "sim", *LONG_RUN, f"run.n_jobs={n_jobs}", f"hydra.run.dir={run_dir}"]
    proc = subprocess.Popen(
        cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        started = time.monotonic()
        while not (run_dir / ".hydra").is_dir():
            assert proc.poll() is None, f"the run ended before it was interrupted: {proc.communicate()}"
            assert time.monotonic() - started < 60, "the run never started"
            time.sleep(0.1)
        time.sleep(2.0)  # inside the replications
        assert proc.poll() is None, "the run finished before Ctrl-C: make it longer"
        interrupted = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=STOP_WITHIN_S)
        stopped_after = time.monotonic() - interrupted
    finally:
        if proc.poll() is None:  # only the processes this test started
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()

    assert stopped_after < STOP_WITHIN_S
    assert proc.returncode != 0, "an interrupted run must not exit 0"
    assert proc.returncode == 130, proc.returncode  # sim.__main__.EXIT_INTERRUPTED, the shell's 128 + SIGINT
    assert "Traceback" not in stderr, stderr[-3000:]
    assert "interrupted" in stderr.strip().splitlines()[-1], stderr[-500:]
    assert not (run_dir / "summary.csv").exists(), "an interrupted run left a summary.csv"
    assert not list(run_dir.glob(".summary.csv*")), "an interrupted run left a half-written summary"
    assert "replications on common random numbers" not in stdout, "the comparison table was printed"
    deadline = time.monotonic() + 5.0
    while _live_members_of_group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _live_members_of_group(proc.pid) == [], "worker processes kept running after Ctrl-C"


def test_worker_processes_start_with_ctrl_c_blocked() -> None:
    """Workers are started with SIGINT blocked, so a Ctrl-C during their start-up is never theirs to print about.

    Run in a fresh interpreter: the resource trackers that loky and multiprocessing launch on first use unblock
    SIGINT behind the caller's back, which let workers start with Ctrl-C live (a 'Fatal Python error' from each
    worker interrupted while importing its site module)."""
    code = (
        "import signal\n"
        "from sim.run.workers import map_in_workers\n"
        "masks = map_in_workers(signal.pthread_sigmask, [(signal.SIG_BLOCK, [])] * 4, 2)\n"
        "print(all(signal.SIGINT in m for m in masks), signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "False"]  # blocked in every worker; live again here afterwards
