"""What a study runs, without what runs it: the task of one run and the hash of a study's design. Light (no
engine, pandas or pyarrow), so a study can be built and checked — e.g. by ``validate`` — without them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ..results import TABLE_FILES

#: Leading columns of every KPI row, in this order; parameter columns follow, then the KPI columns.
ID_COLUMNS = ("run_id", "point", "replication", "seed", "scenario_hash")


@dataclass(frozen=True)
class RunTask:
    """What to run. ``params``: the design's values of this point, ``{"param.<path>": value}``, typed by
    ``param_types`` (``int64``, ``float64``, ``bool``, ``string``); ``keep``: the tables to store."""

    run_id: str
    point: int
    replication: int
    seed: int
    scenario: dict[str, Any]
    scenario_hash: str
    params: dict[str, Any] = field(default_factory=dict)
    param_types: dict[str, str] = field(default_factory=dict)
    keep: tuple[str, ...] = TABLE_FILES



def design_hash(runs: list[dict[str, Any]], keep: list[str]) -> str:
    """SHA-256 of the runs of a study (id, point, replication, seed, scenario hash) and the kept tables."""
    key = [{k: r[k] for k in ("run_id", "point", "replication", "seed", "scenario_hash")} for r in runs]
    text = json.dumps({"runs": key, "keep": sorted(keep)}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
