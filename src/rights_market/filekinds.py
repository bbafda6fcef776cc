"""The kinds of YAML file the project reads, told apart by their top-level keys; their JSON Schema.

* **classroom** — a live classroom market (``classroom:`` section, :class:`~.classroom.settings.ClassroomScenario`);
* **sweep** — a study over a scenario (``scenario:``, ``design:``, ``seeds:``, ``set:``, ``keep_tables:``,
  :class:`~.sweep.spec.SweepSpec`);
* **scenario** — everything else: a simulation scenario (:class:`~.scenario.model.Scenario`).

``rights-market validate`` routes a file by :func:`kind_of_file`; ``rights-market schema`` prints
:func:`schema` — one schema for all three kinds, switched by the same keys (``--kind`` for one kind alone) —
so every file under ``scenarios/`` passes it as written (``extends:`` and partial files included, see
:mod:`.scenario.schemas`).
"""

from __future__ import annotations

from typing import Any

from .classroom.settings import ClassroomScenario
from .scenario.model import Scenario
from .scenario.schemas import FileKind, file_schema, kind_of
from .sweep.spec import SweepSpec

#: In the order the schema's root tests them; the last, without keys, is the kind of every other file.
KINDS: tuple[FileKind, ...] = (
    FileKind("classroom", ClassroomScenario, ("classroom",)),
    FileKind("sweep", SweepSpec, ("scenario", "design", "seeds", "set", "keep_tables")),
    FileKind("scenario", Scenario),
)
KIND_NAMES: tuple[str, ...] = tuple(k.name for k in KINDS)

_TITLES = {
    "all": "rights-market file (scenario, classroom or sweep)",
    "scenario": "rights-market scenario",
    "classroom": "rights-market classroom",
    "sweep": "rights-market sweep",
}


def kind_of_file(raw: Any) -> str:
    """``classroom``, ``sweep`` or ``scenario``: the kind of a file whose top-level mapping is ``raw``."""
    return kind_of(raw, KINDS).name


def schema(kind: str = "all") -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of files of ``kind`` (``all`` or one of :data:`KIND_NAMES`), as written."""
    if kind == "all":
        kinds = KINDS
    elif kind in KIND_NAMES:
        kinds = (FileKind(kind, next(k.model for k in KINDS if k.name == kind)),)
    else:
        raise ValueError(f"unknown kind of file {kind!r}; expected all or one of {', '.join(KIND_NAMES)}")
    description = ("Files with a classroom: section are classroom files, files with scenario:, design:, seeds:, "
                   "set: or keep_tables: sweep files, all others scenario files. A file with extends: names only "
                   "what it changes in its base." if kind == "all" else
                   "A file with extends: names only what it changes in its base.")
    return file_schema(kinds, title=_TITLES[kind], description=description)


__all__ = ["KINDS", "KIND_NAMES", "kind_of_file", "schema"]
