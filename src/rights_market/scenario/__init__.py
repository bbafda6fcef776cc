"""Scenario files: loading (YAML + extends + --set), validation and JSON Schema export."""

# The models first: the section modules (emission, land, teaching, …) import them, and they import the sections at
# their end, so a section module imported on its own must find the models already loading.
from . import model  # noqa: F401
from .errors import Problem, ScenarioError
from .loader import (
    SET_FILE,
    Position,
    SourceMap,
    apply_overrides,
    format_path,
    json_schema,
    load_model,
    load_raw,
    validate,
)

__all__ = [
    "SET_FILE",
    "Position",
    "Problem",
    "ScenarioError",
    "SourceMap",
    "apply_overrides",
    "format_path",
    "json_schema",
    "load_model",
    "load_raw",
    "validate",
]
