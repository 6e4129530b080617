"""Story clustering: newsdesk's online clusterer beside batch baselines, plus scale.

    python benchmarks/stories.py [--data DIR] [--json] [--scale 10000,100000] [--skip-scale]
                                 [--skip-quality]

``--data`` is the folder holding the sets (default ``../shared/data``): ``allsides-stories``,
``googlenews-ts`` (TS view: title + snippet) and ``mmds2025-clustering``.

Quality: every set is split by gold cluster (``sha1("<set>-<cluster>") % 2``) into a *tune*
half and an *eval* half; the table reports the eval halves only. Every system gets its
threshold tuned on the tune half of the same set, by BCubed F1: the baselines' distance
thresholds and HDBSCAN's minimum cluster size, and newsdesk's join threshold (row "tuned
threshold", one threshold for every length). newsdesk's weights and its shipped default
thresholds were chosen on the tune halves (JOIN on allsides, JOIN_SHORT for short texts on
googlenews; see newsdesk/stages/cluster.py); row "defaults" uses them as shipped.
Articles are fed in a fixed pseudo-random order (seed 13), never grouped by story; newsdesk's
defaults are also run in five other orders (row "5 orders: mean", with the F1 range), because
which articles share a batch depends on the order. newsdesk
goes through the stage's ``filter()`` code path (the same as ``newsdesk cluster -``), merges
reported on later lines resolved.

Systems: newsdesk online, in batches (the default batch, and a stream of 256-article batches to
show what small batches cost: within a batch articles are grouped by average link, and each
group joins an earlier story or opens one); TF-IDF + agglomerative (average link, cosine
distance); embeddings (the encoder newsdesk uses, wordllama 256-d) + agglomerative (average
link) and + HDBSCAN (noise points count as singletons). The batch baselines see every article
of a half at once; so does newsdesk with its default batch on allsides (~500 articles a half);
a googlenews half (~4,900) is one batch of 4096 and a second one.

mmds2025 (English/Chinese/Malay): nothing is tuned on it; each system uses the setting it got
on allsides-stories; its catch-all cluster 166 is scored as singletons. Extra columns: the share
of gold same-story pairs put together when both articles are in the same language, and when
they are in different languages (py3langid).

Scale: a synthetic stream of N articles built by perturbing real ones (allsides + googlenews
texts): each synthetic article takes a random real article, drops ~15% of its words at random,
inserts a random proper noun + number from a fixed list, and gets a random date in 2024, so
copies of one source article are plausible reports of one event while the stream keeps
growing. Wall time, CPU time (all threads) and peak RSS (whole process, encoder included) are
measured for clustering the stream online in the default batches (4096), each size in a
fresh process.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from _common import default_data, emit, parser, peak_rss_mb, read_jsonl

SEED = 13
SMALL_BATCH = 256  # a stream of small batches, beside the default
ORDER_SEEDS = (1, 2, 3, 4, 5)  # other arrival orders for the defaults row


# -- data ---------------------------------------------------------------------------------
_URL_DATE = re.compile(r"/(20\d\d)[/-](\d\d)[/-](\d\d)/")


def url_date(url: str | None) -> str | None:
    """The date in a news URL path (``/2021/10/18/``), as ISO, or None."""
    m = _URL_DATE.search(url or "")
    if not m:
        return None
    y, mo, d = (int(x) for x in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def load_allsides(folder: Path) -> list[dict[str, Any]]:
    out = []
    for path in sorted(folder.glob("*.jsonl*")):
        for s in read_jsonl(path):
            for side, a in sorted(s.get("news", {}).items()):
                body = " ".join(a.get("newBody") or [])
                out.append(
                    {
                        "id": f"{s['id']}-{side}",
                        "title": a.get("newsTitle") or "",
                        "text": body,
                        "outlet": a.get("newsSource"),
                        "published": url_date(a.get("newsLink")),
                        "gold": str(s["id"]),
                    }
                )
    return out


def load_googlenews(folder: Path) -> list[dict[str, Any]]:
    path = next(iter(sorted(folder.glob("*TS.jsonl*"))), None) or sorted(folder.glob("*.jsonl*"))[0]
    return [
        {"id": f"g{r['line']}", "title": "", "text": r["text"], "gold": str(r["cluster"])}
        for r in read_jsonl(path)
    ]


def load_mmds(folder: Path) -> list[dict[str, Any]]:
    out = []
    for path in sorted(folder.glob("*.json*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            d = json.load(fh)
        for i, (a, c) in enumerate(zip(d["articles"], d["clusters"], strict=True)):
            body = " ".join(s["content"] for s in a.get("sentences", []))
            gold = f"single-{path.name}-{i}" if int(c) == 166 else str(c)
            out.append(
                {
                    "id": f"m{path.name}-{i}",
                    "title": a.get("title") or "",
                    "text": body,
                    "gold": gold,
                }
            )
    return out


def split(
    rows: list[dict[str, Any]], name: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(tune, eval) halves by gold cluster, then each in a fixed pseudo-random order."""
    tune, ev = [], []
    for r in rows:
        h = int(hashlib.sha1(f"{name}-{r['gold']}".encode()).hexdigest()[:8], 16)
        (tune if h % 2 == 0 else ev).append(r)
    rng = random.Random(SEED)
    rng.shuffle(tune)
    rng.shuffle(ev)
    return tune, ev


