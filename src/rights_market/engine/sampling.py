"""Draw holder characteristics from the scenario's distributions (vectorised, from a given stream)."""

from __future__ import annotations

import numpy as np

from ..scenario.model import Constant, LogNormal, Normal, Uniform


def draw(dist: Constant | Uniform | Normal | LogNormal, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` float draws of ``dist``. Normal draws are clipped below at ``dist.min``."""
    if isinstance(dist, Constant):
        return np.full(n, float(dist.value))
    if isinstance(dist, Uniform):
        return rng.uniform(dist.low, dist.high, size=n)
    if isinstance(dist, Normal):
        return np.maximum(rng.normal(dist.mean, dist.sd, size=n), dist.min)
    if isinstance(dist, LogNormal):
        return dist.median * np.exp(rng.normal(0.0, dist.sigma, size=n))
    raise TypeError(f"unknown distribution {dist!r}")
