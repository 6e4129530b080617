"""Shared by the pages: paging, safe URLs, the JSON forms of briefs and quotes, features."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from newsdesk import api
from newsdesk.models import Article, ArticleBrief, StoredQuote
from newsdesk.store import Store

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def features() -> dict[str, bool]:
    """Which parts this installation has: a part is there when its stage is registered."""
    have = {s.name for s in api.stages()}
    return {
        "summaries": "summarize" in have,
        "stories": "cluster" in have,
        "quotes": "quotes" in have,
        "people": "entities" in have,
        "organizations": "entities" in have,
        "semantic_search": "embed" in have,
    }


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL, else None: never a javascript:/data: link."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ord(c) < 33 for c in url):
        return None
    return url


def page_args(page: int, size: int) -> tuple[int, int, int]:
    """(page, size, offset), clamped to 1..MAX_PAGE_SIZE."""
    page = max(1, page)
    size = max(1, min(MAX_PAGE_SIZE, size))
    return page, size, (page - 1) * size


def or_none(value: Any) -> Any:
    """``value``, with an empty string (or None) as None: what pages show as absent."""
    return None if value is None or value == "" else value


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def article_brief(a: Article) -> dict[str, Any]:
    """An article as listings show it (from a whole article)."""
    return {
        "id": a.id,
        "title": a.title or "(untitled)",
        "outlet": a.outlet,
        "published": iso(a.published),
        "authors": list(a.authors),
        "category": a.category,
        "reading_minutes": a.reading_minutes,
        "url": safe_url(a.url),
    }


def brief(b: ArticleBrief) -> dict[str, Any]:
    """An article as listings show it (from a brief: no text read)."""
    return {
        "id": b.id,
        "title": b.title or "(untitled)",
        "outlet": b.outlet,
        "published": b.published,
        "authors": list(b.authors),
        "category": b.category,
        "reading_minutes": b.reading_minutes,
        "url": safe_url(b.url),
    }


def quote(sq: StoredQuote) -> dict[str, Any]:
    """A stored quote as pages show it; the speaker as resolved, else as the article names them."""
    q = sq.quote
    return {
        "text": sq.text,
        "kind": or_none(q.kind),
        "speaker": or_none(q.speaker_name) or or_none(sq.speaker_mention),
        "role": or_none(q.role),
        "entity_id": or_none(q.entity_id),
        "article_id": or_none(q.article_id),
        "published": iso(q.published),
    }


def quotes(found: Iterable[StoredQuote]) -> list[dict[str, Any]]:
    return [quote(sq) for sq in found]


def listing(
    store: Store, page: int, size: int, outlet: str | None = None, category: str | None = None
) -> dict[str, Any]:
    """A page of the latest articles (of an outlet, of a category)."""
    page, size, offset = page_args(page, size)
    items = api.article_briefs(store, size + 1, offset, outlet=outlet, category=category)
    return {
        "articles": [brief(b) for b in items[:size]],
        "page": page,
        "size": size,
        "more": len(items) > size,
    }
