"""Structure of ``src/``: no import cycles, the engine below the rights, no module over 600 lines (issue 12).

The import graph is built with :mod:`ast` from every ``import`` statement of every module — top-level,
function-local and under ``TYPE_CHECKING`` alike, relative imports resolved — so a cycle cannot hide
behind a deferred import.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "rights_market"
MAX_LINES = 600

# Modules allowed over MAX_LINES (none: the report, its labels and the scenario loader were split under issue 12).
OVER_LIMIT_ALLOWED: set[str] = set()

# Cycles allowed, each named by a module in it with its size; the test fails on any other cycle and on one of
# these growing. Empty: the cycles issue 12 found are broken.
KNOWN_CYCLES: dict[str, int] = {}


def _modules() -> dict[str, Path]:
    """Dotted module name → file, for every module of the package."""
    out = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(module: str, is_pkg: bool, node: ast.ImportFrom) -> str:
    """Absolute name of the module an ``ImportFrom`` names (relative imports resolved)."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if not is_pkg:
        base = base[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def import_graph() -> dict[str, set[str]]:
    """Module → the package's modules it imports (a ``from pkg import mod`` counts as importing ``pkg.mod``)."""
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        is_pkg = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(mod, is_pkg, node)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            for t in targets:
                while t and t not in mods:  # `import a.b.c` of a name inside a module: take the module
                    t = t.rpartition(".")[0]
                if t.startswith(PACKAGE) and t != mod:
                    graph[mod].add(t)
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_graph_sees_deferred_imports():
    graph = import_graph()
    # a relative import and a package re-export resolve to modules of the package
    assert "rights_market.api" in graph["rights_market"]
    assert all(t.startswith(PACKAGE) for ts in graph.values() for t in ts)
    # the cycle finder finds a planted cycle and only it
    assert find_cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def test_no_import_cycles_in_src():
    cycles = [c for c in find_cycles(import_graph())
              if not any(m in c and len(c) <= n for m, n in KNOWN_CYCLES.items())]
    assert not cycles, "import cycles in src/: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_engine_imports_no_right():
    graph = import_graph()
    bad = sorted(f"{m} imports {t}" for m, ts in graph.items() if m.startswith(f"{PACKAGE}.engine")
                 for t in ts if t.startswith(f"{PACKAGE}.rights"))
    assert not bad, "engine/ must sit below rights/: " + "; ".join(bad)


def test_no_module_over_600_lines():
    too_long = {m: n for m, p in _modules().items()
                if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    unexpected = {m: n for m, n in too_long.items() if m not in OVER_LIMIT_ALLOWED}
    assert not unexpected, f"modules over {MAX_LINES} lines: {unexpected}"


def test_right_states_are_declared_dataclasses():
    """Issue 12: the state of emission, land and forest is a slotted dataclass (an undeclared attribute cannot
    be set), and no other module of these packages imports the policy (it only adapts the engine's protocol)."""
    graph = import_graph()
    for right, cls in (("emission", "EmissionState"), ("land", "LandState"), ("forest", "ForestState")):
        state = getattr(importlib.import_module(f"{PACKAGE}.rights.{right}.state"), cls)
        assert dataclasses.is_dataclass(state) and "__slots__" in vars(state), cls
        blank = object.__new__(state)
        with pytest.raises(AttributeError):
            blank.undeclared = 1  # a topic module cannot add a field the class does not declare
        policy = f"{PACKAGE}.rights.{right}.policy"
        importers = sorted(m for m, ts in graph.items() if policy in ts and m.startswith(f"{PACKAGE}.rights.{right}"))
        assert not importers, f"{policy} is imported by {importers}"


def test_no_module_imports_matplotlib():
    """The reports draw their figures as SVG themselves (``report/chart``): no module of the package imports
    matplotlib, at the top, in a function or under ``TYPE_CHECKING`` (notebooks may, for their own plots)."""
    found = []
    for mod, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            found += [f"{mod}: {n}" for n in names if n == "matplotlib" or n.startswith("matplotlib.")]
    assert not found, found
