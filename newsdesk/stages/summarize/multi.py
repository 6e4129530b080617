"""Story summaries: the sentences a neutral summary of several outlets' reports keeps.

``summarize_multi(docs, length)`` pools the sentences of every document; each sentence gets the
single-document features (:mod:`.features`, within its own article) and the multi-document ones
of :data:`MULTI_FEATURES` (how central it is to the pooled story, how much the other outlets
say the same, its position and length); a logistic model over both (:data:`STORY_MODEL_FILE`,
trained by ``scripts/train_story_summarizer.py`` on the NeuS training split: which sentences of
three outlets' leads match the AllSides editors' neutral roundup) scores them, and MMR with a
hard cut of redundant pairs (:mod:`.redundancy`: cosine or content-word overlap) keeps one
version of each fact. Without the model file the hand-set
score of the first version applies (single-document score + 3 × pooled centrality).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from newsdesk import resources
from newsdesk.models import Span
from newsdesk.nlp.embed import get_encoder
from newsdesk.nlp.language import detect_language
from newsdesk.nlp.linear import Linear
from newsdesk.stages.summarize.doc import DEFAULT_SENTENCES, Doc, Length, as_length
from newsdesk.stages.summarize.features import FEATURES, features
from newsdesk.stages.summarize.mmr import mmr
from newsdesk.stages.summarize.redundancy import redundant_matrix
from newsdesk.stages.summarize.scorer import ScorerModel, shipped_model

log = logging.getLogger(__name__)

STORY_MODEL_FILE = resources.path("story_summarizer.json")
# Two sentences from different documents with a cosine above this say the same thing.
DUPLICATE_COSINE = 0.9

MULTI_FEATURES = (
    "local",  # the single-document model's score within its own article
    "pooled",  # cosine to the pooled centroid of every sentence, minus the story's mean
    "agree_max",  # the closest sentence of another document (cosine)
    "agree_mean",  # mean over the other documents of their closest sentence
    "title_pool",  # cosine to the mean of the documents' titles
    "first",  # first sentence of its document
    "second",
    "docs",  # documents in the story
    "doc_sentences",  # log of its document's sentence count
)
ALL_FEATURES = tuple(FEATURES) + MULTI_FEATURES


@dataclass(frozen=True, slots=True)
class StoryScorer:
    """The trained story-sentence scorer and its selection settings."""

    linear: Linear
    redundancy: float = 1.0
    duplicate: float = DUPLICATE_COSINE
    info: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(ALL_FEATURES),
            **self.linear.to_json(),
            "redundancy": self.redundancy,
            "duplicate": self.duplicate,
            "info": self.info,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoryScorer:
        if list(data["features"]) != list(ALL_FEATURES):
            raise ValueError("story summarizer model was trained on other features; retrain it")
        return cls(
            Linear.from_json(data),
            float(data.get("redundancy", 1.0)),
            float(data.get("duplicate", DUPLICATE_COSINE)),
            dict(data.get("info", {})),
        )


@cache
def shipped_story_model() -> StoryScorer | None:
    """The model in ``newsdesk/resources/story_summarizer.json`` (None: the hand-set score)."""
    if STORY_MODEL_FILE.is_file():
        return StoryScorer.from_json(json.loads(STORY_MODEL_FILE.read_text(encoding="utf-8")))
    log.warning("no %s; story summaries use the hand-set score", STORY_MODEL_FILE.name)
    return None


@dataclass(slots=True)
class Pool:
    """Every sentence of a story's documents: (document, sentence) and their features."""

    docs: list[Doc]
    index: list[tuple[int, int]]
    X: np.ndarray  # (sentences, ALL_FEATURES)
    V: np.ndarray  # unit sentence vectors


