"""Story clustering: articles about the same real-world event, from any outlet, become a story.

The clusterer is online and deterministic: articles arrive in batches (BATCH, 4096 by default);
each batch is grouped by average link, and each group joins an earlier story or opens a new
one, without re-clustering earlier articles (after Miranda et al. 2018 and Staykovski et al.
2019 for the features, average-link agglomerative clustering for the grouping). Per batch:

1. features: a sentence-embedding vector of title + lead (``newsdesk.embed``); a sparse bag of
   content words, proper-noun phrases ("e:hakan fidan") and numbers ("n:23"), weighted TF-IDF
   with document frequencies counted online, a batch at a time (so the order of articles within
   a batch does not matter); a headline TF-IDF vector;
   a time coordinate (publication date, else the latest date stated in the text, see
   :mod:`newsdesk.timeline`);
2. candidates: the stories of each article's K nearest earlier articles by embedding (faiss:
   exact ``IndexFlatIP`` up to ``HNSW_FROM`` vectors, HNSW beyond);
3. scores, article to article and article to candidate story: the mean cosine (average link,
   from a story's running sums) of the embeddings, body and headline TF-IDF vectors, minus a
   veto when both name places/people/organisations and share none ("shares rose" at two
   companies, the same kind of event in two places), minus a penalty growing with the time
   gap, plus a bonus when both are dated within CLOSE_DAYS; each minus the article's join
   threshold (JOIN, lower for short texts) gives a margin;
4. average link over the batch's articles and the candidate stories: the closest pair of
   groups, or a group and a story, is joined while their mean margin is >= 0 (stories are
   never joined to each other in this step); a group left alone opens a new story;
5. a group that fits two stories by MERGE_MARGIN more than it needs merges them.
   Near-duplicates (``articles.duplicate_of``) go with their original.

Small batches approach a single pass in arrival order and cluster somewhat worse (see
benchmarks/stories.py); settings changes need a full rebuild (``newsdesk recluster``).

Stories are stored in the component "stories" (tables ``stories``, ``story_articles``,
``story_links``); the faiss index lives beside a SQLite store as ``<db>.stories.faiss`` (a
settings path for other databases) and is rebuilt from the database when missing or stale.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    delete,
    func,
    select,
    update,
)

from newsdesk.registry import stage
from newsdesk.store.schema import articles, component, metadata
from newsdesk.text import CALENDAR_WORDS
from newsdesk.timeline import anchor_date

if TYPE_CHECKING:
    from newsdesk.embed import Encoder

log = logging.getLogger(__name__)

# -- parameters ---------------------------------------------------------------------------
# Weights and thresholds were tuned on the *tune* halves of allsides-stories and googlenews-ts
# (split by gold cluster, see benchmarks/stories.py); the reported figures are on the other half.
# The score of an article against a story is average-link similarity, computed exactly from the
# story's running sums (mean cosine with the members = dot with the sum / n) for the embedding,
# the body TF-IDF and the headline TF-IDF, then the entity-mismatch and time terms; article to
# article it is the same with n = 1, so average link over groups and stories stays consistent.
# A feature that cannot be computed (no headline) drops out and the others are rescaled, so
# scores stay comparable between titled and untitled input.
W_DENSE = 0.25  # mean embedding cosine with the story's members (average link)
W_SPARSE = 0.45  # mean body TF-IDF cosine with the story's members
W_TITLE = 0.30  # mean headline TF-IDF cosine with the story's members
CENTROID_TERMS = 1000  # terms kept in a story's sparse sums (the strongest)
MAX_STORIES = 6  # candidate stories scored per article (those of the closest neighbours)
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
MERGE_MARGIN = 0.20  # a group scoring JOIN + this with two stories merges them
K = 24  # nearest earlier articles looked at per new article
# Articles clustered together by average link (the rest of the stream joins by story sums);
# settings.story_batch overrides it. Bigger batches cluster better (benchmarks/stories.py prints
# a 256-article row too) and cost O(BATCH^2) memory for the pair scores (peak RSS ~0.55 GB at
# 10k articles, see the benchmark's scale table).
BATCH = 4096
ENTITY_MISMATCH = 1.0  # both name proper nouns, none shared: a veto
MIN_ENTITIES = 3  # an article needs this many proper nouns for the mismatch test
GAP_FREE_DAYS = 3.0  # stories develop over days: no penalty within this gap
GAP_PENALTY_PER_DAY = 0.01
CLOSE_DAYS = 2.0  # both dated and this close: a bonus (same news cycle)
CLOSE_BONUS = 0.10
MAX_GAP_DAYS = 45.0  # beyond this an article never joins: another episode (see threads)
ENTITY_WEIGHT = 1.0  # weight of a proper-noun term in the sparse vector
NUMBER_WEIGHT = 1.0
TITLE_WEIGHT = 1  # title words counted this many times
LEAD_CHARS = 1200  # the embedding sees title + this much of the text
HNSW_FROM = 100_000  # exact search up to here; HNSW (M=32) beyond
HNSW_M = 32
HNSW_EF_SEARCH = 64
# Threads: a candidate story that is close in content but was not joined (another episode).
THREAD_DENSE = 0.65
THREAD_SHARED_ENTITIES = 3
_FORCE = 100.0  # the margin that puts a near-duplicate with its original

_EPOCH = date(1970, 1, 1)

_STOP = frozenset(
    """
    a about above according after again against all also am an and any are as at be because
    been before being below between both but by can could did didn't do does doing don't
    down during each few first for from further get got had has have having he her here hers
    herself him himself his how i if in into is it it's its itself just last like may me
    might more most mr mrs ms must my myself new no nor not now of off on once one only or
    other our ours ourselves out over own people s said same says she should so some such t
    than that that's the their theirs them themselves then there these they this those
    through time to told too two under until up us very was we week were what when where
    which while who whom why will with would year years you your yours yourself yourselves
    """.split()  # noqa: SIM905  (a word list reads better as text)
)
_WORD = re.compile(r"[^\W\d_][\w’'\-]*", re.UNICODE)
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*\d(?![\w])|(?<![\w.])\d(?![\w.,])")
_CAP = re.compile(
    r"(?<![\w’'])[A-Z][\w’'\-]*(?:[ \t]+(?:(?:of|de|del|da|al|bin|van|von|la|le|the)[ \t]+)?[A-Z][\w’'\-]*)*"
)
_CONNECT = frozenset({"of", "de", "del", "da", "al", "bin", "van", "von", "la", "le", "the"})
_SENT_START = re.compile(r"(?:^|[.!?:;\"“”]\s*|\n\s*)$")
_POSSESSIVE = re.compile(r"[’']s$")


def days(d: date | datetime | None) -> float | None:
    if d is None:
        return None
    if isinstance(d, datetime):
        d = d.date()
    return float((d - _EPOCH).days)


def proper_nouns(text: str) -> list[str]:
    """Capitalised word sequences, lower-cased: a cheap stand-in for named entities.

    Title-case headlines and sentence starts are the traps: a capitalised word that also
    occurs in lower case in the text ("Talks", "Peace") splits a sequence and is dropped, and a
    single word at a sentence or line start ("However", "Earlier", "Category") is kept only if
    it also appears capitalised in mid-sentence. Month and weekday names are dates, not names.
    """
    lower_vocab = {w for w in _WORD.findall(text) if w.islower()}
    mid: set[str] = set()
    found: list[tuple[list[str], bool]] = []
    for m in _CAP.finditer(text):
        at_start = bool(_SENT_START.search(text[max(0, m.start() - 3) : m.start()]))
        toks = [_POSSESSIVE.sub("", t) for t in m.group(0).split()]
        run: list[str] = []
        runs: list[tuple[list[str], bool]] = []
        for tok in toks:
            low = tok.lower()
            if run and low in _CONNECT:
                run.append(tok)  # "Bank of England"
                continue
            if low in _STOP or low in lower_vocab or low in CALENDAR_WORDS or len(low) < 2:
                _close(run, runs, at_start and run[:1] == toks[:1])
                run = []
                continue
            run.append(tok)
        _close(run, runs, at_start and run[:1] == toks[:1])
        for r, starts in runs:
            if not starts:
                mid.add(r[0])
            found.append((r, starts))
    seen = Counter(r[0] for r, _ in found if len(r) == 1)
    out = []
    for r, starts in found:
        if starts and len(r) == 1 and r[0] not in mid and seen[r[0]] < 2:
            continue
        out.append(" ".join(r).lower())
    return out


def _close(run: list[str], runs: list[tuple[list[str], bool]], starts: bool) -> None:
    while run and run[-1].lower() in _CONNECT:
        run.pop()
    if run:
        runs.append((list(run), starts and not runs))


def numbers(text: str) -> list[str]:
    out = []
    for m in _NUMBER.finditer(text):
        n = m.group(0).replace(",", "").rstrip(".")
        if len(n) >= 2:
            out.append(n)
    return out


def bag(title: str | None, text: str) -> Counter[str]:
    """The sparse features of one article: content words, "e:" proper nouns, "n:" numbers."""
    c: Counter[str] = Counter()
    body = text[: LEAD_CHARS * 3]
    for source, weight in ((title or "", TITLE_WEIGHT), (body, 1)):
        if not source:
            continue
        for w in _WORD.findall(source):
            low = w.lower()
            if len(low) > 2 and low not in _STOP:
                c[low] += weight
        for e in proper_nouns(source):
            c["e:" + e] += weight
            parts = e.split()
            if len(parts) > 1:
                c["e:" + parts[-1]] += weight  # "hakan fidan" also matches a later "Fidan"
        for n in numbers(source):
            c["n:" + n] += weight
    for w in _WORD.findall(title or ""):  # the headline alone, compared headline to headline
        low = w.lower()
        if len(low) > 2 and low not in _STOP:
            c["t:" + low] += 1
    return c


def embed_text(title: str | None, text: str) -> str:
    head = text[:LEAD_CHARS]
    return f"{title}. {head}" if title else head


# -- the online clusterer -----------------------------------------------------------------
@dataclass(slots=True)
class Item:
    """One article ready to be clustered."""

    key: str
    vec: np.ndarray
    bag: Counter[str]
    t: float | None = None  # days since 1970-01-01
    duplicate_of: str | None = None
    words: int = LONG_WORDS  # length of title + text, for the default threshold


@dataclass(frozen=True, slots=True)
class Assignment:
    key: str
    story: int
    score: float
    new: bool
    links: tuple[tuple[int, float], ...] = ()  # (other story, similarity): thread evidence
    merged: tuple[int, ...] = ()  # earlier stories merged into ``story`` by this article


def _add_sparse(
    ids: np.ndarray, sums: np.ndarray, more_ids: np.ndarray, more: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The sum of two sparse vectors (sorted ids, values), keeping the CENTROID_TERMS strongest."""
    u = np.union1d(ids, more_ids)
    merged = np.zeros(len(u), np.float64)
    merged[np.searchsorted(u, ids)] += sums
    merged[np.searchsorted(u, more_ids)] += more
    if len(u) > 2 * CENTROID_TERMS:  # keep the strongest terms (ties: older ids first)
        keep = np.sort(np.lexsort((u, -merged))[:CENTROID_TERMS])
        u, merged = u[keep], merged[keep]
    return u, merged


