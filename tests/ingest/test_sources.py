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
        (b'<?xml version="1.0"?><TEI xmlns="x"><text/></TEI>', "root <tei>"),
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


# --- sniffing never refuses a real page -------------------------------------------------------

SEED = (Path(__file__).parents[1] / "fixtures" / "seeds" / "000_c4dcb129cd5a3c25.txt").read_bytes()

# Every kind of first line a scraped text page starts with (alt text, templates, arrows, menus,
# BOMs, blank lines, stray NULs): each must be read as a text page and give its article.
FIRST_LINES = {
    "image alt text in brackets": b"[Skip to content]\n",
    "markdown link": b"[Home](https://example.org/) | [World](https://example.org/world)\n",
    "bracketed list": b"[1] [2] [3] Next page\n",
    "JSON-looking number list": b"[1]\n",
    "template braces": b"{{ page.title }}\n",
    "curly section": b"{Advertisement}\n",
    "back arrow": b"<< Back to news\n",
    "less-than": b"< Previous article\n",
    "heart": b"<3 our readers\n",
    "utf-8 BOM then bracket": b"\xef\xbb\xbf[Skip to content]\n",
    "utf-8 BOM": b"\xef\xbb\xbfLatest news\n",
    "blank lines": b"\n\n  \n\t\n",
    "carriage returns": b"\r\n\r\nMenu\r\n",
    "stray NUL bytes": b"\x00\x00Menu\x00\n",
    "a date": b"23/07/2025\n",
    "a hash tag": b"#Ukraine #Russia\n",
    "a hyphen rule": b"----------\n",
    "a quote": b'"We will not give up," she said.\n',
    "an at-handle": b"@kyivindependent\n",
    "a URL": b"https://example.org/2025/07/23/talks\n",
    "Cyrillic menu": "Головна | Новини | Політика\n".encode(),
}


@pytest.mark.parametrize("first", list(FIRST_LINES.values()), ids=list(FIRST_LINES))
def test_every_first_line_of_a_scraped_page_is_a_text_page(first):
    data = first + SEED
    assert sources.sniff("page.txt", data) == "text"
    assert sources.sniff("page", data) == "text"  # no extension to lean on
    from newsdesk.ingest.articles import build_article, extract
    from newsdesk.settings import Settings

    (doc,) = list(sources.read_source("page", data, 10**6))
    article = build_article(extract(doc), doc.source, Settings.load(db=":memory:"))
    assert "Kyslytsia" in article.text and "\x00" not in article.text


def test_utf16_text_without_bom_is_text():
    data = ("Latest news\n\n" + SEED.decode()).encode("utf-16-le")
    assert sources.sniff("page", data) == "text"
    (doc,) = list(sources.read_source("page", data, 10**6))
    assert "Kyslytsia" in doc.content and "\x00" not in doc.content


@pytest.mark.parametrize(
    "data",
    [
        b'{"text": "x"}\n{"text": "y"}\n',
        b'\xef\xbb\xbf{"text": "x"}\n',
        b'\n\n[{"text": "x"}, {"text": "y"}]\n',
        b'[\n  {"text": "x"},\n  {"text": "y"}\n]\n',
        '{"text": "x"}\n'.encode("utf-16"),
        b'{"text": "x"}\n{"text": broken\n{"text": "z"}\n',
    ],
)
def test_json_is_json_only_when_it_parses(data):
    assert sources.sniff("f", data) == "jsonl"


def test_jsonl_with_a_broken_line_reports_it_by_line_number():
    data = b'{"text": "first"}\n\n{"text": broken\n{"text": "third"}\n'
    out = list(sources.read_source("f.jsonl", data, 10**6))
    assert [getattr(d, "content", None) for d in out] == ["first", None, "third"]
    assert out[1].source == "f.jsonl:3" and "malformed JSON" in out[1].reason


def test_mostly_broken_json_lines_are_a_text_page():
    data = b'{"text": "x"}\n{{ header }}\nSome text of the page.\nMore text.\n'
    assert sources.sniff("f", data) == "text"


@pytest.mark.parametrize(
    "data",
    [
        b"<p>A saved paragraph.</p>",
        b"<html>",
        b"<!-- saved page -->\n<div>x</div>",
        b"<custom-element>x</custom-element><p>y</p>",
    ],
)
def test_markup_is_html(data):
    assert sources.sniff("f", data) == "html"


def test_binary_with_many_nuls_is_still_refused():
    with pytest.raises(InputError, match="binary"):
        sources.sniff("f", b"\x00\x00\x00\x01\x00\x07" * 100)


AD_TAG = (
    b'<a href="http://ad.example.net/jump/site;sz=220x550;ord=[timestamp]?"><img '
    b'src="http://ad.example.net/ad/site;sz=220x550;ord=[timestamp]?" width="220" height="550" '
    b'border="0" alt=""></a>\n\nAdvanced Search\n\n'
)


def test_a_text_page_that_opens_with_a_tag_is_read_as_a_text_page():
    # inscriptis left an ad's markup above the text of a real page (l3s-gn1, gulf-times.com):
    # sniffed as an HTML fragment it has no document tree; it must not be refused.
    from newsdesk.ingest.articles import build_article, extract
    from newsdesk.settings import Settings

    data = AD_TAG + SEED
    (doc,) = list(sources.read_source("page", data, 10**6))
    assert doc.kind == "html"  # it does open with markup
    fields = extract(doc)
    assert fields["category"] == "Latest news"  # the text-page cleaner read it
    assert fields["title"].startswith("Russia Never Intended")  # not the ad's markup
    article = build_article(fields, doc.source, Settings.load(db=":memory:"))
    assert "Kyslytsia" in article.text and "Advanced Search" not in article.text


def test_a_fragment_without_article_text_is_still_refused():
    from newsdesk.ingest.articles import extract

    (doc,) = list(sources.read_source("f.html", b"<div><a href='/'>Home</a></div>", 10**6))
    with pytest.raises(InputError, match="malformed HTML"):  # the HTML path's error stays
        extract(doc)
