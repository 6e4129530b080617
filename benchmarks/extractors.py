"""HTML extractors side by side: CPU ms per page and main-text F1 on zyte, fundus, trafilatura-eval.

Systems (each on the same decoded pages, in the same order, warmed up on one page untimed):

- ``newsdesk``: today's ingest path for HTML (``newsdesk.ingest.html.extract_page``: one lxml
  parse, trafilatura's fast cascade, canonical URL, captions, timestamp, language);
- ``trafilatura-fast`` / ``trafilatura``: ``trafilatura.extract`` (fast=True / default);
- ``resiliparse``: ``extract_plain_text(main_content=True)`` on a Lexbor tree (Resiliparse);
- ``rs-trafilatura``: the Rust port's Python wheel (``rs_trafilatura.extract``). Its PyPI
  release ships a CPython 3.12 wheel only (the sdist builds with cargo from crates.io), so when
  it is not importable here it runs in the interpreter given by ``--python`` (a worker process
  of this same script, timing its own CPU).

Parser rows (CPU only, no F1): building the document tree with lxml (trafilatura's
``load_html``), selectolax (Lexbor) and Resiliparse's ``HTMLTree``: the share of each
extractor's cost that a faster parser could save.

Metric: full gold bodies (zyte-article-bench, fundus-news-pages): the zyte convention (word
4-gram shingles; P and R averaged over pages; F1 of the averages), as in
``benchmarks/extraction.py``. trafilatura-eval: its with/without snippet F1. CPU ms = this
process's CPU time (``time.process_time``) around the extraction call only, per page; a shared
machine under load changes wall time far more than CPU time.

Usage:  python benchmarks/extractors.py [--data DIR ...] [--systems ...] [--python PY312]
        [--cache DIR] [--chunk N] [--reuse] [--limit N] [--json]
"""

from __future__ import annotations

import gzip
import json
import logging
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import default_data, emit, parser

SYSTEMS = ("newsdesk", "trafilatura-fast", "trafilatura", "resiliparse", "rs-trafilatura")
PARSERS = ("lxml", "selectolax", "resiliparse-tree")
SETS = ("zyte-article-bench", "fundus-news-pages", "trafilatura-eval")


def extractor(name: str) -> Callable[[str, str | None], str]:
    """``(html, url) -> main text`` for one system (imports only what that system needs)."""
    if name == "newsdesk":
        from newsdesk.ingest.html import extract_page

        return lambda html, url: str(extract_page(html, url).get("text") or "")
    if name in ("trafilatura", "trafilatura-fast"):
        import trafilatura

        fast = name.endswith("fast")
        return lambda html, url: (
            trafilatura.extract(html, url=url, fast=fast, include_tables=True) or ""
        )
    if name == "resiliparse":
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.html import HTMLTree

        return lambda html, url: extract_plain_text(
            HTMLTree.parse(html), main_content=True, links=False, list_bullets=False
        )
    if name == "rs-trafilatura":
        import rs_trafilatura

        return lambda html, url: rs_trafilatura.extract(html, url=url).main_content or ""
    if name == "lxml":
        from trafilatura.utils import load_html

        return lambda html, url: _parsed(load_html(html))
    if name == "selectolax":
        from selectolax.lexbor import LexborHTMLParser

        return lambda html, url: _parsed(LexborHTMLParser(html).body)
    if name == "resiliparse-tree":
        from resiliparse.parse.html import HTMLTree

        return lambda html, url: _parsed(HTMLTree.parse(html).body)
    raise ValueError(f"unknown system {name!r}")


def _parsed(tree: Any) -> str:
    """A parser row's "text": nothing (only the tree's cost is measured)."""
    del tree
    return ""


def importable(name: str) -> bool:
    try:
        extractor(name)
    except ImportError:
        return False
    return True


def run(name: str, pages: list[dict[str, Any]]) -> tuple[list[str], list[float]]:
    """Texts and CPU seconds per page of one system, in this process."""
    fn = extractor(name)
    fn(pages[0]["html"], pages[0]["url"])  # warm-up: imports, lazily loaded models
    texts, cpu = [], []
    for page in pages:
        c0 = time.process_time()
        try:
            text = fn(page["html"], page["url"])
        except Exception:  # a crash counts as an empty output (a full miss)
            text = ""
        cpu.append(time.process_time() - c0)
        texts.append(text)
    return texts, cpu


