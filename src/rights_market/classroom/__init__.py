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

from .export import write_session
from .session import ClassroomSession, SessionError, replay
from .settings import ClassroomScenario


def load_classroom(path: str | Path, overrides: Sequence[str] = ()) -> ClassroomScenario:
    """Load and validate a classroom scenario file (errors located ``file:line:col``, as ScenarioError)."""
    from ..scenario.loader import load_model

    scenario, _raw = load_model(Path(path), ClassroomScenario, overrides)
    return scenario


__all__ = ["ClassroomScenario", "ClassroomSession", "SessionError", "load_classroom", "replay", "write_session"]
