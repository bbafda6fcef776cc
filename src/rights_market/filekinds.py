"""The kinds of YAML file the project reads, told apart by their top-level keys; their JSON Schema.

* **classroom** — a live classroom market (``classroom:`` section, :class:`~.classroom.settings.ClassroomScenario`);
* **calibration** — parameters fitted to observed figures (``targets:``,
  :class:`~.sweep.research_spec.CalibrationSpec`; ``rights-market calibrate``);
* **optimisation** — parameters that meet constraints at the least burden (``objectives:`` or ``constraints:``,
  :class:`~.sweep.research_spec.OptimisationSpec`; ``rights-market optimise``);
* **sensitivity** — a Morris or Sobol design (``method:``, ``outputs:``, ``dummy:`` or ``bootstrap:``,
  :class:`~.sensitivity.spec.SensitivitySpec`; ``rights-market sensitivity``);
* **sweep** — a study over a scenario (``scenario:``, ``design:``, ``seeds:``, ``set:``, ``keep_tables:``,
  :class:`~.sweep.spec.SweepSpec`);
* **scenario** — everything else: a simulation scenario (:class:`~.scenario.model.Scenario`).

The first kind whose keys a file holds is its kind, in that order. The studies of a scenario (calibration,
optimisation, sensitivity, sweep) all hold ``scenario:`` and most ``seeds:`` and ``set:``, so each of the
first three is marked by keys only it has (``parameters:`` and ``search:`` are shared and mark nothing) and
is tested before the sweep, whose keys are the catch-all of a study.

``rights-market validate`` routes a file by :func:`kind_of_file`; ``rights-market schema`` prints
:func:`schema` — one schema for all kinds, switched by the same keys (``--kind`` for one kind alone) —
so every file under ``scenarios/`` passes it as written (``extends:`` and partial files included, see
:mod:`.scenario.schemas`). This module imports only the files' models, never the machinery that runs them.
"""

from __future__ import annotations

from typing import Any

from .classroom.settings import ClassroomScenario
from .scenario.model import Scenario
from .scenario.schemas import FileKind, file_schema, kind_of
from .sensitivity.spec import SensitivitySpec
from .sweep.research_spec import CalibrationSpec, OptimisationSpec
from .sweep.spec import SweepSpec

#: In the order the schema's root tests them; the last, without keys, is the kind of every other file.
KINDS: tuple[FileKind, ...] = (
    FileKind("classroom", ClassroomScenario, ("classroom",)),
    FileKind("calibration", CalibrationSpec, ("targets",)),
    FileKind("optimisation", OptimisationSpec, ("objectives", "constraints")),
    FileKind("sensitivity", SensitivitySpec, ("method", "outputs", "dummy", "bootstrap")),
    FileKind("sweep", SweepSpec, ("scenario", "design", "seeds", "set", "keep_tables")),
    FileKind("scenario", Scenario),
)
KIND_NAMES: tuple[str, ...] = tuple(k.name for k in KINDS)

_TITLES = {
    "all": "rights-market file (scenario, classroom, calibration, optimisation, sensitivity or sweep)",
    "scenario": "rights-market scenario",
    "classroom": "rights-market classroom",
    "calibration": "rights-market calibration",
    "optimisation": "rights-market optimisation",
    "sensitivity": "rights-market sensitivity design",
    "sweep": "rights-market sweep",
}


def _rule() -> str:
    """The rule of :func:`kind_of_file`, in words, from :data:`KINDS`."""
    parts = [f"files with {' or '.join(k + ':' for k in kind.keys)} are {kind.name} files"
             for kind in KINDS if kind.keys]
    return "In this order: " + "; ".join(parts) + f"; all others are {KINDS[-1].name} files."


def kind_of_file(raw: Any) -> str:
    """One of :data:`KIND_NAMES`: the kind of a file whose top-level mapping is ``raw``."""
    return kind_of(raw, KINDS).name


def schema(kind: str = "all") -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of files of ``kind`` (``all`` or one of :data:`KIND_NAMES`), as written."""
    if kind == "all":
        kinds = KINDS
    elif kind in KIND_NAMES:
        kinds = (FileKind(kind, next(k.model for k in KINDS if k.name == kind)),)
    else:
        raise ValueError(f"unknown kind of file {kind!r}; expected all or one of {', '.join(KIND_NAMES)}")
    partial = "A file with extends: names only what it changes in its base."
    description = (_rule() + " " + partial) if kind == "all" else partial
    return file_schema(kinds, title=_TITLES[kind], description=description)


__all__ = ["KINDS", "KIND_NAMES", "kind_of_file", "schema"]
