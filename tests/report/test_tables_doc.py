"""docs/tables.md names every code value the shipped scenarios write, so the docs stay honest as the code grows.

Small versions of the shipped scenarios (each right alone, the four rights with their links, a teaching market
and the two classroom markets driven by robots) are run once; every distinct charge kind, reserve action,
rejection reason and side, trade mechanism, registry event, product id, unit and column they write must appear
in docs/tables.md as a code span (`like_this`), and every KPI metric in the section of its right. Names with a
part in angle brackets in the docs (`surcharge_revenue_band_<k>`, `rights_<pollutant>`, `pledged:<product>`)
match the values of that form (see ``PLACEHOLDERS``).

The column tables of docs/tables.md (``| column | type | unit | meaning |``) match the table schema
(``rights_market.tables.schema``) column by column: name, type and unit, in order; every code value the schema
declares is documented, and every value the runs write in a column with declared codes is declared.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from rights_market.engine.world import TABLES
from rights_market.tables.schema import DOC_TYPE, SCHEMA

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "tables.md"

#: The simulations: name → (scenario file, overrides). Each runs in about a second or two.
RUNS = {
    "water": ("dawukou_water.yaml", ["calendar.years=3"]),
    "emission": ("dawukou_emission.yaml", ["calendar.years=3"]),
    "land": ("dawukou_land.yaml", ["calendar.years=3"]),
    "forest": ("dawukou_forest.yaml", ["calendar.years=3"]),
    "four_rights": ("dawukou_four_rights.yaml", ["calendar.years=2"]),
    "teaching": ("teaching/smith1962_test1.yaml", []),
}
CLASSROOM = {
    "classroom_water": ("classroom/water_market.yaml", ["classroom.periods=2", "classroom.period_seconds=40",
                                                        "classroom.robots.mean_interval_seconds=1"]),
    "classroom_emission": ("classroom/emission_listing.yaml", ["classroom.periods=2",
                                                                "classroom.robots.mean_interval_seconds=1"]),
}
#: Extra tables of a classroom run directory (docs: "Classroom runs").
CLASSROOM_EXTRAS = ("participants", "tape")

#: What each documented ``<placeholder>`` stands for (a documented name with another placeholder is prose).
PLACEHOLDERS = {
    "k": r"[1-9][0-9]*",                                     # a surcharge band
    "pollutant": r"[A-Za-z][A-Za-z0-9_\-]*",                 # a pollutant id (scenario.emission.Pollutant)
    "product": r"[a-z][a-z0-9_]*(?:\.[A-Za-z0-9_\-]+)+",     # a product id
}


# ---------------------------------------------------------------------------------------------- the docs
def code_spans(text: str) -> set[str]:
    return set(re.findall(r"`([^`\n]+)`", text))


def patterns(spans: set[str]) -> list[re.Pattern[str]]:
    """Documented names with placeholders, as regular expressions (names with unknown placeholders skipped)."""
    out = []
    for span in spans:
        parts = re.split(r"<([^<>]+)>", span)
        if len(parts) == 1 or any(p not in PLACEHOLDERS for p in parts[1::2]):
            continue
        rx = "".join(re.escape(p) if i % 2 == 0 else f"(?:{PLACEHOLDERS[p]})" for i, p in enumerate(parts))
        out.append(re.compile(rx))
    return out


class Names:
    """The names a piece of the docs documents."""

    def __init__(self, text: str):
        self.spans = code_spans(text)
        self.patterns = patterns(self.spans)

    def __contains__(self, value: str) -> bool:
        return value in self.spans or any(p.fullmatch(value) for p in self.patterns)


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def sections(text: str) -> dict[str, str]:
    """Level-2 sections of the docs: heading → text (heading included)."""
    out: dict[str, str] = {}
    head, lines = "", []
    for line in text.splitlines():
        if line.startswith("## "):
            out[head] = "\n".join(lines)
            head, lines = line, []
        lines.append(line)
    out[head] = "\n".join(lines)
    return out


def section_of(text: str, key: str) -> Names:
    """The names of the section whose heading contains ``key`` (exactly one)."""
    found = [body for head, body in sections(text).items() if key in head]
    assert len(found) == 1, f"docs/tables.md needs exactly one '## ...{key}...' section, found {len(found)}"
    return Names(found[0])


# ---------------------------------------------------------------------------------------------- the runs
def _classroom_run(out: Path) -> dict[str, pd.DataFrame]:
    tables = {name: pd.read_parquet(out / f"{name}.parquet") for name in (*TABLES, *CLASSROOM_EXTRAS)}
    assert (out / "events.jsonl").is_file()
    return tables


@pytest.fixture(scope="module")
def runs(shared_run) -> dict[str, dict[str, pd.DataFrame]]:
    """The tables of ``RUNS`` and ``CLASSROOM``, each run made once per session (``shared_run``)."""
    out = {}
    for name, (path, overrides) in RUNS.items():
        result = shared_run.result(path, overrides)
        out[name] = {t: result.tables[t] for t in TABLES}
    for name, (path, overrides) in CLASSROOM.items():
        out[name] = _classroom_run(shared_run.classroom(path, overrides))
    return out


def distinct(frame: pd.DataFrame, column: str) -> set[str]:
    return {str(v) for v in frame[column].astype(str).unique()}


def undocumented(runs, table: str, column: str, names: Names) -> dict[str, str]:
    """Values of ``table.column`` that the docs do not name → the first run that wrote each."""
    missing: dict[str, str] = {}
    for run, tables in runs.items():
        for value in sorted(distinct(tables[table], column)):
            # "" (the sector of institutions, ...) is described in prose; a project_start row lists the units of
            # its products, comma-separated
            if value and any(part not in names for part in value.split(",")):
                missing.setdefault(value, run)
    return missing


# ---------------------------------------------------------------------------------------------- the tests
CODE_COLUMNS = [
    ("charges", "kind"),
    ("reserve", "action"),
    ("orders_rejected", "reason"),
    ("orders_rejected", "side"),
    ("trades", "mechanism"),
    ("registry", "event"),
    ("trades", "unit"),
    ("registry", "unit"),
    ("kpis", "unit"),
    ("kpis", "right"),
    ("trades", "right"),
    ("registry", "right"),
    ("holders", "right"),
    ("holders", "sector"),
]


@pytest.mark.parametrize(("table", "column"), CODE_COLUMNS, ids=[f"{t}.{c}" for t, c in CODE_COLUMNS])
def test_every_code_value_is_documented(runs, table, column):
    missing = undocumented(runs, table, column, Names(doc_text()))
    assert not missing, f"docs/tables.md does not name these {table}.{column} values (value: run): {missing}"


def test_every_product_is_documented(runs):
    names = Names(doc_text())
    missing: dict[str, str] = {}
    for run, tables in runs.items():
        for table in ("trades", "orders_rejected", "holdings", "charges", "reserve", "registry"):
            for value in distinct(tables[table], "product"):
                for product in value.split(","):  # project_start rows list the products a project needed
                    if product not in names:
                        missing.setdefault(product, f"{run}.{table}")
    assert not missing, f"docs/tables.md does not name these products: {missing}"


def test_every_kpi_metric_is_documented_in_its_right_section(runs):
    text = doc_text()
    missing: dict[str, str] = {}
    for run, tables in runs.items():
        kpis = tables["kpis"]
        for right in sorted(distinct(kpis, "right")):
            names = section_of(text, "`classroom`" if run.startswith("classroom") else f"right `{right}`")
            metrics = distinct(kpis[kpis["right"].astype(str) == right], "metric")
            for metric in sorted(metrics):
                if metric not in names:
                    missing.setdefault(f"{right}: {metric}", run)
    assert not missing, f"docs/tables.md does not list these KPI metrics in their right's section: {missing}"


def test_every_table_and_column_is_documented(runs):
    text = doc_text()
    # first cells of the docs' table rows: a column, or several (`| time, year, session |`)
    rows = set()
    for cell in re.findall(r"^\| ([a-z_]+(?:, [a-z_]+)*) \|", text, flags=re.M):
        rows |= {c.strip() for c in cell.split(",")}
    missing = {}
    for run, tables in runs.items():
        for table, frame in tables.items():
            for column in frame.columns:
                if column not in rows:
                    missing.setdefault(f"{table}.{column}", run)
    assert not missing, f"docs/tables.md has no table row for these columns: {missing}"
    names = Names(text)
    for table in (*TABLES, *CLASSROOM_EXTRAS):
        assert f"{table}.parquet" in names, f"docs/tables.md does not name {table}.parquet"


# ---------------------------------------------------------------------------------------------- the schema
def doc_columns(text: str) -> dict[str, list[tuple[str, str, str]]]:
    """The column tables of the docs: ``{table: [(column, type, unit), ...]}`` from each ``## <table>.parquet``
    section's ``| column | type | unit | meaning |`` table (rows naming several columns split)."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for head, body in sections(text).items():
        m = re.match(r"## (\w+)\.parquet", head)
        if not m or m.group(1) not in SCHEMA:
            continue
        rows = []
        in_table = False
        for line in body.splitlines():
            if line == "| column | type | unit | meaning |":
                in_table = True
                continue
            if in_table and line.startswith("|---"):
                continue
            if in_table and line.startswith("| "):
                cells = [c.strip() for c in line.strip("|").split(" | ")]
                rows += [(name.strip(), cells[1], cells[2]) for name in cells[0].split(",")]
            elif in_table:
                break
        out[m.group(1)] = rows
    return out


