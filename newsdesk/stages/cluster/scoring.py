"""How close an article is to another article or to a story: the join score and threshold.

The score of an article against a story is average-link similarity, computed exactly from the
story's running sums (mean cosine with the members = dot with the sum / n) for the embedding,
the body TF-IDF and the headline TF-IDF, then the entity-mismatch and time terms; article to
article it is the same with n = 1, so average link over groups and stories stays consistent.
A feature that cannot be computed (no headline) drops out and the others are rescaled, so
scores stay comparable between titled and untitled input.

Weights and thresholds were tuned on the *tune* halves of allsides-stories and googlenews-ts
(split by gold cluster, see benchmarks/stories.py); the reported figures are on the other half.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

W_DENSE = 0.25  # mean embedding cosine with the story's members (average link)
W_SPARSE = 0.45  # mean body TF-IDF cosine with the story's members
W_TITLE = 0.30  # mean headline TF-IDF cosine with the story's members
JOIN = 0.28  # average score needed to join (articles of LONG_WORDS words or more)
# Short texts (headline + snippet) share fewer terms, so their scores run lower: the threshold
# falls linearly from JOIN at LONG_WORDS to JOIN_SHORT at SHORT_WORDS words and below. JOIN was
# chosen on the allsides tune half (leads of ~100 words), JOIN_SHORT on the googlenews tune half
# (~28 words), each the middle of the best plateau (mean F1 of the value and its two neighbours
# on a 0.02 grid) rather than the single best value: below it average link starts chaining
# stories together and F1 falls off a cliff. An explicit threshold (settings.story_threshold)
# applies to every length.
JOIN_SHORT = 0.12
SHORT_WORDS = 40
LONG_WORDS = 80
ENTITY_MISMATCH = 1.0  # both name proper nouns, none shared: a veto
MIN_ENTITIES = 3  # an article needs this many proper nouns for the mismatch test
GAP_FREE_DAYS = 3.0  # stories develop over days: no penalty within this gap
GAP_PENALTY_PER_DAY = 0.01
CLOSE_DAYS = 2.0  # both dated and this close: a bonus (same news cycle)
CLOSE_BONUS = 0.10
MAX_GAP_DAYS = 45.0  # beyond this an article never joins: another episode (see threads)


@dataclass(slots=True)
class Columns:
    """What articles are scored against: the batch's own articles, or stories (their sums)."""

    C: np.ndarray  # (c, dim) embedding sums
    X: Any  # (c, vocab) body TF-IDF sums, sparse
    H: Any  # (c, vocab) headline TF-IDF sums, sparse
    E: Any  # (c, vocab) proper nouns named, sparse 0/1
    ents: np.ndarray  # (c,) the most proper nouns a member names
    n: np.ndarray  # (c,) members
    t_min: np.ndarray  # (c,) days; NaN where undated
    t_max: np.ndarray


def scores(
    V: np.ndarray,
    X: Any,
    H: Any,
    E: Any,
    ents: np.ndarray,
    t: np.ndarray,
    cols: Columns,
) -> np.ndarray:
    """The join score (see the parameters) of every article against every column at once.

    Average link from sums: mean cosines = dot products with the column's sums / its size.
    Built in place in one float32 matrix: a batch of 4096 against itself is 64 MiB each.
    """
    inv_n = (1.0 / cols.n).astype(np.float32)[None, :]
    S = np.asarray(V @ cols.C.T, np.float32)
    S *= W_DENSE
    S += (W_SPARSE * (X @ cols.X.T)).toarray()
    S *= inv_n
    rows_t = np.flatnonzero(H.getnnz(1) > 0)
    cols_t = np.flatnonzero(cols.H.getnnz(1) > 0)
    S /= 1.0 - W_TITLE  # no headline on one side: the other features rescaled
    if len(rows_t) and len(cols_t):
        both = np.ix_(rows_t, cols_t)
        title = (H[rows_t] @ cols.H[cols_t].T).toarray() * (W_TITLE * inv_n[:, cols_t])
        S[both] = S[both] * (1.0 - W_TITLE) + title
    rows_e = np.flatnonzero(ents >= MIN_ENTITIES)
    cols_e = np.flatnonzero(cols.ents >= MIN_ENTITIES)
    if len(rows_e) and len(cols_e):  # both name proper nouns: sharing none is a veto
        named = np.ix_(rows_e, cols_e)
        veto = np.full((len(rows_e), len(cols_e)), ENTITY_MISMATCH, np.float32)
        veto[(E[rows_e] @ cols.E[cols_e].T).nonzero()] = 0.0
        S[named] -= veto
    dated_r = np.flatnonzero(~np.isnan(t))
    dated_c = np.flatnonzero(~np.isnan(cols.t_min))
    if len(dated_r) and len(dated_c):
        when = np.ix_(dated_r, dated_c)
        tr = t[dated_r][:, None]
        gap = np.maximum(cols.t_min[dated_c][None, :] - tr, tr - cols.t_max[dated_c][None, :])
        np.maximum(gap, 0.0, out=gap)
        sub = S[when]
        sub -= GAP_PENALTY_PER_DAY * np.maximum(gap - GAP_FREE_DAYS, 0.0)
        sub[gap <= CLOSE_DAYS] += CLOSE_BONUS
        sub[gap > MAX_GAP_DAYS] = -np.inf  # another episode: see threads
        S[when] = sub
    return S


def join_threshold(words: int) -> float:
    """The default score an article of ``words`` words needs to join a story."""
    if words >= LONG_WORDS:
        return JOIN
    if words <= SHORT_WORDS:
        return JOIN_SHORT
    return JOIN_SHORT + (JOIN - JOIN_SHORT) * (words - SHORT_WORDS) / (LONG_WORDS - SHORT_WORDS)
