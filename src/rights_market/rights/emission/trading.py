"""Trading on the emission platform: the units' orders, the platform's checks, the mechanisms, off-platform
attempts and the settlement of trades (rules E3, E5–E7, E9, E10, E14).

* :func:`order_schedule` — units bid their marginal abatement cost (:func:`~rights_market.rules.emission.lot_schedule`)
  after their behaviour and awareness of the floor (E3);
* :func:`screen` — the platform refuses asks of pledged rights (``pledged``, E10 and X3) and prices below the
  base price (``below_floor``, E3);
* :func:`match` — the scenario's mechanism per market segment (E7): listing with bidding (挂牌竞价, E6; one
  listing per ask, see :func:`list_lot`), a continuous double auction or a call auction;
* :func:`off_platform` — bilateral deals off the platform are refused (``off_platform``, E6);
* :func:`settle` — rights and money move, the seller back-pays the use fee of unpaid rights (E5), money paid
  to the reserve goes to the fiscal account (收支两条线, E9); trades and reserve actions are recorded.

Quantities kg, prices ticks per kg, money fen.
"""

from __future__ import annotations

import numpy as np

from ...agents.behaviour import quote
from ...engine.world import World
from ...ledger import FISCAL
from ...market import ListingTerms, clear_call_auction, run_listing
from ...market.batch_cda import match_session
from ...market.call_auction import REASON_SELF_TRADE
from ...market.negotiation import nash_prices
from ...rules.economics import net_of_transaction_cost
from ...rules.emission import BUY, SELL, Schedule, StepValuer, lot_schedule, round_down, round_up, step_value
from ...scenario.emission import EMISSION_SECTORS, ListingMechanism
from ...units import amount_fen_array
from . import fees
from .fills import arrival_order, merge_fills
from .products import ACTIVE, CLOSED, RES, RIGHT, SECTOR_NAMES, UNIT, yuan_per_t_to_ticks
from .state import EmissionState


# ------------------------------------------------------------------------------------------ orders
def order_schedule(st: EmissionState, world: World, k: int, rng: np.random.Generator) -> tuple[Schedule, np.ndarray]:
    """Orders of the units this session for product ``k`` (E2 economics) and their prices after behaviour
    and floor awareness (E3): a unit aware of the floor lifts an ask to it and drops a bid it cannot raise
    to it; an unaware one submits its own price."""
    held = st.held(world, k)
    carbon = k >= st.P
    active = st.status == ACTIVE
    part = (rng.random(st.n) < st.participation) | st.noticed[k]
    required = st.E[k] - held
    sellable = held - st.leased_in[k]
    years = 1 if carbon else st.years
    sell_ok = part & ((active & st.has[k]) | (st.status == CLOSED)) & (sellable > 0)
    buy_ok = part & active & st.has[k] & (required > 0)
    if not carbon:  # the unit buys only what it did not plan to abate (E2: MAC below the expected price)
        buy_ok &= (required - st.planned[k]) > 0
    sched = lot_schedule(st.curves[k], np.where(st.status == CLOSED, -held, required), sellable, st.lots[k],
                         st.max_orders[k], years, int(st.cap[k]), buy=buy_ok, sell=sell_ok,
                         buy_max=None if carbon else required - st.planned[k])
    if not carbon:
        sched = worth_trading(st, k, sched)
    price = np.full(len(sched), -1, np.int64)
    floor = int(st.base[k])
    unit_group = st.group[sched.unit]
    for gi, (_idx, kind, markup) in enumerate(st.behaviours):
        rows_g = unit_group == gi
        for side in (BUY, SELL):
            rows = np.nonzero(rows_g & (sched.side == side))[0]
            if rows.size:
                price[rows] = quote(kind, side, sched.limit[rows], 1, int(st.cap[k]), rng, markup)
    aware = st.aware[sched.unit]
    sell = sched.side == SELL
    lift = aware & sell & (price > 0)
    price = np.where(lift, np.maximum(price, floor), price)
    low_bid = aware & ~sell & (price > 0) & (price < floor)
    price = np.where(low_bid, np.where(sched.limit >= floor, floor, -1), price)
    keep = price > 0  # −1: the behaviour places no order (a price it would lose on)
    return sched.select(keep), price[keep]


