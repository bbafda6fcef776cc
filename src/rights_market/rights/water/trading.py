"""Trading the annual surplus of water (rules W3, W5, W7, W11, W16; pledges X3).

* :func:`collect_orders` — holders above their plan offer their surplus, holders short of their intended use
  bid, lot by lot at their reservation prices (by their group's behaviour, :mod:`.decisions`); the reserve's orders of the session (W12) join them; sales are cut to what the seller
  holds free of pledges (X3, ``pledged``) and purchases that would hoard are refused (W16,
  ``over_holding_limit``);
* :func:`clear` — the scenario's mechanism: a continuous double auction or a call auction (撮合, W11), with the
  base price as a hard floor if the scenario says so (W5, ``below_floor``, :func:`below_floor`);
* :func:`negotiate` — bilateral negotiation of random buyer–seller pairs of the holders taking part this session
  (协商, W11): prices between the parties' limits (:func:`limits_for_negotiation`), within the price bounds,
  anchored on the relation's base price (W5, :func:`~rights_market.market.negotiation.anchored_prices`), with the W16 checks;
* :func:`settle` — rights and money move, a farmer selling to industry shares the proceeds with the collective
  (W7, ``proceeds_share``), trades and the reserve's fills are recorded.

Quantities m³ of ``water.annual``, prices ticks per m³, money fen.
"""

from __future__ import annotations

import numpy as np

from ...agents.behaviour import BUY, SELL, quote
from ...engine.world import World
from ...ledger import COLLECTIVE
from ...market import clear_call_auction
from ...market.batch_cda import match_session
from ...market.call_auction import REASON_SELF_TRADE
from ...market.negotiation import anchored_prices
from ...scenario.water import SECTORS
from ...units import amount_fen_array, decimal_to_rational
from ..shared.pledges import cap_sales
from . import billing, decisions
from .descriptor import RESERVE
from .state import AGRI, ANNUAL, IND, RIGHT, UNIT, WaterConfig, WaterState, reserve_cash, reserve_stock

#: Orders of a session: (traders, sides, prices, quantities), arrays in arrival order.
Orders = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def reject_orders(world: World, traders, sides, qtys, prices, reason) -> None:
    """Record refused orders of annual water with their reason (never a silent drop)."""
    world.record_rejections(product=ANNUAL, trader=traders, side=np.where(sides == BUY, "buy", "sell").astype(object),
                            quantity=qtys, price_ticks=prices, reason=reason)


