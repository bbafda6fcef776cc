"""The economic core shared by every right: value curves, use that responds to price, reservation prices,
saving investment, term pricing and expectations. Pure functions over columnar arrays; no SimPy, no I/O.

Units. Quantities are in a right's base unit per period (m³ for water), prices and values in yuan per base
unit, money in yuan, all as float64 arrays with one element per holder. Behaviour is computed in floats and
turned into exact integers (whole base units, fen) by the caller, at the edge: a chosen use is floored to a
whole unit, a quote rounded to price ticks. Every function here is deterministic: the same inputs give the
same outputs bit for bit (no randomness; draws happen in the caller from its seeded stream).

Value curves (design principle 8). A holder's marginal value of use ``mv(q)`` falls with use. Two forms,
both set by the same three numbers per holder: the use ``q_ref`` it chooses at the reference price
``p_ref`` and the price elasticity of its demand there, ``elasticity`` (< 0):

* ``constant_elasticity``: ``mv(q) = p_ref · (q / q_ref) ** (1 / elasticity)``, so demand is
  ``q(p) = q_ref · (p / p_ref) ** elasticity``; the usual form of estimated water demand functions;
* ``linear``: ``mv(q) = p_ref + (q_ref − q) · p_ref / (q_ref · |elasticity|)``: the same slope at the
  reference point, a straight line (hand-solvable cases).

Both are capped by a choke value ``v_max`` (no unit of use is worth more than that: it bounds the value of
the first units, which constant elasticity would make infinite) and by satiation ``q_max`` (nobody uses more
than that even when use is free).

Marginal cost. A holder facing a block tariff (W8), a progressive surcharge over its plan (W8/W9) and a
market for rights pays, for one more unit at use ``q``, the tariff rate of the block ``q`` is in, plus:

* below its holding ``H``: the price ``p_sell`` it could get by selling the unit it uses (an opportunity
  cost; 0 where it cannot sell);
* above its holding: the cheaper of buying a right at ``p_buy`` (where it can buy) and the surcharge of the
  band ``q`` falls in (the plan equals the holding).

Use is chosen where ``mv(q) = mc(q)`` (the largest ``q`` with ``mv(q) ≥ mc(q)``). The demand a holder
brings to the market is then ``max(0, q − H)`` and its supply ``max(0, H − q)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..units import TICKS_PER_YUAN
from . import use_kernels as uk
from .tariffs import BlockTariff, ProgressiveSurcharge

CONSTANT_ELASTICITY = "constant_elasticity"
LINEAR = "linear"
FORMS = (CONSTANT_ELASTICITY, LINEAR)

#: bisection steps when solving mv(q) = mc(q): 2**-60 of the bracket, below a whole unit for any use
_STEPS = 60
#: floating-point conditions the rate and value functions meet by design (see where they are used)
_QUIET = {"divide": "ignore", "over": "ignore", "invalid": "ignore"}


def _arr(x: object, n: int | None = None) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if n is not None and a.ndim == 0:
        a = np.full(n, float(a))
    return a


@dataclass(frozen=True)
class ValueCurves:
    """Marginal value of use for ``n`` holders (one element each; see the module docstring).

    ``q_ref``: use at the reference price (base units per period, > 0); ``p_ref``: the reference price
    (yuan per unit, > 0); ``elasticity``: price elasticity of demand at the reference point (< 0);
    ``v_max``: choke value, the most any unit is worth (yuan per unit, ≥ p_ref); ``q_max``: satiation,
    the most a holder uses however cheap (units, ≥ q_ref); ``form``: ``constant_elasticity`` or ``linear``.
    """

    q_ref: np.ndarray
    p_ref: np.ndarray
    elasticity: np.ndarray
    v_max: np.ndarray
    q_max: np.ndarray
    form: str = CONSTANT_ELASTICITY

    @classmethod
    def build(cls, q_ref, p_ref, elasticity, *, v_max=None, q_max=None, form: str = CONSTANT_ELASTICITY
              ) -> ValueCurves:
        """Curves from array-likes (scalars broadcast). ``v_max`` defaults to 10 × ``p_ref`` and ``q_max``
        to 2 × ``q_ref`` (both ASSUMPTION defaults; scenarios set their own)."""
        q = _arr(q_ref)
        n = q.size
        q = q.reshape(n)
        p, e = _arr(p_ref, n).reshape(n), _arr(elasticity, n).reshape(n)
        vm = 10.0 * p if v_max is None else _arr(v_max, n).reshape(n)
        qm = 2.0 * q if q_max is None else _arr(q_max, n).reshape(n)
        curves = cls(q, p, e, vm, qm, form)
        curves.check()
        return curves

    def check(self) -> None:
        """Raise ValueError if a parameter is out of its domain (the loader reports it located)."""
        if self.form not in FORMS:
            raise ValueError(f"value curve form must be one of {', '.join(FORMS)}, not {self.form!r}")
        for name, ok in (
            ("q_ref must be positive", self.q_ref > 0), ("p_ref must be positive", self.p_ref > 0),
            ("elasticity must be negative", self.elasticity < 0), ("v_max must be at least p_ref", self.v_max >= self.p_ref),
            ("q_max must be at least q_ref", self.q_max >= self.q_ref),
        ):
            if not np.all(ok & np.isfinite(self.q_ref) & np.isfinite(self.p_ref) & np.isfinite(self.elasticity)):
                raise ValueError(f"value curves: {name} and every parameter finite")

    @property
    def n(self) -> int:
        return int(self.q_ref.size)

    def _slope(self) -> np.ndarray:
        """Linear form: yuan per unit per unit of use."""
        return self.p_ref / (self.q_ref * -self.elasticity)

    def marginal_value(self, q) -> np.ndarray:
        """Value of one more unit at use ``q`` (yuan per unit), within [0, v_max]; 0 at and beyond q_max."""
        with np.errstate(**_QUIET):
            return self._marginal_value_fn()(_arr(q, self.n))

    def _marginal_value_fn(self):
        """:meth:`marginal_value` of a float array of ``n`` uses, with the per-curve constants computed once
        (the bisection of :func:`choose_use` calls it 60 times per solve). Call it under ``_QUIET``: the
        power overflows to inf at use 0, which the choke value caps."""
        p_ref, q_ref, v_max, q_max = self.p_ref, self.q_ref, self.v_max, self.q_max
        if self.form == LINEAR:
            slope = self._slope()

            def raw(q: np.ndarray) -> np.ndarray:  # p_ref + (q_ref − q) · slope
                out = q_ref - q
                out *= slope
                out += p_ref
                return out
        else:
            inv_e = 1.0 / self.elasticity

            def raw(q: np.ndarray) -> np.ndarray:  # p_ref · (max(q, 0) / q_ref) ^ inv_e
                out = np.maximum(q, 0.0)
                out /= q_ref
                np.power(out, inv_e, out=out)
                out *= p_ref
                return out

        # the formulas in place on a fresh array, the same floats (+ and × commute exactly): most solves price a
        # handful of holders, where numpy's cost per operation is all there is
        def mv(q: np.ndarray) -> np.ndarray:
            # within [0, v_max], NaN as 0 (fmax ignores NaN), +inf as v_max
            out = raw(q)
            np.fmax(out, 0.0, out=out)
            np.minimum(out, v_max, out=out)
            return np.where(q >= q_max, 0.0, out)

        return mv

    def demand(self, price) -> np.ndarray:
        """Use at which the marginal value equals ``price`` (units): 0 above the choke value, q_max at or
        below the value at satiation."""
        price = _arr(price, self.n)
        if self.form == LINEAR:
            q = self.q_ref + (self.p_ref - price) / self._slope()
        else:
            with np.errstate(divide="ignore", over="ignore"):
                q = self.q_ref * np.power(np.maximum(price, 1e-300) / self.p_ref, self.elasticity)
        q = np.clip(q, 0.0, self.q_max)
        return np.where(price > self.v_max, 0.0, q)

    def value_between(self, q_lo, q_hi) -> np.ndarray:
        """Total value of the use from ``q_lo`` up to ``q_hi`` (yuan): the area under the marginal value
        curve (negative if q_hi < q_lo). Used for the output value given up when use is cut."""
        lo, hi = _arr(q_lo, self.n), _arr(q_hi, self.n)
        sign = np.where(hi < lo, -1.0, 1.0)
        a, b = np.minimum(lo, hi), np.maximum(lo, hi)
        return sign * (self._area_to(b) - self._area_to(a))

    def _area_to(self, q: np.ndarray) -> np.ndarray:
        """∫₀^q mv(x) dx, closed form for both forms with the choke and satiation caps."""
        q = np.clip(q, 0.0, self.q_max)
        q_choke = self.demand(self.v_max)  # below it mv is capped at v_max
        q_choke = np.minimum(q_choke, q)
        area = self.v_max * q_choke
        if self.form == LINEAR:
            s = self._slope()
            a = self.p_ref + self.q_ref * s  # mv(0) without the cap
            q = np.minimum(q, a / s)  # beyond a/s the marginal value is 0
            area += a * (q - q_choke) - s * (q * q - q_choke * q_choke) / 2.0
        else:
            k = 1.0 + 1.0 / self.elasticity  # elasticity −1 is the log case
            # ∫ p_ref (x/q_ref)^(1/e) dx in units of q_ref, so that small elasticities do not overflow
            c = self.p_ref * self.q_ref
            x, xc = q / self.q_ref, q_choke / self.q_ref
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                power = c * (np.power(x, k) - np.power(xc, k)) / np.where(k == 0, 1.0, k)
                log = c * (np.log(np.maximum(x, 1e-300)) - np.log(np.maximum(xc, 1e-300)))
            area += np.where(np.abs(k) < 1e-12, log, np.where(q > q_choke, power, 0.0))
        return area


@dataclass(frozen=True)
class PriceSchedule:
    """What one more unit of use costs a holder, per holder (see the module docstring).

    ``tariff`` (W8) and ``surcharge`` (W8/W9) are the rule objects of :mod:`.tariffs` in ticks per unit;
    ``plan``: the surcharge base per holder (units); ``holding``: rights held (units); ``p_buy``/``p_sell``:
    market prices at which the holder can buy or sell a unit (yuan; ``inf``/0 where it cannot).
    """

    tariff: BlockTariff | None
    surcharge: ProgressiveSurcharge | None
    plan: np.ndarray
    holding: np.ndarray
    p_buy: np.ndarray
    p_sell: np.ndarray
    ticks_per_yuan: int = TICKS_PER_YUAN

    def _yuan(self, rate: Fraction) -> float:
        return float(rate) / self.ticks_per_yuan

    def tariff_rate(self, q: np.ndarray) -> np.ndarray:
        """W8: the block rate at use ``q`` (yuan per unit); the unit from q to q+1 is in the block of q."""
        return self._tariff_fn()(q)

    def surcharge_rate(self, q: np.ndarray) -> np.ndarray:
        """W9: the surcharge on a unit used at ``q`` over the plan (yuan per unit; 0 within the plan;
        infinite over it where there is no surcharge rule: such a plan is a hard limit, ``inf`` none).

        Band k covers use over the plan from (k−1)·width·plan to k·width·plan and pays k × step ×
        reference price. A plan of 0 has bands of no width: all its use pays the rate of the capped band
        (``max_band``), or of band 1 when uncapped, as :func:`.tariffs.bill` charges it.
        """
        with np.errstate(**_QUIET):
            return self._surcharge_fn()(q)

    def own_cost(self, q) -> np.ndarray:
        """Out-of-pocket marginal cost at ``q`` without the market: tariff + surcharge (yuan per unit)."""
        with np.errstate(**_QUIET):
            return self._cost_fn(with_market=False)(_arr(q, self.plan.size))

    def marginal_cost(self, q) -> np.ndarray:
        """mc(q) with the market: tariff + (q < holding ? p_sell : min(p_buy, surcharge))."""
        with np.errstate(**_QUIET):
            return self._cost_fn(with_market=True)(_arr(q, self.plan.size))

    # The rates as functions of a float array of uses, their constants (Fractions turned into yuan, band
    # widths) computed once: the bisection of :func:`choose_use` evaluates the cost 60 times per solve, mostly
    # for a handful of holders, where numpy's cost per operation is all there is: the formulas run in place on
    # a fresh array, in their own order (the same floats). Call them under ``_QUIET``: an infinite plan (no
    # limit) divides inf by inf into a band that is never charged.
    def _tariff_fn(self):
        if self.tariff is None:
            return np.zeros_like
        rates = np.array([self._yuan(r) for r in self.tariff.rates])
        edges = np.array(self.tariff.edges, dtype=np.float64)
        return lambda q: rates[edges.searchsorted(q, side="right")]

    def _surcharge_fn(self):
        plan = self.plan
        if self.surcharge is None:  # no surcharge rule: use over the plan must be covered by rights
            return lambda q: np.where(q >= plan, np.inf, 0.0)
        s = self.surcharge
        width = float(s.width) * plan
        divisor, banded = np.where(width > 0, width, 1.0), width > 0
        flat_band, max_band = float(s.max_band or 1), s.max_band
        step, reference = float(s.step), self._yuan(s.reference_price)
        all_banded = bool(banded.all())

        def rate(q: np.ndarray) -> np.ndarray:
            over = q - plan
            band = over / divisor
            np.floor(band, out=band)
            band += 1.0
            if max_band is not None:
                np.minimum(band, max_band, out=band)
            if not all_banded:
                band = np.where(banded, band, flat_band)
            band *= step
            band *= reference
            return np.where(over >= 0, band, 0.0)

        return rate

    def _cost_fn(self, *, with_market: bool):
        tariff, surcharge = self._tariff_fn(), self._surcharge_fn()
        if not with_market:
            return lambda q: tariff(q) + surcharge(q)
        holding, p_buy, p_sell = self.holding, self.p_buy, self.p_sell
        return lambda q: tariff(q) + np.where(q < holding, p_sell, np.minimum(p_buy, surcharge(q)))


def choose_use(curves: ValueCurves, schedule: PriceSchedule, *, with_market: bool = True) -> np.ndarray:
    """The use each holder chooses (units, float): the largest q in [0, q_max] with mv(q) ≥ mc(q).

    ``with_market``: count the market's prices as the opportunity cost of rights (else only tariff and
    surcharge: the use a holder would choose with no market). Solved by bisection, vectorised; exact to
    far below one unit. The definition: from [0, q_max], :data:`_STEPS` times, the midpoint ``(lo + hi) / 2``
    becomes ``lo`` where ``marginal_value(mid) ≥ marginal_cost(mid)`` (``own_cost`` without the market), else
    ``hi``; the final ``lo``, or 0 where ``mv(0) < mc(0)`` (the first unit is not worth its cost). Computed by
    the compiled kernels of :mod:`.use_kernels` on the same floats, bit for bit.
    """
    cols, scal, edges, rates = _solver_inputs(curves, schedule, with_market)
    if curves.form == LINEAR:
        return uk.solve_linear(cols, scal, edges, rates, _STEPS)
    n, depth = curves.n, _tree_depth(curves.n)
    width, groups = 1 << depth, _STEPS // depth
    ends, x, none = np.empty((n, width + 1)), np.empty((n, width - 1)), np.empty(n, dtype=np.bool_)
    inv_e = 1.0 / curves.elasticity
    uk.plant_trees(ends, x, cols)
    with np.errstate(**_QUIET):  # the power overflows to inf at use 0, which the choke value caps
        p0 = np.power(np.zeros(n), inv_e)  # max(0, 0) / q_ref is 0
        inv_e = np.repeat(inv_e, width - 1).reshape(n, width - 1)
        for g in range(groups):
            np.power(x, inv_e, out=x)
            uk.descend_trees(ends, x, p0, cols, scal, edges, rates, none, g == 0, g == groups - 1)
    lo = ends[:, 0].copy()
    lo[none] = 0.0
    return lo


def _solver_inputs(curves: ValueCurves, schedule: PriceSchedule, with_market: bool):
    """The constants of :func:`choose_use`'s kernels (``cols``, ``scal``, ``edges``, ``rates``; their layout in
    :mod:`.use_kernels`), each computed as :meth:`ValueCurves._marginal_value_fn` and
    :meth:`PriceSchedule._cost_fn` compute them."""
    n = curves.n
    cols = np.empty((uk.N_COLS, n))
    cols[uk._C_P_REF], cols[uk._C_Q_REF], cols[uk._C_V_MAX] = curves.p_ref, curves.q_ref, curves.v_max
    cols[uk._C_Q_MAX] = curves.q_max
    cols[uk._C_SLOPE] = curves._slope() if curves.form == LINEAR else 0.0
    cols[uk._C_PLAN], cols[uk._C_HOLDING] = schedule.plan, schedule.holding
    cols[uk._C_P_BUY], cols[uk._C_P_SELL] = schedule.p_buy, schedule.p_sell
    scal = np.zeros(uk.N_SCAL)
    scal[uk._S_WITH_MARKET] = float(with_market)
    s = schedule.surcharge
    if s is not None:
        with np.errstate(**_QUIET):  # an infinite plan: inf × width
            width = float(s.width) * schedule.plan
        cols[uk._C_DIVISOR] = np.where(width > 0, width, 1.0)
        cols[uk._C_BANDED] = width > 0
        scal[uk._S_HAS_SURCHARGE] = 1.0
        scal[uk._S_HAS_MAX_BAND] = float(s.max_band is not None)
        scal[uk._S_MAX_BAND] = float(s.max_band or 0)
        scal[uk._S_FLAT_BAND] = float(s.max_band or 1)
        scal[uk._S_STEP], scal[uk._S_REFERENCE] = float(s.step), schedule._yuan(s.reference_price)
    else:
        cols[uk._C_DIVISOR], cols[uk._C_BANDED] = 1.0, 0.0  # unused: no bands
    if schedule.tariff is None:
        edges, rates = np.zeros(0), np.zeros(1)
    else:
        rates = np.array([schedule._yuan(r) for r in schedule.tariff.rates])
        edges = np.array(schedule.tariff.edges, dtype=np.float64)
    return cols, scal, edges, rates


def _tree_depth(n: int) -> int:
    """How many bisection steps :func:`choose_use` takes per numpy evaluation of the constant-elasticity power
    for ``n`` holders (a divisor of :data:`_STEPS`): deep trees (2**depth − 1 midpoints per holder) for a
    handful of holders, where the calls are all a solve costs, step by step for thousands, where the tree's
    extra powers cost more than the calls they save (measured on one core)."""
    return next(d for d, most in ((5, 2), (4, 4), (3, 24), (2, 1000), (1, None)) if most is None or n <= most)


def whole_units(q: np.ndarray) -> np.ndarray:
    """Chosen use as whole units (int64, floored: a holder never uses a part of a unit it did not choose)."""
    return np.floor(np.asarray(q) + 1e-9).astype(np.int64)


def buyer_limits(curves: ValueCurves, schedule: PriceSchedule, use: np.ndarray, lots: int, lot: float) -> np.ndarray:
    """Reservation prices (yuan per unit) for buying ``lots`` successive lots of ``lot`` units, per holder
    (shape n × lots). Lot j is worth the surcharge it avoids or the net value of the use it allows,
    whichever is larger, at the position after j lots: a holder short of rights at use ``use`` first covers
    its over-plan use (avoiding the surcharge band it is in), then values extra use at mv − tariff.
    """
    limits = np.empty((curves.n, lots))
    for j in range(lots):
        covered = schedule.holding + j * lot
        short = use - covered
        at = np.where(short > 0, use, covered)
        net_value = curves.marginal_value(at) - schedule.tariff_rate(at)
        avoided = np.where(short > 0, schedule.surcharge_rate(np.maximum(use - j * lot, 0.0)), 0.0)
        limits[:, j] = np.maximum(0.0, np.maximum(net_value, avoided))
    return limits


def seller_limits(curves: ValueCurves, schedule: PriceSchedule, use: np.ndarray, lots: int, lot: float) -> np.ndarray:
    """Reservation prices (yuan per unit) for selling ``lots`` successive lots of ``lot`` units (n × lots).

    Rights it does not use are worth only what they save it (nothing within the plan); once its sales cut
    into its own use the unit is worth its net value of use, mv − tariff, or the surcharge it would then
    pay, whichever is smaller (it can keep using and pay the surcharge).
    """
    limits = np.empty((curves.n, lots))
    for j in range(lots):
        left = schedule.holding - (j + 1) * lot
        spare = left >= use
        at = np.maximum(left, 0.0)
        net_value = np.maximum(0.0, curves.marginal_value(at) - schedule.tariff_rate(at))
        limits[:, j] = np.where(spare, 0.0, np.minimum(net_value, _surcharge_if_over(schedule, use, left)))
    return limits


def _surcharge_if_over(schedule: PriceSchedule, use: np.ndarray, left: np.ndarray) -> np.ndarray:
    """The surcharge on the top unit of ``use`` if the plan shrank to ``left`` (yuan per unit)."""
    shrunk = PriceSchedule(schedule.tariff, schedule.surcharge, np.maximum(left, 0.0), left, schedule.p_buy,
                           schedule.p_sell, schedule.ticks_per_yuan)
    return np.where(use > left, shrunk.surcharge_rate(use), 0.0)


def clearing_price(curves: ValueCurves, schedule: PriceSchedule, *, lo: float = 0.0, hi: float | None = None,
                   steps: int = 60) -> float:
    """The competitive price of rights (yuan per unit): where total purchases equal total sales when every
    holder can buy and sell at it (p_buy = p_sell = p). Bisection on excess demand, which falls in p.
    The benchmark against which a market's prices and transfers are judged."""
    hi = float(np.max(curves.v_max)) if hi is None else hi

    def excess(p: float) -> float:
        sched = PriceSchedule(schedule.tariff, schedule.surcharge, schedule.plan, schedule.holding,
                              np.full(curves.n, p), np.full(curves.n, p), schedule.ticks_per_yuan)
        q = choose_use(curves, sched)
        return float(np.sum(q - schedule.holding))

    for _ in range(steps):
        mid = (lo + hi) / 2.0
        if excess(mid) > 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2.0


