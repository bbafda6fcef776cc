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
  close the connection; failed hellos are also limited per client address and wrong codes per code, across
  connections, and a connection that has not said hello within ``safety.hello_seconds`` is closed
  (:mod:`~rights_market.classroom.guard`).
* **Validation.** Every message is checked for size and nesting, then parsed by
  :mod:`~rights_market.classroom.messages`; a bad one gets an ``error`` answer and changes nothing. Each
  participant (all its connections together), the trainer, and each address's not-yet-identified
  connections may send at most ``rate`` messages per second on average (bursts of ``burst``); beyond that
  messages are refused with an error.
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
import itertools
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..units import yuan_to_ticks
from .export import Prepared, default_out_dir, prepare, write_prepared
from .guard import JoinGuard, Safety
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
from .notices import Notice
from .session import ClassroomSession, SessionError
from .views import own_state, participant_state, public_state, trainer_state

_STATE = object()  # marker in an outbox: send a fresh snapshot
LOG = logging.getLogger(__name__)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def _notice(exc: Exception) -> Notice:
    """What a refused action tells the page: the error's :class:`~.notices.Notice`, or its text as ``refused``."""
    text = exc.args[0] if exc.args else str(exc)
    return text if isinstance(text, Notice) else Notice("refused", text=str(exc))


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
    """One client: where it comes from (``address``), when it opened (``opened``, by the classroom's clock),
    who it is (``kind`` ``trainer``/``participant``, ``seat``) and what waits to be sent. ``kicked`` is set
    when the classroom closes it on its own (a hello that never came), so the server stops waiting for it."""

    address: str = "local"
    opened: float = 0.0
    serial: int = 0  # order of arrival
    kind: str | None = None
    seat: int | None = None
    bad_codes: int = 0
    closing: bool = False
    outbox: asyncio.Queue = field(default_factory=asyncio.Queue)
    state_pending: bool = False
    kicked: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def key(self) -> str:
        """Whose rate budget the connection spends: its seat's, the trainer's, or its address's before hello."""
        if self.kind == "participant":
            return f"seat:{self.seat}"
        if self.kind == "trainer":
            return "trainer"
        return f"address:{self.address}"


