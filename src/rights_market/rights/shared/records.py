"""Record helpers: ``world.record_*`` for scalars or arrays (broadcast to one batch)."""

from __future__ import annotations

import numpy as np

from ...engine.world import World


def _batch(cols: dict) -> dict:
    """Numbers and arrays → 1-d arrays of one common length (the record helpers of the world take batches)."""
    arrays = {k: np.atleast_1d(np.asarray(v)) for k, v in cols.items() if not isinstance(v, str)}
    n = max((a.size for a in arrays.values()), default=1)
    return {k: (np.broadcast_to(arrays[k], (n,)).copy() if k in arrays else v) for k, v in cols.items()}


def record_charge(world: World, **cols) -> None:
    """``world.record_charges`` for scalars or arrays (a batch of one is fine)."""
    world.record_charges(**_batch(cols))


def record_trade(world: World, **cols) -> None:
    """``world.record_trades`` for scalars or arrays."""
    world.record_trades(**_batch(cols))


def record_rejection(world: World, **cols) -> None:
    """``world.record_rejections`` for scalars or arrays."""
    world.record_rejections(**_batch(cols))
