"""The lab's web server: FastAPI with the page, its JSON API and downloads; no CDN assets.

Routes (``{id}`` a job; every ``/api`` route but ``GET /api/labels`` and ``GET /api/scenarios`` needs the
``X-Lab-Token`` header, or ``?token=`` on a download link):

* ``GET /`` — the page (``static/lab.html``, its language from ``--lang``, a toggle in the page);
* ``GET /api/labels?lang=`` — the ``lab.*``, ``sector.*`` and ``unit.*`` words of the label catalogue;
* ``GET /api/scenarios`` — the shipped market scenarios (``scenarios/**/*.yaml`` that load as market
  scenarios, classroom and sweep files left out), and the uploaded ones;
* ``POST /api/upload?name=`` — a scenario file as the request body, at most ``scenario_bytes`` (the CLI's
  limit, :class:`rights_market.limits.Limits`), loaded with the limits in force; kept under
  ``ROOT/uploads/<sha256>.yaml``;
* ``GET /api/fields?scenario=&lang=`` — the form (:func:`rights_market.lab.fields.fields_for`);
* ``POST /api/check`` ``{scenario, changes}`` — the problems per field (:func:`~rights_market.lab.fields.check`);
* ``POST /api/export`` ``{scenario, changes, lang}`` — the xlsx sheet; ``POST /api/import?scenario=&lang=``
  (the workbook as the body) — the values it sets and its ``sheet:row: field: problem`` errors;
* ``POST /api/run`` ``{scenario, variants: [{name, changes}], replications, quick}`` — starts a job;
  ``GET /api/jobs/{id}`` — its state and, when done, the answers (:mod:`rights_market.lab.answers`);
  ``POST /api/jobs/{id}/cancel``;
* ``GET /api/jobs/{id}/files/{name}`` — ``report.html``, ``report.md``, ``compare.xlsx`` or
  ``variant-<name>.yaml`` of the job's comparison directory.

Safety: every request's ``Host`` must name a host this server serves (the classroom's
:class:`~rights_market.classroom.server.HostCheck`: no DNS rebinding). The token is random per server;
bound to loopback the page reads it from the page itself (no one else can load the page: the Host check
and the same-origin policy), bound elsewhere only from the address printed at start (``/#token=...``).
A custom header on every write makes a cross-site form or ``fetch`` impossible without a CORS preflight,
which this server never grants. Scenario names from the page are only ever those listed (shipped or
uploaded), never a path the page makes up.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from ..classroom.guard import LOOPBACK_HOSTS
from ..classroom.server import FONT, SECURITY_HEADERS, HostCheck
from ..lang import report_file
from ..limits import active
from ..scenario.errors import ScenarioError

STATIC = Path(__file__).resolve().parent / "static"
SHIPPED = Path(__file__).resolve().parents[3] / "scenarios"
PAGE_LANGS = ("zh", "en")
LABEL_PREFIXES = ("lab.", "sector.", "unit.", "metric.")
#: Files of a job's folder the page may download.
DOWNLOADS = {"report.html": "text/html; charset=utf-8", "report.md": "text/markdown; charset=utf-8",
             "compare.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def market_scenarios(root: Path = SHIPPED) -> list[Path]:
    """The market scenarios under ``root`` (``**/*.yaml`` that load as a :class:`Scenario` with a market)."""
    from ..loading import load_scenario

    out = []
    for path in sorted(root.glob("**/*.yaml")):
        head = path.read_text(encoding="utf-8", errors="replace")[:20000]
        if "\nclassroom:" in head or "\ndesign:" in head or "\nscenario:" in head:
            continue
        try:
            load_scenario(path)
        except (ScenarioError, OSError, ValueError):
            continue
        out.append(path)
    return out


class Lab:
    """The state of one lab server: scenarios offered, uploads, jobs; ``root`` is where results go."""

    def __init__(self, root: Path, scenarios: Iterable[Path] | None = None, token: str | None = None,
                 workers: int | None = None, scheduler: str | None = None) -> None:
        self.root = Path(root)
        self.token = token or secrets.token_urlsafe(24)
        self.workers, self.scheduler = workers, scheduler
        self.shipped = {self._key(p): p for p in (market_scenarios() if scenarios is None else scenarios)}
        self.uploads: dict[str, Path] = {}
        self.jobs: dict[str, Any] = {}

    @staticmethod
    def _key(path: Path) -> str:
        try:
            return str(path.resolve().relative_to(SHIPPED))
        except ValueError:
            return path.name

    def scenario(self, key: str) -> Path:
        path = self.shipped.get(key) or self.uploads.get(key)
        if path is None:
            raise LookupError(f"unknown scenario {key[:80]!r}: choose one of the list or upload one")
        return path


def _error(message: str, status: int = 400, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


async def _body(request: Request, limit: int) -> bytes | None:
    """The request body, or None once it is over ``limit`` bytes (read no further)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            return None
    return bytes(data)


def create_app(lab: Lab, allowed_hosts: Iterable[str] = LOOPBACK_HOSTS, lang: str = "zh",
               loopback: bool = True) -> FastAPI:
    """The lab's application (module docstring)."""
    from ..report.labels import LABELS
    from .fields import check, fields_for
    from .jobs import JobError, new_job
    from .sheet import read_sheet, sheet_bytes

    if lang not in PAGE_LANGS:
        raise ValueError(f"unknown page language {lang!r}; choose zh or en")
    app = FastAPI(title="rights-market lab", docs_url=None, redoc_url=None, openapi_url=None)

    @app.middleware("http")
    async def guard(request: Request, call_next):
        path = request.url.path
        if path.startswith("/api/") and path not in ("/api/labels", "/api/scenarios"):
            given = request.headers.get("x-lab-token") or request.query_params.get("token") or ""
            if not hmac.compare_digest(given.encode(), lab.token.encode()):
                response = _error("this lab needs its token: open the address printed when it started", 403)
            else:
                response = await call_next(request)
        else:
            response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.get("/")
    async def page() -> HTMLResponse:
        text = (STATIC / "lab.html").read_text(encoding="utf-8")
        text = text.replace('<html lang="zh-CN">', f'<html lang="{"zh-CN" if lang == "zh" else "en"}">', 1)
        # bound to loopback, the page carries its token (only this machine can load it); elsewhere it must
        # come from the printed address's fragment
        return HTMLResponse(text.replace("{{TOKEN}}", lab.token if loopback else "", 1))

    @app.get("/api/labels")
    async def labels(lang: str = lang) -> JSONResponse:
        if lang not in PAGE_LANGS:
            return _error(f"unknown language {lang[:20]!r}; choose zh or en")
        return JSONResponse({"lang": lang, "labels": {k: v for k, v in LABELS[lang].items()
                                                      if k.startswith(LABEL_PREFIXES)}})

    @app.get("/api/scenarios")
    async def scenarios() -> JSONResponse:
        return JSONResponse({"shipped": sorted(lab.shipped), "uploaded": sorted(lab.uploads)})

    @app.post("/api/upload")
    async def upload(request: Request, name: str = "upload.yaml") -> JSONResponse:
        from ..loading import load_scenario

        limit = active().scenario_bytes
        data = await _body(request, limit)
        if data is None:
            return _error(f"the file is over {limit:,} bytes, the limit of a scenario file (scenario_bytes; "
                          f"start the lab with --limit scenario_bytes=N to raise it)", 413)
        digest = hashlib.sha256(data).hexdigest()[:16]
        folder = lab.root / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{digest}.yaml"
        path.write_bytes(data)
        try:
            load_scenario(path)
        except ScenarioError as exc:
            path.unlink(missing_ok=True)
            shown = Path(name).name[:80] or "upload.yaml"
            return _error("\n".join(str(p).replace(str(path), shown) for p in exc.problems), 400)
        key = f"upload:{Path(name).name[:60]}:{digest}"
        lab.uploads[key] = path
        return JSONResponse({"scenario": key})

    @app.get("/api/fields")
    async def fields(scenario: str, lang: str = lang) -> JSONResponse:
        try:
            path = lab.scenario(scenario)
        except LookupError as exc:
            return _error(str(exc), 404)
        return JSONResponse({"scenario": scenario, "fields": [f.as_dict() for f in fields_for(path, lang)]})

    async def _json(request: Request) -> dict[str, Any] | None:
        data = await _body(request, active().scenario_bytes)
        try:
            value = json.loads(data) if data is not None else None
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def _changes(body: dict[str, Any]) -> dict[str, str]:
        raw = body.get("changes") or {}
        return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}

    async def _scenario_request(request: Request) -> tuple[dict[str, Any], Path] | JSONResponse:
        """The request's JSON object and the lab scenario it names, or the error to answer."""
        body = await _json(request)
        if body is None:
            return _error("expected a JSON object")
        try:
            return body, lab.scenario(str(body.get("scenario", "")))
        except LookupError as exc:
            return _error(str(exc), 404)

    @app.post("/api/check")
    async def check_values(request: Request) -> JSONResponse:
        got = await _scenario_request(request)
        if isinstance(got, JSONResponse):
            return got
        body, path = got
        checked = check(path, _changes(body))
        return JSONResponse({"ok": checked.ok, "by_field": checked.by_field, "general": checked.general})

    @app.post("/api/export")
    async def export(request: Request) -> Response:
        got = await _scenario_request(request)
        if isinstance(got, JSONResponse):
            return got
        body, path = got
        code = body.get("lang") if body.get("lang") in PAGE_LANGS else lang
        data = sheet_bytes(fields_for(path, code), _changes(body), code)
        return Response(data, media_type=DOWNLOADS["compare.xlsx"],
                        headers={"Content-Disposition": f'attachment; filename="lab-{path.stem[:60]}.xlsx"'})

    @app.post("/api/import")
    async def import_sheet(request: Request, scenario: str, lang: str = lang) -> JSONResponse:
        if lang not in PAGE_LANGS:
            return _error("unknown language")
        try:
            path = lab.scenario(scenario)
        except LookupError as exc:
            return _error(str(exc), 404)
        limit = active().scenario_bytes
        data = await _body(request, limit)
        if data is None:
            return _error(f"the workbook is over {limit:,} bytes", 413)
        got = read_sheet(data, path, fields_for(path, lang), lang)
        return JSONResponse({"changes": got.changes, "errors": got.errors})

    @app.post("/api/run")
    async def run(request: Request) -> JSONResponse:
        body = await _json(request)
        if body is None:
            return _error("expected a JSON object")
        try:
            path = lab.scenario(str(body.get("scenario", "")))
            variants = body.get("variants")
            if not isinstance(variants, list) or not all(isinstance(v, dict) for v in variants):
                raise JobError("variants: expected a list of {name, changes}")
            reps = body.get("replications", 3)
            if not isinstance(reps, int) or isinstance(reps, bool):
                raise JobError("replications: expected a whole number")
            job = new_job(path, variants, reps, bool(body.get("quick")), lab.root,
                          lang=body.get("lang") if body.get("lang") in PAGE_LANGS else lang,
                          workers=lab.workers, scheduler=lab.scheduler)
        except LookupError as exc:
            return _error(str(exc), 404)
        except JobError as exc:
            return _error(str(exc))
        lab.jobs[job.id] = job
        job.start()
        return JSONResponse(job.state())

    @app.get("/api/jobs/{job_id}")
    async def job_state(job_id: str) -> JSONResponse:
        job = lab.jobs.get(job_id)
        return JSONResponse(job.state()) if job else _error("no such run", 404)

    @app.post("/api/jobs/{job_id}/cancel")
    async def cancel(job_id: str) -> JSONResponse:
        job = lab.jobs.get(job_id)
        if job is None:
            return _error("no such run", 404)
        job.cancel()
        return JSONResponse(job.state())

    @app.get("/api/jobs/{job_id}/files/{name}")
    async def download(job_id: str, name: str) -> Response:
        job = lab.jobs.get(job_id)
        if job is None or job.status != "done":
            return _error("no finished run", 404)
        names = {f"variant-{v.name}.yaml" for v in job.variants}
        if name not in DOWNLOADS and name not in names:
            return _error("no such file", 404)
        media = DOWNLOADS.get(name, "application/x-yaml; charset=utf-8")
        disposition = "inline" if name == "report.html" else "attachment"
        # the comparison was written in the job's language: report.zh.html, compare.zh.xlsx in Chinese
        path = job.out / (report_file(name, job.lang) if name in DOWNLOADS else name)
        return FileResponse(path, media_type=media,
                            headers={"Content-Disposition": f'{disposition}; filename="{name}"'})

    @app.get("/font/sans-sc.otf")
    async def font() -> FileResponse:
        return FileResponse(FONT, media_type="font/otf")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(HostCheck, allowed=frozenset(allowed_hosts))
    return app


def make_server(lab: Lab, sock, allow_hosts: Iterable[str] = (), lang: str = "zh"):
    """A uvicorn server for ``lab`` on the bound ``sock`` (``server.run(sockets=[sock])``), answering to the
    host names of the address it serves and ``allow_hosts``."""
    import uvicorn

    from ..classroom.guard import served_hosts

    host, port = sock.getsockname()[:2]
    ip_loop = host in ("127.0.0.1", "::1") or host.startswith("127.")
    app = create_app(lab, served_hosts(host, allow_hosts), lang, loopback=ip_loop)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off", access_log=False)
    return uvicorn.Server(config)


__all__ = ["DOWNLOADS", "Lab", "create_app", "make_server", "market_scenarios"]
