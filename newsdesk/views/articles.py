"""Articles as readers see them: listings (metadata only), facets, and an article's page."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from newsdesk.errors import NotFound
from newsdesk.models import (
    ArticleBrief,
    ArticleChanges,
    ArticleVersion,
    ArticleView,
    Facet,
    StoryRef,
)
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
        revisions=max(0, store.count_versions(a.id) - 1),
    )


def article_versions(store: Store, article_id: str) -> list[ArticleVersion]:
    """Every version of an article (id or unique prefix), oldest first; an article never
    revised has one, its current text. Raises NotFound for an unknown article."""
    a = store.get_article(article_id)
    found = store.versions(a.id)
    if found:
        return found
    with store.connect() as conn:
        when = conn.scalar(select(articles.c.ingested_at).where(articles.c.id == a.id))
    published = a.published.isoformat() if a.published else None
    return [
        ArticleVersion(
            a.id, 1, a.title, a.text, a.content_hash, a.url, a.source, published, str(when)
        )
    ]


# words and the whitespace after each: a word diff that keeps the text's own spacing
_RUNS = re.compile(r"\S+\s*|\s+")


def article_changes(
    store: Store, article_id: str, old: int | None = None, new: int | None = None
) -> ArticleChanges:
    """What changed between versions ``old`` and ``new`` of an article (default: the previous
    and the current one): a word diff and a unified line diff (``difflib``, the standard
    library's sequence matcher). Raises NotFound for an unknown article or version."""
    versions = article_versions(store, article_id)
    by_number = {v.version: v for v in versions}
    new = versions[-1].version if new is None else new
    old = max(1, new - 1) if old is None else old
    for n in (old, new):
        if n not in by_number:
            raise NotFound(
                f"article {versions[0].article_id} has no version {n} "
                f"(versions 1 to {versions[-1].version})"
            )
    a, b = by_number[old], by_number[new]
    wa, wb = _RUNS.findall(a.text), _RUNS.findall(b.text)
    words: list[tuple[str, str]] = []
    added = removed = 0
    # words compared without their spacing; kept text shown with the new version's
    matcher = difflib.SequenceMatcher(
        None, [w.rstrip() for w in wa], [w.rstrip() for w in wb], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            _run(words, "=", "".join(wb[j1:j2]))
            continue
        if i2 > i1:
            _run(words, "-", "".join(wa[i1:i2]))
            removed += sum(1 for w in wa[i1:i2] if w.strip())
        if j2 > j1:
            _run(words, "+", "".join(wb[j1:j2]))
            added += sum(1 for w in wb[j1:j2] if w.strip())
    unified = difflib.unified_diff(
        a.text.splitlines(),
        b.text.splitlines(),
        f"version {a.version} ({a.ingested_at})",
        f"version {b.version} ({b.ingested_at})",
        lineterm="",
    )
    return ArticleChanges(
        article_id=a.article_id,
        old=a,
        new=b,
        title_changed=a.title != b.title,
        words=tuple(words),
        unified=tuple(unified),
        added_words=added,
        removed_words=removed,
    )


def _run(out: list[tuple[str, str]], op: str, text: str) -> None:
    if out and out[-1][0] == op:
        out[-1] = (op, out[-1][1] + text)
    else:
        out.append((op, text))