def annuity_factor(rate: float, years: int) -> float:
    """Present value of 1 yuan a year for ``years`` years, paid at each year's end, at discount ``rate``."""
    if years <= 0:
        return 0.0
    if rate == 0:
        return float(years)
    return (1.0 - (1.0 + rate) ** -years) / rate


def term_price(expected_annual_price, years: int | None, rate: float) -> np.ndarray:
    """Price today of the right to one unit a year for ``years`` years (W4 term deals), or for ever
    (``years`` None: X4 permanent rights, a perpetuity ``p / rate``), given the expected annual price."""
    p = _arr(expected_annual_price)
    if years is None:
        if rate <= 0:
            raise ValueError("a permanent right needs a positive discount rate")
        return p / rate
    return p * annuity_factor(rate, years)


def annualised_cost(capital_per_unit, rate: float, life_years: int, running_per_unit=0.0) -> np.ndarray:
    """Yearly cost of saving one unit a year (yuan per unit): the capital spread over the measure's life at
    ``rate`` (capital recovery factor), plus its running cost."""
    return _arr(capital_per_unit) / annuity_factor(rate, life_years) + _arr(running_per_unit)


def saving_to_invest(worth_per_unit, cost_at_zero, cost_slope, max_saving) -> np.ndarray:
    """Units of yearly saving a holder buys when the marginal annualised cost of saving rises linearly,
    ``cost_at_zero + cost_slope × s`` yuan per unit, and a saved unit is worth ``worth_per_unit`` (the
    price it sells at plus the surcharge and tariff it avoids): save until the two meet, within
    [0, max_saving] (W4, W14)."""
    worth, c0, c1, smax = (_arr(x) for x in (worth_per_unit, cost_at_zero, cost_slope, max_saving))
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(c1 > 0, (worth - c0) / np.where(c1 > 0, c1, 1.0), np.where(worth > c0, np.inf, 0.0))
    return np.clip(s, 0.0, smax)