@dataclass(slots=True)
class _Story:
    """A story's running sums: average-link similarity to it is a dot product with them."""

    csum: np.ndarray  # sum of the members' unit embeddings
    n: int = 0
    t_min: float | None = None
    t_max: float | None = None
    members: list[int] = field(default_factory=list)
    tids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # body terms
    tsum: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float64))
    hids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # headline terms
    hsum: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float64))
    cnorm: float = 1.0  # |csum|
    ents: int = 0  # the most proper nouns any member names

    def add_terms(self, ids: np.ndarray, tfs: np.ndarray, hids: np.ndarray, hw: np.ndarray) -> None:
        self.tids, self.tsum = _add_sparse(self.tids, self.tsum, ids, tfs)
        if len(hids):
            self.hids, self.hsum = _add_sparse(self.hids, self.hsum, hids, hw)


@dataclass(slots=True)
class _Features:
    """One article's sparse features: term ids with unit TF-IDF weights, body and headline."""

    ids: np.ndarray
    w: np.ndarray
    tids: np.ndarray
    wt: np.ndarray
    ents: int  # how many proper nouns


@dataclass(slots=True)
class _Columns:
    """What articles are scored against: the batch's own articles, or stories (their sums)."""

    C: np.ndarray  # (c, dim) embedding sums
    X: Any  # (c, vocab) body TF-IDF sums, sparse
    H: Any  # (c, vocab) headline TF-IDF sums, sparse
    E: Any  # (c, vocab) proper nouns named, sparse 0/1
    ents: np.ndarray  # (c,) the most proper nouns a member names
    n: np.ndarray  # (c,) members
    t_min: np.ndarray  # (c,) days; NaN where undated
    t_max: np.ndarray