def run_elsewhere(
    name: str, pages: list[dict[str, Any]], python: str, cache: Path, chunk: int
) -> tuple[list[str], list[float], float]:
    """The same, in worker processes started with another interpreter, ``chunk`` pages each
    (rs-trafilatura 0.1.1 keeps memory per page: ~8 GB after a few hundred pages in one
    process); also the largest peak memory (MiB) of one worker."""
    texts: list[str] = []
    cpu: list[float] = []
    peak = 0.0
    for start in range(0, len(pages), chunk):
        part = pages[start : start + chunk]
        path = cache / f"chunk-{name}.jsonl.gz"
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            for p in part:
                fh.write(json.dumps({"url": p["url"], "html": p["html"]}) + "\n")
        done = subprocess.run(
            [python, __file__, "--worker", name, "--pages", str(path)],
            capture_output=True,
            check=True,
        )
        out = json.loads(done.stdout)
        assert len(out["texts"]) == len(part)
        texts += out["texts"]
        cpu += out["cpu"]
        peak = max(peak, out["peak_mb"])
    return texts, cpu, peak


# -- pages ---------------------------------------------------------------------------------------


def load(folders: list[Path], limit: int) -> list[dict[str, Any]]:
    """Every page with its set, id, url, html and gold (body or snippets)."""
    from textpages import gold_pages

    pages = []
    for folder in folders:
        got = list(gold_pages(folder))
        for p in got[:limit] if limit else got:
            pages.append(
                {
                    "set": p.set,
                    "id": p.id,
                    "url": p.url,
                    "html": p.html,
                    "gold": p.gold,
                    "snippets": p.snippets,
                }
            )
    return pages


def scores(pages: list[dict[str, Any]], texts: list[str]) -> dict[str, float]:
    from textpages import GoldPage, _scores

    gp = [
        GoldPage(p["set"], p["id"], "", "", p["gold"], p["snippets"])
        for p in pages  # html not needed
    ]
    return _scores(gp, texts)


# -- main ----------------------------------------------------------------------------------------


def worker(name: str, pages_file: Path) -> None:
    with gzip.open(pages_file, "rt", encoding="utf-8") as fh:
        pages = [json.loads(line) for line in fh]
    texts, cpu = run(name, pages)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"texts": texts, "cpu": cpu, "peak_mb": peak}))


def main() -> None:
    ap = parser(__doc__.splitlines()[0])
    ap.add_argument("--data", action="append", type=Path, help="a set's folder (repeatable)")
    ap.add_argument("--systems", nargs="+", default=[*SYSTEMS, *PARSERS])
    ap.add_argument("--python", help="interpreter for systems not importable here (e.g. 3.12)")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/extract-cache"))
    ap.add_argument("--limit", type=int, default=0, help="at most N pages per set (0 = all)")
    ap.add_argument("--chunk", type=int, default=50, help="pages per worker process")
    ap.add_argument("--reuse", action="store_true", help="reuse outputs saved in --cache")
    ap.add_argument("--worker", help=argparse_hidden())
    ap.add_argument("--pages", type=Path, help=argparse_hidden())
    args = ap.parse_args()
    logging.disable(logging.WARNING)  # trafilatura logs every page it discards
    if args.worker:
        worker(args.worker, args.pages)
        return
    pages = load(args.data or [default_data(n) for n in SETS], args.limit)
    args.cache.mkdir(parents=True, exist_ok=True)
    sets = list(dict.fromkeys(p["set"] for p in pages))
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for name in args.systems:
        saved = args.cache / f"out-{name}-{len(pages)}.json"
        if args.reuse and saved.exists():
            got = json.loads(saved.read_text(encoding="utf-8"))
            texts, cpu, where = got["texts"], got["cpu"], got["where"]
        elif importable(name):
            texts, cpu = run(name, pages)
            where = ""
        elif args.python:
            texts, cpu, peak = run_elsewhere(name, pages, args.python, args.cache, args.chunk)
            where = f" ({Path(args.python).name})"
            notes.append(f"{name}: peak memory of one worker ({args.chunk} pages) {peak:.0f} MiB")
        else:
            notes.append(f"{name}: not importable here and no --python given: skipped")
            continue
        ids = [p["id"] for p in pages]
        saved.write_text(
            json.dumps({"ids": ids, "texts": texts, "cpu": cpu, "where": where}), encoding="utf-8"
        )
        for s in sets:
            idx = [i for i, p in enumerate(pages) if p["set"] == s]
            ms = 1000 * sum(cpu[i] for i in idx) / len(idx)
            row: dict[str, Any] = {"set": s, "system": name + where, "pages": len(idx)}
            if name not in PARSERS:
                row.update(scores([pages[i] for i in idx], [texts[i] for i in idx]))
            row["cpu_ms_per_page"] = ms
            rows.append(row)
    notes.append(
        "CPU ms: process time around the call only, per page, on a shared 2-core machine; "
        "parser rows build the tree only."
    )
    emit(rows, args.json, "HTML extractors: main-text F1 and CPU per page", notes)


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    main()