class LiveClassroom:
    """A session run live (module docstring). ``out``: the run directory for the results (default
    ``results/<name>-seed<N>-<hash8>-<time>``); ``report``: also write the HTML/Markdown report; ``rate`` and
    ``burst``: messages a second per participant; ``safety``: the other limits (:class:`~.guard.Safety`);
    ``clock``: seconds, for the market clock and every limit. ``join_base``: the address people reach the
    server by (``http://HOST:PORT``); when set, the trainer's welcome carries the join link with the code and
    its QR code (:mod:`~.qr`) — only the trainer's, as the link holds the join code."""

    def __init__(self, session: ClassroomSession, *, out: Path | None = None, results_root: Path = Path("results"),
                 report: bool = True, tick_seconds: float = 0.05, rate: float = 20.0, burst: float = 40.0,
                 clock: Callable[[], float] = time.monotonic, safety: Safety | None = None,
                 join_base: str | None = None) -> None:
        self.session = session
        self.join_base = join_base
        self.out = out
        self.results_root = results_root
        self.report = report
        self.tick_seconds = tick_seconds
        self.rate, self.burst = rate, burst
        self.clock = clock
        self.safety = safety or Safety()
        self.guard = JoinGuard(self.safety, clock)
        self.connections: set[Connection] = set()
        self.pending: set[Connection] = set()  # connected, not yet identified
        self._buckets: dict[str, TokenBucket] = {}
        self._serials = itertools.count()
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
    def admit(self, address: str) -> Notice | None:
        """Why a new socket from ``address`` is refused (``safety.pending_per_address`` sockets from there have
        not said hello yet), or None."""
        if sum(1 for c in self.pending if c.address == address and not c.closing) >= self.safety.pending_per_address:
            return Notice("address_waiting")
        return None

    def connect(self, address: str = "local") -> Connection:
        """A new connection from ``address`` (the client's IP), not yet identified. When
        ``safety.pending_sockets`` are already waiting for their hello, the oldest of them is closed to make
        room: a real client says hello within a round trip, so only a silent socket is that old."""
        waiting = [c for c in self.pending if not c.closing]
        if len(waiting) >= self.safety.pending_sockets:
            self.kick(min(waiting, key=lambda c: c.serial), Notice("server_busy"))
        conn = Connection(address=address, opened=self.clock(), serial=next(self._serials))
        self.connections.add(conn)
        self.pending.add(conn)
        self._mark(conn)
        return conn

    def disconnect(self, conn: Connection) -> None:
        self.connections.discard(conn)
        self.pending.discard(conn)
        if conn.kind == "participant" and conn.seat is not None:
            person = self.session.people.get(conn.seat)
            if person is not None:
                person.connections = max(person.connections - 1, 0)
        conn.outbox.put_nowait(None)
        self.changed()

    def _bucket(self, key: str) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= 4096:  # forget budgets that are full again (nothing to remember)
                now = self.clock()
                for k in [k for k, b in self._buckets.items() if b.tokens + (now - b.at) * b.rate >= b.burst]:
                    del self._buckets[k]
            bucket = self._buckets[key] = TokenBucket(self.rate, self.burst, self.clock)
        return bucket

    def kick(self, conn: Connection, text: Notice) -> None:
        """Tell ``conn`` why and close it."""
        self._error(conn, text, None)
        conn.closing = True
        conn.kicked.set()

    def reap(self) -> int:
        """Close the connections that did not say hello within ``safety.hello_seconds``; how many."""
        limit = self.clock() - self.safety.hello_seconds
        late = [c for c in self.pending if c.opened <= limit and not c.closing]
        for conn in late:
            self.kick(conn, Notice("hello_timeout", seconds=self.safety.hello_seconds))
        return len(late)

    def _tell_trainers(self, text: Notice) -> None:
        for conn in self.connections:
            if conn.kind == "trainer":
                self._error(conn, text, None)

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
            state["join_locked_seconds"] = math.ceil(self.guard.locked_seconds())
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

    def _error(self, conn: Connection, text: Notice, ref: str | None, problems: list | None = None) -> None:
        """Send ``conn`` an error: its code and params (which the pages show in their language) and its English
        text (``error``, for API clients and logs)."""
        msg: dict[str, Any] = {"type": "error", "ref": ref, **text.fields(), "error": str(text)}
        if problems:
            msg["problems"] = problems
        self._reply(conn, msg)

    # ------------------------------------------------------------------ messages
    def receive(self, conn: Connection, text: str | bytes) -> None:
        """Handle one message of ``conn``: validate, check identity, apply, answer. Never raises for a bad
        message; sets ``conn.closing`` when the connection should be closed."""
        if not self._bucket(conn.key).take():
            self._error(conn, Notice("rate_limited", rate=self.rate), None)
            return
        try:
            msg = parse(text)
        except MessageError as exc:
            self._error(conn, exc.notice, ref_of(text), exc.problems)
            return
        try:
            self._dispatch(conn, msg)
        except Exception as exc:  # noqa: BLE001 - a bug must not take the classroom down; it is logged and told
            LOG.exception("classroom: error while handling %s", type(msg).__name__)
            self._error(conn, Notice("internal_error", error=type(exc).__name__), msg.ref)

    def _dispatch(self, conn: Connection, msg: Any) -> None:
        ref = msg.ref
        self.advance()
        if isinstance(msg, Ping):
            self._reply(conn, {"type": "pong", "ref": ref, "clock_ms": self.session.engine.now_ms})
            return
        if conn.kind is None:
            if not isinstance(msg, HELLO):
                self._error(conn, Notice("hello_first"), ref)
                return
            self._hello(conn, msg, ref)
        elif isinstance(msg, HELLO):
            self._error(conn, Notice("already_identified"), ref)
        elif isinstance(msg, PARTICIPANT):
            if conn.kind != "participant":
                self._error(conn, Notice("trainer_cannot_trade"), ref)
            else:
                self._trade(conn, msg, ref)
        elif isinstance(msg, TRAINER):
            if conn.kind != "trainer":
                self._error(conn, Notice("trainer_only"), ref)
            else:
                self._control(conn, msg, ref)
        self._dirty = True
        self._mark(conn)  # the sender sees the effect at once; the others with the next broadcast

    def _identified(self) -> int:
        return len(self.connections) - len(self.pending)

    def _hello(self, conn: Connection, msg: Any, ref: str | None) -> None:
        s, safety = self.session, self.safety
        refusal = self.guard.refusal(conn.address, joining=isinstance(msg, Join))
        if refusal is None and self._identified() >= safety.connections:
            refusal = Notice("too_many_connections")
        if refusal is not None:
            self._error(conn, refusal, ref)
            conn.closing = True
            return
        if isinstance(msg, TrainerHello):
            if not s.check_trainer(msg.token):
                self.guard.failed(conn.address, wrong_code=False)
                self._error(conn, Notice("wrong_trainer_token"), ref)
                conn.closing = True
                return
            if sum(1 for c in self.connections if c.kind == "trainer") >= safety.sockets_per_identity:
                self._error(conn, Notice("trainer_pages_full", pages=safety.sockets_per_identity), ref)
                conn.closing = True
                return
            conn.kind = "trainer"
            self.pending.discard(conn)
            welcome = {"type": "welcome", "ref": ref, "role": "trainer", "join_code": s.join_code}
            if self.join_base:
                from .qr import join_link, qr_data_uri

                link = join_link(self.join_base, s.join_code)
                welcome.update(join_link=link, join_qr=qr_data_uri(link))
            self._reply(conn, welcome)
            return
        if isinstance(msg, Rejoin):
            seat = s.seat_of_token(msg.token)
            if seat is None:
                self.guard.failed(conn.address, wrong_code=False)
                self._error(conn, Notice("unknown_token"), ref)
                return
            if s.people[seat].connections >= safety.sockets_per_identity:
                self._error(conn, Notice("seat_pages_full", pages=safety.sockets_per_identity), ref)
                conn.closing = True
                return
            token = msg.token
        else:
            assert isinstance(msg, Join)
            try:
                seat, token = s.join(msg.name, msg.code)
            except SessionError as exc:
                notice = _notice(exc)
                if notice.code == "wrong_join_code":
                    conn.bad_codes += 1
                    conn.closing = conn.bad_codes >= MAX_BAD_CODES
                    if self.guard.failed(conn.address, wrong_code=True):
                        self._tell_trainers(Notice("join_locked_alert", seconds=safety.lock_seconds,
                                                   failures=safety.code_failures, window=safety.code_window_seconds))
                        self._dirty = True
                self._error(conn, notice, ref)
                return
        conn.kind, conn.seat = "participant", seat
        self.pending.discard(conn)
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
            self._error(conn, _notice(exc), ref)
            return
        self._rebase()
        self._reply(conn, {"type": "ack", "ref": ref, "action": msg.action, "ok": True, "note": str(note),
                           **note.fields()})
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
                        self._error(conn, Notice("market_error", error=type(exc).__name__, detail=str(exc)), None)

    def tick(self) -> None:
        """One tick (see :meth:`run`); also closes connections that did not say hello in time."""
        self.reap()
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
                    self._error(conn, Notice("results_failed", error=type(exc).__name__, detail=str(exc)), None)
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
