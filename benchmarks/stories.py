"""Story clustering: newsdesk beside tuned baselines on many story-disjoint splits, plus scale.

    python benchmarks/stories.py [--data DIR] [--json] [--splits 20] [--sets allsides,googlenews,mmds]
                                 [--scale 10000,100000] [--skip-scale] [--skip-quality]
                                 [--cv] [--baselines full|fast]

``--data`` is the folder holding the sets (default ``../shared/data``): ``allsides-stories``,
``googlenews-ts`` (TS view: title + snippet) and ``mmds2025-clustering`` (English/Chinese/Malay).

Quality: each set is cut into a *tune* and an *eval* part ``--splits`` times (default 20), each
time at random by story (gold cluster; seed = split number), so no story is in both parts and
the eval stories are unseen by what was tuned. Per split, every baseline gets its setting
(distance threshold; HDBSCAN's minimum cluster size) tuned on the tune part by BCubed F1 and is
scored on the eval part; newsdesk runs with its shipped defaults on the eval part, through the
stage's ``filter()`` (the code path of ``newsdesk cluster -``), merges resolved. Rows give the
mean ± standard deviation over the splits. newsdesk's defaults were chosen by ``--cv`` (below)
over the same kind of splits of the *tune* parts, so the eval parts are never tuned on; the
floors (issue 17) are checked outside the repository on sets it has never seen.

Systems: TF-IDF + agglomerative (average link, cosine); each encoder (``wordllama``, ``minilm``
int8 ONNX, ``e5`` = multilingual-e5-small 4-bit, ``use`` = USE multilingual) + agglomerative
and + HDBSCAN (noise points as singletons) — the encoders read title + lead as newsdesk does;
"+centred" rows subtract each language's mean embedding first. mmds2025: its catch-all cluster
166 is scored as singletons; extra columns give the share of gold same-story pairs put together
when both articles are in the same language and when they are not (py3langid).

``--cv``: newsdesk's parameter search: a small grid of :class:`Params` settings, each scored on
the tune parts of the splits (never the eval parts); prints mean ± spread per setting.

Embeddings of the shared sets are cached per encoder under ``/tmp/stories/emb`` (see
``benchmarks/_embcache.py``): the multilingual encoders run at a few texts per CPU-second.

Scale: synthetic streams of N articles built by perturbing real ones — English (allsides +
googlenews texts) and mixed-language (the same plus mmds2025's English, Chinese and Malay
articles, about a third non-English): each synthetic article takes a random real article, drops
~15% of its words at random, inserts a random proper noun + number from a fixed list, and gets
a random date in 2024. Wall time, CPU time (all threads) and peak RSS (whole process, encoders
included) for clustering the stream online with the shipped defaults, each size in a fresh
process.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from _common import default_data, emit, parser, peak_rss_mb, read_jsonl
from _embcache import cached, save_all

SEED = 13
SPLITS = 20
ENCODERS = ("wordllama", "minilm", "e5", "use")


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


def random_split(
    rows: list[dict[str, Any]], seed: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(tune, eval): the gold stories shuffled with ``seed`` and cut in half; each part in a
    pseudo-random arrival order (never grouped by story)."""
    stories = sorted({r["gold"] for r in rows})
    rng = random.Random(seed)
    rng.shuffle(stories)
    tune_ids = set(stories[: len(stories) // 2])
    tune = [r for r in rows if r["gold"] in tune_ids]
    ev = [r for r in rows if r["gold"] not in tune_ids]
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
def newsdesk_stage(params: Any = None, **kw: Any) -> Any:
    """The cluster stage with shipped defaults, its encoders wrapped in the embedding cache."""
    from newsdesk.stages.cluster import Cluster

    stage = Cluster(**kw)
    fast = cached(stage.encoder_name or "wordllama")
    multi = cached(stage.story_encoder) if stage.story_encoder else None
    stage.encoder = lambda: fast  # type: ignore[method-assign]
    stage.multilingual = lambda: multi  # type: ignore[method-assign]
    if params is not None:
        stage.params = params
    return stage


def run_newsdesk(rows: list[dict[str, Any]], params: Any = None, **kw: Any) -> list[Any]:
    stage = newsdesk_stage(params, **kw)
    recs = [{k: v for k, v in r.items() if k not in ("gold", "lang")} for r in rows]
    return final_stories(list(stage.filter(recs)))


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


def embed_matrix(rows: list[dict[str, Any]], encoder: str, centre: bool = False) -> np.ndarray:
    from newsdesk.nlp.embed import embed_text

    V = cached(encoder).encode([embed_text(r.get("title"), r["text"]) for r in rows])
    if not centre:
        return V
    langs = np.array([r.setdefault("lang", language(r["title"] + " " + r["text"])) for r in rows])
    V = V.copy()
    for lang in set(langs.tolist()):
        V[langs == lang] -= V[langs == lang].mean(axis=0)
    return V / np.maximum(np.linalg.norm(V, axis=1, keepdims=True), 1e-9)


AGGLO_GRID = [round(x, 2) for x in np.arange(0.02, 1.3, 0.02)]  # e5 distances run small
HDBSCAN_GRID = [2, 3, 4, 5, 8]


def tuned(
    fit: Callable[[Any, Any], list[Any]], X_tune: Any, gold: list[Any], grid: list[Any]
) -> Any:
    return max(grid, key=lambda g: (bcubed(fit(X_tune, g), gold)[2], -abs(g)))


def baselines(
    set_name: str, full: bool
) -> list[tuple[str, Callable[[list[dict[str, Any]]], Any], str]]:
    """(name, features of rows, "agglo"|"hdbscan") for one set.

    googlenews-ts (~4,300 articles a part) gets the agglomerative baselines only (HDBSCAN's
    tuning there costs minutes a split on this machine); mmds2025 also gets the multilingual
    encoders with per-language centring.
    """
    out: list[tuple[str, Callable[[list[dict[str, Any]]], Any], str]] = [
        ("tfidf+agglomerative", tfidf_matrix, "agglo")
    ]
    encs = ENCODERS if full else ("minilm", "e5")
    for enc in encs:
        out.append((f"{enc}+agglomerative", lambda r, e=enc: embed_matrix(r, e), "agglo"))
        if set_name != "googlenews-ts":
            out.append((f"{enc}+hdbscan", lambda r, e=enc: embed_matrix(r, e), "hdbscan"))
    if set_name == "mmds2025":
        for enc in ("e5", "use"):
            out.append(
                (f"{enc}+centred+agglomerative", lambda r, e=enc: embed_matrix(r, e, True), "agglo")
            )
            out.append(
                (f"{enc}+centred+hdbscan", lambda r, e=enc: embed_matrix(r, e, True), "hdbscan")
            )
    return out


def run_baseline(
    kind: str,
    make: Callable[[list[dict[str, Any]]], Any],
    tune: list[dict[str, Any]],
    ev: list[dict[str, Any]],
) -> tuple[list[Any], Any]:
    tgold = [r["gold"] for r in tune]
    if kind == "agglo":
        Zt = linkage(make(tune))
        g = tuned(agglomerative, Zt, tgold, AGGLO_GRID)
        return agglomerative(linkage(make(ev)), g), g
    Xt = make(tune)
    g = tuned(hdbscan_labels, Xt, tgold, HDBSCAN_GRID)
    return hdbscan_labels(make(ev), g), g


def mean_row(
    set_name: str, system: str, runs: list[dict[str, Any]], settings: list[Any]
) -> dict[str, Any]:
    row: dict[str, Any] = {"set": set_name, "system": system, "splits": len(runs)}
    for k in (
        "bcubed_f1",
        "bcubed_p",
        "bcubed_r",
        "pair_recall_cross_lang",
        "pair_recall_same_lang",
    ):
        vals = [r[k] for r in runs if r.get(k) is not None]
        if vals:
            row[k] = float(np.mean(vals))
            row[k + "_sd"] = float(np.std(vals))
    row["clusters"] = float(np.mean([r["clusters"] for r in runs]))
    if settings:
        common = Counter(str(s) for s in settings).most_common(2)
        row["setting"] = ", ".join(f"{s} ×{n}" for s, n in common)
    return row


def quality(
    set_name: str, rows: list[dict[str, Any]], n_splits: int, which: str = "full"
) -> list[dict[str, Any]]:
    multilingual = set_name == "mmds2025"
    systems: dict[str, list[dict[str, Any]]] = {}
    settings: dict[str, list[Any]] = {}
    seconds: dict[str, float] = {}
    for s in range(n_splits):
        tune, ev = random_split(rows, s)
        gold = [r["gold"] for r in ev]

        def record(
            name: str,
            pred: list[Any],
            t0: float,
            setting: Any = None,
            ev: Any = ev,
            gold: Any = gold,
        ) -> None:
            sc = scores(pred, gold)
            if multilingual:
                sc.update(pair_recall_by_language(ev, pred))
            systems.setdefault(name, []).append(sc)
            seconds[name] = seconds.get(name, 0.0) + time.process_time() - t0
            if setting is not None:
                settings.setdefault(name, []).append(setting)

        t0 = time.process_time()
        record("newsdesk (defaults)", run_newsdesk(ev), t0)
        for name, make, kind in baselines(set_name, which == "full") if which != "none" else []:
            t0 = time.process_time()
            pred, g = run_baseline(kind, make, tune, ev)
            record(name, pred, t0, g)
        save_all()
    out = []
    for name, runs in systems.items():
        row = mean_row(set_name, name, runs, settings.get(name, []))
        row["cpu_s_per_split"] = seconds[name] / n_splits
        out.append(row)
    return out


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


# -- newsdesk's parameter search (tune parts only) ----------------------------------------
def cv_grid() -> list[tuple[str, Any]]:
    """The settings ``--cv`` compares: one parameter varied at a time around the defaults."""
    from newsdesk.stages.cluster.scoring import DEFAULT

    d = DEFAULT
    out: list[tuple[str, Any]] = [("defaults", d)]
    for k, vals in (
        ("centre_fast", [not d.centre_fast]),
        ("w_dense", [0.15, 0.35, 0.45]),
        ("join", [d.join - 0.04, d.join + 0.04]),
        ("join_short", [d.join_short - 0.04, d.join_short + 0.04]),
        ("w_x_dense", [d.w_x_dense - 0.2, d.w_x_dense + 0.2]),
        ("x_shift", [d.x_shift - 0.1, d.x_shift - 0.05, d.x_shift + 0.05, d.x_shift + 0.1]),
        ("density", [0.0, d.density - 0.2, d.density + 0.2]),
    ):
        for v in vals:
            out.append((f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}", d.but(**{k: v})))
    return out


class Prepared:
    """A set's clusterer items, built once (the records' features do not depend on the
    parameters), so that ``--cv`` runs each setting on a split at the cost of clustering alone.
    Runs the clusterer exactly as ``cluster_records`` does (same batches, the multilingual
    vectors only once the stream is mixed): the same stories as :func:`run_newsdesk` (checked on
    allsides-stories and mmds2025 splits when it was written)."""

    def __init__(self, rows: list[dict[str, Any]], story_encoder: str | None, fast: str) -> None:
        from newsdesk.stages.cluster.records import items_from_records

        self.enc = cached(fast)
        self.menc = cached(story_encoder) if story_encoder else None
        recs = [{k: v for k, v in r.items() if k not in ("gold", "lang")} for r in rows]
        items = items_from_records(recs, self.enc)
        self.items = {it.key: it for it in items}
        self.mvecs: dict[str, np.ndarray] = {}
        if self.menc is not None and len({it.lang for it in items}) > 1:
            from newsdesk.nlp.embed import embed_text

            M = self.menc.encode([embed_text(r.get("title"), r.get("text") or "") for r in recs])
            self.mvecs = {it.key: v for it, v in zip(items, M, strict=True)}

    def run(self, rows: list[dict[str, Any]], params: Any, batch: int | None = None) -> list[Any]:
        import dataclasses

        from newsdesk.stages.cluster.clusterer import BATCH, Clusterer
        from newsdesk.stages.cluster.records import priors_of

        cl = Clusterer(
            self.enc.dim,
            mdim=self.menc.dim if self.menc else 0,
            params=params,
            priors=priors_of(self.enc, self.menc),
        )
        outs: list[dict[str, Any]] = []
        size = batch or BATCH
        for i in range(0, len(rows), size):
            items = [dataclasses.replace(self.items[r["id"]]) for r in rows[i : i + size]]
            if self.menc is not None and cl.mixed(items):
                for it in items:
                    it.mvec = self.mvecs.get(it.key)
            outs += [{"story": a.story, "merged": a.merged} for a in cl.add(items)]
        return final_stories(outs)


def cross_validate(
    sets: dict[str, list[dict[str, Any]]],
    n_splits: int,
    story_encoder: str,
    fast: str = "wordllama",
    grid: list[tuple[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    rows_out = []
    prepared = {name: Prepared(rows, story_encoder, fast) for name, rows in sets.items()}
    save_all()
    for label, params in grid or cv_grid():
        per_set: dict[str, list[float]] = {}
        cross: list[float] = []
        for name, rows in sets.items():
            for s in range(n_splits):
                tune, _ = random_split(rows, s)
                pred = prepared[name].run(tune, params)
                per_set.setdefault(name, []).append(bcubed(pred, [r["gold"] for r in tune])[2])
                if name == "mmds2025":
                    pr = pair_recall_by_language(tune, pred)["pair_recall_cross_lang"]
                    if pr is not None:
                        cross.append(pr)
        row: dict[str, Any] = {"setting": label}
        for name, f1s in per_set.items():
            row[f"{name}_f1"] = float(np.mean(f1s))
            row[f"{name}_sd"] = float(np.std(f1s))
        row["mean_f1"] = float(np.mean([row[f"{n}_f1"] for n in per_set]))
        if cross:
            row["mmds_cross_recall"] = float(np.mean(cross))
        rows_out.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
        save_all()
    return rows_out


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


def scale(data: Path, sizes: list[int], streams: list[str]) -> list[dict[str, Any]]:
    import subprocess

    rows = []
    for stream in streams:
        for n in sizes:
            # one fresh process per size, so peak memory is that size's own
            cmd = [
                sys.executable,
                __file__,
                "--data",
                str(data),
                "--scale-one",
                str(n),
                "--stream",
                stream,
            ]
            res = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if res.returncode != 0:
                rows.append(
                    {
                        "stream": stream,
                        "articles": n,
                        "error": res.stderr.strip().splitlines()[-1:] or ["failed"],
                    }
                )
                continue
            rows.append(json.loads(res.stdout.strip().splitlines()[-1]))
    return rows


def _cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def scale_one(n: int, data: Path, kind: str) -> dict[str, Any]:
    from newsdesk.stages.cluster import Cluster

    base = load_allsides(data / "allsides-stories") + load_googlenews(data / "googlenews-ts")
    if kind == "mixed":  # about a third non-English: mmds2025's articles weighted up
        mm = load_mmds(data / "mmds2025-clustering")
        foreign = [r for r in mm if language(r["title"] + " " + r["text"]) != "en"]
        base = base[: 2 * len(foreign) * 10] + foreign * 10
    stream = synthetic(base, n)
    stage = Cluster()
    if kind == "mixed":  # load the multilingual encoder before timing (English never loads it)
        stage.multilingual().encode(["warm up"])
    stage.encoder()
    rss0 = peak_rss_mb()
    cpu0 = _cpu()
    t0 = time.perf_counter()
    stories = set()
    for out in stage.filter(stream):
        stories.add(out["story"])
    secs = time.perf_counter() - t0
    cpu = _cpu() - cpu0
    return {
        "stream": kind,
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
    p.add_argument(
        "--splits", type=int, default=SPLITS, help="story-disjoint random splits per set"
    )
    p.add_argument("--sets", default="allsides,googlenews,mmds", help="comma-separated")
    p.add_argument(
        "--baselines",
        choices=("full", "fast", "none"),
        default="full",
        help="fast: TF-IDF, MiniLM and e5 only; none: newsdesk alone (the quick mode of make bench-check)",
    )
    p.add_argument("--scale", default="10000,100000", help="comma-separated stream sizes")
    p.add_argument("--streams", default="english,mixed", help="scale streams: english, mixed")
    p.add_argument("--skip-scale", action="store_true")
    p.add_argument("--skip-quality", action="store_true", help="only the scale runs")
    p.add_argument("--cv", action="store_true", help="newsdesk's parameter search (tune parts)")
    p.add_argument("--cv-encoder", default="e5", help="story encoder used by --cv")
    p.add_argument("--cv-fast", default="wordllama", help="fast encoder used by --cv")
    p.add_argument("--cv-grid", default="", help="python expr: list of (label, Params) (--cv)")
    p.add_argument("--scale-one", type=int, help=argparse_hidden())
    p.add_argument("--stream", default="english", help=argparse_hidden())
    args = p.parse_args()
    if args.scale_one:
        print(json.dumps(scale_one(args.scale_one, args.data, args.stream)))
        return
    loaders = {
        "allsides": ("allsides-stories", "allsides-stories", load_allsides),
        "googlenews": ("googlenews-ts", "googlenews-ts", load_googlenews),
        "mmds": ("mmds2025", "mmds2025-clustering", load_mmds),
    }
    sets: dict[str, list[dict[str, Any]]] = {}
    notes: list[str] = []
    for key in [s for s in args.sets.split(",") if s]:
        name, folder, loader = loaders[key]
        if (args.data / folder).exists():
            sets[name] = loader(args.data / folder)
        else:
            notes.append(f"{name}: absent, skipped")
    if args.cv:
        grid = None
        if args.cv_grid:
            from newsdesk.stages.cluster.scoring import DEFAULT

            grid = eval(args.cv_grid, {"D": DEFAULT})  # a developer's grid on the command line
        emit(
            cross_validate(sets, args.splits, args.cv_encoder, args.cv_fast, grid),
            args.json,
            "newsdesk parameter search (tune parts)",
            notes,
        )
        return
    rows: list[dict[str, Any]] = []
    if not args.skip_quality:
        for name, data in sets.items():
            rows += quality(name, data, args.splits, args.baselines)
        notes.append(
            f"mean ± sd over {args.splits} story-disjoint random splits per set; baselines tuned on "
            "each split's tune part, newsdesk with its shipped defaults; scores on the eval parts."
        )
        if "mmds2025" in sets:
            notes.append(language_note(sets["mmds2025"]))
    scale_rows: list[dict[str, Any]] = []
    if not args.skip_scale:
        sizes = [int(x) for x in args.scale.split(",") if x]
        scale_rows = scale(args.data, sizes, [s for s in args.streams.split(",") if s])
    if args.json:
        emit(
            rows + [{"table": "scale", "system": "newsdesk (online)", **r} for r in scale_rows],
            True,
            notes=notes,
        )
        return
    if rows:
        emit(rows, False, "story clustering quality (eval parts, mean ± sd over splits)", notes)
    if scale_rows:
        emit(scale_rows, False, "scale: newsdesk online clustering of synthetic streams")


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    main()
