"""Sweep files: what a researcher writes (YAML, validated with pydantic by the scenario loader).

Example (``scenarios/sweeps/water_price_grid.yaml``)::

    name: water_price_grid
    scenario: ../dawukou_water.yaml          # relative to this file
    set:                                     # applied to every run, like --set
      calendar.years: 3
    design:
      type: grid                             # or: random (samples, seed, a distribution per parameter)
      parameters:
        water.default_base_price_yuan_per_m3: [0.8, 1.081, 1.4]
        water.pricing.industry.surcharge.step_share: [0.5, 1.0]
    seeds: {base: 20210701, replications: 4}

Every problem is reported with its place: mistakes in the sweep file itself (``sweep.yaml:7:5:
design.parameters: ...``), a parameter path that is not in the scenario (at the parameter), and a value
that the scenario does not accept — located at the value in the sweep file, named by the scenario field
(``sweep.yaml:9:48: water.cap_m3: expected greater than 0; got -5``).
"""

from __future__ import annotations

import copy
import difflib
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from .. import work
from ..results import TABLE_FILES
from ..scenario.errors import Problem, ScenarioError
from ..scenario.loader import (
    Position,
    SourceMap,
    allowed_roots,
    format_path,
    load_raw,
    resolve_reference,
    validate,
)
from ..scenario.model import Scenario, Strict
from ..scenario.tables_input import CONTEXT_KEY
from .design import Point, grid_points, random_points
from .study import Study, build_study

__all__ = ["SweepSpec", "base_data", "load_sweep", "point_scenarios", "scenario_file"]

TableName = Literal["holders", "trades", "orders_rejected", "holdings", "charges", "reserve", "kpis", "registry"]
assert set(TableName.__args__) == set(TABLE_FILES)  # type: ignore[attr-defined]


def _round(values: np.ndarray, decimals: int | None) -> list[float]:
    return [float(round(float(v), decimals)) if decimals is not None else float(v) for v in values]


class UniformParam(Strict):
    """Uniform on [low, high], rounded to ``decimals`` places (4 by default: prices are exact to 0.0001)."""

    type: Literal["uniform"]
    low: float
    high: float
    decimals: int | None = Field(4, ge=0, le=12)

    @model_validator(mode="after")
    def _order(self) -> UniformParam:
        if not self.high >= self.low:
            raise ValueError("high must be at least low")
        return self

    def sample(self, rng: np.random.Generator, n: int) -> list[float]:
        return _round(rng.uniform(self.low, self.high, n), self.decimals)


class LogUniformParam(Strict):
    """Log-uniform on [low, high] (both > 0): every factor of ten equally likely."""

    type: Literal["loguniform"]
    low: float = Field(gt=0)
    high: float = Field(gt=0)
    decimals: int | None = Field(4, ge=0, le=12)

    @model_validator(mode="after")
    def _order(self) -> LogUniformParam:
        if not self.high >= self.low:
            raise ValueError("high must be at least low")
        return self

    def sample(self, rng: np.random.Generator, n: int) -> list[float]:
        return _round(np.exp(rng.uniform(math.log(self.low), math.log(self.high), n)), self.decimals)


class IntegerParam(Strict):
    """A whole number uniform on [low, high], both included."""

    type: Literal["integer"]
    low: int
    high: int

    @model_validator(mode="after")
    def _order(self) -> IntegerParam:
        if self.high < self.low:
            raise ValueError("high must be at least low")
        return self

    def sample(self, rng: np.random.Generator, n: int) -> list[int]:
        return [int(v) for v in rng.integers(self.low, self.high + 1, n)]


class ChoiceParam(Strict):
    """One of ``values``, each equally likely."""

    type: Literal["choice"]
    values: list[Any] = Field(min_length=1)

    def sample(self, rng: np.random.Generator, n: int) -> list[Any]:
        return [copy.deepcopy(self.values[int(i)]) for i in rng.integers(0, len(self.values), n)]


RandomParam = Annotated[UniformParam | LogUniformParam | IntegerParam | ChoiceParam, Field(discriminator="type")]


def _check_paths(parameters: dict[str, Any]) -> dict[str, Any]:
    for name in parameters:
        if not name or any(not part.strip() for part in str(name).split(".")):
            raise ValueError(f"parameter {name!r} is not a dotted scenario path such as water.cap_m3")
    return parameters


