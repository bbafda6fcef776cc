"""The classroom web server: FastAPI (Starlette) with one WebSocket endpoint, pages served from the package.

Routes:

* ``GET /`` — the participant page (join with a name and the join code, then trade);
* ``GET /trainer`` — the trainer page (the token goes in the URL fragment, ``/trainer#token=...``, so it is
  never sent in a request line or a referrer);
* ``GET /static/...`` — the pages' own CSS and JavaScript (no CDN: the pages work without internet);
* ``GET /labels.json?lang=zh`` — the pages' words in one language (``en``, ``zh``): the ``classroom.*``,
  ``reason.*``, ``mech.*``, ``action.*`` and ``unit.*`` labels of the report's catalogue
  (:mod:`rights_market.report.labels`). Both pages start in the server's language (``--lang``; written
  into ``<html lang>``) and have a toggle;
* ``GET /font/sans-sc.otf`` — the bundled Chinese font, used by the pages only on a device without one;
* ``GET /healthz`` — ``{"ok": true, "status": ...}``;
* ``WS /ws`` — the protocol of :mod:`~rights_market.classroom.messages`, handled by
  :class:`~rights_market.classroom.live.LiveClassroom`.

Every request, HTTP or WebSocket, must name in its ``Host`` header a host this server serves
(:func:`~rights_market.classroom.guard.served_hosts`), or it is answered 400: a web page whose own name was
made to resolve to this machine (DNS rebinding) cannot talk to the classroom. A WebSocket whose ``Origin``
names another host than the one it connects to is refused (no cross-site WebSocket hijacking); clients that
send no ``Origin`` (scripts) are accepted. Sockets that have not said hello are limited and timed out, apart
from identified ones (:mod:`~rights_market.classroom.guard`). Pages are sent with a strict
Content-Security-Policy (scripts and styles only from this server). FastAPI's own documentation pages are
switched off (they would load assets from a CDN).

:func:`serve` runs the app with uvicorn on a socket it binds itself, so a port in use is a clear error.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from .guard import LOOPBACK_HOSTS, host_allowed, host_name, served_hosts
from .live import Connection, LiveClassroom

STATIC = Path(__file__).resolve().parent / "static"
FONT = Path(__file__).resolve().parent.parent / "data" / "RightsMarketSansSC-Regular.otf"
#: The pages' languages and the label groups of the catalogue they use.
PAGE_LANGS = ("en", "zh")
PAGE_LABEL_PREFIXES = ("classroom.", "reason.", "mech.", "action.", "unit.")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
#: Headers every response of the classroom and the lab carries: the pages' policy, no type sniffing, no
#: referrer, never cached.
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def _same_origin(ws: WebSocket) -> bool:
    origin = ws.headers.get("origin")
    if origin is None:
        return True
    host = ws.headers.get("host", "")
    return urlsplit(origin).netloc.lower() == host.lower()


class HostCheck:
    """ASGI middleware: a request (HTTP or WebSocket) whose ``Host`` is not one of ``allowed`` gets a 400."""

    def __init__(self, app: ASGIApp, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            header = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"), None)
            if not host_allowed(header, self.allowed):
                if scope["type"] == "websocket" and "websocket.http.response" not in scope.get("extensions", {}):
                    await send({"type": "websocket.close", "code": 1008})
                    return
                name = host_name(header)
                text = (f"400 Bad Request: this classroom is not served as {name[:100]!r}; open it by the address the "
                        "trainer was given (start the server with --allow-host NAME to serve another name)\n"
                        if name else "400 Bad Request: a Host header is required\n")
                await PlainTextResponse(text, status_code=400, headers={"X-Content-Type-Options": "nosniff",
                                                                        "Cache-Control": "no-store"})(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _next_message(ws: WebSocket, conn: Connection) -> dict:
    """The next ASGI message of ``ws``. While the connection is not identified, ``{"type": "websocket.kicked"}``
    as soon as the classroom closes it on its own (no hello in time, or room made for a newer socket)."""
    if conn.kind is not None:
        return await ws.receive()
    receiving = asyncio.ensure_future(ws.receive())
    kicked = asyncio.ensure_future(conn.kicked.wait())
    try:
        await asyncio.wait({receiving, kicked}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        kicked.cancel()
        if not receiving.done():
            receiving.cancel()
    if receiving.done() and not receiving.cancelled():
        return receiving.result()
    return {"type": "websocket.kicked"}


def page_labels(lang: str) -> dict[str, str]:
    """The labels the classroom pages show in ``lang`` (ValueError for a language without a catalogue)."""
    from ..report.labels import LABELS

    if lang not in PAGE_LANGS:
        raise ValueError(f"unknown page language {lang!r}; choose one of {', '.join(PAGE_LANGS)}")
    return {k: v for k, v in LABELS[lang].items() if k.startswith(PAGE_LABEL_PREFIXES)}


def _page(name: str, lang: str) -> HTMLResponse:
    """A page of ``static/`` with its ``<html lang>`` set to the server's language (the page reads it)."""
    text = (STATIC / name).read_text(encoding="utf-8")
    return HTMLResponse(text.replace('<html lang="en">', f'<html lang="{"zh-CN" if lang == "zh" else "en"}">', 1))