def worth_trading(st: EmissionState, k: int, sched: Schedule) -> Schedule:
    """Design principle 8 with a fixed cost per trade (``market.transaction_cost_yuan_per_trade``): each
    order's limit carries the cost (:func:`~rights_market.rules.economics.net_of_transaction_cost`; bids
    rounded down, asks up), so a unit trades only when its gain exceeds the cost; a bid worth nothing net of
    the cost, or an ask above the price cap, is not placed. Orders of closed units (E9: selling what they no
    longer use) carry the cost too."""
    if not len(sched) or not st.transaction_cost:
        return sched
    buy = sched.side == BUY
    net = net_of_transaction_cost(sched.limit, sched.quantity, buy, st.transaction_cost)
    limit = np.where(buy, round_down(net), np.minimum(round_up(net), int(st.cap[k]) + 1))
    out = Schedule(sched.unit, sched.side, sched.quantity, limit.astype(np.int64), sched.rank)
    return out.select(limit >= 1)


def screen(st: EmissionState, world: World, k: int, sched: Schedule, price: np.ndarray) -> np.ndarray:
    """Platform checks of units' orders (E3, E10), in order: selling pledged rights (``pledged``), a price
    below the base price (``below_floor``; the unit learns the floor). Returns the mask of accepted
    orders; the rest are recorded as rejections."""
    ok = np.ones(len(sched), bool)
    free = st.free(world, k)  # E10 mortgages and X3 pledges (of pollutant rights and carbon allowances)
    sell = np.nonzero(sched.side == SELL)[0]
    if sell.size:
        u = sched.unit[sell]
        # cumulative ask quantity of each unit in the order of its steps
        order = np.lexsort((sched.rank[sell], u))
        cum = np.zeros(sell.size, np.int64)
        q = sched.quantity[sell][order]
        us = u[order]
        c = np.cumsum(q)
        start = np.concatenate([[True], us[1:] != us[:-1]])
        base = np.maximum.accumulate(np.where(start, c - q, 0))
        cum[order] = c - base
        pledged = cum > free[u]
        bad = sell[pledged]
        if bad.size:
            st.reject(world, k, st.ids[sched.unit[bad]], SELL, sched.quantity[bad], price[bad], "pledged")
            ok[bad] = False
    if k < st.P:
        low = ok & (price < st.base[k])
        if low.any():
            st.reject(world, k, st.ids[sched.unit[low]], sched.side[low], sched.quantity[low], price[low],
                       "below_floor")
            st.aware[sched.unit[low]] = True
            ok &= ~low
    return ok


# ------------------------------------------------------------------------------------------ mechanisms
def match(st: EmissionState, world: World, k: int, sched: Schedule, price: np.ndarray, rng) -> None:
    """E6: the scenario's mechanism on the screened orders of product ``k``: listing with bidding for
    pollutant rights when the scenario says ``listing`` (allowances then trade in a call auction), else a
    continuous double auction or a call auction."""
    mech = st.spec.market.mechanism
    if mech.type == "listing" and k < st.P:
        listings(st, world, k, sched, price, rng)
    else:
        books(st, world, k, sched, price, rng, "cda" if mech.type == "cda" else "call")


def books(st: EmissionState, world: World, k: int, sched: Schedule, price: np.ndarray, rng, mechanism: str) -> None:
    """Matching (撮合) per sector segment (E7): a continuous double auction or a call auction. No order is
    below the floor (screened, E3)."""
    floor = int(st.base[k])
    seg = st.segments(k, sched.unit)
    for s in np.unique(seg) if len(sched) else []:
        rows = np.nonzero(seg == s)[0]
        rows = rows[arrival_order(rng, sched.unit[rows], sched.side[rows], sched.rank[rows])]
        traders = st.ids[sched.unit[rows]]
        sides, prices, qtys = sched.side[rows], price[rows], sched.quantity[rows]
        if mechanism == "cda":
            fills = cda(traders, sides, prices, qtys, floor)
            if fills is not None:
                settle(st, world, k, *merge_fills(*fills), "cda")
        else:
            b = np.nonzero(sides == BUY)[0]
            a = np.nonzero(sides == SELL)[0]
            r = clear_call_auction(prices[b], qtys[b], b, prices[a], qtys[a], a,
                                   bid_owner=traders[b], ask_owner=traders[a])
            for side, rows_, refused in ((BUY, b, r.bid_refused), (SELL, a, r.ask_refused)):
                if refused.any():  # an order crossing the same unit's own order on the other side
                    j = rows_[refused]
                    st.reject(world, k, traders[j], side, qtys[j], prices[j], REASON_SELF_TRADE)
            if r.volume:
                fq = r.fill_quantity
                settle(st, world, k, *merge_fills(traders[a[r.fill_ask]], traders[b[r.fill_bid]], fq,
                                                   np.full(fq.size, r.price, np.int64)), "call")


