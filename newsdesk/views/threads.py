"""Threads as readers see them: a label and the stories of one long-running matter, in time order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from newsdesk.models import ThreadStory, ThreadView
from newsdesk.stages.cluster.features import proper_nouns
from newsdesk.stages.cluster.tables import stories, story_articles
from newsdesk.store.schema import articles

if TYPE_CHECKING:
    from newsdesk.store import Store

LABEL_ARTICLES = 5  # a story's first articles (clustering order) read for the thread label
LABEL_CHARS = 1500  # of each article's text
_NAMES: dict[tuple[int, int], frozenset[str]] = {}  # (story id, its size) -> names; see _names
_NAMES_MAX = 200_000


def forget_names() -> None:
    """Drop the memo of story names (after a rebuild, story ids mean other stories)."""
    _NAMES.clear()


def _names(conn: Any, story_ids: Sequence[int]) -> dict[int, frozenset[str]]:
    """The proper nouns of each story's first articles: one query for all the stories.

    Memoised per process by (story id, number of articles): a thread's label is then computed
    from the names of its new or grown stories only.
    """
    sizes = dict(
        conn.execute(
            select(stories.c.id, stories.c.articles).where(stories.c.id.in_(list(story_ids)))
        ).all()
    )
    out = {
        sid: _NAMES[(sid, sizes.get(sid, 0))]
        for sid in story_ids
        if (sid, sizes.get(sid, 0)) in _NAMES
    }
    todo = sorted({sid for sid in story_ids if sid not in out})
    for i in range(0, len(todo), 500):
        chunk = todo[i : i + 500]
        rank = (
            func.row_number()
            .over(partition_by=story_articles.c.story_id, order_by=story_articles.c.position)
            .label("rank")
        )
        first = (
            select(
                story_articles.c.story_id,
                articles.c.title,
                func.substr(articles.c.text, 1, LABEL_CHARS).label("lead"),
                rank,
            )
            .join(articles, articles.c.id == story_articles.c.article_id)
            .where(story_articles.c.story_id.in_(chunk))
            .subquery()
        )
        found: dict[int, set[str]] = {sid: set() for sid in chunk}
        for sid, t, x, _ in conn.execute(select(first).where(first.c.rank <= LABEL_ARTICLES)).all():
            found[int(sid)].update(n for n in proper_nouns(f"{t or ''}.\n{x or ''}") if len(n) > 2)
        if len(_NAMES) > _NAMES_MAX:
            _NAMES.clear()
        for sid, names in found.items():
            out[sid] = _NAMES[(sid, sizes.get(sid, 0))] = frozenset(names)
    return out


def _label(conn: Any, story_ids: Sequence[int]) -> str:
    """The proper nouns most of the thread's stories name in their titles and leads."""
    counts: Counter[str] = Counter()
    names = _names(conn, story_ids)
    for sid in story_ids:
        counts.update(names[sid])
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    common = [n for n, c in ranked if c >= max(2, len(story_ids))]
    return " · ".join(n.title() for n in common[:4]) or "related stories"


def _thread_stories(conn: Any, thread_id: int) -> list[ThreadStory]:
    rows = conn.execute(
        select(stories)
        .where(stories.c.thread_id == thread_id)
        .order_by(stories.c.first_published.nulls_last(), stories.c.id)
    ).mappings()
    return [
        ThreadStory(r["id"], r["title"], r["articles"], r["first_published"], r["last_published"])
        for r in rows
    ]


def thread_label(conn: Any, thread_id: int) -> str | None:
    """A thread's label (a one-story thread: its story's title; None: no such thread)."""
    members = _thread_stories(conn, thread_id)
    if len(members) > 1:
        return _label(conn, [m.id for m in members])
    return members[0].title if members else None


def get_thread(store: Store, thread_id: int) -> ThreadView | None:
    """The thread with this id (a thread of one story is not a thread: None)."""
    with store.connect() as conn:
        members = _thread_stories(conn, thread_id)
        if len(members) < 2:
            return None
        return ThreadView(thread_id, _label(conn, [m.id for m in members]), tuple(members))


def list_threads(store: Store, limit: int = 50, offset: int = 0) -> list[ThreadView]:
    """Threads of two or more stories, the most recently active first."""
    with store.connect() as conn:
        q = (
            select(stories.c.thread_id)
            .group_by(stories.c.thread_id)
            .having(func.count() > 1)
            .order_by(func.max(stories.c.last_published).desc().nulls_last(), stories.c.thread_id)
            .limit(limit)
            .offset(offset)
        )
        out = []
        for tid in conn.scalars(q).all():
            members = _thread_stories(conn, int(tid))
            out.append(ThreadView(int(tid), _label(conn, [m.id for m in members]), tuple(members)))
        return out
