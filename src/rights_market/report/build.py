"""Build ``report.html`` and ``report.md`` from the tables of a run directory (see ``docs/tables.md``).

The report is assembled as a list of blocks (headings, paragraphs, figures, tables) that are rendered
twice: to a self-contained HTML file (inline CSS, figures as base64 PNG) and to Markdown (figures as PNG
files in ``figures/``, referenced relatively). All files are written atomically (temp file + ``os.replace``).
Figure files of an earlier build that the new one no longer draws are removed once the new report is
written (see :func:`build_report`).

Money is always summed over the integer ``*_fen`` columns and turned into yuan only when formatted.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd

from .. import __version__
from ..atomic import write_atomic
from ..units import FEN_PER_YUAN
from . import figures as figs
from .labels import Labels

# ----------------------------------------------------------------------------------------- table schema
#: Columns (and dtypes) read from each table; missing files or columns are filled with these.
SCHEMA: dict[str, dict[str, str]] = {
    "holders": {"holder": "int64", "name": "str", "group": "str", "sector": "str", "right": "str"},
    "trades": {
        "time": "int64",
        "year": "int64",
        "session": "int64",
        "right": "str",
        "product": "str",
        "mechanism": "str",
        "seller": "int64",
        "buyer": "int64",
        "quantity": "int64",
        "unit": "str",
        "price_ticks": "int64",
        "amount_fen": "int64",
        "relation": "str",
        "base_price": "float64",
    },
    "orders_rejected": {
        "time": "int64",
        "year": "int64",
        "session": "int64",
        "product": "str",
        "trader": "int64",
        "side": "str",
        "quantity": "int64",
        "price": "float64",
        "reason": "str",
    },
    "holdings": {"time": "int64", "year": "int64", "holder": "int64", "product": "str", "quantity": "int64"},
    "charges": {
        "time": "int64",
        "year": "int64",
        "holder": "int64",
        "payee": "int64",
        "product": "str",
        "kind": "str",
        "band": "int64",
        "quantity": "int64",
        "rate_ticks": "int64",
        "amount_fen": "int64",
    },
    "reserve": {
        "time": "int64",
        "year": "int64",
        "product": "str",
        "action": "str",
        "quantity": "int64",
        "amount_fen": "int64",
        "stock": "int64",
        "cash_fen": "int64",
        "reason": "str",
    },
    "kpis": {
        "time": "int64",
        "year": "int64",
        "right": "str",
        "metric": "str",
        "value": "float64",
        "unit": "str",
    },
}

RIGHT_ORDER = ("water", "emission", "land", "forest")
DEFAULT_UNIT = {"water": "m3", "emission": "kg", "land": "m2", "forest": "0.01mu"}
#: Products in the order their figures and tables appear (others follow alphabetically).
PRODUCT_ORDER = (
    "water.annual",
    "water.right",
    "emission.NOx",
    "emission.SO2",
    "emission.COD",
    "emission.NH3-N",
    "emission.carbon",
    "land.management",
    "land.contract",
    "land.homestead",
    "land.wasteland",
    "land.farmland_quota",
    "land.collective_construction",
    "land.state_construction",
    "land.construction_quota",
    "forest.management",
    "forest.contract",
    "forest.ownership",
    "forest.management.pledged",
    "forest.energy_quota",
)
MECHANISM_ORDER = ("cda", "call", "negotiation", "listing", "auction", "tender", "directed", "reserve")
KIND_ORDER = ("tariff", "surcharge", "use_fee", "proceeds_share", "penalty", "tax", "fee")
METRIC_ORDER = (
    "cap",
    "confirmed",
    "deliverable_share",
    "planned",
    "use",
    "use_over_cap",
    "traded_volume",
    "trade_count",
    "mean_price",
    "base_price",
    "surcharge_revenue",
    "tariff_revenue",
    "reserve_stock",
    "reserve_cash",
    "unmet_need",
    "rejected_orders",
    "efficiency",
)
COUNT_METRICS = frozenset({"trade_count", "rejected_orders", "dry_year"})
SHARE_METRICS = frozenset({"deliverable_share", "use_over_cap", "efficiency"})
BAND_METRIC_PREFIX = "surcharge_revenue_band_"
DAYS_PER_YEAR = 365
TOP_HOLDERS = 10
#: Rows of each top-holder table when a right trades several products (one table each).
TOP_HOLDERS_PER_SERIES = 5


# ----------------------------------------------------------------------------------------- loading
@dataclass
class Run:
    """The manifest and tables of one run directory."""

    path: Path
    manifest: dict
    tables: dict[str, pd.DataFrame]


def _empty(schema: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in schema.items()})


def _read_table(path: Path, schema: dict[str, str]) -> pd.DataFrame:
    if not path.exists():
        return _empty(schema)
    df = pd.read_parquet(path)
    for col, dtype in schema.items():
        if col not in df.columns:
            fill: object = 0 if dtype == "int64" else (float("nan") if dtype == "float64" else "")
            df[col] = pd.Series([fill] * len(df), index=df.index, dtype=dtype)
        elif dtype == "str":
            df[col] = df[col].fillna("").astype(str)
        elif dtype == "int64":
            df[col] = df[col].fillna(0).astype("int64")
    return df.reset_index(drop=True)


def load_run(run_dir: Path) -> Run:
    """Read ``manifest.json`` and every table of ``run_dir``; absent files become empty tables."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(f"run directory {run_dir} does not exist")
    manifest_path = run_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    tables = {name: _read_table(run_dir / f"{name}.parquet", schema) for name, schema in SCHEMA.items()}
    return Run(run_dir, manifest, tables)


def right_of_product(product: pd.Series) -> pd.Series:
    """``water.annual`` -> ``water``."""
    return product.astype(str).str.split(".", n=1).str[0]


def _for_right(df: pd.DataFrame, right: str) -> pd.DataFrame:
    if df.empty:
        return df
    rights = df["right"] if "right" in df.columns else right_of_product(df["product"])
    return df[rights == right]


def rights_in_run(run: Run) -> list[str]:
    """Rights present in any table, water first (then emission, land, forest, others alphabetically)."""
    found: set[str] = set()
    for df in run.tables.values():
        if df.empty:
            continue
        col = df["right"] if "right" in df.columns else right_of_product(df["product"])
        found.update(v for v in col.unique() if v)
    known = [r for r in RIGHT_ORDER if r in found]
    return known + sorted(found - set(RIGHT_ORDER))


def _sorted_in_time(df: pd.DataFrame) -> pd.DataFrame:
    """Rows ordered by time, keeping file order among equal times."""
    return df.sort_values("time", kind="stable")


def fractional_year(df: pd.DataFrame) -> pd.Series:
    """Calendar year plus the share of the year elapsed (day ``time`` of a 365-day year)."""
    return df["year"].astype(float) + (df["time"] % DAYS_PER_YEAR).astype(float) / DAYS_PER_YEAR


def _ordered(values: Sequence[str], order: Sequence[str]) -> list[str]:
    vals = list(dict.fromkeys(values))
    return [v for v in order if v in vals] + sorted(v for v in vals if v not in order)


