"""Semantic search's relevance cut-off: which neighbours are worth showing, measured.

Labelled set: the shared part of allsides-stories (330 AllSides stories, 960 articles: each
story's 2-3 outlet articles). Each article is embedded as the ``embed`` stage does
(``embed_text(title, lead)``, setting ``encoder``); a query is embedded as search does.

Queries, each against the 960 articles:

- *related*: a story's AllSides headline (``issue``, written by its editors, not any
  article's title); relevant = that story's articles;
- *other event*: the same headline against the corpus without that story's articles (what is
  left is about other events: every result is filler, however topical);
- *off-topic*: BBC News Summary titles (UK news of 2004-05; nothing in the corpus is about them).

A result is kept when its score passes the cut-off; a page is 20 results. Signals: the cosine
``score``, and ``z``: the score's z-score among the query's scores over the whole collection
(mean and spread of the query's cosine to every article; encoder-independent scale). The
cut-off is chosen by story-disjoint K-fold cross-validation (off-topic queries split by record):
on the other folds' queries the cut-off with the best F2 over (query, result) pairs (recall
weighs 4 times precision: a search should rather show a neighbour too many than miss an
article of the story; F1 halved recall, to 0.49, in the first measurement); on the
held-out fold, recall of relevant articles, filler per related query, results per other-event
and off-topic query. Rows: none (no cut-off) and each signal's CV figures (mean ± spread over
folds), and the shipped cut-off (``newsdesk.search.semantic.MIN_SCORE``) on all queries; notes:
the cut-offs chosen. The cosine is shipped although z scores a little higher F2: z keeps 0.55
off-topic results per query where the cosine keeps 0.03, at lower recall (0.65 vs 0.73).

With ``--json`` each figure is a number (the mean over folds) and its spread ``<figure>_sd``;
benchmarks/floors.toml holds the cosine's CV row to its figures.

Usage:  python benchmarks/search_relevance.py [--encoder NAME] [--folds K (default 10)] [--json]
"""

from __future__ import annotations

import gzip
import hashlib
import json
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import default_data, emit, parser

from newsdesk.nlp.embed import embed_text, get_encoder
from newsdesk.search.semantic import MIN_SCORE

PAGE = 20


def z_scores(scores: np.ndarray) -> np.ndarray:
    """Each score's z-score among ``scores`` (a query's cosine to every article)."""
    sd = float(scores.std())
    return (scores - float(scores.mean())) / sd if sd > 0 else np.zeros_like(scores)


def fold_of(key: str, k: int) -> int:
    return int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) % k


def load() -> tuple[list[dict], list[tuple[int, str]], list[str]]:
    with gzip.open(default_data("allsides-stories") / "allsides-stories.jsonl.gz", "rt") as fh:
        stories = [json.loads(line) for line in fh if line.strip()]
    arts = [
        {"story": s["id"], "text": embed_text(a["newsTitle"], " ".join(a["newBody"]))}
        for s in stories
        for a in s["news"].values()
    ]
    queries = [(s["id"], s["issue"]) for s in stories if any(a["story"] == s["id"] for a in arts)]
    with gzip.open(default_data("bbc-news-summary") / "bbc-news-summary.jsonl.gz", "rt") as fh:
        bbc = [json.loads(line)["title"] for line in fh if line.strip()]
    return arts, queries, bbc[::5]  # every 5th: all five BBC sections, ~300 titles


def results(
    scores: np.ndarray, z: np.ndarray, keep: np.ndarray, signal: str, t: float
) -> list[int]:
    """The page of results: the top PAGE of ``keep`` whose signal passes ``t``."""
    s = np.where(keep, scores, -np.inf)
    top = np.argsort(-s, kind="stable")[:PAGE]
    sig = scores if signal == "score" else z
    return [int(i) for i in top if np.isfinite(s[i]) and sig[i] >= t]


def evaluate(items: list[tuple], signal: str, t: float) -> dict[str, float]:
    """items: (kind, scores, z, keep, relevant set)."""
    rel_found = rel_total = returned = correct = 0
    filler_related, other, offtopic = [], [], []
    for kind, scores, z, keep, relevant in items:
        got = results(scores, z, keep, signal, t)
        hits = sum(i in relevant for i in got)
        returned += len(got)
        correct += hits
        if kind == "related":
            rel_found += hits
            rel_total += len(relevant)
            filler_related.append(len(got) - hits)
        elif kind == "other":
            other.append(len(got))
        else:
            offtopic.append(len(got))
    p = correct / returned if returned else 1.0
    r = rel_found / rel_total if rel_total else 0.0
    return {
        "f2": 5 * p * r / (4 * p + r) if p + r else 0.0,
        "precision": p,
        "recall": r,
        "filler_related": float(np.mean(filler_related)) if filler_related else 0.0,
        "other_event": float(np.mean(other)) if other else 0.0,
        "off_topic": float(np.mean(offtopic)) if offtopic else 0.0,
    }


