"""The entities stage on PostgreSQL stores what it stores on SQLite (its batched reads and multi-row
writes, #20, go through both dialects): the same people, aliases, mentions and linked quotes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from newsdesk import api
from newsdesk.api import open_store
from newsdesk.settings import Settings
from tests.store.test_postgres import pg_url  # noqa: F401  (the throwaway-server fixture)

pytestmark = pytest.mark.postgres

DEMO = Path(__file__).parents[2] / "newsdesk" / "resources" / "demo" / "allsides-stories.jsonl"
TABLES = {
    "people": "SELECT id, name, kind, org FROM people ORDER BY id",
    "person_aliases": "SELECT person_id, alias, name, last_word FROM person_aliases "
    "ORDER BY person_id, alias",
    "person_mentions": "SELECT person_id, article_id, mentions, quotes, role, org "
    "FROM person_mentions ORDER BY person_id, article_id",
    "quotes": "SELECT id, entity_id, speaker_name FROM quotes ORDER BY id",
}


def _dump(url: str, tmp_path: Path) -> dict[str, list[tuple]]:
    docs = tmp_path / "demo.jsonl"
    docs.write_text("".join(DEMO.read_text(encoding="utf-8").splitlines(True)[:30]), "utf-8")
    store = open_store(url)
    try:
        report = api.ingest([str(docs)], store, Settings.load(db=url))
        assert report.ok, report.errors
        with store.connect() as conn:
            return {t: [tuple(r) for r in conn.execute(text(q))] for t, q in TABLES.items()}
    finally:
        store.close()


def test_entities_on_postgres_match_sqlite(pg_url: str, tmp_path: Path) -> None:  # noqa: F811
    import psycopg

    admin = pg_url.rsplit("/", 1)[0].replace("+psycopg", "") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute("DROP DATABASE IF EXISTS entities_both")
        c.execute("CREATE DATABASE entities_both")
    on_pg = _dump(pg_url.rsplit("/", 1)[0] + "/entities_both", tmp_path)
    on_lite = _dump(str(tmp_path / "lite.db"), tmp_path)
    assert len(on_lite["people"]) > 50 and any(r[1] for r in on_lite["quotes"])
    for table in TABLES:
        assert on_pg[table] == on_lite[table], table
