"""The files of calibration and optimisation: their models, the scenario they change, their loaders.

Light on purpose (no pandas, Dask, Optuna or engine): ``validate`` and ``schema`` read these files through
this module (:mod:`rights_market.filekinds`); running a calibration or an optimisation
(:mod:`.calibrate`, :mod:`.optimise`, :mod:`.research`) imports the heavy machinery. Metrics are described
in :mod:`.research`.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from ..scenario.errors import Problem, ScenarioError
from ..scenario.loader import (
    SourceMap,
    allowed_roots,
    format_path,
    load_raw,
    resolve_reference,
    validate,
)
from ..scenario.model import Scenario, Strict
from ..scenario.tables_input import CONTEXT_KEY

__all__ = ["Base", "Calibration", "CalibrationSpec", "ConstraintSpec", "FloatRange", "IntRange", "MetricSpec",
           "ObjectiveSpec", "Optimisation", "OptimisationSpec", "Range", "SearchSpec", "TrialSeedsSpec", "TargetSpec",
           "load_calibration", "load_optimisation"]


class FloatRange(Strict):
    """A real parameter on [low, high]; values rounded to ``decimals`` places, or on a grid of ``step``."""

    type: Literal["float"] = "float"
    low: float
    high: float
    step: float | None = Field(None, gt=0)
    decimals: int = Field(4, ge=0, le=10)
    also: list[str] = Field(default_factory=list, description="more paths that take the same value")

    @model_validator(mode="after")
    def _order(self) -> FloatRange:
        if not self.high > self.low:
            raise ValueError("high must be greater than low")
        if self.step is not None:
            n = (self.high - self.low) / self.step
            if abs(n - round(n)) > 1e-9:
                raise ValueError("high - low must be a whole number of steps")
        return self

    def distribution(self) -> Any:
        import optuna

        return optuna.distributions.FloatDistribution(self.low, self.high, step=self.step)

    def value(self, raw: float) -> float:
        if self.step is not None:
            raw = self.low + round((raw - self.low) / self.step) * self.step
        return float(min(self.high, max(self.low, round(float(raw), self.decimals))))


class IntRange(Strict):
    """A whole-number parameter on [low, high] (both included), on a grid of ``step``."""

    type: Literal["int"]
    low: int
    high: int
    step: int = Field(1, ge=1)
    also: list[str] = Field(default_factory=list, description="more paths that take the same value")

    @model_validator(mode="after")
    def _order(self) -> IntRange:
        if not self.high > self.low:
            raise ValueError("high must be greater than low")
        return self

    def distribution(self) -> Any:
        import optuna

        return optuna.distributions.IntDistribution(self.low, self.high, step=self.step)

    def value(self, raw: float) -> int:
        return int(raw)


Range = FloatRange | IntRange


class MetricSpec(Strict):
    """What to measure in a run (see the module docstring)."""

    kpi: str | None = Field(None, pattern=r"^[A-Za-z0-9_]+\.[^\s]+$", description="right.metric")
    charges: list[str] | None = Field(None, min_length=1, description="charge kinds")
    param: str | None = None
    sector: str | None = None
    group: str | None = None
    field: Literal["amount", "quantity"] = "amount"
    year: int | None = None
    reduce: Literal["mean", "sum", "last"] = "mean"

    @model_validator(mode="after")
    def _one(self) -> MetricSpec:
        given = [k for k in ("kpi", "charges", "param") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of kpi (right.metric), charges (a list of kinds) or param")
        if self.kpi is None and self.reduce != "mean":
            raise ValueError("reduce is for kpi metrics only")
        return self

    def label(self) -> str:
        if self.kpi:
            return self.kpi + (f"[{self.year}]" if self.year is not None else
                               ("" if self.reduce == "mean" else f"[{self.reduce}]"))
        if self.param:
            return f"param.{self.param}"
        who = "/".join(x for x in (self.sector, self.group) if x) or "all"
        when = f"[{self.year}]" if self.year is not None else ""
        return f"charges.{'+'.join(self.charges or [])}.{self.field}({who}){when}"

    def tables(self) -> set[str]:
        return {"charges", "holders"} if self.charges else set()


class TrialSeedsSpec(Strict):
    """Replications of every trial, from ``base`` (the scenario's seed if omitted)."""

    base: int | None = Field(None, ge=0)
    replications: int = Field(1, ge=1, le=1000)


class SearchSpec(Strict):
    """How many trials, in batches of how many (fixed: the results do not depend on the workers), and the
    sampler's seed; the first ``startup_trials`` are drawn at random."""

    trials: int = Field(24, ge=1, le=10_000)
    batch_size: int = Field(4, ge=1, le=1000)
    seed: int = Field(0, ge=0)
    startup_trials: int = Field(8, ge=1)


# ------------------------------------------------------------------------------------------- scenario
@dataclass
class Base:
    """The scenario of a calibration or optimisation file, with its ``set:`` applied; makes trial scenarios."""

    path: Path
    raw: dict
    sm: SourceMap
    file_sm: SourceMap
    display: str

    @classmethod
    def load(cls, display: str, file_sm: SourceMap, scenario: str, sets: dict[str, Any]) -> Base:
        from .spec import _pos, assign

        where = _pos(file_sm, ("scenario",), display)
        found, shown, why = resolve_reference(scenario, where.file, allowed_roots(display))
        if found is None or not found.is_file():
            why = why or (f"scenario file not found: {shown}" if not found.exists()
                          else f"not a regular file: {shown}")
            raise ScenarioError(Problem(where.file, where.line, where.col, "scenario", why))
        raw, sm = load_raw(found)
        problems = []
        for key, value in sets.items():
            pos = _pos(file_sm, ("set", key), display)
            msg = assign(raw, sm, key, value, pos)
            if msg:
                problems.append(Problem(pos.file, pos.line, pos.col, f"set.{key}", msg))
        if problems:
            raise ScenarioError(problems)
        return cls(found, raw, sm, file_sm, display)

    def trial(self, parameters: dict[str, Range], values: dict[str, Any]) -> Scenario:
        """The scenario of a trial: each parameter's value written at its path and its ``also`` paths."""
        full, source = {}, {}
        for name, value in values.items():
            for path in (name, *parameters[name].also):
                full[path], source[path] = value, ("parameters", name, "low")
        return self.scenario(full, source)

    def scenario(self, values: dict[str, Any], source: dict[str, tuple[Any, ...]]) -> Scenario:
        """The validated scenario with ``values`` set; ``source`` locates each value in the file for errors."""
        from .spec import _pos, assign

        data = copy.deepcopy(self.raw)
        sm = SourceMap(dict(self.sm.items()))
        problems = []
        for name, value in values.items():
            pos = _pos(self.file_sm, source[name], self.display)
            msg = assign(data, sm, name, value, pos)
            if msg:
                key = _pos(self.file_sm, source[name][:-1], self.display).at_key()
                problems.append(Problem(key.file, key.line, key.col, format_path(source[name][:-1]), msg))
        if problems:
            raise ScenarioError(problems)
        return validate(data, sm, Scenario, context={CONTEXT_KEY: self.path.parent})

    def check_ranges(self, parameters: dict[str, Range]) -> None:
        """Refuse (located) a parameter path not in the scenario or a bound the scenario does not accept."""
        problems: list[Problem] = []
        for name, rng in parameters.items():
            for end in ("low", "high"):
                v = rng.value(getattr(rng, end))
                try:
                    self.scenario({p: v for p in (name, *rng.also)},
                                  {p: ("parameters", name, end) for p in (name, *rng.also)})
                except ScenarioError as exc:
                    problems.extend(exc.problems)
        if problems:
            raise ScenarioError(list(dict.fromkeys(problems)))

    def default(self) -> Scenario:
        return validate(copy.deepcopy(self.raw), SourceMap(dict(self.sm.items())), Scenario,
                        context={CONTEXT_KEY: self.path.parent})


# ---------------------------------------------------------------------------------------- calibration
class TargetSpec(Strict):
    """An observed figure: what to measure, the published value, the tolerance of a good fit, the source."""

    name: str = Field(pattern=r"^[A-Za-z0-9_\-.]+$")
    metric: MetricSpec
    observed: float
    tolerance: float = Field(gt=0, description="same unit as observed")
    source: str = Field(min_length=3, description="where the figure was published")


class CalibrationSpec(Strict):
    """A calibration file."""

    name: str = Field(pattern=r"^[A-Za-z0-9_\-.]+$")
    description: str = ""
    scenario: str = Field(min_length=1)
    set: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, FloatRange | IntRange] = Field(min_length=1)
    targets: list[TargetSpec] = Field(min_length=1)
    seeds: TrialSeedsSpec = Field(default_factory=TrialSeedsSpec)
    search: SearchSpec = Field(default_factory=SearchSpec)

    @field_validator("targets")
    @classmethod
    def _unique(cls, v: list[TargetSpec]) -> list[TargetSpec]:
        names = [t.name for t in v]
        if len(set(names)) != len(names):
            raise ValueError("target names must be unique")
        return v


