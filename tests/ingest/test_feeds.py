"""RSS/Atom feeds and OPML lists, from files and (with --fetch) from a local HTTP server."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from newsdesk import api
from newsdesk.cli import app
from newsdesk.errors import InputError
from newsdesk.ingest import fetch, sources
from newsdesk.ingest.feeds import read_feed
from newsdesk.models import IngestError, RawDocument
from newsdesk.settings import Settings

BODY = (
    "The regional parliament approved the new housing law on Thursday after a debate that lasted "
    "more than nine hours, with 61 members voting in favour and 44 against the proposal."
)
BODY2 = (
    "Fishermen in the northern harbour protested on Monday against new quotas, blocking the port "
    "entrance with more than forty boats for most of the morning before police intervened."
)

RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>The Courier</title><link>https://courier.example.com/</link><language>en-gb</language>
  <item>
    <title>Housing law passes</title>
    <link>https://courier.example.com/politics/housing-law</link>
    <pubDate>Thu, 06 Mar 2025 17:30:00 GMT</pubDate>
    <dc:creator>Jane Doe</dc:creator>
    <category>Politics</category><category>Housing</category>
    <description>Short summary only.</description>
    <content:encoded><![CDATA[<p>{BODY}</p><script>alert('x')</script><p>Second paragraph.</p>]]></content:encoded>
  </item>
  <item>
    <title>Fishermen block port</title>
    <link>https://courier.example.com/local/fishermen</link>
    <pubDate>Mon, 10 Mar 2025 08:00:00 +0100</pubDate>
    <description>&lt;p&gt;{BODY2}&lt;/p&gt;</description>
  </item>
  <item><title>Title only</title><link>https://courier.example.com/x</link></item>
</channel></rss>
"""

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Harbour Times</title>
  <entry>
    <title>Fishermen block port</title>
    <link href="https://harbour.example.net/fishermen"/>
    <id>urn:x:1</id>
    <updated>2025-03-10T09:00:00Z</updated><published>2025-03-10T07:00:00Z</published>
    <author><name>Ann Smith</name></author><author><name>Bo Lee</name></author>
    <category term="Local"/>
    <content type="html">&lt;p&gt;{BODY2}&lt;/p&gt;</content>
  </entry>
