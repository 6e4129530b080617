"""Web speed: requests/second and p50/p95 latency of the main pages at 10k and 100k articles.

For each store size:
1. build the store once (cached under --work; ``--rebuild`` to redo): synthetic articles made by
   perturbing real ones (see :func:`synthesize`), inserted directly through the store's
   ``add_articles`` (the ingest path minus file reading and near-duplicate detection, which would
   link the perturbed copies to their originals), with the FTS index kept by its triggers; then the
   registered analysis stages named by ``--stages`` run through ``pipeline.run`` (default: embed,
   plus cluster when that stage is registered);
2. start a real server (``newsdesk serve``) in its own process on loopback, and wait
   ``SETTLE_SECONDS`` for its start-up warming of the front page's story views;
3. for each page (front page, story page, article page, search), send ``--requests`` requests from
   ``--concurrency`` client threads (keep-alive, after ``--warmup`` unmeasured requests), with
   varied URLs: front pages 1-5, random articles, queries made of two words of a random
   article's title; story pages twice, since their views are computed on first view and cached:
   "cached view" (20 of the 100 biggest stories, each viewed once in the warm-up) and "first
   view" (one request to each of 40 stories never viewed before);
4. report requests/second (completed requests / wall time of the phase) and latency percentiles.

Floor (issue 6): p95 < 100 ms for every page at 100k articles.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from _common import ROOT, SHARED_DATA, emit, parser

FLOOR_P95_MS = 100.0
SETTLE_SECONDS = 20.0
OUTLETS = [
    "The Daily Ledger", "Harbour Times", "Northern Post", "Capital Wire", "Morning Courier",
    "Evening Standard-Bearer", "Valley Herald", "Coastal Gazette", "Metro Dispatch", "Union Tribune",
    "Republic Report", "Summit News", "Lakeside Chronicle", "Frontier Journal", "Riverside Review",
    "Central Bulletin", "Westside Observer", "Eastern Echo", "Plains Register", "Island Times",
]  # fmt: skip
CITIES = [
    "Lisbon", "Oslo", "Nairobi", "Quito", "Hanoi", "Tbilisi", "Accra", "Lima", "Riga", "Dhaka",
    "Manila", "Tunis", "Sofia", "Kigali", "Bogota", "Ankara", "Perth", "Osaka", "Porto", "Cork",
]  # fmt: skip
_DIGITS = re.compile(r"\d")


def base_articles(data: Path) -> list[dict[str, Any]]:
    """Real articles: BBC News (full texts, titles, categories) and AllSides (leads, outlets)."""
    out: list[dict[str, Any]] = []
    bbc = data / "bbc-news-summary" / "bbc-news-summary.jsonl.gz"
    if bbc.exists():
        with gzip.open(bbc, "rt", encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                body = r["article"].split("\n\n", 1)[-1]
                out.append({"title": r["title"], "text": body, "category": r["category"].title()})
    allsides = data / "allsides-stories" / "allsides-stories.jsonl.gz"
    if allsides.exists():
        with gzip.open(allsides, "rt", encoding="utf-8") as fh:
            for line in fh:
                s = json.loads(line)
                for a in s.get("news", {}).values():
                    body = "\n\n".join(a.get("newBody") or [])
                    if body.strip():
                        out.append(
                            {"title": a["newsTitle"], "text": body, "category": s.get("topic")}
                        )
    if not out:
        sys.exit(f"no base articles found under {data} (bbc-news-summary, allsides-stories)")
    return out


def synthesize(base: list[dict[str, Any]], n: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` articles, each a perturbed copy of a real one.

    Perturbation (so that every copy is a distinct document for ids, FTS and vectors): the lead
    paragraph is kept and the other paragraphs are shuffled; every digit is redrawn; a sentence
    naming a random city is appended; the title gets the city; outlet, author and publication time
    (spread over two years) are drawn at random.
    """
    rng = random.Random(seed)
    out = []
    t0 = 1_700_000_000
    for i in range(n):
        b = base[i % len(base)]
        paras = [p for p in b["text"].split("\n\n") if p.strip()]
        head, rest = paras[:1], paras[1:]
        rng.shuffle(rest)
        city = rng.choice(CITIES)
        text = "\n\n".join(head + rest)
        text = _DIGITS.sub(lambda _m: str(rng.randrange(10)), text)
        text += f"\n\nReporting from {city} contributed to this article ({i})."
        published = time.strftime(
            "%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t0 + rng.randrange(0, 2 * 365 * 86400))
        )
        outlet = rng.choice(OUTLETS)
        out.append(
            {
                "title": f"{b['title']} — {city}",
                "text": text,
                "outlet": outlet,
                "category": b.get("category"),
                "published": published,
                "authors": [f"{rng.choice(CITIES)} Correspondent {rng.randrange(50)}"],
                "url": f"https://synthetic.example/{outlet.lower().replace(' ', '-')}/{i}",
                "language": "en",  # the base sets are English: skip per-article language detection
            }
        )
    return out


