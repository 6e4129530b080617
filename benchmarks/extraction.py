"""HTML extraction: main-text token F1 on zyte-article-bench; title/author/date on fundus-news-pages.

Main text (zyte-article-bench): every page goes through newsdesk's ingest path for HTML — the
same calls ``newsdesk ingest`` makes (``sources.read_source`` on the raw ``.html.gz`` bytes →
``extract`` → ``build_article``) — and the stored body is scored against the gold
``articleBody``, in one table with the 16 peer outputs shipped with the set and with trafilatura
(default settings) run here on the same pages as a reference.

Metric (the set's SOURCE.md convention, re-implemented): per page, multisets of word 4-gram
shingles (tokens = ``\\w+``, Unicode) of gold and prediction; TP/FP/FN normalised by their sum;
precision and recall averaged over pages; F1 = harmonic mean of the two averages; accuracy =
share of pages whose token sequence equals the gold one. A missing prediction is an empty text.

Metadata (fundus-news-pages): share of pages whose title (whitespace-normalised, exact), author
set (names whitespace- and case-normalised, order ignored) and publication day (the date part
of the timestamp, in the time zone the page states) match the expected values, over the pages
where the expected value is present; newsdesk (ingest path) beside plain trafilatura metadata
(``bare_extraction(with_metadata=True)``, default settings) as a reference row.

Metadata on site-disjoint folds (``--folds K``, fundus-news-pages and trafilatura-eval): for
each fold, the metadata ranker (``scripts/train_metadata.py``'s ``train``) is trained on the
other folds' sites of both sets and picks title, authors and date on the fold's pages, from the
candidates the ingest path gathers (``newsdesk.ingest.html.parse_page``); per set and field the
accuracy over pages with a gold value, mean ± spread over folds and pooled over all folds,
beside the candidates' source order (no model) and the best any candidate allows (oracle).
The main-text picker (``scripts/train_htmlpick.py``) is cross-validated the same way on zyte,
fundus and trafilatura-eval: F1 with trafilatura's text only and with the picked text.
Without ``--folds`` the shipped models run, and rows on sets they were trained on say so.

Usage:  python benchmarks/extraction.py [--data DIR ...] [--folds K] [--json]
``--data`` is repeatable, one folder per set; a folder's set is recognised by its files
(``ground-truth.json`` + ``html/`` → zyte format, ``expected*.jsonl.gz`` + ``html/`` → fundus
format). Default: both sets under ../shared/data.
"""

from __future__ import annotations

import gzip
import json
import logging
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import default_data, emit, files, parser, zyte_score

from newsdesk.ingest import build_article, extract, sources
from newsdesk.models import RawDocument
from newsdesk.settings import Settings

MAX_BYTES = 50_000_000


def score(gold: dict[str, str], pred: dict[str, str]) -> dict[str, float]:
    return zyte_score((g, pred.get(pid) or "") for pid, g in gold.items())


# -- newsdesk's path ---------------------------------------------------------------------------


def newsdesk_article(name: str, raw: bytes, url: str | None, settings: Settings) -> Any:
    """The article ``newsdesk ingest`` would store for this file (None if it reports an error)."""
    for item in sources.read_source(name, raw, MAX_BYTES):
        if not isinstance(item, RawDocument):
            return None
        doc = (
            item if item.url or not url else RawDocument(item.source, item.kind, item.content, url)
        )
        try:
            return build_article(extract(doc), doc.source, settings)
        except Exception:
            return None
    return None


def _seen(model: str, set_name: str) -> str:
    """ " SEEN IN TRAINING" when the shipped model ``model`` was trained on ``set_name``."""
    from newsdesk import resources

    path = resources.path(model)
    if not path.exists():
        return ""
    trained = json.loads(path.read_text(encoding="utf-8")).get("trained_on", [])
    sets = {s for v in trained.values() for s in v} if isinstance(trained, dict) else set(trained)
    return " SEEN IN TRAINING" if set_name in sets else ""


# -- zyte-article-bench -------------------------------------------------------------------------


