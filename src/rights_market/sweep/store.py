"""The results store of a study (a sweep, or the replications of one scenario): a directory.

Layout::

    STORE/
      study.json                 what the study is: name, kind, parameters, every run (id, point, seed, ...)
      kpis/<run_id>.parquet      ONE row of KPIs per finished run (columns in docs/sweeps.md)
      runs/<run_id>/             the run's tables and manifest.json, as `rights-market run` writes them
      failed/<run_id>.txt        why a run failed (removed when it later succeeds)
      .lock                      held while a process writes to the store

Atomicity and resume: a run's directory is written to ``runs/.tmp-*`` and renamed into place, then its KPI
row is written to ``kpis/.*.tmp`` and renamed into place. A run is *finished* exactly when its KPI row
exists, so a killed sweep loses no finished run, leaves no half file that counts, and a re-run skips the
finished runs and redoes the others (one file per run id: nothing can be duplicated). Leftover temporary
files are removed when the store is next opened. Only one process writes to a store at a time (``.lock``).

The store refuses to continue a *different* study (other runs, seeds or scenarios): ``study.json`` holds a
hash of the list of runs, checked on every open; ``open(study, overwrite=True)`` (``--overwrite``) empties
such a store first. Where a store may be made is the policy of :func:`rights_market.outdir.claim`: a new or
empty folder, or a store; never a file, a folder of other things or the working folder. File-system
errors while writing are :class:`~rights_market.outdir.OutputError` naming the path.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from ..atomic import replace_dir, write_atomic
from ..outdir import STUDY_FILE, OutputError, claim, staging_dir, writing
from ..pathkind import describe, folder_problem, is_regular_file
from .runs import design_hash  # noqa: F401 (part of this module's interface)
from .summary import yearly_kpis
from .task import ID_COLUMNS, RunPayload

__all__ = ["STUDY_FILE", "Store", "StoreError", "design_hash"]

FORMAT = 1


class StoreError(Exception):
    """A store that cannot be used as asked (another study in it, locked by another process, not a store)."""


class _Lock:
    """An exclusive advisory lock on ``path`` (fcntl on POSIX, msvcrt on Windows); released on close or
    when the process dies, so a killed sweep never leaves a stale lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fh = None

    def acquire(self) -> None:
        fh = open(self.path, "a+b")  # noqa: SIM115 - held open for the lifetime of the lock
        try:
            try:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except ImportError:  # pragma: no cover - Windows
                import msvcrt

                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            fh.close()
            raise StoreError(f"{self.path.parent}: another process is writing to this store; wait for it "
                             f"to finish or use another --store") from exc
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n".encode())
        fh.flush()
        self.fh = fh

    def release(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None


class Store:
    """A study's results directory (see the module docstring). Reading needs no lock; writing needs
    :meth:`open` (or ``with store.writing(study): ...``)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.kpis_dir = self.path / "kpis"
        self.runs_dir = self.path / "runs"
        self.failed_dir = self.path / "failed"
        self._lock: _Lock | None = None

    # ------------------------------------------------------------------------------------ identity
    @staticmethod
    def is_store(path: str | Path) -> bool:
        """Whether ``path`` is a store directory (holds ``study.json``)."""
        return (Path(path) / STUDY_FILE).is_file()

    def study(self) -> dict[str, Any]:
        """The content of ``study.json``."""
        try:
            return json.loads((self.path / STUDY_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise StoreError(f"{self.path}: not a results store (no {STUDY_FILE})") from None

    # ------------------------------------------------------------------------------------ writing
    def open(self, study: dict[str, Any], *, overwrite: bool = False, option: str = "--store") -> None:
        """Lock the store for writing, check it holds ``study`` (or nothing yet; with ``overwrite`` a store of
        another study is emptied first), clean leftovers. ``option`` is named in error messages.

        Raises StoreError when the path is not a folder that can be one (a file, a pipe, a device, a path
        through a file, a folder of other things, no permission)."""
        hint = f"choose a new or empty folder with {option}"
        if (self.path.exists() or self.path.is_symlink()) and not self.path.is_dir():
            raise StoreError(folder_problem(self.path, "a folder for a results store", hint))
        path = self.path / STUDY_FILE
        if (path.exists() or path.is_symlink()) and not is_regular_file(path):
            raise StoreError(f"{path}: is {describe(path)}, not a file; this is not a results store")
        try:
            claim(self.path, "store", option=option)
        except OutputError as exc:
            raise StoreError(str(exc)) from None
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            why = "" if self.path.exists() else f" ({exc.strerror})"
            raise StoreError(folder_problem(self.path, "a folder for a results store", f"{hint}{why}")) from None
        lock = _Lock(self.path / ".lock")
        lock.acquire()
        try:
            if path.exists():
                old = self.study()
                if old.get("design_hash") != study["design_hash"]:
                    if not overwrite:
                        raise StoreError(
                            f"{self.path}: this store holds another study ({old.get('kind', '?')} "
                            f"'{old.get('name', '?')}', {len(old.get('runs', []))} runs) with other runs, seeds "
                            f"or scenarios; nothing was written: use a new {option}, or add --overwrite to "
                            f"replace this store"
                        )
                    self._empty()
            else:
                stray = [p for p in self.path.iterdir() if not p.name.startswith(".")]
                if stray:
                    raise StoreError(f"{self.path}: the directory is not empty and is not a results store; "
                                     f"nothing was written: choose an empty or new directory with {option}")
            for d in (self.kpis_dir, self.runs_dir, self.failed_dir):
                d.mkdir(exist_ok=True)
            for leftover in [*self.runs_dir.glob(".tmp-*"), *self.runs_dir.glob(".old-*")]:
                shutil.rmtree(leftover, ignore_errors=True)
            for leftover in [*self.kpis_dir.glob(".*.tmp"), *self.path.glob(".*.tmp")]:
                leftover.unlink(missing_ok=True)
            study = {"format": FORMAT, **study}
            write_atomic(path, (json.dumps(study, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
        except BaseException:
            lock.release()
            raise
        self._lock = lock

    def _empty(self) -> None:
        """Remove everything in this store but the lock (called with the lock held, for ``overwrite``)."""
        with writing(self.path, "empty the store"):
            for p in self.path.iterdir():
                if p.name == ".lock":
                    continue
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p)
                else:
                    p.unlink()

    def close(self) -> None:
        """Release the write lock."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write(self, payload: RunPayload) -> None:
        """Store one finished run: its directory (atomically), then its KPI row (atomically)."""
        if self._lock is None:
            raise StoreError("the store is not open for writing")
        target = self.runs_dir / payload.run_id
        with writing(target):
            tmp = staging_dir(self.runs_dir, payload.run_id)
            try:
                for name, data in payload.tables.items():
                    with open(tmp / f"{name}.parquet", "wb") as fh:
                        fh.write(data)
                        fh.flush()
                        os.fsync(fh.fileno())
                with open(tmp / "manifest.json", "w", encoding="utf-8") as fh:
                    json.dump(payload.manifest, fh, ensure_ascii=False, indent=2)
                    fh.write("\n")
                    fh.flush()
                    os.fsync(fh.fileno())
                # a run directory without its KPI row is an unfinished run of this store (killed between
                # the two renames): ours to replace
                replace_dir(tmp, target, replace=True)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            write_atomic(self.kpis_dir / f"{payload.run_id}.parquet", payload.kpi_row)
            (self.failed_dir / f"{payload.run_id}.txt").unlink(missing_ok=True)

    def write_failure(self, run_id: str, text: str) -> None:
        """Record why a run failed (it stays unfinished, so the next run of the study retries it)."""
        with writing(self.failed_dir / f"{run_id}.txt"):
            write_atomic(self.failed_dir / f"{run_id}.txt", text.encode("utf-8"))

    # ------------------------------------------------------------------------------------ reading
    def done_ids(self) -> set[str]:
        """Ids of the finished runs (those with a KPI row)."""
        if not self.kpis_dir.is_dir():
            return set()
        return {p.stem for p in self.kpis_dir.glob("*.parquet") if not p.name.startswith(".")}

    def failed(self) -> dict[str, str]:
        """Unfinished runs that failed, with the reason."""
        if not self.failed_dir.is_dir():
            return {}
        return {p.stem: p.read_text(encoding="utf-8") for p in sorted(self.failed_dir.glob("*.txt"))}

    def run_dir(self, run_id: str) -> Path:
        return self.runs_dir / run_id

    def kpis(self) -> pd.DataFrame:
        """Every KPI row, one per finished run, ordered by point and replication (schemas unified:
        a KPI missing from a run is NaN there)."""
        files = sorted(str(p) for p in self.kpis_dir.glob("*.parquet") if not p.name.startswith("."))
        if not files:
            return pd.DataFrame({c: [] for c in ID_COLUMNS})
        schemas = [pq.read_schema(f) for f in files]
        schema = pa.unify_schemas(schemas, promote_options="permissive")
        table = ds.dataset(files, schema=schema, format="parquet").to_table()
        df = table.to_pandas()
        return df.sort_values(["point", "replication"], kind="stable").reset_index(drop=True)

    def yearly(self) -> pd.DataFrame:
        """KPIs per year of every finished run: ``ID_COLUMNS`` (but the hash) + right, metric, unit, year,
        value."""
        rows = self.kpis()
        frames = []
        for r in rows.itertuples(index=False):
            path = self.run_dir(r.run_id) / "kpis.parquet"
            if not path.is_file():
                continue
            y = yearly_kpis(pd.read_parquet(path))
            y.insert(0, "seed", int(r.seed))
            y.insert(0, "replication", int(r.replication))
            y.insert(0, "point", int(r.point))
            y.insert(0, "run_id", r.run_id)
            frames.append(y)
        if not frames:
            return pd.DataFrame(columns=["run_id", "point", "replication", "seed", "right", "metric", "unit",
                                         "year", "value"])
        return pd.concat(frames, ignore_index=True)

    def manifest(self, run_id: str) -> dict[str, Any]:
        """The manifest of a finished run."""
        return json.loads((self.run_dir(run_id) / "manifest.json").read_text(encoding="utf-8"))
