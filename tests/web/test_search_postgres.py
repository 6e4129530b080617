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
