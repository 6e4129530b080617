"""Coverage per story per day: how many articles each story had on each day (the front page's
chart). Articles without a publication date are not counted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from newsdesk.stages.cluster.tables import story_articles
from newsdesk.store.schema import articles

if TYPE_CHECKING:
    from newsdesk.store import Store


def daily_coverage(store: Store, story_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Story id → ISO day → articles published that day, for these stories (in their order;
    a story without a dated article maps to an empty dict). One grouped query."""
    ids = [int(i) for i in story_ids]
    out: dict[int, dict[str, int]] = {i: {} for i in ids}
    if not ids:
        return out
    day = func.substr(articles.c.published, 1, 10)
    with store.connect() as conn:
        rows = conn.execute(
            select(story_articles.c.story_id, day, func.count())
            .join(articles, articles.c.id == story_articles.c.article_id)
            .where(story_articles.c.story_id.in_(ids), articles.c.published.is_not(None))
            .group_by(story_articles.c.story_id, day)
        ).all()
    for sid, d, n in rows:
        out[int(sid)][str(d)] = int(n)
    return out
