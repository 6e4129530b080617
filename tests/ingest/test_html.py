"""HTML pages: main text and metadata, safe on hostile markup."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from newsdesk import api
from newsdesk.errors import InputError
from newsdesk.export import article_dict
from newsdesk.ingest.html import extract_html, extract_page, fragment_text, read_html
from newsdesk.models import RawDocument
from tests.conftest import shared

DATA = Path(__file__).parents[1] / "data"

PARAS = [
    "The regional parliament approved the new housing law on Thursday after a debate that lasted "
    "more than nine hours, with 61 members voting in favour and 44 against the proposal.",
    "The law caps rent increases at three percent a year for the next five years and obliges "
    "landlords to register every flat they let, a requirement tenant groups had demanded.",
    "Opposition parties said they would challenge the law before the constitutional court, arguing "
    "that it interferes with property rights and will discourage investment in new housing.",
]


def page(head: str = "", body_extra: str = "") -> str:
    paras = "".join(f"<p>{p}</p>" for p in PARAS)
    return (
        f"<html lang='en-GB'><head><meta charset='utf-8'><title>Housing law passes | The Courier</title>"
        f"{head}</head><body><nav><a href='/'>Home</a> <a href='/politics'>Politics</a></nav>"
        f"<article><h1>Housing law passes after nine-hour debate</h1>{body_extra}{paras}</article>"
        f"<footer>© The Courier 2025. All rights reserved. Subscribe to our newsletter.</footer></body></html>"
    )


META = """
<link rel="canonical" href="/politics/2025/03/housing-law">
<meta property="og:site_name" content="The Courier">
<meta property="og:title" content="Housing law passes after nine-hour debate">
<meta name="author" content="Jane Doe; John Roe">
<meta property="article:published_time" content="2025-03-06T18:30:00+01:00">
<meta property="article:section" content="Politics">
"""


def test_metadata_from_meta_tags():
    out = extract_page(page(META), url="https://courier.example.com/x?utm_source=feed")
    assert out["title"] == "Housing law passes after nine-hour debate"
    assert out["authors"] == ["Jane Doe", "John Roe"]
    assert out["outlet"] == "The Courier"
    assert out["category"] == "Politics"
    assert out["language"] == "en"
    assert (
        out["url"] == "https://courier.example.com/politics/2025/03/housing-law"
    )  # relative, resolved
    assert out["published"].isoformat() == "2025-03-06T18:30:00+01:00"


def test_main_text_without_furniture():
    out = extract_page(page(META), url="https://courier.example.com/")
    for p in PARAS:
        assert p in out["text"]
    assert "Subscribe to our newsletter" not in out["text"]
    assert "Home" not in out["text"].split()
    assert out["text"].count("\n\n") >= 2  # paragraphs blank-line separated


def test_captions_kept_once_as_captions_not_body():
    fig = "<figure><img src='a.jpg'><figcaption>MPs during the vote on Thursday.</figcaption></figure>"
    out = extract_page(page(META, fig + "<p>MPs during the vote on Thursday.</p>"))
    assert out["captions"] == ["MPs during the vote on Thursday."]
    assert "MPs during the vote" not in out["text"]


def test_hostile_markup_never_becomes_anything_but_text():
    doc = next(read_html("hostile.html", (DATA / "hostile.html").read_bytes()))
    out = extract_html(doc)
    dumped = json.dumps(out, default=str).lower()
    for bad in ("alert", "javascript", "injected", "evil.example", "onerror", "onload", "<script"):
        assert bad not in dumped, bad
    # the javascript: canonical link is refused; og:url (https) is used instead
    assert out["url"] == "https://news.example.org/2025/05/tram-extension"
    assert out["captions"] == ["A tram in the city centre."]
    assert "expand the tram network" in out["text"]
    assert "Read the report" in out["text"]  # link text stays, as text


def test_hostile_page_through_ingest(store, settings):
    report = api.ingest([str(DATA / "hostile.html")], store, settings, run_stages=False)
    assert report.ok and report.added == 1
    stored = article_dict(next(store.iter_articles()))
    assert "alert" not in json.dumps(stored).lower()
    assert stored["title"] and "script" not in stored["title"].lower()


def test_javascript_og_url_is_ignored():
    head = "<meta property='og:url' content='javascript:alert(1)'>"
    assert extract_page(page(head))["url"] is None
    assert extract_page(page(head), url="https://a.example/p")["url"] == "https://a.example/p"


def test_cp1251_page_through_ingest(store, settings):
    report = api.ingest([str(DATA / "cp1251.html")], store, settings, run_stages=False)
    assert report.ok, report.errors
    a = next(store.iter_articles())
    assert a.title == "Переговоры продолжатся в Стамбуле"
    assert "Министр иностранных дел России" in a.text
    assert a.language == "ru"


def test_page_without_text_is_an_error():
    doc = next(read_html("m.html", (DATA / "malformed.html").read_bytes()))
    with pytest.raises(InputError, match="no article text"):
        extract_html(doc)


def test_fallback_fields_only_fill_gaps():
    doc = RawDocument(
        "w#1", "html", page(META), fields={"fallback_published": "2020-01-01T00:00:00Z"}
    )
    assert extract_html(doc)["published"].year == 2025
    doc = RawDocument("w#1", "html", page(), fields={"fallback_published": "2020-01-01T00:00:00Z"})
    assert extract_html(doc)["published"] == "2020-01-01T00:00:00Z"


def test_fragment_text():
    frag = "<p>First <b>para</b>.</p><script>alert(1)</script><p>Second<br>line</p><ul><li>item</li></ul>"
    assert fragment_text(frag) == "First para.\n\nSecond line\n\nitem"
    assert fragment_text("plain   words, no markup") == "plain words, no markup"
    assert fragment_text("") == ""


@pytest.mark.shared
def test_fundus_pages_title_and_authors():
    root = shared("fundus-news-pages")
    lines = gzip.decompress((root / "expected.jsonl.gz").read_bytes()).splitlines()
    recs = [json.loads(line) for line in lines if line.strip()]
    hits = 0
    sample = [r for r in recs if r["group"] in {"at", "us", "uk"}][:12]
    for r in sample:
        markup = gzip.decompress((root / r["html_file"]).read_bytes()).decode("utf-8", "replace")
        out = extract_page(markup, r["url"])
        hits += out.get("title") == r["expected"].get("title")
        assert len(out["text"]) > 200
    assert hits >= 0.7 * len(sample)


@pytest.mark.parametrize(
    ("title", "h1", "expected"),
    [
        ("Port blockade ends | The Courier", "Port blockade ends", "Port blockade ends"),
        ("Port blockade ends - Courier", "", "Port blockade ends"),
        ("港の封鎖が終了：中日新聞Web", "港の封鎖が終了", "港の封鎖が終了"),
        ("Port blockade ends after three days", "", "Port blockade ends after three days"),
    ],
)
def test_site_name_suffix_is_cut_from_the_title(title, h1, expected):
    heading = f"<h1>{h1}</h1>" if h1 else ""
    paras = "".join(f"<p>{p}</p>" for p in PARAS)
    markup = (
        f"<html><head><title>{title}</title><meta property='og:site_name' content='The Courier'>"
        f"</head><body><article>{heading}{paras}</article></body></html>"
    )
    out = extract_page(markup, url="https://www.courier.example.com/a")
    assert out["title"] == expected
    assert not h1 or not out["text"].startswith(h1)  # the headline is the title, not the body


def test_short_page_with_scripts_keeps_only_its_text():
    markup = (
        "<html><body onload='alert(2)'><div>Police closed <script>alert(1)</script>the bridge."
        "<style>x{}</style></div><noscript>alert(3)</noscript><template>alert(4)</template></body></html>"
    )
    out = extract_page(markup)
    assert out["text"] == "Police closed the bridge."


def test_outlet_is_not_an_author_beside_real_names():
    head = (
        "<meta property='og:site_name' content='The Courier'>"
        "<meta name='author' content='By Jane Doe; The Courier'>"
    )
    assert extract_page(page(head), url="https://courier.example.com/a")["authors"] == ["Jane Doe"]
    alone = "<meta property='og:site_name' content='The Courier'><meta name='author' content='The Courier'>"
    assert extract_page(page(alone), url="https://courier.example.com/a")["authors"] == [
        "The Courier"
    ]
