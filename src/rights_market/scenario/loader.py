"""Generic scenario-file loader: YAML with positions, ``extends:``, ``--set`` and validation.

This module knows nothing about the concrete scenario model; it works with any
pydantic v2 model class.  The pipeline is::

    load_raw(path, overrides)  ->  (plain dict, SourceMap)
    validate(raw, source_map, model_cls)  ->  model instance
    load_model(path, model_cls, overrides)  ->  (model, raw dict)   # both chained

Every problem is reported as ``file:line:col: dotted.path: message`` through
:class:`~rights_market.scenario.errors.ScenarioError`, and all problems found in
one pass are reported together.

YAML is *composed* (parsed to a node graph with positions) by ruamel.yaml and
converted to plain ``dict``/``list``/scalars here; no Python object is ever
constructed from a tag.  Only the YAML core tags (map, seq, str, int, float,
bool, null) plus timestamps are accepted; anything else (``!!python/object``,
``!!binary``, ``!!set``, local ``!tags``...) is refused with a problem.
Anchors/aliases and ``<<`` merge keys are supported.

Bounded while reading (limits from :func:`rights_market.limits.active`, each raised with
``--limit NAME=N``): a file over ``scenario_bytes`` is refused before it is read
(see :mod:`.files`: only regular files are opened); the composer counts nodes
(``yaml_nodes``), collection nesting (``yaml_depth``) and scalar sizes
(``yaml_scalar_bytes``) while it builds the node tree, so a huge or deep
document is refused at the node that crosses the limit, with its
``file:line:col``, before the rest is read.  Aliases are counted again at each
use when the tree is converted, so alias "billion laughs" are refused too.

``extends:`` reads only scenario files: see :func:`resolve_reference`.
"""

from __future__ import annotations

import contextlib
import contextvars
import difflib
import io
import os
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from .. import limits as _limits
from .errors import Problem, ScenarioError, shorten
from .files import FileRefused, read_regular

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

PathKey = tuple[Any, ...]
"""A path into the data: mapping keys (usually ``str``) and integer list indices."""

M = TypeVar("M", bound=BaseModel)


def format_path(path: Sequence[Any]) -> str:
    """``("groups", 2, "count")`` -> ``"groups.2.count"``."""
    return ".".join(str(p) for p in path)


# --------------------------------------------------------------------------- positions


@dataclass(frozen=True, slots=True)
class Position:
    """Where a value was written (1-based line/col).

    For mapping entries ``line``/``col`` point at the key when the value is a
    block/flow collection and at the value itself when it is a scalar;
    ``key_line``/``key_col`` always point at the key (``None`` for list items,
    the document root, and ``--set`` values).
    """

    file: str
    line: int | None
    col: int | None
    key_line: int | None = None
    key_col: int | None = None

    def at_key(self) -> Position:
        if self.key_line is None:
            return self
        return Position(self.file, self.key_line, self.key_col, self.key_line, self.key_col)


class SourceMap:
    """Positions of every node of a loaded scenario, keyed by path tuple."""

    def __init__(self, entries: Mapping[PathKey, Position] | None = None):
        self._pos: dict[PathKey, Position] = dict(entries or {})

    def __getitem__(self, path: Sequence[Any]) -> Position:
        return self._pos[tuple(path)]

    def __contains__(self, path: object) -> bool:
        return isinstance(path, tuple) and path in self._pos

    def __iter__(self) -> Iterator[PathKey]:
        return iter(self._pos)

    def __len__(self) -> int:
        return len(self._pos)

    def __repr__(self) -> str:
        return f"SourceMap({len(self._pos)} entries)"

    def items(self):
        return self._pos.items()

    def get(self, path: Sequence[Any]) -> Position | None:
        return self._pos.get(tuple(path))

    def set(self, path: Sequence[Any], pos: Position) -> None:
        self._pos[tuple(path)] = pos

    def drop(self, path: Sequence[Any]) -> None:
        """Forget ``path`` and everything below it."""
        path = tuple(path)
        n = len(path)
        for key in [k for k in self._pos if k[:n] == path]:
            del self._pos[key]

    def nearest(self, path: Sequence[Any]) -> tuple[PathKey, Position | None]:
        """The longest recorded prefix of ``path`` and its position."""
        path = tuple(path)
        for n in range(len(path), -1, -1):
            pos = self._pos.get(path[:n])
            if pos is not None:
                return path[:n], pos
        return (), None

    def problem(
        self,
        path: Sequence[Any],
        message: str,
        *,
        at_key: bool = False,
        default_file: str = "<scenario>",
    ) -> Problem:
        """Build a :class:`Problem` for ``path`` at its best-known position.

        Useful for semantic checks done after validation, e.g.
        ``raise ScenarioError([sm.problem(("groups", 2, "count"), "must not exceed ...")])``.
        """
        found, pos = self.nearest(path)
        if pos is None:
            return Problem(default_file, None, None, format_path(path), message)
        if at_key and found == tuple(path):
            pos = pos.at_key()
        return Problem(pos.file, pos.line, pos.col, format_path(path), message)


