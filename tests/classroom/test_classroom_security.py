"""The classroom against a hostile client on the network (issue 11): join-code guessing across connections,
DNS rebinding (the Host header), idle sockets that never say hello, floods spread over many sockets, and
deeply nested messages. Time in every limit comes from a clock the test moves by hand."""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import socket
import string
from pathlib import Path

import pytest
import websockets
from live_messages import FakeClock, send
from test_classroom_server import reply_to, serving, until

from conftest import fast_and_full
from rights_market.classroom import ClassroomSession, load_classroom
from rights_market.classroom.guard import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Safety,
    host_allowed,
    machine_addresses,
    new_join_code,
    served_hosts,
)
from rights_market.classroom.live import Connection, LiveClassroom
from rights_market.classroom.messages import MAX_MESSAGE_DEPTH, nesting_depth

ROOT = Path(__file__).resolve().parents[2]
WATER = ROOT / "scenarios" / "classroom" / "water_market.yaml"
CODE = "K7QW-M2XR"


def make_live(**kw) -> tuple[LiveClassroom, FakeClock]:
    clock = FakeClock()
    session = ClassroomSession(load_classroom(WATER), join_code=CODE, trainer_token="trainer-secret")
    return LiveClassroom(session, clock=clock, report=False, **kw), clock


def join(live: LiveClassroom, address: str, code: str, name: str = "X") -> tuple[Connection, dict]:
    conn = live.connect(address)
    return conn, send(live, conn, {"type": "join", "name": name, "code": code})[0]


# ---------------------------------------------------------------------------------------------- join code
def test_join_code_guessing_limited_across_connections():
    live, clock = make_live()
    safety = live.safety
    boss = live.connect("127.0.0.1")
    assert send(live, boss, {"type": "trainer_hello", "token": "trainer-secret"})[0]["type"] == "welcome"
    # one address, a fresh connection for every guess: the per-connection limit alone would never bite
    for i in range(safety.address_failures):
        conn, out = join(live, "10.0.0.66", f"GUESS{i:03d}")
        assert out["error"] == "wrong join code"
    conn, out = join(live, "10.0.0.66", CODE)  # even the right code: refused before it is looked at
    assert out["type"] == "error" and "too many failed attempts from your address" in out["error"] and conn.closing
    assert not live.session.people
    # another address is not held up, and the address is free again once its window has passed
    ok, welcome = join(live, "10.0.0.7", CODE, "Li")
    assert welcome["type"] == "welcome" and ok.kind == "participant"
    clock.t += safety.address_window_seconds
    assert join(live, "10.0.0.66", "NOPE")[1]["error"] == "wrong join code"

    # many addresses, few guesses each: the code's own budget locks joining and the trainer is told
    spent = safety.address_failures + 1
    for i in range(safety.code_failures - spent - 1):
        assert join(live, f"10.1.{i // 200}.{i % 200}", "WRONG")[1]["error"] == "wrong join code"
    assert not any("locked" in m["error"] for m in send(live, boss, {"type": "ping"}) if m["type"] == "error")
    assert join(live, "10.2.0.1", "WRONG")[1]["error"] == "wrong join code"  # the 100th: locks
    told = [m for m in send(live, boss, {"type": "ping"}) if m["type"] == "error"]
    assert len(told) == 1 and f"joining is locked for {safety.lock_seconds:g} s" in told[0]["error"]
    assert live.state_for(boss)["join_locked_seconds"] == safety.lock_seconds
    refused = join(live, "10.3.0.1", CODE, "Ma")[1]
    assert refused["type"] == "error" and refused["error"].startswith("joining is locked for 600 s")
    # who joined before comes back with the token; after the lock, the right code works again
    back = live.connect("10.0.0.7")
    assert send(live, back, {"type": "rejoin", "token": welcome["token"]})[0]["type"] == "welcome"
    clock.t += safety.lock_seconds
    assert live.state_for(boss)["join_locked_seconds"] == 0
    assert join(live, "10.3.0.1", "k7qw m2xr", "Ma")[1]["type"] == "welcome"  # case, spaces, hyphen aside