def cda(traders, sides, prices, qtys, floor: int):
    """One CDA session (price-time priority, trades at the resting price), matched by the engine's
    compiled session kernel (``market/batch_cda.py``, proven equal to the interactive book). Returns the
    fills (seller ids, buyer ids, kg, ticks per kg), or None without a trade."""
    res = match_session(traders, sides, prices, qtys, floor_ticks=floor)
    if res.rejected.size:  # cannot happen after screening; kept so nothing is ever dropped silently
        raise AssertionError(f"the book rejected screened orders: {set(res.reject_reason.tolist())}")
    if not res.fill_quantity.size:
        return None
    return traders[res.fill_sell], traders[res.fill_buy], res.fill_quantity, res.fill_price


def eligibility(st: EmissionState, seller_sector: int | None):
    """E7/E8 eligibility hook for a listing: units of the seller's sector (E7), or for reserve releases
    active units of the eligible kinds (E8)."""
    if seller_sector is None:
        mask = st.release_ok & (st.status == ACTIVE)
    elif st.spec.market.same_sector_only:
        mask = st.sector == seller_sector
    else:
        mask = np.ones(st.n, bool)
    first = st.first

    def ok(bidder: int) -> bool:
        j = bidder - first
        return 0 <= j < mask.size and bool(mask[j])

    return ok


def listings(st: EmissionState, world: World, k: int, sched: Schedule, price: np.ndarray, rng) -> None:
    """E6: listing with competitive bidding (挂牌竞价): every accepted ask becomes a listing at its price
    (≥ the base price); units short of rights register if the lot is worth the start price to them; the
    platform refuses other sectors (``not_eligible``, E7)."""
    sells = np.nonzero(sched.side == SELL)[0]
    if not sells.size:
        return
    sells = sells[arrival_order(rng, sched.unit[sells], sched.side[sells], sched.rank[sells])]
    st.listing_pool = None
    # Free rights once per session, then kept up to date sale by sale (only the seller's and the winner's
    # holdings change), so a session costs the number of asks, not asks × units.
    free = st.free(world, k)
    for j in sells.tolist():
        seller = int(sched.unit[j])
        qty = int(sched.quantity[j])
        if free[seller] < qty:
            continue  # sold through an earlier listing of this session
        winner = list_lot(st, world, k, st.ids[seller], int(st.sector[seller]), qty, int(price[j]), "listing")
        if winner is not None:
            free[seller] -= qty
            w = st.local_index(np.array([winner]))[0]
            if w >= 0:
                free[w] += qty


def bidder_pool(st: EmissionState, world: World, k: int) -> dict:
    """Units short of rights of product ``k`` and the value of their first kg (an upper bound of the value
    per kg of any lot to them); built once per round of listings and brought up to date after every sale
    (:func:`_pool_after_sale`)."""
    if st.listing_pool is None or st.listing_pool["k"] != k:
        held = st.held(world, k)
        required = st.E[k] - held
        st.listing_pool = _pool_entries(st, k, np.arange(st.n), required)
        st.listing_pool["k"] = k
    return st.listing_pool


def _pool_entries(st: EmissionState, k: int, units: np.ndarray, required: np.ndarray) -> dict:
    """The bidder-pool entries of local ``units`` (ascending) whose rights ``required`` are given: those
    active, holding the product and still short after their planned abatement."""
    need = required - (st.planned[k][units] if k < st.P else 0)
    keep = (st.status[units] == ACTIVE) & st.has[k][units] & (need > 0)
    want = units[keep]
    curves = st.curves[k].take(want)
    top = step_value(curves, required[keep], np.ones(want.size), st.years, int(st.cap[k]))
    return {"want": want, "required": required[keep], "curves": curves, "top": top}