# ----------------------------------------------------------------------------------------- units shown
#: Base units shown in a larger unit: ``base -> (shown unit, base units per shown unit, decimals)``.
UNIT_CONVERSIONS: dict[str, tuple[str, Fraction, int]] = {
    "kg": ("t", Fraction(1000), 3),
    "kgce": ("tce", Fraction(1000), 3),
    "0.01mu": ("mu", Fraction(100), 2),
}
#: 1 mu = 10,000/15 m².
M2_PER_MU = Fraction(10_000, 15)
#: Farmland products whose areas (m²) are shown in mu, as farmland is measured in China; construction land,
#: homesteads and quotas for construction stay in m².
AREA_IN_MU = frozenset({"land.management", "land.contract", "land.wasteland", "land.farmland_quota"})
#: Products whose negotiated transfers are term deals priced per unit of annual right for the whole
#: multi-year term (rule W4); their other trades (e.g. releases to projects, X4) are ordinary sales.
TERM_PRICED = frozenset({"water.right"})
#: Price bases of a series of trades: one-off prices, yearly rents (``relation`` starting with ``lease:``,
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
    """Price basis of each trade: ``rent`` (leases: relation ``lease:<term>y ...``, priced as the yearly rent),
    ``term`` (negotiated deals of a :data:`TERM_PRICED` product, priced for the whole term) or ``price``."""
    rent = trades["relation"].astype(str).str.startswith("lease:")
    term = trades["product"].astype(str).isin(TERM_PRICED) & (trades["mechanism"] == "negotiation")
    basis = pd.Series("price", index=trades.index, dtype=object)
    basis[term] = "term"
    basis[rent] = "rent"
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
    return _ordered(own, PRODUCT_ORDER) + _ordered([p for p in vals if p not in own], PRODUCT_ORDER)


def split_series(trades: pd.DataFrame, units: dict[str, str], right: str = "") -> list[tuple[Series, pd.DataFrame]]:
    """Trades of one right split by product (:func:`order_products`) and price basis."""
    if trades.empty:
        return []
    basis = price_basis(trades)
    out = []
    for product in order_products(list(trades["product"].astype(str)), right):
        of_product = trades["product"].astype(str) == product
        du = display_unit(product, units.get(product, ""))
        for b in _ordered(list(basis[of_product]), BASIS_ORDER):
            out.append((Series(product, b, du), trades[of_product & (basis == b)]))
    return out


def suffix_of(product: str, right: str) -> str:
    """``emission.NOx`` → ``NOx`` (the product without its right's prefix)."""
    return product[len(right) + 1 :] if product.startswith(f"{right}.") else product


# ----------------------------------------------------------------------------------------- aggregations
def unit_of_right(run: Run, right: str) -> str:
    trades = _for_right(run.tables["trades"], right)
    units = [u for u in trades["unit"].unique() if u] if not trades.empty else []
    if units:
        return str(units[0])
    kpis = _for_right(run.tables["kpis"], right)
    if not kpis.empty:
        sel = kpis[kpis["metric"].isin(["use", "cap", "traded_volume"]) & (kpis["unit"] != "")]
        if not sel.empty:
            return str(sel["unit"].iloc[0])
    return DEFAULT_UNIT.get(right, "")


