"""Stored article summaries, as readers see them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlalchemy import select

from newsdesk.models import Summary
from newsdesk.stages.summarize.tables import summaries

if TYPE_CHECKING:
    from newsdesk.store import Store


def get_summary(store: Store, article_id: str) -> Summary | None:
    """The stored summary of an article (full id), or None when it has none yet."""
    with store.connect() as conn:
        row = conn.execute(select(summaries).where(summaries.c.article_id == article_id)).first()
    if row is None:
        return None
    spans = tuple((int(s), int(e)) for s, e in json.loads(row.sentences))
    return Summary(article_id=row.article_id, sentences=spans, method=row.method)
