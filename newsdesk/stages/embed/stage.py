"""The ``embed`` stage: one sentence-embedding vector per article (title + lead) for search."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from sqlalchemy import Connection, select

from newsdesk.models import Article
from newsdesk.nlp.embed import Encoder, embed_text, get_encoder
from newsdesk.registry import BaseStage
from newsdesk.settings import Settings
from newsdesk.stages.embed.tables import EMBED, article_vectors
from newsdesk.store.schema import Component, articles

if TYPE_CHECKING:
    from newsdesk.store import Store


class Embed(BaseStage):
    """One sentence-embedding vector per article (title + lead) for semantic search."""

    name: ClassVar[str] = "embed"
    requires: ClassVar[frozenset[str]] = frozenset({"text"})
    provides: ClassVar[frozenset[str]] = frozenset({"embedding"})
    tables: ClassVar[tuple[Component, ...]] = (EMBED,)

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder

    @classmethod
    def from_settings(cls, settings: Settings) -> Embed:
        return cls(get_encoder(settings.encoder or None))

    def process(self, store: Store, conn: Connection, batch: Sequence[Article]) -> None:
        if not batch:
            return
        vecs = np.asarray(
            self.encoder.encode([embed_text(a.title, a.text) for a in batch]), dtype="<f4"
        )
        seqs = dict(
            conn.execute(
                select(articles.c.id, articles.c.seq).where(
                    articles.c.id.in_([a.id for a in batch])
                )
            ).all()
        )
        rows = [
            {"article_seq": seqs[a.id], "article_id": a.id, "model": self.encoder.name,
             "vector": vecs[i].tobytes()}
            for i, a in enumerate(batch)
            if a.id in seqs
        ]  # fmt: skip
        if rows:
            conn.execute(
                article_vectors.delete().where(
                    article_vectors.c.article_id.in_([r["article_id"] for r in rows])
                )
            )
            conn.execute(article_vectors.insert(), rows)

    def filter(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """``newsdesk embed -``: ``{"id", "text", "title"?}`` → ``{"id", "model", "vector"}``."""
        for rec in records:
            text = embed_text(rec.get("title"), str(rec.get("text") or ""))
            vec = np.asarray(self.encoder.encode([text]), dtype=np.float32)[0]
            yield {
                "id": rec.get("id"),
                "model": self.encoder.name,
                "vector": [round(float(x), 6) for x in vec],
            }
