"""The district reserve of emission rights (储备, rule X2): its budget and buy-back (E8), its releases to
strategic and major projects and their directed purchases (E4, E8), and closures (E9).

* :func:`budget` — the reserve's yearly budget from the fiscal account (its spending side, 收支两条线);
* :func:`buy_back` — on the platform the reserve buys asks at or below base price × multiple, within its
  yearly target and its cash, before the session's mechanism sees them;
* :func:`release` — the reserve lists lots of its stock for the eligible kinds (a *release*: a sale of reserve
  rights to eligible users at a set start price; ``release`` in the ``reserve`` table);
* :func:`directed` — major projects buy from the reserve by directed negotiation (E4);
* :func:`closures` — units closing, going bankrupt or relocating: unpaid rights reclaimed free, paid ones
  bought by the reserve or sold on the market by the closed unit (E9).

Money the reserve receives goes to the fiscal account (E9, in :func:`.trading.settle`). Quantities kg,
prices ticks per kg, money fen.
"""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...ledger import GOVERNMENT
from ...market import negotiate_directed
from ...rules.emission import BUY, SELL, Schedule, step_value
from ...units import TICKS_PER_FEN, amount_fen_array, decimal_to_rational, yuan_to_fen
from ..shared.reserves import fund_reserve
from . import finance, trading
from .products import ACTIVE, CLOSED, KIND, RES, RIGHT, t_to_kg
from .state import EmissionState


def budget(st: EmissionState, world: World) -> None:
    """E8/X2: the reserve's yearly budget, from the fiscal account (its spending side, 收支两条线)."""
    res = st.spec.reserve
    if res.enabled:
        fund_reserve(world, RIGHT, st.product[0], yuan_to_fen(res.budget_yuan_per_year),
                     "yearly budget (E8, spending side)")


