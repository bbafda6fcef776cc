"""Writing a classroom session as a run directory, like any run (``docs/tables.md``), plus three extras.

The standard tables (holders, trades, orders_rejected, holdings, charges, reserve, kpis) and
``manifest.json`` are written by :func:`rights_market.results.write_run`, so ``rights-market report`` and
every reader of runs work on them. In the tables ``time`` is the period number (0-based) and ``session`` the
period too. The classroom adds:

* ``participants.parquet`` — one row per seat and period: ``seat``, ``name``, ``role``, ``player``,
  ``period``, ``active`` (took part), ``value_change_fen`` (change in the value of its holdings),
  ``trade_cash_fen`` (money received from trades, net), ``bill_fen`` (its period-end bill), ``surplus_fen``
  (value change + trade money) and ``surplus`` (yuan);
* ``tape.parquet`` — every trade with the millisecond it happened (``t_ms``), ``period``, ``mechanism``,
  ``seller``, ``buyer``, ``quantity``, ``price_ticks``, ``amount_fen``, ``buy_order``, ``sell_order`` and
  ``gain`` (gain from trade between two seats in ticks·units, null when an institution took part);
* ``events.jsonl`` — the event log (:mod:`~rights_market.classroom.eventlog`); ``rights-market classroom
  --replay RUN/events.jsonl`` rebuilds the same run from it.

The manifest gets a ``classroom`` entry (seed, periods played, efficiency per period, people, events).
Everything is written into a staging directory beside the target and renamed into place at the end, so a
run directory appears whole or not at all (design principle 6). The target follows the policy of every run
directory (:func:`rights_market.outdir.claim`): new or empty, never a file or a folder of other things; an
earlier run directory there is replaced only with ``overwrite=True``. :func:`prepare` takes the data out of a
session on the caller's thread; :func:`write_prepared` only writes, so it may run in a worker thread.
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..atomic import replace_dir
from ..engine.run import LazyTables, Result
from ..engine.world import TABLES
from ..ledger import Table
from ..outdir import claim, clean_leftovers, staging_dir, writing
from ..results import scenario_hash, write_run
from ..rights.catalogue import INSTITUTIONS
from .session import ClassroomSession


@dataclass(frozen=True)
class Prepared:
    """Everything to write, taken out of a session: the run, the extra tables, the log text, the target."""

    result: Result
    extras: dict[str, pd.DataFrame]
    events: str
    classroom: dict
    out: Path


def default_out_dir(session: ClassroomSession, root: Path = Path("results")) -> Path:
    """``<root>/<name>-seed<N>-<hash8>-<YYYYmmdd-HHMMSS>`` (``-epoch<k>`` after a reset)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    epoch = f"-epoch{session.epoch}" if session.epoch else ""
    return Path(root) / f"{session.scenario.name}-seed{session.seed}-{scenario_hash(session.scenario)[:8]}-{stamp}{epoch}"


def _holders(session: ClassroomSession) -> Table:
    """``holders`` of the session: every seat (by the name it has now) and the institutions."""
    eng = session.engine
    table = Table("holders", TABLES["holders"])
    table.append(holder=np.array([s.id for s in eng.seats], dtype=np.int64),
                 name=[session.name_of(s.id) for s in eng.seats], group=[s.role_name for s in eng.seats],
                 sector=[s.sector for s in eng.seats], right=eng.spec.right)
    inst = sorted(INSTITUTIONS.items(), reverse=True)
    table.append(holder=np.array([i for i, _ in inst], dtype=np.int64), name=[n for _, n in inst],
                 group="institution", sector="", right="")
    return table


def session_result(session: ClassroomSession) -> Result:
    """The current epoch as a :class:`~rights_market.engine.run.Result` (standard tables)."""
    eng = session.engine
    raw = dict(eng.world.tables)
    raw["holders"] = _holders(session)
    notes = [f"classroom session: {len(session.people)} people, "
             f"{sum(1 for s in eng.seats if s.is_robot)} robots, {len(eng.results)} periods played"]
    return Result(session.scenario, session.seed, LazyTables(raw), 0.0, [], notes)  # type: ignore[arg-type]


