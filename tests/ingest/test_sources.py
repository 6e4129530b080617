"""Sniffing, reading and gzip handling of inputs."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from newsdesk.errors import InputError
from newsdesk.ingest import fetch, sources

DATA = Path(__file__).parents[1] / "data"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"<!DOCTYPE html><html><body>x</body></html>", "html"),
        (b"\xef\xbb\xbf<html><p>x</p></html>", "html"),
        (b"<div><p>a saved fragment</p></div>", "html"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>', "feed"),
        (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>', "feed"),
        (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="x"/>', "feed"),
        (b'<?xml version="1.0"?><opml version="2.0"/>', "opml"),
        (b'<?xml version="1.0"?>\n<!-- c --><html xmlns="http://www.w3.org/1999/xhtml"/>', "html"),
        (b'{"text": "x"}\n', "jsonl"),
        (b"WARC/1.0\r\n", "warc"),
        (b"Just a scraped page\n\nWith text.", "text"),
    ],
)
def test_sniff(data, kind):
    assert sources.sniff("f", data) == kind


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\t ", "empty file"),
        (b"%PDF-1.4 ...", "a PDF document"),
        (b"PK\x03\x04rest", "a ZIP archive"),
        (b"\x00\x01\x02binary" * 20, "binary file"),
        (b'<?xml version="1.0"?><urlset xmlns="x"><url/></urlset>', "root <urlset>"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "root <svg>"),
    ],
)
def test_sniff_refuses(data, reason):
    with pytest.raises(InputError) as err:
        sources.sniff("f.xml", data)
    assert err.value.source == "f.xml" and reason in err.value.reason


def test_utf16_text_is_not_binary():
    data = "\ufeffHello world, a page of text.".encode("utf-16")
    assert sources.sniff("f.txt", data) == "text"


def test_gunzip_multi_member_and_truncation():
    two = gzip.compress(b"first ") + gzip.compress(b"second")
    assert sources.gunzip("f.gz", two, 1000) == b"first second"
    with pytest.raises(InputError, match="truncated gzip"):
        sources.gunzip("f.gz", two[:-10], 1000)
    with pytest.raises(InputError, match="corrupt gzip"):
        sources.gunzip("f.gz", b"\x1f\x8b\x08\x00" + b"\xff" * 30, 1000)
    with pytest.raises(InputError, match="over the limit"):
        sources.gunzip("f.gz", gzip.compress(b"x" * 5000), 1000)


def test_gzipped_html_is_read():
    data = gzip.compress((DATA / "hostile.html").read_bytes())
    (doc,) = list(sources.read_source("page.html.gz", data, 10**6))
    assert doc.kind == "html" and "tram" in doc.content


def test_gzipped_warc_under_any_name_goes_to_the_warc_reader():
    data = (DATA / "pages.warc.gz").read_bytes()
    docs = list(sources.read_source("download.bin", data, 10**6))
    assert [d.url for d in docs] == ["https://news.example.org/a", "https://news.example.org/b"]


def test_expand_reports_urls_without_fetch_and_keeps_them_with_it(tmp_path):
    (tmp_path / "a.html").write_text("<p>x</p>")
    (tmp_path / ".hidden.html").write_text("<p>x</p>")
    items = list(sources.expand([str(tmp_path), "https://example.org/x"]))
    assert items[0] == str(tmp_path / "a.html") and len(items) == 2
    assert "needs --fetch" in items[1].reason
    with fetch.fetch_enabled(1000):
        assert list(sources.expand(["https://example.org/x"])) == ["https://example.org/x"]
