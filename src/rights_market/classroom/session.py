"""A classroom session: seats and the people in them, the trainer's controls, the event log, replay.

The session is what the web layer talks to; it knows nothing of HTTP. It owns

* the **seats** (:func:`~rights_market.classroom.seats.build_seats`): people join with a name and the join
  code and get the next free human seat — seats of the human seat groups are handed out in turn (one of each
  group, then the second of each, ...) so a class gets a mix of roles — and a secret **token**; the seat is
  theirs for the session, and rejoining with the token restores it with its orders and holdings. Identity
  comes only from the token, never from what a message says;
* the **engine** of the current epoch (:class:`~rights_market.classroom.engine.ClassroomEngine`); a reset
  builds a new one and keeps the seats;
* the **status**: ``ready`` → ``running`` ⇄ ``paused`` → ``finished``;
* the **event log** (:mod:`~rights_market.classroom.eventlog`): every accepted action with its queue
  position. :func:`replay` rebuilds a session from a log and checks that every action has the same outcome.

Trading actions are refused while the session is not running (``market_paused``): when the trainer pauses
or steps, hands are off. Such refusals never reach the market and are not logged.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..agents.behaviour import BUY, SELL
from ..rights.catalogue import INSTITUTIONS
from .engine import ClassroomEngine, ReplayError
from .eventlog import EventLog, read_log
from .guard import new_join_code, normalize_code
from .notices import Notice
from .seats import SeatSpec, build_seats
from .settings import ClassroomScenario
from .trading import OrderResult

STATUSES = ("ready", "running", "paused", "finished")
CONTROLS = ("start", "pause", "step", "reset", "finish")


class SessionError(ValueError):
    """An action the session refuses as a whole (a wrong join code, a full classroom, a bad name). Its text
    may be a :class:`~.notices.Notice` (its code and params then go to the page); see :func:`refused`."""


def refused(code: str, **params: object) -> SessionError:
    """A :class:`SessionError` whose text is the :class:`~.notices.Notice` ``code`` with ``params``."""
    return SessionError(Notice(code, **params))


@dataclass
class Person:
    """A person in a human seat: the name they gave, and how many connections they have open."""

    seat: int
    name: str
    connections: int = 0


def clean_name(name: str) -> str:
    """A participant's name, trimmed: 1–40 printable characters (SessionError otherwise)."""
    text = " ".join(str(name).split())
    if not 1 <= len(text) <= 40:
        raise refused("name_length")
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise refused("name_control_chars")
    return text


