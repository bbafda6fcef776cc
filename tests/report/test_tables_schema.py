"""The table schema (``rights_market.tables.schema``) is what a run writes and what the report reads: every
table of a run directory of the four-rights scenario (two years) has the schema's columns in order with its
dtypes (strings as Parquet dictionaries, read as categoricals), the report reads them with exactly those
dtypes, and the HTML report escapes text from the tables (a holder named ``<script>...``)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from rights_market.engine.world import TABLES
from rights_market.report import build_report
from rights_market.report.run_data import REPORT_TABLES, load_run
from rights_market.results import TABLE_FILES
from rights_market.tables.schema import SCHEMA

EVIL = '<script>alert("x")</script> & co'


@pytest.fixture(scope="module")
def run_dir(shared_run) -> Path:
    """The session's two-year four-rights run directory (read only; the HTML test copies its files)."""
    return shared_run("dawukou_four_rights.yaml", ["calendar.years=2"])


def test_engine_and_results_use_the_schema():
    assert {name: table.dtypes() for name, table in SCHEMA.items()} == TABLES
    assert tuple(SCHEMA) == TABLE_FILES


@pytest.mark.parametrize("name", list(SCHEMA))
def test_every_table_written_matches_the_schema(run_dir, name):
    table = SCHEMA[name]
    arrow = pq.read_schema(run_dir / f"{name}.parquet")
    assert arrow.names == [c.name for c in table.columns]
    frame = pd.read_parquet(run_dir / f"{name}.parquet")
    for column in table.columns:
        dtype = frame[column.name].dtype
        if column.dtype == "str":
            assert isinstance(dtype, pd.CategoricalDtype), f"{name}.{column.name}: {dtype}"
            assert str(arrow.field(column.name).type).startswith("dictionary<values=string"), column.name
        else:
            assert str(dtype) == column.dtype, f"{name}.{column.name}: {dtype} != {column.dtype}"
    assert len(frame) > 0 or name in ("orders_rejected",), f"{name} is empty in the four-rights run"


def test_the_report_reads_the_schema_dtypes(run_dir):
    run = load_run(run_dir)
    assert set(run.tables) == set(REPORT_TABLES)
    for name, frame in run.tables.items():
        assert list(frame.columns) == list(SCHEMA[name].dtypes()), name
        for column, dtype in SCHEMA[name].dtypes().items():
            got = frame[column].dtype
            if dtype == "str":  # plain strings, not categoricals
                assert pd.api.types.is_string_dtype(got) and not isinstance(got, pd.CategoricalDtype), column
            else:
                assert str(got) == dtype, f"{name}.{column}: {got} != {dtype}"


def test_html_report_escapes_text_from_the_tables(run_dir, tmp_path):
    work = tmp_path / "run"
    work.mkdir()
    for path in run_dir.iterdir():
        if path.is_file():
            (work / path.name).write_bytes(path.read_bytes())
    holders = pd.read_parquet(work / "holders.parquet")
    holders["name"] = EVIL
    holders.to_parquet(work / "holders.parquet")
    paths = build_report(work, "en")
    page = paths["html"].read_text(encoding="utf-8")
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in page  # in the top-holder tables
    md = paths["md"].read_text(encoding="utf-8")
    assert not re.search(r"(?<!\\)<script", md) and "\\<script\\>" in md
