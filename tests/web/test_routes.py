"""The web app through FastAPI's TestClient: pages, JSON twins, escaping, tokens, paging, caching."""

from __future__ import annotations

import json
from dataclasses import replace
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from newsdesk import api
from newsdesk.api import open_store
from newsdesk.search import rrf, semantic, snippet
from newsdesk.settings import Settings
from newsdesk.store import Store
from newsdesk.web import cache
from newsdesk.web.app import create_app
from newsdesk.web.pages import features
from tests.web.conftest import HOSTILE, HOSTILE_TITLE, TOKEN


@pytest.fixture(scope="module")
def client(web_store: Store, web_settings: Settings) -> TestClient:
    return TestClient(create_app(web_settings, store=web_store))


def _article_id(client: TestClient, title_part: str, exact: bool = False) -> str:
    for page in range(1, 5):
        items = client.get(f"/articles.json?page={page}&size=100").json()["articles"]
        for a in items:
            title = a["title"] or ""
            if title == title_part or (not exact and title_part in title):
                return a["id"]
    raise AssertionError(f"no article titled like {title_part!r}")


@pytest.fixture(scope="module")
def hostile_id(client: TestClient) -> str:
    return _article_id(client, "<script>")


CHARTS = {"timeline-chart", "coverage-chart"}  # server-rendered SVG (escaped text, no script)


