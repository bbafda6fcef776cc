"""JSON Schema of files as they are written: whole files, files that ``extends:`` a base, several kinds at once.

:func:`~.loader.json_schema` gives the schema of one pydantic model: what a file holds once its ``extends:``
chain is resolved. A file that extends a base is written *partial* — it names only what it changes — and
:func:`file_schema` describes that too. For each kind of file (:class:`FileKind`: a model and the top-level
keys that mark it) the schema holds the model's definitions twice:

* ``$defs/<Model>`` — the model as pydantic describes it (a whole file, ``required`` fields and all);
* ``$defs/partial.<Model>`` — what a file with ``extends:`` may hold: the same fields, types and bounds,
  unknown fields still refused, but no field required at any depth **down to a list**. The loader merges
  mappings key by key and replaces anything else whole (:func:`~.loader._deep_merge`), so an item of a list
  in a partial file must be complete, and a list's items refer to the whole definitions. A discriminated
  union's ``oneOf`` becomes ``anyOf`` there: a mapping merged into its base may leave out its ``type:``. The
  top-level partial definition also allows ``extends:`` (a file name or a list of them).

The root switches on the keys: a file with one of a kind's marker keys is of that kind (the first that
matches), any other file of the last kind; within a kind, a file with ``extends:`` is checked against the
partial definitions, others against the whole ones. What a model checks in Python (cross-field rules, files
it reads) stays with ``validate``: the schema is for editors and quick checks, and never refuses a file the
loader accepts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from .loader import EXTENDS_KEY, JSON_SCHEMA_DIALECT

__all__ = ["FileKind", "file_schema", "kind_of"]

_DEFS = "#/$defs/"
_PARTIAL = "partial."


@dataclass(frozen=True)
class FileKind:
    """A kind of file: its name, its model, and the top-level keys that only files of this kind hold
    (none: the kind of every file no other kind claims)."""

    name: str
    model: type[BaseModel]
    keys: tuple[str, ...] = ()


def kind_of(raw: Any, marks: Sequence[tuple[str, tuple[str, ...]]]) -> str:
    """The name of the kind of a file's top-level mapping ``raw`` by the rule the schema's root uses (see the
    module); ``marks``: each kind's name and the keys that mark it (none: the kind of every other file)."""
    if isinstance(raw, dict):
        for name, keys in marks:
            if keys and any(k in raw for k in keys):
                return name
    return next((name for name, keys in marks if not keys), marks[-1][0])


_EXTENDS_SCHEMA: dict[str, Any] = {
    "description": "base file(s) this file changes, relative to it; merged in order, this file last",
    "anyOf": [
        {"type": "string", "minLength": 1},
        {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
    ],
}


#: a number written as text, as a Decimal field accepts it (no NaN or infinity: :class:`~.base.Strict` refuses them)
DECIMAL_TEXT = r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$"


class _Generate(GenerateJsonSchema):
    """Pydantic's generator, with decimal numbers written as text held to the form of a number."""

    def decimal_schema(self, schema):  # noqa: D102 (pydantic's hook)
        out = super().decimal_schema(schema)
        for alt in out.get("anyOf", ()):
            if alt.get("type") == "string" and "pattern" not in alt:
                alt["pattern"] = DECIMAL_TEXT
        return out


def _partial(node: Any, wanted: set[str]) -> Any:
    """``node`` with nothing required down to a list; ``$ref``s to the partial definitions (collected in
    ``wanted``). Array items (``items``, ``prefixItems``) are left whole."""
    if isinstance(node, list):
        return [_partial(n, wanted) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "required":
            continue
        if key == "$ref" and isinstance(value, str) and value.startswith(_DEFS):
            name = value[len(_DEFS):]
            wanted.add(name)
            out[key] = _DEFS + _PARTIAL + name
        elif key in ("items", "prefixItems", "discriminator", "default", "examples", "const", "enum"):
            out[key] = value
        elif key == "properties":
            out[key] = {name: _partial(sub, wanted) for name, sub in value.items()}
        elif key == "oneOf":
            out["anyOf"] = _partial(value, wanted)
        else:
            out[key] = _partial(value, wanted)
    return out


def _branch(model_name: str) -> dict[str, Any]:
    return {
        "if": {"required": [EXTENDS_KEY]},
        "then": {"$ref": _DEFS + _PARTIAL + model_name},
        "else": {"$ref": _DEFS + model_name},
    }


def file_schema(kinds: Sequence[FileKind], *, title: str, description: str = "") -> dict[str, Any]:
    """JSON Schema (draft 2020-12) that every file of ``kinds`` passes as written (see the module docstring)."""
    refs, top = models_json_schema([(k.model, "validation") for k in kinds], ref_template=_DEFS + "{model}",
                                   schema_generator=_Generate)
    defs: dict[str, Any] = dict(top.get("$defs", {}))
    names = {}
    for kind in kinds:
        ref = refs[(kind.model, "validation")]["$ref"]
        names[kind.name] = ref[len(_DEFS):]
    wanted: set[str] = set(names.values())
    done: set[str] = set()
    partial_defs: dict[str, Any] = {}
    while wanted - done:
        name = sorted(wanted - done)[0]
        done.add(name)
        partial_defs[_PARTIAL + name] = _partial(defs[name], wanted)
    for model_name in names.values():
        root = partial_defs[_PARTIAL + model_name]
        root["properties"] = {EXTENDS_KEY: _EXTENDS_SCHEMA, **root.get("properties", {})}
    switch: dict[str, Any] = _branch(names[kind_of(None, [(k.name, k.keys) for k in kinds])])
    for kind in reversed([k for k in kinds if k.keys]):
        switch = {
            "if": {"anyOf": [{"required": [key]} for key in kind.keys]},
            "then": _branch(names[kind.name]),
            "else": switch,
        }
    out: dict[str, Any] = {"$schema": JSON_SCHEMA_DIALECT, "title": title}
    if description:
        out["description"] = description
    out["type"] = "object"
    out.update(switch)
    out["$defs"] = {**defs, **partial_defs}
    return out
