"""Search: full text plus semantic similarity, fused with reciprocal rank fusion.

Steps of :func:`search`:
1. full text: SQLite FTS5 over title + text + outlet (an external-content FTS table kept in
   sync by triggers, so every ingest path indexes without a stage); on PostgreSQL the same query
   runs against an expression GIN index on ``to_tsvector`` — the two backends sit behind
   :func:`_fulltext`'s dialect check, and nothing else here is backend-specific;
2. semantic: the query is encoded with the same encoder the summaries use
   (:func:`newsdesk.embed.get_encoder`) and compared by dot product with one stored vector per
   article (stage ``embed``); brute force in numpy, which at 100k × 256 float32 is a few ms;
3. the two ranked lists are fused with reciprocal rank fusion (Cormack et al. 2009, k=60);
4. filters (date range, outlet, person, story) restrict both lists before fusion.

The semantic half is optional: when ``newsdesk.embed`` is absent the ``embed`` stage is not
registered and search is full text only.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import (
    Column,
    Connection,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    func,
    select,
    text,
)

from newsdesk.models import Article
from newsdesk.registry import stage
from newsdesk.settings import Settings
from newsdesk.store import schema
from newsdesk.store.schema import articles

if TYPE_CHECKING:
    from newsdesk.store import Store

log = logging.getLogger(__name__)

RRF_K = (
    60  # reciprocal rank fusion constant: 60 is the value of the original paper, robust in practice
)
CANDIDATES = 100  # each retriever contributes at least this many candidates to the fusion
EMBED_CHARS = (
    2000  # title + the first 2000 characters: the lead carries the topic; caps encoder time
)
SNIPPET_CHARS = 240

# One vector per article, from the encoder named in ``model`` (vectors of another model are ignored).
article_vectors = Table(
    "article_vectors",
    schema.metadata,
    Column("article_seq", Integer, ForeignKey("articles.seq"), primary_key=True),
    Column("article_id", String(40), nullable=False, unique=True),
    Column("model", String(64), nullable=False),
    Column("vector", LargeBinary, nullable=False),  # float32, L2-normalised, little-endian
)

_PG_TSV = (
    "to_tsvector('english', coalesce(title, '') || ' ' || coalesce(outlet, '') || ' ' || text)"
)


def _search_v1(conn: Connection) -> None:
    article_vectors.create(conn, checkfirst=True)
    if conn.dialect.name == "sqlite":
        # SQLite-only DDL: an external-content FTS5 table over articles, synced by triggers.
        for stmt in (
            "CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5("
            "title, text, outlet, content='articles', content_rowid='seq', "
            "tokenize='porter unicode61 remove_diacritics 2')",
            "CREATE TRIGGER IF NOT EXISTS articles_fts_ai AFTER INSERT ON articles BEGIN "
            "INSERT INTO articles_fts(rowid, title, text, outlet) "
            "VALUES (new.seq, new.title, new.text, new.outlet); END",
            "CREATE TRIGGER IF NOT EXISTS articles_fts_ad AFTER DELETE ON articles BEGIN "
            "INSERT INTO articles_fts(articles_fts, rowid, title, text, outlet) "
            "VALUES ('delete', old.seq, old.title, old.text, old.outlet); END",
            "CREATE TRIGGER IF NOT EXISTS articles_fts_au AFTER UPDATE ON articles BEGIN "
            "INSERT INTO articles_fts(articles_fts, rowid, title, text, outlet) "
            "VALUES ('delete', old.seq, old.title, old.text, old.outlet); "
            "INSERT INTO articles_fts(rowid, title, text, outlet) "
            "VALUES (new.seq, new.title, new.text, new.outlet); END",
            "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
        ):
            conn.execute(text(stmt))
    elif conn.dialect.name == "postgresql":
        # PostgreSQL full text: an expression index, so no extra column or trigger to keep in sync.
        conn.execute(
            text(f"CREATE INDEX IF NOT EXISTS ix_articles_fts ON articles USING GIN ({_PG_TSV})")
        )


schema.component("search", [_search_v1])


# -- results ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SearchHit:
    """One result: the article's metadata, its fused score and where each retriever ranked it."""

    article_id: str
    title: str | None
    outlet: str | None
    published: datetime | None
    score: float
    text_rank: int | None  # 1-based rank in the full-text list, None if not found there
    semantic_rank: int | None
    snippet: tuple[tuple[str, bool], ...] = ()  # (piece, is_match) — plain text, never markup

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.article_id,
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published.isoformat() if self.published else None,
            "score": round(self.score, 6),
            "text_rank": self.text_rank,
            "semantic_rank": self.semantic_rank,
            "snippet": "".join(p for p, _ in self.snippet),
        }