</feed>
"""


def docs(items: list[RawDocument | IngestError]) -> list[RawDocument]:
    return [i for i in items if isinstance(i, RawDocument)]


def test_rss_entries():
    items = list(read_feed("f.rss", RSS.encode()))
    got = docs(items)
    assert len(got) == 2
    first = got[0]
    assert first.source == "f.rss#1"
    assert first.fields["title"] == "Housing law passes"
    assert first.fields["outlet"] == "The Courier"
    assert first.fields["authors"] == ["Jane Doe"]
    assert first.fields["category"] == "Politics"
    assert first.fields["published"].isoformat() == "2025-03-06T17:30:00+00:00"
    assert first.url == "https://courier.example.com/politics/housing-law"
    assert first.content == BODY + "\n\nSecond paragraph."  # content:encoded wins over the summary
    assert got[1].content == BODY2  # the summary's HTML, as text
    assert got[1].fields["published"].isoformat() == "2025-03-10T07:00:00+00:00"
    errors = [i for i in items if isinstance(i, IngestError)]
    assert [e.source for e in errors] == ["f.rss#3"] and "no content" in errors[0].reason


def test_atom_entries():
    (doc,) = docs(list(read_feed("a.atom", ATOM.encode())))
    assert doc.fields["authors"] == ["Ann Smith", "Bo Lee"]
    assert doc.fields["outlet"] == "Harbour Times"
    assert doc.fields["published"].isoformat() == "2025-03-10T07:00:00+00:00"
    assert doc.content == BODY2


def test_feed_through_ingest(tmp_path, store, settings):
    path = tmp_path / "courier.xml"
    path.write_text(RSS, encoding="utf-8")
    report = api.ingest([str(path)], store, settings, run_stages=False)
    assert report.added == 2 and len(report.errors) == 1
    titles = sorted(a.title or "" for a in store.iter_articles())
    assert titles == ["Fishermen block port", "Housing law passes"]
    assert all("alert" not in a.text for a in store.iter_articles())


def test_malformed_feed():
    items = list(read_feed("bad.xml", b"<?xml version='1.0'?><rss><channel><title>x</chan"))
    assert len(items) == 1 and isinstance(items[0], IngestError)
    assert items[0].reason.startswith("malformed feed")


def test_empty_feed():
    items = list(
        read_feed("e.xml", b"<rss version='2.0'><channel><title>x</title></channel></rss>")
    )
    assert [i.reason for i in items] == ["feed has no entries"]


def opml(*urls: str) -> bytes:
    outlines = "".join(f'<outline text="f" type="rss" xmlUrl="{u}"/>' for u in urls)
    return (
        f'<?xml version="1.0"?><opml version="2.0"><head/><body>{outlines}</body></opml>'.encode()
    )


def test_opml_without_fetch_is_a_clear_error():
    items = list(
        sources.read_opml("feeds.opml", opml("https://a.example/rss", "https://b.example/rss"))
    )
    assert len(items) == 1
    assert items[0].source == "feeds.opml"
    assert "2 feeds" in items[0].reason and "--fetch" in items[0].reason


def test_url_argument_without_fetch(store, settings):
    report = api.ingest(["https://example.org/feed.xml"], store, settings, run_stages=False)
    assert [(e.source, e.reason) for e in report.errors] == [
        ("https://example.org/feed.xml", "is a URL: fetching it needs --fetch")
    ]


# -- fetching from a local server -------------------------------------------------------------

PAGE = (
    "<html><head><title>Port blockade ends</title></head><body><article><h1>Port blockade ends</h1>"
    f"<p>{BODY2}</p><p>{BODY}</p></article></body></html>"
)


class Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, str, bytes]]] = {}

    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(2)
        if self.path.startswith("/loop"):
            n = int(self.path.removeprefix("/loop") or 0)
            self.send_response(302)
            self.send_header("Location", f"/loop{n + 1}")
            self.end_headers()
            return
        if self.path == "/to-file":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        status, ctype, body = self.routes.get(self.path, (404, "text/plain", b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    Handler.routes = {
        "/feed.xml": (200, "application/rss+xml", RSS.encode()),
        "/atom.xml": (200, "application/atom+xml", ATOM.encode()),
        "/page.html": (200, "text/html; charset=utf-8", PAGE.encode()),
        "/big.html": (200, "text/html", b"<html>" + b"x" * 5000 + b"</html>"),
        "/list.opml": (
            200,
            "text/x-opml",
            opml(f"{base}/feed.xml", f"{base}/atom.xml", f"{base}/gone.xml"),
        ),
    }
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield base
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def settings(tmp_path) -> Settings:
    # the test server listens on loopback, which fetching refuses unless this setting allows it
    return Settings.load(db=str(tmp_path / "news.db"), fetch_private_addresses=True)


def test_fetch_feed_page_and_opml(server, store, settings):
    urls = [f"{server}/feed.xml", f"{server}/page.html", f"{server}/list.opml"]
    report = api.ingest(urls, store, settings, run_stages=False, fetch=True)
    by_source = {e.source: e.reason for e in report.errors}
    assert by_source[f"{server}/gone.xml"] == "HTTP 404 Not Found"
    # feed.xml is listed in the OPML too: fetched once only
    assert by_source[f"{server}/feed.xml"].startswith("already fetched")
    titles = sorted(a.title or "" for a in store.iter_articles())
    assert "Port blockade ends" in titles and "Housing law passes" in titles
    page = next(a for a in store.iter_articles() if a.title == "Port blockade ends")
    assert page.url == f"{server}/page.html"
    atom = [a for a in store.iter_articles() if a.outlet == "Harbour Times"]
    assert len(atom) == 1


def test_fetch_errors_name_the_url(server):
    with fetch.fetch_enabled(max_bytes=1000, timeout=0.5, allow_private=True):
        for path, reason in [
            ("/loop", "too many redirects"),
            ("/big.html", "too large"),
            ("/slow", "timed out"),
            ("/nothing", "HTTP 404"),
            ("/to-file", "non-HTTP"),
        ]:
            url = server + path
            with pytest.raises(InputError) as err:
                fetch.fetch(url, 1000)
            assert err.value.source == url
            assert reason in err.value.reason, (path, err.value.reason)


def test_cli_fetch(server, tmp_path):
    db = str(tmp_path / "f.db")
    runner = CliRunner()
    argv = ["ingest", "--fetch", "--no-stages", f"{server}/atom.xml", "--db", db]
    r = runner.invoke(app, argv)
    assert r.exit_code == 1 and "internal address" in r.output  # loopback: refused by default
    r = runner.invoke(app, argv, env={"NEWSDESK_FETCH_PRIVATE_ADDRESSES": "1"})
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["ingest", "--no-stages", f"{server}/atom.xml", "--db", db])
    assert r.exit_code == 1 and "needs --fetch" in r.output


def test_local_opml_with_fetch(server, tmp_path, store, settings):
    path = tmp_path / "feeds.opml"
    path.write_bytes(opml(f"{server}/atom.xml"))
    report = api.ingest([str(path)], store, settings, run_stages=False, fetch=True)
    assert report.ok and report.added == 1


def test_fetch_is_off_outside_the_block():
    assert not fetch.fetching()
    with pytest.raises(InputError, match="needs --fetch"):
        fetch.fetch("http://127.0.0.1:9/x", 100)


def test_cp1251_feed_with_xml_declaration():
    rss = (
        '<?xml version="1.0" encoding="windows-1251"?><rss version="2.0"><channel>'
        "<title>Новости дня</title><item><title>Переговоры продолжатся</title>"
        "<link>https://news.example.ru/1</link>"
        "<description>Министр иностранных дел заявил, что переговоры продолжатся.</description>"
        "</item></channel></rss>"
    ).encode("cp1251")
    (doc,) = docs(list(read_feed("ru.xml", rss)))
    assert doc.fields["outlet"] == "Новости дня"
    assert doc.fields["title"] == "Переговоры продолжатся"
    assert doc.content.startswith("Министр иностранных дел")


# -- fetch security: http(s) only, internal addresses refused (issue 20) -------------------------


def test_loopback_is_refused_unless_the_setting_allows_it(server, tmp_path):
    url = f"{server}/atom.xml"
    for allow, refused in [(False, True), (True, False)]:
        with fetch.fetch_enabled(10_000, allow_private=allow):
            if refused:
                with pytest.raises(InputError, match="internal address") as err:
                    fetch.fetch(url, 10_000)
                assert err.value.source == url and "fetch_private_addresses" in err.value.reason
            else:
                assert b"Harbour Times" in fetch.fetch(url, 10_000)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "::ffff:127.0.0.1",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
    ],
)
def test_internal_addresses(address):
    assert fetch._internal(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700::1111", "8.8.8.8"])
def test_public_addresses(address):
    assert not fetch._internal(address)


def test_only_http_urls_are_fetched():
    with fetch.fetch_enabled(1000, allow_private=True):
        for url in ["file:///etc/hostname", "ftp://example.org/x", "feeds/a.xml", "http://"]:
            with pytest.raises(InputError, match="only http and https"):
                fetch.fetch(url, 1000)


def test_opml_listing_local_files_reads_none_of_them(server, tmp_path, store, settings):
    """A fetched (or local) OPML naming file: URLs stores nothing from them; the rest is read."""
    memo = tmp_path / "memo.html"
    memo.write_text(f"<html><body><article><p>SECRET {BODY}</p></article></body></html>")
    listed = opml(
        f"file://{memo}", "file:///etc/hostname", "feeds/relative.xml", f"{server}/atom.xml"
    )
    Handler.routes["/evil.opml"] = (200, "text/x-opml", listed)
    local = tmp_path / "evil.opml"
    local.write_bytes(listed)
    report = api.ingest(
        [f"{server}/evil.opml", str(local)], store, settings, run_stages=False, fetch=True
    )
    texts = [a.text for a in store.iter_articles()]
    assert not any("SECRET" in t for t in texts)
    assert report.added == 1  # atom.xml: read once (its second listing is "already fetched")
    refused = [e for e in report.errors if "only http and https" in e.reason]
    # from the fetched list: the two file: URLs (the relative one resolves against its URL,
    # to a 404); from the local list: all three
    assert len(refused) == 5, report.errors
    assert all("#outline" in e.source for e in refused)
    assert any(
        e.source == f"{server}/feeds/relative.xml" and "404" in e.reason for e in report.errors
    )


def test_one_bad_outline_gives_one_error_and_the_rest_is_read(server, tmp_path, store, settings):
    path = tmp_path / "feeds.opml"
    path.write_bytes(opml("feeds/a.xml", f"{server}/atom.xml", f"{server}/feed.xml"))
    report = api.ingest([str(path)], store, settings, run_stages=False, fetch=True)
    listed = [e for e in report.errors if e.source.startswith(str(path))]
    assert [(e.source, "only http and https" in e.reason) for e in listed] == [
        (f"{path}#outline1", True)
    ]
    assert report.added >= 2