def direct_stories(store: Any) -> int:
    """Stories without the cluster stage: articles made from the same real article form one story.

    Writes the cluster component's tables as its stage would (one row per story, members with
    their position), so the story pages read them through ``get_story`` unchanged.
    """
    from sqlalchemy import select

    from newsdesk.stages.cluster.tables import stories, story_articles
    from newsdesk.store.schema import articles

    groups: dict[str, list[tuple[str, str | None, str | None, str | None]]] = {}
    with store.connect() as conn:
        rows = conn.execute(
            select(
                articles.c.id,
                articles.c.source,
                articles.c.title,
                articles.c.outlet,
                articles.c.published,
            )
        ).all()
    for aid, source, title, outlet, published in rows:
        base = int(source.split(":")[1]) % BASES[0]
        groups.setdefault(str(base), []).append((aid, title, outlet, published))
    story_rows, member_rows = [], []
    position = 0
    for sid, (_, members) in enumerate(sorted(groups.items(), key=lambda kv: int(kv[0])), start=1):
        dates = sorted(m[3] for m in members if m[3])
        story_rows.append(
            {
                "id": sid,
                "title": members[0][1],
                "articles": len(members),
                "outlets": len({m[2] for m in members}),
                "first_published": dates[0] if dates else None,
                "last_published": dates[-1] if dates else None,
                "thread_id": sid,
            }
        )
        for m in members:
            member_rows.append(
                {"article_id": m[0], "story_id": sid, "position": position, "score": 1.0}
            )
            position += 1
    with store.begin() as conn:
        conn.execute(stories.insert(), story_rows)
        for i in range(0, len(member_rows), 5000):
            conn.execute(story_articles.insert(), member_rows[i : i + 5000])
    return len(story_rows)


BASES = [0]  # number of real base articles, set by build_store (copies i share base i % BASES[0])


