"""End-to-end ingest throughput and peak memory, beside trafilatura-only extraction.

Corpus: the HTML pages of ``zyte-article-bench``, ``fundus-news-pages`` and ``trafilatura-eval``
(every ``*.html.gz`` / ``*.html`` / ``*.gz`` under each set's ``html/`` folder, original bytes
and encodings), repeated to ``--n`` pages (default 2000). Each repeat gets its own canonical URL
(a ``<link rel=canonical>`` injected into ``<head>``), so it is a new article whose body equals
an earlier one: what a syndicated copy looks like; the near-duplicate detector links it. The
pages are written as gzip files into a temporary folder (``--format files``, the default) or as
one gzip WARC (``--format warc``).

Rows (same pages, same run, each in a fresh process so peak memory is its own):
- ``newsdesk ingest --no-stages``: ``api.ingest(..., run_stages=False)`` into a fresh SQLite
  store — the code path of ``newsdesk ingest`` (sniffing, decoding, extraction, sentences,
  language, near-duplicates, transactional batches);
- ``newsdesk ingest (with stages)``: the same, then every registered analysis stage;
- ``trafilatura only``: ``gunzip`` + ``trafilatura.extract(with_metadata=True)`` per page,
  nothing stored (the floor newsdesk's extraction is built on).

Usage:  python benchmarks/ingest.py [--data DIR ...] [--n 2000] [--format files|warc]
        [--skip-stages] [--json]
"""

from __future__ import annotations

import gzip
import io
import multiprocessing as mp
import re
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import default_data, emit, parser

SETS = ("zyte-article-bench", "fundus-news-pages", "trafilatura-eval")
_HEAD = re.compile(rb"<head[^>]*>", re.I)


