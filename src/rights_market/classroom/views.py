"""Snapshots of a classroom session for the browser: plain JSON data, built from the session, read-only.

* :func:`trainer_state` — everything: the book, the tape with names, the price path against the base price
  and the competitive equilibrium, the reserve's actions, which W9 surcharge bands bite, the lots, the
  seats with holdings, cash and surplus, the feed of events, the results of closed periods.
* :func:`participant_state` — what one seat may see: the public market (book depth, anonymous tape, lots)
  and its own role, private values, holdings, cash, orders, trades, charges and profit.

Prices are integer ticks (0.0001 yuan per base unit) and money integer fen; the pages format them.
Quantities are base units. Times are ms of the session clock.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from ..units import TICKS_PER_FEN, TICKS_PER_YUAN, yuan_to_ticks
from .engine import ClassroomEngine
from .lots import LiveLot
from .roles import label_text, label_texts
from .seats import SeatSpec
from .session import ClassroomSession
from .settings import BuyerRole, FarmRole, FirmRole, SellerRole
from .trading import SIDE_NAME
from .values import SURCHARGE, Valuation

TAPE_PUBLIC = 40
FEED = 60


def _market(session: ClassroomSession) -> dict[str, Any]:
    eng = session.engine
    spec = session.scenario.classroom
    tr = eng.trading
    bids, asks = tr.book.depth(10)
    eq = eng.equilibrium()
    return {
        "name": session.scenario.name,
        "description": session.scenario.description,
        "status": session.status,
        "epoch": session.epoch,
        "period": eng.period,
        "periods": spec.periods,
        "period_open": eng.is_open,
        "period_seconds": spec.period_seconds,
        "period_start_ms": eng.period_start_ms,
        "clock_ms": eng.now_ms,
        "finished": eng.finished,
        "product": spec.product,
        "right": spec.right,
        "unit": spec.unit,
        "lot": spec.lot,
        "step_ticks": spec.step_ticks,
        "base_ticks": yuan_to_ticks(spec.base_price_yuan),
        "floor_ticks": tr.floor_ticks,
        "ceiling_ticks": tr.ceiling_ticks,
        "last_price": tr.last_price,
        "depth": {"bids": [list(x) for x in bids], "asks": [list(x) for x in asks]},
        "equilibrium": None if eq is None else {"quantity": eq.lots * spec.lot, "low": eq.price_low_ticks,
                                                 "high": eq.price_high_ticks},
    }


def _lot_view(lot: LiveLot, eng: ClassroomEngine, viewer: int | None, names: bool) -> dict[str, Any]:
    now = eng.now_ms
    leader = lot.leader()
    out: dict[str, Any] = {
        "name": lot.name, "period": lot.period, "quantity": lot.terms.quantity, "state": lot.state(now),
        "start": lot.terms.start, "increment": lot.terms.increment, "price": lot.current_price(),
        "min_bid": lot.min_bid(), "opens_ms": lot.terms.opens, "closes_ms": lot.terms.closes,
        "round_end_ms": lot.round_end_ms(), "registered": len(lot.listing.registered),
        "bids": lot.listing.round.n_bids if lot.listing.round is not None else 0,
    }
    if viewer is not None:
        out["you_registered"] = viewer in lot.listing.registered
        out["you_lead"] = leader == viewer
        out["deposit_fen"] = lot.deposits.get(viewer, 0)
    if names:
        out["leader"] = None if leader is None else eng.name_of(leader)
    return out


def _runs(v: Valuation, lot: int) -> list[dict[str, Any]]:
    """A role's value schedule as runs of lots with equal value per base unit (yuan, exact decimal text)."""
    out: list[dict[str, Any]] = []
    m = v.marginal.tolist()
    i = 0
    while i < len(m):
        j = i
        while j + 1 < len(m) and m[j + 1] == m[i]:
            j += 1
        per_unit = Decimal(m[i]) / lot / TICKS_PER_YUAN
        out.append({"from": i + 1, "to": j + 1, "yuan": f"{per_unit.quantize(Decimal('0.0001')).normalize():f}"})
        i = j + 1
    return out


