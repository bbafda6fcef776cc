"""Bounded memory: spilled record tables and the incremental journal check give the same run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from rights_market import load_scenario, simulate
from rights_market.engine import run as engine_run
from rights_market.ledger import ISSUER, Accounts, ConservationError, Table
from rights_market.results import TABLE_FILES, read_run, write_run
from rights_market.rights.catalogue import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(ROOT / "scenarios" / "dawukou_four_rights.yaml",
                         ["calendar.years=1", "output.holdings_every=period"])


def test_spooled_run_has_the_same_tables_in_row_groups_and_writes_the_same_run(scenario, tmp_path):
    kept = simulate(scenario)
    spooled = engine_run.simulate(scenario, catalogue=CATALOGUE, spool=tmp_path, spill_rows=2_000, check=True)
    for name in TABLE_FILES:
        pd.testing.assert_frame_equal(kept.tables[name], spooled.tables[name], check_exact=True)
    assert pq.ParquetFile(tmp_path / "holdings.parquet").num_row_groups >= 12  # one or more per month
    a = write_run(spooled, tmp_path / "a")
    b = write_run(kept, tmp_path / "b")
    _, ta = read_run(a)
    _, tb = read_run(b)
    for name in TABLE_FILES:
        pd.testing.assert_frame_equal(ta[name], tb[name], check_exact=True)
    assert (tmp_path / "holdings.parquet").exists()  # copied, not taken from the spool folder


def test_run_out_spools_into_the_staging_folder_which_becomes_the_run(scenario, tmp_path):
    from rights_market.results import spool_for

    target = tmp_path / "run"
    spool = spool_for(target)
    result = simulate(scenario, spool=spool)
    out = write_run(result, target, staged=spool)
    assert not spool.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["run"]
    assert result.tables.raw("holdings").path == out / "holdings.parquet"
    assert len(result.tables["holdings"]) == result.tables.rows("holdings") > 0


def test_spilled_table_keeps_categories_in_order_of_first_appearance(tmp_path):
    t = Table("x", {"s": "str", "v": "int64"})
    t.spill_to(tmp_path / "x.parquet", rows_per_group=2)
    t.append(s=np.array(["b", "b"], dtype=object), v=np.array([1, 2]))
    t.flush()
    t.append(s=np.array(["a", "c"], dtype=object), v=np.array([3, 4]))
    assert t.cursor() == 4 and t.column_since("v", 2).tolist() == [3, 4]
    assert t.column_since("v", 3).tolist() == [4]
    with pytest.raises(RuntimeError, match="already written"):
        t.column_since("v", 1)
    df = t.to_dataframe()
    assert df["s"].tolist() == ["b", "b", "a", "c"]
    assert list(df["s"].cat.categories) == ["b", "a", "c"]
    with pytest.raises(RuntimeError, match="closed"):
        t.append(s="a", v=1)


def test_incremental_journal_check_still_finds_a_balance_changed_behind_its_back():
    acc = Accounts(3, ["r"])
    acc.move("r", ISSUER, np.array([0, 1]), np.array([5, 7]))
    acc.check()
    acc.move("r", 0, 2, 3)
    acc.check()
    assert acc.journal_size() == 3
    acc.balance[acc.index["r"], 0] += 1
    acc.balance[acc.index["r"], 1] -= 1  # sums still zero: only the replay can tell
    with pytest.raises(ConservationError, match="journal replay"):
        acc.check()


def test_a_table_grown_row_by_row_joins_its_batches_and_keeps_every_row_in_order():
    t = Table("x", {"s": "str", "v": "int64", "f": "float64"})
    n = Table.COMPACT_EVERY * 3 + 5
    for i in range(n):
        t.append(s="ab"[i % 2], v=i, f=i / 4)
    assert len(t._chunks["v"]) < 10  # one array per 64 rows, not one per row
    assert t.cursor() == n and t.column_since("v", n - 70).tolist() == list(range(n - 70, n))
    df = t.to_dataframe()
    assert df["v"].tolist() == list(range(n)) and df["f"].tolist() == [i / 4 for i in range(n)]
    assert df["s"].tolist() == ["ab"[i % 2] for i in range(n)] and list(df["s"].cat.categories) == ["a", "b"]


def test_a_scalar_column_costs_no_memory_per_row_until_it_is_read():
    t = Table("x", {"year": "int64", "q": "int64"})
    t.append(year=2021, q=np.arange(1_000_000))
    year = t._chunks["year"][0]
    assert year.strides == (0,) and not year.flags.writeable
    assert t.to_dataframe()["year"].eq(2021).all()


def test_large_batches_are_kept_as_they_are():
    t = Table("x", {"v": "int64"})
    big = np.arange(Table.COMPACT_ROWS)
    for _ in range(Table.COMPACT_EVERY):
        t.append(v=big)
    assert len(t._chunks["v"]) == Table.COMPACT_EVERY and np.shares_memory(t._chunks["v"][0], big)
    assert t.column_since("v", t.cursor() - 3).tolist() == big[-3:].tolist()
