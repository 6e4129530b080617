"""Every link a page shows resolves: a crawl of the web app over the demo store (issue 20).

The store is the bundled demo corpus plus two articles without an outlet that make a story of
their own (the front page once linked such a story's outlet to ``/outlet/unknown``, a 404).
"""

from __future__ import annotations

import json
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

from newsdesk import api
from newsdesk.models import UNKNOWN_OUTLET
from newsdesk.settings import Settings
from newsdesk.web.app import create_app

pytestmark = pytest.mark.slow

NO_OUTLET = [
    {
        "title": f"Harbour crane collapses in storm, report {n}",
        "published": f"2025-06-0{n}T10:00:00+00:00",
        "text": (
            "A harbour crane collapsed during the storm on Tuesday night, the port authority "
            "said. Nobody was hurt when the crane fell onto an empty quay.\n\n"
            "Engineers will inspect the other cranes of the harbour before work resumes, the "
            f"authority said in its statement number {n}."
        ),
    }
    for n in (1, 2)
]


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("href", "src", "action"):
            value = a.get(key)
            if value and not (tag == "form" and key == "action"):
                self.links.append(value)


@pytest.fixture(scope="module")
def demo_client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    folder = tmp_path_factory.mktemp("crawl")
    extra = folder / "no-outlet.jsonl"
    extra.write_text("".join(json.dumps(d) + "\n" for d in NO_OUTLET), encoding="utf-8")
    settings = Settings.load(db=str(folder / "demo.db"))
    store = api.open_store(settings.db)
    report = api.ingest([*api.demo_paths(), str(extra)], store, settings)
    assert report.added > 100, report.errors
    return TestClient(create_app(settings, store=store))


def _local(base: str, link: str) -> str | None:
    url, _ = urldefrag(urljoin(base, link))
    parts = urlsplit(url)
    if parts.scheme not in {"http", ""} or parts.netloc not in {"testserver", ""}:
        return None  # external links are the article's own (its URL), not ours
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_every_link_on_every_page_resolves(demo_client: TestClient) -> None:
    front = demo_client.get("/").text
    assert UNKNOWN_OUTLET in front, "the outlet-less story should be on the front page"
    seen = {"/"}
    queue: deque[str] = deque(["/"])
    broken: list[str] = []
    pages = 0
    while queue:
        path = queue.popleft()
        r = demo_client.get(path)
        pages += 1
        if r.status_code != 200:
            broken.append(f"{path} -> {r.status_code}")
            continue
        if "text/html" not in r.headers.get("content-type", ""):
            continue
        parser = Links()
        parser.feed(r.text)
        for link in parser.links:
            target = _local(f"http://testserver{path}", link)
            if target is None or target in seen:
                continue
            # paginated listings: crawl their first pages, not every page of every listing
            if "page=" in target and any(f"page={n}" in target for n in range(4, 100)):
                continue
            seen.add(target)
            queue.append(target)
    assert not broken, broken
    assert pages > 300  # the crawl reached the articles, stories and people, not just the front
    assert f"/outlet/{UNKNOWN_OUTLET}" not in seen
