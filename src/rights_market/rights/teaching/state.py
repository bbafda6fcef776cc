"""The teaching market's state as declared data (rule X1; the market is described in :mod:`.policy`).

* :class:`TeachingMarket` — what the scenario fixes: price bounds, every trader's unit values or costs (its
  *limits*), the competitive equilibrium and the most surplus; built once by :meth:`TeachingMarket.from_spec`;
* :class:`TeachingState` — the traders (account ids, behaviours, ZIP learning state, the shout stream) and the
  trading days done; made in one place, :func:`.traders.make_traders`;
* :class:`Day` — the state of one trading day.

Units: prices, values and costs ticks (:data:`~rights_market.units.TICKS_PER_YUAN` a yuan) per unit of
``teaching.unit``; quantities units; money fen. Traders are numbered 0 … n−1, buyers first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...agents.behaviour import BUY, SELL
from ...agents.zip import ZipTraders
from ...market.metrics import max_gains
from ...market.shout_kernel import DayTraders
from ...scenario.teaching import TeachingSpec
from ...units import yuan_to_ticks
from .equilibrium import competitive_equilibrium

RIGHT = "teaching"
PRODUCT = "teaching.unit"
#: Base unit of :data:`PRODUCT`.
UNIT = "unit"


@dataclass(frozen=True)
class TeachingMarket:
    """The induced-values market a ``TeachingSpec`` describes, in engine units, fixed for the run."""

    spec: TeachingSpec
    periods: int  # trading days to trade (one a session)
    lo: int  # lowest shout, ticks
    hi: int  # highest shout, ticks
    limits: list[list[int]]  # per trader, its units' values (buyers) or costs (sellers) in trading order, ticks
    n_buyers: int  # traders 0 … n_buyers−1 buy, the rest sell
    n: int  # traders
    n_units: list[int]  # units per trader
    side: np.ndarray  # BUY or SELL per trader (int64)
    max_surplus: int  # most surplus a day can realise, ticks
    q0: int  # competitive quantity, units (the spec's if given)
    p0: float  # competitive price, ticks (the spec's if given; mid-range otherwise; NaN if no trade)
    eq_profit: np.ndarray  # equilibrium profit of every trader at ``p0``, ticks (float)

    @classmethod
    def from_spec(cls, spec: TeachingSpec, total_sessions: int) -> TeachingMarket:
        """The market of ``spec``; its trading days must fit the calendar's ``total_sessions``."""
        periods = spec.periods if spec.periods is not None else total_sessions
        if periods > total_sessions:
            raise ValueError(
                f"teaching.periods = {periods} trading days need as many trading sessions, but the calendar "
                f"has {total_sessions} (calendar.years × calendar.sessions_per_year)"
            )
        lo = yuan_to_ticks(spec.price_min_yuan)
        hi = yuan_to_ticks(spec.price_max_yuan)
        limits: list[list[int]] = [[yuan_to_ticks(v) for v in u] for u in spec.buyers_yuan] + [
            [yuan_to_ticks(c) for c in u] for u in spec.sellers_yuan
        ]
        n_buyers = len(spec.buyers_yuan)
        n = len(limits)
        n_units = [len(u) for u in limits]
        side = np.array([BUY] * n_buyers + [SELL] * (n - n_buyers), dtype=np.int64)
        values = np.array([v for u in limits[:n_buyers] for v in u], dtype=np.int64)
        costs = np.array([c for u in limits[n_buyers:] for c in u], dtype=np.int64)
        max_surplus = max_gains(values, np.ones(values.size, np.int64), costs, np.ones(costs.size, np.int64))
        q0, p_low, p_high = competitive_equilibrium(values, costs)
        q0 = spec.q0 if spec.q0 is not None else q0
        if spec.p0_yuan is not None:
            p0: float = float(yuan_to_ticks(spec.p0_yuan))
        else:
            p0 = (p_low + p_high) / 2 if p_low is not None and p_high is not None else float("nan")
        # equilibrium profit of every trader at P0 (ticks): intramarginal units only
        eq_profit = np.array(
            [sum(max(v - p0, 0.0) for v in u) for u in limits[:n_buyers]]
            + [sum(max(p0 - c, 0.0) for c in u) for u in limits[n_buyers:]]
        )
        return cls(spec=spec, periods=periods, lo=lo, hi=hi, limits=limits, n_buyers=n_buyers, n=n,
                   n_units=n_units, side=side, max_surplus=max_surplus, q0=q0, p0=p0, eq_profit=eq_profit)


@dataclass
class TeachingState:
    """The traders of the run and the days traded."""

    ids: np.ndarray  # account ids of traders 0 … n−1 (int64)
    kind: list[str]  # behaviour type per trader (``truthful``, ``markup``, ``zi_c``, ``zi_u``, ``zip``)
    markup: list[float]  # markup share per trader (0 unless ``markup``)
    zip: ZipTraders | None  # the ZIP traders' shared learning state (None: no ZIP trader)
    zip_pos: np.ndarray  # row of each trader in ``zip`` (−1: not a ZIP trader) (int64)
    zip_members: np.ndarray  # traders using ZIP, in row order (int64)
    rng: np.random.Generator  # the ``teaching.shouts`` stream
    day: int = 0  # trading days done
    day_traders: DayTraders | None = None  # the traders as the compiled day reads them, made on first use


class Day:
    """State of one trading day: each trader's next unit, who still has a unit to trade, the trades so far, and
    the ZIP traders' current limits and activity."""

    __slots__ = ("m", "st", "nxt", "active", "where", "left", "zt", "zlim", "zactive", "t_buyer", "t_seller",
                 "t_price", "t_value", "t_cost", "n_shouts")

    def __init__(self, m: TeachingMarket, st: TeachingState) -> None:
        n = m.n
        self.m, self.st = m, st
        self.nxt = [0] * n
        self.active = list(range(n))  # traders with a unit left; swap-remove keeps it O(1)
        self.where = list(range(n))
        self.left = [m.n_buyers, n - m.n_buyers]  # active buyers, active sellers
        self.zt = st.zip
        if self.zt is not None:
            self.zlim = np.array([m.limits[i][0] for i in st.zip_members], dtype=float)
            self.zactive = np.ones(self.zt.side.size, dtype=bool)
        self.t_buyer: list[int] = []
        self.t_seller: list[int] = []
        self.t_price: list[int] = []
        self.t_value: list[int] = []
        self.t_cost: list[int] = []
        self.n_shouts = 0

    def trade(self, b: int, se: int, price: int) -> None:
        """Buyer ``b`` buys the current unit of seller ``se`` at ``price``: both move on to their next unit, and a
        trader with no unit left is done for the day."""
        m = self.m
        limits, n_units, zpos = m.limits, m.n_units, self.st.zip_pos
        self.t_buyer.append(b)
        self.t_seller.append(se)
        self.t_price.append(price)
        self.t_value.append(limits[b][self.nxt[b]])
        self.t_cost.append(limits[se][self.nxt[se]])
        for j in (b, se):
            self.nxt[j] += 1
            z = int(zpos[j])
            if z >= 0:
                self.zlim[z] = limits[j][min(self.nxt[j], n_units[j] - 1)]
            if self.nxt[j] == n_units[j]:
                last = self.active.pop()
                if last != j:
                    self.active[self.where[j]] = last
                    self.where[last] = self.where[j]
                self.left[0 if j < m.n_buyers else 1] -= 1
                if z >= 0:
                    self.zactive[z] = False

