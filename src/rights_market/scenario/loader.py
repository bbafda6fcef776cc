"""Generic scenario-file loader: YAML with positions, ``extends:``, ``--set`` and validation.

This module knows nothing about the concrete scenario model; it works with any
pydantic v2 model class.  The pipeline is::

    load_raw(path, overrides)  ->  (plain dict, SourceMap)
    validate(raw, source_map, model_cls)  ->  model instance
    load_model(path, model_cls, overrides)  ->  (model, raw dict)   # both chained

Every problem is reported as ``file:line:col: dotted.path: message`` through
:class:`~rights_market.scenario.errors.ScenarioError`, and all problems found in
one pass are reported together.

The work is split by job: :mod:`.yamlsource` turns YAML text into plain data
with positions (bounded by the limits in force, core tags only), :mod:`.paths`
holds the paths and positions (:class:`Position`, :class:`SourceMap`), and
:mod:`.locate` turns pydantic's errors into located problems. This module
resolves ``extends:``, applies ``--set`` overrides and chains the steps; it
re-exports the names callers import from it.

``extends:`` reads only scenario files: see :func:`resolve_reference`.
"""

from __future__ import annotations

import contextlib
import contextvars
import difflib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import Problem, ScenarioError, shorten
from .locate import problem_for
from .paths import (
    PathKey,
    Position,
    SourceMap,
    copy_positions,
    describe,
    format_path,
    lookup_key,
    set_positions,
)
from .yamlsource import parse_text, read_file

__all__ = [
    "SET_FILE",
    "JSON_SCHEMA_DIALECT",
    "PathKey",
    "Position",
    "SourceMap",
    "format_path",
    "load_raw",
    "apply_overrides",
    "validate",
    "load_model",
    "json_schema",
    "allowed_roots",
    "include_dirs",
    "resolve_reference",
]

#: Pseudo file name used for positions of values given with ``--set``.
SET_FILE = "<--set>"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

M = TypeVar("M", bound=BaseModel)


# --------------------------------------------------------------------------- extends

EXTENDS_KEY = "extends"


def _deep_merge(
    base: Any, child: Any, path: PathKey, base_sm: SourceMap, child_sm: SourceMap, out: SourceMap
) -> Any:
    """Mappings merge key by key; anything else in ``child`` replaces ``base``.

    A mapping whose ``type:`` differs from the base's (a different member of a discriminated union, e.g.
    ``weather: {type: sequence, ...}`` over a Markov weather) replaces the base mapping whole: the fields
    of one type mean nothing to another.
    """
    if (
        isinstance(base, dict)
        and isinstance(child, dict)
        and "type" in child
        and "type" in base
        and child["type"] != base["type"]
    ):
        copy_positions(child, path, child_sm, out)
        return child
    if isinstance(base, dict) and isinstance(child, dict):
        pos = child_sm.get(path) or base_sm.get(path)
        if pos is not None:
            out.set(path, pos)
        result: dict[Any, Any] = {}
        for k, v in base.items():
            if k in child:
                result[k] = _deep_merge(v, child[k], (*path, k), base_sm, child_sm, out)
            else:
                result[k] = v
                copy_positions(v, (*path, k), base_sm, out)
        for k, v in child.items():
            if k not in base:
                result[k] = v
                copy_positions(v, (*path, k), child_sm, out)
        return result
    copy_positions(child, path, child_sm, out)
    return child


#: suffixes of the files ``extends:`` (and a sweep's ``scenario:``) may name
SCENARIO_SUFFIXES = (".yaml", ".yml")
_MAX_NAME_BYTES = 1024  # of a whole file name written in a scenario
_MAX_PART_BYTES = 255  # of one folder or file name in it (what file systems allow)
_SHIPPED = Path(__file__).resolve().parents[3] / "scenarios"  # a checkout's scenarios/ folder
_INCLUDE: contextvars.ContextVar[tuple[Path, ...]] = contextvars.ContextVar("rights_market_include", default=())


@contextlib.contextmanager
def include_dirs(dirs: Sequence[Path | str]) -> Iterator[tuple[Path, ...]]:
    """Also allow ``extends:`` targets under ``dirs`` in the ``with`` block (the CLI's ``--include-dir``)."""
    added = tuple(Path(os.path.realpath(d)) for d in dirs)
    token = _INCLUDE.set(_INCLUDE.get() + added)
    try:
        yield _INCLUDE.get()
    finally:
        _INCLUDE.reset(token)


def allowed_roots(top: Path | str) -> tuple[Path, ...]:
    """The folders whose files (and sub-folders' files) a scenario loaded as ``top`` may name in ``extends:``.

    * the folder of ``top`` (the file named on the command line or given to :func:`load_raw`);
    * its parent folder, so that ``cases/x.yaml`` may extend ``../base.yaml`` — unless that parent is the
      file-system root, the home folder or a folder above it;
    * the ``scenarios/`` folder shipped with this checkout, if there is one;
    * every folder allowed with ``--include-dir DIR`` (:func:`include_dirs`).

    All as real paths (symbolic links followed).
    """
    folder = Path(os.path.realpath(os.path.dirname(os.path.abspath(top))))
    roots = [folder]
    parent = folder.parent
    try:
        home: Path | None = Path(os.path.realpath(Path.home()))
    except (RuntimeError, KeyError):  # no home folder known
        home = None
    if parent != parent.parent and not (home is not None and home.is_relative_to(parent)):
        roots.append(parent)
    if _SHIPPED.is_dir():
        roots.append(_SHIPPED)
    roots.extend(_INCLUDE.get())
    return tuple(dict.fromkeys(roots))


