"""The classroom on phones, in a real headless Chromium (Debian's ``chromium``, driven by Playwright): the
30-seat water classroom served in Chinese; the trainer's page shows the join link's QR code; a participant
who opens that link on a 390 × 844 phone finds the join code filled in, and after joining sees the order form
without scrolling and no page wider than the screen; the participant sells to a robot and the trade shows on
the Chinese trainer page, which is no wider than the phone either. Screenshots of both views at 390 px are
saved in the test's temporary directory."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright
from test_classroom_browser import CHROMIUM, CHROMIUM_ARGS, WAIT_MS, serving

from rights_market.classroom import ClassroomSession, load_classroom
from rights_market.classroom.qr import join_link, qr_svg
from rights_market.classroom.server import page_labels

ROOT = Path(__file__).resolve().parents[2]
WATER_30 = ROOT / "scenarios" / "classroom" / "water_market_30.yaml"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
CODE = "424242"
TOKEN = "trainer-token-for-the-phone-test"


def page_width(page: Page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_the_30_seat_scenario_has_30_seats_for_people():
    sc = load_classroom(WATER_30)
    humans = [g for g in sc.classroom.seats if g.player == "human"]
    assert sum(g.count for g in humans) == 30
    assert {g.role for g in humans} == {"farm_a", "farm_b", "firm_a", "firm_b"}
    assert sum(g.count for g in sc.classroom.seats if g.player != "human") == 8


@pytest.mark.slow  # a browser (pyproject's marker: not in the inner loop), as in test_classroom_browser
def test_a_phone_joins_by_the_qr_link_and_trades_and_the_chinese_trainer_page_shows_it(tmp_path):
    sc = load_classroom(WATER_30, ["classroom.robots.mean_interval_seconds=0.5"])
    session = ClassroomSession(sc, join_code=CODE, trainer_token=TOKEN)
    zh = page_labels("zh")
    errors: list[str] = []
    with serving(session, lang="zh") as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            trainer = browser.new_context(**PHONE).new_page()
            trainer.on("pageerror", lambda e: errors.append(f"trainer: {e}"))
            trainer.goto(f"{base}/trainer#token={TOKEN}")
            trainer.wait_for_selector("#app:not([hidden])", timeout=WAIT_MS)
            assert trainer.evaluate("() => document.documentElement.dataset.labels") == "zh"
            assert trainer.inner_text("#btn-start") == zh["classroom.trainer.start"] == "开始"
            # the QR code: an SVG (data: URI) of the join link, which carries the code in its fragment
            trainer.wait_for_selector("#join-qr:not([hidden])", timeout=WAIT_MS)
            src = trainer.get_attribute("#join-qr", "src")
            link = join_link(base, CODE)
            assert link == f"{base}/#code={CODE}"
            assert trainer.get_attribute("#join-qr", "data-link") == link
            assert src.startswith("data:image/svg+xml;base64,")
            svg = base64.b64decode(src.split(",", 1)[1]).decode("ascii")
            assert svg.startswith("<svg") and svg == qr_svg(link)  # the same library gives the same code
            assert svg != qr_svg(f"{base}/#code=424243")
            assert trainer.evaluate("() => document.querySelector('#join-qr').naturalWidth") > 0
            assert page_width(trainer) <= 390

            person = browser.new_context(**PHONE).new_page()
            person.on("pageerror", lambda e: errors.append(f"participant: {e}"))
            person.goto(link)  # what scanning the QR code opens
            person.wait_for_selector("#join:not([hidden])", timeout=WAIT_MS)
            assert person.input_value("#join-code") == CODE
            assert "#" not in person.url  # the code left the address bar
            assert person.inner_text("#join-btn") == "加入"
            person.fill("#join-name", "Li Hua")
            person.click("#join-btn")
            person.wait_for_selector("#app:not([hidden])", timeout=WAIT_MS)
            person.wait_for_function("() => document.querySelector('#role-name').textContent.includes('farm_a')",
                                     timeout=WAIT_MS)
            assert page_width(person) <= 390
            # the order form is the first thing on the phone, Send button included, with no scrolling
            assert person.evaluate("() => window.scrollY") == 0
            for sel in ("#order-side", "#order-price", "#order-qty", "#order-btn"):
                box = person.locator(sel).bounding_box()
                assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 844, (sel, box)
                assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (sel, box)
            assert person.inner_text("#order-price-label") == "价格（元/立方米）"

            trainer.click("#btn-start")
            trainer.wait_for_function("(s) => document.querySelector('#status').textContent === s",
                                      arg=zh["classroom.status.running"], timeout=WAIT_MS)
            person.wait_for_function("() => document.querySelectorAll('#book-table tr.bid').length > 0", timeout=WAIT_MS)
            person.select_option("#order-side", "sell")
            person.fill("#order-price", "0.01")
            person.fill("#order-qty", "10")
            person.click("#order-btn")
            trainer.wait_for_function("() => document.querySelector('#tape-table').textContent.includes('Li Hua')",
                                      timeout=WAIT_MS)
            trainer.click("#btn-pause")
            trainer.wait_for_function("(s) => document.querySelector('#status').textContent === s",
                                      arg=zh["classroom.status.paused"], timeout=WAIT_MS)
            person.wait_for_function("() => document.querySelector('#tape-table tr.mine') !== null", timeout=WAIT_MS)
            row = trainer.evaluate("""() => [...document.querySelectorAll('#tape-table tbody tr')]
                                       .map((r) => r.textContent).find((t) => t.includes('Li Hua'))""")
            head = trainer.inner_text("#tape-table thead")
            assert "连续竞价" in row  # the mechanism, in Chinese
            assert "买方" in head and "卖方" in head and "元/立方米" in head
            assert "元/立方米" in trainer.inner_text("#chart-sub")
            assert page_width(trainer) <= 390 and page_width(person) <= 390
            person.screenshot(path=str(tmp_path / "participant-390.png"), full_page=False)
            trainer.screenshot(path=str(tmp_path / "trainer-390.png"), full_page=True)
            # the toggle switches the page to English
            person.click("#lang-btn")
            person.wait_for_function("() => document.documentElement.dataset.labels === 'en'", timeout=WAIT_MS)
            assert person.inner_text("#order-btn") == "Send order"
            assert person.inner_text("#order-price-label") == "Price, yuan per m³"
            assert page_width(person) <= 390
        finally:
            browser.close()
    assert not errors, errors
    eng = session.engine
    seat = next(iter(session.people))
    mine = eng.trading.trades_of[seat]
    assert mine and mine[0].seller == seat and eng.seats[mine[0].buyer].is_robot
    eng.world.accounts.check()



def test_labels_and_language_routes_and_the_join_link_goes_only_to_the_trainer():
    import json
    import urllib.error
    import urllib.request

    from websockets.sync.client import connect

    def get(url: str) -> bytes:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.read()

    session = ClassroomSession(load_classroom(WATER_30), join_code=CODE, trainer_token=TOKEN)
    with serving(session, lang="zh") as base:
        assert b'<html lang="zh-CN">' in get(base + "/") and b'<html lang="zh-CN">' in get(base + "/trainer")
        en, zh = json.loads(get(base + "/labels.json?lang=en")), json.loads(get(base + "/labels.json"))
        assert zh["lang"] == "zh" and en["lang"] == "en" and list(en["labels"]) == list(zh["labels"])
        assert zh["labels"]["classroom.chart.axis"] == "元/{unit}" and en["labels"]["unit.m3"] == "m³"
        try:
            get(base + "/labels.json?lang=fr")
            raise AssertionError("an unknown language was served")
        except urllib.error.HTTPError as exc:
            assert exc.code == 400 and "en, zh" in json.loads(exc.read())["error"]
        assert get(base + "/font/sans-sc.otf")[:4] == b"OTTO"
        ws_url = base.replace("http://", "ws://") + "/ws"
        with connect(ws_url) as ws:
            ws.send(json.dumps({"type": "join", "name": "Li", "code": CODE}))
            welcome = json.loads(ws.recv(10))
            assert welcome["type"] == "welcome" and "join_link" not in welcome and "join_qr" not in welcome
        with connect(ws_url) as ws:
            ws.send(json.dumps({"type": "trainer_hello", "token": TOKEN}))
            welcome = json.loads(ws.recv(10))
            assert welcome["join_link"] == f"{base}/#code={CODE}"
            assert base64.b64decode(welcome["join_qr"].split(",", 1)[1]).decode() == qr_svg(welcome["join_link"])
