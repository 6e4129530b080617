"""Tables (SQLAlchemy Core) and migrations, per component.

Each component (core articles, summaries, quotes, stories, search…) owns its tables and an
ordered list of migrations. ``schema_migrations`` records the version each component has
reached, so a component can be added or extended without touching the others. Migrations are
plain functions of a connection, so they run the same on SQLite and PostgreSQL.

A component module calls :func:`component` at import time; :func:`migrate` applies what is
missing, each component's steps in order, inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
)

metadata = MetaData()

Migration = Callable[[Connection], None]


@dataclass(frozen=True, slots=True)
class Component:
    name: str
    migrations: tuple[Migration, ...]


_COMPONENTS: dict[str, Component] = {}


def component(name: str, migrations: list[Migration]) -> Component:
    """Register a schema component and its ordered migrations (idempotent per name)."""
    comp = Component(name, tuple(migrations))
    _COMPONENTS[name] = comp
    return comp


def components() -> list[Component]:
    return list(_COMPONENTS.values())


schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("component", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
)

articles = Table(
    "articles",
    metadata,
    # seq gives a dense integer key (FTS rowid, ordering by arrival); id is the stable public key
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("source", Text, nullable=False),
    Column("url", Text),
    Column("title", Text),
    Column("outlet", Text),
    Column("published", String(32)),  # ISO 8601; text sorts correctly on both backends
    Column("authors", Text, nullable=False, default="[]"),  # JSON list
    Column("category", Text),
    Column("language", String(16)),
    Column("captions", Text, nullable=False, default="[]"),  # JSON list
    Column("reading_minutes", Integer),
    Column("word_count", Integer, nullable=False, default=0),
    Column("text", Text, nullable=False),
    Column("sentences", Text, nullable=False, default="[]"),  # JSON [[start, end], ...]
    Column("duplicate_of", String(40)),
    Column("content_hash", String(64), nullable=False),
    Column("ingested_at", String(32), nullable=False),
    Index("ix_articles_published", "published"),
    Index("ix_articles_outlet", "outlet"),
    Index("ix_articles_content_hash", "content_hash"),
    Index("ix_articles_duplicate_of", "duplicate_of"),
)

# MinHash signatures for near-duplicate detection, loaded into an LSH index when ingesting.
article_minhash = Table(
    "article_minhash",
    metadata,
    Column("article_id", String(40), ForeignKey("articles.id"), primary_key=True),
    Column("signature", Text, nullable=False),  # hex of the uint32 hash values
)

# Which stage has processed which article: lets an interrupted run resume where it stopped.
article_stages = Table(
    "article_stages",
    metadata,
    Column("article_id", String(40), ForeignKey("articles.id"), primary_key=True),
    Column("stage", String(64), primary_key=True),
    Column("version", Integer, nullable=False, default=1),
    Column("seconds", Float),
)


def _core_v1(conn: Connection) -> None:
    for table in (articles, article_minhash, article_stages):
        table.create(conn, checkfirst=True)


component("core", [_core_v1])


def migrate(conn: Connection) -> dict[str, int]:
    """Bring every registered component up to its latest version; return the versions."""
    schema_migrations.create(conn, checkfirst=True)
    done = dict(
        conn.execute(select(schema_migrations.c.component, schema_migrations.c.version)).all()
    )
    for comp in components():
        have = int(done.get(comp.name, 0))
        for version, step in enumerate(comp.migrations[have:], start=have + 1):
            step(conn)
            if version == 1:
                conn.execute(schema_migrations.insert().values(component=comp.name, version=1))
            else:
                conn.execute(
                    schema_migrations.update()
                    .where(schema_migrations.c.component == comp.name)
                    .values(version=version)
                )
            done[comp.name] = version
    return {k: int(v) for k, v in done.items()}
