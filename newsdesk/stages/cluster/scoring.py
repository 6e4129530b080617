"""How close an article is to another article or to a story: the join score and threshold.

The score of an article against a story is average-link similarity, computed exactly from the
story's running sums (mean cosine with the members = dot with the sum / n) for the embedding,
the body TF-IDF and the headline TF-IDF, then the entity-mismatch and time terms; article to
article it is the same with n = 1, so average link over groups and stories stays consistent.
A feature that cannot be computed (no headline) drops out and the others are rescaled, so
scores stay comparable between titled and untitled input.

Across languages (an article against the members of a story in other languages) words are
not shared, so the score there is its own: the cosine of multilingual embeddings (each
language's running mean subtracted, :mod:`.clusterer`) and of the cross-language TF-IDF
vector (name keys that survive transliteration, numbers), minus a name-key veto, minus
``X_SHIFT`` so that one join threshold serves both. A story's score is the mix, weighted by
how many of its members are in the article's language and how many are not.

The weights and thresholds are :class:`Params`; the defaults were chosen by cross-validation
over stories (``benchmarks/stories.py --cv``: random story-disjoint splits of the shared sets,
the setting with the best mean F1 over the splits' tune parts among the stable ones).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
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
# Checked again by --cv (2026-12-02, 20 splits, tune parts, one setting moved at a time): join
# 0.20-0.32, w_dense 0.15-0.6, w_title 0.15/0.45, w_sparse 0.3/0.6, close_bonus 0/0.2, gap
# 0/0.03, centre_fast: none better than these defaults on allsides (0.841) without a loss on
# mmds2025 (0.949); entity_mismatch 0 gave allsides +0.006 but mmds -0.0025 (googlenews-ts
# equal) and 0.3 gave nothing, so not a stable gain: kept.
MIN_ENTITIES = 3  # an article needs this many proper nouns for the mismatch test
GAP_FREE_DAYS = 3.0  # stories develop over days: no penalty within this gap
GAP_PENALTY_PER_DAY = 0.01
CLOSE_DAYS = 2.0  # both dated and this close: a bonus (same news cycle)
CLOSE_BONUS = 0.10
MAX_GAP_DAYS = 45.0  # beyond this an article never joins: another episode (see threads)


W_X_DENSE = 0.90  # across languages: multilingual embedding cosine (language-centred)
W_X_SPARSE = 0.10  # across languages: cosine of name keys and numbers
# Subtracted from the cross-language score. Chosen with W_X_DENSE and X_MISMATCH by --cv over 20
# story-disjoint splits of mmds2025 (tune parts; story encoder "use"): F1 0.925-0.935 for any
# shift from 0.0 to 0.15 at W_X_DENSE 0.9 (0.05: 0.932, cross-language pair recall 0.89; 0.25:
# 0.81, 0.30), W_X_DENSE 0.7 -0.01; the middle of that plateau.
X_SHIFT = 0.05
# Share of the same-language score taken from the multilingual cosine where both sides have one
# (mixed-language streams only): --cv on mmds2025 (20 splits, tune parts) gave F1 0.935 at 0,
# 0.948 at 0.3, 0.949 at 0.5, 0.947 at 0.7; the middle of the plateau.
M_SAME = 0.5
X_MISMATCH = 0.5  # both name 3+ name keys, none shared: a penalty (1.0: F1 -0.003, recall -0.01)
# Local density (see density_shift): an article whose DENSITY_K closest articles of its batch
# score higher than the batch's typical article's needs that much more (times DENSITY) to join,
# one in a sparse neighbourhood that much less: a crowd of same-topic articles about different
# events is cut finer, a story told differently by each outlet is still gathered. For short
# texts the factor falls to DENSITY_SHORT as the threshold falls to JOIN_SHORT. Chosen by --cv
# (2026-12-03, 20 story-disjoint splits, tune parts, story encoder "use"): allsides F1 0.841 at
# 0 -> 0.850 / 0.855 / 0.857 / 0.859 / 0.864 / 0.868 at 0.2 / 0.3 / 0.4 / 0.5 / 0.6 / 0.8
# (k = 10), mmds2025 0.949 -> 0.9475 from 0.2 to 0.4 (cross-language pair recall 0.934 kept),
# then down (0.6: 0.945, recall 0.917; 0.8: 0.940, 0.899); k = 5 costs mmds2025 more, k = 15-20
# gains allsides less. 0.4, k = 10: the high end of the range where mmds2025 stays level.
# googlenews-ts (~28 words, stories of ~76 snippets: an article's closest ten are its own
# story) lost 0.005 at 0.3 and 0.015 at 0.5, so short texts get none.
DENSITY = 0.4
DENSITY_SHORT = 0.0
DENSITY_K = 10


@dataclass(frozen=True, slots=True)
class Params:
    """Every weight and threshold of the join score (the module constants are the defaults)."""

    w_dense: float = W_DENSE
    w_sparse: float = W_SPARSE
    w_title: float = W_TITLE
    join: float = JOIN
    join_short: float = JOIN_SHORT
    entity_mismatch: float = ENTITY_MISMATCH
    gap_penalty: float = GAP_PENALTY_PER_DAY
    close_bonus: float = CLOSE_BONUS
    w_x_dense: float = W_X_DENSE
    w_x_sparse: float = W_X_SPARSE
    x_shift: float = X_SHIFT
    x_mismatch: float = X_MISMATCH
    centre_fast: bool = False  # centre the fast embeddings in a one-language stream too
    # In a mixed-language stream every article also has a multilingual vector: this share of the
    # same-language score comes from it (w_x_dense × cosine - x_shift), the rest as above.
    m_same: float = M_SAME
    density: float = DENSITY
    density_short: float = DENSITY_SHORT
    density_k: int = DENSITY_K
    extra: dict[str, float] = field(default_factory=dict)

    def but(self, **changes: object) -> Params:
        return replace(self, **changes)  # type: ignore[arg-type]


DEFAULT = Params()


@dataclass(slots=True)
class Side:
    """One side of the score, rows (articles) or columns (articles or stories), by language.

    ``C[lang]`` sums the fast embeddings of the members in that language, ``N[lang]`` counts
    them; ``M[lang]``/``NM[lang]`` the same for multilingual embeddings (members that have one).
    For a row, every dict has the row's own language only.
    """

    C: dict[str, np.ndarray]
    N: dict[str, np.ndarray]
    M: dict[str, np.ndarray]
    NM: dict[str, np.ndarray]
    X: Any  # body TF-IDF (sums), sparse
    H: Any  # headline TF-IDF (sums), sparse
    E: Any  # proper nouns named, sparse 0/1
    XX: Any  # cross-language TF-IDF (sums), sparse
    XE: Any  # name keys named, sparse 0/1
    ents: np.ndarray  # the most proper nouns a member names
    xents: np.ndarray  # the most name keys a member names
    n: np.ndarray  # members
    t_min: np.ndarray  # days; NaN where undated
    t_max: np.ndarray


def _ix(rows: np.ndarray, n_rows: int, cols: np.ndarray, n_cols: int) -> Any:
    """``np.ix_(rows, cols)``, with a plain slice for an axis taken whole: indexing with it
    gives a view, not a copy of a batch-by-stories matrix (most articles are dated and titled,
    so the time, headline and name terms usually cover every pair)."""
    r = slice(None) if len(rows) == n_rows else rows
    c = slice(None) if len(cols) == n_cols else cols
    if isinstance(r, slice) or isinstance(c, slice):
        return r, c
    return np.ix_(rows, cols)


def _same(rows: Side, r: np.ndarray, V: np.ndarray, cols: Side, lang: str, p: Params) -> np.ndarray:
    """Mean score of rows ``r`` (all in ``lang``) against each column's ``lang`` members."""
    nA = cols.N[lang]
    inv_n = np.where(nA > 0, 1.0 / np.maximum(nA, 1), 0.0).astype(np.float32)[None, :]
    S = np.asarray(V[r] @ cols.C[lang].T, np.float32)
    S *= p.w_dense
    S += (p.w_sparse * (rows.X[r] @ cols.X.T)).toarray()
    S *= inv_n
    Hr = rows.H[r]
    rows_t = np.flatnonzero(Hr.getnnz(1) > 0)
    cols_t = np.flatnonzero(cols.H.getnnz(1) > 0)
    S /= 1.0 - p.w_title  # no headline on one side: the other features rescaled
    if len(rows_t) and len(cols_t):
        both = _ix(rows_t, len(r), cols_t, S.shape[1])
        title = (Hr[rows_t] @ cols.H[cols_t].T).toarray() * (p.w_title * inv_n[:, cols_t])
        if isinstance(both[0], slice) and isinstance(both[1], slice):
            S *= 1.0 - p.w_title
            S += title
        else:
            S[both] = S[both] * (1.0 - p.w_title) + title
    rows_e = np.flatnonzero(rows.ents[r] >= MIN_ENTITIES)
    cols_e = np.flatnonzero(cols.ents >= MIN_ENTITIES)
    if len(rows_e) and len(cols_e):  # both name proper nouns: sharing none is a veto
        named = _ix(rows_e, len(r), cols_e, S.shape[1])
        veto = np.full((len(rows_e), len(cols_e)), p.entity_mismatch, np.float32)
        veto[(rows.E[r][rows_e] @ cols.E[cols_e].T).nonzero()] = 0.0
        S[named] -= veto
    Mr = rows_m(rows, r)
    if p.m_same > 0 and Mr is not None and lang in cols.M:
        NM = cols.NM[lang]
        inv = np.where(NM > 0, 1.0 / np.maximum(NM, 1), 0.0).astype(np.float32)[None, :]
        multi = p.w_x_dense * np.asarray(Mr @ cols.M[lang].T, np.float32) * inv - p.x_shift
        both = (np.linalg.norm(Mr, axis=1) > 0)[:, None] & (NM > 0)[None, :]
        S = np.where(both, (1.0 - p.m_same) * S + p.m_same * multi, S)
    return S


