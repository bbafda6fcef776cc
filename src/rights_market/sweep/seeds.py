"""Seeds of replications, derived from a base seed by a documented formula (never from the clock).

Replication 0 uses the base seed itself, so one replication is exactly the plain run with that seed.
Replication ``k ≥ 1`` uses the first 63 bits of the first 64-bit word of NumPy's
``SeedSequence(entropy=base, spawn_key=(k,))`` — the ``k``-th child of ``SeedSequence(base).spawn(...)``::

    seed_k = int(np.random.SeedSequence(base, spawn_key=(k,)).generate_state(1, np.uint64)[0] >> 1)

The same base seed gives the same seeds on every machine, in every process and for any number of workers;
variants compared with each other use the same seeds (common random numbers).
"""

from __future__ import annotations

import numpy as np

__all__ = ["replication_seed", "replication_seeds"]


def replication_seed(base: int, k: int) -> int:
    """Seed of replication ``k`` (0-based) of base seed ``base`` (both non-negative)."""
    if base < 0 or k < 0:
        raise ValueError("base seed and replication index must be non-negative")
    if k == 0:
        return int(base)
    state = np.random.SeedSequence(entropy=int(base), spawn_key=(int(k),)).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))


def replication_seeds(base: int, n: int) -> list[int]:
    """Seeds of replications ``0 .. n-1`` of ``base``."""
    if n < 1:
        raise ValueError("the number of replications must be at least 1")
    return [replication_seed(base, k) for k in range(n)]
