"""The store: one SQLAlchemy engine, the schema, and the article read/write operations.

``open_store(url)`` takes a SQLite path (the default, one file in WAL mode) or any SQLAlchemy
URL (``postgresql+psycopg://…`` with the ``postgres`` extra). Everything goes through
SQLAlchemy Core, so stages never see the backend. Writes happen inside ``store.begin()``
transactions: a batch is stored whole or not at all.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from newsdesk.errors import NotFound, StoreError
from newsdesk.models import Article, ArticleVersion
from newsdesk.store import schema
from newsdesk.store.schema import (
    article_lsh,
    article_minhash,
    article_stages,
    article_versions,
    articles,
    lsh_params,
)


def db_url(db: str) -> str:
    """A SQLAlchemy URL for ``db``: URLs pass through, anything else is a SQLite file path."""
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser()}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cur.execute("PRAGMA synchronous=NORMAL")  # durable at each WAL checkpoint; safe with WAL
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=120000")  # a writer waits its turn (Store.begin)
    cur.close()


WRITE_LOCK = 20_201_857  # the PostgreSQL advisory lock key of a store's writers (any constant)


class Store:
    """A migrated database plus the core article operations."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.migrated: set[str] = set()  # components brought up to date through this object

    def ensure(self, components: Sequence[schema.Component]) -> None:
        """Migrate the core and whichever of ``components`` this store object has not yet."""
        todo = [c for c in components if c.name not in self.migrated]
        if self.migrated and not todo:
            return
        with self.engine.begin() as conn:
            schema.migrate(conn, todo)
        self.migrated |= {schema.CORE.name, *(c.name for c in todo)}

    # -- transactions ---------------------------------------------------------------------
    @contextmanager
    def begin(self, busy_ms: int | None = None) -> Iterator[Connection]:
        """A write transaction: committed on success, rolled back on any exception.

        It takes the store's write lock first, so what it reads before writing is current:
        two processes writing one store (a CLI ingest, ``POST /api/articles``, ``newsdesk
        run``) take turns, batch by batch, and never both process or insert the same article.
        On SQLite a write that changes nothing takes the database's write lock (waiting up to
        ``busy_timeout``, 2 minutes, behind another writer); on PostgreSQL a transaction-scoped advisory
        lock does the same. Readers are never blocked (WAL; MVCC). ``busy_ms`` (SQLite): wait
        at most this long for the lock instead (a cache write that may as well give up).
        """
        try:
            with self.engine.begin() as conn:
                if self.dialect == "sqlite":
                    wait = None
                    if busy_ms is not None:
                        wait = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
                        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(busy_ms)}")
                    try:
                        conn.exec_driver_sql(
                            "UPDATE schema_migrations SET version = version WHERE 0"
                        )
                    finally:
                        if wait is not None:
                            conn.exec_driver_sql(f"PRAGMA busy_timeout={int(wait)}")
                elif self.dialect == "postgresql":
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
                yield conn
        except OperationalError as exc:  # disk full, read-only, locked: a clear one-line error
            raise StoreError(write_failure(self.engine.url.database or "", exc)) from exc

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()

    # -- articles -------------------------------------------------------------------------
    def existing_ids(self, conn: Connection, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = list(ids[i : i + 500])
            found.update(conn.scalars(select(articles.c.id).where(articles.c.id.in_(chunk))))
        return found

    def id_by_content_hash(
        self, conn: Connection, content_hash: str, exclude: str | None = None
    ) -> str | None:
        q = select(articles.c.id).where(articles.c.content_hash == content_hash)
        if exclude is not None:
            q = q.where(articles.c.id != exclude)
        row = conn.execute(q.limit(1)).first()
        return row[0] if row else None

    def content_hashes(self, conn: Connection, ids: Sequence[str]) -> dict[str, str]:
        """The current content hash of each stored article among ``ids``."""
        found: dict[str, str] = {}
        for i in range(0, len(ids), 500):
            chunk = list(ids[i : i + 500])
            q = select(articles.c.id, articles.c.content_hash).where(articles.c.id.in_(chunk))
            found.update((r[0], r[1]) for r in conn.execute(q))
        return found

    def article_at_url(self, conn: Connection, url: str) -> tuple[str, str] | None:
        """(id, content hash) of the stored article at this canonical URL (the latest stored,
        when a store made before versions holds several), or None."""
        row = conn.execute(
            select(articles.c.id, articles.c.content_hash)
            .where(articles.c.url == url)
            .order_by(articles.c.seq.desc())
            .limit(1)
        ).first()
        return (row[0], row[1]) if row else None

    def revise_article(
        self, conn: Connection, article_id: str, new: Article, signature: str
    ) -> int:
        """Make ``new`` the current version of the stored article ``article_id`` (whose id
        stays): the versions table keeps every text (the first one copied there now if this is
        the first revision), the article row takes the new text and metadata, its MinHash
        signature is replaced, and every stage's mark is dropped, so the next run analyses it
        again. Returns the new version's number."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        have = int(
            conn.scalar(
                select(func.max(article_versions.c.version)).where(
                    article_versions.c.article_id == article_id
                )
            )
            or 0
        )
        if have == 0:
            old = conn.execute(select(articles).where(articles.c.id == article_id)).mappings().one()
            conn.execute(article_versions.insert().values(_version_row(old, 1, old["ingested_at"])))
            have = 1
        row = _article_row(new, now)
        conn.execute(article_versions.insert().values(_version_row(row, have + 1, now)))
        for key in ("id", "ingested_at"):
            row.pop(key)
        if new.url is None:
            row.pop("url")  # a guid's version without a link keeps the article's URL
        conn.execute(articles.update().where(articles.c.id == article_id).values(row))
        conn.execute(
            article_minhash.update()
            .where(article_minhash.c.article_id == article_id)
            .values(signature=signature)
        )
        conn.execute(article_stages.delete().where(article_stages.c.article_id == article_id))
        return have + 1

    def versions(self, article_id: str) -> list[ArticleVersion]:
        """Every version of a revised article, oldest first (empty: never revised)."""
        with self.connect() as conn:
            rows = conn.execute(
                select(article_versions)
                .where(article_versions.c.article_id == article_id)
                .order_by(article_versions.c.version)
            ).mappings()
            return [ArticleVersion(**dict(r)) for r in rows]

    def count_versions(self, article_id: str) -> int:
        """How many versions a revised article has (0: never revised)."""
        with self.connect() as conn:
            q = select(func.count()).where(article_versions.c.article_id == article_id)
            return int(conn.scalar(q) or 0)

    def add_articles(self, conn: Connection, batch: Sequence[Article]) -> None:
        if not batch:
            return
        now = datetime.now(UTC).isoformat(timespec="seconds")
        conn.execute(articles.insert(), [_article_row(a, now) for a in batch])

    def add_minhashes(self, conn: Connection, rows: Sequence[tuple[str, str]]) -> None:
        if rows:
            conn.execute(
                article_minhash.insert(), [{"article_id": i, "signature": s} for i, s in rows]
            )

    # -- the near-duplicate index's bands (ingest.dedupe) -----------------------------------
    def lsh_candidates(self, conn: Connection, keys: Sequence[int]) -> set[str]:
        """Ids of the stored articles sharing at least one band key with ``keys``."""
        return set(
            conn.scalars(select(article_lsh.c.article_id).where(article_lsh.c.band_key.in_(keys)))
        )

    def minhashes(self, conn: Connection, ids: Sequence[str]) -> dict[str, str]:
        """The stored signatures (hex) of these articles."""
        out: dict[str, str] = {}
        for i in range(0, len(ids), 500):
            chunk = list(ids[i : i + 500])
            out.update(
                conn.execute(
                    select(article_minhash.c.article_id, article_minhash.c.signature).where(
                        article_minhash.c.article_id.in_(chunk)
                    )
                ).all()
            )
        return out

    def set_lsh_bands(self, conn: Connection, rows: Sequence[tuple[str, int]]) -> None:
        """Replace the band keys of the articles in ``rows`` ((article id, band key) pairs)."""
        ids = sorted({i for i, _ in rows})
        for i in range(0, len(ids), 500):
            conn.execute(article_lsh.delete().where(article_lsh.c.article_id.in_(ids[i : i + 500])))
        if rows:
            conn.execute(article_lsh.insert(), [{"article_id": i, "band_key": k} for i, k in rows])

    def lsh_banding(self, conn: Connection) -> tuple[int, int] | None:
        """(bands, rows per band) the stored band keys were made with; None: none made yet."""
        row = conn.execute(select(lsh_params.c.bands, lsh_params.c.band_rows)).first()
        return (int(row[0]), int(row[1])) if row else None

    def reset_lsh(self, conn: Connection, bands: int, band_rows: int) -> None:
        """Drop every band key, to be made again with this banding."""
        conn.execute(article_lsh.delete())
        conn.execute(lsh_params.delete())
        conn.execute(lsh_params.insert().values(id=1, bands=bands, band_rows=band_rows))

    def iter_minhashes(self) -> Iterator[tuple[str, str]]:
        with self.connect() as conn:
            for row in conn.execute(
                select(article_minhash.c.article_id, article_minhash.c.signature)
            ):
                yield row[0], row[1]

    def get_article(self, article_id: str) -> Article:
        """The article with this id, or the one article whose id starts with this prefix (of any
        length); a prefix several ids share is a NotFound saying so."""
        with self.connect() as conn:
            row = (
                conn.execute(select(articles).where(articles.c.id == article_id)).mappings().first()
            )
            if row is None and article_id:
                rows = (
                    conn.execute(
                        select(articles)
                        .where(articles.c.id.startswith(article_id, autoescape=True))
                        .limit(2)
                    )
                    .mappings()
                    .all()
                )
                if len(rows) == 2:
                    raise NotFound(
                        f"{article_id!r} starts more than one article id; give more characters"
                    )
                row = rows[0] if rows else None
        if row is None:
            raise NotFound(f"no article {article_id!r}")
        return article_from_row(row)

    def articles_by_ids(self, conn: Connection, ids: Sequence[str]) -> list[Article]:
        out: dict[str, Article] = {}
        for i in range(0, len(ids), 500):
            chunk = list(ids[i : i + 500])
            for row in conn.execute(select(articles).where(articles.c.id.in_(chunk))).mappings():
                out[row["id"]] = article_from_row(row)
        return [out[i] for i in ids if i in out]

    def list_articles(
        self,
        limit: int = 20,
        offset: int = 0,
        outlet: str | None = None,
        category: str | None = None,
        include_duplicates: bool = True,
        language: str | None = None,
    ) -> list[Article]:
        """Latest first: by publication date, then arrival."""
        q = select(articles)
        if outlet:
            q = q.where(articles.c.outlet == outlet)
        if language:
            q = q.where(articles.c.language == language.lower())
        if category:
            q = q.where(articles.c.category == category)
        if not include_duplicates:
            q = q.where(articles.c.duplicate_of.is_(None))
        q = q.order_by(articles.c.published.desc().nulls_last(), articles.c.seq.desc())
        q = q.limit(limit).offset(offset)
        with self.connect() as conn:
            return [article_from_row(r) for r in conn.execute(q).mappings()]

    def iter_articles(self, batch: int = 500) -> Iterator[Article]:
        """Every article in arrival order, read in pages (bounded memory)."""
        last = 0
        while True:
            with self.connect() as conn:
                rows = (
                    conn.execute(
                        select(articles)
                        .where(articles.c.seq > last)
                        .order_by(articles.c.seq)
                        .limit(batch)
                    )
                    .mappings()
                    .all()
                )
            if not rows:
                return
            for r in rows:
                yield article_from_row(r)
            last = rows[-1]["seq"]

    def count_articles(self) -> int:
        with self.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(articles)) or 0)

    # -- stage bookkeeping ----------------------------------------------------------------
    def pending_ids(self, stage: str, version: int = 1, limit: int | None = None) -> list[str]:
        """Ids of articles (in arrival order) that ``stage`` at ``version`` has not processed:
        never processed, or processed by another (older) version of the stage."""
        done = select(article_stages.c.article_id).where(
            article_stages.c.stage == stage, article_stages.c.version == version
        )
        q = select(articles.c.id).where(articles.c.id.not_in(done)).order_by(articles.c.seq)
        if limit:
            q = q.limit(limit)
        with self.connect() as conn:
            return list(conn.scalars(q))

    def count_pending(self, stage: str, version: int = 1) -> int:
        """How many articles ``stage`` at ``version`` has still to process."""
        done = select(article_stages.c.article_id).where(
            article_stages.c.stage == stage, article_stages.c.version == version
        )
        q = select(func.count()).select_from(articles).where(articles.c.id.not_in(done))
        with self.connect() as conn:
            return int(conn.scalar(q) or 0)

    def mark_done(
        self,
        conn: Connection,
        stage: str,
        ids: Sequence[str],
        seconds: float = 0.0,
        version: int = 1,
    ) -> None:
        """Record that ``stage`` at ``version`` processed ``ids`` (replacing older marks)."""
        if not ids:
            return
        per = seconds / len(ids)
        for i in range(0, len(ids), 500):
            chunk = list(ids[i : i + 500])
            conn.execute(
                article_stages.delete().where(
                    article_stages.c.stage == stage, article_stages.c.article_id.in_(chunk)
                )
            )
        conn.execute(
            article_stages.insert(),
            [{"article_id": i, "stage": stage, "version": version, "seconds": per} for i in ids],
        )

    def reset_stage(self, conn: Connection, stage: str) -> None:
        conn.execute(article_stages.delete().where(article_stages.c.stage == stage))

    def backup(self, dest: str) -> int:
        """A consistent copy of this SQLite store at ``dest`` through SQLite's online backup API
        (the WAL's commits included; readers and writers go on). Never overwrites; the copy is
        written beside ``dest`` and renamed into place when complete. The cluster stage's faiss
        index is not copied: it is rebuilt from the database when it does not match. Returns
        the copy's size in bytes."""
        if self.dialect != "sqlite":
            raise StoreError("backup copies SQLite stores; for PostgreSQL use pg_dump")
        target = Path(dest).expanduser()
        if target.exists():
            raise StoreError(f"{dest} exists; a backup never overwrites a file")
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        raw = self.engine.raw_connection()
        try:
            out = sqlite3.connect(partial)
            try:
                raw.driver_connection.backup(out)  # type: ignore[union-attr]
            finally:
                out.close()
        except sqlite3.Error as exc:
            partial.unlink(missing_ok=True)
            raise StoreError(f"backup to {dest} failed: {exc}") from exc
        finally:
            raw.close()
        partial.replace(target)
        return target.stat().st_size


def _article_row(a: Article, now: str) -> dict[str, Any]:
    return {
        "id": a.id,
        "source": a.source,
        "url": a.url,
        "title": a.title,
        "outlet": a.outlet,
        "published": a.published.isoformat() if a.published else None,
        "authors": json.dumps(list(a.authors), ensure_ascii=False),
        "category": a.category,
        "language": a.language,
        "captions": json.dumps(list(a.captions), ensure_ascii=False),
        "reading_minutes": a.reading_minutes,
        "word_count": a.word_count,
        "text": a.text,
        "sentences": json.dumps([list(s) for s in a.sentences]),
        "duplicate_of": a.duplicate_of,
        "content_hash": a.content_hash,
        "ingested_at": now,
    }


def _version_row(row: Any, version: int, when: str) -> dict[str, Any]:
    keep = ("title", "text", "content_hash", "url", "source", "published")
    return {"article_id": row["id"], "version": version, "ingested_at": when} | {
        k: row[k] for k in keep
    }


def article_from_row(row: Any) -> Article:
    published = row["published"]
    return Article(
        id=row["id"],
        source=row["source"],
        text=row["text"],
        title=row["title"],
        url=row["url"],
        outlet=row["outlet"],
        published=datetime.fromisoformat(published) if published else None,
        authors=tuple(json.loads(row["authors"] or "[]")),
        category=row["category"],
        language=row["language"],
        captions=tuple(json.loads(row["captions"] or "[]")),
        reading_minutes=row["reading_minutes"],
        word_count=row["word_count"] or 0,
        # the stored offsets are JSON integers: map(tuple) is 2.6x faster than int() per pair
        sentences=tuple(map(tuple, json.loads(row["sentences"] or "[]"))),
        duplicate_of=row["duplicate_of"],
        content_hash=row["content_hash"],
    )


def open_store(db: str, components: Sequence[schema.Component] = (), create: bool = True) -> Store:
    """Open (creating and migrating as needed) the store at ``db``: a path or a SQLAlchemy URL.

    The core tables are always migrated; ``components`` (the stages' tables, which the registry
    collects: :func:`newsdesk.api.open_store`) too. With ``create`` off, a SQLite file that does
    not exist is a StoreError (commands that only read must not make an empty store of a
    mistyped ``--db``).
    """
    url = db_url(db)
    if not create and url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:" and not Path(path).exists():
            raise StoreError(
                f"no store at {path} (a mistyped --db? `newsdesk ingest` or `newsdesk demo` "
                "creates one)"
            )
    try:
        if url.startswith("sqlite"):
            path = url.removeprefix("sqlite:///")
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url)
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        store = Store(engine)
        store.ensure(components)
    except OperationalError as exc:
        raise StoreError(f"cannot open store {db!r}: {write_failure(db, exc)}") from exc
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open store {db!r}: {exc.__class__.__name__}: {exc}") from exc
    return store


def write_failure(db: str, exc: OperationalError) -> str:
    """What a failed write means for the user, in one line: the disk is full, the store is
    read-only, or another writer held the lock too long; the transaction was rolled back."""
    message = " ".join(str(exc.orig or exc).split())
    low = message.lower()
    undone = "the batch being written was rolled back, nothing is half-written"
    if "disk is full" in low or "no space left" in low or "could not extend file" in low:
        return f"the store's disk is full ({message}): {undone}; free space and run it again"
    path = Path(db) if db and "://" not in db and db != ":memory:" else None
    read_only = "readonly" in low or "read-only" in low
    if path is not None and not read_only and "unable to open" in low:
        target = path if path.exists() else path.parent
        read_only = target.exists() and not os.access(target, os.W_OK)
    if read_only:
        return (
            f"the store {db!r} is read-only ({message}): newsdesk needs write access to the "
            "file and its folder (SQLite keeps its write-ahead log beside it)"
        )
    if "locked" in low:
        return (
            f"the store is busy ({message}): another process held its write lock for over "
            f"2 minutes; {undone}; run it again"
        )
    return f"{exc.__class__.__name__}: {message}"