def build_store(
    path: Path, n: int, data: Path, stages: list[str], log: list[str], cluster_max: int = 20_000
) -> None:
    from newsdesk import pipeline
    from newsdesk.api import open_store
    from newsdesk.ingest import build_article
    from newsdesk.registry import load_stages
    from newsdesk.settings import Settings

    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    settings = Settings.load(db=str(path))
    store = open_store(settings.db)
    t = time.perf_counter()
    bases = base_articles(data)
    BASES[0] = len(bases)
    docs = synthesize(bases, n)
    for i in range(0, n, 1000):
        batch = [
            build_article(d, f"synthetic:{i + k}", settings)
            for k, d in enumerate(docs[i : i + 1000])
        ]
        with store.begin() as conn:
            fresh = [
                a for a in batch if a.id not in store.existing_ids(conn, [a.id for a in batch])
            ]
            store.add_articles(conn, fresh)
    log.append(f"{n}: inserted {store.count_articles()} articles in {time.perf_counter() - t:.0f}s")
    available = load_stages()
    if n > cluster_max and "cluster" in stages and "cluster" in available:
        stages = [s for s in stages if s != "cluster"]
        t = time.perf_counter()
        made = direct_stories(store)
        log.append(
            f"{n}: cluster stage not run (above --cluster-max {cluster_max}); {made} stories inserted "
            f"directly: the perturbed copies of one real article form one story ({time.perf_counter() - t:.0f}s)"
        )
    run = [s for s in stages if s in available]
    if run:
        t = time.perf_counter()
        pipeline.run(store, settings, only=run)
        log.append(f"{n}: stages {', '.join(run)} in {time.perf_counter() - t:.0f}s")
    if "cluster" in available:
        # What the cluster stage's after_run does at ingest; stories inserted directly need it too.
        from newsdesk.views.stories import build_story_views, stories_without_views

        t = time.perf_counter()
        built = build_story_views(store, stories_without_views(store))
        log.append(f"{n}: {built} story views stored in {time.perf_counter() - t:.0f}s")
    skipped = [s for s in stages if s not in available]
    if skipped:
        log.append(f"{n}: stages not registered, not run: {', '.join(skipped)}")
    store.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = dict(os.environ, NEWSDESK_API_TOKEN="")
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "serve", "--db", str(db), "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}"
            )
        try:
            if httpx.get(base + "/api/features", timeout=2).status_code == 200:
                # `newsdesk serve` computes the front page's story views in a background thread
                # at start (seconds at 100k): let it finish so it does not overlap the first page.
                time.sleep(SETTLE_SECONDS)
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start in 120 s")


def load(base: str, warm: list[str], urls: list[str], concurrency: int) -> dict[str, float]:
    """Send ``warm`` (unmeasured), then every URL once from ``concurrency`` keep-alive clients."""
    import httpx

    for u in warm:
        httpx.get(base + u, timeout=120)
    times: list[float] = []
    errors = 0
    lock = threading.Lock()
    queue = list(reversed(urls))

    def worker() -> None:
        nonlocal errors
        with httpx.Client(base_url=base, timeout=120) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    u = queue.pop()
                t = time.perf_counter()
                r = client.get(u)
                dt = time.perf_counter() - t
                with lock:
                    times.append(dt)
                    if r.status_code != 200:
                        errors += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - start
    ms = np.array(times) * 1000
    return {
        "requests": len(times),
        "errors": errors,
        "rps": len(times) / wall,
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
        "p99_ms": float(np.percentile(ms, 99)),
    }


