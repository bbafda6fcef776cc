"""One right's share of a run (its rows of every table, products, display units and series of trades)
and the names the report gives its products, series and price units."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .display_units import (
    DisplayUnit,
    Series,
    display_unit,
    order_products,
    product_units,
    split_series,
    unit_of_right,
)
from .labels import Labels
from .run_data import Run


@dataclass
class RightData:
    right: str
    unit: str
    trades: pd.DataFrame
    charges: pd.DataFrame
    reserve: pd.DataFrame
    rejected: pd.DataFrame
    kpis: pd.DataFrame
    products: list[str] = field(default_factory=list)
    units: dict[str, DisplayUnit] = field(default_factory=dict)
    series: list[tuple[Series, pd.DataFrame]] = field(default_factory=list)

    def bases(self, product: str) -> int:
        """Number of price bases (sales, rents, ...) the trades of ``product`` have."""
        return sum(1 for s, _ in self.series if s.product == product)


def right_data(run: Run, right: str) -> RightData:
    d = RightData(
        right=right,
        unit=unit_of_right(run, right),
        trades=run.rows_of("trades", right),
        charges=run.rows_of("charges", right),
        reserve=run.rows_of("reserve", right),
        rejected=run.rows_of("orders_rejected", right),
        kpis=run.rows_of("kpis", right),
    )
    # the distinct products (order_products orders them whatever order they come in)
    found = [p for df in (d.trades, d.charges, d.reserve, d.rejected) for p in df["product"].astype(str).unique() if p]
    d.products = order_products(found, right)
    base_units = product_units(run, right, d.products)
    d.units = {p: display_unit(p, base_units[p]) for p in d.products}
    d.series = split_series(d.trades, base_units, right)
    return d


def product_name(L: Labels, product: str) -> str:
    """Name of a product in words (``emission.NOx`` → ``NOx (nitrogen oxides)``), or its id."""
    return L.code("product", product)


def series_name(L: Labels, d: RightData, s: Series) -> str:
    """Name of a series: the product's, with the price basis when the product has several."""
    name = product_name(L, s.product)
    return L(f"series.{s.basis}", product=name) if d.bases(s.product) > 1 else name


def price_unit_text(L: Labels, s: Series) -> str:
    """Unit of the prices of a series: ``yuan/t``; rents ``yuan/mu per year``."""
    punit = L.unit(f"yuan/{s.du.unit}")
    return L("unit.per_year", punit=punit) if s.basis == "rent" else punit


def qty_with_unit(L: Labels, du: DisplayUnit, quantity: object) -> str:
    return L("qty.unit", qty=du.fmt_qty(quantity), unit=L.unit(du.unit))



def kpi_base_of(kpi_base: pd.Series, d: RightData, s: Series) -> pd.Series:
    """The right's ``base_price`` indicator per shown unit of ``s``, or empty if its unit does not fit."""
    if kpi_base.empty:
        return kpi_base
    units = set(d.kpis.loc[d.kpis["metric"] == "base_price", "unit"].astype(str))
    if units == {f"yuan/{s.du.unit}"}:
        return kpi_base
    if units == {f"yuan/{s.du.base}"}:
        return kpi_base * float(s.du.factor)
    return pd.Series(dtype=float)



def products_of(df: pd.DataFrame, right: str) -> list[str]:
    return order_products(list(df["product"].astype(str).unique()), right)


def du_of(d: RightData, product: str) -> DisplayUnit:
    return d.units.get(product, DisplayUnit(d.unit, d.unit))
