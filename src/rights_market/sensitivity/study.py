"""Loading a sensitivity design file into a study: the list of runs the sweep machinery executes.

A sensitivity study is a sweep study (:class:`rights_market.sweep.Study`, kind ``"sensitivity"``) whose
points are the rows of the SALib matrix; ``study.json`` records the design (``spec``) so that the indices
can be computed again from the store alone. Every problem is located in the design file (exit code 2 in
the CLI): the file's own fields, a parameter path the scenario lacks, a value the scenario refuses, an
output that is not a KPI.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import work
from ..report.labels import Labels
from ..scenario.errors import Problem, ScenarioError
from ..scenario.loader import format_path, load_raw, validate
from ..sweep.spec import _pos, base_data, point_scenarios, scenario_file
from ..sweep.study import Study, build_study
from .design import level_problems, sample, to_points
from .spec import DUMMY, SensitivitySpec

__all__ = ["SensitivityStudy", "load_design", "output_problem"]


@dataclass(frozen=True)
class SensitivityStudy:
    """A loaded design: the validated file, its matrix (row i = point i) and the study of its runs."""

    spec: SensitivitySpec
    matrix: np.ndarray
    study: Study


def output_problem(name: str, known: Sequence[str] = ()) -> str | None:
    """Why ``name`` is not a KPI column (None if it is one). ``known``: the KPI columns of the runs, when
    they exist; before any run, the rights and metrics of the label catalogue (every metric the simulator
    writes has one) are the reference."""
    if known:
        if name in known:
            return None
        close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
        hint = ("; did you mean " + " or ".join(f"'{c}'" for c in close) + "?") if close else ""
        return f"no KPI '{name}' in the runs{hint} (KPI columns: docs/sweeps.md, metrics: docs/tables.md)"
    L = Labels("en")
    parts = name.split(".")
    right, metric = parts[0], parts[1]
    if len(parts) == 3 and parts[2] != "last":
        return f"'{name}': a KPI column is <right>.<metric> or <right>.<metric>.last"
    if L.right(right) == right:
        return f"'{right}' in '{name}' is not a right (water, land, emission, forest, fiscal)"
    if L.metric(metric) == metric:
        return f"'{metric}' in '{name}' is not a metric the simulator writes (metrics: docs/tables.md)"
    return None


def load_design(path: str | Path, overrides: Sequence[str] = ()) -> SensitivityStudy:
    """Load and validate a design file and every scenario it makes; the study to run.

    ``overrides`` change the design file itself (``method.trajectories=2``). Raises
    :class:`~rights_market.scenario.ScenarioError` with every problem found, each located."""
    raw, sm = load_raw(path, overrides)
    spec = validate(raw, sm, SensitivitySpec)
    display = str(path)
    problems: list[Problem] = []
    for name, message in level_problems(spec):
        pos = _pos(sm, ("parameters", name) if name != DUMMY else ("dummy",), display)
        problems.append(Problem(pos.file, pos.line, pos.col, f"parameters.{name}", message))
    for i, name in enumerate(spec.outputs):
        why = output_problem(name)
        if why:
            pos = _pos(sm, ("outputs", i), display)
            problems.append(Problem(pos.file, pos.line, pos.col, format_path(("outputs", i)), why))
    if problems:
        raise ScenarioError(problems)
    runs = spec.runs()
    try:
        work.check_runs(runs, f"a {spec.method.type} design of {len(spec.names())} parameters × "
                              f"{spec.seeds.replications:,} replications")
    except work.WorkLimitError as exc:
        pos = _pos(sm, ("method",), display)
        raise ScenarioError(Problem(pos.file, pos.line, pos.col, "method", str(exc))) from None

    scenario_path = scenario_file(spec.scenario, sm, path)
    base, base_sm = base_data(scenario_path, spec.set, sm, display)
    matrix = sample(spec)
    points = to_points(spec, matrix)
    scenarios = point_scenarios(base, base_sm, points, sm, display, scenario_path, field="parameters",
                                unassigned=frozenset({DUMMY}))
    base_seed = spec.seeds.base if spec.seeds.base is not None else scenarios[0].seed
    keep = tuple(spec.keep_tables) if spec.keep_tables is not None else None
    study = build_study(spec.name, "sensitivity", points, scenarios, base_seed, spec.seeds.replications, keep,
                        spec=spec.model_dump(mode="json"))
    return SensitivityStudy(spec, matrix, study)
