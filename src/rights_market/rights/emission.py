"""The emission-rights market (排污权), on the generic engine. Rules E1–E10, E12–E14.

Products (base unit kg):

* ``emission.<pollutant>`` for every pollutant of the scenario (E1; NOx, SO2, COD, NH3-N by default) — a
  right to emit one kg a year during the validity term (E5), renewed at the term end;
* ``emission.carbon`` — annual carbon allowances of key emitters, kg CO2 (E14), surrendered at the year end.

The year
--------
*Year start*: projects whose entry year has come start emitting with no rights (E4: they buy their permit on
the market); output grows (a multiplicative growth process), so emission before abatement grows or shrinks;
units close, go bankrupt or relocate at a rate (E9: unpaid rights reclaimed free, paid ones bought by the
reserve or sold on the market); after the reform period unpaid rights pay the use fee, phased in (E4); the
reserve gets its budget (E8, X2); carbon allowances are allocated (E14); a lease round (E10) and new mortgage
loans (E10).

*Sessions* (every ``trade_every_sessions``): on the unified platform only (E6; off-platform attempts are
rejected ``off_platform``), within a sector (E7; others ``not_eligible``), never below the base price (E3;
``below_floor``), never selling pledged rights (E10 mortgages and X3 pledges of the links; ``pledged``). Units
bid their marginal abatement cost (:func:`~rights_market.rules.emission.lot_schedule`) through the scenario's
mechanism: listing with bidding (挂牌竞价, the plan's), a continuous double auction or a call auction. The
reserve first buys back, at base price
× multiple, asks at or below that price within its yearly target and cash, and releases its stock by listing to
strategic and major projects; major
projects may buy by directed negotiation (E4, E8). Sales of unpaid rights back-pay the use fee at the base
price; the seller keeps the premium (E5). Reserve income goes to the fiscal account, its spending comes from
its budget: income and spending are tallied apart (收支两条线, E9).

*Period ends*: holdings snapshots; on the first period end at or after the notice day, units still short of
rights get a notice (E13) — a ``notice`` line in ``charges`` (amount 0, quantity = the shortfall) — and trade
in every session for the rest of the year.

*Year end*: each unit abates or violates (E12: excess emission pays the fine, ``penalty`` in ``charges``);
carbon allowances are surrendered (E14); leases and loans that end return; at the term end rights are renewed
(E5); KPIs.

State is columnar numpy arrays over the units; no process per unit; pricing, abatement and fee rules are the
pure functions of :mod:`rights_market.rules.emission`.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..agents.behaviour import quote
from ..engine.calendar import DAYS_PER_YEAR
from ..engine.sampling import draw
from ..engine.world import World
from ..ledger import CONSUMED, ECONOMY, FISCAL, GOVERNMENT, ISSUER, RESERVES
from ..market import (
    ListingTerms,
    clear_call_auction,
    negotiate_directed,
    run_listing,
)
from ..market.batch_cda import match_session
from ..market.negotiation import nash_prices
from ..rules.emission import (
    BUY,
    SELL,
    MacCurves,
    Schedule,
    back_payment_fen,
    comply,
    lot_schedule,
    phase_in_due,
    piecewise_curves,
    quadratic_curves,
    split_sale,
    stack_curves,
    step_value,
)
from ..scenario.emission import (
    CARBON,
    EMISSION_SECTORS,
    UNIT_KINDS,
    EmissionSpec,
    ListingMechanism,
    Quadratic,
)
from ..scenario.model import Markup
from ..units import (
    TICKS_PER_FEN,
    amount_fen_array,
    decimal_to_rational,
    div_round_half_up,
    to_scaled_int,
    yuan_to_fen,
)
from .links import pledged_quantity, reserve_tallies

RIGHT = "emission"
UNIT = "kg"
RES = RESERVES["emission"]
NOT_YET, ACTIVE, CLOSED = 0, 1, 2
KIND = {k: i for i, k in enumerate(UNIT_KINDS)}
SECTOR_NAMES = np.array([*EMISSION_SECTORS, "reserve"], dtype=object)


def t_to_kg(value: object) -> int:
    """Tonnes (text or number) → kg, exactly."""
    return to_scaled_int(value, 1000, "quantity in tonnes")


def yuan_per_t_to_ticks(value: object) -> int:
    """Yuan per tonne → ticks (0.0001 yuan) per kg, exactly (1 yuan/t = 10 ticks/kg)."""
    return to_scaled_int(value, 10, "price in yuan per tonne")


def merge_fills(seller: np.ndarray, buyer: np.ndarray, qty: np.ndarray, price: np.ndarray):
    """Fills of one clearing with the same seller, buyer and price merged into one trade (first-occurrence
    order kept): a call auction cuts a trade into pieces per pair of orders."""
    key = np.stack([seller, buyer, price], axis=1)
    uniq, first, inv = np.unique(key, axis=0, return_index=True, return_inverse=True)
    total = np.zeros(uniq.shape[0], np.int64)
    np.add.at(total, inv.ravel(), qty)
    order = np.argsort(first, kind="stable")
    return uniq[order, 0], uniq[order, 1], total[order], uniq[order, 2]


def arrival_order(rng: np.random.Generator, unit: np.ndarray, side: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """A random arrival order of orders in which each unit's orders of one side still come in step order
    (its most favourable step first): random times, handed out within each (unit, side) by rank."""
    n = unit.size
    key = rng.random(n)
    group = unit.astype(np.int64) * 2 + (side > 0)
    by_key = np.lexsort((key, group))
    by_rank = np.lexsort((rank, group))
    times = np.empty(n)
    times[by_rank] = key[by_key]
    return np.argsort(times, kind="stable")


def _frac_of(q: np.ndarray, share: Fraction) -> np.ndarray:
    """⌊q × share⌋ exactly."""
    return (np.asarray(q, dtype=np.int64) * share.numerator) // share.denominator


class EmissionPolicy:
    """Rules E1–E10, E12–E14 over columnar unit state (see the module docstring)."""

    right = RIGHT

    def __init__(self, spec: EmissionSpec, holdings_every: str = "period"):
        self.spec = spec
        self.holdings_every = holdings_every
        self.pollutants = [p.id for p in spec.pollutants]
        self.carbon_on = spec.carbon.enabled and any(g.carbon is not None for g in spec.groups)
        self.keys = self.pollutants + ([CARBON] if self.carbon_on else [])
        self.product = [f"{RIGHT}.{k}" for k in self.keys]
        self.P = len(self.pollutants)
        # E3: the base price of every pollutant, ticks/kg — a hard floor of every trade.
        self.base = np.array([yuan_per_t_to_ticks(p.base_price_yuan_per_t) for p in spec.pollutants]
                             + ([0] if self.carbon_on else []), dtype=np.int64)
        m = spec.market
        self.lot = t_to_kg(m.lot_t)
        # schedule steps per product: the market's for pollutants, the carbon section's for allowances (E14)
        self.lots = [self.lot] * self.P + ([t_to_kg(spec.carbon.lot_t)] if self.carbon_on else [])
        self.max_orders = [m.max_orders_per_side] * self.P + ([spec.carbon.max_orders_per_side] if self.carbon_on else [])
        self.years = m.valuation_years
        cap_mult = decimal_to_rational(m.price_max_multiple_of_base)
        self.cap = np.array([max(int(b * cap_mult), 1) for b in self.base[: self.P]]
                            + ([self._carbon_fine()] if self.carbon_on else []), dtype=np.int64)

        self._session_no = 0
        self._pool: dict | None = None

    def _carbon_fine(self) -> int:
        """E14: the fine per kg of CO2 not surrendered, ticks/kg (reference price × multiple). No emitter values
        an allowance above it, so it also bounds the prices of allowance orders."""
        c = self.spec.carbon
        rate = yuan_per_t_to_ticks(c.reference_price_yuan_per_t) * decimal_to_rational(c.penalty_multiple_of_price)
        return int(rate)

    # ------------------------------------------------------------------ RightPolicy
    def products(self) -> list[str]:
        return list(self.product)

    def holder_count(self) -> int:
        return sum(g.count for g in self.spec.groups)

    def setup(self, world: World, first_holder: int) -> None:
        """Create the units, issue initial rights = permitted emission to existing units (E2), stock the
        reserve, record ``holders``."""
        spec, rng = self.spec, world.rng.stream("emission.units")
        n = self.holder_count()
        self.n, self.first = n, first_holder
        self.ids = np.arange(first_holder, first_holder + n, dtype=np.int64)
        start = world.calendar.start_year
        self.start_year = start
        self.sector = np.empty(n, np.int8)
        self.kind = np.empty(n, np.int8)
        self.group = np.empty(n, np.int32)
        self.entry = np.empty(n, np.int64)
        self.participation = np.empty(n)
        self.aware = np.zeros(n, bool)
        self.closure_rate = np.empty(n)
        self.mortgage_rate = np.empty(n)
        self.lease_part = np.empty(n)
        K = len(self.keys)
        self.permit = np.zeros((K, n), np.int64)
        self.e0 = np.zeros((K, n), np.float64)
        self.scale = np.ones((K, n))
        self.has = np.zeros((K, n), bool)
        self.curve_spec: list[list] = [[None] * len(spec.groups) for _ in range(K)]
        self.group_idx: list[np.ndarray] = []
        names = []
        i = 0
        for gi, g in enumerate(spec.groups):
            idx = np.arange(i, i + g.count)
            self.group_idx.append(idx)
            self.sector[idx] = EMISSION_SECTORS.index(g.sector)
            self.kind[idx] = KIND[g.kind]
            self.group[idx] = gi
            self.entry[idx] = start if g.kind == "existing" or g.entry_year is None else g.entry_year
            self.participation[idx] = g.participation
            self.aware[idx] = rng.random(g.count) < float(g.floor_aware_share)
            self.closure_rate[idx] = g.closure_rate_per_year
            self.mortgage_rate[idx] = g.mortgage_rate_per_year
            self.lease_part[idx] = g.lease_participation
            for k, key in enumerate(self.keys):
                if key == CARBON:
                    if g.carbon is None:
                        continue
                    self.e0[k, idx] = np.maximum(draw(g.carbon.emission_t, g.count, rng), 0.0) * 1000.0
                    self.scale[k, idx] = np.maximum(draw(g.carbon.cost_scale, g.count, rng), 0.0)
                    self.curve_spec[k][gi] = g.carbon.abatement
                else:
                    up = g.pollutants.get(key)
                    if up is None:
                        continue
                    permit = np.maximum(np.rint(draw(up.permitted_t, g.count, rng) * 1000.0), 0).astype(np.int64)
                    self.permit[k, idx] = permit
                    self.e0[k, idx] = permit * np.maximum(draw(up.unabated_share_of_permit, g.count, rng), 0.0)
                    self.scale[k, idx] = np.maximum(draw(up.cost_scale, g.count, rng), 0.0)
                    self.curve_spec[k][gi] = up.abatement
                self.has[k, idx] = True
            names.append(np.char.add(f"{g.name}-", np.arange(1, g.count + 1).astype(str)).astype(object))
            i += g.count
        self.knows_sector_rule = np.zeros(n, bool)
        self.knows_release_rule = np.zeros(n, bool)
        self.status = np.where(self.entry <= start, ACTIVE, NOT_YET).astype(np.int8)
        self.status[self.kind != KIND["existing"]] = NOT_YET
        self.output = np.ones(n)
        self.paid = np.zeros((K, n), np.int64)
        self.pledged = np.zeros((K, n), np.int64)
        self.leased_in = np.zeros((K, n), np.int64)
        self.leased_out = np.zeros((K, n), np.int64)
        self.leases: list[dict] = []
        self.loans: list[dict] = []
        self.E = np.zeros((K, n), np.int64)
        self.curves: list[MacCurves] = [self._curves(k) for k in range(K)]
        acc = world.accounts
        existing = self.kind == KIND["existing"]
        for k in range(self.P):
            q = np.where(existing, self.permit[k], 0)
            acc.move(self.product[k], ISSUER, self.ids, q)  # E2: initial right = permitted emission, unpaid
        res = spec.reserve
        for pid, tonnes in res.initial_t.items():
            kg = t_to_kg(tonnes)
            if kg:
                acc.move(self.product[self.pollutants.index(pid)], ISSUER, RES, kg)
        self.term_start = spec.first_term_start_year or start
        self.term_end = self.term_start + spec.validity_years - 1
        world.tables["holders"].append(
            holder=self.ids, name=np.concatenate(names),
            group=np.array([g.name for g in spec.groups], dtype=object)[self.group],
            sector=np.array(EMISSION_SECTORS, dtype=object)[self.sector], right=RIGHT,
        )
        self._behaviours = [(idx, g.behaviour.type, g.behaviour.markup if isinstance(g.behaviour, Markup) else 0.0)
                            for idx, g in zip(self.group_idx, spec.groups, strict=True)]
        eligible_kinds = [KIND[k] for k in res.release.eligible_kinds]
        self.release_ok = np.isin(self.kind, eligible_kinds)
        self._year_reset()

    # ------------------------------------------------------------------ helpers
    def _curves(self, k: int) -> MacCurves:
        """This year's abatement cost curves of product ``k`` (scaled to each unit's unabated emission)."""
        parts = []
        e = self.e0[k] * self.output
        for gi, idx in enumerate(self.group_idx):
            spec = self.curve_spec[k][gi]
            ei = e[idx]
            if spec is None:
                parts.append((idx, quadratic_curves(np.ones(idx.size), np.zeros(idx.size), np.zeros(idx.size))))
            elif isinstance(spec, Quadratic):
                zmax = ei * float(spec.max_share)
                parts.append((idx, quadratic_curves(float(spec.b_yuan_per_t2) * self.scale[k, idx], zmax,
                                                    np.full(idx.size, float(spec.fixed_cost_yuan)))))
            else:
                parts.append((idx, piecewise_curves(np.array([float(s) for s in spec.shares]),
                                                    np.array([float(v) for v in spec.mac_yuan_per_t]), ei,
                                                    self.scale[k, idx], np.full(idx.size, float(spec.fixed_cost_yuan)))))
        return stack_curves(parts, self.n)

    def _local(self, ids: np.ndarray) -> np.ndarray:
        return np.where(ids >= 0, ids - self.first, -1)

    def held(self, world: World, k: int) -> np.ndarray:
        """Rights (or allowances) each unit holds now, kg."""
        return world.accounts.of(self.product[k], self.ids)

    def owned(self, world: World, k: int) -> np.ndarray:
        """Rights each unit owns (held − leased in + leased out), kg; ``paid`` of them are paid (E5)."""
        return self.held(world, k) - self.leased_in[k] + self.leased_out[k]

    def free(self, world: World, k: int) -> np.ndarray:
        """Rights each unit may sell, lease out or pledge, kg: held − leased in − pledged, counting its E10
        mortgages and the X3 pledges of the links (ledger product ``<product>.pledged``)."""
        return (self.held(world, k) - self.leased_in[k] - self.pledged[k]
                - pledged_quantity(world.accounts, self.product[k], self.ids))

    def reserve_stock(self, world: World, k: int) -> int:
        return int(world.accounts.of(self.product[k], RES))

    def reserve_cash(self, world: World) -> int:
        return int(world.accounts.of("money", RES))

    def _reject(self, world: World, k: int, trader, side, quantity, price, reason) -> None:
        """Record rejected orders (never a silent drop) and count them for the KPIs."""
        trader = np.atleast_1d(np.asarray(trader, dtype=np.int64))
        if not trader.size:
            return
        side_s = np.where(np.broadcast_to(np.asarray(side), trader.shape) == BUY, "buy", "sell").astype(object)
        reason_a = np.broadcast_to(np.asarray(reason, dtype=object), trader.shape)
        world.record_rejections(product=self.product[k], trader=trader, side=side_s,
                                quantity=np.broadcast_to(np.asarray(quantity, dtype=np.int64), trader.shape).copy(),
                                price_ticks=np.broadcast_to(np.asarray(price, dtype=np.int64), trader.shape).copy(),
                                reason=reason_a.copy())
        for r in np.unique(reason_a.astype(str)):
            key = (k, str(r))
            self.rejections[key] = self.rejections.get(key, 0) + int(np.sum(reason_a == r))

    def _year_reset(self) -> None:
        K = len(self.keys)
        self.rejections: dict[tuple[int, str], int] = {}
        self.stats = {k: {"volume": 0, "count": 0, "fen": 0, "at_floor": 0} for k in range(K)}
        self.noticed = np.zeros((K, self.n), bool)
        self.notice_sent = False
        self.bought_back = np.zeros(K, np.int64)
        self.year_fees = {"use_fee": np.zeros(K, np.int64), "back_payment": np.zeros(K, np.int64)}
        self.year_new_loans = [0, 0]
        self.carbon_allocated = 0
        self.year_leases = 0
        self.year_closures = 0

    # ------------------------------------------------------------------ year start
    def year_start(self, world: World) -> None:
        """Entry, growth, closures (E9), use fees (E4), reserve budget (E8), carbon allocation (E14), leases
        and mortgages (E10)."""
        year = world.clock.year
        self._year_reset()
        entering = (self.status == NOT_YET) & (self.entry <= year)
        self.status[entering] = ACTIVE
        if year > self.start_year:
            rng = world.rng.stream("emission.growth")
            for idx, g in zip(self.group_idx, self.spec.groups, strict=True):
                growth = draw(g.output_growth, idx.size, rng)
                live = self.status[idx] == ACTIVE
                self.output[idx] = np.where(live, self.output[idx] * np.maximum(1.0 + growth, 0.0), self.output[idx])
            self._closures(world)
        for k in range(len(self.keys)):
            self.E[k] = np.where((self.status == ACTIVE) & self.has[k], np.rint(self.e0[k] * self.output), 0).astype(np.int64)
            self.curves[k] = self._curves(k)
        self._use_fees(world)
        self._budget(world)
        if self.carbon_on:
            self._allocate_carbon(world)
        self._lease_rents(world)
        if self.spec.lease.enabled:
            self._lease_round(world)
        self._mortgages(world)

    def _closures(self, world: World) -> None:
        """E9: units closing, going bankrupt or relocating: their leases and loans end; unpaid rights are
        reclaimed free (by the reserve, or the government without one); paid ones are bought by the reserve at
        its buy-back price within its cash (``reserve_then_market``) and the rest is sold on the market by the
        closed unit, which keeps trading as a seller only."""
        rng = world.rng.stream("emission.closures")
        draws = rng.random(self.n)
        closing = np.nonzero((self.status == ACTIVE) & (draws < self.closure_rate))[0]
        if not closing.size:
            return
        self.year_closures += int(closing.size)
        self.status[closing] = CLOSED
        self.output[closing] = 0.0
        mask = np.zeros(self.n, bool)
        mask[closing] = True
        self._end_leases(world, lambda lease: mask[lease["lessor"]] | mask[lease["lessee"]])
        self._end_loans(world, lambda loan: bool(mask[loan["unit"]]))
        acc = world.accounts
        res = self.spec.reserve
        for k in range(self.P):
            held = self.held(world, k)[closing]
            unpaid = np.clip(held - self.paid[k, closing], 0, held)
            if unpaid.sum():
                acc.move(self.product[k], self.ids[closing], RES if res.enabled else GOVERNMENT, unpaid)
                if res.enabled:
                    world.record_reserve(product=self.product[k], action="reclaim", quantity=int(unpaid.sum()),
                                         price_ticks=0, amount_fen=0, stock=self.reserve_stock(world, k),
                                         cash_fen=self.reserve_cash(world),
                                         reason="closure: unpaid rights reclaimed free (E9)")
            paid = held - unpaid
            if not (res.enabled and res.closure_paid == "reserve_then_market" and paid.sum()):
                continue
            price = self._buyback_price(k)
            # X3/E10: pledged rights are not sold to the reserve; they stay with the closed unit (``pledged``)
            free = np.clip(self.free(world, k)[closing], 0, paid)
            if (free < paid).any():
                refused = free < paid
                self._reject(world, k, self.ids[closing[refused]], SELL, (paid - free)[refused], price, "pledged")
                paid = free
            cash = self.reserve_cash(world)
            take = np.zeros(closing.size, np.int64)
            if price <= 0:
                continue
            for j in np.nonzero(paid > 0)[0].tolist():
                take[j] = min(int(paid[j]), cash * TICKS_PER_FEN // price)  # amount_fen(take, price) <= cash
                cash -= int(amount_fen_array(take[j:j + 1], np.array([price]))[0])
            buy = np.nonzero(take > 0)[0]
            if buy.size:
                self._settle(world, k, self.ids[closing[buy]], np.full(buy.size, RES), take[buy],
                             np.full(buy.size, price), "reserve", reason="closure: paid rights bought (E9)")

    def _use_fees(self, world: World) -> None:
        """E4: after the reform period, unpaid rights pay the use fee at the base price, phased in."""
        fees = self.spec.fees
        after = world.clock.year - (self.start_year + fees.reform_years) + 1
        if after <= 0:
            return
        for k in range(self.P):
            owned = self.owned(world, k)
            unpaid = np.where(self.status == ACTIVE, np.maximum(owned - self.paid[k], 0), 0)
            due = phase_in_due(unpaid, after, fees.phase_in_years)
            payers = np.nonzero(due > 0)[0]
            if not payers.size:
                continue
            amount = back_payment_fen(due[payers], self.base[k])
            world.accounts.pay(self.ids[payers], FISCAL, amount)
            self.paid[k, payers] += due[payers]
            self.year_fees["use_fee"][k] += int(amount.sum())
            world.record_charges(holder=self.ids[payers], payee=FISCAL, product=self.product[k], kind="use_fee",
                                 band=0, quantity=due[payers], rate_ticks=self.base[k], amount_fen=amount)

    def _budget(self, world: World) -> None:
        """E8/X2: the reserve's yearly budget, from the fiscal account (its spending side, 收支两条线)."""
        res = self.spec.reserve
        if not res.enabled:
            return
        fen = yuan_to_fen(res.budget_yuan_per_year)
        if fen:
            world.accounts.pay(FISCAL, RES, fen)
            world.record_reserve(product=self.product[0], action="budget", quantity=0, price_ticks=0, amount_fen=fen,
                                 stock=self.reserve_stock(world, 0), cash_fen=self.reserve_cash(world),
                                 reason="yearly budget (E8, spending side)")

    def _allocate_carbon(self, world: World) -> None:
        """E14: annual free allowances to key emitters: allocation share × emission before abatement."""
        k = self.P
        share = decimal_to_rational(self.spec.carbon.allocation_share)
        q = _frac_of(self.E[k], share)
        self.carbon_allocated = int(q.sum())
        world.accounts.move(self.product[k], ISSUER, self.ids, q)

    # ------------------------------------------------------------------ leases and mortgages (E10)
    def _lease_round(self, world: World) -> None:
        """E10: a yearly lease round: surplus holders offer a share of their surplus, units short bid their
        yearly marginal abatement cost as rent; a call auction per sector (E7) sets the rent (ticks per kg and
        year). A lease is not a sale, so the base-price floor (E3) does not bind rents."""
        rng = world.rng.stream("emission.lease")
        spec = self.spec.lease
        share = decimal_to_rational(spec.offer_share_of_surplus)
        year = world.clock.year
        for k in range(self.P):
            held = self.held(world, k)
            part = (self.status == ACTIVE) & self.has[k] & (rng.random(self.n) < self.lease_part)
            free = self.free(world, k)
            offer = np.where(part, _frac_of(np.maximum(np.minimum(free, held - self.E[k]), 0), share), 0)
            required = self.E[k] - held
            sched = lot_schedule(self.curves[k], required, offer, self.lot, self.spec.market.max_orders_per_side, 1,
                                 max(int(self.cap[k]) // self.years, 1), buy=part & (required > 0), sell=offer > 0)
            if not len(sched):
                continue
            price = np.maximum(sched.limit, 1)
            segments = self._segments(k, sched.unit)
            for seg in np.unique(segments):
                rows = np.nonzero(segments == seg)[0]
                b = rows[sched.side[rows] == BUY]
                s = rows[sched.side[rows] == SELL]
                r = clear_call_auction(price[b], sched.quantity[b], b, price[s], sched.quantity[s], s)
                if not r.volume:
                    continue
                lessor, lessee, q, rent = merge_fills(sched.unit[s[r.fill_ask]], sched.unit[b[r.fill_bid]],
                                                      r.fill_quantity, np.full(r.fill_quantity.size, int(r.price)))
                lease = {"k": k, "lessee": lessee, "lessor": lessor, "q": q, "rent": rent,
                         "start": year, "end": year + spec.term_years - 1}
                world.accounts.move(self.product[k], self.ids[lease["lessor"]], self.ids[lease["lessee"]], lease["q"])
                np.add.at(self.leased_in[k], lease["lessee"], lease["q"])
                np.add.at(self.leased_out[k], lease["lessor"], lease["q"])
                self.leases.append(lease)
                self.year_leases += int(lease["q"].size)
                self._pay_rent(world, lease)

    def _pay_rent(self, world: World, lease: dict) -> None:
        """E10: a year's rent of a lease, lessee → lessor (``rent`` in charges)."""
        amount = amount_fen_array(lease["q"], lease["rent"])
        world.accounts.pay(self.ids[lease["lessee"]], self.ids[lease["lessor"]], amount)
        world.record_charges(holder=self.ids[lease["lessee"]], payee=self.ids[lease["lessor"]],
                             product=self.product[lease["k"]], kind="rent", band=0, quantity=lease["q"],
                             rate_ticks=lease["rent"], amount_fen=amount)

    def _lease_rents(self, world: World) -> None:
        """E10: the yearly rent of leases running into a further year."""
        year = world.clock.year
        for lease in self.leases:
            if lease["start"] < year <= lease["end"]:
                self._pay_rent(world, lease)

    def _end_leases(self, world: World, which) -> None:
        """Return leased rights to their lessors for the rows ``which(lease)`` selects (E10)."""
        keep = []
        for lease in self.leases:
            k = lease["k"]
            sel = np.broadcast_to(np.asarray(which(lease), bool), lease["q"].shape)
            if sel.any():
                lessor, lessee, q = lease["lessor"][sel], lease["lessee"][sel], lease["q"][sel]
                world.accounts.move(self.product[k], self.ids[lessee], self.ids[lessor], q)
                np.subtract.at(self.leased_in[k], lessee, q)
                np.subtract.at(self.leased_out[k], lessor, q)
            if not sel.all():
                rest = ~sel
                keep.append({**lease, **{f: lease[f][rest] for f in ("lessor", "lessee", "q", "rent")}})
        self.leases = keep

    def _mortgages(self, world: World) -> None:
        """E10: new mortgage loans: a share of each taker's free rights is pledged (it stays with the unit and
        cannot be sold while pledged) and the bank (the rest of the economy) lends loan-to-value × their value
        at the base price; principal and interest are repaid at the term end."""
        spec = self.spec.mortgage
        rng = world.rng.stream("emission.mortgage")
        takers = np.nonzero((self.status == ACTIVE) & (rng.random(self.n) < self.mortgage_rate))[0]
        if not takers.size:
            return
        pshare = decimal_to_rational(spec.pledge_share)
        ltv = decimal_to_rational(spec.loan_to_value)
        rate = decimal_to_rational(spec.interest_rate)
        pledges = np.zeros((self.P, takers.size), np.int64)
        value = np.zeros(takers.size, np.int64)
        for k in range(self.P):
            free = self.free(world, k)[takers]
            pledges[k] = _frac_of(np.maximum(free, 0), pshare)
            value += amount_fen_array(pledges[k], np.full(takers.size, self.base[k]))
        loan = (value * ltv.numerator) // ltv.denominator
        ok = loan > 0
        if not ok.any():
            return
        takers, pledges, loan = takers[ok], pledges[:, ok], loan[ok]
        world.accounts.pay(ECONOMY, self.ids[takers], loan)
        self.pledged[: self.P, takers] += pledges
        world.record_charges(holder=ECONOMY, payee=self.ids[takers], product=self.product[0], kind="loan", band=0,
                             quantity=pledges.sum(axis=0), rate_ticks=0, amount_fen=loan)
        end = world.clock.year + spec.term_years - 1
        for j, u in enumerate(takers.tolist()):
            interest = div_round_half_up(int(loan[j]) * rate.numerator * spec.term_years, rate.denominator)
            self.loans.append({"unit": u, "principal": int(loan[j]), "interest": interest,
                               "pledge": pledges[:, j].copy(), "end": end})
        self.year_new_loans[0] += int(takers.size)
        self.year_new_loans[1] += int(loan.sum())

    def _end_loans(self, world: World, which) -> None:
        """Repay the loans ``which(loan)`` selects, with interest, to the bank and release their pledges (E10)."""
        keep = []
        for loan in self.loans:
            if not which(loan):
                keep.append(loan)
                continue
            u = loan["unit"]
            world.accounts.pay(self.ids[u], ECONOMY, loan["principal"] + loan["interest"])
            world.record_charges(holder=self.ids[u], payee=ECONOMY, product=self.product[0],
                                 kind=np.array(["loan_repayment", "interest"], dtype=object), band=0,
                                 quantity=np.array([int(loan["pledge"].sum()), 0]), rate_ticks=0,
                                 amount_fen=np.array([loan["principal"], loan["interest"]]))
            self.pledged[: self.P, u] -= loan["pledge"]
        self.loans = keep

    # ------------------------------------------------------------------ sessions
    def session(self, world: World) -> None:
        """One platform session (E3, E6, E7, E8, E10): units' orders, reserve buy-back and releases, directed
        purchases of major projects, off-platform attempts; carbon allowances trade too (E14)."""
        n_session = self._session_no
        self._session_no += 1
        spec = self.spec
        if n_session % spec.market.trade_every_sessions:
            return
        rng = world.rng.stream("emission.orders")
        trading = n_session // spec.market.trade_every_sessions
        release_round = spec.reserve.enabled and trading % spec.reserve.release.every_sessions == 0
        for k in range(self.P):
            if release_round:
                self._directed(world, k)
                self._release(world, k)
            self._platform(world, k, rng)
            self._off_platform(world, k)
        if self.carbon_on and spec.carbon.trade:
            self._platform(world, self.P, rng)

    def _schedule(self, world: World, k: int, rng: np.random.Generator) -> tuple[Schedule, np.ndarray]:
        """Orders of the units this session for product ``k`` (E2 economics) and their prices after behaviour
        and floor awareness (E3): a unit aware of the floor lifts an ask to it and drops a bid it cannot raise
        to it; an unaware one submits its own price."""
        held = self.held(world, k)
        carbon = k >= self.P
        active = self.status == ACTIVE
        part = (rng.random(self.n) < self.participation) | self.noticed[k]
        required = self.E[k] - held
        sellable = held - self.leased_in[k]
        years = 1 if carbon else self.years
        sell_ok = part & ((active & self.has[k]) | (self.status == CLOSED)) & (sellable > 0)
        buy_ok = part & active & self.has[k] & (required > 0)
        sched = lot_schedule(self.curves[k], np.where(self.status == CLOSED, -held, required), sellable, self.lots[k],
                             self.max_orders[k], years, int(self.cap[k]), buy=buy_ok, sell=sell_ok)
        price = np.full(len(sched), -1, np.int64)
        floor = int(self.base[k])
        unit_group = self.group[sched.unit]
        for gi, (_idx, kind, markup) in enumerate(self._behaviours):
            rows_g = unit_group == gi
            for side in (BUY, SELL):
                rows = np.nonzero(rows_g & (sched.side == side))[0]
                if rows.size:
                    price[rows] = quote(kind, side, sched.limit[rows], 1, int(self.cap[k]), rng, markup)
        aware = self.aware[sched.unit]
        sell = sched.side == SELL
        lift = aware & sell & (price > 0)
        price = np.where(lift, np.maximum(price, floor), price)
        low_bid = aware & ~sell & (price > 0) & (price < floor)
        price = np.where(low_bid, np.where(sched.limit >= floor, floor, -1), price)
        keep = price > 0  # −1: the behaviour places no order (a price it would lose on)
        return sched.select(keep), price[keep]

    def _screen(self, world: World, k: int, sched: Schedule, price: np.ndarray) -> np.ndarray:
        """Platform checks of units' orders (E3, E10), in order: selling pledged rights (``pledged``), a price
        below the base price (``below_floor``; the unit learns the floor). Returns the mask of accepted
        orders; the rest are recorded as rejections."""
        ok = np.ones(len(sched), bool)
        free = self.free(world, k)  # E10 mortgages and X3 pledges (of pollutant rights and carbon allowances)
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
                self._reject(world, k, self.ids[sched.unit[bad]], SELL, sched.quantity[bad], price[bad], "pledged")
                ok[bad] = False
        if k < self.P:
            low = ok & (price < self.base[k])
            if low.any():
                self._reject(world, k, self.ids[sched.unit[low]], sched.side[low], sched.quantity[low], price[low],
                             "below_floor")
                self.aware[sched.unit[low]] = True
                ok &= ~low
        return ok

    def _buyback_price(self, k: int) -> int:
        mult = decimal_to_rational(self.spec.reserve.buyback.price_multiple_of_base)
        return int(self.base[k] * mult.numerator // mult.denominator)

    def _buyback_room(self, world: World, k: int) -> tuple[int, int]:
        """E8: (price, kg) the reserve still bids for this year: within its yearly target and its cash."""
        res = self.spec.reserve
        if not res.enabled or k >= self.P:
            return 0, 0
        target = t_to_kg(res.buyback.max_t_per_year.get(self.pollutants[k], 0))
        price = self._buyback_price(k)
        left = target - int(self.bought_back[k])
        if left <= 0 or price <= 0:
            return price, 0
        cash = self.reserve_cash(world)
        afford = cash * TICKS_PER_FEN // price  # amount_fen(afford, price) <= cash (half-up of a value <= cash)
        return price, int(max(min(left, afford), 0))

    def _platform(self, world: World, k: int, rng: np.random.Generator) -> None:
        """E6: the session's platform trading of product ``k`` by the scenario's mechanism."""
        sched, price = self._schedule(world, k, rng)
        ok = self._screen(world, k, sched, price)
        sched, price = sched.select(ok), price[ok]
        if k < self.P:
            sched, price = self._buyback(world, k, sched, price, rng)
        mech = self.spec.market.mechanism
        if mech.type == "listing" and k < self.P:
            self._listings(world, k, sched, price, rng)
        else:
            self._books(world, k, sched, price, rng, "cda" if mech.type == "cda" else "call")

    def _buyback(self, world: World, k: int, sched: Schedule, price: np.ndarray, rng) -> tuple[Schedule, np.ndarray]:
        """E8: the reserve's buy-back on the platform at exactly base × multiple (回购价格参照基价): asks at or
        below that price are bought in random order, within this year's target and the reserve's cash; what
        is bought leaves the session's order list, the rest goes to the platform's mechanism."""
        bb_price, room = self._buyback_room(world, k)
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
        self._settle(world, k, self.ids[sched.unit[rows]], np.full(rows.size, RES), take,
                     np.full(rows.size, bb_price), "reserve", reason="buy-back at base price x multiple (E8)")
        left = sched.quantity.copy()
        left[rows] -= take
        keep = left > 0
        rest = Schedule(sched.unit, sched.side, left, sched.limit, sched.rank)
        return rest.select(keep), price[keep]

    def _segments(self, k: int, units: np.ndarray) -> np.ndarray:
        """Market segment of each unit: its sector (E7) or one segment for all."""
        if self.spec.market.same_sector_only and k < self.P:
            return self.sector[units].astype(np.int64)
        return np.zeros(units.size, np.int64)

    def _books(self, world: World, k: int, sched: Schedule, price: np.ndarray, rng, mechanism: str) -> None:
        """Matching (撮合) per sector segment (E7): a continuous double auction or a call auction. No order is
        below the floor (screened, E3)."""
        floor = int(self.base[k])
        seg = self._segments(k, sched.unit)
        for s in np.unique(seg) if len(sched) else []:
            rows = np.nonzero(seg == s)[0]
            rows = rows[arrival_order(rng, sched.unit[rows], sched.side[rows], sched.rank[rows])]
            traders = self.ids[sched.unit[rows]]
            sides, prices, qtys = sched.side[rows], price[rows], sched.quantity[rows]
            if mechanism == "cda":
                fills = self._cda(traders, sides, prices, qtys, floor, world.clock.day)
                if fills is not None:
                    self._settle(world, k, *merge_fills(*fills), "cda")
            else:
                b = np.nonzero(sides == BUY)[0]
                a = np.nonzero(sides == SELL)[0]
                r = clear_call_auction(prices[b], qtys[b], b, prices[a], qtys[a], a)
                if r.volume:
                    fq = r.fill_quantity
                    self._settle(world, k, *merge_fills(traders[a[r.fill_ask]], traders[b[r.fill_bid]], fq,
                                                        np.full(fq.size, r.price, np.int64)), "call")

    def _cda(self, traders, sides, prices, qtys, floor: int, day: int):
        """One CDA session (price-time priority, trades at the resting price), matched by the engine's
        compiled session kernel (``market/batch_cda.py``, proven equal to the interactive book)."""
        res = match_session(traders, sides, prices, qtys, floor_ticks=floor)
        if res.rejected.size:  # cannot happen after screening; kept so nothing is ever dropped silently
            raise AssertionError(f"the book rejected screened orders: {set(res.reject_reason.tolist())}")
        if not res.fill_quantity.size:
            return None
        return traders[res.fill_sell], traders[res.fill_buy], res.fill_quantity, res.fill_price

    def _eligible(self, k: int, seller_sector: int | None):
        """E7/E8 eligibility hook for a listing: units of the seller's sector (E7), or for reserve releases
        active units of the eligible kinds (E8)."""
        if seller_sector is None:
            mask = self.release_ok & (self.status == ACTIVE)
        elif self.spec.market.same_sector_only:
            mask = self.sector == seller_sector
        else:
            mask = np.ones(self.n, bool)
        first = self.first

        def ok(bidder: int) -> bool:
            j = bidder - first
            return 0 <= j < mask.size and bool(mask[j])

        return ok

    def _listings(self, world: World, k: int, sched: Schedule, price: np.ndarray, rng) -> None:
        """E6: listing with competitive bidding (挂牌竞价): every accepted ask becomes a listing at its price
        (≥ the base price); units short of rights register if the lot is worth the start price to them; the
        platform refuses other sectors (``not_eligible``, E7)."""
        sells = np.nonzero(sched.side == SELL)[0]
        if not sells.size:
            return
        sells = sells[arrival_order(rng, sched.unit[sells], sched.side[sells], sched.rank[sells])]
        self._pool = None
        for j in sells.tolist():
            seller = int(sched.unit[j])
            if self.free(world, k)[seller] < sched.quantity[j]:
                continue  # sold through an earlier listing of this session
            self._run_listing(world, k, self.ids[seller], int(self.sector[seller]), int(sched.quantity[j]),
                              int(price[j]), "listing")

    def _bidder_pool(self, world: World, k: int) -> dict:
        """Units short of rights of product ``k`` and the value of their first kg (an upper bound of the value
        per kg of any lot to them); recomputed after every sale."""
        if self._pool is None or self._pool["k"] != k:
            held = self.held(world, k)
            required = self.E[k] - held
            want = np.nonzero((self.status == ACTIVE) & self.has[k] & (required > 0))[0]
            curves = self.curves[k].take(want)
            top = step_value(curves, required[want], np.ones(want.size), self.years, int(self.cap[k]))
            self._pool = {"k": k, "want": want, "required": required[want], "curves": curves, "top": top}
        return self._pool

    def _run_listing(self, world: World, k: int, seller_id: int, seller_sector: int | None, qty: int, start: int,
                     mechanism: str) -> None:
        """One listing (挂牌竞价, E6) of ``qty`` kg at ``start`` ticks/kg by ``seller_id`` (a unit of sector
        ``seller_sector``, or the reserve when None), settled if sold; rejections recorded."""
        pool = self._bidder_pool(world, k)
        want = pool["want"]
        # A unit once refused for a kind of listing (another sector's, E7; a release it is not eligible for,
        # E8) knows the rule and stays away from such listings afterwards.
        if seller_sector is None:
            known = self.knows_release_rule[want] & ~self.release_ok[want]
        elif self.spec.market.same_sector_only:
            known = self.knows_sector_rule[want] & (self.sector[want] != seller_sector)
        else:
            known = np.zeros(want.size, bool)
        cand = np.nonzero((pool["top"] >= start) & ~known & (self.ids[want] != seller_id))[0]
        values = step_value(pool["curves"].take(cand), pool["required"][cand], np.full(cand.size, qty), self.years,
                            int(self.cap[k]))
        ids = self.ids[want[cand]]
        interested = values >= start
        if not interested.any():
            return  # nobody registers: the listing closes unsold (no_bidder), nothing to record
        ids, values = ids[interested], values[interested]
        mech = self.spec.market.mechanism
        lm = mech if mech.type == "listing" else ListingMechanism(type="listing")
        day = world.clock.day
        terms = ListingTerms(quantity=qty, start=start, increment=yuan_per_t_to_ticks(lm.increment_yuan_per_t),
                             floor=int(self.base[k]), opens=day, closes=day + lm.listing_days,
                             round_seconds=lm.round_seconds, extension_window=lm.extension_window_s,
                             extension=lm.extension_s)
        res = run_listing(terms, ids, values, world.rng.stream("emission.listing"),
                          eligible=self._eligible(k, seller_sector), mean_response_s=lm.mean_response_s)
        rej = res.rejections
        if len(rej["bidder"]):
            self._reject(world, k, rej["bidder"], BUY, qty, rej["price"], rej["reason"])
            refused = self._local(rej["bidder"][rej["reason"] == "not_eligible"])
            refused = refused[refused >= 0]
            (self.knows_release_rule if seller_sector is None else self.knows_sector_rule)[refused] = True
        if res.sold:
            self._settle(world, k, np.array([seller_id]), np.array([res.winner]), np.array([qty]),
                         np.array([res.price]), mechanism,
                         reason="release to strategic and major projects (E8)" if seller_id == RES else "")
            self._pool = None

    def _release(self, world: World, k: int) -> None:
        """E8: the reserve lists lots of its stock, start price = base × multiple, for eligible kinds only."""
        rel = self.spec.reserve.release
        lot = t_to_kg(rel.lot_t)
        mult = decimal_to_rational(rel.start_multiple_of_base)
        start = int(self.base[k] * mult.numerator // mult.denominator)
        self._pool = None
        for _ in range(rel.max_lots_per_round):
            stock = self.reserve_stock(world, k)
            if stock <= 0:
                return
            self._run_listing(world, k, RES, None, min(lot, stock), max(start, int(self.base[k])), "listing")

    def _directed(self, world: World, k: int) -> None:
        """E4: major projects short of rights buy from the reserve by directed negotiation, at a price within
        [base price, base × max multiple] (the reserve's cost is the base price)."""
        d = self.spec.reserve.directed
        if not d.enabled:
            return
        held = self.held(world, k)
        required = self.E[k] - held
        major = np.nonzero((self.kind == KIND["major_project"]) & (self.status == ACTIVE) & self.has[k]
                           & (required > 0))[0]
        if not major.size:
            return
        rng = world.rng.stream("emission.directed")
        major = major[rng.permutation(major.size)]
        stock = self.reserve_stock(world, k)
        qty = np.minimum(required[major], np.maximum(stock - (np.cumsum(required[major]) - required[major]), 0))
        take = qty > 0
        major, qty = major[take], qty[take]
        if not major.size:
            return
        lo = int(self.base[k])
        mult = decimal_to_rational(d.max_multiple_of_base)
        hi = int(self.base[k] * mult.numerator // mult.denominator)
        value = step_value(self.curves[k].take(major), required[major], qty, self.years, int(self.cap[k]))
        designated = np.zeros(self.first + self.n, bool)
        designated[self.ids[major]] = True
        res = negotiate_directed(self.ids[major], qty, value, np.full(major.size, lo), lo, hi,
                                 float(d.seller_power), d.noise_sd_share * rng.standard_normal(major.size),
                                 designated=designated)
        bad = ~res.accepted
        if bad.any():
            self._reject(world, k, self.ids[major[bad]], BUY, qty[bad], np.maximum(value[bad], 0), res.reason[bad])
        ok = res.accepted
        if ok.any():
            self._settle(world, k, np.full(int(ok.sum()), RES), self.ids[major[ok]], qty[ok], res.price[ok],
                         "directed", reason="directed purchase by a major project (E4)")

    def _off_platform(self, world: World, k: int) -> None:
        """E6: bilateral deals off the platform are forbidden: each attempt (a random unit short of rights and
        a random unit with rights to spare, at their Nash price) is rejected ``off_platform``."""
        rate = self.spec.market.off_platform_attempts_per_session
        if rate <= 0:
            return
        rng = world.rng.stream("emission.off_platform")
        attempts = int(rng.poisson(rate))
        if not attempts:
            return
        held = self.held(world, k)
        required = self.E[k] - held
        active = self.status == ACTIVE
        buyers = np.nonzero(active & (required > 0))[0]
        sellers = np.nonzero(active & (required < 0))[0]
        if not buyers.size or not sellers.size:
            return
        b = rng.choice(buyers, size=attempts)
        s = rng.choice(sellers, size=attempts)
        q = np.maximum(np.minimum(required[b], -required[s]), 1)
        v = step_value(self.curves[k].take(b), required[b], q, self.years, int(self.cap[k]))
        p = nash_prices(np.maximum(v, 1), np.ones(attempts, np.int64), 0.5, np.zeros(attempts))
        self._reject(world, k, self.ids[b], BUY, q, np.maximum(p, 0), "off_platform")

    # ------------------------------------------------------------------ settlement
    def _settle(self, world: World, k: int, seller, buyer, qty, price, mechanism: str, reason: str = "") -> None:
        """Apply trades of product ``k``: rights seller→buyer; money buyer→seller, except that money paid to the
        reserve goes straight to the fiscal account (收支两条线, E9); a seller of unpaid rights back-pays the use
        fee at the base price and keeps the premium (E5); bought rights are paid; trades, charges and reserve
        actions recorded."""
        seller = np.asarray(seller, np.int64)
        buyer = np.asarray(buyer, np.int64)
        qty = np.asarray(qty, np.int64)
        price = np.asarray(price, np.int64)
        if np.any(price < self.base[k]) and k < self.P:
            raise AssertionError("a trade below the base price reached settlement (E3)")
        acc = world.accounts
        product = self.product[k]
        amount = amount_fen_array(qty, price)
        acc.move(product, seller, buyer, qty)
        to_reserve = seller == RES
        acc.pay(buyer, np.where(to_reserve, FISCAL, seller), amount)
        ls, lb = self._local(seller), self._local(buyer)
        hs, hb = ls >= 0, lb >= 0
        if k < self.P and hs.any():
            self._sale_fees(world, k, ls[hs], qty[hs])
        if k < self.P and hb.any():
            np.add.at(self.paid[k], lb[hb], qty[hb])
        st = self.stats[k]
        st["volume"] += int(qty.sum())
        st["count"] += int(qty.size)
        st["fen"] += int(amount.sum())
        st["at_floor"] += int(np.sum(price == self.base[k])) if k < self.P else 0
        s_sec = np.where(hs, self.sector[np.maximum(ls, 0)], len(EMISSION_SECTORS))
        b_sec = np.where(hb, self.sector[np.maximum(lb, 0)], len(EMISSION_SECTORS))
        world.record_trades(right=RIGHT, product=product, mechanism=mechanism, seller=seller, buyer=buyer,
                            quantity=qty, unit=UNIT, price_ticks=price, amount_fen=amount,
                            relation=SECTOR_NAMES[s_sec] + "->" + SECTOR_NAMES[b_sec],
                            base_price_ticks=np.full(qty.size, self.base[k]))
        for j in np.nonzero(to_reserve | (buyer == RES))[0].tolist():
            sale = seller[j] == RES
            if not sale:
                self.bought_back[k] += int(qty[j])
            world.record_reserve(product=product, action="release" if sale else "buy", quantity=int(qty[j]),
                                 price_ticks=int(price[j]), amount_fen=int(amount[j]),
                                 stock=self.reserve_stock(world, k), cash_fen=self.reserve_cash(world),
                                 reason=reason or ("income to the fiscal account (E9)" if sale else "buy-back (E8)"))

    def _sale_fees(self, world: World, k: int, seller: np.ndarray, qty: np.ndarray) -> None:
        """E5: the unpaid part of each sale back-pays the use fee at the base price to the fiscal account."""
        owned = self.owned(world, k)[seller] + qty  # before this batch's sales (rights already moved)
        paid = self.paid[k, seller].copy()
        # several sales of one seller in a batch: each sees what the earlier ones left
        order = np.argsort(seller, kind="stable")
        s_sorted, q_sorted = seller[order], qty[order]
        first = np.concatenate([[True], s_sorted[1:] != s_sorted[:-1]])
        c = np.cumsum(q_sorted)
        before = c - q_sorted - np.maximum.accumulate(np.where(first, c - q_sorted, 0))
        total_by = np.zeros(self.n, np.int64)
        np.add.at(total_by, seller, qty)
        owned0 = owned[order] + (total_by[s_sorted] - q_sorted) - before  # owned before the first sale
        paid0 = paid[order]
        from_u0, from_p0 = split_sale(before, owned0, paid0, self.spec.fees.sale_draws_first)
        from_u1, from_p1 = split_sale(before + q_sorted, owned0, paid0, self.spec.fees.sale_draws_first)
        from_unpaid = np.empty_like(qty)
        from_paid = np.empty_like(qty)
        from_unpaid[order] = from_u1 - from_u0
        from_paid[order] = from_p1 - from_p0
        np.subtract.at(self.paid[k], seller, from_paid)
        pay = from_unpaid > 0
        if pay.any():
            fee = back_payment_fen(from_unpaid[pay], self.base[k])
            world.accounts.pay(self.ids[seller[pay]], FISCAL, fee)
            self.year_fees["back_payment"][k] += int(fee.sum())
            world.record_charges(holder=self.ids[seller[pay]], payee=FISCAL, product=self.product[k], kind="use_fee",
                                 band=0, quantity=from_unpaid[pay], rate_ticks=self.base[k], amount_fen=fee)

    # ------------------------------------------------------------------ periods and year end
    def period_end(self, world: World, period: int) -> None:
        """Snapshots; E13 notices on the first period end at or after the notice day."""
        day_of_year = world.clock.day - world.clock.year_index * DAYS_PER_YEAR
        if not self.notice_sent and day_of_year >= self.spec.compliance.notice_day_of_year:
            self._notices(world)
        if self.holdings_every == "period":
            self._snapshot(world)

    def _notices(self, world: World) -> None:
        """E13: projects approved to emit (new, major and strategic projects, whose permit must be bought on
        the market, E4) that still hold less than their permitted quantity are told to complete the trade by
        the year end: a ``notice`` line in ``charges`` (payee the government, amount 0, quantity the missing
        rights, kg). They trade in every session for the rest of the year."""
        self.notice_sent = True
        project = (self.kind != KIND["existing"]) & (self.status == ACTIVE)
        for k in range(self.P):
            short = np.where(project & self.has[k], self.permit[k] - self.held(world, k), 0)
            who = np.nonzero(short > 0)[0]
            if not who.size:
                continue
            self.noticed[k, who] = True
            world.record_charges(holder=self.ids[who], payee=GOVERNMENT, product=self.product[k], kind="notice",
                                 band=0, quantity=short[who], rate_ticks=0, amount_fen=np.zeros(who.size, np.int64))

    def _snapshot(self, world: World) -> None:
        acc = world.accounts
        ids = np.concatenate([self.ids, [RES]])
        for product in self.product:
            q = acc.of(product, ids)
            nz = q != 0
            world.tables["holdings"].append(time=world.clock.day, year=world.clock.year, holder=ids[nz],
                                            product=product, quantity=q[nz])

    def year_end(self, world: World) -> None:
        """Compliance (E12), carbon surrender (E14), ends of leases and loans (E10), renewal at the term end
        (E5), KPIs."""
        year = world.clock.year
        outcomes = [self._comply(world, k) for k in range(self.P)]
        carbon = self._surrender(world) if self.carbon_on else None
        self._end_leases(world, lambda lease: lease["end"] <= year)
        self._end_loans(world, lambda loan: loan["end"] <= year)
        renewed = year == self.term_end
        self._kpis(world, outcomes, carbon, renewed)  # before the renewal: this term's paid / unpaid rights
        if renewed:
            self._renew(world)
        if self.holdings_every == "year":
            self._snapshot(world)

    def _comply(self, world: World, k: int) -> dict:
        """E12: each emitting unit abates or violates (:func:`~rights_market.rules.emission.comply`); a
        violator pays the fixed fine plus the rate on its excess emission to the fiscal account (``penalty``)."""
        c = self.spec.compliance
        who = np.nonzero((self.status == ACTIVE) & self.has[k])[0]
        held = self.held(world, k)[who]
        out = comply(self.curves[k].take(who), self.E[k, who], held, yuan_to_fen(c.penalty_fixed_yuan),
                     yuan_per_t_to_ticks(c.penalty_yuan_per_t))
        bad = np.nonzero(out.excess > 0)[0]
        if bad.size:
            world.accounts.pay(self.ids[who[bad]], FISCAL, out.penalty_fen[bad])
            world.record_charges(holder=self.ids[who[bad]], payee=FISCAL, product=self.product[k], kind="penalty",
                                 band=0, quantity=out.excess[bad], rate_ticks=yuan_per_t_to_ticks(c.penalty_yuan_per_t),
                                 amount_fen=out.penalty_fen[bad])
        unabated = int(self.E[k, who].sum())
        return {"unabated": unabated, "abatement": int(out.abatement.sum()),
                "emissions": unabated - int(out.abatement.sum()), "cost": float(out.cost_yuan.sum()),
                "excess": int(out.excess.sum()), "violators": int(bad.size), "penalty": int(out.penalty_fen.sum())}

    def _surrender(self, world: World) -> dict:
        """E14: key emitters abate or fall short, surrender allowances equal to their emission (retired to
        ``consumed``) and pay the fine (reference price × multiple per t) on any shortfall; unused allowances
        are banked or, without banking, expire."""
        k = self.P
        c = self.spec.carbon
        rate = self._carbon_fine()
        who = np.nonzero((self.status == ACTIVE) & self.has[k])[0]
        held = self.held(world, k)[who]
        out = comply(self.curves[k].take(who), self.E[k, who], held, 0, rate)
        emissions = self.E[k, who] - out.abatement
        surrendered = np.minimum(emissions, held)
        world.accounts.move(self.product[k], self.ids[who], CONSUMED, surrendered)
        bad = np.nonzero(out.excess > 0)[0]
        if bad.size:
            world.accounts.pay(self.ids[who[bad]], FISCAL, out.penalty_fen[bad])
            world.record_charges(holder=self.ids[who[bad]], payee=FISCAL, product=self.product[k], kind="penalty",
                                 band=0, quantity=out.excess[bad], rate_ticks=rate, amount_fen=out.penalty_fen[bad])
        if not c.banking:
            left = self.held(world, k)
            world.accounts.move(self.product[k], self.ids, ISSUER, left)
        return {"allocated": self.carbon_allocated, "emissions": int(emissions.sum()),
                "surrendered": int(surrendered.sum()), "shortfall": int(out.excess.sum()),
                "compliant": int(np.sum(out.excess == 0)), "units": int(who.size), "cost": float(out.cost_yuan.sum())}

    def _renew(self, world: World) -> None:
        """E5: at the end of the validity term rights are renewed for a new term: ``renewal_keep_share`` of each
        holding is kept (the rest retired to the issuer); the use fee paid covered the term that ended, so the
        renewed rights are unpaid (after the reform period their fee falls due, E4)."""
        keep = decimal_to_rational(self.spec.renewal_keep_share)
        acc = world.accounts
        for k in range(self.P):
            own_held = self.held(world, k) - self.leased_in[k]
            owned = self.owned(world, k)
            retire = np.minimum(owned - _frac_of(owned, keep), own_held)
            if retire.sum():
                acc.move(self.product[k], self.ids, ISSUER, retire)
            stock = self.reserve_stock(world, k)
            r_retire = stock - int(_frac_of(np.array([stock]), keep)[0])
            if r_retire:
                acc.move(self.product[k], RES, ISSUER, r_retire)
                world.record_reserve(product=self.product[k], action="expire", quantity=r_retire, price_ticks=0,
                                     amount_fen=0, stock=self.reserve_stock(world, k), cash_fen=self.reserve_cash(world),
                                     reason="term end: share not renewed (E5)")
            self.paid[k] = 0
            self.pledged[k] = np.minimum(self.pledged[k], self.held(world, k) - self.leased_in[k])
        self.term_start += self.spec.validity_years
        self.term_end += self.spec.validity_years

    def _kpis(self, world: World, outcomes: list[dict], carbon: dict | None, renewed: bool) -> None:
        """Yearly indicators (docs/tables.md): per pollutant ``<metric>_<pollutant>``, then district totals."""
        kpi = world.record_kpi
        acc = world.accounts
        floor_rej = 0
        floor_trades = trades = 0
        for k, out in enumerate(outcomes):
            pid = self.pollutants[k]
            st = self.stats[k]
            held = self.held(world, k)
            owned = self.owned(world, k)
            paid = int(np.minimum(self.paid[k], owned).sum())
            rej = self.rejections.get((k, "below_floor"), 0)
            floor_rej += rej
            floor_trades += st["at_floor"]
            trades += st["count"]
            for metric, value, unit in (
                ("rights", int(held.sum()), UNIT),
                ("paid", paid, UNIT),
                ("unpaid", int(owned.sum()) - paid, UNIT),
                ("unabated", out["unabated"], UNIT),
                ("abatement", out["abatement"], UNIT),
                ("emissions", out["emissions"], UNIT),
                ("abatement_cost", out["cost"], "yuan"),
                ("excess", out["excess"], UNIT),
                ("violators", out["violators"], "1"),
                ("penalty_revenue", out["penalty"] / 100, "yuan"),
                ("traded_volume", st["volume"], UNIT),
                ("trade_count", st["count"], "1"),
                ("mean_price", st["fen"] / 100 / st["volume"] * 1000 if st["volume"] else float("nan"), "yuan/t"),
                ("base_price", int(self.base[k]) / 10, "yuan/t"),
                ("floor_rejections", rej, "1"),
                ("floor_trade_share", st["at_floor"] / st["count"] if st["count"] else float("nan"), "1"),
                ("use_fee_revenue", int(self.year_fees["use_fee"][k]) / 100, "yuan"),
                ("back_payment_revenue", int(self.year_fees["back_payment"][k]) / 100, "yuan"),
                ("reserve_stock", self.reserve_stock(world, k), UNIT),
                ("pledged", int(self.pledged[k].sum()), UNIT),
                ("leased", int(self.leased_in[k].sum()), UNIT),
                ("notices", int(self.noticed[k].sum()), "1"),
            ):
                kpi(RIGHT, f"{metric}_{pid}", value, unit)
        kpi(RIGHT, "floor_rejections", floor_rej, "1")
        kpi(RIGHT, "floor_trade_share", floor_trades / trades if trades else float("nan"), "1")
        kpi(RIGHT, "trade_count", trades, "1")
        kpi(RIGHT, "rejected_orders", sum(self.rejections.values()), "1")
        for reason in ("off_platform", "not_eligible", "pledged"):
            kpi(RIGHT, f"{reason}_rejections", sum(v for (_, r), v in self.rejections.items() if r == reason), "1")
        kpi(RIGHT, "notices", int(self.noticed[: self.P].any(axis=0).sum()), "1")
        kpi(RIGHT, "active_units", int(np.sum(self.status == ACTIVE)), "1")
        kpi(RIGHT, "closures", self.year_closures, "1")
        kpi(RIGHT, "leases", self.year_leases, "1")
        kpi(RIGHT, "mortgage_loans", self.year_new_loans[0], "1")
        kpi(RIGHT, "mortgage_credit", self.year_new_loans[1] / 100, "yuan")
        kpi(RIGHT, "renewed", 1.0 if renewed else 0.0, "1")
        # E9 收支两条线: income (sales, paid to the fiscal account) and spending (from the budget) kept apart;
        # reserve cash = budget − spending, so the gap is always 0. The tallies are read from the reserve
        # records (rights.links.reserve_tallies), so releases to X4 projects and X3 collateral count too.
        cash = self.reserve_cash(world)
        tally = reserve_tallies(world, RIGHT)
        kpi(RIGHT, "reserve_cash", cash / 100, "yuan")
        kpi(RIGHT, "reserve_budget", tally["budget"] / 100, "yuan")
        kpi(RIGHT, "reserve_spending", tally["spending"] / 100, "yuan")
        kpi(RIGHT, "reserve_income", tally["income"] / 100, "yuan")
        kpi(RIGHT, "reserve_balance_gap", (tally["budget"] - tally["spending"] - cash) / 100, "yuan")
        kpi(RIGHT, "fiscal_balance", int(acc.of("money", FISCAL)) / 100, "yuan")
        if carbon is not None:
            k = self.P
            st = self.stats[k]
            kpi(RIGHT, "carbon_allocated", carbon["allocated"], UNIT)
            kpi(RIGHT, "carbon_emissions", carbon["emissions"], UNIT)
            kpi(RIGHT, "carbon_surrendered", carbon["surrendered"], UNIT)
            kpi(RIGHT, "carbon_shortfall", carbon["shortfall"], UNIT)
            kpi(RIGHT, "carbon_compliance_rate", carbon["compliant"] / carbon["units"] if carbon["units"] else float("nan"),
                "1")
            kpi(RIGHT, "carbon_abatement_cost", carbon["cost"], "yuan")
            kpi(RIGHT, "carbon_traded_volume", st["volume"], UNIT)
            kpi(RIGHT, "carbon_mean_price", st["fen"] / 100 / st["volume"] * 1000 if st["volume"] else float("nan"),
                "yuan/t")