def _copy_positions(value: Any, path: PathKey, src: SourceMap, dst: SourceMap) -> None:
    pos = src.get(path)
    if pos is not None:
        dst.set(path, pos)
    if isinstance(value, dict):
        for k, v in value.items():
            _copy_positions(v, (*path, k), src, dst)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _copy_positions(v, (*path, i), src, dst)


def _set_positions(value: Any, path: PathKey, pos: Position, dst: SourceMap) -> None:
    dst.set(path, pos)
    if isinstance(value, dict):
        for k, v in value.items():
            _set_positions(v, (*path, k), pos, dst)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _set_positions(v, (*path, i), pos, dst)


# --------------------------------------------------------------------------- YAML -> plain data

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_MAP_TAG = f"{_CORE}map"
_SEQ_TAG = f"{_CORE}seq"
_MERGE_TAG = f"{_CORE}merge"
_ALLOWED = "only plain mappings, lists, strings, numbers, booleans, null and dates are allowed"


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def _describe(value: Any) -> str:
    """A short, YAML-flavoured description of a value for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, int | float):
        return repr(value)
    text = repr(value) if isinstance(value, str) else str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return text


class _Converter:
    """Turns a composed node graph into plain data plus a SourceMap."""

    def __init__(
        self,
        file: str,
        constructor: Any,
        problems: list[Problem],
        source_map: SourceMap,
        fixed: Position | None = None,
    ):
        self.file = file
        self.constructor = constructor
        self.problems = problems
        self.sm = source_map
        self.fixed = fixed  # if set, every node gets this position (``--set`` values)
        self.active: set[int] = set()
        self.count = 0
        self.depth = 0
        self.too_big = False
        limits = _limits.active()
        self.max_nodes, self.max_depth = limits.yaml_nodes, limits.yaml_depth

    def _pos(self, node: Node, key: Node | None = None) -> Position:
        if self.fixed is not None:
            return self.fixed
        m = node.start_mark
        if key is None:
            return Position(self.file, m.line + 1, m.column + 1)
        k = key.start_mark
        if isinstance(node, ScalarNode):
            return Position(self.file, m.line + 1, m.column + 1, k.line + 1, k.column + 1)
        return Position(self.file, k.line + 1, k.column + 1, k.line + 1, k.column + 1)

    def _problem(self, node: Node, path: PathKey, message: str) -> None:
        if self.fixed is not None:
            line, col = self.fixed.line, self.fixed.col
        else:
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
        self.problems.append(Problem(self.file, line, col, format_path(path), message))

    def convert(self, node: Node, path: PathKey = (), key: Node | None = None) -> Any:
        self.count += 1
        if self.count > self.max_nodes:
            if not self.too_big:
                self.too_big = True
                self._problem(node, path, _over("yaml_nodes", "the number of YAML values with aliases expanded"))
            return None
        self.sm.set(path, self._pos(node, key))
        if id(node) in self.active:
            self._problem(node, path, "recursive alias: a collection may not contain itself")
            return None
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if self.depth >= self.max_depth:  # only aliases get here: the composer bounds the written nesting
            if not self.too_big:
                self.too_big = True
                self._problem(node, path, _over("yaml_depth", "the nesting of lists and mappings with aliases expanded"))
            return None
        self.active.add(id(node))
        self.depth += 1
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
            if isinstance(node, SequenceNode):
                return self._sequence(node, path)
        finally:
            self.active.discard(id(node))
            self.depth -= 1
        self._problem(node, path, f"unsupported YAML node {type(node).__name__}")
        return None

    def _scalar(self, node: ScalarNode, path: PathKey) -> Any:
        if node.tag not in _SCALAR_TAGS:
            self._problem(node, path, f"YAML tag {_short_tag(node.tag)!r} is not allowed; {_ALLOWED}")
            return None
        kind = node.tag[len(_CORE) :]
        try:
            return getattr(self.constructor, f"construct_yaml_{kind}")(node)
        except Exception as exc:  # e.g. "!!int abc"
            self._problem(node, path, f"cannot read {node.value!r} as {kind}: {exc}")
            return None

    def _sequence(self, node: SequenceNode, path: PathKey) -> list[Any]:
        if node.tag != _SEQ_TAG:
            self._problem(node, path, f"YAML tag {_short_tag(node.tag)!r} is not allowed; {_ALLOWED}")
            return []
        return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]

    def _key(self, key_node: Node, path: PathKey) -> tuple[bool, Any]:
        if not isinstance(key_node, ScalarNode):
            self._problem(key_node, path, "mapping keys must be plain scalars, not collections")
            return False, None
        if key_node.tag not in _SCALAR_TAGS:
            self._problem(key_node, path, f"YAML tag {_short_tag(key_node.tag)!r} is not allowed; {_ALLOWED}")
            return False, None
        kind = key_node.tag[len(_CORE) :]
        try:
            return True, getattr(self.constructor, f"construct_yaml_{kind}")(key_node)
        except Exception as exc:
            self._problem(key_node, path, f"cannot read key {key_node.value!r} as {kind}: {exc}")
            return False, None

    def _mapping(self, node: MappingNode, path: PathKey) -> dict[Any, Any]:
        if node.tag != _MAP_TAG:
            self._problem(node, path, f"YAML tag {_short_tag(node.tag)!r} is not allowed; {_ALLOWED}")
            return {}
        result: dict[Any, Any] = {}
        merges: list[tuple[Node, Node]] = []
        explicit: list[tuple[Any, Node, Node]] = []
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag == _MERGE_TAG:
                merges.append((key_node, value_node))
                continue
            ok, key = self._key(key_node, path)
            if not ok:
                continue
            line = key_node.start_mark.line + 1
            if key in first_line:
                self._problem(
                    key_node,
                    (*path, key),
                    f"duplicate key {key!r}: first defined at line {first_line[key]}, again at line {line}",
                )
                continue
            first_line[key] = line
            explicit.append((key, key_node, value_node))

        # '<<' merge keys: earlier sources win over later ones; explicit keys win over all.
        sources: list[tuple[Node, Node]] = []
        for key_node, value_node in merges:
            if isinstance(value_node, SequenceNode):
                sources.extend((key_node, v) for v in value_node.value)
            else:
                sources.append((key_node, value_node))
        for key_node, src in reversed(sources):
            if not isinstance(src, MappingNode):
                self._problem(src, path, "a '<<' merge key needs a mapping or a list of mappings")
                continue
            merged = SourceMap()
            sub = _Converter(self.file, self.constructor, self.problems, merged, self.fixed)
            sub.count, sub.active, sub.depth = self.count, self.active, self.depth - 1
            value = sub.convert(src, path, key_node)
            self.count, self.too_big = sub.count, self.too_big or sub.too_big
            if isinstance(value, dict):
                for k, v in value.items():
                    self.sm.drop((*path, k))
                    _copy_positions(v, (*path, k), merged, self.sm)
                    result[k] = v

        for key, key_node, value_node in explicit:
            if key in result:
                self.sm.drop((*path, key))
            result[key] = self.convert(value_node, (*path, key), key_node)
        return result


def _over(name: str, what: str) -> str:
    limit = getattr(_limits.active(), name)
    return (f"{what} is over the limit {name}={limit:,}; reduce it, "
            f"or raise the limit with --limit {name}=N if you mean it")


class _LimitExceeded(YAMLError):
    """The document crossed a limit while being composed; ``mark`` is where."""

    def __init__(self, mark: Any, message: str):
        super().__init__(message)
        self.mark, self.message = mark, message


class _BoundedComposer(Composer):
    """ruamel's composer, refusing a document as soon as it crosses ``yaml_nodes``, ``yaml_depth`` or
    ``yaml_scalar_bytes`` (the stock one builds the whole tree first, and recurses without bound)."""

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        limits = _limits.active()
        self.max_nodes, self.max_depth, self.max_scalar = limits.yaml_nodes, limits.yaml_depth, limits.yaml_scalar_bytes
        self.nodes = 0
        self.nesting = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if not self.parser.check_event(AliasEvent):
            self.nodes += 1
            if self.nodes > self.max_nodes:
                raise _LimitExceeded(self.parser.peek_event().start_mark,
                                     _over("yaml_nodes", "the number of YAML values (scalars, lists and mappings)"))
        return super().compose_node(parent, index)

    def compose_scalar_node(self, anchor: Any) -> Any:
        event = self.parser.peek_event()
        value = event.value or ""
        if len(value) * 4 > self.max_scalar and len(value.encode("utf-8", "surrogatepass")) > self.max_scalar:
            raise _LimitExceeded(event.start_mark, _limits.active().exceeded(
                "yaml_scalar_bytes", len(value.encode("utf-8", "surrogatepass")), "the size of this value in bytes"))
        return super().compose_scalar_node(anchor)

    def _nest(self, compose: Any, anchor: Any) -> Any:
        self.nesting += 1
        if self.nesting > self.max_depth:
            raise _LimitExceeded(self.parser.peek_event().start_mark,
                                 _over("yaml_depth", "the nesting of lists and mappings"))
        try:
            return compose(anchor)
        finally:
            self.nesting -= 1

    def compose_sequence_node(self, anchor: Any) -> Any:
        return self._nest(super().compose_sequence_node, anchor)

    def compose_mapping_node(self, anchor: Any) -> Any:
        return self._nest(super().compose_mapping_node, anchor)


def _new_yaml() -> YAML:
    # The pure-Python safe loader keeps node marks; we only *compose* with it.
    yaml = YAML(typ="safe", pure=True)
    yaml.Composer = _BoundedComposer
    return yaml


def _syntax_problem(file: str, text: str, exc: YAMLError) -> Problem:
    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        message = f"YAML syntax error: {problem}"
        ctx_mark = exc.context_mark
        if exc.context and exc.problem:
            message += f" ({exc.context}"
            if ctx_mark is not None and (mark is None or ctx_mark.line != mark.line):
                message += f" at line {ctx_mark.line + 1}, column {ctx_mark.column + 1}"
            message += ")"
        if mark is None:
            return Problem(file, None, None, "", message)
        return Problem(file, mark.line + 1, mark.column + 1, "", message)
    if isinstance(exc, ReaderError):
        pos = exc.position if isinstance(exc.position, int) else 0
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        return Problem(file, line, col, "", f"unacceptable character {exc.character!r}: {exc.reason}")
    return Problem(file, None, None, "", f"YAML error: {exc}")


_TOO_MUCH = {
    RecursionError: "the lists and mappings nest deeper than this reader can follow; "
                    "flatten them, or lower the limit yaml_depth (--limit yaml_depth=N) to be told where",
    MemoryError: "the document does not fit in memory; lower the limits scenario_bytes or yaml_nodes "
                 "(--limit NAME=N) to be told where it grows too big",
}


def _parse_text(
    text: str, file: str, problems: list[Problem], fixed: Position | None = None
) -> tuple[bool, Any, SourceMap]:
    """Compose + convert one YAML document.

    Returns ``(composed, data, source_map)``; ``composed`` is False on a syntax
    error.  Conversion problems (bad tags, duplicate keys...) are appended to
    ``problems`` but the data is still returned (bad values as ``None``) so
    that callers can go on and report further problems.
    """
    sm = SourceMap()
    yaml = _new_yaml()
    try:
        node = yaml.compose(io.StringIO(text))
    except _LimitExceeded as exc:
        p = Problem(file, exc.mark.line + 1, exc.mark.column + 1, "", exc.message)
    except YAMLError as exc:
        p = _syntax_problem(file, text, exc)
    except (RecursionError, MemoryError) as exc:  # only with limits raised far above the defaults
        p = Problem(file, None, None, "", _TOO_MUCH[type(exc)])
    else:
        if node is None:  # empty document
            return True, None, sm
        try:
            data = _Converter(file, yaml.constructor, problems, sm, fixed).convert(node)
        except (RecursionError, MemoryError) as exc:
            p = Problem(file, None, None, "", _TOO_MUCH[type(exc)])
        else:
            return True, data, sm
    if fixed is not None:
        p = Problem(fixed.file, fixed.line, fixed.col, "", p.message)
    problems.append(p)
    return False, None, sm


def _utf8_problem(display: str, data: bytes, exc: UnicodeDecodeError) -> Problem:
    """Where the first byte that is not UTF-8 is, as line and column (counted in characters)."""
    start = exc.start
    line_start = data.rfind(b"\n", 0, start) + 1
    line = data.count(b"\n", 0, start) + 1
    col = len(data[line_start:start].decode("utf-8", "replace")) + 1
    if line == 1 and data.startswith(b"\xef\xbb\xbf"):
        col -= 1  # the byte-order mark is not a column
    return Problem(display, line, col, "", f"not valid UTF-8 text (byte {data[start]:#04x} at offset {start}); "
                                           "save the file as UTF-8")


def _read_file(
    path: Path, display: str, problems: list[Problem], named_at: tuple[Position, str] | None = None
) -> tuple[bool, dict, SourceMap]:
    """Read and parse one file; ``named_at``: where it was named (an ``extends:``), for file-level refusals."""
    try:
        data_bytes = read_regular(path, "scenario_bytes", "scenario file")
        text = data_bytes.decode("utf-8-sig")
    except FileRefused as exc:
        if named_at is None:
            problems.append(Problem(display, None, None, "", str(exc)))
        else:
            pos, field = named_at
            problems.append(Problem(pos.file, pos.line, pos.col, field, f"{exc}: {shorten(display, 120)}"))
        return False, {}, SourceMap()
    except UnicodeDecodeError as exc:
        problems.append(_utf8_problem(display, data_bytes, exc))
        return False, {}, SourceMap()
    ok, data, sm = _parse_text(text, display, problems)
    if not ok:
        return False, {}, sm
    if data is None:
        data = {}
        sm.set((), Position(display, 1, 1))
    if not isinstance(data, dict):
        pos = sm.get(()) or Position(display, 1, 1)
        problems.append(
            Problem(display, pos.line, pos.col, "", f"the top level must be a mapping, got {_describe(data)}")
        )
        return False, {}, sm
    return True, data, sm


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
        _copy_positions(child, path, child_sm, out)
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
                _copy_positions(v, (*path, k), base_sm, out)
        for k, v in child.items():
            if k not in base:
                result[k] = v
                _copy_positions(v, (*path, k), child_sm, out)
        return result
    _copy_positions(child, path, child_sm, out)
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
    ok, data, sm = _read_file(path, display, problems, named_at)
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
                    f"expected a file name (or a list of file names), got {_describe(ext)}",
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


def _lookup_key(mapping: dict[Any, Any], part: str) -> tuple[bool, Any]:
    """Find the key written as ``part`` (``"3"`` also matches an int key 3)."""
    if part in mapping:
        return True, part
    for k in mapping:
        if not isinstance(k, str) and str(k) == part:
            return True, k
    return False, part


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
        _, value, _ = _parse_text(value_text, SET_FILE, value_problems, fixed=pos)
        if value_problems:
            for p in value_problems:
                bad(dotted, f"invalid value {value_text.strip()!r}: {p.message}")
            continue

        node: Any = data
        path: PathKey = ()
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, dict):
                found, key = _lookup_key(node, part)
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
                    f"{_where(path)} is {_describe(node)}, not a mapping or list; cannot set '{part}' in it",
                )
                break
            if last:
                node[key] = value
                source_map.drop((*path, key))
                _set_positions(value, (*path, key), pos, source_map)
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


# --------------------------------------------------------------------------- model-type walking

_NONE_TYPES = (type(None),)


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _unwrap(tp: Any, disc: Any = None) -> tuple[Any, Any]:
    """Strip ``Annotated`` (collecting a discriminator) and ``Optional``."""
    while True:
        if get_origin(tp) is typing.Annotated:
            args = get_args(tp)
            tp = args[0]
            for meta in args[1:]:
                d = getattr(meta, "discriminator", None)
                if d is not None:
                    disc = d
            continue
        if _is_union(tp):
            members = [a for a in get_args(tp) if a not in _NONE_TYPES]
            if len(members) == 1:
                tp = members[0]
                continue
        return tp, disc


def _model_field(model: type[BaseModel], name: Any) -> Any:
    for fname, info in model.model_fields.items():
        if name == (info.alias or fname) or name == fname:
            return info
    return None


def _field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _disc_name(disc: Any) -> str | None:
    if isinstance(disc, str):
        return disc
    inner = getattr(disc, "discriminator", None)  # pydantic.Discriminator
    return inner if isinstance(inner, str) else None


def _union_tags(tp: Any, disc: Any) -> dict[str, Any]:
    """Tag value -> member type for a discriminated union (best effort)."""
    tags: dict[str, Any] = {}
    name = _disc_name(disc)
    for member in get_args(tp):
        if member in _NONE_TYPES:
            continue
        explicit_tag = None
        if get_origin(member) is typing.Annotated:
            for meta in get_args(member)[1:]:
                if type(meta).__name__ == "Tag" and hasattr(meta, "tag"):
                    explicit_tag = meta.tag
        inner, inner_disc = _unwrap(member)
        if explicit_tag is not None:
            tags[str(explicit_tag)] = (inner, inner_disc)
            continue
        if name is not None and _is_model(inner):
            info = _model_field(inner, name)
            if info is not None:
                ann, _ = _unwrap(info.annotation)
                if get_origin(ann) is Literal:
                    for v in get_args(ann):
                        tags[str(getattr(v, "value", v))] = (inner, inner_disc)
    return tags


def _type_label(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp)


@dataclass
class _Step:
    kind: str  # "tag" (loc part is a union tag/label, not data) or "data"
    tp: Any
    disc: Any


def _classify(tp: Any, disc: Any, part: Any) -> _Step:
    tp, disc = _unwrap(tp, disc)
    if tp is None:
        return _Step("data", None, None)
    if _is_union(tp):
        if disc is not None:
            tags = _union_tags(tp, disc)
            if isinstance(part, str) and part in tags:
                t, d = tags[part]
                return _Step("tag", t, d)
            return _Step("data", None, None)
        for member in get_args(tp):
            inner, inner_disc = _unwrap(member)
            if isinstance(part, str) and part == _type_label(inner):
                return _Step("tag", inner, inner_disc)
        return _Step("data", None, None)
    if _is_model(tp):
        info = _model_field(tp, part)
        if info is None:
            return _Step("data", None, None)
        return _Step("data", info.annotation, info.discriminator)
    origin = get_origin(tp)
    args = get_args(tp)
    if origin is tuple and isinstance(part, int):
        if len(args) == 2 and args[1] is Ellipsis:
            return _Step("data", args[0], None)
        return _Step("data", args[part] if 0 <= part < len(args) else None, None)
    if origin in (list, set, frozenset) or (
        isinstance(origin, type) and issubclass(origin, Sequence) and origin is not str
    ):
        return _Step("data", args[0] if args else None, None)
    if isinstance(origin, type) and issubclass(origin, Mapping):
        return _Step("data", args[1] if len(args) == 2 else None, None)
    return _Step("data", None, None)


@dataclass
class _Located:
    data_path: PathKey  # path to the deepest node that exists in the data
    shown: PathKey  # path reported to the user
    parent_tp: Any  # (unwrapped) type containing the last loc part
    tp: Any  # (unwrapped) type at the loc
    disc: Any  # discriminator of the type at the loc, if any
    node: Any  # the data at data_path
    key_error: bool  # the error is about a mapping key ("[key]")


def _locate(loc: Sequence[Any], raw: Any, model_cls: type[BaseModel], missing: bool = False) -> _Located:
    node = raw
    data_path: list[Any] = []
    shown: list[Any] = []
    tp: Any = model_cls
    disc: Any = None
    parent_tp: Any = None
    key_error = False
    for i, part in enumerate(loc):
        if part == "[key]":
            key_error = True
            continue
        step = _classify(tp, disc, part)
        if step.kind == "tag":
            tp, disc = step.tp, step.disc
            continue
        parent_tp = _unwrap(tp, disc)[0]
        tp, disc = step.tp, step.disc
        if isinstance(node, dict):
            found, key = (part in node, part) if not isinstance(part, str) else _lookup_key(node, part)
            if found:
                node = node[key]
                data_path.append(key)
                shown.append(key)
                continue
        elif (
            isinstance(node, list)
            and isinstance(part, int)
            and not isinstance(part, bool)
            and 0 <= part < len(node)
        ):
            node = node[part]
            data_path.append(part)
            shown.append(part)
            continue
        # Not in the data: either the missing field itself (last part), or a label pydantic
        # inserted (e.g. a union member we could not identify) which we skip.
        if missing and i == len(loc) - 1:
            shown.append(part)
    tp, disc = _unwrap(tp, disc)
    return _Located(tuple(data_path), tuple(shown), parent_tp, tp, disc, node, key_error)


# --------------------------------------------------------------------------- validation


def _human_message(err: Mapping[str, Any], where: _Located) -> str:
    etype = err["type"]
    msg = err.get("msg", "")
    ctx = err.get("ctx") or {}
    value = err.get("input")
    if etype == "missing":
        return "required field missing"
    if etype == "extra_forbidden":
        name = where.shown[-1] if where.shown else "?"
        text = f"unknown field '{name}'"
        if _is_model(where.parent_tp):
            fields = _field_names(where.parent_tp)
            close = difflib.get_close_matches(str(name), fields, n=3, cutoff=0.6)
            if close:
                text += "; did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
            elif fields:
                text += "; allowed fields: " + ", ".join(fields)
        return text
    if etype in ("union_tag_invalid", "union_tag_not_found"):
        disc = _disc_name(where.disc) or str(ctx.get("discriminator", "type")).strip("'\"")
        tags = list(_union_tags(where.tp, where.disc)) if _is_union(where.tp) else []
        expected = ", ".join(f"'{t}'" for t in tags) if tags else str(ctx.get("expected_tags", ""))
        if etype == "union_tag_invalid":
            tag = ctx.get("tag", "")
            text = f"unknown {disc} '{tag}'" + (f"; expected one of: {expected}" if expected else "")
            close = difflib.get_close_matches(str(tag), tags, n=1, cutoff=0.6)
            if close:
                text += f" (did you mean '{close[0]}'?)"
            return text
        if not isinstance(value, dict):
            return f"expected a mapping with a '{disc}' field; got {_describe(value)}"
        return f"missing '{disc}' field" + (f"; expected one of: {expected}" if expected else "")
    if etype in ("model_type", "model_attributes_type", "dict_type", "mapping_type"):
        text = f"expected a mapping; got {_describe(value)}"
    elif etype in ("list_type", "tuple_type", "set_type", "frozen_set_type", "iterable_type"):
        text = f"expected a list; got {_describe(value)}"
    elif msg.startswith("Input should be "):
        text = f"expected {msg[len('Input should be ') :]}; got {_describe(value)}"
        if etype == "literal_error" and isinstance(value, str) and get_origin(where.tp) is Literal:
            options = [str(getattr(v, "value", v)) for v in get_args(where.tp)]
            close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
            if close:
                text += f"; did you mean '{close[0]}'?"
    elif etype == "value_error" and msg.startswith("Value error, "):
        text = msg[len("Value error, ") :]
    elif etype == "assertion_error" and msg.startswith("Assertion failed, "):
        text = msg[len("Assertion failed, ") :]
    else:
        text = msg
        if not isinstance(value, dict | list) and etype not in ("value_error", "assertion_error"):
            text += f"; got {_describe(value)}"
    if where.key_error:
        key = where.shown[-1] if where.shown else "?"
        text = f"invalid key {key!r}: {text}"
    return text


def _problem_for(
    err: Mapping[str, Any], raw: Any, source_map: SourceMap, model_cls: type[BaseModel]
) -> Problem:
    where = _locate(err.get("loc", ()), raw, model_cls, missing=err["type"] == "missing")
    message = _human_message(err, where)
    data_path, shown = where.data_path, where.shown
    at_key = err["type"] == "extra_forbidden" or where.key_error
    if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
        disc = _disc_name(where.disc) or str((err.get("ctx") or {}).get("discriminator", "")).strip("'\"")
        if isinstance(where.node, dict) and disc in where.node:
            data_path = (*data_path, disc)
            shown = (*shown, disc)
    found, pos = source_map.nearest(data_path)
    if pos is None:
        return Problem("<scenario>", None, None, format_path(shown), message)
    if at_key and found == data_path:
        pos = pos.at_key()
    return Problem(pos.file, pos.line, pos.col, format_path(shown), message)


def validate(raw: dict, source_map: SourceMap, model_cls: type[M], *, context: Any | None = None) -> M:
    """Validate ``raw`` with ``model_cls``; every pydantic error becomes a located Problem."""
    try:
        return model_cls.model_validate(raw, context=context)
    except ValidationError as exc:
        problems = [_problem_for(err, raw, source_map, model_cls) for err in exc.errors(include_url=False)]
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