def sample_urls(
    db: Path, n: int, warmup: int, rng: random.Random
) -> dict[str, tuple[list[str], list[str]]]:
    """Per page: (warm-up URLs, measured URLs)."""
    from sqlalchemy import func, select

    from newsdesk.api import open_store
    from newsdesk.store.schema import articles
    from newsdesk.web.pages import stories as story_pages

    store = open_store(str(db))
    with store.connect() as conn:
        rows = conn.execute(
            select(articles.c.id, articles.c.title).order_by(func.random()).limit(2000)
        ).all()

    def split(urls: list[str]) -> tuple[list[str], list[str]]:
        return urls[:warmup], urls[warmup:]

    out = {"front page": split([f"/?page={1 + rng.randrange(5)}" for _ in range(n + warmup)])}
    out["article page"] = split([f"/article/{rng.choice(rows)[0]}" for _ in range(n + warmup)])
    biggest = story_pages.stories(store, "biggest", 1, 100)
    if biggest and biggest["stories"]:
        # Story views (summary, timeline, framing, thread) are computed on first view and cached:
        # measured apart. Cached: 20 of the 100 biggest stories, each viewed once in the warm-up.
        ids = rng.sample([s["id"] for s in biggest["stories"]], min(20, len(biggest["stories"])))
        out["story page (cached view)"] = (
            [f"/story/{i}" for i in ids],
            [f"/story/{rng.choice(ids)}" for _ in range(n)],
        )
        # First views: distinct stories past the ones the server warms at start (front page's).
        later = story_pages.stories(store, "latest", 3, 40)
        out["story page (first view)"] = ([], [f"/story/{s['id']}" for s in later["stories"]])
    words = [w for w in (re.findall(r"[A-Za-z]{4,}", t or "") for _, t in rows) if len(w) >= 2]
    queries = ["+".join(rng.sample(rng.choice(words), 2)) for _ in range(n + warmup)]
    out["search"] = split([f"/search?q={q}" for q in queries])
    store.close()
    return out


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument(
        "--data", type=Path, default=SHARED_DATA, help="the shared data folder (base articles)"
    )
    p.add_argument("--sizes", default="10000,100000", help="store sizes, comma-separated")
    p.add_argument(
        "--work", type=Path, default=Path("/tmp/newsdesk-bench-web"), help="where stores are kept"
    )
    p.add_argument("--rebuild", action="store_true", help="rebuild the stores even if present")
    p.add_argument(
        "--stages", default="embed,cluster", help="stages to run on the store (when registered)"
    )
    p.add_argument("--requests", type=int, default=300, help="measured requests per page")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--concurrency", default="1,4", help="client threads; comma-separated levels")
    p.add_argument(
        "--cluster-max",
        type=int,
        default=20_000,
        help="above this size, stories are inserted directly",
    )
    p.add_argument("--build-only", action="store_true", help="build the stores, measure nothing")
    args = p.parse_args()
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)

    args.work.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    log: list[str] = []
    rng = random.Random(1)
    for n in [int(s) for s in args.sizes.split(",")]:
        db = args.work / f"web-{n}.db"
        if args.rebuild or not db.exists():
            build_store(
                db, n, args.data, [s for s in args.stages.split(",") if s], log, args.cluster_max
            )
            (args.work / f"web-{n}.log").write_text(
                "\n".join(x for x in log if x.startswith(f"{n}:")) + "\n"
            )
        elif (args.work / f"web-{n}.log").exists():
            log.extend((args.work / f"web-{n}.log").read_text().splitlines())
        if args.build_only:
            continue
        urls = sample_urls(db, args.requests, args.warmup, rng)
        if "story page (cached view)" not in urls:
            log.append(
                f"{n}: no stories in the store (cluster stage absent): story page not measured"
            )
        proc, base = start_server(db)
        try:
            for c in [int(x) for x in str(args.concurrency).split(",")]:
                for page, (warm, measured) in urls.items():
                    if "first view" in page and c != int(str(args.concurrency).split(",")[0]):
                        continue  # a first view happens once per story: measured at one level only
                    r = load(base, warm, measured, c)
                    rows.append(
                        {"system": "newsdesk serve", "articles": n, "clients": c, "page": page, **r}
                    )
                    print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    big = [r for r in rows if r["articles"] >= 100_000]
    notes = [
        f"client: {args.concurrency} keep-alive threads (column clients) on loopback, {args.requests} measured requests per "
        f"page after {args.warmup} warm-up (story first views: one request per distinct story, no warm-up); "
        "one server process (uvicorn); 2-core machine shared with other jobs (measured under contention).",
        *log,
    ]
    if big:
        worst = max(big, key=lambda r: r["p95_ms"])
        verdict = "met" if worst["p95_ms"] < FLOOR_P95_MS else "NOT met"
        notes.append(
            f"floor p95 < {FLOOR_P95_MS:.0f} ms at 100k articles, every page: {verdict} "
            f"(worst: {worst['page']}, p95 {worst['p95_ms']:.1f} ms)"
        )
        rest = [r for r in big if "first view" not in r["page"]]
        if rest and rest != big:
            w = max(rest, key=lambda r: r["p95_ms"])
            notes.append(
                f"  without story first views: {'met' if w['p95_ms'] < FLOOR_P95_MS else 'NOT met'} "
                f"(worst: {w['page']}, p95 {w['p95_ms']:.1f} ms)"
            )
    emit(rows, args.json, title="Web: requests/second and latency", notes=notes)


if __name__ == "__main__":
    main()
