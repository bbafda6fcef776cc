"""One seeded random-number tree per run (design principle 4).

Each consumer asks for a stream by a stable name (``"weather"``, ``"water.orders"``, ...). The stream is a
:class:`numpy.random.Generator` on a :class:`numpy.random.SeedSequence` whose spawn key is derived from the
run seed and a hash of the name, so streams are independent of one another and of the order in which they
are first asked for: adding a stream never changes the numbers of another. No global randomness, no clock.
"""

from __future__ import annotations

import hashlib

import numpy as np


def _key(name: str) -> tuple[int, ...]:
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))


class RngTree:
    """Named, independent, reproducible random streams for one run."""

    def __init__(self, seed: int):
        if seed < 0:
            raise ValueError("seed must be non-negative")
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}

    def stream(self, name: str) -> np.random.Generator:
        """The generator named ``name`` (created on first use, then the same object)."""
        gen = self._streams.get(name)
        if gen is None:
            ss = np.random.SeedSequence(entropy=self.seed, spawn_key=_key(name))
            gen = np.random.Generator(np.random.PCG64(ss))
            self._streams[name] = gen
        return gen
