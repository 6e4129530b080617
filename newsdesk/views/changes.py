"""What changed since a reader's last visit: new and revised articles, new and updated stories.

A visit is remembered as a mark: the newest article's sequence number then (``articles.seq``,
arrival order, so "new" needs no clock and no index beyond the primary key) and the time
(revisions keep their article's sequence number; their versions carry the time they arrived).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from newsdesk.models import Changes
from newsdesk.stages.cluster.tables import story_articles
from newsdesk.store.schema import article_versions, articles

if TYPE_CHECKING:
    from newsdesk.store import Store


def changes_since(
    store: Store,
    since_seq: int,
    since: str,
    story_ids: Sequence[int] = (),
    article_ids: Sequence[str] = (),
) -> Changes:
    """What arrived after the mark (``since_seq``, at time ``since``): counts over the whole
    store, and the marks of the stories and articles asked about (those a page shows)."""
    new_art = select(articles.c.id).where(articles.c.seq > since_seq)
    revised = (  # articles stored before the mark whose text changed after it
        select(article_versions.c.article_id)
        .join(articles, articles.c.id == article_versions.c.article_id)
        .where(
            article_versions.c.version > 1,
            article_versions.c.ingested_at >= since,  # to the second: the visit's second counts
            articles.c.seq <= since_seq,
        )
        .distinct()
    )
    with store.connect() as conn:
        n_new = int(
            conn.scalar(
                select(func.count()).select_from(articles).where(articles.c.seq > since_seq)
            )
            or 0
        )
        revised_ids = set(conn.scalars(revised))
        touched = set(
            conn.scalars(
                select(story_articles.c.story_id)
                .where(story_articles.c.article_id.in_(new_art))
                .distinct()
            )
        )
        if revised_ids:
            touched |= set(
                conn.scalars(
                    select(story_articles.c.story_id)
                    .where(story_articles.c.article_id.in_(revised))
                    .distinct()
                )
            )
        # each touched story's first article (by arrival): after the mark, the story is new
        oldest: dict[int, int] = {}
        ids = sorted(touched)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            oldest.update(
                conn.execute(
                    select(story_articles.c.story_id, func.min(articles.c.seq))
                    .join(articles, articles.c.id == story_articles.c.article_id)
                    .where(story_articles.c.story_id.in_(chunk))
                    .group_by(story_articles.c.story_id)
                ).all()
            )
        shown = list(article_ids)
        seqs = (
            dict(
                conn.execute(
                    select(articles.c.id, articles.c.seq).where(articles.c.id.in_(shown))
                ).all()
            )
            if shown
            else {}
        )
    kinds = {sid: "new" if int(first) > since_seq else "updated" for sid, first in oldest.items()}
    marks: dict[str, str] = {}
    for aid in shown:
        if aid in seqs and int(seqs[aid]) > since_seq:
            marks[aid] = "new"
        elif aid in revised_ids:
            marks[aid] = "revised"
    return Changes(
        since_seq=since_seq,
        since=since,
        new_articles=n_new,
        revised_articles=len(revised_ids),
        new_stories=sum(1 for k in kinds.values() if k == "new"),
        updated_stories=sum(1 for k in kinds.values() if k == "updated"),
        stories={int(s): kinds[int(s)] for s in story_ids if int(s) in kinds},
        articles=marks,
    )