# -- metrics ------------------------------------------------------------------------------
def bcubed(pred: list[Any], gold: list[Any]) -> tuple[float, float, float]:
    pairs = Counter(zip(pred, gold, strict=True))
    psize, gsize = Counter(pred), Counter(gold)
    n = len(pred)
    p = sum(c * c / psize[pc] for (pc, _), c in pairs.items()) / n
    r = sum(c * c / gsize[gc] for (_, gc), c in pairs.items()) / n
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def scores(pred: list[Any], gold: list[Any]) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    p, r, f = bcubed(pred, gold)
    return {
        "bcubed_p": p,
        "bcubed_r": r,
        "bcubed_f1": f,
        "nmi": normalized_mutual_info_score(gold, pred),
        "ari": adjusted_rand_score(gold, pred),
        "clusters": len(set(pred)),
    }


# -- systems ------------------------------------------------------------------------------
def run_newsdesk(
    rows: list[dict[str, Any]], threshold: float | None = None, batch_size: int | None = None
) -> list[Any]:
    from newsdesk.stages.cluster import Cluster

    stage = Cluster(threshold=threshold)
    if batch_size:
        stage.batch_size = batch_size
    recs = [{k: v for k, v in r.items() if k != "gold"} for r in rows]
    outs = list(stage.filter(recs))
    return final_stories(outs)


def final_stories(outs: list[dict[str, Any]]) -> list[int]:
    """Each record's story after the merges that later lines of the filter output report."""
    into: dict[int, int] = {}
    for o in outs:
        for d in o.get("merged", ()):
            into[d] = o["story"]

    def resolve(s: int) -> int:
        while s in into:
            s = into[s]
        return s

    return [resolve(o["story"]) for o in outs]


def _text(r: dict[str, Any]) -> str:
    return f"{r['title']}. {r['text']}" if r.get("title") else r["text"]


def tfidf_matrix(rows: list[dict[str, Any]]) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(
        [_text(r) for r in rows]
    )


def embed_matrix(rows: list[dict[str, Any]]) -> np.ndarray:
    from newsdesk.nlp.embed import embed_text, get_encoder

    return get_encoder().encode([embed_text(r.get("title"), r["text"]) for r in rows])


def linkage(X: Any) -> np.ndarray:
    """Average-link hierarchy over cosine distances (computed once, cut at many thresholds)."""
    from scipy.cluster.hierarchy import linkage as scipy_linkage
    from sklearn.preprocessing import normalize

    X = normalize(X)
    S = X @ X.T
    D = 1.0 - np.asarray(S.toarray() if hasattr(S, "toarray") else S, dtype=np.float64)
    np.fill_diagonal(D, 0.0)
    D = np.clip((D + D.T) / 2, 0.0, 2.0)
    from scipy.spatial.distance import squareform

    return scipy_linkage(squareform(D, checks=False), method="average")


def agglomerative(Z: np.ndarray, threshold: float) -> list[int]:
    """Cut the average-link tree at a cosine distance: TF-IDF/embedding + agglomerative."""
    from scipy.cluster.hierarchy import fcluster

    return [int(x) for x in fcluster(Z, t=threshold, criterion="distance")]


def hdbscan_labels(X: np.ndarray, min_cluster_size: int) -> list[Any]:
    import hdbscan

    labels = hdbscan.HDBSCAN(min_cluster_size=min_cluster_size, min_samples=1).fit_predict(X)
    return [int(x) if x >= 0 else f"noise-{i}" for i, x in enumerate(labels)]


def tuned(fit, X_tune, gold_tune, grid) -> tuple[Any, float]:
    best = max(
        grid,
        key=lambda g: (
            bcubed(fit(X_tune, g), gold_tune)[2],
            -abs(g) if isinstance(g, float) else 0,
        ),
    )
    return best, bcubed(fit(X_tune, best), gold_tune)[2]


