"""Alerts on the web: the /alerts page and its forms (writes need the token), the /api/alerts
endpoints, every alert's Atom feed, and the thread page with its feed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from lxml import html as lxml_html

from newsdesk import api
from newsdesk.settings import Settings
from newsdesk.store import Store
from newsdesk.web.app import create_app
from tests.web.conftest import TOKEN

A = "{http://www.w3.org/2005/Atom}"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(web_store: Store, web_settings: Settings) -> Iterator[TestClient]:
    yield TestClient(create_app(web_settings, store=web_store))
    api.remove_alerts(web_store, [a.id for a in api.alerts(web_store)])  # leave it as found


def test_the_alerts_page_saves_alerts_only_with_the_token(client: TestClient) -> None:
    page = client.get("/alerts")
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-cache"
    assert 'action="/alerts"' not in page.text and 'href="/login"' in page.text
    r = client.post("/alerts", data={"alert": "search:tram"}, follow_redirects=False)
    assert r.status_code == 401 and client.get("/api/alerts").json()["alerts"] == []

    client.cookies.set("newsdesk_token", TOKEN)  # what /login sets
    assert 'action="/alerts"' in client.get("/alerts").text
    r = client.post("/alerts", data={"alert": "search:tram"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/alerts"
    r = client.post("/alerts", data={"alert": "weather tomorrow"})
    assert r.status_code == 422 and "is not an alert" in r.text
    doc = lxml_html.fromstring(client.get("/alerts").text)
    rows = doc.xpath("//table[@class='alerts']//tr[contains(@class, 'alert')]")
    assert len(rows) == 1 and "tram" in rows[0].text_content()
    (aid,) = [a.id for a in api.alerts(client.app.state.store)]
    assert rows[0].xpath(f".//a[@href='/alerts/{aid}.atom']")
    assert client.post(f"/alerts/{aid}/read", follow_redirects=False).status_code == 303
    assert client.post(f"/alerts/{aid}/remove", follow_redirects=False).status_code == 303
    assert client.get("/api/alerts").json()["alerts"] == []


def test_hostile_alert_text_is_shown_as_text(client: TestClient) -> None:
    spec = 'search:<script>alert("x")</script> pier'
    assert client.post("/api/alerts", json={"alert": spec}, headers=AUTH).status_code == 201
    page = client.get("/alerts").text
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_the_alerts_api(client: TestClient, web_store: Store) -> None:
    r = client.post("/api/alerts", json={"alert": "search:tram"})
    assert r.status_code == 401
    r = client.post("/api/alerts", json={"alert": "search:tram"}, headers=AUTH)
    assert r.status_code == 201 and r.json()["created"] is True
    alert = r.json()["alert"]
    assert alert["new"] == 0 and alert["feed"] == f"/alerts/{alert['id']}.atom"
    again = client.post("/api/alerts", json={"alert": "search:tram"}, headers=AUTH)
    assert again.status_code == 200 and again.json()["alert"]["id"] == alert["id"]
    assert client.post("/api/alerts", json={"alert": "tram"}, headers=AUTH).status_code == 422
    assert (
        client.post("/api/alerts", json={"alert": "story:99999"}, headers=AUTH).status_code == 404
    )
    listed = client.get("/api/alerts").json()["alerts"]
    assert [a["id"] for a in listed] == [alert["id"]]
    one = client.get(f"/api/alerts/{alert['id']}").json()
    assert one["alert"]["target"] == "tram" and one["articles"] == []  # nothing new yet
    assert client.post(f"/api/alerts/{alert['id']}/read", headers=AUTH).json() == {"marked": 1}
    assert client.post("/api/alerts/read", headers=AUTH).json() == {"marked": 1}
    assert client.delete(f"/api/alerts/{alert['id']}").status_code == 401
    assert client.delete(f"/api/alerts/{alert['id']}", headers=AUTH).json() == {"removed": 1}
    assert client.delete(f"/api/alerts/{alert['id']}", headers=AUTH).status_code == 404
    assert client.get(f"/api/alerts/{alert['id']}").status_code == 404
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/alerts", "/api/alerts/{alert_id}", "/api/alerts/read"} <= set(paths)


def test_every_alert_has_a_feed_of_its_matches(client: TestClient, web_store: Store) -> None:
    a, _ = api.add_alert(web_store, "search:tram line")
    r = client.get(f"/alerts/{a.id}.atom")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    root = etree.fromstring(r.content)
    titles = [e.findtext(f"{A}title") or "" for e in root.iter(f"{A}entry")]
    every = api.alert_news(web_store, a.id, limit=50, new_only=False).articles
    assert titles and sorted(titles) == sorted(b.title or "(untitled)" for b in every)
    assert all("tram" in t.lower() for t in titles)  # every word: the fillers about trams
    page = client.get(f"/alerts/{a.id}")
    assert page.status_code == 200 and f'href="/alerts/{a.id}.atom"' in page.text
    assert client.get("/alerts/999.atom").status_code == 404
    assert client.get("/alerts/x").status_code == 404


def test_the_thread_page_and_its_feed(client: TestClient, web_store: Store) -> None:
    threads = api.threads(web_store)
    assert threads, "the test store has a thread (the seeds' stories)"
    t = threads[0]
    page = client.get(f"/thread/{t.id}")
    assert page.status_code == 200
    doc = lxml_html.fromstring(page.text)
    links = set(doc.xpath("//section[@class='thread-stories']//h3/a/@href"))
    assert links == {f"/story/{s.id}" for s in t.stories}
    assert doc.xpath(f"//link[@type='application/atom+xml'][@href='/thread/{t.id}.atom']")
    root = etree.fromstring(client.get(f"/thread/{t.id}.atom").content)
    entries = list(root.iter(f"{A}entry"))
    size = sum(s.articles for s in t.stories)
    assert len(entries) == min(size, 50)
    twin = client.get(f"/thread/{t.id}.json").json()
    assert twin["thread"]["id"] == t.id and "chart" not in twin
    svg = doc.xpath("//section[contains(@class,'coverage')]//*[local-name()='svg']")
    dated = sum(n for c in twin["coverage"] for n in c["days"].values())
    assert bool(svg) == (dated > 0)  # a chart when its stories have dated articles
    assert client.get("/thread/999999").status_code == 404
    story = client.get(f"/story/{t.stories[0].id}").text
    assert f'href="/thread/{t.id}"' in story
    a, _ = api.add_alert(web_store, f"thread:{t.id}")
    assert a.label.startswith(f"thread {t.id}: ") and a.label.endswith(t.label)
