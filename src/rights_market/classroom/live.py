"""The live driver: wall clock, connections, message dispatch and broadcasting around a session.

:class:`LiveClassroom` is what the web server hands every WebSocket to; it is asyncio code but knows no
HTTP framework (a connection is a ``send(text)`` coroutine plus the texts it receives), so it is tested
directly. Everything that touches the session runs on the event loop, between ``await`` points, so the
market sees one action at a time.

* **Clock.** While the session runs, market time follows the wall clock (1 s = 1,000 ms of session time);
  paused, it stands still. A tick task moves the market to the current time every ``tick_seconds``; every
  action first brings the market up to date, then applies at that moment.
* **Identity.** The first message of a connection is a hello (``trainer_hello`` with the trainer token,
  ``join`` with a name and the join code, or ``rejoin`` with a participant token). After it the connection
  acts only for that identity: a participant's orders are for its own seat, whatever the message holds (the
  message models forbid any other field); trainer controls need a trainer connection. Five wrong join codes
  close the connection.
* **Validation.** Every message is parsed by :mod:`~rights_market.classroom.messages`; a bad one gets an
  ``error`` answer and changes nothing. Each connection may send at most ``rate`` messages per second on
  average (bursts of ``burst``); beyond that messages are refused with an error.
* **Broadcasting.** The sender of a message gets a fresh snapshot at once; every connection gets one at
  most ten times a second while anything changes (and every two seconds regardless). Its own writer task
  sends the latest snapshot when it can (a slow client never holds up the market, and snapshots it missed are
  simply replaced by the newest); a client that lets ``MAX_BACKLOG`` answers pile up is disconnected. Acknowledgements go through the same writer, so a client always sees the
  ack of its action before the snapshot that shows its effect.
* **Results.** When the session is finished (the last period closed, or the trainer finished it) the run is
  written (:mod:`~rights_market.classroom.export`) in a worker thread and the trainers are told where.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..units import yuan_to_ticks
from .export import Prepared, default_out_dir, prepare, write_prepared
from .messages import (
    HELLO,
    PARTICIPANT,
    TRAINER,
    Bid,
    CancelOrder,
    Control,
    Join,
    MessageError,
    Ping,
    PlaceOrder,
    Register,
    Rejoin,
    TrainerHello,
    parse,
    ref_of,
)
from .session import ClassroomSession, SessionError
from .views import own_state, participant_state, public_state, trainer_state

_STATE = object()  # marker in an outbox: send a fresh snapshot
LOG = logging.getLogger(__name__)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
MAX_BAD_CODES = 5
MAX_BACKLOG = 500  # answers waiting for a client before it is disconnected as not reading


@dataclass
class TokenBucket:
    """At most ``rate`` events per second on average, bursts of ``burst``."""

    rate: float
    burst: float
    clock: Callable[[], float] = time.monotonic
    tokens: float = -1.0
    at: float = 0.0

    def take(self) -> bool:
        now = self.clock()
        if self.tokens < 0:
            self.tokens, self.at = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@dataclass(eq=False)
class Connection:
    """One client: who it is (``kind`` ``trainer``/``participant``, ``seat``) and what waits to be sent."""

    bucket: TokenBucket
    kind: str | None = None
    seat: int | None = None
    bad_codes: int = 0
    closing: bool = False
    outbox: asyncio.Queue = field(default_factory=asyncio.Queue)
    state_pending: bool = False


class LiveClassroom:
    """A session run live (module docstring). ``out``: the run directory for the results (default
    ``results/<name>-seed<N>-<hash8>-<time>``); ``report``: also write the HTML/Markdown report."""

    def __init__(self, session: ClassroomSession, *, out: Path | None = None, results_root: Path = Path("results"),
                 report: bool = True, tick_seconds: float = 0.05, rate: float = 20.0, burst: float = 40.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.session = session
        self.out = out
        self.results_root = results_root
        self.report = report
        self.tick_seconds = tick_seconds
        self.rate, self.burst = rate, burst
        self.clock = clock
        self.connections: set[Connection] = set()
        self.results: dict[int, Path] = {}  # epoch -> run directory written
        self.writing: dict[int, asyncio.Task] = {}  # epoch -> its results being written
        self._base_ms = 0
        self._base_wall = clock()
        self._last_broadcast = 0.0
        self._fingerprint: tuple = ()
        self._dirty = False
        self._public: tuple[tuple, str] | None = None

    # ------------------------------------------------------------------ clock
    def sim_now(self) -> int:
        """Market time now (ms): the wall clock while running, the market's clock otherwise."""
        if self.session.status != "running":
            return self.session.engine.now_ms
        return max(self.session.engine.now_ms, self._base_ms + int((self.clock() - self._base_wall) * 1000))

    def _rebase(self) -> None:
        self._base_ms = self.session.engine.now_ms
        self._base_wall = self.clock()

    def advance(self) -> None:
        """Bring the market up to the current time (stops at a period's close when the classroom pauses)."""
        if self.session.status == "running":
            self.session.advance_to(self.sim_now())
            if self.session.status != "running":
                self._rebase()

    # ------------------------------------------------------------------ connections
    def connect(self) -> Connection:
        conn = Connection(TokenBucket(self.rate, self.burst, self.clock))
        self.connections.add(conn)
        self._mark(conn)
        return conn

    def disconnect(self, conn: Connection) -> None:
        self.connections.discard(conn)
        if conn.kind == "participant" and conn.seat is not None:
            person = self.session.people.get(conn.seat)
            if person is not None:
                person.connections = max(person.connections - 1, 0)
        conn.outbox.put_nowait(None)
        self.changed()

    def _mark(self, conn: Connection) -> None:
        if not conn.state_pending and conn.kind is not None:
            conn.state_pending = True
            conn.outbox.put_nowait(_STATE)

    def changed(self) -> None:
        """Something changed: every identified connection gets a fresh snapshot."""
        for conn in self.connections:
            self._mark(conn)
        self._last_broadcast = self.clock()
        self._fingerprint = self._current_fingerprint()
        self._dirty = False

    def _current_fingerprint(self) -> tuple:
        s, e = self.session, self.session.engine
        return (s.status, s.epoch, e.steps, e.actions, len(s.people),
                sum(p.connections for p in s.people.values()), len(self.results))

    def state_text(self, conn: Connection) -> str:
        """The snapshot a connection may see, as JSON text. The part every participant sees alike is built and
        serialised once per market moment and shared."""
        if conn.kind != "participant":
            return _dumps(self.state_for(conn))
        assert conn.seat is not None
        s, e = self.session, self.session.engine
        key = (s.status, s.epoch, e.steps, e.actions, e.now_ms)
        if self._public is None or self._public[0] != key:
            self._public = (key, _dumps(public_state(s)))
        own = _dumps(own_state(s, conn.seat))
        return self._public[1][:-1] + "," + own[1:]

    def state_for(self, conn: Connection) -> dict[str, Any]:
        """The snapshot a connection may see."""
        if conn.kind == "trainer":
            state = trainer_state(self.session)
            state["results_dir"] = str(self.results[self.session.epoch]) if self.session.epoch in self.results else None
            return state
        assert conn.kind == "participant" and conn.seat is not None
        return participant_state(self.session, conn.seat)

    async def writer(self, conn: Connection, send: Callable[[str], Awaitable[None]]) -> None:
        """Send what a connection's outbox holds, a fresh snapshot for each state marker, until it closes."""
        while True:
            item = await conn.outbox.get()
            if item is None:
                return
            if item is _STATE:
                conn.state_pending = False
                if conn.kind is None:
                    continue
                text = self.state_text(conn)
            else:
                text = _dumps(item)
            await send(text)

    def _reply(self, conn: Connection, msg: dict[str, Any]) -> None:
        if conn.outbox.qsize() >= MAX_BACKLOG:  # a client that sends but never reads: let it go
            conn.closing = True
            return
        conn.outbox.put_nowait(msg)

    def _error(self, conn: Connection, text: str, ref: str | None, problems: list | None = None) -> None:
        msg: dict[str, Any] = {"type": "error", "ref": ref, "error": text}
        if problems:
            msg["problems"] = problems
        self._reply(conn, msg)

    # ------------------------------------------------------------------ messages
    def receive(self, conn: Connection, text: str | bytes) -> None:
        """Handle one message of ``conn``: validate, check identity, apply, answer. Never raises for a bad
        message; sets ``conn.closing`` when the connection should be closed."""
        if not conn.bucket.take():
            self._error(conn, f"too many messages: at most {self.rate:g} a second; slow down", None)
            return
        try:
            msg = parse(text)
        except MessageError as exc:
            self._error(conn, str(exc), ref_of(text), exc.problems)
            return
        try:
            self._dispatch(conn, msg)
        except Exception as exc:  # noqa: BLE001 - a bug must not take the classroom down; it is logged and told
            LOG.exception("classroom: error while handling %s", type(msg).__name__)
            self._error(conn, f"internal error while handling the message: {type(exc).__name__}", msg.ref)

    def _dispatch(self, conn: Connection, msg: Any) -> None:
        ref = msg.ref
        self.advance()
        if isinstance(msg, Ping):
            self._reply(conn, {"type": "pong", "ref": ref, "clock_ms": self.session.engine.now_ms})
            return
        if conn.kind is None:
            if not isinstance(msg, HELLO):
                self._error(conn, "say who you are first: trainer_hello, join or rejoin", ref)
                return
            self._hello(conn, msg, ref)
        elif isinstance(msg, HELLO):
            self._error(conn, "this connection is already identified", ref)
        elif isinstance(msg, PARTICIPANT):
            if conn.kind != "participant":
                self._error(conn, "only a participant can trade; the trainer watches and controls", ref)
            else:
                self._trade(conn, msg, ref)
        elif isinstance(msg, TRAINER):
            if conn.kind != "trainer":
                self._error(conn, "only the trainer can control the market", ref)
            else:
                self._control(conn, msg, ref)
        self._dirty = True
        self._mark(conn)  # the sender sees the effect at once; the others with the next broadcast

    def _hello(self, conn: Connection, msg: Any, ref: str | None) -> None:
        s = self.session
        if isinstance(msg, TrainerHello):
            if not s.check_trainer(msg.token):
                self._error(conn, "wrong trainer token", ref)
                conn.closing = True
                return
            conn.kind = "trainer"
            self._reply(conn, {"type": "welcome", "ref": ref, "role": "trainer", "join_code": s.join_code})
            return
        if isinstance(msg, Rejoin):
            seat = s.seat_of_token(msg.token)
            if seat is None:
                self._error(conn, "unknown token: join again with your name and the join code", ref)
                return
            token = msg.token
        else:
            assert isinstance(msg, Join)
            try:
                seat, token = s.join(msg.name, msg.code)
            except SessionError as exc:
                if "code" in str(exc):
                    conn.bad_codes += 1
                    conn.closing = conn.bad_codes >= MAX_BAD_CODES
                self._error(conn, str(exc), ref)
                return
        conn.kind, conn.seat = "participant", seat
        s.people[seat].connections += 1
        self._reply(conn, {"type": "welcome", "ref": ref, "role": "participant", "seat": seat, "token": token,
                           "name": s.people[seat].name})

    def _trade(self, conn: Connection, msg: Any, ref: str | None) -> None:
        s, seat = self.session, conn.seat
        assert seat is not None
        if isinstance(msg, PlaceOrder):
            res = s.order(seat, msg.side, yuan_to_ticks(msg.price), msg.quantity)
            self._reply(conn, {"type": "ack", "ref": ref, "action": "order", "ok": res.status != "rejected",
                               "order_id": res.order_id or None, "status": res.status, "reason": res.reason,
                               "filled": res.filled})
            return
        if isinstance(msg, CancelOrder):
            reason = s.cancel(seat, msg.order_id)
            action, extra = "cancel", {"order_id": msg.order_id}
        elif isinstance(msg, Register):
            reason = s.register(seat, msg.lot)
            action, extra = "register", {"lot": msg.lot}
        else:
            assert isinstance(msg, Bid)
            reason = s.bid(seat, msg.lot, yuan_to_ticks(msg.price))
            action, extra = "bid", {"lot": msg.lot}
        self._reply(conn, {"type": "ack", "ref": ref, "action": action, "ok": not reason, "reason": reason, **extra})

    def _control(self, conn: Connection, msg: Control, ref: str | None) -> None:
        s = self.session
        try:
            note = s.control(msg.action)
        except SessionError as exc:
            self._error(conn, str(exc), ref)
            return
        self._rebase()
        self._reply(conn, {"type": "ack", "ref": ref, "action": msg.action, "ok": True, "note": note})
        if s.status == "finished":
            self.schedule_results()

    # ------------------------------------------------------------------ ticks and results
    async def run(self) -> None:
        """The tick task: move the market with the clock, broadcast changes, write results when done."""
        while True:
            await asyncio.sleep(self.tick_seconds)
            try:
                self.tick()
            except Exception as exc:  # noqa: BLE001 - keep serving; the trainer is told and the market paused
                LOG.exception("classroom: error while moving the market")
                if self.session.status == "running":
                    self.session.status = "paused"
                for conn in self.connections:
                    if conn.kind == "trainer":
                        self._error(conn, f"internal error in the market ({type(exc).__name__}: {exc}); "
                                          "the market is paused", None)

    def tick(self) -> None:
        """One tick (see :meth:`run`)."""
        was = self.session.status
        self.advance()
        if was != "finished" and self.session.status == "finished":
            self.schedule_results()
        now = self.clock()
        moved = self._dirty or self._current_fingerprint() != self._fingerprint
        if moved and now - self._last_broadcast >= 0.1 or now - self._last_broadcast >= 2.0:
            self.changed()

    def schedule_results(self) -> None:
        """Write the finished epoch's run in a worker thread (once per epoch)."""
        epoch = self.session.epoch
        if epoch in self.results or epoch in self.writing:
            return
        prepared = self._prepare()
        self.writing[epoch] = asyncio.get_running_loop().create_task(self._write(prepared, epoch))

    def _prepare(self) -> Prepared:
        self.session.mark_end()
        out = self.out if self.out is not None and self.session.epoch == 0 else None
        if out is None:
            out = default_out_dir(self.session, self.results_root)
        return prepare(self.session, out)

    async def _write(self, prepared: Prepared, epoch: int) -> None:
        try:
            path = await asyncio.to_thread(write_prepared, prepared, self.report)
        except Exception as exc:  # noqa: BLE001 - the trainer is told; the session goes on
            LOG.exception("classroom: could not write the results")
            self.writing.pop(epoch, None)  # written again when the server stops
            for conn in self.connections:
                if conn.kind == "trainer":
                    self._error(conn, f"could not write the results: {type(exc).__name__}: {exc}", None)
            return
        self.results[epoch] = path
        for conn in self.connections:
            if conn.kind == "trainer":
                self._reply(conn, {"type": "results", "path": str(path), "epoch": epoch})
        self.changed()

    def write_now(self) -> Path | None:
        """Write the current epoch's results synchronously if anything happened and they are not written
        (used when the server stops). Returns the run directory, or None."""
        if self.session.epoch in self.writing or self.session.epoch in self.results or not self.session.log.events:
            return self.results.get(self.session.epoch)
        path = write_prepared(self._prepare(), self.report)
        self.results[self.session.epoch] = path
        return path

    async def wait_written(self) -> None:
        """Wait for the results writes in progress (for shutdown and tests)."""
        for task in list(self.writing.values()):
            with contextlib.suppress(Exception):
                await task


__all__ = ["Connection", "LiveClassroom", "TokenBucket"]
