"""The process cache of parsed YAML documents (:func:`rights_market.scenario.yamlsource.parse_text`): keyed by
text, not file name, it hands out what a fresh parse gives, positions naming the file asked for; documents
read with a problem are never kept."""

from __future__ import annotations

import io
import textwrap

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scanner import Scanner

from rights_market.scenario import yamlsource
from rights_market.scenario.paths import Position
from rights_market.scenario.yamlsource import _parse_text, parse_text

# anchors, a merge key, a list, a date: positions of every kind (key and value, merged, list items)
TEXT = textwrap.dedent("""\
    base: &b
      price: 10
      size: 2
    goods:
      - name: wheat
        <<: *b
        size: 3
      - {name: rye, price: 7}
    opened: 2020-01-02
    note: "unique text for the cache test"
""")


@pytest.fixture
def empty_cache(monkeypatch):
    monkeypatch.setattr(yamlsource, "_PARSED", type(yamlsource._PARSED)())
    monkeypatch.setattr(yamlsource, "_PARSED_CHARS", 0)
    return yamlsource._PARSED


def _fresh(text: str, file: str, fixed: Position | None = None):
    problems: list = []
    ok, data, sm = _parse_text(text, file, problems, fixed)
    return ok, data, dict(sm.items()), problems


def test_same_text_under_two_file_names_gives_each_its_own_file(empty_cache):
    for file in ("a/one.yaml", "b/two.yaml", "a/one.yaml"):  # a miss, then hits under each name
        problems: list = []
        ok, data, sm = parse_text(TEXT, file, problems)
        f_ok, f_data, f_positions, f_problems = _fresh(TEXT, file)
        assert (ok, data, problems) == (f_ok, f_data, f_problems) == (True, f_data, [])
        assert dict(sm.items()) == f_positions
        assert len(f_positions) > 10 and {p.file for _, p in sm.items()} == {file}
        assert sm[("goods", 0, "price")] == Position(file, 2, 10, 2, 3)  # merged: written at the anchor
    assert len(empty_cache) == 1


def test_handed_out_copies_are_independent(empty_cache):
    _, data, sm = parse_text(TEXT, "x.yaml", [])
    data["goods"][0]["price"] = 99
    sm.set(("goods",), Position("elsewhere", 1, 1))
    _, again, sm2 = parse_text(TEXT, "x.yaml", [])
    assert again == _fresh(TEXT, "x.yaml")[1] and sm2[("goods",)] == Position("x.yaml", 4, 1, 4, 1)


def test_fixed_positions_are_kept_whatever_the_file(empty_cache):
    at = Position("<--set>", 1, 5)
    for file in ("<--set>", "other"):
        ok, data, sm = parse_text("[1, {a: 2}]", file, [], fixed=at)
        assert (ok, data) == (True, [1, {"a": 2}]) and {p for _, p in sm.items()} == {at}
        assert dict(sm.items()) == _fresh("[1, {a: 2}]", file, at)[2]


@pytest.mark.parametrize("text", ["a: 1\na: 2\n", "a: [1\n", "x: !!python/object:os.system 1\n"])
def test_a_document_with_a_problem_is_never_kept(empty_cache, text):
    for file in ("one.yaml", "two.yaml"):
        problems: list = []
        ok, data, sm = parse_text(text, file, problems)
        assert problems and [p.file for p in problems] == [file] * len(problems)
        assert (ok, data, dict(sm.items()), problems) == _fresh(text, file)
    assert not empty_cache


def test_the_cache_is_bounded_in_documents_and_text(empty_cache, monkeypatch):
    monkeypatch.setattr(yamlsource, "_PARSED_FILES", 3)
    for i in range(5):
        parse_text(f"n: {i}\n", "f.yaml", [])
    assert [k[0] for k in empty_cache] == ["n: 2\n", "n: 3\n", "n: 4\n"] and yamlsource._PARSED_CHARS == 15
    monkeypatch.setattr(yamlsource, "_PARSED_TOTAL_CHARS", 20)
    parse_text("long: 123456789\n", "f.yaml", [])  # 16 characters: only the newest text still fits
    assert [k[0] for k in empty_cache] == ["long: 123456789\n"] and yamlsource._PARSED_CHARS == 16


def _tokens(text: str, scanner: type) -> list | str:
    yaml = YAML(typ="safe", pure=True)
    yaml.Scanner = scanner
    try:
        return [(type(t).__name__, getattr(t, "value", None), t.start_mark.index, t.end_mark.index)
                for t in yaml.scan(io.StringIO(text))]
    except YAMLError as exc:
        return str(exc)


@pytest.mark.parametrize("text", [
    TEXT, "a: [[[[[[[[1]]]]]]]]\n", "[" * 300 + "]" * 300, "{a: [b, {c: d}], e: {f: [g, h]}}\n",
    "a: [" + ", ".join(f"k{i}: {i}" for i in range(400)) + "]\n",  # simple keys more than 1024 characters on
    "a: [b,\n  c: d,\n  [e]: f]\n", "a\nb: c\n", "a: b\nc\nd: e\n", "[a, b\n: c]\n", "{a: b, c}\n", "a: [b, c: d\n",
    "? x\n: y\n" + "k: " + "v" * 1100 + ": w\n", "]]]: x\n", "- [a: b, [c]: [d: e]]\n",
])
def test_the_scanner_gives_the_stock_tokens_and_errors(text):
    assert _tokens(text, yamlsource._Scanner) == _tokens(text, Scanner)
