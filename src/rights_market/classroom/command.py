"""The ``rights-market classroom`` command: serve a classroom, or replay a session's event log.

::

    rights-market classroom SCENARIO [--host 127.0.0.1] [--port 8000] [--allow-host NAME] [--seed N]
                            [--set PATH=VALUE] [--out DIR] [--no-report] [--lang zh|en]
    rights-market classroom --replay RUN_DIR/events.jsonl [--out DIR] [--no-report]
    rights-market classroom SCENARIO --check          # validate, print seats and equilibrium, stop
    rights-market classroom scenarios/teaching/smith1962_test1.yaml [--people N]   # a teaching market, live

Serving prints the trainer's URL and token and the participants' URL and join code, writes the event log
to a journal as it grows (so even a crashed session can be replayed), and writes the run directory when
the session is finished (or when the server is stopped with Ctrl-C). The server binds to loopback unless
``--host`` says otherwise, and answers only requests whose ``Host`` names the address it serves (with
``--host 0.0.0.0``: this machine's addresses and names) or a name given with ``--allow-host``.
"""

from __future__ import annotations

import argparse
import ipaddress
from datetime import datetime
from pathlib import Path

from ..inputerror import InputError


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the ``classroom`` subcommand to the CLI's subparsers."""
    cls = sub.add_parser("classroom", help="run a live classroom market in the browser (or replay one)")
    cls.add_argument("scenario", type=Path, nargs="?",
                     help="a classroom scenario file (classroom: section) or a teaching market (teaching: section)")
    cls.add_argument("--people", type=int, default=None, metavar="N",
                     help="teaching markets: seats for people (buyer 1, seller 1, buyer 2, ... in turn); robots "
                          "play the other traders (default: people play every trader)")
    cls.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default 127.0.0.1: this computer only; 0.0.0.0 for a class network)")
    cls.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    cls.add_argument("--allow-host", dest="allow_hosts", action="append", default=[], metavar="NAME",
                     help="also answer requests for this host name (e.g. a DNS name of this computer); repeatable")
    cls.add_argument("--seed", type=int, default=None, help="seed of the robots (default: the scenario's)")
    cls.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                     help="override a scenario value, e.g. --set classroom.periods=2 (repeatable)")
    cls.add_argument("--out", type=Path, default=None,
                     help="run directory for the results (default results/<name>-seed<N>-<hash>-<time>)")
    cls.add_argument("--no-report", action="store_true", help="do not write report.html/report.md")
    cls.add_argument("--lang", choices=("en", "zh"), default=None,
                     help="language the pages open in (each page has a toggle); default from the locale (LANG)")
    cls.add_argument("--check", action="store_true", help="check the scenario, print its seats and equilibrium, and stop")
    cls.add_argument("--replay", type=Path, default=None, metavar="EVENTS_JSONL",
                     help="replay an event log (events.jsonl of a run, or a journal) and write its run")
    return cls


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _public_address(host: str) -> str:
    """The address to print for a server bound to ``host``: for 0.0.0.0/:: one of this machine's own
    addresses (the Host check refuses names it does not serve), else ``host``."""
    from .guard import machine_addresses

    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host
    if not ip.is_unspecified:
        return host
    mine = []
    for a in machine_addresses():
        try:
            addr = ipaddress.ip_address(a)
        except ValueError:
            continue
        if addr.version == ip.version and not addr.is_loopback and not addr.is_link_local:
            mine.append(addr)
    return str(sorted(mine)[0]) if mine else ("127.0.0.1" if ip.version == 4 else "::1")


