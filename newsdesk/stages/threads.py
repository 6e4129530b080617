"""Threads: stories that are episodes of one long-running matter, linked together.

The clusterer records *thread evidence* while it works: when an article is close in content to
an earlier story (embedding cosine ≥ ``cluster.THREAD_DENSE``, at least
``cluster.THREAD_SHARED_ENTITIES`` proper nouns in common) but does not join it — too far apart
in time, or too different in detail — the pair of stories goes into ``story_links``. A thread is
a connected group of linked stories; ``stories.thread_id`` holds the id of its first story, so a
story page can show its thread with one query. The Istanbul talks of March 2022 and those of
July 2025 are two stories in one thread.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from newsdesk.stages.cluster import proper_nouns, stories, story_articles, story_links
from newsdesk.store.schema import articles


class Threads:
    """Union-find over story ids (the smallest id names the thread): for the filter path."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while x != root:  # path compression
            self.parent[x], x = root, self.parent.get(x, x)
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = sorted((ra, rb))
            self.parent[hi] = lo


def add_links(conn: Any, links: Sequence[tuple[int, int, float]]) -> None:
    """Record thread evidence ``(story, other story, similarity)`` and merge their threads."""
    best: dict[tuple[int, int], float] = {}
    for a, b, sim in links:
        if a != b:
            pair = (min(a, b), max(a, b))
            best[pair] = max(sim, best.get(pair, 0.0))
    if not best:
        return
    have = {
        (r[0], r[1]): r[2]
        for r in conn.execute(
            select(story_links.c.story_a, story_links.c.story_b, story_links.c.score).where(
                story_links.c.story_a.in_(sorted({a for a, _ in best}))
            )
        )
    }
    fresh = [
        {"story_a": a, "story_b": b, "score": s}
        for (a, b), s in sorted(best.items())
        if (a, b) not in have
    ]
    if fresh:
        conn.execute(story_links.insert(), fresh)
    for a, b in sorted(best):
        ta = conn.scalar(select(stories.c.thread_id).where(stories.c.id == a))
        tb = conn.scalar(select(stories.c.thread_id).where(stories.c.id == b))
        if ta is None or tb is None or ta == tb:
            continue
        lo, hi = sorted((int(ta), int(tb)))
        conn.execute(update(stories).where(stories.c.thread_id == hi).values(thread_id=lo))


def merge_stories(conn: Any, drop: int, into: int) -> None:
    """Story ``drop`` turned out to be part of ``into``: move its articles, links and thread."""
    conn.execute(
        update(story_articles).where(story_articles.c.story_id == drop).values(story_id=into)
    )
    involved = or_(story_links.c.story_a == drop, story_links.c.story_b == drop)
    moved = [
        (into, b if a == drop else a, score)
        for a, b, score in conn.execute(
            select(story_links.c.story_a, story_links.c.story_b, story_links.c.score).where(
                involved
            )
        ).all()
    ]
    conn.execute(delete(story_links).where(involved))
    t_drop = conn.scalar(select(stories.c.thread_id).where(stories.c.id == drop))
    t_into = conn.scalar(select(stories.c.thread_id).where(stories.c.id == into))
    conn.execute(delete(stories).where(stories.c.id == drop))
    if t_drop is not None and t_into is not None and t_drop != t_into:
        lo, hi = sorted((int(t_drop), int(t_into)))
        conn.execute(update(stories).where(stories.c.thread_id == hi).values(thread_id=lo))
    add_links(conn, [m for m in moved if m[1] != into])


@dataclass(frozen=True, slots=True)
class ThreadStory:
    id: int
    title: str | None
    articles: int
    first_published: str | None
    last_published: str | None


@dataclass(frozen=True, slots=True)
class ThreadView:
    """A thread: its label (what its stories share) and its stories in time order."""

    id: int
    label: str
    stories: tuple[ThreadStory, ...]


LABEL_ARTICLES = 5  # a story's first articles (clustering order) read for the thread label
LABEL_CHARS = 1500  # of each article's text
_NAMES: dict[tuple[int, int], frozenset[str]] = {}  # (story id, its size) -> names; see _names
_NAMES_MAX = 200_000


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


def get_thread(store: Any, thread_id: int) -> ThreadView | None:
    """The thread with this id (a thread of one story is not a thread: None)."""
    with store.connect() as conn:
        members = _thread_stories(conn, thread_id)
        if len(members) < 2:
            return None
        return ThreadView(thread_id, _label(conn, [m.id for m in members]), tuple(members))


def list_threads(store: Any, limit: int = 50, offset: int = 0) -> list[ThreadView]:
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
