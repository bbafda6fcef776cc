"""group_sums against pandas' groupby: the same groups in the same order, counts and exact integer sums."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rights_market.report.grouping import group_sums


def _by_pandas(df: pd.DataFrame, keys: list[str], values: list[str]) -> pd.DataFrame:
    aggs = {"count": (values[0], "size"), **{v: (v, "sum") for v in values}}
    return df.groupby(keys, sort=True).agg(**aggs).reset_index()


@pytest.mark.parametrize("keys", [["kind"], ["band"], ["kind", "band"], ["band", "kind"]])
def test_same_as_groupby(keys: list[str]) -> None:
    rng = np.random.default_rng(7)
    n = 2_000
    df = pd.DataFrame({
        "kind": rng.choice(["tariff", "surcharge", "use_fee", "Z", "", "水"], n),
        "band": rng.integers(-2, 4, n).astype("int64"),
        "quantity": rng.integers(0, 10**6, n).astype("int64"),
        "amount_fen": rng.integers(-(10**15), 10**15, n).astype("int64"),  # beyond float precision when summed
    })
    g = group_sums([df[k] for k in keys], [df["quantity"], df["amount_fen"]])
    want = _by_pandas(df, keys, ["quantity", "amount_fen"])
    for k, col in zip(keys, g.keys, strict=True):
        assert col.tolist() == want[k].tolist()
    assert g.count.tolist() == want["count"].tolist()
    assert g.sums[0].tolist() == want["quantity"].tolist()
    assert g.sums[1].tolist() == want["amount_fen"].tolist()
    assert all(s.dtype == np.int64 for s in g.sums) and g.count.dtype == np.int64


def test_missing_keys_and_empty() -> None:
    df = pd.DataFrame({"k": pd.Series(["b", None, "a", "b"], dtype="str"), "v": [1, 2, 3, 4]})
    g = group_sums([df["k"]], [df["v"]])
    assert g.keys[0].tolist() == ["a", "b"] and g.count.tolist() == [1, 2] and g.sums[0].tolist() == [3, 5]
    empty = group_sums([df["k"].iloc[:0]], [df["v"].iloc[:0]])
    assert len(empty.keys[0]) == 0 and len(empty.count) == 0 and len(empty.sums[0]) == 0


def test_integer_key_dtype_kept() -> None:
    years = pd.Series([2023, 2021, 2023], dtype="int32")
    g = group_sums([years], [pd.Series([1, 2, 3])])
    assert g.keys[0].dtype == np.int32 and g.keys[0].tolist() == [2021, 2023] and g.sums[0].tolist() == [2, 4]
