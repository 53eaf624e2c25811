"""Ctrl-C and SIGTERM as a stop that cannot be lost.

Python raises a signal handler's exception at the next bytecode the main thread runs, and that may be inside code
that swallows every exception: a finaliser (``__del__``, a weakref callback: "Exception ignored in ..."), or a C
function that clears errors while it calls back into Python. The run would then go on and publish its results as
if no signal had come. So the handlers here also remember the signal, and the writers call :func:`raise_if_stopped`
just before results appear: a run stopped at any moment publishes nothing.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: the run stops, cleans up and leaves nothing that looks like a result."""


_received: list[type[KeyboardInterrupt]] = []


def _stop(signum: int, frame: object) -> None:
    stop = Terminated if signum == signal.SIGTERM else KeyboardInterrupt
    _received.append(stop)
    raise stop


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block Ctrl-C raises KeyboardInterrupt and SIGTERM :class:`Terminated`, and both are remembered
    for :func:`raise_if_stopped`; afterwards the previous handlers come back and the signal is forgotten (a command
    called in-process leaves nothing behind for the next)."""
    _received.clear()
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _received.clear()


def raise_if_stopped() -> None:
    """Raise again the stop of a signal received earlier (its first exception may have been swallowed)."""
    if _received:
        raise _received[0]
