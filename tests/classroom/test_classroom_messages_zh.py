"""The classroom's messages to the pages in the page's language: every code the server can send (errors,
control notes, feed events, order refusal reasons) has a label in English and Chinese with the same fields; the
pages' own mapping (``RM.noticeIn`` of static/common.js, run in Node) turns what the server really sends into the
Chinese text; a role label given in two languages reaches each page in its language."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
import string
import textwrap
from pathlib import Path

import pytest
from live_messages import send

from rights_market.classroom import ClassroomSession, load_classroom
from rights_market.classroom.live import LiveClassroom
from rights_market.classroom.notices import TEXTS, Notice
from rights_market.classroom.roles import FarmRole
from rights_market.classroom.server import page_labels
from rights_market.classroom.views import participant_state
from rights_market.market.batch_cda import REJECT_REASONS
from rights_market.scenario.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "rights_market" / "classroom"
COMMON_JS = PACKAGE / "static" / "common.js"
WATER = ROOT / "scenarios" / "classroom" / "water_market.yaml"
EN, ZH = page_labels("en"), page_labels("zh")


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


# ------------------------------------------------------------------------------ codes sent by the server
def _codes_of(arg: ast.expr, where: str) -> list[str]:
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return [arg.value]
    if isinstance(arg, ast.IfExp):
        return _codes_of(arg.body, where) + _codes_of(arg.orelse, where)
    raise AssertionError(f"{where}: a notice's code must be a literal (or a choice of literals) so it can be "
                         f"checked against the labels; got {ast.unparse(arg)}")


def notice_codes_in_sources() -> dict[str, list[str]]:
    """Every code passed to ``Notice(...)`` or ``refused(...)`` in the classroom package, with where."""
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("Notice", "refused") and node.args):
                where = f"{path.name}:{node.lineno}"
                if path.name == "session.py" and isinstance(node.args[0], ast.Name):
                    continue  # refused() itself: Notice(code, ...)
                for code in _codes_of(node.args[0], where):
                    found.setdefault(code, []).append(where)
    return found


def test_every_code_the_server_sends_is_in_the_catalogue_and_every_catalogued_code_is_sent():
    found = notice_codes_in_sources()
    assert len(found) > 40
    unknown = {c: w for c, w in found.items() if c not in TEXTS}
    assert not unknown, f"codes without an English text in notices.TEXTS: {unknown}"
    assert set(TEXTS) == set(found), f"catalogued but never sent: {set(TEXTS) - set(found)}"


@pytest.mark.parametrize("code", sorted(TEXTS))
def test_every_code_has_an_english_and_a_chinese_label_with_the_same_fields(code):
    key = f"classroom.msg.{code}"
    assert key in EN and key in ZH, key
    assert fields(EN[key]) == fields(TEXTS[code]) == fields(ZH[key]), key
    assert re.search(r"[\u4e00-\u9fff]", ZH[key]) or fields(ZH[key]) == {"text"}, f"{key} is not Chinese: {ZH[key]}"


def _results(expr: ast.expr, module) -> set[str]:
    """The codes an expression can evaluate to: a literal, a ``REASON_*`` constant, either branch of a choice."""
    if isinstance(expr, ast.Constant):
        return {expr.value} if isinstance(expr.value, str) and expr.value else set()
    if isinstance(expr, ast.Name) and expr.id.startswith("REASON_"):
        return {getattr(module, expr.id)}
    if isinstance(expr, ast.IfExp):
        return _results(expr.body, module) | _results(expr.orelse, module)
    return set()


def ack_reason_codes() -> set[str]:
    """The reasons an ack can carry, read from the functions that return them: string literals (and module
    constants) they return, assign to ``reason`` or hand to ``_refuse``."""
    sources = {
        "rights_market.classroom.trading": ["Trading.precheck", "Trading.cancel"],
        "rights_market.classroom.session": ["ClassroomSession._trading_refusal"],
        "rights_market.classroom.engine": ["ClassroomEngine.register", "ClassroomEngine.bid"],
        "rights_market.classroom.lots": ["LiveLot.register", "LiveLot.bid"],
        "rights_market.market.listing": ["Listing.register", "Listing.bid"],
        "rights_market.market.auction": ["AscendingRound._check"],
    }
    codes = {str(r) for r in REJECT_REASONS if r}  # the book's own refusals
    for modname, names in sources.items():
        module = importlib.import_module(modname)
        for qualname in names:
            obj = module
            for part in qualname.split("."):
                obj = getattr(obj, part)
            tree = ast.parse(textwrap.dedent(inspect.getsource(obj)))
            values: list[ast.expr] = []
            for node in ast.walk(tree):
                if isinstance(node, ast.Return) and node.value is not None or isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "reason" for t in node.targets):
                    values.append(node.value)
                elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "_refuse":
                    values.append(node.args[-1])
            for value in values:
                codes.update(_results(value, module))
    return codes


def test_every_order_refusal_reason_has_an_english_and_a_chinese_label():
    codes = ack_reason_codes()
    assert {"market_paused", "insufficient_cash", "below_floor", "unknown_order", "not_bidding",
            "below_increment", "listing_closed", "unknown_lot"} <= codes
    for code in sorted(codes):
        for lang, labels in (("en", EN), ("zh", ZH)):
            assert f"classroom.reason.{code}" in labels or f"reason.{code}" in labels, (lang, code)


# --------------------------------------------------------------------- the pages' mapping (in Chromium)
CHROMIUM = "/usr/bin/chromium"  # the browser the slow classroom tests drive (installed by .ci/run)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def page():
    """A blank page of a real headless Chromium (Playwright) with the pages' common.js loaded (``RM``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            pg = browser.new_page()
            pg.add_script_tag(content=COMMON_JS.read_text(encoding="utf-8") + "\nwindow.RM = RM;")
            yield pg
        finally:
            browser.close()


