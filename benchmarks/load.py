"""Load: p50/p95/p99 latency and errors of the main pages under 1, 4 and 16 concurrent clients.

1. The store: the scale generator's stream (``scale.stream``: real articles perturbed, dates over
   a year, 5% near-duplicates) ingested by ``newsdesk ingest`` with every stage, as a user
   would; built once per size and cached under ``--work`` (``/tmp/load-cache``; ``--rebuild``
   to redo).
2. A real server (``newsdesk serve``, one uvicorn process) on loopback; after its start-up
   warming, each page gets ``--warmup`` unmeasured requests.
3. For each client count and page (front page 1-5, random article, story page of one of the
   100 biggest stories (views cached by the warm-up), person page of one of the 200 most quoted
   people, search of two words of a random title), ``--requests`` requests from that many
   asyncio clients (httpx, one keep-alive connection each), each sending its next request when
   the previous one answered; an error is any status but 200 or a failed request.
4. ``--against REV``: the same URLs, in the same run, against a second server started from git
   revision REV (a detached worktree under ``--work``) on its own copy of the store; the two
   servers take turns per page and client count; the notes give this tree's p95 as a ratio of
   REV's.

Floor (issue 20): p95 < 100 ms and 0 errors for every page at 4 clients; 16 is reported.
``--postgres URL``: the same on PostgreSQL (stores ``load<n>`` on that server, copied per
server with ``CREATE DATABASE … TEMPLATE``).
Quick mode (``--quick``): 1,000 articles, 100 requests per page and client count.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from _common import ROOT, emit, parser, revision_tree
from scale import stream, write_jsonl
from web import free_port

FLOOR_P95_MS = 100.0
FLOOR_CLIENTS = 4
SETTLE_SECONDS = 10.0


def _ingest(src: Path, db: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    subprocess.run(
        ["nice", "-n", "10", sys.executable, "-m", "newsdesk", "ingest", str(src), "--db", db],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def build(work: Path, n: int, rebuild: bool, pg: str = "") -> tuple[str, str]:
    """The cached store of ``n`` articles (built by ``newsdesk ingest`` when absent): a SQLite
    file under ``work``, or with ``pg`` (a server URL) the database ``load<n>`` there."""
    src = work / f"stream-{n}.jsonl"
    if not src.exists() or rebuild:
        write_jsonl(stream(n, 0.05), src)
    t0 = time.perf_counter()
    if pg:
        db = _pg_db(pg, f"load{n}")
        if _pg_exists(pg, f"load{n}") and not rebuild:
            return db, f"{n}: store cached in {db}"
        _pg_create(pg, f"load{n}")
        _ingest(src, db)
    else:
        db = str(work / f"load-{n}.db")
        if Path(db).exists() and not rebuild:
            return db, f"{n}: store cached at {db}"
        tmp = work / f"load-{n}.building.db"
        for f in work.glob(tmp.name + "*"):
            f.unlink()
        _ingest(src, str(tmp))
        for f in sorted(work.glob(tmp.name + "*"), reverse=True):  # -wal, -shm, the faiss index
            f.replace(db + f.name[len(tmp.name) :])
    return (
        db,
        f"{n}: store built by `newsdesk ingest` (all stages) in {time.perf_counter() - t0:.0f} s",
    )


def _pg_db(server: str, name: str) -> str:
    return server.rsplit("/", 1)[0] + f"/{name}"


def _pg_admin(server: str, *sql: str) -> list[Any]:
    import psycopg

    with psycopg.connect(_pg_db(server, "postgres").replace("+psycopg", ""), autocommit=True) as c:
        return [c.execute(q).fetchall() if q.startswith("SELECT") else c.execute(q) for q in sql]


def _pg_exists(server: str, name: str) -> bool:
    found = _pg_admin(server, f"SELECT 1 FROM pg_database WHERE datname = '{name}'")[0]
    return bool(found)


def _pg_create(server: str, name: str, template: str = "") -> None:
    like = f" TEMPLATE {template}" if template else ""
    _pg_admin(server, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}{like}")


def store_copy(work: Path, db: str, n: int, i: int, pg: str) -> str:
    """A fresh copy of the built store for server ``i`` (a server may migrate or write caches)."""
    if pg:
        _pg_create(pg, f"run{n}_{i}", template=f"load{n}")
        return _pg_db(pg, f"run{n}_{i}")
    copy = work / f"run-{n}-{i}.db"
    for f in work.glob(copy.name + "*"):
        f.unlink()
    shutil.copy(db, copy)
    return str(copy)


def sample_urls(
    db: str, n: int, warmup: int, rng: random.Random
) -> dict[str, tuple[list[str], list[str]]]:
    """Per page: (warm-up URLs, measured URLs)."""
    from sqlalchemy import func, select

    from newsdesk import api
    from newsdesk.store.schema import articles

    store = api.open_store(db)
    with store.connect() as conn:
        rows = conn.execute(
            select(articles.c.id, articles.c.title).order_by(func.random()).limit(2000)
        ).all()
    story_ids = [s.id for s in api.stories(store, limit=100)]
    person_ids = [p.id for p in api.people(store, limit=200)]
    store.close()

    def split(urls: list[str]) -> tuple[list[str], list[str]]:
        return urls[:warmup], urls[warmup:]

    total = n + warmup
    out = {
        "front": split([f"/?page={1 + rng.randrange(5)}" for _ in range(total)]),
        "article": split([f"/article/{rng.choice(rows)[0]}" for _ in range(total)]),
    }
    if story_ids:
        # the warm-up views each of them once (a story's views are computed on first view)
        out["story"] = (
            [f"/story/{i}" for i in story_ids],
            [f"/story/{rng.choice(story_ids)}" for _ in range(n)],
        )
    if person_ids:
        out["person"] = split([f"/person/{rng.choice(person_ids)}" for _ in range(total)])
    words = [w for w in (re.findall(r"[A-Za-z]{4,}", t or "") for _, t in rows) if len(w) >= 2]
    out["search"] = split(
        [f"/search?q={'+'.join(rng.sample(rng.choice(words), 2))}" for _ in range(total)]
    )
    return out


def start_server(
    root: Path, db: str, log: Path, workers: int = 1
) -> tuple[subprocess.Popen[bytes], str]:
    """``newsdesk serve`` from the source tree ``root``, on a free loopback port; its stderr
    goes to ``log`` (a pipe nobody reads would block the server once full)."""
    import httpx

    port = free_port()
    env = dict(os.environ, NEWSDESK_API_TOKEN="", PYTHONPATH=str(root))
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "newsdesk", "serve", "--db", db, "--port", str(port)]
            + (["--workers", str(workers)] if workers > 1 else []),
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(base + "/api/features", timeout=2).status_code == 200:
                time.sleep(SETTLE_SECONDS)  # its start-up warming of the front page's stories
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGKILL)
    raise RuntimeError("server did not start in 180 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


async def _load(base: str, urls: list[str], clients: int) -> tuple[list[float], int, float]:
    import httpx

    queue = list(reversed(urls))
    times: list[float] = []
    errors = 0

    async def client() -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, timeout=60) as c:
            while queue:
                u = queue.pop()
                t = time.perf_counter()
                try:
                    ok = (await c.get(u)).status_code == 200
                except httpx.HTTPError:
                    ok = False
                times.append(time.perf_counter() - t)
                errors += not ok

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return times, errors, time.perf_counter() - t0


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` and its live descendants so far (Linux
    /proc): ``serve --workers N`` answers from child processes."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return own + sum(cpu_seconds(int(c)) for c in children if Path(f"/proc/{c}").exists())


def measure(
    pid: int, base: str, warm: list[str], urls: list[str], clients: int
) -> dict[str, float]:
    asyncio.run(_load(base, warm, min(clients, 4)))
    cpu, mine = cpu_seconds(pid), cpu_seconds(os.getpid())
    times, errors, wall = asyncio.run(_load(base, urls, clients))
    cpu, mine = cpu_seconds(pid) - cpu, cpu_seconds(os.getpid()) - mine
    ms = np.array(times) * 1000
    return {
        "requests": len(times),
        "errors": errors,
        "rps": len(times) / wall,
        "server_cpu_ms": cpu * 1000 / max(1, len(times)),
        "client_cpu_ms": mine * 1000 / max(1, len(times)),
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
        "p99_ms": float(np.percentile(ms, 99)),
        "load_1min": os.getloadavg()[0],  # the machine's load average when the cell ended
    }


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="1,000 articles, 100 requests per cell")
    p.add_argument("--sizes", default="10000", help="store sizes, comma-separated")
    p.add_argument("--clients", default="1,4,16", help="concurrent clients, comma-separated")
    p.add_argument("--requests", type=int, default=300, help="measured requests per cell")
    p.add_argument("--warmup", type=int, default=20, help="unmeasured requests per cell")
    p.add_argument("--pages", default="front,article,story,person,search")
    p.add_argument(
        "--workers", default="1", help="serve --workers counts, comma-separated (one server each)"
    )
    p.add_argument("--work", type=Path, default=Path("/tmp/load-cache"))
    p.add_argument("--rebuild", action="store_true", help="rebuild cached stores")
    p.add_argument("--against", default="", help="also measure a server from this git revision")
    p.add_argument(
        "--postgres",
        default="",
        metavar="URL",
        help="a PostgreSQL server (postgresql+psycopg://USER@HOST:PORT/DB): stores there, not SQLite",
    )
    args = p.parse_args()
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",")]
    n_req = 100 if args.quick else args.requests
    levels = [int(c) for c in args.clients.split(",")]
    pages = args.pages.split(",")
    args.work.mkdir(parents=True, exist_ok=True)
    trees = [("this tree", ROOT)]
    counts = [int(w) for w in args.workers.split(",")]
    if args.against:
        tree, sha = revision_tree(args.work, args.against)
        trees.insert(0, (sha, tree))
    rows: list[dict[str, Any]] = []
    notes = [
        f"clients: asyncio + httpx on loopback, one keep-alive connection each, {n_req} measured "
        f"requests per cell after {args.warmup} warm-up (story: each of the 100 biggest viewed "
        "once first); --workers server processes (default one); a 2-core machine shared with other jobs, so "
        "latencies include waiting for a core; server_cpu_ms = the server process's user+system "
        "CPU per request (load-independent), client_cpu_ms the same for the client process; load_1min = the machine's 1-minute load average "
        "(runnable processes, 2 cores) at the end of the cell."
    ]
    for n in sizes:
        db, note = build(args.work, n, args.rebuild, args.postgres)
        notes.append(note)
        urls = sample_urls(db, n_req, args.warmup, random.Random(n))
        for page in pages:
            if page not in urls:
                notes.append(f"{n}: no {page} pages in the store: not measured")
        # one server per tree, each on its own copy of the store (a server may migrate or write
        # caches); both stay up and take turns, cell by cell, so they see the same machine load
        servers = []
        try:
            runs = [(lb, t, w) for lb, t in trees for w in counts]
            for i, (label, tree, w) in enumerate(runs):
                copy = store_copy(args.work, db, n, i, args.postgres)
                log = args.work / f"serve-{n}-{i}.log"
                shown = f"{label}, {w} workers" if len(counts) > 1 else label
                servers.append((shown, *start_server(tree, copy, log, w)))
            for c in levels:
                for page in [pg for pg in pages if pg in urls]:
                    for label, proc, base in servers:
                        r = measure(proc.pid, base, *urls[page], c)
                        system = f"newsdesk serve{' postgresql' if args.postgres else ''} ({label})"
                        row = {"system": system, "articles": n, "clients": c}
                        rows.append({**row, "page": page, **r})
                        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
        finally:
            for _label, proc, _base in servers:
                stop_server(proc)
        notes.extend(verdicts(rows, n, trees[-1][0], trees[0][0] if len(trees) > 1 else None))
    emit(rows, args.json, "Load: latency under concurrent clients", notes)


def verdicts(rows: list[dict[str, Any]], n: int, label: str, against: str | None) -> list[str]:
    mine = [r for r in rows if r["articles"] == n and r["system"].endswith(f"({label})")]
    at = [r for r in mine if r["clients"] == FLOOR_CLIENTS]
    out = []
    if at:
        worst = max(at, key=lambda r: r["p95_ms"])
        errors = sum(r["errors"] for r in at)
        ok = worst["p95_ms"] < FLOOR_P95_MS and errors == 0
        out.append(
            f"{n}: floor p95 < {FLOOR_P95_MS:.0f} ms and 0 errors at {FLOOR_CLIENTS} clients: "
            f"{'met' if ok else 'NOT met'} (worst {worst['page']} p95 {worst['p95_ms']:.1f} ms; "
            f"{errors} errors)"
        )
    if against:
        old = {
            (r["clients"], r["page"]): r
            for r in rows
            if r["articles"] == n and r["system"].endswith(f"({against})")
        }
        for r in mine:
            o = old.get((r["clients"], r["page"]))
            if o and o["p95_ms"]:
                out.append(
                    f"{n}: {r['page']} at {r['clients']} clients: p95 {o['p95_ms']:.1f} -> "
                    f"{r['p95_ms']:.1f} ms ({r['p95_ms'] / o['p95_ms']:.2f}x of {against})"
                )
    return out


if __name__ == "__main__":
    main()
