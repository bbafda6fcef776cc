"""The event log of a classroom session: every accepted message, with its place in the event queue.

A log is JSON Lines. The first line is the header (``kind: header``: format, package version, seed, the
resolved scenario); every other line is one accepted action, with ``n`` — the number of queue steps the
engine had taken when it was applied — and ``t`` — the session clock in ms. Replaying the actions at the
same ``(n, t)`` on a fresh engine with the same scenario and seed gives the same market, byte for byte
(:func:`rights_market.classroom.session.replay`). Lines are written with sorted keys, so a log replayed and
logged again is the same text.

A log may also be written as it grows (a *journal*), flushed line by line, so a session that crashed can
be replayed from it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

FORMAT = 1


def dumps(event: dict[str, Any]) -> str:
    """One event as a canonical JSON line (sorted keys, no spaces, UTF-8 kept)."""
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class EventLog:
    """Events of one session in order; optionally mirrored to a journal file as they come."""

    def __init__(self, header: dict[str, Any], journal: Path | None = None) -> None:
        self.header = {"kind": "header", "format": FORMAT, **header}
        self.events: list[dict[str, Any]] = []
        self._fh: TextIO | None = None
        if journal is not None:
            journal.parent.mkdir(parents=True, exist_ok=True)
            # "x": a journal is never replaced (two sessions started in the same second get an error)
            self._fh = open(journal, "x", encoding="utf-8")  # noqa: SIM115 - kept open for the session
            self._fh.write(dumps(self.header) + "\n")
            self._fh.flush()

    def append(self, event: dict[str, Any]) -> dict[str, Any]:
        """Add one event (a dict of JSON values); returns it."""
        self.events.append(event)
        if self._fh is not None:
            self._fh.write(dumps(event) + "\n")
            self._fh.flush()
        return event

    def lines(self) -> Iterator[str]:
        yield dumps(self.header)
        for ev in self.events:
            yield dumps(ev)

    def text(self) -> str:
        """The whole log as JSON Lines text."""
        return "".join(line + "\n" for line in self.lines())

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def read_log(path: Path | str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The header and events of a log file; ValueError with the line number if it is not a log."""
    path = Path(path)
    header: dict[str, Any] | None = None
    events: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{i}: not JSON ({exc.msg})") from exc
            if not isinstance(obj, dict) or "kind" not in obj:
                raise ValueError(f"{path}:{i}: an event must be a JSON object with a 'kind'")
            if header is None:
                if obj["kind"] != "header":
                    raise ValueError(f"{path}:{i}: the first line of a classroom event log must be its header")
                if obj.get("format") != FORMAT:
                    raise ValueError(f"{path}:{i}: unknown event log format {obj.get('format')!r} (expected {FORMAT})")
                header = obj
            else:
                events.append(obj)
    if header is None:
        raise ValueError(f"{path}: empty file, not a classroom event log")
    return header, events


__all__ = ["FORMAT", "EventLog", "dumps", "read_log"]
