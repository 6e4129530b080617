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

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, or_, select, update

from newsdesk.stages.cluster.tables import stories, story_articles, story_links


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
