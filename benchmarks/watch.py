"""``newsdesk watch`` throughput: items per second and CPU per poll cycle, many feeds served locally.

A local HTTP server (its own process, so its CPU is not counted) serves ``--feeds`` RSS feeds
(default 1,000) of ``--items`` entries each (default 10, each with its full text in
``content:encoded``), with ETags: a conditional GET of an unchanged feed gets 304. The store is
a fresh SQLite file; every feed is followed with ``every = 0`` (due at every cycle).

Rows:
- cycle 0: the first poll, every entry new (``feeds × items`` articles built and stored);
- cycles 1..``--cycles``: before each, ``--new`` (default 1%) of the feeds get one new entry
  (their ETag changes); the others answer 304. What a steady watch costs per cycle.

Columns: polled, not modified, new items, articles added, wall seconds, CPU seconds of the
watching process (all its threads: fetching, parsing, extraction, the store), items/s (new
items / wall seconds) and CPU ms per polled feed. Analysis stages are off (``--stages`` runs
them after each cycle, as ``watch`` does; they then dominate: see benchmarks/ingest.py).
``watch_host_delay`` is 0 here: every feed is on one host (127.0.0.1), which a real polite
watch would space out; the per-host delay is a politeness wait, not a cost.

Usage:  python benchmarks/watch.py [--feeds 1000] [--items 10] [--cycles 3] [--new 0.01]
        [--workers 8] [--stages] [--quick] [--json]
"""

from __future__ import annotations

import http.server
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import emit, parser

WORDS = [
    "council",
    "harbour",
    "budget",
    "vote",
    "ferry",
    "minister",
    "inquiry",
    "strike",
    "court",
    "ruling",
    "election",
    "hospital",
    "school",
    "bridge",
    "tariff",
    "port",
    "police",
    "report",
    "contract",
    "energy",
    "river",
]


def entry(feed: int, n: int) -> str:
    """Entry ``n`` of feed ``feed``: a distinct ~180-word text (no two are near-duplicates)."""
    words = [WORDS[(feed * 7 + n * 13 + i * (n + 3)) % len(WORDS)] for i in range(180)]
    sentences = [" ".join(words[i : i + 12]).capitalize() + "." for i in range(0, 180, 12)]
    body = f"Feed {feed} item {n} reports. " + " ".join(sentences)
    return (
        f"<item><title>Feed {feed} item {n}</title><link>http://feeds.example/{feed}/{n}</link>"
        f"<guid>f{feed}-{n}</guid><pubDate>Mon, 02 Mar 2026 10:{n % 60:02d}:00 GMT</pubDate>"
        f"<content:encoded><![CDATA[<p>{body}</p>]]></content:encoded></item>"
    )


def feed_xml(feed: int, first: int, last: int) -> bytes:
    items = "".join(entry(feed, n) for n in range(last, first - 1, -1))  # newest first
    return (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>The Feed {feed} Courier</title>{items}</channel></rss>"
    ).encode()


def serve(port_out: Any, state: Any, items: int) -> None:
    """The feed server (a child process): feed i holds entries state[i]-items+1 .. state[i]."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        cache: ClassVar[dict[tuple[int, int], bytes]] = {}

        def do_GET(self) -> None:
            feed = int(self.path.strip("/").split(".")[0])
            last = state[feed]
            etag = f'"{feed}-{last}"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = self.cache.get((feed, last))
            if body is None:
                body = self.cache[(feed, last)] = feed_xml(feed, last - items + 1, last)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    port_out.value = httpd.server_address[1]
    httpd.serve_forever()


def main() -> None:
    p = parser(__doc__.split("\n")[0])
    p.add_argument("--feeds", type=int, default=1000)
    p.add_argument("--items", type=int, default=10)
    p.add_argument("--cycles", type=int, default=3)
    p.add_argument("--new", type=float, default=0.01, help="share of feeds with a new item")
    p.add_argument("--workers", type=int, default=8)
    p.add_argument("--stages", action="store_true", help="run the analysis stages each cycle")
    p.add_argument("--quick", action="store_true", help="100 feeds, 2 cycles")
    args = p.parse_args()
    if args.quick:
        args.feeds, args.cycles = 100, 2

    from newsdesk import api  # imported here: the server process needs none of it
    from newsdesk.settings import Settings

    ctx = mp.get_context("spawn")
    state = ctx.Array("i", [args.items - 1] * args.feeds, lock=False)
    port = ctx.Value("i", 0)
    server = ctx.Process(target=serve, args=(port, state, args.items), daemon=True)
    server.start()
    while not port.value:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port.value}"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "watch.db")
        settings = Settings.load(
            db=db,
            fetch_private_addresses=True,
            watch_host_delay=0.0,
            watch_workers=args.workers,
            watch_max_items=max(50, args.items),
        )
        store = api.open_store(db)
        api.follow_sources(store, [f"{base}/{i}.xml" for i in range(args.feeds)], every_s=0)
        step = max(1, round(1 / args.new)) if args.new > 0 else 0
        for cycle in range(args.cycles + 1):
            if cycle and step:
                for i in range((cycle * 7) % step, args.feeds, step):
                    state[i] += 1
            wall0, cpu0 = time.perf_counter(), time.process_time()
            c = api.watch_cycle(store, settings, run_stages=args.stages)
            wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
            rows.append(
                {
                    "cycle": cycle,
                    "polled": c.polled,
                    "not_modified": c.not_modified,
                    "new_items": c.new_items,
                    "added": c.added,
                    "errors": len(c.errors),
                    "wall_s": round(wall, 2),
                    "cpu_s": round(cpu, 2),
                    "items_per_s": round(c.new_items / wall, 1) if wall else None,
                    "cpu_ms_per_feed": round(1000 * cpu / max(1, c.polled), 2),
                }
            )
        store.close()
    server.terminate()
    emit(
        rows,
        args.json,
        title=f"watch: {args.feeds} local feeds × {args.items} items, {args.new:.0%} new per cycle",
        notes=[f"workers {args.workers}, stages {'on' if args.stages else 'off'}, host delay 0"],
    )


if __name__ == "__main__":
    main()
