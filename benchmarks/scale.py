"""Scale: the whole pipeline end to end over a synthetic stream, on SQLite and PostgreSQL, and
the ingest on a Dask LocalCluster with 1 and 2 workers (issue 20).

1. The stream: real articles (BBC News, AllSides from ../shared/data) perturbed by
   ``web.synthesize`` (shuffled paragraphs, redrawn digits, a city), dates spread over one year,
   and ``--dup-rate`` near-duplicates (a copy of an earlier article from another outlet with
   one sentence changed), written as JSONL (and, with ``--warc``, as a WARC of HTML pages).
2. For each backend: ``newsdesk ingest`` (all stages, story views) in a child process: wall
   time, CPU time (user + system of the child), peak memory (the child's max RSS), store size;
   then search p95 (``api.search`` over 40 two-word queries) and page p95 (front, article and
   story pages through the web app in-process).
3. Dask: ``newsdesk ingest --no-stages --workers K`` for K = 1, 2 on fresh SQLite stores:
   wall time and the speed-up 1 → 2 workers.
Quick mode (``--quick``): 1,000 articles, SQLite + PostgreSQL (a throwaway server on loopback
when PostgreSQL 15 binaries are installed), Dask 1 vs 2. ``--sizes 10000,100000`` for more.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from glob import glob
from pathlib import Path
from typing import Any

import numpy as np
from _common import ROOT, SHARED_DATA, emit, parser
from web import base_articles, synthesize

YEAR = 365 * 86400


def stream(n: int, dup_rate: float, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` articles: perturbed real ones over one year, ``dup_rate`` of them near-duplicates."""
    rng = random.Random(seed)
    base = base_articles(SHARED_DATA)
    n_dup = int(n * dup_rate)
    out = synthesize(base, n - n_dup, seed)
    t0 = 1_735_689_600  # 2025-01-01
    for a in out:
        a["published"] = time.strftime(
            "%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t0 + rng.randrange(YEAR))
        )
    for i in range(n_dup):
        src = out[rng.randrange(len(out))]
        sents = src["text"].split(". ")
        j = rng.randrange(len(sents))
        sents[j] = sents[j] + " (updated)"
        out.insert(
            rng.randrange(len(out) + 1),
            dict(src, text=". ".join(sents), url=f"{src['url']}-copy{i}", outlet="Wire Copy"),
        )
    return out