def participants_table(session: ClassroomSession) -> pd.DataFrame:
    """One row per seat and closed period (see the module docstring)."""
    eng = session.engine
    cols: dict[str, list] = {k: [] for k in ("seat", "name", "role", "player", "period", "active",
                                             "value_change_fen", "trade_cash_fen", "bill_fen", "surplus_fen")}
    for r in eng.results:
        for s in eng.seats:
            for k, v in (("seat", s.id), ("name", session.name_of(s.id)), ("role", s.role_name),
                         ("player", s.player), ("period", r.period), ("active", bool(r.active[s.id])),
                         ("value_change_fen", int(r.value_change_fen[s.id])),
                         ("trade_cash_fen", int(r.trade_cash_fen[s.id])), ("bill_fen", int(r.bill_fen[s.id])),
                         ("surplus_fen", int(r.surplus_fen[s.id]))):
                cols[k].append(v)
    df = pd.DataFrame(cols)
    for c in ("seat", "period", "value_change_fen", "trade_cash_fen", "bill_fen", "surplus_fen"):
        df[c] = df[c].astype("int64")
    for c in ("name", "role", "player"):
        df[c] = df[c].astype("string")
    df["active"] = df["active"].astype(bool)
    df["surplus"] = df["surplus_fen"] / 100.0
    return df


def tape_table(session: ClassroomSession) -> pd.DataFrame:
    """Every trade with its millisecond (see the module docstring)."""
    tape = session.engine.trading.tape
    ints = ("t_ms", "period", "seller", "buyer", "quantity", "price", "amount_fen", "buy_order", "sell_order")
    df = pd.DataFrame({k: np.array([getattr(r, k) for r in tape], dtype=np.int64) for k in ints})
    df = df.rename(columns={"price": "price_ticks"})
    df.insert(2, "mechanism", pd.array([r.mechanism for r in tape], dtype="string"))
    df["gain"] = pd.array([r.gain for r in tape], dtype="Int64")
    return df


def prepare(session: ClassroomSession, out: Path) -> Prepared:
    """Take everything to write out of ``session`` (on the thread that owns it)."""
    eng = session.engine
    eff = [None if math.isnan(r.efficiency) else r.efficiency for r in eng.results]
    info = {"seed": session.seed, "epoch": session.epoch, "periods_played": len(eng.results),
            "efficiency": eff, "people": len(session.people), "robots": sum(1 for s in eng.seats if s.is_robot),
            "events": len(session.log.events), "event_log": "events.jsonl",
            "extra_tables": ["participants", "tape"]}
    return Prepared(session_result(session), {"participants": participants_table(session),
                                              "tape": tape_table(session)}, session.log.text(), info, Path(out))


def write_prepared(prepared: Prepared, report: bool = True, lang: str = "en", *, overwrite: bool = False) -> Path:
    """Write a prepared session to its run directory atomically (and its report); the directory.

    Raises :class:`~rights_market.outdir.OutputError` if the target may not or cannot be written.
    """
    target = prepared.out
    replace = claim(target, "run", overwrite=overwrite)
    with writing(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(target.parent)
        stage_root = staging_dir(target.parent, target.name)
        _write_staged(prepared, stage_root, target, replace, report, lang)
    return target


def _write_staged(prepared: Prepared, stage_root: Path, target: Path, replace: bool, report: bool,
                  lang: str) -> None:
    try:
        staged = write_run(prepared.result, stage_root / target.name)
        for name, df in prepared.extras.items():
            pq.write_table(pa.Table.from_pandas(df, preserve_index=False), staged / f"{name}.parquet",
                           compression="zstd")
        (staged / "events.jsonl").write_text(prepared.events, encoding="utf-8")
        man_path = staged / "manifest.json"
        man = json.loads(man_path.read_text(encoding="utf-8"))
        man["classroom"] = prepared.classroom
        man["rows"].update({name: int(len(df)) for name, df in prepared.extras.items()})
        man_path.write_text(json.dumps(man, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        if report:
            from ..report import build_report

            build_report(staged, lang=lang)
        replace_dir(staged, target, replace=replace)
    finally:
        shutil.rmtree(stage_root, ignore_errors=True)


def write_session(session: ClassroomSession, out: Path | None = None, *, report: bool = True,
                  results_root: Path = Path("results"), lang: str = "en") -> Path:
    """Write the session's current epoch as a run directory (``out`` or the default); the directory."""
    session.mark_end()
    return write_prepared(prepare(session, out or default_out_dir(session, results_root)), report, lang)


__all__ = ["Prepared", "default_out_dir", "participants_table", "prepare", "session_result", "tape_table",
           "write_prepared", "write_session"]
