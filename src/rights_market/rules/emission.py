"""Pure economics and fee rules of the emission-rights market (排污权): no SimPy, no I/O, no state.

Units
-----
* quantities of a pollutant in **kg** (int64 where they are rights or emissions; float64 inside curves);
* marginal abatement costs (MAC) and prices in **ticks per kg** (0.0001 yuan/kg; 1 yuan/t = 10 ticks/kg);
* abatement costs in **yuan** (float64: a real resource cost for the KPIs, never moved between accounts);
* money that moves between accounts in **fen** (int64, exact, :func:`rights_market.units.amount_fen_array`).

Contents
--------
* :class:`MacCurves` — piecewise-linear marginal abatement cost curves of many units (a quadratic cost
  C = a + bZ² is the one-segment case), with cost, MAC, the abatement a price calls for, and the average MAC
  over an interval (the price of a lot).
* :func:`lot_schedule` — the orders a unit places when it bids its marginal abatement cost (rule E2: the
  tradable surplus is what further abatement frees).
* :func:`comply` — the year-end choice between abating and violating (rule E12).
* :func:`split_sale`, :func:`back_payment_fen`, :func:`phase_in_due` — paid and unpaid rights (rules E4, E5).
* :func:`least_cost` — the least-cost allocation of an abatement total (Montgomery 1972), by the KKT
  conditions: every unit abates to the common marginal cost λ.

Behavioural prices are computed in float64 and rounded conservatively to whole ticks (bids down, asks up)
after removing float noise of relative size 1e-9, so a textbook MAC of exactly 96 yuan/t becomes exactly 960
ticks/kg.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..units import TICKS_PER_YUAN, amount_fen_array

#: 1 yuan per tonne is 10 ticks (0.0001 yuan) per kg.
TICKS_PER_KG_PER_YUAN_PER_T = 10
KG_PER_T = 1000
BUY, SELL = 1, -1
_EPS = 1e-9


def round_down(x: np.ndarray) -> np.ndarray:
    """Whole ticks at or below ``x`` (float noise of relative size 1e-9 removed first)."""
    x = np.asarray(x, dtype=float)
    return np.floor(x + _EPS * np.maximum(np.abs(x), 1.0)).astype(np.int64)


def round_up(x: np.ndarray) -> np.ndarray:
    """Whole ticks at or above ``x`` (float noise of relative size 1e-9 removed first)."""
    x = np.asarray(x, dtype=float)
    return np.ceil(x - _EPS * np.maximum(np.abs(x), 1.0)).astype(np.int64)


# ----------------------------------------------------------------------------------------- curves
@dataclass(frozen=True)
class MacCurves:
    """Piecewise-linear marginal abatement cost curves of ``n`` units.

    ``z``: (n, k) abatement breakpoints in kg/yr, ``z[:, 0] == 0``, non-decreasing; ``z[:, -1]`` is the most
    a unit can abate. ``m``: (n, k) MAC at the breakpoints in ticks/kg, non-decreasing (a convex cost).
    ``fixed``: (n,) fixed cost in yuan/yr. Between breakpoints the MAC is linear; beyond the last one abating
    is impossible.
    """

    z: np.ndarray
    m: np.ndarray
    fixed: np.ndarray

    def __post_init__(self) -> None:
        if self.z.shape != self.m.shape or self.z.ndim != 2 or self.z.shape[1] < 2:
            raise ValueError("z and m must be (n, k) arrays with k >= 2")
        if self.fixed.shape != (self.z.shape[0],):
            raise ValueError("fixed must have one entry per unit")
        if self.z.size and (np.any(np.diff(self.z, axis=1) < 0) or np.any(np.diff(self.m, axis=1) < 0)):
            raise ValueError("breakpoints and MACs must be non-decreasing")

    @property
    def n(self) -> int:
        return self.z.shape[0]

    @property
    def zmax(self) -> np.ndarray:
        """Largest possible abatement of each unit, kg/yr."""
        return self.z[:, -1]

    def take(self, idx: np.ndarray) -> MacCurves:
        """The curves of units ``idx`` (a subset of valid curves needs no re-validation; segments already
        computed are taken with them: each row's are its own, so they are the values computing them gives)."""
        out = object.__new__(MacCurves)
        object.__setattr__(out, "z", self.z[idx])
        object.__setattr__(out, "m", self.m[idx])
        object.__setattr__(out, "fixed", self.fixed[idx])
        seg = self.__dict__.get("_seg")
        if seg is not None:
            object.__setattr__(out, "_seg", tuple(a[idx] for a in seg))
        return out

    def _segments(self):
        """Per segment of each curve: start, end, MAC at both, length and slope (computed once per object)."""
        seg = self.__dict__.get("_seg")
        if seg is None:
            lo, hi = self.z[:, :-1], self.z[:, 1:]
            mlo, mhi = self.m[:, :-1], self.m[:, 1:]
            length = hi - lo
            slope = np.divide(mhi - mlo, length, out=np.zeros_like(length), where=length > 0)
            seg = (lo, hi, mlo, mhi, length, slope)
            object.__setattr__(self, "_seg", seg)
        return seg

    def area(self, z: np.ndarray) -> np.ndarray:
        """∫₀^z MAC, in ticks·kg/kg = ticks (per kg of cost base), for z clipped to [0, zmax]."""
        lo, _hi, mlo, _mhi, length, slope = self._segments()
        # np.minimum(np.maximum(x, a), b) is what np.clip computes for floats, without its Python wrapper
        zc = np.minimum(np.maximum(np.asarray(z, dtype=float), 0.0), self.z[:, -1])[:, None]
        cov = np.minimum(np.maximum(zc - lo, 0.0), length)
        return np.sum(cov * (mlo + slope * cov / 2.0), axis=1)

    def cost(self, z: np.ndarray) -> np.ndarray:
        """Abatement cost in yuan/yr of abating ``z`` kg/yr (fixed cost included); ``inf`` above zmax."""
        z = np.asarray(z, dtype=float)
        c = self.fixed + self.area(z) / TICKS_PER_YUAN
        return np.where(z > self.zmax + 1e-9, np.inf, c)

    def mac(self, z: np.ndarray) -> np.ndarray:
        """Marginal abatement cost at ``z`` kg/yr, ticks/kg (the right-hand value at a breakpoint where the
        MAC jumps); ``inf`` at or above zmax."""
        lo, _hi, mlo, _mhi, length, slope = self._segments()
        z = np.asarray(z, dtype=float)
        cand = np.where(lo <= z[:, None], mlo + slope * np.clip(z[:, None] - lo, 0.0, length), -np.inf)
        val = np.where(z <= 0, self.m[:, 0], cand.max(axis=1))
        return np.where(z >= self.zmax, np.inf, val)

    def abatement_at(self, price: np.ndarray | float, strict: bool = False) -> np.ndarray:
        """The abatement a price calls for: the largest z ≤ zmax with MAC(z) ≤ price (``strict``: MAC < price),
        kg/yr as float. A unit facing ``price`` ticks/kg abates exactly this much (rule E2)."""
        lo, hi, mlo, mhi, length, slope = self._segments()
        p = np.broadcast_to(np.asarray(price, dtype=float), (self.n,))[:, None]
        le = (mhi < p) if strict else (mhi <= p)
        part_ok = (mlo < p) if strict else (mlo <= p)
        partial = lo + np.divide(p - mlo, slope, out=np.zeros_like(length), where=slope > 0)
        reach = np.where(le, hi, np.where(part_ok, np.where(slope > 0, np.minimum(partial, hi), lo), 0.0))
        return np.max(np.concatenate([np.zeros((self.n, 1)), reach], axis=1), axis=1)

    def mean_mac(self, z0: np.ndarray, z1: np.ndarray) -> np.ndarray:
        """Average MAC over abatement [z0, z1] (z0 < z1), ticks/kg: the cost of one more kg of abatement per kg
        over that step. Abatement below zero costs nothing; a step reaching above zmax is ``inf``."""
        z0 = np.asarray(z0, dtype=float)
        z1 = np.asarray(z1, dtype=float)
        width = z1 - z0
        if np.any(width <= 0):
            raise ValueError("mean_mac needs z1 > z0")
        a = (self.area(z1) - self.area(z0)) / width
        return np.where(z1 > self.zmax + 1e-9, np.inf, a)


def quadratic_curves(b_yuan_per_t2: np.ndarray, max_kg: np.ndarray, fixed_yuan: np.ndarray) -> MacCurves:
    """Curves of C(Z) = fixed + b·Z² (Z in t/yr): MAC 2bZ yuan/t = 2b·z/100 ticks/kg at z kg, up to ``max_kg``."""
    b = np.asarray(b_yuan_per_t2, dtype=float)
    zmax = np.asarray(max_kg, dtype=float)
    n = b.size
    z = np.stack([np.zeros(n), zmax], axis=1)
    m = np.stack([np.zeros(n), 2.0 * b * zmax * TICKS_PER_KG_PER_YUAN_PER_T / KG_PER_T], axis=1)
    return MacCurves(z, m, np.broadcast_to(np.asarray(fixed_yuan, dtype=float), (n,)).copy())


def piecewise_curves(shares: np.ndarray, mac_yuan_per_t: np.ndarray, unabated_kg: np.ndarray,
                     scale: np.ndarray, fixed_yuan: np.ndarray) -> MacCurves:
    """Curves with MAC ``mac_yuan_per_t[k] × scale`` at abatement ``shares[k] × unabated`` (linear between)."""
    e = np.asarray(unabated_kg, dtype=float)
    s = np.asarray(shares, dtype=float)[None, :]
    mac = np.asarray(mac_yuan_per_t, dtype=float)[None, :] * TICKS_PER_KG_PER_YUAN_PER_T
    z = e[:, None] * s
    m = mac * np.asarray(scale, dtype=float)[:, None]
    return MacCurves(z, m, np.broadcast_to(np.asarray(fixed_yuan, dtype=float), (e.size,)).copy())


def stack_curves(parts: list[tuple[np.ndarray, MacCurves]], n: int) -> MacCurves:
    """One :class:`MacCurves` for ``n`` units from ``(indices, curves)`` parts of different breakpoint counts
    (shorter curves are padded by repeating their last point)."""
    k = max((c.z.shape[1] for _, c in parts), default=2)
    z = np.zeros((n, k))
    m = np.zeros((n, k))
    fixed = np.zeros(n)
    for idx, c in parts:
        pad = k - c.z.shape[1]
        z[idx] = np.pad(c.z, ((0, 0), (0, pad)), mode="edge") if pad else c.z
        m[idx] = np.pad(c.m, ((0, 0), (0, pad)), mode="edge") if pad else c.m
        fixed[idx] = c.fixed
    return MacCurves(z, m, fixed)


# ----------------------------------------------------------------------------------------- orders
@dataclass(frozen=True)
class Schedule:
    """Orders of many units, one row per order: ``unit`` (index into the unit arrays), ``side`` (BUY/SELL),
    ``quantity`` (kg), ``limit`` (ticks/kg: the unit's value of a bought step, rounded down, or its cost of a
    sold step, rounded up, both × the valuation years), ``rank`` (0 = the unit's first step)."""

    unit: np.ndarray
    side: np.ndarray
    quantity: np.ndarray
    limit: np.ndarray
    rank: np.ndarray

    def __len__(self) -> int:
        return int(self.unit.size)

    def select(self, mask: np.ndarray) -> Schedule:
        return Schedule(self.unit[mask], self.side[mask], self.quantity[mask], self.limit[mask], self.rank[mask])

    @staticmethod
    def concat(parts: list[Schedule]) -> Schedule:
        if not parts:
            z = np.zeros(0, dtype=np.int64)
            return Schedule(z, z.copy(), z.copy(), z.copy(), z.copy())
        return Schedule(*(np.concatenate([getattr(p, f) for p in parts]) for f in
                          ("unit", "side", "quantity", "limit", "rank")))


def _steps(total: np.ndarray, lot: int, max_orders: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split each unit's ``total`` kg into at most ``max_orders`` steps of whole lots (the last one takes the
    rest): returns (unit index, step start offset, step quantity) per step."""
    total = np.asarray(total, dtype=np.int64)
    lots = -(-total // lot)
    per = np.maximum(-(-lots // max_orders), 1) * lot
    count = np.where(total > 0, -(-total // per), 0)
    unit = np.repeat(np.arange(total.size), count)
    first = np.cumsum(count) - count
    rank = np.arange(unit.size) - first[unit]
    start = rank * per[unit]
    qty = np.minimum(per[unit], total[unit] - start)
    return unit, start, qty


def lot_schedule(curves: MacCurves, required: np.ndarray, sellable: np.ndarray, lot_kg: int, max_orders: int,
                 years: int, cap_ticks: int, buy: np.ndarray | None = None,
                 sell: np.ndarray | None = None, buy_max: np.ndarray | None = None) -> Schedule:
    """The orders of units that bid their marginal abatement cost (rules E2, E3 economics).

    ``required``: abatement each unit needs with its current rights, kg (unabated emission − rights held;
    negative = a surplus it can sell without abating). A unit buys at most ``required`` (buying all of it means
    not abating), each step valued at its average MAC over the abatement the step saves; it sells at most
    ``sellable`` kg and never beyond its largest abatement, each step priced at its average MAC over the
    extra abatement (zero for surplus). Steps are whole ``lot_kg`` lots, at most ``max_orders`` per unit and
    side (equal steps; the last takes the rest). Limits are × ``years``; a bid is capped at ``cap_ticks`` (a
    step the unit cannot abate at all is worth the cap); an ask costing more than the cap gets the limit
    ``cap_ticks + 1``, which no order may carry, so it is never placed. ``buy``/``sell``: masks of the units
    that may place orders on that side. ``buy_max``: the most each unit buys, kg (its shortfall after the
    abatement it has committed to; the steps it buys are the dearest ones, those at the top of ``required``).
    """
    req = np.asarray(required, dtype=np.int64)
    n = req.size
    buy = np.ones(n, bool) if buy is None else np.asarray(buy, bool)
    sell = np.ones(n, bool) if sell is None else np.asarray(sell, bool)
    parts: list[Schedule] = []
    # Buy side: step j saves abatement [req - end, req - start].
    btotal = np.where(buy, np.maximum(req, 0), 0)
    if buy_max is not None:
        btotal = np.minimum(btotal, np.maximum(np.asarray(buy_max, dtype=np.int64), 0))
    u, start, q = _steps(btotal, lot_kg, max_orders)
    if u.size:
        hi = req[u] - start
        lo = hi - q
        c = curves.take(u)
        val = (c.area(hi) - c.area(lo)) / q
        # Part of a step above zmax cannot be abated at all: the step is worth the cap.
        limit = np.where(hi > c.zmax + 1e-9, cap_ticks, np.minimum(round_down(val * years), cap_ticks))
        parts.append(Schedule(u, np.full(u.size, BUY, np.int64), q, limit.astype(np.int64), _rank(u)))
    # Sell side: step j adds abatement [req + start, req + end] (the part below zero is free surplus).
    room = np.floor(curves.zmax).astype(np.int64) - req
    stotal = np.where(sell, np.clip(np.minimum(np.asarray(sellable, dtype=np.int64), room), 0, None), 0)
    u, start, q = _steps(stotal, lot_kg, max_orders)
    if u.size:
        lo = req[u] + start
        hi = lo + q
        c = curves.take(u)
        cost = (c.area(hi) - c.area(lo)) / q
        limit = np.minimum(round_up(cost * years), cap_ticks + 1)  # above the cap: no order can be placed
        parts.append(Schedule(u, np.full(u.size, SELL, np.int64), q, limit.astype(np.int64), _rank(u)))
    return Schedule.concat(parts)


def _rank(unit: np.ndarray) -> np.ndarray:
    """Position of each row within its unit's run of rows (rows of a unit are contiguous)."""
    if not unit.size:
        return unit.copy()
    new = np.concatenate([[True], unit[1:] != unit[:-1]])
    starts = np.flatnonzero(new)
    run = np.repeat(starts, np.diff(np.concatenate([starts, [unit.size]])))
    return np.arange(unit.size) - run


def step_value(curves: MacCurves, required: np.ndarray, quantity: np.ndarray, years: int,
               cap_ticks: int) -> np.ndarray:
    """Value per kg (ticks) of buying ``quantity`` kg more for units with ``required`` abatement: the average
    MAC over the abatement saved (zero below zero abatement), × ``years``, rounded down, capped."""
    req = np.asarray(required, dtype=float)
    q = np.asarray(quantity, dtype=float)
    hi = req
    lo = req - q
    above = hi > curves.zmax + 1e-9
    val = (curves.area(hi) - curves.area(lo)) / np.maximum(q, 1.0)
    out = np.minimum(round_down(val * years), cap_ticks)
    return np.where(above, cap_ticks, np.where(req <= 0, 0, out)).astype(np.int64)



class StepValuer:
    """:func:`step_value` of one quantity for chosen rows of fixed ``curves`` and ``required`` (the bidders of a
    listing pool), with what does not depend on the quantity computed once: the per-row segment arrays and the
    area up to each row's requirement (``area(hi)`` of step_value). Each call does the very same floating-point
    operations on the chosen rows as ``step_value(curves.take(rows), required[rows], full(qty), ...)`` (areas are
    row by row, summed over the last axis like :meth:`MacCurves.area`), so the values are bit-identical, without
    building a :class:`MacCurves` per call. A quantity asked for a second time is valued for all rows at once
    and kept (each row's value is its own, so taking rows from it gives the same values)."""

    __slots__ = ("_lo", "_mlo", "_len", "_slope", "_zmax", "_zmax_eps", "_req", "_area_hi", "_seen", "_memo")

    def __init__(self, curves: MacCurves, required: np.ndarray) -> None:
        lo, _hi, mlo, _mhi, length, slope = curves._segments()
        self._lo, self._mlo, self._len, self._slope = lo, mlo, length, slope
        self._zmax = curves.z[:, -1]
        self._zmax_eps = self._zmax + 1e-9
        self._req = np.asarray(required, dtype=float)
        self._area_hi = curves.area(self._req)
        self._seen: set[tuple[int, int, int]] = set()
        self._memo: dict[tuple[int, int, int], np.ndarray] = {}

    def values(self, rows: np.ndarray, quantity: int, years: int, cap_ticks: int) -> np.ndarray:
        """Value per kg (ticks, int64, a new array) of buying ``quantity`` kg more to each of ``rows``: see
        :func:`step_value`."""
        key = (quantity, years, cap_ticks)
        every = self._memo.get(key)
        if every is None:
            if key not in self._seen:
                self._seen.add(key)
                return self._values(rows, quantity, years, cap_ticks)
            every = self._memo[key] = self._values(slice(None), quantity, years, cap_ticks)
        return every[rows]

    def _values(self, rows: np.ndarray | slice, quantity: int, years: int, cap_ticks: int) -> np.ndarray:
        req = self._req[rows]
        q = float(quantity)
        # area(lo) of step_value, lo = req - q, as MacCurves.area computes it
        zc = np.minimum(np.maximum(req - q, 0.0), self._zmax[rows])[:, None]
        cov = np.minimum(np.maximum(zc - self._lo[rows], 0.0), self._len[rows])
        area_lo = np.sum(cov * (self._mlo[rows] + self._slope[rows] * cov / 2.0), axis=1)
        val = (self._area_hi[rows] - area_lo) / max(q, 1.0)
        out = np.minimum(round_down(val * years), cap_ticks)
        above = req > self._zmax_eps[rows]
        return np.where(above, cap_ticks, np.where(req <= 0, 0, out)).astype(np.int64)


# ----------------------------------------------------------------------------------------- compliance
@dataclass(frozen=True)
class Compliance:
    """Year-end outcome per unit (rule E12): ``abatement`` and ``excess`` (emission beyond rights held) in kg,
    ``penalty_fen`` (fixed fine + rate × excess, 0 if no excess), ``cost_yuan`` of the abatement."""

    abatement: np.ndarray
    excess: np.ndarray
    penalty_fen: np.ndarray
    cost_yuan: np.ndarray


def comply(curves: MacCurves, unabated: np.ndarray, held: np.ndarray, fixed_fen: int, rate_ticks: int,
           committed: np.ndarray | None = None) -> Compliance:
    """Rule E12: each unit chooses the cheaper of covering its emission with its rights (abating the
    shortfall unabated − held) and violating (abating only while the MAC is below the per-kg fine, paying the
    fixed fine plus the rate on the excess). A unit whose shortfall exceeds its largest abatement must violate.
    ``committed``: abatement a unit has already put in place this year (kg, bought at the year start because
    its MAC was below the expected permit price): it abates at least that, so it may emit less than its rights.
    """
    e = np.asarray(unabated, dtype=np.int64)
    h = np.asarray(held, dtype=np.int64)
    short = np.maximum(e - h, 0)
    full_cost = curves.cost(short.astype(float))
    feasible = short <= np.floor(curves.zmax + 1e-9)
    zb = np.minimum(np.floor(curves.abatement_at(float(rate_ticks)) + 1e-9).astype(np.int64), short)
    zb = np.minimum(zb, np.floor(curves.zmax + 1e-9).astype(np.int64))
    excess_b = short - zb
    pen_b = np.where(excess_b > 0, fixed_fen + amount_fen_array(excess_b, np.full(excess_b.size, rate_ticks)), 0)
    viol_cost = curves.cost(zb.astype(float)) + pen_b / 100.0
    violate = (short > 0) & (~feasible | (viol_cost < full_cost)) & (excess_b > 0)
    z = np.where(violate, zb, short)
    excess = np.where(violate, excess_b, 0)
    pen = np.where(violate, pen_b, 0).astype(np.int64)
    if committed is not None:
        done = np.minimum(np.maximum(np.asarray(committed, dtype=np.int64), 0), e)
        z = np.maximum(z, done)
        excess = np.maximum(e - z - h, 0)
        pen = np.where(excess > 0, fixed_fen + amount_fen_array(excess, np.full(excess.size, rate_ticks)), 0)
    return Compliance(z.astype(np.int64), excess.astype(np.int64), pen.astype(np.int64),
                      curves.cost(z.astype(float)))


# ----------------------------------------------------------------------------------------- cap path (E2)
def cap_for_year(initial_kg: int, reduction_share: float, years_since_base: int, path_kg: int | None = None) -> int:
    """The district's cap of one pollutant in a year, kg: ``path_kg`` where the scenario names the year, else
    the rights issued at set-up × (1 − reduction share)^years since the base year, rounded down (never above
    the rights issued)."""
    if path_kg is not None:
        return int(path_kg)
    k = max(int(years_since_base), 0)
    return int(np.floor(initial_kg * (1.0 - float(reduction_share)) ** k + 1e-9))


def pro_rata_cut(free: np.ndarray, amount: int) -> np.ndarray:
    """Rights to retire from each holder to take ``amount`` kg out of their ``free`` rights in proportion
    (largest remainders, exact: the cut sums to min(amount, total free) and no holder loses more than its free
    rights)."""
    f = np.maximum(np.asarray(free, dtype=np.int64), 0)
    total = int(f.sum())
    amount = min(max(int(amount), 0), total)
    if not amount:
        return np.zeros_like(f)
    share = f.astype(object) * amount
    cut = np.array([int(x // total) for x in share], dtype=np.int64)
    rest = amount - int(cut.sum())
    if rest:
        rem = np.array([int(x % total) for x in share], dtype=np.int64)
        order = np.lexsort((np.arange(f.size), -rem))
        cut[order[:rest]] += 1
    return cut


# ----------------------------------------------------------------------------------------- fees (E4, E5)
def split_sale(quantity: np.ndarray, owned: np.ndarray, paid: np.ndarray, first: str = "unpaid"
               ) -> tuple[np.ndarray, np.ndarray]:
    """Rule E5: which of a seller's rights a sale of ``quantity`` kg takes: ``(from_unpaid, from_paid)``.

    ``owned``: the seller's own rights (kg), ``paid`` of which were acquired for a fee or on the market. The
    sale takes the ``first`` kind first (``"unpaid"`` or ``"paid"``)."""
    q = np.asarray(quantity, dtype=np.int64)
    unpaid = np.maximum(np.asarray(owned, dtype=np.int64) - np.asarray(paid, dtype=np.int64), 0)
    p = np.asarray(paid, dtype=np.int64)
    if first == "unpaid":
        from_unpaid = np.minimum(q, unpaid)
        return from_unpaid, q - from_unpaid
    if first == "paid":
        from_paid = np.minimum(q, p)
        return q - from_paid, from_paid
    raise ValueError(f"first must be 'unpaid' or 'paid', not {first!r}")


def back_payment_fen(from_unpaid: np.ndarray, base_ticks: np.ndarray | int) -> np.ndarray:
    """Rule E5: the use fee a seller of unpaid rights back-pays, at the base price (fen, exact)."""
    q = np.asarray(from_unpaid, dtype=np.int64)
    return amount_fen_array(q, np.broadcast_to(np.asarray(base_ticks, dtype=np.int64), q.shape))


def phase_in_due(unpaid: np.ndarray, years_after_reform: int, phase_in_years: int) -> np.ndarray:
    """Rule E4: kg of unpaid rights whose use fee falls due this year.

    During the reform (``years_after_reform`` ≤ 0) nothing; in year k = 1..phase_in_years after it, the
    remaining unpaid rights divided evenly over the years left (rounded up), so the conversion completes in
    the last phase-in year; after that, all unpaid rights (e.g. rights renewed for a new term)."""
    u = np.asarray(unpaid, dtype=np.int64)
    k = int(years_after_reform)
    if k <= 0:
        return np.zeros_like(u)
    left = phase_in_years - k + 1
    if left <= 1:
        return u.copy()
    return -(-u // left)


# ----------------------------------------------------------------------------------------- least cost
def least_cost(curves: MacCurves, total_abatement: float, iterations: int = 200) -> tuple[np.ndarray, float]:
    """Rule E2 economics (Montgomery 1972): the allocation of ``total_abatement`` kg among the units that
    minimises total abatement cost, and the common marginal cost λ (ticks/kg).

    For convex costs the KKT conditions say every unit abates to MAC = λ (0 ≤ z ≤ zmax). The aggregate
    abatement at λ is non-decreasing, so λ is found by bisection; where MAC curves are flat at λ, the
    remainder is shared among the flat units in proportion to their flat stretch. Raises ``ValueError`` if
    the total exceeds what the units can abate together.
    """
    target = float(total_abatement)
    zmax_total = float(curves.zmax.sum())
    if target > zmax_total * (1 + 1e-12) + 1e-9:
        raise ValueError(f"cannot abate {target} kg: the units can abate at most {zmax_total} kg")
    if target <= 0:
        return np.zeros(curves.n), 0.0
    lo, hi = 0.0, float(curves.m.max()) + 1.0
    for _ in range(iterations):
        mid = (lo + hi) / 2.0
        if curves.abatement_at(mid).sum() >= target:
            hi = mid
        else:
            lo = mid
    lam = hi
    below = curves.abatement_at(lam, strict=True)
    at = curves.abatement_at(lam)
    gap = at - below
    rest = target - below.sum()
    z = below + (gap * (rest / gap.sum()) if gap.sum() > 0 else 0.0)
    return np.minimum(z, curves.zmax), lam