def test_join_code_guessing_rate_is_bounded_by_the_code_budget(monkeypatch):
    """An attacker with unlimited addresses, guessing as fast as the server answers for 2 simulated hours,
    gets at most ``code_failures`` guesses per ``code_window_seconds`` checked against the code."""
    live, clock = make_live()
    checked = 0
    real_check = live.session.check_code

    def counting(code: str) -> bool:
        nonlocal checked
        checked += 1
        return real_check(code)

    monkeypatch.setattr(live.session, "check_code", counting)
    start, n = clock.t, 0
    while clock.t < start + 7200:
        n += 1
        _conn, out = join(live, f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}", f"G{n:07d}")
        if "locked" in out["error"]:
            clock.t += 1.0
    windows = 7200 / live.safety.code_window_seconds
    assert checked <= live.safety.code_failures * windows and live.guard.locks >= 6
    assert not live.session.people
    # the docstring's arithmetic: 31**8 codes, half of them on average, at 14,400 guesses a day
    assert len(CODE_ALPHABET) == 31 and CODE_LENGTH == 8
    assert Safety().expected_guess_days() == pytest.approx(31**8 / 2 / 14_400)
    assert Safety().expected_guess_days() / 365.25 > 80_000


def test_join_codes_are_long_and_unambiguous():
    codes = {new_join_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 8 and set(code) <= set(CODE_ALPHABET)
    assert not set("01OIL") & set(CODE_ALPHABET) and set(CODE_ALPHABET) <= set(string.digits + string.ascii_uppercase)
    drawn = ClassroomSession(load_classroom(WATER)).join_code
    assert len(drawn) == 8 and set(drawn) <= set(CODE_ALPHABET)


# ---------------------------------------------------------------------------------------------- Host header
def _request(hostport: str, host_header: str, path: str = "/", websocket: bool = False) -> tuple[int, str]:
    """A raw HTTP/1.1 request to ``hostport`` with the given ``Host`` header: the status and the body."""
    name, port = hostport.rsplit(":", 1)
    conn = http.client.HTTPConnection(name, int(port), timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", host_header)
        if websocket:
            for k, v in (("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Version", "13"),
                         ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")):
                conn.putheader(k, v)
        conn.endheaders()
        resp = conn.getresponse()
        body = "" if resp.status == 101 else resp.read().decode()
        return resp.status, body
    finally:
        conn.close()


def test_host_header_checked():
    session = ClassroomSession(load_classroom(WATER), join_code=CODE, trainer_token="t")
    with serving(session, report=False) as (host, _live):
        port = host.rsplit(":", 1)[1]
        for good in (host, f"localhost:{port}", f"[::1]:{port}", "127.0.0.1", f"LOCALHOST.:{port}"):
            assert _request(host, good)[0] == 200, good
            assert _request(host, good, "/ws", websocket=True)[0] == 101, good
        # DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1
        for bad in (f"evil.example:{port}", "evil.example", f"127.0.0.1.evil.example:{port}", "", "[::1"):
            assert _request(host, bad)[0] == 400, bad
            assert _request(host, bad, "/healthz")[0] == 400, bad
            assert _request(host, bad, "/ws", websocket=True)[0] == 400, bad
        status, body = _request(host, f"evil.example:{port}")
        assert body.startswith("400 Bad Request: this classroom is not served as 'evil.example'")
        assert "--allow-host NAME" in body
        assert _request(host, "")[1].startswith("400 Bad Request: a Host header is required")


def test_host_header_allow_host_option_serves_another_name():
    session = ClassroomSession(load_classroom(WATER), join_code=CODE, trainer_token="t")
    with serving(session, allow_hosts=("class.example",), report=False) as (host, _live):
        assert _request(host, "class.example")[0] == 200
        assert _request(host, "Class.Example:80", "/ws", websocket=True)[0] == 101
        assert _request(host, "other.example")[0] == 400


def test_host_header_served_names_for_each_bind_address():
    loop = served_hosts("127.0.0.1")
    assert loop == {"127.0.0.1", "localhost", "::1"}
    assert host_allowed("localhost:8000", loop) and not host_allowed("evil.example:8000", loop)
    assert not host_allowed(None, loop) and not host_allowed("", loop)
    lan = served_hosts("192.168.5.20")
    assert lan == {"192.168.5.20"} and not host_allowed("localhost", lan)
    everywhere = served_hosts("0.0.0.0", ["class.example"])
    assert {"127.0.0.1", "localhost", "class.example"} <= everywhere
    assert machine_addresses() <= everywhere and socket.gethostname().lower() in everywhere
    assert not host_allowed("evil.example", everywhere)


# ---------------------------------------------------------------------------------------------- idle sockets
@pytest.mark.parametrize("sockets", fast_and_full(300, 1000))
def test_idle_sockets_do_not_lock_out_students(sockets):
    """1,000 sockets that never say hello, from 50 addresses (300 in the inner loop: still beyond the 200 that may
    wait and the 64 from one address): a student still joins at once; the silent sockets are closed when their
    hello time is up; the identified connections are counted apart."""
    live_clock = FakeClock()
    session = ClassroomSession(load_classroom(WATER), join_code=CODE, trainer_token="t")

    async def go(host: str, live: LiveClassroom) -> None:
        url = f"ws://{host}/ws"
        safety = live.safety
        idle: list = []
        refused = 0
        crowd = safety.pending_per_address + 4
        assert sockets > safety.pending_sockets + 4 and sockets > crowd
        for k in range(sockets):  # a crowd from one address, then round 49 others
            address = "127.0.1.1" if k < crowd else f"127.0.1.{k % 49 + 2}"
            try:
                idle.append(await websockets.connect(url, local_addr=(address, 0), max_queue=None))
            except websockets.exceptions.InvalidStatus as exc:
                assert exc.response.status_code == 403
                refused += 1
        assert refused == 4  # one address beyond its share: refused
        waiting = [c for c in list(live.pending) if not c.closing]
        assert len(waiting) == safety.pending_sockets  # the rest: the oldest closed to make room
        # a student (another address) and the trainer get in at once, without waiting for anything
        async with websockets.connect(url, local_addr=("127.0.0.2", 0)) as student, \
                websockets.connect(url) as boss:
            await student.send(json.dumps({"type": "join", "name": "Li", "code": CODE, "ref": "j"}))
            welcome = await until(student, reply_to("j"))
            assert welcome["type"] == "welcome"
            await boss.send(json.dumps({"type": "trainer_hello", "token": "t", "ref": "h"}))
            assert (await until(boss, reply_to("h")))["type"] == "welcome"
            # the silent sockets' hello time is up: every one of them is told why and closed
            live_clock.t += safety.hello_seconds
            reasons: list[str] = []
            for ws in idle:
                with pytest.raises(websockets.exceptions.ConnectionClosed):
                    while True:
                        msg = json.loads(await asyncio.wait_for(ws.recv(), 10))
                        reasons.append(msg["error"])
            assert any(r.startswith("no hello within 5 s") for r in reasons)
            assert all(r.startswith(("no hello within", "the server is busy")) for r in reasons)
            assert not live.pending
            # the identified connections were never touched
            await student.send(json.dumps({"type": "ping", "ref": "p"}))
            assert (await until(student, lambda m: m.get("ref") == "p"))["type"] == "pong"
            assert session.people[welcome["seat"]].connections == 1

    with serving(session, report=False, clock=live_clock) as (host, live):
        asyncio.run(go(host, live))


def test_silent_sockets_are_closed_after_the_hello_timeout():
    live, clock = make_live()
    silent = live.connect("10.0.0.9")
    talker, welcome = join(live, "10.0.0.9", CODE)
    assert welcome["type"] == "welcome" and live.pending == {silent}
    clock.t += live.safety.hello_seconds - 0.5
    assert live.reap() == 0 and not silent.closing
    clock.t += 0.5
    live.tick()
    assert silent.closing and silent.kicked.is_set() and not talker.closing
    assert send(live, talker, {"type": "ping"})[0]["type"] == "pong"


def test_pending_sockets_are_capped_per_address_and_in_all():
    live, _clock = make_live(safety=Safety(pending_sockets=5, pending_per_address=3))
    first = [live.connect("10.0.0.1") for _ in range(3)]
    assert live.admit("10.0.0.1") is not None and live.admit("10.0.0.2") is None
    others = [live.connect("10.0.0.2") for _ in range(2)]
    newcomer = live.connect("10.0.0.3")  # the sixth: the oldest waiting socket makes room
    assert first[0].closing and "server is busy" in first[0].outbox.get_nowait()["error"]
    assert not any(c.closing for c in first[1:] + others) and not newcomer.closing


# ---------------------------------------------------------------------------------------------- rate limit
def test_rate_limit_per_participant_across_sockets():
    live, clock = make_live(rate=20, burst=40)
    _first, welcome = join(live, "10.0.0.5", CODE, "Li")
    sockets = []
    for _ in range(live.safety.sockets_per_identity - 1):
        conn = live.connect("10.0.0.5")
        assert send(live, conn, {"type": "rejoin", "token": welcome["token"]})[0]["type"] == "welcome"
        sockets.append(conn)
    sockets.append(_first)
    # one socket more than the seat may have is refused
    extra = live.connect("10.0.0.5")
    out = send(live, extra, {"type": "rejoin", "token": welcome["token"]})[0]
    assert out["type"] == "error" and "pages open already" in out["error"] and extra.closing
    clock.t += 10.0  # full budget
    # 8 sockets × 20 pings at one moment: the seat's burst of 40 in all, not 40 per socket
    replies = [send(live, s, {"type": "ping"})[0]["type"] for _ in range(20) for s in sockets]
    assert replies.count("pong") == 40 and replies.count("error") == 120
    clock.t += 1.0  # one second later: 20 more, shared
    replies = [send(live, s, {"type": "ping"})[0]["type"] for _ in range(5) for s in sockets]
    assert replies.count("pong") == 20
    # another person's budget is their own
    other, _ = join(live, "10.0.0.6", CODE, "Ma")
    assert send(live, other, {"type": "ping"})[0]["type"] == "pong"


# ---------------------------------------------------------------------------------------------- nesting
def test_deeply_nested_message_rejected_without_traceback(caplog, capfd):
    session = ClassroomSession(load_classroom(WATER), join_code=CODE, trainer_token="t")
    nested = "[" * 2000 + "]" * 2000  # 4,000 bytes: under the size limit
    deep_obj = '{"type":"ping","ref":"d","x":' + "[" * 1000 + "]" * 1000 + "}"

    async def go(host: str) -> None:
        async with websockets.connect(f"ws://{host}/ws") as ws:
            for text in (nested, deep_obj, nested.encode()):
                await ws.send(text)
                err = await until(ws, lambda m: m["type"] == "error")
                assert err["error"].startswith("message nested too deeply: ")
                assert f"at most {MAX_MESSAGE_DEPTH}" in err["error"] and err["ref"] is None
            await ws.send("[" * 5000)
            err = await until(ws, lambda m: m["type"] == "error")
            assert err["error"] == "message too long: 5,000 bytes, at most 4,096; send one small JSON object"
            # brackets inside strings are text, not nesting
            await ws.send(json.dumps({"type": "join", "name": "[" * 30, "code": "{" * 20, "ref": "s"}))
            assert (await until(ws, reply_to("s")))["error"] == "wrong join code"
            await ws.send(json.dumps({"type": "ping", "ref": "p"}))  # the connection lives on
            assert (await until(ws, lambda m: m.get("ref") == "p"))["type"] == "pong"

    with caplog.at_level(logging.DEBUG), serving(session, report=False) as (host, _live):
        asyncio.run(go(host))
    logged = capfd.readouterr()
    assert "Traceback" not in logged.err + logged.out and "RecursionError" not in logged.err + logged.out
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_nesting_depth_is_read_without_parsing():
    assert nesting_depth('{"a":[1,{"b":2}]}') == 3
    assert nesting_depth('{"a":"[[[[[[[[[[[["}') == 1
    assert nesting_depth(r'{"a":"\"[[[[[[[[[[[[\\"}') == 1
    assert nesting_depth("[" * 2000) == 2000
