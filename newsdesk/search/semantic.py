"""Semantic retrieval: every stored article vector in memory, exact or IVF (faiss) search.

The query is embedded with the configured encoder (setting ``encoder``, the same one the
``embed`` stage stored the article vectors with) and compared by dot product; brute force in
numpy, which at 100k × 256 float32 is a few ms, and a faiss IVF index above ``IVF_MIN``.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import func, select, text

from newsdesk.nlp.embed import Encoder, get_encoder
from newsdesk.search.filters import Filters, filter_sql
from newsdesk.stages.embed.tables import article_vectors

if TYPE_CHECKING:
    from newsdesk.store import Store

log = logging.getLogger(__name__)

REFRESH_SECONDS = 2.0  # how often a search checks the store for new vectors
IVF_MIN = 20_000  # below this many vectors an exact scan is fast enough (< ~5 ms)
IVF_NPROBE = 24  # lists probed per query (of ~sqrt(n)): a few percent of the vectors
# A semantic neighbour is a result only when its cosine to the query is at least this, per
# encoder. Chosen by story-disjoint 10-fold CV on allsides-stories (benchmarks/search_relevance.py,
# best F2 on the other folds; every fold chose 0.5): held out, wordllama 0.5 kept 0.73 ± 0.06 of
# the relevant articles (0.94 with no cut-off), F2 0.48 ± 0.04 (0.20), 4.0 ± 1.0 unrelated
# results beside a story's articles (17.2) and 0.03 ± 0.04 results per off-topic query (20, a
# full page, with none). An encoder not measured keeps every neighbour.
MIN_SCORE = {"wordllama": 0.5}


class VectorIndex:
    """Every stored article vector of one model in memory, kept up to date incrementally.

    Below ``IVF_MIN`` vectors the search is exact (one matrix-vector product). Above it, a faiss
    IVF index answers unfiltered queries: at 100k × 256 an exact scan reads 100 MB per query
    (measured ~30-40 ms on the shared 2-core machine), the IVF probe reads a few percent of it.
    Filtered queries stay exact over the allowed rows only. New vectors are appended without
    retraining; the IVF is retrained when the collection has doubled since it was trained.
    """

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self.model = encoder.name
        self.seqs = np.zeros(0, dtype=np.int64)
        self.ids: list[str] = []
        self.matrix = np.zeros((0, 0), dtype=np.float32)
        self.top_seq = 0
        self.checked = 0.0
        self.ivf: Any = None
        self.ivf_size = 0
        self.lock = threading.Lock()

    def refresh(self, store: Store) -> None:
        """Load vectors stored since the last refresh (checked at most every REFRESH_SECONDS)."""
        now = time.monotonic()
        if now - self.checked < REFRESH_SECONDS and self.ids:
            return
        self.checked = now
        with store.connect() as conn:
            top = conn.scalar(select(func.max(article_vectors.c.article_seq))) or 0
            if top == self.top_seq:
                return
            rows = conn.execute(
                select(
                    article_vectors.c.article_seq,
                    article_vectors.c.article_id,
                    article_vectors.c.vector,
                )
                .where(
                    article_vectors.c.model == self.model,
                    article_vectors.c.article_seq > self.top_seq,
                )
                .order_by(article_vectors.c.article_seq)
            ).all()
        if not rows:
            self.top_seq = int(top)
            return
        new = np.vstack([np.frombuffer(r[2], dtype="<f4") for r in rows])
        self.matrix = new if not self.ids else np.vstack([self.matrix, new])
        self.seqs = np.concatenate(
            [self.seqs, np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))]
        )
        self.ids.extend(r[1] for r in rows)
        self.top_seq = int(rows[-1][0])
        n = len(self.ids)
        if n >= IVF_MIN and (self.ivf is None or n >= 2 * self.ivf_size):
            self.ivf = _train_ivf(self.matrix)
            self.ivf_size = n
        elif self.ivf is not None:
            self.ivf.add(new)

    def query(
        self, store: Store, query: str, want: int, filters: Filters, allowed: set[str] | None
    ) -> list[str]:
        with self.lock:
            self.refresh(store)
        if not self.ids:
            return []
        q = np.asarray(self.encoder.encode([query]), dtype=np.float32)[0]
        where, params = filter_sql(filters)
        rows: np.ndarray | None = None  # positions allowed by the filters, None = all
        if where:
            sql = "SELECT a.seq FROM articles a WHERE " + " AND ".join(where)
            with store.connect() as conn:
                ok = np.fromiter(conn.scalars(text(sql), params), dtype=np.int64)
            rows = np.flatnonzero(np.isin(self.seqs, ok))
        if allowed is not None:
            pos = {a: i for i, a in enumerate(self.ids)} if len(allowed) > 64 else None
            picked = (
                [pos[a] for a in allowed if a in pos]
                if pos is not None
                else [i for i, a in enumerate(self.ids) if a in allowed]
            )
            sel = np.array(sorted(picked), dtype=np.int64)
            rows = sel if rows is None else np.intersect1d(rows, sel)
        floor = MIN_SCORE.get(self.model, -np.inf)
        if rows is None and self.ivf is not None:
            found_scores, found = self.ivf.search(q.reshape(1, -1), want)
            return [
                self.ids[i]
                for i, score in zip(found[0], found_scores[0], strict=True)
                if i >= 0 and score >= floor
            ]
        if rows is not None and not len(rows):
            return []
        matrix = self.matrix if rows is None else self.matrix[rows]
        # einsum: no BLAS thread pool (which thrashes on a busy machine: 2k×256 took 23 ms via @)
        scores = np.einsum("ij,j->i", matrix, q)
        k = min(want, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        top = top[scores[top] >= floor]  # unrelated neighbours are no results
        if rows is not None:
            top = rows[top]
        return [self.ids[i] for i in top]


def _train_ivf(matrix: np.ndarray) -> Any:
    import faiss

    n, dim = matrix.shape
    nlist = int(min(1024, max(64, np.sqrt(n))))
    quantizer = faiss.IndexFlatIP(dim)
    ivf = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    ivf.cp.niter = 10  # k-means iterations: 10 is plenty for routing, and keeps training to seconds
    rng = np.random.default_rng(0)
    sample = matrix[rng.choice(n, size=min(n, 40 * nlist), replace=False)]
    ivf.train(np.ascontiguousarray(sample))
    ivf.add(np.ascontiguousarray(matrix))
    ivf.nprobe = IVF_NPROBE
    log.info("vector index: IVF with %d lists over %d vectors", nlist, n)
    return ivf


_INDEXES: dict[str, VectorIndex] = {}
_INDEXES_LOCK = threading.Lock()


def vector_index(store: Store, encoder: str | None = None) -> VectorIndex:
    """The in-memory vector index of ``store`` for one encoder (one per database and model)."""
    enc = get_encoder(encoder)
    key = f"{store.engine.url}#{enc.name}"
    with _INDEXES_LOCK:
        if key not in _INDEXES:
            _INDEXES[key] = VectorIndex(enc)
        return _INDEXES[key]
