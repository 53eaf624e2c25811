"""Named random streams for common random numbers.

Every random decision in the model draws from its own source, seeded from (seed,
replication, stream name), so two strategies run with the same seed and replication
see the same buyers and the same luck wherever their logic does not differ, and two
identical strategies produce identical results. Two kinds of source:

- ``streams[name]``: a ``numpy.random.Generator`` for decisions made in a fixed order and
  number whatever the strategy and the settings (arrivals, each buyer trait, platforms);
- ``streams.uniform(name, *coords)``: counter-based uniforms, a hash of (stream, coords),
  for decisions whose number or order depends on the settings: a buyer's platform orders
  and parcels (buyer, order number) and everything about members, whose order in the
  member table differs between strategies. The buyer's id and the day (or order number)
  are the coordinates, so a buyer gets the same luck in every strategy and at every
  setting; where a setting changes a rate, the value moves, the luck stays.

Values are drawn by inverting their distribution at one uniform each
(:mod:`sim.model.quantiles`), so a changed parameter moves every buyer's value smoothly.
"""

from __future__ import annotations

import math
import zlib

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 2.0**-53
_BLOCK = 1 << 15  # elements hashed at a time: a block's passes stay in the cache (Streams.uniform)
_SHIFT1, _SHIFT2, _SHIFT3, _TO_53_BITS = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)


def _splitmix64_inplace(z: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, a bijective, well-mixing hash of 64-bit integers, applied to ``z`` in place (the
    hot path: the shifts go to ``scratch``, an array of z's shape and dtype, so nothing is allocated)."""
    with np.errstate(over="ignore"):
        z += _GOLDEN
        z ^= np.right_shift(z, _SHIFT1, out=scratch)
        z *= _MIX1
        z ^= np.right_shift(z, _SHIFT2, out=scratch)
        z *= _MIX2
    z ^= np.right_shift(z, _SHIFT3, out=scratch)
    return z


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

    def _key(self, name: str) -> np.uint64:
        key = self._keys.get(name)
        if key is None:
            key = self._sequence(name).generate_state(1, dtype=np.uint64)[0]
            self._keys[name] = key
        return key

    def uniform(self, name: str, *coords: np.ndarray | int) -> np.ndarray:
        """Uniforms in [0, 1) determined by (stream, coords) alone, one per element of the broadcast coords."""
        key = self._key(name)
        first, *rest = (np.asarray(c, dtype=np.int64) for c in coords)
        shape = np.broadcast_shapes(first.shape, *(c.shape for c in rest))
        if math.prod(shape) == 0:  # many days have nobody to decide about
            return np.empty(shape)
        if len(shape) != 1 or shape[0] <= _BLOCK or any(c.ndim not in (0, 1) for c in (first, *rest)):
            return _hashed(key, shape, first, rest)
        # a long vector (the platform layer's orders and parcels) in blocks that stay in the cache: the same values
        out = np.empty(shape)
        for lo in range(0, shape[0], _BLOCK):
            block = slice(lo, lo + _BLOCK)
            parts = [c[block] if c.ndim else c for c in (first, *rest)]
            out[block] = _hashed(key, (min(_BLOCK, shape[0] - lo),), parts[0], parts[1:])
        return out

    def keyed(self, name: str, first: np.ndarray) -> np.ndarray:
        """The first coordinates ``first`` (a vector) hashed with stream ``name``'s key: what :meth:`uniform` computes
        first. ``finish(keyed(name, a)[rows], *rest)`` is ``uniform(name, a[rows], *rest)``, so a caller that draws
        from the same stream for the same ids day after day (the members) hashes each id once."""
        h = np.asarray(first, dtype=np.int64).astype(np.uint64)
        h ^= self._key(name)
        return _splitmix64_inplace(h, np.empty_like(h))


def finish(keyed: np.ndarray, *rest: np.ndarray | int) -> np.ndarray:
    """Uniforms in [0, 1) from first coordinates already hashed (:meth:`Streams.keyed`, taken over: hashed in place)
    and the other coordinates ``rest``, each a scalar or a vector of ``keyed``'s length."""
    if keyed.size == 0:
        return np.empty(keyed.shape)
    return _finished(keyed, [np.asarray(c, dtype=np.int64) for c in rest])


def _hashed(key: np.uint64, shape: tuple[int, ...], first: np.ndarray, rest: list[np.ndarray]) -> np.ndarray:
    """Uniforms in [0, 1) of shape ``shape`` from the stream's ``key`` and the coordinates ``first`` and ``rest``
    (int64, broadcastable to ``shape``): the key and each coordinate in turn xored in and mixed."""
    h = np.broadcast_to(first, shape).astype(np.uint64)  # a fresh array: hashed in place from here
    h ^= key
    return _finished(_splitmix64_inplace(h, np.empty_like(h)), rest)


def _finished(h: np.ndarray, rest: list[np.ndarray]) -> np.ndarray:
    """Xor each coordinate of ``rest`` in turn into ``h`` (hashed first coordinates, changed in place) and mix, then
    turn the top 53 bits into uniforms in [0, 1)."""
    scratch = np.empty_like(h)
    for c in rest:  # a scalar coordinate (a day, a rank) is applied to every element as broadcasting would
        h ^= c.astype(np.uint64)
        _splitmix64_inplace(h, scratch)
    h >>= _TO_53_BITS
    out = h.astype(np.float64)
    out *= _TO_UNIT
    return out


def occurrence(ids: np.ndarray) -> np.ndarray:
    """For each element, how many earlier elements carry the same id (0 for the first)."""
    if ids.size == 0:
        return np.zeros(0, dtype=np.int64)
    if (ids[1:] > ids[:-1]).all():  # increasing: every id once (a day's orders, mostly), no run to count
        return np.zeros(ids.size, dtype=np.int64)
    in_order = bool((ids[1:] >= ids[:-1]).all())  # most callers repeat sorted member rows: no sort needed
    order = None if in_order else np.argsort(ids, kind="stable")
    sorted_ids = ids if order is None else ids[order]
    new_run = np.empty(ids.size, dtype=bool)
    new_run[0] = True
    np.not_equal(sorted_ids[1:], sorted_ids[:-1], out=new_run[1:])
    starts = np.flatnonzero(new_run)
    run = np.arange(ids.size) - np.repeat(starts, np.diff(starts, append=ids.size))
    if order is None:
        return run
    out = np.empty(ids.size, dtype=np.int64)
    out[order] = run
    return out


def ranks_within(counts: np.ndarray) -> np.ndarray:
    """0, 1, ..., counts[i] - 1 for each i in turn: :func:`occurrence` of ``np.repeat(np.arange(n), counts)`` (the
    k-th touch of a member, the k-th friend of a share), without a sort."""
    total = int(counts.sum())
    if total == np.count_nonzero(counts):  # none above one (a day's repeat orders, mostly): all first
        return np.zeros(total, dtype=np.int64)
    return np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