def rows_m(rows: Side, r: np.ndarray) -> np.ndarray | None:
    """The multilingual vectors of rows ``r`` (zeros where none), from a rows-side ``M``."""
    if not rows.M:
        return None
    out: np.ndarray = np.sum([v[r] for v in rows.M.values()], axis=0)
    return out


def _cross(
    rows: Side, r: np.ndarray, Mr: np.ndarray | None, cols: Side, lang: str, p: Params
) -> np.ndarray:
    """Mean score of rows ``r`` (in ``lang``) against each column's members in other languages."""
    c = len(cols.n)
    S = np.zeros((len(r), c), np.float32)
    if Mr is not None and cols.M:
        M = sum(v for k, v in cols.M.items() if k != lang)
        NM = sum(v for k, v in cols.NM.items() if k != lang)
        if not isinstance(M, int):
            inv = np.where(NM > 0, 1.0 / np.maximum(NM, 1), 0.0).astype(np.float32)[None, :]
            S += p.w_x_dense * np.asarray(Mr @ M.T, np.float32) * inv
    inv_all = (1.0 / cols.n).astype(np.float32)[None, :]
    S += (p.w_x_sparse * (rows.XX[r] @ cols.XX.T)).toarray() * inv_all
    S -= p.x_shift
    rows_e = np.flatnonzero(rows.xents[r] >= MIN_ENTITIES)
    cols_e = np.flatnonzero(cols.xents >= MIN_ENTITIES)
    if len(rows_e) and len(cols_e):
        named = np.ix_(rows_e, cols_e)
        veto = np.full((len(rows_e), len(cols_e)), p.x_mismatch, np.float32)
        veto[(rows.XE[r][rows_e] @ cols.XE[cols_e].T).nonzero()] = 0.0
        S[named] -= veto
    return S


