"""The ``entities`` stage: people and organizations from titles and quote speakers, merged across articles."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    Connection,
    select,
)

from newsdesk.models import Article
from newsdesk.nlp.names import person_key, same_person
from newsdesk.registry import BaseStage
from newsdesk.settings import Settings
from newsdesk.stages.entities.people import people_of_article
from newsdesk.stages.entities.tables import (
    ENTITIES,
    alias_key,
    find_person,
    people_table,
    person_aliases,
    person_mentions,
    unique_id,
)
from newsdesk.stages.quotes.extract import extract
from newsdesk.stages.quotes.tables import quotes_table
from newsdesk.stages.quotes.tagger import load_tagger
from newsdesk.store.schema import Component

if TYPE_CHECKING:
    from newsdesk.store import Store


def filter_records(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """``newsdesk entities -``: the people of each ``{"id", "text"}`` record."""
    tagger = load_tagger()
    for rec in records:
        text = rec.get("text") or ""
        yield {"id": rec.get("id"), "people": people_of_article(text, extract(text, tagger))}


class Entities(BaseStage):
    """People and organizations from titles and quote speakers, merged across articles."""

    name: ClassVar[str] = "entities"
    requires: ClassVar[frozenset[str]] = frozenset({"text", "quotes"})
    provides: ClassVar[frozenset[str]] = frozenset({"people"})
    tables: ClassVar[tuple[Component, ...]] = (ENTITIES,)

    @classmethod
    def from_settings(cls, settings: Settings) -> Entities:
        return cls()

    def process(self, store: Store, conn: Connection, batch: Sequence[Article]) -> None:
        ids = [a.id for a in batch]
        if not ids:
            return
        conn.execute(person_mentions.delete().where(person_mentions.c.article_id.in_(ids)))
        for a in batch:
            rows = conn.execute(
                select(quotes_table)
                .where(quotes_table.c.article_id == a.id)
                .order_by(quotes_table.c.seq)
            ).all()
            qs = [
                {
                    "speaker_name": r.speaker_name,
                    "role": r.role,
                    "org": r.org,
                    "speaker_mention": r.speaker_mention,
                    "speaker_kind": r.speaker_kind,
                }
                for r in rows
            ]
            published = a.published.isoformat() if a.published else None
            name_to_id: dict[str, str] = {}
            mentions: dict[str, dict[str, Any]] = {}  # two spellings can resolve to one person
            for p in people_of_article(a.text, qs):
                if p["kind"] == "role":
                    continue  # an unnamed role ("the minister") is a speaker, not a person page
                pid = self._upsert(conn, p)
                name_to_id[p["name"]] = pid
                row = mentions.setdefault(
                    pid,
                    {"person_id": pid, "article_id": a.id, "mentions": 0, "quotes": 0,
                     "role": None, "org": None, "published": published},
                )  # fmt: skip
                row["mentions"] += p["mentions"]
                row["quotes"] += p["quotes"]
                row["role"] = row["role"] or p["role"]
                row["org"] = row["org"] or p["org"]
            if mentions:
                conn.execute(person_mentions.insert(), list(mentions.values()))
            for r in rows:
                if not r.speaker_name:
                    continue
                pid = name_to_id.get(r.speaker_name) or next(
                    (v for k, v in name_to_id.items() if same_person(k, r.speaker_name)), None
                )
                conn.execute(
                    quotes_table.update().where(quotes_table.c.id == r.id).values(entity_id=pid)
                )

    def _upsert(self, conn: Connection, p: dict[str, Any]) -> str:
        name, kind = p["name"], p["kind"]
        pid = find_person(conn, name, kind)
        if pid is None:
            if kind == "org":
                base = "org-" + "-".join(alias_key(name, kind).replace(".", "").split())
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
        """JSONL ``{"id", "text"}`` → ``{"id", "people": [{"name", "role", "org", ...}]}``."""
        return filter_records(records)
