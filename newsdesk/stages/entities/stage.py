"""The ``entities`` stage: people, organizations and places from the entity tagger, merged across articles."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    Connection,
    select,
)

from newsdesk.models import Article
from newsdesk.nlp.names import person_key
from newsdesk.nlp.ner import EntityTagger
from newsdesk.nlp.ner import load_tagger as load_ner
from newsdesk.registry import BaseStage
from newsdesk.settings import Settings
from newsdesk.stages.entities.people import article_entities
from newsdesk.stages.entities.tables import (
    ENTITIES,
    alias_key,
    find_person,
    people_table,
    person_aliases,
    person_mentions,
    unique_id,
)
from newsdesk.stages.quotes.tables import LANGUAGES, notes_table, quotes_table, skip_note
from newsdesk.store.schema import Component

if TYPE_CHECKING:
    from newsdesk.store import Store


def covered(language: str | None) -> bool:
    """Whether the entity and quote models read this language (English; unknown counts as it)."""
    return not language or language.lower().split("-")[0] in LANGUAGES


def record_entities(text: str, tagger: EntityTagger | None = None) -> list[dict[str, Any]]:
    """``newsdesk entities -`` output for one text: every mention with its entry's name."""
    tagger = tagger or load_ner()
    mentions = tagger.entities(text)
    names: dict[tuple[int, int], str] = {}
    for e in article_entities(text, mentions):
        for span in e.spans:
            names[span] = e.name
    return [
        {"span": [m.start, m.end], "type": m.type, "name": names.get((m.start, m.end), m.name)}
        for m in mentions
    ]


def filter_records(
    records: Iterable[dict[str, Any]], tagger: EntityTagger | None = None
) -> Iterator[dict[str, Any]]:
    """``newsdesk entities -``: ``{"id", "text"[, "language"]}`` -> ``{"id", "entities": [...]}``.

    Each entity: ``{"span": [start, end], "type": "PER"|"ORG"|"LOC"|"MISC", "name"}``, character
    offsets into that exact text; ``name`` is the article's name for it ("Keir Starmer" for a
    later "Starmer"). A record in a language the tagger does not read gets no entities and a
    ``note`` saying so.
    """
    tagger = tagger or load_ner()
    for rec in records:
        text = str(rec.get("text") or "")
        lang = rec.get("language")
        if not covered(lang):
            yield {"id": rec.get("id"), "entities": [], "note": skip_note(str(lang))}
            continue
        yield {"id": rec.get("id"), "entities": record_entities(text, tagger)}


class Entities(BaseStage):
    """People, organizations and places from the entity tagger, merged across articles."""

    name: ClassVar[str] = "entities"
    # 2: entries from the entity tagger (nlp/ner), places, language notes (#16)
    version: ClassVar[int] = 2
    requires: ClassVar[frozenset[str]] = frozenset({"text", "quotes"})
    provides: ClassVar[frozenset[str]] = frozenset({"people"})
    tables: ClassVar[tuple[Component, ...]] = (ENTITIES,)

    @classmethod
    def from_settings(cls, settings: Settings) -> Entities:
        return cls()

    def __init__(self) -> None:
        self.tagger = load_ner()

    def process(self, store: Store, conn: Connection, batch: Sequence[Article]) -> None:
        ids = [a.id for a in batch]
        if not ids:
            return
        conn.execute(person_mentions.delete().where(person_mentions.c.article_id.in_(ids)))
        conn.execute(
            notes_table.delete().where(
                notes_table.c.article_id.in_(ids), notes_table.c.stage == self.name
            )
        )
        for a in batch:
            if not covered(a.language):
                conn.execute(
                    notes_table.insert().values(
                        article_id=a.id, stage=self.name, note=skip_note(str(a.language))
                    )
                )
                continue
            rows = conn.execute(
                select(quotes_table)
                .where(quotes_table.c.article_id == a.id)
                .order_by(quotes_table.c.seq)
            ).all()
            qs = [{"speaker_name": r.speaker_name, "id": r.id} for r in rows]
            published = a.published.isoformat() if a.published else None
            entries = article_entities(a.text, self.tagger.entities(a.text), qs)
            name_to_id: dict[str, str] = {}
            mentions: dict[str, dict[str, Any]] = {}  # two spellings can resolve to one person
            for p in entries:
                pid = self._upsert(conn, p.as_dict())
                name_to_id[p.name] = pid
                row = mentions.setdefault(
                    pid,
                    {"person_id": pid, "article_id": a.id, "mentions": 0, "quotes": 0,
                     "role": None, "org": None, "published": published},
                )  # fmt: skip
                row["mentions"] += p.mentions
                row["quotes"] += p.quotes
                row["role"] = row["role"] or p.role
                row["org"] = row["org"] or p.org
            if mentions:
                conn.execute(person_mentions.insert(), list(mentions.values()))
            for q in qs:
                linked = name_to_id.get(q.get("entity_name") or "")
                if linked is None:
                    continue
                conn.execute(
                    quotes_table.update()
                    .where(quotes_table.c.id == q["id"])
                    .values(entity_id=linked, speaker_name=q["entity_name"])
                )

    def _upsert(self, conn: Connection, p: dict[str, Any]) -> str:
        name, kind = p["name"], p["kind"]
        pid = find_person(conn, name, kind)
        if pid is None:
            if kind in ("org", "place"):
                base = kind + "-" + "-".join(alias_key(name, kind).replace(".", "").split())
            else:
                base = person_key(name) or "person"
            pid = unique_id(conn, base)
            conn.execute(
                people_table.insert().values(id=pid, name=name, kind=p["kind"], org=p["org"])
            )
        else:
            cur = conn.execute(select(people_table).where(people_table.c.id == pid)).first()
            values: dict[str, Any] = {}
            if cur is not None and len(name.split()) > len(cur.name.split()):
                values["name"] = name
            if p["org"]:
                values["org"] = p["org"]
            if values:
                conn.execute(people_table.update().where(people_table.c.id == pid).values(**values))
        folded = alias_key(name, kind)
        if (
            conn.scalar(
                select(person_aliases.c.person_id).where(
                    person_aliases.c.person_id == pid, person_aliases.c.alias == folded
                )
            )
            is None
        ):
            conn.execute(person_aliases.insert().values(person_id=pid, alias=folded, name=name))
        return pid

    def filter(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """JSONL ``{"id", "text"}`` → ``{"id", "entities": [{"span", "type", "name"}]}``."""
        return filter_records(records, self.tagger)
