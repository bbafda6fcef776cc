"""Exact, columnar accounts and records (design principle 3).

:class:`Accounts` holds the balance of every account in every product and in money, as int64 arrays.
Holders are accounts 0..n−1; institutions have negative ids −1..−m (:data:`GOVERNMENT`, ..., each right's reserve).
Balances change **only** through :meth:`Accounts.move` and :meth:`Accounts.pay`, which append every
movement to a double-entry journal. Rights enter the world from :data:`ISSUER` (nature / the cap) and
money from :data:`ECONOMY` (production, outside budgets), so the sum over all accounts of every product and
of money is zero at every moment. :meth:`Accounts.check` proves it and more: it replays the journal from
nothing and demands the same balances, zero sums, and no negative right outside the issuer.

:class:`Table` is a growable columnar record (chunks of numpy arrays) that becomes a pandas DataFrame at
the end of a run; appending a batch costs one list append per column. A table may instead be *spilled*
(:meth:`Table.spill_to`): its rows then go to a Parquet file in row groups as the run goes, so that memory
holds only the rows since the last :meth:`Table.flush`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

GOVERNMENT = -2
FISCAL = -3
SUPPLIER = -4
COLLECTIVE = -5
ECONOMY = -6
CONSUMED = -7
ISSUER = -8

#: The institutions every run has, whatever its rights. Each right's reserve (rule X2) is declared by its
#: descriptor (``reserve_account``: −1 water, −9 … for the others) and passed in through ``institutions``.
CORE_INSTITUTIONS: dict[int, str] = {
    GOVERNMENT: "government",
    FISCAL: "fiscal",
    SUPPLIER: "supplier",
    COLLECTIVE: "collective",
    ECONOMY: "economy",
    CONSUMED: "consumed",
    ISSUER: "issuer",
}
MONEY = "money"


class ConservationError(AssertionError):
    """Some right or some fen was created or destroyed outside the issuer/economy accounts."""


class SelfTradeError(ConservationError):
    """A recorded trade has the same account as seller and buyer: rights and money are conserved, yet no
    trade took place (every mechanism refuses a self-match, so this is a bug of the caller)."""


def check_trades(trades: Table, cursor: int = 0) -> int:
    """Raise :class:`SelfTradeError` if a trade recorded in ``trades`` since row ``cursor`` (see
    :meth:`Table.cursor`) has ``seller == buyer``; return the new cursor, so each row is read once."""
    seller = trades.column_since("seller", cursor)
    buyer = trades.column_since("buyer", cursor)
    same = np.flatnonzero(seller == buyer)
    if same.size:
        first = int(same[0])
        times = trades.column_since("time", cursor)
        raise SelfTradeError(f"{same.size} trade(s) with seller == buyer, the first on day {int(times[first])} "
                             f"by account {int(seller[first])}")
    return trades.cursor()


class Accounts:
    """Integer balances of every account in every product and in money, with a journal."""

    def __init__(self, n_holders: int, products: Iterable[str], institutions: Mapping[int, str] = CORE_INSTITUTIONS,
                 *, journal: bool = True):
        """``institutions``: account id (< 0) → name: the core ones and the rights' reserves, from the catalogue's
        descriptors. Accounts −1 … −m exist, m the largest |id|."""
        self.n_holders = int(n_holders)
        if any(i >= 0 for i in institutions):
            raise ValueError(f"institution ids must be negative, got {sorted(institutions)}")
        n_inst = -min(institutions)
        self.institutions = dict(institutions)
        self.n_institutions = n_inst
        self.products: list[str] = [MONEY, *products]
        if len(set(self.products)) != len(self.products):
            raise ValueError("product names must be unique and not 'money'")
        self.index = {p: i for i, p in enumerate(self.products)}
        self.size = self.n_holders + n_inst
        self.balance = np.zeros((len(self.products), self.size), dtype=np.int64)
        # movements since the last check, and the balances the journal replayed to at that check: a check
        # replays only what is new, so the journal never holds more than one check's worth of movements
        self._journal: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] | None = [] if journal else None
        self._replayed = np.zeros_like(self.balance) if journal else None
        self._journaled = 0

    # -- ids ----------------------------------------------------------------------------------------
    def idx(self, ids: np.ndarray | int) -> np.ndarray:
        """Array positions of account ids (holders ≥ 0, institutions < 0)."""
        a = np.asarray(ids, dtype=np.int64)
        return np.where(a >= 0, a, self.n_holders - a - 1)

    def ids(self) -> np.ndarray:
        """Account id of every array position."""
        return np.concatenate(
            [np.arange(self.n_holders, dtype=np.int64), -np.arange(1, self.n_institutions + 1, dtype=np.int64)]
        )

    def of(self, product: str, ids: np.ndarray | int) -> np.ndarray:
        """Balances of ``ids`` in ``product`` (a copy)."""
        return self.balance[self.index[product], self.idx(ids)]

    def holders(self, product: str) -> np.ndarray:
        """A read-only view of every holder's balance in ``product``."""
        v = self.balance[self.index[product], : self.n_holders]
        v = v.view()
        v.flags.writeable = False
        return v

    # -- movements ------------------------------------------------------------------------------------
    def move(self, product: str, src: np.ndarray | int, dst: np.ndarray | int, qty: np.ndarray | int) -> None:
        """Move ``qty`` units of ``product`` from ``src`` to ``dst`` (arrays broadcast). Quantities ≥ 0."""
        self._transfer(self.index[product], src, dst, qty)

    def pay(self, src: np.ndarray | int, dst: np.ndarray | int, amount_fen: np.ndarray | int) -> None:
        """Pay ``amount_fen`` from ``src`` to ``dst`` (arrays broadcast). Amounts ≥ 0."""
        self._transfer(0, src, dst, amount_fen)

    def _transfer(self, p: int, src, dst, qty) -> None:
        src_a, dst_a, q = np.broadcast_arrays(
            np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64), np.asarray(qty, dtype=np.int64)
        )
        src_a, dst_a, q = src_a.ravel(), dst_a.ravel(), q.ravel()
        if q.size == 0:
            return
        if q.min() < 0:
            raise ValueError("a movement must not be negative")
        row = self.balance[p]
        np.subtract.at(row, self.idx(src_a), q)
        np.add.at(row, self.idx(dst_a), q)
        if self._journal is not None:
            self._journal.append((p, src_a.copy(), dst_a.copy(), q.copy()))

    # -- invariants -----------------------------------------------------------------------------------
    def check(self) -> None:
        """Raise :class:`ConservationError` unless every product and money is conserved exactly.

        Checks: (1) each product's and money's balances sum to zero over all accounts; (2) replaying the
        journal from empty accounts gives exactly the current balances (the replay is kept from one check to
        the next and only the movements since are replayed, so memory does not grow with the run); (3) no
        account but the issuer holds a negative quantity of a right. Needs the journal (``journal=True``,
        the default; the engine keeps one only for ``check`` runs).
        """
        if self._journal is None:
            raise RuntimeError("Accounts(journal=False) keeps no journal to check")
        sums = self.balance.sum(axis=1)
        bad = [self.products[i] for i in np.nonzero(sums)[0]]
        if bad:
            raise ConservationError(f"balances do not sum to zero for {bad}: {sums.tolist()}")
        replay = self._replayed.copy()
        for p, src, dst, q in self._journal:
            np.subtract.at(replay[p], self.idx(src), q)
            np.add.at(replay[p], self.idx(dst), q)
        if not np.array_equal(replay, self.balance):
            diff = np.nonzero((replay != self.balance).any(axis=1))[0]
            raise ConservationError(f"journal replay differs from balances for {[self.products[i] for i in diff]}")
        rights = self.balance[1:].copy()
        rights[:, self.idx(ISSUER)] = 0
        if rights.size and rights.min() < 0:
            p, a = np.unravel_index(int(np.argmin(rights)), rights.shape)
            raise ConservationError(
                f"account {int(self.ids()[a])} holds {int(rights[p, a])} of {self.products[p + 1]} (negative)"
            )
        self._replayed = replay
        self._journaled += sum(len(j[1]) for j in self._journal)
        self._journal = []

    def journal_size(self) -> int:
        """Movements journaled so far (checked and not yet checked)."""
        return self._journaled + sum(len(j[1]) for j in self._journal or ())