def multiple_of_base(st: EmissionState, k: int, multiple: object) -> int:
    """⌊base price of product ``k`` × ``multiple``⌋, ticks per kg (exact)."""
    mult = decimal_to_rational(multiple)
    return int(st.base[k] * mult.numerator // mult.denominator)


def buyback_price(st: EmissionState, k: int) -> int:
    """E8: the reserve's buy-back price, base × multiple (回购价格参照基价), ticks per kg."""
    return multiple_of_base(st, k, st.spec.reserve.buyback.price_multiple_of_base)


def buyback_room(st: EmissionState, world: World, k: int) -> tuple[int, int]:
    """E8: (price, kg) the reserve still bids for this year: within its yearly target and its cash."""
    res = st.spec.reserve
    if not res.enabled or k >= st.P:
        return 0, 0
    target = t_to_kg(res.buyback.max_t_per_year.get(st.pollutants[k], 0))
    price = buyback_price(st, k)
    left = target - int(st.bought_back[k])
    if left <= 0 or price <= 0:
        return price, 0
    cash = st.reserve_cash(world)
    afford = cash * TICKS_PER_FEN // price  # amount_fen(afford, price) <= cash (half-up of a value <= cash)
    return price, int(max(min(left, afford), 0))


def buy_back(st: EmissionState, world: World, k: int, sched: Schedule, price: np.ndarray,
             rng) -> tuple[Schedule, np.ndarray]:
    """E8: the reserve's buy-back on the platform at exactly base × multiple (回购价格参照基价): asks at or
    below that price are bought in random order, within this year's target and the reserve's cash; what
    is bought leaves the session's order list, the rest goes to the platform's mechanism."""
    bb_price, room = buyback_room(st, world, k)
    if room <= 0:
        return sched, price
    cand = np.nonzero((sched.side == SELL) & (price <= bb_price))[0]
    if not cand.size:
        return sched, price
    cand = cand[rng.permutation(cand.size)]
    q = sched.quantity[cand]
    take = np.clip(room - (np.cumsum(q) - q), 0, q)
    hit = take > 0
    rows, take = cand[hit], take[hit]
    trading.settle(st, world, k, st.ids[sched.unit[rows]], np.full(rows.size, RES), take,
                            np.full(rows.size, bb_price), "reserve", reason="buy-back at base price x multiple (E8)")
    left = sched.quantity.copy()
    left[rows] -= take
    keep = left > 0
    rest = Schedule(sched.unit, sched.side, left, sched.limit, sched.rank)
    return rest.select(keep), price[keep]


def release(st: EmissionState, world: World, k: int) -> None:
    """E8: the reserve lists lots of its stock, start price = base × multiple, for eligible kinds only."""
    rel = st.spec.reserve.release
    lot = t_to_kg(rel.lot_t)
    start = multiple_of_base(st, k, rel.start_multiple_of_base)
    st.listing_pool = None
    for _ in range(rel.max_lots_per_round):
        stock = st.reserve_stock(world, k)
        if stock <= 0:
            return
        trading.list_lot(st, world, k, RES, None, min(lot, stock), max(start, int(st.base[k])),
                                  "listing")


def directed(st: EmissionState, world: World, k: int) -> None:
    """E4: major projects short of rights buy from the reserve by directed negotiation, at a price within
    [base price, base × max multiple] (the reserve's cost is the base price)."""
    d = st.spec.reserve.directed
    if not d.enabled:
        return
    held = st.held(world, k)
    required = st.E[k] - held
    major = np.nonzero((st.kind == KIND["major_project"]) & (st.status == ACTIVE) & st.has[k]
                       & (required > 0))[0]
    if not major.size:
        return
    rng = world.rng.stream("emission.directed")
    major = major[rng.permutation(major.size)]
    stock = st.reserve_stock(world, k)
    qty = np.minimum(required[major], np.maximum(stock - (np.cumsum(required[major]) - required[major]), 0))
    take = qty > 0
    major, qty = major[take], qty[take]
    if not major.size:
        return
    lo = int(st.base[k])
    hi = multiple_of_base(st, k, d.max_multiple_of_base)
    value = step_value(st.curves[k].take(major), required[major], qty, st.years, int(st.cap[k]))
    designated = np.zeros(st.first + st.n, bool)
    designated[st.ids[major]] = True
    res = negotiate_directed(st.ids[major], qty, value, np.full(major.size, lo), lo, hi,
                             float(d.seller_power), d.noise_sd_share * rng.standard_normal(major.size),
                             designated=designated)
    bad = ~res.accepted
    if bad.any():
        st.reject(world, k, st.ids[major[bad]], BUY, qty[bad], np.maximum(value[bad], 0), res.reason[bad])
    ok = res.accepted
    if ok.any():
        trading.settle(st, world, k, np.full(int(ok.sum()), RES), st.ids[major[ok]], qty[ok],
                                res.price[ok], "directed", reason="directed purchase by a major project (E4)")


def closures(st: EmissionState, world: World) -> None:
    """E9: units closing, going bankrupt or relocating: their leases and loans end; unpaid rights are
    reclaimed free (by the reserve, or the government without one); paid ones are bought by the reserve at
    its buy-back price within its cash (``reserve_then_market``) and the rest is sold on the market by the
    closed unit, which keeps trading as a seller only."""
    rng = world.rng.stream("emission.closures")
    draws = rng.random(st.n)
    closing = np.nonzero((st.status == ACTIVE) & (draws < st.closure_rate))[0]
    if not closing.size:
        return
    st.year_closures += int(closing.size)
    st.status[closing] = CLOSED
    st.output[closing] = 0.0
    mask = np.zeros(st.n, bool)
    mask[closing] = True
    finance.end_leases(st, world, lambda lease: mask[lease["lessor"]] | mask[lease["lessee"]])
    finance.end_loans(st, world, lambda loan: bool(mask[loan["unit"]]))
    acc = world.accounts
    res = st.spec.reserve
    for k in range(st.P):
        held = st.held(world, k)[closing]
        unpaid = np.clip(held - st.paid[k, closing], 0, held)
        if unpaid.sum():
            acc.move(st.product[k], st.ids[closing], RES if res.enabled else GOVERNMENT, unpaid)
            if res.enabled:
                world.record_reserve(product=st.product[k], action="reclaim", quantity=int(unpaid.sum()),
                                     price_ticks=0, amount_fen=0, stock=st.reserve_stock(world, k),
                                     cash_fen=st.reserve_cash(world),
                                     reason="closure: unpaid rights reclaimed free (E9)")
        paid = held - unpaid
        if not (res.enabled and res.closure_paid == "reserve_then_market" and paid.sum()):
            continue
        price = buyback_price(st, k)
        # X3/E10: pledged rights are not sold to the reserve; they stay with the closed unit (``pledged``)
        free = np.clip(st.free(world, k)[closing], 0, paid)
        if (free < paid).any():
            refused = free < paid
            st.reject(world, k, st.ids[closing[refused]], SELL, (paid - free)[refused], price, "pledged")
            paid = free
        cash = st.reserve_cash(world)
        take = np.zeros(closing.size, np.int64)
        if price <= 0:
            continue
        for j in np.nonzero(paid > 0)[0].tolist():
            take[j] = min(int(paid[j]), cash * TICKS_PER_FEN // price)  # amount_fen(take, price) <= cash
            cash -= int(amount_fen_array(take[j:j + 1], np.array([price]))[0])
        buy = np.nonzero(take > 0)[0]
        if buy.size:
            trading.settle(st, world, k, st.ids[closing[buy]], np.full(buy.size, RES), take[buy],
                                    np.full(buy.size, price), "reserve", reason="closure: paid rights bought (E9)")
