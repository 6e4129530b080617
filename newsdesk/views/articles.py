"""Articles as readers see them: listings (metadata only), facets, and an article's page."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from newsdesk.models import ArticleBrief, ArticleView, Facet, StoryRef
from newsdesk.store.schema import articles
from newsdesk.views.quotes import quotes_for_article
from newsdesk.views.stories import story_members, story_of_article
from newsdesk.views.summaries import get_summary

if TYPE_CHECKING:
    from newsdesk.store import Store

# What a listing reads: 8 columns, never the text.
_BRIEF_COLUMNS = (
    "id",
    "title",
    "outlet",
    "published",
    "authors",
    "category",
    "reading_minutes",
    "url",
)
FACETS = ("outlet", "category")


def _brief_row(r: Any) -> ArticleBrief:
    return ArticleBrief(
        id=r["id"],
        title=r["title"],
        outlet=r["outlet"],
        published=r["published"],
        authors=tuple(json.loads(r["authors"] or "[]")),
        category=r["category"],
        reading_minutes=r["reading_minutes"],
        url=r["url"],
    )


def latest_briefs(
    store: Store,
    limit: int,
    offset: int = 0,
    outlet: str | None = None,
    category: str | None = None,
) -> list[ArticleBrief]:
    """Latest first (publication date, then arrival); walks the (published, seq) index."""
    q = select(*(articles.c[c] for c in _BRIEF_COLUMNS))
    if outlet:
        q = q.where(articles.c.outlet == outlet)
    if category:
        q = q.where(articles.c.category == category)
    q = (
        q.order_by(articles.c.published.desc().nulls_last(), articles.c.seq.desc())
        .limit(limit)
        .offset(offset)
    )
    with store.connect() as conn:
        return [_brief_row(r) for r in conn.execute(q).mappings()]


def briefs_by_ids(store: Store, ids: Sequence[str]) -> list[ArticleBrief]:
    """Briefs of ``ids`` in that order (unknown ids left out), reading 8 columns (no text)."""
    found: dict[str, ArticleBrief] = {}
    with store.connect() as conn:
        for i in range(0, len(ids), 500):
            q = select(*(articles.c[c] for c in _BRIEF_COLUMNS)).where(
                articles.c.id.in_(list(ids[i : i + 500]))
            )
            found.update((r["id"], _brief_row(r)) for r in conn.execute(q).mappings())
    return [found[i] for i in ids if i in found]


def articles_stamp(store: Store) -> tuple[int, int]:
    """(how many articles, the newest one's sequence number): changes when articles arrive."""
    with store.connect() as conn:
        n, top = conn.execute(select(func.count(), func.max(articles.c.seq))).one()
    return int(n or 0), int(top or 0)


def newest_seq(store: Store) -> int:
    """The newest article's sequence number (0: none): changes when an article arrives."""
    with store.connect() as conn:
        return int(conn.scalar(select(func.max(articles.c.seq))) or 0)


def facet(store: Store, column: str) -> list[Facet]:
    """Every distinct outlet (or category) with its article count, most articles first."""
    if column not in FACETS:
        raise ValueError(f"unknown facet {column!r} ({' or '.join(FACETS)})")
    col = articles.c[column]
    with store.connect() as conn:
        rows = conn.execute(
            select(col, func.count())
            .where(col.is_not(None))
            .group_by(col)
            .order_by(func.count().desc(), col)
        ).all()
    return [Facet(r[0], int(r[1])) for r in rows]


def article_view(store: Store, article_id: str) -> ArticleView:
    """An article (id or unique prefix) with its stored summary, quotes and story neighbours.

    Raises :class:`~newsdesk.errors.NotFound` for an unknown article.
    """
    a = store.get_article(article_id)
    s = get_summary(store, a.id)
    summary = None
    if s is not None:
        summary = tuple(a.text[b:e] for b, e in s.sentences if 0 <= b < e <= len(a.text))
    story: StoryRef | None = None
    previous = following = None
    sid = story_of_article(store, a.id)
    if sid is not None:
        title, ids = story_members(store, sid)
        story = StoryRef(sid, title)
        if a.id in ids:
            i = ids.index(a.id)
            around = {"previous": ids[i - 1] if i > 0 else None}
            around["next"] = ids[i + 1] if i + 1 < len(ids) else None
            found = {b.id: b for b in briefs_by_ids(store, [x for x in around.values() if x])}
            previous = found.get(around["previous"] or "")
            following = found.get(around["next"] or "")
    return ArticleView(
        article=a,
        summary=summary,
        summary_method=s.method if s is not None else None,
        quotes=tuple(quotes_for_article(store, a.id)),
        story=story,
        previous=previous,
        next=following,
    )
