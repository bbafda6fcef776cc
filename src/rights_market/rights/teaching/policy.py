"""The teaching / validation market: an induced-values continuous double auction through the whole engine.

A right-agnostic market (rule X1: the same mechanisms serve every right) used in class and to prove the engine
against the experimental-economics literature: Smith (1962), Gode & Sunder (1993), Cliff (1997). Product
``teaching.unit`` (base unit ``unit``). Each calendar session is one trading day ("period"):

1. every seller receives one unit per listed cost (from the issuer); buyers hold values for their units;
   every trader trades its units one at a time, in the listed order (its current unit is its first untraded
   one; Gode & Sunder list a buyer's highest value first and a seller's lowest cost first);
2. shouts arrive one at a time; the shouting trader prices its current unit by its side's behaviour —
   truthful, markup, ZI-C, ZI-U (:func:`~rights_market.agents.behaviour.quote_one`) or ZIP
   (:class:`~rights_market.agents.zip.ZipTraders`, which learns from every shout the market shows);
3. ``teaching.rules`` decides what a shout does:

   * ``cda`` — a trader drawn uniformly among those with a unit left; the shout goes to the price-time
     priority book (:class:`~rights_market.market.ContinuousDoubleAuction`), trades at the resting price; by
     default a trader's new shout replaces its resting one (``one_order_per_trader``); optionally every trade
     clears the book (``clear_book_after_trade``); a trader's other resting shouts are cancelled when it trades
     (they were for the unit it has just traded);
   * ``gode_sunder`` — Gode & Sunder (1993): a trader drawn as for ``cda``; the shout goes to
     :class:`~rights_market.market.gs_auction.GodeSunderAuction` — it must improve on its side's best quote
     (else it is rejected, ``not_improving``, and recorded in ``orders_rejected``), a crossing shout trades one
     unit at the standing quote's price, and every trade clears the book;
   * ``cliff`` — Cliff's (1997) simulator: a side drawn in proportion to its active traders, then a trader of
     it able to shout (``nyse_rule``); the other side's traders respond at once and a random willing one
     trades at the shout's price (:mod:`rights_market.market.gs_auction`); sessions end with a trade or a run
     of ``end_after_idle_shouts`` failures, at most ``sessions_per_period`` a day;
4. the day ends after ``shouts_per_period`` shouts (or ``end_after_idle_shouts`` in a row without a trade, or
   when one side has nothing left to trade — except under ``cliff``, see :meth:`TeachingPolicy._day_cliff`);
   the book is cleared; trades are settled through the ledger (units seller → buyer, money buyer → seller),
   bought units are consumed and unsold units return to the issuer;
5. KPIs of the day (``kpis`` table, right ``teaching``): ``efficiency`` (realised surplus / maximum surplus),
   ``smith_alpha`` (100 × RMS(price − P0) / P0), ``profit_dispersion`` (RMS over traders of actual minus
   equilibrium profit, yuan; Gode & Sunder 1993), ``mean_price`` (yuan), ``trade_count``, ``surplus`` (yuan),
   ``p0`` (yuan), ``q0`` and ``shouts`` (shouts made that day: rejected ones and turns of a trader unable to
   price inside the bounds included).

Values are induced: the surplus of a trade is the buyer's unit value minus the seller's unit cost, whatever
the price; money budgets play no part (a buyer's money balance may go negative). Trades are recorded with
``mechanism="cda"`` under every rule (all three are continuous double auctions).
"""

from __future__ import annotations

import numpy as np

from ...agents.behaviour import BUY, SELL, quote_one
from ...agents.zip import ZipParams, ZipTraders
from ...engine.world import World
from ...ledger import CONSUMED, ISSUER
from ...market import ContinuousDoubleAuction
from ...market.gs_auction import QUOTED, REJECTED, TRADED, CliffQuotes, GodeSunderAuction, cliff_counterpart
from ...market.metrics import max_gains, smith_alpha
from ...scenario.model import ZIP, Markup
from ...scenario.teaching import TeachingSpec
from ...units import TICKS_PER_YUAN, amount_fen_array, yuan_to_ticks

