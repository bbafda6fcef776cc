"""Designs of a sweep: the points (parameter values) to run, from a grid or from random draws.

Pure functions of the design: the same sweep file gives the same points, in the same order, everywhere.
A grid is the product of every parameter's values, the last parameter varying fastest. A random design
draws ``samples`` points; parameters are drawn in the order they are written, each with all its samples at
once, from one generator seeded with the design's ``seed`` (NumPy ``PCG64(SeedSequence(seed))``).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

__all__ = ["PARAM_PREFIX", "Point", "column_types", "grid_points", "param_column", "random_points"]

#: Prefix of the parameter columns of the KPI rows (``param.water.cap_m3``).
PARAM_PREFIX = "param."


class Sampler(Protocol):
    def sample(self, rng: np.random.Generator, n: int) -> list[Any]: ...


@dataclass(frozen=True)
class Point:
    """One point of a design: ``values`` maps dotted scenario paths to values; ``source`` maps each path to
    where the value is written in the sweep file (a path into the sweep file's data, for error messages)."""

    index: int
    values: dict[str, Any]
    source: dict[str, tuple[Any, ...]]


def param_column(path: str) -> str:
    """Column of parameter ``path`` in the KPI rows."""
    return f"{PARAM_PREFIX}{path}"


def grid_points(parameters: Mapping[str, Sequence[Any]], source_prefix: tuple[Any, ...]) -> list[Point]:
    """Every combination of the values of ``parameters`` (last parameter fastest)."""
    names = list(parameters)
    if not names:
        return [Point(0, {}, {})]
    choices = [list(enumerate(parameters[n])) for n in names]
    points = []
    for i, combo in enumerate(itertools.product(*choices)):
        values = {n: v for n, (_, v) in zip(names, combo, strict=True)}
        source = {n: (*source_prefix, n, j) for n, (j, _) in zip(names, combo, strict=True)}
        points.append(Point(i, values, source))
    return points


def random_points(
    parameters: Mapping[str, Sampler], samples: int, seed: int, source_prefix: tuple[Any, ...]
) -> list[Point]:
    """``samples`` points drawn at random (see the module docstring for the order of draws)."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    columns = {name: spec.sample(rng, samples) for name, spec in parameters.items()}
    return [
        Point(i, {n: columns[n][i] for n in parameters}, {n: (*source_prefix, n) for n in parameters})
        for i in range(samples)
    ]


def column_types(points: Sequence[Point]) -> dict[str, str]:
    """Arrow type of each parameter column over all points: ``bool``, ``int64``, ``float64`` (numbers, some
    not whole) or ``string`` (text; other values as JSON)."""
    out: dict[str, str] = {}
    names = list(points[0].values) if points else []
    for name in names:
        vals = [p.values[name] for p in points]
        if all(isinstance(v, bool) for v in vals):
            out[param_column(name)] = "bool"
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
            out[param_column(name)] = "int64"
        elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals):
            out[param_column(name)] = "float64"
        else:
            out[param_column(name)] = "string"
    return out


def typed_value(value: Any, typ: str) -> Any:
    """``value`` as stored in a column of type ``typ``."""
    if typ == "float64":
        return float(value)
    if typ == "string" and not isinstance(value, str):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return value
