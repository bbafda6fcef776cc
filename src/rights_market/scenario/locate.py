"""Pydantic validation errors to located problems: which value of the data each error is about, and a message
a user can act on.

Pydantic reports an error at a ``loc`` that mixes data keys with labels of its own (union tags, member type
names); :func:`problem_for` walks the model's types along the data to find the deepest value that exists, turns
the error into plain words (unknown fields with close matches, expected types, the tags of a discriminated
union) and places it at that value's ``file:line:col`` from the :class:`~.paths.SourceMap`. Works with any
pydantic v2 model class.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from .errors import Problem
from .paths import PathKey, SourceMap, describe, format_path, lookup_key

__all__ = ["problem_for"]

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
            found, key = (part in node, part) if not isinstance(part, str) else lookup_key(node, part)
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


# --------------------------------------------------------------------------- messages


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
            return f"expected a mapping with a '{disc}' field; got {describe(value)}"
        return f"missing '{disc}' field" + (f"; expected one of: {expected}" if expected else "")
    if etype in ("model_type", "model_attributes_type", "dict_type", "mapping_type"):
        text = f"expected a mapping; got {describe(value)}"
    elif etype in ("list_type", "tuple_type", "set_type", "frozen_set_type", "iterable_type"):
        text = f"expected a list; got {describe(value)}"
    elif msg.startswith("Input should be "):
        text = f"expected {msg[len('Input should be ') :]}; got {describe(value)}"
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
            text += f"; got {describe(value)}"
    if where.key_error:
        key = where.shown[-1] if where.shown else "?"
        text = f"invalid key {key!r}: {text}"
    return text


def problem_for(
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
