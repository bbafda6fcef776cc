"""A study: the list of runs (scenario × seed) a sweep or a set of replications consists of.

Run ids are ``p<point>-r<replication>`` with fixed widths (``p0003-r01``); every point uses the same seeds
(common random numbers, :mod:`rights_market.sweep.seeds`). A study is what a store records in
``study.json`` and checks when it is resumed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import __version__
from ..results import TABLE_FILES, resolved_dict, scenario_hash
from ..scenario.model import Scenario
from ..work import check_runs
from .design import Point, column_types, param_column, typed_value
from .runs import RunTask, design_hash
from .seeds import replication_seeds

__all__ = ["Study", "build_study", "replication_study"]


@dataclass(frozen=True)
class Study:
    """Everything needed to run and to record a study."""

    name: str
    kind: str  # "sweep" or "replications"
    tasks: list[RunTask]
    points: list[dict[str, Any]]  # {"point", "params", "scenario_name", "scenario_hash"}
    param_types: dict[str, str]
    base_seed: int
    replications: int
    keep: tuple[str, ...]
    spec: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """What ``study.json`` holds."""
        runs = [
            {"run_id": t.run_id, "point": t.point, "replication": t.replication, "seed": t.seed,
             "scenario_hash": t.scenario_hash}
            for t in self.tasks
        ]
        return {
            "kind": self.kind,
            "name": self.name,
            "package_version": __version__,
            "design_hash": design_hash(runs, list(self.keep)),
            "base_seed": self.base_seed,
            "replications": self.replications,
            "parameters": list(self.param_types),
            "param_types": self.param_types,
            "keep_tables": list(self.keep),
            "spec": self.spec,
            "points": self.points,
            "runs": runs,
        }


def _width(n: int, minimum: int) -> int:
    return max(minimum, len(str(max(n - 1, 0))))


def build_study(
    name: str,
    kind: str,
    points: list[Point],
    scenarios: list[Scenario],
    base_seed: int,
    replications: int,
    keep: tuple[str, ...] | None = None,
    spec: dict[str, Any] | None = None,
) -> Study:
    """The runs of ``points`` (with their validated ``scenarios``) × ``replications`` seeds of ``base_seed``.

    Raises :class:`~rights_market.work.WorkLimitError` before building anything if that is more runs than the
    limit ``runs`` in force allows."""
    check_runs(len(points) * replications, f"{len(points):,} scenario(s) × {replications:,} replications")
    keep_t = tuple(t for t in TABLE_FILES if keep is None or t in keep or t == "kpis")
    types = column_types(points)
    seeds = replication_seeds(base_seed, replications)
    wp, wr = _width(len(points), 4), _width(replications, 2)
    tasks: list[RunTask] = []
    point_rows: list[dict[str, Any]] = []
    for point, scenario in zip(points, scenarios, strict=True):
        data = resolved_dict(scenario)
        h = scenario_hash(scenario)
        params = {param_column(k): typed_value(v, types[param_column(k)]) for k, v in point.values.items()}
        point_rows.append({"point": point.index, "params": params, "scenario_name": scenario.name,
                           "scenario_hash": h})
        for r, seed in enumerate(seeds):
            tasks.append(RunTask(
                run_id=f"p{point.index:0{wp}d}-r{r:0{wr}d}", point=point.index, replication=r, seed=seed,
                scenario=data, scenario_hash=h, params=params, param_types=types, keep=keep_t,
            ))
    return Study(name, kind, tasks, point_rows, types, base_seed, replications, keep_t, spec or {})


def replication_study(scenario: Scenario, replications: int, base_seed: int | None = None,
                      keep: tuple[str, ...] | None = None) -> Study:
    """``replications`` runs of one scenario (base seed: the scenario's seed unless given)."""
    base = scenario.seed if base_seed is None else int(base_seed)
    return build_study(scenario.name, "replications", [Point(0, {}, {})], [scenario], base, replications, keep)