def _repeat(value: np.ndarray, n: int) -> np.ndarray:
    """``n`` copies of a 0-d ``value`` without the memory: a read-only zero-stride view (what
    ``np.broadcast_to(value, (n,))`` gives, made directly: a quarter of its cost, for the many one-row batches)."""
    value = np.asarray(value)
    out = np.ndarray((n,), value.dtype, value, 0, (0,))
    out.flags.writeable = False
    return out


class Table:
    """A columnar record with a fixed schema; batches are appended, a DataFrame comes out at the end.

    Column dtypes are ``int64``, ``float64`` or ``str``. String columns are stored as int32 codes into a
    per-column dictionary (in order of first appearance, so deterministic) and come out as pandas
    categoricals — cheap to build for millions of rows, and written to Parquet as dictionary columns.

    Memory: a column given as a scalar is held as one value repeated (a read-only broadcast view, 8 bytes
    whatever the batch length) until the rows are written or read. Many tables grow a row at a time (the
    reserve's fills, KPIs): every :data:`COMPACT_EVERY` batches, batches of fewer than :data:`COMPACT_ROWS`
    rows in all are joined into one array per column, so that a table costs its data and not a numpy array
    per cell.
    """

    #: Batches appended between two compactions of the in-memory chunks.
    COMPACT_EVERY = 64
    #: Batches holding more rows than this together are left as they are (their arrays are worth keeping).
    COMPACT_ROWS = 1 << 16

    def __init__(self, name: str, columns: Mapping[str, str]):
        self.name = name
        self.columns = dict(columns)  # column -> dtype ('int64', 'float64', 'str')
        self._chunks: dict[str, list[np.ndarray]] = {c: [] for c in self.columns}
        self._codes: dict[str, dict[str, int]] = {c: {} for c, t in self.columns.items() if t == "str"}
        self._rows = 0
        self._compacted = 0  # chunks (per column) before this index are already joined batches
        # spilling (see spill_to): the file, the rows per row group, the open writer, what is on disk
        self.path: Path | None = None
        self._rows_per_group = 0
        self._writer: pq.ParquetWriter | None = None
        self._spilled_rows = 0
        self._closed = False

    # -- spilling to Parquet --------------------------------------------------------------------------
    def spill_to(self, path: str | Path, rows_per_group: int) -> None:
        """From now on :meth:`flush` writes the rows held in memory to ``path`` (Parquet, zstd) as one row
        group once there are at least ``rows_per_group`` of them; :meth:`close` writes the rest. The file
        is the table: :meth:`to_arrow` and :meth:`to_dataframe` read it back whole."""
        if self._rows:
            raise RuntimeError(f"{self.name}: spill_to must come before the first row")
        self.path = Path(path)
        self._rows_per_group = max(1, int(rows_per_group))

    @property
    def spilled(self) -> bool:
        return self.path is not None

    def _memory_rows(self) -> int:
        return self._rows - self._spilled_rows

    def flush(self, force: bool = False) -> None:
        """Write the rows in memory as one row group (if spilled, and if there are at least
        ``rows_per_group`` of them or ``force``) and let them go. Readers of :meth:`column_since` must
        have read what they need before (the engine flushes only between sessions and periods)."""
        if self.path is None or self._closed or not self._memory_rows():
            return
        if not force and self._memory_rows() < self._rows_per_group:
            return
        batch = self._memory_arrow()
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, batch.schema, compression="zstd", write_statistics=True)
        self._writer.write_table(batch)
        self._spilled_rows = self._rows
        self._chunks = {c: [] for c in self.columns}
        self._compacted = 0

    def close(self) -> None:
        """Write what is left and close the file (an empty table is written with its schema)."""
        if self.path is None or self._closed:
            return
        self.flush(force=True)
        if self._writer is None:
            pq.write_table(self._memory_arrow(), self.path, compression="zstd", write_statistics=True)
        else:
            self._writer.close()
            self._writer = None
        self._closed = True

    def relocate(self, path: str | Path) -> None:
        """The closed file of a spilled table was moved to ``path`` (into a run directory)."""
        if not self._closed:
            raise RuntimeError(f"{self.name}: relocate a spilled table only after close")
        self.path = Path(path)

    def _code(self, column: str, value: object) -> int:
        codes = self._codes[column]
        text = str(value)
        code = codes.get(text)
        if code is None:
            code = codes[text] = len(codes)
        return code

    def append(self, **cols) -> None:
        """Append a batch: each column an array or a scalar (broadcast to the batch length)."""
        if self._closed:
            raise RuntimeError(f"{self.name}: the table was closed (its file {self.path} is complete)")
        if set(cols) != set(self.columns):
            missing = set(self.columns) - set(cols)
            extra = set(cols) - set(self.columns)
            raise KeyError(f"{self.name}: missing {sorted(missing)}, unknown {sorted(extra)}")
        n = max((len(v) for v in cols.values() if isinstance(v, np.ndarray | list)), default=1)
        if n == 0:
            return
        for c, v in cols.items():
            dtype = self.columns[c]
            if isinstance(v, np.ndarray | list):
                if len(v) != n:
                    raise ValueError(f"{self.name}.{c}: length {len(v)} != {n}")
                if dtype == "str":
                    inverse, uniq = pd.factorize(np.asarray(v, dtype=object), use_na_sentinel=False)
                    lookup = np.array([self._code(c, u) for u in uniq], dtype=np.int32)
                    self._chunks[c].append(lookup[inverse])
                else:
                    self._chunks[c].append(np.asarray(v, dtype=dtype))
            elif dtype == "str":
                self._chunks[c].append(_repeat(np.asarray(self._code(c, v), dtype=np.int32), n))
            else:
                self._chunks[c].append(_repeat(np.asarray(v, dtype=dtype), n))
        self._rows += n
        if len(next(iter(self._chunks.values()))) - self._compacted >= self.COMPACT_EVERY:
            self._compact()

    def _compact(self) -> None:
        """Join the chunks since the last compaction into one array per column (same rows, same order)."""
        k = self._compacted
        first = next(iter(self._chunks.values()))
        if sum(len(a) for a in first[k:]) > self.COMPACT_ROWS:
            self._compacted = len(first)
            return
        for chunks in self._chunks.values():
            chunks[k:] = [np.concatenate(chunks[k:])]
        self._compacted = k + 1

    def __len__(self) -> int:
        return self._rows

    def cursor(self) -> int:
        """How many rows have been appended (a cursor for :meth:`column_since`)."""
        return self._rows

    def column_since(self, column: str, cursor: int) -> np.ndarray:
        """The values of a numeric ``column`` appended since row ``cursor`` (rows still in memory: a cursor
        from before the last flush is a bug of the caller). Only the chunks that hold those rows are read."""
        if cursor < self._spilled_rows:
            raise RuntimeError(f"{self.name}: rows since {cursor} were already written to {self.path}")
        need, picked = self._rows - cursor, []
        for chunk in reversed(self._chunks[column]):
            if need <= 0:
                break
            picked.append(chunk if len(chunk) <= need else chunk[len(chunk) - need:])
            need -= len(chunk)
        if not picked:
            return np.zeros(0, dtype=self.columns[column])
        return np.concatenate(picked[::-1])

    def to_arrow(self) -> pa.Table:
        """The records as an Arrow table (string columns dictionary-encoded), without going through pandas;
        a spilled table is closed and read back from its file."""
        if self.path is not None:
            self.close()
            return pq.read_table(self.path)
        return self._memory_arrow()

    def _memory_arrow(self) -> pa.Table:
        """The rows held in memory as an Arrow table; string columns carry the whole dictionary so far, so
        that the row groups of a spilled file share one order of categories (first appearance)."""
        arrays, names = [], []
        for c, dtype in self.columns.items():
            chunks = self._chunks[c]
            if dtype == "str":
                codes = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int32)
                arrays.append(pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()),
                                                             pa.array(list(self._codes[c]), pa.string())))
            else:
                arrays.append(pa.array(np.concatenate(chunks) if chunks else np.zeros(0, dtype=dtype)))
            names.append(c)
        return pa.Table.from_arrays(arrays, names=names)

    def to_dataframe(self) -> pd.DataFrame:
        """The records as a DataFrame (string columns categorical, categories in order of first
        appearance); a spilled table is closed and read back from its file."""
        if self.path is not None:
            self.close()
            df = pq.read_table(self.path).to_pandas()
            for c, dtype in self.columns.items():
                if dtype == "str":
                    df[c] = df[c].cat.set_categories(list(self._codes[c]))
            return df
        data = {}
        for c, dtype in self.columns.items():
            chunks = self._chunks[c]
            if dtype == "str":
                codes = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int32)
                data[c] = pd.Categorical.from_codes(codes, categories=list(self._codes[c]))
            else:
                data[c] = np.concatenate(chunks) if chunks else np.zeros(0, dtype=dtype)
        return pd.DataFrame(data)
