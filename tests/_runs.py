"""Small experiment runs shared by the figure and report tests: each is run once per test session.

Imported as ``from _runs import tiny_run`` (pytest puts tests/ on sys.path). The runs go through
:func:`sim.api.run`, so they compose the real configs and write every file a command-line run writes.
Tests that change a run directory copy it first (:func:`copy_run`).
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from sim.api import run

OVERRIDES: dict[str, list[str]] = {
    # a sample of the default 600,000 buyers a year, with the onboarding team and its cost scaled alike
    "hook_cash_vs_coupon": ["run=tiny", "population.sample_share=0.03"],
    "touch_frequency": ["run=tiny", "run.n_replications=2", "population.sample_share=0.02"],
    # issue 16: the recall waves are in March (inside the tiny horizon); Double 11 and full accounts need the year
    "sms_recall_existing_base": ["run=tiny", "run.n_replications=2", "population.sample_share=0.02"],
    "double11_campaign": ["run=tiny", "run.n_replications=2", "run.horizon_days=365", "population.sample_share=0.01"],
    "referral_mechanics": ["run=tiny", "run.n_replications=2", "population.sample_share=0.1"],
    "wecom_accounts": ["run=tiny", "run.n_replications=2", "run.horizon_days=365", "population.sample_share=0.01"],
}


@functools.cache
def _root() -> Path:
    root = Path(tempfile.mkdtemp(prefix="sim-report-tests-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


@functools.cache
def tiny_run(experiment: str = "hook_cash_vs_coupon", lang: str = "en") -> Path:
    """The run directory of ``experiment`` at a tiny size (``run=tiny``), written once per session."""
    extra = [f"report.lang={lang}"] if lang != "en" else []
    return run(experiment, [*OVERRIDES[experiment], *extra], out_dir=_root() / f"{experiment}_{lang}")


def copy_run(src: Path, dst: Path) -> Path:
    """A copy of a run directory that a test may change."""
    shutil.copytree(src, dst)
    return dst