def scores(
    rows: Side,
    langs: np.ndarray,
    V: np.ndarray,
    M: np.ndarray | None,
    t: np.ndarray,
    cols: Side,
    p: Params = DEFAULT,
) -> np.ndarray:
    """The join score (see the module docstring) of every article against every column at once.

    Average link from sums: mean cosines = dot products with the column's sums / its size; a
    column with members in several languages mixes the same-language and the cross-language
    score by its members' shares. ``V``/``M`` are the rows' (centred) fast and multilingual
    embeddings (zero rows where an article has no multilingual one), ``langs`` their languages.
    """
    m, c = len(langs), len(cols.n)
    S = np.zeros((m, c), np.float32)
    for lang in sorted(set(langs.tolist())):
        r = np.flatnonzero(langs == lang)
        nA = cols.N.get(lang)
        share = (np.zeros(c) if nA is None else nA / cols.n).astype(np.float32)
        if nA is not None and share.any():
            same = _same(rows, r, V, cols, lang, p)
            if len(r) == m and (share == 1).all():  # one language: the score is this part
                S = same.astype(np.float32, copy=False)
                continue
            S[r] += same * share[None, :]
        if (share < 1).any():  # rows without a multilingual vector have zeros in M
            part = _cross(rows, r, None if M is None else M[r], cols, lang, p)
            S[r] += part * (1.0 - share)[None, :]
    dated_r = np.flatnonzero(~np.isnan(t))
    dated_c = np.flatnonzero(~np.isnan(cols.t_min))
    if len(dated_r) and len(dated_c):
        when = _ix(dated_r, m, dated_c, c)
        tr = t[dated_r][:, None]
        gap = np.maximum(cols.t_min[dated_c][None, :] - tr, tr - cols.t_max[dated_c][None, :])
        np.maximum(gap, 0.0, out=gap)
        sub = S[when]  # a view when every article and column is dated
        sub -= p.gap_penalty * np.maximum(gap - GAP_FREE_DAYS, 0.0)
        sub[gap <= CLOSE_DAYS] += p.close_bonus
        sub[gap > MAX_GAP_DAYS] = -np.inf  # another episode: see threads
        if not np.shares_memory(sub, S):
            S[when] = sub
    return S