@dataclass(slots=True)
class SearchResults:
    query: str
    hits: list[SearchHit] = field(default_factory=list)
    mode: str = "hybrid"  # what actually ran: hybrid, text or semantic
    more: bool = False  # whether a next page exists


@dataclass(frozen=True, slots=True)
class Filters:
    since: date | datetime | None = None
    until: date | datetime | None = None
    outlet: str | None = None
    person: str | None = None
    story: str | None = None

    def restrict_ids(self, store: Store) -> set[str] | None:
        """Article ids allowed by the person/story filters, or None when neither is set."""
        allowed: set[str] | None = None
        if self.person:
            allowed = _person_article_ids(store, self.person)
        if self.story:
            ids = _story_article_ids(store, self.story)
            allowed = ids if allowed is None else allowed & ids
        return allowed


# -- the query ---------------------------------------------------------------------------------
_TOKEN = re.compile(r"\w+", re.UNICODE)


def query_terms(query: str) -> list[str]:
    """The words of a user query (no operators: user input never reaches FTS syntax unquoted)."""
    return [t.lower() for t in _TOKEN.findall(query)][:32]


def search(
    store: Store,
    query: str,
    *,
    limit: int = 20,
    offset: int = 0,
    filters: Filters | None = None,
    mode: str = "hybrid",
) -> SearchResults:
    """Articles matching ``query``, best first: full text and semantic ranks fused (RRF)."""
    filters = filters or Filters()
    terms = query_terms(query)
    out = SearchResults(query=query, mode=mode)
    if not terms:
        return out
    want = max(CANDIDATES, offset + limit + 1)
    allowed = filters.restrict_ids(store)
    if allowed is not None and not allowed:
        return out
    lists: list[list[str]] = []
    text_list: list[str] = []
    sem_list: list[str] = []
    if mode in ("hybrid", "text"):
        text_list = _fulltext(store, terms, want, filters, allowed)
        lists.append(text_list)
    if mode in ("hybrid", "semantic"):
        index = vector_index(store)
        if index is not None:
            sem_list = index.query(store, query, want, filters, allowed)
            lists.append(sem_list)
        elif mode == "semantic":
            out.mode = "unavailable"
            return out
        else:
            out.mode = "text"
    fused = rrf(lists)
    page = fused[offset : offset + limit]
    out.more = len(fused) > offset + limit
    text_rank = {a: i for i, a in enumerate(text_list, 1)}
    sem_rank = {a: i for i, a in enumerate(sem_list, 1)}
    with store.connect() as conn:
        found = {a.id: a for a in store.articles_by_ids(conn, [a for a, _ in page])}
    for article_id, score in page:
        a = found.get(article_id)
        if a is None:
            continue
        out.hits.append(
            SearchHit(
                article_id=a.id,
                title=a.title,
                outlet=a.outlet,
                published=a.published,
                score=score,
                text_rank=text_rank.get(a.id),
                semantic_rank=sem_rank.get(a.id),
                snippet=tuple(snippet(a.text, terms)),
            )
        )
    return out


