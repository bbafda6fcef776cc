"""What is compared: groups of runs (a baseline and its variants), from run directories, stores or scenarios.

An input is
* a **run directory** (``manifest.json``; one run),
* a **store** (``study.json``: ``run --replications``, a sweep; one group per point), or
* a **scenario file** (``.yaml``/``.yml``), run here ``replications`` times;
and ``variants`` (``--vary NAME:path=value``) are the baseline scenario (the first input, then a scenario
file) with overrides. Every scenario run here uses the same seeds (common random numbers): replication 0 the
base seed (``--seed`` or the baseline's seed), the others derived from it (:mod:`rights_market.sweep.seeds`).
The runs made here go to one store, ``OUT/store``, in the order of the groups; a repeated command resumes it.

The comparison directory ``OUT`` follows :func:`rights_market.outdir.claim`: it must be new or empty, or hold
this same comparison (resumed; its ``comparison.json`` records which), or an earlier comparison that is
replaced only with ``overwrite`` (``--overwrite``). Anything else is refused before anything runs.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..atomic import write_atomic
from ..outdir import COMPARISON_FILE, OutputError, claim, kind_of, staging_tag, writing
from ..pathkind import describe
from ..results import scenario_hash
from ..scenario.errors import Problem, ScenarioError
from ..scenario.model import Scenario
from ..sweep.design import Point
from ..sweep.execute import Outcome, execute
from ..sweep.store import Store
from ..sweep.study import build_study

__all__ = ["CompareInputError", "Group", "load_scenario_file", "parse_variants", "prepare", "short_labels"]

SCENARIO_SUFFIXES = (".yaml", ".yml")


class CompareInputError(Exception):
    """An input that is neither a run directory, a store nor a scenario file, or a bad ``--vary``."""


@dataclass
class Group:
    """One column of a comparison: a label and its runs ``(run directory, replication, seed)``."""

    label: str
    source: str
    scenario: dict[str, Any]
    scenario_hash: str
    runs: list[tuple[Path, int, int]] = field(default_factory=list)
    #: The full parameter values of a sweep point (``{"water.pricing.x": 1.0}``); empty otherwise.
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def scenario_name(self) -> str:
        return str(self.scenario.get("name", "?"))


def load_scenario_file(path: Path, overrides: Sequence[str] = ()) -> Scenario:
    """A scenario file with ``--set`` overrides; files it names (``from_file``) relative to its directory; the
    work it asks for within the limits in force (:func:`rights_market.api.load_scenario`)."""
    from ..api import load_scenario

    return load_scenario(path, overrides)


def parse_variants(specs: Sequence[str]) -> dict[str, list[str]]:
    """``["high_fee:water.fees.x=0.2", "high_fee:a.b=1", "cda:..."]`` → ``{"high_fee": [...], "cda": [...]}``."""
    out: dict[str, list[str]] = {}
    for text in specs:
        name, sep, override = text.partition(":")
        name = name.strip()
        if not sep or not name or "=" not in override:
            raise CompareInputError(f"--vary {text!r}: expected NAME:dotted.path=value, e.g. "
                                    f"high_fee:water.fees.industrial_use_fee_yuan_per_m3=0.2")
        out.setdefault(name, []).append(override.strip())
    return out


def _from_run_dir(path: Path) -> Group:
    man = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    return Group(str(man.get("scenario_name", path.name)), str(path), man.get("scenario", {}),
                 str(man.get("scenario_hash", "")), [(path, 0, int(man.get("seed", 0)))])


def _from_store(path: Path) -> list[Group]:
    store = Store(path)
    study = store.study()
    done = store.done_ids()
    groups: list[Group] = []
    points = study.get("points", [])
    names = short_labels([{k.removeprefix("param."): v for k, v in p.get("params", {}).items()} for p in points])
    short_names = {p["point"]: n for p, n in zip(points, names, strict=True)}
    for point in points:
        runs = [(store.run_dir(r["run_id"]), int(r["replication"]), int(r["seed"]))
                for r in study.get("runs", []) if r["point"] == point["point"] and r["run_id"] in done]
        if not runs:
            continue
        scenario = store.manifest(runs[0][0].name).get("scenario", {})
        params = {k.removeprefix("param."): v for k, v in point.get("params", {}).items()}
        label = point.get("label") or short_names[point["point"]] or study["name"]
        groups.append(Group(label, str(path), scenario, point["scenario_hash"], runs, params))
    if not groups:
        raise CompareInputError(f"{path}: the store holds no finished run yet")
    return groups


def short_labels(params: Sequence[Mapping[str, Any]]) -> list[str]:
    """Short names of sweep points from their parameters: per parameter the last part of its path and its
    value (``step_share=1.0``), as many parts as make the names of different parameters differ
    (``industry.fee=0.2``, ``agriculture.fee=0.1``); ``""`` for a point without parameters."""
    paths = list(dict.fromkeys(k for p in params for k in p))
    parts = {k: 1 for k in paths}

    def tail(k: str) -> str:
        return ".".join(k.split(".")[-parts[k]:])

    while True:
        seen: dict[str, list[str]] = {}
        for k in paths:
            seen.setdefault(tail(k), []).append(k)
        clash = [k for ks in seen.values() if len(ks) > 1 for k in ks if parts[k] < len(k.split("."))]
        if not clash:
            break
        for k in clash:
            parts[k] += 1
    return [", ".join(f"{tail(k)}={v}" for k, v in p.items()) for p in params]


def _unique(label: str, used: set[str]) -> str:
    out, i = label, 2
    while out in used:
        out, i = f"{label}-{i}", i + 1
    used.add(out)
    return out


def _claim_comparison(out: Path, digest: str, overwrite: bool, inputs: Sequence[Path]) -> None:
    """Make ``out`` this comparison's directory (see the module docstring) and record it there."""
    marker = out / COMPARISON_FILE
    if kind_of(out) == "comparison":
        try:
            same = json.loads(marker.read_text(encoding="utf-8")).get("comparison") == digest
        except (OSError, ValueError):
            same = False
        if same:
            return  # a repeated (or killed) comparison: resumed
    replace = claim(out, "comparison", overwrite=overwrite)
    if replace:
        here = out.resolve()
        inside = [str(p) for p in inputs if here == p.resolve() or here in p.resolve().parents]
        if inside:
            raise OutputError(f"{out}: holds inputs of this comparison ({', '.join(inside)}); nothing was "
                              f"replaced: choose another --out")
    with writing(out, "make the comparison folder"):
        if replace:
            old = out.parent / f".old-{out.name[:100]}-{staging_tag()}"
            out.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        out.mkdir(parents=True, exist_ok=True)
        record = {"tool": "rights-market", "kind": "comparison", "comparison": digest,
                  "package_version": __version__, "inputs": [str(p) for p in inputs]}
        write_atomic(marker, (json.dumps(record, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def prepare(
    inputs: Sequence[str | Path],
    *,
    variants: Mapping[str, Sequence[str]] | None = None,
    overrides: Sequence[str] = (),
    replications: int = 1,
    seed: int | None = None,
    out_dir: Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    overwrite: bool | None = None,
) -> tuple[list[Group], Path, Outcome | None]:
    """Resolve the inputs into groups, running the scenarios that need it. Returns the groups (baseline
    first), the comparison directory and the outcome of the runs made (None if none were needed).

    ``overwrite``: None writes into ``out_dir`` as it is (a store's own report); True or False first claims
    it as a comparison directory (module docstring), replacing an earlier comparison only when True.
    """
    if not inputs:
        raise CompareInputError("nothing to compare: give a baseline (a run directory, store or scenario file)")
    variants = dict(variants or {})
    slots: list[Any] = []  # a Group (ready) or (label, source, Scenario) to run
    problems: list[Problem] = []
    baseline_file: Path | None = None
    for i, item in enumerate(inputs):
        path = Path(item)
        if path.is_dir() and Store.is_store(path):
            slots.extend(_from_store(path))
        elif path.is_dir() and (path / "manifest.json").is_file():
            slots.append(_from_run_dir(path))
        elif path.suffix.lower() in SCENARIO_SUFFIXES or path.is_file():
            try:
                scenario = load_scenario_file(path, overrides)
            except ScenarioError as exc:
                problems.extend(exc.problems)
                continue
            slots.append((scenario.name, str(path), scenario))
            if i == 0:
                baseline_file = path
        else:
            what = describe(path)
            is_ = "does not exist" if what.startswith("missing") else f"is {what}"
            if what == "a folder":
                is_ = "is a folder without manifest.json or study.json"
            raise CompareInputError(f"{path}: {is_}, not a run directory (a folder with manifest.json), a results "
                                    f"store (a folder with study.json) or a scenario file (.yaml)")
    for name, sets in variants.items():
        if baseline_file is None and problems:
            raise ScenarioError(problems)  # the baseline file is there but wrong: say what is wrong with it
        if baseline_file is None:
            raise CompareInputError("--vary changes the baseline scenario: give a scenario file as the first input")
        try:
            slots.append((name, f"{baseline_file} --vary {name}", load_scenario_file(baseline_file,
                                                                                      [*overrides, *sets])))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)

    used: set[str] = set()
    to_run = [s for s in slots if isinstance(s, tuple)]
    base_seed = seed
    if base_seed is None:
        base_seed = to_run[0][2].seed if to_run else 0
    key = json.dumps([[g.label, g.scenario_hash, [r[2] for r in g.runs]] if isinstance(g, Group)
                      else [g[0], scenario_hash(g[2])] for g in slots] + [base_seed, replications])
    digest = hashlib.sha256(key.encode()).hexdigest()
    if out_dir is None:
        first = slots[0].label if isinstance(slots[0], Group) else slots[0][0]
        out_dir = Path("results") / f"compare-{first}-{digest[:8]}"
    if overwrite is not None:
        _claim_comparison(Path(out_dir), digest, overwrite, [Path(i) for i in inputs])
    outcome = None
    groups: list[Group] = []
    if to_run:
        points = [Point(i, {}, {}) for i in range(len(to_run))]
        study = build_study("comparison", "comparison", points, [s[2] for s in to_run], base_seed, replications)
        labels = {}
        for slot in slots:
            if isinstance(slot, tuple):
                labels[id(slot)] = _unique(slot[0], used)
            else:
                slot.label = _unique(slot.label, used)
        for p, slot in zip(study.points, to_run, strict=True):
            p["label"] = labels[id(slot)]
        store = Store(Path(out_dir) / "store")
        outcome = execute(study, store, scheduler=scheduler, workers=workers, progress=progress, option="--out")
        done = store.done_ids()
        made: dict[int, Group] = {}
        for p, (_, source, scenario) in zip(study.points, to_run, strict=True):
            runs = [(store.run_dir(t.run_id), t.replication, t.seed) for t in study.tasks
                    if t.point == p["point"] and t.run_id in done]
            made[p["point"]] = Group(p["label"], source, scenario.model_dump(mode="json"), p["scenario_hash"], runs)
        k = 0
        for slot in slots:
            if isinstance(slot, tuple):
                groups.append(made[k])
                k += 1
            else:
                groups.append(slot)
    else:
        for slot in slots:
            slot.label = _unique(slot.label, used)
            groups.append(slot)
    empty = [g.label for g in groups if not g.runs]
    if empty:
        raise CompareInputError(f"no finished run for {', '.join(empty)}; see {Path(out_dir) / 'store' / 'failed'}")
    return groups, Path(out_dir), outcome
