"""A store built once per session: the seed pages, some plain articles and hostile pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsdesk import api
from newsdesk.api import open_store
from newsdesk.settings import Settings
from newsdesk.store import Store

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
TOKEN = "test-token-123"

HOSTILE_TITLE = '<script>alert("title")</script><img src=x onerror=alert(1)>'
HOSTILE = {
    "url": "javascript:alert(4)",
    "title": HOSTILE_TITLE,
    "outlet": "<svg onload=alert(5)>Evil Outlet",
    "published": "2025-03-01T09:00:00+00:00",
    "authors": ["<b onmouseover=alert(3)>Eve Hacker</b>", 'Mallory "><script>alert(6)</script>'],
    "category": '"><script>alert(7)</script>',
    "captions": ["<img src=x onerror=alert(8)> caption"],
    "text": (
        "<script>alert(9)</script> The harbour authority said the new pier opens in May.\n\n"
        '<a href="javascript:alert(10)">click here</a> and <iframe src="https://evil.example"></iframe> '
        "were pasted into the page by an attacker.\n\n"
        "“<img src=x onerror=alert(11)> We will not stop,” said Mayor <b>Jane Doe</b>, "
        "speaking at the harbour on Monday."
    ),
}

TOPICS = [
    ("Lisbon", "tram line", "transport"),
    ("Oslo", "ferry terminal", "transport"),
    ("Nairobi", "solar farm", "energy"),
    ("Quito", "water plant", "infrastructure"),
    ("Hanoi", "metro extension", "transport"),
]


def filler(n: int) -> dict[str, object]:
    city, thing, cat = TOPICS[n % len(TOPICS)]
    day = datetime(2025, 1, 1, 8, tzinfo=UTC) + timedelta(days=n)
    return {
        "url": f"https://example.org/news/{n}",
        "title": f"{city} opens {thing} number {n}",
        "outlet": "Daily Example" if n % 2 else "Example Times",
        "published": day.isoformat(),
        "authors": [f"Reporter {n % 3}"],
        "category": cat.title(),
        "text": (
            f"The city of {city} opened its {thing} on a cold morning, officials said. "
            f"The project, number {n}, cost more than expected.\n\n"
            f"Residents of {city} welcomed the {thing}, although some complained about the noise. "
            "The mayor promised further investment next year."
        ),
    }


@pytest.fixture(scope="session")
def web_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    folder = tmp_path_factory.mktemp("web")
    docs = folder / "docs.jsonl"
    with docs.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(HOSTILE, ensure_ascii=False) + "\n")
        for n in range(25):
            fh.write(json.dumps(filler(n), ensure_ascii=False) + "\n")
    settings = Settings.load(db=str(folder / "web.db"))
    store = open_store(settings.db)
    report = api.ingest([str(docs)], store, settings)
    assert report.added == 26, report.errors
    # The seed pages go through the plain-text cleaner, another component: tolerate its failure
    # here (pages that need the seeds check for them) rather than fail every web test.
    api.ingest([str(SEEDS)], store, settings)
    yield store
    store.close()


@pytest.fixture(scope="session")
def web_settings(web_store: Store) -> Settings:
    return Settings.load(db=str(web_store.engine.url.database), api_token=TOKEN)
