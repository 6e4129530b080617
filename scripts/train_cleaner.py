"""Train the plain-text page cleaner (newsdesk/resources/cleaner.json).

Pages: every shared set with a gold body that may ship in a model — zyte-article-bench,
fundus-news-pages, trafilatura-eval (l3s-gn1 is research-use only: the benchmark scores it,
never trains on it). Each HTML page is rendered to plain text *with all its furniture* by
every renderer in ``benchmarks/textpages.py`` (inscriptis, ``w3m -dump -cols 100``,
``lynx -dump -width 100``, lxml text nodes one per line, as ``get_text("\\n")`` does), then
split into lines by the cleaner's own :func:`split_lines` (wrapped lines rejoined). Labels:

- zyte / fundus (full gold bodies): a line of 3+ tokens is body when most of its word
  3-grams occur in the gold body; a shorter line when it is a gold paragraph;
- trafilatura-eval (a few snippets per page): a line overlapping a ``with`` snippet is body,
  one overlapping a ``without`` snippet is furniture, all other lines are unlabelled (they
  still give context features).

Every labelled page is used twice: whole, and cropped to its article area (a few lines
around the first and last body line), as scrapers that keep the article container (the
seeds) see it. Then: a furniture/body vocabulary (log-odds of page frequencies), pass 1
gradient-boosted trees over layout + neighbour + page features, out-of-fold pass-1 scores
(site-disjoint inner folds) as extra features of pass 2 (trees again). Written as plain JSON
(``newsdesk/ingest/plaintext/trees.py`` reads it), each pass's trees also in their ONNX form
(onnxruntime scores them).

``benchmarks/textpages.py --folds K`` calls :func:`train` once per site-disjoint fold.

Usage:  python scripts/train_cleaner.py [--sets zyte fundus trafeval] [--renderers ...]
        [--out newsdesk/resources/cleaner.json] [--cache /tmp/cleaner-cache]
        (rendering ~1000 pages four ways takes ~10 minutes; the cache keeps them)
        python scripts/train_cleaner.py --onnx-only [--out MODEL]
        (add the ONNX form to a model's trees, nothing retrained)
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import zlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import textpages  # noqa: E402

from newsdesk.ingest import plaintext as pt  # noqa: E402
from newsdesk.ingest.plaintext.trees import trees_to_json, with_onnx  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
SETS = {
    "zyte": DATA / "zyte-article-bench",
    "fundus": DATA / "fundus-news-pages",
    "trafeval": DATA / "trafilatura-eval",
}
SEED = 13
# Trees: chosen on site-disjoint folds of the training sets (benchmarks/textpages.py --folds).
TREE_PARAMS: dict[str, Any] = {
    "max_iter": 80,
    "learning_rate": 0.1,
    "max_leaf_nodes": 31,
    "min_samples_leaf": 40,
    "l2_regularization": 1.0,
    "early_stopping": False,
}
INNER_FOLDS = 3
MAX_ROWS = 40

Example = tuple[str, str, list, list]  # (page id @ renderer, site, lines, labels: 1/0/-1)


def fold_of(site: str, folds: int) -> int:
    """The site-disjoint fold of a site (every page of a site in one fold)."""
    return zlib.crc32(site.encode("utf-8")) % folds


def _grams(tokens: Sequence[str], n: int = 3) -> list[tuple[str, ...]]:
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def label_full(lines: list[pt.Line], gold: str) -> list[int]:
    gold_lines = {pt.norm(x) for x in gold.splitlines() if x.strip()}
    gold_grams = set(_grams(pt.norm(gold).split()))
    out = []
    for ln in lines:
        toks = ln.norm.split()
        if not toks:
            out.append(0)
        elif len(toks) < 3:
            out.append(int(ln.norm in gold_lines))
        else:
            grams = _grams(toks)
            out.append(int(sum(g in gold_grams for g in grams) >= 0.5 * len(grams)))
    return out


def label_snippets(lines: list[pt.Line], snippets: dict[str, list[str]]) -> list[int]:
    pos = [n for s in snippets.get("with", []) if (n := pt.norm(s))]
    neg = [n for s in snippets.get("without", []) if (n := pt.norm(s))]
    out = []
    for ln in lines:
        n = ln.norm
        if not n:
            out.append(-1)
            continue
        pad = f" {n} "

        def hit(snips: list[str], n: str = n, pad: str = pad) -> bool:
            return any(f" {s} " in pad or (len(n.split()) >= 4 and pad in f" {s} ") for s in snips)

        out.append(1 if hit(pos) else 0 if hit(neg) else -1)
    return out


def load_sets(names: Sequence[str]) -> list[textpages.GoldPage]:
    pages: list[textpages.GoldPage] = []
    for name in names:
        pages += list(textpages.gold_pages(SETS[name]))
    return pages


def examples(
    pages: Sequence[textpages.GoldPage], renderers: Sequence[str], cache: Path | None
) -> list[Example]:
    """Every page rendered every way, split and labelled."""
    out: list[Example] = []
    for r in renderers:
        for page, text in zip(pages, textpages.rendered(list(pages), r, cache), strict=True):
            lines = pt.split_lines(text)
            if not lines:
                continue
            if page.gold is not None:
                labels = label_full(lines, page.gold)
            else:
                labels = label_snippets(lines, page.snippets or {})
            out.append((f"{page.id}@{r}", page.site, lines, labels))
    return out


def crops(exs: Sequence[Example], margin: int = 8) -> list[Example]:
    """The article area of each page: from a few lines above the first body line to a few
    below the last, as a scraper that keeps only the article container sees it."""
    rng = np.random.default_rng(SEED)
    out = []
    for pid, site, lines, labels in exs:
        pos = [i for i, y in enumerate(labels) if y == 1]
        if len(pos) < 2:
            continue
        lo = max(0, pos[0] - int(rng.integers(0, margin + 1)))
        hi = min(len(lines), pos[-1] + 1 + int(rng.integers(0, margin + 1)))
        if hi - lo < len(lines):
            out.append((pid + "#crop", site, lines[lo:hi], labels[lo:hi]))
    return out


def learn_lexicon(exs: Sequence[Example], min_pages: int = 8, cap: int = 3000) -> dict[str, float]:
    body: Counter[str] = Counter()
    furn: Counter[str] = Counter()
    for _, _, lines, labels in exs:
        b: set[str] = set()
        f: set[str] = set()
        for ln, y in zip(lines, labels, strict=True):
            toks = set(ln.norm.split())
            if y == 1:
                b |= toks
            elif y == 0:
                f |= toks
        body.update(b)
        furn.update(f)
    nb = sum(body.values()) + 1
    nf = sum(furn.values()) + 1
    lex = {}
    for tok in set(body) | set(furn):
        cb, cf = body[tok], furn[tok]
        if cb + cf < min_pages:
            continue
        w = math.log((cb + 1) / nb) - math.log((cf + 1) / nf)
        if abs(w) >= 0.5:
            lex[tok] = max(-4.0, min(4.0, w))
    top = sorted(lex, key=lambda t: -(body[t] + furn[t]))[:cap]
    return {t: round(lex[t], 3) for t in sorted(top)}


def fit_trees(x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(random_state=SEED, **TREE_PARAMS)
    model.fit(x, y)
    return trees_to_json(model)


def _sample(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices of at most MAX_ROWS labelled lines of one page (all of them when fewer)."""
    idx = np.flatnonzero(y >= 0)
    if len(idx) > MAX_ROWS:
        idx = np.sort(rng.choice(idx, MAX_ROWS, replace=False))
    return idx


