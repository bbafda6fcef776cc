"""The sample of a sensitivity design: SALib's Morris or Saltelli matrix, turned into sweep points.

Pure functions of the design: the same file gives the same matrix, in the same order, on every machine
(SALib is given the design's seed; the unscrambled Sobol sequence needs none). Row ``i`` of the matrix is
point ``i`` of the study, so the runs' outputs line up with the matrix by point number, whatever order the
runs finish in. Values are rounded as each parameter asks (:meth:`ParamRange.value`); the analysis uses the
rounded values that were run.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..sweep.design import Point
from .spec import MorrisMethod, SensitivitySpec

__all__ = ["problem", "sample", "to_points"]


def problem(spec: SensitivitySpec) -> dict[str, Any]:
    """The SALib problem of the design: names (design order, dummy last) and bounds."""
    ranges = spec.ranges()
    names = spec.names()
    return {"num_vars": len(names), "names": names, "bounds": [[ranges[n].low, ranges[n].high] for n in names]}


def sample(spec: SensitivitySpec) -> np.ndarray:
    """The design matrix, one row per point, one column per parameter (rounded values)."""
    prob = problem(spec)
    m = spec.method
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        if isinstance(m, MorrisMethod):
            from SALib.sample import morris

            x = morris.sample(prob, m.trajectories, num_levels=m.levels, seed=m.seed)
        else:
            from SALib.sample import sobol

            x = sobol.sample(prob, m.n, calc_second_order=m.second_order, scramble=m.scramble,
                             seed=m.seed if m.scramble else None)
    ranges = spec.ranges()
    out = np.empty_like(x, dtype=float)
    for j, name in enumerate(prob["names"]):
        out[:, j] = [ranges[name].value(v) for v in x[:, j]]
    return out


def level_problems(spec: SensitivitySpec) -> list[tuple[str, str]]:
    """Parameters whose rounding would merge neighbouring Morris levels (``(name, message)``), so that a
    Morris step would change nothing."""
    m = spec.method
    if not isinstance(m, MorrisMethod):
        return []
    out = []
    for name, r in spec.ranges().items():
        levels = [r.value(r.low + j * (r.high - r.low) / (m.levels - 1)) for j in range(m.levels)]
        if len(set(levels)) < m.levels:
            what = "whole numbers" if r.integer else f"{r.decimals} decimals"
            out.append((name, f"rounded to {what}, the {m.levels} Morris levels of [{r.low:g}, {r.high:g}] are "
                              f"not all different ({levels}); widen the range or allow more decimals"))
    return out


def to_points(spec: SensitivitySpec, matrix: np.ndarray) -> list[Point]:
    """Row ``i`` of ``matrix`` as point ``i`` (values typed for the scenario: int for integer parameters)."""
    names = spec.names()
    ranges = spec.ranges()
    points = []
    for i, row in enumerate(matrix):
        values = {n: (int(v) if ranges[n].integer else float(v)) for n, v in zip(names, row, strict=True)}
        points.append(Point(i, values, {n: ("parameters", n) for n in names}))
    return points