def pool(
    docs: Sequence[tuple[str, str | None, Sequence[Span]]], single: ScorerModel | None = None
) -> Pool:
    """The sentences of ``docs`` (``(text, title, spans)``) with all their features."""
    prepared = [Doc.of(t, title, spans or None) for t, title, spans in docs]
    index = [(d, i) for d, doc in enumerate(prepared) for i in range(len(doc))]
    if not index:
        return Pool(prepared, index, np.zeros((0, len(ALL_FEATURES)), np.float32), np.zeros((0, 1)))
    scorer = single or shipped_model()
    singles = [features(doc) for doc in prepared if len(doc)]
    Xs = np.concatenate(singles)
    V = np.concatenate([doc.vectors() for doc in prepared if len(doc)])
    n = len(index)
    extra = np.zeros((n, len(MULTI_FEATURES)), np.float32)
    col = {name: j for j, name in enumerate(MULTI_FEATURES)}
    extra[:, col["local"]] = scorer.score(Xs)
    centroid = V.mean(axis=0)
    centroid /= float(np.linalg.norm(centroid)) or 1.0
    pooled = V @ centroid
    extra[:, col["pooled"]] = pooled - pooled.mean()
    doc_of = np.array([d for d, _ in index])
    S = V @ V.T
    n_docs = len({d for d, _ in index})
    for j in range(n):
        best = [S[j, doc_of == d].max() for d in set(doc_of.tolist()) if d != doc_of[j]]
        extra[j, col["agree_max"]] = max(best) if best else 0.0
        extra[j, col["agree_mean"]] = float(np.mean(best)) if best else 0.0
    titles = [doc.title for doc in prepared if doc.title]
    if titles:
        T = get_encoder().encode(titles).mean(axis=0)
        extra[:, col["title_pool"]] = V @ (T / (float(np.linalg.norm(T)) or 1.0))
    pos = np.array([i for _, i in index])
    extra[:, col["first"]] = pos == 0
    extra[:, col["second"]] = pos == 1
    extra[:, col["docs"]] = n_docs
    extra[:, col["doc_sentences"]] = [np.log1p(len(prepared[d])) for d, _ in index]
    return Pool(prepared, index, np.concatenate([Xs, extra], axis=1), V)


def pick(p: Pool, k: int, model: StoryScorer | None) -> list[int]:
    """Indices into ``p.index`` of the ``k`` sentences a story summary keeps."""
    if not p.index or k <= 0:
        return []
    if model is None:  # the hand-set score
        local = p.X[:, len(FEATURES) + MULTI_FEATURES.index("local")]
        scores = local + 3.0 * p.X[:, len(FEATURES) + MULTI_FEATURES.index("pooled")]
        redundancy, duplicate = 1.0, DUPLICATE_COSINE
    else:
        scores = model.linear.decision(p.X)
        redundancy, duplicate = model.redundancy, model.duplicate
    allowed = np.array([bool(p.docs[d].words[i]) for d, i in p.index])
    # never two sentences that say one thing (several outlets report each fact; one writer
    # sometimes restates a lead)
    langs = [detect_language(doc.text) for doc in p.docs]
    same = redundant_matrix(
        [p.docs[d].strings[i] for d, i in p.index], p.V, [langs[d] for d, _ in p.index]
    )
    return mmr(scores, p.V, k, redundancy, allowed, duplicate, strict=True, blocked=same)


def summarize_multi(
    docs: Sequence[tuple[str, str | None, Sequence[Span]]],
    length: Length | int | float | None = None,
    model: StoryScorer | None = None,
    single: ScorerModel | None = None,
) -> list[tuple[int, Span]]:
    """Summarize several documents about one story; each sentence keeps its document's index.

    ``docs`` are ``(text, title, sentence spans)`` (empty spans: split here). Output order: by
    position in the source document, then document index.
    """
    p = pool(docs, single)
    n_total = len(p.index)
    k = min(DEFAULT_SENTENCES, n_total) if length is None else as_length(length).count(n_total)
    chosen = pick(p, k, model if model is not None else shipped_story_model())
    picked = sorted((p.index[j][1], p.index[j][0]) for j in chosen)
    return [(d, p.docs[d].sentences[i]) for i, d in picked]
