"""Identity, validation and safety of the live classroom, driven without HTTP: the session (seats, tokens,
join code) and the live driver's message handling (pydantic-validated messages, trainer token, rejoin)."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path

import pytest
from live_messages import FakeClock, answers, send

from rights_market.classroom import ClassroomSession, SessionError, load_classroom
from rights_market.classroom.live import Connection, LiveClassroom
from rights_market.classroom.messages import MAX_MESSAGE_BYTES, MessageError, parse
from rights_market.classroom.values import competitive_equilibrium
from rights_market.classroom.views import participant_state, trainer_state

ROOT = Path(__file__).resolve().parents[2]
WATER = ROOT / "scenarios" / "classroom" / "water_market.yaml"


def make_live(**kw) -> tuple[LiveClassroom, FakeClock]:
    clock = FakeClock()
    sc = load_classroom(WATER)
    session = ClassroomSession(sc, join_code="246810", trainer_token="trainer-secret")
    return LiveClassroom(session, clock=clock, **kw), clock


def trainer(live: LiveClassroom) -> Connection:
    conn = live.connect()
    assert send(live, conn, {"type": "trainer_hello", "token": "trainer-secret"})[0]["type"] == "welcome"
    return conn


def participant(live: LiveClassroom, name: str) -> tuple[Connection, dict]:
    conn = live.connect()
    welcome = send(live, conn, {"type": "join", "name": name, "code": "246810"})[0]
    assert welcome["type"] == "welcome", welcome
    return conn, welcome


# ---------------------------------------------------------------------------------------------- session
def test_join_needs_the_code_and_hands_out_human_seats_in_turn():
    s = ClassroomSession(load_classroom(WATER), join_code="111")
    with pytest.raises(SessionError, match="wrong join code"):
        s.join("Li", "112")
    with pytest.raises(SessionError, match="1 to 40 characters"):
        s.join("   ", "111")
    with pytest.raises(SessionError, match="control characters"):
        s.join("Li\x07", "111")
    seats = [s.join(name, "111") for name in ("  Li   Hua ", "Li Hua", "Wang", "Zhao")]
    assert [s.seats[seat].role_name for seat, _ in seats] == ["farm_a", "firm_a", "farm_b", "firm_b"]
    assert [s.people[seat].name for seat, _ in seats] == ["Li Hua", "Li Hua (2)", "Wang", "Zhao"]
    assert len({token for _, token in seats}) == 4 and all(len(token) >= 24 for _, token in seats)
    assert s.seat_of_token(seats[2][1]) == seats[2][0] and s.seat_of_token("nope") is None
    with pytest.raises(SessionError, match="full"):
        s.join("Qian", "111")
    assert all(not s.seats[seat].is_robot for seat, _ in seats)


def test_message_models_refuse_what_is_not_exactly_a_message():
    ok = parse('{"type": "order", "side": "buy", "price": "1.081", "quantity": 10, "ref": "a"}')
    assert (ok.side, str(ok.price), ok.quantity) == ("buy", "1.081", 10)
    bad = [
        "not json", "[1, 2]", '{"type": "nope"}', '{"type": "order", "side": "buy", "price": "1", "quantity": 10, "seat": 3}',
        '{"type": "order", "side": "up", "price": "1", "quantity": 10}',
        '{"type": "order", "side": "buy", "price": "1.00001", "quantity": 10}',
        '{"type": "order", "side": "buy", "price": "-1", "quantity": 10}',
        '{"type": "order", "side": "buy", "price": "NaN", "quantity": 10}',
        '{"type": "order", "side": "buy", "price": "1", "quantity": 10.5}',
        '{"type": "order", "side": "buy", "price": "1", "quantity": "10"}',
        '{"type": "order", "side": "buy", "price": "1"}', '{"type": "cancel", "order_id": -4}',
        '{"type": "control", "action": "explode"}', '{"type": "join", "name": "x", "code": 123}',
        '{"type": "ping", "ref": "' + "r" * 80 + '"}', '{"type": "ping", "pad": "' + "x" * MAX_MESSAGE_BYTES + '"}',
        b"\xff\xfe",
    ]
    for text in bad:
        with pytest.raises(MessageError):
            parse(text)


# ---------------------------------------------------------------------------------------------- live
def test_bad_messages_are_answered_with_an_error_and_change_nothing():
    live, _ = make_live()
    conn, _ = participant(live, "Li")
    before = len(live.session.log.events)
    for text in ("{", '{"type":"order","side":"buy","price":"1","quantity":0}', '{"type":"order","trader":2}',
                 '"order"', '{"type":"bid","lot":"","price":"1"}'):
        out = send(live, conn, text)
        assert len(out) == 1 and out[0]["type"] == "error" and out[0]["error"].startswith("invalid message")
        assert out[0]["problems"]
    assert len(live.session.log.events) == before and not conn.closing
    # a bad message echoes its ref when it has one, so the client can tell which it was
    out = send(live, conn, '{"type":"order","side":"buy","price":"x","quantity":1,"ref":"r9"}')
    assert out[0]["ref"] == "r9"


def test_identity_comes_from_the_connection_not_the_message():
    live, clock = make_live()
    t = trainer(live)
    a, wa = participant(live, "A")
    b, wb = participant(live, "B")
    send(live, t, {"type": "control", "action": "start"})
    clock.t += 2.0
    ack = send(live, a, {"type": "order", "side": "sell", "price": "1.9", "quantity": 20, "ref": "x"})[0]
    assert ack["ok"] and ack["ref"] == "x"
    order = live.session.engine.trading.orders[ack["order_id"]]
    assert order.account == wa["seat"]
    # B cannot cancel A's order, whatever it knows of it
    nack = send(live, b, {"type": "cancel", "order_id": ack["order_id"]})[0]
    assert (nack["ok"], nack["reason"]) == (False, "unknown_order")
    assert live.session.engine.trading.orders[ack["order_id"]].remaining == 20
    # and a message naming a seat or a trader is not a message
    out = send(live, b, {"type": "cancel", "order_id": ack["order_id"], "seat": wa["seat"]})[0]
    assert out["type"] == "error" and "seat" in out["error"]
    # B's own order is B's; A's view shows A's order only, B's B's
    ack_b = send(live, b, {"type": "order", "side": "buy", "price": "0.5", "quantity": 10})[0]
    assert live.session.engine.trading.orders[ack_b["order_id"]].account == wb["seat"]
    assert [o["id"] for o in live.state_for(a)["me"]["orders"]] == [ack["order_id"]]
    assert [o["id"] for o in live.state_for(b)["me"]["orders"]] == [ack_b["order_id"]]
    assert "seats" not in live.state_for(b) and "join_code" not in live.state_for(b)


def test_the_trainer_token_is_needed_for_controls_and_only_people_trade():
    live, _ = make_live()
    stranger = live.connect()
    out = send(live, stranger, {"type": "order", "side": "buy", "price": "1", "quantity": 10})
    assert "say who you are first" in out[0]["error"]
    out = send(live, stranger, {"type": "control", "action": "start"})
    assert out[0]["type"] == "error" and live.session.status == "ready"
    out = send(live, stranger, {"type": "trainer_hello", "token": "guess"})
    assert out[0]["error"] == "wrong trainer token" and stranger.closing
    p, _ = participant(live, "P")
    out = send(live, p, {"type": "control", "action": "start"})
    assert "only the trainer" in out[0]["error"] and live.session.status == "ready"
    t = trainer(live)
    out = send(live, t, {"type": "order", "side": "buy", "price": "1", "quantity": 10})
    assert "only a participant" in out[0]["error"]
    out = send(live, t, {"type": "trainer_hello", "token": "trainer-secret"})
    assert "already identified" in out[0]["error"]
    assert send(live, t, {"type": "control", "action": "step"})[0]["ok"]
    assert live.session.status == "paused"
    out = send(live, t, {"type": "control", "action": "pause"})
    assert out[0]["error"] == "the market is not running"
    state = live.state_for(t)
    assert state["join_code"] == "246810" and len(state["seats"]) == 12
    assert "trainer-secret" not in json.dumps(state) and "token" not in json.dumps(participant_state(live.session, 0))


def test_rejoin_with_the_token_restores_seat_orders_and_holdings():
    live, clock = make_live()
    t = trainer(live)
    conn, welcome = participant(live, "Li")
    seat, token = welcome["seat"], welcome["token"]
    send(live, t, {"type": "control", "action": "start"})
    clock.t += 3.0
    send(live, conn, {"type": "order", "side": "sell", "price": "0.01", "quantity": 30})  # crosses any robot bid
    ack = send(live, conn, {"type": "order", "side": "sell", "price": "9.5", "quantity": 40})[0]
    before = live.state_for(conn)["me"]
    assert live.session.people[seat].connections == 1
    live.disconnect(conn)
    assert live.session.people[seat].connections == 0
    clock.t += 1.0
    again = live.connect()
    out = send(live, again, {"type": "rejoin", "token": token})[0]
    assert (out["type"], out["seat"], out["name"]) == ("welcome", seat, "Li")
    after = live.state_for(again)["me"]
    assert after["seat"] == seat and after["holding"] == before["holding"] and after["cash_fen"] == before["cash_fen"]
    assert [o["id"] for o in after["orders"]] == [o["id"] for o in before["orders"]]
    assert ack["order_id"] in [o["id"] for o in after["orders"]]
    assert live.session.people[seat].connections == 1
    wrong = live.connect()
    assert "unknown token" in send(live, wrong, {"type": "rejoin", "token": token + "x"})[0]["error"]
    # the seat stays the person's: nobody else is given it
    assert seat not in live.session.free_seats()


def test_trading_waits_while_paused_and_floods_are_refused():
    live, clock = make_live(rate=5, burst=5)
    t = trainer(live)
    p, _ = participant(live, "P")
    out = send(live, p, {"type": "order", "side": "sell", "price": "1.2", "quantity": 10})[0]
    assert (out["ok"], out["reason"]) == (False, "market_paused")
    assert not any(e["kind"] == "order" for e in live.session.log.events)
    clock.t += 10.0
    replies = [send(live, p, {"type": "ping"})[0]["type"] for _ in range(7)]
    assert replies[:5] == ["pong"] * 5 and replies[5:] == ["error", "error"]
    clock.t += 1.0  # five more tokens a second
    assert send(live, p, {"type": "ping"})[0]["type"] == "pong"
    assert t.kind == "trainer"


def test_wrong_join_codes_close_the_connection_after_five():
    live, _ = make_live()
    conn = live.connect()
    for i in range(5):
        out = send(live, conn, {"type": "join", "name": "X", "code": "000000"})
        assert out[0]["error"] == "wrong join code"
        assert conn.closing == (i == 4)


def test_finishing_writes_the_run_and_tells_the_trainer(tmp_path):
    async def scenario() -> tuple[list[dict], Path]:
        live, clock = make_live(out=tmp_path / "run", report=False)
        t = trainer(live)
        p, _ = participant(live, "P")
        send(live, t, {"type": "control", "action": "start"})
        clock.t += 5.0
        send(live, p, {"type": "order", "side": "sell", "price": "0.01", "quantity": 20})
        clock.t += 5.0
        send(live, t, {"type": "control", "action": "finish"})
        await live.wait_written()
        return answers(t), live.results[0]

    msgs, path = asyncio.run(scenario())
    assert path == tmp_path / "run" and (path / "trades.parquet").is_file() and (path / "events.jsonl").is_file()
    assert {"type": "results", "path": str(path), "epoch": 0} in msgs
    man = json.loads((path / "manifest.json").read_text())
    assert man["classroom"]["people"] == 1 and man["classroom"]["periods_played"] == 1


def test_trainer_view_shows_the_w9_bands_biting():
    live, clock = make_live()
    t = trainer(live)
    p1, _ = participant(live, "farm")
    p2, w2 = participant(live, "firm")
    send(live, t, {"type": "control", "action": "start"})
    clock.t += 1.0
    live.tick()
    bands = trainer_state(live.session)["bands"]
    # every firm with a surcharge is 200-300 m³ short of its 800-1,000 m³ plan: band 1 bites; the rest is abated
    assert bands["firms"] == 5 and [b["band"] for b in bands["bands"]] == [1]
    firm_a = [b for b in bands["bands"] if b["band"] == 1][0]
    assert firm_a["rate"] == 16_500 and firm_a["quantity"] > 0 and bands["abated"] > 0
    assert live.state_for(p2)["me"]["bill"]["total_fen"] == 60_500  # firm A: 165.00 surcharge + 440.00 abatement


def test_an_internal_error_is_answered_and_the_connection_lives_on(monkeypatch):
    live, clock = make_live()
    t = trainer(live)
    p, _ = participant(live, "P")
    send(live, t, {"type": "control", "action": "start"})

    def broken(*_args, **_kw):
        raise RuntimeError("boom")

    monkeypatch.setattr(live.session, "order", broken)
    out = send(live, p, {"type": "order", "side": "sell", "price": "1", "quantity": 10, "ref": "z"})
    assert out == [{"type": "error", "ref": "z", "code": "internal_error", "params": {"error": "RuntimeError"},
                    "error": "internal error while handling the message: RuntimeError"}]
    assert send(live, p, {"type": "ping"})[0]["type"] == "pong" and not p.closing


# ------------------------------------------------------------------------------- teaching markets, live

TEACHING = ROOT / "scenarios" / "teaching"


def test_a_teaching_market_becomes_a_classroom_of_its_traders():
    """Smith's Test 1: 11 buyers and 11 sellers, one unit each, become 22 seats in the order buyer 1, seller 1,
    buyer 2, ...; people get the first seats, robots of the file's behaviour the rest; the classroom's
    competitive equilibrium is Smith's (P0 = 2.00; five units with surplus, the sixth at none)."""
    sc = load_classroom(TEACHING / "smith1962_test1.yaml", people=4)
    spec = sc.classroom
    assert (sc.name, sc.seed, spec.product, spec.lot, spec.price_step_yuan) == (
        "smith1962_test1", 20210701, "teaching.unit", 1, Decimal("0.01"))
    assert (spec.price_min_yuan, spec.price_max_yuan, spec.base_price_yuan) == (
        Decimal("0.01"), Decimal("4"), Decimal("2.00"))
    assert spec.periods == 10  # one per trading day of the file
    assert [g.role for g in spec.seats[:4]] == ["buyer_1", "seller_1", "buyer_2", "seller_2"]
    assert [g.player for g in spec.seats] == ["human"] * 4 + ["zi_c"] * 18
    assert spec.roles["buyer_3"].values_yuan == [Decimal("2.75")]
    assert spec.roles["seller_11"].costs_yuan == [Decimal("3.25")]
    session = ClassroomSession(sc, join_code="1", trainer_token="t")
    assert session.human_order == [0, 1, 2, 3]
    full = competitive_equilibrium([seat.valuation for seat in session.seats], 1)
    assert (full.lots, full.price_low_ticks, full.price_high_ticks) == (5, 20_000, 20_000)  # ticks of 0.0001 yuan
    eq = trainer_state(session)["equilibrium"]  # of the seats in play: no one has joined, robots 3..11 a side
    assert (eq["quantity"], eq["low"], eq["high"]) == (3, 20_000, 20_000)
    # by default people play every trader (Smith's design); --set changes the classroom made
    every = load_classroom(TEACHING / "cliff1997_symmetric.yaml", ["classroom.periods=3"])
    assert every.classroom.periods == 3 and {g.player for g in every.classroom.seats} == {"human"}


