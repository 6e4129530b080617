"""What ``newsdesk export --what …`` writes besides articles: stories, story membership, quotes,
people and summaries, one flat record each (JSONL, or CSV with the same columns).

Each table streams from the store in pages, so an export of a big store runs in flat memory.
Summaries are written as their sentences' text (the spans resolved against the article).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from newsdesk.stages.cluster.tables import stories, story_articles
from newsdesk.stages.summarize.tables import summaries
from newsdesk.store import Store
from newsdesk.store.schema import articles
from newsdesk.views import people as people_views
from newsdesk.views import quotes as quote_views

Record = dict[str, Any]
PAGE = 1000

COLUMNS: dict[str, tuple[str, ...]] = {
    "stories": (
        "id",
        "title",
        "articles",
        "outlets",
        "first_published",
        "last_published",
        "thread_id",
    ),
    "membership": ("story_id", "article_id", "position"),
    "quotes": ("id", "article_id", "speaker", "role", "entity_id", "kind", "published", "text"),
    "people": ("id", "name", "kind", "role", "org", "quotes", "articles"),
    "summaries": ("article_id", "method", "summary"),
}


def records(store: Store, what: str) -> Iterator[Record]:
    """Every record of ``what`` (a key of :data:`COLUMNS`)."""
    if what == "stories":
        yield from _rows(store, select(stories).order_by(stories.c.id), COLUMNS["stories"])
    elif what == "membership":
        q = select(story_articles).order_by(story_articles.c.story_id, story_articles.c.position)
        yield from _rows(store, q, COLUMNS["membership"])
    elif what == "quotes":
        offset = 0
        while True:
            quotes = quote_views.quotes(store, limit=PAGE, offset=offset)
            for sq in quotes:
                yield {
                    "id": sq.id,
                    "article_id": sq.quote.article_id,
                    "speaker": sq.quote.speaker_name or sq.speaker_mention,
                    "role": sq.quote.role,
                    "entity_id": sq.quote.entity_id,
                    "kind": str(sq.quote.kind),
                    "published": sq.quote.published.isoformat() if sq.quote.published else None,
                    "text": sq.text,
                }
            if len(quotes) < PAGE:
                return
            offset += PAGE
    elif what == "people":
        for kind in ("person", "org"):
            offset = 0
            while True:
                people = people_views.people(store, PAGE, offset, kind=kind)
                for person in people:
                    yield {c: getattr(person, c) for c in COLUMNS["people"]}
                if len(people) < PAGE:
                    break
                offset += PAGE
    elif what == "summaries":
        q = (
            select(
                summaries.c.article_id, summaries.c.method, summaries.c.sentences, articles.c.text
            )
            .join(articles, articles.c.id == summaries.c.article_id)
            .order_by(articles.c.seq)
        )
        with store.connect() as conn:
            for r in conn.execute(q):
                spans = json.loads(r.sentences)
                text = " ".join(r.text[int(s) : int(e)].strip() for s, e in spans)
                yield {"article_id": r.article_id, "method": r.method, "summary": text}
    else:
        raise ValueError(f"unknown export {what!r} (one of articles, {', '.join(COLUMNS)})")


def _rows(store: Store, query: Any, columns: tuple[str, ...]) -> Iterator[Record]:
    with store.connect() as conn:
        for r in conn.execute(query).mappings():
            yield {c: r[c] for c in columns}
