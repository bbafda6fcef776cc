"""Writing a run directory atomically (design principle 6) and reading it back.

The tables go to a staging directory beside the target, which is renamed into place only when everything
is written; a crash leaves at most a ``.tmp-*`` directory that is never mistaken for a run, and is removed
by the next write into the same folder once its process is gone (:func:`rights_market.outdir.clean_leftovers`).
Where a run may be written, and when an earlier one is replaced, is :func:`rights_market.outdir.claim`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .atomic import replace_dir
from .outdir import claim, clean_leftovers, staging_dir, writing
from .scenario.model import Scenario
from .tables.schema import SCHEMA

#: The tables of a run directory, one ``<name>.parquet`` each, in the order of the table schema.
TABLE_FILES: tuple[str, ...] = tuple(SCHEMA)

if TYPE_CHECKING:  # pandas, pyarrow and the engine load only where runs are written or read (fast start)
    import pandas as pd
    import pyarrow as pa

    from .engine.run import Result


def resolved_dict(scenario: Scenario) -> dict[str, Any]:
    """The fully resolved scenario (defaults filled in) as plain JSON data."""
    return scenario.model_dump(mode="json")


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario as canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(resolved_dict(scenario), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def default_run_dir(result: Result, root: Path = Path("results")) -> Path:
    return run_dir_for(result.scenario, result.seed, root)


def run_dir_for(scenario: Scenario, seed: int | None = None, root: Path = Path("results")) -> Path:
    """``<root>/<name>-seed<N>-<hash8>``: where a run of ``scenario`` with ``seed`` goes by default (the
    scenario's own seed if None), known before it runs."""
    seed = scenario.seed if seed is None else int(seed)
    return Path(root) / f"{scenario.name}-seed{seed}-{scenario_hash(scenario)[:8]}"


def manifest(result: Result) -> dict[str, Any]:
    return {
        "scenario_name": result.scenario.name,
        "scenario_hash": scenario_hash(result.scenario),
        "seed": result.seed,
        "package_version": __version__,
        "wall_seconds": round(result.wall_seconds, 3),
        "weather": result.weather,
        "notes": result.notes,
        "rights": [d.to_json() for d in result.rights],
        "rows": {name: result.tables.rows(name) for name in result.tables},
        "scenario": resolved_dict(result.scenario),
    }


def _write_table(table: pa.Table, path: Path) -> None:
    import pyarrow.parquet as pq

    pq.write_table(table, path, compression="zstd", write_statistics=True)


def spool_for(target: str | Path) -> Path:
    """A staging folder beside the run directory ``target`` to simulate into (``simulate(..., spool=)``):
    the large tables are written there as the run goes, and :func:`write_run` with ``staged=`` completes it
    and renames it into place. The caller has claimed ``target`` (:func:`rights_market.outdir.claim`) and
    removes the folder if the run fails."""
    target = Path(target)
    with writing(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(target.parent)
        return staging_dir(target.parent, target.name)


def write_run(result: Result, out_dir: str | Path | None = None, *, overwrite: bool = False,
              staged: Path | None = None) -> Path:
    """Write ``result`` to ``out_dir`` (default ``results/<name>-seed<N>-<hash8>``), atomically.

    ``staged``: the staging folder the run was spooled into (:func:`spool_for`); the tables already there
    stay, the others and the manifest are added, and the folder is renamed into place (or removed on
    failure). Spilled tables that live elsewhere (another spool folder) are copied.

    ``out_dir`` must not exist, or be an empty folder; an earlier run directory of this tool there is
    replaced (once the new one is complete) only with ``overwrite=True``. Anything else there (a file, a
    folder of other things, the working folder) is refused with
    :class:`~rights_market.outdir.OutputError` before anything is written, as is a place that cannot be
    written (full or read-only disk, no permission). Folders get the usual permissions (0o777 less the
    umask).
    """
    target = Path(out_dir) if out_dir is not None else default_run_dir(result)
    replace = claim(target, "run", overwrite=overwrite)
    with writing(target):
        if staged is None:
            target.parent.mkdir(parents=True, exist_ok=True)
            clean_leftovers(target.parent)
            tmp = staging_dir(target.parent, target.name)
        else:
            tmp = Path(staged)
        moved = []
        try:
            for name in TABLE_FILES:
                raw = result.tables.raw(name)
                path = tmp / f"{name}.parquet"
                if raw.spilled:
                    raw.close()
                    if raw.path.resolve() == path.resolve():
                        moved.append(raw)  # written there as the run went: renamed with the folder
                    else:
                        shutil.copyfile(raw.path, path)
                else:
                    _write_table(raw.to_arrow(), path)
            with open(tmp / "manifest.json", "w", encoding="utf-8") as fh:
                json.dump(manifest(result), fh, ensure_ascii=False, indent=2, sort_keys=False)
                fh.write("\n")
            replace_dir(tmp, target, replace=replace)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    for raw in moved:
        raw.relocate(target / raw.path.name)
    return target


def read_run(run_dir: Path) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """The manifest and tables of a run directory."""
    run_dir = Path(run_dir)
    with open(run_dir / "manifest.json", encoding="utf-8") as fh:
        man = json.load(fh)
    import pandas as pd

    tables = {name: pd.read_parquet(run_dir / f"{name}.parquet") for name in TABLE_FILES}
    return man, tables
