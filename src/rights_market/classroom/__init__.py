"""The classroom: a trainer runs a live market in the browser; people trade beside robots.

Layers, each usable without the next:

* :mod:`.settings` — the ``classroom:`` scenario block (pydantic); :mod:`.values` — induced values of roles;
* :mod:`.engine` (with :mod:`.trading`, :mod:`.lots`, :mod:`.robots`) — the market on an explicit SimPy
  event queue, no web;
* :mod:`.session` — seats, identity by token, trainer controls, the event log and :func:`replay`;
* :mod:`.export` — the run directory (``results.write_run`` tables, extras, report);
* :mod:`.live` and :mod:`.server` — the wall clock, WebSockets (FastAPI/uvicorn) and the pages in ``static/``;
* :mod:`.command` — ``rights-market classroom``.

Usage from Python::

    from rights_market.classroom import load_classroom, ClassroomSession, replay, write_session
    session = ClassroomSession(load_classroom("scenarios/classroom/water_market.yaml"))
    smith = load_classroom("scenarios/teaching/smith1962_test1.yaml", people=4)   # 4 people, 18 robots
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .export import write_session
    from .session import ClassroomSession, SessionError, replay
    from .settings import ClassroomScenario

# Loaded on first use (PEP 562), so that ``rights-market --help`` and the other commands, which import
# :mod:`.command` to build their parser, do not load the classroom's engine, session and exports.
_LAZY = {"write_session": "export", "ClassroomSession": "session", "SessionError": "session",
         "replay": "session", "ClassroomScenario": "settings"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_classroom(path: str | Path, overrides: Sequence[str] = (), *,
                   people: int | None = None) -> ClassroomScenario:
    """Load and validate a classroom scenario file (errors located ``file:line:col``, as ScenarioError).

    A file with a ``teaching:`` section and no ``classroom:`` one is a teaching market: it is seated as a
    classroom by :func:`.teaching.classroom_from_teaching` (``people``: seats for people, the rest robots;
    default all). ``people`` is refused for a classroom file, whose seats say who plays them.
    """
    from ..inputerror import InputError
    from ..scenario.errors import ScenarioError
    from ..scenario.loader import apply_overrides, load_raw, validate
    from .settings import ClassroomScenario  # here too: the package may import it lazily
    from .teaching import classroom_from_teaching

    path = Path(path)
    raw, sm = load_raw(path)
    if "classroom" not in raw and isinstance(raw.get("teaching"), dict):
        return classroom_from_teaching(path, raw, sm, overrides, people)
    if people is not None:
        raise InputError(f"--people is for teaching markets; {path} is a classroom file, whose seats: say who "
                         "plays each role (--set classroom.seats.0.count=N)")
    problems = apply_overrides(raw, sm, overrides)
    if problems:
        raise ScenarioError(problems)
    return validate(raw, sm, ClassroomScenario)


__all__ = ["ClassroomScenario", "ClassroomSession", "SessionError", "load_classroom", "replay", "write_session"]
