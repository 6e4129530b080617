"""Alerts: saved searches and followed people, stories and threads count what arrives after
them, whichever way it comes (ingest, ``watch``), and ``alerts check`` prints it for cron."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from newsdesk import api
from newsdesk.cli import app
from newsdesk.cli.alerts import NOTHING_NEW
from newsdesk.errors import BadArgument, NotFound
from newsdesk.settings import Settings
from newsdesk.store import Store
from newsdesk.views.stories import story_of_article
from newsdesk.web.app import create_app
from tests.store.test_postgres import pg_url  # noqa: F401  (the throwaway-server fixture)

PIER = [
    (
        "Harbour pier closes after inspectors find cracks",
        "The harbour authority closed the northern pier on Tuesday after inspectors found cracks "
        "in three concrete supports. “We cannot take any risk with the public,” said Mayor Jane "
        "Doe, who ordered the closure. Ferries will use the southern terminal for now.",
    ),
    (
        "Cracked supports shut northern pier, ferries diverted",
        "Ferry services moved to the southern terminal after the northern pier was shut because "
        "of cracked concrete supports, the harbour authority said. Mayor Jane Doe said repairs "
        "would begin next month and the pier could reopen in spring.",
    ),
    (
        "Pier closure: harbour authority orders repairs to cracked supports",
        "Repairs to the cracked supports of the northern pier will take until spring, the harbour "
        "authority said on Wednesday, a day after the closure. Ferry passengers face longer "
        "journeys from the southern terminal, Mayor Jane Doe said.",
    ),
]
OTHER = [
    (
        "City council approves new tram line",
        "The city council approved a new tram line to the airport on Monday. Construction of the "
        "twelve stations starts in the autumn and the line should open in three years.",
    ),
    (
        "Solar farm opens on former airfield",
        "A solar farm built on a former military airfield began supplying power to four thousand "
        "homes this week, the regional energy company said on Thursday.",
    ),
]
LATER_PIER = (
    "Divers inspect cracked pier supports as repairs begin",
    "Divers began inspecting the cracked concrete supports of the closed northern pier on Monday "
    "as repairs started, the harbour authority said. Mayor Jane Doe said ferries would stay at the "
    "southern terminal until the pier reopens in spring.",
)


def doc(n: int, title: str, text: str) -> dict[str, str]:
    return {
        "url": f"https://example.org/a/{n}",
        "title": title,
        "outlet": ["Harbour Times", "Daily Example", "Coast News"][n % 3],
        "published": f"2026-03-{n + 1:02d}T09:00:00+00:00",
        "text": text,
    }


def write(path: Path, docs: list[dict[str, str]]) -> str:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return str(path)


def test_an_alert_is_kind_colon_target() -> None:
    from newsdesk.search.alerts import parse

    assert parse("search:  port   strike ") == ("search", "port strike")
    assert parse("Person:Jane Doe") == ("person", "Jane Doe")
    assert parse("org:Harbour Authority") == ("person", "Harbour Authority")
    assert parse("story:12") == ("story", "12") and parse("thread:3") == ("thread", "3")
    for bad, said in [
        ("port strike", "is not an alert"),
        ("weather:rain", "is not an alert"),
        ("story:twelve", "numbered"),
        ("person:", "names nothing"),
        ("search:!!!", "at least one word"),
    ]:
        with pytest.raises(BadArgument, match=said):
            parse(bad)


# -- a saved search sees what watch brings -----------------------------------------------------
class Feed(http.server.BaseHTTPRequestHandler):
    items: ClassVar[list[tuple[str, str]]] = []

    def do_GET(self) -> None:
        entries = "".join(
            f"<item><title>{t}</title><link>https://example.org/feed/{i}</link><guid>g{i}</guid>"
            f"<pubDate>Tue, 03 Mar 2026 1{i}:00:00 GMT</pubDate>"
            f"<content:encoded><![CDATA[<p>{x}</p>]]></content:encoded></item>"
            for i, (t, x) in enumerate(self.items)
        )
        data = (
            '<?xml version="1.0"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            f"<title>Coast News</title><link>https://example.org/</link>{entries}</channel></rss>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def feed_url() -> Iterator[str]:
    Feed.items = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/feed.xml"
    httpd.shutdown()
    httpd.server_close()


def test_a_saved_search_counts_what_watch_ingests(tmp_path: Path, feed_url: str) -> None:
    settings = Settings.load(
        db=str(tmp_path / "w.db"), fetch_private_addresses=True, watch_host_delay=0.0
    )
    store = api.open_store(settings.db)
    docs = [doc(i, t, x) for i, (t, x) in enumerate(PIER[:1] + OTHER)]
    api.ingest([write(tmp_path / "a.jsonl", docs)], store, settings, run_stages=False)
    cracks, _ = api.add_alert(store, "search:cracked supports")
    tram, _ = api.add_alert(store, "search:tram airport")
    assert api.add_alert(store, "search:cracked  supports") == (cracks, False)  # saved once
    assert [a.new for a in api.alerts(store)] == [0, 0]  # what was stored is not new

    api.follow_sources(store, [feed_url], every_s=0)
    Feed.items = [OTHER[1]]  # "solar farm": matches neither
    assert api.watch_cycle(store, settings, run_stages=False).added == 1
    assert [a.new for a in api.alerts(store)] == [0, 0]

    Feed.items = [OTHER[1], LATER_PIER]  # the pier item holds "cracked" and "supports"
    cycle = api.watch_cycle(store, settings, run_stages=False)
    assert cycle.added == 1
    assert [a.new for a in api.alerts(store)] == [1, 0]
    news = api.alert_news(store, cracks.id)
    assert [b.id for b in news.articles] == cycle.added_ids
    every = api.alert_news(store, cracks.id, new_only=False).articles
    assert {b.title for b in every} == {LATER_PIER[0], PIER[0][0]}  # stemmed: "cracks" too

    assert api.mark_alerts_read(store, [cracks.id]) == 1
    assert [a.new for a in api.alerts(store)] == [0, 0]

    # the pier entry is corrected at the source: a revision, not a new article
    Feed.items = [OTHER[1], (LATER_PIER[0], LATER_PIER[1] + " Divers found two more cracks.")]
    cycle = api.watch_cycle(store, settings, run_stages=False)
    assert (cycle.added, cycle.revised) == (0, 1), cycle
    assert [(a.new, a.revised) for a in api.alerts(store)] == [(0, 1), (0, 0)]
    news = api.alert_news(store, cracks.id)
    assert news.articles == () and [b.title for b in news.revised] == [LATER_PIER[0]]
    # times are to the second, and a version stored in the second of a read still counts
    # (reported twice rather than never): read in the next second
    time.sleep(1.05 - time.time() % 1)
    api.mark_alerts_read(store, [cracks.id])
    assert [(a.new, a.revised) for a in api.alerts(store)] == [(0, 0), (0, 0)]
    assert api.remove_alerts(store, [tram.id]) == 1 and [a.id for a in api.alerts(store)] == [
        cracks.id
    ]
    store.close()


# -- people, stories: what the stages find -----------------------------------------------------
@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Settings, Path]]:
    folder = tmp_path_factory.mktemp("alerts")
    settings = Settings.load(db=str(folder / "s.db"))
    store = api.open_store(settings.db)
    docs = [doc(i, t, x) for i, (t, x) in enumerate(PIER + OTHER)]
    report = api.ingest([write(folder / "a.jsonl", docs)], store, settings)
    assert report.added == len(docs), report.errors
    yield store, settings, folder
    store.close()


def test_story_and_person_alerts_count_an_article_that_joins_them(analysed) -> None:
    store, settings, folder = analysed
    ids = [a.id for a in store.iter_articles()]
    sid = story_of_article(store, ids[0])
    assert sid is not None and story_of_article(store, ids[1]) == sid
    story, _ = api.add_alert(store, f"story:{sid}")
    person, _ = api.add_alert(store, "person:Jane Doe")
    assert person.label == "Jane Doe" and story.label
    with pytest.raises(NotFound, match="no story 9999"):
        api.add_alert(store, "story:9999")

    # stored but not analysed yet: not in the story, and marking read does not skip it
    later = write(folder / "later.jsonl", [doc(10, *LATER_PIER)])
    api.ingest([later], store, settings, run_stages=False)
    assert {a.id: a.new for a in api.alerts(store)} == {story.id: 0, person.id: 0}
    api.mark_alerts_read(store)
    api.run(store, settings)
    new_id = next(a.id for a in store.iter_articles() if a.title == LATER_PIER[0])
    assert story_of_article(store, new_id) == sid
    counts = {a.id: a.new for a in api.alerts(store)}
    assert counts == {story.id: 1, person.id: 1}
    assert [b.id for b in api.alert_news(store, story.id).articles] == [new_id]

    label, briefs = api.following(store, f"story:{sid}")
    assert label == api.story_titles(store, [sid])[0].title  # the story's title, as it is now
    assert new_id in {b.id for b in briefs} and len(briefs) >= 3
    api.mark_alerts_read(store)
    assert {a.new for a in api.alerts(store)} == {0}


def test_alerts_command_adds_lists_and_checks(analysed) -> None:
    store, settings, folder = analysed
    runner = CliRunner()
    db = ["--db", settings.db]
    r = runner.invoke(app, ["alerts", "add", "search:ferries terminal", *db])
    assert r.exit_code == 0, r.output
    aid = next(a.id for a in api.alerts(store) if a.target == "ferries terminal")
    r = runner.invoke(app, ["alerts", "add", "rain tomorrow", *db])
    assert r.exit_code != 0 and "is not an alert" in r.output
    assert "Traceback" not in r.output

    r = runner.invoke(app, ["alerts", "check", str(aid), "--exit-code", *db])
    assert r.exit_code == NOTHING_NEW and r.stdout == ""
    extra = doc(
        20,
        "Ferries crowd the southern terminal",
        "Queues formed at the southern terminal as all ferries now leave from there.",
    )
    api.ingest([write(folder / "extra.jsonl", [extra])], store, settings, run_stages=False)
    r = runner.invoke(app, ["alerts", *db])
    assert r.exit_code == 0 and "ferries terminal" in r.stdout
    r = runner.invoke(app, ["alerts", "check", str(aid), "--json", "--mark-read", *db])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [n["alert"]["id"] for n in out] == [aid] and out[0]["alert"]["new"] == 1
    assert [b["title"] for b in out[0]["articles"]] == [extra["title"]]
    r = runner.invoke(app, ["alerts", "check", str(aid), "--exit-code", *db])
    assert r.exit_code == NOTHING_NEW  # marked read
    r = runner.invoke(app, ["alerts", "remove", str(aid), *db])
    assert r.exit_code == 0 and aid not in {a.id for a in api.alerts(store)}
    r = runner.invoke(app, ["alerts", "check", "77", *db])
    assert r.exit_code != 0 and "no alert 77" in r.output


@pytest.mark.postgres
def test_a_saved_search_on_postgres(pg_url: str, tmp_path: Path) -> None:  # noqa: F811
    """The tsvector branch: every word, stemmed by the english configuration."""
    settings = Settings.load(db=pg_url)
    store = api.open_store(pg_url)
    try:
        api.ingest(
            [write(tmp_path / "a.jsonl", [doc(0, *PIER[0])])], store, settings, run_stages=False
        )
        a, _ = api.add_alert(store, "search:cracked supports")
        later = [doc(1, *OTHER[0]), doc(2, *LATER_PIER)]
        api.ingest([write(tmp_path / "b.jsonl", later)], store, settings, run_stages=False)
        assert [x.new for x in api.alerts(store)] == [1]
        assert [b.title for b in api.alert_news(store, a.id).articles] == [LATER_PIER[0]]
        assert len(api.alert_news(store, a.id, new_only=False).articles) == 2
        api.mark_alerts_read(store)
        assert [x.new for x in api.alerts(store)] == [0]

        # the front page over PostgreSQL: a story alert, new since a visit, the coverage chart
        api.run(store, settings)
        client = TestClient(create_app(settings, store=store))
        assert client.get("/").status_code == 200  # the first visit sets the cookie
        sid = api.stories(store)[0].id
        story, _ = api.add_alert(store, f"story:{sid}")
        api.ingest([write(tmp_path / "c.jsonl", [doc(3, *PIER[1])])], store, settings)
        twin = client.get("/index.json").json()
        assert twin["since"]["new_articles"] == 1 and twin["coverage"]
        assert 'class="coverage-chart"' in client.get("/").text
        added = next(x.id for x in store.iter_articles() if x.title == PIER[1][0])
        joined = story_of_article(store, added) == sid
        assert {x.id: x.new for x in api.alerts(store)}[story.id] == int(joined)
    finally:
        store.close()
