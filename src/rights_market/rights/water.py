"""The water use rights market (用水权), on the generic engine. Rules W1–W3, W5–W9, W11, W12, W16.

Products (base unit m³):

* ``water.right`` — the confirmed right (确权量), a volume per year with a validity term (W1, W2);
* ``water.annual`` — this year's use right. Each year start every holder of ``water.right`` receives
  ⌊confirmed × deliverable share⌋ of it (dry years cut the share, W12); what is not used by the year end
  expires. That includes accounts outside this market's holders that hold the right — the multi-right projects
  of the links (X4), which buy ``water.right`` from the reserve: they get their annual water like anyone, but
  the water market neither bills them, uses their water, trades for them nor runs validity terms on their
  right (it does not model them); their annual water expires unused at the year end.

Pledges (X3, :mod:`.links`): a holder never sells more of a product than it holds free of pledges of that
product (``<product>.pledged``): annual water in sessions and negotiations, the confirmed right in
medium- and long-term deals (W4); the part of an order or deal above the free quantity is refused and recorded
(reason ``pledged``), the rest goes ahead. A pledge of ``water.right`` encumbers the right itself — it cannot
change hands — while this year's water delivered on it stays the holder's to use or sell.

The year: plans are declared at the previous year end within the confirmed volume (W3); the surplus
(annual volume above the plan) is traded in weekly sessions by matching and negotiation (W11) around base
prices per relation (W5); the reserve buys, sells and releases by rule (W12) within its cash; orders that
would hoard are rejected (W16). At the year end each holder uses what it needs — up to its holdings plus an
over-use allowance — and is billed by its sector's block tariff (W8) and progressive surcharge above its
plan or quota (W8, W9); proceeds of farmers' sales to industry are split (W7); fees are due on industrial
rights (W6). State lives in columnar arrays; no process per holder.
"""

from __future__ import annotations

import numpy as np

from ..agents.behaviour import BUY, SELL, quote
from ..engine.sampling import draw
from ..engine.world import World
from ..ledger import COLLECTIVE, CONSUMED, FISCAL, GOVERNMENT, ISSUER, RESERVE, SUPPLIER
from ..market import clear_call_auction
from ..market.batch_cda import match_session
from ..market.metrics import max_gains
from ..market.negotiation import nash_prices
from ..rules.tariffs import bill_many
from ..scenario.model import (
    SECTORS,
    BuyBelow,
    DryYearRelease,
    Markup,
    OfferStock,
    SellAbove,
    WaterSpec,
    Weather,
)
from ..units import (
    TICKS_PER_FEN,
    amount_fen_array,
    decimal_to_rational,
    div_round_half_up,
    yuan_to_fen,
    yuan_to_ticks,
)
from .links import cap_sales
from .water_pricing import WaterPricing

RIGHT = "water"
RIGHT_P = "water.right"
ANNUAL = "water.annual"
UNIT = "m3"
AGRI, IND, DOM, ECO = (SECTORS.index(s) for s in ("agriculture", "industry", "domestic", "ecology"))


