"""The ``quotes`` stage's table: one row per quote, spans into the article text."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Connection,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from newsdesk.store.schema import component, metadata

# -- store ----------------------------------------------------------------------------------
quotes_table = Table(
    "quotes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(40), ForeignKey("articles.id"), nullable=False),
    Column("seq", Integer, nullable=False),  # order within the article
    Column("kind", String(16), nullable=False),  # direct | reported
    Column("content", Text, nullable=False),  # JSON [[start, end], ...]
    Column("text", Text, nullable=False),  # the content spans' text, joined with " … "
    Column("cue_start", Integer),
    Column("cue_end", Integer),
    Column("speaker_start", Integer),
    Column("speaker_end", Integer),
    Column("speaker_mention", Text),  # the speaker span's text as written
    Column("speaker_name", Text),  # resolved: "Serhiy Kyslytsia", "the Ukrainian foreign minister"
    Column("speaker_kind", String(16)),  # person | role | org | other
    Column("role", Text),
    Column("org", Text),  # the country/organization the speaker speaks for, when stated
    Column("published", String(32)),  # the article's date (ISO 8601), for date ordering
    Column("entity_id", String(80)),  # the person (entities stage), once resolved across articles
    Index("ix_quotes_article", "article_id"),
    Index("ix_quotes_speaker_name", "speaker_name"),
    Index("ix_quotes_entity", "entity_id"),
)


# Notes a stage leaves on an article it did not analyse ("German: no quote model reads it"),
# for the article page; shared by the quotes and entities stages.
notes_table = Table(
    "stage_notes",
    metadata,
    Column("article_id", String(40), ForeignKey("articles.id"), primary_key=True),
    Column("stage", String(40), primary_key=True),
    Column("note", Text, nullable=False),
)

# Languages the quote and entity models read (both trained on English news only).
LANGUAGES = frozenset({"en"})


def skip_note(language: str) -> str:
    """The note on an article in a language no quote/entity model reads."""
    return f"not analysed for quotes and people: language {language!r} (models read English only)"


def _quotes_v1(conn: Connection) -> None:
    quotes_table.create(conn, checkfirst=True)


def _notes_v2(conn: Connection) -> None:
    notes_table.create(conn, checkfirst=True)


QUOTES = component("quotes", [_quotes_v1, _notes_v2])