class Audit(HTMLParser):
    """Collects what a browser would execute or load: tags, event attributes, URL schemes."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script" and a.get("src") != "/static/app.js":
            self.problems.append(f"script {attrs}")
        ours = tag == "svg" and a.get("class") in CHARTS  # the server's own charts
        if (
            tag in {"iframe", "svg", "img", "object", "embed", "b", "base", "meta"}
            and tag != "meta"
            and not ours
        ):
            self.problems.append(f"tag {tag} {attrs}")
        for k, v in attrs:
            if k.startswith("on"):
                self.problems.append(f"event attribute {k}={v}")
            if k in {"href", "src", "action", "formaction"} and v:
                scheme = v.strip().lower()
                if scheme.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"{k}={v}")

    def handle_data(self, d: str) -> None:
        self.text.append(d)


def audit(html: str) -> Audit:
    p = Audit()
    p.feed(html)
    p.close()
    return p


# -- edge cases first --------------------------------------------------------------------------
def test_unknown_article_is_404_in_html_and_json(client: TestClient) -> None:
    r = client.get("/article/doesnotexist")
    assert r.status_code == 404
    assert "text/html" in r.headers["content-type"]
    r = client.get("/article/doesnotexist.json")
    assert r.status_code == 404
    assert r.json()["detail"].startswith("no article")
    assert client.get("/api/articles/doesnotexist").status_code == 404


def test_empty_search_returns_no_hits(client: TestClient) -> None:
    r = client.get("/search.json?q=")
    assert r.status_code == 200
    assert r.json()["hits"] == []
    assert (
        client.get("/search?q=%22%22%20OR%20*").status_code == 200
    )  # FTS syntax is never passed through


def test_bad_paging_is_rejected(client: TestClient) -> None:
    assert client.get("/articles?page=0").status_code == 422
    assert client.get("/articles?size=100000").status_code == 422


# -- pages and their JSON twins -------------------------------------------------------------------
def test_front_page_lists_latest(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert "text/html" in r.headers["content-type"]
    assert "newsdesk" in r.text
    j = client.get("/index.json").json()
    assert j["articles"] is None  # the latest articles stand in only until stories exist
    assert j["stories"]["stories"] and j["biggest"]["stories"]


def test_every_page_has_a_json_twin(client: TestClient, hostile_id: str) -> None:
    plain_id = _article_id(client, "Lisbon opens")
    pages = [
        "/",
        "/articles",
        f"/article/{plain_id}",
        "/outlets",
        f"/outlet/{quote('Daily Example')}",
        "/categories",
        "/category/Transport",
        "/search?q=ferry",
        "/api",
    ]
    for path in pages:
        html = client.get(path)
        assert html.status_code == 200, path
        assert html.headers["content-type"].startswith("text/html"), path
        base, _, query = path.partition("?")
        twin = (base.rstrip("/") or "/index") + ".json" + ("?" + query if query else "")
        j = client.get(twin)
        assert j.status_code == 200, twin
        assert j.headers["content-type"].startswith("application/json"), twin
        negotiated = client.get(path, headers={"Accept": "application/json"})
        assert negotiated.headers["content-type"].startswith("application/json"), path
        assert negotiated.json() == j.json(), path


def test_article_page_shows_metadata_text_and_see_all_links(client: TestClient) -> None:
    aid = _article_id(client, "Oslo opens ferry terminal number 1", exact=True)
    r = client.get(f"/article/{aid}")
    assert r.status_code == 200
    assert "Oslo opens ferry terminal number 1" in r.text
    assert "Daily Example" in r.text and "Reporter 1" in r.text
    assert "min read" in r.text
    assert "No time to read? Get a summary" in r.text
    assert "<details" in r.text  # the summary is revealed without JavaScript
    assert 'href="/outlet/Daily%20Example"' in r.text
    assert 'href="/category/Transport"' in r.text
    assert 'href="https://example.org/news/1"' in r.text
    j = client.get(f"/article/{aid}.json").json()
    assert j["article"]["title"] == "Oslo opens ferry terminal number 1"
    assert "cold morning" in j["text"]
    assert features()["summaries"]
    assert j["summary"] and j["summary"]["sentences"]
    assert j["summary"]["sentences"][0] in j["text"]
    assert j["summary"]["sentences"][0] in r.text


def test_outlet_and_category_listings(client: TestClient) -> None:
    outlets = {o["name"]: o["articles"] for o in client.get("/outlets.json").json()["items"]}
    assert outlets["Daily Example"] == 12 and outlets["Example Times"] == 13
    j = client.get("/outlet/Example%20Times.json?size=100").json()
    assert len(j["articles"]) == 13
    assert {a["outlet"] for a in j["articles"]} == {"Example Times"}
    cats = {c["name"] for c in client.get("/categories.json").json()["items"]}
    assert {"Transport", "Energy", "Infrastructure"} <= cats
    assert client.get("/outlet/No%20Such%20Outlet").status_code == 404


def test_pagination(client: TestClient, web_store: Store) -> None:
    total = web_store.count_articles()
    assert total >= 26
    first = client.get("/articles.json?size=10").json()
    assert len(first["articles"]) == 10 and first["more"] is True
    pages = (total + 9) // 10
    last = client.get(f"/articles.json?size=10&page={pages}").json()
    assert len(last["articles"]) == total - 10 * (pages - 1) and last["more"] is False
    seen = [
        a["id"]
        for p in range(1, pages + 1)
        for a in client.get(f"/articles.json?size=10&page={p}").json()["articles"]
    ]
    assert len(seen) == len(set(seen)) == total
    html = client.get("/articles?size=10&page=2").text
    assert 'rel="next"' in html and 'rel="prev"' in html
    assert "page=3" in html and "size=10" in html


# -- untrusted content ------------------------------------------------------------------------
def test_hostile_article_is_rendered_as_text(client: TestClient, hostile_id: str) -> None:
    r = client.get(f"/article/{hostile_id}")
    assert r.status_code == 200
    found = audit(r.text)
    assert found.problems == []
    text = "".join(found.text)
    assert HOSTILE_TITLE in text  # shown, as text
    assert "<script>alert(9)</script>" in text
    assert "Eve Hacker" in text
    assert "&lt;script&gt;" in r.text
    assert "javascript:alert(4)" not in r.text  # a javascript: source URL is never linked or shown


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/articles",
        "/outlets",
        "/categories",
        "/search?q=harbour+pier",
        "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/outlet/" + quote(HOSTILE["outlet"], safe=""),
        "/category/" + quote(HOSTILE["category"], safe=""),
        "/nope/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ],
)
def test_no_page_executes_article_markup(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code in (200, 404), path
    assert audit(r.text).problems == [], path


def test_search_finds_hostile_page_and_escapes_snippet(client: TestClient, hostile_id: str) -> None:
    j = client.get("/search.json?q=harbour+pier").json()
    assert hostile_id in [h["id"] for h in j["hits"]]
    html = client.get("/search?q=harbour+pier").text
    assert audit(html).problems == []
    assert "<mark>harbour</mark>" in html


def test_people_pages_escape_hostile_quotes(client: TestClient, hostile_id: str) -> None:
    assert features()["people"]
    j = client.get("/people.json?size=100").json()
    for p in j["items"]:
        r = client.get(f"/person/{quote(p['id'], safe='')}")
        assert r.status_code == 200
        assert audit(r.text).problems == []


def test_head_requests(client: TestClient) -> None:
    r = client.head("/articles")
    assert r.status_code == 200 and r.content == b""
    assert r.headers["etag"] == client.get("/articles").headers["etag"]


def test_security_headers(client: TestClient) -> None:
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "content-security-policy" in client.get("/static/style.css").headers


# -- caching ----------------------------------------------------------------------------------
def test_etag_and_not_modified(client: TestClient) -> None:
    r = client.get("/articles")
    etag = r.headers["etag"]
    assert r.headers["cache-control"].startswith("public, max-age=")
    again = client.get("/articles", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    j = client.get("/articles.json")
    assert j.headers["etag"] != etag  # the JSON twin is a different representation
    s = client.get("/static/style.css")
    assert "max-age" in s.headers["cache-control"]


# -- writes and reads with tokens --------------------------------------------------------------
def test_writes_disabled_without_token_setting(web_store: Store, web_settings: Settings) -> None:
    c = TestClient(create_app(replace(web_settings, api_token=""), store=web_store))
    r = c.post(
        "/api/articles", json={"text": "Hello there."}, headers={"Authorization": "Bearer anything"}
    )
    assert r.status_code == 403


def test_writes_need_the_token(client: TestClient) -> None:
    doc = {
        "title": "Zanzibar launches seaweed exchange",
        "outlet": "Example Times",
        "published": "2025-06-01",
        "text": "Zanzibar launched a seaweed exchange on Tuesday. Farmers said prices would rise.",
    }
    assert client.post("/api/articles", json=doc).status_code == 401
    assert (
        client.post(
            "/api/articles", json=doc, headers={"Authorization": "Bearer wrong"}
        ).status_code
        == 401
    )
    r = client.post("/api/articles", json=doc, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 201, r.text
    new_id = r.json()["ids"][0]
    assert r.json()["added"] == 1
    again = client.post("/api/articles", json=doc, headers={"X-Newsdesk-Token": TOKEN})
    assert again.status_code == 200 and again.json()["unchanged"] == 1
    assert again.json()["ids"] == [new_id]  # a known document answers with its id
    bad = client.post(
        "/api/articles", json={"title": "no text"}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert bad.status_code == 422
    # the new article is readable and searchable at once (FTS kept in sync at ingest)
    assert client.get(f"/article/{new_id}").status_code == 200
    hits = client.get("/api/search?q=seaweed").json()["hits"]
    assert hits and hits[0]["id"] == new_id


def test_writes_take_ndjson(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/x-ndjson"}
    docs = [
        {"title": f"Harbour report {i}", "text": f"The harbour of Town{i} reopened. " * 8}
        for i in range(2)
    ]
    body = "\n".join(json.dumps(d) for d in docs) + "\n\n"
    r = client.post("/api/articles", content=body, headers=auth)
    assert r.status_code == 201, r.text
    assert r.json()["added"] == 2 and len(set(r.json()["ids"])) == 2
    again = client.post("/api/articles", content=body, headers=auth)
    assert again.status_code == 200 and again.json()["ids"] == r.json()["ids"]
    bad = client.post("/api/articles", content=body + '{"title": "cut off\n', headers=auth)
    assert bad.status_code == 422 and "line 4" in bad.text
    assert client.post("/api/articles", content=b"\xff\xfe", headers=auth).status_code == 422


def test_private_reads_need_the_token(web_store: Store, web_settings: Settings) -> None:
    c = TestClient(create_app(replace(web_settings, public_reads=False), store=web_store))
    assert c.get("/").status_code == 401
    assert c.get("/api/articles").status_code == 401
    ok = c.get("/", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200
    assert ok.headers["cache-control"].startswith("private")


# -- API and search ---------------------------------------------------------------------------
def test_openapi_documents_the_api(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    assert "/api/articles" in paths and "post" in paths["/api/articles"]
    assert "/api/search" in paths and "/api/stories" in paths
    assert not any(not p.startswith("/api") for p in paths)  # HTML pages stay out of the API docs
    page = client.get("/api").text
    assert "/api/search" in page and "openapi.json" in page


def test_search_filters(client: TestClient) -> None:
    all_hits = client.get("/api/search?q=opens&size=100").json()["hits"]
    assert len(all_hits) >= 25
    oslo = client.get("/api/search?q=Oslo+ferry&outlet=Daily+Example&size=100").json()["hits"]
    assert oslo and {h["outlet"] for h in oslo} == {"Daily Example"}
    dated = client.get("/api/search?q=opens&since=2025-01-05&until=2025-01-07&size=100").json()[
        "hits"
    ]
    days = sorted(h["published"][:10] for h in dated)
    assert days == ["2025-01-05", "2025-01-06", "2025-01-07"]
    text_only = client.get("/api/search?q=Oslo&mode=text").json()
    assert text_only["hits"][0]["title"].startswith("Oslo")
    assert client.get("/api/search?q=x&mode=bogus").status_code == 422


def test_semantic_search_finds_without_shared_words(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the ranking, without the relevance cut-off: these short synthetic articles are close to
    # the query (cosine 0.21) only next to each other (tests/test_paper_cuts_text.py tests it)
    monkeypatch.setattr(semantic, "MIN_SCORE", {})
    assert features()["semantic_search"]
    j = client.get("/api/search?q=photovoltaic+electricity+generation&mode=semantic&size=5").json()
    assert j["mode"] == "semantic"
    assert any("solar farm" in h["title"] for h in j["hits"][:5])


def test_stories_pages(client: TestClient) -> None:
    assert features()["stories"]
    j = client.get("/stories.json").json()
    assert j["stories"]
    sid = j["stories"][0]["id"]
    r = client.get(f"/story/{sid}")
    assert r.status_code == 200 and audit(r.text).problems == []
    assert client.get(f"/story/{sid}.json").json()["story"]["id"] == sid
    assert client.get(f"/api/stories/{sid}").status_code == 200


def test_rrf_rewards_agreement() -> None:
    fused = rrf([["a", "b", "c"], ["b", "a", "d"]])
    assert {fused[0][0], fused[1][0]} == {"a", "b"}
    assert [x for x, _ in fused[2:]] == ["c", "d"]


def test_snippet_is_plain_text_pieces() -> None:
    pieces = snippet("Intro. The <b>harbour</b> pier opened.", ["harbour"])
    assert ("harbour", True) in pieces
    assert "".join(p for p, _ in pieces) == "Intro. The <b>harbour</b> pier opened."


def test_front_page_lists_articles_until_stories_exist(tmp_path) -> None:
    """A store without stories (nothing clustered yet): the front page shows the latest articles."""
    settings = Settings.load(db=str(tmp_path / "empty.db"))
    store = open_store(settings.db)
    docs = tmp_path / "docs.jsonl"
    docs.write_text('{"title": "Harbour opens", "text": "The harbour opened today."}\n')
    assert api.ingest([str(docs)], store, settings, run_stages=False).added == 1
    c = TestClient(create_app(settings, store=store))
    j = c.get("/index.json").json()
    assert j["stories"]["stories"] == []
    assert [a["title"] for a in j["articles"]["articles"]] == ["Harbour opens"]
    assert "Harbour opens" in c.get("/").text
    store.close()


def test_one_cache_home_keyed_by_what_changes(client: TestClient, web_store: Store) -> None:
    """The story page is cached under the story's stamp; a story that grows gets a new key."""
    cache.clear()
    sid = client.get("/stories.json?order=biggest").json()["stories"][0]["id"]
    first = client.get(f"/story/{sid}.json").json()
    assert len(cache.pages) == 1 and len(cache.views) == 1
    key = next(iter(cache.pages))
    assert key[1] == sid and key[2] == api.story_stamp(web_store, int(sid))
    assert client.get(f"/story/{sid}.json").json() == first  # served from the cache
    assert len(cache.pages) == 1
    client.get("/outlets.json")
    (facet_key,) = list(cache.facets)
    assert facet_key[2] == api.articles_stamp(web_store)


