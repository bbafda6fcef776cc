"""The classroom in a real headless Chromium (Debian's ``chromium``, driven by Playwright): a participant
joins, sells to a robot, and the trade shows on the trainer's tape and in the ledger. Screenshots of both
views are saved in the test's temporary directory."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from rights_market.classroom import ClassroomSession, load_classroom
from rights_market.classroom.live import LiveClassroom
from rights_market.classroom.server import bind, make_server

pytestmark = pytest.mark.slow  # a notebook kernel, a browser or a benchmark run: not in the inner loop

ROOT = Path(__file__).resolve().parents[2]
WATER = ROOT / "scenarios" / "classroom" / "water_market.yaml"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WAIT_MS = 20_000


@contextlib.contextmanager
def serving(session: ClassroomSession, lang: str = "en") -> Iterator[str]:
    """A real uvicorn server for ``session`` on an ephemeral loopback port, in a thread, its pages in
    ``lang``; its base URL."""
    live = LiveClassroom(session, report=False)
    sock = bind("127.0.0.1", 0)
    server = make_server(live, sock, lang=lang)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def test_a_participant_trades_with_a_robot_and_the_trainer_sees_it(tmp_path):
    sc = load_classroom(WATER, ["classroom.robots.mean_interval_seconds=0.5"])
    session = ClassroomSession(sc, join_code="424242", trainer_token="trainer-token-for-the-test")
    errors: list[str] = []
    with serving(session) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            trainer = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            trainer.on("pageerror", lambda e: errors.append(f"trainer: {e}"))
            trainer.goto(f"{base}/trainer#token=trainer-token-for-the-test")
            trainer.wait_for_selector("#app:not([hidden])", timeout=WAIT_MS)
            assert trainer.inner_text("#join-code") == "424242"

            person = browser.new_context(viewport={"width": 1300, "height": 1000}).new_page()
            person.on("pageerror", lambda e: errors.append(f"participant: {e}"))
            person.goto(base + "/")
            person.fill("#join-name", "Li Hua")
            person.fill("#join-code", "424242")
            person.click("#join-btn")
            person.wait_for_selector("#app:not([hidden])", timeout=WAIT_MS)
            person.wait_for_function("() => document.querySelector('#role-name').textContent.includes('farm_a')",
                                     timeout=WAIT_MS)

            trainer.click("#btn-start")
            trainer.wait_for_function("() => document.querySelector('#status').textContent === 'running'", timeout=WAIT_MS)
            # wait for a robot's bid in the book, then sell into it at the lowest admissible price
            person.wait_for_function("() => document.querySelectorAll('#book-table tr.bid').length > 0", timeout=WAIT_MS)
            person.select_option("#order-side", "sell")
            person.fill("#order-price", "0.01")
            person.fill("#order-qty", "10")
            person.click("#order-btn")
            # the ack: it traded at once with the robot's bid (or rests until the next robot bid takes it)
            person.wait_for_function("() => /^order \\d+ /.test(document.querySelector('#order-msg').textContent)",
                                     timeout=WAIT_MS)
            trainer.wait_for_function("() => document.querySelector('#tape-table').textContent.includes('Li Hua')",
                                      timeout=WAIT_MS)
            trainer.click("#btn-pause")
            trainer.wait_for_function("() => document.querySelector('#status').textContent === 'paused'", timeout=WAIT_MS)
            person.wait_for_function("() => document.querySelector('#tape-table tr.mine') !== null", timeout=WAIT_MS)
            tape_text = trainer.inner_text("#tape-table")
            person.screenshot(path=str(tmp_path / "participant.png"), full_page=True)
            trainer.screenshot(path=str(tmp_path / "trainer.png"), full_page=True)
        finally:
            browser.close()
    assert not errors, errors
    # the ledger: the paused market holds the trade between the person's seat and a robot
    eng = session.engine
    seat = next(iter(session.people))
    mine = eng.trading.trades_of[seat]
    assert mine and mine[0].seller == seat and eng.seats[mine[0].buyer].is_robot and mine[0].mechanism == "cda"
    assert eng.name_of(mine[0].buyer) in tape_text
    eng.world.accounts.check()
    eng.trading.check_orders()
    for shot in ("participant.png", "trainer.png"):
        assert (tmp_path / shot).stat().st_size > 20_000
