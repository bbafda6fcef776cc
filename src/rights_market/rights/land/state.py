"""The state of the land market, declared: :class:`LandState`, built once by :func:`.setup.new_state`.

Every field is named here with its type and unit; the topic modules (``setup``, ``rural``, ``state_land``,
``industry``, ``restore``, ``sync``, ``kpis``, and ``books`` for trades, charges and leases) take the state and
change only fields declared here, and the policy (:mod:`.policy`) holds one state and calls them. Holder columns
are numpy arrays over one holder group each; parcels are the columns of :class:`~.parcels.Parcels`. Areas are m²,
prices ticks (0.0001 yuan) per m², money fen.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ...engine.world import World
from ...rules.land import (
    COMMERCIAL,
    CONSTRUCTION_CLASSES,
    GRADES,
    INDUSTRIAL,
    NEW_INDUSTRY,
    per_mu_to_per_m2_ticks,
    term_price_ticks,
)
from ...scenario.land import LandSpec
from ...units import decimal_to_rational, per_mu_total, yuan_to_fen, yuan_to_ticks
from .parcels import Parcels


def layout_of(spec: LandSpec) -> dict[str, int]:
    """Holder group → number of accounts, in account order."""
    return {
        "household": sum(v.households for v in spec.villages),
        "collective": len(spec.villages),
        "village_fund": len(spec.villages),
        "family_farm": spec.operators.family_farms,
        "cooperative": spec.operators.cooperatives,
        "firm": spec.firms.firms,
        "entrant": spec.firms.entrants,
        "restorer": spec.restoration.restorers,
        "lessee": spec.homestead_lease.lessees,
    }


@dataclass(frozen=True)
class LandPrices:
    """Benchmarks and price rules from the scenario (fixed for the run)."""

    bench: dict[int, int]  #: construction use → benchmark price of a full term, ticks/m² (L11)
    full_term: dict[int, int]  #: construction use → full term, years
    coll_bench: int  #: collective construction land benchmark, ticks/m² (L10)
    quota_bench: int  #: farmland quota benchmark, ticks/m² of quota (L8)
    circ_bench: int  #: circulation rent benchmark, ticks/m² and year (L10)
    home_bench: int  #: homestead rent benchmark, ticks/m² and year (L7)
    waste_bench: int  #: wasteland fee benchmark, ticks/m² and year (L9)
    expropriation: int  #: expropriation compensation, ticks/m² (L2)
    band: Fraction  #: L16 monitoring band: a price more than this share off its benchmark is flagged
    multiplier: dict[int, Fraction]  #: grade index → price multiplier of the grade (L14)

    @classmethod
    def of(cls, spec: LandSpec) -> LandPrices:
        b = spec.benchmarks
        return cls(
            bench={INDUSTRIAL: yuan_to_ticks(b.industrial_yuan_per_m2),
                   NEW_INDUSTRY: yuan_to_ticks(b.new_industry_yuan_per_m2),
                   COMMERCIAL: yuan_to_ticks(b.commercial_yuan_per_m2)},
            full_term={INDUSTRIAL: b.industrial_full_term_years, NEW_INDUSTRY: b.industrial_full_term_years,
                       COMMERCIAL: b.commercial_full_term_years},
            coll_bench=yuan_to_ticks(b.collective_construction_yuan_per_m2),
            quota_bench=yuan_to_ticks(b.farmland_quota_yuan_per_m2),
            circ_bench=per_mu_to_per_m2_ticks(yuan_to_ticks(b.circulation_rent_yuan_per_mu_year)),
            home_bench=yuan_to_ticks(b.homestead_rent_yuan_per_m2_year),
            waste_bench=per_mu_to_per_m2_ticks(yuan_to_ticks(b.wasteland_fee_yuan_per_mu_year)),
            expropriation=yuan_to_ticks(b.expropriation_yuan_per_m2),
            band=decimal_to_rational(spec.monitoring.band_share),
            multiplier={GRADES.index(g): decimal_to_rational(m) for g, m in spec.grading.price_multiplier.items()},
        )


@dataclass(slots=True)
class LandState:
    """Rules L1–L17 over columnar parcels and holders (see :mod:`.policy` for the year)."""

    # ---- configuration
    spec: LandSpec  #: the scenario's land section
    holdings_every: str  #: ``period`` or ``year``: when ``holdings`` snapshots are taken
    layout: dict[str, int]  #: holder group → number of accounts (:func:`layout_of`)
    prices: LandPrices  #: benchmarks and price rules
    # ---- holders (account ids int64; values ticks/m², ticks/m² and year for rents)
    first: int  #: account id of the first land holder
    n_local: int  #: number of land holder accounts
    start: dict[str, int]  #: holder group → its first account id
    ids: dict[str, np.ndarray]  #: holder group → its account ids
    hh: np.ndarray  #: (households,) account ids of the households
    hh_village: np.ndarray  #: (households,) int64 village index of each household
    village_households: list[np.ndarray]  #: village → indices into ``hh``
    coll_acct: np.ndarray  #: (villages,) account of each village collective
    fund_acct: np.ndarray  #: (villages,) account of each village fund
    hh_value: np.ndarray  #: (households,) int64 farming value, ticks/m² and year
    hh_expanding: np.ndarray  #: (households,) bool: wants more farmland
    hh_expand_value: np.ndarray  #: (households,) int64 value of more farmland, ticks/m² and year
    op_ids: np.ndarray  #: (operators,) accounts of family farms, then cooperatives (L10)
    op_coop: np.ndarray  #: (operators,) bool: a cooperative
    op_value: np.ndarray  #: (operators,) int64 value of farmland, ticks/m² and year
    op_net_share: np.ndarray  #: (operators,) float64 net income share of a parcel's output (0: flat op_value)
    op_demand: np.ndarray  #: (operators,) int64 m² of farmland wanted
    firm_ids: np.ndarray  #: (firms,) accounts of the firms, then the entrants
    firm_prod: np.ndarray  #: (firms,) int64 output, fen per mu and year
    firm_tax_ppm: np.ndarray  #: (firms,) int64 tax, parts per million of output
    firm_value: np.ndarray  #: (firms,) int64 value of state industrial land, ticks/m²
    firm_demand: np.ndarray  #: (firms,) int64 m² of land wanted (0: not expanding)
    firm_new: np.ndarray  #: (firms,) bool: new industry (L11 benchmark)
    firm_zombie: np.ndarray  #: (firms,) bool: a zombie firm (L6)
    firm_active: np.ndarray  #: (firms,) bool: still in business
    firm_grade: np.ndarray  #: (firms,) int8 grade index (L14)
    firm_d_years: np.ndarray  #: (firms,) int64 consecutive years graded D
    firm_output: np.ndarray  #: (firms,) int64 output of the year, fen
    firm_tax: np.ndarray  #: (firms,) int64 tax of the year, fen
    firm_of: np.ndarray  #: (n_local,) int64 firm index of each land account (−1: not a firm)
    restorer_ids: np.ndarray  #: (restorers,) accounts of the restorers (L8, L9)
    restorer_ask: np.ndarray  #: (restorers,) int64 ask for quota, ticks/m² of quota
    lessee_ids: np.ndarray  #: (lessees,) accounts of the homestead lessees (L7)
    lessee_value: np.ndarray  #: (lessees,) int64 value of a homestead, ticks/m² and year
    lessee_slots: np.ndarray  #: (lessees,) int64 homesteads each lessee may still lease
    # ---- parcels
    parcels: Parcels  #: the parcel columns (L2, L3)
    # ---- books
    other_gdp: int  #: GDP of the rest of the economy this year, fen (L17)
    stats: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))  #: yearly counters (KPIs)
    secondary_queue: list[tuple[int, str, int]] = field(default_factory=list)  #: (parcel, why, session) to sell
    lots_by_session: dict[int, list[int]] = field(default_factory=dict)  #: land session → planned lots (L11)
    lot_info: dict[int, tuple[int, str, int, bool, bool]] = field(default_factory=dict)  #: lot → (use, mechanism,
    #: mode, mixed, standard) of the supply plan
    lot_factor: dict[int, Fraction] = field(default_factory=dict)  #: lot → start price / its benchmark start
    #: after re-listing cuts (L11; absent: 1)
    relist_next_year: list[int] = field(default_factory=list)  #: unsold lots re-listed first in next year's plan
    plan_m2: int = -1  #: this year's supply plan, m² (−1: not set yet; L11)
    prev_offered: int = -1  #: lots offered last year (−1: no last year)
    prev_sold: int = 0  #: lots sold last year
    village_used: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  #: (villages,) m² of quota used
    township_used: int = 0  #: m² of the township's new construction quota used (L1)
    initial_farmland: int = 0  #: m² of farmland after set-up (L17 baseline)
    base_construction: int = 0  #: m² of construction land after set-up (L17 baseline)
    base_gdp: int = 0  #: GDP of the set-up year, fen (L17 baseline)
    restored_farmland: int = 0  #: m² of farmland restored so far (L8)
    converted_farmland: int = 0  #: m² of farmland converted so far (L2)
    total_area: int = 0  #: m² of all active parcels (constant; checked every year end)
    firm_area: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  #: (firms,) m² held at grading

    # ---- the price fields, under their old names (read by every topic)
    @property
    def bench(self) -> dict[int, int]:
        return self.prices.bench

    @property
    def full_term(self) -> dict[int, int]:
        return self.prices.full_term

    @property
    def coll_bench(self) -> int:
        return self.prices.coll_bench

    @property
    def quota_bench(self) -> int:
        return self.prices.quota_bench

    @property
    def circ_bench(self) -> int:
        return self.prices.circ_bench

    @property
    def home_bench(self) -> int:
        return self.prices.home_bench

    @property
    def waste_bench(self) -> int:
        return self.prices.waste_bench

    @property
    def expropriation(self) -> int:
        return self.prices.expropriation

    @property
    def band(self) -> Fraction:
        return self.prices.band

    @property
    def multiplier(self) -> dict[int, Fraction]:
        return self.prices.multiplier

    # ------------------------------------------------------------------ queries
    def firm_index(self, acct: int) -> int:
        """Index into the firm arrays of account ``acct`` (−1 if it is not a firm or entrant)."""
        k = int(acct) - self.first
        return int(self.firm_of[k]) if 0 <= k < self.n_local else -1

    def benchmark_ticks(self, use: int, years_left: int) -> int:
        """Rule L11/L13: benchmark price per m² of a construction use for ``years_left`` of its full term."""
        full = self.full_term[use]
        return int(term_price_ticks(self.bench[use], min(max(years_left, 0), full), full))

    def farmland_area(self) -> int:
        """m² of active farmland."""
        return int(self.parcels.area[self.parcels.is_farmland()].sum())

    def construction_area(self) -> int:
        """m² of active construction land."""
        p = self.parcels
        return int(p.area[p.active & np.isin(p.cls, CONSTRUCTION_CLASSES)].sum())

    def gdp_fen(self) -> int:
        """Rule L17: district GDP of the year (fen): value added of the firms, of farming and of the rest."""
        va = decimal_to_rational(self.spec.firms.value_added_share)
        firms = int(self.firm_output.sum()) * va.numerator // va.denominator
        farm = per_mu_total(self.farmland_area(), yuan_to_fen(self.spec.economy.farm_value_added_yuan_per_mu))
        return firms + farm + int(self.other_gdp)

    def land_sessions(self, world: World) -> tuple[int, int]:
        """(index of this land session within the year or −1, land sessions per year)."""
        total = world.calendar.sessions_per_year
        n = min(self.spec.market.sessions_per_year, total)
        rel = world.clock.session - world.clock.year_index * total
        slots = {j * total // n: j for j in range(n)}
        return slots.get(rel, -1), n
