"""The ``summarize`` stage's table: one summary (sentence spans) per article."""

from __future__ import annotations

from sqlalchemy import Column, Connection, String, Table, Text

from newsdesk.store.schema import component, metadata

summaries = Table(
    "summaries",
    metadata,
    Column("article_id", String(40), primary_key=True),
    Column("method", String(32), nullable=False),
    Column("sentences", Text, nullable=False),  # JSON [[start, end], ...]
)


def _summaries_v1(conn: Connection) -> None:
    summaries.create(conn, checkfirst=True)


SUMMARIES = component("summaries", [_summaries_v1])
