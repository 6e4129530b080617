"""Stored quotes as readers see them: per article, per speaker, per story."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    func,
    or_,
    select,
)

from newsdesk.models import Quote, StoredQuote
from newsdesk.stages.quotes.tables import quotes_table
from newsdesk.views import stories

if TYPE_CHECKING:
    from newsdesk.store import Store


def quote_from_row(r: Any) -> StoredQuote:
    published = r.published
    return StoredQuote(
        id=r.id,
        quote=Quote(
            article_id=r.article_id,
            content=tuple((int(s), int(e)) for s, e in json.loads(r.content)),
            kind=r.kind,
            cue=(r.cue_start, r.cue_end) if r.cue_start is not None else None,
            speaker=(r.speaker_start, r.speaker_end) if r.speaker_start is not None else None,
            speaker_name=r.speaker_name,
            role=r.role,
            entity_id=r.entity_id,
            published=datetime.fromisoformat(published) if published else None,
        ),
        text=r.text,
        speaker_mention=r.speaker_mention,
        org=r.org,
    )


def quotes_for_article(store: Store, article_id: str) -> list[StoredQuote]:
    """The quotes of one article (full id), in text order."""
    q = (
        select(quotes_table)
        .where(quotes_table.c.article_id == article_id)
        .order_by(quotes_table.c.seq)
    )
    with store.connect() as conn:
        return [quote_from_row(r) for r in conn.execute(q)]


def quotes(
    store: Store,
    speaker: str | None = None,
    story_id: int | str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[StoredQuote]:
    """Quotes, newest first; ``speaker`` matches a person id or a name (case-insensitive part)."""
    q = select(quotes_table)
    if speaker:
        cond = func.lower(quotes_table.c.speaker_name).contains(speaker.lower(), autoescape=True)
        q = q.where(or_(quotes_table.c.entity_id == speaker, cond))
    if story_id is not None:
        q = q.where(quotes_table.c.article_id.in_(stories.article_ids(store, story_id)))
    q = q.order_by(
        quotes_table.c.published.desc().nulls_last(), quotes_table.c.article_id, quotes_table.c.seq
    )
    with store.connect() as conn:
        return [quote_from_row(r) for r in conn.execute(q.limit(limit).offset(offset))]
