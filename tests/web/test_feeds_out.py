"""Feeds out and pictures: Atom feeds of the front, story, person and search pages (any feed
reader can subscribe), and the story page's server-rendered SVG timeline chart."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from lxml import html as lxml_html

from newsdesk import api
from newsdesk.models import StoryArticle, StoryBrief, StoryView, TimelineEntry
from newsdesk.settings import Settings
from newsdesk.store import Store
from newsdesk.web.app import create_app
from newsdesk.web.chart import coverage_svg, timeline_svg
from tests.web.conftest import HOSTILE, HOSTILE_TITLE

A = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def client(web_store: Store, web_settings: Settings) -> TestClient:
    return TestClient(create_app(web_settings, store=web_store))


def atom(client: TestClient, path: str) -> etree._Element:
    r = client.get(path)
    assert r.status_code == 200, (path, r.text[:200])
    assert r.headers["content-type"].startswith("application/atom+xml")
    root = etree.fromstring(r.content)
    assert root.tag == f"{A}feed" and root.findtext(f"{A}title")
    for e in root.iter(f"{A}entry"):  # what a feed reader needs of each entry
        assert e.findtext(f"{A}id") and e.findtext(f"{A}title") and e.findtext(f"{A}updated")
    return root


def test_front_feed_carries_hostile_titles_as_text(client: TestClient) -> None:
    root = atom(client, "/index.atom")
    titles = [e.findtext(f"{A}title") for e in root.iter(f"{A}entry")]
    assert HOSTILE_TITLE in titles  # escaped by the XML writer, read back intact
    assert not root.findall(f".//{A}entry/{A}link[@href='{HOSTILE['url']}']")  # no javascript:
    page = client.get("/").text
    assert 'type="application/atom+xml"' in page and 'href="/index.atom"' in page


def test_story_feed_lists_the_storys_articles_newest_first(client: TestClient, web_store) -> None:
    sid = int(client.get("/stories.json").json()["stories"][0]["id"])
    root = atom(client, f"/story/{sid}.atom")
    view = api.story(web_store, sid)
    entries = list(root.iter(f"{A}entry"))
    assert len(entries) == len({a.id for a in view.articles})
    stamps = [e.findtext(f"{A}updated") for e in entries]
    assert stamps == sorted(stamps, reverse=True)
    assert client.get("/story/999999.atom").status_code == 404
    assert client.get(f"/story/{sid}").text.count(f"/story/{sid}.atom") >= 1


def test_person_and_search_feeds(client: TestClient) -> None:
    people = client.get("/people.json").json()["items"]
    assert people
    pid = people[0]["id"]
    root = atom(client, f"/person/{quote(pid, safe='')}.atom")
    assert list(root.iter(f"{A}entry"))
    root = atom(client, "/search.atom?q=tram")
    titles = [e.findtext(f"{A}title") or "" for e in root.iter(f"{A}entry")]
    assert titles and any("tram" in t.lower() for t in titles)
    assert client.get("/search.atom").status_code == 404
    assert 'href="/search.atom?q=tram"' in client.get("/search?q=tram").text


def test_story_page_shows_the_timeline_chart_and_its_json_twin_does_not(client) -> None:
    stories = client.get("/stories.json").json()["stories"]
    sid = next(s["id"] for s in stories if s["size"] >= 2)
    page = client.get(f"/story/{sid}").text
    doc = lxml_html.fromstring(page)
    svg = doc.xpath("//section[@class='chart']//svg")
    assert svg and svg[0].xpath(".//rect")
    assert "chart" not in client.get(f"/story/{sid}.json").json()


def _view(articles: list[tuple[str, str]], events: list[tuple[str, str]]) -> StoryView:
    arts = tuple(
        StoryArticle(id=f"a{i}", title=f"t{i}", outlet=o, published=d, score=1.0)
        for i, (d, o) in enumerate(articles)
    )
    timeline = tuple(
        TimelineEntry(date=d, granularity="day", kind="event", text=t, article_id="a0", outlet=None)
        for d, t in events
    )
    story = StoryBrief(1, "s", len(arts), 2, articles[0][0], articles[-1][0], 1)
    return StoryView(
        story=story, articles=arts, summary=(), timeline=timeline, outlets=(), framing=()
    )


def test_chart_stacks_outlets_per_day_marks_events_and_escapes_names() -> None:
    evil = "<script>alert(1)</script> Times"
    view = _view(
        [("2021-10-01", evil), ("2021-10-01", "Post"), ("2021-10-03", "Post")],
        [("2021-10-02", "Talks <b>collapse</b>")],
    )
    svg = str(timeline_svg(view))
    root = etree.fromstring(svg.encode())  # well-formed XML: every text escaped
    rects = [
        r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.find("{*}title") is not None
    ]
    assert len(rects) == 3  # Oct 1: two outlets stacked; Oct 3: one
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert len(list(root.iter("{http://www.w3.org/2000/svg}circle"))) == 1  # the event
    assert timeline_svg(_view([("2021-10-01", "Post")], [])) is None  # one dated article: no chart


def test_long_spans_are_bucketed() -> None:
    days = [f"2021-{m:02d}-15" for m in range(1, 13)] + ["2023-06-01"]
    svg = str(timeline_svg(_view([(d, "Post") for d in days], [])))
    assert "Articles per month" in svg


SVG = "{http://www.w3.org/2000/svg}"


def _bars(svg: str) -> list[etree._Element]:
    root = etree.fromstring(svg.encode())  # well-formed XML: every text escaped
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]


def test_coverage_chart_has_a_bar_per_story_and_day_and_escapes_titles() -> None:
    evil = '<script>alert(1)</script> "Port" strike'
    days = {
        7: {"2026-03-01": 2, "2026-03-03": 1},
        9: {"2026-03-03": 4, "2025-12-05": 3},  # over 60 days before the newest: not shown
        11: {},  # nothing dated: no bar, no legend entry
    }
    svg = str(coverage_svg(days, {7: evil, 9: "Ferry pier closes", 11: "Undated"}))
    bars = _bars(svg)
    assert len(bars) == 3  # (7, Mar 1), (7, Mar 3), (9, Mar 3)
    said = sorted(b.findtext(f"{SVG}title") or "" for b in bars)
    assert said[0].startswith("2026-03-01: 2 from <script>")  # read back as text
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = etree.fromstring(svg.encode())
    links = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert set(links) == {"/story/7", "/story/9"} and "Undated" not in svg
    first = (date(2026, 3, 3) - timedelta(days=59)).isoformat()  # 60 days up to the newest
    assert "Articles per day, by story" in svg and f">{first}</text>" in svg
    assert coverage_svg({1: {}}, {1: "x"}) is None and coverage_svg({}, {}) is None


def test_front_page_charts_the_coverage_of_its_latest_stories(client: TestClient) -> None:
    twin = client.get("/index.json").json()
    assert "chart" not in twin
    coverage = twin["coverage"]
    latest = [s["id"] for s in twin["stories"]["stories"]]
    assert [str(c["id"]) for c in coverage] == latest[: len(coverage)] and len(coverage) <= 8
    days = [d for c in coverage for d in c["days"]]
    newest = max(days)
    first = max(min(days), (date.fromisoformat(newest) - timedelta(days=59)).isoformat())
    shown = [(c["id"], d) for c in coverage for d, n in c["days"].items() if n and d >= first]
    page = client.get("/").text
    svg = lxml_html.fromstring(page).xpath("//section[contains(@class,'coverage')]/*")
    assert svg, "the front page shows its coverage chart"
    bars = _bars(etree.tostring(svg[-1]).decode())
    assert len(bars) == len(shown) > 0
    total = sum(int((b.findtext(f"{SVG}title") or "").split(": ")[1].split()[0]) for b in bars)
    assert total == sum(c["days"][d] for c in coverage for d in c["days"] if d >= first)


def test_a_threads_chart_spans_all_its_days_by_week_when_long() -> None:
    days = {
        1: {"2025-01-01": 2, "2025-01-03": 1},  # one week: one bar of 3
        2: {"2025-03-20": 1, "2025-05-30": 4},  # 150 days in all: weeks
    }
    svg = str(coverage_svg(days, {1: "First", 2: "Second"}, max_days=None))
    assert "Articles per week, by story" in svg
    said = sorted((b.findtext(f"{SVG}title") or "").split(": ")[1] for b in _bars(svg))
    assert said == ["1 from Second", "3 from First", "4 from Second"]
    cut = str(coverage_svg(days, {1: "First", 2: "Second"}))  # the front page's: 60 days
    assert "Articles per day" in cut and len(_bars(cut)) == 1
