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


def load_classroom(path: str | Path, overrides: Sequence[str] = ()) -> ClassroomScenario:
    """Load and validate a classroom scenario file (errors located ``file:line:col``, as ScenarioError)."""
    from ..scenario.loader import load_model
    from .settings import ClassroomScenario

    scenario, _raw = load_model(Path(path), ClassroomScenario, overrides)
    return scenario


__all__ = ["ClassroomScenario", "ClassroomSession", "SessionError", "load_classroom", "replay", "write_session"]