RIGHT = "teaching"
PRODUCT = "teaching.unit"
UNIT = "unit"


def competitive_equilibrium(values: np.ndarray, costs: np.ndarray) -> tuple[int, int | None, int | None]:
    """Competitive quantity and price range of unit values and costs (ticks): ``(q0, p_low, p_high)``.

    Units sorted by value (descending) and cost (ascending) trade while value ≥ cost: ``q0`` of them. Every price
    in ``[max(c_q0, v_q0+1), min(v_q0, c_q0+1)]`` clears the market (missing neighbours impose no bound). With no
    trade possible the range is ``(None, None)``.
    """
    v = np.sort(np.asarray(values, dtype=np.int64))[::-1]
    c = np.sort(np.asarray(costs, dtype=np.int64))
    k = min(v.size, c.size)
    q0 = int(np.count_nonzero(v[:k] >= c[:k]))
    if q0 == 0:
        return 0, None, None
    low = int(c[q0 - 1]) if q0 >= v.size else max(int(c[q0 - 1]), int(v[q0]))
    high = int(v[q0 - 1]) if q0 >= c.size else min(int(v[q0 - 1]), int(c[q0]))
    return q0, low, high


class _Day:
    """State of one trading day: each trader's next unit, who still has a unit to trade, the trades so far, and
    the ZIP traders' current limits and activity."""

    __slots__ = ("pol", "nxt", "active", "where", "left", "zt", "zlim", "zactive", "t_buyer", "t_seller",
                 "t_price", "t_value", "t_cost", "n_shouts")

    def __init__(self, pol: TeachingPolicy) -> None:
        n = pol.n
        self.pol = pol
        self.nxt = [0] * n
        self.active = list(range(n))  # traders with a unit left; swap-remove keeps it O(1)
        self.where = list(range(n))
        self.left = [pol.n_buyers, n - pol.n_buyers]  # active buyers, active sellers
        self.zt = pol.zip
        if self.zt is not None:
            self.zlim = np.array([pol.limits[i][0] for i in pol.zip_members], dtype=float)
            self.zactive = np.ones(self.zt.side.size, dtype=bool)
        self.t_buyer: list[int] = []
        self.t_seller: list[int] = []
        self.t_price: list[int] = []
        self.t_value: list[int] = []
        self.t_cost: list[int] = []
        self.n_shouts = 0

    def trade(self, b: int, se: int, price: int) -> None:
        """Buyer ``b`` buys the current unit of seller ``se`` at ``price``: both move on to their next unit, and a
        trader with no unit left is done for the day."""
        pol = self.pol
        limits, n_units, zpos = pol.limits, pol.n_units, pol.zip_pos
        self.t_buyer.append(b)
        self.t_seller.append(se)
        self.t_price.append(price)
        self.t_value.append(limits[b][self.nxt[b]])
        self.t_cost.append(limits[se][self.nxt[se]])
        for j in (b, se):
            self.nxt[j] += 1
            z = int(zpos[j])
            if z >= 0:
                self.zlim[z] = limits[j][min(self.nxt[j], n_units[j] - 1)]
            if self.nxt[j] == n_units[j]:
                last = self.active.pop()
                if last != j:
                    self.active[self.where[j]] = last
                    self.where[last] = self.where[j]
                self.left[0 if j < pol.n_buyers else 1] -= 1
                if z >= 0:
                    self.zactive[z] = False


