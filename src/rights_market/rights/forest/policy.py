"""The mountain-forest rights market (山林权), on the generic engine. Rules F1–F10, with X1–X3.

Products:

* ``forest.ownership``, ``forest.contract``, ``forest.management`` — the three separated rights of every parcel
  (F1), in 0.01 mu. Ownership stays with the collective (``collective`` account) or the state (``government``);
  the contract right is the household's (collective land) or the forest farm's (state land); the management
  right is traded for terms (F5), transferred again, pledged (F3) and registered when the term reaches five
  years (F2). Which parcels make up a balance is in the parcel book (:mod:`.forest_parcels`), and the run's
  ``registry`` table holds every confirmation, transfer, registration, pledge and reversion;
* ``forest.management.pledged`` — the encumbrance of pledged management rights (X3, :mod:`.links`);
* ``forest.energy_quota`` — energy-use quota in kgce earned by afforestation investment (F8), used or sold;
* ``land.construction_quota`` — construction-land quota in m² earned by afforestation (F7), unless the land
  market declares it.

The year: the forest reserve (X2) receives its budget; state areas enter the farm (F10); the fiscal account
pays the farm's maintenance budget (F10); concessions and under-forest leases pay the farm (F6); insurance
premiums and new mortgage loans (F3); the afforestation lots of energy and land for forest are offered to firms
(F8, F7); the farm plants (F10). Every session management rights come to the trading centre and change hands by
negotiation, listing with bidding or directed transfer, priced from the value assessment (F4, F5); mid-year
firms auction surplus energy quota (F8). The year end: energy use, interest and loan maturities (F3), terms
that end revert to the contract holder, growth of the growing stock (F10), insurance losses, maintenance
spending and the gap (F10, F6), forest cover (F9) and the KPIs. State is columnar; no process per holder.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

import numpy as np

from ...engine.world import World
from ...ledger import COLLECTIVE, ECONOMY, FISCAL, GOVERNMENT
from ...rules.forest import Appraisal, AppraisalModel, mu_to_cmu, split_area, stock_dm3, term_value_ticks
from ...scenario.forest import ForestSpec
from ...units import decimal_to_rational, yuan_to_fen
from ..shared.pledges import pledge_product
from ..shared.records import record_charge
from ..shared.reserves import RESERVES
from . import credit, trading
from . import farm as farm_steps
from .afforest import (
    ENERGY,
    LAND_QUOTA,
    auction_surplus,
    run_energy_lots,
    run_land_lots,
    use_energy,
    value_ticks_per_kg,
    value_ticks_per_m2,
)
from .parcels import (
    CONTRACT,
    HOUSEHOLD,
    MANAGEMENT,
    NO_TERM,
    OWNERSHIP,
    RIGHT,
    ZONE,
    ParcelBook,
)

_YEAR_STATS = ("transfers", "transferred_cmu", "transfer_fen", "registrations", "pledges", "defaults", "losses",
               "energy_issued", "energy_investment_fen", "land_issued")


class ForestPolicy:
    """Rules F1–F10 (and X1–X3 for forest rights) over a columnar parcel book."""

    right = RIGHT

    def __init__(self, spec: ForestSpec, holdings_every: str = "period", external_products: Iterable[str] = ()):
        self.spec = spec
        self.holdings_every = holdings_every
        self.external = set(external_products)
        self.appraisal = AppraisalModel.from_spec(spec.valuation)
        self.stats: dict[str, int] = dict.fromkeys(_YEAR_STATS, 0)
        self.farm_year = farm_steps.FarmYear()
        self.insured = np.zeros(0, dtype=np.int64)
        self.incorporated: dict[int, int] = {}
        self.reserve = RESERVES[RIGHT]

    # ------------------------------------------------------------------ RightPolicy
    def notes(self) -> list[str]:
        """Notes for the run's manifest about what this right did to the input."""
        return []

    def products(self) -> list[str]:
        out = [OWNERSHIP, CONTRACT, MANAGEMENT, pledge_product(MANAGEMENT), ENERGY]
        return out if LAND_QUOTA in self.external else [*out, LAND_QUOTA]

    def holder_count(self) -> int:
        s = self.spec
        return 1 + s.households.count + s.operators.count + s.firms.count

    def setup(self, world: World, first_holder: int) -> None:
        """Holders, their drawn characteristics, and the parcels of the zones and households with their three
        rights confirmed (F1)."""
        s, rng = self.spec, world.rng.stream("forest.holders")
        self.farm = first_holder
        nh, no, nf = s.households.count, s.operators.count, s.firms.count
        self.household_ids = np.arange(first_holder + 1, first_holder + 1 + nh, dtype=np.int64)
        self.operator_ids = np.arange(self.household_ids[-1] + 1 if nh else first_holder + 1,
                                      first_holder + 1 + nh + no, dtype=np.int64)
        self.firm_ids = np.arange(first_holder + 1 + nh + no, first_holder + 1 + nh + no + nf, dtype=np.int64)
        self.private_ids = np.concatenate([self.household_ids, self.operator_ids, self.firm_ids])
        self.insurable_ids = np.concatenate([[self.farm], self.private_ids]).astype(np.int64)
        h, o, f = s.households, s.operators, s.firms

        def uni(r, n):
            return rng.uniform(r.low, r.high, size=n)

        parcel_cmu = np.maximum(np.rint(uni(h.parcel_mu, nh) * 100), 1).astype(np.int64)
        stock_pm = uni(h.stock_m3_per_mu, nh)
        self.household_value = uni(h.own_value_yuan_per_mu_year, nh)
        self.operator_value = uni(o.value_yuan_per_mu_year, no)
        self.energy_need = np.rint(uni(f.energy_need_t_per_year, nf) * 1000).astype(np.int64)
        self.energy_value_ticks = value_ticks_per_kg(uni(f.energy_value_yuan_per_t, nf))
        self.land_value_ticks = value_ticks_per_m2(uni(f.land_value_yuan_per_m2, nf))
        self.firm_quality = np.clip(np.rint(uni(f.quality_score, nf)), 0, 100).astype(np.int64)
        self.book = book = ParcelBook()
        start = world.calendar.start_year
        for zi, z in enumerate(s.zones):
            areas = split_area(mu_to_cmu(z.area_mu), mu_to_cmu(z.parcel_mu))
            owner = GOVERNMENT if z.ownership == "state" else COLLECTIVE
            holder = self.farm if z.manager == "forest_farm" else owner
            book.add(world, area=areas, owner=owner, contract=holder, manager=holder,
                     stock=stock_dm3(areas, z.stock_m3_per_mu), origin=ZONE, zone=zi,
                     budget_from=start if (z.in_budget and holder == self.farm) else None,
                     base_area=holder == self.farm and not z.in_budget, note=z.name)
        if nh:
            stock = np.floor(parcel_cmu * stock_pm * 10).astype(np.int64)  # m³/mu on cmu → dm³
            for k in range(nh):
                book.add(world, area=parcel_cmu[k : k + 1], owner=COLLECTIVE, contract=int(self.household_ids[k]),
                         manager=int(self.household_ids[k]), stock=stock[k : k + 1], origin=HOUSEHOLD,
                         note="household contract")
        self.plantable = mu_to_cmu(s.farm.plantable_mu)
        self.other_forest = mu_to_cmu(s.cover.other_forest_mu)
        ids = np.concatenate([[self.farm], self.private_ids]).astype(np.int64)
        groups = ["forest_farm"] + ["forest_households"] * nh + ["forest_operators"] * no + ["forest_firms"] * nf
        sectors = ["state_forest_farm"] + ["agriculture"] * nh + ["forestry"] * no + ["industry"] * nf
        names = (["helan_forest_farm"] + [f"forest_household-{i + 1}" for i in range(nh)]
                 + [f"forest_operator-{i + 1}" for i in range(no)] + [f"forest_firm-{i + 1}" for i in range(nf)])
        world.tables["holders"].append(holder=ids, name=np.array(names, dtype=object),
                                       group=np.array(groups, dtype=object), sector=np.array(sectors, dtype=object),
                                       right=RIGHT)

    # ------------------------------------------------------------------ helpers used by the step modules
    def stock_per_mu(self, parcel: int) -> Fraction:
        """Growing stock of a parcel in m³ per mu (exact)."""
        return Fraction(int(self.book.stock[parcel]), int(self.book.area[parcel]) * 10)

    def reservation_ticks(self, seller: int, term: int, appr: Appraisal) -> int:
        """What the seller wants at least for a right of ``term`` years, ticks per 0.01 mu: a household or an
        operator its own income over the term; the farm, a firm or the reserve the appraisal (F4)."""
        if seller in self._household_pos:
            v = self.household_value[self._household_pos[seller]]
        elif seller in self._operator_pos:
            v = self.operator_value[self._operator_pos[seller]]
        else:
            return appr.start_ticks_per_cmu
        return int(term_value_ticks(np.array([v]), self.appraisal.rate, term)[0])

    def kind_of(self, account: int) -> str:
        """Kind of a trading party for the trades' ``relation`` column."""
        if account == self.farm:
            return "forest_farm"
        if account in self._household_pos:
            return "household"
        if account in self._operator_pos:
            return "operator"
        if account == self.reserve:
            return "reserve"
        if account == GOVERNMENT:
            return "government"
        if account == COLLECTIVE:
            return "collective"
        return "firm"

    @property
    def _household_pos(self) -> dict[int, int]:
        return {int(a): i for i, a in enumerate(self.household_ids)}

    @property
    def _operator_pos(self) -> dict[int, int]:
        return {int(a): i for i, a in enumerate(self.operator_ids)}

    # ------------------------------------------------------------------ year start
    def year_start(self, world: World) -> None:
        s = self.spec
        self.stats = dict.fromkeys(_YEAR_STATS, 0)
        self.farm_year = fy = farm_steps.FarmYear()
        acc = world.accounts
        if s.reserve.enabled:
            budget = yuan_to_fen(s.reserve.budget_yuan_per_year)
            if budget:
                acc.pay(FISCAL, self.reserve, budget)
                world.record_reserve(product=MANAGEMENT, action="budget", quantity=0, price_ticks=0, amount_fen=budget,
                                     stock=int(acc.of(MANAGEMENT, self.reserve)),
                                     cash_fen=int(acc.of("money", self.reserve)), reason="yearly budget (X2)")
        fy.incorporated_cmu = farm_steps.incorporate(self.book, world, s.zones, self.farm, self.incorporated)
        farm_steps.pay_budget(self.book, world, s.farm, self.farm, fy)
        farm_steps.collect_own_revenue(self.book, world, s.funds, self.farm, fy)
        self._pay_income(world)
        self.insured = credit.charge_premiums(self, world)
        credit.new_pledges(self, world)
        run_energy_lots(self, world)
        run_land_lots(self, world)
        self.plantable = farm_steps.plant(self.book, world, s.farm, self.farm, self.plantable, fy,
                                          world.rng.stream("forest.planting"))

    def _pay_income(self, world: World) -> None:
        """Under-forest income of households and operators on the parcels they manage (kind ``income``)."""
        book = self.book
        m = book.col("manager")
        for ids, values in ((self.household_ids, self.household_value), (self.operator_ids, self.operator_value)):
            if not ids.size:
                continue
            area = np.zeros(ids.size, dtype=np.int64)
            mine = np.isin(m, ids)
            np.add.at(area, m[mine] - ids[0], book.col("area")[mine])
            income = np.floor(area * values).astype(np.int64)  # yuan/mu on cmu = fen
            pos = income > 0
            if pos.any():
                world.accounts.pay(ECONOMY, ids[pos], income[pos])
                record_charge(world, holder=ECONOMY, payee=ids[pos], product=MANAGEMENT, kind="income", band=0,
                                     quantity=area[pos], rate_ticks=0, amount_fen=income[pos])

    # ------------------------------------------------------------------ sessions
    def session(self, world: World) -> None:
        trading.session(self, world)
        n = world.calendar.sessions_per_year
        if world.clock.session % n == n // 2:
            auction_surplus(self, world)

    # ------------------------------------------------------------------ periods and year end
    def period_end(self, world: World, period: int) -> None:
        if self.holdings_every == "period":
            self._snapshot(world)

    def _snapshot(self, world: World) -> None:
        ids = np.concatenate([[self.farm], self.private_ids, [GOVERNMENT, COLLECTIVE, self.reserve]]).astype(np.int64)
        for product in self.products():
            q = world.accounts.of(product, ids)
            nz = q != 0
            world.tables["holdings"].append(time=world.clock.day, year=world.clock.year, holder=ids[nz],
                                            product=product, quantity=q[nz])

    def year_end(self, world: World) -> None:
        used, unmet = use_energy(self, world)
        credit.pay_interest(self, world)
        credit.settle_maturities(self, world)
        self._revert_terms(world)
        rate = farm_steps.grow(self.book, self.spec.farm.growth, world.rng.stream("forest.growth"))
        credit.insurance_losses(self, world, self.insured)
        farm_steps.spend_maintenance(self.book, world, self.spec.farm, self.farm, self.farm_year)
        self._kpis(world, used, unmet, rate)
        if self.holdings_every == "year":
            self._snapshot(world)
        self.book.check(world)  # rule F1: the parcel book and the ledger agree, every year

    def _revert_terms(self, world: World) -> None:
        """Rules F1/F5: a management term that ends this year reverts to the contract holder."""
        book = self.book
        ending = np.nonzero((book.col("term_end") == world.clock.year) & (book.col("manager") != book.col("contract")))[0]
        if ending.size:
            book.move_management(world, ending, book.contract[ending], NO_TERM, event="revert", note="term ended")
            book.registered[ending] = False
        stale = np.nonzero(book.col("term_end") == world.clock.year)[0]
        book.term_end[stale] = NO_TERM

    def check(self, world: World) -> None:
        """Rule F1: the parcel book and the ledger agree (see :meth:`ParcelBook.check`)."""
        self.book.check(world)

    def _kpis(self, world: World, used: int, unmet: int, rate: float) -> None:
        s, book, fy, st = self.spec, self.book, self.farm_year, self.stats
        k = world.record_kpi
        mine = book.managed_by(self.farm)
        k(RIGHT, "managed_area", book.area_of(mine) / 100, "mu")
        k(RIGHT, "managed_area_target", float(s.farm.targets.managed_mu), "mu")
        k(RIGHT, "growing_stock", int(book.stock[mine].sum()) / 1000, "m3")
        k(RIGHT, "growing_stock_target", float(s.farm.targets.stock_m3), "m3")
        k(RIGHT, "growing_stock_total", int(book.col("stock").sum()) / 1000, "m3")
        k(RIGHT, "growth_rate", rate, "1")
        forest_cmu, cov = farm_steps.cover(book, self.other_forest, s.cover.district_area_km2)
        target = float(decimal_to_rational(s.cover.target_share))
        k(RIGHT, "forest_area", forest_cmu / 100, "mu")
        k(RIGHT, "forest_cover", float(cov), "1")
        k(RIGHT, "forest_cover_target", target, "1")
        k(RIGHT, "forest_cover_gap", max(target - float(cov), 0.0), "1")
        for name, fen in (("maintenance_budget", fy.budget_fen), ("maintenance_need", fy.need_fen),
                          ("own_revenue", fy.own_revenue_fen), ("investment_margin", fy.investment_margin_fen),
                          ("maintenance_gap", fy.gap_fen),
                          ("maintenance_unfunded", fy.unfunded_fen), ("maintenance_spent", fy.spent_fen)):
            k(RIGHT, name, fen / 100, "yuan")
        k(RIGHT, "planted_area", fy.planted_cmu / 100, "mu")
        k(RIGHT, "survived_area", fy.survived_cmu / 100, "mu")
        k(RIGHT, "incorporated_area", fy.incorporated_cmu / 100, "mu")
        k(RIGHT, "plantable_area", self.plantable / 100, "mu")
        k(RIGHT, "trade_count", st["transfers"], "1")  # management-right transfers, each one trade (F5)
        k(RIGHT, "transferred_area", st["transferred_cmu"] / 100, "mu")
        k(RIGHT, "mean_price", st["transfer_fen"] / st["transferred_cmu"] if st["transferred_cmu"] else float("nan"),
          "yuan/mu")
        k(RIGHT, "registrations", st["registrations"], "1")
        k(RIGHT, "registered_area", int(book.col("area")[book.col("registered")].sum()) / 100, "mu")
        k(RIGHT, "pledges", st["pledges"], "1")
        k(RIGHT, "pledged_area", int(book.col("area")[book.col("pledged")].sum()) / 100, "mu")
        k(RIGHT, "loans_outstanding", int(book.col("loan_fen").sum()) / 100, "yuan")
        k(RIGHT, "defaults", st["defaults"], "1")
        k(RIGHT, "insurance_losses", st["losses"], "1")
        k(RIGHT, "energy_quota_issued", st["energy_issued"], "kgce")
        k(RIGHT, "energy_quota_used", used, "kgce")
        k(RIGHT, "energy_unmet", unmet, "kgce")
        cost = (st["energy_investment_fen"] / 100) / (st["energy_issued"] / 1000) if st["energy_issued"] else float("nan")
        k(RIGHT, "energy_quota_cost", cost, "yuan/t")
        k(RIGHT, "construction_quota_issued", st["land_issued"], "m2")
        self._value_kpis(world)
        acc = world.accounts
        k(RIGHT, "reserve_cash", int(acc.of("money", self.reserve)) / 100, "yuan")
        k(RIGHT, "reserve_area", int(acc.of(MANAGEMENT, self.reserve)) / 100, "mu")

    def _value_kpis(self, world: World) -> None:
        """Rule F4 totals over every parcel: ecological value per dimension, economic, social and timber value."""
        book, a = self.book, self.appraisal
        area_mu = book.col("area") / 100
        stock_pm = book.col("stock") / np.maximum(book.col("area") * 10, 1)
        maturity = np.minimum(stock_pm / float(a.reference_stock_m3_per_mu), 1.0)
        dims: dict[str, float] = {}
        for line, fen in a.eco_mature_fen.items():
            d = a.eco_dimension[line]
            dims[d] = dims.get(d, 0.0) + float(fen) / 100 * float(np.sum(maturity * area_mu))
        k = world.record_kpi
        for d, v in dims.items():
            k(RIGHT, f"ecological_value_{d}", v, "yuan/yr")
        k(RIGHT, "ecological_value", sum(dims.values()), "yuan/yr")
        k(RIGHT, "economic_value", float(a.under_forest_fen) / 100 * float(area_mu.sum()), "yuan/yr")
        k(RIGHT, "social_value", float(a.social_fen) / 100 * float(area_mu.sum()), "yuan/yr")
        k(RIGHT, "timber_value", float(a.timber_fen_per_m3) / 100 * int(book.col("stock").sum()) / 1000, "yuan")