def net_of_transaction_cost(limit, quantity, is_buy, fixed_cost) -> np.ndarray:
    """Reservation prices net of a fixed cost per trade (money, whoever the counterpart): for an order of
    ``quantity`` units at ``limit`` (money per unit; a buyer's value, a seller's cost) on side ``is_buy``, a
    buyer pays at most ``limit − fixed_cost / quantity`` and a seller asks at least ``limit + fixed_cost /
    quantity``. A trade at or inside the net limit gains the trader at least the cost, so a holder trades only
    when the gain exceeds it; small orders carry the cost over few units and rarely trade."""
    lim, q = _arr(limit), _arr(quantity)
    per_unit = float(fixed_cost) / np.maximum(q, 1e-300)
    return np.where(np.asarray(is_buy, dtype=bool), lim - per_unit, lim + per_unit)


def expect(previous, observed, weight: float) -> np.ndarray:
    """Adaptive expectation: ``previous + weight × (observed − previous)``; where nothing was observed
    (NaN: no trade) the expectation stays. ``weight`` in [0, 1]: 1 believes the last observation only."""
    if not 0.0 <= weight <= 1.0:
        raise ValueError("expectation weight must be within [0, 1]")
    prev, obs = _arr(previous), _arr(observed)
    return np.where(np.isnan(obs), prev, prev + weight * (obs - prev))