NEWSDESK_GRID = [round(x, 2) for x in np.arange(0.06, 0.62, 0.02)]
AGGLO_GRID = [round(x, 2) for x in np.arange(0.3, 0.99, 0.02)]
HDBSCAN_GRID = [2, 3, 4, 5, 8, 12]


def quality(
    name: str,
    rows: list[dict[str, Any]],
    tune_on: list[dict[str, Any]] | None,
    settings: dict[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Score every system on ``rows``; settings tuned on ``tune_on``, else taken from ``settings``."""
    out = []
    gold = [r["gold"] for r in rows]
    chosen: dict[str, Any] = dict(settings or {})
    tgold = [r["gold"] for r in tune_on] if tune_on else []

    def row(system: str, pred: list[Any], t0: float, setting: str) -> None:
        out.append(
            {
                "set": name,
                "system": system,
                **scores(pred, gold),
                "seconds": time.perf_counter() - t0,
                "setting": setting,
            }
        )
        if name == "mmds2025":
            out[-1].update(pair_recall_by_language(rows, pred))

    from newsdesk.stages.cluster.clusterer import BATCH

    t0 = time.perf_counter()
    row(f"newsdesk (batches of {BATCH}, defaults)", run_newsdesk(rows), t0, "defaults")
    if name != "mmds2025":  # the batches depend on arrival order; the baselines do not
        t0 = time.perf_counter()
        runs = []
        for seed in ORDER_SEEDS:
            order = list(range(len(rows)))
            random.Random(seed).shuffle(order)
            got = run_newsdesk([rows[i] for i in order])
            pred: list[Any] = [None] * len(rows)
            for i, story in zip(order, got, strict=True):
                pred[i] = story
            runs.append(scores(pred, gold))
        f1s = [r["bcubed_f1"] for r in runs]
        out.append(
            {
                "set": name,
                "system": f"newsdesk (batches of {BATCH}, defaults, {len(runs)} orders: mean)",
                **{k: float(np.mean([r[k] for r in runs])) for k in runs[0]},
                "seconds": time.perf_counter() - t0,
                "setting": f"F1 {min(f1s):.4f}..{max(f1s):.4f}",
            }
        )
    t0 = time.perf_counter()
    row(
        f"newsdesk (batches of {SMALL_BATCH}, defaults)",
        run_newsdesk(rows, batch_size=SMALL_BATCH),
        t0,
        "defaults",
    )
    t0 = time.perf_counter()
    if tune_on:
        chosen["newsdesk"] = max(
            NEWSDESK_GRID, key=lambda g: (bcubed(run_newsdesk(tune_on, g), tgold)[2], -g)
        )
    if "newsdesk" in chosen:
        g = chosen["newsdesk"]
        row(
            f"newsdesk (batches of {BATCH}, tuned threshold)",
            run_newsdesk(rows, g),
            t0,
            f"threshold={g}",
        )
    for label, make in (
        ("tfidf+agglomerative", tfidf_matrix),
        ("embed+agglomerative", embed_matrix),
    ):
        t0 = time.perf_counter()
        if tune_on:
            chosen[label], _ = tuned(agglomerative, linkage(make(tune_on)), tgold, AGGLO_GRID)
        g = chosen.get(label, 0.7)
        row(label, agglomerative(linkage(make(rows)), g), t0, f"threshold={g}")
    t0 = time.perf_counter()
    if tune_on:
        chosen["hdbscan"], _ = tuned(hdbscan_labels, embed_matrix(tune_on), tgold, HDBSCAN_GRID)
    g = chosen.get("hdbscan", 2)
    row("embed+hdbscan", hdbscan_labels(embed_matrix(rows), g), t0, f"min_cluster_size={g}")
    return out, chosen


def language(text: str) -> str:
    import py3langid

    return py3langid.classify(text[:2000])[0]


def pair_recall_by_language(rows: list[dict[str, Any]], pred: list[Any]) -> dict[str, float]:
    """Share of gold same-story pairs put together, for same-language and cross-language pairs."""
    langs = [r.setdefault("lang", language(r["title"] + " " + r["text"])) for r in rows]
    hit = {"same": [0, 0], "cross": [0, 0]}
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            if rows[i]["gold"] != rows[j]["gold"]:
                continue
            k = "same" if langs[i] == langs[j] else "cross"
            hit[k][1] += 1
            hit[k][0] += pred[i] == pred[j]
    return {f"pair_recall_{k}_lang": (a / b if b else None) for k, (a, b) in hit.items()}


def language_note(rows: list[dict[str, Any]]) -> str:
    langs = Counter(r.get("lang") or language(r["title"] + " " + r["text"]) for r in rows)
    return "mmds2025 languages (py3langid): " + ", ".join(
        f"{k} {v}" for k, v in langs.most_common()
    )


# -- scale --------------------------------------------------------------------------------
_NAMES = [
    "Alder", "Brightwater", "Castellan", "Dunmore", "Elsworth", "Fairhaven", "Glenrock", "Halden",
    "Ironbridge", "Juniper", "Kestrel", "Larkspur", "Marlow", "Northgate", "Oakhurst", "Pemberton",
]  # fmt: skip


def synthetic(base: list[dict[str, Any]], n: int, seed: int = SEED) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        src = base[rng.randrange(len(base))]
        words = src["text"].split()
        kept = [w for w in words if rng.random() > 0.15]
        kept.insert(rng.randrange(len(kept) + 1), f"{rng.choice(_NAMES)} {rng.randrange(10, 999)}")
        day = 1 + rng.randrange(365)
        out.append(
            {
                "id": f"syn{i}",
                "title": src.get("title") or "",
                "text": " ".join(kept),
                "published": f"2024-{1 + (day - 1) // 31 % 12:02d}-{1 + (day - 1) % 28:02d}",
            }
        )
    return out


def scale(base: list[dict[str, Any]], sizes: list[int]) -> list[dict[str, Any]]:
    import subprocess

    rows = []
    for n in sizes:
        # one fresh process per size, so peak memory is that size's own
        cmd = [sys.executable, __file__, "--scale-one", str(n)]
        res = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if res.returncode != 0:
            rows.append(
                {"articles": n, "error": res.stderr.strip().splitlines()[-1:] or ["failed"]}
            )
            continue
        rows.append(json.loads(res.stdout.strip().splitlines()[-1]))
    return rows


def _cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def scale_one(n: int, data: Path) -> dict[str, Any]:
    from newsdesk.stages.cluster import Cluster

    base = load_allsides(data / "allsides-stories") + load_googlenews(data / "googlenews-ts")
    stream = synthetic(base, n)
    stage = Cluster()
    rss0 = peak_rss_mb()
    cpu0 = _cpu()
    t0 = time.perf_counter()
    stories = set()
    for out in stage.filter(stream):
        stories.add(out["story"])
    secs = time.perf_counter() - t0
    cpu = _cpu() - cpu0
    return {
        "articles": n,
        "seconds": secs,
        "articles_per_s": n / secs,
        "cpu_seconds": cpu,
        "load_avg_1m": os.getloadavg()[0],
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_mb": rss0,
        "stories": len(stories),
    }


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument(
        "--data", type=Path, default=default_data(""), help="folder holding the three sets"
    )
    p.add_argument("--scale", default="10000,100000", help="comma-separated stream sizes")
    p.add_argument("--skip-scale", action="store_true")
    p.add_argument("--skip-quality", action="store_true", help="only the scale runs")
    p.add_argument("--scale-one", type=int, help=argparse_hidden())
    args = p.parse_args()
    if args.scale_one:
        print(json.dumps(scale_one(args.scale_one, args.data)))
        return
    rows: list[dict[str, Any]] = []
    notes = [
        "Every system's threshold is tuned on the tune half of its set (split by gold cluster); "
        "figures are on the eval half. newsdesk also runs with its shipped defaults.",
        "mmds2025: nothing tuned on it; each system uses the setting it got on allsides-stories.",
    ]
    from_allsides: dict[str, Any] = {}
    sets = (("allsides-stories", load_allsides), ("googlenews-ts", load_googlenews))
    for name, loader in () if args.skip_quality else sets:
        folder = args.data / name
        if not folder.exists():
            notes.append(f"{name}: absent, skipped")
            continue
        tune, ev = split(loader(folder), name)
        got, chosen = quality(name, ev, tune)
        rows += got
        if name == "allsides-stories":
            from_allsides = chosen
    mm = args.data / "mmds2025-clustering"
    if mm.exists() and not args.skip_quality:
        mrows = load_mmds(mm)
        got = quality("mmds2025", mrows, None, from_allsides)[0]
        rows += got
        notes.append(language_note(mrows))
    scale_rows: list[dict[str, Any]] = []
    if not args.skip_scale:
        sizes = [int(x) for x in args.scale.split(",") if x]
        scale_rows = scale([], sizes)
    if args.json:
        emit(
            rows + [{"table": "scale", "system": "newsdesk (online)", **r} for r in scale_rows],
            True,
            notes=notes,
        )
        return
    if rows:
        emit(rows, False, "story clustering quality (eval halves)", notes)
    if scale_rows:
        emit(scale_rows, False, "scale: newsdesk online clustering of a synthetic stream")


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    main()