def _default_lang() -> str:
    """``zh`` when the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``) is Chinese, else ``en``."""
    import os

    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def cmd_classroom(args) -> int:
    """Serve or replay (see the module docstring); exit code 0, or InputError/ScenarioError for bad input."""
    from ..outdir import claim

    if args.out is not None:  # refused now, not when the class is over
        claim(args.out, "run", option="--out")
    if args.replay is not None:
        if args.scenario is not None:
            raise InputError("give a classroom scenario or --replay EVENTS_JSONL, not both")
        return _replay(args, InputError)
    if args.scenario is None:
        raise InputError("give a classroom scenario file, e.g. scenarios/classroom/water_market.yaml")
    if not 0 <= args.port <= 65535:
        raise InputError(f"--port {args.port}: expected 0..65535")
    from . import load_classroom
    from .live import LiveClassroom
    from .server import bind, make_server
    from .session import ClassroomSession, SessionError

    scenario = load_classroom(args.scenario, args.overrides, people=args.people)
    if args.seed is not None and args.seed < 0:
        raise InputError("--seed must not be negative")
    if args.check:
        return _check(scenario)
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        raise InputError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}; "
                         "choose another --port (or stop what uses it)") from exc
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    journal = Path("results") / "classroom-journals" / f"{scenario.name}-{stamp}.events.jsonl"
    try:
        session = ClassroomSession(scenario, args.seed, journal=journal)
    except (SessionError, OSError) as exc:
        sock.close()
        raise InputError(str(exc)) from exc
    host, port = sock.getsockname()[:2]
    shown = _public_address(host)
    shown = f"[{shown}]" if ":" in shown else shown
    base = f"http://{shown}:{port}"
    spec = scenario.classroom
    humans = sum(g.count for g in spec.seats if g.player == "human")
    print(f"classroom: {scenario.name} — {spec.n_seats} seats: {humans} for people, {spec.n_seats - humans} robots; "
          f"{spec.periods} periods of {spec.period_seconds} s")
    print(f"trainer:      {base}/trainer#token={session.trainer_token}")
    print(f"trainer token: {session.trainer_token}")
    print(f"participants: {base}/   join code {session.join_code}")
    print(f"event journal: {journal}  (replay: rights-market classroom --replay {journal})")
    if not _loopback(host):
        print(f"note: listening on {host}: anyone who can reach this computer and has the join code can join")
    print("stop with Ctrl-C; the results are written when the session is finished or stopped", flush=True)
    live = LiveClassroom(session, out=args.out, report=not args.no_report, join_base=base)
    server = make_server(live, sock, args.allow_hosts, lang=getattr(args, "lang", None) or _default_lang())
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # Ctrl-C is how a trainer stops the server: not an error
        pass
    finally:
        sock.close()
        try:
            live.write_now()
        finally:
            session.close()
        for epoch, p in sorted(live.results.items()):
            print(f"written: {p}" + (f" (after reset {epoch})" if epoch else ""))
        if not live.results:
            print("nothing happened; nothing was written")
    return 0


def _check(scenario) -> int:
    """Print what a classroom holds: seats by role and player, and the competitive equilibrium."""
    from .engine import build_seats
    from .roles import label_text
    from .trading import format_price
    from .values import competitive_equilibrium

    spec = scenario.classroom
    seats = build_seats(scenario)
    print(f"ok: {scenario.name} — {spec.product} in lots of {spec.lot:,} {spec.unit}, base price "
          f"{spec.base_price_yuan} yuan/{spec.unit}, {spec.periods} periods of {spec.period_seconds} s")
    for g in spec.seats:
        role = spec.roles[g.role]
        print(f"  {g.count:>3} × {g.role} ({role.type}) played by {g.player}: {label_text(role.label)}")
    eq = competitive_equilibrium([s.valuation for s in seats], spec.lot)
    if eq is None:
        print("equilibrium with every seat taken: no trade")
    else:
        print(f"equilibrium with every seat taken: {eq.lots * spec.lot:,} {spec.unit} a period at "
              f"{format_price(eq.price_low_ticks)}–{format_price(eq.price_high_ticks)} yuan/{spec.unit}")
    for lot in spec.listings:
        print(f"  listing {lot.name}: period {lot.period + 1}, {lot.quantity:,} {spec.unit} from {lot.start_yuan} yuan")
    return 0


def _replay(args, input_error) -> int:
    from .engine import ReplayError
    from .export import write_session
    from .session import replay

    try:
        session = replay(args.replay)
    except (OSError, ValueError, KeyError, ReplayError) as exc:
        raise input_error(f"{args.replay}: cannot replay: {exc}") from exc
    out = write_session(session, args.out, report=not args.no_report)
    eng = session.engine
    print(f"replayed {len(session.log.events)} events of {session.scenario.name}: {len(eng.trading.tape)} trades, "
          f"{len(eng.results)} periods")
    for r in eng.results:
        eff = "—" if r.max_gains <= 0 else f"{r.efficiency:.1%}"
        print(f"period {r.period + 1}: {r.trades} trades, {r.volume:,} {eng.spec.unit}, efficiency {eff}")
    print(f"written: {out}")
    return 0


__all__ = ["add_parser", "cmd_classroom"]
