"""Induced values of classroom roles: what holding ``h`` lots is worth to a seat, exactly.

Every role reduces to a :class:`Valuation`: marginal values of its 1st, 2nd, ... lot held, in **ticks·units**
(0.0001 yuan × base units; 100 ticks·units = 1 fen), non-increasing, and zero beyond the last valued lot.

* ``buyer``: lot k is worth ``values_yuan[k] × lot``; it starts with none.
* ``seller``: holds one lot per cost; selling gives up the cheapest first, so the lot held last is worth
  the highest cost.
* ``farm``: each unit up to its need is worth its use value, each unit beyond its salvage value.
* ``firm``: holding ``H`` units against a need ``U`` leaves ``x = U − H`` units uncovered. For each of them
  the firm pays the cheaper of abatement and its charge — the W9 over-plan surcharge (rule W9, bands of
  10 % of the rights held, computed by :func:`rights_market.rules.tariffs.bill`), a penalty, or nothing but
  abatement (rule E2). Its value of holding ``h`` lots is minus that bill, so the marginal value of a lot is
  the bill it saves, in whole fen: the same numbers that are booked at the period end (:meth:`Valuation.bill`).

A seat's surplus for a period is the change in the value of its holdings plus the money it received from
trades (:meth:`Valuation.value_change_fen`). The maximum gains from trade of a set of seats
(:func:`max_gains_of`) and the competitive equilibrium (:func:`competitive_equilibrium`) come from the same
numbers, so allocative efficiency is realised gains over maximum gains, both exact integers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Protocol

import numpy as np

from ..market.metrics import max_gains
from ..rights.water.pricing import surcharge as surcharge_of
from ..rules.tariffs import ProgressiveSurcharge, bill
from ..scenario.water import SectorPricing, SurchargeSpec
from ..units import TICKS_PER_FEN, amount_fen, div_round_half_up, yuan_to_fen, yuan_to_ticks
from .roles import MAX_BILL_BANDS, BuyerRole, FarmRole, FirmRole, Role, SellerRole

#: Kinds of charge lines a firm's bill holds (``charges.kind``): W9 surcharge and penalty go to the fiscal
#: account, abatement is a real cost paid to the rest of the economy.
SURCHARGE, PENALTY, ABATEMENT = "surcharge", "penalty", "abatement"


@dataclass(frozen=True)
class BillLine:
    """One line of a firm's period-end bill: ``quantity`` base units at ``rate_ticks`` (rounded half up to a
    whole tick for display), ``amount_fen`` exact to the fen as :mod:`rights_market.rules.tariffs` rounds it."""

    kind: str
    band: int
    quantity: int
    rate_ticks: int
    amount_fen: int


@dataclass(frozen=True)
class FirmBill:
    """What a firm pays at the period end for the units its rights do not cover."""

    uncovered: int
    lines: tuple[BillLine, ...]

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)

    def of(self, kind: str) -> int:
        return sum(line.quantity for line in self.lines if line.kind == kind)


def firm_bill(role: FirmRole, holding: int, surcharge: ProgressiveSurcharge | None) -> FirmBill:
    """The period-end bill of a firm holding ``holding`` base units (rules W9, E2).

    Uncovered units ``x = need − holding`` are paid unit by unit at the cheaper of the abatement cost and the
    charge: with ``charge: surcharge`` the firm pays the W9 surcharge on the whole units that fall in bands
    whose rate does not exceed its abatement cost (bands of ``band_width_share`` × the rights held) and abates
    the rest; with ``penalty`` it pays the penalty if not dearer than abatement; with ``abate`` it abates all.
    """
    x = max(role.need - holding, 0)
    if x == 0:
        return FirmBill(0, ())
    abate = yuan_to_ticks(role.abatement_yuan)
    lines: list[BillLine] = []
    paid = 0
    if role.charge == "penalty":
        pen = yuan_to_ticks(role.penalty_yuan)
        if pen <= abate:
            lines.append(BillLine(PENALTY, 0, x, pen, amount_fen(x, pen)))
            paid = x
    elif role.charge == "surcharge":
        if surcharge is None:
            raise ValueError("a firm with charge: surcharge needs the classroom's surcharge (rule W9)")
        paid = _surcharged_units(x, holding, surcharge, abate)
        if paid:
            b = bill(holding + paid, holding, None, surcharge)
            for line in b.lines:
                lines.append(BillLine(SURCHARGE, line.band, line.quantity_rounded,
                                      div_round_half_up(line.rate.numerator, line.rate.denominator),
                                      line.amount_fen))
    if x - paid:
        lines.append(BillLine(ABATEMENT, 0, x - paid, abate, amount_fen(x - paid, abate)))
    return FirmBill(x, tuple(lines))


def _surcharged_units(x: int, base: int, sur: ProgressiveSurcharge, abate_ticks: int) -> int:
    """Whole units of an over-use ``x`` above ``base`` that fall in bands not dearer than abatement (W9).

    Band k costs k × step × reference (capped at ``max_band``), so the bands not dearer than abatement are the
    first ``⌊abatement / rate(1)⌋`` (all, if that reaches the cap or the rate is 0): found in closed form,
    not band by band, as a small band width with a dear abatement would make millions of them.
    """
    width = sur.width * base
    first = sur.rate(1)
    if width == 0:
        # No rights held: the bands have no width, so uncapped bands put every unit in an ever higher band
        # (the limit of narrowing bands) and the firm abates all; with capped bands all pay the top rate.
        return x if sur.max_band is not None and sur.rate(sur.max_band) <= abate_ticks else 0
    if first == 0:
        return x
    k = math.floor(Fraction(abate_ticks) / first)  # bands whose rate is not above the abatement cost
    if sur.max_band is not None and k >= sur.max_band:
        return x
    return min(x, math.floor(k * width))  # floor: the unit straddling the edge is abated


@dataclass(frozen=True)
class Valuation:
    """A seat's value of holding ``h`` lots (module docstring). All values in ticks·units.

    ``marginal[k]`` is the value of the (k+1)-th lot held (non-increasing, ≥ 0); lots beyond are worth 0.
    ``start_lots``: lots it holds when a period opens; ``cash_fen``: its cash when the session starts.
    """

    role_name: str
    role: Role
    lot: int
    marginal: np.ndarray
    start_lots: int
    cash_fen: int
    surcharge: ProgressiveSurcharge | None = None
    _cum: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        m = np.asarray(self.marginal, dtype=np.int64)
        if m.size and (m.min() < 0 or np.any(np.diff(m) > 0)):
            raise ValueError(f"role {self.role_name!r}: the value of a further lot must not rise")
        object.__setattr__(self, "marginal", m)
        object.__setattr__(self, "_cum", np.concatenate([[0], np.cumsum(m)]).astype(np.int64))

    @property
    def lots_valued(self) -> int:
        return int(self.marginal.size)

    def value(self, lots: int) -> int:
        """Value of holding ``lots`` lots, ticks·units."""
        return int(self._cum[min(max(int(lots), 0), self.marginal.size)])

    def next_lot_value(self, lots: int) -> int:
        """Value of one more lot when holding ``lots`` (0 beyond the valued lots), ticks·units."""
        return int(self.marginal[lots]) if 0 <= lots < self.marginal.size else 0

    def last_lot_value(self, lots: int) -> int:
        """Value given up by selling one lot when holding ``lots`` (``lots`` ≥ 1), ticks·units."""
        return int(self.marginal[lots - 1]) if 1 <= lots <= self.marginal.size else 0

    def is_firm(self) -> bool:
        return isinstance(self.role, FirmRole)

    def bill(self, lots: int) -> FirmBill:
        """The firm's period-end bill when holding ``lots`` lots (empty for other roles)."""
        if not isinstance(self.role, FirmRole):
            return FirmBill(0, ())
        return firm_bill(self.role, lots * self.lot, self.surcharge)

    def value_change_fen(self, lots: int) -> int:
        """Change in the value of holdings from the period's start to ``lots`` lots, in fen.

        For a firm: the bill it saves (its bill at the start holdings minus its bill now, each exactly as
        booked). For the others: the value difference in ticks·units, rounded half up to the fen.
        """
        if isinstance(self.role, FirmRole):
            return self.bill(self.start_lots).total_fen - self.bill(lots).total_fen
        return div_round_half_up(self.value(lots) - self.value(self.start_lots), TICKS_PER_FEN)


