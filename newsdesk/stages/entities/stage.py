"""The ``entities`` stage: people, organizations and places from the entity tagger, merged across articles."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    Connection,
    bindparam,
    inspect,
    select,
)

from newsdesk.models import Article
from newsdesk.nlp.names import fold, person_key
from newsdesk.nlp.ner import EntityTagger
from newsdesk.nlp.ner import load_tagger as load_ner
from newsdesk.registry import BaseStage
from newsdesk.settings import Settings
from newsdesk.stages.cluster.tables import story_articles
from newsdesk.stages.entities.people import Entry, article_entities
from newsdesk.stages.entities.tables import (
    ENTITIES,
    Lookups,
    alias_key,
    find_person,
    people_table,
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
    # 3: a lone surname resolves to the one full name in the article, story or store (#16)
    version: ClassVar[int] = 3
    requires: ClassVar[frozenset[str]] = frozenset({"text", "quotes"})
    provides: ClassVar[frozenset[str]] = frozenset({"people"})
    tables: ClassVar[tuple[Component, ...]] = (ENTITIES,)

    @classmethod
    def from_settings(cls, settings: Settings) -> Entities:
        return cls()

    def __init__(self) -> None:
        self.tagger = load_ner()

    def process(self, store: Store, conn: Connection, batch: Sequence[Article]) -> None:
        """Each article's entries, stored as people with their mentions and linked quotes.

        Full names first, the batch's before its single words: a lone "Biden" then finds the
        person a full name made, in the article (``article_entities``), else among the people
        of the other articles of its story (when exactly one of them has a full name ending
        or starting with it), else in the store (:func:`find_person`).
        """
        ids = [a.id for a in batch]
        if not ids:
            return
        conn.execute(person_mentions.delete().where(person_mentions.c.article_id.in_(ids)))
        conn.execute(
            notes_table.delete().where(
                notes_table.c.article_id.in_(ids), notes_table.c.stage == self.name
            )
        )
        read: list[tuple[Article, list[Entry], list[dict[str, Any]]]] = []
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
            read.append((a, article_entities(a.text, self.tagger.entities(a.text), qs), qs))
        known = Lookups()  # this transaction's reads of the people tables, kept (#20)
        _prefetch(conn, known, [p for _, entries, _ in read for p in entries])
        pids: dict[tuple[str, str], str] = {}  # (article id, entry name) -> person id
        people_of: dict[str, dict[str, str]] = defaultdict(dict)  # article id -> {pid: name}
        for a, entries, _ in read:
            for p in entries:
                if p.kind != "person" or len(p.name.split()) > 1:
                    pid = self._upsert(conn, p.as_dict(), known=known)
                    pids[(a.id, p.name)] = pid
                    if p.kind == "person":
                        people_of[a.id][pid] = p.name
        known.flush(conn)
        stories = _story_people(conn, [a.id for a, _, _ in read], people_of)
        for a, entries, _ in read:
            for p in entries:
                if (a.id, p.name) not in pids:
                    hint = _in_story(stories.get(a.id, {}), p.name)
                    pids[(a.id, p.name)] = self._upsert(conn, p.as_dict(), hint, known)
        known.flush(conn)
        names = _names(conn, set(pids.values()))
        stored: list[dict[str, Any]] = []  # every article's mentions, one multi-row insert
        speakers: list[dict[str, Any]] = []  # the linked quotes, one executemany
        for a, entries, qs in read:
            published = a.published.isoformat() if a.published else None
            mentions: dict[str, dict[str, Any]] = {}  # two spellings can resolve to one person
            for p in entries:
                pid = pids[(a.id, p.name)]
                row = mentions.setdefault(
                    pid,
                    {"person_id": pid, "article_id": a.id, "mentions": 0, "quotes": 0,
                     "role": None, "org": None, "published": published},
                )  # fmt: skip
                row["mentions"] += p.mentions
                row["quotes"] += p.quotes
                row["role"] = row["role"] or p.role
                row["org"] = row["org"] or p.org
            stored.extend(mentions.values())
            for q in qs:
                linked = pids.get((a.id, q.get("entity_name") or ""))
                if linked is not None:  # the speaker as the person's page names them ("Joe Biden")
                    name = names.get(linked, q["entity_name"])
                    speakers.append({"qid": q["id"], "pid": linked, "name": name})
        if stored:
            conn.execute(person_mentions.insert(), stored)
        if speakers:
            conn.execute(
                quotes_table.update()
                .where(quotes_table.c.id == bindparam("qid"))
                .values(entity_id=bindparam("pid"), speaker_name=bindparam("name")),
                speakers,
            )

    def _upsert(
        self,
        conn: Connection,
        p: dict[str, Any],
        pid: str | None = None,
        known: Lookups | None = None,
    ) -> str:
        """The stored person of entry ``p`` (``pid`` when the story resolved it), created or
        updated (a longer full name renames the person and their linked quotes); ``known``:
        the batch's reads, kept and updated with what this writes."""
        known = known or Lookups(keep=False)
        name, kind = p["name"], p["kind"]
        found = pid or find_person(conn, name, kind, known)
        for alias in p.get("aliases") or ():  # "FDA" stored before "Food and Drug Administration"
            found = found or find_person(conn, alias, kind, known)
        if found is None:
            pid = unique_id(conn, _base_id(name, kind), known)
            known.add_person(conn, pid, name, p["kind"], p["org"])
        else:
            pid = found
            cur = known.person(conn, pid)  # (name, kind)
            values: dict[str, Any] = {}
            longer = cur is not None and len(name.split()) > len(cur[0].split())
            if longer and cur is not None and cur[1] == kind:  # not "America" -> "Latin America"
                values["name"] = name
                conn.execute(
                    quotes_table.update()
                    .where(quotes_table.c.entity_id == pid)
                    .values(speaker_name=name)
                )
            if p["org"]:
                values["org"] = p["org"]
            if values:
                known.update_person(conn, pid, values)
        for written in (name, *(p.get("aliases") or ())):
            folded = alias_key(written, kind)
            if not known.has_alias(conn, pid, folded):
                known.add_alias(conn, pid, folded, written)
        return pid

    def filter(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """JSONL ``{"id", "text"}`` → ``{"id", "entities": [{"span", "type", "name"}]}``."""
        return filter_records(records, self.tagger)


def _base_id(name: str, kind: str) -> str:
    """The id a new person of this name gets (``unique_id`` numbers it when taken)."""
    if kind in ("org", "place"):
        return kind + "-" + "-".join(alias_key(name, kind).replace(".", "").split())
    return person_key(name) or "person"


def _prefetch(conn: Connection, known: Lookups, entries: Sequence[Entry]) -> None:
    """What :func:`find_person` and ``_upsert`` will read for these entries, read at once: the
    folded names and aliases, the surnames of people, the ids new people would get."""
    keys, words, ids = set(), set(), set()
    for p in entries:
        for written in (p.name, *(p.aliases or ())):
            folded = alias_key(written, p.kind)
            keys.add(folded)
            if p.kind == "person":
                if folded.split():
                    words.add(folded.split()[-1])
            else:
                keys.add(fold(written).removeprefix("the "))
            ids.add(_base_id(written, p.kind))
    known.prefetch(conn, keys, words, ids)


def _story_people(
    conn: Connection, article_ids: Sequence[str], batch_people: dict[str, dict[str, str]]
) -> dict[str, dict[str, str]]:
    """For each article, the people ({id: name as written}) of the other articles of its story:
    stored mentions, and the full names of this batch (``batch_people``, not stored yet)."""
    if not article_ids or not inspect(conn).has_table(story_articles.name):
        return {}
    sa = story_articles
    story_of: dict[str, int] = {}
    for i in range(0, len(article_ids), 500):
        chunk = list(article_ids[i : i + 500])
        story_of.update(
            conn.execute(
                select(sa.c.article_id, sa.c.story_id).where(sa.c.article_id.in_(chunk))
            ).all()
        )
    if not story_of:
        return {}
    members: dict[int, set[str]] = defaultdict(set)
    sids = sorted(set(story_of.values()))
    for i in range(0, len(sids), 500):
        for aid, sid in conn.execute(
            select(sa.c.article_id, sa.c.story_id).where(sa.c.story_id.in_(sids[i : i + 500]))
        ):
            members[sid].add(aid)
    others = sorted({m for ms in members.values() for m in ms} - set(article_ids))
    stored: dict[str, dict[str, str]] = defaultdict(dict)
    pm = person_mentions
    for i in range(0, len(others), 500):
        for aid, pid, name in conn.execute(
            select(pm.c.article_id, people_table.c.id, people_table.c.name)
            .join(people_table, people_table.c.id == pm.c.person_id)
            .where(pm.c.article_id.in_(others[i : i + 500]), people_table.c.kind == "person")
        ):
            stored[aid][pid] = name
    out: dict[str, dict[str, str]] = {}
    for aid, sid in story_of.items():
        found: dict[str, str] = {}
        for other in members[sid] - {aid}:
            found.update(stored.get(other) or batch_people.get(other) or {})
        out[aid] = found
    return out


def _in_story(people: dict[str, str], name: str) -> str | None:
    """The one person of the story whose full name ends or starts with ``name`` ("Biden" in
    "Joe Biden"); None when no one or several do (two Johnsons)."""
    parts = fold(name).split()
    n = len(parts)
    hits = set()
    for pid, full in people.items():
        pp = fold(full).split()
        if len(pp) > n and (pp[-n:] == parts or pp[:n] == parts):
            hits.add(pid)
    return hits.pop() if len(hits) == 1 else None


def _names(conn: Connection, pids: set[str]) -> dict[str, str]:
    """The stored (longest) name of each person id."""
    ids, out = sorted(pids), dict[str, str]()
    for i in range(0, len(ids), 500):
        out.update(
            conn.execute(
                select(people_table.c.id, people_table.c.name).where(
                    people_table.c.id.in_(ids[i : i + 500])
                )
            ).all()
        )
    return out