def collect_orders(st: WaterState, world: World, cfg: WaterConfig,
                   reserve_orders: list[tuple[int, int, int]]) -> Orders | None:
    """The session's orders: the holders' (surplus above the plan offered, intended use not covered bid, W3)
    and the reserve's ``(side, price, qty)`` (W12), screened for pledges (X3) and hoarding (W16), in a random
    arrival order. None if nobody places an order.

    Each holder's quantity is split into ``economics.lots_per_order`` lots, each priced by its group's
    behaviour around its own reservation price (:func:`.decisions.order_limits`; design principle 8):
    truthful quotes the limit, markup shades it, ZI-C draws between the limit and the other side's extreme
    limit of the session — for a seller the highest reservation price of the session's bids, for a buyer
    the lowest of its asks (Gode and Sunder's value range). The scenario's ``price_min``/``price_max``
    only guard these ranges; no quote is moved to them."""
    rng = world.rng.stream("water.orders")
    sell = st.sellable(world)
    want = st.wanted(world)
    active = rng.random(len(st.ids)) < st.participation
    sellers = np.nonzero(active & (sell > 0) & ~cfg.protected[st.sector])[0]
    buyers = np.nonzero(active & (want > 0))[0]
    annual = world.accounts.of(ANNUAL, st.ids)
    base = billing.surcharge_base(st, cfg, st.effective_plan(), st.alloc + st.bought - st.sold)
    lots = cfg.spec.economics.lots_per_order
    s_pos, s_q, s_lim = decisions.order_limits(st, cfg, sellers, True, sell, annual, base, lots)
    b_pos, b_q, b_lim = decisions.order_limits(st, cfg, buyers, False, want, annual, base, lots)
    # the session's value range (Gode & Sunder): the reserve's orders count with their prices
    bids = [b_lim] + [np.array([p]) for side, p, _ in reserve_orders if side == BUY]
    asks = [s_lim] + [np.array([p]) for side, p, _ in reserve_orders if side == SELL]
    bids_a, asks_a = np.concatenate(bids), np.concatenate(asks)
    hi = min(cfg.price_hi, int(bids_a.max())) if bids_a.size else cfg.price_hi
    lo = max(cfg.price_lo, int(asks_a.min())) if asks_a.size else cfg.price_lo
    sides, prices, qtys, traders = [], [], [], []
    for idx_all, kind, markup in st.behaviour_groups:
        for side, pos, q, lim in ((SELL, s_pos, s_q, s_lim), (BUY, b_pos, b_q, b_lim)):
            m = np.isin(pos, idx_all)
            if not m.any():
                continue
            p = quote(kind, side, lim[m], cfg.price_lo if kind != "zi_c" else min(lo, cfg.price_hi),
                      cfg.price_hi if kind != "zi_c" else max(hi, cfg.price_lo), rng, markup)
            ok = (p > 0) & (q[m] > 0)
            traders.append(st.ids[pos[m][ok]])
            sides.append(np.full(int(ok.sum()), side, dtype=np.int64))
            prices.append(p[ok])
            qtys.append(q[m][ok])
    for side, price, qty in reserve_orders:
        traders.append(np.array([RESERVE]))
        sides.append(np.array([side]))
        prices.append(np.array([price]))
        qtys.append(np.array([qty]))
    if not traders or not sum(t.size for t in traders):
        return None
    traders_a = np.concatenate(traders)
    sides_a = np.concatenate(sides)
    prices_a = np.concatenate(prices).astype(np.int64)
    qtys_a = np.concatenate(qtys).astype(np.int64)
    # X3: a holder offers no more than it holds free of pledges; the part above is refused ``pledged``.
    holder_sell = (sides_a == SELL) & (traders_a >= 0)
    free_q = cap_sales(world, ANNUAL, traders_a[holder_sell], qtys_a[holder_sell], prices_a[holder_sell])
    if (free_q < qtys_a[holder_sell]).any():
        qtys_a[holder_sell] = free_q
        keep = qtys_a > 0
        traders_a, sides_a, prices_a, qtys_a = traders_a[keep], sides_a[keep], prices_a[keep], qtys_a[keep]
    # W16: a purchase may not take a holder above the holding limit: rejected, with the reason.
    holder_buy = (sides_a == BUY) & (traders_a >= 0)
    held = world.accounts.of(ANNUAL, np.where(traders_a >= 0, traders_a, RESERVE))
    hoard = holder_buy & (held + _cumulative_by(traders_a, np.where(holder_buy, qtys_a, 0)) > cfg.hold_limit)
    if hoard.any():
        reject_orders(world, traders_a[hoard], sides_a[hoard], qtys_a[hoard], prices_a[hoard], "over_holding_limit")
        keep = ~hoard
        traders_a, sides_a, prices_a, qtys_a = traders_a[keep], sides_a[keep], prices_a[keep], qtys_a[keep]
    order = rng.permutation(traders_a.size)  # arrival order within the session
    return traders_a[order], sides_a[order], prices_a[order], qtys_a[order]