def kpi_table(kpis: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """KPIs of one right as a year × metric table (last value of each metric in a year) and metric units."""
    if kpis.empty:
        return pd.DataFrame(), {}
    k = _sorted_in_time(kpis)
    last = k.groupby(["year", "metric"], sort=True).tail(1)
    table = last.pivot(index="year", columns="metric", values="value").sort_index()
    units = dict(zip(last["metric"], last["unit"], strict=True))

    def band_no(m: str) -> tuple[int, str]:
        tail = m[len(BAND_METRIC_PREFIX) :]
        return (int(tail), m) if tail.isdigit() else (10**9, m)

    metrics = list(table.columns)
    bands = sorted((m for m in metrics if m.startswith(BAND_METRIC_PREFIX)), key=band_no)
    order = [m for m in METRIC_ORDER if m in metrics] + bands
    order += sorted(m for m in metrics if m not in order)
    table = table[order]
    table.columns.name = None
    return table, units


def yearly_kpi(kpis: pd.DataFrame, metric: str) -> pd.Series:
    """One metric per year (last value of the year)."""
    sel = _sorted_in_time(kpis[kpis["metric"] == metric]) if not kpis.empty else kpis
    if sel.empty:
        return pd.Series(dtype=float)
    return sel.groupby("year", sort=True)["value"].last().astype(float)


def yearly_mean_price_fen(trades: pd.DataFrame) -> pd.DataFrame:
    """Per year: traded quantity and money (fen); the mean price is ``amount_fen / quantity / 100``."""
    g = trades.groupby("year", sort=True).agg(quantity=("quantity", "sum"), amount_fen=("amount_fen", "sum"))
    return g[g["quantity"] > 0]


def relation_name(relation: str) -> str:
    """A trading relation without the price-monitoring flag (``...;flag=high`` → ``...``, rule L16)."""
    return str(relation).split(";flag=", 1)[0]


@dataclass
class BaseLevels:
    """Base prices of one series of trades, per year, in yuan per shown unit.

    ``lines``: at most ``max_lines`` levels, each keyed by the relations sharing it (``()`` = the right's
    base price from the kpis). ``band``: instead of lines, the lowest and highest base price of each year
    (columns ``low``, ``high``) when there are more levels or a relation's base price varies within a
    year. ``relations``: number of relations with a base price.
    """

    lines: list[tuple[tuple[str, ...], pd.Series]]
    band: pd.DataFrame | None
    relations: int


def base_price_levels(
    trades: pd.DataFrame, kpi_base: pd.Series, factor: float = 1.0, max_lines: int = 2
) -> BaseLevels:
    """Base prices of the relations of ``trades`` (``relation``/``base_price``; zero means none), with the
    right's base price ``kpi_base`` (per year, already per shown unit) first if given; relation levels equal
    to it are left out."""
    rel = trades[(trades["relation"] != "") & trades["base_price"].notna() & (trades["base_price"] > 0)]
    rel = _sorted_in_time(rel).assign(
        _name=lambda df: df["relation"].map(relation_name),
        _base=lambda df: (df["base_price"].astype(float) * factor).round(6),
    )
    # One level per base price path: a relation joins a level whose prices it shares (every price of the
    # relation is one of the level's, and equal in the years both have), so relations trading in
    # different years at the same base price are one level.
    levels: list[tuple[dict[int, float], list[str]]] = []
    varying = False
    for name, grp in rel.groupby("_name", sort=True):
        per_year = grp.groupby("year", sort=True)["_base"]
        varying = varying or bool((per_year.nunique() > 1).any())
        values = {int(y): float(v) for y, v in per_year.last().items()}
        for level, names in levels:
            if set(values.values()) <= set(level.values()) and all(
                level.get(y, v) == v for y, v in values.items()
            ):
                level.update(values)
                names.append(str(name))
                break
        else:
            levels.append((values, [str(name)]))
    lines: list[tuple[tuple[str, ...], pd.Series]] = []
    kpi = kpi_base.dropna().astype(float)
    kpi = kpi[kpi > 0]
    if not kpi.empty:
        lines.append(((), kpi))
    for values, names in levels:
        if not kpi.empty and all(y in kpi.index and abs(float(kpi[y]) - v) < 1e-9 for y, v in values.items()):
            continue
        lines.append((tuple(names), pd.Series(dict(sorted(values.items())), dtype=float)))
    n_rel = sum(len(names) for _, names in levels)
    if len(lines) <= max_lines and not varying:
        return BaseLevels(lines, None, n_rel)
    all_values = rel.set_index("year")["_base"]
    if not kpi.empty:
        all_values = pd.concat([all_values, kpi])
    band = all_values.groupby(level=0, sort=True).agg(["min", "max"]).rename(columns={"min": "low", "max": "high"})
    return BaseLevels([], band, n_rel)


def volume_by_year_mechanism(trades: pd.DataFrame) -> pd.DataFrame:
    if trades.empty:
        return pd.DataFrame()
    t = trades.pivot_table(
        index="year", columns="mechanism", values="quantity", aggfunc="sum", fill_value=0, sort=True
    )
    t = t[_ordered(list(t.columns), MECHANISM_ORDER)].astype("int64")
    t.columns.name = None
    return t


def surcharge_by_year_band(charges: pd.DataFrame) -> pd.DataFrame:
    """Sum of ``amount_fen`` of surcharges, years as rows, bands as columns (integers, fen)."""
    s = charges[charges["kind"] == "surcharge"] if not charges.empty else charges
    if s.empty:
        return pd.DataFrame()
    t = s.pivot_table(
        index="year", columns="band", values="amount_fen", aggfunc="sum", fill_value=0, sort=True
    ).astype("int64")
    t.columns.name = None
    return t


def charges_by_kind_band(charges: pd.DataFrame) -> pd.DataFrame:
    """Count, quantity and ``amount_fen`` of charges by kind and band (integers)."""
    if charges.empty:
        return pd.DataFrame(columns=["kind", "band", "count", "quantity", "amount_fen"])
    g = (
        charges.groupby(["kind", "band"], sort=True)
        .agg(count=("amount_fen", "size"), quantity=("quantity", "sum"), amount_fen=("amount_fen", "sum"))
        .reset_index()
    )
    kinds = _ordered(list(g["kind"]), KIND_ORDER)
    g["_k"] = g["kind"].map({k: i for i, k in enumerate(kinds)})
    return g.sort_values(["_k", "band"], kind="stable").drop(columns="_k").reset_index(drop=True)


def rejected_by_reason(rejected: pd.DataFrame) -> pd.DataFrame:
    if rejected.empty:
        return pd.DataFrame(columns=["reason", "count", "quantity"])
    g = (
        rejected.groupby("reason", sort=True)
        .agg(count=("reason", "size"), quantity=("quantity", "sum"))
        .reset_index()
    )
    return g.sort_values(["count", "reason"], ascending=[False, True], kind="stable").reset_index(drop=True)


def top_holders(trades: pd.DataFrame, side: str, n: int = TOP_HOLDERS) -> pd.DataFrame:
    """Accounts with the largest quantity bought (``side='buyer'``) or sold (``side='seller'``)."""
    if trades.empty:
        return pd.DataFrame(columns=["account", "trades", "quantity", "amount_fen"])
    g = (
        trades.groupby(side, sort=True)
        .agg(trades=("quantity", "size"), quantity=("quantity", "sum"), amount_fen=("amount_fen", "sum"))
        .reset_index()
        .rename(columns={side: "account"})
    )
    g = g.sort_values(["quantity", "amount_fen", "account"], ascending=[False, False, True], kind="stable")
    return g.head(n).reset_index(drop=True)


# ----------------------------------------------------------------------------------------- formatting
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


# ----------------------------------------------------------------------------------------- blocks
@dataclass
class Heading:
    level: int
    text: str


@dataclass
class Para:
    text: str
    kind: str = ""  # "", "empty", "note"


@dataclass
class Bullets:
    items: list[str]


@dataclass
class KeyValues:
    items: list[tuple[str, str]]
    sep: str = ":"


@dataclass
class FigureBlock:
    stem: str
    png: bytes
    caption: str


@dataclass
class TableBlock:
    title: str
    columns: list[str]
    rows: list[list[str]]
    align: list[str]  # "l" or "r" per column
    total: bool = False  # last row is a total row
    note: str = ""


@dataclass
class Document:
    lang: str
    title: str
    blocks: list[object] = field(default_factory=list)

    def add(self, *blocks: object) -> None:
        self.blocks.extend(blocks)


# ----------------------------------------------------------------------------------------- content
def _manifest_name(manifest: dict) -> str | None:
    for key in ("scenario_name", "name"):
        if isinstance(manifest.get(key), str):
            return manifest[key]
    scen = manifest.get("scenario")
    if isinstance(scen, str):
        return scen
    if isinstance(scen, dict) and isinstance(scen.get("name"), str):
        return scen["name"]
    return None


def _header(run: Run, L: Labels, rights: list[str]) -> KeyValues:
    m = run.manifest
    unknown = L("header.unknown")
    name = _manifest_name(m) or run.path.name
    seed = m.get("seed")
    h = m.get("scenario_hash")
    wall = m.get("wall_seconds")
    wall_text = (
        L("header.seconds", seconds=f"{float(wall):,.1f}") if isinstance(wall, int | float) else unknown
    )
    return KeyValues(
        [
            (L("header.scenario"), str(name)),
            (L("header.seed"), str(seed) if seed is not None else unknown),
            (L("header.version"), str(m.get("package_version") or unknown)),
            (L("header.hash"), str(h)[:8] if h else unknown),
            (L("header.wall"), wall_text),
            (L("header.rights"), ", ".join(L.right(r) for r in rights) if rights else "—"),
        ],
        sep=L("header.sep"),
    )


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


def _right_data(run: Run, right: str) -> RightData:
    t = run.tables
    d = RightData(
        right=right,
        unit=unit_of_right(run, right),
        trades=_for_right(t["trades"], right),
        charges=_for_right(t["charges"], right),
        reserve=_for_right(t["reserve"], right),
        rejected=_for_right(t["orders_rejected"], right),
        kpis=_for_right(t["kpis"], right),
    )
    found = [p for df in (d.trades, d.charges, d.reserve, d.rejected) for p in df["product"].astype(str) if p]
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


def _qty_with_unit(L: Labels, du: DisplayUnit, quantity: object) -> str:
    return L("qty.unit", qty=du.fmt_qty(quantity), unit=L.unit(du.unit))


def _reserve_end(reserve: pd.DataFrame) -> tuple[dict[str, int], int]:
    """Stock of each product after its last action and the reserve's cash (fen) after the last action.

    A right has one reserve with one cash account (rule X2), so cash is not added up over products."""
    r = _sorted_in_time(reserve)
    last = r.groupby("product", sort=True).tail(1)
    stocks = dict(zip(last["product"].astype(str), last["stock"].astype("int64"), strict=True))
    return stocks, int(r["cash_fen"].iloc[-1])


def _summary(d: RightData, L: Labels) -> list[str]:
    """Plain-language sentences summarising one right."""
    unit = L.unit(d.unit)
    out: list[str] = []
    if d.products:
        names = [
            L("summary.product_id", name=product_name(L, p), id=p) if L.has(f"product.{p}") else p
            for p in d.products
        ]
        out.append(L("summary.products", products=L("list.sep").join(names)))

    if d.trades.empty:
        out.append(L("summary.no_trades"))
    elif len(d.series) == 1:
        s, t = d.series[0]
        out += _trade_sentences(d, s, t, L, yearly_kpi(d.kpis, "base_price"))
    else:
        for s, t in d.series:
            text = L("sentence.sep").join(_trade_sentences(d, s, t, L, pd.Series(dtype=float)))
            out.append(L("summary.series", name=series_name(L, d, s), text=text))

    surcharges = d.charges[d.charges["kind"] == "surcharge"]
    if surcharges.empty:
        out.append(L("summary.no_surcharge"))
    else:
        out.append(L("summary.surcharge", amount=fmt_fen(surcharges["amount_fen"].sum())))

    if d.reserve.empty:
        out.append(L("summary.no_reserve"))
    else:
        stocks, cash = _reserve_end(d.reserve)
        if len(stocks) == 1:
            product, stock = next(iter(stocks.items()))
            du = d.units.get(product, DisplayUnit(d.unit, d.unit))
            out.append(L("summary.reserve", stock=du.fmt_qty(stock), unit=L.unit(du.unit), cash=fmt_fen(cash)))
        else:
            items = [
                L(
                    "summary.reserve_item",
                    qty=d.units[p].fmt_qty(stocks[p]),
                    unit=L.unit(d.units[p].unit),
                    product=product_name(L, p),
                )
                for p in order_products(list(stocks), d.right)
            ]
            out.append(L("summary.reserve_products", stocks=L("list.sep").join(items), cash=fmt_fen(cash)))

    use, cap = yearly_kpi(d.kpis, "use"), yearly_kpi(d.kpis, "cap")
    both = (
        pd.concat({"use": use, "cap": cap}, axis=1).dropna()
        if not (use.empty or cap.empty)
        else pd.DataFrame()
    )
    if both.empty:
        out.append(L("summary.no_use_cap"))
    else:
        year = int(both.index.max())
        u, c = float(both.loc[year, "use"]), float(both.loc[year, "cap"])
        share = fmt_pct(u / c) if c > 0 else "—"
        out.append(L("summary.use_cap", year=year, use=_fmt_qty(u), cap=_fmt_qty(c), unit=unit, share=share))
        over = int((both["use"] > both["cap"]).sum())
        years = len(both)
        key = "summary.years_over_cap" if over else "summary.never_over_cap"
        out.append(L(key, over=over, years=years))

    if d.rejected.empty:
        out.append(L("summary.no_rejected"))
    else:
        key = "summary.rejected_one" if len(d.rejected) == 1 else "summary.rejected"
        out.append(L(key, count=fmt_int(len(d.rejected))))
    return out


def _kpi_base(kpi_base: pd.Series, d: RightData, s: Series) -> pd.Series:
    """The right's ``base_price`` indicator per shown unit of ``s``, or empty if its unit does not fit."""
    if kpi_base.empty:
        return kpi_base
    units = set(d.kpis.loc[d.kpis["metric"] == "base_price", "unit"].astype(str))
    if units == {f"yuan/{s.du.unit}"}:
        return kpi_base
    if units == {f"yuan/{s.du.base}"}:
        return kpi_base * float(s.du.factor)
    return pd.Series(dtype=float)


def _trade_sentences(d: RightData, s: Series, t: pd.DataFrame, L: Labels, kpi_base: pd.Series) -> list[str]:
    """Trades of one series: count and volume, the mean price against the base price.

    The mean price is ``Σ amount_fen / Σ quantity``. The base price compared with is the right's
    ``base_price`` indicator (when the right trades one series; averaged over the years with the volume
    traded in each year as weights), else the base prices of the trades' relations weighted by volume.
    """
    volume = int(t["quantity"].sum())
    key = "summary.trades_one" if len(t) == 1 else "summary.trades"
    out = [L(key, count=fmt_int(len(t)), volume=s.du.fmt_qty(volume), unit=L.unit(s.du.unit))]
    if volume <= 0:
        return out
    punit = price_unit_text(L, s)
    price = s.du.mean_price(int(t["amount_fen"].sum()), volume)
    base = _kpi_base(kpi_base, d, s)
    if not base.empty:
        per_year = yearly_mean_price_fen(t)["quantity"].astype(float)
        common = per_year.index.intersection(base.index)
        if len(common) and float(per_year.loc[common].sum()) > 0:
            ref = float((base.loc[common] * per_year.loc[common]).sum() / per_year.loc[common].sum())
        else:
            ref = float(base.mean())
        low, high = float(base.min()), float(base.max())
        range_key = "summary.base_range"
    else:
        rel = t[t["base_price"].notna() & (t["base_price"] > 0)]
        q = rel["quantity"].astype(float)
        ref = float((rel["base_price"].astype(float) * q).sum() / q.sum()) * float(s.du.factor) if q.sum() > 0 else 0
        low = float(rel["base_price"].min()) * float(s.du.factor) if len(rel) else 0.0
        high = float(rel["base_price"].max()) * float(s.du.factor) if len(rel) else 0.0
        range_key = "summary.base_range_relations"
    ref_d = Decimal(str(round(ref, 6)))
    if ref_d <= 0:
        out.append(L("summary.price_no_base", price=fmt_price(price), punit=punit))
    else:
        diff = float(price / ref_d - 1)
        if abs(diff) < 0.0005:
            key = "summary.price_equal"
        else:
            key = "summary.price_above" if diff > 0 else "summary.price_below"
        out.append(L(key, price=fmt_price(price), base=fmt_price(ref_d), punit=punit, pct=fmt_pct(abs(diff))))
        if round(high, 6) > round(low, 6):
            out.append(L(range_key, low=fmt_price(round(low, 6)), high=fmt_price(round(high, 6)), punit=punit))
    if s.basis == "term":
        out.append(L("summary.term_note"))
    return out


def _fmt_qty(value: float) -> str:
    return fmt_int(value) if float(value).is_integer() else f"{value:,.2f}"


def _stem_part(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_") or "product"


def _price_block(
    d: RightData, s: Series, t: pd.DataFrame, L: Labels, FL: Labels, mech_colors: dict
) -> bytes | None:
    factor = float(s.du.factor)
    points = pd.DataFrame(
        {
            "x": fractional_year(t),
            "price": t["price_ticks"].astype(float) / 10_000 * factor,
            "mechanism": t["mechanism"],
        }
    )
    per_year = yearly_mean_price_fen(t)
    yearly_mean = pd.Series(
        [float(s.du.mean_price(a, q)) for a, q in zip(per_year["amount_fen"], per_year["quantity"], strict=True)],
        index=per_year.index,
        dtype=float,
    )
    kpi_base = _kpi_base(yearly_kpi(d.kpis, "base_price"), d, s) if len(d.series) == 1 else pd.Series(dtype=float)
    levels = base_price_levels(t, kpi_base, factor)
    lines = []
    for relations, series in levels.lines:
        if not relations or len(levels.lines) == 1:
            label = FL("fig.prices.base")
        else:
            label = FL("fig.prices.base_relation", relation=figs.relations_text(FL, [relation_name(r) for r in relations]))
        lines.append((label, series))
    band_label = ""
    if levels.band is not None:
        band_label = FL(
            "fig.prices.base_band",
            n=levels.relations,
            low=fmt_price(round(float(levels.band["low"].min()), 6)),
            high=fmt_price(round(float(levels.band["high"].max()), 6)),
        )
    punit = price_unit_text(FL, s)
    ylabel = FL({"rent": "fig.prices.y_rent", "term": "fig.prices.y_term"}.get(s.basis, "fig.prices.y"), punit=punit)
    return figs.price_figure(
        points,
        yearly_mean,
        lines,
        levels.band,
        L=FL,
        title=FL("fig.prices.title_series", name=series_name(FL, d, s)),
        ylabel=ylabel,
        mech_colors=mech_colors,
        band_label=band_label,
        years=(int(d.trades["year"].min()), int(d.trades["year"].max())),
    )


def _figures(d: RightData, L: Labels, FL: Labels) -> list[object]:
    """Figure blocks (or sentences where there is nothing to draw). ``FL``: labels for inside figures."""
    out: list[object] = []
    stem = d.right
    if d.trades.empty:
        out.append(Para(L("empty.trades"), "empty"))
    else:
        mechanisms = _ordered(list(d.trades["mechanism"]), MECHANISM_ORDER)
        mech_colors = dict(zip(mechanisms, figs._colors(len(mechanisms)), strict=True))
        several = len(d.series) > 1
        stems: set[str] = set()
        for s, t in d.series:
            png = _price_block(d, s, t, L, FL, mech_colors)
            if png is None:
                continue
            if several:
                part = _stem_part(suffix_of(s.product, d.right))
                if d.bases(s.product) > 1 and s.basis != "price":
                    part += f"_{s.basis}"
                name, i = f"{stem}_prices_{part}", 2
                while name in stems:
                    name, i = f"{stem}_prices_{part}_{i}", i + 1
                caption = L("fig.prices.caption_series", name=series_name(L, d, s))
            else:
                name, caption = f"{stem}_prices", L("fig.prices.caption")
            stems.add(name)
            if s.basis == "term":
                caption = L("sentence.sep").join([caption, L("fig.prices.term_note")])
            elif s.basis == "rent":
                caption = L("sentence.sep").join([caption, L("fig.prices.rent_note")])
            out.append(FigureBlock(name, png, caption))
        panels = []
        for product in order_products(list(d.trades["product"].astype(str)), d.right):
            du = d.units[product]
            vol = volume_by_year_mechanism(d.trades[d.trades["product"].astype(str) == product])
            panels.append((product_name(FL, product), FL.unit(du.unit), vol.astype(float) / float(du.factor)))
        png = figs.volume_figure(panels, L=FL, mech_colors=mech_colors)
        if png is not None:
            key = "fig.volume.caption_products" if len(panels) > 1 else "fig.volume.caption"
            out.append(FigureBlock(f"{stem}_volume", png, L(key)))

    by_band = surcharge_by_year_band(d.charges)
    png = figs.surcharge_figure(by_band.astype(float) / FEN_PER_YUAN, L=FL) if not by_band.empty else None
    if png is None:
        out.append(Para(L("empty.surcharge"), "empty"))
    else:
        out.append(FigureBlock(f"{stem}_surcharge", png, L("fig.surcharge.caption")))
        out.append(_surcharge_year_table(by_band, L))

    if d.reserve.empty:
        out.append(Para(L("empty.reserve"), "empty"))
    else:
        r = _sorted_in_time(d.reserve)
        products = r["product"].astype(str)
        factors = products.map(lambda p: float(d.units[p].factor))
        x = fractional_year(r)
        stock = pd.DataFrame({"x": x, "product": products, "stock": r["stock"].astype(float) / factors})
        rank = {p: i for i, p in enumerate(order_products(list(products), d.right))}
        stock = stock.sort_values("product", key=lambda c: c.map(rank), kind="stable")
        cash = pd.DataFrame({"x": x, "cash": r["cash_fen"].astype(float) / FEN_PER_YUAN})
        present = list(dict.fromkeys(stock["product"]))
        png = figs.reserve_figure(
            stock,
            cash,
            L=FL,
            units={p: FL.unit(d.units[p].unit) for p in present},
            names={p: product_name(FL, p) for p in present},
        )
        if png is not None:
            key = "fig.reserve.caption_products" if len(present) > 1 else "fig.reserve.caption"
            out.append(FigureBlock(f"{stem}_reserve", png, L(key)))

    use_cap = pd.concat({m: yearly_kpi(d.kpis, m) for m in ("use", "cap", "planned")}, axis=1).dropna(
        how="all", axis=1
    )
    png = figs.use_figure(use_cap, L=FL, unit=d.unit) if not use_cap.empty else None
    if png is None:
        out.append(Para(L("empty.use"), "empty"))
    else:
        out.append(FigureBlock(f"{stem}_use", png, L("fig.use.caption")))
    return out


def _surcharge_year_table(by_band: pd.DataFrame, L: Labels) -> TableBlock:
    bands = [int(b) for b in by_band.columns]
    columns = [L("col.year")] + [L("band.n", band=b) if b > 0 else L("band.none") for b in bands]
    columns.append(L("col.total"))
    rows = []
    for year, row in by_band.iterrows():
        vals = [int(v) for v in row.to_numpy()]
        rows.append([str(int(year))] + [fmt_fen(v) for v in vals] + [fmt_fen(sum(vals))])
    totals = [int(by_band[b].sum()) for b in by_band.columns]
    rows.append([L("col.total")] + [fmt_fen(v) for v in totals] + [fmt_fen(sum(totals))])
    return TableBlock(
        L("table.surcharge_years"), columns, rows, ["l"] + ["r"] * (len(columns) - 1), total=True
    )


def _holder_names(run: Run) -> dict[int, tuple[str, str, str]]:
    h = run.tables["holders"]
    out: dict[int, tuple[str, str, str]] = {}
    for holder, name, group, sector in zip(h["holder"], h["name"], h["group"], h["sector"], strict=True):
        out.setdefault(int(holder), (str(name), str(group), str(sector)))
    return out


def _holder_table(title: str, top: pd.DataFrame, names: dict, s: Series, L: Labels) -> TableBlock:
    unit, punit = L.unit(s.du.unit), price_unit_text(L, s)
    columns = [
        L("col.rank"),
        L("col.holder"),
        L("col.name"),
        L("col.group"),
        L("col.sector"),
        L("col.trades"),
        L("col.quantity", unit=unit),
        L("col.amount"),
        L("col.mean_price", punit=punit),
    ]
    rows = []
    for rank, r in enumerate(top.itertuples(index=False), start=1):
        acct = int(r.account)
        if acct < 0:
            name, group, sector = L.code("inst", acct), L("inst.group"), ""
        else:
            name, group, sector = names.get(acct, ("", "", ""))
        price = fmt_price(s.du.mean_price(r.amount_fen, r.quantity)) if int(r.quantity) > 0 else "—"
        rows.append(
            [
                str(rank),
                str(acct),
                name,
                group,
                L.code("sector", sector) if sector else "",
                fmt_int(r.trades),
                s.du.fmt_qty(r.quantity),
                fmt_fen(r.amount_fen),
                price,
            ]
        )
    return TableBlock(title, columns, rows, ["r", "r", "l", "l", "l", "r", "r", "r", "r"])


# ----------------------------------------------------------------------------------------- KPI tables
#: At most this many indicators are shown as columns (one row per year); more are turned into rows.
MAX_KPI_COLUMNS = 8
#: Years per table when indicators are rows (one column per year); more years make further tables.
MAX_YEAR_COLUMNS = 10


def kpi_groups(metrics: Sequence[str], keys: Sequence[str]) -> list[tuple[str, dict[str, str]]]:
    """Indicators split by product: ``("", {metric: metric})`` for the right as a whole, then for each
    product key (``NOx``, ``carbon``) with at least two indicators named ``<name>_<key>`` or ``<key>_<name>``
    ``(key, {metric: name})``. Each metric belongs to one group."""
    left = list(metrics)
    groups: list[tuple[str, dict[str, str]]] = []
    for key in sorted(set(keys), key=lambda k: (-len(k), k)):  # longer keys first: NH3-N before N
        members: dict[str, str] = {}
        for m in left:
            if m.endswith(f"_{key}") and len(m) > len(key) + 1:
                members[m] = m[: -len(key) - 1]
            elif m.startswith(f"{key}_") and len(m) > len(key) + 1:
                members[m] = m[len(key) + 1 :]
        if len(members) >= 2:
            groups.append((key, members))
            left = [m for m in left if m not in members]
    order = {k: i for i, k in enumerate(keys)}
    groups.sort(key=lambda g: order[g[0]])
    return ([("", {m: m for m in left})] if left else []) + groups


def _kpi_blocks(d: RightData, L: Labels) -> list[object]:
    table, units = kpi_table(d.kpis)
    if table.empty:
        return [Para(L("empty.kpis"), "empty")]
    for m in table.columns:  # kg → t, kgce → tce, 0.01 mu → mu
        unit, mult = convert_unit(units.get(m, ""))
        if mult != 1.0:
            table[m] = table[m] * mult
            units[m] = unit
    keys = {suffix_of(p, d.right): p for p in d.products}
    out: list[object] = []
    groups = kpi_groups(list(table.columns), list(keys))
    recorded = {m: i for i, m in enumerate(dict.fromkeys(d.kpis["metric"].astype(str)))}

    def rank(item: tuple[str, str]) -> tuple[int, int, int]:
        """Known indicators in METRIC_ORDER, bands by number, the rest in the order the run recorded them."""
        metric, name = item
        if name in METRIC_ORDER:
            return (METRIC_ORDER.index(name), 0, 0)
        tail = name[len(BAND_METRIC_PREFIX) :] if name.startswith(BAND_METRIC_PREFIX) else ""
        if tail.isdigit():
            return (len(METRIC_ORDER), int(tail), 0)
        return (len(METRIC_ORDER) + 1, 0, recorded.get(metric, 0))

    groups = [(key, dict(sorted(members.items(), key=rank))) for key, members in groups]
    for key, members in groups:
        def label(m: str, members: dict[str, str] = members) -> str:
            name = members[m] if L.has(f"metric.{members[m]}") or m.startswith(BAND_METRIC_PREFIX) else m
            u = L.unit(units.get(m, ""))
            return L("col.metric_unit", metric=L.metric(name), unit=u) if u else L.metric(name)

        title = L("table.kpis_product", product=product_name(L, keys[key])) if key else ""
        if key == "" and len(groups) > 1:
            title = L("table.kpis_right")
        sub = table[list(members)]
        whole = {m: bool(sub[m].dropna().map(float.is_integer).all()) for m in sub.columns}
        note = L("table.kpis.note")
        if len(sub.columns) <= MAX_KPI_COLUMNS:
            columns = [L("col.year")] + [label(m) for m in sub.columns]
            rows = [
                [str(int(year))] + [fmt_kpi(row[m], members[m], units.get(m, ""), whole[m]) for m in sub.columns]
                for year, row in sub.iterrows()
            ]
            out.append(TableBlock(title, columns, rows, ["l"] + ["r"] * len(sub.columns), note=note))
            continue
        years = [int(y) for y in sub.index]
        chunks = [years[i : i + MAX_YEAR_COLUMNS] for i in range(0, len(years), MAX_YEAR_COLUMNS)]
        for i, chunk in enumerate(chunks):
            columns = [L("col.indicator")] + [str(y) for y in chunk]
            rows = [
                [label(m)] + [fmt_kpi(sub.at[y, m], members[m], units.get(m, ""), whole[m]) for y in chunk]
                for m in sub.columns
            ]
            last = i == len(chunks) - 1
            out.append(
                TableBlock(title if i == 0 else "", columns, rows, ["l"] + ["r"] * len(chunk), note=note if last else "")
            )
    return out


def _tables(run: Run, d: RightData, L: Labels) -> list[object]:
    out: list[object] = [Heading(4, L("table.kpis")), *_kpi_blocks(d, L)]

    # top holders, per series of trades (a mean price mixes no products or price bases)
    names = _holder_names(run)
    several = len(d.series) > 1
    for key, side in (("table.buyers", "buyer"), ("table.sellers", "seller")):
        out.append(Heading(4, L(key)))
        if d.trades.empty:
            out.append(Para(L("empty.holders"), "empty"))
            continue
        n = TOP_HOLDERS_PER_SERIES if several else TOP_HOLDERS
        for s, t in d.series:
            title = series_name(L, d, s) if several else ""
            out.append(_holder_table(title, top_holders(t, side, n), names, s, L))

    # charges by kind and band (and product, when the right has several)
    out.append(Heading(4, L("table.charges")))
    ch = charges_by_kind_band(d.charges)
    if ch.empty:
        out.append(Para(L("empty.charges"), "empty"))
    else:
        out.append(_charges_table(d, L))

    # rejected orders
    out.append(Heading(4, L("table.rejected")))
    rj = rejected_by_reason(d.rejected)
    if rj.empty:
        out.append(Para(L("empty.rejected"), "empty"))
    else:
        out.append(_rejected_table(d, rj, L))
    return out


def _products_of(df: pd.DataFrame, right: str) -> list[str]:
    return order_products(list(df["product"].astype(str)), right)


def _du(d: RightData, product: str) -> DisplayUnit:
    return d.units.get(product, DisplayUnit(d.unit, d.unit))


def _charges_table(d: RightData, L: Labels) -> TableBlock:
    products = _products_of(d.charges, d.right)
    if len(products) <= 1:
        du = _du(d, products[0]) if products else DisplayUnit(d.unit, d.unit)
        ch = charges_by_kind_band(d.charges)
        columns = [L("col.kind"), L("col.band"), L("col.count"), L("col.quantity", unit=L.unit(du.unit)), L("col.amount")]
        rows = [
            [
                L.code("kind", r.kind),
                L("band.n", band=int(r.band)) if int(r.band) > 0 else L("band.none"),
                fmt_int(r.count),
                du.fmt_qty(r.quantity),
                fmt_fen(r.amount_fen),
            ]
            for r in ch.itertuples(index=False)
        ]
        rows.append(
            [L("col.total"), "", fmt_int(ch["count"].sum()), du.fmt_qty(ch["quantity"].sum()), fmt_fen(ch["amount_fen"].sum())]
        )
        return TableBlock("", columns, rows, ["l", "l", "r", "r", "r"], total=True)
    columns = [L("col.product"), L("col.kind"), L("col.band"), L("col.count"), L("col.quantity_units"), L("col.amount")]
    rows = []
    for product in products:
        ch = charges_by_kind_band(d.charges[d.charges["product"].astype(str) == product])
        du = _du(d, product)
        rows += [
            [
                product_name(L, product),
                L.code("kind", r.kind),
                L("band.n", band=int(r.band)) if int(r.band) > 0 else L("band.none"),
                fmt_int(r.count),
                _qty_with_unit(L, du, r.quantity),
                fmt_fen(r.amount_fen),
            ]
            for r in ch.itertuples(index=False)
        ]
    rows.append([L("col.total"), "", "", fmt_int(len(d.charges)), "", fmt_fen(d.charges["amount_fen"].sum())])
    return TableBlock("", columns, rows, ["l", "l", "l", "r", "r", "r"], total=True)


def _rejected_table(d: RightData, rj: pd.DataFrame, L: Labels) -> TableBlock:
    total = int(rj["count"].sum())
    products = _products_of(d.rejected, d.right)
    if len(products) <= 1:
        du = _du(d, products[0]) if products else DisplayUnit(d.unit, d.unit)
        columns = [L("col.reason"), L("col.count"), L("col.quantity", unit=L.unit(du.unit)), L("col.share")]
        rows = [
            [L.code("reason", r.reason), fmt_int(r.count), du.fmt_qty(r.quantity), fmt_pct(int(r.count) / total)]
            for r in rj.itertuples(index=False)
        ]
        rows.append([L("col.total"), fmt_int(total), du.fmt_qty(rj["quantity"].sum()), fmt_pct(1.0)])
        return TableBlock("", columns, rows, ["l", "r", "r", "r"], total=True)
    columns = [L("col.product"), L("col.reason"), L("col.count"), L("col.quantity_units"), L("col.share")]
    rows = []
    for product in products:
        du = _du(d, product)
        for r in rejected_by_reason(d.rejected[d.rejected["product"].astype(str) == product]).itertuples(index=False):
            rows.append(
                [
                    product_name(L, product),
                    L.code("reason", r.reason),
                    fmt_int(r.count),
                    _qty_with_unit(L, du, r.quantity),
                    fmt_pct(int(r.count) / total),
                ]
            )
    rows.append([L("col.total"), "", fmt_int(total), "", fmt_pct(1.0)])
    return TableBlock("", columns, rows, ["l", "l", "r", "r", "r"], total=True)


def _how_to_read(L: Labels, font_fallback: bool) -> list[object]:
    out: list[object] = [Heading(2, L("section.how_to_read"))]
    for key in (
        "howto.intro",
        "howto.units",
        "howto.scales",
        "howto.prices",
        "howto.volume",
        "howto.surcharge",
        "howto.reserve",
        "howto.use",
        "howto.kpis",
        "howto.holders",
        "howto.charges",
        "howto.rejected",
    ):
        out.append(Para(L(key)))
    if font_fallback:
        out.append(Para(L("fig.font_note"), "note"))
    return out


def build_document(run: Run, lang: str = "en") -> Document:
    """The report as blocks (no files written)."""
    L = Labels(lang)
    fig_lang = figs.figure_language(lang)
    FL = Labels(fig_lang)
    font_fallback = fig_lang != lang
    rights = rights_in_run(run)
    doc = Document(lang, L("report.title"))
    doc.add(Heading(1, L("report.title")), _header(run, L, rights))
    if not rights:
        doc.add(Para(L("run.empty"), "empty"), Para(L("summary.no_trades"), "empty"))
    for right in rights:
        d = _right_data(run, right)
        doc.add(Heading(2, L("section.right", right=L.right(right))))
        doc.add(Heading(3, L("section.summary")), Bullets(_summary(d, L)))
        doc.add(Heading(3, L("section.figures")))
        if font_fallback:
            doc.add(Para(L("fig.font_note"), "note"))
        doc.add(*_figures(d, L, FL))
        doc.add(Heading(3, L("section.tables")), *_tables(run, d, L))
    doc.add(*_how_to_read(L, font_fallback))
    doc.add(Para(L("report.generated_by", version=__version__), "note"))
    return doc


# ----------------------------------------------------------------------------------------- rendering
_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",system-ui,
-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2328;background:#fff;margin:0;line-height:1.55}
main{max-width:980px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:1.7em;border-bottom:2px solid #1f6feb;padding-bottom:.3em}
h2{font-size:1.4em;margin-top:2em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
h3{font-size:1.15em;margin-top:1.6em}
h4{font-size:1em;margin:1.4em 0 .4em}
p.empty{background:#fff8c5;border-left:4px solid #d4a72c;padding:.5em .8em}
p.note{color:#57606a;font-size:.9em}
dl.header{display:grid;grid-template-columns:max-content auto;gap:.2em 1.2em;margin:1em 0}
dl.header dt{font-weight:600}dl.header dd{margin:0}
figure{margin:1.2em 0}figure img{max-width:100%;height:auto;border:1px solid #d0d7de}
figcaption{color:#57606a;font-size:.9em}
div.table{overflow-x:auto;margin:.4em 0 1em}
table{border-collapse:collapse;font-size:.88em}
th,td{border:1px solid #d0d7de;padding:.25em .6em;vertical-align:top}
th{background:#f6f8fa}td.r,th.r{text-align:right;white-space:nowrap}
tr.total td{font-weight:600;background:#f6f8fa}
""".strip()


def _slug(text: str, used: set[str]) -> str:
    base = "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-") or "section"
    slug, i = base, 2
    while slug in used:
        slug, i = f"{base}-{i}", i + 1
    used.add(slug)
    return slug


def render_html(doc: Document, figure_png: dict[str, bytes]) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if doc.lang == "zh" else doc.lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(doc.title)}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        "<main>",
    ]
    used: set[str] = set()
    for b in doc.blocks:
        if isinstance(b, Heading):
            parts.append(f'<h{b.level} id="{_slug(b.text, used)}">{e(b.text)}</h{b.level}>')
        elif isinstance(b, Para):
            cls = f' class="{b.kind}"' if b.kind else ""
            parts.append(f"<p{cls}>{e(b.text)}</p>")
        elif isinstance(b, Bullets):
            parts.append("<ul>" + "".join(f"<li>{e(item)}</li>" for item in b.items) + "</ul>")
        elif isinstance(b, KeyValues):
            items = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in b.items)
            parts.append(f'<dl class="header">{items}</dl>')
        elif isinstance(b, FigureBlock):
            data = base64.b64encode(figure_png[b.stem]).decode("ascii")
            parts.append(
                f'<figure><img src="data:image/png;base64,{data}" alt="{e(b.caption)}">'
                f"<figcaption>{e(b.caption)}</figcaption></figure>"
            )
        elif isinstance(b, TableBlock):
            parts.append(_html_table(b))
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _html_table(t: TableBlock) -> str:
    e = html.escape
    out = []
    if t.title:
        out.append(f"<h4>{e(t.title)}</h4>")
    out.append('<div class="table"><table>')
    head = "".join(f'<th class="{a}">{e(c)}</th>' for c, a in zip(t.columns, t.align, strict=True))
    out.append(f"<thead><tr>{head}</tr></thead><tbody>")
    for i, row in enumerate(t.rows):
        cls = ' class="total"' if t.total and i == len(t.rows) - 1 else ""
        cells = "".join(f'<td class="{a}">{e(v)}</td>' for v, a in zip(row, t.align, strict=True))
        out.append(f"<tr{cls}>{cells}</tr>")
    out.append("</tbody></table></div>")
    if t.note:
        out.append(f'<p class="note">{e(t.note)}</p>')
    return "\n".join(out)


def _md_text(text: str) -> str:
    """Text safe in Markdown: no raw HTML tags, no line breaks."""
    return text.replace("\\", "\\\\").replace("<", "\\<").replace(">", "\\>").replace("\n", " ")


def _md_escape(text: str) -> str:
    """Text safe in a Markdown table cell."""
    return _md_text(text).replace("|", "\\|")


def render_markdown(doc: Document, figure_paths: dict[str, str]) -> str:
    out: list[str] = []
    for b in doc.blocks:
        if isinstance(b, Heading):
            out += [f"{'#' * b.level} {_md_text(b.text)}", ""]
        elif isinstance(b, Para):
            text = _md_text(b.text)
            out += [f"*{text}*" if b.kind == "note" else (f"> {text}" if b.kind == "empty" else text), ""]
        elif isinstance(b, Bullets):
            out += [f"- {_md_text(item)}" for item in b.items] + [""]
        elif isinstance(b, KeyValues):
            out += [f"- **{_md_escape(k)}{b.sep}** {_md_escape(v)}" for k, v in b.items] + [""]
        elif isinstance(b, FigureBlock):
            out += [f"![{_md_escape(b.caption)}]({figure_paths[b.stem]})", "", f"*{_md_text(b.caption)}*", ""]
        elif isinstance(b, TableBlock):
            if b.title:
                out += [f"#### {_md_text(b.title)}", ""]
            out.append("| " + " | ".join(_md_escape(c) for c in b.columns) + " |")
            out.append("|" + "|".join("---:" if a == "r" else ":---" for a in b.align) + "|")
            for i, row in enumerate(b.rows):
                cells = [_md_escape(v) for v in row]
                if b.total and i == len(b.rows) - 1:
                    cells = [f"**{c}**" if c else c for c in cells]
                out.append("| " + " | ".join(cells) + " |")
            out.append("")
            if b.note:
                out += [f"*{_md_text(b.note)}*", ""]
    return "\n".join(out).rstrip("\n") + "\n"


#: Directory of the figure files of the Markdown report, inside the run directory.
FIGURE_DIR = "figures"
#: Names of the figure files the report writes (``<right>_prices[_<product>...]``, ``<right>_volume``,
#: ``_surcharge``, ``_reserve``, ``_use``; see :func:`_figures`). Only files named so are ever removed.
FIGURE_FILE = re.compile(r"[a-z0-9][a-z0-9_-]*_(?:prices(?:_[a-z0-9_]+)?|volume|surcharge|reserve|use)\.png")
#: The report's record of the figure files it wrote (a JSON list of names in ``figures/``).
FIGURE_RECORD = ".report-figures.json"


def figures_written_before(run_dir: Path, *, pattern: re.Pattern[str] = FIGURE_FILE,
                           record: str = FIGURE_RECORD) -> set[str]:
    """Names of the figure files an earlier build of the report wrote into ``run_dir/figures``: those of its
    record, or, for a report written before there was a record, those its ``report.md`` links to. Only
    names of ``pattern`` (:data:`FIGURE_FILE`) count, so files of the user's are never taken for the report's.
    ``record``: the name of the record in ``figures/`` (the comparison keeps its own)."""
    names: object
    try:
        names = json.loads((Path(run_dir) / FIGURE_DIR / record).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        try:
            md = (Path(run_dir) / "report.md").read_text(encoding="utf-8")
        except (OSError, ValueError):
            md = ""
        names = re.findall(rf"\]\({FIGURE_DIR}/([^()\s/\\]+)\)", md)
    if not isinstance(names, list):
        return set()
    return {n for n in names if isinstance(n, str) and pattern.fullmatch(n)}


def _record_figures(fig_dir: Path, names: set[str], record: str = FIGURE_RECORD) -> None:
    """Write the record of the figure files of the report (remove it when there are none)."""
    path = fig_dir / record
    if names:
        write_atomic(path, (json.dumps(sorted(names), indent=1) + "\n").encode("utf-8"))
    else:
        path.unlink(missing_ok=True)


def write_with_figures(
    out_dir: Path,
    figures: Sequence[FigureBlock],
    write_documents: Callable[[dict[str, str], dict[str, bytes]], dict[str, Path]],
    *,
    pattern: re.Pattern[str] = FIGURE_FILE,
    record: str = FIGURE_RECORD,
) -> dict[str, Path]:
    """Write ``figures`` into ``out_dir/figures``, then the documents linking them (``write_documents``,
    given the relative path and the PNG of each figure by stem, returns the paths it wrote), then remove the
    figure files an earlier build wrote (:func:`figures_written_before`) that this one does not draw.

    The earlier figures are removed only after ``write_documents`` returned: a build that fails leaves every
    figure the existing ``report.md`` links to. The record (``figures/<record>``) is updated before any
    figure is written, so figures of a failed build are removed by the next one. Only names of ``pattern``
    are ever removed. Shared by the run report (:func:`build_report`) and the comparison
    (:func:`rights_market.compare.build.build_comparison`).

    Returns ``"figure:<stem>"`` for each figure and what ``write_documents`` returned.
    """
    from ..outdir import clean_leftovers, writing

    with writing(out_dir, "write the report"):
        clean_leftovers(out_dir)
        clean_leftovers(Path(out_dir) / FIGURE_DIR)
        return _write_with_figures(out_dir, figures, write_documents, pattern, record)


def _write_with_figures(out_dir: Path, figures: Sequence[FigureBlock],
                        write_documents: Callable[[dict[str, str], dict[str, bytes]], dict[str, Path]],
                        pattern: re.Pattern[str], record: str) -> dict[str, Path]:
    fig_dir = Path(out_dir) / FIGURE_DIR
    drawn = {f"{b.stem}.png" for b in figures}
    before = figures_written_before(out_dir, pattern=pattern, record=record)
    if before or drawn:  # first the record of every figure file this build may leave behind
        _record_figures(fig_dir, before | drawn, record)
    written: dict[str, Path] = {}
    figure_png: dict[str, bytes] = {}
    figure_rel: dict[str, str] = {}
    for b in figures:
        path = fig_dir / f"{b.stem}.png"
        write_atomic(path, b.png)
        figure_png[b.stem] = b.png
        figure_rel[b.stem] = f"{FIGURE_DIR}/{b.stem}.png"
        written[f"figure:{b.stem}"] = path
    written.update(write_documents(figure_rel, figure_png))
    # the new documents link none of the earlier build's other figures: remove them (a file that cannot be
    # removed stays in the record, for the next build)
    left = set()
    for name in sorted(before - drawn):
        path = fig_dir / name
        try:
            if path.is_symlink() or path.is_file():
                path.unlink()
        except OSError:
            left.add(name)
    if before or drawn:
        _record_figures(fig_dir, drawn | left, record)
    return written


def build_report(run_dir: Path, lang: str = "en") -> dict[str, Path]:
    """Write ``report.html``, ``report.md``, ``figures/*.png`` and ``report.xlsx`` (the tables, for office
    staff: :mod:`rights_market.report.workbook`) into ``run_dir``.

    Figure files an earlier build wrote (:func:`figures_written_before`) that this build does not draw (a
    product no longer traded, a renamed figure) are removed, but only after the new ``report.md`` and
    ``report.html`` are in place: a build that fails leaves every figure the existing ``report.md`` links to.
    The record of the written figures (``figures/.report-figures.json``) is updated before any figure is
    written, so figures of a failed build are removed by the next one.

    Returns the paths written: ``"html"``, ``"md"``, ``"xlsx"`` and ``"figure:<stem>"`` for each figure.
    """
    run_dir = Path(run_dir)
    Labels(lang)  # reject unknown languages before reading anything
    run = load_run(run_dir)
    doc = build_document(run, lang)

    def write_documents(figure_rel: dict[str, str], figure_png: dict[str, bytes]) -> dict[str, Path]:
        md_path, html_path = run_dir / "report.md", run_dir / "report.html"
        write_atomic(md_path, render_markdown(doc, figure_rel).encode("utf-8"))
        write_atomic(html_path, render_html(doc, figure_png).encode("utf-8"))
        from .workbook import run_sheets
        from .xlsx import workbook_bytes

        xlsx_path = run_dir / "report.xlsx"
        write_atomic(xlsx_path, workbook_bytes(run_sheets(run, Labels(lang))))
        return {"md": md_path, "html": html_path, "xlsx": xlsx_path}

    figures = [b for b in doc.blocks if isinstance(b, FigureBlock)]
    return write_with_figures(run_dir, figures, write_documents)
