"""Sensitivity design files: which scenario parameters to vary over which ranges, by which method, and
which indicators (KPI columns of the runs) to explain.

Example (``scenarios/sweeps/water_sensitivity.yaml``)::

    name: water_sensitivity
    scenario: ../dawukou_water.yaml        # relative to this file
    set: {calendar.years: 2}               # applied to every run, like --set
    method: {type: morris, trajectories: 4, levels: 4, seed: 17}   # or {type: sobol, n: 256}
    parameters:                            # dotted scenario paths, as in sweeps; each with its range
      water.economics.expectation_weight: {low: 0.2, high: 0.8}
      water.groups.0.participation: {low: 0.1, high: 0.6, decimals: 2}
    dummy: true                            # add a parameter that sets nothing (the estimator's noise floor)
    outputs: [water.surcharge_revenue, water.mean_price]
    seeds: {replications: 1}
    bootstrap: {resamples: 1000, confidence: 0.95, seed: 0}

Parameters are uniform on ``[low, high]``; values are rounded to ``decimals`` places (4 by default), or to
whole numbers with ``integer: true``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from ..scenario.model import Strict
from ..sweep.spec import SeedsSpec, TableName, _check_paths

__all__ = ["DUMMY", "BootstrapSpec", "MorrisMethod", "ParamRange", "SensitivitySpec", "SobolMethod"]

#: Name of the dummy parameter (``dummy: true``): sampled like the others, set nowhere in the scenario.
DUMMY = "dummy"


class ParamRange(Strict):
    """A parameter's range: uniform on [low, high] (high > low), values rounded to ``decimals`` places or,
    with ``integer``, to whole numbers."""

    low: float
    high: float
    decimals: int | None = Field(4, ge=0, le=12)
    integer: bool = False

    @model_validator(mode="after")
    def _order(self) -> ParamRange:
        if not self.high > self.low:
            raise ValueError("high must be greater than low")
        return self

    def value(self, x: float) -> float | int:
        """``x`` as the scenario gets it (rounded)."""
        if self.integer:
            return int(round(x))
        return float(round(float(x), self.decimals)) if self.decimals is not None else float(x)


class MorrisMethod(Strict):
    """Morris elementary effects: ``trajectories`` one-at-a-time paths through a grid of ``levels`` levels
    (even; 4 is usual), drawn from ``seed``. Runs: trajectories × (parameters + 1) × replications."""

    type: Literal["morris"]
    trajectories: int = Field(ge=2, le=10_000)
    levels: int = Field(4, ge=2, le=100)
    seed: int = Field(0, ge=0)

    @field_validator("levels")
    @classmethod
    def _even(cls, v: int) -> int:
        if v % 2:
            raise ValueError("levels must be even (an odd number of levels biases the Morris sample)")
        return v


class SobolMethod(Strict):
    """Sobol indices by Saltelli's scheme: ``n`` base samples (a power of 2) of a Sobol sequence, unscrambled
    by default (the classic, seed-free scheme) or scrambled from ``seed``. Runs: n × (parameters + 2) ×
    replications, or n × (2 × parameters + 2) with ``second_order``."""

    type: Literal["sobol"]
    n: int = Field(ge=2, le=1_048_576)
    second_order: bool = False
    scramble: bool = False
    seed: int = Field(0, ge=0)

    @field_validator("n")
    @classmethod
    def _power_of_two(cls, v: int) -> int:
        if v & (v - 1):
            lower = 1 << (v.bit_length() - 1)
            raise ValueError(f"n must be a power of 2 (the Sobol sequence is balanced only then), e.g. "
                             f"{lower} or {lower * 2}")
        return v


Method = Annotated[MorrisMethod | SobolMethod, Field(discriminator="type")]


class BootstrapSpec(Strict):
    """Confidence intervals of the indices: ``resamples`` bootstrap resamples from ``seed``, at level
    ``confidence``."""

    resamples: int = Field(1000, ge=10, le=100_000)
    confidence: float = Field(0.95, gt=0, lt=1)
    seed: int = Field(0, ge=0)


class SensitivitySpec(Strict):
    """A sensitivity design file."""

    name: str = Field(pattern=r"^[A-Za-z0-9_\-.]+$")
    description: str = ""
    scenario: str = Field(min_length=1, description="scenario file, relative to this file")
    set: dict[str, Any] = Field(default_factory=dict, description="overrides applied to every run")
    method: Method
    parameters: dict[str, ParamRange] = Field(min_length=1, description="dotted scenario path: range")
    dummy: bool = Field(False, description="add a parameter that sets nothing in the scenario")
    outputs: list[str] = Field(min_length=1, description="KPI columns to explain, e.g. water.mean_price")
    seeds: SeedsSpec = Field(default_factory=SeedsSpec)
    bootstrap: BootstrapSpec = Field(default_factory=BootstrapSpec)
    keep_tables: list[TableName] | None = Field(
        None, description="tables stored per run (default all); kpis is always kept"
    )

    @field_validator("set")
    @classmethod
    def _set_paths(cls, v: dict[str, Any]) -> dict[str, Any]:
        return _check_paths(v)

    @field_validator("parameters")
    @classmethod
    def _param_paths(cls, v: dict[str, ParamRange]) -> dict[str, ParamRange]:
        if DUMMY in v:
            raise ValueError(f"'{DUMMY}' is the name of the dummy parameter; use dummy: true instead")
        return _check_paths(v)

    @field_validator("outputs")
    @classmethod
    def _outputs(cls, v: list[str]) -> list[str]:
        for name in v:
            if len(name.split(".")) not in (2, 3) or any(not p for p in name.split(".")):
                raise ValueError(f"output {name!r} is not a KPI column such as water.mean_price or "
                                 f"water.reserve_stock.last")
        if len(set(v)) != len(v):
            raise ValueError("an output is listed twice")
        return v

    def names(self) -> list[str]:
        """The parameters in design order, the dummy last."""
        return [*self.parameters, *([DUMMY] if self.dummy else [])]

    def ranges(self) -> dict[str, ParamRange]:
        """The range of every parameter (the dummy's is [0, 1])."""
        out = dict(self.parameters)
        if self.dummy:
            out[DUMMY] = ParamRange(low=0.0, high=1.0)
        return out

    def runs(self) -> int:
        """How many runs the design makes."""
        k = len(self.names())
        m = self.method
        if isinstance(m, MorrisMethod):
            points = m.trajectories * (k + 1)
        else:
            points = m.n * (2 * k + 2 if m.second_order else k + 2)
        return points * self.seeds.replications
