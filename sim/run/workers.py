"""Spreading independent jobs over worker processes (joblib), with Ctrl-C left to the parent.

Jobs (replications, variants, figures) are independent and their results come back in
submission order, so nothing depends on how many processes run them.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from joblib import Parallel, delayed

T = TypeVar("T")


def n_processes(n_jobs: int, n_tasks: int) -> int:
    """Processes to use: ``n_jobs`` (-1 for all cores), never more than there are tasks."""
    cores = os.cpu_count() or 1
    wanted = cores if n_jobs < 0 else n_jobs
    return max(1, min(wanted, n_tasks))


@contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """Start worker processes with Ctrl-C ignored (they inherit it); this process handles it and stops them.

    Without this, a Ctrl-C that reaches a worker still importing prints that worker's traceback.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def imap_in_workers(fn: Callable[..., T], args: Sequence[tuple[Any, ...]], n_jobs: int) -> Iterable[T]:
    """``fn(*a)`` for each ``a`` in ``args``, yielded in order as they finish, in up to ``n_jobs`` processes."""
    workers = n_processes(n_jobs, len(args))
    if workers == 1:
        return (fn(*a) for a in args)
    with _workers_ignore_ctrl_c():
        return Parallel(n_jobs=workers, return_as="generator")(delayed(fn)(*a) for a in args)  # type: ignore[no-any-return]


def map_in_workers(fn: Callable[..., T], args: Sequence[tuple[Any, ...]], n_jobs: int) -> list[T]:
    """``fn(*a)`` for each ``a`` in ``args``, in order, in up to ``n_jobs`` worker processes (-1: all cores)."""
    workers = n_processes(n_jobs, len(args))
    if workers == 1:
        return [fn(*a) for a in args]
    with _workers_ignore_ctrl_c():
        return list(Parallel(n_jobs=workers)(delayed(fn)(*a) for a in args))
