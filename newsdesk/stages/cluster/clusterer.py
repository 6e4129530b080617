"""Story clustering: articles about the same real-world event, from any outlet, become a story.

The clusterer is online and deterministic: articles arrive in batches (BATCH, 4096 by default);
each batch is grouped by average link, and each group joins an earlier story or opens a new
one, without re-clustering earlier articles (after Miranda et al. 2018 and Staykovski et al.
2019 for the features, average-link agglomerative clustering for the grouping). Per batch
(the features in :mod:`.features` and :mod:`.terms`, the scores in :mod:`.scoring`):

1. features: the article's language group (detected at ingest; :func:`language_group`); a
   fast sentence-embedding vector of title + lead (setting ``encoder``) and, once the stream
   holds more than one language, a multilingual one (setting ``story_encoder``), each with its
   language's running mean subtracted (started from the encoder's mean news embedding); a
   sparse bag of content words, proper-noun phrases ("e:hakan fidan"), numbers ("n:23") and
   cross-language name keys ("x:zlnsk"), weighted TF-IDF with document frequencies counted
   online, a batch at a time (so the order of articles within a batch does not matter); a
   headline TF-IDF vector; a time coordinate (publication date, else the latest date stated in
   the text, see :mod:`newsdesk.nlp.dates`);
2. candidates: the stories of each article's K nearest earlier articles by the fast embedding
   (faiss: exact ``IndexFlatIP`` up to ``HNSW_FROM`` vectors, HNSW beyond) and by the
   multilingual one;
3. scores, article to article and article to candidate story (:mod:`.scoring`): against the
   members in the article's language, the mean cosine (average link, from a story's running sums)
   of the fast embeddings, body and headline TF-IDF vectors, minus a veto when both name
   places/people/organisations and share none ("shares rose" at two companies, the same kind of
   event in two places); against members in other languages, the multilingual cosine and the
   name-key/number cosine, minus a name-key veto; mixed by the members' shares, minus a penalty
   growing with the time gap, plus a bonus when both are dated within CLOSE_DAYS; each minus the
   article's join threshold (JOIN; lower for short texts, higher when crowded) gives a margin;
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

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from newsdesk.stages.cluster.languages import CENTRE_PRIOR, MIXED_SHARE, UNKNOWN
from newsdesk.stages.cluster.linkage import average_link
from newsdesk.stages.cluster.scoring import (
    DEFAULT,
    JOIN,
    JOIN_SHORT,
    LONG_WORDS,
    SHORT_WORDS,
    Params,
    Side,
    density_shift,
    join_threshold,
    scores,
)  # fmt: skip
from newsdesk.stages.cluster.terms import Features, Terms, add_sparse

__all__ = [
    "BATCH", "JOIN", "JOIN_SHORT", "LONG_WORDS", "SHORT_WORDS",
    "Assignment", "Clusterer", "Item", "join_threshold",
]  # fmt: skip

log = logging.getLogger(__name__)

# -- parameters (the score's own are in .scoring) -------------------------------------------
MAX_STORIES = 6  # candidate stories scored per article (those of the closest neighbours)
MERGE_MARGIN = 0.20  # a group scoring JOIN + this with two stories merges them
K = 24  # nearest earlier articles looked at per new article
# Articles clustered together by average link (the rest of the stream joins by story sums);
# settings.story_batch overrides it. Bigger batches cluster better (benchmarks/stories.py prints
# a 256-article row too) and cost O(BATCH^2) memory for the pair scores (peak RSS ~0.55 GB at
# 10k articles, see the benchmark's scale table).
BATCH = 4096
HNSW_FROM = 100_000  # exact search up to here; HNSW (M=32) beyond
HNSW_M = 32
HNSW_EF_SEARCH = 64
# Threads: a candidate story that is close in content but was not joined (another episode).
THREAD_DENSE = 0.65
THREAD_SHARED_ENTITIES = 3
_FORCE = 100.0  # the margin that puts a near-duplicate with its original


@dataclass(slots=True)
class Item:
    """One article ready to be clustered."""

    key: str
    vec: np.ndarray
    bag: Counter[str]
    t: float | None = None  # days since 1970-01-01
    duplicate_of: str | None = None
    words: int = LONG_WORDS  # length of title + text, for the default threshold
    lang: str = UNKNOWN  # language group (see language_group)
    mvec: np.ndarray | None = None  # multilingual embedding, when the stream is mixed
    centred: bool = False  # vec already has its language's mean removed (from the index file)


@dataclass(frozen=True, slots=True)
class Assignment:
    key: str
    story: int
    score: float
    new: bool
    links: tuple[tuple[int, float], ...] = ()  # (other story, similarity): thread evidence
    merged: tuple[int, ...] = ()  # earlier stories merged into ``story`` by this article


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
    xids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # cross-language
    xsum: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float64))
    xents: int = 0
    by_lang: dict[str, list[Any]] = field(default_factory=dict)  # lang -> [csum, n, msum, nm]

    def add_terms(
        self,
        ids: np.ndarray,
        tfs: np.ndarray,
        hids: np.ndarray,
        hw: np.ndarray,
        xids: np.ndarray,
        wx: np.ndarray,
    ) -> None:
        self.tids, self.tsum = add_sparse(self.tids, self.tsum, ids, tfs)
        if len(hids):
            self.hids, self.hsum = add_sparse(self.hids, self.hsum, hids, hw)
        if len(xids):
            self.xids, self.xsum = add_sparse(self.xids, self.xsum, xids, wx)

    def add_vectors(
        self, lang: str, v: np.ndarray, mv: np.ndarray | None, mdim: int, n: int = 1, nm: int = 1
    ) -> None:
        entry = self.by_lang.setdefault(
            lang, [np.zeros(len(v), np.float64), 0, np.zeros(mdim, np.float64), 0]
        )
        entry[0] += v
        entry[1] += n
        if mv is not None:
            entry[2] += mv
            entry[3] += nm


class Clusterer:
    """Online story clustering over a growing faiss index (see the module docstring)."""

    def __init__(
        self,
        dim: int,
        join: float | None = None,
        merge: float | None = None,
        mdim: int = 0,
        params: Params = DEFAULT,
        priors: dict[str, np.ndarray | None] | None = None,
    ) -> None:
        import faiss

        self.dim = dim
        self.mdim = mdim  # 0: no multilingual encoder (no cross-language scores)
        self.params = params
        self.index: Any = faiss.IndexFlatIP(dim)
        self.mindex: Any = faiss.IndexFlatIP(mdim) if mdim else None
        self.mpos: list[int] = []  # mindex row -> article position
        self.langs: list[str] = []  # article position -> language group
        # per language and space: [sum of raw vectors, count] for mean-centring
        self.means: dict[tuple[str, str], list[Any]] = {}
        # per space ("fast", "multi"): the encoder's mean news embedding, where the running
        # means start (nlp.embed.encoder_mean); zeros without one
        self.priors = {k: v for k, v in (priors or {}).items() if v is not None}
        self.keys: list[str] = []
        self.pos_of: dict[str, int] = {}
        self.story_of: list[int] = []
        self.terms = Terms()
        self.stories: dict[int, _Story] = {}
        self.next_story = 1
        self.is_mixed = False  # two languages seen (see many_languages)
        self.join = join  # None: by length (join_threshold)
        self.merge = merge  # None: the join threshold + MERGE_MARGIN

    # language: which articles need a multilingual vector, and mean-centring ------------------
    def settle_languages(self, items: Sequence[Item]) -> None:
        """Articles with no detected language count as the stream's most common language."""
        if not any(it.lang == UNKNOWN for it in items):
            return
        counts = self._counts(it for it in items if it.lang != UNKNOWN)
        main = min(counts, key=lambda k: (-counts[k], k != "en", k)) if counts else "en"
        for it in items:
            if it.lang == UNKNOWN:
                it.lang = main

    def mixed(self, items: Sequence[Item]) -> bool:
        """Does this batch need multilingual vectors (more than one language so far)?"""
        if not self.mdim:
            return False
        self.settle_languages(items)
        return self.many_languages(items)

    def many_languages(self, items: Sequence[Item]) -> bool:
        """Has the stream, with ``items``, held two languages of MIXED_SHARE or more each?
        Once true, it stays true: stored articles have multilingual vectors from then on."""
        if self.is_mixed:
            return True
        counts = self._counts(it for it in items if not it.centred)  # not yet in the means
        total = sum(counts.values())
        self.is_mixed = sum(1 for n in counts.values() if n and n >= MIXED_SHARE * total) > 1
        return self.is_mixed

    def _counts(self, more: Iterable[Item]) -> Counter[str]:
        """Articles per language: those in the running means, and ``more``."""
        out = Counter(
            {lang: acc[1] for (lang, space), acc in self.means.items() if space == "fast"}
        )
        out.update(it.lang for it in more)
        return out

    def _centre(self, space: str, vecs: np.ndarray, langs: Sequence[str]) -> np.ndarray:
        """Subtract each language's running mean (this batch counted first), renormalise.

        The mean starts from the encoder's shipped mean news embedding (weight CENTRE_PRIOR
        articles), so the first articles of a language are not centred on themselves.
        """
        for lang in sorted(set(langs)):
            mine = [i for i, x in enumerate(langs) if x == lang]
            acc = self.means.setdefault((lang, space), [np.zeros(vecs.shape[1]), 0])
            acc[0] = acc[0] + vecs[mine].sum(axis=0)
            acc[1] += len(mine)
        out = vecs.astype(np.float32, copy=True)
        for lang in sorted(set(langs)):
            idx = np.array([i for i, x in enumerate(langs) if x == lang])
            total, count = self.means[(lang, space)]
            prior = self.priors.get(space)
            if prior is not None:
                total = total + CENTRE_PRIOR * prior
            mean = (total / (count + CENTRE_PRIOR)).astype(np.float32)
            out[idx] -= mean
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def _vectors(self, items: Sequence[Item]) -> tuple[np.ndarray, np.ndarray | None]:
        """The batch's fast and multilingual vectors, centred per language (zeros: none)."""
        langs = [it.lang for it in items]
        V = np.ascontiguousarray(np.stack([it.vec for it in items]).astype(np.float32))
        fresh = [i for i, it in enumerate(items) if not it.centred]
        if fresh:  # the running means (and language counts) grow even when not centring
            many = self.many_languages(items)
            centred = self._centre("fast", V[fresh], [langs[i] for i in fresh])
            # Fast vectors are centred once the stream holds two languages (their own means
            # apart, languages meet): --cv gave mmds2025 +0.02 F1 with it, googlenews-ts -0.004
            # and allsides +0.001 (English alone). A store that turns mixed later centres from
            # then on; `newsdesk recluster` makes it uniform.
            if self.params.centre_fast or many:
                V[fresh] = centred
        M = None
        if self.mdim and any(it.mvec is not None for it in items):
            M = np.zeros((len(items), self.mdim), np.float32)
            have = [i for i, it in enumerate(items) if it.mvec is not None]
            M[have] = np.stack([items[i].mvec for i in have])  # type: ignore[misc]
            # multilingual vectors live in memory only: they always arrive raw
            M[have] = self._centre("multi", M[have], [langs[i] for i in have])
        return V, M

    def _side(
        self,
        feats: Sequence[Features],
        V: np.ndarray,
        M: np.ndarray | None,
        langs: Sequence[str],
        t: np.ndarray,
    ) -> Side:
        """The batch's own articles as score columns (one member each)."""
        X, H, E, XX, XE = self.terms.matrices(
            [(f.ids, f.w, f.tids, f.wt, f.xids, f.wx) for f in feats]
        )
        la = np.asarray(langs)
        C, N, MM, NM = {}, {}, {}, {}
        has_m = np.zeros(len(langs), bool) if M is None else np.linalg.norm(M, axis=1) > 0
        for lang in sorted(set(langs)):
            mask = la == lang
            C[lang] = V * mask[:, None]
            N[lang] = mask.astype(np.float64)
            if M is not None:
                MM[lang] = M * (mask & has_m)[:, None]
                NM[lang] = (mask & has_m).astype(np.float64)
        return Side(
            C, N, MM, NM, X, H, E, XX, XE,
            np.array([f.ents for f in feats], np.int32),
            np.array([f.xents for f in feats], np.int32),
            np.ones(len(langs)), t, t,
        )  # fmt: skip

    # one batch -----------------------------------------------------------------------------
    def add(self, items: Sequence[Item]) -> list[Assignment]:
        """Cluster a batch: average link over its articles and the earlier stories near them."""
        if not items:
            return []
        m = len(items)
        p = self.params
        self.settle_languages(items)
        langs = [it.lang for it in items]
        la = np.asarray(langs)
        V, M = self._vectors(items)
        feats = self.terms.featurize([it.bag for it in items])
        t = np.array([np.nan if it.t is None else it.t for it in items], np.float32)
        side = self._side(feats, V, M, langs, t)
        E = side.E
        words = np.array([it.words for it in items])
        thr = np.array([join_threshold(n, p) for n in words]) if self.join is None else None

        # 2. candidates: the stories of each article's K nearest earlier articles
        cands = self._candidates(V, M, items)
        col = {sid: j for j, sid in enumerate(cands)}

        # 3. scores: article-article and article-story, as margins over the join threshold
        pair = scores(side, la, V, M, t, side, p)
        np.fill_diagonal(pair, -np.inf)
        margins = np.full((m, m + len(cands)), -np.inf, np.float32)
        block = margins[:, :m]
        block[...] = pair
        thr = np.full(m, self.join) if thr is None else thr + density_shift(pair, la, words, p)
        block -= (thr / 2).astype(np.float32)[:, None]
        block -= (thr / 2).astype(np.float32)[None, :]
        to_story = np.zeros((m, 0), np.float32)
        if cands:
            to_story = scores(side, la, V, M, t, self._story_columns(cands), p)
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
            self._append(it, V[i], None if M is None else M[i], sid, feats[i])
            out.append(
                Assignment(it.key, sid, round(score, 4), new, merged=tuple(merged_by.pop(g, ())))
            )
        self._index(V, M, len(self.keys) - m)
        return self._with_links(out, V, E, [final(s) for s in cands])

    def _index(self, V: np.ndarray, M: np.ndarray | None, first: int) -> None:
        """Add the batch's vectors (positions from ``first``) to the nearest-neighbour indexes."""
        self.index.add(V)
        if M is not None and self.mindex is not None:
            have = np.flatnonzero(np.linalg.norm(M, axis=1) > 0)
            if len(have):
                self.mindex.add(np.ascontiguousarray(M[have]))
                self.mpos.extend(int(first + i) for i in have)
        self._maybe_hnsw()

    def _near(self, index: Any, Q: np.ndarray, pos: Sequence[int] | None) -> list[list[int]]:
        """Per query row, the stories of its K nearest indexed articles (MAX_STORIES each)."""
        n0 = index.ntotal
        out: list[list[int]] = [[] for _ in range(len(Q))]
        if not n0:
            return out
        D, Ix = index.search(np.ascontiguousarray(Q), min(K, n0))
        for i in range(len(Q)):
            seen = out[i]
            order = np.lexsort((Ix[i], -np.round(D[i], 5)))
            for p in Ix[i][order]:
                if p < 0:
                    continue
                sid = self.story_of[int(p) if pos is None else pos[int(p)]]
                if sid not in seen:
                    seen.append(sid)
                    if len(seen) == MAX_STORIES:
                        break
        return out

    def _candidates(self, V: np.ndarray, M: np.ndarray | None, items: Sequence[Item]) -> list[int]:
        """Stories of the K nearest earlier articles (MAX_STORIES per article) by the fast
        vectors and, for articles with one, by the multilingual vectors; and of originals."""
        found: set[int] = set()
        for seen in self._near(self.index, V, None):
            found.update(seen)
        if M is not None and self.mindex is not None:
            have = np.flatnonzero(np.linalg.norm(M, axis=1) > 0)
            if len(have):
                for seen in self._near(self.mindex, M[have], self.mpos):
                    found.update(seen)
        for it in items:
            orig = self.pos_of.get(it.duplicate_of) if it.duplicate_of else None
            if orig is not None:
                found.add(self.story_of[orig])
        return sorted(found)

    def _story_columns(self, sids: Sequence[int]) -> Side:
        sts = [self.stories[s] for s in sids]
        SX, SH, SE, SXX, SXE = self.terms.matrices(
            [(st.tids, st.tsum, st.hids, st.hsum, st.xids, st.xsum) for st in sts]
        )
        C, N, MM, NM = {}, {}, {}, {}
        for lang in sorted({lang for st in sts for lang in st.by_lang}):
            C[lang] = np.zeros((len(sts), self.dim), np.float32)
            N[lang] = np.zeros(len(sts), np.float64)
            if self.mdim:
                MM[lang] = np.zeros((len(sts), self.mdim), np.float32)
                NM[lang] = np.zeros(len(sts), np.float64)
            for j, st in enumerate(sts):
                entry = st.by_lang.get(lang)
                if entry is None:
                    continue
                C[lang][j], N[lang][j] = entry[0], entry[1]
                if self.mdim:
                    MM[lang][j], NM[lang][j] = entry[2], entry[3]
        return Side(
            C, N, MM, NM, SX, SH, SE, SXX, SXE,
            np.array([st.ents for st in sts]),
            np.array([st.xents for st in sts]),
            np.array([st.n for st in sts], np.float64),
            np.array([np.nan if st.t_min is None else st.t_min for st in sts], np.float32),
            np.array([np.nan if st.t_max is None else st.t_max for st in sts], np.float32),
        )  # fmt: skip

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
        shared = (E @ self.terms.entities([st.tids for st in sts]).T).toarray()
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
        a.add_terms(b.tids, b.tsum, b.hids, b.hsum, b.xids, b.xsum)
        for lang, (cs, n, ms, nm) in b.by_lang.items():
            a.add_vectors(lang, cs, ms, self.mdim, n, nm)
        a.n += b.n
        a.ents = max(a.ents, b.ents)
        a.xents = max(a.xents, b.xents)
        a.members = sorted(a.members + b.members)
        for t in (b.t_min, b.t_max):
            if t is not None:
                a.t_min = t if a.t_min is None else min(a.t_min, t)
                a.t_max = t if a.t_max is None else max(a.t_max, t)

    def _append(
        self, it: Item, v: np.ndarray, mv: np.ndarray | None, sid: int, f: Features
    ) -> None:
        """Record an article as a member of ``sid`` (its features go into the story's sums)."""
        pos = len(self.keys)
        self.keys.append(it.key)
        self.pos_of[it.key] = pos
        self.story_of.append(sid)
        self.langs.append(it.lang)
        st = self.stories[sid]
        st.add_terms(f.ids, f.w, f.tids, f.wt, f.xids, f.wx)
        has_m = mv is not None and bool(np.any(mv))
        st.add_vectors(it.lang, v, mv if has_m else None, self.mdim)
        st.csum += v
        st.cnorm = float(np.linalg.norm(st.csum)) or 1.0
        st.n += 1
        st.ents = max(st.ents, f.ents)
        st.xents = max(st.xents, f.xents)
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
        if not items:
            return
        V, M = self._vectors(items)
        feats = self.terms.featurize([it.bag for it in items])
        first = len(self.keys)
        for i, (it, sid, f) in enumerate(zip(items, story_ids, feats, strict=True)):
            if sid not in self.stories:
                self.stories[sid] = _Story(csum=np.zeros(self.dim, dtype=np.float64))
            self._append(it, V[i], None if M is None else M[i], sid, f)
            self.next_story = max(self.next_story, sid + 1)
        self._index(V, M, first)

    def central(self, sid: int) -> list[int]:
        """Member positions of story ``sid``, most central (closest to the centroid) first."""
        members = self.stories[sid].members
        if len(members) == 1:
            return list(members)
        c = self.centroid(sid)
        sims = [float(self.index.reconstruct(int(p)) @ c) for p in members]
        order = sorted(range(len(members)), key=lambda i: (-round(sims[i], 5), members[i]))
        return [members[i] for i in order]

    def centroid(self, sid: int) -> np.ndarray:
        c = self.stories[sid].csum
        return c / (float(np.linalg.norm(c)) or 1.0)


def new_hnsw(dim: int) -> Any:
    import faiss

    index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efSearch = HNSW_EF_SEARCH
    return index