def resolve_reference(name: str, including: str, roots: Sequence[Path]) -> tuple[Path | None, str, str]:
    """Check a scenario file named inside another (``extends:``, a sweep's ``scenario:``).

    ``name`` is taken relative to the folder of ``including`` (the including file as displayed). Returns
    ``(path, display, "")`` when the name may be read, else ``(None, display, why)``. A name may be read when
    it has no control characters, is not absurdly long, ends in ``.yaml`` or ``.yml`` (as written: a link
    named ``x.yaml`` is judged by that name), and — links followed — lies under one of ``roots``
    (:func:`allowed_roots`). Nothing is opened here, so a refused file is never read, let alone echoed.
    """
    shown = shorten(name, 80)
    if any(ch < " " or ch == "\x7f" for ch in name):
        return None, shown, f"the file name {shown} holds a NUL byte or a control character; name a scenario file"
    encoded = name.encode("utf-8", "surrogatepass")
    if len(encoded) > _MAX_NAME_BYTES or any(len(part) > _MAX_PART_BYTES for part in encoded.split(b"/")):
        return None, shown, (f"the file name {shown} is too long (at most {_MAX_NAME_BYTES} bytes, "
                             f"{_MAX_PART_BYTES} per folder or file name)")
    display = os.path.normpath(os.path.join(os.path.dirname(including), name))
    shown = shorten(display, 120)
    if Path(name).suffix.lower() not in SCENARIO_SUFFIXES:
        return None, shown, f"{shown} is not a scenario file: the name must end in .yaml or .yml"
    try:
        real = Path(os.path.realpath(display))
    except (OSError, ValueError):
        return None, shown, f"cannot follow the file name {shown}"
    if not any(real.is_relative_to(root) for root in roots):
        where = ", ".join(shorten(str(r), 120) for r in roots)
        return None, shown, (f"{shown} is outside the folders a scenario may read from ({where}); move it "
                             "there, or allow its folder with --include-dir DIR")
    return Path(display), display, ""


def _load_resolved(
    path: Path,
    display: str,
    stack: list[tuple[Path, str]],
    problems: list[Problem],
    roots: tuple[Path, ...],
    named_at: tuple[Position, str] | None = None,
) -> tuple[bool, dict, SourceMap]:
    ok, data, sm = read_file(path, display, problems, named_at)
    if not ok:
        return False, {}, sm
    if EXTENDS_KEY not in data:
        return True, data, sm

    ext_value = data.pop(EXTENDS_KEY)
    ext_pos = sm.get((EXTENDS_KEY,)) or Position(display, None, None)
    ext_nodes: list[tuple[Any, Position]]
    if isinstance(ext_value, str):
        ext_nodes = [(ext_value, ext_pos)]
    elif isinstance(ext_value, list):
        ext_nodes = [(v, sm.get((EXTENDS_KEY, i)) or ext_pos) for i, v in enumerate(ext_value)]
    else:
        ext_nodes = [(ext_value, ext_pos)]
    sm.drop((EXTENDS_KEY,))

    me = Path(os.path.realpath(path))
    here = [*stack, (me, display)]
    all_ok = True
    merged: dict[Any, Any] = {}
    merged_sm = SourceMap()
    for i, (ext, pos) in enumerate(ext_nodes):
        sub_path: PathKey = (EXTENDS_KEY, i) if isinstance(ext_value, list) else (EXTENDS_KEY,)
        if not isinstance(ext, str) or not ext.strip():
            problems.append(
                Problem(
                    pos.file,
                    pos.line,
                    pos.col,
                    format_path(sub_path),
                    f"expected a file name (or a list of file names), got {describe(ext)}",
                )
            )
            all_ok = False
            continue
        base_path, base_display, why = resolve_reference(ext, display, roots)
        if base_path is None:
            problems.append(Problem(pos.file, pos.line, pos.col, format_path(sub_path), why))
            all_ok = False
            continue
        resolved = Path(os.path.realpath(base_path))
        chain = [d for p, d in here]
        if any(p == resolved for p, _ in here):
            cycle = " -> ".join([*chain, base_display])
            problems.append(
                Problem(pos.file, pos.line, pos.col, format_path(sub_path), f"extends cycle: {cycle}")
            )
            all_ok = False
            continue
        base_ok, base_data, base_sm = _load_resolved(
            base_path, base_display, here, problems, roots, (pos, format_path(sub_path))
        )
        if not base_ok:
            all_ok = False
            continue
        out = SourceMap()
        merged = _deep_merge(merged, base_data, (), merged_sm, base_sm, out)
        merged_sm = out
    if not all_ok:
        return False, {}, sm
    out = SourceMap()
    result = _deep_merge(merged, data, (), merged_sm, sm, out)
    return True, result, out


