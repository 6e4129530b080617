"""Search on PostgreSQL: the tsvector branch behind the dialect check, and the web pages over it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newsdesk import api
from newsdesk.api import open_store
from newsdesk.search import Filters, search
from newsdesk.settings import Settings
from newsdesk.web.app import create_app
from tests.store.test_postgres import pg_url  # noqa: F401  (the throwaway-server fixture)

pytestmark = pytest.mark.postgres


def test_fulltext_search_on_postgres(pg_url: str, tmp_path: Path) -> None:  # noqa: F811
    docs = tmp_path / "pg.jsonl"
    rows = [
        {"title": "Glacier retreat measured in Patagonia", "outlet": "Polar Post", "published": "2025-02-01",
         "text": "Scientists measured the glacier retreat over a decade. The ice lost forty metres."},
        {"title": "Harbour cranes arrive in Rotterdam", "outlet": "Port Daily", "published": "2025-03-01",
         "text": "Three new cranes arrived in the harbour on Monday. Workers welcomed them."},
    ]  # fmt: skip
    docs.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    settings = Settings.load(db=pg_url)
    store = open_store(pg_url)
    try:
        report = api.ingest([str(docs)], store, settings, run_stages=False)
        assert report.ok, report.errors
        hits = search(store, "glaciers retreating", mode="text").hits  # stemmed: english config
        assert [h.title for h in hits][:1] == ["Glacier retreat measured in Patagonia"]
        assert search(store, "cranes", mode="text", filters=Filters(outlet="Polar Post")).hits == ()
        client = TestClient(create_app(settings, store=store))
        page = client.get("/search.json?q=harbour+cranes&mode=text").json()
        assert page["hits"][0]["title"] == "Harbour cranes arrive in Rotterdam"
        assert client.get("/").status_code == 200
    finally:
        store.close()


def test_stored_tsvector_migration_on_postgres(pg_url: str, tmp_path: Path) -> None:  # noqa: F811
    # a store made at core version 4 (the expression index) is brought to version 5 (and on): the tsvector
    # stored in articles.tsv with its GIN index, the expression index gone; a revised article is
    # found by its new words only (the generated column follows an UPDATE)
    import psycopg
    from sqlalchemy import create_engine, text

    from newsdesk.store import schema

    admin = pg_url.rsplit("/", 1)[0].replace("+psycopg", "") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute("DROP DATABASE IF EXISTS upgrade_v4")
        c.execute("CREATE DATABASE upgrade_v4")
    url = pg_url.rsplit("/", 1)[0] + "/upgrade_v4"
    engine = create_engine(url)
    with engine.begin() as conn:
        schema.schema_migrations.create(conn)
        for step in schema.CORE.migrations[:4]:
            step(conn)
        conn.execute(schema.schema_migrations.insert().values(component="core", version=4))
    engine.dispose()
    docs = tmp_path / "v.jsonl"
    row = {"url": "https://example.org/a", "title": "Harbour cranes arrive", "outlet": "Port Daily",
           "published": "2025-03-01", "text": "Three new cranes arrived in the harbour on Monday."}  # fmt: skip
    docs.write_text(json.dumps(row) + "\n", encoding="utf-8")
    settings = Settings.load(db=url)
    store = open_store(url)
    try:
        with store.connect() as conn:
            version = conn.scalar(
                text("SELECT version FROM schema_migrations WHERE component = 'core'")
            )
            indexes = set(
                conn.scalars(text("SELECT indexname FROM pg_indexes WHERE tablename = 'articles'"))
            )
            kind = conn.scalar(text("SELECT data_type FROM information_schema.columns "
                                    "WHERE table_name = 'articles' AND column_name = 'tsv'"))  # fmt: skip
        assert version == len(schema.CORE.migrations) >= 5  # and any later step
        assert "ix_articles_tsv" in indexes and "ix_articles_fts" not in indexes
        assert kind == "tsvector"
        assert api.ingest([str(docs)], store, settings, run_stages=False).ok
        assert [h.title for h in search(store, "cranes", mode="text").hits] == [row["title"]]
        revised = dict(row, title="Ferries leave", text="Two old ferries left the quay on Tuesday.")
        docs.write_text(json.dumps(revised) + "\n", encoding="utf-8")
        assert api.ingest([str(docs)], store, settings, run_stages=False).revised == 1
        assert search(store, "cranes", mode="text").hits == ()
        assert [h.title for h in search(store, "ferries quay", mode="text").hits] == [
            "Ferries leave"
        ]
    finally:
        store.close()
