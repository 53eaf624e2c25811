"""Spreading independent jobs over worker processes (joblib), with Ctrl-C left to the parent.

joblib's "A worker stopped while some jobs were given to the executor" warning, printed when the pool is
shut down after the last job (a worker exiting normally), says nothing a user can act on and is silenced.

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
from typing import Any, TypeVar

from joblib import Parallel, delayed

T = TypeVar("T")
warnings.filterwarnings("ignore", message="A worker stopped while some jobs were given to the executor")


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
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
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