class ValuationTerms(Protocol):
    """What a valuation needs of a classroom: its lot (base units) and its W9 surcharge, if any.
    :class:`~rights_market.classroom.settings.ClassroomSpec` is one (this module does not import it, as
    the spec's validator calls :func:`valuation`)."""

    @property
    def lot(self) -> int: ...

    @property
    def surcharge(self) -> SurchargeSpec | None: ...


def valuation(name: str, role: Role, spec: ValuationTerms) -> Valuation:
    """The :class:`Valuation` of ``role`` in classroom ``spec`` (raises ValueError if values would rise)."""
    lot = spec.lot
    sur = surcharge_of(SectorPricing(surcharge=spec.surcharge)) if isinstance(spec.surcharge, SurchargeSpec) else None
    cash = yuan_to_fen(role.cash_yuan)
    if isinstance(role, BuyerRole):
        m = np.array([yuan_to_ticks(v) * lot for v in role.values_yuan], dtype=np.int64)
        return Valuation(name, role, lot, m, 0, cash)
    if isinstance(role, SellerRole):
        costs = sorted((yuan_to_ticks(c) * lot for c in role.costs_yuan), reverse=True)
        return Valuation(name, role, lot, np.array(costs, dtype=np.int64), len(costs), cash)
    if isinstance(role, FarmRole):
        use, salvage = yuan_to_ticks(role.use_value_yuan), yuan_to_ticks(role.salvage_yuan)
        k = max(-(-role.need // lot), role.holding // lot)
        upper = np.arange(1, k + 1, dtype=np.int64) * lot
        used = np.clip(role.need - (upper - lot), 0, lot)
        m = used * use + (lot - used) * salvage
        return Valuation(name, role, lot, m, role.holding // lot, cash)
    if isinstance(role, FirmRole):
        k = -(-role.need // lot)
        if role.charge == "surcharge" and sur is not None and role.need > lot:
            # a bill lists its bands one by one: the most are those of a firm holding a single lot
            paid = _surcharged_units(role.need - lot, lot, sur, yuan_to_ticks(role.abatement_yuan))
            bands = math.ceil(paid / (sur.width * lot))
            if bands > MAX_BILL_BANDS:
                raise ValueError(
                    f"holding one lot, role {name!r} would pay the W9 surcharge in {bands:,} bands, over the "
                    f"{MAX_BILL_BANDS:,} a classroom bill may list; raise surcharge.band_width_share or "
                    "surcharge.step_share, or lower need or abatement_yuan")
        cost = np.array([firm_bill(role, h * lot, sur).total_fen for h in range(k + 1)], dtype=np.int64)
        m = (cost[:-1] - cost[1:]) * TICKS_PER_FEN
        if np.any(np.diff(m) > 0):
            raise ValueError(
                f"role {name!r}: the bill a further lot saves must not rise with the lots held; with these numbers "
                "the W9 bands (a share of the rights held) make it rise — change plan, need or abatement_yuan")
        return Valuation(name, role, lot, m, role.plan // lot, cash, sur)
    raise TypeError(f"unknown role {role!r}")


def max_gains_of(valuations: list[Valuation]) -> int:
    """Largest total gain from trade among ``valuations`` (each at its start holdings), ticks·units.

    Every lot held is offered at its holder's value, every further valued lot demanded at its value; the
    competitive surplus of :func:`rights_market.market.metrics.max_gains`.
    """
    values, costs = _demand_supply(valuations)
    return max_gains(values, np.ones(values.size, dtype=np.int64), costs, np.ones(costs.size, dtype=np.int64))


def _demand_supply(valuations: list[Valuation]) -> tuple[np.ndarray, np.ndarray]:
    dem = [v.marginal[v.start_lots:] for v in valuations]
    # lots held beyond the valued ones are worth nothing to their holder: supply at zero
    sup = [np.concatenate([v.marginal[: v.start_lots], np.zeros(max(v.start_lots - v.lots_valued, 0), np.int64)])
           for v in valuations]
    values = np.concatenate(dem) if dem else np.zeros(0, dtype=np.int64)
    costs = np.concatenate(sup) if sup else np.zeros(0, dtype=np.int64)
    return values[values > 0], costs


@dataclass(frozen=True)
class Equilibrium:
    """Competitive equilibrium of the induced values: ``lots`` traded, price range in ticks per base unit."""

    lots: int
    price_low_ticks: int
    price_high_ticks: int


def competitive_equilibrium(valuations: list[Valuation], lot: int) -> Equilibrium | None:
    """The quantity and the range of prices at which induced demand meets induced supply, or None if no
    lot would trade. Prices per base unit, rounded inwards to whole ticks."""
    values, costs = _demand_supply(valuations)
    d = np.sort(values)[::-1]
    s = np.sort(costs)
    n = min(d.size, s.size)
    q = int(np.sum(d[:n] > s[:n]))
    if q == 0:
        return None
    lo = max(int(s[q - 1]), int(d[q]) if q < d.size else 0)
    hi = min(int(d[q - 1]), int(s[q]) if q < s.size else int(d[q - 1]))
    return Equilibrium(q, -(-lo // lot), hi // lot)


__all__ = [
    "ABATEMENT",
    "PENALTY",
    "SURCHARGE",
    "BillLine",
    "Equilibrium",
    "FirmBill",
    "Valuation",
    "competitive_equilibrium",
    "firm_bill",
    "max_gains_of",
    "valuation",
]
