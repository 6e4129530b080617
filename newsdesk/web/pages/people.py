"""People and organization pages: listings and dossiers."""

from __future__ import annotations

from typing import Any

from newsdesk import api
from newsdesk.models import CoMention, PersonBrief
from newsdesk.store import Store
from newsdesk.web.pages.common import PAGE_SIZE, brief, or_none, page_args

KINDS = {"person": "person", "organization": "org"}  # page kind -> stored kind


def _card(p: PersonBrief | CoMention) -> dict[str, Any]:
    brief_ = p if isinstance(p, PersonBrief) else None
    return {
        "id": str(p.id),
        "name": p.name or "?",
        "role": or_none(brief_.role) if brief_ else None,
        "org": or_none(brief_.org) if brief_ else None,
        "quotes": brief_.quotes if brief_ else None,
        "articles": p.articles,
    }


def people_page(store: Store, page: int, size: int, kind: str = "person") -> dict[str, Any]:
    """A page of people (or organizations), most quoted first."""
    page, size, offset = page_args(page, size)
    items = api.people(store, size + 1, offset, kind=KINDS[kind])
    return {
        "items": [_card(p) for p in items[:size]],
        "page": page,
        "size": size,
        "more": len(items) > size,
    }


def person_page(
    store: Store, name_or_id: str, page: int = 1, size: int = PAGE_SIZE
) -> dict[str, Any]:
    """A dossier: roles, stories, who is mentioned alongside, and a page of their quotes and
    articles, the latest first (a page, as the whole of a much-quoted person's was the slowest
    page under load: 577 ms p95 at 4 clients on 10k articles)."""
    page, size, offset = page_args(page, size)
    # NotFound → 404 (either page shows either kind)
    d = api.person(store, name_or_id, limit=size, offset=offset)
    story_ids = list(d.stories)
    return {
        "page": page,
        "size": size,
        "more": offset + size < max(d.quote_count, d.article_count),
        "quote_count": d.quote_count,
        "article_count": d.article_count,
        "entity": {
            "id": str(d.id),
            "name": or_none(d.name),
            "kind": or_none(d.kind),
            "org": or_none(d.org),
            "aliases": list(d.aliases),
        },
        "roles": [
            {
                "role": or_none(r.role),
                "org": or_none(r.org),
                "first": or_none(r.first),
                "last": or_none(r.last),
                "articles": r.articles,
            }
            for r in d.roles
        ],
        # Their own page: each quote's speaker as the article names them, not linked again.
        "quotes": [
            {
                "text": sq.text,
                "kind": or_none(sq.quote.kind),
                "speaker": or_none(sq.speaker_mention),
                "role": or_none(sq.quote.role),
                "entity_id": None,
                "article_id": or_none(sq.quote.article_id),
                "published": sq.quote.published.isoformat() if sq.quote.published else None,
            }
            for sq in d.quotes
        ],
        "articles": [brief(b) for b in api.article_briefs(store, ids=[m.id for m in d.articles])],
        "stories": [
            {"id": str(s.id), "title": s.title or f"Story {s.id}"}
            for s in api.story_titles(store, story_ids)
        ],
        "mentioned_with": [_card(p) for p in d.mentioned_with],
        # the positions maps of the stories where they made claims (and for which party)
        "positions": [
            {
                "story": str(p["story"]),
                "title": p["title"] or f"Story {p['story']}",
                "party": p["party"],
                "claims": p["claims"],
                "last": or_none(p["last"]),
            }
            for p in api.person_positions(store, d)
        ],
    }
