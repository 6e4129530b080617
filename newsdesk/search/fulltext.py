"""Full-text retrieval: SQLite FTS5 (``articles_fts``) or PostgreSQL's stored ``tsv`` (GIN).

The index itself is part of the store's core schema (:mod:`newsdesk.store.schema`), kept in
sync by triggers on SQLite, so every ingest path indexes without a stage. The two backends sit
behind :func:`fulltext`'s dialect check; nothing else in search is backend-specific.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, column, select, text

from newsdesk.search.filters import Filters, filter_sql
from newsdesk.store.schema import PG_TSV, articles

if TYPE_CHECKING:
    from newsdesk.store import Store


FTS_CAP = 1000  # most recent full-text matches ranked per query (bounds bm25 work on big stores)


def fulltext(
    store: Store,
    terms: list[str],
    want: int,
    enough: int,
    filters: Filters,
    allowed: set[str] | None,
) -> list[str]:
    """Article ids by full-text relevance. All words first; if that finds fewer than ``enough``, any word.

    The ranking is bounded: bm25 (SQLite) or ts_rank (PostgreSQL) is computed for the
    ``FTS_CAP`` most recent matches only (arrival order), so a query matching most of a 100k
    store ranks 1k rows, not 100k (news search favours recent articles anyway).
    """
    where, params = filter_sql(filters)
    if allowed is not None and len(allowed) <= 900:  # small sets (a story, a person) go into SQL
        names = [f"a{i}" for i in range(len(allowed))]
        where.append("a.id IN (" + ", ".join(f":{n}" for n in names) + ")")
        params.update(zip(names, sorted(allowed), strict=True))
        allowed = None
    ids: list[str] = []
    for joiner in ("and", "or"):
        if joiner == "or" and (len(terms) == 1 or len(ids) >= enough):
            break
        params = dict(params, k=want * (4 if allowed is not None else 1), cap=FTS_CAP)
        if store.dialect == "sqlite":
            # SQLite-only SQL: FTS5 MATCH; each term quoted so user input is never FTS syntax.
            params["q"] = f" {joiner.upper()} ".join('"' + t.replace('"', "") + '"' for t in terms)
            if not where and allowed is None:
                # no filter: rank inside FTS alone, then read the ids of the top rows only
                seen = set(ids)
                ids.extend(i for i in _fts_only(store, params) if i not in seen)
                continue
            sql = (
                "SELECT id FROM (SELECT a.id AS id, articles_fts.rank AS score FROM articles_fts "
                "JOIN articles a ON a.seq = articles_fts.rowid WHERE articles_fts MATCH :q "
                + "".join(f"AND {w} " for w in where)
                + "ORDER BY articles_fts.rowid DESC LIMIT :cap) ORDER BY score LIMIT :k"
            )
        elif store.dialect == "postgresql":
            params["q"] = (" & " if joiner == "and" else " | ").join(terms)
            # the stored tsvector (core version 5), ranked for the FTS_CAP latest matches only,
            # as on SQLite; equal scores: the latest first (they came out in any order)
            sql = (
                "SELECT id FROM (SELECT a.id AS id, a.seq AS seq, ts_rank(a.tsv, q) AS score "
                "FROM articles a, to_tsquery('english', :q) q WHERE a.tsv @@ q "
                + "".join(f"AND {w} " for w in where)
                + "ORDER BY a.seq DESC LIMIT :cap) m ORDER BY score DESC, seq DESC LIMIT :k"
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


def every_word(store: Store, terms: list[str], after_seq: int = 0) -> ColumnElement[bool]:
    """A condition on ``articles``: the article holds every word of ``terms`` (stemmed as the
    full-text index stems), among those that arrived after ``after_seq`` (saved searches).

    Unlike :func:`fulltext` it never falls back to any word: an alert counts what matches."""
    if store.dialect == "sqlite":
        # SQLite-only SQL: FTS5 MATCH with each term quoted (never FTS syntax), rowid = seq.
        q = " AND ".join('"' + t.replace('"', "") + '"' for t in terms)
        sub = (
            text("SELECT rowid FROM articles_fts WHERE articles_fts MATCH :fts AND rowid > :after")
            .bindparams(fts=q, after=after_seq)
            .columns(column("rowid"))
        )
        return articles.c.seq.in_(sub)
    if store.dialect == "postgresql":
        return text(f"{PG_TSV} @@ to_tsquery('english', :fts)").bindparams(  # type: ignore[return-value]
            fts=" & ".join(terms)
        )
    return articles.c.title.contains(terms[0] if terms else "")  # pragma: no cover - other backends


def _fts_only(store: Store, params: dict[str, Any]) -> list[str]:
    """SQLite-only: ranked ids from the FTS table alone (joining articles for every match costs
    a row read per match: 42 ms against 14 ms for 1,000 matches, measured on the 10k store)."""
    sql = (
        "SELECT r FROM (SELECT rowid AS r, rank AS score FROM articles_fts WHERE articles_fts MATCH :q "
        "ORDER BY rowid DESC LIMIT :cap) ORDER BY score LIMIT :k"
    )
    with store.connect() as conn:
        seqs = list(conn.scalars(text(sql), params))
        if not seqs:
            return []
        found = dict(
            conn.execute(
                select(articles.c.seq, articles.c.id).where(articles.c.seq.in_(seqs))
            ).all()
        )
    return [found[q] for q in seqs if q in found]
