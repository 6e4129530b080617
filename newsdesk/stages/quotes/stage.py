"""The ``quotes`` stage: who said what in every article."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    Connection,
)

from newsdesk.models import Article
from newsdesk.registry import BaseStage
from newsdesk.settings import Settings
from newsdesk.stages.quotes.extract import extract
from newsdesk.stages.quotes.tables import LANGUAGES, QUOTES, notes_table, quotes_table, skip_note
from newsdesk.stages.quotes.tagger import QuoteTagger, load_tagger
from newsdesk.store.schema import Component

if TYPE_CHECKING:
    from newsdesk.store import Store


FILTER_KEYS = ("content", "cue", "speaker", "speaker_name", "role", "kind")


def filter_records(
    records: Iterable[dict[str, Any]], tagger: QuoteTagger | None = None
) -> Iterator[dict[str, Any]]:
    """``newsdesk quotes -``: one ``{"id", "quotes": [...]}`` per ``{"id", "text"}`` record.

    ``tagger``: another model (benchmarks/quotes.py ``--model``); default the shipped one.
    """
    tagger = tagger or load_tagger()
    for rec in records:
        lang = rec.get("language")
        if lang and str(lang).lower().split("-")[0] not in LANGUAGES:
            yield {"id": rec.get("id"), "quotes": [], "note": skip_note(str(lang))}
            continue
        found = extract(str(rec.get("text") or ""), tagger)
        yield {"id": rec.get("id"), "quotes": [{k: q[k] for k in FILTER_KEYS} for q in found]}


def quote_text(text: str, content: Sequence[Sequence[int]]) -> str:
    return " … ".join(text[s:e] for s, e in content)


def _rows(article: Article, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    text = article.text
    published = article.published.isoformat() if article.published else None
    rows = []
    for n, q in enumerate(found):
        cue, spk = q["cue"], q["speaker"]
        rows.append(
            {
                "article_id": article.id,
                "seq": n,
                "kind": q["kind"],
                "content": json.dumps(q["content"]),
                "text": quote_text(text, q["content"]),
                "cue_start": cue[0] if cue else None,
                "cue_end": cue[1] if cue else None,
                "speaker_start": spk[0] if spk else None,
                "speaker_end": spk[1] if spk else None,
                "speaker_mention": text[spk[0] : spk[1]] if spk else None,
                "speaker_name": q["speaker_name"],
                "speaker_kind": q.get("speaker_kind"),
                "role": q["role"],
                "org": q.get("org"),
                "published": published,
                "entity_id": None,
            }
        )
    return rows


class Quotes(BaseStage):
    """Direct quotes and reported speech with cue, speaker, role (CRF tagger + linking rules)."""

    name: ClassVar[str] = "quotes"
    # 2: speech and attitude cues only (stances and actions split off), language notes (#16)
    version: ClassVar[int] = 2
    requires: ClassVar[frozenset[str]] = frozenset({"text", "sentences"})
    provides: ClassVar[frozenset[str]] = frozenset({"quotes"})
    tables: ClassVar[tuple[Component, ...]] = (QUOTES,)

    def __init__(self) -> None:
        self.tagger = load_tagger()

    @classmethod
    def from_settings(cls, settings: Settings) -> Quotes:
        return cls()

    def process(self, store: Store, conn: Connection, batch: Sequence[Article]) -> None:
        ids = [a.id for a in batch]
        if not ids:
            return
        conn.execute(quotes_table.delete().where(quotes_table.c.article_id.in_(ids)))
        conn.execute(
            notes_table.delete().where(
                notes_table.c.article_id.in_(ids), notes_table.c.stage == self.name
            )
        )
        rows = []
        for a in batch:
            if a.language and a.language.lower().split("-")[0] not in LANGUAGES:
                # an English tagger misreads other languages ("Sie" as a speaker): skip, say so
                conn.execute(
                    notes_table.insert().values(
                        article_id=a.id, stage=self.name, note=skip_note(a.language)
                    )
                )
                continue
            rows.extend(_rows(a, extract(a.text, self.tagger)))
        if rows:
            conn.execute(quotes_table.insert(), rows)

    def filter(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """JSONL ``{"id", "text"[, "language"]}`` → ``{"id", "quotes": [...]}`` (character offsets
        into ``text``; a language no model reads gets no quotes and a ``note``)."""
        return filter_records(records)