class TeachingPolicy:
    """The induced-values market of ``TeachingSpec`` (module docstring), one trading day per session."""

    right = RIGHT

    def __init__(self, spec: TeachingSpec, total_sessions: int):
        self.spec = spec
        self.periods = spec.periods if spec.periods is not None else total_sessions
        if self.periods > total_sessions:
            raise ValueError(
                f"teaching.periods = {self.periods} trading days need as many trading sessions, but the calendar "
                f"has {total_sessions} (calendar.years × calendar.sessions_per_year)"
            )
        self.lo = yuan_to_ticks(spec.price_min_yuan)
        self.hi = yuan_to_ticks(spec.price_max_yuan)
        self.limits: list[list[int]] = [[yuan_to_ticks(v) for v in u] for u in spec.buyers_yuan] + [
            [yuan_to_ticks(c) for c in u] for u in spec.sellers_yuan
        ]
        self.n_buyers = len(spec.buyers_yuan)
        self.n = len(self.limits)
        self.n_units = [len(u) for u in self.limits]
        self.side = np.array([BUY] * self.n_buyers + [SELL] * (self.n - self.n_buyers), dtype=np.int64)
        values = np.array([v for u in self.limits[: self.n_buyers] for v in u], dtype=np.int64)
        costs = np.array([c for u in self.limits[self.n_buyers:] for c in u], dtype=np.int64)
        self.max_surplus = max_gains(values, np.ones(values.size, np.int64), costs, np.ones(costs.size, np.int64))
        q0, p_low, p_high = competitive_equilibrium(values, costs)
        self.q0 = spec.q0 if spec.q0 is not None else q0
        if spec.p0_yuan is not None:
            self.p0: float = float(yuan_to_ticks(spec.p0_yuan))
        else:
            self.p0 = (p_low + p_high) / 2 if p_low is not None and p_high is not None else float("nan")
        # equilibrium profit of every trader at P0 (ticks): intramarginal units only
        self.eq_profit = np.array(
            [sum(max(v - self.p0, 0.0) for v in u) for u in self.limits[: self.n_buyers]]
            + [sum(max(self.p0 - c, 0.0) for c in u) for u in self.limits[self.n_buyers:]]
        )
        self.day = 0

    # ------------------------------------------------------------------ RightPolicy
    def notes(self) -> list[str]:
        """Notes for the run's manifest about what this right did to the input."""
        return []

    def products(self) -> list[str]:
        return [PRODUCT]

    def holder_count(self) -> int:
        return self.n

    def setup(self, world: World, first_holder: int) -> None:
        """Holders (buyers then sellers) and their behaviours; ZIP traders draw their parameters here."""
        self.ids = np.arange(first_holder, first_holder + self.n, dtype=np.int64)
        spec = self.spec
        names = [f"buyer-{i + 1}" for i in range(self.n_buyers)] + [
            f"seller-{i + 1}" for i in range(self.n - self.n_buyers)
        ]
        world.tables["holders"].append(
            holder=self.ids, name=np.array(names, dtype=object),
            group=np.where(self.side == BUY, "buyers", "sellers").astype(object), sector="", right=RIGHT,
        )
        self.kind = [spec.buyer_behaviour.type] * self.n_buyers + [spec.seller_behaviour.type] * (
            self.n - self.n_buyers)
        self.markup = [spec.buyer_behaviour.markup if isinstance(spec.buyer_behaviour, Markup) else 0.0] * (
            self.n_buyers) + [spec.seller_behaviour.markup if isinstance(spec.seller_behaviour, Markup) else 0.0] * (
            self.n - self.n_buyers)
        # ZIP traders of either side share one learning state; zip_pos maps a trader to its row there
        zip_members = [i for i in range(self.n) if self.kind[i] == "zip"]
        self.zip_pos = np.full(self.n, -1, dtype=np.int64)
        self.zip: ZipTraders | None = None
        if zip_members:
            by_side = {BUY: spec.buyer_behaviour, SELL: spec.seller_behaviour}
            spec_z = next(b for b in (by_side[BUY], by_side[SELL]) if isinstance(b, ZIP))
            params = ZipParams(
                learning_rate=spec_z.learning_rate, momentum=spec_z.momentum,
                initial_margin=spec_z.initial_margin, relative_perturbation=spec_z.relative_perturbation,
                absolute_perturbation_ticks=float(yuan_to_ticks(spec_z.absolute_perturbation_yuan)),
            )
            if isinstance(by_side[BUY], ZIP) and isinstance(by_side[SELL], ZIP) and by_side[BUY] != by_side[SELL]:
                raise ValueError("teaching: buyers and sellers using ZIP must use the same ZIP parameters")
            self.zip = ZipTraders(self.side[zip_members], params, world.rng.stream("teaching.zip"))
            self.zip_pos[zip_members] = np.arange(len(zip_members))
            self.zip_members = np.array(zip_members, dtype=np.int64)
        self.rng = world.rng.stream("teaching.shouts")

    def year_start(self, world: World) -> None:
        """Nothing happens at a year start: the teaching market has no years, only trading days."""

    def period_end(self, world: World, period: int) -> None:
        """Nothing to do: every trading day settles itself (units do not outlive the day)."""

    def year_end(self, world: World) -> None:
        """Nothing to do at a year end."""

    # ------------------------------------------------------------------ one trading day
    def session(self, world: World) -> None:
        """One trading day (module docstring) under ``teaching.rules``; idle once ``periods`` days are traded."""
        if self.day >= self.periods:
            return
        self.day += 1
        t = world.clock.day
        nb = self.n_buyers
        world.accounts.move(PRODUCT, ISSUER, self.ids[nb:], np.array(self.n_units[nb:], dtype=np.int64))
        day = _Day(self)
        rules = self.spec.rules
        if rules == "cda":
            rej = self._day_cda(day, t)
        elif rules == "gode_sunder":
            rej = self._day_gode_sunder(day, t)
        else:
            rej = self._day_cliff(day)
        if rej["trader"].size:  # invalid shouts: never dropped silently
            world.record_rejections(product=PRODUCT, trader=self.ids[rej["trader"]],
                                    side=np.where(rej["side"] == BUY, "buy", "sell"),
                                    quantity=np.ones(rej["trader"].size, dtype=np.int64),
                                    price_ticks=rej["price"], reason=rej["reason"])
        self._settle(world, day.t_buyer, day.t_seller, day.t_price, day.nxt, self.n_units)
        self._kpis(world, day.t_buyer, day.t_seller, day.t_price, day.t_value, day.t_cost, day.n_shouts)

    def _price(self, day: _Day, i: int, u: float) -> int:
        """Trader ``i``'s shout for its current unit (ticks), −1 if it cannot price inside the bounds."""
        lim = self.limits[i][day.nxt[i]]
        s = int(self.side[i])
        if day.zt is not None and self.zip_pos[i] >= 0:
            price = min(max(day.zt.price_of(int(self.zip_pos[i]), lim), self.lo), self.hi)
            return -1 if (s == BUY and price > lim) or (s == SELL and price < lim) else price
        return quote_one(self.kind[i], s, lim, self.lo, self.hi, u, self.markup[i])

    def _day_cda(self, day: _Day, t: int) -> dict[str, np.ndarray]:
        """Rules ``cda``: the price-time priority book (``ContinuousDoubleAuction``), trades at the resting
        order's price; ``one_order_per_trader`` and ``clear_book_after_trade`` as set."""
        spec, lo, hi, n = self.spec, self.lo, self.hi, self.n
        limits, side, kind, markup = self.limits, self.side.tolist(), self.kind, self.markup
        shouts = spec.shouts_per_period
        pick = self.rng.random(shouts).tolist()
        draw = self.rng.random(shouts).tolist()
        book = ContinuousDoubleAuction(floor_ticks=lo, ceiling_ticks=hi)
        nxt, active, left = day.nxt, day.active, day.left
        live: list[list[int]] = [[] for _ in range(n)]  # resting order ids of each trader
        zt, zpos = day.zt, self.zip_pos.tolist()
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
                    zt.respond(day.zlim, day.zactive, p, -s, True, self.rng)
            else:
                idle += 1
                if zt is not None:
                    zt.respond(day.zlim, day.zactive, price, s, False, self.rng)
            if idle_stop is not None and idle >= idle_stop:
                break
        book.end_session(t)
        book.take_cancellations()
        rej = book.take_rejections()  # cannot happen with prices inside the bounds
        return {"trader": rej["trader"], "side": rej["side"], "price": rej["price"], "reason": rej["reason"]}

    def _day_gode_sunder(self, day: _Day, t: int) -> dict[str, np.ndarray]:
        """Rules ``gode_sunder`` (Gode & Sunder 1993; :class:`~rights_market.market.gs_auction.GodeSunderAuction`):
        a trader drawn uniformly among those with a unit left shouts for its current unit; a shout must improve
        on its side's best quote (else it is rejected, ``not_improving``); a crossing shout trades at the
        standing quote's price and clears the book. ZIP traders learn from every valid shout (a rejected one is
        never shown to the market)."""
        spec, lo, hi = self.spec, self.lo, self.hi
        limits, side, kind, markup = self.limits, self.side.tolist(), self.kind, self.markup
        shouts = spec.shouts_per_period
        pick = self.rng.random(shouts).tolist()
        draw = self.rng.random(shouts).tolist()
        book = GodeSunderAuction(floor_ticks=lo, ceiling_ticks=hi)
        nxt, active, left = day.nxt, day.active, day.left
        zt, zpos = day.zt, self.zip_pos.tolist()
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
                    zt.respond(day.zlim, day.zactive, p, -s, True, self.rng)
                continue
            idle += 1
            if outcome == QUOTED and zt is not None:
                zt.respond(day.zlim, day.zactive, price, s, False, self.rng)
            if idle_stop is not None and idle >= idle_stop:
                break
        book.clear()
        return book.take_rejections()

    def _day_cliff(self, day: _Day) -> dict[str, np.ndarray]:
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
        spec, lo, hi = self.spec, self.lo, self.hi
        limits, side, kind = self.limits, self.side.tolist(), self.kind
        random_kind = [k in ("zi_c", "zi_u") for k in kind]
        shouts = spec.shouts_per_period
        pick = self.rng.random(shouts).tolist()
        who = self.rng.random(shouts).tolist()
        draw = self.rng.random(shouts).tolist()
        take = self.rng.random(shouts).tolist()
        quotes = CliffQuotes()
        nyse = spec.nyse_rule
        nxt, active, left = day.nxt, day.active, day.left
        zt = day.zt
        idle, sessions = 0, 0
        idle_stop, max_sessions = spec.end_after_idle_shouts, spec.sessions_per_period
        for k in range(shouts):
            if not active:
                break
            s = SELL if pick[k] * (left[0] + left[1]) < left[1] else BUY
            able = []
            for i in active:
                if side[i] == s:
                    if not nyse:
                        ok = True
                    elif random_kind[i]:
                        level = limits[i][nxt[i]] if kind[i] == "zi_c" else (hi if s == BUY else lo)
                        ok = quotes.able(s, level, strict=False)
                    else:
                        level = self._price(day, i, 0.0)
                        ok = level >= 0 and quotes.able(s, level, strict=True)
                    if ok:
                        able.append(i)
            if not able:  # Cliff: nobody on the side drawn can shout, the day ends
                break
            day.n_shouts += 1
            i = able[int(who[k] * len(able))]
            price = self._price(day, i, draw[k])
            m = -1
            if price >= 0:  # (a trader unable to price inside the bounds makes a failed shout)
                if nyse:
                    quotes.note(s, price)
                others = [j for j in active if side[j] != s]
                u = self.rng.random(len(others)).tolist()
                responses = [self._price(day, j, u[r]) for r, j in enumerate(others)]
                m = cliff_counterpart(s, price, responses, [random_kind[j] for j in others], take[k])
            if m >= 0:
                j = others[m]
                day.trade(i if s == BUY else j, j if s == BUY else i, price)
                if zt is not None:
                    zt.respond(day.zlim, day.zactive, price, s, True, self.rng)
            else:
                idle += 1
                if zt is not None and price >= 0:
                    zt.respond(day.zlim, day.zactive, price, s, False, self.rng)
                if idle_stop is None or idle < idle_stop:
                    continue
            idle = 0  # the session ends: a trade, or a run of failed shouts
            quotes.reset()
            sessions += 1
            if max_sessions is not None and sessions >= max_sessions:
                break
            if idle_stop is not None and max_sessions is None and m < 0:
                break  # no session count: a run of failures ends the day
        empty = np.zeros(0, dtype=np.int64)
        return {"trader": empty, "side": empty, "price": empty, "reason": np.zeros(0, dtype=str)}

    def _settle(self, world: World, buyers, sellers, prices, nxt, n_units) -> None:
        """Units seller → buyer and money buyer → seller for every trade; bought units are consumed and unsold
        units return to the issuer."""
        acc, nb = world.accounts, self.n_buyers
        if prices:
            b_ids, s_ids = self.ids[np.array(buyers)], self.ids[np.array(sellers)]
            qty = np.ones(len(prices), dtype=np.int64)
            price = np.array(prices, dtype=np.int64)
            amount = amount_fen_array(qty, price)
            acc.move(PRODUCT, s_ids, b_ids, qty)
            acc.pay(b_ids, s_ids, amount)
            world.record_trades(right=RIGHT, product=PRODUCT, mechanism="cda", seller=s_ids, buyer=b_ids,
                                quantity=qty, unit=UNIT, price_ticks=price, amount_fen=amount,
                                relation="seller->buyer",
                                base_price_ticks=np.full(len(prices), int(round(self.p0)) if self.p0 == self.p0 else 0))
        bought = np.array(nxt[:nb], dtype=np.int64)
        acc.move(PRODUCT, self.ids[:nb], CONSUMED, bought)
        unsold = np.array(n_units[nb:], dtype=np.int64) - np.array(nxt[nb:], dtype=np.int64)
        acc.move(PRODUCT, self.ids[nb:], ISSUER, unsold)

    def _kpis(self, world: World, buyers, sellers, prices, values, costs, n_shouts: int) -> None:
        """The day's indicators (module docstring)."""
        k, y = world.record_kpi, TICKS_PER_YUAN
        price = np.array(prices, dtype=float)
        surplus = int(np.sum(np.array(values, dtype=np.int64) - np.array(costs, dtype=np.int64)))
        profit = np.zeros(self.n)
        np.add.at(profit, np.array(buyers, dtype=np.int64), np.array(values, dtype=float) - price)
        np.add.at(profit, np.array(sellers, dtype=np.int64), price - np.array(costs, dtype=float))
        k(RIGHT, "efficiency", surplus / self.max_surplus if self.max_surplus > 0 else float("nan"), "1")
        k(RIGHT, "surplus", surplus / y, "yuan")
        k(RIGHT, "trade_count", len(prices), "1")
        k(RIGHT, "shouts", n_shouts, "1")
        k(RIGHT, "mean_price", float(price.mean()) / y if price.size else float("nan"), "yuan/unit")
        k(RIGHT, "smith_alpha", smith_alpha(price, self.p0) if price.size else float("nan"), "%")
        k(RIGHT, "profit_dispersion", float(np.sqrt(np.mean((profit - self.eq_profit) ** 2))) / y, "yuan")
        k(RIGHT, "p0", self.p0 / y, "yuan/unit")
        k(RIGHT, "q0", self.q0, "unit")
