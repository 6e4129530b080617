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
    or_,
    select,
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


ENTITIES = component("entities", [_entities_v1])


def find_person(conn: Connection, name: str, kind: str = "person") -> str | None:
    """The id of the stored person this name refers to (alias, or surname + close first name)."""
    folded = alias_key(name, kind)
    pid = conn.scalar(select(person_aliases.c.person_id).where(person_aliases.c.alias == folded))
    if pid or kind != "person":
        return str(pid) if pid else None
    surname = folded.split()[-1] if folded.split() else ""
    if not surname:
        return None
    cands = conn.execute(
        select(person_aliases.c.person_id, person_aliases.c.name).where(
            or_(person_aliases.c.alias == surname, person_aliases.c.alias.endswith(" " + surname))
        )
    ).all()
    ids = {r.person_id for r in cands if same_person(r.name, name)}
    if len(ids) == 1:
        return str(ids.pop())
    return None


def alias_key(name: str, kind: str) -> str:
    """The folded form a name is looked up by ("the New York Post" → "new york post")."""
    folded = fold(name)
    return folded.removeprefix("the ") if kind != "person" else folded


def unique_id(conn: Connection, base: str) -> str:
    pid, n = base, 1
    while conn.scalar(select(people_table.c.id).where(people_table.c.id == pid)) is not None:
        n += 1
        pid = f"{base}-{n}"
    return pid