def test_person_page_pages_quotes_and_articles_latest_first(
    client: TestClient, web_store: Store
) -> None:
    # the most-quoted person's page, one item a page: every quote and article exactly once over
    # the pages, the latest first, with the totals of the whole dossier (the page used to hold all)
    people = client.get("/people.json?size=100").json()["items"]
    pid = max(people, key=lambda p: p["quotes"])["id"]
    url = f"/person/{quote(pid, safe='')}"
    full = api.person(web_store, pid)
    assert len(full.quotes) > 1
    quotes: list[tuple[str, str]] = []
    seen: list[str] = []
    for page in range(1, len(full.quotes) + 2):
        j = client.get(f"{url}.json?size=1&page={page}").json()
        assert (j["quote_count"], j["article_count"]) == (len(full.quotes), len(full.articles))
        assert len(j["articles"]) <= 1 and len(j["quotes"]) <= 1
        assert j["roles"] == client.get(f"{url}.json").json()["roles"]
        quotes += [(q["article_id"], q["text"]) for q in j["quotes"]]
        seen += [a["id"] for a in j["articles"]]
        if not j["more"]:
            break
    assert sorted(quotes) == sorted((q.quote.article_id, q.text) for q in full.quotes)
    assert sorted(seen) == sorted(m.id for m in full.articles)
    dates = [q.quote.published for q in full.quotes]
    if len(set(dates)) > 1 and None not in dates:
        assert quotes[0][0] == max(full.quotes, key=lambda q: q.quote.published).quote.article_id
    html = client.get(f"{url}?size=1").text
    assert 'rel="next"' in html and "latest first" in html
