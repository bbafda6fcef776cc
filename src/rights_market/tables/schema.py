"""The one declaration of every result table of a run: columns, dtypes, units and code values.

Used by the engine (the record declarations of :data:`rights_market.engine.world.TABLES`), by
:mod:`rights_market.results` (the tables written and read back), by the report (the columns it reads, with
their dtypes) and by ``docs/tables.md``, whose column tables ``tests/report/test_tables_doc.py`` checks against it
column by column (name, type, unit).

Dtypes are those of :class:`rights_market.ledger.Table`: ``int32``, ``int64``, ``float64`` and ``str``
(written to Parquet as a dictionary column, read by pandas as a categorical). Units are words, ``""`` where a
column has none (ids, codes, text). ``codes`` lists the values of a categorical column whose values form a
closed set, each with its meaning; columns whose values are open (rejection reasons, metrics, products,
relations, free text) have none and are documented per right in ``docs/tables.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["DTYPES", "DOC_TYPE", "SCHEMA", "UNITS", "Column", "TableSchema", "dtypes"]

#: The dtypes a column may have.
DTYPES = ("int32", "int64", "float64", "str")
#: How ``docs/tables.md`` spells each dtype.
DOC_TYPE = {"int32": "int32", "int64": "int64", "float64": "float64", "str": "string"}
#: The units a column may be in (``""``: none).
UNITS = {
    "": "no unit: an id, a code, a count or text",
    "day": "simulation day (0 = 1 January of the first year; 365 days a year)",
    "year": "calendar year",
    "years": "a duration in whole years",
    "session": "trading session number, 0-based over the run",
    "account": "account id (institutions negative)",
    "base unit": "the product's base unit (the unit column)",
    "fen": "0.01 yuan, exact integer",
    "0.0001 yuan/base unit": "price tick, exact integer",
    "yuan": "yuan, a float for display",
    "yuan/base unit": "yuan per base unit, a float for display",
    "see unit": "the unit named in the row's unit column",
}


@dataclass(frozen=True)
class Column:
    """One column: ``name``, ``dtype`` (one of :data:`DTYPES`), ``unit`` (one of :data:`UNITS`), what it
    holds, and for categorical columns with a closed set of values ``codes`` (value → meaning)."""

    name: str
    dtype: str
    unit: str = ""
    meaning: str = ""
    codes: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        if self.dtype not in DTYPES:
            raise ValueError(f"column {self.name}: dtype {self.dtype!r} is not one of {DTYPES}")
        if self.unit not in UNITS:
            raise ValueError(f"column {self.name}: unit {self.unit!r} is not one of {sorted(UNITS)}")
        if self.codes is not None and self.dtype != "str":
            raise ValueError(f"column {self.name}: only string columns have codes")


@dataclass(frozen=True)
class TableSchema:
    """One table: its ``name`` (the file is ``<name>.parquet``), what one row is, its columns in order."""

    name: str
    row: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    def dtypes(self) -> dict[str, str]:
        """``{column: dtype}`` in column order (the shape :class:`rights_market.ledger.Table` takes)."""
        return {c.name: c.dtype for c in self.columns}

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name} has no column {name!r}")


def _codes(**meanings: str) -> Mapping[str, str]:
    return MappingProxyType(dict(meanings))


# ------------------------------------------------------------------------------------------ code values
RIGHTS = _codes(
    water="water rights (用水权)", emission="emission rights and carbon allowances (排污权)",
    land="land rights (土地权)", forest="mountain-forest rights (山林权)",
    links="the cross-right links: pledges and projects (X3, X4)", teaching="the teaching market",
)
#: ``right`` of holders and kpis rows also takes ``""`` (institutions) — listed with the rights.
RIGHTS_OR_NONE = _codes(**RIGHTS, **{"": "none (institutions)"})
#: The ``right`` of the KPIs of the shared fiscal account (−3), which belongs to no one right.
FISCAL_SECTION = "fiscal"
#: ``right`` of kpis rows: a right, or the fiscal account's own section.
KPI_SECTIONS = _codes(**RIGHTS_OR_NONE, **{FISCAL_SECTION: "the shared fiscal account (−3) of every right, not one right's"})
MECHANISMS = _codes(
    cda="continuous double auction", call="call auction", negotiation="negotiated deal",
    listing="listing (挂牌)", auction="auction (拍卖)", tender="tender (招标)", directed="directed transfer",
    reserve="a reserve's sale or purchase",
)
SIDES = _codes(buy="a buy order or bid", sell="a sell order or lot", convert="a land conversion request (L1, L2)")
CHARGE_KINDS = _codes(
    use_fee="fee for the use of a right (W6, E4, E5)", tariff="water tariff (W8)",
    surcharge="surcharge on use above plan or quota (W8, W9)", proceeds_share="share of proceeds (W7, L10)",
    rent="rent of a lease (E10, L7, L9, L10, L13)", dividend="dividend of a share-holding (L10)",
    compensation="compensation for land taken (L2)", restoration_cost="cost of land restoration (L8)",
    adjustment_fee="adjustment fee (L10)", grade_surcharge="land grade surcharge (L14)",
    grade_rebate="land grade rebate (L14)", idle_fee="idle land fee (L4)",
    land_price_difference="land price difference (L4, L15)", loan="loan paid out (E10, F3, X3)",
    interest="interest of a loan (E10, F3, X3)", loan_repayment="principal of a loan repaid (E10, F3, X3)",
    notice="notice of missing rights, amount 0 (E13)", penalty="penalty (E12, E14)",
    budget="budget (F10)", planting_budget="planting budget (F10)", planting="planting cost (F7, F8, F10)",
    maintenance="maintenance cost (F10)", concession="concession income (F6)", lease="lease income (F6)",
    income="income of a household or operator", insurance="insurance premium (F3)",
    insurance_claim="insurance claim paid (F3)", capital="project capital (X4)",
    abatement="abatement cost (classroom)",
)
RESERVE_ACTIONS = _codes(
    budget="yearly budget received", buy="bought rights", sell="sold rights in a market",
    release="released rights to eligible users at a set price", reclaim="took rights back",
    expire="rights expired in the reserve", issue="rights issued to the reserve", retire="rights retired",
    remit="paid cash above its working balance to the fiscal account",
)
REGISTRY_EVENTS = _codes(
    confirm="a right confirmed at set-up", transfer="a registered transfer", revert="a right returned",
    afforest="a new parcel from planting", incorporate="a state parcel enters the forest farm",
    register="a transfer registered (F2)", pledge="a right pledged for a loan", release="a pledge released",
    forfeit="collateral forfeited to the reserve", collateral_lost="collateral no longer held",
    issue="quota issued for an afforestation lot", project_start="an X4 project starts",
)
PRICE_BASES = _codes(
    price="a one-off price per base unit for what was traded (a sale, a year's water, a permit)",
    rent="a yearly rent per base unit (a lease: lease_years > 0; the money moves as rent or dividend charges)",
)
PRICE_FLAGS = _codes(
    **{"": "not flagged (or no price monitoring)"},
    low="price more than the monitoring band below its benchmark (L16)",
    high="price more than the monitoring band above its benchmark (L16)",
)
UNIT_CODES = _codes(
    m3="cubic metre (water)", kg="kilogram (emission rights, carbon allowances)", m2="square metre (land)",
    **{"0.01mu": "0.01 mu (forest rights; 1 mu = 10000/15 m²)"},
    kgce="kg of standard coal equivalent (energy-use quota)", unit="one unit (teaching market)",
)

# ------------------------------------------------------------------------------------------ columns
_TIME = Column("time", "int32", "day", "simulation day of the record")
_YEAR = Column("year", "int32", "year", "calendar year of the record")
_SESSION = Column("session", "int32", "session", "trading session of the record (−1 before the first)")


def _table(name: str, row: str, *columns: Column) -> TableSchema:
    return TableSchema(name, row, tuple(columns))


SCHEMA: Mapping[str, TableSchema] = MappingProxyType({t.name: t for t in (
    _table(
        "holders", "one account",
        Column("holder", "int64", "account", "account id"),
        Column("name", "str", "", "generated or given name"),
        Column("group", "str", "", "holder group of the scenario (institution for institutions)"),
        Column("sector", "str", "", "sector of the holder (\"\" for teaching holders and institutions)"),
        Column("right", "str", "", "the right the account takes part in", RIGHTS_OR_NONE),
    ),
    _table(
        "trades", "one trade",
        _TIME, _YEAR, _SESSION,
        Column("right", "str", "", "the market that made the trade", RIGHTS),
        Column("product", "str", "", "product id"),
        Column("mechanism", "str", "", "how it traded", MECHANISMS),
        Column("seller", "int64", "account", "seller"),
        Column("buyer", "int64", "account", "buyer"),
        Column("quantity", "int64", "base unit", "quantity traded"),
        Column("unit", "str", "", "base unit of the product", UNIT_CODES),
        Column("price_ticks", "int64", "0.0001 yuan/base unit", "price"),
        Column("amount_fen", "int64", "fen", "money of the trade"),
        Column("price", "float64", "yuan/base unit", "price"),
        Column("amount", "float64", "yuan", "money of the trade"),
        Column("relation", "str", "", "who traded with whom: <seller kind>-><buyer kind> (kinds per right)"),
        Column("base_price", "float64", "yuan/base unit", "reference price of the trade (0 where none)"),
        Column("deal", "str", "", "how the deal was made, mode words (land; \"\" elsewhere; words per right)"),
        Column("lease_years", "int32", "years", "term of a lease (0: not a lease)"),
        Column("price_basis", "str", "", "what the price is", PRICE_BASES),
        Column("price_flag", "str", "", "price monitoring flag (L16)", PRICE_FLAGS),
    ),
    _table(
        "orders_rejected", "one rejected order, bid, conversion request or transfer",
        _TIME, _YEAR, _SESSION,
        Column("product", "str", "", "product id"),
        Column("trader", "int64", "account", "whoever was refused"),
        Column("side", "str", "", "side of the order", SIDES),
        Column("quantity", "int64", "base unit", "quantity refused"),
        Column("price", "float64", "yuan/base unit", "the order's price (0 where none)"),
        Column("reason", "str", "", "why (codes per right)"),
    ),
    _table(
        "holdings", "one non-zero holding at a snapshot",
        _TIME, _YEAR,
        Column("holder", "int64", "account", "account id"),
        Column("product", "str", "", "product id"),
        Column("quantity", "int64", "base unit", "quantity held"),
    ),
    _table(
        "charges", "one fee, tariff, surcharge, penalty, rent, loan, budget, subsidy or proceeds share",
        _TIME, _YEAR,
        Column("holder", "int64", "account", "who pays"),
        Column("payee", "int64", "account", "who receives"),
        Column("product", "str", "", "product the charge is about"),
        Column("kind", "str", "", "what it is", CHARGE_KINDS),
        Column("band", "int64", "", "tariff block or surcharge band (1 = first); 0 for other kinds"),
        Column("quantity", "int64", "base unit", "quantity the charge is on (0 where not meaningful)"),
        Column("rate_ticks", "int64", "0.0001 yuan/base unit", "rate (0 where not a rate × quantity)"),
        Column("amount_fen", "int64", "fen", "money"),
        Column("amount", "float64", "yuan", "money"),
    ),
    _table(
        "reserve", "one action of a government reserve",
        _TIME, _YEAR,
        Column("product", "str", "", "product id"),
        Column("action", "str", "", "what the reserve did", RESERVE_ACTIONS),
        Column("quantity", "int64", "base unit", "quantity (0 for budgets)"),
        Column("price", "float64", "yuan/base unit", "price (0 where none)"),
        Column("amount_fen", "int64", "fen", "money of the action"),
        Column("stock", "int64", "base unit", "the reserve's holding of the product after the action"),
        Column("cash_fen", "int64", "fen", "the reserve's cash after the action"),
        Column("cash", "float64", "yuan", "the reserve's cash after the action"),
        Column("reason", "str", "", "the rule that fired (free text with the rule ID)"),
    ),
    _table(
        "kpis", "one indicator value",
        _TIME, _YEAR,
        Column("right", "str", "", "the right of the indicator, or `fiscal` for the shared fiscal account",
               KPI_SECTIONS),
        Column("metric", "str", "", "indicator name (per right)"),
        Column("value", "float64", "see unit", "value (NaN where undefined)"),
        Column("unit", "str", "", "unit of the value"),
    ),
    _table(
        "registry", "one event of the rights register",
        _TIME, _YEAR,
        Column("right", "str", "", "the right of the product", RIGHTS),
        Column("product", "str", "", "product id (project_start: the products, comma-separated)"),
        Column("event", "str", "", "what happened", REGISTRY_EVENTS),
        Column("parcel", "int64", "", "parcel id (−1 when not about a parcel)"),
        Column("holder", "int64", "account", "holder of the right after the event"),
        Column("counterparty", "int64", "account", "the other party (−1 if none)"),
        Column("quantity", "int64", "base unit", "quantity"),
        Column("unit", "str", "", "base unit of the product (project_start: comma-separated)"),
        Column("term_end", "int64", "year", "last calendar year of the term (−1 if none)"),
        Column("amount_fen", "int64", "fen", "money with the event"),
        Column("note", "str", "", "free text: zone, mechanism, rule"),
    ),
)})


def dtypes(table: str) -> dict[str, str]:
    """``{column: dtype}`` of ``table`` (a fresh dict)."""
    return SCHEMA[table].dtypes()
