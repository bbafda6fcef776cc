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
pure functions of :mod:`rights_market.rules.emission`. The work is split by topic, each module a set of
functions taking the policy:

* :mod:`.emission_units` — constants, unit conversions, the units and their initial rights (E2), entry and
  growth, abatement cost curves;
* :mod:`.emission_trading` — orders, platform checks, listing / CDA / call sessions, off-platform attempts and
  settlement (E3, E6, E7, E9);
* :mod:`.emission_reserve` — the reserve's budget, buy-back, releases, directed purchases and closures (E4, E8,
  E9);
* :mod:`.emission_fees` — use fees, back payments and renewal at the term end (E4, E5);
* :mod:`.emission_finance` — leases and mortgages (E10);
* :mod:`.emission_compliance` — notices, compliance and penalties, carbon allocation and surrender (E12–E14);
* :mod:`.emission_kpis` — the yearly KPIs;
* this module — the policy: its state, the calendar hooks and the queries and records the topic modules share.
"""

from __future__ import annotations

import numpy as np

from ...engine.calendar import DAYS_PER_YEAR
from ...engine.world import World
from ...rules.emission import BUY
from ...scenario.emission import CARBON, EmissionSpec
from ...scenario.model import Markup
from ...units import decimal_to_rational
from ..shared.pledges import pledge_product, pledged_quantity
from . import compliance, fees, finance, kpis, products, reserve, trading
from .products import RES, RIGHT, t_to_kg, yuan_per_t_to_ticks


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
                            + ([compliance.carbon_fine_ticks(spec)] if self.carbon_on else []),
                            dtype=np.int64)

        self.session_no = 0
        self.listing_pool: dict | None = None

    # ------------------------------------------------------------------ RightPolicy
    def notes(self) -> list[str]:
        """Notes for the run's manifest about what this right did to the input."""
        return []

    def products(self) -> list[str]:
        """The rights, and with E10 mortgages (a group with ``mortgage_rate_per_year`` > 0) the encumbrance
        ``<pollutant product>.pledged`` of each pollutant (X3: the ledger's products are fixed at set-up)."""
        mortgaged = any(g.mortgage_rate_per_year > 0 for g in self.spec.groups)
        return list(self.product) + ([pledge_product(p) for p in self.product[: self.P]] if mortgaged else [])

    def holder_count(self) -> int:
        return sum(g.count for g in self.spec.groups)

    def setup(self, world: World, first_holder: int) -> None:
        """Create the units, issue initial rights = permitted emission to existing units (E2), stock the
        reserve, record ``holders``."""
        spec = self.spec
        products.make_units(self, world, first_holder)
        products.issue_initial_rights(self, world)
        self.term_start = spec.first_term_start_year or self.start_year
        self.term_end = self.term_start + spec.validity_years - 1
        products.record_holders(self, world)
        self.behaviours = [(idx, g.behaviour.type, g.behaviour.markup if isinstance(g.behaviour, Markup) else 0.0)
                           for idx, g in zip(self.group_idx, spec.groups, strict=True)]
        eligible_kinds = [products.KIND[k] for k in spec.reserve.release.eligible_kinds]
        self.release_ok = np.isin(self.kind, eligible_kinds)
        self.reset_year()

    # ------------------------------------------------------------------ queries and records shared by the topics
    def local_index(self, ids: np.ndarray) -> np.ndarray:
        """Index into the unit arrays of each account id (−1 for accounts that are not units)."""
        return np.where(ids >= 0, ids - self.first, -1)

    def held(self, world: World, k: int) -> np.ndarray:
        """Rights (or allowances) each unit holds now, kg."""
        return world.accounts.of(self.product[k], self.ids)

    def owned(self, world: World, k: int) -> np.ndarray:
        """Rights each unit owns (held − leased in + leased out), kg; ``paid`` of them are paid (E5)."""
        return self.held(world, k) - self.leased_in[k] + self.leased_out[k]

    def free(self, world: World, k: int) -> np.ndarray:
        """Rights each unit may sell, lease out or pledge, kg: held − leased in − pledged, the encumbrance
        ``<product>.pledged`` of the ledger holding its E10 mortgages and the X3 pledges of the links alike."""
        return self.held(world, k) - self.leased_in[k] - pledged_quantity(world.accounts, self.product[k], self.ids)

    def reserve_stock(self, world: World, k: int) -> int:
        """Rights of product ``k`` the reserve holds now, kg."""
        return int(world.accounts.of(self.product[k], RES))

    def reserve_cash(self, world: World) -> int:
        """The reserve's money now, fen."""
        return int(world.accounts.of("money", RES))

    def reject(self, world: World, k: int, trader, side, quantity, price, reason) -> None:
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

    def reset_year(self) -> None:
        """Clear the yearly counters of the KPIs, the notices and the reserve's buy-back tally."""
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

    # ------------------------------------------------------------------ hooks
    def year_start(self, world: World) -> None:
        """Entry, growth, closures (E9), use fees (E4), reserve budget (E8), carbon allocation (E14), leases
        and mortgages (E10)."""
        year = world.clock.year
        self.reset_year()
        products.enter(self, year)
        if year > self.start_year:
            products.grow(self, world)
            reserve.closures(self, world)
        products.update_emission(self)
        fees.use_fees(self, world)
        reserve.budget(self, world)
        if self.carbon_on:
            compliance.allocate_carbon(self, world)
        finance.lease_rents(self, world)
        if self.spec.lease.enabled:
            finance.lease_round(self, world)
        finance.mortgages(self, world)

    def session(self, world: World) -> None:
        """One platform session (E3, E6, E7, E8, E10): units' orders, reserve buy-back and releases, directed
        purchases of major projects, off-platform attempts; carbon allowances trade too (E14)."""
        n_session = self.session_no
        self.session_no += 1
        spec = self.spec
        if n_session % spec.market.trade_every_sessions:
            return
        rng = world.rng.stream("emission.orders")
        trade_round = n_session // spec.market.trade_every_sessions
        release_round = spec.reserve.enabled and trade_round % spec.reserve.release.every_sessions == 0
        for k in range(self.P):
            if release_round:
                reserve.directed(self, world, k)
                reserve.release(self, world, k)
            self.platform(world, k, rng)
            trading.off_platform(self, world, k)
        if self.carbon_on and spec.carbon.trade:
            self.platform(world, self.P, rng)

    def platform(self, world: World, k: int, rng: np.random.Generator) -> None:
        """E6: the session's platform trading of product ``k``: the units' orders, screened (E3, E10); the
        reserve's buy-back (E8, pollutants only); the rest to the scenario's mechanism."""
        sched, price = trading.order_schedule(self, world, k, rng)
        ok = trading.screen(self, world, k, sched, price)
        sched, price = sched.select(ok), price[ok]
        if k < self.P:
            sched, price = reserve.buy_back(self, world, k, sched, price, rng)
        trading.match(self, world, k, sched, price, rng)

    def period_end(self, world: World, period: int) -> None:
        """Snapshots; E13 notices on the first period end at or after the notice day."""
        day_of_year = world.clock.day - world.clock.year_index * DAYS_PER_YEAR
        if not self.notice_sent and day_of_year >= self.spec.compliance.notice_day_of_year:
            compliance.notices(self, world)
        if self.holdings_every == "period":
            self.snapshot(world)

    def snapshot(self, world: World) -> None:
        """``holdings`` rows of every product for the units and the reserve (non-zero quantities)."""
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
        outcomes = [compliance.comply(self, world, k) for k in range(self.P)]
        carbon = compliance.surrender(self, world) if self.carbon_on else None
        finance.end_leases(self, world, lambda lease: lease["end"] <= year)
        finance.end_loans(self, world, lambda loan: loan["end"] <= year)
        renewed = year == self.term_end
        kpis.record(self, world, outcomes, carbon, renewed)  # before the renewal: this term's paid/unpaid
        if renewed:
            fees.renew(self, world)
        if self.holdings_every == "year":
            self.snapshot(world)
