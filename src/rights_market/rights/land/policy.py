"""The land-rights market (土地权) on the generic engine: rules L1–L17 of docs/rules.md.

Products, all in m² (reported in mu too: 1 mu = 10000/15 m²): the use-level rights of parcels
(``land.management``, ``land.homestead``, ``land.collective_construction``, ``land.state_construction``,
``land.wasteland``), the contract right ``land.contract`` and the new cultivated-land quota
``land.farmland_quota`` (see :mod:`.parcels`). Parcels are columns; holders are columns; no process per
holder or parcel. The state is declared in :mod:`.state` (:class:`~.state.LandState`, built by
:func:`.setup.new_state`); the work is split by topic, each module a set of functions taking the state:

* :mod:`.rural` — circulation of management rights with first refusal, collective construction land
  entering the market, idle homestead leases (rules L7, L10);
* :mod:`.state_land` — the primary market of state construction land by tender, auction or listing, supply
  modes, mixed use, grades, the secondary market and price monitoring (rules L11–L14, L16);
* :mod:`.industry` — firms' yearly demand for land, grading, idle land and the reserve's buyback of
  government-caused idle land, pre-registration, zombie firms, redevelopment (rules L4–L6, L11, L14, L15);
* :mod:`.restore` — use control and planning quotas, restoration and wasteland contracts, the quota
  market (rules L1, L2, L8, L9);
* :mod:`.setup` — the state at set-up: holders and parcels with their confirmed rights (rule L3);
* :mod:`.kpis` — the yearly KPIs, construction land per GDP against the targets (rule L17);
* :mod:`.sync` — parcels follow land rights that other modules move through the ledger (X3, X4);
* :mod:`.books` — settlement of trades, charges, refusals, leases and rents, conversions;
* this module — the policy: a thin adapter of the engine's protocol that holds the state and calls the topics,
  with the end of terms and the check that the ledger and the parcels agree.

Money: sale prices are paid at the trade. Leases and circulations (``lease_years`` > 0, ``price_basis``
``rent``) are recorded as one trade whose price is the yearly rent per m² and whose amount is one year's rent;
the money moves as one ``rent`` (or ``dividend`` for share-holding, 入股) charge per year, the first at the
trade. Price monitoring (rule L16) sets ``price_flag`` (``low`` or ``high``) of a trade more than the band off
its benchmark and counts flags in the KPIs. ``relation`` is only ``<seller kind>-><buyer kind>``; how the deal
was made (primary sale, subcontract, secondary pre-registration, ...) is in ``deal``.

Pledges (X3, :mod:`.links`): no holder sells or leases out more of a land product than it holds free of pledges
(``<product>.pledged``). Parcels change hands whole, so a parcel larger than its holder's free quantity is
refused (reason ``pledged``) and stays; smaller ones — other parcels, the lots of a split parcel (L5) — go
ahead until the free quantity is used up. Quota asks are cut to the free quantity, the rest refused.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from ...engine.world import World
from ...ledger import COLLECTIVE, ECONOMY, FISCAL, GOVERNMENT, ISSUER, ConservationError
from ...scenario.land import LandSpec
from ...units import decimal_to_rational, yuan_to_fen
from ..shared.reserves import RESERVES
from . import books, industry, kpis, restore, rural, setup, state_land, sync
from .parcels import PRODUCTS, STATE_P, UNIT, USE_PRODUCT
from .state import LandState, layout_of

RIGHT = "land"
LAND_RESERVE = RESERVES["land"]


class LandPolicy:
    """Rules L1–L17: the engine's hooks over a :class:`~.state.LandState` (built at set-up)."""

    right = RIGHT

    def __init__(self, spec: LandSpec, holdings_every: str = "period"):
        self.spec = spec
        self.holdings_every = holdings_every
        self.state: LandState | None = None

    def notes(self) -> list[str]:
        """Notes for the run's manifest about what this right did to the input."""
        return []

    def products(self) -> list[str]:
        return list(PRODUCTS)

    def holder_count(self) -> int:
        return sum(layout_of(self.spec).values())

    # ------------------------------------------------------------------ setup (rule L3)
    def setup(self, world: World, first_holder: int) -> None:
        """Create holders and parcels, and confirm the rights of every parcel (rule L3): contract land of
        the households (second-round contracts extended by 30 years), homesteads, collective construction
        land, state industrial land of firms, the land reserve's stock, and state wasteland."""
        self.state = st = setup.new_state(self.spec, self.holdings_every, world, first_holder)
        setup.record_holders(st, world)
        setup.issue(st, world)
        industry.produce_and_grade(st, world, initial=True)
        setup.baselines(st)
        self.check_consistency(world)

    # ------------------------------------------------------------------ hooks
    def year_start(self, world: World) -> None:
        """Budget, rents of running leases, conversions (L1, L2), the supply plan (L11), restorations and
        wasteland contracts (L8, L9)."""
        st = self.state
        st.stats = defaultdict(int)
        sync.sync_external(st, world)
        budget = yuan_to_fen(st.spec.supply.reserve_budget_yuan_per_year)
        if budget:
            world.accounts.pay(FISCAL, LAND_RESERVE, budget)
            books.reserve_record(st, world, STATE_P, "budget", 0, 0, budget, "yearly budget (X2)")
        p = st.parcels
        year = world.clock.year
        due = np.flatnonzero(p.active & (p.user_until >= year) & (p.rent_kind > 0) & (p.user != p.holder))
        books.pay_rent(st, world, due)
        restore.conversions(st, world)
        industry.renew_demand(st, world)
        state_land.plan_supply(st, world)
        restore.start_restorations(st, world)

    def session(self, world: World) -> None:
        """A land session: circulation and leases (L7, L10), collective land (L10), the primary lots of the
        supply plan (L11–L14), the secondary market (L4, L5, L11, L16) and the quota market (L8)."""
        st = self.state
        k, n = st.land_sessions(world)
        if k < 0:
            return
        sync.sync_external(st, world)
        rural.circulate(st, world, n)
        rural.lease_homesteads(st, world, n)
        rural.collective_entry(st, world, n)
        state_land.sell_lots(st, world, k)
        state_land.secondary(st, world, k)
        restore.quota_market(st, world, n)

    def period_end(self, world: World, period: int) -> None:
        st = self.state
        if st.holdings_every == "period":
            self.snapshot(world)

    def year_end(self, world: World) -> None:
        """Investment, output and grades (L5, L14), idle land (L4), zombie firms (L6), redevelopment (L15),
        transitions (L4), restorations (L8, L9), lease-then-sell (L13), terms, then the KPIs (L17)."""
        st = self.state
        sync.sync_external(st, world)
        industry.invest(st, world)
        industry.produce_and_grade(st, world)
        industry.idle_land(st, world)
        industry.gov_idle_buyback(st, world)
        industry.zombies(st, world)
        industry.redevelop(st, world)
        industry.transitions(st, world)
        restore.complete_restorations(st, world)
        state_land.lease_then_sell(st, world)
        self._expire(world)
        industry.queue_sales(st, world)
        self._remit(world)
        state_land.close_supply_year(st)
        kpis.record(st, world)
        self.check_consistency(world)
        g = decimal_to_rational(st.spec.economy.other_gdp_growth_share_per_year)
        st.other_gdp = st.other_gdp * (g.denominator + g.numerator) // g.denominator
        if st.holdings_every == "year":
            self.snapshot(world)

    def _remit(self, world: World) -> None:
        """X2 with L11: after the year's purchases the land reserve pays its cash above
        ``reserve_cash_keep_yuan`` (its working balance for next year's buybacks, preemptions and conversions) to
        the fiscal account: land sale revenue belongs to the local government fund budget (国办发〔2006〕100号:
        土地出让收支全额纳入地方基金预算管理), so the reserve's cash does not pile up with sale proceeds."""
        st = self.state
        keep = st.spec.supply.reserve_cash_keep_yuan
        if keep is None:
            return
        extra = int(world.accounts.of("money", LAND_RESERVE)) - yuan_to_fen(keep)
        if extra > 0:
            world.accounts.pay(LAND_RESERVE, FISCAL, extra)
            books.reserve_record(st, world, STATE_P, "remit", 0, 0, extra,
                                 "cash above the working balance to the fiscal account (国办发〔2006〕100号)")
            st.stats["reserve_remitted_fen"] += extra

    def _expire(self, world: World) -> None:
        """Leases end after their last year (the use-level right returns to the holder); rights whose term
        ends return to the owner (collective, government or land reserve)."""
        st = self.state
        p, acc, year = st.parcels, world.accounts, world.clock.year
        ending = np.flatnonzero(p.active & (p.user_until == year) & (p.user != p.holder))
        for i in ending.tolist():
            acc.move(USE_PRODUCT[int(p.cls[i])], int(p.user[i]), int(p.holder[i]), int(p.area[i]))
            p.user[i] = p.holder[i]
            p.user_until[i], p.rent_ticks[i], p.rent_kind[i] = -1, 0, 0
            st.stats["leases_ended"] += 1
        p.user_until[p.active & (p.user_until == year)] = -1
        over = np.flatnonzero(p.active & (p.term_end == year) & (p.holder != p.owner))
        for i in over.tolist():
            if p.has_contract()[i]:
                continue  # contract land: renewed (长久不变, rule L3)
            acc.move(USE_PRODUCT[int(p.cls[i])], int(p.user[i]), int(p.owner[i]), int(p.area[i]))
            p.holder[i] = p.user[i] = p.owner[i]
            p.term_end[i] = 9999
            st.stats["terms_ended"] += 1

    def check_consistency(self, world: World) -> None:
        """Raise :class:`~rights_market.ledger.ConservationError` unless the ledger holds exactly what the
        parcels say — each land product (but the quota) per account equals the area of the parcels whose use
        right (contract right) that account holds — and the active parcels still cover the initial total area
        (splits and conversions change pieces and classes, never the land). Runs at setup and every year end."""
        st = self.state
        acc = world.accounts
        ids = acc.ids()
        for prod, (holders, areas) in st.parcels.holdings().items():
            want = np.zeros(ids.size, dtype=np.int64)
            np.add.at(want, acc.idx(holders), areas)
            have = acc.balance[acc.index[prod]]
            keep = ids != ISSUER
            if not np.array_equal(have[keep], want[keep]):
                bad = ids[keep][have[keep] != want[keep]][:5].tolist()
                raise ConservationError(f"{prod}: ledger and parcels disagree for accounts {bad}")
        area = int(st.parcels.area[st.parcels.active].sum())
        if area != st.total_area:
            raise ConservationError(f"land area changed: {area} m² of parcels, {st.total_area} at the start")

    def snapshot(self, world: World) -> None:
        st = self.state
        acc = world.accounts
        ids = np.concatenate([np.arange(st.first, st.first + st.n_local, dtype=np.int64),
                              np.array([LAND_RESERVE, GOVERNMENT, COLLECTIVE, ECONOMY], dtype=np.int64)])
        for product in PRODUCTS:
            q = acc.of(product, ids)
            nz = q != 0
            if nz.any():
                world.tables["holdings"].append(time=world.clock.day, year=world.clock.year, holder=ids[nz],
                                                product=product, quantity=q[nz])

__all__ = ["LandPolicy", "LAND_RESERVE", "RIGHT", "UNIT"]
