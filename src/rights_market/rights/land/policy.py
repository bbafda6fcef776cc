"""The land-rights market (土地权) on the generic engine: rules L1–L17 of RULES.md.

Products, all in m² (reported in mu too: 1 mu = 10000/15 m²): the use-level rights of parcels
(``land.management``, ``land.homestead``, ``land.collective_construction``, ``land.state_construction``,
``land.wasteland``), the contract right ``land.contract`` and the new cultivated-land quota
``land.farmland_quota`` (see :mod:`.land_parcels`). Parcels are columns; holders are columns; no process per
holder or parcel. The work is split by topic:

* :mod:`.land_rural` — circulation of management rights with first refusal, collective construction land
  entering the market, idle homestead leases (rules L7, L10);
* :mod:`.land_state` — the primary market of state construction land by tender, auction or listing, supply
  modes, mixed use, grades, the secondary market and price monitoring (rules L11–L14, L16);
* :mod:`.land_industry` — yearly grading, idle land, pre-registration, zombie firms, redevelopment (rules L4–L6,
  L14, L15);
* :mod:`.land_restore` — use control and planning quotas, restoration and wasteland contracts, the quota
  market (rules L1, L2, L8, L9);
* :mod:`.land_setup` — holders and parcels with their confirmed rights (rule L3);
* :mod:`.land_kpis` — the yearly KPIs, construction land per GDP against the targets (rule L17);
* :mod:`.land_sync` — parcels follow land rights that other modules move through the ledger (X3, X4);
* this module — the calendar hooks, settlement of trades, charges, leases and rents, the end of terms, and the
  check that the ledger and the parcels agree.

Money: sale prices are paid at the trade. Leases and circulations (``relation`` starting with ``lease``) are
recorded as one trade whose price is the yearly rent per m² and whose amount is one year's rent; the money
moves as one ``rent`` (or ``dividend`` for share-holding, 入股) charge per year, the first at the trade.
Price monitoring (rule L16) appends ``;flag=low`` or ``;flag=high`` to the ``relation`` of a trade more than
the band off its benchmark and counts flags in the KPIs.

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
from ...rules.land import (
    COMMERCIAL,
    CONSTRUCTION_CLASSES,
    GRADES,
    INDUSTRIAL,
    NEW_INDUSTRY,
    per_mu_to_per_m2_ticks,
    price_flags,
    term_price_ticks,
)
from ...scenario.land import LandSpec
from ...units import amount_fen_array, decimal_to_rational, yuan_to_fen, yuan_to_ticks
from ..shared.pledges import free_quantity
from ..shared.reserves import RESERVES
from . import industry, kpis, restore, rural, setup, state_land, sync
from .parcels import CONTRACT, DIVIDEND, PRODUCTS, RENT, STATE_P, UNIT, USE_PRODUCT

RIGHT = "land"
LAND_RESERVE = RESERVES["land"]


class LandPolicy:
    """Rules L1–L17 over columnar parcels and holders (see the module docstring)."""

    right = RIGHT

    def __init__(self, spec: LandSpec, holdings_every: str = "period"):
        self.spec = spec
        self.holdings_every = holdings_every
        b = spec.benchmarks
        self.bench = {
            INDUSTRIAL: yuan_to_ticks(b.industrial_yuan_per_m2),
            NEW_INDUSTRY: yuan_to_ticks(b.new_industry_yuan_per_m2),
            COMMERCIAL: yuan_to_ticks(b.commercial_yuan_per_m2),
        }
        self.full_term = {INDUSTRIAL: b.industrial_full_term_years, NEW_INDUSTRY: b.industrial_full_term_years,
                          COMMERCIAL: b.commercial_full_term_years}
        self.coll_bench = yuan_to_ticks(b.collective_construction_yuan_per_m2)
        self.quota_bench = yuan_to_ticks(b.farmland_quota_yuan_per_m2)
        self.circ_bench = per_mu_to_per_m2_ticks(yuan_to_ticks(b.circulation_rent_yuan_per_mu_year))
        self.home_bench = yuan_to_ticks(b.homestead_rent_yuan_per_m2_year)
        self.waste_bench = per_mu_to_per_m2_ticks(yuan_to_ticks(b.wasteland_fee_yuan_per_mu_year))
        self.expropriation = yuan_to_ticks(b.expropriation_yuan_per_m2)
        self.band = decimal_to_rational(spec.monitoring.band_share)
        self.multiplier = {GRADES.index(g): decimal_to_rational(m) for g, m in spec.grading.price_multiplier.items()}
        self.layout = self._layout()

    # ------------------------------------------------------------------ layout of holders
    def _layout(self) -> dict[str, int]:
        s = self.spec
        return {
            "household": sum(v.households for v in s.villages),
            "collective": len(s.villages),
            "village_fund": len(s.villages),
            "family_farm": s.operators.family_farms,
            "cooperative": s.operators.cooperatives,
            "firm": s.firms.firms,
            "entrant": s.firms.entrants,
            "restorer": s.restoration.restorers,
            "lessee": s.homestead_lease.lessees,
        }

    def notes(self) -> list[str]:
        """Notes for the run's manifest about what this right did to the input."""
        return []

    def products(self) -> list[str]:
        return list(PRODUCTS)

    def holder_count(self) -> int:
        return sum(self.layout.values())

    # ------------------------------------------------------------------ setup (rule L3)
    def setup(self, world: World, first_holder: int) -> None:
        """Create holders and parcels, and confirm the rights of every parcel (rule L3): contract land of
        the households (second-round contracts extended by 30 years), homesteads, collective construction
        land, state industrial land of firms, the land reserve's stock, and state wasteland."""
        setup.make_holders(self, world, first_holder)
        setup.make_parcels(self, world, world.rng.stream("land.setup"))
        setup.record_holders(self, world)
        setup.issue(self, world)
        self.stats: defaultdict[str, int] = defaultdict(int)
        self.secondary_queue: list[tuple[int, str, int]] = []
        self.lots_by_session: dict[int, list[int]] = {}
        self.lot_info: dict[int, tuple[int, str, int, bool, bool]] = {}
        self.village_used = np.zeros(len(self.spec.villages), dtype=np.int64)
        self.township_used = 0
        self.other_gdp = yuan_to_fen(self.spec.economy.other_gdp_yuan)
        industry.produce_and_grade(self, world, initial=True)
        self.initial_farmland = self.farmland_area()
        self.base_construction = self.construction_area()
        self.base_gdp = self.gdp_fen()
        self.restored_farmland = 0
        self.converted_farmland = 0
        self.total_area = int(self.parcels.area[self.parcels.active].sum())
        self.check_consistency(world)

    # ------------------------------------------------------------------ helpers used by the topic modules
    def firm_index(self, acct: int) -> int:
        """Index into the firm arrays of account ``acct`` (−1 if it is not a firm or entrant)."""
        k = int(acct) - self.first
        return int(self.firm_of[k]) if 0 <= k < self.n_local else -1

    def benchmark_ticks(self, use: int, years_left: int) -> int:
        """Rule L11/L13: benchmark price per m² of a construction use for ``years_left`` of its full term."""
        full = self.full_term[use]
        return int(term_price_ticks(self.bench[use], min(max(years_left, 0), full), full))

    def trade(self, world: World, *, product: str, mechanism: str, seller: int, buyer: int, qty: int, price: int,
              relation: str, bench: int = 0, pay: bool = True, move: bool = True) -> int:
        """Apply and record one land trade (see :meth:`trades`). Returns the fen."""
        return int(self.trades(world, product=product, mechanism=mechanism, seller=np.array([seller]),
                               buyer=np.array([buyer]), qty=np.array([qty]), price=np.array([price]),
                               relation=np.array([relation], dtype=object), bench=np.array([bench]), pay=pay,
                               move=move)[0])

    def trades(self, world: World, *, product: str, mechanism: str, seller: np.ndarray, buyer: np.ndarray,
               qty: np.ndarray, price: np.ndarray, relation: np.ndarray, bench: np.ndarray, pay: bool = True,
               move: bool = True) -> np.ndarray:
        """Apply and record land trades of one product and mechanism (arrays, one entry per trade): the rights
        ``seller → buyer`` (if ``move``), the money ``buyer → seller`` (if ``pay``); rule L16 flags each price
        more than the band off its ``bench`` (ticks per m², 0 = none) in its ``relation``. Returns the fen."""
        acc = world.accounts
        seller, buyer = np.asarray(seller, dtype=np.int64), np.asarray(buyer, dtype=np.int64)
        qty, price = np.asarray(qty, dtype=np.int64), np.asarray(price, dtype=np.int64)
        bench = np.asarray(bench, dtype=np.int64)
        amount = amount_fen_array(qty, price)
        if move:
            acc.move(product, seller, buyer, qty)
        if pay:
            acc.pay(buyer, seller, amount)
        relation = np.asarray(relation, dtype=object).copy()
        has = bench > 0
        if has.any():
            flag = np.zeros(qty.size, dtype=np.int8)
            flag[has] = price_flags(price[has], bench[has], self.band)
            relation[flag < 0] += ";flag=low"
            relation[flag > 0] += ";flag=high"
            self.stats["flags_low"] += int((flag < 0).sum())
            self.stats["flags_high"] += int((flag > 0).sum())
            self.stats["bench_trades"] += int(has.sum())
            self.stats["bench_price_ratio_ppm"] += int((price[has] * 1_000_000 // bench[has]).sum())
        world.record_trades(right=RIGHT, product=product, mechanism=mechanism, seller=seller, buyer=buyer,
                            quantity=qty, unit=UNIT, price_ticks=price, amount_fen=amount, relation=relation,
                            base_price_ticks=bench)
        self.stats["trade_count"] += int(qty.size)
        self.stats[f"trade_count_{mechanism}"] += int(qty.size)
        self.stats["traded_m2"] += int(qty.sum())
        self.stats["traded_fen"] += int(amount.sum())
        return amount

    def charge(self, world: World, payer: int, payee: int, product: str, kind: str, qty: int, rate: int,
               amount: int) -> None:
        """Pay and record one charge line (``amount`` fen, ≥ 0; nothing if 0)."""
        if amount <= 0:
            return
        world.accounts.pay(payer, payee, amount)
        world.record_charges(holder=np.array([payer]), payee=np.array([payee]), product=product, kind=kind, band=0,
                             quantity=np.array([qty]), rate_ticks=np.array([rate]), amount_fen=np.array([amount]))
        self.stats[f"charge_{kind}_fen"] += amount

    def reject(self, world: World, *, product: str, trader: int, side: str, qty: int, price: int, reason: str) -> None:
        """Record one refused order, conversion or transfer with its reason."""
        world.record_rejections(product=product, trader=np.array([trader]), side=side, quantity=np.array([qty]),
                                price_ticks=np.array([price]), reason=reason)
        self.stats[f"rejected_{reason}"] += 1
        self.stats["rejected"] += 1

    def reject_many(self, world: World, product: str, side: str, rows: list[tuple[int, int, int, str]]) -> None:
        """Record refusals ``(trader, quantity, price ticks, reason)`` of one product and side together."""
        if not rows:
            return
        trader, qty, price, reason = (list(c) for c in zip(*rows, strict=True))
        world.record_rejections(product=product, trader=np.array(trader, dtype=np.int64), side=side,
                                quantity=np.array(qty, dtype=np.int64), price_ticks=np.array(price, dtype=np.int64),
                                reason=np.array(reason, dtype=object))
        for r in reason:
            self.stats[f"rejected_{r}"] += 1
        self.stats["rejected"] += len(rows)

    def refuse_pledged(self, world: World, product: str, seller: int, qty: int, price: int, agreed: int = 0,
                       rows: list | None = None) -> bool:
        """Rule X3: refuse a sale or lease of ``qty`` m² of ``product`` by ``seller`` if it holds less than that
        free of pledges (holding − ``<product>.pledged`` − ``agreed``, the m² of its deals agreed but not yet
        applied). A refusal is recorded (reason ``pledged``) at once, or appended to ``rows`` for
        :meth:`reject_many`. Returns True if refused."""
        if int(free_quantity(world.accounts, product, seller)) - agreed >= qty:
            return False
        if rows is None:
            self.reject(world, product=product, trader=seller, side="sell", qty=qty, price=price, reason="pledged")
        else:
            rows.append((seller, qty, price, "pledged"))
        return True

    def start_lease(self, world: World, i: int, user: int, until: int, rent: int, payee: int, kind: int,
                    mechanism: str, relation: str, bench: int) -> None:
        """Lease parcel ``i`` (see :meth:`start_leases`)."""
        self.start_leases(world, np.array([i]), np.array([user]), np.array([until]), np.array([rent]),
                          np.array([payee]), np.array([kind]), mechanism, np.array([relation], dtype=object), bench)

    def start_leases(self, world: World, rows: np.ndarray, users: np.ndarray, until: np.ndarray, rent: np.ndarray,
                     payee: np.ndarray, kind: np.ndarray, mechanism: str, relation: np.ndarray, bench: int) -> None:
        """Lease the use-level rights of parcels ``rows`` (all of one product) to ``users`` until the years
        ``until`` at ``rent`` ticks per m² and year, paid to ``payee`` as ``kind`` (rent or dividend) — rules L7,
        L9, L10, L13: one trade each (price = the yearly rent), the right moves now, the first year's rent is
        paid now and the others at the following year starts."""
        p = self.parcels
        rows = np.asarray(rows, dtype=np.int64)
        if not rows.size:
            return
        prods = {USE_PRODUCT[int(c)] for c in p.cls[rows]}
        if len(prods) != 1:
            raise ValueError("start_leases takes parcels of one product")
        self.trades(world, product=prods.pop(), mechanism=mechanism, seller=p.user[rows], buyer=users,
                    qty=p.area[rows], price=rent, relation=relation, bench=np.full(rows.size, bench), pay=False)
        p.user[rows], p.user_until[rows], p.rent_ticks[rows] = users, until, rent
        p.rent_payee[rows], p.rent_kind[rows], p.acquired[rows] = payee, kind, world.clock.year
        self._pay_rent(world, rows)

    def _pay_rent(self, world: World, rows: np.ndarray) -> None:
        """One year's rent of the leased parcels ``rows``: user → payee, a ``rent`` or ``dividend`` charge each."""
        p = self.parcels
        if not rows.size:
            return
        amount = amount_fen_array(p.area[rows], p.rent_ticks[rows])
        prods = p.use_products()[rows]
        for kind_code, kind in ((DIVIDEND, "dividend"), (RENT, "rent")):
            for prod in np.unique(prods).tolist():
                m = (p.rent_kind[rows] == kind_code) & (prods == prod) & (amount > 0)
                if not m.any():
                    continue
                r = rows[m]
                world.accounts.pay(p.user[r], p.rent_payee[r], amount[m])
                world.record_charges(holder=p.user[r], payee=p.rent_payee[r], product=prod, kind=kind, band=0,
                                     quantity=p.area[r], rate_ticks=p.rent_ticks[r], amount_fen=amount[m])
                self.stats[f"charge_{kind}_fen"] += int(amount[m].sum())

    def convert(self, world: World, i: int, new_cls: int, new_user: int) -> None:
        """Change the class of parcel ``i``: its old rights return to the issuer, the new use-level right is
        issued to ``new_user`` (area conserved: the same m² change product). Used by conversions (L2) and
        restoration (L8, L9)."""
        p, acc = self.parcels, world.accounts
        a = int(p.area[i])
        if p.has_contract()[i]:
            acc.move(CONTRACT, int(p.holder[i]), ISSUER, a)
        acc.move(USE_PRODUCT[int(p.cls[i])], int(p.user[i]), ISSUER, a)
        p.cls[i] = new_cls
        acc.move(USE_PRODUCT[new_cls], ISSUER, new_user, a)
        p.user[i] = new_user

    def transfer_parcel(self, i: int, buyer: int, year: int, term_end: int | None = None) -> None:
        """Columns of a sold parcel (the ledger moved in :meth:`trade`): new holder and user since ``year``."""
        p = self.parcels
        p.holder[i] = p.user[i] = buyer
        p.acquired[i] = year
        if term_end is not None:
            p.term_end[i] = term_end

    def farmland_area(self) -> int:
        return int(self.parcels.area[self.parcels.is_farmland()].sum())

    def construction_area(self) -> int:
        p = self.parcels
        return int(p.area[p.active & np.isin(p.cls, CONSTRUCTION_CLASSES)].sum())

    def gdp_fen(self) -> int:
        """Rule L17: district GDP of the year (fen): value added of the firms, of farming and of the rest."""
        va = decimal_to_rational(self.spec.firms.value_added_share)
        firms = int(self.firm_output.sum()) * va.numerator // va.denominator
        farm = self.farmland_area() * yuan_to_fen(self.spec.economy.farm_value_added_yuan_per_mu) * 15 // 10_000
        return firms + farm + int(self.other_gdp)

    def land_sessions(self, world: World) -> tuple[int, int]:
        """(index of this land session within the year or −1, land sessions per year)."""
        total = world.calendar.sessions_per_year
        n = min(self.spec.market.sessions_per_year, total)
        rel = world.clock.session - world.clock.year_index * total
        slots = {j * total // n: j for j in range(n)}
        return slots.get(rel, -1), n

    # ------------------------------------------------------------------ hooks
    def year_start(self, world: World) -> None:
        """Budget, rents of running leases, conversions (L1, L2), the supply plan (L11), restorations and
        wasteland contracts (L8, L9)."""
        self.stats = defaultdict(int)
        sync.sync_external(self, world)
        budget = yuan_to_fen(self.spec.supply.reserve_budget_yuan_per_year)
        if budget:
            world.accounts.pay(FISCAL, LAND_RESERVE, budget)
            self.reserve_record(world, STATE_P, "budget", 0, 0, budget, "yearly budget (X2)")
        p = self.parcels
        year = world.clock.year
        due = np.flatnonzero(p.active & (p.user_until >= year) & (p.rent_kind > 0) & (p.user != p.holder))
        self._pay_rent(world, due)
        restore.conversions(self, world)
        state_land.plan_supply(self, world)
        restore.start_restorations(self, world)

    def session(self, world: World) -> None:
        """A land session: circulation and leases (L7, L10), collective land (L10), the primary lots of the
        supply plan (L11–L14), the secondary market (L4, L5, L11, L16) and the quota market (L8)."""
        k, n = self.land_sessions(world)
        if k < 0:
            return
        sync.sync_external(self, world)
        rural.circulate(self, world, n)
        rural.lease_homesteads(self, world, n)
        rural.collective_entry(self, world, n)
        state_land.sell_lots(self, world, k)
        state_land.secondary(self, world, k)
        restore.quota_market(self, world, n)

    def period_end(self, world: World, period: int) -> None:
        if self.holdings_every == "period":
            self.snapshot(world)

    def year_end(self, world: World) -> None:
        """Investment, output and grades (L5, L14), idle land (L4), zombie firms (L6), redevelopment (L15),
        transitions (L4), restorations (L8, L9), lease-then-sell (L13), terms, then the KPIs (L17)."""
        sync.sync_external(self, world)
        industry.invest(self, world)
        industry.produce_and_grade(self, world)
        industry.idle_land(self, world)
        industry.zombies(self, world)
        industry.redevelop(self, world)
        industry.transitions(self, world)
        restore.complete_restorations(self, world)
        state_land.lease_then_sell(self, world)
        self._expire(world)
        industry.queue_sales(self, world)
        kpis.record(self, world)
        self.check_consistency(world)
        g = decimal_to_rational(self.spec.economy.other_gdp_growth_share_per_year)
        self.other_gdp = self.other_gdp * (g.denominator + g.numerator) // g.denominator
        if self.holdings_every == "year":
            self.snapshot(world)

    def _expire(self, world: World) -> None:
        """Leases end after their last year (the use-level right returns to the holder); rights whose term
        ends return to the owner (collective, government or land reserve)."""
        p, acc, year = self.parcels, world.accounts, world.clock.year
        ending = np.flatnonzero(p.active & (p.user_until == year) & (p.user != p.holder))
        for i in ending.tolist():
            acc.move(USE_PRODUCT[int(p.cls[i])], int(p.user[i]), int(p.holder[i]), int(p.area[i]))
            p.user[i] = p.holder[i]
            p.user_until[i], p.rent_ticks[i], p.rent_kind[i] = -1, 0, 0
            self.stats["leases_ended"] += 1
        p.user_until[p.active & (p.user_until == year)] = -1
        over = np.flatnonzero(p.active & (p.term_end == year) & (p.holder != p.owner))
        for i in over.tolist():
            if p.has_contract()[i]:
                continue  # contract land: renewed (长久不变, rule L3)
            acc.move(USE_PRODUCT[int(p.cls[i])], int(p.user[i]), int(p.owner[i]), int(p.area[i]))
            p.holder[i] = p.user[i] = p.owner[i]
            p.term_end[i] = 9999
            self.stats["terms_ended"] += 1

    def check_consistency(self, world: World) -> None:
        """Raise :class:`~rights_market.ledger.ConservationError` unless the ledger holds exactly what the
        parcels say — each land product (but the quota) per account equals the area of the parcels whose use
        right (contract right) that account holds — and the active parcels still cover the initial total area
        (splits and conversions change pieces and classes, never the land). Runs at setup and every year end."""
        acc = world.accounts
        ids = acc.ids()
        for prod, (holders, areas) in self.parcels.holdings().items():
            want = np.zeros(ids.size, dtype=np.int64)
            np.add.at(want, acc.idx(holders), areas)
            have = acc.balance[acc.index[prod]]
            keep = ids != ISSUER
            if not np.array_equal(have[keep], want[keep]):
                bad = ids[keep][have[keep] != want[keep]][:5].tolist()
                raise ConservationError(f"{prod}: ledger and parcels disagree for accounts {bad}")
        area = int(self.parcels.area[self.parcels.active].sum())
        if area != self.total_area:
            raise ConservationError(f"land area changed: {area} m² of parcels, {self.total_area} at the start")

    def reserve_record(self, world: World, product: str, action: str, qty: int, price: int, amount: int,
                       reason: str) -> None:
        acc = world.accounts
        world.record_reserve(product=product, action=action, quantity=qty, price_ticks=price, amount_fen=amount,
                             stock=int(acc.of(product, LAND_RESERVE)), cash_fen=int(acc.of("money", LAND_RESERVE)),
                             reason=reason)

    def snapshot(self, world: World) -> None:
        acc = world.accounts
        ids = np.concatenate([np.arange(self.first, self.first + self.n_local, dtype=np.int64),
                              np.array([LAND_RESERVE, GOVERNMENT, COLLECTIVE, ECONOMY], dtype=np.int64)])
        for product in PRODUCTS:
            q = acc.of(product, ids)
            nz = q != 0
            if nz.any():
                world.tables["holdings"].append(time=world.clock.day, year=world.clock.year, holder=ids[nz],
                                                product=product, quantity=q[nz])

__all__ = ["LandPolicy", "LAND_RESERVE", "RIGHT", "UNIT"]
