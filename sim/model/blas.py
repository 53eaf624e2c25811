"""One BLAS thread while a replication runs (:func:`one_blas_thread`).

The member step takes dot and matrix-vector products over the day's members (:mod:`sim.model.members`). OpenBLAS
splits one over its threads once it has more than about ten thousand terms, and the threads' partial sums, added in
another grouping, change the last bits: a serial run's numbers would depend on the machine's cores (joblib's worker
processes already run with one BLAS thread each). On a busy machine, waking those threads also costs milliseconds a
product, far more than the product itself (at a million buyers it was a third of the replication). So the model
runs with BLAS pinned to one thread, which is what its products take anyway below that size.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from functools import cache

from threadpoolctl import ThreadpoolController


@cache
def _controller() -> ThreadpoolController:
    """The thread pools of the libraries loaded in this process (looked up once: it takes a few milliseconds)."""
    return ThreadpoolController()


def one_blas_thread() -> AbstractContextManager[object]:
    """A context in which BLAS uses one thread; the previous limits come back on leaving it."""
    return _controller().limit(limits=1, user_api="blas")
