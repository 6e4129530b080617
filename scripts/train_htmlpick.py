"""Train the HTML main-text picker (newsdesk/resources/html_pick.json): trafilatura's text or
the second candidate (Resiliparse's main content), per page.

Pages: the shared sets with gold bodies that may ship in a model: zyte-article-bench (132),
fundus-news-pages (178), trafilatura-eval (686; with/without snippets). l3s-gn1 is research
use only: never trained on. Each page goes through the ingest path
(``newsdesk.ingest.html.extract_candidates``), which gives both texts as ingest would keep
them; each is scored per page (zyte convention: word 4-gram shingles, P and R; trafilatura-eval:
snippets found), and the label says whether the second text's F1 is higher. Each page weighs
by how much its F1 changes with the choice (a page where both are equal teaches nothing).
Trees: scikit-learn's HistGradientBoostingClassifier, parameters fixed a priori (small: a few
hundred pages), written as plain JSON (``newsdesk/ingest/plaintext/trees.py`` reads it).

``--cv K``: site-disjoint K-fold cross-validation: per fold, a model trained on the other
folds' sites picks the fold's pages; per set, F1 before (trafilatura's text) and after,
mean ± spread over folds, and the share of pages switched.

Usage:  python scripts/train_htmlpick.py [--out newsdesk/resources/html_pick.json]
        [--cache /tmp/extract-cache] [--cv K]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import pickle
import statistics
import sys
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import textpages  # noqa: E402
from _common import page_pr  # noqa: E402

from newsdesk.ingest import htmlpick  # noqa: E402
from newsdesk.ingest.plaintext.trees import Trees, trees_to_json  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
SETS = {
    "zyte": DATA / "zyte-article-bench",
    "fundus": DATA / "fundus-news-pages",
    "trafeval": DATA / "trafilatura-eval",
}
SEED = 13
INNER_FOLDS = 5
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
TREE_PARAMS: dict[str, Any] = {
    "max_iter": 60,
    "learning_rate": 0.1,
    "max_leaf_nodes": 8,
    "min_samples_leaf": 10,
    "l2_regularization": 1.0,
    "early_stopping": False,
}


@dataclass
class PickPage:
    set: str
    id: str
    site: str
    x: np.ndarray  # features (a zero row when there is no second candidate)
    has_second: bool
    pr_a: tuple[float, float]  # per-page (precision, recall) of trafilatura's text
    pr_b: tuple[float, float]  # ... of the second candidate
    snippets: tuple[int, int, int, int, int, int] | None  # tp, fn, fp of a, then of b


def fold_of(site: str, folds: int) -> int:
    return zlib.crc32(site.encode("utf-8")) % folds


def _snip(page: textpages.GoldPage, text: str) -> tuple[int, int, int]:
    t = " ".join(text.split())
    with_ = [" ".join(s.split()) for s in (page.snippets or {}).get("with", [])]
    without = [" ".join(s.split()) for s in (page.snippets or {}).get("without", [])]
    tp = sum(s in t for s in with_)
    return tp, len(with_) - tp, sum(s in t for s in without)


def _pr(tp: int, fn: int, fp: int) -> tuple[float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r


def load(cache: Path | None, sets: Sequence[str] = tuple(SETS)) -> list[PickPage]:
    """Every page's features and per-page scores of both candidates (cached)."""
    from newsdesk.ingest.html import extract_candidates

    code = b"".join(
        (ROOT / "newsdesk" / "ingest" / f).read_bytes()
        for f in ("html.py", "htmlpick.py", "htmlmeta.py")
    )
    ranker = ROOT / "newsdesk" / "resources" / "metadata_ranker.json"  # titles cut from bodies
    code += ranker.read_bytes() if ranker.exists() else b""
    tag = hashlib.sha1(code + ",".join(sets).encode()).hexdigest()[:12]
    path = cache / f"pick-pages-{tag}.pkl" if cache else None
    if path and path.exists():
        with open(path, "rb") as fh:
            return [PickPage(**d) for d in pickle.load(fh)]  # our own cache file, written below
    logging.disable(logging.WARNING)
    out = []
    for name in sets:
        for page in textpages.gold_pages(SETS[name]):
            try:
                _, a, b = extract_candidates(page.html, page.url, page.id)
            except Exception:  # a page ingest refuses: not a choice to learn
                continue
            bt = b.text if b is not None else ""
            x = htmlpick.features(a, b) if b is not None else np.zeros(len(htmlpick.FEATURES))
            if page.gold is not None:
                pa, pb, sn = page_pr(page.gold, a), page_pr(page.gold, bt), None
            else:
                sa, sb = _snip(page, a), _snip(page, bt)
                pa, pb, sn = _pr(*sa), _pr(*sb), (*sa, *sb)
            out.append(PickPage(name, page.id, page.site, x, b is not None, pa, pb, sn))
    if path:
        with open(path, "wb") as fh:
            pickle.dump([vars(p) for p in out], fh)
    return out


def f1(pr: tuple[float, float]) -> float:
    p, r = pr
    return 2 * p * r / (p + r) if p + r else 0.0