class ClassroomSession:
    """Seats, people, trainer controls and the event log around the current engine (module docstring).

    ``seed``: the robots' seed (the scenario's by default). ``journal``: a file the event log is written to
    as it grows. ``join_code``/``trainer_token``: given, or drawn from :mod:`secrets` (they are credentials,
    not simulation randomness; a drawn join code is 8 characters, see :mod:`~rights_market.classroom.guard`).
    """

    def __init__(self, scenario: ClassroomScenario, seed: int | None = None, *, journal: Path | None = None,
                 join_code: str | None = None, trainer_token: str | None = None) -> None:
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else int(seed)
        if self.seed < 0:
            raise SessionError("the seed must not be negative")
        self.seats: list[SeatSpec] = build_seats(scenario)
        self.people: dict[int, Person] = {}
        self._tokens: dict[str, int] = {}
        self.join_code = join_code if join_code is not None else new_join_code()
        self.trainer_token = trainer_token if trainer_token is not None else secrets.token_urlsafe(18)
        self.log = EventLog({"package_version": __version__, "seed": self.seed,
                             "scenario": scenario.model_dump(mode="json")}, journal)
        self.status = "ready"
        self.epoch = 0
        self.human_order = _interleaved(scenario, self.seats)
        self.engine = self._new_engine()

    # ------------------------------------------------------------------ names
    def _new_engine(self) -> ClassroomEngine:
        eng = ClassroomEngine(self.scenario, self.seed, self.seats, self.name_of)
        for seat in self.people:
            eng.activate(seat)
        return eng

    def name_of(self, account: int) -> str:
        """Display name of an account: a person's name, a robot's label, or the institution."""
        if account < 0:
            return "the reserve" if INSTITUTIONS.get(account, "").startswith("reserve") else INSTITUTIONS.get(account, "?")
        person = self.people.get(account)
        if person is not None:
            return person.name
        seat = self.seats[account]
        return seat.robot_name or f"seat {account + 1} ({seat.role_name}, empty)"

    # ------------------------------------------------------------------ identity
    def check_trainer(self, token: str) -> bool:
        """Whether ``token`` is the trainer's (constant-time comparison)."""
        return secrets.compare_digest(str(token).encode(), self.trainer_token.encode())

    def check_code(self, code: str) -> bool:
        """Whether ``code`` is the join code (case, spaces and hyphens aside; constant-time comparison)."""
        return secrets.compare_digest(normalize_code(code).encode(), normalize_code(self.join_code).encode())

    def seat_of_token(self, token: str) -> int | None:
        """The seat a participant token belongs to, or None."""
        for known, seat in self._tokens.items():
            if secrets.compare_digest(known.encode(), str(token).encode()):
                return seat
        return None

    def free_seats(self) -> list[int]:
        return [s for s in self.human_order if s not in self.people]

    def join(self, name: str, code: str) -> tuple[int, str]:
        """A person joins with ``name`` and the join code: their seat and secret token (SessionError if the
        code is wrong, the name is bad or every human seat is taken)."""
        if not self.check_code(code):
            raise refused("wrong_join_code")
        name = clean_name(name)
        if not self.free_seats():
            raise refused("classroom_full")
        seat = self._join(name)
        token = secrets.token_urlsafe(18)
        self._tokens[token] = seat
        return seat, token

    def _join(self, name: str, expect: int | None = None) -> int:
        taken = {p.name for p in self.people.values()}
        unique, k = name, 2
        while unique in taken:
            unique, k = f"{name} ({k})", k + 1
        seat = self.free_seats()[0]
        if expect is not None and seat != expect:
            raise ReplayError(f"join of {name!r}: the log gave seat {expect}, the replay seat {seat}")
        self._log("join", seat=seat, name=unique)
        self.people[seat] = Person(seat, unique)
        self.engine.activate(seat)
        return seat

    # ------------------------------------------------------------------ clock
    def advance_to(self, t_ms: int) -> bool:
        """Move the market clock to ``t_ms`` (ms); True if it stopped at a period's close (the session is then
        paused, as the classroom pauses between periods) or because the session is over."""
        if self.status != "running":
            return False
        halted = self.engine.advance_to(t_ms)
        if self.engine.finished:
            self.status = "finished"
            return True
        if halted:
            self.status = "paused"
        return halted

    # ------------------------------------------------------------------ logged actions
    def _pos(self) -> dict[str, int]:
        """Where the market stands: epoch, queue steps taken, clock (ms)."""
        return {"epoch": self.epoch, "n": self.engine.steps, "t": self.engine.now_ms}

    def _log(self, kind: str, pos: dict[str, int] | None = None, **data: Any) -> dict[str, Any]:
        """Append an event at ``pos`` (default: now). Actions are logged once applied, with their outcome,
        at the position they were applied at (people's actions never move the queue)."""
        return self.log.append({"kind": kind, **(pos or self._pos()), **data})

    def _trading_refusal(self) -> str:
        return "" if self.status == "running" else ("session_finished" if self.status == "finished" else "market_paused")

    def order(self, seat: int, side: str, price_ticks: int, quantity: int) -> OrderResult:
        """A person's limit order. Refused without reaching the market while the session is not running."""
        refusal = self._trading_refusal()
        if refusal:
            return OrderResult(0, "rejected", refusal, 0)
        self._require_person(seat)
        pos = self._pos()
        res = self.engine.submit(seat, BUY if side == "buy" else SELL, int(price_ticks), int(quantity))
        self._log("order", pos, seat=seat, side=side, price=int(price_ticks), quantity=int(quantity),
                  order_id=res.order_id, status=res.status)
        return res

    def cancel(self, seat: int, order_id: int) -> str:
        """Cancel one of a person's own resting orders: ``""`` or the reason."""
        refusal = self._trading_refusal()
        if refusal:
            return refusal
        self._require_person(seat)
        pos = self._pos()
        reason = self.engine.cancel(seat, int(order_id))
        self._log("cancel", pos, seat=seat, order_id=int(order_id), reason=reason)
        return reason

    def register(self, seat: int, lot: str) -> str:
        refusal = self._trading_refusal()
        if refusal:
            return refusal
        self._require_person(seat)
        pos = self._pos()
        reason = self.engine.register(seat, lot)
        self._log("register", pos, seat=seat, lot=lot, reason=reason)
        return reason

    def bid(self, seat: int, lot: str, price_ticks: int) -> str:
        refusal = self._trading_refusal()
        if refusal:
            return refusal
        self._require_person(seat)
        pos = self._pos()
        reason = self.engine.bid(seat, lot, int(price_ticks))
        self._log("bid", pos, seat=seat, lot=lot, price=int(price_ticks), reason=reason)
        return reason

    def control(self, action: str) -> Notice:
        """A trainer's control: ``start``, ``pause``, ``step`` (one visible event, when not running),
        ``reset`` (a fresh market, same seats and seed) or ``finish``. Returns a short note of what happened
        (a :class:`~.notices.Notice`, e.g. ``"running"``);
        SessionError if the action is not possible now."""
        if action not in CONTROLS:
            raise refused("unknown_control", action=repr(action), expected=", ".join(CONTROLS))
        if self.status == "finished" and action not in ("reset",):
            raise refused("control_finished")
        if action == "start" and self.status == "running":
            raise refused("already_running")
        if action == "pause" and self.status != "running":
            raise refused("not_running")
        if action == "step" and self.status == "running":
            raise refused("pause_before_step")
        self._log("control", action=action)
        return self._apply_control(action)

    def _apply_control(self, action: str) -> Notice:
        if action == "start":
            self.status = "running"
            return Notice("note_running")
        if action == "pause":
            self.status = "paused"
            return Notice("note_paused")
        if action == "step":
            moved = self.engine.step()
            if self.engine.finished:
                self.status = "finished"
            elif self.status == "ready":
                self.status = "paused"
            return Notice("note_stepped" if moved else "note_idle")
        if action == "reset":
            self.epoch += 1
            self.engine = self._new_engine()
            self.status = "ready"
            return Notice("note_reset")
        self.engine.finish()
        self.status = "finished"
        return Notice("note_finished")

    def mark_end(self) -> None:
        """Log where the market stands (before its results are written), so a replay ends there too."""
        last = self.log.events[-1] if self.log.events else None
        pos = (self.epoch, self.engine.steps, self.engine.now_ms)
        if last is None or last["kind"] != "end" or (last["epoch"], last["n"], last["t"]) != pos:
            self._log("end")

    def close(self) -> None:
        """Close the journal file, if any (the log stays readable in memory)."""
        self.log.close()

    def _require_person(self, seat: int) -> None:
        if seat not in self.people:
            raise SessionError(f"seat {seat} has nobody in it")

    # ------------------------------------------------------------------ replay
    def apply_logged(self, ev: dict[str, Any]) -> None:
        """Apply one logged event at its recorded queue position (raises ReplayError on any mismatch)."""
        kind = ev.get("kind")
        if ev.get("epoch") != self.epoch:
            raise ReplayError(f"event {ev}: epoch {ev.get('epoch')} but the replay is in epoch {self.epoch}")
        self.engine.replay_to(int(ev["n"]), int(ev["t"]))
        if kind == "join":
            self._join(str(ev["name"]), expect=int(ev["seat"]))
        elif kind == "order":
            saved, self.status = self.status, "running"
            res = self.order(int(ev["seat"]), str(ev["side"]), int(ev["price"]), int(ev["quantity"]))
            self.status = saved
            if (res.order_id, res.status) != (ev.get("order_id"), ev.get("status")):
                raise ReplayError(f"order at {ev['t']} ms: logged {ev.get('order_id')}/{ev.get('status')}, "
                                  f"replayed {res.order_id}/{res.status}")
        elif kind in ("cancel", "register", "bid"):
            saved, self.status = self.status, "running"
            if kind == "cancel":
                reason = self.cancel(int(ev["seat"]), int(ev["order_id"]))
            elif kind == "register":
                reason = self.register(int(ev["seat"]), str(ev["lot"]))
            else:
                reason = self.bid(int(ev["seat"]), str(ev["lot"]), int(ev["price"]))
            self.status = saved
            if reason != ev.get("reason"):
                raise ReplayError(f"{kind} at {ev['t']} ms: logged {ev.get('reason')!r}, replayed {reason!r}")
        elif kind == "control":
            self._log("control", action=ev["action"])
            self._apply_control(str(ev["action"]))
        elif kind == "end":
            self._log("end")
        else:
            raise ReplayError(f"unknown event kind {kind!r}")


