"""Scenario files: loading (YAML + extends + --set), validation and JSON Schema export."""

from . import model  # noqa: F401  (the scenario model loads with the package)
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
