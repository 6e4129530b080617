"""The ``embed`` stage's table: one vector per article and model."""

from __future__ import annotations

from sqlalchemy import Column, Connection, ForeignKey, Integer, LargeBinary, String, Table

from newsdesk.store.schema import component, metadata

# One vector per article, from the encoder named in ``model`` (vectors of another model are ignored).
article_vectors = Table(
    "article_vectors",
    metadata,
    Column("article_seq", Integer, ForeignKey("articles.seq"), primary_key=True),
    Column("article_id", String(40), nullable=False, unique=True),
    Column("model", String(64), nullable=False),
    Column("vector", LargeBinary, nullable=False),  # float32, L2-normalised, little-endian
)


def _embed_v1(conn: Connection) -> None:
    article_vectors.create(conn, checkfirst=True)


EMBED = component("embed", [_embed_v1])
