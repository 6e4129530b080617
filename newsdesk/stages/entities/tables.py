"""The ``entities`` stage's tables (people, their aliases, their mentions per article) and the lookups by name that the stage and the read side share."""

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
    bindparam,
    inspect,
    select,
    text,
)

from newsdesk.nlp.names import fold, same_person
from newsdesk.store.schema import component, metadata

# -- store ----------------------------------------------------------------------------------
people_table = Table(
    "people",
    metadata,
    Column("id", String(80), primary_key=True),  # person_key of the first full name seen
    Column("name", Text, nullable=False),  # the longest full name seen
    Column("kind", String(16), nullable=False),  # person | org | place
    Column("org", Text),  # country/organization they speak for (latest stated)
)
person_aliases = Table(
    "person_aliases",
    metadata,
    Column("person_id", String(80), ForeignKey("people.id"), primary_key=True),
    Column("alias", String(200), primary_key=True),  # folded name variant
    Column("name", Text, nullable=False),  # the variant as written
    # the alias's last word: a lone surname finds every full name ending with it through an
    # index (``alias LIKE '% biden'`` scanned the whole table, once per entry of every article)
    Column("last_word", String(200)),
    Index("ix_person_aliases_alias", "alias"),
    Index("ix_person_aliases_last_word", "last_word"),
)
person_mentions = Table(
    "person_mentions",
    metadata,
    Column("person_id", String(80), ForeignKey("people.id"), primary_key=True),
    Column("article_id", String(40), ForeignKey("articles.id"), primary_key=True),
    Column("mentions", Integer, nullable=False, default=1),
    Column("quotes", Integer, nullable=False, default=0),
    Column("role", Text),  # the role the article gives them
    Column("org", Text),
    Column("published", String(32)),
    Index("ix_person_mentions_article", "article_id"),
)


def _entities_v1(conn: Connection) -> None:
    for t in (people_table, person_aliases, person_mentions):
        t.create(conn, checkfirst=True)


def _entities_v2(conn: Connection) -> None:
    """Indexes on the alias and its last word (a store of 3k articles held 10k aliases, and
    every lookup by name scanned them all)."""
    if "last_word" not in {c["name"] for c in inspect(conn).get_columns(person_aliases.name)}:
        conn.execute(text("ALTER TABLE person_aliases ADD COLUMN last_word VARCHAR(200)"))
        rows = conn.execute(select(person_aliases.c.person_id, person_aliases.c.alias)).all()
        if rows:
            conn.execute(
                person_aliases.update()
                .where(
                    person_aliases.c.person_id == bindparam("pid"),
                    person_aliases.c.alias == bindparam("a"),
                )
                .values(last_word=bindparam("l")),
                [{"pid": r.person_id, "a": r.alias, "l": last_word(r.alias)} for r in rows],
            )
    for index in person_aliases.indexes:
        index.create(conn, checkfirst=True)


ENTITIES = component("entities", [_entities_v1, _entities_v2])


def last_word(alias: str) -> str:
    """The last word of a folded alias ("joe biden" → "biden"; "biden" → "biden")."""
    words = alias.split()
    return words[-1] if words else alias


def find_person(conn: Connection, name: str, kind: str = "person") -> str | None:
    """The id of the stored person this name refers to, or None (a new person, or ambiguous).

    A full name: its alias, else the one stored person whose full names are variants of it
    (:func:`same_person` against every full-name alias and the person's name), else a person
    stored under the surname alone when no other person has that surname. A single word
    ("Biden", from "President Biden" or "Mr. Biden"): the one stored person whose full name
    ends with it; when several do ("Boris Johnson", "Mike Johnson") it stays apart, as the
    person stored under that word alone (or a new one).
    """
    folded = alias_key(name, kind)
    words = folded.split()
    if kind != "person":
        for key in dict.fromkeys((folded, fold(name).removeprefix("the "))):
            # (the second: the key an organization had before ``alias_key`` ordered its words)
            pid = conn.scalar(
                select(person_aliases.c.person_id).where(person_aliases.c.alias == key)
            )
            if pid:
                return str(pid)
        return None
    if len(words) > 1:
        pid = conn.scalar(
            select(person_aliases.c.person_id).where(person_aliases.c.alias == folded)
        )
        if pid:
            return str(pid)
    if not words:
        return None
    surname = words[-1]
    rows = conn.execute(
        select(
            person_aliases.c.person_id,
            person_aliases.c.name,
            people_table.c.name.label("canon"),
            people_table.c.kind,
        )
        .join(people_table, people_table.c.id == person_aliases.c.person_id)
        .where(person_aliases.c.last_word == surname)
    ).all()
    # a place or organization named by the surname alone ("America" for the tagger's PER
    # "Latin America", "Save America"): the entry such a name joins when no person fits, as
    # before #16's ambiguity rules (people are never matched against other kinds otherwise)
    other = {r.person_id for r in rows if r.kind != "person" and fold(r.canon) == surname}
    rows = [r for r in rows if r.kind == "person"]
    canon = {r.person_id: r.canon for r in rows}
    full = {
        pid
        for pid, n in canon.items()
        if len(fold(n).split()) > 1 and fold(n).split()[-1] == surname
    }
    alone = {pid for pid, n in canon.items() if fold(n) == surname}
    if len(words) == 1:
        if len(full) == 1:
            return str(next(iter(full)))
        if alone:
            return str(min(alone))
        pid = conn.scalar(
            select(person_aliases.c.person_id).where(person_aliases.c.alias == folded)
        )
        return str(pid) if pid and not full else None
    ids = {
        r.person_id
        for r in rows
        if len(r.name.split()) > 1 and same_person(r.name, name) and same_person(r.canon, name)
    }
    if len(ids) == 1:
        return str(ids.pop())
    if not ids and len(alone) == 1 and not full:
        return str(next(iter(alone)))  # "Biden" stored first, and no other Biden known
    if not ids and not alone and not full and len(other) == 1:
        return str(next(iter(other)))
    return None


def alias_key(name: str, kind: str) -> str:
    """The folded form a name is looked up by ("the New York Post" → "new york post").

    An organization's also drops a leading "U.S." before two or more words ("U.S. Food and
    Drug Administration" is the Food and Drug Administration of US news) and reads "Labor
    Department" as "department of labor" (both spellings name one department).
    """
    folded = fold(name)
    if kind == "person":
        return folded
    words = folded.removeprefix("the ").split()
    if len(words) > 2 and words[0] in _NATIONAL_PREFIXES:
        words = words[1:]
    if 2 <= len(words) <= 4 and words[-1] == "department" and "of" not in words:
        words = ["department", "of", *words[:-1]]
    return " ".join(words)


_NATIONAL_PREFIXES = frozenset({"u.s.", "us", "u.s"})


def unique_id(conn: Connection, base: str) -> str:
    pid, n = base, 1
    while conn.scalar(select(people_table.c.id).where(people_table.c.id == pid)) is not None:
        n += 1
        pid = f"{base}-{n}"
    return pid
