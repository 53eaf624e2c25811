"""Spreading independent jobs over worker processes (joblib), with Ctrl-C left to the parent.

joblib's "A worker stopped while some jobs were given to the executor" warning, printed when the pool is
shut down after the last job (a worker exiting normally), and its "tasks which were still being processed by
the workers have been cancelled", printed after a Ctrl-C below the run's own "interrupted" line, and the warnings of
loky's resource tracker when it cleans up after a Ctrl-C, say nothing a user can act on and are silenced.

Jobs (replications, variants, figures) are independent and their results come back in
submission order, so nothing depends on how many processes run them.
"""

from __future__ import annotations

import os
import signal
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.resource_tracker import ensure_running as mp_resource_tracker
from typing import Any, TypeVar

from joblib import Parallel, delayed
from joblib.externals.loky.backend.resource_tracker import ensure_running as loky_resource_tracker

T = TypeVar("T")
warnings.filterwarnings("ignore", message="A worker stopped while some jobs were given to the executor")
warnings.filterwarnings("ignore", message=r"\d+ tasks which were still being processed by the workers have been")
# loky's resource tracker, a process of its own started with this environment, warns when it cleans up what an
# interrupted pool left ("resource_tracker: ... FileNotFoundError", below the run's "interrupted" line)
_QUIET_TRACKER = "ignore:resource_tracker:UserWarning"
if _QUIET_TRACKER not in os.environ.get("PYTHONWARNINGS", ""):
    os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), _QUIET_TRACKER]))


def n_processes(n_jobs: int, n_tasks: int) -> int:
    """Processes to use: ``n_jobs`` (-1 for all cores), never more than there are tasks."""
    cores = os.cpu_count() or 1
    wanted = cores if n_jobs < 0 else n_jobs
    return max(1, min(wanted, n_tasks))


@contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """Start worker processes with Ctrl-C blocked: they inherit the signal mask and never see it, so none prints a
    traceback; this process handles Ctrl-C and stops them.

    Blocking (rather than ignoring) means a Ctrl-C that arrives while the workers start is held back, not lost:
    it is delivered here as soon as the mask is restored.

    The resource trackers (loky's and multiprocessing's) are started first: launching one unblocks SIGINT (it blocks
    and then unblocks rather than restoring the mask), so launched inside the block it would let the workers spawned
    next start with Ctrl-C live, and a Ctrl-C during their start-up would print a fatal error from each.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loky_resource_tracker()
    mp_resource_tracker()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def imap_in_workers(fn: Callable[..., T], args: Sequence[tuple[Any, ...]], n_jobs: int) -> Iterable[T]:
    """``fn(*a)`` for each ``a`` in ``args``, yielded in order as they finish, in up to ``n_jobs`` processes."""
    workers = n_processes(n_jobs, len(args))
    if workers == 1:
        return (fn(*a) for a in args)
    with _workers_ignore_ctrl_c():
        return Parallel(n_jobs=workers, return_as="generator")(delayed(fn)(*a) for a in args)  # type: ignore[no-any-return]


def map_in_workers(fn: Callable[..., T], args: Sequence[tuple[Any, ...]], n_jobs: int) -> list[T]:
    """``fn(*a)`` for each ``a`` in ``args``, in order, in up to ``n_jobs`` worker processes (-1: all cores)."""
    return list(imap_in_workers(fn, args, n_jobs))  # collected outside the block: Ctrl-C stays live meanwhile
