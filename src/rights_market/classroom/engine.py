"""The live classroom market engine: an explicit SimPy event queue, independent of any web layer.

One :class:`ClassroomEngine` is one market epoch (a trainer's *reset* builds a new one). It owns a
:class:`~rights_market.engine.world.World` (accounts, record tables with the columns of ``docs/tables.md``,
the seeded :class:`~rights_market.engine.rng.RngTree`), the order book and orders
(:class:`~rights_market.classroom.trading.Trading`) and a :class:`simpy.Environment` whose clock is the
session clock in **milliseconds** (0 = the first period opens).

Scheduled events (SimPy processes, all randomness from named streams of the tree):

* periods: a period opens (rights and the reserve's stock issued, cash endowed once), runs
  ``period_seconds``, closes (book cleared, firms billed — rule W9 surcharge, penalty or abatement — rights
  used or expired, surplus and efficiency computed); the next one opens as its own event at the same
  millisecond, so with ``pause_between_periods`` the clock can stop between them;
* robots: each robot wakes after exponential waits (stream ``classroom.robot.<seat>.wake``), cancels its
  resting order and quotes one lot (:mod:`~rights_market.classroom.robots`, stream ``...quote``);
* the reserve: every ``check_seconds`` it withdraws its order and acts by its rules (W12 / E8);
* listing lots: registration, robots registering at random times, the bidding round with robots raising
  after exponential think times, the close (:mod:`~rights_market.classroom.lots`).

People's actions (orders, cancels, registrations, bids) are applied between events at the current time,
through the same checks and book as the robots'. The driver moves time with :meth:`advance_to` (stops
after a period closes when the classroom pauses between periods), or one visible action at a time with
:meth:`step`; :meth:`replay_to` re-plays a recorded number of queue steps exactly (see
:mod:`~rights_market.classroom.session`). Given the same seed and the same actions at the same
(steps, time), the trades are the same, byte for byte.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import simpy
from simpy.core import URGENT

from ..agents.behaviour import BUY, SELL
from ..engine.calendar import CalendarPlan
from ..engine.rng import RngTree
from ..engine.world import World
from ..ledger import CONSUMED, ECONOMY, FISCAL, GOVERNMENT, ISSUER, Accounts
from ..rights.catalogue import INSTITUTIONS, RESERVES
from ..units import FEN_PER_YUAN, TICKS_PER_FEN, TICKS_PER_YUAN, yuan_to_fen, yuan_to_ticks
from .lots import LiveLot, lot_process
from .notices import Notice
from .periods import FeedItem, PeriodResult, ReserveAction
from .robots import RobotPricing, zip_params
from .seats import SeatSpec, build_seats
from .settings import BuyBelowRule, BuyerRole, ClassroomScenario, FarmRole, FirmRole, SellerRole
from .trading import OrderResult, TapeRow, Trading, format_price
from .values import (
    ABATEMENT,
    SURCHARGE,
    Equilibrium,
    competitive_equilibrium,
    max_gains_of,
)


class ReplayError(RuntimeError):
    """An event log does not fit the engine it is replayed on (a different scenario, seed or version)."""


@dataclass
class ClassroomEngine:
    """One market epoch of a classroom (module docstring). ``name_of(seat)`` names seats in the feed.

    It is the :class:`~rights_market.classroom.lots.LotHost` its listing lots run in."""

    scenario: ClassroomScenario
    seed: int
    seats: list[SeatSpec]
    name_of: Callable[[int], str]
    steps: int = 0
    actions: int = 0
    finished: bool = False
    period: int = -1
    period_start_ms: int = 0
    feed: deque = field(default_factory=lambda: deque(maxlen=2000))
    reserve_log: deque = field(default_factory=lambda: deque(maxlen=200))
    results: list[PeriodResult] = field(default_factory=list)
    lots: dict[str, LiveLot] = field(default_factory=dict)

    def __post_init__(self) -> None:
        spec = self.scenario.classroom
        self.spec = spec
        n = len(self.seats)
        self.rng = RngTree(self.seed)
        self.world = World(calendar=CalendarPlan(spec.year, 1, spec.periods, spec.periods), rng=self.rng,
                           accounts=Accounts(n, [spec.product], INSTITUTIONS))
        self.reserve_id = RESERVES.get(spec.right, GOVERNMENT)
        self.trading = Trading(spec, self.world, [s.valuation for s in self.seats], [s.sector for s in self.seats],
                               self.reserve_id)
        self.trading.on_trade = self._on_trade
        self.active = np.array([s.is_robot for s in self.seats], dtype=bool)
        self.lot, self.step_ticks = spec.lot, spec.step_ticks
        self.lo = -(-self.trading.floor_ticks // self.step_ticks)
        self.hi = self.trading.ceiling_ticks // self.step_ticks
        self.robot_ids = [s.id for s in self.seats if s.is_robot]
        self.robot_index = {sid: i for i, sid in enumerate(self.robot_ids)}
        kinds = [self.seats[i].player for i in self.robot_ids]
        base_value = yuan_to_ticks(spec.base_price_yuan) * self.lot
        sides = [BUY if self.seats[i].valuation.next_lot_value(self.seats[i].valuation.start_lots) >= base_value
                 or self.seats[i].valuation.start_lots == 0 else SELL for i in self.robot_ids]
        self.pricing = RobotPricing(kinds, sides, zip_params(spec.robots.zip, self.step_ticks),
                                    self.rng.stream("classroom.zip"))
        if self.pricing.zip_robots:
            self.trading.on_shout = self._on_shout
        self._halt = False
        self._eq_cache: tuple[bytes, Equilibrium | None] | None = None
        self.env = simpy.Environment()
        self.env.process(self._periods())
        for sid in self.robot_ids:
            self.env.process(self._robot(self.seats[sid]))
        if spec.reserve is not None and spec.reserve.rules:
            self.env.process(self._reserve_checks())

    # ------------------------------------------------------------------ clock
    @property
    def now_ms(self) -> int:
        return int(self.env.now)

    @property
    def is_open(self) -> bool:
        return self.trading.is_open

    def sync(self) -> None:
        """Bring the trading layer's clock to the queue's (before any action)."""
        self.trading.now_ms = int(self.env.now)

    def _step(self) -> None:
        self.env.step()
        self.steps += 1

    def _move_clock(self, t_ms: int) -> None:
        """Move the clock forward to ``t_ms`` when no event is due before it, without counting a step.

        Like SimPy's own ``run(until=...)`` this schedules an urgent marker event at ``t_ms`` and processes it;
        unlike it, nothing is left in the queue (``run(until)`` re-queues its stop event, which would shift the
        step count between a live session and its replay).
        """
        if t_ms <= self.env.now:
            return
        marker = simpy.Event(self.env)
        marker._ok, marker._value = True, None  # an already-succeeded event, as run(until=...) builds it
        self.env.schedule(marker, URGENT, t_ms - self.env.now)
        self.env.step()
        assert self.env.now == t_ms and marker.processed

    def next_event_ms(self) -> float:
        """Time of the next scheduled event (``inf`` when nothing is left)."""
        return self.env.peek()

    def advance_to(self, t_ms: int, stop_at_halt: bool = True) -> bool:
        """Process every event before ``t_ms`` and move the clock there. With ``stop_at_halt`` it stops right
        after a period closes when the classroom pauses between periods, and returns True (the clock then
        stands at that close)."""
        while self.env.peek() < t_ms:
            self._step()
            if self._halt:
                self._halt = False
                if stop_at_halt:
                    self.sync()
                    return True
        self._move_clock(t_ms)
        self.sync()
        return False

    def step(self) -> bool:
        """Process events until one visible action happened (an order, a trade, a period or lot event, a
        reserve action); False if no event is left."""
        before = self.actions
        while self.env.peek() != math.inf:
            self._step()
            if self.actions != before:
                self._halt = False
                self.sync()
                return True
        self.sync()
        return False

    def replay_to(self, steps: int, t_ms: int) -> None:
        """Process events until exactly ``steps`` queue steps were taken, then move the clock to ``t_ms``
        (raises :class:`ReplayError` if the recorded position cannot be reached)."""
        while self.steps < steps:
            if self.env.peek() == math.inf:
                raise ReplayError(f"the log expects {steps} queue steps; the engine has only {self.steps}")
            self._step()
        self._halt = False
        if self.steps != steps:
            raise ReplayError(f"the log expects {steps} queue steps; the engine is at {self.steps}")
        if self.env.peek() < t_ms:
            raise ReplayError(f"an event at {self.env.peek()} ms precedes the logged action at {t_ms} ms")
        if t_ms < self.env.now:
            raise ReplayError(f"the logged action at {t_ms} ms is earlier than the engine clock {self.env.now}")
        self._move_clock(t_ms)
        self.sync()

    # ------------------------------------------------------------------ feed
    def note(self, kind: str, text: Notice, seat: int = -1) -> None:
        """Add a visible event to the feed, with its code and params for the pages (:mod:`.notices`; this
        counts as an action for :meth:`step`)."""
        self.feed.append(FeedItem(self.now_ms, kind, str(text), seat, text.code, text.params))
        self.actions += 1

    def _on_trade(self, row: TapeRow) -> None:
        self.note("trade", Notice("feed_trade", buyer=self.name_of(row.buyer), quantity=f"{row.quantity:,}",
                                  unit=self.spec.unit, seller=self.name_of(row.seller),
                                  price=format_price(row.price), mechanism=row.mechanism))
        if self.reserve_id in (row.buyer, row.seller):
            action = "buy" if row.buyer == self.reserve_id else "sell"
            self.reserve_log.append(ReserveAction(row.t_ms, action, row.quantity, row.price, row.mechanism))

    # ------------------------------------------------------------------ periods
    def _periods(self):
        spec = self.spec
        for p in range(spec.periods):
            if p:
                yield self.env.timeout(0)  # the next period opens as an event of its own
            if self.finished:
                return
            self._open_period(p)
            yield self.env.timeout(spec.period_seconds * 1000)
            if self.finished:
                return
            self._close_period(p)
            if spec.pause_between_periods and p < spec.periods - 1:
                self._halt = True
        self.finished = True
        self.note("session", Notice("feed_session_over"))

    def _open_period(self, p: int) -> None:
        self.sync()
        spec, acc, clock = self.spec, self.world.accounts, self.world.clock
        clock.now, clock.year_index, clock.year, clock.session = float(p), 0, spec.year, p
        self.period, self.period_start_ms = p, self.now_ms
        self.trading.new_period(p)
        ids = np.array([s.id for s in self.seats], dtype=np.int64)
        start = np.array([s.valuation.start_lots * self.lot for s in self.seats], dtype=np.int64)
        if start.any():
            acc.move(spec.product, ISSUER, ids[start > 0], start[start > 0])
        if p == 0:
            cash = np.array([s.valuation.cash_fen for s in self.seats], dtype=np.int64)
            if cash.any():
                acc.pay(ECONOMY, ids[cash > 0], cash[cash > 0])
        lots = [lot for lot in spec.listings if lot.period == p]
        stock = (spec.reserve.stock if spec.reserve is not None else 0) + sum(lot.quantity for lot in lots)
        if stock:
            acc.move(spec.product, ISSUER, self.reserve_id, stock)
        budget = yuan_to_fen(spec.reserve.cash_yuan) if spec.reserve is not None else 0
        if budget:
            acc.pay(FISCAL, self.reserve_id, budget)
        if spec.reserve is not None or lots:
            self.world.record_reserve(product=spec.product, action="budget", quantity=stock, price_ticks=0,
                                      amount_fen=budget, stock=self.trading.holdings(self.reserve_id),
                                      cash_fen=self.trading.cash(self.reserve_id), reason=f"period {p + 1} allocation")
            self.reserve_log.append(ReserveAction(self.now_ms, "budget", stock, 0, f"stock and {budget / FEN_PER_YUAN:,.2f} yuan"))
        self.trading.is_open = True
        floor = self.trading.floor_ticks if spec.floor_at_base_price else 0
        for lot in lots:
            live = LiveLot(lot, p, self.now_ms, floor)
            self.lots[lot.name] = live
            self.env.process(self._lot(live))
        self.note("period", Notice("feed_period_opens", period=p + 1, periods=spec.periods))

    def _close_period(self, p: int) -> None:
        self.sync()
        spec, acc, tr = self.spec, self.world.accounts, self.trading
        tr.close_book()
        for live in self.lots.values():
            if live.period == p:
                live.withdraw(tr)
        n = len(self.seats)
        ids = np.arange(n, dtype=np.int64)
        held = acc.of(spec.product, ids)
        snap = np.concatenate([ids, [self.reserve_id]])
        snap_q = acc.of(spec.product, snap)
        nz = snap_q != 0
        self.world.tables["holdings"].append(time=p, year=spec.year, holder=snap[nz], product=spec.product,
                                             quantity=snap_q[nz])
        value_change = np.zeros(n, dtype=np.int64)
        bill_fen = np.zeros(n, dtype=np.int64)
        surcharge = 0
        used = np.zeros(n, dtype=np.int64)
        for s in self.seats:
            h = int(held[s.id])
            v = s.valuation
            value_change[s.id] = v.value_change_fen(h // self.lot)
            role = v.role
            if isinstance(role, FirmRole):
                b = v.bill(h // self.lot)
                for line in b.lines:
                    payee = ECONOMY if line.kind == ABATEMENT else FISCAL
                    acc.pay(s.id, payee, line.amount_fen)
                    surcharge += line.amount_fen if line.kind == SURCHARGE else 0
                    self.world.record_charges(
                        holder=np.array([s.id]), payee=np.array([payee]), product=spec.product, kind=line.kind,
                        band=np.array([line.band]), quantity=np.array([line.quantity]),
                        rate_ticks=np.array([line.rate_ticks]), amount_fen=np.array([line.amount_fen]))
                bill_fen[s.id] = b.total_fen
                used[s.id] = min(h, role.need)
            elif isinstance(role, FarmRole):
                used[s.id] = min(h, role.need)
            elif isinstance(role, BuyerRole):
                used[s.id] = min(h, v.lots_valued * self.lot)
            else:
                assert isinstance(role, SellerRole)
        if used.any():
            acc.move(spec.product, ids[used > 0], CONSUMED, used[used > 0])
        left = held - used
        if left.any():
            acc.move(spec.product, ids[left > 0], ISSUER, left[left > 0])
        stock = tr.holdings(self.reserve_id)
        if stock:
            acc.move(spec.product, self.reserve_id, ISSUER, stock)
            self.world.record_reserve(product=spec.product, action="expire", quantity=stock, price_ticks=0,
                                      amount_fen=0, stock=0, cash_fen=tr.cash(self.reserve_id),
                                      reason="unsold stock expires at the period end")
            self.reserve_log.append(ReserveAction(self.now_ms, "expire", stock, 0, "unsold stock expires"))
        active = self.active.copy()
        vals = [s.valuation for s in self.seats if active[s.id]]
        res = PeriodResult(p, value_change, tr.trade_cash.copy(), bill_fen, active, tr.gains, max_gains_of(vals),
                           tr.period_trades, tr.period_volume, tr.period_amount,
                           competitive_equilibrium(vals, self.lot), surcharge)
        self.results.append(res)
        self._record_kpis(res)
        tr.is_open = False
        eff = res.efficiency
        closed = dict(period=p + 1, trades=res.trades, volume=f"{res.volume:,}", unit=spec.unit)
        self.note("period", Notice("feed_period_closes", **closed) if math.isnan(eff)
                  else Notice("feed_period_closes_eff", **closed, efficiency=f"{eff:.1%}"))

    def _record_kpis(self, res: PeriodResult) -> None:
        k, right, unit = self.world.record_kpi, self.spec.right, self.spec.unit
        k(right, "trade_count", res.trades, "1")
        k(right, "traded_volume", res.volume, unit)
        k(right, "mean_price", res.amount_fen / FEN_PER_YUAN / res.volume if res.volume else float("nan"), f"yuan/{unit}")
        k(right, "base_price", yuan_to_ticks(self.spec.base_price_yuan) / TICKS_PER_YUAN, f"yuan/{unit}")
        k(right, "realised_gains", res.gains / TICKS_PER_FEN / FEN_PER_YUAN, "yuan")
        k(right, "max_gains", res.max_gains / TICKS_PER_FEN / FEN_PER_YUAN, "yuan")
        k(right, "efficiency", res.efficiency, "1")
        k(right, "total_surplus", int(res.surplus_fen[res.active].sum()) / FEN_PER_YUAN, "yuan")
        k(right, "surcharge_revenue", res.surcharge_fen / FEN_PER_YUAN, "yuan")
        if res.equilibrium is not None:
            k(right, "equilibrium_quantity", res.equilibrium.lots * self.lot, unit)
            k(right, "equilibrium_price_low", res.equilibrium.price_low_ticks / TICKS_PER_YUAN, f"yuan/{unit}")
            k(right, "equilibrium_price_high", res.equilibrium.price_high_ticks / TICKS_PER_YUAN, f"yuan/{unit}")
        k(right, "reserve_cash", self.trading.cash(self.reserve_id) / FEN_PER_YUAN, "yuan")

    def finish(self) -> None:
        """End the session now: the open period closes at this moment (billed and settled like any other),
        lots still running are withdrawn, and nothing more happens."""
        if self.finished:
            return
        self.sync()
        if self.trading.is_open:
            self._close_period(self.period)
        self.finished = True
        self.note("session", Notice("feed_trainer_finished"))

    # ------------------------------------------------------------------ robots
    def _robot(self, seat: SeatSpec):
        wake = self.rng.stream(f"classroom.robot.{seat.id}.wake")
        quote = self.rng.stream(f"classroom.robot.{seat.id}.quote")
        mean_ms = float(self.spec.robots.mean_interval_seconds) * 1000
        while not self.finished:
            yield self.env.timeout(max(1, math.ceil(wake.exponential(mean_ms))))
            if self.finished:
                return
            self.sync()
            self._robot_act(seat, quote)

    def _limits(self, seat: SeatSpec) -> tuple[int | None, int | None]:
        """(buy limit, sell limit) in steps for one lot now; None where the seat cannot take that side."""
        v, tr = seat.valuation, self.trading
        unit_steps = self.lot * self.step_ticks  # ticks·units of one lot at one step
        h = tr.holdings(seat.id) // self.lot
        buy = sell = None
        nv = v.next_lot_value(h)
        if nv > 0:
            lim = min(nv // unit_steps, tr.available_cash(seat.id) * TICKS_PER_FEN // unit_steps)
            if lim >= self.lo:
                buy = int(lim)
        if tr.available_units(seat.id) >= self.lot:
            lim = -(-v.last_lot_value(h) // unit_steps)
            if lim <= self.hi:
                sell = int(lim)
        return buy, sell

    def _block(self, seat: SeatSpec, side: int, price_ticks: int) -> int:
        """Lots of a robot's order: its next lots of the same value as the first (at most ``lots_per_order``),
        within its cash (bids) or rights (asks)."""
        v, tr = seat.valuation, self.trading
        h = tr.holdings(seat.id) // self.lot
        most = self.spec.robots.lots_per_order
        if side == BUY:
            first = v.next_lot_value(h)
            n = 1
            while n < most and v.next_lot_value(h + n) == first:
                n += 1
            return max(1, min(n, tr.available_cash(seat.id) * TICKS_PER_FEN // (price_ticks * self.lot)))
        first = v.last_lot_value(h)
        n = 1
        while n < most and h - n >= 1 and v.last_lot_value(h - n) == first:
            n += 1
        return max(1, min(n, tr.available_units(seat.id) // self.lot))

    def _robot_act(self, seat: SeatSpec, rng: np.random.Generator) -> None:
        tr = self.trading
        if not tr.is_open:
            return
        cancelled = tr.cancel_all(seat.id)
        i = self.robot_index[seat.id]
        buy, sell = self._limits(seat)
        fixed = self.pricing.fixed_side(i)
        if fixed == BUY:
            sell = None
        elif fixed == SELL:
            buy = None
        if buy is None and sell is None:
            if cancelled:
                self.note("robot", Notice("feed_withdraws", who=self.name_of(seat.id)), seat.id)
            return
        side = BUY if sell is None or (buy is not None and rng.random() < 0.5) else SELL
        limit = buy if side == BUY else sell
        assert limit is not None
        price = self.pricing.quote(i, side, limit, self.lo, self.hi, rng)
        if price < 0:
            if cancelled:
                self.note("robot", Notice("feed_withdraws", who=self.name_of(seat.id)), seat.id)
            return
        qty = self._block(seat, side, price * self.step_ticks) * self.lot
        self.note("order", Notice("feed_bid" if side == BUY else "feed_ask", who=self.name_of(seat.id),
                                  price=format_price(price * self.step_ticks), quantity=f"{qty:,}",
                                  unit=self.spec.unit), seat.id)
        tr.submit(seat.id, side, price * self.step_ticks, qty)

    def _on_shout(self, side: int, price: int, accepted: bool) -> None:
        """ZIP robots learn from every shout in the market (Cliff 1997)."""
        ids = [self.robot_ids[i] for i in self.pricing.zip_robots]
        limits = np.zeros(len(ids), dtype=np.int64)
        active = np.zeros(len(ids), dtype=bool)
        for j, sid in enumerate(ids):
            seat = self.seats[sid]
            fixed = self.pricing.fixed_side(self.robot_index[sid])
            h = self.trading.holdings(sid) // self.lot
            unit_steps = self.lot * self.step_ticks
            if fixed == BUY:
                limits[j] = seat.valuation.next_lot_value(h) // unit_steps
                active[j] = limits[j] >= self.lo
            else:
                limits[j] = -(-seat.valuation.last_lot_value(h) // unit_steps)
                active[j] = h > 0
        self.pricing.observe(limits, active, price // self.step_ticks, side, accepted)

    # ------------------------------------------------------------------ reserve
    def _reserve_checks(self):
        assert self.spec.reserve is not None
        dt = self.spec.reserve.check_seconds * 1000
        while not self.finished:
            yield self.env.timeout(dt)
            if self.finished:
                return
            self.sync()
            self._reserve_act()

    def _reserve_act(self) -> None:
        """Rules W12 / E8: withdraw the last order; bid at a buy trigger the last price fell below, offer at
        a sell trigger it rose above (whole lots, within the reserve's cash and stock)."""
        tr, rid, spec = self.trading, self.reserve_id, self.spec
        if not tr.is_open or spec.reserve is None:
            return
        tr.cancel_all(rid)
        last = tr.last_price
        if last is None:
            return
        for rule in spec.reserve.rules:
            trig = yuan_to_ticks(rule.trigger_yuan)
            if isinstance(rule, BuyBelowRule):
                if last >= trig:
                    continue
                afford = tr.available_cash(rid) * TICKS_PER_FEN // (trig * self.lot) * self.lot
                qty, side, reason = min(rule.max_quantity, afford), BUY, "price_below_trigger"
            else:
                if last <= trig:
                    continue
                qty = min(rule.max_quantity, tr.available_units(rid) // self.lot * self.lot)
                side, reason = SELL, "price_above_trigger"
            if qty <= 0:
                continue
            self.reserve_log.append(ReserveAction(self.now_ms, "bid" if side == BUY else "offer", qty, trig, reason))
            self.note("reserve", Notice("feed_reserve_bid" if side == BUY else "feed_reserve_offer",
                                        quantity=f"{qty:,}", unit=spec.unit, price=format_price(trig),
                                        last=format_price(last)))
            tr.submit(rid, side, trig, qty)

    # ------------------------------------------------------------------ listing lots
    def _lot(self, lot: LiveLot):
        """The SimPy process of one listing lot (:func:`~rights_market.classroom.lots.lot_process`)."""
        return lot_process(self, lot)

    # ------------------------------------------------------------------ people's actions
    def activate(self, seat: int) -> None:
        """A person took seat ``seat``: it counts in the maximum gains from now on."""
        self.active[seat] = True

    def equilibrium(self) -> Equilibrium | None:
        """Competitive equilibrium of the seats taking part now (cached until somebody joins)."""
        key = self.active.tobytes()
        cached = self._eq_cache
        if cached is None or cached[0] != key:
            vals = [s.valuation for s in self.seats if self.active[s.id]]
            cached = self._eq_cache = (key, competitive_equilibrium(vals, self.lot))
        return cached[1]

    def submit(self, seat: int, side: int, price: int, quantity: int) -> OrderResult:
        """A person's limit order now (ticks per base unit, base units)."""
        self.sync()
        res = self.trading.submit(seat, side, price, quantity)
        said = dict(who=self.name_of(seat), price=format_price(price), quantity=f"{quantity:,}", unit=self.spec.unit)
        if res.status == "rejected":
            self.note("order", Notice("feed_bid_rejected" if side == BUY else "feed_ask_rejected", **said,
                                      reason=res.reason), seat)
        else:
            self.note("order", Notice("feed_bid" if side == BUY else "feed_ask", **said), seat)
        return res

    def cancel(self, seat: int, order_id: int) -> str:
        """A person cancels one of its resting orders; ``""`` or the reason it could not."""
        self.sync()
        reason = self.trading.cancel(seat, order_id)
        if not reason:
            self.note("order", Notice("feed_cancels", who=self.name_of(seat), order=order_id), seat)
        return reason

    def register(self, seat: int, lot_name: str) -> str:
        """A person registers for a listing lot; ``""`` or the reason it was refused."""
        self.sync()
        lot = self.lots.get(lot_name)
        if lot is None:
            return "unknown_lot"
        reason = lot.register(self.trading, seat)
        if not reason:
            self.note("listing", Notice("feed_lot_registers", lot=lot_name, who=self.name_of(seat)), seat)
        return reason

    def bid(self, seat: int, lot_name: str, price: int) -> str:
        """A person bids in a listing lot's round; ``""`` or the reason it was refused."""
        self.sync()
        lot = self.lots.get(lot_name)
        if lot is None:
            return "unknown_lot"
        reason = lot.bid(self.trading, seat, price)
        if not reason:
            self.note("listing", Notice("feed_lot_bids", lot=lot_name, who=self.name_of(seat), price=format_price(price)),
                      seat)
        return reason


__all__ = ["ClassroomEngine", "FeedItem", "PeriodResult", "ReplayError", "ReserveAction", "SeatSpec",
           "build_seats"]
