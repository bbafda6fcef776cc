"""Paths into plain scenario data, where each value was written, and how to name a value in a message.

A path is a tuple of mapping keys and list indices (:data:`PathKey`), shown dotted (:func:`format_path`). A
:class:`SourceMap` maps every path of a loaded document to the :class:`Position` it was written at (file,
line, column), so that every problem — from the YAML reader, from ``extends:`` and ``--set``, from pydantic —
can be reported as ``file:line:col: dotted.path: message``. Used by :mod:`.yamlsource`, :mod:`.locate` and
:mod:`.loader`; imports only :mod:`.errors` from the scenario package.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import Problem

__all__ = [
    "PathKey",
    "Position",
    "SourceMap",
    "copy_positions",
    "describe",
    "format_path",
    "lookup_key",
    "set_positions",
]

PathKey = tuple[Any, ...]
"""A path into the data: mapping keys (usually ``str``) and integer list indices."""


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


def copy_positions(value: Any, path: PathKey, src: SourceMap, dst: SourceMap) -> None:
    """Copy into ``dst`` the positions ``src`` holds for ``path`` and every path below it in ``value``."""
    pos = src.get(path)
    if pos is not None:
        dst.set(path, pos)
    if isinstance(value, dict):
        for k, v in value.items():
            copy_positions(v, (*path, k), src, dst)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            copy_positions(v, (*path, i), src, dst)


def set_positions(value: Any, path: PathKey, pos: Position, dst: SourceMap) -> None:
    """Record ``pos`` in ``dst`` for ``path`` and every path below it in ``value`` (a ``--set`` value)."""
    dst.set(path, pos)
    if isinstance(value, dict):
        for k, v in value.items():
            set_positions(v, (*path, k), pos, dst)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            set_positions(v, (*path, i), pos, dst)


def describe(value: Any) -> str:
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


def lookup_key(mapping: dict[Any, Any], part: str) -> tuple[bool, Any]:
    """Find the key written as ``part`` (``"3"`` also matches an int key 3)."""
    if part in mapping:
        return True, part
    for k in mapping:
        if not isinstance(k, str) and str(k) == part:
            return True, k
    return False, part