GRID = {
    "score": [round(float(x), 3) for x in np.arange(0.0, 0.9, 0.025)],
    "z": [round(float(x), 2) for x in np.arange(0.0, 8.0, 0.25)],
}


def main() -> None:
    ap = parser(__doc__.splitlines()[0])
    ap.add_argument("--encoder", default=None, help="encoder name (default: setting encoder)")
    ap.add_argument("--folds", type=int, default=10)
    args = ap.parse_args()
    enc = get_encoder(args.encoder)
    arts, queries, bbc = load()
    A = np.asarray(enc.encode([a["text"] for a in arts]), dtype=np.float32)
    story = np.array([a["story"] for a in arts])
    Q = np.asarray(enc.encode([q for _, q in queries]), dtype=np.float32)
    B = np.asarray(enc.encode(bbc), dtype=np.float32)
    everything = np.ones(len(arts), bool)
    items: list[tuple[int, tuple]] = []  # (fold, item)
    for (sid, _), q in zip(queries, Q, strict=True):
        scores = A @ q
        z = z_scores(scores)
        own = story == sid
        f = fold_of(f"story/{sid}", args.folds)
        items.append((f, ("related", scores, z, everything, set(np.flatnonzero(own).tolist()))))
        # the same query without its story's articles: z over that collection
        rest = np.where(own, -np.inf, scores)
        zr = z_scores(scores[~own])
        z_other = np.full(len(scores), -np.inf, dtype=np.float32)
        z_other[~own] = zr
        items.append((f, ("other", rest, z_other, ~own, set())))
    for i, q in enumerate(B):
        scores = A @ q
        items.append(
            (fold_of(f"bbc/{i}", args.folds), ("off", scores, z_scores(scores), everything, set()))
        )
    rows = [
        {
            "signal": "none (no cut-off)",
            **_fmt([evaluate([it for _, it in items], "score", -1.0)], args.json),
        }
    ]
    shipped = MIN_SCORE.get(enc.name)
    if shipped is not None:
        at = evaluate([it for _, it in items], "score", shipped)
        rows.append(
            {"signal": f"score >= {shipped} (shipped, all queries)", **_fmt([at], args.json)}
        )
    notes = [
        f"encoder {enc.name}; {len(arts)} articles, {len(queries)} related and other-event "
        f"queries, {len(bbc)} off-topic queries; page = {PAGE} results"
    ]
    for signal, grid in GRID.items():
        held, chosen = [], []
        for f in range(args.folds):
            train = [it for g, it in items if g != f]
            t = max(grid, key=lambda t: evaluate(train, signal, t)["f2"])
            chosen.append(t)
            held.append(evaluate([it for g, it in items if g == f], signal, t))
        rows.append({"signal": f"{signal} (CV)", **_fmt(held, args.json)})
        best_all = max(grid, key=lambda t: evaluate([it for _, it in items], signal, t)["f2"])
        notes.append(f"{signal}: cut-offs chosen per fold {chosen}; on all queries {best_all}")
    emit(
        rows, args.json, title="Semantic search: relevance cut-off (allsides-stories)", notes=notes
    )


def _fmt(evals: list[dict[str, float]], numbers: bool = False) -> dict[str, str | float]:
    """Mean ± spread over folds of each figure: as text for the table; with ``numbers`` (--json,
    what benchmarks/check.py reads) the mean under the figure's name and the spread as
    ``<name>_sd``."""
    out: dict[str, str | float] = {}
    for key in ("f2", "precision", "recall", "filler_related", "other_event", "off_topic"):
        vals = [e[key] for e in evals]
        mean, sd = statistics.mean(vals), statistics.pstdev(vals) if len(vals) > 1 else None
        if numbers:
            out[key] = round(mean, 4)
            if sd is not None:
                out[f"{key}_sd"] = round(sd, 4)
        else:
            out[key] = f"{mean:.2f}" + (f" ± {sd:.2f}" if sd is not None else "")
    return out


if __name__ == "__main__":
    main()
