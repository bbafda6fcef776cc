"""The classroom server for real: uvicorn on loopback, WebSocket clients (``websockets``), the pages, a load
test with 50 participants, and the ``rights-market classroom`` command (serve, stop, replay)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets

from conftest import fast_and_full
from rights_market.classroom import ClassroomSession, load_classroom, replay
from rights_market.classroom.live import LiveClassroom
from rights_market.classroom.server import STATIC, bind, make_server
from rights_market.cli import main

ROOT = Path(__file__).resolve().parents[2]
WATER = ROOT / "scenarios" / "classroom" / "water_market.yaml"
TIMEOUT = 10.0


@contextlib.contextmanager
def serving(session: ClassroomSession, allow_hosts: tuple[str, ...] = (), **kw) -> Iterator[tuple[str, LiveClassroom]]:
    """A real uvicorn server for ``session`` on an ephemeral loopback port, in a thread (``allow_hosts``: as
    ``--allow-host``; ``kw``: for :class:`LiveClassroom`)."""
    live = LiveClassroom(session, **kw)
    sock = bind("127.0.0.1", 0)
    server = make_server(live, sock, allow_hosts)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + TIMEOUT
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    try:
        yield f"127.0.0.1:{sock.getsockname()[1]}", live
    finally:
        server.should_exit = True
        thread.join(TIMEOUT)
        sock.close()
        assert not thread.is_alive()


async def until(ws, pred, timeout: float = TIMEOUT) -> dict:
    """The next message (skipping others) for which ``pred`` holds; bounded by ``timeout``."""
    async with asyncio.timeout(timeout):
        while True:
            msg = json.loads(await ws.recv())
            if pred(msg):
                return msg


def reply_to(ref: str):
    return lambda m: m.get("ref") == ref and m["type"] in ("ack", "error", "welcome")


def test_pages_are_served_with_their_assets_and_no_cdn():
    session = ClassroomSession(load_classroom(WATER), join_code="1", trainer_token="t")
    with serving(session, report=False) as (host, _live):
        for path, kind in (("/", "text/html"), ("/trainer", "text/html"), ("/static/common.js", "javascript"),
                           ("/static/style.css", "text/css"), ("/static/chart.js", "javascript"),
                           ("/static/favicon.svg", "image/svg")):
            with urllib.request.urlopen(f"http://{host}{path}", timeout=TIMEOUT) as r:
                assert r.status == 200 and kind in r.headers["content-type"]
                assert "script-src 'self'" in r.headers["content-security-policy"]
                body = r.read().decode()
            if path == "/":
                assert "/static/participant.js" in body and 'id="join-code"' in body
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"http://{host}/static/nope.js", timeout=TIMEOUT)
        assert err.value.code == 404
        err.value.close()
        with urllib.request.urlopen(f"http://{host}/healthz", timeout=TIMEOUT) as r:
            assert json.loads(r.read()) == {"ok": True, "status": "ready", "name": "classroom_water"}
    # every asset is served from the package: no URL to another host anywhere in the pages
    for f in STATIC.iterdir():
        text = f.read_text(encoding="utf-8")
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text.replace("http://www.w3.org/2000/svg", "")), f


def test_a_cross_origin_websocket_is_refused_and_a_same_origin_one_accepted():
    session = ClassroomSession(load_classroom(WATER), join_code="1", trainer_token="t")

    async def go(host: str) -> None:
        with pytest.raises(websockets.exceptions.InvalidStatus):
            async with websockets.connect(f"ws://{host}/ws", origin="http://evil.example"):
                pass
        async with websockets.connect(f"ws://{host}/ws", origin=f"http://{host}") as ws:
            await ws.send(json.dumps({"type": "trainer_hello", "token": "t", "ref": "h"}))
            assert (await until(ws, reply_to("h")))["role"] == "trainer"
            await ws.send("{not json")
            err = await until(ws, lambda m: m["type"] == "error")
            assert err["error"].startswith("invalid message")
            await ws.send(json.dumps({"type": "ping", "ref": "p"}))  # the connection lives on
            assert (await until(ws, lambda m: m.get("ref") == "p"))["type"] == "pong"

    with serving(session, report=False) as (host, _live):
        asyncio.run(go(host))


# 1 s in the inner loop (~1,000 orders acknowledged on a busy 2-core machine; the test asks 250), 3 s slow
@pytest.mark.parametrize("seconds", fast_and_full(1, 3))
def test_load_50_participants_lose_no_order_and_the_ledger_conserves(seconds):
    """50 people on WebSockets place and cancel orders for some seconds beside 8 robots: every acknowledged order
    id is in the market exactly once, with its whole quantity accounted for (filled + resting + cancelled +
    rejected), every yuan and m³ is conserved, and the event log replays to the same trades."""
    sc = load_classroom(WATER, ["classroom.seats.0.count=13", "classroom.seats.1.count=13",
                                "classroom.seats.2.count=12", "classroom.seats.3.count=12",
                                "classroom.period_seconds=120", "classroom.robots.mean_interval_seconds=0.5"])
    session = ClassroomSession(sc, join_code="5050", trainer_token="boss")
    n_people = 50

    async def person(host: str, i: int, deadline: float) -> dict:
        rng = random.Random(i)
        acked: dict[int, dict] = {}
        cancels: list[int] = []
        async with websockets.connect(f"ws://{host}/ws", max_size=2**23) as ws:
            await ws.send(json.dumps({"type": "join", "name": f"P{i}", "code": "5050", "ref": "j"}))
            welcome = await until(ws, reply_to("j"))
            seat = welcome["seat"]
            seller = session.seats[seat].role_name.startswith("farm")
            k = 0
            while time.monotonic() < deadline:
                k += 1
                ref = f"m{k}"
                resting = [oid for oid, a in acked.items() if a["status"] in ("resting", "partial")]
                if resting and rng.random() < 0.3:
                    oid = rng.choice(resting)
                    await ws.send(json.dumps({"type": "cancel", "order_id": oid, "ref": ref}))
                    ack = await until(ws, reply_to(ref))
                    assert ack["type"] == "ack" and ack["action"] == "cancel"
                    acked[oid]["status"] = "gone"
                    if ack["ok"]:
                        cancels.append(oid)
                    continue
                price = f"{rng.uniform(0.6, 1.6):.3f}"
                side = "sell" if seller else "buy"
                await ws.send(json.dumps({"type": "order", "side": side, "price": price,
                                          "quantity": 10 * rng.randint(1, 3), "ref": ref}))
                ack = await until(ws, reply_to(ref))
                assert ack["type"] == "ack" and ack["action"] == "order", ack
                assert ack["order_id"] not in acked
                acked[ack["order_id"]] = ack
        return {"seat": seat, "acked": acked, "cancels": cancels}

    async def go(host: str) -> list[dict]:
        async with websockets.connect(f"ws://{host}/ws") as boss:
            await boss.send(json.dumps({"type": "trainer_hello", "token": "boss", "ref": "h"}))
            await until(boss, reply_to("h"))
            await boss.send(json.dumps({"type": "control", "action": "start", "ref": "s"}))
            assert (await until(boss, reply_to("s")))["ok"]
            deadline = time.monotonic() + seconds
            people = await asyncio.gather(*(person(host, i, deadline) for i in range(n_people)))
            await boss.send(json.dumps({"type": "control", "action": "pause", "ref": "p"}))
            assert (await until(boss, reply_to("p")))["ok"]
        return people

    with serving(session, report=False, rate=1000, burst=1000) as (host, _live):
        people = asyncio.run(go(host))
        # the market is paused and every client is gone: nothing changes it while we look
        eng = session.engine
        tr = eng.trading
        acked_ids = [oid for p in people for oid in p["acked"]]
        assert len(acked_ids) == len(set(acked_ids)) >= n_people * 5
        human = {s for s in session.people}
        assert len(human) == n_people and {p["seat"] for p in people} == human
        in_market = {o.id for o in tr.orders.values() if o.account in human}
        assert in_market == set(acked_ids)  # none lost, none made up
        for p in people:
            for oid, ack in p["acked"].items():
                order = tr.orders[oid]
                assert order.account == p["seat"]
                assert order.filled + order.remaining + order.cancelled + order.rejected == order.quantity
                if not ack["ok"]:
                    assert order.rejected == order.quantity and order.reason == ack["reason"]
            for oid in p["cancels"]:
                assert tr.orders[oid].cancelled > 0
        tr.check_orders()
        eng.world.accounts.check()
        assert sum(1 for row in tr.tape if row.buyer in human or row.seller in human) > 0
        session.mark_end()
        again = replay((session.log.header, session.log.events))
        assert again.engine.world.tables["trades"].to_dataframe().equals(eng.world.tables["trades"].to_dataframe())
        n_orders = len(acked_ids)
    print(f"load: {n_people} people, {n_orders} orders acknowledged in {seconds:.0f} s "
          f"({n_orders / seconds:,.0f} per second), {len(tr.tape)} trades")


CLIFF = ROOT / "scenarios" / "teaching" / "cliff1997_symmetric.yaml"


def test_a_teaching_market_is_served_live_and_its_robots_trade():
    """Cliff's symmetric market as a classroom: the pages are served, a person takes the first seat (buyer 1,
    value 325), and the robots (ZI-C, as in the file) trade at prices within their values and costs."""
    sc = load_classroom(CLIFF, ["classroom.robots.mean_interval_seconds=0.2"], people=1)
    assert sc.name == "cliff1997_symmetric" and sc.classroom.product == "teaching.unit"
    session = ClassroomSession(sc, join_code="2222", trainer_token="boss")
    assert session.seats[0].role_name == "buyer_1" and not session.seats[0].is_robot
    assert [s.player for s in session.seats[1:]] == ["zi_c"] * 21

    async def go(host: str) -> dict:
        async with websockets.connect(f"ws://{host}/ws") as boss, websockets.connect(f"ws://{host}/ws") as p:
            await p.send(json.dumps({"type": "join", "name": "Vernon", "code": "2222", "ref": "j"}))
            assert (await until(p, reply_to("j")))["seat"] == 0
            await boss.send(json.dumps({"type": "trainer_hello", "token": "boss", "ref": "h"}))
            await until(boss, reply_to("h"))
            await boss.send(json.dumps({"type": "control", "action": "start", "ref": "s"}))
            assert (await until(boss, reply_to("s")))["ok"]
            return await until(boss, lambda m: m["type"] == "state" and m.get("tape"))

    with serving(session, report=False) as (host, _live):
        with urllib.request.urlopen(f"http://{host}/", timeout=TIMEOUT) as r:
            assert r.status == 200 and "text/html" in r.headers["content-type"]
        with urllib.request.urlopen(f"http://{host}/trainer", timeout=TIMEOUT) as r:
            assert r.status == 200
        state = asyncio.run(go(host))
        assert state["product"] == "teaching.unit" and state["unit"] == "unit"
        robots = {s.id for s in session.seats if s.is_robot}
        tape = session.engine.trading.tape
        assert tape and any(row.buyer in robots and row.seller in robots for row in tape)
        for row in tape:  # ZI-C never trades at a loss: buyer k values 350 − 25k, seller k costs 50 + 25k
            buyer, seller = session.seats[row.buyer], session.seats[row.seller]
            value = 350 - 25 * int(buyer.role_name.split("_")[1])
            cost = 50 + 25 * int(seller.role_name.split("_")[1])
            assert cost * 10_000 <= row.price <= value * 10_000
        session.engine.world.accounts.check()


def test_the_classroom_command_checks_a_teaching_market(capsys):
    assert main(["classroom", str(CLIFF), "--check", "--people", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: cliff1997_symmetric — teaching.unit in lots of 1 unit, base price 200.50 yuan/unit, "
                          "10 periods of 180 s")
    assert "1 × buyer_1 (buyer) played by human: Buyer 1: value 325.00 yuan a unit" in out
    assert "1 × buyer_2 (buyer) played by zi_c: Buyer 2: value 300.00 yuan a unit" in out
    assert "equilibrium with every seat taken: 5 unit a period at 200.00–200.00 yuan/unit" in out
    assert main(["classroom", str(CLIFF), "--check", "--people", "30"]) == 2
    assert "teaching: --people 30: expected 0..22 (the market has 22 traders)" in capsys.readouterr().err


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.mark.slow
def test_the_classroom_command_serves_stops_writes_and_replays(tmp_path):
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "rights_market", "classroom", str(WATER), "--port", "0", "--out", str(out),
           "--no-report", "--set", "classroom.robots.mean_interval_seconds=0.5"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 30
        while not any(line.startswith("stop with Ctrl-C") for line in lines):
            assert time.monotonic() < deadline and proc.poll() is None, (lines, proc.stderr.read() if proc.poll() else "")
            lines.append(proc.stdout.readline().rstrip("\n"))
        text = "\n".join(lines)
        host = re.search(r"participants: http://(127\.0\.0\.1:\d+)/", text).group(1)
        token = re.search(r"trainer token: (\S+)", text).group(1)
        code = re.search(r"join code ([2-9A-Z]{8})\b", text).group(1)
        assert f"trainer:      http://{host}/trainer#token={token}" in text

        async def go() -> None:
            # max_queue=None: the clients keep reading while they wait, so closing is prompt
            async with websockets.connect(f"ws://{host}/ws", max_queue=None) as t, \
                    websockets.connect(f"ws://{host}/ws", max_queue=None) as p:
                await t.send(json.dumps({"type": "trainer_hello", "token": token, "ref": "h"}))
                await until(t, reply_to("h"))
                await p.send(json.dumps({"type": "join", "name": "Li", "code": code, "ref": "j"}))
                await until(p, reply_to("j"))
                await t.send(json.dumps({"type": "control", "action": "start", "ref": "s"}))
                await until(t, reply_to("s"))
                await asyncio.sleep(1.5)
                await p.send(json.dumps({"type": "order", "side": "sell", "price": "0.05", "quantity": 50, "ref": "o"}))
                assert (await until(p, reply_to("o")))["ok"]
                await asyncio.sleep(1.0)

        asyncio.run(go())
    finally:
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert f"written: {out}" in stdout
    journals = list((tmp_path / "results" / "classroom-journals").glob("*.events.jsonl"))
    assert len(journals) == 1
    assert (out / "trades.parquet").is_file() and (out / "participants.parquet").is_file()
    # the run replays from its event log to the same tables, byte for byte
    again = tmp_path / "again"
    assert main(["classroom", "--replay", str(out / "events.jsonl"), "--out", str(again), "--no-report"]) == 0
    for name in ("trades", "charges", "orders_rejected", "holdings", "participants", "tape"):
        assert (out / f"{name}.parquet").read_bytes() == (again / f"{name}.parquet").read_bytes(), name


def test_the_classroom_command_reports_bad_input(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nclassroom:\n  product: water\n", encoding="utf-8")
    assert main(["classroom", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3:12: classroom.product" in err
    assert main(["classroom"]) == 2 and "give a classroom scenario" in capsys.readouterr().err
    assert main(["classroom", str(WATER), "--replay", str(bad)]) == 2
    assert main(["classroom", "--replay", str(bad)]) == 2
    assert "cannot replay" in capsys.readouterr().err
    with bind("127.0.0.1", 0) as taken:
        port = taken.getsockname()[1]
        assert main(["classroom", str(WATER), "--port", str(port)]) == 2
    assert "cannot listen on 127.0.0.1" in capsys.readouterr().err
    assert not (tmp_path / "results").exists()  # nothing started, nothing written
    assert main(["classroom", str(WATER), "--check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: classroom_water") and "equilibrium with every seat taken: 1,500 m3" in out
