"""Commands for the web UI and search: serve, search."""

from __future__ import annotations

import functools
import socket
from datetime import date
from typing import Annotated

import typer
import uvicorn
from rich.markup import escape
from rich.table import Table
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from newsdesk import api
from newsdesk.cli.common import (
    STORE,
    JsonFlag,
    app,
    console,
    err_console,
    fail,
    handled,
    opened,
    print_json,
    with_settings,
)
from newsdesk.models import SearchFilters
from newsdesk.settings import Settings
from newsdesk.web.app import create_app

# seconds: a spawned worker answers health checks once it has imported the web app, which took
# 11 s on the loaded 2-core machine; uvicorn's default of 5 s would kill it as hung, over and over
WORKER_START_TIMEOUT = 120


@app.command()
@with_settings(
    *STORE,
    "encoder",
    "public_reads",
    "write_rate_limit",
    "serve_workers",
    aliases={"serve_workers": ("--workers",)},
)
def serve(
    settings: Settings,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the web UI and the JSON API (/api) over the store.

    Writes (POST /api/articles) need the api_token setting (env NEWSDESK_API_TOKEN).
    --workers N: N server processes share the socket (pages on several cores at once).

    Example:  newsdesk serve --db demo.db --port 8000 --workers 2
    """
    workers = settings.serve_workers
    if workers < 1:
        raise typer.BadParameter("must be 1 or more", param_hint="--workers")
    shown = f"[{host}]" if ":" in host else host
    # Listen first, so that a busy port is an error before anything says "serving".
    try:
        sock = listen(host, port)
    except OSError as exc:
        fail(f"cannot listen on {shown}:{port}: {exc.strerror or exc}")
    serving = f"newsdesk: serving {settings.db} at http://{shown}:{port}/"
    with sock:
        if workers == 1:
            with opened(settings) as store, handled():
                web_app = create_app(settings, store=store, warm=True)
                console.print(f"{serving} (Ctrl+C to stop)", markup=False)
                config = uvicorn.Config(web_app, log_level="warning", access_log=False)
                uvicorn.Server(config).run(sockets=[sock])
            return
        with opened(settings):
            pass  # refuse a missing store and migrate it here, once, before the workers open it
        console.print(f"{serving} with {workers} processes (Ctrl+C to stop)", markup=False)
        serve_processes(settings, sock, workers)


def serve_processes(settings: Settings, sock: socket.socket, workers: int) -> None:
    """Run ``workers`` server processes on ``sock`` under uvicorn's supervisor (it restarts a
    worker that dies and stops them all on SIGINT/SIGTERM).

    The workers are spawned, not forked: each builds its own app and opens its own store, since
    an open database connection must not cross into another process (SQLite's WAL lets several
    processes read at once). One process served 4 concurrent clients at person p95 232 ms, search
    121 ms on 2 cores, with the same CPU per request as at 1 client: requests were queueing for
    the one process.
    """
    config = uvicorn.Config(
        functools.partial(create_app, settings, warm=True),
        factory=True,
        workers=workers,
        log_level="warning",
        access_log=False,
        timeout_worker_healthcheck=WORKER_START_TIMEOUT,
    )
    supervisor = Multiprocess(config, sockets=[sock])
    supervisor.run()
    if any(p.exitcode == STARTUP_FAILURE for p in supervisor.processes):
        fail("a server process failed to start (its error is above)")


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, marked as TCP (``IPPROTO_TCP``).

    ``socket.create_server`` leaves the protocol 0, which accepted connections inherit, and
    asyncio sets ``TCP_NODELAY`` only on sockets whose protocol says TCP: without it, every
    response sent in two writes (headers, body) waited for the client's delayed ACK (Nagle's
    algorithm), ~40 ms a request on loopback (benchmarks/load.py).
    """
    sock = socket.create_server((host, port), family=_family(host))
    return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


@app.command()
@with_settings(*STORE, "encoder")
def search(
    settings: Settings,
    query: Annotated[str, typer.Argument(help="Words to look for.")],
    limit: Annotated[int, typer.Option(help="How many results.")] = 10,
    offset: Annotated[int, typer.Option(help="Skip this many (pagination).")] = 0,
    since: Annotated[str | None, typer.Option(help="Published on or after (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Published on or before (YYYY-MM-DD).")] = None,
    outlet: Annotated[
        str | None, typer.Option(help="Only this outlet (any case, or a unique part of its name).")
    ] = None,
    language: Annotated[
        str | None, typer.Option(help="Only articles in this language (ISO 639-1, e.g. uk).")
    ] = None,
    person: Annotated[str | None, typer.Option(help="Only articles about this person.")] = None,
    story: Annotated[str | None, typer.Option(help="Only articles of this story id.")] = None,
    mode: Annotated[str, typer.Option(help="hybrid (default), text or semantic.")] = "hybrid",
    as_json: JsonFlag = False,
) -> None:
    """Search articles: full text and semantic similarity, fused by reciprocal rank.

    Example:  newsdesk search "Istanbul talks" --since 2025-01-01 --json
    """
    if mode not in ("hybrid", "text", "semantic"):
        raise typer.BadParameter("must be hybrid, text or semantic", param_hint="--mode")
    with opened(settings) as store, handled():
        filters = SearchFilters(
            since=_day(since, "--since"),
            until=_day(until, "--until"),
            outlet=api.resolve_outlet(store, outlet) if outlet else None,
            person=person,
            story=story,
            language=language,
        )
        res = api.search(store, query, limit, offset, filters=filters, mode=mode, settings=settings)
    if as_json:
        print_json(
            {
                "query": query,
                "mode": res.mode,
                "hits": [h.as_dict() for h in res.hits],
                "more": res.more,
            }
        )
        return
    table = Table(
        "id", "date", "outlet", "title", "ranks (text/semantic)", title=f"{res.mode} search"
    )
    for h in res.hits:
        table.add_row(
            h.article_id[:10],
            h.published.date().isoformat() if h.published else "",
            escape(h.outlet or ""),
            escape(h.title or "(untitled)"),
            f"{h.text_rank or '-'}/{h.semantic_rank or '-'}",
        )
    console.print(table)
    if not res.hits:
        err_console.print("no results", markup=False)


def _day(value: str | None, hint: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter("must be a date YYYY-MM-DD", param_hint=hint) from exc
