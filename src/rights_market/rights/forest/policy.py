"""The mountain-forest rights market (山林权), on the generic engine. Rules F1–F10, with X1–X3.

Products:

* ``forest.ownership``, ``forest.contract``, ``forest.management`` — the three separated rights of every parcel
  (F1), in 0.01 mu. Ownership stays with the collective (``collective`` account) or the state (``government``);
  the contract right is the household's (collective land) or the forest farm's (state land); the management
  right is traded for terms (F5), transferred again, pledged (F3) and registered when the term reaches five
  years (F2). Which parcels make up a balance is in the parcel book (:mod:`.parcels`), and the run's
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

The state is declared in :mod:`.state` (:class:`~.state.ForestState`, built by :func:`.state.new_state`); the
topic modules take it: :mod:`.trading` (F4, F5), :mod:`.credit` (F3), :mod:`.afforest` (F7, F8), :mod:`.year`
(income, term ends), :mod:`.farm` (the farm's steps, F10), :mod:`.kpis`. This module is a thin adapter of the
engine's protocol that holds the state and calls them.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ...engine.world import World
from ...ledger import COLLECTIVE, GOVERNMENT
from ...scenario.forest import ForestSpec
from ...units import yuan_to_fen
from ..shared.pledges import pledge_product
from ..shared.reserves import fund_reserve
from . import credit, kpis, trading, year
from . import farm as farm_steps
from .afforest import ENERGY, LAND_QUOTA, auction_surplus, run_energy_lots, run_land_lots, use_energy
from .parcels import CONTRACT, MANAGEMENT, OWNERSHIP, RIGHT
from .state import YEAR_STATS, ForestState, new_state, record_holders


class ForestPolicy:
    """Rules F1–F10 (and X1–X3 for forest rights): the engine's hooks over a :class:`~.state.ForestState`."""

    right = RIGHT

    def __init__(self, spec: ForestSpec, holdings_every: str = "period", external_products: Iterable[str] = ()):
        self.spec = spec
        self.holdings_every = holdings_every
        self.external = set(external_products)
        self.state: ForestState | None = None

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
        self.state = st = new_state(self.spec, self.holdings_every, self.external, world, first_holder)
        record_holders(st, world)

    # ------------------------------------------------------------------ year start
    def year_start(self, world: World) -> None:
        st = self.state
        s = st.spec
        st.stats = dict.fromkeys(YEAR_STATS, 0)
        st.farm_year = fy = farm_steps.FarmYear()
        if s.reserve.enabled:
            fund_reserve(world, RIGHT, MANAGEMENT, yuan_to_fen(s.reserve.budget_yuan_per_year), "yearly budget (X2)")
        fy.incorporated_cmu = farm_steps.incorporate(st.book, world, s.zones, st.farm, st.incorporated)
        farm_steps.pay_budget(st.book, world, s.farm, st.farm, fy)
        farm_steps.collect_own_revenue(st.book, world, s.funds, st.farm, fy)
        year.pay_income(st, world)
        st.insured = credit.charge_premiums(st, world)
        credit.new_pledges(st, world)
        run_energy_lots(st, world)
        run_land_lots(st, world)
        st.plantable = farm_steps.plant(st.book, world, s.farm, st.farm, st.plantable, fy,
                                        world.rng.stream("forest.planting"))

    # ------------------------------------------------------------------ sessions
    def session(self, world: World) -> None:
        trading.session(self.state, world)
        n = world.calendar.sessions_per_year
        if world.clock.session % n == n // 2:
            auction_surplus(self.state, world)

    # ------------------------------------------------------------------ periods and year end
    def period_end(self, world: World, period: int) -> None:
        if self.holdings_every == "period":
            self._snapshot(world)

    def _snapshot(self, world: World) -> None:
        st = self.state
        ids = np.concatenate([[st.farm], st.private_ids, [GOVERNMENT, COLLECTIVE, st.reserve]]).astype(np.int64)
        for product in self.products():
            q = world.accounts.of(product, ids)
            nz = q != 0
            world.tables["holdings"].append(time=world.clock.day, year=world.clock.year, holder=ids[nz],
                                            product=product, quantity=q[nz])

    def year_end(self, world: World) -> None:
        st = self.state
        used, unmet = use_energy(st, world)
        credit.pay_interest(st, world)
        credit.settle_maturities(st, world)
        year.revert_terms(st, world)
        rate = farm_steps.grow(st.book, st.spec.farm.growth, world.rng.stream("forest.growth"))
        credit.insurance_losses(st, world, st.insured)
        farm_steps.spend_maintenance(st.book, world, st.spec.farm, st.farm, st.farm_year)
        kpis.record(st, world, used, unmet, rate)
        if self.holdings_every == "year":
            self._snapshot(world)
        st.book.check(world)  # rule F1: the parcel book and the ledger agree, every year

    def check(self, world: World) -> None:
        """Rule F1: the parcel book and the ledger agree (see :meth:`ParcelBook.check`)."""
        self.state.book.check(world)
