"""The ``cluster`` stage's tables: stories, their articles, thread evidence, stored story views."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    delete,
)

from newsdesk.store.schema import component, metadata

stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # creation order, from 1
    Column("title", Text),  # the most central member's headline
    Column("articles", Integer, nullable=False, default=0),
    Column("outlets", Integer, nullable=False, default=0),
    Column("first_published", String(32)),
    Column("last_published", String(32)),
    Column("thread_id", Integer, nullable=False),  # = id of the thread's first story
    Index("ix_stories_thread", "thread_id"),
    Index("ix_stories_last", "last_published"),
)
story_articles = Table(
    "story_articles",
    metadata,
    Column("article_id", String(40), ForeignKey("articles.id"), primary_key=True),
    Column("story_id", Integer, nullable=False),
    Column("position", Integer, nullable=False, unique=True),  # clustering order = faiss row
    Column("score", Float, nullable=False),
    Index("ix_story_articles_story", "story_id"),
)
story_links = Table(  # thread evidence: two stories close in content, not one event
    "story_links",
    metadata,
    Column("story_a", Integer, primary_key=True),
    Column("story_b", Integer, primary_key=True),
    Column("score", Float, nullable=False),
)


def _stories_v1(conn: Any) -> None:
    for t in (stories, story_articles, story_links):
        t.create(conn, checkfirst=True)


STORIES = component("stories", [_stories_v1])

story_views = Table(  # computed story pages (get_story), keyed by what they were computed from
    "story_views",
    metadata,
    Column("story_id", Integer, primary_key=True, autoincrement=False),
    Column("version", Text, nullable=False),  # see _view_version
    Column("payload", Text, nullable=False),  # JSON of the StoryView
)


def _story_views_v1(conn: Any) -> None:
    story_views.create(conn, checkfirst=True)


STORY_VIEWS = component("story_views", [_story_views_v1])


def forget_story_views(conn: Any, story_ids: Sequence[int]) -> None:
    """Drop the stored views of these stories (inside the caller's transaction)."""
    ids = sorted({int(i) for i in story_ids})
    for i in range(0, len(ids), 500):
        conn.execute(delete(story_views).where(story_views.c.story_id.in_(ids[i : i + 500])))
