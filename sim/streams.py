"""Named random streams for common random numbers.

Every random decision in the model draws from its own ``numpy.random.Generator``,
seeded from (seed, replication, stream name). Two strategies run with the same seed
and replication therefore see the same buyers and the same luck wherever their logic
does not differ, and two identical strategies produce identical results.
"""

from __future__ import annotations

import zlib

import numpy as np


class Streams:
    """Lazily created generators, one per stream name, for one (seed, replication)."""

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication
        self._generators: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._generators.get(name)
        if gen is None:
            key = zlib.crc32(name.encode("utf-8"))
            seq = np.random.SeedSequence(entropy=self.seed, spawn_key=(self.replication, key))
            gen = np.random.Generator(np.random.PCG64(seq))
            self._generators[name] = gen
        return gen