# --------------------------------------------------------------------------- overrides


def _where(path: PathKey) -> str:
    return f"'{format_path(path)}'" if path else "the top level"


def _suggest(word: str, candidates: Sequence[Any]) -> str:
    names = [str(c) for c in candidates]
    close = difflib.get_close_matches(word, names, n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    if names and len(names) <= 20:
        return "known keys: " + ", ".join(f"'{n}'" for n in sorted(names))
    return ""


def apply_overrides(data: dict, source_map: SourceMap, overrides: Sequence[str]) -> list[Problem]:
    """Apply ``dotted.path=value`` overrides in place; return the problems found.

    Every component but the last must exist (dict key or in-range integer list
    index).  The last one may add a new key to a mapping, or replace an
    existing list item.  Values are parsed as YAML (``3``, ``false``,
    ``[1, 2]``, ``{a: 1}``, ``"quoted"``; an empty value is ``null``).
    """
    problems: list[Problem] = []
    for n, text in enumerate(overrides, start=1):

        def bad(path: str, message: str, n: int = n) -> None:
            problems.append(Problem(SET_FILE, n, None, path, message))

        if "=" not in text:
            bad("", f"malformed override {text!r}: expected 'dotted.path=value'")
            continue
        dotted, value_text = text.split("=", 1)
        dotted = dotted.strip()
        parts = dotted.split(".")
        if not dotted or any(not p.strip() for p in parts):
            bad(dotted, f"malformed override {text!r}: empty path component")
            continue
        parts = [p.strip() for p in parts]

        pos = Position(SET_FILE, n, None)
        value_problems: list[Problem] = []
        _, value, _ = parse_text(value_text, SET_FILE, value_problems, fixed=pos)
        if value_problems:
            for p in value_problems:
                bad(dotted, f"invalid value {value_text.strip()!r}: {p.message}")
            continue

        node: Any = data
        path: PathKey = ()
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, dict):
                found, key = lookup_key(node, part)
                if not found and not last:
                    hint = _suggest(part, list(node))
                    bad(
                        dotted,
                        f"no key '{part}' in {_where(path)}" + (f"; {hint}" if hint else ""),
                    )
                    break
            elif isinstance(node, list):
                try:
                    key = int(part)
                except ValueError:
                    bad(dotted, f"{_where(path)} is a list; '{part}' is not an integer index")
                    break
                if not 0 <= key < len(node):
                    bad(
                        dotted,
                        f"index {key} is out of range for {_where(path)}, which has {len(node)} item(s)",
                    )
                    break
            else:
                bad(
                    dotted,
                    f"{_where(path)} is {describe(node)}, not a mapping or list; cannot set '{part}' in it",
                )
                break
            if last:
                node[key] = value
                source_map.drop((*path, key))
                set_positions(value, (*path, key), pos, source_map)
            else:
                node = node[key]
                path = (*path, key)
    return problems


def load_raw(path: Path | str, overrides: Sequence[str] = ()) -> tuple[dict, SourceMap]:
    """Load a scenario file (resolving ``extends:``) and apply ``--set`` overrides.

    Returns the plain resolved dict (without the ``extends`` key) and a
    :class:`SourceMap` with the position of every node.  Raises
    :class:`ScenarioError` listing every problem found.
    """
    path = Path(path)
    display = str(path)
    problems: list[Problem] = []
    ok, data, sm = _load_resolved(path, display, [], problems, allowed_roots(path))
    if not ok or problems:
        raise ScenarioError(problems)
    problems.extend(apply_overrides(data, sm, overrides))
    if problems:
        raise ScenarioError(problems)
    return data, sm


# --------------------------------------------------------------------------- validation


def validate(raw: dict, source_map: SourceMap, model_cls: type[M], *, context: Any | None = None) -> M:
    """Validate ``raw`` with ``model_cls``; every pydantic error becomes a located Problem."""
    try:
        return model_cls.model_validate(raw, context=context)
    except ValidationError as exc:
        problems = [problem_for(err, raw, source_map, model_cls) for err in exc.errors(include_url=False)]
        raise ScenarioError(problems) from exc


def load_model(path: Path | str, model_cls: type[M], overrides: Sequence[str] = ()) -> tuple[M, dict]:
    """``load_raw`` + ``validate``: returns ``(model, resolved_raw_dict)`` or raises ScenarioError."""
    raw, source_map = load_raw(path, overrides)
    return validate(raw, source_map, model_cls), raw


def json_schema(model_cls: type[BaseModel], *, title: str | None = None) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) for scenario files of ``model_cls``."""
    schema = model_cls.model_json_schema()
    out: dict[str, Any] = {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": title or schema.get("title") or model_cls.__name__,
    }
    out.update((k, v) for k, v in schema.items() if k not in ("$schema", "title"))
    return out