def load_pages(folders: list[Path]) -> list[bytes]:
    """Raw (decompressed) bytes of every HTML page under each folder's ``html/``."""
    pages: list[bytes] = []
    for folder in folders:
        root = folder / "html" if (folder / "html").is_dir() else folder
        found = sorted(
            p for p in root.rglob("*") if p.is_file() and p.name.endswith((".html", ".htm", ".gz"))
        )
        if not found:
            sys.exit(f"no HTML pages under {root}")
        for path in found:
            raw = path.read_bytes()
            pages.append(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
    return pages


def with_canonical(page: bytes, url: str) -> bytes:
    link = f'<link rel="canonical" href="{url}">'.encode()
    m = _HEAD.search(page)
    if m:
        return page[: m.end()] + link + page[m.end() :]
    return b"<head>" + link + b"</head>" + page


def build_corpus(pages: list[bytes], n: int, folder: Path, fmt: str) -> list[str]:
    """Write ``n`` pages (originals, then canonical-URL copies) and return the input paths."""
    items: list[tuple[str, bytes]] = []
    for i in range(n):
        page = pages[i % len(pages)]
        rep = i // len(pages)
        if rep:
            page = with_canonical(page, f"https://copies.example.org/{rep}/{i % len(pages)}")
        items.append((f"https://bench.example.org/{rep}/{i % len(pages)}", page))
    if fmt == "warc":
        from warcio.statusandheaders import StatusAndHeaders
        from warcio.warcwriter import WARCWriter

        path = folder / "corpus.warc.gz"
        with path.open("wb") as fh:
            writer = WARCWriter(fh, gzip=True)
            for url, body in items:
                http = StatusAndHeaders(
                    "200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"
                )
                writer.write_record(
                    writer.create_warc_record(
                        url, "response", payload=io.BytesIO(body), http_headers=http
                    )
                )
        return [str(path)]
    pages_dir = folder / "pages"
    pages_dir.mkdir()
    for i, (_, body) in enumerate(items):
        (pages_dir / f"{i:05d}.html.gz").write_bytes(gzip.compress(body, compresslevel=1))
    return [str(pages_dir)]


# -- phases, each run in a fresh process ---------------------------------------------------------


def _peak_mb() -> float:
    """Peak resident memory of this process's own address space, in MiB.

    ``VmHWM`` (Linux) is reset when a process execs; ``ru_maxrss`` is not: a spawned child
    would report the parent's peak (here, the whole corpus held in memory) as its own.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_newsdesk(
    paths: list[str], db: str, stages: bool, skip: tuple[str, ...] = ()
) -> dict[str, Any]:
    import logging

    logging.disable(logging.WARNING)
    from newsdesk import api
    from newsdesk.api import open_store
    from newsdesk.settings import Settings

    settings = Settings.load(db=db)
    store = open_store(db)
    before = _peak_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    report = api.ingest(paths, store, settings, run_stages=stages and not skip)
    if stages and skip:  # what ingest does after storing, minus the skipped stages
        from newsdesk import pipeline
        from newsdesk.registry import load_stages

        pipeline.run(store, settings, only=[n for n in load_stages() if n not in skip])
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    store.close()
    return {
        "articles": report.seen,
        "stored": report.added,
        "near_dups": report.near_duplicates,
        "errors": len(report.errors),
        "seconds": seconds,
        "cpu_s": cpu,
        "peak_mb": _peak_mb(),
        "start_mb": before,
    }


def phase_trafilatura(paths: list[str]) -> dict[str, Any]:
    import logging

    logging.disable(logging.WARNING)
    import trafilatura

    files = (
        sorted(p for p in Path(paths[0]).rglob("*") if p.is_file())
        if Path(paths[0]).is_dir()
        else []
    )
    before = _peak_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    done = errors = 0
    if files:
        bodies = (gzip.decompress(p.read_bytes()) for p in files)
    else:  # a WARC: read the records with warcio, as newsdesk does
        from warcio.archiveiterator import ArchiveIterator

        def records():  # type: ignore[no-untyped-def]
            with open(paths[0], "rb") as fh:
                for rec in ArchiveIterator(fh):
                    if rec.rec_type == "response":
                        yield rec.content_stream().read()

        bodies = records()
    for body in bodies:
        out = trafilatura.extract(body, with_metadata=True)
        done += 1
        errors += out is None
    return {
        "articles": done,
        "stored": 0,
        "errors": errors,
        "seconds": time.perf_counter() - t0,
        "cpu_s": time.process_time() - c0,
        "peak_mb": _peak_mb(),
        "start_mb": before,
    }


def _child(queue: Any, fn: str, args: tuple[Any, ...]) -> None:
    try:
        queue.put(globals()[fn](*args))
    except Exception as exc:  # report, do not hang the parent
        queue.put({"error": f"{exc.__class__.__name__}: {exc}"})


def run_phase(fn: str, *args: Any) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(queue, fn, args))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def row(system: str, r: dict[str, Any]) -> dict[str, Any]:
    if "error" in r:
        return {"system": system, "error": r["error"]}
    return {
        "system": system,
        "articles": r["articles"],
        "stored": r["stored"],
        "errors": r["errors"],
        "seconds": r["seconds"],
        "articles_per_s": r["articles"] / r["seconds"] if r["seconds"] else 0.0,
        "cpu_ms_per_article": r["cpu_s"] / r["articles"] * 1000 if r["articles"] else 0.0,
        "peak_mb": r["peak_mb"],
    }


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--data", action="append", type=Path, help="a set's folder (repeatable)")
    p.add_argument("--n", type=int, default=2000, help="pages to ingest (repeats the corpus)")
    p.add_argument("--format", choices=["files", "warc"], default="files")
    p.add_argument("--skip-stages", action="store_true", help="leave out the with-stages row")
    p.add_argument(
        "--rows", default="trafilatura,no-stages,stages", help="which rows (comma-separated)"
    )
    p.add_argument("--skip-stage", action="append", default=[], help="run stages but this one")
    args = p.parse_args()
    folders = args.data or [default_data(s) for s in SETS]
    pages = load_pages(folders)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp:
        tmpdir = Path(tmp)
        paths = build_corpus(pages, args.n, tmpdir, args.format)
        n_distinct = len(pages)
        del pages  # the rows run in child processes; keep this one small
        wanted = set(args.rows.split(","))
        if args.skip_stages:
            wanted.discard("stages")
        if "trafilatura" in wanted:
            rows.append(
                row("trafilatura only (extract + metadata)", run_phase("phase_trafilatura", paths))
            )
        if "no-stages" in wanted:
            rows.append(
                row(
                    "newsdesk ingest --no-stages",
                    run_phase("phase_newsdesk", paths, str(tmpdir / "a.db"), False),
                )
            )
        if "stages" in wanted:
            skip = tuple(args.skip_stage)
            label = "newsdesk ingest (with stages" + (f" but {', '.join(skip)})" if skip else ")")
            rows.append(
                row(label, run_phase("phase_newsdesk", paths, str(tmpdir / "b.db"), True, skip))
            )
    notes = [
        f"{args.n} pages ({n_distinct} distinct, from {', '.join(f.name for f in folders)}) as "
        f"{args.format}; peak_mb = peak resident memory of the process that ran the row "
        "(a fresh one per row); cpu_ms_per_article = that process's CPU time per article (less "
        "sensitive to other jobs than the wall clock). Measured on a shared 2-core machine under contention (other "
        "engineers' jobs running): compare rows of the same run, not across runs."
    ]
    emit(rows, args.json, "Ingest throughput (fresh SQLite store)", notes)


if __name__ == "__main__":
    main()
