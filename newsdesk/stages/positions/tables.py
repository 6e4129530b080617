"""The ``positions`` stage's table: one row per claim, spans into the article text."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from newsdesk.store.schema import component, metadata

claims_table = Table(
    "claims",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(40), ForeignKey("articles.id"), nullable=False),
    Column("seq", Integer, nullable=False),  # text order within the article
    Column("kind", String(16), nullable=False),  # statement | quote
    Column("party", Text, nullable=False),  # the party the actor speaks for (parties.toml)
    Column("actor", Text),  # the actor as written
    Column("actor_start", Integer),
    Column("actor_end", Integer),
    Column("evidence", Text, nullable=False),  # JSON [[start, end], ...]
    Column("evidence_text", Text, nullable=False),
    Column("target", Text),  # the item the stance is about, as written (None for quotes)
    Column("target_start", Integer),
    Column("target_end", Integer),
    Column("cue", Text),
    Column("stance", String(16), nullable=False),  # supports | rejects | conditional | unclear
    Column("score", Float, nullable=False),
    Column("published", String(32)),  # the article's date (ISO 8601)
    Column("vector", LargeBinary),  # float16 vector of the target (quotes: of the evidence)
    Column("text_vector", LargeBinary),  # float16 vector of the text the stance was read from
    Column("encoder", String(32)),  # the encoder of both vectors (e5 | wordllama)
    Index("ix_claims_article", "article_id"),
    Index("ix_claims_party", "party"),
)


def _claims_v1(conn: Connection) -> None:
    claims_table.create(conn, checkfirst=True)


CLAIMS = component("claims", [_claims_v1])