def join_threshold(words: int, p: Params = DEFAULT) -> float:
    """The default score an article of ``words`` words needs to join a story."""
    join, short = p.join, p.join_short
    if words >= LONG_WORDS:
        return join
    if words <= SHORT_WORDS:
        return short
    return short + (join - short) * (words - SHORT_WORDS) / (LONG_WORDS - SHORT_WORDS)


def density_shift(
    pair: np.ndarray, langs: np.ndarray, words: np.ndarray, p: Params = DEFAULT
) -> np.ndarray:
    """Per article of a batch, how much higher its join threshold is for local density.

    ``pair`` holds the batch's article-article scores (the diagonal -inf), ``langs`` and
    ``words`` the articles' languages and lengths. An article's density is the mean of its
    ``density_k`` highest scores against articles in its own language (cross-language scores
    run lower: counted too, --cv lost 0.03 of mmds2025's cross-language pair recall), below
    zero counted as zero; the shift is its distance from the batch's median density
    times ``density`` (``density_short`` for short texts, in between as for the threshold), so
    a batch too small to have neighbours (fewer than 3 articles) is not shifted.
    """
    m = len(pair)
    if not (p.density or p.density_short) or m < 3:
        return np.zeros(m, np.float32)
    k = min(p.density_k, m - 1)
    near = np.maximum(pair, 0.0)
    if len(set(langs.tolist())) > 1:
        near[langs[:, None] != langs[None, :]] = 0.0
    top = np.partition(near, m - k, axis=1)[:, m - k :]
    local = top.mean(axis=1)
    long = np.clip((words - SHORT_WORDS) / (LONG_WORDS - SHORT_WORDS), 0.0, 1.0)
    factor = p.density_short + (p.density - p.density_short) * long
    return (factor * (local - np.median(local))).astype(np.float32)
