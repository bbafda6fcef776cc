"""Numbers as the report writes them: integers with separators, fen as yuan, prices with 2 to 4 decimals,
shares as percentages, KPI values by their metric and unit."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from ..units import FEN_PER_YUAN

#: KPI metrics that count things (shown as whole numbers) and that are shares (three decimals).
COUNT_METRICS = frozenset({"trade_count", "rejected_orders", "dry_year"})
SHARE_METRICS = frozenset({"deliverable_share", "use_over_cap", "efficiency"})


def fmt_int(value: object) -> str:
    return f"{int(value):,}"


def fen_to_yuan(fen: object) -> Decimal:
    return Decimal(int(fen)) / FEN_PER_YUAN


def fmt_fen(fen: object) -> str:
    """Integer fen as yuan with two decimals and thousands separators."""
    return f"{fen_to_yuan(fen):,.2f}"


def fmt_price(value: Decimal | float) -> str:
    """A price in yuan per unit: 2 to 4 decimals (0.0305, 1.081, 12.50)."""
    d = Decimal(str(value)) if not isinstance(value, Decimal) else value
    text = f"{d.quantize(Decimal('0.0001')):,.4f}"
    whole, frac = text.split(".")
    frac = frac.rstrip("0")
    return f"{whole}.{frac.ljust(2, '0')}"


def mean_price(amount_fen: int, quantity: int) -> Decimal:
    """Volume-weighted mean price in yuan per unit from integer money and quantity."""
    return Decimal(int(amount_fen)) / FEN_PER_YUAN / Decimal(int(quantity))


def fmt_pct(share: float) -> str:
    return f"{share:.1%}"


def fmt_kpi(value: float, metric: str, unit: str, whole: bool = False) -> str:
    """One KPI value; ``whole``: every value of this metric is a whole number (counts, flags, m³)."""
    if pd.isna(value):
        return "—"
    if metric in COUNT_METRICS:
        return fmt_int(round(value))
    if unit == "yuan":
        return f"{value:,.2f}"
    if unit.startswith("yuan/"):
        return fmt_price(value)
    if metric in SHARE_METRICS:
        return f"{value:,.3f}"
    if whole:
        return fmt_int(value)
    return f"{value:,.3f}" if unit in ("1", "") else f"{value:,.2f}"
