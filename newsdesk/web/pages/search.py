"""The search page: full text and semantic similarity fused, with filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from newsdesk import api
from newsdesk.models import SearchFilters
from newsdesk.settings import Settings
from newsdesk.store import Store
from newsdesk.web.pages.common import page_args


def search_page(
    store: Store,
    settings: Settings,
    q: str,
    page: int,
    size: int,
    since: date | None = None,
    until: date | None = None,
    outlet: str | None = None,
    person: str | None = None,
    story: str | None = None,
    mode: str = "hybrid",
) -> dict[str, Any]:
    """A page of hits, each with its snippet as (piece, is_match) pairs for the template."""
    page, size, offset = page_args(page, size)
    filters = SearchFilters(
        since=since,
        until=until,
        outlet=outlet or None,
        person=person or None,
        story=story or None,
    )
    res = api.search(store, q, size, offset, filters=filters, mode=mode, settings=settings)
    return {
        "query": q,
        "mode": res.mode,
        "filters": {
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
            "outlet": outlet,
            "person": person,
            "story": story,
        },
        "hits": [dict(h.as_dict(), pieces=[list(p) for p in h.snippet]) for h in res.hits],
        "page": page,
        "size": size,
        "more": res.more,
    }