def test_docs_column_tables_match_the_schema_column_by_column():
    docs = doc_columns(doc_text())
    assert set(docs) == set(SCHEMA), f"docs/tables.md column tables: {sorted(docs)}; schema: {sorted(SCHEMA)}"
    for name, table in SCHEMA.items():
        expected = [(c.name, DOC_TYPE[c.dtype], c.unit or "—") for c in table.columns]
        assert docs[name] == expected, f"docs/tables.md, {name}.parquet: {docs[name]} != schema {expected}"


def test_every_declared_code_is_documented():
    names = Names(doc_text())
    for table in SCHEMA.values():
        for column in table.columns:
            missing = [code for code in (column.codes or {}) if code and code not in names]
            assert not missing, f"{table.name}.{column.name}: codes of the schema not in docs/tables.md: {missing}"


@pytest.mark.parametrize(
    ("table", "column"),
    [(t.name, c.name) for t in SCHEMA.values() for c in t.columns if c.codes is not None],
)
def test_every_code_value_written_is_declared_in_the_schema(runs, table, column):
    codes = SCHEMA[table].column(column).codes
    written = {v: run for run, tables in runs.items() for v in sorted(distinct(tables[table], column))}
    undeclared = {v: run for v, run in written.items() if v not in codes}
    assert not undeclared, f"{table}.{column}: values not declared in tables/schema.py (value: run): {undeclared}"