def _cumulative_by(keys: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Running total of ``x`` per key, in the given order (a holder's lots counted together)."""
    order = np.argsort(keys, kind="stable")
    k, v = keys[order], x[order]
    cum = np.cumsum(v)
    starts = np.r_[0, np.nonzero(np.diff(k))[0] + 1]
    offset = np.repeat(cum[starts] - v[starts], np.diff(np.r_[starts, k.size]))
    out = np.empty_like(x)
    out[order] = cum - offset
    return out


def below_floor(st: WaterState, cfg: WaterConfig, seller, buyer, price) -> np.ndarray:
    """W5 with ``market.floor_at_base_price``: which trades are priced below their own relation's base price
    (seller's sector → buyer's sector; the reserve's relations take the default base price). The one floor
    rule of every mechanism — book, call auction and negotiation alike. All False when the floor is off."""
    price = np.asarray(price, dtype=np.int64)
    if not cfg.spec.market.floor_at_base_price:
        return np.zeros(price.shape, dtype=bool)
    return price < cfg.pricing.base_price(st.sector_of(seller), st.sector_of(buyer))


def clear(st: WaterState, world: World, cfg: WaterConfig, traders, sides, prices, qtys) -> None:
    """W11: the session's orders matched by the scenario's mechanism (CDA or call auction). With the W5 floor,
    orders below the lowest base price of every relation can trade with nobody and are refused before
    matching; a fill below its own relation's base price is refused after it (both ``below_floor``, the
    refused fill as the buyer's rejection, as in negotiation)."""
    mech = cfg.spec.market.mechanism
    if mech.type == "cda":
        res = match_session(traders, sides, prices, qtys, floor_ticks=cfg.floor)
        if res.rejected.size:
            r = res.rejected
            reject_orders(world, traders[r], sides[r], qtys[r], prices[r], res.reject_reason)
        if res.fill_quantity.size:
            settle_above_floor(st, world, cfg, traders[res.fill_sell], traders[res.fill_buy], res.fill_quantity,
                               res.fill_price, "cda")
    else:
        b = sides == BUY
        s = ~b
        low = prices < cfg.floor
        if low.any():
            reject_orders(world, traders[low], sides[low], qtys[low], prices[low], "below_floor")
            b &= ~low
            s &= ~low
        bi, si = np.nonzero(b)[0], np.nonzero(s)[0]
        res = clear_call_auction(prices[bi], qtys[bi], bi, prices[si], qtys[si], si,
                                 bid_owner=traders[bi], ask_owner=traders[si])
        refused = np.concatenate([bi[res.bid_refused], si[res.ask_refused]])
        if refused.size:  # an order crossing the same holder's own order on the other side
            reject_orders(world, traders[refused], sides[refused], qtys[refused], prices[refused], REASON_SELF_TRADE)
        if res.volume:
            fb, fs, fq = res.fill_bid, res.fill_ask, res.fill_quantity
            settle_above_floor(st, world, cfg, traders[si[fs]], traders[bi[fb]], fq,
                               np.full(fq.size, res.price, dtype=np.int64), "call")


def settle_above_floor(st: WaterState, world: World, cfg: WaterConfig, seller, buyer, qty, price,
                       mechanism: str) -> None:
    """Settle the fills of a book or call auction, refusing those below their relation's base price (W5)."""
    low = below_floor(st, cfg, seller, buyer, price)
    if low.any():
        world.record_rejections(product=ANNUAL, trader=buyer[low], side="buy", quantity=qty[low],
                                price_ticks=price[low], reason="below_floor")
        seller, buyer, qty, price = seller[~low], buyer[~low], qty[~low], price[~low]
    if qty.size:
        settle(st, world, cfg, seller, buyer, qty, price, mechanism)


def random_pairs(rng: np.random.Generator, sellers: np.ndarray, buyers: np.ndarray,
                 most: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Up to ``most`` random seller–buyer pairs, nobody twice (W4, W11 negotiations); None if there are none."""
    k = min(most, sellers.size, buyers.size)
    if k == 0:
        return None
    return rng.choice(sellers, size=k, replace=False), rng.choice(buyers, size=k, replace=False)


def limits_for_negotiation(st: WaterState, world: World, cfg: WaterConfig, sellers: np.ndarray,
                           buyers: np.ndarray, qty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The limits the parties of a negotiation bargain between, ticks per m³, for ``qty`` m³ between holder
    positions ``sellers[k]`` and ``buyers[k]`` (each holder in at most one pair): the holders' reservation
    prices from the economic core, the same as the book's (:func:`.decisions.order_limits`, design
    principle 8) with the pair's quantity as one lot — the seller's is the value of use it gives up (or the
    surcharge it pays instead), the buyer's the value of covering that much of its shortfall including the
    tariff and surcharge it avoids, both at the margin of the whole quantity."""
    annual = world.accounts.of(ANNUAL, st.ids)
    base = billing.surcharge_base(st, cfg, st.effective_plan(), st.alloc + st.bought - st.sold)
    out = []
    for pos, side_sell in ((sellers, True), (buyers, False)):
        q = np.zeros(len(st.ids), dtype=np.int64)
        q[pos] = qty
        at, _lot, lim = decisions.order_limits(st, cfg, pos, side_sell, q, annual, base, 1)
        by_pos = np.zeros(len(st.ids), dtype=np.int64)
        by_pos[at] = lim
        out.append(by_pos[pos])
    return out[0], out[1]


def negotiate(st: WaterState, world: World, cfg: WaterConfig) -> None:
    """W11: bilateral negotiation (协商) between random buyer–seller pairs of the holders taking part in the
    market this session (each with its group's ``participation``, as in the book: participation 0 means no
    negotiated trade either). Prices by :func:`~rights_market.market.negotiation.anchored_prices` between the limits of
    :func:`limits_for_negotiation`, within the market's price bounds, anchored on the relation's base price
    (W5) and, with ``floor_at_base_price``, never below it; then the W16 and X3 checks."""
    neg = cfg.spec.market.negotiation
    if neg.pairs_per_session <= 0:
        return
    rng = world.rng.stream("water.negotiation")
    sell, want = st.sellable(world), st.wanted(world)
    active = rng.random(len(st.ids)) < st.participation
    pairs = random_pairs(rng, np.nonzero(active & (sell > 0))[0], np.nonzero(active & (want > 0))[0],
                         neg.pairs_per_session)
    if pairs is None:
        return
    s, b = pairs
    k = s.size
    qty = np.minimum(sell[s], want[b])
    ask, bid = limits_for_negotiation(st, world, cfg, s, b, qty)
    base = cfg.pricing.base_price(st.sector[s], st.sector[b])
    noise = rng.normal(0, neg.noise_sd_share, size=k)
    accounts = {"buyer": st.ids[b], "seller": st.ids[s]}  # nobody negotiates with itself
    free = anchored_prices(ask, bid, base, cfg.price_lo, cfg.price_hi, np.zeros(k, dtype=np.int64),
                           decimal_to_rational(neg.seller_power), decimal_to_rational(neg.anchor_weight), noise,
                           **accounts)
    if cfg.spec.market.floor_at_base_price:
        price = anchored_prices(ask, bid, base, cfg.price_lo, cfg.price_hi, base,
                                decimal_to_rational(neg.seller_power), decimal_to_rational(neg.anchor_weight),
                                noise, **accounts)
    else:
        price = free
    deal = free > 0
    # W16: protected sectors' water may not be sold to industry; hoarding limit as in the book.
    squeeze = deal & cfg.protected[st.sector[s]] & (st.sector[b] == IND)
    hoard = deal & ~squeeze & (world.accounts.of(ANNUAL, st.ids[b]) + qty > cfg.hold_limit)
    # W5 floor: a pair that would agree, but only below its relation's base price, is refused for it.
    low = deal & ~squeeze & ~hoard & (price < 0)
    for mask, reason in ((squeeze, "protected_use"), (hoard, "over_holding_limit"), (low, "below_floor")):
        if mask.any():
            world.record_rejections(product=ANNUAL, trader=st.ids[b[mask]], side="buy", quantity=qty[mask],
                                    price_ticks=free[mask], reason=reason)
    ok = deal & ~squeeze & ~hoard & ~low
    if ok.any():  # X3: only what the seller holds free of pledges changes hands; the rest is refused
        qty[ok] = cap_sales(world, ANNUAL, st.ids[s[ok]], qty[ok], price[ok])
        ok &= qty > 0
    if ok.any():
        settle(st, world, cfg, st.ids[s[ok]], st.ids[b[ok]], qty[ok], price[ok], "negotiation")


def settle(st: WaterState, world: World, cfg: WaterConfig, seller, buyer, qty, price, mechanism: str,
           reason: str = "", reserve_action: str | None = None) -> None:
    """Apply trades of annual water: rights seller→buyer, money buyer→seller, W7 proceeds shares, records
    (the reserve's fills with ``reserve_action``, or ``buy`` / ``sell``, and ``reason``)."""
    seller = np.asarray(seller, dtype=np.int64)
    buyer = np.asarray(buyer, dtype=np.int64)
    qty = np.asarray(qty, dtype=np.int64)
    price = np.asarray(price, dtype=np.int64)
    acc = world.accounts
    amount = amount_fen_array(qty, price)
    acc.move(ANNUAL, seller, buyer, qty)
    acc.pay(buyer, seller, amount)
    ls, lb = st.local_index(seller), st.local_index(buyer)
    s_sector, b_sector = st.sector_of(seller), st.sector_of(buyer)
    hb, hs = lb >= 0, ls >= 0
    np.add.at(st.bought, lb[hb], qty[hb])
    np.add.at(st.sold, ls[hs], qty[hs])
    both = hb & hs
    st.gains_realised += int(np.sum((st.mv[lb[both]] - st.mv[ls[both]]) * qty[both]))
    base = cfg.pricing.base_price(s_sector, b_sector)
    names = np.array([*SECTORS, "reserve"], dtype=object)
    relation = names[s_sector] + "->" + names[b_sector]
    world.record_trades(right=RIGHT, product=ANNUAL, mechanism=mechanism, seller=seller, buyer=buyer,
                        quantity=qty, unit=UNIT, price_ticks=price, amount_fen=amount, relation=relation,
                        base_price_ticks=base)
    # W7: a farmer selling to industry keeps a set share; the rest goes to the collective.
    farm_to_ind = (s_sector == AGRI) & (b_sector == IND)
    if farm_to_ind.any():
        share = decimal_to_rational(cfg.spec.proceeds.farmer_share_to_industry)
        a = amount[farm_to_ind]
        kept = (a * share.numerator * 2 + share.denominator) // (2 * share.denominator)
        to_coll = a - kept
        pos = to_coll > 0
        if pos.any():
            acc.pay(seller[farm_to_ind][pos], COLLECTIVE, to_coll[pos])
            world.record_charges(holder=seller[farm_to_ind][pos], payee=COLLECTIVE, product=ANNUAL,
                                 kind="proceeds_share", band=0, quantity=qty[farm_to_ind][pos],
                                 rate_ticks=price[farm_to_ind][pos], amount_fen=to_coll[pos])
    if len(price):
        st.last_price = int(price[-1])
    for side, sec in ((0, s_sector), (1, b_sector)):  # per-sector tallies of the year (expectations)
        known = sec >= 0
        np.add.at(st.sector_trade[side, :, 0], sec[known], qty[known])
        np.add.at(st.sector_trade[side, :, 1], sec[known], amount[known])
    st.year_volume += int(qty.sum())
    st.year_amount += int(amount.sum())
    st.year_trades += int(qty.size)
    record_reserve_fills(world, seller, buyer, qty, price, amount, reason, reserve_action)


def record_reserve_fills(world: World, seller, buyer, qty, price, amount, reason, action) -> None:
    """``reserve`` rows of the trades the reserve took part in, each with the stock and cash after it (W12):
    ``action`` if given (a dry-year ``release``), else ``buy`` or ``sell`` (a market sale)."""
    involved = np.nonzero((seller == RESERVE) | (buyer == RESERVE))[0]
    if not involved.size:
        return
    stock_end, cash_end = reserve_stock(world), reserve_cash(world)
    sign_q = np.where(buyer[involved] == RESERVE, 1, -1)
    dq = sign_q * qty[involved]
    dc = -sign_q * amount[involved]
    stock_after = stock_end - (dq.sum() - np.cumsum(dq))
    cash_after = cash_end - (dc.sum() - np.cumsum(dc))
    bought = buyer[involved] == RESERVE
    act = np.full(involved.size, action, dtype=object) if action else np.where(bought, "buy", "sell").astype(object)
    why = np.full(involved.size, reason, dtype=object) if reason else \
        np.where(act == "buy", "price_below_trigger", "rule").astype(object)
    world.record_reserve(product=ANNUAL, action=act, quantity=qty[involved], price_ticks=price[involved],
                         amount_fen=amount[involved], stock=stock_after, cash_fen=cash_after, reason=why)
