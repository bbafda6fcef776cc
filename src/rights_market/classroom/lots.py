"""Listing lots of a live classroom (挂牌竞价, rules E6 / X1): the reserve lists, seats register and bid.

A :class:`LiveLot` wraps the state machine of :mod:`rights_market.market.listing` (register → close of the
listing → bidding round → close) with what a live market needs around it: the session clock (ms; the
listing period runs on it, the bidding round on its own clock in whole seconds from its opening), deposits,
and settlement through :class:`~rights_market.classroom.trading.Trading`.

Deposits: a registration accepts the start price, so it holds ``quantity × start`` of the bidder's cash; a
bid holds ``quantity × bid`` (a bidder's highest). A registration or bid the bidder cannot cover is refused
(``insufficient_cash``); so the winner can always pay. Deposits are released when the lot closes. Refusals
are recorded in ``orders_rejected`` (side ``buy``) with the listing's own reasons (``listing_not_open``,
``listing_closed``, ``already_registered``, ``below_increment``, ``already_leading``, ``not_registered``,
``round_closed``, ``not_bidding``) or ``off_tick`` / ``insufficient_cash``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import simpy

from ..engine.rng import RngTree
from ..market.listing import Listing, ListingTerms
from ..units import TICKS_PER_FEN, yuan_to_ticks
from .notices import Notice
from .seats import SeatSpec
from .settings import ClassroomSpec, ListingLot
from .trading import Trading, format_price


class LotHost(Protocol):
    """What a lot's process needs of the market it runs in —
    :class:`~rights_market.classroom.engine.ClassroomEngine` is one: its clock, book, seats and feed."""

    env: simpy.Environment
    trading: Trading
    spec: ClassroomSpec
    rng: RngTree
    seats: list[SeatSpec]
    robot_ids: list[int]
    lot: int
    finished: bool
    name_of: Callable[[int], str]

    @property
    def now_ms(self) -> int: ...

    def sync(self) -> None: ...

    def note(self, kind: str, text: Notice, seat: int = -1) -> None: ...


@dataclass
class LiveLot:
    """One listing lot in one period. ``start_ms``: when its period opened (session clock)."""

    spec: ListingLot
    period: int
    start_ms: int
    floor: int
    listing: Listing = field(init=False)
    round_open_ms: int | None = None
    withdrawn: bool = False
    deposits: dict[int, int] = field(default_factory=dict)  # account -> fen held
    sale_price: int | None = None

    def __post_init__(self) -> None:
        s = self.spec
        self.terms = ListingTerms(
            quantity=s.quantity, start=yuan_to_ticks(s.start_yuan), increment=yuan_to_ticks(s.increment_yuan),
            floor=self.floor, opens=self.start_ms + s.opens_seconds * 1000,
            closes=self.start_ms + s.closes_seconds * 1000, round_seconds=s.round_seconds,
            extension_window=s.extension_window_seconds, extension=s.extension_seconds,
            max_extensions=s.max_extensions,
        )
        self.listing = Listing(self.terms)

    @property
    def name(self) -> str:
        return self.spec.name

    def state(self, now_ms: int) -> str:
        """``scheduled`` (before it opens), ``listing``, ``bidding``, ``sold``, ``unsold``, ``rejected`` or
        ``withdrawn`` (the session finished before the lot closed)."""
        if self.withdrawn:
            return "withdrawn"
        st = self.listing.state
        if st == "listing" and now_ms < self.terms.opens:
            return "scheduled"
        return st

    def round_time(self, now_ms: int) -> int:
        """Seconds since the bidding round opened (the round's clock)."""
        assert self.round_open_ms is not None
        return (now_ms - self.round_open_ms) // 1000

    def round_end_ms(self) -> int | None:
        rnd = self.listing.round
        if rnd is None or self.round_open_ms is None or rnd.end is None:
            return None
        return self.round_open_ms + rnd.end * 1000

    def min_bid(self) -> int | None:
        """Lowest acceptable bid now (ticks per base unit), or None outside the round."""
        return self.listing.round.min_bid() if self.listing.state == "bidding" and self.listing.round else None

    def current_price(self) -> int:
        rnd = self.listing.round
        if self.sale_price is not None:
            return self.sale_price
        return rnd.price if rnd is not None else self.terms.start

    def leader(self) -> int | None:
        rnd = self.listing.round
        if self.listing.result is not None:
            return self.listing.result.winner
        return rnd.leader if rnd is not None else None

    # ------------------------------------------------------------------ actions
    def _hold(self, trading: Trading, account: int, fen: int) -> None:
        old = self.deposits.get(account, 0)
        trading.lot_commit[account] += fen - old
        self.deposits[account] = fen

    def _refuse(self, trading: Trading, account: int, price: int, reason: str) -> str:
        trading.world.record_rejections(product=trading.product, trader=np.array([account]), side="buy",
                                        quantity=np.array([self.terms.quantity]), price_ticks=np.array([price]),
                                        reason=reason)
        return reason

    def register(self, trading: Trading, account: int) -> str:
        """Register ``account`` now (accepting the start price); ``""`` or the reason it was refused."""
        now = trading.now_ms
        need = self.terms.quantity * self.terms.start // TICKS_PER_FEN
        if self.withdrawn:
            return self._refuse(trading, account, self.terms.start, "listing_closed")
        if self.listing.state == "listing" and self.terms.opens <= now < self.terms.closes \
                and account not in self.listing.registered and trading.available_cash(account) < need:
            return self._refuse(trading, account, self.terms.start, "insufficient_cash")
        reason = self.listing.register(account, now)
        if reason is not None:
            return self._refuse(trading, account, self.terms.start, reason)
        self._hold(trading, account, need)
        return ""

    def bid(self, trading: Trading, account: int, price: int) -> str:
        """A bid of ``price`` ticks per base unit now; ``""`` if accepted, else the reason."""
        if self.withdrawn or self.listing.state != "bidding" or self.round_open_ms is None:
            return self._refuse(trading, account, price, "not_bidding")
        if price <= 0:
            return self._refuse(trading, account, price, "non_positive")
        if price % trading.step:
            return self._refuse(trading, account, price, "off_tick")
        need = self.terms.quantity * price // TICKS_PER_FEN
        held = self.deposits.get(account, 0)
        rnd = self.listing.round
        assert rnd is not None
        if rnd.admitted is not None and account in rnd.admitted and trading.available_cash(account) + held < need:
            return self._refuse(trading, account, price, "insufficient_cash")
        reason = self.listing.bid(account, price, self.round_time(trading.now_ms))
        if reason is not None:
            return self._refuse(trading, account, price, reason)
        self._hold(trading, account, max(need, held))
        return ""

    def close_listing(self, trading: Trading) -> str:
        """End the registration period (at ``closes``); the new state. A lone bidder buys at once."""
        state = self.listing.close_listing(self.terms.closes)
        if state == "bidding":
            self.round_open_ms = trading.now_ms
        elif state == "sold":
            self._settle(trading)
        else:
            self._release(trading)
        return state

    def close_round(self, trading: Trading) -> str:
        """Close the bidding round at its end and settle; the final state."""
        rnd = self.listing.round
        assert rnd is not None and rnd.end is not None
        self.listing.close_round(rnd.end)
        if self.listing.state == "sold":
            self._settle(trading)
        else:
            self._release(trading)
        return self.listing.state

    def withdraw(self, trading: Trading) -> None:
        """The session ends before the lot closed: no sale, deposits released."""
        if self.listing.state in ("listing", "bidding"):
            self.withdrawn = True
            self._release(trading)

    def _release(self, trading: Trading) -> None:
        for account in list(self.deposits):
            self._hold(trading, account, 0)
        self.deposits.clear()

    def _settle(self, trading: Trading) -> None:
        res = self.listing.result
        assert res is not None and res.winner is not None and res.price is not None
        self._release(trading)
        self.sale_price = res.price
        trading.transfer(trading.reserve, res.winner, res.quantity, res.price, "listing", reason=f"listing {self.name}")


def robot_lot_value(eng: LotHost, seat: SeatSpec, lot: LiveLot) -> int:
    """A robot's value per base unit of the whole lot at its holdings now (ticks, rounded down)."""
    v = seat.valuation
    h = eng.trading.holdings(seat.id) // eng.lot
    n = lot.terms.quantity // eng.lot
    return (v.value(h + n) - v.value(h)) // lot.terms.quantity


def willing_robots(eng: LotHost, lot: LiveLot) -> list[int]:
    """Robots admitted to the round, not leading, whose value and cash reach the minimum bid now."""
    rnd = lot.listing.round
    if rnd is None or lot.listing.state != "bidding":
        return []
    need = rnd.min_bid()
    out = []
    for sid in sorted(rnd.admitted or ()):
        seat = eng.seats[sid] if sid >= 0 else None
        if seat is None or not seat.is_robot or sid == rnd.leader:
            continue
        cover = eng.trading.available_cash(sid) + lot.deposits.get(sid, 0)
        if robot_lot_value(eng, seat, lot) >= need and cover >= lot.terms.quantity * need // TICKS_PER_FEN:
            out.append(sid)
    return out


def lot_process(eng: LotHost, lot: LiveLot):
    """The SimPy process of one lot: it opens; robots whose value of the lot reaches the start register at
    random times of the listing period (stream ``classroom.listing.<lot>.<period>``); the listing closes;
    in a bidding round a willing robot raises by the increment after an exponential think time of mean
    ``listing_response_seconds`` shared among the willing; the round closes at its (possibly extended) end."""
    env, tr, name, unit = eng.env, eng.trading, lot.name, eng.spec.unit
    rng = eng.rng.stream(f"classroom.listing.{name}.{lot.period}")

    def gone() -> bool:
        return eng.finished or lot.withdrawn

    yield env.timeout(max(lot.terms.opens - eng.now_ms, 0))
    if gone():
        return
    eng.sync()
    eng.note("listing", Notice("feed_lot_listed", lot=name, quantity=f"{lot.terms.quantity:,}", unit=unit,
                               price=format_price(lot.terms.start)))
    robots = [sid for sid in eng.robot_ids if robot_lot_value(eng, eng.seats[sid], lot) >= lot.terms.start]
    times = rng.integers(lot.terms.opens, lot.terms.closes, size=len(robots)) if robots else []
    for t, sid in sorted(zip(np.asarray(times).tolist(), robots, strict=True)):
        yield env.timeout(max(t - eng.now_ms, 0))
        if gone():
            return
        eng.sync()
        if robot_lot_value(eng, eng.seats[sid], lot) >= lot.terms.start and not lot.register(tr, sid):
            eng.note("listing", Notice("feed_lot_registers", lot=name, who=eng.name_of(sid)), sid)
    yield env.timeout(max(lot.terms.closes - eng.now_ms, 0))
    if gone():
        return
    eng.sync()
    state = lot.close_listing(tr)
    if state == "sold":
        eng.note("listing", Notice("feed_lot_one_bidder", lot=name, who=eng.name_of(lot.leader()),
                                   price=format_price(lot.terms.start)))
        return
    if state != "bidding":
        eng.note("listing", Notice("feed_lot_no_bidder", lot=name))
        return
    eng.note("listing", Notice("feed_lot_round_opens", lot=name, bidders=len(lot.listing.registered),
                               seconds=lot.terms.round_seconds))
    mean_s = float(eng.spec.robots.listing_response_seconds)
    while True:
        end = lot.round_end_ms()
        assert end is not None
        willing = willing_robots(eng, lot)
        robot_turn = False
        t = end
        if willing:
            wait_s = max(1, math.ceil(rng.exponential(mean_s / len(willing))))
            if eng.now_ms + wait_s * 1000 < end:
                t, robot_turn = eng.now_ms + wait_s * 1000, True
        yield env.timeout(max(t - eng.now_ms, 0))
        if gone():
            return
        eng.sync()
        end = lot.round_end_ms()
        assert end is not None
        if eng.now_ms >= end:
            state = lot.close_round(tr)
            if state == "sold":
                eng.note("listing", Notice("feed_lot_sold", lot=name, who=eng.name_of(lot.leader()),
                                           price=format_price(lot.current_price())))
            else:
                eng.note("listing", Notice("feed_lot_no_bid", lot=name))
            return
        if robot_turn:
            willing = willing_robots(eng, lot)
            if willing:
                sid = willing[int(rng.integers(len(willing)))]
                price = lot.min_bid()
                assert price is not None
                if not lot.bid(tr, sid, price):
                    eng.note("listing", Notice("feed_lot_bids", lot=name, who=eng.name_of(sid), price=format_price(price)), sid)


__all__ = ["LiveLot", "LotHost", "lot_process", "robot_lot_value", "willing_robots"]
