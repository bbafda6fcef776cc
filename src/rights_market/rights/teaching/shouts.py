"""The shouts of one trading day of the teaching market under each ``teaching.rules`` (see :mod:`.policy`):
``cda``, ``gode_sunder`` and ``cliff``. Each function runs a day on a :class:`~.state.Day` (trades go to it)
and returns the shouts rejected (``trader``, ``side``, ``price``, ``reason`` arrays). Prices ticks."""

from __future__ import annotations

import numpy as np

from ...agents.behaviour import BUY, SELL, quote_one
from ...agents.zip import shout_price
from ...market import ContinuousDoubleAuction
from ...market.gs_auction import QUOTED, REJECTED, TRADED, CliffQuotes, GodeSunderAuction, cliff_counterpart
from ...market.shout_kernel import KIND_CODES, DayTraders, teaching_day
from .state import Day

#: Run rules ``cda`` days without per-shout learning in the compiled kernel (:func:`day_cda`); the interactive
#: book is the reference and serves ZIP traders, who learn from every shout.
COMPILED = True


def day_cda(day: Day, t: int) -> dict[str, np.ndarray]:
    """Rules ``cda``: the price-time priority book (``ContinuousDoubleAuction``), trades at the resting
    order's price; ``one_order_per_trader`` and ``clear_book_after_trade`` as set.

    Without ZIP traders the day runs compiled (:func:`~rights_market.market.shout_kernel.teaching_day`, the
    same loop shout for shout, proven equal in ``tests/market/test_shout_kernel.py``); ZIP traders learn from every
    shout, through Python state and the shared random stream, so a market with any of them trades on the
    interactive book below."""
    m, st = day.m, day.st
    spec, lo, hi, n = m.spec, m.lo, m.hi, m.n
    limits, side, kind, markup = m.limits, m.side.tolist(), st.kind, st.markup
    shouts = spec.shouts_per_period
    if COMPILED and day.zt is None and all(k in KIND_CODES for k in kind):
        return _day_cda_compiled(day, st.rng.random(shouts), st.rng.random(shouts))
    pick = st.rng.random(shouts).tolist()
    draw = st.rng.random(shouts).tolist()
    book = ContinuousDoubleAuction(floor_ticks=lo, ceiling_ticks=hi)
    nxt, active, left = day.nxt, day.active, day.left
    live: list[list[int]] = [[] for _ in range(n)]  # resting order ids of each trader
    zt, zpos = day.zt, st.zip_pos.tolist()
    idle, oid = 0, 0
    idle_stop = spec.end_after_idle_shouts
    for k in range(shouts):
        if not left[0] or not left[1]:
            break
        day.n_shouts += 1
        i = active[int(pick[k] * len(active))]
        s = side[i]
        lim = limits[i][nxt[i]]
        if zpos[i] >= 0:
            price = zt.price_of(zpos[i], lim)
            price = min(max(price, lo), hi)
            if (s == BUY and price > lim) or (s == SELL and price < lim):
                price = -1
        else:
            price = quote_one(kind[i], s, lim, lo, hi, draw[k], markup[i])
        if price < 0:  # this trader cannot shout inside the price bounds
            idle += 1
            if idle_stop is not None and idle >= idle_stop:
                break
            continue
        if spec.one_order_per_trader and live[i]:
            for o in live[i]:
                book.cancel(o, t)
            live[i] = []
        book.submit(oid, i, s, price, 1, t)
        live[i].append(oid)
        oid += 1
        if book.pending_fills:
            f = book.take_fills()
            b, se, p = int(f["buyer"][0]), int(f["seller"][0]), int(f["price"][0])
            for j in (b, se):
                for o in live[j]:  # the trader's other shouts were for the unit it has just traded
                    book.cancel(o, t)
                live[j] = []
            day.trade(b, se, p)
            if spec.clear_book_after_trade:
                book.end_session(t)
                live = [[] for _ in range(n)]
            idle = 0
            if zt is not None:
                zt.respond(day.zlim, day.zactive, p, -s, True, st.rng)
        else:
            idle += 1
            if zt is not None:
                zt.respond(day.zlim, day.zactive, price, s, False, st.rng)
        if idle_stop is not None and idle >= idle_stop:
            break
    book.end_session(t)
    book.take_cancellations()
    rej = book.take_rejections()  # cannot happen with prices inside the bounds
    return {"trader": rej["trader"], "side": rej["side"], "price": rej["price"], "reason": rej["reason"]}

