"""When two summary sentences say the same thing: one measure for picking them and for tests.

Two sentences are redundant when their encoder cosine (setting ``encoder``) reaches
:data:`COSINE` or the overlap of their content words (Jaccard) reaches :data:`OVERLAP`. Either
signal alone misses cases the other sees: "The FDA on Wednesday authorized booster doses …" and
"… authorized Pfizer booster shots …" share a cosine of 0.83; "President Joe Biden got his
COVID-19 booster shot … Monday" and "President Joe Biden, 78, received a booster shot … on
Monday" only 0.57, but half their content words.

The thresholds say "more alike than 99 in 100 pairs of sentences a writer put side by side on
purpose": pairs of sentences within one outlet's lead and within the AllSides editors' neutral
roundup, NeuS training split, the 53 events that are also in the demo corpus left out
(``benchmarks/summary_redundancy.py``: 10 event-disjoint folds, each cut-off the 99th
percentile of the other folds' pairs; held-out, either signal flags 1.6 % ± 0.2 of such pairs,
and 30 % ± 2 of the pairs of two outlets' first sentences, which mostly report the same event).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from newsdesk.nlp import lexicons
from newsdesk.nlp.embed import get_encoder
from newsdesk.nlp.tokens import PLAIN_WORD

# Per encoder (an encoder not measured: the overlap alone). 99th percentile of the pairs written
# side by side: wordllama 0.676 ± 0.001 over the folds. wordllama is an English encoder: on
# other languages every pair of sentences looks alike (a Russian article's sentences 0.4-0.7),
# so its cosine counts only between English sentences.
COSINE = {"wordllama": 0.676}
OVERLAP = 0.263  # the same percentile for content-word Jaccard, 0.263 ± 0.001
# Words are compared by their first 5 letters ("authorized", "authorization" -> "autho"):
# truncation is the crudest stemmer, but it needs no language data and no dependency (the
# package ships no stemmer; nltk's is a benchmark-only dependency here).
_PREFIX = 5
_STOP = lexicons.words("stopwords-en")


def content_words(sentence: str) -> frozenset[str]:
    """The sentence's content words: lower-cased, stop words out, cut to their first letters."""
    return frozenset(
        w[:_PREFIX] for w in PLAIN_WORD.findall(sentence.lower()) if len(w) > 1 and w not in _STOP
    )


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard overlap of two content-word sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def redundant_matrix(
    sentences: Sequence[str],
    vectors: np.ndarray | None = None,
    languages: Sequence[str | None] | None = None,
) -> np.ndarray:
    """``R[i, j]``: sentences ``i`` and ``j`` say the same thing. The diagonal is False.

    ``vectors``: unit vectors of ``sentences`` by the configured encoder (encoded here when
    absent); ``languages``: each sentence's language (None: all taken as the encoder's).
    """
    n = len(sentences)
    if n == 0:
        return np.zeros((0, 0), dtype=bool)
    words = [content_words(s) for s in sentences]
    jac = np.array([[overlap(a, b) for b in words] for a in words], dtype=np.float32)
    R: np.ndarray = jac >= OVERLAP
    encoder = get_encoder()
    cut = COSINE.get(encoder.name)
    if cut is not None:
        V = encoder.encode(list(sentences)) if vectors is None else vectors
        close = np.asarray(V @ V.T) >= cut
        if languages is not None and not encoder.multilingual:
            english = np.array([lang == "en" for lang in languages])
            close &= english[:, None] & english[None, :]
        R |= close
    np.fill_diagonal(R, False)
    return R


def redundant_pairs(
    sentences: Sequence[str],
    vectors: np.ndarray | None = None,
    languages: Sequence[str | None] | None = None,
) -> list[tuple[int, int]]:
    """The pairs ``(i, j)``, ``i < j``, of ``sentences`` that say the same thing."""
    R = redundant_matrix(sentences, vectors, languages)
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(np.triu(R)), strict=True)]