def page_texts(page, labels: dict[str, str], messages: list[dict]) -> list[str]:
    """What ``RM.noticeIn`` of common.js makes of each message with these labels, in the browser."""
    return page.evaluate(
        "([labels, messages]) => messages.map("
        "  (m) => RM.noticeIn(labels, m.code, m.params, m.error !== undefined ? m.error : m.text))",
        [labels, messages],
    )


def filled(template: str, params: dict, labels: dict[str, str]) -> str:
    def one(m: re.Match) -> str:
        k = m.group(1)
        if k not in params:
            return m.group(0)
        v = params[k]
        return labels.get(f"classroom.reason.{v}") or labels.get(f"reason.{v}") or str(v) if k == "reason" else str(v)
    return re.sub(r"\{(\w+)\}", one, template)


def server_errors() -> list[dict]:
    """Errors the live classroom really sends to pages: hellos gone wrong, a trainer trading, bad messages,
    a refused control, too many messages."""
    clock = [1000.0]
    session = ClassroomSession(load_classroom(WATER), join_code="246810", trainer_token="trainer-secret")
    live = LiveClassroom(session, clock=lambda: clock[0], rate=5, burst=5)
    errors = []
    a = live.connect("10.0.0.1")
    errors += send(live, a, {"type": "order", "side": "buy", "price": "1", "quantity": 10})  # hello_first
    errors += send(live, a, {"type": "join", "name": "Li", "code": "000000"})  # wrong_join_code
    b = live.connect("10.0.0.2")
    errors += send(live, b, {"type": "rejoin", "token": "nobody"})  # unknown_token
    c = live.connect("10.0.0.3")
    errors += send(live, c, {"type": "trainer_hello", "token": "wrong"})  # wrong_trainer_token
    t = live.connect("10.0.0.4")
    assert send(live, t, {"type": "trainer_hello", "token": "trainer-secret"})[0]["type"] == "welcome"
    errors += send(live, t, {"type": "order", "side": "buy", "price": "1", "quantity": 10})  # trainer_cannot_trade
    errors += send(live, t, {"type": "control", "action": "pause"})  # not_running
    errors += send(live, t, {"type": "join", "name": "x", "code": "246810"})  # already_identified
    p = live.connect("10.0.0.5")
    assert send(live, p, {"type": "join", "name": "Wang", "code": "246810"})[0]["type"] == "welcome"
    errors += send(live, p, {"type": "control", "action": "start"})  # trainer_only
    errors += send(live, p, {"type": "order", "side": "up", "price": "1", "quantity": 10})  # message_invalid
    errors += send(live, p, "[" * 20 + "]" * 20)  # message_too_deep
    for _ in range(6):
        errors += send(live, p, {"type": "ping"})  # the sixth: rate_limited
    return [m for m in errors if m["type"] == "error"]


@pytest.mark.slow  # a real browser
def test_a_chinese_page_shows_every_error_the_server_sends_in_chinese(page):
    errors = server_errors()
    codes = [m["code"] for m in errors]
    assert {"hello_first", "wrong_join_code", "unknown_token", "wrong_trainer_token", "trainer_cannot_trade",
            "not_running", "already_identified", "trainer_only", "message_invalid", "message_too_deep",
            "rate_limited"} <= set(codes), codes
    assert all(m["error"] == TEXTS[m["code"]].format(**m["params"]) for m in errors)  # English kept for clients
    zh = page_texts(page, ZH, errors)
    en = page_texts(page, EN, errors)
    for msg, z, e in zip(errors, zh, en, strict=True):
        assert z == filled(ZH["classroom.msg." + msg["code"]], msg["params"], ZH), msg
        assert re.search(r"[\u4e00-\u9fff]", z) and "{" not in z, z
        assert e == msg["error"], (e, msg)
    assert zh[codes.index("rate_limited")] == "消息太多：每秒最多 5 条，请放慢速度"