def create_app(live: LiveClassroom, allowed_hosts: Iterable[str] = LOOPBACK_HOSTS, lang: str = "en") -> FastAPI:
    """The FastAPI application of one live classroom, answering to the host names ``allowed_hosts``
    (default: the loopback names; :func:`make_server` passes those of the address it serves); its pages
    open in ``lang`` (``en`` or ``zh``)."""
    page_labels(lang)  # refuses an unknown language now

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.get_running_loop().create_task(live.run())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await live.wait_written()

    app = FastAPI(title="rights-market classroom", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.get("/")
    async def participant_page() -> HTMLResponse:
        return _page("participant.html", lang)

    @app.get("/trainer")
    async def trainer_page() -> HTMLResponse:
        return _page("trainer.html", lang)

    @app.get("/labels.json")
    async def labels(lang: str = lang) -> JSONResponse:
        try:
            return JSONResponse({"lang": lang, "labels": page_labels(lang)})
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)

    @app.get("/font/sans-sc.otf")
    async def font() -> FileResponse:
        return FileResponse(FONT, media_type="font/otf")

    @app.get("/healthz")
    async def health() -> JSONResponse:
        return JSONResponse({"ok": True, "status": live.session.status, "name": live.session.scenario.name})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(HostCheck, allowed=frozenset(allowed_hosts))

    @app.websocket("/ws")
    async def websocket(ws: WebSocket) -> None:
        if not _same_origin(ws):
            await ws.close(code=1008, reason="cross-origin WebSocket refused")
            return
        address = ws.client.host if ws.client else "unknown"
        refusal = live.admit(address)
        if refusal is not None:
            await ws.close(code=1013, reason=refusal[:120])
            return
        await ws.accept()
        conn = live.connect(address)
        writer = asyncio.get_running_loop().create_task(live.writer(conn, ws.send_text))
        try:
            while not conn.closing:
                msg = await _next_message(ws, conn)
                if msg["type"] == "websocket.kicked":
                    break
                if msg["type"] == "websocket.disconnect":
                    break
                data = msg.get("text")
                if data is None:
                    data = msg.get("bytes") or b""
                live.receive(conn, data)
            if conn.closing:
                await asyncio.sleep(0)  # let the writer send the last answer
        except WebSocketDisconnect:
            pass
        finally:
            live.disconnect(conn)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer, timeout=2.0)
            writer.cancel()
            if conn.closing:
                with contextlib.suppress(Exception):
                    await ws.close(code=1008)

    return app


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (OSError with the reason if it cannot be had)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def make_server(live: LiveClassroom, sock: socket.socket, allow_hosts: Iterable[str] = (), lang: str = "en"):
    """A uvicorn server for ``live`` on the bound ``sock`` (call ``server.run(sockets=[sock])``), answering to
    the host names of the address it serves and to ``allow_hosts`` (``--allow-host``), pages in ``lang``.
    Unless ``live.join_base`` is set already (the command sets the address it prints), the join link of the
    trainer's QR code is the address of ``sock``."""
    import uvicorn

    host, port = sock.getsockname()[:2]
    if live.join_base is None:
        live.join_base = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    config = uvicorn.Config(create_app(live, served_hosts(host, allow_hosts), lang), host=host, port=port, log_level="warning", ws="websockets-sansio",
                            ws_max_size=64 * 1024, lifespan="on", access_log=False)
    return uvicorn.Server(config)


__all__ = ["HostCheck", "bind", "create_app", "make_server", "page_labels"]