def write_jsonl(records: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def write_warc(records: list[dict[str, Any]], path: Path) -> None:
    from html import escape

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        for r in records:
            paras = "".join(f"<p>{escape(p)}</p>" for p in r["text"].split("\n\n"))
            html = (
                f"<!doctype html><html><head><title>{escape(r['title'])}</title>"
                f'<meta property="article:published_time" content="{r["published"]}"></head>'
                f"<body><article><h1>{escape(r['title'])}</h1>{paras}</article></body></html>"
            ).encode()
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            w.write_record(
                w.create_warc_record(r["url"], "response", payload=_io(html), http_headers=headers)
            )


def _io(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


def child(args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run ``newsdesk ARGS``: wall seconds, CPU seconds and peak RSS (MiB) of the child."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsdesk", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"newsdesk {' '.join(args)} failed: {err[-1500:]}")
    return {
        "wall_s": time.perf_counter() - t0,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
    }


def store_mb(db: str) -> float:
    if "://" not in db:
        return sum(Path(p).stat().st_size for p in glob(db + "*")) / 2**20
    from sqlalchemy import create_engine, text

    eng = create_engine(db)
    with eng.connect() as conn:
        size = conn.scalar(text("SELECT pg_database_size(current_database())"))
    eng.dispose()
    return float(size) / 2**20


def read_p95(db: str, records: list[dict[str, Any]]) -> dict[str, float]:
    """Search p95 (api.search) and page p95 (front, article, story pages), in milliseconds."""
    from fastapi.testclient import TestClient

    from newsdesk import api
    from newsdesk.settings import Settings
    from newsdesk.web.app import create_app

    rng = random.Random(1)
    settings = Settings.load(db=db)
    store = api.open_store(db)
    queries = [" ".join(rng.sample(r["title"].split()[:6], 2)) for r in rng.sample(records, 40)]
    api.search(store, queries[0], settings=settings)  # load the vectors once
    t = []
    for q in queries:
        t0 = time.perf_counter()
        api.search(store, q, settings=settings)
        t.append(time.perf_counter() - t0)
    client = TestClient(create_app(settings, store=store))
    ids = [a.id for a in api.articles(store, limit=40)]
    stories = [s.id for s in api.stories(store, limit=20)]
    paths = ["/"] * 10 + [f"/article/{i}" for i in ids] + [f"/story/{s}" for s in stories]
    for p in paths[:5]:
        client.get(p)
    pt = []
    for p in paths:
        t0 = time.perf_counter()
        assert client.get(p).status_code == 200, p
        pt.append(time.perf_counter() - t0)
    store.close()
    return {
        "search_p95_ms": float(np.percentile(t, 95) * 1000),
        "page_p95_ms": float(np.percentile(pt, 95) * 1000),
    }


def start_postgres(root: Path) -> tuple[str, list[str]] | None:
    """A throwaway PostgreSQL server on loopback (as the postgres user when root), or None."""
    found = sorted(glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if not found:
        return None
    bindir = Path(found[0]).parent
    data, sock = root / "pg", root / "sock"
    sock.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def run(*cmd: str) -> None:
        subprocess.run([*as_user, *cmd], check=True, capture_output=True, timeout=120)

    run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync")
    opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w", "start")
    stop = [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", stop


def new_pg_db(url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + f"/{name}"


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="1,000 articles (the default sizes)")
    p.add_argument("--sizes", default="1000", help="comma-separated stream sizes")
    p.add_argument("--dup-rate", type=float, default=0.05, help="share of near-duplicates")
    p.add_argument("--warc", action="store_true", help="ingest the WARC (HTML path) form")
    p.add_argument("--no-postgres", action="store_true")
    p.add_argument("--no-dask", action="store_true")
    p.add_argument("--work", type=Path, default=None, help="folder for streams and stores")
    args = p.parse_args()
    sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",")]
    work = args.work or Path(tempfile.mkdtemp(prefix="newsdesk-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    pg = None if args.no_postgres else start_postgres(Path(tempfile.mkdtemp(prefix="scale-pg-")))
    rows: list[dict[str, Any]] = []
    notes = [
        f"dup rate {args.dup_rate}; cpu_s = user+system CPU of the ingest process (for Dask, "
        "workers' CPU is not included: they are not the ingest process's waited-for children)"
    ]
    try:
        for n in sizes:
            records = stream(n, args.dup_rate)
            src = work / f"stream-{n}.jsonl"
            write_jsonl(records, src)
            if args.warc:
                src = work / f"stream-{n}.warc.gz"
                write_warc(records, src)
            backends = [("sqlite", str(work / f"scale-{n}.db"))]
            if pg:
                backends.append(("postgresql", new_pg_db(pg[0], f"scale{n}")))
            for name, db in backends:
                for f in glob(db + "*") if "://" not in db else []:
                    Path(f).unlink()
                r = child(["ingest", str(src), "--db", db], env)
                rows.append(
                    {
                        "system": f"newsdesk {name}",
                        "articles": n,
                        **r,
                        "ms_per_article": r["wall_s"] * 1000 / n,
                        "store_mb": store_mb(db),
                        **read_p95(db, records),
                    }
                )
            if not args.no_dask:
                walls = {}
                for k in (1, 2):
                    db = str(work / f"dask{k}-{n}.db")
                    for f in glob(db + "*"):
                        Path(f).unlink()
                    r = child(
                        ["ingest", "--no-stages", "--workers", str(k), str(src), "--db", db], env
                    )
                    walls[k] = r["wall_s"]
                    rows.append(
                        {"system": f"newsdesk dask {k} worker(s), ingest only", "articles": n, **r}
                    )
                notes.append(f"{n}: Dask speed-up 1 -> 2 workers {walls[1] / walls[2]:.2f}x")
        if not pg and not args.no_postgres:
            notes.append("PostgreSQL not run: no PostgreSQL binaries found")
    finally:
        if pg:
            subprocess.run(pg[1], capture_output=True, check=False)
    emit(rows, args.json, "Scale: end to end", notes)


if __name__ == "__main__":
    main()