def rrf(lists: Sequence[Sequence[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: score(d) = Σ 1 / (k + rank of d in each list); ties keep list order."""
    scores: dict[str, float] = {}
    for ranked in lists:
        for rank, item in enumerate(ranked, 1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def _filter_sql(filters: Filters) -> tuple[list[str], dict[str, Any]]:
    where: list[str] = []
    params: dict[str, Any] = {}
    if filters.since:
        where.append("a.published >= :since")
        params["since"] = filters.since.isoformat()
    if filters.until:
        where.append("a.published < :until")
        params["until"] = _day_after(filters.until)
    if filters.outlet:
        where.append("a.outlet = :outlet")
        params["outlet"] = filters.outlet
    return where, params


def _day_after(d: date | datetime) -> str:
    from datetime import timedelta

    if isinstance(d, datetime):
        return d.isoformat()
    return (d + timedelta(days=1)).isoformat()


def _fulltext(
    store: Store, terms: list[str], want: int, filters: Filters, allowed: set[str] | None
) -> list[str]:
    """Article ids by full-text relevance. All words first; if that finds too few, any word."""
    where, params = _filter_sql(filters)
    ids: list[str] = []
    for joiner in ("and", "or"):
        if joiner == "or" and (len(terms) == 1 or len(ids) >= want):
            break
        params = dict(params, k=want * (4 if allowed is not None else 1))
        if store.dialect == "sqlite":
            # SQLite-only SQL: FTS5 MATCH; each term quoted so user input is never FTS syntax.
            params["q"] = f" {joiner.upper()} ".join('"' + t.replace('"', "") + '"' for t in terms)
            sql = (
                "SELECT a.id FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid "
                "WHERE articles_fts MATCH :q "
                + "".join(f"AND {w} " for w in where)
                + "ORDER BY bm25(articles_fts, 4.0, 1.0, 1.0) LIMIT :k"
            )
        elif store.dialect == "postgresql":
            params["q"] = (" & " if joiner == "and" else " | ").join(terms)
            sql = (
                f"SELECT a.id FROM articles a, to_tsquery('english', :q) q WHERE {_PG_TSV} @@ q "
                + "".join(f"AND {w} " for w in where)
                + f"ORDER BY ts_rank({_PG_TSV}, q) DESC LIMIT :k"
            )
        else:  # pragma: no cover - other backends: a plain LIKE scan on titles
            params["q"] = f"%{terms[0]}%"
            sql = "SELECT a.id FROM articles a WHERE a.title LIKE :q " + "".join(
                f"AND {w} " for w in where
            )
            sql += "LIMIT :k"
        with store.connect() as conn:
            got = list(conn.scalars(text(sql), params))
        if allowed is not None:
            got = [i for i in got if i in allowed]
        seen = set(ids)
        ids.extend(i for i in got if i not in seen)
    return ids[:want]


# -- snippets ----------------------------------------------------------------------------------
def snippet(body: str, terms: Sequence[str], width: int = SNIPPET_CHARS) -> list[tuple[str, bool]]:
    """A window of ``body`` around the first query word, as (piece, is_match) pairs of plain text."""
    if not body:
        return []
    pattern = re.compile(r"\b(" + "|".join(re.escape(t) for t in terms) + r")\w*", re.IGNORECASE)
    first = pattern.search(body)
    start = 0 if first is None else max(0, first.start() - width // 3)
    if start:
        space = body.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    end = min(len(body), start + width)
    window = body[start:end].replace("\n", " ")
    pieces: list[tuple[str, bool]] = []
    if start:
        pieces.append(("… ", False))
    pos = 0
    for m in pattern.finditer(window):
        if m.start() > pos:
            pieces.append((window[pos : m.start()], False))
        pieces.append((m.group(0), True))
        pos = m.end()
    if pos < len(window):
        pieces.append((window[pos:], False))
    if end < len(body):
        pieces.append((" …", False))
    return pieces


# -- semantic ----------------------------------------------------------------------------------
def _encoder() -> Any | None:
    """The summaries' encoder, or None when ``newsdesk.embed`` has not landed/is not installed."""
    try:
        from newsdesk.embed import get_encoder
    except ImportError:
        return None
    return get_encoder()


def embedding_available() -> bool:
    try:
        import newsdesk.embed  # noqa: F401
    except ImportError:
        return False
    return True


def embed_text(a: Article | dict[str, Any]) -> str:
    if isinstance(a, Article):
        title, body = a.title or "", a.text
    else:
        title, body = str(a.get("title") or ""), str(a.get("text") or "")
    return (title + "\n\n" + body[:EMBED_CHARS]).strip()


class VectorIndex:
    """Every stored article vector of one model in memory, refreshed when the table grows."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.seqs = np.zeros(0, dtype=np.int64)
        self.ids: list[str] = []
        self.matrix = np.zeros((0, 0), dtype=np.float32)
        self.stamp: tuple[int, int] = (-1, -1)
        self.lock = threading.Lock()

    def refresh(self, store: Store) -> None:
        with store.connect() as conn:
            n, top = conn.execute(
                select(func.count(), func.max(article_vectors.c.article_seq)).where(
                    article_vectors.c.model == self.model
                )
            ).one()
            stamp = (int(n or 0), int(top or 0))
            if stamp == self.stamp:
                return
            rows = conn.execute(
                select(
                    article_vectors.c.article_seq,
                    article_vectors.c.article_id,
                    article_vectors.c.vector,
                )
                .where(article_vectors.c.model == self.model)
                .order_by(article_vectors.c.article_seq)
            ).all()
        if rows:
            self.matrix = np.vstack([np.frombuffer(r[2], dtype="<f4") for r in rows])
        else:
            self.matrix = np.zeros((0, 0), dtype=np.float32)
        self.seqs = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        self.ids = [r[1] for r in rows]
        self.stamp = stamp

    def query(
        self, store: Store, query: str, want: int, filters: Filters, allowed: set[str] | None
    ) -> list[str]:
        with self.lock:
            self.refresh(store)
        if not self.ids:
            return []
        enc = _encoder()
        if enc is None:
            return []
        q = np.asarray(enc.encode([query]), dtype=np.float32)[0]
        scores = self.matrix @ q
        where, params = _filter_sql(filters)
        if where:
            sql = "SELECT a.seq FROM articles a WHERE " + " AND ".join(where)
            with store.connect() as conn:
                ok = np.fromiter(conn.scalars(text(sql), params), dtype=np.int64)
            scores = np.where(np.isin(self.seqs, ok), scores, -np.inf)
        if allowed is not None:
            mask = np.fromiter((i in allowed for i in self.ids), dtype=bool, count=len(self.ids))
            scores = np.where(mask, scores, -np.inf)
        k = min(want, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [self.ids[i] for i in top if np.isfinite(scores[i])]


_INDEXES: dict[str, VectorIndex] = {}
_INDEXES_LOCK = threading.Lock()


def vector_index(store: Store) -> VectorIndex | None:
    """The in-memory vector index of ``store`` (one per database and model), or None."""
    enc = _encoder()
    if enc is None:
        return None
    key = f"{store.engine.url}#{enc.name}"
    with _INDEXES_LOCK:
        if key not in _INDEXES:
            _INDEXES[key] = VectorIndex(enc.name)
        return _INDEXES[key]


def _vector_rows(
    store: Store, conn: Connection, batch: Sequence[Article], enc: Any
) -> list[dict[str, Any]]:
    if not batch:
        return []
    vecs = np.asarray(enc.encode([embed_text(a) for a in batch]), dtype="<f4")
    seqs = dict(
        conn.execute(
            select(articles.c.id, articles.c.seq).where(articles.c.id.in_([a.id for a in batch]))
        ).all()
    )
    return [
        {
            "article_seq": seqs[a.id],
            "article_id": a.id,
            "model": enc.name,
            "vector": vecs[i].tobytes(),
        }
        for i, a in enumerate(batch)
        if a.id in seqs
    ]


def _embed_stage() -> type | None:
    if not embedding_available():
        return None

    @stage
    class Embed:
        """One sentence-embedding vector per article (title + lead) for semantic search."""

        name = "embed"
        requires = frozenset({"text"})
        provides = frozenset({"embedding"})

        def __init__(self, encoder: Any) -> None:
            self.encoder = encoder

        @classmethod
        def from_settings(cls, settings: Settings) -> Embed:
            return cls(_encoder())

        def process(self, store: Store, conn: Connection, batch: Sequence[Article]) -> None:
            rows = _vector_rows(store, conn, batch, self.encoder)
            if rows:
                conn.execute(
                    article_vectors.delete().where(
                        article_vectors.c.article_id.in_([r["article_id"] for r in rows])
                    )
                )
                conn.execute(article_vectors.insert(), rows)

        def filter(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            for rec in records:
                vec = np.asarray(self.encoder.encode([embed_text(rec)]), dtype=np.float32)[0]
                yield {
                    "id": rec.get("id"),
                    "model": self.encoder.name,
                    "vector": [round(float(x), 6) for x in vec],
                }

    return Embed


Embed = _embed_stage()


# -- filters through other components (guarded: they may not be installed or landed yet) -------
def _ids_of(items: Any) -> set[str]:
    out: set[str] = set()
    for it in items or ():
        if isinstance(it, str):
            out.add(it)
        elif isinstance(it, dict):
            v = it.get("article_id") or it.get("id")
            if v:
                out.add(str(v))
        else:
            v = getattr(it, "article_id", None) or getattr(it, "id", None)
            if v:
                out.add(str(v))
    return out


def _person_article_ids(store: Store, name: str) -> set[str]:
    try:
        from newsdesk.stages.entities import person
    except ImportError:
        return set()
    try:
        dossier = person(store, name)
    except Exception:  # unknown person → nothing matches
        return set()
    if dossier is None:
        return set()
    ids: set[str] = set()
    for attr in ("articles", "article_ids", "quotes"):
        v = dossier.get(attr) if isinstance(dossier, dict) else getattr(dossier, attr, None)
        ids |= _ids_of(v)
    return ids


def _story_article_ids(store: Store, story_id: str) -> set[str]:
    try:
        from newsdesk.stages.cluster import get_story
    except ImportError:
        return set()
    try:
        view = get_story(store, story_id)
    except Exception:  # unknown story → nothing matches
        return set()
    if view is None:
        return set()
    for attr in ("article_ids", "articles", "timeline"):
        v = view.get(attr) if isinstance(view, dict) else getattr(view, attr, None)
        if v:
            return _ids_of(v)
    return set()
