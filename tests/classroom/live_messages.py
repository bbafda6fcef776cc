"""Talking to a :class:`~rights_market.classroom.live.LiveClassroom` in process, as the tests of the session,
its security and its messages do: a hand-moved clock, and the answers a message gets."""

from __future__ import annotations

import json

from rights_market.classroom.live import Connection, LiveClassroom


class FakeClock:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def answers(conn: Connection) -> list[dict]:
    """The answers (not the snapshot markers) waiting in a connection's outbox."""
    out = []
    while not conn.outbox.empty():
        item = conn.outbox.get_nowait()
        if isinstance(item, dict):
            out.append(item)
    return out


def send(live: LiveClassroom, conn: Connection, msg: dict | str) -> list[dict]:
    """Send one message; the answers it got (snapshot markers left out)."""
    live.receive(conn, msg if isinstance(msg, str) else json.dumps(msg))
    return answers(conn)