def test_a_zip_teaching_market_gets_zip_robots_with_its_parameters():
    sc = load_classroom(TEACHING / "smith1962_test1_zip.yaml", people=0)
    assert {g.player for g in sc.classroom.seats} == {"zip"}
    assert sc.classroom.robots.zip.learning_rate == (0.1, 0.5)


def test_what_a_teaching_market_cannot_be_live_is_refused_at_its_place(tmp_path):
    from rights_market.inputerror import InputError
    from rights_market.scenario import ScenarioError

    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: " + str(TEACHING / "smith1962_test1.yaml") + "\nname: bad\n"
                   "teaching:\n  buyers_yuan: [[1.00, 2.00], 3.001]\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_classroom(bad, people=0)
    text = str(info.value)
    assert f"{bad}:4:17: teaching.buyers_yuan.0: the classroom trades a trader's units from the highest" in text
    assert "teaching.buyers_yuan.1: the classroom trades in whole fen" in text
    with pytest.raises(ScenarioError, match="robots play zi_c, truthful, zip, not zi_u"):
        load_classroom(TEACHING / "smith1962_test1.yaml", ["teaching.buyer_behaviour.type=zi_u"], people=3)
    with pytest.raises(ScenarioError, match=r"--people 23: expected 0\.\.22"):
        load_classroom(TEACHING / "smith1962_test1.yaml", people=23)
    with pytest.raises(InputError, match="--people is for teaching markets"):
        load_classroom(WATER, people=2)
