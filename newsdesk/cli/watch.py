"""Commands that follow sources: watch (poll feeds, OPML lists, sitemaps, URL lists) and sources."""

from __future__ import annotations

import re
import signal
import sys
import threading
from dataclasses import asdict
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from newsdesk import api
from newsdesk.cli.common import (
    STAGES,
    STORE,
    JsonFlag,
    app,
    console,
    err_console,
    handled,
    opened,
    print_json,
    with_settings,
)
from newsdesk.models import WatchCycle
from newsdesk.settings import Settings

WATCH = (
    "max_file_bytes",
    "words_per_minute",
    "near_duplicate_threshold",
    "watch_workers",
    "watch_host_delay",
    "watch_max_items",
    "fetch_private_addresses",
)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_every(text: str) -> int:
    """``15m``, ``30s``, ``2h``, ``1d`` or plain seconds, as seconds."""
    m = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", text.lower())
    if not m:
        raise typer.BadParameter("a duration such as 30s, 15m, 2h or 1d", param_hint="--every")
    return int(m.group(1)) * _UNITS[m.group(2) or "s"]


@app.command()
@with_settings(*STORE, *WATCH, *STAGES)
def watch(
    settings: Settings,
    urls: Annotated[
        list[str] | None,
        typer.Argument(help="Feeds, OPML lists, sitemaps, URL lists or pages to follow (http(s))."),
    ] = None,
    every: Annotated[
        str, typer.Option("--every", help="How often to poll each source (30s, 15m, 2h, 1d).")
    ] = "15m",
    cycles: Annotated[
        int | None, typer.Option("--cycles", help="Stop after this many poll cycles.")
    ] = None,
    once: Annotated[bool, typer.Option("--once", help="Poll what is due once, then stop.")] = False,
    no_stages: Annotated[
        bool, typer.Option("--no-stages", help="Store articles only; skip analysis.")
    ] = False,
) -> None:
    """Follow sources and keep polling them: new items are ingested and analysed as they come.

    URLs given are added to the followed sources (an OPML list or a sitemap index adds what it
    lists); then every followed source is polled when due, with conditional GETs, a bounded
    worker pool, a delay between requests to one host, and back-off after failures. SIGTERM or
    Ctrl-C stops after the requests in flight, with everything fetched stored.

    Example:  newsdesk watch https://example.org/feed.xml feeds.opml --every 15m
    Example:  newsdesk watch --once        # poll the followed sources that are due, once
    """
    every_s = parse_every(every)
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        if stop.is_set():  # a second Ctrl-C: stop now
            raise KeyboardInterrupt
        err_console.print("stopping after the requests in flight…", markup=False)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    with opened(settings, create=bool(urls)) as store, handled():
        if urls:
            new = api.follow_sources(store, urls, every_s)
            n = len(urls)
            err_console.print(f"following {n} {_plural(n, 'source')} ({new} new)", markup=False)
        if not api.followed_sources(store):
            raise typer.BadParameter("nothing is followed yet: name feeds or sitemaps to follow")
        api.watch(
            store,
            settings,
            stop=stop,
            cycles=1 if once else cycles,
            on_cycle=_print_cycle,
            run_stages=not no_stages,
            max_wait_s=max(1, min(every_s, 60)),
        )
    if stop.is_set():
        err_console.print("stopped; everything fetched is stored", markup=False)


def _print_cycle(c: WatchCycle) -> None:
    if not c.polled and not c.stopped:
        return
    for e in c.errors:
        err_console.print(f"error: {e.source}: {e.reason}", markup=False, soft_wrap=True)
    when = datetime.now().strftime("%H:%M:%S")
    err_console.print(
        f"{when} polled {c.polled} {_plural(c.polled, 'source')} "
        f"({c.not_modified} not modified, {c.failed} failed): "
        f"{c.new_items} new {_plural(c.new_items, 'item')}, {c.added} "
        f"{_plural(c.added, 'article')} added"
        + (f", {c.revised} revised" if c.revised else "")
        + (f", {c.new_sources} new sources" if c.new_sources else "")
        + f" in {c.seconds:.1f}s",
        markup=False,
        soft_wrap=True,
    )
    sys.stderr.flush()


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


@app.command()
@with_settings(*STORE)
def sources(
    settings: Settings,
    remove: Annotated[
        list[str] | None, typer.Option("--remove", help="Stop following this URL (repeatable).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """The followed sources and where their polling stands (see watch).

    Example:  newsdesk sources
    Example:  newsdesk sources --remove https://example.org/feed.xml
    """
    with opened(settings) as store, handled():
        if remove:
            n = api.unfollow_sources(store, remove)
            err_console.print(f"{n} of {len(remove)} sources unfollowed", markup=False)
        items = api.followed_sources(store)
    if as_json:
        print_json([asdict(s) for s in items])
        return
    if not items:
        err_console.print("no followed sources (newsdesk watch URL... follows some)", markup=False)
        return
    table = Table("source", "kind", "last polled", "last new", "articles", "failures", "next poll")
    for s in items:
        table.add_row(
            s.url,
            s.kind or "?",
            (s.last_polled or "never")[:19],
            (s.last_new or "")[:19],
            str(s.articles),
            f"{s.failures} ({s.last_error})" if s.failures else "0",
            s.next_poll[:19],
        )
    console.print(table)