def fit(pages: Sequence[PickPage]) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    usable = [p for p in pages if p.has_second]
    x = np.vstack([p.x for p in usable])
    gain = np.array([f1(p.pr_b) - f1(p.pr_a) for p in usable])
    model = HistGradientBoostingClassifier(random_state=SEED, **TREE_PARAMS)
    model.fit(x, (gain > 0).astype(int), sample_weight=np.abs(gain) + 1e-3)
    return model


def train(pages: Sequence[PickPage]) -> dict[str, Any]:
    """Trees, and the threshold chosen on out-of-fold predictions of inner site-disjoint folds
    (the one that gains the most F1 summed over the sets; never the outer folds' pages)."""
    fold = [fold_of(p.site + "#inner", INNER_FOLDS) for p in pages]
    prob = np.zeros(len(pages))
    for k in range(INNER_FOLDS):
        train_idx = [i for i, f in enumerate(fold) if f != k]
        test_idx = [i for i, f in enumerate(fold) if f == k]
        if not test_idx:
            continue
        m = fit([pages[i] for i in train_idx])
        prob[test_idx] = m.predict_proba(np.vstack([pages[i].x for i in test_idx]))[:, 1]
    best, best_gain = 1.0, 0.0
    for t in THRESHOLDS:
        gain = 0.0
        for name in sorted({p.set for p in pages}):
            idx = [i for i, p in enumerate(pages) if p.set == name]
            sub = [pages[i] for i in idx]
            use = [bool(pages[i].has_second and prob[i] > t) for i in idx]
            gain += set_score(sub, use) - set_score(sub, [False] * len(sub))
        if gain > best_gain:
            best, best_gain = t, gain
    return {
        "kind": "html-pick",
        "features": list(htmlpick.FEATURES),
        "threshold": best,
        "params": TREE_PARAMS,
        "trees": trees_to_json(fit(pages)),
    }


def set_score(pages: Sequence[PickPage], use_b: Sequence[bool]) -> float:
    """The set's F1 as its benchmark computes it (zyte: from mean P and R; snippets: pooled)."""
    if pages and pages[0].snippets is not None:
        tp = fn = fp = 0
        for p, b in zip(pages, use_b, strict=True):
            s = p.snippets or (0, 0, 0, 0, 0, 0)
            tp, fn, fp = tp + s[3 * b], fn + s[3 * b + 1], fp + s[3 * b + 2]
        pr, rc = _pr(tp, fn, fp)
    else:
        prs = [p.pr_b if b else p.pr_a for p, b in zip(pages, use_b, strict=True)]
        pr = sum(x for x, _ in prs) / len(prs)
        rc = sum(x for _, x in prs) / len(prs)
    return 2 * pr * rc / (pr + rc) if pr + rc else 0.0


def decide(model: dict[str, Any], pages: Sequence[PickPage]) -> list[bool]:
    trees = Trees.from_json(model["trees"])
    prob = trees.predict(np.vstack([p.x for p in pages]))
    return [bool(p.has_second and q > model["threshold"]) for p, q in zip(pages, prob, strict=True)]


def cross_validate(pages: Sequence[PickPage], folds: int) -> dict[str, dict[str, list[float]]]:
    """Per set: F1 before / after for each fold's held-out pages, and pages switched."""
    fold = [fold_of(p.site, folds) for p in pages]
    out: dict[str, dict[str, list[float]]] = {}
    pooled: dict[str, list[bool]] = {}
    for k in range(folds):
        test = [p for p, f in zip(pages, fold, strict=True) if f == k]
        if not test:
            continue
        model = train([p for p, f in zip(pages, fold, strict=True) if f != k])
        chosen = decide(model, test)
        for p, c in zip(test, chosen, strict=True):
            pooled.setdefault(p.id, []).append(c)
        for name in sorted({p.set for p in test}):
            idx = [i for i, p in enumerate(test) if p.set == name]
            sub = [test[i] for i in idx]
            d = out.setdefault(name, {"before": [], "after": [], "switched": []})
            d["before"].append(set_score(sub, [False] * len(sub)))
            d["after"].append(set_score(sub, [chosen[i] for i in idx]))
            d["switched"].append(sum(chosen[i] for i in idx) / len(idx))
    for name in sorted({p.set for p in pages}):
        sub = [p for p in pages if p.set == name]
        out[name]["pooled_before"] = [set_score(sub, [False] * len(sub))]
        out[name]["pooled_after"] = [set_score(sub, [pooled[p.id][0] for p in sub])]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=htmlpick.MODEL_PATH)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/extract-cache"))
    ap.add_argument("--cv", type=int, default=0)
    args = ap.parse_args()
    pages = load(args.cache)
    if args.cv > 1:
        for name, d in cross_validate(pages, args.cv).items():
            print(
                name,
                *(
                    f"{k} {statistics.mean(v):.4f}"
                    + (f" ± {statistics.stdev(v):.4f}" if len(v) > 1 else "")
                    for k, v in d.items()
                ),
                sep="\t",
            )
        return
    model = train(pages)
    model["trained_on"] = sorted({p.set for p in pages})
    model["pages"] = len(pages)
    args.out.write_text(json.dumps(model) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(pages)} pages)")


if __name__ == "__main__":
    main()
