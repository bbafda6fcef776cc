"""The state of the emission market, declared: :class:`EmissionState`, built once by :func:`new_state`.

Every field is named here with its type and unit; the topic modules (``holders``, ``trading``, ``reserve``,
``fees``, ``finance``, ``compliance``, ``kpis``) take the state and change only fields declared here, and the
policy (:mod:`.policy`) holds one state and calls them. Columns are numpy arrays over the units (length
``n``; per-product columns are ``(K, n)`` with ``K = len(keys)``: the pollutants, then carbon allowances).
Quantities are kg (int64), prices ticks per kg, money fen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...engine.sampling import draw
from ...engine.world import World
from ...rules.emission import BUY, MacCurves, piecewise_curves, quadratic_curves, stack_curves
from ...scenario.common import Constant, LogNormal, Normal, Uniform
from ...scenario.emission import CARBON, EMISSION_SECTORS, EmissionSpec, Quadratic
from ...scenario.model import Markup
from ...units import TICKS_PER_YUAN, decimal_to_rational, to_scaled_int
from ..shared.pledges import pledged_quantity
from .products import (
    ACTIVE,
    KIND,
    NOT_YET,
    RES,
    RIGHT,
    carbon_fine_ticks,
    product_keys,
    t_to_kg,
    yuan_per_t_to_ticks,
)


def mean_of(dist: Constant | Uniform | Normal | LogNormal) -> float:
    """The mean of a scenario distribution (a normal's clipping at its ``min`` is ignored: the growth rates'
    minimum, −0.5, lies ten standard deviations below their means)."""
    if isinstance(dist, Constant):
        return float(dist.value)
    if isinstance(dist, Uniform):
        return (float(dist.low) + float(dist.high)) / 2.0
    if isinstance(dist, Normal):
        return float(dist.mean)
    if isinstance(dist, LogNormal):
        return float(dist.median) * float(np.exp(float(dist.sigma) ** 2 / 2.0))
    raise TypeError(f"unknown distribution {dist!r}")


def _empty(dtype=np.int64, ndim: int = 1) -> np.ndarray:
    return np.zeros((0,) * ndim, dtype)


@dataclass(slots=True)
class EmissionState:
    """Rules E1–E10, E12–E14 over columnar unit state (see :mod:`.policy` for the year)."""

    # ---- configuration, fixed at set-up (from the scenario's ``emission`` section)
    spec: EmissionSpec  #: the scenario's emission section
    holdings_every: str  #: ``period`` or ``year``: when ``holdings`` snapshots are taken
    pollutants: list[str]  #: pollutant ids, in scenario order (products 0 … P−1)
    carbon_on: bool  #: E14 carbon allowances are traded/tracked (product P)
    keys: list[str]  #: product keys: the pollutants, then ``carbon`` if on
    product: list[str]  #: product ids ``emission.<key>``, by product index k
    P: int  #: number of pollutants
    base: np.ndarray  #: (K,) int64 ticks/kg: E3 base price, a hard floor of every trade (0 for carbon)
    lot: int  #: kg: the market's order step
    lots: list[int]  #: kg per product: order step (the carbon section's for allowances)
    max_orders: list[int]  #: orders per side and unit, per product
    years: int  #: valuation years of a right (E5 validity horizon used for values)
    cap: np.ndarray  #: (K,) int64 ticks/kg: highest order price (base × multiple; the carbon fine)
    start_year: int  #: first simulated year
    term_start: int  #: first year of the current validity term (E5)
    term_end: int  #: last year of the current validity term (E5)
    # ---- the units (holder columns), length n
    n: int  #: number of units
    first: int  #: account id of unit 0
    ids: np.ndarray  #: (n,) int64 account ids
    sector: np.ndarray  #: (n,) int8 index into EMISSION_SECTORS
    kind: np.ndarray  #: (n,) int8 index into UNIT_KINDS (KIND)
    group: np.ndarray  #: (n,) int32 scenario group index
    entry: np.ndarray  #: (n,) int64 year the unit starts emitting
    participation: np.ndarray  #: (n,) float share of sessions the unit trades in
    aware: np.ndarray  #: (n,) bool knows the E3 floor (does not order below it)
    closure_rate: np.ndarray  #: (n,) float probability per year of closing (E9)
    mortgage_rate: np.ndarray  #: (n,) float probability per year of taking a mortgage loan (E10)
    lease_part: np.ndarray  #: (n,) float probability per year of joining the lease round (E10)
    permit: np.ndarray  #: (K, n) int64 kg/year: permitted emission (E2)
    e0: np.ndarray  #: (K, n) float64 kg/year: unabated emission at output 1
    scale: np.ndarray  #: (K, n) float: abatement cost scale
    has: np.ndarray  #: (K, n) bool: the unit emits product k
    curve_spec: list[list]  #: [k][group] the group's abatement curve section (None: no abatement)
    group_idx: list[np.ndarray]  #: per group, the local indices of its units
    behaviours: list[tuple[np.ndarray, str, float]]  #: per group: (indices, behaviour type, markup share)
    release_ok: np.ndarray  #: (n,) bool: the unit's kind may buy reserve releases (E8)
    knows_sector_rule: np.ndarray  #: (n,) bool: has learnt the E7 rejection (no more cross-sector orders)
    knows_release_rule: np.ndarray  #: (n,) bool: has learnt the release eligibility rejection
    status: np.ndarray  #: (n,) int8 NOT_YET / ACTIVE / CLOSED
    output: np.ndarray  #: (n,) float: output relative to the first year
    paid: np.ndarray  #: (K, n) int64 kg: rights owned that are paid (E5)
    pledged: np.ndarray  #: (K, n) int64 kg: rights pledged to E10 mortgage loans
    leased_in: np.ndarray  #: (K, n) int64 kg: rights held on lease from others (E10)
    leased_out: np.ndarray  #: (K, n) int64 kg: rights leased to others (E10)
    E: np.ndarray  #: (K, n) int64 kg: this year's emission before abatement
    curves: list[MacCurves]  #: per product: this year's abatement cost curves
    planned: np.ndarray  #: (K, n) int64 kg: abatement put in place at the year start (MAC < expected price)
    expected: np.ndarray  #: (K,) float64 ticks/kg: the permit price units expect (EWMA of yearly prices)
    anticipated: np.ndarray  #: (K,) float64 ticks/kg a year: the yearly price read from the cap path (0: off)
    installed: np.ndarray  #: (K, n) float64: share of emission abated last year (kept if abatement is durable)
    growth_mean: np.ndarray  #: (n,) float64: the mean yearly output growth of each unit's group (expected growth)
    cap_initial: np.ndarray  #: (K,) int64 kg: rights issued at set-up (units and reserve), the cap path's start
    cap_now: np.ndarray  #: (K,) int64 kg: this year's cap (E2 total control); carbon: 0, not capped here
    transaction_cost: int  #: ticks: a unit's fixed cost of one trade (0.0001 yuan)
    # ---- books
    leases: list[dict] = field(default_factory=list)  #: running E10 leases (lessor, lessee, q kg, rent fen, end)
    loans: list[dict] = field(default_factory=list)  #: running E10 loans (unit, principal fen, interest, end, q)
    session_no: int = 0  #: sessions seen so far
    listing_pool: dict | None = None  #: bidders of the session's listings (cached per product k), or None
    # ---- yearly counters (cleared by reset_year)
    rejections: dict[tuple[int, str], int] = field(default_factory=dict)  #: (k, reason) → orders rejected
    stats: dict[int, dict[str, int]] = field(default_factory=dict)  #: k → volume kg, count, fen, at_floor, parties
    retired: np.ndarray = field(default_factory=_empty)  #: (K,) int64 kg retired this year to meet the cap
    noticed: np.ndarray = field(default_factory=lambda: _empty(bool, 2))  #: (K, n) bool: E13 notice received
    notice_sent: bool = False  #: the E13 notices of the year went out
    bought_back: np.ndarray = field(default_factory=_empty)  #: (K,) int64 kg bought back by the reserve
    year_fees: dict[str, np.ndarray] = field(default_factory=dict)  #: use_fee / back_payment → (K,) fen
    year_new_loans: list[int] = field(default_factory=lambda: [0, 0])  #: [loans, principal fen] this year
    carbon_allocated: int = 0  #: kg of carbon allowances allocated this year (E14)
    year_leases: int = 0  #: leases made this year
    year_closures: int = 0  #: units closed this year

    # ------------------------------------------------------------------ queries and records
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

    def segments(self, k: int, units: np.ndarray) -> np.ndarray:
        """Market segment of each unit: its sector (E7) or one segment for all."""
        if self.spec.market.same_sector_only and k < self.P:
            return self.sector[units].astype(np.int64)
        return np.zeros(units.size, np.int64)

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
        self.rejections = {}
        self.stats = {k: {"volume": 0, "count": 0, "fen": 0, "at_floor": 0, "parties": 0} for k in range(K)}
        self.retired = np.zeros(K, np.int64)
        self.noticed = np.zeros((K, self.n), bool)
        self.notice_sent = False
        self.bought_back = np.zeros(K, np.int64)
        self.year_fees = {"use_fee": np.zeros(K, np.int64), "back_payment": np.zeros(K, np.int64)}
        self.year_new_loans = [0, 0]
        self.carbon_allocated = 0
        self.year_leases = 0
        self.year_closures = 0

    def abatement_curves(self, k: int) -> MacCurves:
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
                                                    self.scale[k, idx],
                                                    np.full(idx.size, float(spec.fixed_cost_yuan)))))
        return stack_curves(parts, self.n)


def new_state(spec: EmissionSpec, holdings_every: str, world: World, first_holder: int) -> EmissionState:
    """The state of a run at set-up: the configuration from ``spec``, and the units of every group with
    sector, kind, entry year, behaviour parameters, and per product (pollutants, then carbon allowances) the
    permit (kg), unabated emission at output 1 (kg) and cost scale drawn from the group's distributions
    (stream ``emission.units``)."""
    pollutants, carbon_on, keys = product_keys(spec)
    P, K = len(pollutants), len(keys)
    # E3: the base price of every pollutant, ticks/kg — a hard floor of every trade.
    base = np.array([yuan_per_t_to_ticks(p.base_price_yuan_per_t) for p in spec.pollutants]
                    + ([0] if carbon_on else []), dtype=np.int64)
    m = spec.market
    lot = t_to_kg(m.lot_t)
    cap_mult = decimal_to_rational(m.price_max_multiple_of_base)
    cap = np.array([max(int(b * cap_mult), 1) for b in base[:P]] + ([carbon_fine_ticks(spec)] if carbon_on else []),
                   dtype=np.int64)

    rng = world.rng.stream("emission.units")
    n = sum(g.count for g in spec.groups)
    start = world.calendar.start_year
    sector, kind = np.empty(n, np.int8), np.empty(n, np.int8)
    group, entry = np.empty(n, np.int32), np.empty(n, np.int64)
    participation, aware = np.empty(n), np.zeros(n, bool)
    closure_rate, mortgage_rate, lease_part = np.empty(n), np.empty(n), np.empty(n)
    permit, e0 = np.zeros((K, n), np.int64), np.zeros((K, n), np.float64)
    scale, has = np.ones((K, n)), np.zeros((K, n), bool)
    curve_spec: list[list] = [[None] * len(spec.groups) for _ in range(K)]
    group_idx: list[np.ndarray] = []
    i = 0
    for gi, g in enumerate(spec.groups):
        idx = np.arange(i, i + g.count)
        group_idx.append(idx)
        sector[idx] = EMISSION_SECTORS.index(g.sector)
        kind[idx] = KIND[g.kind]
        group[idx] = gi
        entry[idx] = start if g.kind == "existing" or g.entry_year is None else g.entry_year
        participation[idx] = g.participation
        aware[idx] = rng.random(g.count) < float(g.floor_aware_share)
        closure_rate[idx] = g.closure_rate_per_year
        mortgage_rate[idx] = g.mortgage_rate_per_year
        lease_part[idx] = g.lease_participation
        for k, key in enumerate(keys):
            if key == CARBON:
                if g.carbon is None:
                    continue
                e0[k, idx] = np.maximum(draw(g.carbon.emission_t, g.count, rng), 0.0) * 1000.0
                scale[k, idx] = np.maximum(draw(g.carbon.cost_scale, g.count, rng), 0.0)
                curve_spec[k][gi] = g.carbon.abatement
            else:
                up = g.pollutants.get(key)
                if up is None:
                    continue
                p_k = np.maximum(np.rint(draw(up.permitted_t, g.count, rng) * 1000.0), 0).astype(np.int64)
                permit[k, idx] = p_k
                e0[k, idx] = p_k * np.maximum(draw(up.unabated_share_of_permit, g.count, rng), 0.0)
                scale[k, idx] = np.maximum(draw(up.cost_scale, g.count, rng), 0.0)
                curve_spec[k][gi] = up.abatement
            has[k, idx] = True
        i += g.count
    growth_mean = np.concatenate([np.full(g.count, mean_of(g.output_growth)) for g in spec.groups])
    status = np.where(entry <= start, ACTIVE, NOT_YET).astype(np.int8)
    status[kind != KIND["existing"]] = NOT_YET
    term_start = spec.first_term_start_year or start
    eligible_kinds = [KIND[k] for k in spec.reserve.release.eligible_kinds]
    st = EmissionState(
        spec=spec, holdings_every=holdings_every, pollutants=pollutants, carbon_on=carbon_on, keys=keys,
        product=[f"{RIGHT}.{k}" for k in keys], P=P, base=base, lot=lot,
        lots=[lot] * P + ([t_to_kg(spec.carbon.lot_t)] if carbon_on else []),
        max_orders=[m.max_orders_per_side] * P + ([spec.carbon.max_orders_per_side] if carbon_on else []),
        years=m.valuation_years, cap=cap, start_year=start, term_start=term_start,
        term_end=term_start + spec.validity_years - 1,
        n=n, first=first_holder, ids=np.arange(first_holder, first_holder + n, dtype=np.int64),
        sector=sector, kind=kind, group=group, entry=entry, participation=participation, aware=aware,
        closure_rate=closure_rate, mortgage_rate=mortgage_rate, lease_part=lease_part, permit=permit, e0=e0,
        scale=scale, has=has, curve_spec=curve_spec, group_idx=group_idx,
        behaviours=[(idx, g.behaviour.type, g.behaviour.markup if isinstance(g.behaviour, Markup) else 0.0)
                    for idx, g in zip(group_idx, spec.groups, strict=True)],
        release_ok=np.isin(kind, eligible_kinds),
        knows_sector_rule=np.zeros(n, bool), knows_release_rule=np.zeros(n, bool), status=status,
        output=np.ones(n), paid=np.zeros((K, n), np.int64), pledged=np.zeros((K, n), np.int64),
        leased_in=np.zeros((K, n), np.int64), leased_out=np.zeros((K, n), np.int64),
        E=np.zeros((K, n), np.int64), curves=[], planned=np.zeros((K, n), np.int64),
        anticipated=np.zeros(K), installed=np.zeros((K, n)), growth_mean=growth_mean,
        expected=base.astype(np.float64) * float(decimal_to_rational(m.expectation.start_multiple_of_base)),
        cap_initial=np.zeros(K, np.int64), cap_now=np.zeros(K, np.int64),
        transaction_cost=to_scaled_int(m.transaction_cost_yuan_per_trade, TICKS_PER_YUAN, "transaction cost"),
    )
    st.curves = [st.abatement_curves(k) for k in range(K)]
    st.reset_year()
    return st
