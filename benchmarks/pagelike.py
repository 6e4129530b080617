"""Does a record look like a scraped page? The signal ``summarize -`` cleans on, measured.

A record's text "looks like a page" when the plain-text cleaner keeps less than
``1 - PAGE_REMOVED_SHARE`` of its lines as article body (``newsdesk.ingest.plaintext.looks_like_page``):
menus, share boxes and cookie lines are many short lines, an article's paragraphs are kept.

Pages (should be cleaned): the HTML pages of zyte-article-bench, fundus-news-pages,
trafilatura-eval and l3s-gn1 rendered to text with all their furniture (``benchmarks/textpages.py``'s
renderers), and the two seed pages. Articles (should be left alone): the same sets' gold bodies
(clean text of the same sites), CNN/DM (realsumm, summeval), BBC News Summary, the NeuS
validation documents and the demo corpus's AllSides articles.

The threshold is chosen by site-disjoint K-fold cross-validation (pages and gold bodies of one
site in one fold; other articles by record): on the other folds, the threshold with the best
balanced accuracy (mean of page recall and article specificity; ties: the middle of the best
run); on the held-out fold, pages flagged and articles flagged. Rows: per set, the share
flagged at the shipped threshold; notes: the cross-validated figures, mean ± spread over folds.
The cleaner was trained on zyte, fundus and trafilatura-eval pages (their rows are optimistic);
l3s-gn1, the seeds and every article set are unseen by it.

Usage:  python benchmarks/pagelike.py [--limit N] [--renderers ...] [--folds K] [--cache DIR] [--json]
"""

from __future__ import annotations

import gzip
import hashlib
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, default_data, emit, parser
from textpages import RENDERERS, gold_pages, rendered

from newsdesk.ingest.plaintext import PAGE_REMOVED_SHARE, default_cleaner, removed_share

PAGE_SETS = ("zyte-article-bench", "fundus-news-pages", "trafilatura-eval", "l3s-gn1")
THRESHOLDS = [round(0.05 * i, 2) for i in range(1, 20)]


def fold_of(key: str, k: int) -> int:
    return int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) % k


def _jsonl(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def articles(limit: int) -> list[tuple[str, str, str]]:
    """(set, group key, text) of clean article texts outside the page sets."""
    out: list[tuple[str, str, str]] = []
    for name, file, field in (
        ("cnndm-realsumm", "realsumm.jsonl.gz", "article"),
        ("cnndm-summeval", "summeval.jsonl.gz", "article"),
        ("bbc-news-summary", "bbc-news-summary.jsonl.gz", "article"),
    ):
        path = default_data(name) / file
        if path.exists():
            recs = _jsonl(path)[:limit]
            out += [(name, f"{name}/{r['id']}", r[field]) for r in recs if r.get(field)]
    neus = default_data("neus-mds") / "neus-val.jsonl.gz"
    if neus.exists():
        for r in _jsonl(neus)[: max(1, limit // 3)]:
            for j, d in enumerate(r["documents"]):
                out.append(("neus-mds", f"neus/{r['id']}/{j}", d["text"]))
    demo = ROOT / "newsdesk" / "resources" / "demo" / "allsides-stories.jsonl"
    for i, line in enumerate(demo.read_text(encoding="utf-8").splitlines()[:limit]):
        out.append(("demo allsides", f"demo/{i}", json.loads(line)["text"]))
    return out


def pages_and_bodies(
    limit: int, renderers: list[str], cache: Path | None
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    pages: list[tuple[str, str, str]] = []
    bodies: list[tuple[str, str, str]] = []
    for name in PAGE_SETS:
        folder = default_data(name)
        if not folder.exists():
            continue
        gold = []
        for p in gold_pages(folder):
            gold.append(p)
            if limit and len(gold) >= limit:
                break
        for r in renderers:
            for p, text in zip(gold, rendered(gold, r, cache), strict=True):
                if text.strip():
                    pages.append((f"{p.set} page ({r})", p.site, text))
        bodies += [(f"{p.set} gold body", p.site, p.gold) for p in gold if p.gold]
    for path in sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt")):
        pages.append(("seed page", f"seed/{path.stem}", path.read_text(encoding="utf-8")))
    return pages, bodies


def choose(pos: list[float], neg: list[float]) -> float:
    """The threshold with the best balanced accuracy (the middle one of a tie)."""

    def bal(t: float) -> float:
        tpr = sum(s >= t for s in pos) / max(1, len(pos))
        tnr = sum(s < t for s in neg) / max(1, len(neg))
        return (tpr + tnr) / 2

    scores = [bal(t) for t in THRESHOLDS]
    best = max(scores)
    tied = [t for t, s in zip(THRESHOLDS, scores, strict=True) if s >= best - 1e-9]
    return tied[len(tied) // 2]


def main() -> None:
    ap = parser(__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=150, help="at most N records per set")
    ap.add_argument(
        "--renderers", nargs="+", default=["inscriptis", "w3m", "lynx"], choices=list(RENDERERS)
    )
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--cache", type=Path, help="keep rendered pages here (outside the repo)")
    args = ap.parse_args()
    cleaner = default_cleaner()
    pages, bodies = pages_and_bodies(args.limit, args.renderers, args.cache)
    arts = bodies + articles(args.limit)
    pos = [(s, g, removed_share(t, cleaner)) for s, g, t in pages]
    neg = [(s, g, removed_share(t, cleaner)) for s, g, t in arts]
    rows = []
    for label, items in (("page", pos), ("article", neg)):
        for name in sorted({s for s, _, _ in items}):
            vals = [v for s, _, v in items if s == name]
            rows.append(
                {
                    "set": name,
                    "kind": label,
                    "n": len(vals),
                    "removed_median": round(statistics.median(vals), 3),
                    "flagged": round(sum(v >= PAGE_REMOVED_SHARE for v in vals) / len(vals), 3),
                }
            )
    recall, fpr, chosen = [], [], []
    for f in range(args.folds):
        t = choose(
            [v for _, g, v in pos if fold_of(g, args.folds) != f],
            [v for _, g, v in neg if fold_of(g, args.folds) != f],
        )
        chosen.append(t)
        held_p = [v for _, g, v in pos if fold_of(g, args.folds) == f]
        held_n = [v for _, g, v in neg if fold_of(g, args.folds) == f]
        recall.append(sum(v >= t for v in held_p) / max(1, len(held_p)))
        fpr.append(sum(v >= t for v in held_n) / max(1, len(held_n)))
    all_t = choose([v for _, _, v in pos], [v for _, _, v in neg])

    def ms(xs: list[float]) -> str:
        return f"{100 * statistics.mean(xs):.1f} ± {100 * statistics.pstdev(xs):.1f} %"

    notes = [
        f"{len(pos)} pages, {len(neg)} articles; shipped PAGE_REMOVED_SHARE = {PAGE_REMOVED_SHARE}",
        f"{args.folds}-fold site-disjoint CV: thresholds chosen {chosen}; held-out pages flagged "
        f"{ms(recall)}, articles flagged {ms(fpr)}",
        f"threshold chosen on all records: {all_t}",
    ]
    emit(
        rows,
        args.json,
        title="Looks like a page? (share of lines the cleaner removes)",
        notes=notes,
    )


if __name__ == "__main__":
    main()
