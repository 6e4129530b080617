"""Tables (SQLAlchemy Core) and migrations, per component.

Each component (the core articles and their full-text index here; each stage's own tables in
``stages/<name>/tables.py``) owns its tables and an ordered list of migrations.
``schema_migrations`` records the version each component has reached, so a component can be
added or extended without touching the others. Migrations are plain functions of a connection,
so they run the same on SQLite and PostgreSQL.

The store imports no stage: whoever opens it hands it the components to migrate (the registry
collects them from the stages, see :func:`newsdesk.api.open_store`); :func:`migrate` applies
what is missing, each component's steps in order, inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
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
    text,
)

metadata = MetaData()

Migration = Callable[[Connection], None]


@dataclass(frozen=True, slots=True)
class Component:
    name: str
    migrations: tuple[Migration, ...]


def component(name: str, migrations: list[Migration]) -> Component:
    """A schema component: its name and its ordered migrations."""
    return Component(name, tuple(migrations))


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
    # a revised article is found by its URL; a hash index on PostgreSQL, as a B-tree entry is
    # limited to ~2.7 kB and URLs are not
    Index("ix_articles_url", "url", postgresql_using="hash"),
)

# MinHash signatures for near-duplicate detection, loaded into an LSH index when ingesting.
article_minhash = Table(
    "article_minhash",
    metadata,
    Column("article_id", String(40), ForeignKey("articles.id"), primary_key=True),
    Column("signature", Text, nullable=False),  # hex of the uint32 hash values
)

# The near-duplicate index (MinHash LSH, ``ingest.dedupe``): one row per band of each stored
# signature, so a lookup reads the few articles that share a band with a new one instead of
# every signature loaded into memory when an ingest starts (a minute and gigabytes at 1M).
article_lsh = Table(
    "article_lsh",
    metadata,
    Column("band_key", BigInteger, nullable=False),  # 64-bit hash of (band, its hash values)
    Column("article_id", String(40), ForeignKey("articles.id"), nullable=False),
    Index("ix_article_lsh_key", "band_key"),
    Index("ix_article_lsh_article", "article_id"),
)
# The banding those keys were made with (one row); another threshold rebuilds the bands.
lsh_params = Table(
    "lsh_params",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("bands", Integer, nullable=False),
    Column("band_rows", Integer, nullable=False),
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


# Revised articles: every version of an article that changed (the same URL, or feed guid,
# ingested again with other text). Version 1 is the text first stored, copied here when the
# first revision arrives; the highest version is the article's current text (``articles``).
# An article never revised has no rows.
article_versions = Table(
    "article_versions",
    metadata,
    Column("article_id", String(40), ForeignKey("articles.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("title", Text),
    Column("text", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("url", Text),
    Column("source", Text, nullable=False),
    Column("published", String(32)),
    Column("ingested_at", String(32), nullable=False),  # when this version arrived
)


def _core_v1(conn: Connection) -> None:
    for table in (articles, article_minhash, article_stages):
        table.create(conn, checkfirst=True)


# The PostgreSQL full-text expression. Since core version 5 it is stored, as the generated
# column ``articles.tsv`` (PostgreSQL only, not in the table above: nothing reads or writes it
# but the full-text index and query), so ranking reads a stored vector instead of parsing
# every matching article's text again.
PG_TSV_EXPR = (
    "to_tsvector('english', coalesce(title, '') || ' ' || coalesce(outlet, '') || ' ' || text)"
)
PG_TSV = "tsv"


def _fulltext_v1(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        # SQLite-only DDL: an external-content FTS5 table over articles, synced by triggers.
        for stmt in (
            "CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5("
            "title, text, outlet, content='articles', content_rowid='seq', "
            "tokenize='porter unicode61 remove_diacritics 2')",
            "CREATE TRIGGER IF NOT EXISTS articles_fts_ai AFTER INSERT ON articles BEGIN "
            "INSERT INTO articles_fts(rowid, title, text, outlet) "
            "VALUES (new.seq, new.title, new.text, new.outlet); END",
            "CREATE TRIGGER IF NOT EXISTS articles_fts_ad AFTER DELETE ON articles BEGIN "
            "INSERT INTO articles_fts(articles_fts, rowid, title, text, outlet) "
            "VALUES ('delete', old.seq, old.title, old.text, old.outlet); END",
            "CREATE TRIGGER IF NOT EXISTS articles_fts_au AFTER UPDATE ON articles BEGIN "
            "INSERT INTO articles_fts(articles_fts, rowid, title, text, outlet) "
            "VALUES ('delete', old.seq, old.title, old.text, old.outlet); "
            "INSERT INTO articles_fts(rowid, title, text, outlet) "
            "VALUES (new.seq, new.title, new.text, new.outlet); END",
            "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
        ):
            conn.execute(text(stmt))
    elif conn.dialect.name == "postgresql":
        # PostgreSQL full text: an expression index, so no extra column or trigger to keep in sync.
        conn.execute(
            text(
                f"CREATE INDEX IF NOT EXISTS ix_articles_fts ON articles USING GIN ({PG_TSV_EXPR})"
            )
        )


def _fulltext_v2(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        # SQLite-only: make FTS5's ``rank`` column bm25 with the title weighted 4x (text, outlet 1x).
        conn.execute(
            text(
                "INSERT INTO articles_fts(articles_fts, rank) VALUES ('rank', 'bm25(4.0, 1.0, 1.0)')"
            )
        )


def _versions_v1(conn: Connection) -> None:
    article_versions.create(conn, checkfirst=True)
    next(i for i in articles.indexes if i.name == "ix_articles_url").create(conn, checkfirst=True)


def _fulltext_v3(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        # PostgreSQL only: the tsvector stored (a generated column, kept by PostgreSQL itself on
        # every insert and update) with its GIN index, in place of the expression index: ranking
        # with the expression parsed each match's text again. Text search on 1k articles (100
        # two-word title queries): p50 67-105 -> 19-34 ms, p95 261-2376 -> 32-46 ms.
        conn.execute(
            text(
                "ALTER TABLE articles ADD COLUMN IF NOT EXISTS tsv tsvector "
                f"GENERATED ALWAYS AS ({PG_TSV_EXPR}) STORED"
            )
        )
        conn.execute(text("CREATE INDEX IF NOT EXISTS ix_articles_tsv ON articles USING GIN (tsv)"))
        conn.execute(text("DROP INDEX IF EXISTS ix_articles_fts"))


# The full-text index was the "search" component's in 0.1 (its steps are idempotent, so a store
# made then replays them once under "core" without harm).
def _lsh_v1(conn: Connection) -> None:
    # the bands of signatures stored before are made when an ingest first opens the index
    for table in (article_lsh, lsh_params):
        table.create(conn, checkfirst=True)


CORE = component(
    "core", [_core_v1, _fulltext_v1, _fulltext_v2, _versions_v1, _fulltext_v3, _lsh_v1]
)


def migrate(conn: Connection, components: Sequence[Component] = ()) -> dict[str, int]:
    """Bring the core and ``components`` up to their latest versions; return every version."""
    schema_migrations.create(conn, checkfirst=True)
    done = dict(
        conn.execute(select(schema_migrations.c.component, schema_migrations.c.version)).all()
    )
    for comp in (CORE, *[c for c in components if c.name != CORE.name]):
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