def _role_view(seat: SeatSpec, lot: int) -> dict[str, Any]:
    v = seat.valuation
    role = v.role
    out: dict[str, Any] = {"name": seat.role_name, "type": role.type, "label": label_text(role.label),
                           "labels": label_texts(role.label), "sector": seat.sector,
                           "start_units": v.start_lots * lot, "schedule": _runs(v, lot)}
    if isinstance(role, FarmRole):
        out.update(holding=role.holding, need=role.need, use_value=str(role.use_value_yuan),
                   salvage=str(role.salvage_yuan))
    elif isinstance(role, FirmRole):
        out.update(plan=role.plan, need=role.need, abatement=str(role.abatement_yuan), charge=role.charge,
                   penalty=None if role.penalty_yuan is None else str(role.penalty_yuan))
    elif isinstance(role, BuyerRole):
        out.update(values=[str(x) for x in role.values_yuan])
    elif isinstance(role, SellerRole):
        out.update(costs=[str(x) for x in role.costs_yuan])
    return out


def _seat_money(eng: ClassroomEngine, seat: SeatSpec) -> dict[str, Any]:
    """Holdings, cash and profit of one seat (fen; units)."""
    tr = eng.trading
    lot = eng.lot
    h = tr.holdings(seat.id)
    v = seat.valuation
    done = int(sum(int(r.surplus_fen[seat.id]) for r in eng.results))
    current = v.value_change_fen(h // lot) + int(tr.trade_cash[seat.id]) if eng.is_open else 0
    bill = v.bill(h // lot) if eng.is_open else None
    return {
        "holding": h, "cash_fen": tr.cash(seat.id), "available_cash_fen": tr.available_cash(seat.id),
        "available_units": tr.available_units(seat.id),
        "profit_period_fen": current, "profit_total_fen": done + current,
        "trade_cash_fen": int(tr.trade_cash[seat.id]) if eng.is_open else 0,
        "next_lot_value": v.next_lot_value(h // lot), "last_lot_value": v.last_lot_value(h // lot),
        "bill": None if bill is None else {"uncovered": bill.uncovered, "total_fen": bill.total_fen,
                                           "lines": [line.__dict__ for line in bill.lines]},
    }


def _bands(eng: ClassroomEngine) -> dict[str, Any] | None:
    """Which W9 surcharge bands bite now: over-plan units and charge per band over every firm seat at its
    current holdings (abated units apart)."""
    spec = eng.spec
    if spec.surcharge is None:
        return None
    bands: dict[int, dict[str, int]] = {}
    abated = 0
    firms = 0
    for s in eng.seats:
        if not isinstance(s.valuation.role, FirmRole) or s.valuation.role.charge != "surcharge":
            continue
        if not eng.active[s.id]:
            continue
        firms += 1
        held = eng.trading.holdings(s.id) if eng.is_open else s.valuation.start_lots * eng.lot
        b = s.valuation.bill(held // eng.lot)
        for line in b.lines:
            if line.kind == SURCHARGE:
                cell = bands.setdefault(line.band, {"band": line.band, "rate": line.rate_ticks, "quantity": 0,
                                                    "amount_fen": 0, "firms": 0})
                cell["quantity"] += line.quantity
                cell["amount_fen"] += line.amount_fen
                cell["firms"] += 1
            else:
                abated += line.quantity
    sur = spec.surcharge
    return {"firms": firms, "bands": [bands[k] for k in sorted(bands)], "abated": abated,
            "width_share": str(sur.band_width_share), "step_share": str(sur.step_share),
            "reference_ticks": yuan_to_ticks(sur.reference_yuan_per_m3)}


def _results(eng: ClassroomEngine) -> list[dict[str, Any]]:
    out = []
    for r in eng.results:
        eff = r.efficiency
        out.append({"period": r.period, "trades": r.trades, "volume": r.volume, "amount_fen": r.amount_fen,
                    "gains_fen": r.gains // TICKS_PER_FEN, "max_gains_fen": r.max_gains // TICKS_PER_FEN,
                    "efficiency": None if math.isnan(eff) else eff,
                    "surplus_fen": int(r.surplus_fen[r.active].sum()),
                    "equilibrium": None if r.equilibrium is None else {
                        "quantity": r.equilibrium.lots * eng.lot, "low": r.equilibrium.price_low_ticks,
                        "high": r.equilibrium.price_high_ticks}})
    return out


def trainer_state(session: ClassroomSession) -> dict[str, Any]:
    """The trainer's snapshot (module docstring)."""
    eng = session.engine
    tr = eng.trading
    seats = []
    for s in eng.seats:
        person = session.people.get(s.id)
        seats.append({"seat": s.id, "name": session.name_of(s.id), "role": s.role_name, "player": s.player,
                      "joined": person is not None or s.is_robot,
                      "connected": bool(person and person.connections), "orders": len(tr.resting[s.id]),
                      **_seat_money(eng, s)})
    tape = [{"t": r.t_ms, "period": r.period, "mechanism": r.mechanism, "price": r.price, "quantity": r.quantity,
             "buyer": session.name_of(r.buyer), "seller": session.name_of(r.seller)} for r in tr.tape[-60:]]
    return {
        "type": "state", "view": "trainer", **_market(session),
        "join_code": session.join_code, "free_seats": len(session.free_seats()),
        "seats": seats, "tape": tape,
        "path": [[r.t_ms, r.price, r.mechanism] for r in tr.tape],
        "period_starts": [p * eng.spec.period_seconds * 1000 for p in range(eng.period + 1)],
        "reserve": [a.__dict__ for a in list(eng.reserve_log)[-40:]],
        "reserve_stock": tr.holdings(eng.reserve_id), "reserve_cash_fen": tr.cash(eng.reserve_id),
        "bands": _bands(eng),
        "lots": [_lot_view(lot, eng, None, True) for lot in eng.lots.values()],
        "feed": [f.__dict__ for f in list(eng.feed)[-FEED:]],
        "results": _results(eng),
        "steps": eng.steps, "next_event_ms": None if eng.next_event_ms() == math.inf else int(eng.next_event_ms()),
    }


def public_state(session: ClassroomSession) -> dict[str, Any]:
    """What every participant sees alike: the market, the anonymous tape, the lots (no seat's own data)."""
    eng = session.engine
    tr = eng.trading
    return {
        "type": "state", "view": "participant", **_market(session),
        "tape": [{"t": r.t_ms, "price": r.price, "quantity": r.quantity, "mechanism": r.mechanism}
                 for r in tr.tape[-TAPE_PUBLIC:]],
    }


def own_state(session: ClassroomSession, seat: int) -> dict[str, Any]:
    """What only seat ``seat`` sees: its role and values, money, orders, trades, results, and the lots as
    they concern it."""
    eng = session.engine
    tr = eng.trading
    s = eng.seats[seat]
    orders = [{"id": o.id, "side": SIDE_NAME[o.side], "price": o.price, "quantity": o.quantity,
               "remaining": o.remaining, "filled": o.filled, "t": o.t_ms} for o in tr.open_orders(seat)]
    mine = [{"t": r.t_ms, "period": r.period, "mechanism": r.mechanism, "price": r.price, "quantity": r.quantity,
             "side": "buy" if r.buyer == seat else "sell", "amount_fen": r.amount_fen}
            for r in tr.trades_of[seat][-30:]]
    history = [{"period": r.period, "surplus_fen": int(r.surplus_fen[seat]), "bill_fen": int(r.bill_fen[seat]),
                "trade_cash_fen": int(r.trade_cash_fen[seat]), "value_change_fen": int(r.value_change_fen[seat])}
               for r in eng.results]
    return {
        "lots": [_lot_view(lot, eng, seat, False) for lot in eng.lots.values()],
        "me": {"seat": seat, "name": session.name_of(seat), "role": _role_view(s, eng.lot), "orders": orders,
               "trades": mine, "history": history, **_seat_money(eng, s)},
    }


def participant_state(session: ClassroomSession, seat: int) -> dict[str, Any]:
    """One participant's snapshot: the public market and its own seat (module docstring)."""
    return {**public_state(session), **own_state(session, seat)}


__all__ = ["own_state", "participant_state", "public_state", "trainer_state"]
