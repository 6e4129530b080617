"""Extractive summaries: "No time to read? Get a summary".

One interface, ``summarize(doc, length, method=...) -> Summary``, with the summarizers as peers
behind the :class:`Summarizer` protocol (``select(doc, k) -> sentence indices``):

- ``lead``: the first k sentences (Lead-3 at the default length);
- ``lexrank`` / ``textrank``: sumy's implementations, fed newsdesk's own sentences and word
  tokens (no NLTK data is needed: sumy only tokenizes through the tokenizer we pass);
- ``newsdesk`` (default): a sentence scorer over position, sentence length, centrality over
  sentence embeddings, quote and attribution cues, dangling openers and page debris
  (:mod:`.features`), then MMR selection against redundancy (:mod:`.mmr`). Its weights are a
  logistic model (:mod:`.scorer`) trained by ``scripts/train_summarizer.py`` on the shared
  training parts of the CNN/DailyMail sets and shipped as
  ``newsdesk/resources/summarizer.json``; without that file it uses hand-set weights.

Every summary is whole sentences, in article order, ``length.count(n)`` of them (3 by
default, fewer for short articles), and avoids opening on a dangling pronoun or a quote
without its speaker when another choice exists.

``summarize_multi`` (:mod:`.multi`) does the same over several documents (story summaries).
"""

from __future__ import annotations

from functools import cache
from typing import Protocol

import numpy as np

from newsdesk.models import Article, Summary
from newsdesk.stages.summarize.baselines import Lead, LexRank, TextRank
from newsdesk.stages.summarize.doc import Doc, Length, as_length
from newsdesk.stages.summarize.features import features, is_dangling_opener
from newsdesk.stages.summarize.mmr import mmr
from newsdesk.stages.summarize.scorer import ScorerModel, shipped_model

DEFAULT_METHOD = "newsdesk"


class Summarizer(Protocol):
    """A summarizer picks ``k`` sentences (indices into ``doc.sentences``) from a document."""

    name: str

    def select(self, doc: Doc, k: int) -> list[int]: ...


class Newsdesk:
    """Position, length, centrality, quote and debris cues, learned weights; MMR selection."""

    name = "newsdesk"

    def __init__(self, model: ScorerModel | None = None) -> None:
        self.model = model

    def scores(self, doc: Doc) -> np.ndarray:
        model = self.model or shipped_model()
        return model.score(features(doc))

    def select(self, doc: Doc, k: int) -> list[int]:
        n = len(doc)
        if k <= 0 or n == 0:
            return []
        if k >= n:
            return list(range(n))
        model = self.model or shipped_model()
        scores = model.score(features(doc))
        V = doc.vectors()
        allowed = np.array([bool(w) for w in doc.words])
        if allowed.sum() < k:
            allowed[:] = True
        chosen = sorted(mmr(scores, V, k, model.redundancy, allowed, model.duplicate))
        return _fix_opener(doc, chosen, scores)


def _fix_opener(doc: Doc, chosen: list[int], scores: np.ndarray) -> list[int]:
    """Avoid opening on a dangling pronoun or a speakerless quote when another choice exists.

    Try, in order: the sentence just before the opener (often the antecedent), then the best
    non-dangling unchosen sentence before the opener; keep the choice if none exists.
    """
    if not chosen or not is_dangling_opener(doc, chosen[0]):
        return chosen
    first = chosen[0]
    candidates = [j for j in range(first) if j not in chosen and not is_dangling_opener(doc, j)]
    if not candidates:
        return chosen
    prev = first - 1
    if prev in candidates:
        # keep the dangling sentence and add its antecedent instead of the weakest other pick
        rest = chosen[1:]
        if rest:
            weakest = min(rest, key=lambda j: scores[j])
            rest.remove(weakest)
            return sorted([prev, first, *rest]) if len(chosen) > 1 else [prev]
        return [prev]
    best = max(candidates, key=lambda j: scores[j])
    return sorted([best, *chosen[1:]])


SUMMARIZERS: dict[str, type] = {
    "newsdesk": Newsdesk,
    "lead": Lead,
    "lexrank": LexRank,
    "textrank": TextRank,
}


@cache
def get_summarizer(name: str = DEFAULT_METHOD) -> Summarizer:
    """The summarizer called ``name`` (one instance per process)."""
    try:
        return SUMMARIZERS[name]()
    except KeyError:
        raise ValueError(
            f"unknown summarizer {name!r}; choose one of {', '.join(SUMMARIZERS)}"
        ) from None


def summarize(
    doc: Doc | Article | str,
    length: Length | int | float | None = None,
    method: str | Summarizer = DEFAULT_METHOD,
) -> Summary:
    """Summarize one document: whole sentences, in article order."""
    if isinstance(doc, str):
        d, article_id = Doc.of(doc), ""
    elif isinstance(doc, Article):
        d, article_id = Doc.of(doc.text, doc.title, doc.sentences, doc.id), doc.id
    else:
        d, article_id = doc, doc.id
    summarizer = get_summarizer(method) if isinstance(method, str) else method
    k = as_length(length).count(len(d))
    idx = sorted(set(summarizer.select(d, k))) if k else []
    return Summary(
        article_id=article_id, sentences=tuple(d.sentences[i] for i in idx), method=summarizer.name
    )