def zyte_rows(folder: Path, settings: Settings) -> tuple[list[dict[str, Any]], list[str]]:
    import trafilatura

    gt: dict[str, Any] = {}
    for path in files(folder, "ground-truth*.json"):
        gt.update(json.loads(path.read_text(encoding="utf-8")))
    html_files = {p.name.split(".")[0]: p for p in files(folder / "html", "*.html.gz", "*.html")}
    ids = sorted(pid for pid in gt if pid in html_files)
    gold = {pid: gt[pid]["articleBody"] for pid in ids}
    raws = {pid: html_files[pid].read_bytes() for pid in ids}

    # warm-up, untimed: imports and lazily loaded models (language identifier …) of both systems
    first = ids[0]
    newsdesk_article(html_files[first].name, raws[first], gt[first].get("url"), settings)
    raw = raws[first]
    html = sources.gunzip(first, raw, MAX_BYTES) if raw[:2] == b"\x1f\x8b" else raw
    trafilatura.extract(html.decode("utf-8", "replace"))

    pred: dict[str, str] = {}
    t0, c0 = time.perf_counter(), time.process_time()
    for pid in ids:
        a = newsdesk_article(html_files[pid].name, raws[pid], gt[pid].get("url"), settings)
        pred[pid] = a.text if a is not None else ""
    nd_ms = (time.perf_counter() - t0) / len(ids) * 1000
    nd_cpu = (time.process_time() - c0) / len(ids) * 1000

    traf: dict[str, str] = {}
    t0, c0 = time.perf_counter(), time.process_time()
    for pid in ids:
        raw = raws[pid]
        html = sources.gunzip(pid, raw, MAX_BYTES) if raw[:2] == b"\x1f\x8b" else raw
        traf[pid] = (
            trafilatura.extract(html.decode("utf-8", "replace"), url=gt[pid].get("url")) or ""
        )
    tr_ms = (time.perf_counter() - t0) / len(ids) * 1000
    tr_cpu = (time.process_time() - c0) / len(ids) * 1000

    rows = [
        {
            "system": "newsdesk (ingest HTML path)" + _seen("html_pick.json", "zyte"),
            **score(gold, pred),
            "ms_per_page": nd_ms,
            "cpu_ms_per_page": nd_cpu,
        },
        {
            "system": f"trafilatura {trafilatura.__version__} (this run, default)",
            **score(gold, traf),
            "ms_per_page": tr_ms,
            "cpu_ms_per_page": tr_cpu,
        },
    ]
    peer_dir = folder / "peer-outputs"
    peers = (
        sorted(peer_dir.glob("*.json.gz")) + sorted(peer_dir.glob("*.json"))
        if peer_dir.exists()
        else []
    )
    for path in peers:
        blob = json.loads(
            gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        )
        out = {pid: (v or {}).get("articleBody") or "" for pid, v in blob.get("output", {}).items()}
        version = blob.get("version")
        name = blob.get("system") or path.name.split(".")[0]
        rows.append({"system": f"{name} {version}" if version else name, **score(gold, out)})
    rows.sort(key=lambda r: -r["f1"])
    notes = [
        f"zyte-article-bench: {len(ids)} pages from {folder}; peer rows are the outputs shipped with "
        "the set (upstream runs); ms_per_page (wall clock) and cpu_ms_per_page (this process's "
        "CPU time, less sensitive to other jobs) measured here on a shared 2-core machine under "
        "contention (several engineers' jobs running)."
    ]
    return rows, notes


# -- fundus-news-pages -----------------------------------------------------------------------------


def _norm(s: Any) -> str:
    return " ".join(str(s or "").split())


def _authors(names: Any) -> frozenset[str]:
    return frozenset(_norm(n).lower() for n in names or [] if _norm(n))


