"""The state of the mountain-forest market, declared: :class:`ForestState`, built once by :func:`new_state`.

Every field is named here with its type and unit; the topic modules (``trading``, ``credit``, ``afforest``,
``year``, ``kpis``) take the state and change only fields declared here, and the policy (:mod:`.policy`) holds
one state and calls them. Areas are 0.01 mu (cmu), growing stock dm³, energy quota kgce, money fen, prices ticks
(0.0001 yuan) per base unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ...engine.world import World
from ...ledger import COLLECTIVE, GOVERNMENT
from ...rules.forest import Appraisal, AppraisalModel, mu_to_cmu, split_area, stock_dm3, term_value_ticks
from ...scenario.forest import ForestSpec
from ...units import TICKS_PER_YUAN, decimal_to_rational
from ..shared.reserves import RESERVES
from .farm import FarmYear
from .parcels import HOUSEHOLD, RIGHT, ZONE, ParcelBook

#: The yearly counters of :attr:`ForestState.stats` (transfers and their area cmu and fen, registrations,
#: pledges, defaults, insurance losses, energy quota issued kgce and its investment fen, land quota issued m²).
YEAR_STATS = ("transfers", "transferred_cmu", "transfer_fen", "registrations", "pledges", "defaults", "losses",
              "energy_issued", "energy_investment_fen", "land_issued")


def value_ticks_per_kg(yuan_per_t: np.ndarray) -> np.ndarray:
    """Private values in yuan per t → ticks per kg (yuan/t × 10), rounded down."""
    return np.floor(np.asarray(yuan_per_t, dtype=float) * 10).astype(np.int64)


def value_ticks_per_m2(yuan_per_m2: np.ndarray) -> np.ndarray:
    """Private values in yuan per m² → ticks per m², rounded down."""
    return np.floor(np.asarray(yuan_per_m2, dtype=float) * TICKS_PER_YUAN).astype(np.int64)


@dataclass(slots=True)
class ForestState:
    """Rules F1–F10 (and X1–X3 for forest rights) over a columnar parcel book (see :mod:`.policy`)."""

    # ---- configuration
    spec: ForestSpec  #: the scenario's forest section
    holdings_every: str  #: ``period`` or ``year``: when ``holdings`` snapshots are taken
    external: set[str]  #: products another right declares (``land.construction_quota`` if the land market does)
    appraisal: AppraisalModel  #: the F4 value assessment
    reserve: int  #: account of the forest reserve (X2)
    # ---- holders (account ids int64)
    farm: int  #: account of the state forest farm (F10)
    household_ids: np.ndarray  #: (households,) accounts
    operator_ids: np.ndarray  #: (operators,) accounts
    firm_ids: np.ndarray  #: (firms,) accounts
    private_ids: np.ndarray  #: households, operators, firms
    insurable_ids: np.ndarray  #: the farm, then the private holders (F3 insurance)
    household_value: np.ndarray  #: (households,) float own under-forest income, yuan per mu and year
    operator_value: np.ndarray  #: (operators,) float value of managing forest, yuan per mu and year
    energy_need: np.ndarray  #: (firms,) int64 energy quota needed, kgce per year (F8)
    energy_value_ticks: np.ndarray  #: (firms,) int64 value of energy quota, ticks per kgce
    land_value_ticks: np.ndarray  #: (firms,) int64 value of construction quota, ticks per m² (F7)
    firm_quality: np.ndarray  #: (firms,) int64 quality score 0–100 (tender scoring)
    # ---- parcels and the farm
    book: ParcelBook  #: every parcel with its three rights (F1)
    plantable: int  #: cmu the farm may still plant (F10)
    other_forest: int  #: cmu of forest outside the book (F9 cover)
    incorporated: dict[int, int] = field(default_factory=dict)  #: zone → year its state area entered the farm
    # ---- yearly
    stats: dict[str, int] = field(default_factory=lambda: dict.fromkeys(YEAR_STATS, 0))  #: see YEAR_STATS
    farm_year: FarmYear = field(default_factory=FarmYear)  #: the farm's books of the year (fen, cmu)
    insured: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  #: accounts insured this year

    # ------------------------------------------------------------------ queries
    def stock_per_mu(self, parcel: int) -> Fraction:
        """Growing stock of a parcel in m³ per mu (exact)."""
        return Fraction(int(self.book.stock[parcel]), int(self.book.area[parcel]) * 10)

    def reservation_ticks(self, seller: int, term: int, appr: Appraisal) -> int:
        """What the seller wants at least for a right of ``term`` years, ticks per 0.01 mu: a household or an
        operator its own income over the term; the farm or a firm the appraisal (F4); the reserve the appraisal ×
        ``sell_above_value_share`` (X2: it sells only above the trigger)."""
        if seller in self._household_pos:
            v = self.household_value[self._household_pos[seller]]
        elif seller in self._operator_pos:
            v = self.operator_value[self._operator_pos[seller]]
        elif seller == self.reserve:
            share = decimal_to_rational(self.spec.reserve.sell_above_value_share)
            return appr.start_ticks_per_cmu * share.numerator // share.denominator
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


def new_state(spec: ForestSpec, holdings_every: str, external: set[str], world: World,
              first_holder: int) -> ForestState:
    """The state of a run at set-up: the farm (``first_holder``), households, operators and firms with their
    drawn characteristics (stream ``forest.holders``), and the parcels of the zones and households with their
    three rights confirmed (F1)."""
    s, rng = spec, world.rng.stream("forest.holders")
    farm = first_holder
    nh, no, nf = s.households.count, s.operators.count, s.firms.count
    household_ids = np.arange(first_holder + 1, first_holder + 1 + nh, dtype=np.int64)
    operator_ids = np.arange(household_ids[-1] + 1 if nh else first_holder + 1,
                             first_holder + 1 + nh + no, dtype=np.int64)
    firm_ids = np.arange(first_holder + 1 + nh + no, first_holder + 1 + nh + no + nf, dtype=np.int64)
    private_ids = np.concatenate([household_ids, operator_ids, firm_ids])
    h, o, f = s.households, s.operators, s.firms

    def uni(r, n):
        return rng.uniform(r.low, r.high, size=n)

    parcel_cmu = np.maximum(np.rint(uni(h.parcel_mu, nh) * 100), 1).astype(np.int64)
    stock_pm = uni(h.stock_m3_per_mu, nh)
    household_value = uni(h.own_value_yuan_per_mu_year, nh)
    operator_value = uni(o.value_yuan_per_mu_year, no)
    energy_need = np.rint(uni(f.energy_need_t_per_year, nf) * 1000).astype(np.int64)
    energy_value_ticks = value_ticks_per_kg(uni(f.energy_value_yuan_per_t, nf))
    land_value_ticks = value_ticks_per_m2(uni(f.land_value_yuan_per_m2, nf))
    firm_quality = np.clip(np.rint(uni(f.quality_score, nf)), 0, 100).astype(np.int64)
    book = ParcelBook()
    start = world.calendar.start_year
    for zi, z in enumerate(s.zones):
        areas = split_area(mu_to_cmu(z.area_mu), mu_to_cmu(z.parcel_mu))
        owner = GOVERNMENT if z.ownership == "state" else COLLECTIVE
        holder = farm if z.manager == "forest_farm" else owner
        book.add(world, area=areas, owner=owner, contract=holder, manager=holder,
                 stock=stock_dm3(areas, z.stock_m3_per_mu), origin=ZONE, zone=zi,
                 budget_from=start if (z.in_budget and holder == farm) else None,
                 base_area=holder == farm and not z.in_budget, note=z.name)
    if nh:
        stock = np.floor(parcel_cmu * stock_pm * 10).astype(np.int64)  # m³/mu on cmu → dm³
        for k in range(nh):
            book.add(world, area=parcel_cmu[k : k + 1], owner=COLLECTIVE, contract=int(household_ids[k]),
                     manager=int(household_ids[k]), stock=stock[k : k + 1], origin=HOUSEHOLD,
                     note="household contract")
    return ForestState(
        spec=spec, holdings_every=holdings_every, external=set(external),
        appraisal=AppraisalModel.from_spec(spec.valuation), reserve=RESERVES[RIGHT], farm=farm,
        household_ids=household_ids, operator_ids=operator_ids, firm_ids=firm_ids, private_ids=private_ids,
        insurable_ids=np.concatenate([[farm], private_ids]).astype(np.int64), household_value=household_value,
        operator_value=operator_value, energy_need=energy_need, energy_value_ticks=energy_value_ticks,
        land_value_ticks=land_value_ticks, firm_quality=firm_quality, book=book,
        plantable=mu_to_cmu(s.farm.plantable_mu), other_forest=mu_to_cmu(s.cover.other_forest_mu),
    )


def record_holders(st: ForestState, world: World) -> None:
    """The ``holders`` rows: the farm, households, operators and firms."""
    nh, no, nf = st.household_ids.size, st.operator_ids.size, st.firm_ids.size
    ids = np.concatenate([[st.farm], st.private_ids]).astype(np.int64)
    groups = ["forest_farm"] + ["forest_households"] * nh + ["forest_operators"] * no + ["forest_firms"] * nf
    sectors = ["state_forest_farm"] + ["agriculture"] * nh + ["forestry"] * no + ["industry"] * nf
    names = (["helan_forest_farm"] + [f"forest_household-{i + 1}" for i in range(nh)]
             + [f"forest_operator-{i + 1}" for i in range(no)] + [f"forest_firm-{i + 1}" for i in range(nf)])
    world.tables["holders"].append(holder=ids, name=np.array(names, dtype=object),
                                   group=np.array(groups, dtype=object), sector=np.array(sectors, dtype=object),
                                   right=RIGHT)
