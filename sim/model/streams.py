"""Named random streams for common random numbers.

Every random decision in the model draws from its own source, seeded from (seed,
replication, stream name), so two strategies run with the same seed and replication
see the same buyers and the same luck wherever their logic does not differ, and two
identical strategies produce identical results. Two kinds of source:

- ``streams[name]``: a ``numpy.random.Generator`` for decisions made in a fixed order
  whatever the strategy (the platform layer: arrivals, traits, orders, parcels);
- ``streams.uniform(name, *coords)``: counter-based uniforms, a hash of (stream, coords),
  for decisions about members, whose order in the member table differs between
  strategies. The buyer's id and the day (or order number) are the coordinates, so a
  buyer who is a member under two strategies gets the same purchase counts, spends and
  touch outcomes in both as long as their rates are the same.
"""

from __future__ import annotations

import zlib

import numpy as np
from scipy import special

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 2.0**-53


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: a bijective, well-mixing hash of 64-bit integers."""
    with np.errstate(over="ignore"):
        z = x + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


class Streams:
    """Random sources for one (seed, replication)."""

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication
        self._generators: dict[str, np.random.Generator] = {}
        self._keys: dict[str, np.uint64] = {}

    def _sequence(self, name: str) -> np.random.SeedSequence:
        return np.random.SeedSequence(entropy=self.seed, spawn_key=(self.replication, zlib.crc32(name.encode("utf-8"))))

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._generators.get(name)
        if gen is None:
            gen = np.random.Generator(np.random.PCG64(self._sequence(name)))
            self._generators[name] = gen
        return gen

    def uniform(self, name: str, *coords: np.ndarray | int) -> np.ndarray:
        """Uniforms in [0, 1) determined by (stream, coords) alone, one per element of the broadcast coords."""
        key = self._keys.get(name)
        if key is None:
            key = self._sequence(name).generate_state(1, dtype=np.uint64)[0]
            self._keys[name] = key
        arrays = np.broadcast_arrays(*(np.asarray(c, dtype=np.int64) for c in coords))
        if arrays[0].size == 0:  # many days have nobody to decide about
            return np.empty(arrays[0].shape)
        h = np.full(arrays[0].shape, key, dtype=np.uint64)
        for c in arrays:
            h = _splitmix64(h ^ c.astype(np.uint64))
        return (h >> np.uint64(11)).astype(np.float64) * _TO_UNIT


def poisson_from_uniform(mean: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Poisson counts by inverting the CDF at ``u`` (exact; cheap for the small daily means used here)."""
    mean = np.asarray(mean, dtype=np.float64)
    k = np.zeros(mean.shape, dtype=np.int64)
    term = np.exp(-mean)
    cdf = term.copy()
    todo = np.flatnonzero(u >= cdf)
    while todo.size:
        k[todo] += 1
        term[todo] *= mean[todo] / k[todo]
        cdf[todo] += term[todo]
        todo = todo[(u[todo] >= cdf[todo]) & (term[todo] > 0.0)]
    return k


def gamma_from_uniform(shape: float, scale: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Gamma(shape, scale) draws by inverting the CDF at ``u``."""
    return special.gammaincinv(shape, u) * scale


def exponential_from_uniform(mean: np.ndarray | float, u: np.ndarray) -> np.ndarray:
    """Exponential draws with the given mean by inverting the CDF at ``u``."""
    return -np.log1p(-u) * mean