def _day(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    return str(value).strip()[:10]


def fundus_rows(folder: Path, settings: Settings) -> tuple[list[dict[str, Any]], list[str]]:
    import trafilatura

    recs: list[dict[str, Any]] = []
    for path in files(folder, "expected*.jsonl.gz", "expected*.jsonl"):
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        recs.extend(json.loads(line) for line in raw.splitlines() if line.strip())
    systems: dict[str, Counter[str]] = {
        "newsdesk (ingest HTML path)" + _seen("metadata_ranker.json", "fundus"): Counter(),
        "trafilatura metadata": Counter(),
    }
    totals: Counter[str] = Counter()
    for rec in recs:
        html_path = folder / rec["html_file"]
        if not html_path.exists():
            continue
        raw = html_path.read_bytes()
        exp = rec.get("expected") or {}
        gold = {
            "title": _norm(exp.get("title")),
            "authors": _authors(exp.get("authors")),
            "date": _day(exp.get("publishing_date")),
        }
        a = newsdesk_article(html_path.name, raw, rec.get("url"), settings)
        nd = {
            "title": _norm(a.title) if a else "",
            "authors": _authors(a.authors) if a else frozenset(),
            "date": _day(a.published) if a else "",
        }
        html = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8", "replace")
        doc = trafilatura.bare_extraction(html, url=rec.get("url"), with_metadata=True)
        tr = {
            "title": _norm(doc.title) if doc else "",
            "authors": _authors((doc.author or "").split(";")) if doc else frozenset(),
            "date": _day(doc.date) if doc else "",
        }
        for field, value in gold.items():
            if not value:
                continue
            totals[field] += 1
            systems[next(iter(systems))][field] += nd[field] == value
            systems["trafilatura metadata"][field] += tr[field] == value
    rows = [
        {
            "system": name,
            "title_acc": hits["title"] / max(totals["title"], 1),
            "author_acc": hits["authors"] / max(totals["authors"], 1),
            "date_acc": hits["date"] / max(totals["date"], 1),
        }
        for name, hits in systems.items()
    ]
    notes = [
        f"fundus-news-pages: {len(recs)} pages from {folder}; with gold title {totals['title']}, "
        f"authors {totals['authors']}, date {totals['date']}. Title exact (whitespace-normalised); "
        "authors as a set (case-insensitive); date = same day as stated in the page's time zone."
    ]
    return rows, notes


# -- site-disjoint folds ---------------------------------------------------------------------------


def fold_rows(folds: int, cache: Path | None) -> list[tuple[str, list[dict[str, Any]], list[str]]]:
    """The metadata ranker's and the main-text picker's site-disjoint cross-validation."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import train_htmlpick as tp
    import train_metadata as tm

    tables = []
    pages = tm.load(cache)
    rows: list[dict[str, Any]] = []
    for label, sets in (("shipped sets", None), ("trained on both sets", tm.BOTH)):
        for r in tm.summarise(tm.cross_validate(pages, folds, sets)):
            if label != "shipped sets" and r["system"] != "ranker":
                continue
            system = {
                "ranker": f"newsdesk metadata ranker ({label}, site-disjoint folds)",
                "source order": "candidates in source order (no model)",
                "oracle": "oracle (any candidate right)",
            }[r["system"]]
            rows.append({"set": tm_set_name(r["set"]), "system": system, **_acc_cols(r)})
    tables.append(
        (
            f"Metadata accuracy, {folds} site-disjoint folds",
            rows,
            [
                "Per field: accuracy over pages with a gold value, pooled over the folds' "
                "held-out pages; _fm ± _sd: mean and spread of the per-fold accuracies. "
                f"Shipped sets: {tm.TRAIN_SETS} (scripts/train_metadata.py says why)."
            ],
        )
    )
    picks = tp.load(cache)
    prow = []
    for name, d in tp.cross_validate(picks, folds).items():
        prow.append(
            {
                "set": tm_set_name(name),
                "system": "newsdesk main-text picker (site-disjoint folds)",
                "pages": sum(p.set == name for p in picks),
                "f1_trafilatura_text": d["pooled_before"][0],
                "f1_picked": d["pooled_after"][0],
                "fold_mean_before": statistics.mean(d["before"]),
                "fold_mean_after": statistics.mean(d["after"]),
                "fold_sd_gain": statistics.stdev(
                    [a - b for a, b in zip(d["after"], d["before"], strict=True)]
                ),
                "switched": statistics.mean(d["switched"]),
            }
        )
    tables.append(
        (
            f"Main text: trafilatura's text or the second candidate, {folds} site-disjoint folds",
            prow,
            [
                "f1_*: the set's metric over all pages (zyte convention; trafilatura-eval: "
                "snippets); fold_*: mean over folds; switched: share of pages where the "
                "picker kept the second candidate."
            ],
        )
    )
    return tables


def tm_set_name(name: str) -> str:
    return {
        "fundus": "fundus-news-pages",
        "trafeval": "trafilatura-eval",
        "zyte": "zyte-article-bench",
    }.get(name, name)


def _acc_cols(r: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, col in (("title", "title"), ("authors", "author"), ("date", "date")):
        out[f"{col}_acc"] = r[f"{name}_acc"]
        out[f"{col}_fm"] = r[f"{name}_fold_mean"]
        out[f"{col}_sd"] = r[f"{name}_fold_sd"]
    out["pages"] = max(r[f"{n}_pages"] for n in ("title", "authors", "date"))
    return out


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument(
        "--data", action="append", type=Path, help="a set's folder (repeatable, one per set)"
    )
    p.add_argument(
        "--folds",
        type=int,
        default=0,
        help="K > 1: site-disjoint K-fold cross-validation of the metadata ranker (fundus, "
        "trafilatura-eval) and of the main-text picker (zyte, fundus, trafilatura-eval), "
        "on the sets under ../shared/data",
    )
    p.add_argument("--cache", type=Path, help="keep parsed pages here (outside the repo)")
    args = p.parse_args()
    logging.disable(logging.WARNING)  # trafilatura logs every page it discards
    if args.folds > 1:
        tables = fold_rows(args.folds, args.cache)
        if args.json:
            emit([{"table": t, **r} for t, rows, _ in tables for r in rows], True)
        else:
            for t, rows, notes in tables:
                emit(rows, False, t, notes)
        return
    folders = args.data or [default_data("zyte-article-bench"), default_data("fundus-news-pages")]
    settings = Settings()
    all_rows: list[dict[str, Any]] = []
    for folder in folders:
        if (folder / "ground-truth.json").exists() or list(folder.glob("ground-truth*.json")):
            rows, notes = zyte_rows(folder, settings)
            title = "Main-text extraction, zyte-article-bench (token 4-gram F1)"
        elif list(folder.glob("expected*.jsonl*")):
            rows, notes = fundus_rows(folder, settings)
            title = "Metadata accuracy, fundus-news-pages"
        else:
            sys.exit(f"{folder}: neither a zyte-article-bench nor a fundus-news-pages folder")
        if args.json:
            all_rows.extend({"set": folder.name, **r} for r in rows)
        else:
            emit(rows, False, title, notes)
    if args.json:
        emit(all_rows, True)


if __name__ == "__main__":
    main()
