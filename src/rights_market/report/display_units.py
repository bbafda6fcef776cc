"""How quantities and prices are shown: base units in larger units (kg → t, 0.01 mu → mu, farmland m² →
mu), series of trades by product and price basis, and the unit of each product and right.

Money is never converted: it stays the integer fen sums; only quantities and prices per unit are scaled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from ..units import FEN_PER_YUAN, M2_PER_MU
from .fmt import fmt_int
from .rights_display import AREA_IN_MU, DEFAULT_UNIT, PRODUCT_ORDER, TERM_PRICED
from .run_data import Run, ordered

#: Base units shown in a larger unit: ``base -> (shown unit, base units per shown unit, decimals)``.
UNIT_CONVERSIONS: dict[str, tuple[str, Fraction, int]] = {
    "kg": ("t", Fraction(1000), 3),
    "kgce": ("tce", Fraction(1000), 3),
    "0.01mu": ("mu", Fraction(100), 2),
}
#: Price bases of a series of trades: one-off prices, yearly rents (``price_basis`` ``rent``,
#: see ``rights.land``), prices for a whole term.
BASIS_ORDER = ("price", "rent", "term")


@dataclass(frozen=True)
class DisplayUnit:
    """How quantities of a product are shown: ``quantity_shown = quantity / factor``, and prices per shown
    unit ``= price per base unit × factor``. Money is never converted: it stays the integer fen sums."""

    base: str
    unit: str
    factor: Fraction = Fraction(1)
    decimals: int = 0

    def qty(self, quantity: object) -> float:
        """Quantity in the shown unit, as a float (for figures)."""
        return float(Fraction(int(quantity)) / self.factor)

    def fmt_qty(self, quantity: object) -> str:
        """Integer base quantity in the shown unit, exact to the base unit (``1,064,018`` kg → ``1,064.018``)."""
        if self.factor == 1:
            return fmt_int(quantity)
        exact = Fraction(int(quantity)) / self.factor
        value = Decimal(exact.numerator) / Decimal(exact.denominator)
        return f"{value.quantize(Decimal(1).scaleb(-self.decimals)):,.{self.decimals}f}"

    def price(self, yuan_per_base: float) -> float:
        """A price per base unit (float column) as a price per shown unit."""
        return float(yuan_per_base) * float(self.factor)

    def mean_price(self, amount_fen: object, quantity: object) -> Decimal:
        """Volume-weighted mean price per shown unit from integer money (fen) and quantity (base units)."""
        exact = Fraction(int(amount_fen), FEN_PER_YUAN * int(quantity)) * self.factor
        return Decimal(exact.numerator) / Decimal(exact.denominator)


def display_unit(product: str, base: str) -> DisplayUnit:
    """The unit ``product`` quantities (in ``base``) are shown in: kg → t, kgce → tce, 0.01 mu → mu, m² → mu
    for the farmland products of :data:`AREA_IN_MU`; any other unit as it is."""
    if base in UNIT_CONVERSIONS:
        unit, factor, decimals = UNIT_CONVERSIONS[base]
        return DisplayUnit(base, unit, factor, decimals)
    if base == "m2" and product in AREA_IN_MU:
        return DisplayUnit(base, "mu", M2_PER_MU, 2)
    return DisplayUnit(base, base)


def convert_unit(unit: str) -> tuple[str, float]:
    """A unit of an indicator (``kg``, ``yuan/kg``, ``kgce``) in the shown unit and the multiplier to apply
    (``kg`` → ``("t", 0.001)``). Only the unconditional conversions of :data:`UNIT_CONVERSIONS` apply."""
    parts = str(unit).split("/")
    if len(parts) > 2 or not any(p in UNIT_CONVERSIONS for p in parts):
        return unit, 1.0
    mult = Fraction(1)
    shown = []
    for i, part in enumerate(parts):
        if part in UNIT_CONVERSIONS:
            to, factor, _ = UNIT_CONVERSIONS[part]
            shown.append(to)
            mult = mult / factor if i == 0 else mult * factor
        else:
            shown.append(part)
    return "/".join(shown), float(mult)


@dataclass(frozen=True)
class Series:
    """The trades of one product on one price basis (``price``, ``rent`` or ``term``)."""

    product: str
    basis: str
    du: DisplayUnit


def price_basis(trades: pd.DataFrame) -> pd.Series:
    """Price basis of each trade for display: the ``price_basis`` column (``rent``: a lease priced as the
    yearly rent; ``price``, or ``""`` in tables written before the column), except that the negotiated deals
    of a :data:`TERM_PRICED` product (W4 term deals, priced for the whole term) are ``term``."""
    basis = trades["price_basis"].astype(str).replace("", "price").astype(object)
    term = (basis == "price") & trades["product"].astype(str).isin(TERM_PRICED) & (trades["mechanism"] == "negotiation")
    basis[term] = "term"
    return basis


def product_units(run: Run, right: str, products: Sequence[str]) -> dict[str, str]:
    """Base unit of each product: from its trades, else the right's usual unit."""
    trades = run.tables["trades"]
    known: dict[str, str] = {}
    if not trades.empty:
        units = trades[trades["unit"] != ""].drop_duplicates("product")
        known = dict(zip(units["product"].astype(str), units["unit"].astype(str), strict=True))
    fallback = unit_of_right(run, right)
    return {p: known.get(p, DEFAULT_UNIT.get(str(p).split(".", 1)[0], fallback)) for p in products}


def order_products(products: Sequence[str], right: str) -> list[str]:
    """Distinct products, the right's own (``<right>.…``) first, each part in :data:`PRODUCT_ORDER`."""
    vals = [str(p) for p in dict.fromkeys(products) if p]
    own = [p for p in vals if p.startswith(f"{right}.")]
    return ordered(own, PRODUCT_ORDER) + ordered([p for p in vals if p not in own], PRODUCT_ORDER)


def split_series(trades: pd.DataFrame, units: dict[str, str], right: str = "") -> list[tuple[Series, pd.DataFrame]]:
    """Trades of one right split by product (:func:`order_products`) and price basis."""
    if trades.empty:
        return []
    basis = price_basis(trades)
    out = []
    products = trades["product"].astype(str)
    for product in order_products(list(products.unique()), right):  # distinct values: order_products orders
        of_product = products == product
        du = display_unit(product, units.get(product, ""))
        for b in ordered(list(basis[of_product].unique()), BASIS_ORDER):
            out.append((Series(product, b, du), trades[of_product & (basis == b)]))
    return out


def suffix_of(product: str, right: str) -> str:
    """``emission.NOx`` → ``NOx`` (the product without its right's prefix)."""
    return product[len(right) + 1 :] if product.startswith(f"{right}.") else product


def unit_of_right(run: Run, right: str) -> str:
    trades = run.rows_of("trades", right)
    units = [u for u in trades["unit"].unique() if u] if not trades.empty else []
    if units:
        return str(units[0])
    kpis = run.rows_of("kpis", right)
    if not kpis.empty:
        sel = kpis[kpis["metric"].isin(["use", "cap", "traded_volume"]) & (kpis["unit"] != "")]
        if not sel.empty:
            return str(sel["unit"].iloc[0])
    return DEFAULT_UNIT.get(right, "")