@dataclass(frozen=True)
class Calibration:
    spec: CalibrationSpec
    base: Base
    path: Path


def _load_search(path: str | Path, overrides: Sequence[str], model: type[Strict]) -> tuple[Any, Base]:
    """A calibration or optimisation file as ``model`` and its base scenario, every parameter range checked
    against it (located errors, :class:`~rights_market.scenario.ScenarioError`)."""
    raw, sm = load_raw(path, overrides)
    spec = validate(raw, sm, model)
    base = Base.load(str(path), sm, spec.scenario, spec.set)
    base.check_ranges(spec.parameters)
    return spec, base


def load_calibration(path: str | Path, overrides: Sequence[str] = ()) -> Calibration:
    """Load and check a calibration file (located errors, :class:`~rights_market.scenario.ScenarioError`)."""
    return Calibration(*_load_search(path, overrides, CalibrationSpec), Path(path))


# --------------------------------------------------------------------------------------- optimisation
class ConstraintSpec(Strict):
    """``metric`` at most / at least a value, or a share of the baseline's value."""

    name: str = Field("", pattern=r"^[A-Za-z0-9_\-.]*$")
    metric: MetricSpec
    at_most: float | None = None
    at_least: float | None = None
    at_most_share_of_baseline: float | None = Field(None, ge=0)
    at_least_share_of_baseline: float | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _one(self) -> ConstraintSpec:
        given = [k for k in ("at_most", "at_least", "at_most_share_of_baseline", "at_least_share_of_baseline")
                 if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of at_most, at_least, at_most_share_of_baseline, "
                             "at_least_share_of_baseline")
        return self

    def bound(self, baseline: dict[str, float]) -> tuple[str, float]:
        """``("<=" or ">=", the bound)``."""
        b = baseline.get(self.metric.label(), math.nan)
        if self.at_most is not None:
            return "<=", self.at_most
        if self.at_least is not None:
            return ">=", self.at_least
        if self.at_most_share_of_baseline is not None:
            return "<=", self.at_most_share_of_baseline * b
        return ">=", (self.at_least_share_of_baseline or 0.0) * b

    def violation(self, value: float, baseline: dict[str, float]) -> float:
        """0 when met; else how far off, relative to the bound (at least 1e-9)."""
        op, bound = self.bound(baseline)
        if math.isnan(value):
            return 1.0
        gap = value - bound if op == "<=" else bound - value
        return 0.0 if gap <= 0 else max(gap / max(abs(bound), 1e-9), 1e-9)


class ObjectiveSpec(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_\-.]+$")
    metric: MetricSpec
    direction: Literal["minimize", "maximize"] = "minimize"


class OptimisationSpec(Strict):
    """An optimisation file."""

    name: str = Field(pattern=r"^[A-Za-z0-9_\-.]+$")
    description: str = ""
    scenario: str = Field(min_length=1)
    set: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, FloatRange | IntRange] = Field(min_length=1)
    constraints: list[ConstraintSpec] = Field(default_factory=list)
    objectives: list[ObjectiveSpec] = Field(min_length=1, max_length=2)
    seeds: TrialSeedsSpec = Field(default_factory=TrialSeedsSpec)
    search: SearchSpec = Field(default_factory=SearchSpec)


@dataclass(frozen=True)
class Optimisation:
    spec: OptimisationSpec
    base: Base
    path: Path


def load_optimisation(path: str | Path, overrides: Sequence[str] = ()) -> Optimisation:
    """Load and check an optimisation file (located errors)."""
    return Optimisation(*_load_search(path, overrides, OptimisationSpec), Path(path))