class GridDesign(Strict):
    """Every combination of the listed values (the last parameter varies fastest)."""

    type: Literal["grid"]
    parameters: dict[str, list[Any]] = Field(min_length=1)

    @field_validator("parameters")
    @classmethod
    def _paths(cls, v: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for name, values in v.items():
            if not values:
                raise ValueError(f"parameter {name!r} needs at least one value")
        return _check_paths(v)


class RandomDesign(Strict):
    """``samples`` points drawn at random, reproducibly from ``seed``."""

    type: Literal["random"]
    samples: int = Field(ge=1, le=1_000_000)
    seed: int = Field(0, ge=0)
    parameters: dict[str, RandomParam] = Field(min_length=1)

    @field_validator("parameters")
    @classmethod
    def _paths(cls, v: dict[str, Any]) -> dict[str, Any]:
        return _check_paths(v)


Design = Annotated[GridDesign | RandomDesign, Field(discriminator="type")]


class SeedsSpec(Strict):
    """Seeds of every point: ``replications`` seeds derived from ``base`` (the scenario's seed if omitted)."""

    base: int | None = Field(None, ge=0)
    replications: int = Field(1, ge=1, le=100_000)


class SweepSpec(Strict):
    """A sweep file."""

    name: str = Field(pattern=r"^[A-Za-z0-9_\-.]+$")
    description: str = ""
    scenario: str = Field(min_length=1, description="scenario file, relative to this file")
    set: dict[str, Any] = Field(default_factory=dict, description="overrides applied to every run")
    design: Design | None = Field(None, description="grid or random design; none = the scenario alone")
    seeds: SeedsSpec = Field(default_factory=SeedsSpec)
    keep_tables: list[TableName] | None = Field(
        None, description="tables stored per run (default all); kpis is always kept"
    )

    @field_validator("set")
    @classmethod
    def _set_paths(cls, v: dict[str, Any]) -> dict[str, Any]:
        return _check_paths(v)


# ------------------------------------------------------------------------------------------- values
def _set_positions(value: Any, path: tuple[Any, ...], pos: Position, sm: SourceMap) -> None:
    sm.set(path, pos)
    if isinstance(value, dict):
        for k, v in value.items():
            _set_positions(v, (*path, k), pos, sm)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _set_positions(v, (*path, i), pos, sm)


def assign(data: dict, sm: SourceMap, dotted: str, value: Any, pos: Position) -> str | None:
    """Set ``dotted`` (``water.groups.0.count``) to ``value`` in the raw scenario ``data``, recording ``pos``
    as where it was written. Every component but the last must exist. Returns an error message or None."""
    node: Any = data
    path: tuple[Any, ...] = ()
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        where = f"'{format_path(path)}'" if path else "the top level"
        if isinstance(node, dict):
            key: Any = part
            if part not in node:
                key = next((k for k in node if str(k) == part), part)
            if key not in node and not last:
                close = difflib.get_close_matches(part, [str(k) for k in node], n=3, cutoff=0.6)
                hint = ("; did you mean " + " or ".join(f"'{c}'" for c in close) + "?") if close else ""
                return f"no key '{part}' in {where} of the scenario{hint}"
        elif isinstance(node, list):
            try:
                key = int(part)
            except ValueError:
                return f"{where} is a list; '{part}' is not an integer index"
            if not 0 <= key < len(node):
                return f"index {key} is out of range for {where}, which has {len(node)} item(s)"
        else:
            return f"{where} is not a mapping or a list; cannot set '{part}' in it"
        if last:
            node[key] = copy.deepcopy(value)
            sm.drop((*path, key))
            _set_positions(node[key], (*path, key), pos, sm)
        else:
            node = node[key]
            path = (*path, key)
    return None


def _pos(sm: SourceMap, path: tuple[Any, ...], file: str) -> Position:
    return sm.get(path) or sm.nearest(path)[1] or Position(file, None, None)


# ------------------------------------------------------------------------------------------- loading
MAX_PROBLEMS = 30


def _capped(problems: list[Problem]) -> list[Problem]:
    """At most ``MAX_PROBLEMS`` distinct problems (a random design can repeat one mistake many times)."""
    unique = list(dict.fromkeys(problems))
    if len(unique) <= MAX_PROBLEMS:
        return unique
    first = sorted(unique, key=Problem.sort_key)[:MAX_PROBLEMS]
    rest = len(unique) - MAX_PROBLEMS
    return [*first, Problem(first[-1].file, None, None, "", f"... and {rest} more problems like these")]


def _check_size(spec: SweepSpec, sm: SourceMap, display: str) -> None:
    """Refuse a study of more runs than the limit ``runs`` allows, before any point is made."""
    design = spec.design
    if design is None:
        points, where, what = 1, ("seeds", "replications"), "1 point"
    elif isinstance(design, GridDesign):
        points = math.prod(len(v) for v in design.parameters.values())
        where, what = ("design", "parameters"), f"{points:,} grid points"
    else:
        points, where, what = design.samples, ("design", "samples"), f"{design.samples:,} samples"
    runs = points * spec.seeds.replications
    try:
        work.check_runs(runs, f"{what} × {spec.seeds.replications:,} replications")
    except work.WorkLimitError as exc:
        at = ("seeds", "replications") if spec.seeds.replications > points else where
        pos = _pos(sm, at, display)
        raise ScenarioError(Problem(pos.file, pos.line, pos.col, format_path(at), str(exc))) from None


def scenario_file(spec_scenario: str, sm: SourceMap, path: str | Path) -> Path:
    """The scenario file a study file names in ``scenario:`` (relative to ``path``), held to the rules of
    ``extends:`` (a .yaml/.yml file under the allowed folders); a located ScenarioError otherwise."""
    display = str(path)
    where = _pos(sm, ("scenario",), display)
    found, shown, why = resolve_reference(spec_scenario, where.file, allowed_roots(path))
    if found is None or not found.is_file():
        why = why or (f"scenario file not found: {shown}" if not found.exists()
                      else f"not a regular file: {shown}")
        raise ScenarioError(Problem(where.file, where.line, where.col, "scenario", why))
    return found


def base_data(scenario_path: Path, settings: dict[str, Any], sm: SourceMap, display: str,
              field: str = "set") -> tuple[dict, SourceMap]:
    """The raw data of ``scenario_path`` with the study file's ``set:`` overrides applied (each located at
    its place in the study file; ``field`` names that mapping in messages)."""
    base, base_sm = load_raw(scenario_path)
    problems: list[Problem] = []
    for key, value in settings.items():
        pos = _pos(sm, (field, key), display)
        msg = assign(base, base_sm, key, value, pos)
        if msg:
            problems.append(Problem(pos.file, pos.line, pos.col, f"{field}.{key}", msg))
    if problems:
        raise ScenarioError(problems)
    return base, base_sm


def point_scenarios(base: dict, base_sm: SourceMap, points: Sequence[Point], sm: SourceMap, display: str,
                    scenario_path: Path, *, field: str = "design.parameters",
                    unassigned: frozenset[str] = frozenset()) -> list[Scenario]:
    """The validated scenario of every point: ``base`` with the point's values set (paths of
    ``unassigned`` are recorded but set nothing — a sensitivity design's dummy parameter). Every problem of
    every point is collected and raised at once, located in the study file (a value at the value, a path
    that is not in the scenario at the parameter's key, ``field`` naming the parameters' mapping)."""
    problems: list[Problem] = []
    context = {CONTEXT_KEY: scenario_path.parent}
    scenarios: list[Scenario] = []
    key_path = tuple(field.split("."))
    for point in points:
        data = copy.deepcopy(base)
        point_sm = SourceMap(dict(base_sm.items()))
        bad = False
        for name, value in point.values.items():
            if name in unassigned:
                continue
            pos = _pos(sm, point.source[name], display)
            msg = assign(data, point_sm, name, value, pos)
            if msg:
                key_pos = _pos(sm, (*key_path, name), display).at_key()
                problems.append(Problem(key_pos.file, key_pos.line, key_pos.col, f"{field}.{name}", msg))
                bad = True
        if bad:
            continue
        try:
            scenario = validate(data, point_sm, Scenario, context=context)
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        over = work.problems(scenario)
        if over:
            problems.extend(point_sm.problem(loc, message) for loc, message in over)
        scenarios.append(scenario)
    if problems:
        raise ScenarioError(_capped(problems))
    return scenarios


def load_sweep(path: str | Path, overrides: Sequence[str] = ()) -> Study:
    """Load and validate a sweep file and every scenario it makes; the study to run.

    ``overrides`` change the sweep file itself (``seeds.replications=2``). Raises
    :class:`~rights_market.scenario.ScenarioError` with every problem found, each located.
    """
    raw, sm = load_raw(path, overrides)
    spec = validate(raw, sm, SweepSpec)
    display = str(path)
    scenario_path = scenario_file(spec.scenario, sm, path)
    base, base_sm = base_data(scenario_path, spec.set, sm, display)
    _check_size(spec, sm, display)

    if spec.design is None:
        points = [Point(0, {}, {})]
    elif isinstance(spec.design, GridDesign):
        points = grid_points(spec.design.parameters, ("design", "parameters"))
    else:
        points = random_points(spec.design.parameters, spec.design.samples, spec.design.seed,
                               ("design", "parameters"))
    scenarios = point_scenarios(base, base_sm, points, sm, display, scenario_path)
    base_seed = spec.seeds.base if spec.seeds.base is not None else scenarios[0].seed
    keep = tuple(spec.keep_tables) if spec.keep_tables is not None else None
    return build_study(spec.name, "sweep", points, scenarios, base_seed, spec.seeds.replications, keep,
                       spec=spec.model_dump(mode="json"))
