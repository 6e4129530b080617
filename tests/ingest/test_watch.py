"""newsdesk watch against a local HTTP server: conditional GETs, new and thin items, OPML lists,
sitemaps, URL lists, failures with back-off, and SIGTERM mid-cycle (nothing lost)."""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from newsdesk import api
from newsdesk.cli import app
from newsdesk.cli.watch import parse_every
from newsdesk.ingest import follow
from newsdesk.settings import Settings
from newsdesk.views.stories import story_of_article

ROOT = Path(__file__).resolve().parents[2]

TEXT = (
    "The harbour authority confirmed on Tuesday that the northern pier will close for repairs "
    "after inspectors found cracks in three of its concrete supports, and ferry services will "
    "move to the southern terminal until the work is finished early next spring."
)
WORDS = TEXT.split(" ")


def body(n: int, words: int = 60) -> str:
    """A distinct paragraph for item ``n`` (distinct enough not to be a near-duplicate)."""
    rot = [WORDS[(i * (n + 3)) % len(WORDS)] for i in range(words)]
    return f"Report number {n} of the day. " + " ".join(rot) + f" Item {n} ends here."


def rss(items: list[tuple[int, bool]]) -> bytes:
    """A feed of (n, full) items: full ones carry content:encoded, the others a teaser only."""
    out = []
    for n, full in items:
        content = (
            f"<content:encoded><![CDATA[<p>{body(n)}</p><p>{body(n + 100)}</p>]]></content:encoded>"
            if full
            else f"<description>Teaser {n}: the pier closes.</description>"
        )
        out.append(
            f"<item><title>Story {n}</title><link>{BASE}/page/{n}</link><guid>g{n}</guid>"
            f"<pubDate>Tue, 0{1 + n % 9} Mar 2026 10:00:00 GMT</pubDate>{content}</item>"
        )
    return (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>The Harbour Gazette</title><link>{BASE}</link>{''.join(out)}</channel></rss>"
    ).encode()


def page(n: int) -> bytes:
    return (
        f"<html><head><title>Page {n}</title></head><body><article><h1>Page {n}</h1>"
        f"<p>{body(n)}</p><p>{body(n + 200)}</p><p>{body(n + 300)}</p></article></body></html>"
    ).encode()


BASE = ""


class Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, str, bytes]]] = {}
    log: ClassVar[list[tuple[str, str | None]]] = []  # (path, If-None-Match)
    slow_started = threading.Event()

    def do_GET(self) -> None:
        Handler.log.append((self.path, self.headers.get("If-None-Match")))
        if "slow" in self.path:
            Handler.slow_started.set()
            time.sleep(3)
        if self.path.startswith("/page/"):
            status, ctype, data = 200, "text/html", page(int(self.path.rsplit("/", 1)[1]))
        else:
            status, ctype, data = self.routes.get(self.path, (404, "text/plain", b"not found"))
        etag = f'"{hash(data) & 0xFFFFFFFF:x}"'
        if status == 200 and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if status == 200:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    global BASE
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    BASE = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield BASE
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def fresh_routes(server: str) -> None:
    Handler.routes.clear()
    Handler.log.clear()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.load(
        db=str(tmp_path / "w.db"),
        fetch_private_addresses=True,  # the test server listens on loopback
        watch_host_delay=0.0,
        watch_workers=4,
    )


def cycle(store, settings):
    return api.watch_cycle(store, settings, run_stages=False)


def test_parse_every():
    assert [parse_every(s) for s in ["15m", "30s", "2h", "1d", "90"]] == [900, 30, 7200, 86400, 90]