def scarcity_price(supply, required: float, lo: float, hi: float, tolerance: float = 1e-6) -> float:
    """The least price in ``[lo, hi]`` at which a non-decreasing ``supply(price)`` reaches ``required``: the
    competitive (Montgomery) price of meeting a quantity target — e.g. the permit price at which the units'
    abatement meets a cap. ``lo`` if the supply there already covers it (a slack target: the floor), ``hi``
    if even ``hi`` does not (the target is out of reach below the ceiling). Bisection to ``tolerance`` × hi."""
    if hi < lo:
        raise ValueError("scarcity_price needs lo <= hi")
    if supply(lo) >= required:
        return float(lo)
    if supply(hi) < required:
        return float(hi)
    a, b = float(lo), float(hi)
    while b - a > tolerance * max(abs(hi), 1.0):
        mid = (a + b) / 2.0
        if supply(mid) >= required:
            b = mid
        else:
            a = mid
    return b


def net_income_rent(output_per_unit, net_share) -> np.ndarray:
    """Reservation rent of land from its productivity (L10): the net income one unit of land gives in a
    holder's hands a year, ``output_per_unit × net_share`` (gross output value times the share left after
    the holder's own costs). For the household letting land go it is the least rent it accepts (the income
    it gives up); for a tenant, the most it pays (the income it expects)."""
    out, share = _arr(output_per_unit), _arr(net_share)
    if (share < 0).any() or (share > 1).any():
        raise ValueError("a net income share must be within [0, 1]")
    return np.maximum(out, 0.0) * share


__all__ = [
    "CONSTANT_ELASTICITY", "FORMS", "LINEAR", "PriceSchedule", "ValueCurves", "annualised_cost",
    "annuity_factor", "buyer_limits", "choose_use", "clearing_price", "expect", "net_income_rent",
    "net_of_transaction_cost", "saving_to_invest", "scarcity_price", "seller_limits", "term_price", "whole_units",
]