def _pool_after_sale(st: EmissionState, world: World, k: int, parties: list[int]) -> None:
    """After a sale only the seller's and the buyer's holdings changed: their entries are recomputed (each
    unit's value is its own, so the pool equals one built afresh) and the rest is kept."""
    pool = st.listing_pool
    local = np.unique(st.local_index(np.asarray(parties, np.int64)))
    local = local[(local >= 0) & (local < st.n)]
    if not local.size:
        return
    required = st.E[k][local] - world.accounts.of(st.product[k], st.ids[local])
    fresh = _pool_entries(st, k, local, required)
    keep = ~np.isin(pool["want"], local)
    want = np.concatenate([pool["want"][keep], fresh["want"]])
    order = np.argsort(want, kind="stable")
    want = want[order]
    st.listing_pool = {
        "k": k, "want": want,
        "required": np.concatenate([pool["required"][keep], fresh["required"]])[order],
        "curves": st.curves[k].take(want),
        "top": np.concatenate([pool["top"][keep], fresh["top"]])[order],
    }


def list_lot(st: EmissionState, world: World, k: int, seller_id: int, seller_sector: int | None, qty: int,
             start: int, mechanism: str) -> int | None:
    """One listing (挂牌竞价, E6) of ``qty`` kg at ``start`` ticks/kg by ``seller_id`` (a unit of sector
    ``seller_sector``, or the reserve when None), settled if sold; rejections recorded. Returns the
    winner's account id, or None when the lot is not sold."""
    pool = bidder_pool(st, world, k)
    cand = np.flatnonzero(pool["top"] >= start)  # pool rows whose first kg is worth the start price
    if not cand.size:
        return None  # nobody values the lot at its start price: it closes unsold (no_bidder)
    rows = pool["want"][cand]
    ids = st.ids[rows]
    keep = ids != seller_id
    # A unit once refused for a kind of listing (another sector's, E7; a release it is not eligible for,
    # E8) knows the rule and stays away from such listings afterwards.
    if seller_sector is None:
        keep &= ~(st.knows_release_rule[rows] & ~st.release_ok[rows])
    elif st.spec.market.same_sector_only:
        keep &= ~(st.knows_sector_rule[rows] & (st.sector[rows] != seller_sector))
    cand, ids = cand[keep], ids[keep]
    if not cand.size:
        return None
    valuer = pool.get("valuer")
    if valuer is None:  # laid out once per pool (a pool is rebuilt, not changed, after a sale)
        valuer = pool["valuer"] = StepValuer(pool["curves"], pool["required"])
    values = valuer.values(cand, qty, st.years, int(st.cap[k]))  # = step_value of the candidates' rows
    if k < st.P and st.transaction_cost:  # a bidder's value net of its cost of the trade (principle 8)
        values = values - -(-st.transaction_cost // qty)
    interested = values >= start
    if not interested.any():
        return None  # nobody registers: the listing closes unsold (no_bidder), nothing to record
    ids, values = ids[interested], values[interested]
    mech = st.spec.market.mechanism
    lm = mech if mech.type == "listing" else ListingMechanism(type="listing")
    day = world.clock.day
    terms = ListingTerms(quantity=qty, start=start, increment=yuan_per_t_to_ticks(lm.increment_yuan_per_t),
                         floor=int(st.base[k]), opens=day, closes=day + lm.listing_days,
                         round_seconds=lm.round_seconds, extension_window=lm.extension_window_s,
                         extension=lm.extension_s)
    res = run_listing(terms, ids, values, world.rng.stream("emission.listing"),
                      eligible=eligibility(st, seller_sector), mean_response_s=lm.mean_response_s)
    rej = res.rejections
    if len(rej["bidder"]):
        st.reject(world, k, rej["bidder"], BUY, qty, rej["price"], rej["reason"])
        refused = st.local_index(rej["bidder"][rej["reason"] == "not_eligible"])
        refused = refused[refused >= 0]
        (st.knows_release_rule if seller_sector is None else st.knows_sector_rule)[refused] = True
    if res.sold:
        settle(st, world, k, np.array([seller_id]), np.array([res.winner]), np.array([qty]),
               np.array([res.price]), mechanism,
               reason="release to strategic and major projects (E8)" if seller_id == RES else "")
        _pool_after_sale(st, world, k, [int(seller_id), int(res.winner)])
        return int(res.winner)
    return None


def off_platform(st: EmissionState, world: World, k: int) -> None:
    """E6: bilateral deals off the platform are forbidden: each attempt (a random unit short of rights and
    a random unit with rights to spare, at their Nash price) is rejected ``off_platform``."""
    rate = st.spec.market.off_platform_attempts_per_session
    if rate <= 0:
        return
    rng = world.rng.stream("emission.off_platform")
    attempts = int(rng.poisson(rate))
    if not attempts:
        return
    held = st.held(world, k)
    required = st.E[k] - held
    active = st.status == ACTIVE
    buyers = np.nonzero(active & (required > 0))[0]
    sellers = np.nonzero(active & (required < 0))[0]
    if not buyers.size or not sellers.size:
        return
    b = rng.choice(buyers, size=attempts)
    s = rng.choice(sellers, size=attempts)
    q = np.maximum(np.minimum(required[b], -required[s]), 1)
    v = step_value(st.curves[k].take(b), required[b], q, st.years, int(st.cap[k]))
    p = nash_prices(np.maximum(v, 1), np.ones(attempts, np.int64), 0.5, np.zeros(attempts))
    st.reject(world, k, st.ids[b], BUY, q, np.maximum(p, 0), "off_platform")


# ------------------------------------------------------------------------------------------ settlement
def settle(st: EmissionState, world: World, k: int, seller, buyer, qty, price, mechanism: str,
           reason: str = "") -> None:
    """Apply trades of product ``k``: rights seller→buyer; money buyer→seller, except that money paid to the
    reserve goes straight to the fiscal account (收支两条线, E9); a seller of unpaid rights back-pays the use
    fee at the base price and keeps the premium (E5); bought rights are paid; trades, charges and reserve
    actions recorded."""
    seller = np.asarray(seller, np.int64)
    buyer = np.asarray(buyer, np.int64)
    qty = np.asarray(qty, np.int64)
    price = np.asarray(price, np.int64)
    if np.any(price < st.base[k]) and k < st.P:
        raise AssertionError("a trade below the base price reached settlement (E3)")
    acc = world.accounts
    product = st.product[k]
    amount = amount_fen_array(qty, price)
    acc.move(product, seller, buyer, qty)
    to_reserve = seller == RES
    acc.pay(buyer, np.where(to_reserve, FISCAL, seller), amount)
    ls, lb = st.local_index(seller), st.local_index(buyer)
    hs, hb = ls >= 0, lb >= 0
    if k < st.P and hs.any():
        fees.sale_fees(st, world, k, ls[hs], qty[hs])
    if k < st.P and hb.any():
        np.add.at(st.paid[k], lb[hb], qty[hb])
    tally = st.stats[k]
    tally["volume"] += int(qty.sum())
    tally["count"] += int(qty.size)
    tally["fen"] += int(amount.sum())
    tally["at_floor"] += int(np.sum(price == st.base[k])) if k < st.P else 0
    tally["parties"] += int(hs.sum() + hb.sum())  # units that bore the fixed cost of a trade
    s_sec = np.where(hs, st.sector[np.maximum(ls, 0)], len(EMISSION_SECTORS))
    b_sec = np.where(hb, st.sector[np.maximum(lb, 0)], len(EMISSION_SECTORS))
    world.record_trades(right=RIGHT, product=product, mechanism=mechanism, seller=seller, buyer=buyer,
                        quantity=qty, unit=UNIT, price_ticks=price, amount_fen=amount,
                        relation=SECTOR_NAMES[s_sec] + "->" + SECTOR_NAMES[b_sec],
                        base_price_ticks=np.full(qty.size, st.base[k]))
    for j in np.nonzero(to_reserve | (buyer == RES))[0].tolist():
        sale = seller[j] == RES
        if not sale:
            st.bought_back[k] += int(qty[j])
        world.record_reserve(product=product, action="release" if sale else "buy", quantity=int(qty[j]),
                             price_ticks=int(price[j]), amount_fen=int(amount[j]),
                             stock=st.reserve_stock(world, k), cash_fen=st.reserve_cash(world),
                             reason=reason or ("income to the fiscal account (E9)" if sale else "buy-back (E8)"))
