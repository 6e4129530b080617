"""The web UI and JSON API: ``create_app(settings)`` → a FastAPI app over one open store.

Server-rendered Jinja2 pages (autoescape on: article text and metadata are untrusted and are
only ever rendered as text), each with a JSON twin; a JSON API under ``/api`` documented by
its OpenAPI schema (``/api/openapi.json``, browsable at ``/api``). Every response carries a
strict Content-Security-Policy; pages work without JavaScript.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.responses import FileResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsdesk.api import excerpt, open_store, quoted
from newsdesk.models import UNKNOWN_OUTLET
from newsdesk.settings import Settings
from newsdesk.store import Store
from newsdesk.web import alerts, front, positions, routes, threads, versions
from newsdesk.web.pages import features
from newsdesk.web.pages.stories import warm_story_views

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent

# No inline script or style anywhere, no third-party origin: the policy can be this strict.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
STATIC_MAX_AGE = 3600


MAX_BODY_BYTES = 8_000_000  # a request body over this is refused (413) before it is parsed
MAX_URL_BYTES = 8_192  # path + query over this: 414
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Limits:
    """Pure ASGI middleware: refuses oversized URLs (414) and bodies (413) before any route
    reads them, and limits each client address to ``per_minute`` writes (429).

    A body is read into memory only up to ``MAX_BODY_BYTES`` (a declared Content-Length over it
    is refused at once), then handed on to the route. The rate limit is a sliding window per
    client address, in this process (a server with several processes has one window in each).
    """

    def __init__(self, app: ASGIApp, per_minute: int = 0) -> None:
        self.app = app
        self.per_minute = per_minute
        self.writes: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("raw_path") or scope["path"]) + len(scope.get("query_string", b"")) > (
            MAX_URL_BYTES
        ):
            await _refuse(send, 414, "request URL too long")
            return
        if scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        if not self._allowed(scope):
            await _refuse(send, 429, "too many writes: try again in a minute", retry=60)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
            await _refuse(send, 413, f"request body over {MAX_BODY_BYTES:,} bytes")
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > MAX_BODY_BYTES:
                await _refuse(send, 413, f"request body over {MAX_BODY_BYTES:,} bytes")
                return
            if not message.get("more_body"):
                break
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    def _allowed(self, scope: Scope) -> bool:
        if self.per_minute <= 0:
            return True
        client = (scope.get("client") or ("?", 0))[0]
        now = time.monotonic()
        with self.lock:
            window = self.writes.setdefault(client, deque())
            while window and now - window[0] > 60:
                window.popleft()
            if len(window) >= self.per_minute:
                return False
            window.append(now)
            if len(self.writes) > 10_000:  # forget idle clients: bounded memory
                for key in [k for k, w in self.writes.items() if not w or now - w[-1] > 60]:
                    del self.writes[key]
            return True


async def _refuse(send: Send, status: int, detail: str, retry: int | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if retry:
        headers.append((b"retry-after", str(retry).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Pure ASGI middleware: security headers on every response, cache headers on static files, HEAD."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")
        head = scope["method"] == "HEAD"
        if head:  # HEAD is GET without the body (FastAPI routes declare GET only)
            scope = dict(scope, method="GET")

        async def send_with_headers(message: Message) -> None:
            if head and message["type"] == "http.response.body":
                message = dict(message, body=b"")
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                have = {k.lower() for k, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in have)
                if static and b"cache-control" not in have:
                    headers.append((b"cache-control", f"public, max-age={STATIC_MAX_AGE}".encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # the templates ship with the package: no stat() per render
    )
    env.filters["day"] = _day
    env.filters["clock"] = _clock
    env.filters["seg"] = lambda s: quote(str(s), safe="")
    env.filters["count"] = _count
    env.filters["excerpt"] = excerpt
    env.filters["quoted"] = quoted  # “text” once, whatever marks the text already carries
    env.globals["unknown_outlet"] = UNKNOWN_OUTLET
    return env


def _day(value: Any) -> str:
    if not value:
        return ""
    try:
        d = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return d.strftime("%-d %b %Y")


def _clock(value: Any) -> str:
    """An ISO time as the front page says it: ``14:02 UTC`` today, ``2 Dec, 14:02 UTC`` before."""
    try:
        t = datetime.fromisoformat(str(value)).astimezone(UTC)
    except ValueError:
        return str(value)
    if t.date() == datetime.now(UTC).date():
        return t.strftime("%H:%M UTC")
    return t.strftime("%-d %b, %H:%M UTC")


def _count(n: Any, one: str) -> str:
    """``1 article``, ``3 articles``, ``2 stories``: a number and its noun, agreeing."""
    many = one[:-1] + "ies" if one.endswith("y") else one + "s"
    return f"{n} {one if n == 1 else many}"


def create_app(
    settings: Settings | None = None, store: Store | None = None, warm: bool = False
) -> FastAPI:
    """The FastAPI app serving ``settings.db`` (or an already open ``store``).

    ``warm``: compute the front page's story views in a background thread at start.
    """
    settings = settings or Settings.load()
    app = FastAPI(
        title="newsdesk API",
        summary="Stories, articles, summaries, quotes, people and search over a newsdesk store.",
        description=(
            "Reads are open unless the server sets `public_reads = false`; then, like writes, they "
            "need the token (`Authorization: Bearer TOKEN`). `POST /api/articles` ingests documents "
            "in the JSONL schema and needs the token from the `api_token` setting (empty: writes off). "
            "Every HTML page has a JSON twin: add `.json` to its path or send `Accept: application/json`."
        ),
        version=_version(),
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger/ReDoc load scripts from a CDN: off (strict CSP, no network); see /api
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store or open_store(settings.db)
    app.state.templates = templates()
    app.state.features = features()
    app.add_middleware(Limits, per_minute=settings.write_rate_limit)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:  # browsers ask for it on pages without an icon link (JSON twins)
        return FileResponse(
            HERE / "static" / "favicon.svg",
            media_type="image/svg+xml",
            headers={"Cache-Control": f"public, max-age={STATIC_MAX_AGE}"},
        )

    positions.install(app)  # before routes: its paths are more specific than /story/{id}
    versions.install(app)
    alerts.install(app)
    threads.install(app)
    front.install(app)
    routes.install(app)
    if warm:
        threading.Thread(
            target=_warm, args=(app.state.store, settings), name="newsdesk-warm", daemon=True
        ).start()
    return app


def _warm(store: Store, settings: Settings) -> None:
    """Story views are computed on demand and cached: fill the cache for the front page's stories."""
    try:
        log.info("warmed %d story views", warm_story_views(store, settings))
    except Exception:  # best effort only: a failure here just leaves the cache cold
        log.warning("warming story views failed", exc_info=True)


def _version() -> str:
    try:
        return version("newsdesk")
    except PackageNotFoundError:  # running from a checkout that is not installed
        return "0"
