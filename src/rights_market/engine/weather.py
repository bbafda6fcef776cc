"""Weather years (wet, normal, dry) for the whole run, drawn once at the start from the 'weather' stream."""

from __future__ import annotations

import numpy as np

from ..scenario.model import FixedWeather, MarkovWeather


def weather_sequence(spec: MarkovWeather | FixedWeather, years: int, rng: np.random.Generator) -> list[str]:
    """The state of every year of the run."""
    if isinstance(spec, FixedWeather):
        return [spec.sequence[i % len(spec.sequence)] for i in range(years)]
    names = list(spec.states)
    state = spec.initial
    out = [state]
    for _ in range(years - 1):
        row = spec.transition[state]
        probs = np.array([row.get(n, 0.0) for n in names], dtype=float)
        state = names[int(rng.choice(len(names), p=probs / probs.sum()))]
        out.append(state)
    return out
