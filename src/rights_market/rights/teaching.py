"""The teaching / validation market: an induced-values continuous double auction through the whole engine.

A right-agnostic market (rule X1: the same mechanisms serve every right) used in class and to prove the engine
against the experimental-economics literature: Smith (1962), Gode & Sunder (1993), Cliff (1997). Product
``teaching.unit`` (base unit ``unit``). Each calendar session is one trading day ("period"):

1. every seller receives one unit per listed cost (from the issuer); buyers hold values for their units;
2. shouts arrive one at a time from a trader drawn uniformly among those with a unit left (Gode & Sunder);
   the trader prices its current unit (its first untraded one) by its side's behaviour — truthful, markup,
   ZI-C, ZI-U (:func:`~rights_market.agents.behaviour.quote_one`) or ZIP
   (:class:`~rights_market.agents.zip.ZipTraders`, which learns from every shout);
3. the shout goes to the continuous double auction (:class:`~rights_market.market.ContinuousDoubleAuction`,
   price-time priority, trades at the resting price); by default a trader's new shout replaces its resting
   one (``one_order_per_trader``); optionally every trade clears the book (``clear_book_after_trade``, the
   rule of Gode & Sunder's markets); a trader's other resting shouts are cancelled when it trades (they were
   for the unit it has just traded);
4. the day ends after ``shouts_per_period`` shouts (or ``end_after_idle_shouts`` in a row without a trade, or
   when one side has nothing left to trade); the book is cleared; trades are settled through the ledger
   (units seller → buyer, money buyer → seller), bought units are consumed and unsold units return to the
   issuer;
5. KPIs of the day (``kpis`` table, right ``teaching``): ``efficiency`` (realised surplus / maximum surplus),
   ``smith_alpha`` (100 × RMS(price − P0) / P0), ``profit_dispersion`` (RMS over traders of actual minus
   equilibrium profit, yuan; Gode & Sunder 1993), ``mean_price`` (yuan), ``trade_count``, ``surplus`` (yuan),
   ``p0`` (yuan), ``q0`` and ``shouts`` (shouts made that day, a trader unable to price inside the bounds
   included).

Values are induced: the surplus of a trade is the buyer's unit value minus the seller's unit cost, whatever
the price; money budgets play no part (a buyer's money balance may go negative).
"""

from __future__ import annotations

import numpy as np

from ..agents.behaviour import BUY, SELL, quote_one
from ..agents.zip import ZipParams, ZipTraders
from ..engine.world import World
from ..ledger import CONSUMED, ISSUER
from ..market import ContinuousDoubleAuction
from ..market.metrics import max_gains, smith_alpha
from ..scenario.model import ZIP, Markup
from ..scenario.teaching import TeachingSpec
from ..units import TICKS_PER_YUAN, amount_fen_array, yuan_to_ticks

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
        """One trading day (module docstring); idle once ``periods`` days have been traded."""
        if self.day >= self.periods:
            return
        self.day += 1
        t = world.clock.day
        spec, lo, hi, n, nb = self.spec, self.lo, self.hi, self.n, self.n_buyers
        limits, side, kind, markup = self.limits, self.side.tolist(), self.kind, self.markup
        n_units = [len(u) for u in limits]
        acc = world.accounts
        acc.move(PRODUCT, ISSUER, self.ids[nb:], np.array(n_units[nb:], dtype=np.int64))

        shouts = spec.shouts_per_period
        pick = self.rng.random(shouts).tolist()
        draw = self.rng.random(shouts).tolist()
        book = ContinuousDoubleAuction(floor_ticks=lo, ceiling_ticks=hi)
        nxt = [0] * n
        active = list(range(n))  # traders with a unit left; swap-remove keeps it O(1)
        where = list(range(n))
        left = [nb, n - nb]  # active buyers, active sellers
        live: list[list[int]] = [[] for _ in range(n)]  # resting order ids of each trader
        zt, zpos = self.zip, self.zip_pos.tolist()
        if zt is not None:
            zlim = np.array([limits[i][0] for i in self.zip_members], dtype=float)
            zactive = np.ones(zt.side.size, dtype=bool)
        t_buyer: list[int] = []
        t_seller: list[int] = []
        t_price: list[int] = []
        t_value: list[int] = []
        t_cost: list[int] = []
        idle, oid, n_shouts = 0, 0, 0
        idle_stop = spec.end_after_idle_shouts
        for k in range(shouts):
            if not left[0] or not left[1]:
                break
            n_shouts += 1
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
                t_buyer.append(b)
                t_seller.append(se)
                t_price.append(p)
                t_value.append(limits[b][nxt[b]])
                t_cost.append(limits[se][nxt[se]])
                for j in (b, se):
                    for o in live[j]:  # the trader's other shouts were for the unit it has just traded
                        book.cancel(o, t)
                    live[j] = []
                    nxt[j] += 1
                    if zt is not None and zpos[j] >= 0:
                        zlim[zpos[j]] = limits[j][min(nxt[j], n_units[j] - 1)]
                    if nxt[j] == n_units[j]:  # done for the day
                        last = active.pop()
                        if last != j:
                            active[where[j]] = last
                            where[last] = where[j]
                        left[0 if j < nb else 1] -= 1
                        if zt is not None and zpos[j] >= 0:
                            zactive[zpos[j]] = False
                if spec.clear_book_after_trade:
                    book.end_session(t)
                    live = [[] for _ in range(n)]
                idle = 0
                if zt is not None:
                    zt.respond(zlim, zactive, p, -s, True, self.rng)
            else:
                idle += 1
                if zt is not None:
                    zt.respond(zlim, zactive, price, s, False, self.rng)
            if idle_stop is not None and idle >= idle_stop:
                break
        book.end_session(t)
        book.take_cancellations()
        rej = book.take_rejections()
        if rej["order_id"].size:  # cannot happen with prices inside the bounds; never drop one silently
            world.record_rejections(product=PRODUCT, trader=self.ids[rej["trader"]],
                                    side=np.where(rej["side"] == BUY, "buy", "sell"), quantity=rej["quantity"],
                                    price_ticks=rej["price"], reason=rej["reason"])
        self._settle(world, t_buyer, t_seller, t_price, nxt, n_units)
        self._kpis(world, t_buyer, t_seller, t_price, t_value, t_cost, n_shouts)

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
