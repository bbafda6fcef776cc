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

from functools import cache
from typing import Any

from .scenario.schemas import FileKind, file_schema, kind_of

#: Each kind with the top-level keys that mark it, in the order the schema's root tests them; the last,
#: without keys, is the kind of every other file. Telling a file's kind needs no model: ``validate`` loads
#: only the model of the file's own kind (:func:`kinds` loads them all, for the schema).
KIND_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("classroom", ("classroom",)),
    ("calibration", ("targets",)),
    ("optimisation", ("objectives", "constraints")),
    ("sensitivity", ("method", "outputs", "dummy", "bootstrap")),
    ("sweep", ("scenario", "design", "seeds", "set", "keep_tables")),
    ("scenario", ()),
)
KIND_NAMES: tuple[str, ...] = tuple(name for name, _ in KIND_KEYS)


@cache
def kinds() -> tuple[FileKind, ...]:
    """Every kind of file with its model, in the order of :data:`KIND_KEYS`."""
    from .classroom.settings import ClassroomScenario
    from .scenario.model import Scenario
    from .sensitivity.spec import SensitivitySpec
    from .sweep.research_spec import CalibrationSpec, OptimisationSpec
    from .sweep.spec import SweepSpec

    models = {"classroom": ClassroomScenario, "calibration": CalibrationSpec, "optimisation": OptimisationSpec,
              "sensitivity": SensitivitySpec, "sweep": SweepSpec, "scenario": Scenario}
    return tuple(FileKind(name, models[name], keys) for name, keys in KIND_KEYS)


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
    """The rule of :func:`kind_of_file`, in words, from :data:`KIND_KEYS`."""
    parts = [f"files with {' or '.join(k + ':' for k in keys)} are {name} files" for name, keys in KIND_KEYS if keys]
    return "In this order: " + "; ".join(parts) + f"; all others are {KIND_NAMES[-1]} files."


def kind_of_file(raw: Any) -> str:
    """One of :data:`KIND_NAMES`: the kind of a file whose top-level mapping is ``raw``."""
    return kind_of(raw, KIND_KEYS)


def schema(kind: str = "all") -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of files of ``kind`` (``all`` or one of :data:`KIND_NAMES`), as written."""
    if kind == "all":
        chosen = kinds()
    elif kind in KIND_NAMES:
        chosen = (FileKind(kind, next(k.model for k in kinds() if k.name == kind)),)
    else:
        raise ValueError(f"unknown kind of file {kind!r}; expected all or one of {', '.join(KIND_NAMES)}")
    partial = "A file with extends: names only what it changes in its base."
    description = (_rule() + " " + partial) if kind == "all" else partial
    return file_schema(chosen, title=_TITLES[kind], description=description)


__all__ = ["KIND_KEYS", "KIND_NAMES", "kind_of_file", "kinds", "schema"]
