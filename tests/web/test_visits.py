""" "New since your last visit" on the front page: the visit cookie (HttpOnly, SameSite=Lax),
what one visit is, and the stories and articles it marks as new or updated."""

from __future__ import annotations

import re
import time
from pathlib import Path

from fastapi.testclient import TestClient
from lxml import html as lxml_html
from sqlalchemy import select

from newsdesk import api
from newsdesk.settings import Settings
from newsdesk.store import Store
from newsdesk.store.schema import articles
from newsdesk.views.stories import article_ids
from newsdesk.web import front
from newsdesk.web.app import create_app
from tests.test_alerts import LATER_PIER, OTHER, PIER, doc, write


def test_a_visit_is_page_loads_closer_than_the_gap() -> None:
    first = front.advance(None, 1000, 7)
    assert first == front.Visit(1000, 7, 1000, 7)
    same = front.advance(first, 1000 + front.VISIT_GAP_S, 9)  # a reload: the mark stays
    assert (same.since_t, same.since_seq, same.last_seq) == (1000, 7, 9)
    later = front.advance(same, same.last_t + front.VISIT_GAP_S + 1, 12)  # a new visit
    assert (later.since_t, later.since_seq) == (same.last_t, 9)
    assert front.read(later.value()) == later
    for bad in (None, "", "1.2.3", "a.b.c.d", "1.2.3.-4", "9" * 13 + ".1.1.1"):
        assert front.read(bad) is None


def _since(page: str) -> str:
    found = lxml_html.fromstring(page).xpath("//p[@class='since']")
    return " ".join(found[0].text_content().split()) if found else ""


def _marks(page: str) -> dict[str, str]:
    doc = lxml_html.fromstring(page)
    return {
        card.xpath(".//h3/a/@href")[0]: card.xpath(".//span[contains(@class,'mark')]")[
            0
        ].text_content()
        for card in doc.xpath("//article[contains(@class,'story-card')]")
        if card.xpath(".//span[contains(@class,'mark')]")
    }


def test_the_front_page_marks_what_arrived_since_the_last_visit(tmp_path: Path) -> None:
    settings = Settings.load(db=str(tmp_path / "v.db"))
    store = api.open_store(settings.db)
    first = [doc(i, t, x) for i, (t, x) in enumerate(PIER[:2] + OTHER[:1])]
    api.ingest([write(tmp_path / "a.jsonl", first)], store, settings)
    client = TestClient(create_app(settings, store=store))

    r = client.get("/")  # a first visit: nothing is new yet, the cookie remembers it
    assert r.status_code == 200 and _since(r.text) == "" and _marks(r.text) == {}
    cookie = r.headers["set-cookie"]
    assert "newsdesk_visit=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert r.headers["cache-control"] == "private, no-cache" and "Cookie" in r.headers["vary"]

    # while the reader is away: one article joins the pier story, another starts a story
    later = [doc(5, *LATER_PIER), doc(6, *OTHER[1])]
    api.ingest([write(tmp_path / "b.jsonl", later)], store, settings)
    ids = {a.title: a.id for a in store.iter_articles()}
    pier = next(s.id for s in api.stories(store) if ids[PIER[0][0]] in article_ids(store, s.id))
    solar = next(s.id for s in api.stories(store) if ids[OTHER[1][0]] in article_ids(store, s.id))
    assert ids[LATER_PIER[0]] in article_ids(store, pier)

    r = client.get("/")  # within the same visit: marked against its first load
    assert re.fullmatch(
        r"1 new story and 1 updated since your last visit, \d\d:\d\d UTC", _since(r.text)
    )
    assert _marks(r.text) == {f"/story/{solar}": "New", f"/story/{pier}": "Updated"}
    assert r.headers["set-cookie"]  # the visit goes on
    twin = client.get("/index.json").json()["since"]
    assert (twin["new_stories"], twin["updated_stories"], twin["new_articles"]) == (1, 1, 2)

    # a new visit (the last load over the gap ago): what was new is not any more
    visit = front.read(client.cookies.get(front.COOKIE))
    assert visit is not None
    gone = int(time.time()) - front.VISIT_GAP_S - 60
    old = front.Visit(visit.since_t - 60, visit.since_seq, gone, visit.last_seq).value()
    client.cookies.clear()
    r = client.get("/", headers={"cookie": f"{front.COOKIE}={old}"})
    assert (
        _since(r.text).startswith("No new stories since your last visit") and _marks(r.text) == {}
    )
    # a malformed cookie is a first visit, not an error
    client.cookies.clear()
    r = client.get("/", headers={"cookie": f"{front.COOKIE}=<script>"})
    assert r.status_code == 200 and _since(r.text) == ""
    store.close()


def test_articles_are_marked_until_stories_exist(tmp_path: Path) -> None:
    settings = Settings.load(db=str(tmp_path / "n.db"))
    store = api.open_store(settings.db)
    api.ingest(
        [write(tmp_path / "a.jsonl", [doc(0, *OTHER[0])])], store, settings, run_stages=False
    )
    client = TestClient(create_app(settings, store=store))
    client.get("/")
    api.ingest(
        [write(tmp_path / "b.jsonl", [doc(1, *OTHER[1])])], store, settings, run_stages=False
    )
    page = client.get("/").text
    assert re.fullmatch(r"1 new article since your last visit, \d\d:\d\d UTC", _since(page))
    items = lxml_html.fromstring(page).xpath("//li[@class='article-item']")
    marked = {
        li.xpath(".//a[@class='title']")[0].text: bool(li.xpath(".//span[contains(@class,'mark')]"))
        for li in items
    }
    assert marked == {OTHER[1][0]: True, OTHER[0][0]: False}
    store.close()


def test_the_web_store_front_page_counts_match_the_store(web_store: Store, web_settings) -> None:
    """Over a bigger store: a mark before the last 5 articles; the counts match the stories."""
    client = TestClient(create_app(web_settings, store=web_store))
    with web_store.connect() as conn:
        last = conn.execute(
            select(articles.c.seq, articles.c.id).order_by(articles.c.seq.desc()).limit(6)
        ).all()
    newest, mark = last[0][0], last[-1][0]
    fresh = {i for _, i in last[:5]}
    now = int(time.time())
    cookie = front.Visit(now - 3600, mark, now - 60, newest).value()
    r = client.get("/", headers={"cookie": f"{front.COOKIE}={cookie}"})
    kinds: dict[int, str] = {}
    for s in api.stories(web_store, limit=1000):
        members = set(article_ids(web_store, s.id))
        if members & fresh:
            kinds[s.id] = "New" if members <= fresh else "Updated"
    n_new = sum(1 for k in kinds.values() if k == "New")
    n_upd = len(kinds) - n_new
    said = _since(r.text)
    assert said.startswith(f"{n_new} new {'story' if n_new == 1 else 'stories'}"), said
    assert (f"and {n_upd} updated" in said) == bool(n_upd)
    shown = _marks(r.text)
    assert shown and all(kinds[int(href.rsplit("/", 1)[1])] == m for href, m in shown.items())
