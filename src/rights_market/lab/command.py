"""The ``rights-market lab`` command: serve the policy lab on this computer.

::

    rights-market lab [--host 127.0.0.1] [--port 8000] [--lang zh|en] [--allow-host NAME] [--root DIR]
                      [--workers N] [--scheduler ADDRESS]

Results go under ``--root`` (default ``results/lab``), one comparison directory per run. Bound to loopback
(the default) only this computer can open the lab; bound elsewhere, the page needs the token printed at start.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..inputerror import InputError


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the ``lab`` subcommand to the CLI's subparsers."""
    p = sub.add_parser("lab", help="the policy lab in the browser: change a rule, run plan and variant, compare")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this computer only)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000; 0: any free port)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language the page opens in (default zh)")
    p.add_argument("--allow-host", dest="allow_hosts", action="append", default=[], metavar="NAME",
                   help="also answer requests for this host name (repeatable)")
    p.add_argument("--root", type=Path, default=Path("results") / "lab",
                   help="folder of the lab's comparison directories and uploads (default results/lab)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="worker processes of the local Dask cluster (default: the cores; quick runs: 1)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="use an existing Dask cluster, e.g. tcp://10.0.0.5:8786")
    return p


def cmd_lab(args) -> int:
    """Serve the lab until Ctrl-C."""
    from ..classroom.command import _loopback, _public_address
    from ..classroom.server import bind
    from .server import Lab, make_server

    if not 0 <= args.port <= 65535:
        raise InputError(f"--port {args.port}: expected 0..65535")
    if args.workers is not None and args.workers < 1:
        raise InputError("--workers must be at least 1")
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        raise InputError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}; "
                         "choose another --port (or stop what uses it)") from exc
    lab = Lab(args.root, workers=args.workers, scheduler=args.scheduler)
    host, port = sock.getsockname()[:2]
    shown = _public_address(host)
    base = f"http://{f'[{shown}]' if ':' in shown else shown}:{port}"
    print(f"policy lab: {len(lab.shipped)} scenarios; results under {args.root}")
    print(f"open: {base}/#token={lab.token}")
    if not _loopback(host):
        print(f"note: listening on {host}: the page needs the token above for anything but reading")
    print("stop with Ctrl-C", flush=True)
    server = make_server(lab, sock, args.allow_hosts, lang=args.lang)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        for job in lab.jobs.values():
            job.cancel()
    return 0


__all__ = ["add_parser", "cmd_lab"]
