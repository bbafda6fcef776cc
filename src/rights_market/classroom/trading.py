"""Orders, the order book, commitments and settlement of one live classroom market.

Every order — a person's or a robot's or the reserve's — goes through :meth:`Trading.submit`: checks that
need the ledger (the market is open; whole lots; a price on the grid; a seat's number of resting orders;
cash and rights not already committed to resting orders or listing bids), then the continuous double auction
(:class:`~rights_market.market.ContinuousDoubleAuction`: price-time priority, trades at the resting price,
self-trade prevention, floor and ceiling). A rejected order is recorded with its reason in
``orders_rejected`` and keeps its order id, so every id accounts for its whole quantity:
``quantity = filled + resting + cancelled + rejected`` (:meth:`Trading.check_orders`).

Settlement moves rights seller → buyer and money buyer → seller through
:class:`~rights_market.ledger.Accounts` only; because prices are whole steps, quantities whole lots and
``lot × step`` a whole number of fen, the money of a trade is exact (no rounding). Trades are recorded in
``trades`` (columns of ``docs/tables.md``), the reserve's fills in ``reserve``. Time on the records is the
period number; the millisecond of every trade is on the tape (:class:`TapeRow`).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..agents.behaviour import BUY, SELL
from ..engine.world import World
from ..market import ContinuousDoubleAuction
from ..units import TICKS_PER_FEN, TICKS_PER_YUAN, amount_fen, yuan_to_ticks
from .settings import ClassroomSpec
from .values import Valuation

SIDE_NAME = {BUY: "buy", SELL: "sell"}

REASON_CLOSED = "market_closed"
REASON_LOTS = "not_whole_lots"
REASON_TICK = "off_tick"
REASON_TOO_MANY = "too_many_orders"
REASON_CASH = "insufficient_cash"
REASON_RIGHTS = "insufficient_rights"


def format_price(ticks: int) -> str:
    """Ticks per base unit as yuan with 2 to 4 decimals (1.081, 0.60, 21.00)."""
    whole, frac = divmod(int(ticks), TICKS_PER_YUAN)
    text = f"{frac:04d}".rstrip("0").ljust(2, "0")
    return f"{whole:,}.{text}"


@dataclass
class Order:
    """One order as submitted (price in ticks per base unit, quantity in base units, time in ms)."""

    id: int
    account: int
    side: int
    price: int
    quantity: int
    t_ms: int
    period: int
    filled: int = 0
    cancelled: int = 0
    rejected: int = 0
    reason: str = ""

    @property
    def remaining(self) -> int:
        return self.quantity - self.filled - self.cancelled - self.rejected

    @property
    def status(self) -> str:
        if self.rejected:
            return "rejected"
        if self.remaining:
            return "partial" if self.filled else "resting"
        if self.filled == self.quantity:
            return "filled"
        return "cancelled"


@dataclass(frozen=True)
class OrderResult:
    """What became of a submitted order at once: its id, status, reason (if rejected) and filled quantity."""

    order_id: int
    status: str
    reason: str
    filled: int


@dataclass(frozen=True)
class TapeRow:
    """One trade as it happened: ms of the session clock, period, mechanism, accounts, base units, ticks,
    fen, the order ids (0 for a listing) and the gain from trade between two seats (ticks·units; None when
    an institution took part)."""

    t_ms: int
    period: int
    mechanism: str
    seller: int
    buyer: int
    quantity: int
    price: int
    amount_fen: int
    buy_order: int
    sell_order: int
    gain: int | None


@dataclass
class Trading:
    """Orders, book, commitments and settlement (module docstring). One per market epoch.

    ``valuations[i]`` is seat ``i``'s induced value; ``sectors[i]`` its sector for the relation column;
    ``reserve`` the reserve's account id. ``now_ms``/``period``/``is_open`` are set by the engine.
    """

    spec: ClassroomSpec
    world: World
    valuations: list[Valuation]
    sectors: list[str]
    reserve: int
    now_ms: int = 0
    period: int = -1
    is_open: bool = False
    orders: dict[int, Order] = field(default_factory=dict)
    tape: list[TapeRow] = field(default_factory=list)
    last_price: int | None = None
    on_trade: Callable[[TapeRow], None] | None = None
    on_shout: Callable[[int, int, bool], None] | None = None

    def __post_init__(self) -> None:
        s = self.spec
        floor = yuan_to_ticks(s.base_price_yuan) if s.floor_at_base_price else yuan_to_ticks(s.price_min_yuan)
        self.floor_ticks = max(floor, yuan_to_ticks(s.price_min_yuan))
        self.ceiling_ticks = yuan_to_ticks(s.price_max_yuan)
        self.step = s.step_ticks
        self.lot = s.lot
        self.product = s.product
        self.base_ticks = yuan_to_ticks(s.base_price_yuan)
        self.book = ContinuousDoubleAuction(self.floor_ticks, self.ceiling_ticks)
        self._ids = itertools.count(1)
        self.commit_cash: dict[int, int] = defaultdict(int)  # fen held by resting bids
        self.commit_units: dict[int, int] = defaultdict(int)  # base units held by resting asks
        self.lot_commit: dict[int, int] = defaultdict(int)  # fen held by listing registrations and bids
        self.resting: dict[int, set[int]] = defaultdict(set)
        self.trades_of: dict[int, list[TapeRow]] = defaultdict(list)  # account -> its trades, in order
        n = len(self.valuations)
        self.trade_cash = np.zeros(n, dtype=np.int64)  # net money from trades this period, per seat
        self.gains = 0  # gains from trade between seats this period, ticks·units
        self.period_trades = 0
        self.period_volume = 0
        self.period_amount = 0

    # ------------------------------------------------------------------ balances
    def holdings(self, account: int) -> int:
        return int(self.world.accounts.of(self.product, account))

    def cash(self, account: int) -> int:
        return int(self.world.accounts.of("money", account))

    def available_cash(self, account: int) -> int:
        """Cash not held by resting bids or listing commitments, fen."""
        return self.cash(account) - self.commit_cash[account] - self.lot_commit[account]

    def available_units(self, account: int) -> int:
        """Rights not offered in resting asks, base units."""
        return self.holdings(account) - self.commit_units[account]

    def open_orders(self, account: int) -> list[Order]:
        return [self.orders[i] for i in sorted(self.resting[account])]

    # ------------------------------------------------------------------ orders
    def precheck(self, account: int, side: int, price: int, qty: int) -> str:
        """The reason an order may not enter the book, or ``""`` (the book itself checks price bounds)."""
        if not self.is_open:
            return REASON_CLOSED
        if qty <= 0 or qty % self.lot:
            return REASON_LOTS
        if price > 0 and price % self.step:
            return REASON_TICK
        if account >= 0 and len(self.resting[account]) >= self.spec.max_open_orders:
            return REASON_TOO_MANY
        if price <= 0 or price < self.floor_ticks or price > self.ceiling_ticks:
            return ""  # the book rejects it with its own reason
        if side == BUY and self.available_cash(account) < qty * price // TICKS_PER_FEN:
            return REASON_CASH
        if side == SELL and self.available_units(account) < qty:
            return REASON_RIGHTS
        return ""

    def submit(self, account: int, side: int, price: int, qty: int) -> OrderResult:
        """Enter a limit order of ``account`` (checks, book, settlement of any fills). Never raises for a bad
        order: it is rejected with a reason and keeps its id."""
        oid = next(self._ids)
        order = Order(oid, account, side, price, qty, self.now_ms, self.period)
        self.orders[oid] = order
        reason = self.precheck(account, side, price, qty)
        if reason:
            order.rejected = qty
            order.reason = reason
            self._record_rejection(order, reason)
            return OrderResult(oid, order.status, reason, 0)
        self._commit(order, qty)
        self.resting[account].add(oid)
        self.book.submit(oid, account, side, price, qty, self.now_ms)
        traded = self._drain()
        if self.on_shout is not None and not order.rejected:
            self.on_shout(side, traded[-1] if traded else price, bool(traded))
        return OrderResult(oid, order.status, order.reason, order.filled)

    def cancel(self, account: int, order_id: int) -> str:
        """Cancel ``account``'s resting order ``order_id``: ``""`` if done, else the reason
        (``unknown_order`` — no such order of this account; ``not_resting`` — filled or cancelled already)."""
        order = self.orders.get(int(order_id))
        if order is None or order.account != account:
            return "unknown_order"
        if not self.book.cancel(order.id, self.now_ms):
            return "not_resting"
        self._drain()
        return ""

    def cancel_all(self, account: int) -> int:
        """Cancel every resting order of ``account``; the number cancelled."""
        ids = sorted(self.resting[account])
        for oid in ids:
            self.book.cancel(oid, self.now_ms)
        self._drain()
        return len(ids)

    def close_book(self) -> None:
        """End of a period: every resting order is cancelled (reason ``session_end``)."""
        self.book.end_session(self.now_ms)
        self._drain()

    def _commit(self, order: Order, qty: int, sign: int = 1) -> None:
        if order.side == BUY:
            self.commit_cash[order.account] += sign * (qty * order.price // TICKS_PER_FEN)
        else:
            self.commit_units[order.account] += sign * qty

    def _drain(self) -> list[int]:
        """Apply the book's fills, cancellations and rejections; the trade prices of this call."""
        fills = self.book.take_fills()
        prices = fills["price"].tolist()
        for b, s, buyer, seller, p, q in zip(fills["buy_order"].tolist(), fills["sell_order"].tolist(),
                                             fills["buyer"].tolist(), fills["seller"].tolist(), prices,
                                             fills["quantity"].tolist(), strict=True):
            self._settle_fill(b, s, buyer, seller, p, q)
        canc = self.book.take_cancellations()
        for oid, q, reason in zip(canc["order_id"].tolist(), canc["quantity"].tolist(), canc["reason"].tolist(),
                                  strict=True):
            order = self.orders[oid]
            order.cancelled += q
            order.reason = str(reason)
            self._commit(order, q, -1)
            self.resting[order.account].discard(oid)
        rej = self.book.take_rejections()
        for oid, q, reason in zip(rej["order_id"].tolist(), rej["quantity"].tolist(), rej["reason"].tolist(),
                                  strict=True):
            order = self.orders[oid]
            order.rejected += q
            order.reason = str(reason)
            self._commit(order, q, -1)
            self.resting[order.account].discard(oid)
            self._record_rejection(order, str(reason))
        return prices

    # ------------------------------------------------------------------ settlement
    def _gain(self, buyer: int, seller: int, qty: int) -> int | None:
        """Gain from trade of ``qty`` units between two seats at their current holdings (ticks·units)."""
        if buyer < 0 or seller < 0:
            return None
        n = qty // self.lot
        vb, vs = self.valuations[buyer], self.valuations[seller]
        hb, hs = self.holdings(buyer) // self.lot, self.holdings(seller) // self.lot
        return (vb.value(hb + n) - vb.value(hb)) - (vs.value(hs) - vs.value(hs - n))

    def transfer(self, seller: int, buyer: int, qty: int, price: int, mechanism: str, buy_order: int = 0,
                 sell_order: int = 0, reason: str = "") -> TapeRow:
        """Settle one trade through the ledger and record it (trades, reserve, tape)."""
        gain = self._gain(buyer, seller, qty)
        amount = amount_fen(qty, price)
        acc = self.world.accounts
        acc.move(self.product, seller, buyer, qty)
        acc.pay(buyer, seller, amount)
        for acct, sign in ((buyer, -1), (seller, 1)):
            if acct >= 0:
                self.trade_cash[acct] += sign * amount
        if gain is not None:
            self.gains += gain
        self.period_trades += 1
        self.period_volume += qty
        self.period_amount += amount
        self.last_price = price
        s_sec, b_sec = self._sector(seller), self._sector(buyer)
        self.world.record_trades(
            right=self.spec.right, product=self.product, mechanism=mechanism, seller=np.array([seller]),
            buyer=np.array([buyer]), quantity=np.array([qty]), unit=self.spec.unit, price_ticks=np.array([price]),
            amount_fen=np.array([amount]), relation=f"{s_sec}->{b_sec}" if s_sec and b_sec else "",
            base_price_ticks=np.array([self.base_ticks]),
        )
        if self.reserve in (buyer, seller):
            action = "buy" if buyer == self.reserve else "sell"
            self.world.record_reserve(
                product=self.product, action=action, quantity=qty, price_ticks=price, amount_fen=amount,
                stock=self.holdings(self.reserve), cash_fen=self.cash(self.reserve),
                reason=reason or ("price_below_trigger" if action == "buy" else "price_above_trigger"),
            )
        row = TapeRow(self.now_ms, self.period, mechanism, seller, buyer, qty, price, amount, buy_order, sell_order,
                      gain)
        self.tape.append(row)
        self.trades_of[buyer].append(row)
        self.trades_of[seller].append(row)
        if self.on_trade is not None:
            self.on_trade(row)
        return row

    def _settle_fill(self, buy_oid: int, sell_oid: int, buyer: int, seller: int, price: int, qty: int) -> None:
        bo, so = self.orders[buy_oid], self.orders[sell_oid]
        self.transfer(seller, buyer, qty, price, "cda", buy_oid, sell_oid)
        for order in (bo, so):
            order.filled += qty
            self._commit(order, qty, -1)
            if not order.remaining:
                self.resting[order.account].discard(order.id)

    def _sector(self, account: int) -> str:
        if account == self.reserve:
            return "reserve"
        return self.sectors[account] if account >= 0 else ""

    def _record_rejection(self, order: Order, reason: str) -> None:
        self.world.record_rejections(product=self.product, trader=np.array([order.account]),
                                     side=SIDE_NAME.get(order.side, "invalid"), quantity=np.array([order.quantity]),
                                     price_ticks=np.array([order.price]), reason=reason)

    # ------------------------------------------------------------------ period
    def new_period(self, period: int) -> None:
        """Reset the per-period counters."""
        self.period = period
        self.trade_cash[:] = 0
        self.gains = 0
        self.period_trades = self.period_volume = self.period_amount = 0

    def check_orders(self) -> None:
        """Raise AssertionError unless every order accounts for its whole quantity and the book agrees.

        For every id: ``quantity = filled + resting + cancelled + rejected`` with nothing negative; an order is
        resting exactly when the book holds its remaining quantity; fills on the tape add up to ``filled``;
        commitments equal what the resting orders hold.
        """
        filled: dict[int, int] = defaultdict(int)
        for row in self.tape:
            if row.mechanism == "cda":
                filled[row.buy_order] += row.quantity
                filled[row.sell_order] += row.quantity
        cash: dict[int, int] = defaultdict(int)
        units: dict[int, int] = defaultdict(int)
        for o in self.orders.values():
            parts = (o.filled, o.cancelled, o.rejected, o.remaining)
            assert min(parts) >= 0, f"order {o.id}: negative part {parts}"
            assert sum(parts) == o.quantity, f"order {o.id}: parts {parts} do not add to {o.quantity}"
            assert self.book.resting_quantity(o.id) == o.remaining, f"order {o.id}: book and record differ"
            assert (o.id in self.resting[o.account]) == (o.remaining > 0), f"order {o.id}: resting set"
            assert filled[o.id] == o.filled, f"order {o.id}: tape has {filled[o.id]} filled, record {o.filled}"
            if o.side == BUY:
                cash[o.account] += o.remaining * o.price // TICKS_PER_FEN
            else:
                units[o.account] += o.remaining
        for acct in set(self.commit_cash) | set(cash):
            assert self.commit_cash[acct] == cash[acct], f"account {acct}: committed cash differs"
        for acct in set(self.commit_units) | set(units):
            assert self.commit_units[acct] == units[acct], f"account {acct}: committed units differ"
        assert len(self.book) == sum(1 for o in self.orders.values() if o.remaining), "book size differs"


__all__ = ["Order", "OrderResult", "SIDE_NAME", "TapeRow", "Trading", "format_price"]
