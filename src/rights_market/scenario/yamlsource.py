"""YAML text to plain data: the bounded composer, the converter, and reading one scenario file.

YAML is *composed* (parsed to a node graph with positions) by ruamel.yaml and converted to plain
``dict``/``list``/scalars here, with a :class:`~.paths.SourceMap` of where each value was written; no Python
object is ever constructed from a tag. Only the YAML core tags (map, seq, str, int, float, bool, null) plus
timestamps are accepted; anything else (``!!python/object``, ``!!binary``, ``!!set``, local ``!tags``...) is
refused with a problem. Anchors/aliases and ``<<`` merge keys are supported.

Bounded while reading (limits from :func:`rights_market.limits.active`, each raised with ``--limit NAME=N``): a
file over ``scenario_bytes`` is refused before it is read (see :mod:`.files`: only regular files are opened);
the composer counts nodes (``yaml_nodes``), collection nesting (``yaml_depth``) and scalar sizes
(``yaml_scalar_bytes``) while it builds the node tree, so a huge or deep document is refused at the node that
crosses the limit, with its ``file:line:col``, before the rest is read. Aliases are counted again at each use
when the tree is converted, so alias "billion laughs" are refused too.

:func:`parse_text` reads one YAML document (a file's text or a ``--set`` value), :func:`read_file` one scenario
file; both append every problem they find to the caller's list.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.parser import Parser
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scanner import Scanner, ScannerError

from .. import limits as _limits
from .errors import Problem, shorten
from .files import FileRefused, read_regular
from .paths import PathKey, Position, SourceMap, copy_positions, describe, format_path

__all__ = ["parse_text", "read_file"]

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_MAP_TAG = f"{_CORE}map"
_SEQ_TAG = f"{_CORE}seq"
_MERGE_TAG = f"{_CORE}merge"
_ALLOWED = "only plain mappings, lists, strings, numbers, booleans, null and dates are allowed"


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


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
                    copy_positions(v, (*path, k), merged, self.sm)
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

    parser = None  # the parser, once :meth:`get_single_node` starts (shadows ruamel's look-up at every event)

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        limits = _limits.active()
        self.max_nodes, self.max_depth, self.max_scalar = limits.yaml_nodes, limits.yaml_depth, limits.yaml_scalar_bytes
        self.nodes = 0
        self.nesting = 0

    def get_single_node(self) -> Any:
        self.parser = self.loader.parser
        return super().get_single_node()

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


class _Scanner(Scanner):
    """ruamel's scanner with its bookkeeping of possible simple keys in O(1) a token instead of O(flow nesting)
    (stock: a document nested ``[[[[...`` 900 deep on one line took ~0.3 s to scan, quadratic in the depth).

    The keys (at most one per flow level) are kept in a dict in the order they were saved, which is also the
    order of their flow levels, token numbers, positions and lines: a key is saved at the current level only,
    after the keys of deeper levels were removed (when their collections ended). So the stale keys (on an
    earlier line, or more than 1024 characters back) are the first ones, and the nearest key is the first:
    the same keys are dropped, and the same error raised, as the stock scanner's scan of them all."""

    def next_possible_simple_key(self) -> Any:
        for key in self.possible_simple_keys.values():
            return key.token_number
        return None

    def stale_possible_simple_keys(self) -> None:
        keys, reader = self.possible_simple_keys, self.reader
        line, index = reader.line, reader.index
        while keys:
            level = next(iter(keys))
            key = keys[level]
            if key.line == line and index - key.index <= 1024:
                return
            if key.required:
                raise ScannerError("while scanning a simple key", key.mark, "could not find expected ':'",
                                   reader.get_mark())
            del keys[level]


class _Parser(Parser):
    """ruamel's parser, holding its scanner (stock: looked up through the YAML object at every token)."""

    scanner = None

    def __init__(self, loader: Any) -> None:
        super().__init__(loader)
        self.scanner = loader.scanner


def _new_yaml() -> YAML:
    # The pure-Python safe loader keeps node marks; we only *compose* with it.
    yaml = YAML(typ="safe", pure=True)
    yaml.Composer = _BoundedComposer
    yaml.Scanner = _Scanner
    yaml.Parser = _Parser
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


def parse_text(
    text: str, file: str, problems: list[Problem], fixed: Position | None = None
) -> tuple[bool, Any, SourceMap]:
    """Compose + convert one YAML document.

    Returns ``(composed, data, source_map)``; ``composed`` is False on a syntax
    error.  Conversion problems (bad tags, duplicate keys...) are appended to
    ``problems`` but the data is still returned (bad values as ``None``) so
    that callers can go on and report further problems.

    Documents read without a problem are kept (see ``_PARSED``): the same text again, under any file name,
    gives a copy of the data and the positions a fresh parse would, naming the file asked for.
    """
    global _PARSED_CHARS
    limits = _limits.active()
    key = (text, fixed, limits.yaml_nodes, limits.yaml_depth, limits.yaml_scalar_bytes)
    with _PARSED_LOCK:
        hit = _PARSED.get(key)
        if hit is not None:
            _PARSED.move_to_end(key)
            tree, positions = hit[0], _positions_in(hit, file)
    if hit is not None:
        return True, _copy_tree(tree), SourceMap(positions)
    before = len(problems)
    composed, data, sm = _parse_text(text, file, problems, fixed)
    if composed and len(problems) == before and len(text) <= _PARSED_TEXT_CHARS:
        positions = dict(sm.items())
        if fixed is None:  # every position names ``file``: keep them without it, to hand out under any name
            where = {path: (p.line, p.col, p.key_line, p.key_col) for path, p in positions.items()}
        else:  # every position is ``fixed`` itself, whatever the file
            where = None
        with _PARSED_LOCK:
            if key not in _PARSED:
                _PARSED_CHARS += len(text)
            _PARSED[key] = [_copy_tree(data), where, file, positions]
            while len(_PARSED) > _PARSED_FILES or _PARSED_CHARS > _PARSED_TOTAL_CHARS:
                _PARSED_CHARS -= len(_PARSED.popitem(last=False)[0][0])
    return composed, data, sm


def _positions_in(entry: list, file: str) -> dict[PathKey, Position]:
    """The positions of a cached document as a fresh parse of it as ``file`` gives them (the caller holds
    the lock). The entry keeps those of the last file asked for (Positions are immutable, so shared)."""
    _, where, last, positions = entry
    if where is None or last == file:
        return positions
    positions = {path: Position(file, *at) for path, at in where.items()}
    entry[2], entry[3] = file, positions
    return positions


#: Documents parsed without a problem, by text, ``fixed`` position and the limits in force — not by file
#: name: a program (a test session, a sweep's client, a classroom) reads the same scenario text again and
#: again, often from different files, and parsing with positions is ~25 ms a file. An entry holds the tree
#: (dicts, lists and immutable scalars, handed out as copies), the positions without the file name
#: (``None`` for a ``fixed`` one) and the positions under the file last asked for. Bounded in entries and by
#: text size (``_PARSED_FILES`` texts of up to ``_PARSED_TEXT_CHARS`` each, ``_PARSED_TOTAL_CHARS`` in all);
#: a document parsed with a problem is never kept.
_PARSED: OrderedDict[tuple, list] = OrderedDict()
_PARSED_FILES = 256
_PARSED_TEXT_CHARS = 256 * 1024
_PARSED_TOTAL_CHARS = 16 * 1024 * 1024
_PARSED_CHARS = 0  # the length of the texts kept
_PARSED_LOCK = threading.Lock()  # the classroom server and Dask's threads load files too


def _copy_tree(value: Any) -> Any:
    """A copy of a parsed document: new dicts and lists, the same (immutable) scalars."""
    if isinstance(value, dict):
        return {k: _copy_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_tree(v) for v in value]
    return value


def _parse_text(
    text: str, file: str, problems: list[Problem], fixed: Position | None
) -> tuple[bool, Any, SourceMap]:
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


def read_file(
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
    ok, data, sm = parse_text(text, display, problems)
    if not ok:
        return False, {}, sm
    if data is None:
        data = {}
        sm.set((), Position(display, 1, 1))
    if not isinstance(data, dict):
        pos = sm.get(()) or Position(display, 1, 1)
        problems.append(
            Problem(display, pos.line, pos.col, "", f"the top level must be a mapping, got {describe(data)}")
        )
        return False, {}, sm
    return True, data, sm
