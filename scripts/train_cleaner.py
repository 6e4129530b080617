"""Train the plain-text page cleaner (newsdesk/resources/cleaner.json).

Pages are HTML rendered to plain text with all their furniture, exactly as
``benchmarks/textpages.py`` renders them (inscriptis, stripped lines, no bullets). Each line is
labelled by whether it belongs to the gold body:

- ``zyte`` / ``fundus`` (full gold bodies): a line is body when its normalised text is a gold
  paragraph, or (4+ words) occurs inside the gold body; every other line is furniture;
- ``trafeval`` (trafilatura-eval: a few snippets per page): a line overlapping a ``with``
  snippet is body, one overlapping a ``without`` snippet is furniture, the line equal to the
  gold title is furniture; all other lines are unlabelled (they still give context features).

Every labelled page is used twice: whole, and cropped to its article area (a few lines
around the first and last body line), since scraped plain-text pages such as the seeds hold
the article container rather than the whole site (``--no-crops`` turns this off).
``--silver`` fills trafilatura-eval's unlabelled lines from trafilatura's own extraction (it
scored worse in our runs, so the shipped model does not use it).

Then: a furniture/body vocabulary (log-odds of page frequencies), pass 1 logistic regression on
layout + neighbour features, out-of-fold pass-1 scores (5 folds by page) as extra features of
pass 2. Weights are written as plain JSON.

The shipped model is trained on trafilatura-eval only, so that both sets the benchmark reports
(zyte, fundus) are unseen. Cross-set runs (``--train zyte`` → evaluate on fundus and back) are
for the benchmark notes. Never train on l3s-gn1 (research-use only).

Usage:  python scripts/train_cleaner.py [--train trafeval] [--out newsdesk/resources/cleaner.json]
        [--cache /tmp/cleaner-cache]   (rendering ~700 pages takes a few minutes; cache it)
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import sys
import time
import zlib
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import textpages  # noqa: E402

from newsdesk.ingest import plaintext as pt  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
SETS = {
    "zyte": DATA / "zyte-article-bench",
    "fundus": DATA / "fundus-news-pages",
    "trafeval": DATA / "trafilatura-eval",
}
SEED = 13


def _norm(s: str) -> str:
    return pt.norm(s)


def label_full(lines: list[pt.Line], gold: str) -> list[int]:
    gold_lines = {_norm(x) for x in gold.splitlines() if x.strip()}
    gold_all = " " + _norm(gold) + " "
    out = []
    for ln in lines:
        n = ln.norm
        if not n:
            out.append(0)
        elif n in gold_lines or (len(n.split()) >= 4 and f" {n} " in gold_all):
            out.append(1)
        else:
            out.append(0)
    return out


def label_snippets(lines: list[pt.Line], item: dict) -> list[int]:
    pos = [_norm(s) for s in item.get("with", []) if _norm(s)]
    neg = [_norm(s) for s in item.get("without", []) if _norm(s)]
    title = _norm(item.get("title") or "")
    out = []
    for ln in lines:
        n = ln.norm
        if not n:
            out.append(-1)
            continue
        pad = f" {n} "

        def hit(snips: list[str], n: str = n, pad: str = pad) -> bool:
            return any(f" {s} " in pad or (len(n.split()) >= 4 and pad in f" {s} ") for s in snips)

        if hit(pos):
            out.append(1)
        elif hit(neg) or (title and n == title):
            out.append(0)
        else:
            out.append(-1)
    return out


def load_trafeval(folder: Path) -> list[tuple[str, str, dict]]:
    ev = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    out = []
    for key, item in sorted(ev.items()):
        path = folder / "html" / f"{item['file']}.gz"
        if not path.exists():
            continue
        with gzip.open(path) as fh:
            html = _decode(fh.read())
        out.append((key, html, item))
    return out


def _silver(html: str) -> str:
    import trafilatura

    try:
        return trafilatura.extract(html, include_comments=False, include_tables=True) or ""
    except Exception:
        return ""


def _decode(raw: bytes) -> str:
    from newsdesk.ingest.decode import decode

    try:
        return decode("page.html", raw)
    except Exception:
        return raw.decode("utf-8", "replace")


def rendered_set(name: str, cache: Path | None) -> list[tuple[str, str, object]]:
    """(page id, rendered text, gold body or snippet item) of one set; cached as JSON if asked."""
    path = cache / f"{name}.json" if cache else None
    if path and path.exists():
        return [tuple(x) for x in json.loads(path.read_text(encoding="utf-8"))]
    if name == "trafeval":
        rows = []
        for k, h, it in load_trafeval(SETS[name]):
            # trafilatura's own extraction as silver labels for the lines no snippet covers
            rows.append((f"trafeval/{k}", textpages.render(h), dict(it, silver=_silver(h))))
    else:
        rows = [(pid, textpages.render(h), g) for pid, h, g in textpages.load_pages(SETS[name])]
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return rows


def build_pages(
    sets: list[str], cache: Path | None = None, silver: bool = False
) -> list[tuple[str, list, list]]:
    pages = []
    for name in sets:
        t0 = time.time()
        for pid, text, gold in rendered_set(name, cache):
            lines = pt.split_lines(text)
            if not lines:
                continue
            if name == "trafeval":
                labels = label_snippets(lines, gold)
                if silver:
                    full = label_full(lines, gold.get("silver") or "")
                    labels = [f if y < 0 else y for y, f in zip(labels, full, strict=True)]
                pages.append((pid, lines, labels))
            else:
                pages.append((pid, lines, label_full(lines, gold)))
        print(f"{name}: {len(pages)} pages so far ({time.time() - t0:.0f}s)", file=sys.stderr)
    return pages


def crops(pages: list[tuple[str, list, list]], margin: int = 8) -> list[tuple[str, list, list]]:
    """The article area of each page: from a few lines above the first body line to a few
    below the last, as a scraper that keeps only the article container sees it (the seed
    pages look like this: the body with in-article furniture, no site navigation)."""
    rng = np.random.default_rng(SEED)
    out = []
    for pid, lines, labels in pages:
        pos = [i for i, y in enumerate(labels) if y == 1]
        if len(pos) < 2:
            continue
        lo = max(0, pos[0] - int(rng.integers(0, margin + 1)))
        hi = min(len(lines), pos[-1] + 1 + int(rng.integers(0, margin + 1)))
        if hi - lo < len(lines):
            out.append((pid + "#crop", lines[lo:hi], labels[lo:hi]))
    return out


def learn_lexicon(pages, min_pages: int = 8, cap: int = 3000) -> dict[str, float]:
    body, furn = Counter(), Counter()
    for _, lines, labels in pages:
        b, f = set(), set()
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


def fit(x: np.ndarray, y: np.ndarray, c: float = 1.0) -> dict:
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    lr = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    lr.fit((x - mean) / scale, y)
    return {
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in lr.coef_[0]],
        "intercept": round(float(lr.intercept_[0]), 6),
    }


def train(pages, folds: int = 5) -> dict:
    lexicon = learn_lexicon(pages)
    x1s = [pt.features_pass1(lines, lexicon) for _, lines, _ in pages]
    ys = [np.asarray(labels) for _, _, labels in pages]
    # Folds by page (a crop goes with its page), so out-of-fold scores are honest.
    fold_of = [zlib.crc32(pid.split("#")[0].encode()) % folds for pid, _, _ in pages]

    def stack(idx):
        x = np.vstack([x1s[i] for i in idx])
        y = np.concatenate([ys[i] for i in idx])
        m = y >= 0
        return x[m], y[m]

    # Out-of-fold pass-1 scores, so pass 2 learns from honest neighbour scores.
    p1s: list[np.ndarray | None] = [None] * len(pages)
    for k in range(folds):
        tr = [i for i in range(len(pages)) if fold_of[i] != k]
        model = pt.Logistic.from_json(fit(*stack(tr)))
        for i in range(len(pages)):
            if fold_of[i] == k:
                p1s[i] = model.predict(x1s[i])
    pass1 = fit(*stack(range(len(pages))))
    x2s = [pt.features_pass2(x1s[i], p1s[i]) for i in range(len(pages))]
    x2 = np.vstack(x2s)
    y2 = np.concatenate(ys)
    m = y2 >= 0
    pass2 = fit(x2[m], y2[m])
    return {"lexicon": lexicon, "pass1": pass1, "pass2": pass2}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", nargs="+", default=["trafeval"], choices=sorted(SETS))
    ap.add_argument("--out", type=Path, default=pt.MODEL_PATH)
    ap.add_argument("--cache", type=Path, help="keep rendered pages here (outside the repo)")
    ap.add_argument("--no-crops", action="store_true", help="train on whole pages only")
    ap.add_argument(
        "--silver",
        action="store_true",
        help="trafilatura-eval: label lines no snippet covers by trafilatura's extraction",
    )
    args = ap.parse_args()
    t0 = time.time()
    pages = build_pages(args.train, args.cache, args.silver)
    if not args.no_crops:
        pages += crops(pages)
    labelled = sum(int((np.asarray(y) >= 0).sum()) for _, _, y in pages)
    model = train(pages)
    model["threshold"] = pt.BODY_THRESHOLD
    model["info"] = {
        "trained_on": args.train,
        "silver_labels": args.silver,
        "crops": not args.no_crops,
        "pages": len(pages),
        "labelled_lines": labelled,
        "script": "scripts/train_cleaner.py",
        "render": "benchmarks/textpages.py:render (inscriptis, stripped lines)",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":")), "utf-8")
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB) from {len(pages)} pages, "
        f"{labelled} labelled lines in {time.time() - t0:.0f}s"
    )


if __name__ == "__main__":
    main()
