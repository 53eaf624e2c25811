"""Reuse across the points of a sweep: the platform layer and the control arm of each replication, on disk.

A sweep's points differ only in their levers, yet every point draws the same platform buyers (same seed, replication
and population) and runs the same control arm (no capture channel) on them. :class:`ReplicationCache` keeps both
under the sweep's directory (``<sweep dir>/.cache``) so that the first point to need one builds it and the others
load it:

- the platform layer (:func:`sim.model.population.build_platform`), keyed by the population and platform settings,
  the horizon, the seed and the replication;
- the control arm's metric rows, keyed by the shared settings (how a run is spread over processes left out), the
  control strategy with the levers that cannot act without a capture channel reset to their defaults
  (:data:`INERT_IN_CONTROL`: nobody joins, so no hook is paid, no card is read, nobody is greeted, touched or
  refers), and the replication.

Both keys also hold a fingerprint of the source of the packages that compute them (:mod:`sim.config`,
:mod:`sim.model`, :mod:`sim.run`), so an edited model never reads an old entry: a key cannot go stale. Entries are
pickles written under a temporary name and renamed; a file lock per entry makes two processes that need the same one
build it once. Loaded values are the ones that were built, so results are identical with and without the cache
(tests/test_cache.py).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import TypeVar

from filelock import FileLock

from sim.config import SharedConfig, StrategyConfig

T = TypeVar("T")
CACHE_DIR_NAME = ".cache"
INERT_IN_CONTROL: tuple[str, ...] = ("hook", "card", "offer", "touch", "referral")  # levers that need a member
_SOURCE_PACKAGES = ("config", "model", "run")


@cache
def code_fingerprint() -> str:
    """SHA-256 of the source of the packages that build the platform and the control arm's metrics."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for package in _SOURCE_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr((code_fingerprint(), *parts)).encode()).hexdigest()[:32]


def platform_key(shared: SharedConfig, replication: int) -> str:
    """What the platform layer of a replication depends on, hashed."""
    run = shared.run
    return _digest("platform", shared.population, shared.platform, run.horizon_days, run.seed, replication)


def control_key(shared: SharedConfig, control: StrategyConfig, replication: int) -> str:
    """What the control arm's metric rows of a replication depend on, hashed."""
    run = replace(shared.run, n_jobs=1, progress=False, n_replications=1)  # how the run is spread, not what it is
    inert = {group: type(getattr(control, group))() for group in INERT_IN_CONTROL}
    return _digest("control", replace(shared, run=run), replace(control, **inert), replication)


class ReplicationCache:
    """Entries under ``directory``, each built once by whichever process first needs it."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def get(self, kind: str, key: str, build: Callable[[], T]) -> T:
        """The entry ``kind``/``key``: loaded if present, else built by ``build``, stored and returned."""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{kind}-{key}.pkl"
        with FileLock(str(path.with_suffix(".lock"))):
            if path.is_file():
                with path.open("rb") as f:
                    return pickle.load(f)  # type: ignore[no-any-return]
            value = build()
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            with tmp.open("wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
            return value
