"""The ``cluster`` stage: articles about one event, from any outlet, become a story.

See :mod:`newsdesk.stages.cluster.clusterer` for the method. The stage feeds the pipeline's
batches to the clusterer that holds the store's state (:mod:`.index`), writes the stories, their
articles and thread evidence (:mod:`.threads`), and drops the stored views of the stories it
changed (the read side, :mod:`newsdesk.views.stories`, recomputes them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import Connection, delete, select, update

from newsdesk.models import Article
from newsdesk.nlp.embed import Encoder, LazyEncoder, embed_text, get_encoder
from newsdesk.registry import BaseStage
from newsdesk.settings import Settings
from newsdesk.stages.cluster.clusterer import BATCH, Clusterer
from newsdesk.stages.cluster.index import ENGINES, engine_for, index_path, save_index
from newsdesk.stages.cluster.records import add_multilingual, cluster_records, items_from_records
from newsdesk.stages.cluster.scoring import DEFAULT, Params
from newsdesk.stages.cluster.tables import (
    STORIES,
    STORY_VIEWS,
    forget_story_views,
    stories,
    story_articles,
    story_links,
    story_views,
)
from newsdesk.stages.cluster.threads import Threads, add_links, merge_stories
from newsdesk.store.schema import Component, article_stages, articles

if TYPE_CHECKING:
    from newsdesk.store import Store


class Cluster(BaseStage):
    """Group articles about the same event, from any outlet, into stories (online)."""

    name: ClassVar[str] = "cluster"
    requires: ClassVar[frozenset[str]] = frozenset({"text", "sentences"})
    provides: ClassVar[frozenset[str]] = frozenset({"stories"})
    tables: ClassVar[tuple[Component, ...]] = (STORIES, STORY_VIEWS)

    def __init__(
        self,
        encoder_name: str | None = None,
        batch_size: int = BATCH,
        settings: Settings | None = None,
        threshold: float | None = None,
        story_encoder: str | None = "use",
    ) -> None:
        self.encoder_name = encoder_name
        self.batch_size = batch_size
        self.settings = settings
        self.threshold = threshold  # None: JOIN
        # None or "none": one language only (no cross-language scores)
        self.story_encoder = None if story_encoder in (None, "", "none") else story_encoder
        self.params: Params = DEFAULT  # the join score's weights (benchmarks vary them)

    @classmethod
    def from_settings(cls, settings: Settings) -> Cluster:
        return cls(
            settings.encoder or None,
            batch_size=max(1, settings.story_batch or BATCH),
            settings=settings,
            threshold=settings.story_threshold or None,
            story_encoder=settings.story_encoder,
        )

    def encoder(self) -> Encoder:
        return get_encoder(self.encoder_name)

    def multilingual(self) -> Encoder | None:
        """The multilingual encoder for cross-language scores (None: one language only)."""
        # loaded on first use: a one-language store never loads it
        return LazyEncoder(self.story_encoder) if self.story_encoder else None

    def process(self, store: Store, conn: Connection, batch: Sequence[Article]) -> None:
        enc, menc = self.encoder(), self.multilingual()
        eng = engine_for(store, conn, self.settings, enc, self.threshold, menc)
        cl = eng.clusterer
        todo = [a for a in batch if a.id not in cl.pos_of]
        placed = [a.id for a in batch if a.id in cl.pos_of]
        if placed:
            # a revised article (a new version: its marks were dropped) stays in its story,
            # which the clusterer cannot take an article out of; the story's row (title,
            # counts, dates) is recomputed from the new metadata and its stored views dropped
            sids = sorted(
                set(
                    conn.scalars(
                        select(story_articles.c.story_id).where(
                            story_articles.c.article_id.in_(placed)
                        )
                    )
                )
            )
            refresh_stories(conn, cl, sids)
            forget_story_views(conn, sids)
        if not todo:
            return
        records = [
            {
                "id": a.id,
                "title": a.title,
                "text": a.text,
                "published": a.published,
                "duplicate_of": a.duplicate_of,
                "captions": list(a.captions),
                "language": a.language or "",
            }
            for a in todo
        ]
        n0 = len(cl.keys)
        items = items_from_records(records, enc)
        if menc is not None and cl.mixed(items):
            add_multilingual(items, [embed_text(a.title, a.text) for a in todo], menc)
        assigned = cl.add(items)
        conn.execute(
            story_articles.insert(),
            [
                {"article_id": a.key, "story_id": a.story, "position": n0 + i, "score": a.score}
                for i, a in enumerate(assigned)
            ],
        )
        new = {a.story for a in assigned if a.new}
        if new:
            conn.execute(
                stories.insert(),
                [{"id": s, "articles": 0, "outlets": 0, "thread_id": s} for s in sorted(new)],
            )
        final: dict[int, int] = {}  # merged-away story -> the story it went into
        for a in assigned:
            for drop in a.merged:
                merge_stories(conn, drop, a.story)
                final[drop] = a.story

        def resolve(sid: int) -> int:
            while sid in final:
                sid = final[sid]
            return sid

        touched = sorted({resolve(a.story) for a in assigned})
        refresh_stories(conn, cl, touched)
        add_links(
            conn, [(resolve(a.story), resolve(o), sim) for a in assigned for o, sim in a.links]
        )
        forget_story_views(conn, [*touched, *final])

    def filter(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """``newsdesk cluster -``: each record with its story (ids in creation order from 1)."""
        threads = Threads()
        stream = cluster_records(
            records,
            self.encoder(),
            self.batch_size,
            self.threshold,
            self.multilingual(),
            self.params,
        )
        for rec, a in stream:
            for other in a.merged:
                threads.union(a.story, other)
            for other, _sim in a.links:
                threads.union(a.story, other)
            out = {
                "id": rec.get("id"),
                "story": a.story,
                "score": a.score,
                "new_story": a.new,
                "thread": threads.find(a.story),
            }
            if a.merged:  # earlier lines' stories that are now part of this one
                out["merged"] = list(a.merged)
            yield out


def refresh_stories(conn: Any, cl: Clusterer, sids: Sequence[int]) -> None:
    """Recompute the stored summary row (title, counts, dates) of the stories ``sids``."""
    for i in range(0, len(sids), 200):
        chunk = list(sids[i : i + 200])
        rows = conn.execute(
            select(
                story_articles.c.story_id,
                articles.c.id,
                articles.c.title,
                articles.c.outlet,
                articles.c.published,
            )
            .join(articles, articles.c.id == story_articles.c.article_id)
            .where(story_articles.c.story_id.in_(chunk))
        ).all()
        by_story: dict[int, list[Any]] = {}
        for r in rows:
            by_story.setdefault(int(r[0]), []).append(r)
        for sid, members in by_story.items():
            info = {r[1]: r for r in members}
            title = next(
                (
                    info[cl.keys[p]][2]
                    for p in cl.central(sid)
                    if cl.keys[p] in info and info[cl.keys[p]][2]
                ),
                None,
            )
            dates = sorted(r[4] for r in members if r[4])
            conn.execute(
                update(stories)
                .where(stories.c.id == sid)
                .values(
                    title=title,
                    articles=len(members),
                    outlets=len({r[3] for r in members if r[3]}),
                    first_published=dates[0] if dates else None,
                    last_published=dates[-1] if dates else None,
                )
            )


def reset(store: Store, settings: Settings) -> None:
    """Forget every story, the clusterer's state and its index file, and the stage's marks, so
    that the next run clusters every article again in arrival order (``api.recluster``)."""
    path = index_path(store, settings)
    with store.begin() as conn:
        conn.execute(delete(story_links))
        conn.execute(delete(story_views))
        conn.execute(delete(story_articles))
        conn.execute(delete(stories))
        conn.execute(delete(article_stages).where(article_stages.c.stage == Cluster.name))
    ENGINES.pop(str(store.engine.url), None)
    for p in (path, f"{path}.json") if path else ():
        Path(p).unlink(missing_ok=True)


def save_state(store: Store, settings: Settings) -> None:
    """Write the index file for what this process's clusterer holds (after a full rebuild)."""
    eng = ENGINES.get(str(store.engine.url))
    if eng is not None:
        save_index(index_path(store, settings), eng, Cluster.from_settings(settings).encoder())
