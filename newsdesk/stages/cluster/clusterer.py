"""Story clustering: articles about the same real-world event, from any outlet, become a story.

The clusterer is online and deterministic: articles arrive in batches (BATCH, 4096 by default);
each batch is grouped by average link, and each group joins an earlier story or opens a new
one, without re-clustering earlier articles (after Miranda et al. 2018 and Staykovski et al.
2019 for the features, average-link agglomerative clustering for the grouping). Per batch
(the features in :mod:`.features` and :mod:`.terms`, the scores in :mod:`.scoring`):

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

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from newsdesk.nlp.dates import anchor_date
from newsdesk.nlp.embed import embed_text, get_encoder
from newsdesk.stages.cluster.features import bag, dated_text, days
from newsdesk.stages.cluster.linkage import average_link
from newsdesk.stages.cluster.scoring import (
    JOIN,
    JOIN_SHORT,
    LONG_WORDS,
    SHORT_WORDS,
    Columns,
    join_threshold,
    scores,
)
from newsdesk.stages.cluster.terms import Features, Terms, add_sparse

if TYPE_CHECKING:
    from newsdesk.nlp.embed import Encoder

__all__ = [
    "BATCH",
    "JOIN",
    "JOIN_SHORT",
    "LONG_WORDS",
    "SHORT_WORDS",
    "Assignment",
    "Clusterer",
    "Item",
    "cluster_records",
    "items_from_records",
    "join_threshold",
]

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
        self.tids, self.tsum = add_sparse(self.tids, self.tsum, ids, tfs)
        if len(hids):
            self.hids, self.hsum = add_sparse(self.hids, self.hsum, hids, hw)


class Clusterer:
    """Online story clustering over a growing faiss index (see the module docstring)."""

    def __init__(self, dim: int, join: float | None = None, merge: float | None = None) -> None:
        import faiss

        self.dim = dim
        self.index: Any = faiss.IndexFlatIP(dim)
        self.keys: list[str] = []
        self.pos_of: dict[str, int] = {}
        self.story_of: list[int] = []
        self.terms = Terms()
        self.stories: dict[int, _Story] = {}
        self.next_story = 1
        self.join = join  # None: by length (join_threshold)
        self.merge = merge  # None: the join threshold + MERGE_MARGIN

    # one batch -----------------------------------------------------------------------------
    def add(self, items: Sequence[Item]) -> list[Assignment]:
        """Cluster a batch: average link over its articles and the earlier stories near them."""
        if not items:
            return []
        m = len(items)
        V = np.ascontiguousarray(np.stack([it.vec for it in items]).astype(np.float32))
        feats = self.terms.featurize([it.bag for it in items])
        X, H, E = self.terms.matrices([(f.ids, f.w, f.tids, f.wt) for f in feats])
        ents = np.array([f.ents for f in feats], np.int32)
        t = np.array([np.nan if it.t is None else it.t for it in items], np.float32)
        thr = np.array(
            [join_threshold(it.words) if self.join is None else self.join for it in items]
        )

        # 2. candidates: the stories of each article's K nearest earlier articles
        cands = self._candidates(V, items)
        col = {sid: j for j, sid in enumerate(cands)}

        # 3. scores: article-article and article-story, as margins over the join threshold
        pair = scores(V, X, H, E, ents, t, Columns(V, X, H, E, ents, np.ones(m), t, t))
        np.fill_diagonal(pair, -np.inf)
        margins = np.full((m, m + len(cands)), -np.inf, np.float32)
        block = margins[:, :m]
        block[...] = pair
        block -= (thr / 2).astype(np.float32)[:, None]
        block -= (thr / 2).astype(np.float32)[None, :]
        to_story = np.zeros((m, 0), np.float32)
        if cands:
            to_story = scores(V, X, H, E, ents, t, self._story_columns(cands))
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

    def _story_columns(self, sids: Sequence[int]) -> Columns:
        sts = [self.stories[s] for s in sids]
        SX, SH, SE = self.terms.matrices([(st.tids, st.tsum, st.hids, st.hsum) for st in sts])
        return Columns(
            np.stack([st.csum for st in sts]).astype(np.float32),
            SX,
            SH,
            SE,
            np.array([st.ents for st in sts]),
            np.array([st.n for st in sts], np.float64),
            np.array([np.nan if st.t_min is None else st.t_min for st in sts], np.float32),
            np.array([np.nan if st.t_max is None else st.t_max for st in sts], np.float32),
        )

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
        a.add_terms(b.tids, b.tsum, b.hids, b.hsum)
        a.n += b.n
        a.ents = max(a.ents, b.ents)
        a.members = sorted(a.members + b.members)
        for t in (b.t_min, b.t_max):
            if t is not None:
                a.t_min = t if a.t_min is None else min(a.t_min, t)
                a.t_max = t if a.t_max is None else max(a.t_max, t)

    def _append(self, it: Item, v: np.ndarray, sid: int, f: Features) -> None:
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
        feats = self.terms.featurize([it.bag for it in items])
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
        t = days(anchor_date(dated_text(r), pub if isinstance(pub, (date, datetime)) else None))
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