@pytest.mark.slow  # a real browser
def test_the_page_mapping_fills_every_code_and_falls_back_to_the_english_text(page):
    messages = [{"code": code, "params": {f: f"<{f}>" for f in fields(text)}, "error": "EN"} for code, text in TEXTS.items()]
    messages[0]["params"] = {**messages[0]["params"]}
    messages.append({"code": "feed_bid_rejected", "params": {"who": "Li", "price": "1.20", "quantity": "100",
                                                             "unit": "m³", "reason": "insufficient_cash"}})
    messages.append({"code": "a_code_from_a_newer_server", "params": {}, "error": "the English text"})
    messages.append({"type": "error", "error": "an older server: no code"})
    zh = page_texts(page, ZH, [dict(m, error=m.get("error")) for m in messages])
    for msg, text in zip(messages[:len(TEXTS)], zh, strict=False):
        assert text == filled(ZH["classroom.msg." + msg["code"]], msg["params"], ZH)
        assert "{" not in text.replace("{text}", "")
    assert zh[len(TEXTS)] == "Li 出价 1.20 买入 100 m³，被拒绝：" + ZH["reason.insufficient_cash"]
    assert zh[-2:] == ["the English text", "an older server: no code"]


@pytest.mark.slow  # a real browser
def test_control_notes_and_feed_events_reach_a_chinese_page_in_chinese(page):
    session = ClassroomSession(load_classroom(WATER), join_code="246810", trainer_token="trainer-secret")
    live = LiveClassroom(session, clock=lambda: 1000.0)
    t = live.connect()
    send(live, t, {"type": "trainer_hello", "token": "trainer-secret"})
    acks = [m for a in ("step", "step", "start") for m in send(live, t, {"type": "control", "action": a})]
    assert [a["code"] for a in acks] == ["note_stepped", "note_stepped", "note_running"]
    assert [a["note"] for a in acks] == ["stepped", "stepped", "running"]
    feed = live.state_for(t)["feed"]
    assert feed and all(f["code"] in TEXTS and f["text"] == TEXTS[f["code"]].format(**f["params"]) for f in feed)
    texts = page_texts(page, ZH, acks + feed)
    assert texts[:3] == ["已推进一步", "已推进一步", "运行中"]
    assert "第 1 期（共 3 期）开始" in texts


# ------------------------------------------------------------------------------ role labels
def test_a_role_label_given_in_two_languages_is_served_in_each():
    sc = load_classroom(WATER)
    session = ClassroomSession(sc, join_code="246810")
    seat, _ = session.join("Li", "246810")
    role = participant_state(session, seat)["me"]["role"]
    assert role["label"] == "Farm A: 600 m³ of rights, needs 400 m³"
    assert role["labels"] == {"en": "Farm A: 600 m³ of rights, needs 400 m³", "zh": "农户 A：水权 600 m³，需用 400 m³"}


@pytest.mark.slow  # a real browser
def test_a_page_without_chinese_words_shows_the_english_role_label(page):
    session = ClassroomSession(load_classroom(WATER), join_code="246810")
    seat, _ = session.join("Li", "246810")
    role = participant_state(session, seat)["me"]["role"]
    assert page.evaluate("(role) => RM.roleLabel(role)", role) == role["labels"]["en"]


def test_default_role_labels_come_in_both_languages_and_a_plain_label_stays_one_text():
    farm = FarmRole(type="farm", holding=10, need=5, use_value_yuan="1")
    assert farm.label == {"en": "Farm with surplus water", "zh": "有余水的农户"}
    plain = FarmRole(type="farm", label="Farm X", holding=10, need=5, use_value_yuan="1")
    assert plain.label == "Farm X"


@pytest.mark.parametrize(("label", "expected"), [
    ({"en": "A", "fr": "B"}, "label languages are en, zh; got fr"),
    ({"zh": "农户"}, "needs its English text (en)"),
    ({"en": ""}, "label en: expected a text of 1 to 80 characters"),
    ({"en": "A", "zh": "x" * 81}, "label zh: expected a text of 1 to 80 characters"),
    (7, "a label is a text, or one text per language"),
])
def test_a_bad_role_label_is_a_clear_error_naming_the_place(tmp_path, label, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(f"extends: {WATER}\nclassroom:\n  roles:\n    farm_z:\n      type: farm\n"
                    f"      label: {json.dumps(label, ensure_ascii=False)}\n      holding: 600\n      need: 400\n"
                    "      use_value_yuan: 1\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_classroom(path)
    text = str(err.value)
    assert expected in text and "classroom.roles.farm_z.label" in text and "bad.yaml:6" in text, text


def test_the_notice_is_its_english_text():
    n = Notice("rate_limited", rate=20.0)
    assert n == "too many messages: at most 20 a second; slow down" and n.fields() == {
        "code": "rate_limited", "params": {"rate": 20}}
    with pytest.raises(KeyError):
        Notice("no_such_code")