def _interleaved(scenario: ClassroomScenario, seats: list[SeatSpec]) -> list[int]:
    """Human seat ids in the order they are handed out: one of each human seat group in turn."""
    groups: list[list[int]] = []
    i = 0
    for g in scenario.classroom.seats:
        ids = list(range(i, i + g.count))
        i += g.count
        if g.player == "human":
            groups.append(ids)
    out: list[int] = []
    for k in range(max((len(g) for g in groups), default=0)):
        out.extend(g[k] for g in groups if k < len(g))
    assert all(not seats[s].is_robot for s in out)
    return out


def replay(source: Path | str | tuple[dict[str, Any], Iterable[dict[str, Any]]]) -> ClassroomSession:
    """Rebuild a session from an event log (a file, or ``(header, events)``); every logged outcome is checked
    (ReplayError on the first difference). The result has the same market, trades and log."""
    header, events = read_log(source) if isinstance(source, Path | str) else (source[0], list(source[1]))
    scenario = ClassroomScenario.model_validate(header["scenario"])
    session = ClassroomSession(scenario, int(header["seed"]), join_code="replay", trainer_token="replay")
    for ev in events:
        session.apply_logged(ev)
    return session


__all__ = ["CONTROLS", "STATUSES", "ClassroomSession", "Person", "SessionError", "clean_name", "replay"]