def _day_cda_compiled(day: Day, pick: np.ndarray, draw: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`day_cda` in the kernel; the day's state and trades are written back to ``day``. No shout can be
    rejected (prices are drawn inside the bounds, one unit each), so the rejections are empty."""
    m, st, spec = day.m, day.st, day.m.spec
    if st.day_traders is None:
        st.day_traders = DayTraders.of(m.limits, m.side, st.kind, st.markup)
    out = teaching_day(pick, draw, st.day_traders, m.lo, m.hi, m.n_buyers,
                       idle_stop=spec.end_after_idle_shouts, one_order_per_trader=spec.one_order_per_trader,
                       clear_book_after_trade=spec.clear_book_after_trade)
    day.t_buyer, day.t_seller, day.t_price = out["buyer"].tolist(), out["seller"].tolist(), out["price"].tolist()
    day.t_value, day.t_cost = out["value"].tolist(), out["cost"].tolist()
    day.nxt, day.active, day.where = out["nxt"].tolist(), out["active"].tolist(), out["where"].tolist()
    day.left = out["left"]
    day.n_shouts += out["n_shouts"]
    empty = np.zeros(0, dtype=np.int64)
    return {"trader": empty, "side": empty, "price": empty, "reason": np.zeros(0, dtype=str)}

def day_gode_sunder(day: Day, t: int) -> dict[str, np.ndarray]:
    """Rules ``gode_sunder`` (Gode & Sunder 1993; :class:`~rights_market.market.gs_auction.GodeSunderAuction`):
    a trader drawn uniformly among those with a unit left shouts for its current unit; a shout must improve
    on its side's best quote (else it is rejected, ``not_improving``); a crossing shout trades at the
    standing quote's price and clears the book. ZIP traders learn from every valid shout (a rejected one is
    never shown to the market)."""
    m, st = day.m, day.st
    spec, lo, hi = m.spec, m.lo, m.hi
    limits, side, kind, markup = m.limits, m.side.tolist(), st.kind, st.markup
    shouts = spec.shouts_per_period
    pick = st.rng.random(shouts).tolist()
    draw = st.rng.random(shouts).tolist()
    book = GodeSunderAuction(floor_ticks=lo, ceiling_ticks=hi)
    nxt, active, left = day.nxt, day.active, day.left
    zt, zpos = day.zt, st.zip_pos.tolist()
    idle = 0
    idle_stop = spec.end_after_idle_shouts
    for k in range(shouts):
        if not left[0] or not left[1]:
            break
        day.n_shouts += 1
        i = active[int(pick[k] * len(active))]
        s = side[i]
        lim = limits[i][nxt[i]]
        if zpos[i] >= 0:
            price = min(max(zt.price_of(zpos[i], lim), lo), hi)
            if (s == BUY and price > lim) or (s == SELL and price < lim):
                price = -1
        else:
            price = quote_one(kind[i], s, lim, lo, hi, draw[k], markup[i])
        # a trader that cannot shout inside the price bounds makes no shout (an idle turn)
        outcome = REJECTED if price < 0 else book.shout(i, s, price, t)
        if outcome == TRADED:
            p = book.last_price
            day.trade(book.last_buyer, book.last_seller, p)
            idle = 0
            if zt is not None:  # the standing quote (of the other side) was accepted at its price
                zt.respond(day.zlim, day.zactive, p, -s, True, st.rng)
            continue
        idle += 1
        if outcome == QUOTED and zt is not None:
            zt.respond(day.zlim, day.zactive, price, s, False, st.rng)
        if idle_stop is not None and idle >= idle_stop:
            break
    book.clear()
    return book.take_rejections()

def day_cliff(day: Day) -> dict[str, np.ndarray]:
    """Rules ``cliff``: the market of Cliff's (1997) simulator (``smith.c``; see
    :mod:`rights_market.market.gs_auction`), shout by shout.

    A side is drawn with probability proportional to its active traders (those with a unit left), then a
    trader of that side able to shout — under ``nyse_rule``, one that can beat its side's best quote since the
    session began (:class:`CliffQuotes`); if none is able the day ends, as in his code. Every active trader of
    the other side responds — ZI-C / ZI-U with a fresh random price, others with their current price — and a
    random willing one trades at the shout's price (:func:`cliff_counterpart`). A session ends with a trade
    or after ``end_after_idle_shouts`` failed shouts in a row, and resets the quotes; the day ends after
    ``sessions_per_period`` sessions (or ``shouts_per_period`` shouts). As in his code the day goes on when
    one side has sold (bought) out: the other side's shouts fail, and ZIP traders learn from every shout."""
    m, st = day.m, day.st
    spec, lo, hi = m.spec, m.lo, m.hi
    limits, side, kind, markup = m.limits, m.side.tolist(), st.kind, st.markup
    random_kind = [k in ("zi_c", "zi_u") for k in kind]
    zi_c = [k == "zi_c" for k in kind]
    shouts = spec.shouts_per_period
    pick = st.rng.random(shouts).tolist()
    who = st.rng.random(shouts).tolist()
    draw = st.rng.random(shouts).tolist()
    take = st.rng.random(shouts).tolist()
    quotes = CliffQuotes()
    nyse = spec.nyse_rule
    nxt, active, left = day.nxt, day.active, day.left
    zt, zpos = day.zt, st.zip_pos.tolist()
    margin = zt.margin.tolist() if zt is not None else []  # the ZIP margins, again after every respond

    def price(i: int, u: float) -> int:  # trader i's shout for its current unit (ticks), −1: none in bounds
        lim, s, z = limits[i][nxt[i]], side[i], zpos[i]
        if z < 0:
            return quote_one(kind[i], s, lim, lo, hi, u, markup[i])
        p = min(max(shout_price(lim, margin[z], s == BUY), lo), hi)
        return -1 if (s == BUY and p > lim) or (s == SELL and p < lim) else p

    def by_side() -> dict[int, tuple[list[int], list[bool]]]:  # the active traders of each side, in order
        return {t: ([i for i in active if side[i] == t], [random_kind[i] for i in active if side[i] == t])
                for t in (BUY, SELL)}

    sides = by_side()  # again after every trade (only a trade changes ``active``)
    idle, sessions = 0, 0
    idle_stop, max_sessions = spec.end_after_idle_shouts, spec.sessions_per_period
    for k in range(shouts):
        if not active:
            break
        s = SELL if pick[k] * (left[0] + left[1]) < left[1] else BUY
        mine = sides[s][0]
        if not nyse:
            able = mine
        else:  # CliffQuotes.able, inline: ``s * level`` beats ``s * best`` on either side
            best = quotes.bid if s == BUY else quotes.offer
            sb = s * best
            able = []
            for i in mine:
                if random_kind[i]:
                    ok = best < 0 or s * (limits[i][nxt[i]] if zi_c[i] else (hi if s == BUY else lo)) >= sb
                else:
                    level = price(i, 0.0)
                    ok = level >= 0 and (best < 0 or s * level > sb)
                if ok:
                    able.append(i)
        if not able:  # Cliff: nobody on the side drawn can shout, the day ends
            break
        day.n_shouts += 1
        i = able[int(who[k] * len(able))]
        p = price(i, draw[k])
        c = -1
        if p >= 0:  # (a trader unable to price inside the bounds makes a failed shout)
            if nyse:
                quotes.note(s, p)
            others, strict = sides[-s]
            u = st.rng.random(len(others)).tolist()
            responses = [price(j, u[r]) for r, j in enumerate(others)]
            c = cliff_counterpart(s, p, responses, strict, take[k])
        if c >= 0:
            j = others[c]
            day.trade(i if s == BUY else j, j if s == BUY else i, p)
            sides = by_side()
            if zt is not None:
                zt.respond(day.zlim, day.zactive, p, s, True, st.rng)
                margin[:] = zt.margin.tolist()
        else:
            idle += 1
            if zt is not None and p >= 0:
                zt.respond(day.zlim, day.zactive, p, s, False, st.rng)
                margin[:] = zt.margin.tolist()
            if idle_stop is None or idle < idle_stop:
                continue
        idle = 0  # the session ends: a trade, or a run of failed shouts
        quotes.reset()
        sessions += 1
        if max_sessions is not None and sessions >= max_sessions:
            break
        if idle_stop is not None and max_sessions is None and c < 0:
            break  # no session count: a run of failures ends the day
    empty = np.zeros(0, dtype=np.int64)
    return {"trader": empty, "side": empty, "price": empty, "reason": np.zeros(0, dtype=str)}