class WaterPolicy:
    """Rules W1–W3, W5–W9, W11, W12, W16 over columnar holder state."""

    right = RIGHT

    def __init__(self, spec: WaterSpec, weather: Weather, weather_years: list[str], holdings_every: str):
        self.spec = spec
        self.weather = weather
        self.weather_years = weather_years
        self.holdings_every = holdings_every
        self.pricing = WaterPricing.from_spec(spec)
        m = spec.market
        self.price_lo = yuan_to_ticks(m.price_min_yuan_per_m3)
        self.price_hi = yuan_to_ticks(m.price_max_yuan_per_m3)
        self.floor = int(self.pricing.base_ticks.min()) if m.floor_at_base_price else 0
        self.hold_limit = div_round_half_up(
            spec.cap_m3 * decimal_to_rational(spec.supervision.max_holding_share_of_cap).numerator,
            decimal_to_rational(spec.supervision.max_holding_share_of_cap).denominator,
        )
        self.protected = np.array([s in spec.supervision.protected_sectors for s in SECTORS])
        self.last_price: int | None = None

    # ------------------------------------------------------------------ RightPolicy
    def products(self) -> list[str]:
        return [RIGHT_P, ANNUAL]

    def holder_count(self) -> int:
        return sum(g.count for g in self.spec.groups)

    def setup(self, world: World, first_holder: int) -> None:
        """Create holders and confirm their rights within the cap (W1)."""
        spec, rng = self.spec, world.rng.stream("water.holders")
        n = self.holder_count()
        self.first = first_holder
        self.ids = np.arange(first_holder, first_holder + n, dtype=np.int64)
        sector = np.empty(n, dtype=np.int8)
        group = np.empty(n, dtype=np.int32)
        confirmed = np.empty(n, dtype=np.int64)
        mv = np.empty(n, dtype=np.int64)
        need_share = np.empty(n, dtype=float)
        self.need_noise = np.empty(n, dtype=float)
        self.margin = np.empty(n, dtype=float)
        self.overuse = np.empty(n, dtype=float)
        self.participation = np.empty(n, dtype=float)
        expiry = np.empty(n, dtype=np.int64)
        start = world.calendar.start_year
        names: list[np.ndarray] = []
        i = 0
        for gi, g in enumerate(spec.groups):
            sl = slice(i, i + g.count)
            sector[sl] = SECTORS.index(g.sector)
            group[sl] = gi
            # listed holders (from_file / members) bring their own values; the rest are drawn, in this order
            confirmed[sl] = np.maximum(np.rint(g.values_of("confirmed_m3", lambda n, g=g: draw(g.confirmed_m3, n, rng))), 0).astype(np.int64)
            mv[sl] = np.maximum(np.rint(g.values_of("marginal_value_yuan_per_m3", lambda n, g=g: draw(g.marginal_value_yuan_per_m3, n, rng)) * 10_000), 1).astype(np.int64)
            need_share[sl] = np.maximum(g.values_of("need_share", lambda n, g=g: draw(g.need_share, n, rng)), 0.0)
            self.need_noise[sl] = g.need_noise_sd
            self.margin[sl] = g.plan_margin_share
            self.overuse[sl] = g.max_overuse_share
            self.participation[sl] = g.participation
            validity = getattr(spec.validity, g.sector)
            expiry[sl] = g.first_expiry_year if g.first_expiry_year is not None else start + validity - 1
            listed = g.holder_names()
            names.append(np.array(listed, dtype=object) if listed is not None
                         else np.char.add(f"{g.name}-", np.arange(1, g.count + 1).astype(str)).astype(object))
            i += g.count
        # W1: the confirmed volumes of the district never exceed its cap: scale down if the draws do.
        room = spec.cap_m3 - spec.reserve.initial_rights_m3
        total = int(confirmed.sum())
        self.confirm_scaled = total > room
        if total > room:
            confirmed = (confirmed * room) // total
        self.sector, self.group, self.mv = sector, group, mv
        self.need_base = np.rint(confirmed * need_share).astype(np.int64)
        self.expiry = expiry
        self.term_deals: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = []  # W4
        self.saved = np.zeros(n, dtype=np.int64)  # W4: savings not yet sold
        self.leased_in = np.zeros(n, dtype=np.int64)  # W4: rights held under term deals
        acc = world.accounts
        acc.move(RIGHT_P, ISSUER, GOVERNMENT, spec.cap_m3)
        acc.move(RIGHT_P, GOVERNMENT, self.ids, confirmed)
        if spec.reserve.initial_rights_m3:
            acc.move(RIGHT_P, GOVERNMENT, RESERVE, spec.reserve.initial_rights_m3)
        self.plan = self._declare(acc.of(RIGHT_P, self.ids))
        world.tables["holders"].append(
            holder=self.ids, name=np.concatenate(names), group=np.array([g.name for g in spec.groups], dtype=object)[group],
            sector=np.array(SECTORS, dtype=object)[sector], right=RIGHT,
        )
        self.behaviour_groups = [
            (np.nonzero(group == gi)[0], g.behaviour.type, g.behaviour.markup if isinstance(g.behaviour, Markup) else 0.0)
            for gi, g in enumerate(spec.groups)
        ]

    def _declare(self, confirmed: np.ndarray) -> np.ndarray:
        """W3: next year's plan, within the confirmed volume: expected need plus the group's margin."""
        return np.minimum(confirmed, np.rint(self.need_base * (1.0 + self.margin)).astype(np.int64))

    # ------------------------------------------------------------------ helpers
    def _state(self, world: World):
        name = self.weather_years[world.clock.year_index]
        return name, self.weather.states[name]

    def _reserve_stock(self, world: World) -> int:
        return int(world.accounts.of(ANNUAL, RESERVE))

    def _reserve_cash(self, world: World) -> int:
        return int(world.accounts.of("money", RESERVE))

    def _external(self, world: World, product: str) -> np.ndarray:
        """X4: ids of holder accounts outside this market's holders (projects of the links) holding ``product``."""
        ids = np.flatnonzero(world.accounts.holders(product))
        return ids[(ids < self.first) | (ids >= self.first + len(self.ids))]

    def sellable(self, world: World) -> np.ndarray:
        """W3: what each holder may still sell this year: its annual holding above its effective plan."""
        annual = world.accounts.of(ANNUAL, self.ids)
        return np.maximum(annual - (np.minimum(self.plan, self.alloc) + self.bought), 0)

    def wanted(self, world: World) -> np.ndarray:
        """What each holder still wants to buy: need not covered by its holdings (sellers want nothing)."""
        annual = world.accounts.of(ANNUAL, self.ids)
        return np.where(self.sellable(world) > 0, 0, np.maximum(self.need - annual, 0))

    # ------------------------------------------------------------------ year start
    def year_start(self, world: World) -> None:
        acc, spec, year = world.accounts, self.spec, world.clock.year
        state_name, state = self._state(world)
        share = decimal_to_rational(state.deliverable_share)
        self.deliverable = share
        confirmed = acc.of(RIGHT_P, self.ids)
        # W6: industrial rights are paid for every year; farmers are exempt until the given year.
        fees = self.spec.fees
        rate = np.zeros(len(self.ids), dtype=np.int64)
        rate[self.sector == IND] = yuan_to_ticks(fees.industrial_use_fee_yuan_per_m3)
        if year > fees.farmer_fee_exempt_until_year:
            rate[self.sector == AGRI] = yuan_to_ticks(fees.agricultural_use_fee_yuan_per_m3)
        due = amount_fen_array(confirmed, rate)
        payers = np.nonzero(due > 0)[0]
        if payers.size:
            acc.pay(self.ids[payers], FISCAL, due[payers])
            world.record_charges(holder=self.ids[payers], payee=FISCAL, product=RIGHT_P, kind="use_fee", band=0,
                                 quantity=confirmed[payers], rate_ticks=rate[payers], amount_fen=due[payers])
        # W12: the reserve's yearly budget, from the fiscal account, into its own accounts (X2).
        if spec.reserve.enabled:
            budget = yuan_to_fen(spec.reserve.budget_yuan_per_year)
            if budget:
                acc.pay(FISCAL, RESERVE, budget)
                world.record_reserve(product=ANNUAL, action="budget", quantity=0, price_ticks=0, amount_fen=budget,
                                     stock=self._reserve_stock(world), cash_fen=self._reserve_cash(world),
                                     reason="yearly budget")
        # Allocation of this year's use rights: dry years deliver only a share (W12).
        self.alloc = (confirmed * share.numerator) // share.denominator
        acc.move(ANNUAL, ISSUER, self.ids, self.alloc)
        res_alloc = int(acc.of(RIGHT_P, RESERVE)) * share.numerator // share.denominator
        if res_alloc:
            acc.move(ANNUAL, ISSUER, RESERVE, res_alloc)
        # X4: every other account holding the right (projects of the links) gets its share too; not billed nor used.
        ext = self._external(world, RIGHT_P)
        if ext.size:
            acc.move(ANNUAL, ISSUER, ext, (acc.of(RIGHT_P, ext) * share.numerator) // share.denominator)
        rng = world.rng.stream("water.needs")
        noise = np.maximum(rng.normal(1.0, 1.0, size=len(self.ids)) * self.need_noise + (1.0 - self.need_noise), 0.0)
        self.need = np.rint(self.need_base * state.need_factor * noise).astype(np.int64)
        self.bought = np.zeros(len(self.ids), dtype=np.int64)
        self.sold = np.zeros(len(self.ids), dtype=np.int64)
        self.gains_realised = 0
        self.year_volume = self.year_amount = self.year_trades = 0
        sell = self.sellable(world)
        want = self.wanted(world)
        open_sellers = ~self.protected[self.sector]
        self.gains_max = max_gains(self.mv, want, self.mv[open_sellers], sell[open_sellers])
        world.record_kpi(RIGHT, "deliverable_share", float(share), "1")
        world.record_kpi(RIGHT, "dry_year", 1.0 if share < 1 else 0.0, "1")
        if spec.reserve.enabled:
            for rule in spec.reserve.rules:
                if isinstance(rule, DryYearRelease) and share < decimal_to_rational(rule.below_share):
                    self._dry_year_release(world, rule, state_name)

    def _dry_year_release(self, world: World, rule: DryYearRelease, state_name: str) -> None:
        """W12: release reserve stock at a set price to holders short of need, by sector priority."""
        rng = world.rng.stream("water.reserve")
        for sector_name in rule.priority:
            stock = self._reserve_stock(world)
            if stock <= 0:
                return
            code = SECTORS.index(sector_name)
            want = self.wanted(world)
            idx = np.nonzero((self.sector == code) & (want > 0))[0]
            if not idx.size:
                continue
            idx = idx[rng.permutation(idx.size)]
            cum = np.cumsum(want[idx])
            give = np.minimum(want[idx], np.maximum(stock - (cum - want[idx]), 0))
            keep = give > 0
            idx, give = idx[keep], give[keep]
            if rule.yuan_per_m3 is not None:
                price = np.full(idx.size, yuan_to_ticks(rule.yuan_per_m3), dtype=np.int64)
            else:
                price = self.pricing.base_price(np.full(idx.size, -1), self.sector[idx])
            self._settle(world, np.full(idx.size, RESERVE), self.ids[idx], give, price, "reserve",
                         reason=f"dry year release ({state_name})", reserve_action="release")

    # ------------------------------------------------------------------ sessions
    def session(self, world: World) -> None:
        """One trading session: reserve orders, holders' orders, clearing, then negotiation (W11, W12, W16)."""
        orders = self._collect_orders(world)
        if orders is not None:
            self._clear(world, *orders)
        self._negotiate(world)

    def _reserve_orders(self, world: World) -> list[tuple[int, int, int]]:
        """(side, price, qty) orders the reserve places this session by its rules (W12)."""
        spec = self.spec.reserve
        if not spec.enabled:
            return []
        out = []
        stock, cash = self._reserve_stock(world), self._reserve_cash(world)
        last = self.last_price
        for rule in spec.rules:
            if isinstance(rule, BuyBelow) and last is not None:
                trig = yuan_to_ticks(rule.trigger_yuan_per_m3)
                if last < trig and trig > 0:
                    qty = min(rule.max_m3_per_session, cash * TICKS_PER_FEN // trig)
                    if qty > 0:
                        out.append((BUY, trig, qty))
            elif isinstance(rule, SellAbove) and last is not None:
                trig = yuan_to_ticks(rule.trigger_yuan_per_m3)
                if last > trig:
                    qty = min(rule.max_m3_per_session, stock)
                    if qty > 0:
                        out.append((SELL, trig, qty))
                        stock -= qty
            elif isinstance(rule, OfferStock):
                share = decimal_to_rational(rule.share_per_session)
                qty = stock * share.numerator // share.denominator
                price = yuan_to_ticks(rule.yuan_per_m3) if rule.yuan_per_m3 is not None else self.pricing.default_base_ticks
                if qty > 0:
                    out.append((SELL, price, qty))
                    stock -= qty
        return out

    def _collect_orders(self, world: World):
        rng = world.rng.stream("water.orders")
        sell = self.sellable(world)
        want = self.wanted(world)
        active = rng.random(len(self.ids)) < self.participation
        sellers = np.nonzero(active & (sell > 0) & ~self.protected[self.sector])[0]
        buyers = np.nonzero(active & (want > 0))[0]
        sides, prices, qtys, traders = [], [], [], []
        for idx_all, kind, markup in self.behaviour_groups:
            for side, members, qty_of in ((SELL, sellers, sell), (BUY, buyers, want)):
                m = np.intersect1d(members, idx_all, assume_unique=True)
                if not m.size:
                    continue
                p = quote(kind, side, self.mv[m], self.price_lo, self.price_hi, rng, markup)
                ok = p > 0
                traders.append(self.ids[m[ok]])
                sides.append(np.full(int(ok.sum()), side, dtype=np.int64))
                prices.append(p[ok])
                qtys.append(qty_of[m[ok]])
        for side, price, qty in self._reserve_orders(world):
            traders.append(np.array([RESERVE]))
            sides.append(np.array([side]))
            prices.append(np.array([price]))
            qtys.append(np.array([qty]))
        if not traders:
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
        annual = world.accounts.of(ANNUAL, np.where(traders_a >= 0, traders_a, RESERVE))
        hoard = holder_buy & (annual + qtys_a > self.hold_limit)
        if hoard.any():
            world.record_rejections(product=ANNUAL, trader=traders_a[hoard],
                                    side=np.where(sides_a[hoard] == BUY, "buy", "sell").astype(object),
                                    quantity=qtys_a[hoard], price_ticks=prices_a[hoard], reason="over_holding_limit")
            keep = ~hoard
            traders_a, sides_a, prices_a, qtys_a = traders_a[keep], sides_a[keep], prices_a[keep], qtys_a[keep]
        order = rng.permutation(traders_a.size)  # arrival order within the session
        return traders_a[order], sides_a[order], prices_a[order], qtys_a[order]

    def _clear(self, world: World, traders, sides, prices, qtys) -> None:
        mech = self.spec.market.mechanism
        if mech.type == "cda":
            res = match_session(traders, sides, prices, qtys, floor_ticks=self.floor)
            if res.rejected.size:
                r = res.rejected
                world.record_rejections(product=ANNUAL, trader=traders[r],
                                        side=np.where(sides[r] == BUY, "buy", "sell").astype(object),
                                        quantity=qtys[r], price_ticks=prices[r], reason=res.reject_reason)
            if res.fill_quantity.size:
                self._settle(world, traders[res.fill_sell], traders[res.fill_buy], res.fill_quantity,
                             res.fill_price, "cda")
        else:
            b = sides == BUY
            s = ~b
            low = prices < self.floor
            if low.any():
                world.record_rejections(product=ANNUAL, trader=traders[low],
                                        side=np.where(sides[low] == BUY, "buy", "sell").astype(object),
                                        quantity=qtys[low], price_ticks=prices[low], reason="below_floor")
                b &= ~low
                s &= ~low
            bi, si = np.nonzero(b)[0], np.nonzero(s)[0]
            res = clear_call_auction(prices[bi], qtys[bi], bi, prices[si], qtys[si], si)
            if res.volume:
                fb, fs, fq = res.fill_bid, res.fill_ask, res.fill_quantity
                self._settle(world, traders[si[fs]], traders[bi[fb]], fq,
                             np.full(fq.size, res.price, dtype=np.int64), "call")

    def _negotiate(self, world: World) -> None:
        """W11: bilateral negotiation between random buyer–seller pairs (Nash split with noise)."""
        neg = self.spec.market.negotiation
        if neg.pairs_per_session <= 0:
            return
        rng = world.rng.stream("water.negotiation")
        sell, want = self.sellable(world), self.wanted(world)
        sellers, buyers = np.nonzero(sell > 0)[0], np.nonzero(want > 0)[0]
        k = min(neg.pairs_per_session, sellers.size, buyers.size)
        if k == 0:
            return
        s = rng.choice(sellers, size=k, replace=False)
        b = rng.choice(buyers, size=k, replace=False)
        qty = np.minimum(sell[s], want[b])
        price = nash_prices(self.mv[b], self.mv[s], float(neg.seller_power), rng.normal(0, neg.noise_sd_share, size=k))
        deal = price > 0
        # W16: protected sectors' water may not be sold to industry; hoarding limit as in the book.
        squeeze = deal & self.protected[self.sector[s]] & (self.sector[b] == IND)
        hoard = deal & ~squeeze & (world.accounts.of(ANNUAL, self.ids[b]) + qty > self.hold_limit)
        base = self.pricing.base_price(self.sector[s], self.sector[b])
        low = deal & ~squeeze & ~hoard & (price < base) if self.spec.market.floor_at_base_price else np.zeros(k, bool)
        for mask, reason in ((squeeze, "protected_use"), (hoard, "over_holding_limit"), (low, "below_floor")):
            if mask.any():
                world.record_rejections(product=ANNUAL, trader=self.ids[b[mask]], side="buy", quantity=qty[mask],
                                        price_ticks=price[mask], reason=reason)
        ok = deal & ~squeeze & ~hoard & ~low
        if ok.any():  # X3: only what the seller holds free of pledges changes hands; the rest is refused
            qty[ok] = cap_sales(world, ANNUAL, self.ids[s[ok]], qty[ok], price[ok])
            ok &= qty > 0
        if ok.any():
            self._settle(world, self.ids[s[ok]], self.ids[b[ok]], qty[ok], price[ok], "negotiation")

    # ------------------------------------------------------------------ settlement
    def _local(self, ids: np.ndarray) -> np.ndarray:
        """Holder-array positions of account ids (−1 for institutions)."""
        return np.where(ids >= 0, ids - self.first, -1)

    def _settle(self, world: World, seller, buyer, qty, price, mechanism: str, reason: str = "",
                reserve_action: str | None = None) -> None:
        """Apply trades: rights seller→buyer, money buyer→seller, W7 proceeds shares, records."""
        seller = np.asarray(seller, dtype=np.int64)
        buyer = np.asarray(buyer, dtype=np.int64)
        qty = np.asarray(qty, dtype=np.int64)
        price = np.asarray(price, dtype=np.int64)
        acc = world.accounts
        amount = amount_fen_array(qty, price)
        acc.move(ANNUAL, seller, buyer, qty)
        acc.pay(buyer, seller, amount)
        ls, lb = self._local(seller), self._local(buyer)
        s_sector = np.where(ls >= 0, self.sector[np.maximum(ls, 0)], -1)
        b_sector = np.where(lb >= 0, self.sector[np.maximum(lb, 0)], -1)
        hb, hs = lb >= 0, ls >= 0
        np.add.at(self.bought, lb[hb], qty[hb])
        np.add.at(self.sold, ls[hs], qty[hs])
        both = hb & hs
        self.gains_realised += int(np.sum((self.mv[lb[both]] - self.mv[ls[both]]) * qty[both]))
        base = self.pricing.base_price(s_sector, b_sector)
        names = np.array([*SECTORS, "reserve"], dtype=object)
        relation = names[s_sector] + "->" + names[b_sector]
        world.record_trades(right=RIGHT, product=ANNUAL, mechanism=mechanism, seller=seller, buyer=buyer,
                            quantity=qty, unit=UNIT, price_ticks=price, amount_fen=amount, relation=relation,
                            base_price_ticks=base)
        # W7: a farmer selling to industry keeps a set share; the rest goes to the collective.
        farm_to_ind = (s_sector == AGRI) & (b_sector == IND)
        if farm_to_ind.any():
            share = decimal_to_rational(self.spec.proceeds.farmer_share_to_industry)
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
            self.last_price = int(price[-1])
        self.year_volume += int(qty.sum())
        self.year_amount += int(amount.sum())
        self.year_trades += int(qty.size)
        self._record_reserve_fills(world, seller, buyer, qty, price, amount, reason, reserve_action)

    def _record_reserve_fills(self, world, seller, buyer, qty, price, amount, reason, action) -> None:
        involved = np.nonzero((seller == RESERVE) | (buyer == RESERVE))[0]
        if not involved.size:
            return
        stock_end, cash_end = self._reserve_stock(world), self._reserve_cash(world)
        sign_q = np.where(buyer[involved] == RESERVE, 1, -1)
        dq = sign_q * qty[involved]
        dc = -sign_q * amount[involved]
        stock_after = stock_end - (dq.sum() - np.cumsum(dq))
        cash_after = cash_end - (dc.sum() - np.cumsum(dc))
        for j, k in enumerate(involved):
            act = action or ("buy" if buyer[k] == RESERVE else "sell")
            world.record_reserve(product=ANNUAL, action=act, quantity=int(qty[k]), price_ticks=int(price[k]),
                                 amount_fen=int(amount[k]), stock=int(stock_after[j]), cash_fen=int(cash_after[j]),
                                 reason=reason or ("price_below_trigger" if act == "buy" else "rule"))

    # ------------------------------------------------------------------ periods and year end
    def period_end(self, world: World, period: int) -> None:
        if self.holdings_every == "period":
            self._snapshot(world)

    def _snapshot(self, world: World) -> None:
        acc = world.accounts
        for product in (RIGHT_P, ANNUAL):
            ids = np.concatenate([self.ids, self._external(world, product), [RESERVE]])
            q = acc.of(product, ids)
            nz = q != 0
            world.tables["holdings"].append(time=world.clock.day, year=world.clock.year, holder=ids[nz],
                                            product=product, quantity=q[nz])

    def year_end(self, world: World) -> None:
        """Use, bills (W8, W9), expiry of the annual product, validity (W2), next plans (W3), KPIs."""
        acc = world.accounts
        annual = acc.of(ANNUAL, self.ids)
        plan_eff = np.minimum(self.plan, self.alloc) + self.bought
        use = self._use(world, annual, plan_eff)
        unmet = self.need - use
        acc.move(ANNUAL, self.ids, CONSUMED, np.minimum(use, annual))
        quota = self.alloc + self.bought - self.sold
        surcharge_rev, tariff_rev, band_rev = self._bill(world, use, plan_eff, quota)
        left = acc.of(ANNUAL, self.ids)
        acc.move(ANNUAL, self.ids, ISSUER, left)
        ext = self._external(world, ANNUAL)  # X4: projects' annual water expires unused
        if ext.size:
            acc.move(ANNUAL, ext, ISSUER, acc.of(ANNUAL, ext))
        stock = self._reserve_stock(world)
        if stock:
            acc.move(ANNUAL, RESERVE, ISSUER, stock)
            world.record_reserve(product=ANNUAL, action="expire", quantity=stock, price_ticks=0, amount_fen=0,
                                 stock=0, cash_fen=self._reserve_cash(world), reason="unsold annual stock expires")
        self._validity(world)
        self._long_term(world)
        self._kpis(world, use, unmet, surcharge_rev, tariff_rev, band_rev)
        self.plan = self._declare(acc.of(RIGHT_P, self.ids))
        if self.holdings_every == "year":
            self._snapshot(world)

    def _use(self, world: World, annual: np.ndarray, plan_eff: np.ndarray) -> np.ndarray:
        """What each holder uses: its need, covered first by its own rights; over-use beyond its holdings
        (up to its group's allowance × plan) shares what is physically left of cap × deliverable share,
        pro rata when short. Total use never exceeds the water delivered this year."""
        covered = np.minimum(self.need, annual)
        wish = np.minimum(self.need - covered, np.floor(self.overuse * plan_eff).astype(np.int64))
        delivered = self.spec.cap_m3 * self.deliverable.numerator // self.deliverable.denominator
        room = max(delivered - int(covered.sum()), 0)
        total = int(wish.sum())
        if total > room:
            wish = (wish * room) // total
        return covered + wish

    def _bill(self, world: World, use, plan_eff, quota):
        """W8/W9 bills per sector; tariff lines to the supplier, surcharge lines to the fiscal account."""
        periods = world.calendar.periods_per_year if self.spec.assessment == "period" else 1
        ends = world.calendar.period_ends(world.clock.year_index)
        surcharge_rev = tariff_rev = 0
        band_rev: dict[int, int] = {}
        for code, sector in enumerate(SECTORS):
            idx = np.nonzero(self.sector == code)[0]
            tariff, sur = self.pricing.tariffs[sector], self.pricing.surcharges[sector]
            if not idx.size or (tariff is None and sur is None):
                continue
            base_all = (plan_eff if self.pricing.surcharge_base[sector] == "plan" else quota)[idx]
            for k in range(periods):
                u = _share(use[idx], k, periods)
                b = _share(base_all, k, periods)
                lines = bill_many(u, b, tariff, sur)
                if not lines.holder.size:
                    continue
                payer = self.ids[idx[lines.holder]]
                is_sur = lines.kind == "surcharge"
                payee = np.where(is_sur, FISCAL, SUPPLIER)
                acc = world.accounts
                acc.pay(payer, payee, lines.amount_fen)
                t = int(ends[k]) if periods > 1 else world.clock.day
                world.record_charges(holder=payer, payee=payee, product=ANNUAL, kind=lines.kind, band=lines.band,
                                     quantity=lines.quantity, rate_ticks=lines.rate_ticks,
                                     amount_fen=lines.amount_fen, time=t)
                surcharge_rev += int(lines.amount_fen[is_sur].sum())
                tariff_rev += int(lines.amount_fen[~is_sur].sum())
                for band in np.unique(lines.band[is_sur]):
                    band_rev[int(band)] = band_rev.get(int(band), 0) + int(
                        lines.amount_fen[is_sur & (lines.band == band)].sum()
                    )
        return surcharge_rev, tariff_rev, band_rev

    def _validity(self, world: World) -> None:
        """W2: rights whose term ends this year: industry's return to the reserve (to be bought again on the
        market), the others are re-verified for a new term, keeping the set share."""
        acc, year, v = world.accounts, world.clock.year, self.spec.validity
        ending = np.nonzero(self.expiry == year)[0]
        if not ending.size:
            return
        conf = acc.of(RIGHT_P, self.ids[ending]) - self.leased_in[ending]  # term deals run to their end (W4)
        ind = self.sector[ending] == IND
        if ind.any():
            acc.move(RIGHT_P, self.ids[ending[ind]], RESERVE, conf[ind])
            world.record_reserve(product=RIGHT_P, action="reclaim", quantity=int(conf[ind].sum()), price_ticks=0,
                                 amount_fen=0, stock=int(acc.of(RIGHT_P, RESERVE)), cash_fen=self._reserve_cash(world),
                                 reason="industrial rights expired (W2)")
            self.expiry[ending[ind]] = year + v.industry
        other = ending[~ind]
        if other.size:
            keep = decimal_to_rational(v.reverify_keep_share)
            c = conf[~ind]
            returned = c - (c * keep.numerator) // keep.denominator
            acc.move(RIGHT_P, self.ids[other], GOVERNMENT, returned)
            terms = np.array([getattr(v, SECTORS[s]) for s in self.sector[other]], dtype=np.int64)
            self.expiry[other] = year + terms

    def _long_term(self, world: World) -> None:
        """W4: end matured term deals, let farms retrofit, and match savings with firms short of rights."""
        lt = self.spec.long_term
        acc, year = world.accounts, world.clock.year
        if not lt.enabled:
            return
        still = []
        for seller, buyer, qty, end in self.term_deals:
            if end == year:  # the right returns to the farm that saved the water
                acc.move(RIGHT_P, buyer, seller, qty)
                np.subtract.at(self.leased_in, buyer - self.first, qty)
            else:
                still.append((seller, buyer, qty, end))
        self.term_deals = still
        rng = world.rng.stream("water.long_term")
        confirmed = acc.of(RIGHT_P, self.ids)
        farms = np.nonzero((self.sector == AGRI) & (rng.random(len(self.ids)) < float(lt.retrofit_probability_per_year)))[0]
        share = decimal_to_rational(lt.saving_share)
        saving = (self.need_base[farms] * share.numerator) // share.denominator
        self.need_base[farms] -= saving
        self.saved[farms] += saving
        sellable = np.minimum(self.saved, np.maximum(confirmed - self.need_base, 0))
        shortfall = np.where(self.sector == IND, np.maximum(self.need_base - confirmed, 0), 0)
        sellers, buyers = np.nonzero(sellable > 0)[0], np.nonzero(shortfall > 0)[0]
        k = min(lt.pairs_per_year, sellers.size, buyers.size)
        if k == 0:
            return
        s = rng.choice(sellers, size=k, replace=False)
        b = rng.choice(buyers, size=k, replace=False)
        annual = nash_prices(self.mv[b], self.mv[s], float(lt.seller_power), np.zeros(k))
        ok = annual > 0
        s, b, annual = s[ok], b[ok], annual[ok]
        if not s.size:
            return
        qty = np.minimum(sellable[s], shortfall[b])
        # X3: a pledged right cannot change hands: each deal is cut to the seller's free right (rest ``pledged``)
        qty = cap_sales(world, RIGHT_P, self.ids[s], qty, annual * lt.term_years)
        ok = qty > 0
        s, b, annual, qty = s[ok], b[ok], annual[ok], qty[ok]
        if not s.size:
            return
        price = annual * lt.term_years  # ticks per m³ of annual right for the whole term
        amount = amount_fen_array(qty, price)
        acc.move(RIGHT_P, self.ids[s], self.ids[b], qty)
        acc.pay(self.ids[b], self.ids[s], amount)
        self.saved[s] -= qty
        self.term_deals.append((self.ids[s], self.ids[b], qty, year + lt.term_years))
        np.add.at(self.leased_in, b, qty)
        base = self.pricing.base_price(self.sector[s], self.sector[b]) * lt.term_years
        names = np.array(SECTORS, dtype=object)
        world.record_trades(right=RIGHT, product=RIGHT_P, mechanism="negotiation", seller=self.ids[s],
                            buyer=self.ids[b], quantity=qty, unit=UNIT, price_ticks=price, amount_fen=amount,
                            relation=names[self.sector[s]] + "->" + names[self.sector[b]], base_price_ticks=base)

    def _kpis(self, world: World, use, unmet, surcharge_rev, tariff_rev, band_rev) -> None:
        acc = world.accounts
        k = world.record_kpi
        k(RIGHT, "cap", self.spec.cap_m3, "m3")
        k(RIGHT, "confirmed", int(acc.of(RIGHT_P, self.ids).sum()), "m3")
        k(RIGHT, "planned", int(self.plan.sum()), "m3")
        k(RIGHT, "use", int(use.sum()), "m3")
        k(RIGHT, "use_over_cap", float(use.sum()) / self.spec.cap_m3, "1")
        k(RIGHT, "unmet_need", int(unmet.sum()), "m3")
        vol, amount = self.year_volume, self.year_amount
        k(RIGHT, "traded_volume", vol, "m3")
        k(RIGHT, "trade_count", self.year_trades, "1")
        k(RIGHT, "mean_price", (amount / 100) / vol if vol else float("nan"), "yuan/m3")
        k(RIGHT, "base_price", self.pricing.default_base_ticks / 10_000, "yuan/m3")
        k(RIGHT, "surcharge_revenue", surcharge_rev / 100, "yuan")
        for band, fen in sorted(band_rev.items()):
            k(RIGHT, f"surcharge_revenue_band_{band}", fen / 100, "yuan")
        k(RIGHT, "tariff_revenue", tariff_rev / 100, "yuan")
        k(RIGHT, "reserve_rights", int(acc.of(RIGHT_P, RESERVE)), "m3")
        k(RIGHT, "reserve_stock", self._reserve_stock(world), "m3")
        k(RIGHT, "reserve_cash", self._reserve_cash(world) / 100, "yuan")
        k(RIGHT, "efficiency", self.gains_realised / self.gains_max if self.gains_max > 0 else float("nan"), "1")

def _share(x: np.ndarray, k: int, n: int) -> np.ndarray:
    """Part ``k`` of ``n`` of ``x`` split evenly, remainders to the last part (the parts sum to ``x``)."""
    if n == 1:
        return x
    part = x // n
    return part + (x - part * n) * (k == n - 1)