class Clusterer:
    """Online story clustering over a growing faiss index (see the module docstring)."""

    def __init__(self, dim: int, join: float | None = None, merge: float | None = None) -> None:
        import faiss

        self.dim = dim
        self.index: Any = faiss.IndexFlatIP(dim)
        self.keys: list[str] = []
        self.pos_of: dict[str, int] = {}
        self.story_of: list[int] = []
        self.vocab: dict[str, int] = {}
        self.is_entity = np.zeros(1024, dtype=bool)
        self.is_title = np.zeros(1024, dtype=bool)
        self.df = np.zeros(1024, dtype=np.float64)
        self.docs = 0  # articles counted in df
        self.stories: dict[int, _Story] = {}
        self.next_story = 1
        self.join = join  # None: by length (join_threshold)
        self.merge = merge  # None: the join threshold + MERGE_MARGIN

    # 1. features ---------------------------------------------------------------------------
    def _encode_bag(self, b: Counter[str]) -> tuple[np.ndarray, np.ndarray]:
        ids, tfs = [], []
        for term, count in b.items():
            i = self.vocab.get(term)
            if i is None:
                i = len(self.vocab)
                self.vocab[term] = i
                if i >= len(self.df):
                    grow = len(self.df)
                    self.df = np.concatenate([self.df, np.zeros(grow)])
                    self.is_entity = np.concatenate([self.is_entity, np.zeros(grow, bool)])
                    self.is_title = np.concatenate([self.is_title, np.zeros(grow, bool)])
                self.is_entity[i] = term.startswith("e:")
                self.is_title[i] = term.startswith("t:")
            weight = (
                ENTITY_WEIGHT
                if term.startswith("e:")
                else NUMBER_WEIGHT
                if term.startswith("n:")
                else 1.0
            )
            ids.append(i)
            tfs.append(weight * (1.0 + math.log(count)))
        order = np.argsort(np.asarray(ids, dtype=np.int64), kind="stable")
        return (
            np.asarray(ids, dtype=np.int64)[order],
            np.asarray(tfs, dtype=np.float64)[order],
        )

    def _featurize(self, bags: Sequence[Counter[str]]) -> list[_Features]:
        """Unit TF-IDF vectors of articles and of their headlines. Document frequencies count
        the whole batch first, so within a batch the features do not depend on the order."""
        encoded = [self._encode_bag(b) for b in bags]
        for ids, _ in encoded:
            self.df[ids] += 1.0
        self.docs += len(encoded)
        out = []
        for all_ids, tfs in encoded:
            idf = np.log((self.docs + 1.0) / (self.df[all_ids] + 1.0)) + 1.0
            head = self.is_title[all_ids]
            parts = []
            for mask in (~head, head):
                w = tfs[mask] * idf[mask]
                parts += [all_ids[mask], w / (float(np.linalg.norm(w)) or 1.0)]
            ents = int(self.is_entity[parts[0]].sum())
            out.append(_Features(parts[0], parts[1], parts[2], parts[3], ents))
        return out

    def _csr(self, rows: Sequence[tuple[np.ndarray, np.ndarray | None]]) -> Any:
        """A sparse matrix over the vocabulary, one row per (term ids, weights or None = 1)."""
        from scipy.sparse import csr_matrix

        lengths = [len(ids) for ids, _ in rows]
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        if not rows or not indptr[-1]:
            return csr_matrix((len(rows), len(self.vocab)), dtype=np.float32)
        indices = np.concatenate([ids for ids, _ in rows])
        data = np.concatenate([np.ones(len(ids)) if w is None else w for ids, w in rows]).astype(
            np.float32
        )
        return csr_matrix((data, indices, indptr), shape=(len(rows), len(self.vocab)))

    def _matrices(
        self, rows: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]
    ) -> tuple[Any, Any, Any]:
        """Body TF-IDF, headline TF-IDF and proper-noun (0/1) rows, from (ids, w, tids, wt) of
        articles or (tids, tsum, hids, hsum) of stories."""
        body = self._csr([(ids, w) for ids, w, _, _ in rows])
        head = self._csr([(hids, hw) for _, _, hids, hw in rows])
        return body, head, self._entities([ids for ids, _, _, _ in rows])

    def _entities(self, term_ids: Sequence[np.ndarray]) -> Any:
        return self._csr([(ids[self.is_entity[ids]], None) for ids in term_ids])

    # 2.-5. one batch ------------------------------------------------------------------------
    def add(self, items: Sequence[Item]) -> list[Assignment]:
        """Cluster a batch: average link over its articles and the earlier stories near them."""
        if not items:
            return []
        m = len(items)
        V = np.ascontiguousarray(np.stack([it.vec for it in items]).astype(np.float32))
        feats = self._featurize([it.bag for it in items])
        X, H, E = self._matrices([(f.ids, f.w, f.tids, f.wt) for f in feats])
        ents = np.array([f.ents for f in feats], np.int32)
        t = np.array([np.nan if it.t is None else it.t for it in items], np.float32)
        thr = np.array(
            [join_threshold(it.words) if self.join is None else self.join for it in items]
        )

        # 2. candidates: the stories of each article's K nearest earlier articles
        cands = self._candidates(V, items)
        col = {sid: j for j, sid in enumerate(cands)}

        # 3. scores: article-article and article-story, as margins over the join threshold
        pair = self._scores(V, X, H, E, ents, t, _Columns(V, X, H, E, ents, np.ones(m), t, t))
        np.fill_diagonal(pair, -np.inf)
        margins = np.full((m, m + len(cands)), -np.inf, np.float32)
        block = margins[:, :m]
        block[...] = pair
        block -= (thr / 2).astype(np.float32)[:, None]
        block -= (thr / 2).astype(np.float32)[None, :]
        to_story = np.zeros((m, 0), np.float32)
        if cands:
            to_story = self._scores(V, X, H, E, ents, t, self._story_columns(cands))
            margins[:, m:] = to_story
            margins[:, m:] -= thr.astype(np.float32)[:, None]
        forced = np.zeros(m, bool)  # near-duplicates go with their original
        in_batch = {it.key: j for j, it in enumerate(items)}
        for i, it in enumerate(items):
            if not it.duplicate_of:
                continue
            orig = self.pos_of.get(it.duplicate_of)
            j = in_batch.get(it.duplicate_of, i)
            if orig is not None and self.story_of[orig] in col:
                margins[i, m + col[self.story_of[orig]]] = _FORCE
            elif j != i:
                margins[i, j] = margins[j, i] = _FORCE
            forced[i] = orig is not None or j != i

        # 4. average link over the batch's articles and the candidate stories, then 5. merges
        sizes = np.array([1.0] * m + [self.stories[s].n for s in cands])
        group, joined = average_link(margins, sizes)  # consumes margins
        del margins
        members: dict[int, list[int]] = {}
        for i, g in enumerate(group.tolist()):
            members.setdefault(g, []).append(i)
        merge = np.full(m, MERGE_MARGIN) + thr if self.merge is None else np.full(m, self.merge)
        target: dict[int, int] = {}  # group -> story
        merged_by: dict[int, list[int]] = {}  # group -> stories merged into its story
        alias: dict[int, int] = {}

        def final(sid: int) -> int:
            while sid in alias:
                sid = alias[sid]
            return sid

        for g, rows in members.items():
            if joined[g] < 0:
                continue
            fit = (to_story[rows] - merge[rows, None]).mean(axis=0)  # per candidate story
            sid = final(cands[joined[g] - m])
            close = sorted({final(cands[j]) for j in np.flatnonzero(fit >= 0)})
            if fit[joined[g] - m] >= 0 and len(close) > 1:
                into, drops = close[0], close[1:]
                for drop in drops:
                    self._merge(drop, into)
                    alias[drop] = into
                merged_by[g] = drops
                sid = into
            target[g] = sid
        out: list[Assignment] = []
        for i, it in enumerate(items):
            g = int(group[i])
            if g not in target:  # a new story, numbered in order of its first article
                target[g] = self.next_story
                self.next_story += 1
                self.stories[target[g]] = _Story(csum=np.zeros(self.dim, dtype=np.float64))
            sid = final(target[g])
            new = bool(joined[g] < 0 and members[g][0] == i)
            if new or forced[i]:
                score = 1.0
            elif joined[g] >= 0:
                score = float(to_story[i, joined[g] - m])
            else:
                score = float(pair[i, [j for j in members[g] if j != i]].mean())
            self._append(it, V[i], sid, feats[i])
            out.append(
                Assignment(it.key, sid, round(score, 4), new, merged=tuple(merged_by.pop(g, ())))
            )
        self.index.add(V)
        self._maybe_hnsw()
        return self._with_links(out, V, E, [final(s) for s in cands])

    def _candidates(self, V: np.ndarray, items: Sequence[Item]) -> list[int]:
        """Stories of the K nearest earlier articles (MAX_STORIES per article), and of originals."""
        n0 = self.index.ntotal
        found: set[int] = set()
        if n0:
            D, Ix = self.index.search(V, min(K, n0))
            for i in range(len(items)):
                seen: list[int] = []
                order = np.lexsort((Ix[i], -np.round(D[i], 5)))
                for p in Ix[i][order]:
                    if p < 0:
                        continue
                    sid = self.story_of[int(p)]
                    if sid not in seen:
                        seen.append(sid)
                        if len(seen) == MAX_STORIES:
                            break
                found.update(seen)
        for it in items:
            orig = self.pos_of.get(it.duplicate_of) if it.duplicate_of else None
            if orig is not None:
                found.add(self.story_of[orig])
        return sorted(found)

    def _story_columns(self, sids: Sequence[int]) -> _Columns:
        sts = [self.stories[s] for s in sids]
        SX, SH, SE = self._matrices([(st.tids, st.tsum, st.hids, st.hsum) for st in sts])
        return _Columns(
            np.stack([st.csum for st in sts]).astype(np.float32),
            SX,
            SH,
            SE,
            np.array([st.ents for st in sts]),
            np.array([st.n for st in sts], np.float64),
            np.array([np.nan if st.t_min is None else st.t_min for st in sts], np.float32),
            np.array([np.nan if st.t_max is None else st.t_max for st in sts], np.float32),
        )

    @staticmethod
    def _scores(
        V: np.ndarray,
        X: Any,
        H: Any,
        E: Any,
        ents: np.ndarray,
        t: np.ndarray,
        cols: _Columns,
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

    def _with_links(
        self, out: list[Assignment], V: np.ndarray, E: Any, near: Sequence[int]
    ) -> list[Assignment]:
        """Thread evidence: stories, other than its own, whose centroid an article is close to
        and whose proper nouns it shares (near or far in time)."""
        sids = sorted({*near, *(a.story for a in out)} & set(self.stories))
        if not sids:
            return out
        sts = [self.stories[s] for s in sids]
        C = np.stack([st.csum / st.cnorm for st in sts]).astype(np.float32)
        dense = np.asarray(V @ C.T, np.float64)
        shared = (E @ self._entities([st.tids for st in sts]).T).toarray()
        hit = (dense >= THREAD_DENSE) & (shared >= THREAD_SHARED_ENTITIES)
        result = []
        for i, a in enumerate(out):
            links = tuple(
                (sids[j], round(float(dense[i, j]), 4))
                for j in np.flatnonzero(hit[i])
                if sids[j] != a.story
            )
            result.append(
                Assignment(a.key, a.story, a.score, a.new, links, a.merged) if links else a
            )
        return result

    def _merge(self, drop: int, into: int) -> None:
        a, b = self.stories[into], self.stories.pop(drop)
        for p in b.members:
            self.story_of[p] = into
        a.csum += b.csum
        a.cnorm = float(np.linalg.norm(a.csum)) or 1.0
        a.add_terms(b.tids, b.tsum, b.hids, b.hsum)
        a.n += b.n
        a.ents = max(a.ents, b.ents)
        a.members = sorted(a.members + b.members)
        for t in (b.t_min, b.t_max):
            if t is not None:
                a.t_min = t if a.t_min is None else min(a.t_min, t)
                a.t_max = t if a.t_max is None else max(a.t_max, t)

    def _append(self, it: Item, v: np.ndarray, sid: int, f: _Features) -> None:
        """Record an article as a member of ``sid`` (its features go into the story's sums)."""
        pos = len(self.keys)
        self.keys.append(it.key)
        self.pos_of[it.key] = pos
        self.story_of.append(sid)
        st = self.stories[sid]
        st.add_terms(f.ids, f.w, f.tids, f.wt)
        st.csum += v
        st.cnorm = float(np.linalg.norm(st.csum)) or 1.0
        st.n += 1
        st.ents = max(st.ents, f.ents)
        st.members.append(pos)
        if it.t is not None:
            st.t_min = it.t if st.t_min is None else min(st.t_min, it.t)
            st.t_max = it.t if st.t_max is None else max(st.t_max, it.t)

    def _maybe_hnsw(self) -> None:
        import faiss

        if self.index.ntotal < HNSW_FROM or isinstance(self.index, faiss.IndexHNSWFlat):
            return
        vectors = self.index.reconstruct_n(0, self.index.ntotal)
        self.index = new_hnsw(self.dim)
        self.index.add(vectors)
        log.info("story index switched to HNSW at %d vectors", len(vectors))

    def restore(self, items: Sequence[Item], story_ids: Sequence[int]) -> None:
        """Re-add already clustered items with their known stories (rebuilding state from the DB)."""
        feats = self._featurize([it.bag for it in items])
        for it, sid, f in zip(items, story_ids, feats, strict=True):
            if sid not in self.stories:
                self.stories[sid] = _Story(csum=np.zeros(self.dim, dtype=np.float64))
            self._append(it, it.vec, sid, f)
            self.next_story = max(self.next_story, sid + 1)
        if items:
            self.index.add(
                np.ascontiguousarray(np.stack([it.vec for it in items]).astype(np.float32))
            )
            self._maybe_hnsw()

    def vector(self, pos: int) -> np.ndarray:
        return np.asarray(self.index.reconstruct(int(pos)), dtype=np.float32)

    def central(self, sid: int) -> list[int]:
        """Member positions of story ``sid``, most central (closest to the centroid) first."""
        members = self.stories[sid].members
        if len(members) == 1:
            return list(members)
        c = self.centroid(sid)
        sims = [float(self.vector(p) @ c) for p in members]
        order = sorted(range(len(members)), key=lambda i: (-round(sims[i], 5), members[i]))
        return [members[i] for i in order]

    def centroid(self, sid: int) -> np.ndarray:
        c = self.stories[sid].csum
        return c / (float(np.linalg.norm(c)) or 1.0)


def average_link(margins: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Greedy average-link clustering of a batch's articles, beside fixed earlier stories.

    ``margins`` is (m, m + s): row i is article i's score minus its join threshold against
    every article of the batch (columns < m, symmetric) and every candidate story (columns
    >= m, of ``sizes[m + j]`` members each). The closest pair of groups (or a group and a story)
    is joined while its margin, averaged over all member pairs (UPGMA, Lance-Williams update),
    is >= 0; stories are never joined to each other here (see the merge step). Returns each
    article's group (the lowest article index in it) and, per group, the story column it
    joined (-1: a new story). ``margins`` is overwritten.
    Hand-written: scipy's linkage has no fixed clusters and no rectangular form, and sklearn's
    needs the whole square matrix of stories too.
    """
    m = margins.shape[0]
    group = np.arange(m)
    joined = np.full(m, -1)
    if m == 0:
        return group, joined
    M = margins
    size = sizes.astype(np.float64, copy=True)
    best = M.max(axis=1)
    arg = M.argmax(axis=1)
    while True:
        r = int(np.argmax(best))
        if not best[r] >= 0:
            break
        c = int(arg[r])
        if c < m:  # two groups of new articles: b goes into a
            a, b = min(r, c), max(r, c)
            row = (size[a] * M[a] + size[b] * M[b]) / (size[a] + size[b])
            M[a] = row
            M[:, a] = row[:m]
            M[b] = -np.inf
            M[:, b] = -np.inf
            M[a, a] = -np.inf
            size[a] += size[b]
            group[group == b] = a
            changed, gone = a, b
        else:  # a group joins a story
            M[:, c] = (size[r] * M[:, r] + size[c] * M[:, c]) / (size[r] + size[c])
            M[r] = -np.inf
            M[:, r] = -np.inf
            size[c] += size[r]
            joined[r] = c
            changed, gone = c, r
        best[gone] = -np.inf
        stale = (arg == changed) | (arg == gone)
        stale[gone] = False
        if c < m:
            stale[changed] = True
        for x in np.flatnonzero(stale):
            arg[x] = int(np.argmax(M[x]))
            best[x] = M[x, arg[x]]
        up = M[:, changed] > best
        best[up] = M[up, changed]
        arg[up] = changed
    return group, joined


def join_threshold(words: int) -> float:
    """The default score an article of ``words`` words needs to join a story."""
    if words >= LONG_WORDS:
        return JOIN
    if words <= SHORT_WORDS:
        return JOIN_SHORT
    return JOIN_SHORT + (JOIN - JOIN_SHORT) * (words - SHORT_WORDS) / (LONG_WORDS - SHORT_WORDS)


def new_hnsw(dim: int) -> Any:
    import faiss

    index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efSearch = HNSW_EF_SEARCH
    return index


def items_from_records(records: Sequence[dict[str, Any]], encoder: Encoder) -> list[Item]:
    """Turn raw records ``{"id", "text", "title"?, "published"?, "duplicate_of"?}`` into items."""
    texts = [embed_text(r.get("title"), r.get("text") or "") for r in records]
    V = encoder.encode(texts) if records else np.zeros((0, encoder.dim), np.float32)
    out = []
    for r, v in zip(records, V, strict=True):
        pub = r.get("published")
        if isinstance(pub, str) and pub:
            try:
                pub = datetime.fromisoformat(pub)
            except ValueError:
                pub = None
        t = days(anchor_date(_dated_text(r), pub if isinstance(pub, (date, datetime)) else None))
        title, body = r.get("title") or "", r.get("text") or ""
        words = len(title.split()) + len(body[: LONG_WORDS * 12].split())
        out.append(Item(str(r["id"]), v, bag(title, body), t, r.get("duplicate_of"), words))
    return out


def cluster_records(
    records: Iterable[dict[str, Any]],
    encoder: Encoder | None = None,
    batch_size: int = BATCH,
    join: float | None = None,
) -> Iterator[tuple[dict[str, Any], Assignment]]:
    """Cluster a stream of raw records online, in batches; yield each record with its story."""
    from newsdesk.embed import get_encoder

    enc = encoder or get_encoder()
    clusterer = Clusterer(enc.dim, join=join)
    buf: list[dict[str, Any]] = []

    def flush() -> Iterator[tuple[dict[str, Any], Assignment]]:
        items = items_from_records(buf, enc)
        yield from zip(buf, clusterer.add(items), strict=True)
        buf.clear()

    for r in records:
        buf.append(r)
        if len(buf) >= batch_size:
            yield from flush()
    if buf:
        yield from flush()


# -- tables ------------------------------------------------------------------------------

stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # creation order, from 1
    Column("title", Text),  # the most central member's headline
    Column("articles", Integer, nullable=False, default=0),
    Column("outlets", Integer, nullable=False, default=0),
    Column("first_published", String(32)),
    Column("last_published", String(32)),
    Column("thread_id", Integer, nullable=False),  # = id of the thread's first story
    Index("ix_stories_thread", "thread_id"),
    Index("ix_stories_last", "last_published"),
)
story_articles = Table(
    "story_articles",
    metadata,
    Column("article_id", String(40), ForeignKey("articles.id"), primary_key=True),
    Column("story_id", Integer, nullable=False),
    Column("position", Integer, nullable=False, unique=True),  # clustering order = faiss row
    Column("score", Float, nullable=False),
    Index("ix_story_articles_story", "story_id"),
)
story_links = Table(  # thread evidence: two stories close in content, not one event
    "story_links",
    metadata,
    Column("story_a", Integer, primary_key=True),
    Column("story_b", Integer, primary_key=True),
    Column("score", Float, nullable=False),
)


def _stories_v1(conn: Any) -> None:
    for t in (stories, story_articles, story_links):
        t.create(conn, checkfirst=True)


component("stories", [_stories_v1])

story_views = Table(  # computed story pages (get_story), keyed by what they were computed from
    "story_views",
    metadata,
    Column("story_id", Integer, primary_key=True, autoincrement=False),
    Column("version", Text, nullable=False),  # see _view_version
    Column("payload", Text, nullable=False),  # JSON of the StoryView
)


def _story_views_v1(conn: Any) -> None:
    story_views.create(conn, checkfirst=True)


component("story_views", [_story_views_v1])


# -- the stage ------------------------------------------------------------------------------
def index_path(store: Any, settings: Any = None) -> str | None:
    """Where the faiss index of a store lives: beside a SQLite file, else a settings path."""
    import os

    explicit = getattr(settings, "stories_index", None) or os.environ.get("NEWSDESK_STORIES_INDEX")
    if explicit:
        return str(explicit)
    url = store.engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return f"{url.database}.stories.faiss"
    return None


@dataclass(slots=True)
class _Engine:
    clusterer: Clusterer
    saved: int = 0  # vectors in the index file


_ENGINES: dict[str, _Engine] = {}


def _record(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "title": row["title"],
        "text": row["text"],
        "published": row["published"],
        "duplicate_of": row["duplicate_of"],
        "captions": json.loads(row["captions"] or "[]"),
    }


def _dated_text(r: dict[str, Any]) -> str:
    """Text searched for the article's event date: the body, then its captions, which often
    carry the date of the pictured event ("... in Istanbul, Turkiye on July 23, 2025")."""
    captions = r.get("captions") or ()
    return "\n".join([r.get("text") or "", *[c for c in captions if isinstance(c, str)]])


def _load_index(path: str | None, encoder: Encoder) -> tuple[Any, dict[str, Any]] | None:

    import faiss

    if not path or not Path(path).exists() or not Path(path + ".json").exists():
        return None
    try:
        with open(path + ".json", encoding="utf-8") as fh:
            meta = json.load(fh)
        if meta.get("encoder") != encoder.name or meta.get("dim") != encoder.dim:
            return None
        return faiss.read_index(path), meta
    except (OSError, ValueError, RuntimeError):
        log.warning("story index %s unreadable; rebuilding from the database", path)
        return None


def _save_index(path: str | None, eng: _Engine, encoder: Encoder) -> None:

    import faiss

    cl = eng.clusterer
    if not path or not cl.keys:
        return
    tmp = path + ".tmp"
    faiss.write_index(cl.index, tmp)
    Path(tmp).replace(path)
    meta = {"n": len(cl.keys), "last_key": cl.keys[-1], "encoder": encoder.name, "dim": encoder.dim}
    with open(path + ".json.tmp", "w", encoding="utf-8") as fh:
        json.dump(meta, fh)
    Path(path + ".json.tmp").replace(path + ".json")
    eng.saved = len(cl.keys)


def _rebuild_engine(
    conn: Any, path: str | None, encoder: Encoder, join: float | None = None
) -> _Engine:
    """The clusterer state for what the database holds: index file where fresh, else re-encoded."""
    cl = Clusterer(encoder.dim, join=join)
    loaded = _load_index(path, encoder)
    q = (
        select(story_articles.c.story_id, story_articles.c.position, articles)
        .join(articles, articles.c.id == story_articles.c.article_id)
        .order_by(story_articles.c.position)
    )
    rows = conn.execute(q).mappings().all()
    vectors = None
    if loaded is not None:
        index, meta = loaded
        n = int(meta.get("n", 0))
        if 0 < n <= len(rows) and rows[n - 1]["id"] == meta.get("last_key"):
            vectors = index.reconstruct_n(0, n)
    reused = 0 if vectors is None else len(vectors)
    for i in range(0, len(rows), 2048):
        chunk = rows[i : i + 2048]
        items = (
            items_from_records([_record(r) for r in chunk], encoder)
            if i + len(chunk) > reused
            else None
        )
        if items is None:  # every vector of this chunk is in the file: skip the encoder
            items = [
                Item(
                    r["id"],
                    vectors[i + j],
                    bag(r["title"], r["text"]),
                    days(anchor_date(_dated_text(_record(r)), _parse_dt(r["published"]))),
                    r["duplicate_of"],
                )
                for j, r in enumerate(chunk)
            ]
        elif reused > i:
            for j in range(min(len(chunk), reused - i)):
                items[j].vec = vectors[i + j]
        cl.restore(items, [int(r["story_id"]) for r in chunk])
    eng = _Engine(cl, saved=reused)
    log.info(
        "story clusterer rebuilt: %d articles (%d vectors from the index file)", len(rows), reused
    )
    return eng


def _parse_dt(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _engine(
    store: Any, conn: Any, settings: Any, encoder: Encoder, join: float | None = None
) -> _Engine:
    key = str(store.engine.url)
    n_db = int(conn.scalar(select(func.count()).select_from(story_articles)) or 0)
    last = conn.scalar(
        select(story_articles.c.article_id).order_by(story_articles.c.position.desc()).limit(1)
    )
    eng = _ENGINES.get(key)
    path = index_path(store, settings)
    if eng is None or len(eng.clusterer.keys) != n_db or (n_db and eng.clusterer.keys[-1] != last):
        eng = _rebuild_engine(conn, path, encoder, join)
        _ENGINES[key] = eng
    # What the engine holds is committed now: persist the index when it has grown enough.
    grown = len(eng.clusterer.keys) - eng.saved
    if grown and grown >= max(1, eng.saved // 10):
        _save_index(path, eng, encoder)
    return eng


@stage
class Cluster:
    """Group articles about the same event, from any outlet, into stories (online)."""

    name = "cluster"
    requires = frozenset({"text", "sentences"})
    provides = frozenset({"stories"})

    def __init__(
        self,
        encoder_name: str | None = None,
        batch_size: int = BATCH,
        settings: Any = None,
        threshold: float | None = None,
    ) -> None:
        self.encoder_name = encoder_name
        self.batch_size = batch_size
        self.settings = settings
        self.threshold = threshold  # None: JOIN

    @classmethod
    def from_settings(cls, settings: Any) -> Cluster:
        return cls(
            getattr(settings, "encoder", None) or None,
            batch_size=max(1, getattr(settings, "story_batch", None) or BATCH),
            settings=settings,
            threshold=getattr(settings, "story_threshold", None) or None,
        )

    def encoder(self) -> Encoder:
        from newsdesk.embed import get_encoder

        return get_encoder(self.encoder_name)

    def after_run(self, store: Any) -> None:
        """Once the pipeline's batches are in: store the views of the stories that changed.

        Story pages then open from the stored view (p95 ~36 ms at 100k articles) instead of
        computing it on the first request (p95 ~280 ms); see benchmarks/web.py.
        """
        if getattr(self.settings, "story_views", True):
            from newsdesk.stories import build_story_views, stories_without_views

            build_story_views(store, stories_without_views(store))

    def process(self, store: Any, conn: Any, batch: Sequence[Any]) -> None:
        enc = self.encoder()
        eng = _engine(store, conn, self.settings, enc, self.threshold)
        cl = eng.clusterer
        todo = [a for a in batch if a.id not in cl.pos_of]
        if not todo:
            return
        records = [
            {
                "id": a.id,
                "title": a.title,
                "text": a.text,
                "published": a.published,
                "duplicate_of": a.duplicate_of,
                "captions": list(a.captions),
            }
            for a in todo
        ]
        n0 = len(cl.keys)
        assigned = cl.add(items_from_records(records, enc))
        conn.execute(
            story_articles.insert(),
            [
                {"article_id": a.key, "story_id": a.story, "position": n0 + i, "score": a.score}
                for i, a in enumerate(assigned)
            ],
        )
        new = {a.story for a in assigned if a.new}
        if new:
            conn.execute(
                stories.insert(),
                [{"id": s, "articles": 0, "outlets": 0, "thread_id": s} for s in sorted(new)],
            )
        from newsdesk.stages.threads import add_links, merge_stories

        final: dict[int, int] = {}  # merged-away story -> the story it went into
        for a in assigned:
            for drop in a.merged:
                merge_stories(conn, drop, a.story)
                final[drop] = a.story

        def resolve(sid: int) -> int:
            while sid in final:
                sid = final[sid]
            return sid

        touched = sorted({resolve(a.story) for a in assigned})
        refresh_stories(conn, cl, touched)
        add_links(
            conn, [(resolve(a.story), resolve(o), sim) for a in assigned for o, sim in a.links]
        )
        from newsdesk.stories import forget_story_views

        forget_story_views(conn, [*touched, *final])

    def filter(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """``newsdesk cluster -``: each record with its story (ids in creation order from 1)."""
        from newsdesk.stages.threads import Threads

        threads = Threads()
        stream = cluster_records(records, self.encoder(), self.batch_size, self.threshold)
        for rec, a in stream:
            for other in a.merged:
                threads.union(a.story, other)
            for other, _sim in a.links:
                threads.union(a.story, other)
            out = {
                "id": rec.get("id"),
                "story": a.story,
                "score": a.score,
                "new_story": a.new,
                "thread": threads.find(a.story),
            }
            if a.merged:  # earlier lines' stories that are now part of this one
                out["merged"] = list(a.merged)
            yield out


def refresh_stories(conn: Any, cl: Clusterer, sids: Sequence[int]) -> None:
    """Recompute the stored summary row (title, counts, dates) of the stories ``sids``."""
    for i in range(0, len(sids), 200):
        chunk = list(sids[i : i + 200])
        rows = conn.execute(
            select(
                story_articles.c.story_id,
                articles.c.id,
                articles.c.title,
                articles.c.outlet,
                articles.c.published,
            )
            .join(articles, articles.c.id == story_articles.c.article_id)
            .where(story_articles.c.story_id.in_(chunk))
        ).all()
        by_story: dict[int, list[Any]] = {}
        for r in rows:
            by_story.setdefault(int(r[0]), []).append(r)
        for sid, members in by_story.items():
            info = {r[1]: r for r in members}
            title = next(
                (
                    info[cl.keys[p]][2]
                    for p in cl.central(sid)
                    if cl.keys[p] in info and info[cl.keys[p]][2]
                ),
                None,
            )
            dates = sorted(r[4] for r in members if r[4])
            conn.execute(
                update(stories)
                .where(stories.c.id == sid)
                .values(
                    title=title,
                    articles=len(members),
                    outlets=len({r[3] for r in members if r[3]}),
                    first_published=dates[0] if dates else None,
                    last_published=dates[-1] if dates else None,
                )
            )


def recluster(store: Any, settings: Any = None) -> dict[str, int]:
    """Full rebuild: forget every story and cluster all articles again, in arrival order."""

    from newsdesk.store.schema import article_stages

    path = index_path(store, settings)
    with store.begin() as conn:
        conn.execute(delete(story_links))
        conn.execute(delete(story_views))
        conn.execute(delete(story_articles))
        conn.execute(delete(stories))
        conn.execute(delete(article_stages).where(article_stages.c.stage == Cluster.name))
    _ENGINES.pop(str(store.engine.url), None)
    from newsdesk.stages import threads

    threads._NAMES.clear()  # story ids are reused by the new clustering
    for p in (path, f"{path}.json") if path else ():
        Path(p).unlink(missing_ok=True)
    from newsdesk import pipeline
    from newsdesk.settings import Settings

    report = pipeline.run(store, settings or Settings.load(), only=[Cluster.name])
    eng = _ENGINES.get(str(store.engine.url))
    if eng is not None:
        _save_index(path, eng, Cluster.from_settings(settings).encoder())
    with store.connect() as conn:
        n = int(conn.scalar(select(func.count()).select_from(stories)) or 0)
    return {"articles": report.processed.get(Cluster.name, 0), "stories": n}