def train(exs: Sequence[Example], log: bool = True) -> dict[str, Any]:
    """The cleaner model (lexicon, pass 1, pass 2) from labelled examples."""
    t0 = time.time()

    def step(what: str) -> None:
        if log:
            print(f"  {what}: {time.time() - t0:.0f}s", file=sys.stderr, flush=True)

    lexicon = learn_lexicon(exs)
    x1s = [pt.features_pass1(lines, lexicon) for _, _, lines, _ in exs]
    step("features")
    ys = [np.asarray(labels) for _, _, _, labels in exs]
    inner = [fold_of(site, INNER_FOLDS) for _, site, _, _ in exs]

    # Fit on at most MAX_ROWS labelled lines of each page (features still see the whole page):
    # a page's 300 menu lines say little more than 60 of them, and the fit is 5x faster.
    rng = np.random.default_rng(SEED)
    keep = [_sample(y, rng) for y in ys]

    def stack(idx: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        x = np.vstack([x1s[i][keep[i]] for i in idx])
        y = np.concatenate([ys[i][keep[i]] for i in idx])
        return x, y

    # Out-of-fold pass-1 scores (site-disjoint), so pass 2 learns from honest neighbour scores.
    p1s: list[np.ndarray] = [np.zeros(0)] * len(exs)
    for k in range(INNER_FOLDS):
        model = pt.scorer(fit_trees(*stack([i for i in range(len(exs)) if inner[i] != k])))
        for i in range(len(exs)):
            if inner[i] == k:
                p1s[i] = model.predict(x1s[i])
        step(f"inner fold {k}")
    pass1 = fit_trees(*stack(range(len(exs))))
    x2 = np.vstack([pt.features_pass2(x1s[i], p1s[i])[keep[i]] for i in range(len(exs))])
    y2 = np.concatenate([ys[i][keep[i]] for i in range(len(exs))])
    pass2 = fit_trees(x2, y2)
    if log:
        print(f"trained on {len(y2)} lines in {time.time() - t0:.0f}s", file=sys.stderr)
    return {"lexicon": lexicon, "pass1": pass1, "pass2": pass2, "threshold": pt.BODY_THRESHOLD}


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--sets", nargs="+", default=sorted(SETS), choices=sorted(SETS))
    ap.add_argument(
        "--renderers", nargs="+", default=list(textpages.RENDERERS), choices=textpages.RENDERERS
    )
    ap.add_argument("--out", type=Path, default=pt.MODEL_PATH)
    ap.add_argument("--cache", type=Path, help="keep rendered pages here (outside the repo)")
    ap.add_argument("--no-crops", action="store_true", help="train on whole pages only")
    ap.add_argument(
        "--onnx-only",
        action="store_true",
        help="rewrite --out with the ONNX form of its trees added (nothing retrained)",
    )
    args = ap.parse_args()
    if args.onnx_only:
        model = json.loads(args.out.read_text("utf-8"))
        for key in ("pass1", "pass2"):
            if model[key].get("kind") == "trees":
                model[key] = with_onnx(model[key])
        args.out.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":")), "utf-8")
        print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")
        return
    t0 = time.time()
    exs = examples(load_sets(args.sets), args.renderers, args.cache)
    if not args.no_crops:
        exs += crops(exs)
    labelled = sum(int((np.asarray(y) >= 0).sum()) for *_, y in exs)
    model = train(exs)
    model["info"] = {
        "trained_on": args.sets,
        "renderers": args.renderers,
        "crops": not args.no_crops,
        "pages": len(exs),
        "labelled_lines": labelled,
        "script": "scripts/train_cleaner.py",
        "render": "benchmarks/textpages.py:RENDERERS",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":")), "utf-8")
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB) from {len(exs)} pages, "
        f"{labelled} labelled lines in {time.time() - t0:.0f}s"
    )


if __name__ == "__main__":
    main()