def test_new_items_then_304_then_only_the_new_item(server, store, settings):
    Handler.routes["/feed.xml"] = (200, "application/rss+xml", rss([(1, True), (2, True)]))
    assert api.follow_sources(store, [f"{server}/feed.xml"], every_s=0) == 1
    c1 = cycle(store, settings)
    assert (c1.polled, c1.added, c1.new_items, c1.errors) == (1, 2, 2, [])
    c2 = cycle(store, settings)
    assert (c2.polled, c2.not_modified, c2.added) == (1, 1, 0)
    assert Handler.log[-1][1] is not None  # the second poll sent If-None-Match
    Handler.routes["/feed.xml"] = (
        200,
        "application/rss+xml",
        rss([(3, True), (1, True), (2, True)]),
    )
    c3 = cycle(store, settings)
    assert (c3.added, c3.new_items) == (1, 1)
    assert sorted(a.title for a in store.iter_articles()) == ["Story 1", "Story 2", "Story 3"]
    [src] = api.followed_sources(store)
    assert (src.kind, src.polls, src.not_modified, src.articles, src.items) == ("feed", 3, 1, 3, 3)
    assert src.last_new and src.failures == 0


def test_thin_items_get_the_linked_pages_text_and_keep_the_feeds_metadata(server, store, settings):
    Handler.routes["/thin.xml"] = (200, "application/rss+xml", rss([(7, False)]))
    api.follow_sources(store, [f"{server}/thin.xml"], every_s=0)
    c = cycle(store, settings)
    assert c.added == 1, c.errors
    [a] = list(store.iter_articles())
    assert a.title == "Story 7"  # the feed's title, not the page's ("Page 7")
    assert a.word_count > 150 and "Teaser" not in a.text
    assert a.outlet == "The Harbour Gazette"
    assert a.published and a.published.day == 8


def test_a_failing_source_backs_off_and_the_others_go_on(server, store, settings):
    Handler.routes["/feed.xml"] = (200, "application/rss+xml", rss([(1, True)]))
    Handler.routes["/broken.xml"] = (500, "text/plain", b"oops")
    api.follow_sources(store, [f"{server}/feed.xml", f"{server}/broken.xml"], every_s=0)
    c = cycle(store, settings)
    assert (c.polled, c.failed, c.added) == (2, 1, 1)
    broken = next(s for s in api.followed_sources(store) if s.url.endswith("broken.xml"))
    assert broken.failures == 1 and "HTTP 500" in (broken.last_error or "")
    wait = datetime.fromisoformat(broken.next_poll) - datetime.now(UTC)
    assert wait > timedelta(seconds=50)  # backed off, although every_s is 0
    assert follow.backoff_s(900, 3) == 3600 and follow.backoff_s(900, 30) == 86_400
    c2 = cycle(store, settings)
    assert c2.polled == 1  # only the healthy feed was due


def test_opml_adds_its_feeds_and_bad_outlines_are_one_error_each(server, store, settings):
    Handler.routes["/a.xml"] = (200, "application/rss+xml", rss([(1, True)]))
    Handler.routes["/b.xml"] = (200, "application/rss+xml", rss([(2, True)]))
    outlines = "".join(
        f'<outline text="x" xmlUrl="{u}"/>' for u in ["/a.xml", "file:///etc/hostname", "b.xml"]
    )
    Handler.routes["/list.opml"] = (
        200, "text/x-opml", f'<opml version="2.0"><body>{outlines}</body></opml>'.encode()
    )  # fmt: skip
    api.follow_sources(store, [f"{server}/list.opml"], every_s=0)
    c1 = cycle(store, settings)
    assert c1.new_sources == 2 and c1.added == 0
    assert [e.source for e in c1.errors] == [f"{server}/list.opml#outline2"]
    c2 = cycle(store, settings)
    assert c2.added == 2
    kinds = {s.url.rsplit("/", 1)[1]: (s.kind, s.listed_by) for s in api.followed_sources(store)}
    assert kinds["a.xml"] == ("feed", f"{server}/list.opml")
    assert kinds["list.opml"] == ("opml", None)


NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{urls}
</urlset>"""


def sitemap(ns: list[int]) -> bytes:
    urls = "".join(
        f"<url><loc>{BASE}/page/{n}</loc><news:news><news:publication><news:name>The Pier Post"
        f"</news:name><news:language>en</news:language></news:publication>"
        f"<news:publication_date>2026-03-{10 + n:02d}T08:00:00Z</news:publication_date>"
        f"<news:title>Sitemap title {n}</news:title></news:news></url>"
        for n in ns
    )
    return NEWS_SITEMAP.format(urls=urls).encode()


def test_news_sitemap_newest_first_capped_per_poll(server, store, settings):
    Handler.routes["/news.xml"] = (200, "application/xml", sitemap([1, 2, 3]))
    api.follow_sources(store, [f"{server}/news.xml"], every_s=0)
    capped = Settings.load(**{**settings.as_dict(), "watch_max_items": 2})
    c1 = cycle(store, capped)
    assert c1.added == 2, c1.errors
    dates = sorted(a.published.day for a in store.iter_articles() if a.published)
    assert dates == [12, 13]  # the two newest pages first (the pages state no date)
    c2 = cycle(store, capped)
    assert c2.added == 1  # the page left over, although the sitemap did not change
    assert {a.outlet for a in store.iter_articles()} == {"The Pier Post"}


def test_url_list_and_sitemap_in_ingest_with_fetch(server, tmp_path, store, settings):
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# my list\n{server}/page/4\n\n{server}/page/5\nfile:///etc/hostname\n")
    r = api.ingest([str(urls)], store, settings, run_stages=False)
    assert [e.reason for e in r.errors] == ["list of 3 pages: fetching them needs --fetch"]
    r = api.ingest([str(urls)], store, settings, run_stages=False, fetch=True)
    assert r.added == 2, r.errors
    assert [(e.source, "only http and https" in e.reason) for e in r.errors] == [
        (f"{urls}#3", True)
    ]
    smap = tmp_path / "sitemap.xml"
    smap.write_bytes(sitemap([6]))
    r = api.ingest([str(smap)], store, settings, run_stages=False, fetch=True)
    assert r.added == 1 and r.ok, r.errors


def test_csv_is_refused_with_a_clear_error(tmp_path, store, settings):
    api.ingest([str(ROOT / "tests" / "fixtures" / "seeds")], store, settings, run_stages=False)
    out = tmp_path / "export.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        api.export(store, "csv", fh)
    other = api.open_store(str(tmp_path / "other.db"))
    r = api.ingest([str(out)], other, settings, run_stages=False)
    other.close()
    assert r.added == 0 and r.errors[0].reason.startswith("CSV is not an input format")


def test_sources_command_and_unfollow(server, settings):
    Handler.routes["/feed.xml"] = (200, "application/rss+xml", rss([(1, True)]))
    env = {"NEWSDESK_FETCH_PRIVATE_ADDRESSES": "1", "NEWSDESK_WATCH_HOST_DELAY": "0"}
    runner = CliRunner()
    r = runner.invoke(
        app, ["watch", f"{server}/feed.xml", "--once", "--no-stages", "--db", settings.db], env=env
    )
    assert r.exit_code == 0, r.output
    assert "polled 1 source " in r.output and "1 article added" in r.output
    r = runner.invoke(app, ["sources", "--db", settings.db, "--json"])
    assert r.exit_code == 0 and '"articles": 1' in r.output
    r = runner.invoke(app, ["sources", "--db", settings.db, "--remove", f"{server}/feed.xml"])
    assert "1 of 1 sources unfollowed" in r.output
    r = runner.invoke(app, ["watch", "file:///etc/passwd", "--once", "--db", settings.db])
    assert r.exit_code != 0 and "only http and https" in r.output


def test_sigterm_mid_cycle_loses_nothing(server, tmp_path, settings):
    """SIGTERM while a slow source is in flight: exit 0, the finished and the in-flight sources
    stored; polling again fetches what was left and stores nothing twice."""
    Handler.slow_started.clear()
    Handler.routes["/feed.xml"] = (200, "application/rss+xml", rss([(1, True), (2, True)]))
    Handler.routes["/0slow.xml"] = (200, "application/rss+xml", rss([(5, True)]))
    for n in range(6):
        Handler.routes[f"/f{n}.xml"] = (200, "application/rss+xml", rss([(10 + n, True)]))
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "NEWSDESK_FETCH_PRIVATE_ADDRESSES": "1",
        "NEWSDESK_WATCH_HOST_DELAY": "0.4",  # the f*.xml wait their turn behind the slow one
        "NEWSDESK_WATCH_WORKERS": "2",
    }
    urls = [f"{server}/0slow.xml", f"{server}/feed.xml"] + [f"{server}/f{n}.xml" for n in range(6)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "watch", *urls, "--every", "1h", "--no-stages",
         "--db", settings.db],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert Handler.slow_started.wait(60)
        time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "stopped; everything fetched is stored" in err
    store = api.open_store(settings.db)
    try:
        titles = [a.title for a in store.iter_articles()]
        assert "Story 5" in titles  # the request in flight finished and was stored
        state = {s.url.rsplit("/", 1)[1]: s for s in api.followed_sources(store)}
        polled = [k for k, s in state.items() if s.polls]
        assert "0slow.xml" in polled and len(polled) < len(urls)  # some never started
        for s in state.values():  # a polled source's state matches what is stored
            assert s.articles == (
                1 if s.url.rsplit("/", 1)[1].startswith(("f", "0slow")) else 2
            ) * (s.polls > 0)
        more = api.watch_cycle(store, settings, run_stages=False)
        assert more.polled == len(urls) - len(polled)
        titles = [a.title for a in store.iter_articles()]
        assert len(titles) == len(set(titles)) == 9
    finally:
        store.close()


@pytest.mark.slow
def test_new_items_are_analysed_incrementally_and_join_stories(server, store, settings):
    """With stages on, a cycle runs the pending stages over what it added, and only that."""
    Handler.routes["/feed.xml"] = (200, "application/rss+xml", rss([(1, True), (2, True)]))
    api.follow_sources(store, [f"{server}/feed.xml"], every_s=0)
    api.watch_cycle(store, settings)
    stages = [s.name for s in api.stages()]
    assert all(not store.pending_ids(s.name, s.version) for s in api.stages())
    before = api.count_articles(store)
    Handler.routes["/feed.xml"] = (
        200,
        "application/rss+xml",
        rss([(3, True), (1, True), (2, True)]),
    )
    c = api.watch_cycle(store, settings)
    assert c.added == 1 and api.count_articles(store) == before + 1
    assert all(not store.pending_ids(s.name, s.version) for s in api.stages()), stages
    [new_id] = c.added_ids
    assert any(
        new_id in [a.id for a in api.story(store, s.id).articles] for s in api.stories(store)
    )


def test_sources_web_page(server, store, settings):
    from fastapi.testclient import TestClient

    from newsdesk.web.app import create_app

    Handler.routes["/feed.xml"] = (200, "application/rss+xml", rss([(1, True)]))
    api.follow_sources(store, [f"{server}/feed.xml", f"{server}/<b>gone</b>.xml"], every_s=0)
    cycle(store, settings)
    client = TestClient(create_app(settings, store=store))
    r = client.get("/sources")
    assert r.status_code == 200
    assert f"{server}/feed.xml" in r.text and "HTTP 404" in r.text
    assert "<b>gone</b>" not in r.text and "&lt;b&gt;gone&lt;/b&gt;" in r.text
    data = client.get("/sources.json").json()
    assert {s["url"]: s["articles"] for s in data["items"]}[f"{server}/feed.xml"] == 1


@pytest.mark.slow
def test_demo_feed_joins_its_story(tmp_path):
    """`make demo-follow`: the demo feed's article joins the demo's Social Security story."""
    db = str(tmp_path / "demo.db")
    settings = Settings.load(db=db, fetch_private_addresses=True, watch_host_delay=0.0)
    store = api.open_store(db)
    stories = api.demo_corpus() / "allsides-stories.jsonl"
    assert api.ingest([str(stories)], store, settings).added > 100
    feed = (ROOT / "demo" / "follow" / "feed.xml").read_bytes()
    Handler.routes["/feed.xml"] = (200, "application/rss+xml", feed)
    api.follow_sources(store, [f"{BASE}/feed.xml"], every_s=0)
    cycle = api.watch_cycle(store, settings)
    assert cycle.added == 1, cycle.errors
    sid = story_of_article(store, cycle.added_ids[0])
    assert sid is not None
    others = [a.title or "" for a in api.story(store, sid).articles if a.id != cycle.added_ids[0]]
    assert others and all("Social Security" in t for t in others)
    store.close()


def _feed(*items: tuple[str, str, str]) -> bytes:
    """A feed of (guid, link path, paragraph) items with full text."""
    out = "".join(
        f"<item><title>Story {guid}</title><link>{BASE}{link}</link><guid>{guid}</guid>"
        f"<content:encoded><![CDATA[<p>{text}</p><p>{body(7)}</p>]]></content:encoded></item>"
        for guid, link, text in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>The Harbour Gazette</title><link>{BASE}</link>{out}</channel></rss>"
    ).encode()


def test_an_updated_feed_item_is_a_new_version(server, store, settings):
    """The same guid with changed text revises its article, even when its link changed too."""
    Handler.routes["/feed.xml"] = (200, "application/rss+xml", _feed(("g1", "/a/pier", body(1))))
    api.follow_sources(store, [f"{server}/feed.xml"], every_s=0)
    c1 = cycle(store, settings)
    [aid] = c1.added_ids
    revised = body(1).replace("Report number 1", "Corrected report number 1")
    Handler.routes["/feed.xml"] = (
        200,
        "application/rss+xml",
        _feed(("g1", "/a/pier-closes-for-repairs", revised), ("g2", "/a/ferry", body(2))),
    )
    c2 = cycle(store, settings)
    assert (c2.added, c2.revised, c2.new_items, c2.revised_ids, c2.errors) == (1, 1, 1, [aid], [])
    assert api.count_articles(store) == 2
    a = api.show(store, aid)
    assert "Corrected report number 1" in a.text and a.url.endswith("/a/pier-closes-for-repairs")
    assert [v.version for v in api.article_versions(store, aid)] == [1, 2]
    [src] = api.followed_sources(store)
    assert (src.items, src.articles) == (2, 2)
    c3 = cycle(store, settings)  # nothing changed: a 304
    assert (c3.not_modified, c3.added, c3.revised) == (1, 0, 0)
    Handler.routes["/feed.xml"] = (  # the same entries in another order: no item changed
        200,
        "application/rss+xml",
        _feed(("g2", "/a/ferry", body(2)), ("g1", "/a/pier-closes-for-repairs", revised)),
    )
    c4 = cycle(store, settings)
    assert (c4.not_modified, c4.added, c4.revised, c4.new_items) == (0, 0, 0, 0)
    assert len(api.article_versions(store, aid)) == 2


def test_a_changed_page_at_a_known_url_is_a_new_version(server, store, settings):
    live = f"{server}/live.html"
    Handler.routes["/live.html"] = (200, "text/html", page(5))
    api.follow_sources(store, [live], every_s=0)
    [aid] = cycle(store, settings).added_ids
    Handler.routes["/live.html"] = (
        200,
        "text/html",
        page(5).replace(b"Report number 5", b"Update 5"),
    )
    c = cycle(store, settings)
    assert (c.added, c.revised, c.revised_ids) == (0, 1, [aid]), c.errors
    assert api.count_articles(store) == 1 and "Update 5" in api.show(store, aid).text
    assert len(api.article_versions(store, aid)) == 2
