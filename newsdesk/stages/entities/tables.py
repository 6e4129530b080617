"""The ``entities`` stage's tables (people, their aliases, their mentions per article) and the lookups by name that the stage and the read side share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import (
    Column,
    Connection,
    ForeignKey,
    Index,
    Integer,
    Select,
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


def find_person(
    conn: Connection, name: str, kind: str = "person", known: Lookups | None = None
) -> str | None:
    """The id of the stored person this name refers to, or None (a new person, or ambiguous).

    A full name: its alias, else the one stored person whose full names are variants of it
    (:func:`same_person` against every full-name alias and the person's name), else a person
    stored under the surname alone when no other person has that surname. A single word
    ("Biden", from "President Biden" or "Mr. Biden"): the one stored person whose full name
    ends with it; when several do ("Boris Johnson", "Mike Johnson") it stays apart, as the
    person stored under that word alone (or a new one).

    ``known``: the entities stage's reads of this transaction, kept (:class:`Lookups`).
    """
    look = known or Lookups(keep=False)
    folded = alias_key(name, kind)
    words = folded.split()
    if kind != "person":
        for key in dict.fromkeys((folded, fold(name).removeprefix("the "))):
            # (the second: the key an organization had before ``alias_key`` ordered its words)
            pid = look.alias(conn, key)
            if pid:
                return str(pid)
        return None
    if len(words) > 1:
        pid = look.alias(conn, folded)
        if pid:
            return str(pid)
    if not words:
        return None
    surname = words[-1]
    rows = look.surname(conn, surname)
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
        pid = look.alias(conn, folded)
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


class Alias(NamedTuple):
    """A stored alias with its person's name and kind (a row of :meth:`Lookups.surname`)."""

    person_id: str
    name: str  # the alias as written
    canon: str  # the person's (longest) name
    kind: str


class Lookups:
    """The reads :func:`find_person` and the entities stage make, kept for one transaction.

    Resolving one batch read the same aliases, surnames and people again for every entry (a
    cProfile of 1k articles: ~35 s in these round trips, #20). With ``keep`` the answers are
    kept, and the stage's own writes (:meth:`add_person`, :meth:`update_person`,
    :meth:`add_alias`) update them, so every answer is the one the store would give: valid only
    while nothing else writes the people tables (one stage transaction). New people and aliases
    are kept back and written in multi-row inserts (:meth:`flush`) before the next read of the
    store. Without ``keep`` each read and write goes to the store (the read side's lookups).
    """

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        self._alias: dict[str, str | None] = {}  # folded alias -> its first person id
        self._surname: dict[str, list[tuple[str, str]]] = {}  # last word -> (pid, alias name)
        self._people: dict[str, tuple[str, str] | None] = {}  # id -> (name, kind)
        self._aliases_of: dict[str, set[str]] = {}  # id -> folded aliases stored
        # writes kept back, then written in two multi-row inserts before the next read
        self._new_people: dict[str, dict[str, Any]] = {}
        self._new_aliases: list[dict[str, Any]] = []

    def flush(self, conn: Connection) -> None:
        """Write the people and aliases kept back (people first: aliases reference them)."""
        if self._new_people:
            conn.execute(people_table.insert(), list(self._new_people.values()))
            self._new_people.clear()
        if self._new_aliases:
            conn.execute(person_aliases.insert(), self._new_aliases)
            self._new_aliases = []

    def prefetch(
        self,
        conn: Connection,
        aliases: Iterable[str],
        surnames: Iterable[str],
        ids: Iterable[str],
    ) -> None:
        """Read at once (500 a query) what a batch's entries will look up: these folded
        aliases (an alias two people share is left to :meth:`alias`, which asks the store whose
        row comes first), every alias ending with these last words, and these person ids."""
        if not self.keep:
            return
        self.flush(conn)
        pa = person_aliases
        keys = sorted(set(aliases) - self._alias.keys())
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            owners: dict[str, set[str]] = {k: set() for k in chunk}
            for pid, key in conn.execute(
                select(pa.c.person_id, pa.c.alias).where(pa.c.alias.in_(chunk))
            ):
                owners[key].add(pid)
            for key, pids in owners.items():
                if len(pids) <= 1:
                    self._alias[key] = next(iter(pids), None)
        words = sorted(set(surnames) - self._surname.keys())
        for i in range(0, len(words), 500):
            chunk = words[i : i + 500]
            found: dict[str, list[tuple[str, str]]] = {w: [] for w in chunk}
            for r in conn.execute(_by_last_word(*chunk)):
                found[r.last_word].append((r.person_id, r.name))
                self._people.setdefault(r.person_id, (r.canon, r.kind))
            self._surname.update(found)
        wanted = sorted(set(ids) - self._people.keys())
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            rows = conn.execute(
                select(people_table.c.id, people_table.c.name, people_table.c.kind).where(
                    people_table.c.id.in_(chunk)
                )
            )
            got = {r.id: (r.name, r.kind) for r in rows}
            self._people.update({pid: got.get(pid) for pid in chunk})

    def alias(self, conn: Connection, key: str) -> str | None:
        """The person id of a row with this folded alias (the store's first), or None."""
        if self.keep and key in self._alias:
            return self._alias[key]
        self.flush(conn)
        pid = conn.scalar(select(person_aliases.c.person_id).where(person_aliases.c.alias == key))
        if self.keep:
            self._alias[key] = pid
        return pid

    def surname(self, conn: Connection, word: str) -> list[Alias]:
        """Every alias whose last word is ``word``, with its person's name and kind."""
        if not self.keep:
            return [Alias(r[0], r[1], r[2], r[3]) for r in conn.execute(_by_last_word(word))]
        if word not in self._surname:
            self.flush(conn)
            pairs = []
            for r in conn.execute(_by_last_word(word)):
                pairs.append((r.person_id, r.name))
                self._people.setdefault(r.person_id, (r.canon, r.kind))
            self._surname[word] = pairs
        out = []
        for pid, name in self._surname[word]:
            person = self.person(conn, pid)
            assert person is not None  # the join found the person
            out.append(Alias(pid, name, *person))
        return out

    def person(self, conn: Connection, pid: str) -> tuple[str, str] | None:
        """(name, kind) of the stored person ``pid``, or None."""
        if self.keep and pid in self._people:
            return self._people[pid]
        self.flush(conn)
        row = conn.execute(
            select(people_table.c.name, people_table.c.kind).where(people_table.c.id == pid)
        ).first()
        found = (row.name, row.kind) if row is not None else None
        if self.keep:
            self._people[pid] = found
        return found

    def has_alias(self, conn: Connection, pid: str, folded: str) -> bool:
        """Whether person ``pid`` has the folded alias stored (their aliases read at once)."""
        if not self.keep:
            return (
                conn.scalar(
                    select(person_aliases.c.person_id).where(
                        person_aliases.c.person_id == pid, person_aliases.c.alias == folded
                    )
                )
                is not None
            )
        if pid not in self._aliases_of:
            self.flush(conn)
            self._aliases_of[pid] = set(
                conn.scalars(
                    select(person_aliases.c.alias).where(person_aliases.c.person_id == pid)
                )
            )
        return folded in self._aliases_of[pid]

    def add_person(self, conn: Connection, pid: str, name: str, kind: str, org: str | None) -> None:
        """Store a new person (kept back with ``keep``, written before the next read)."""
        row = {"id": pid, "name": name, "kind": kind, "org": org}
        if not self.keep:
            conn.execute(people_table.insert(), row)
            return
        self._new_people[pid] = row
        self._people[pid] = (name, kind)
        self._aliases_of[pid] = set()  # a new id has none (aliases reference people)

    def update_person(self, conn: Connection, pid: str, values: dict[str, Any]) -> None:
        """Set the person's ``name`` and/or ``org``."""
        cur = self._people.get(pid)
        if "name" in values and cur is not None:
            self._people[pid] = (values["name"], cur[1])
        if pid in self._new_people:
            self._new_people[pid].update(values)
        else:
            conn.execute(people_table.update().where(people_table.c.id == pid).values(**values))

    def add_alias(self, conn: Connection, pid: str, folded: str, written: str) -> None:
        """Store an alias of person ``pid`` (kept back with ``keep``, like :meth:`add_person`)."""
        row = {"person_id": pid, "alias": folded, "name": written, "last_word": last_word(folded)}
        if not self.keep:
            conn.execute(person_aliases.insert(), row)
            return
        self._new_aliases.append(row)
        if folded in self._alias:
            if self._alias[folded] in (None, pid):
                self._alias[folded] = pid
            else:  # another person has it too: which row the store returns first, it says
                del self._alias[folded]
        self._aliases_of.setdefault(pid, set()).add(folded)
        pairs = self._surname.get(last_word(folded))
        if pairs is not None:
            pairs.append((pid, written))


def _by_last_word(*words: str) -> Select[Any]:
    return (
        select(
            person_aliases.c.person_id,
            person_aliases.c.name,
            people_table.c.name.label("canon"),
            people_table.c.kind,
            person_aliases.c.last_word,
        )
        .join(people_table, people_table.c.id == person_aliases.c.person_id)
        .where(person_aliases.c.last_word.in_(words))
    )


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


def unique_id(conn: Connection, base: str, known: Lookups | None = None) -> str:
    look = known or Lookups(keep=False)
    pid, n = base, 1
    while look.person(conn, pid) is not None:
        n += 1
        pid = f"{base}-{n}"
    return pid
