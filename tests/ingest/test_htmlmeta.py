"""Metadata candidates of an HTML page and the learned choice among them."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest
from lxml import html

from newsdesk.ingest import htmlmeta
from newsdesk.ingest.html import extract_page, parse_page
from newsdesk.nlp.linear import Linear

BODY = "".join(
    f"<p>{s}</p>"
    for s in (
        "The regional parliament approved the new housing law on Thursday after a debate that "
        "lasted more than nine hours, with 61 members voting in favour and 44 against.",
        "The law caps rent increases at three percent a year for the next five years and obliges "
        "landlords to register every flat they let, a requirement tenant groups had demanded.",
    )
)


def jsonld(obj: dict) -> str:
    return f"<script type='application/ld+json'>{json.dumps(obj)}</script>"


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("Von Anna Schmidt, Redakteurin", ["Anna Schmidt"]),
        ("Jane Doe, Political Correspondent", ["Jane Doe"]),
        ("Jane Doe & John Roe | jane@example.com", ["Jane Doe", "John Roe"]),
        ("05.06.2025 um 14:46 von Anne-Marie Slaughter", ["Anne-Marie Slaughter"]),
        ("Автор: Іван Петренко", ["Іван Петренко"]),
    ],
)
def test_bylines_become_names(byline, names):
    assert htmlmeta.split_names(byline) == names


def test_candidates_from_every_source_merge_by_value():
    head = (
        "<title>Housing law passes | The Courier</title>"
        "<meta property='og:title' content='Housing law passes'>"
        "<meta property='og:site_name' content='The Courier'>"
        "<meta name='author' content='By Jane Doe'>"
        "<meta property='article:published_time' content='2025-03-06T18:30:00+01:00'>"
        + jsonld(
            {
                "@context": "https://schema.org",
                "@graph": [
                    {"@type": "WebSite", "name": "The Courier"},
                    {
                        "@type": "NewsArticle",
                        "headline": "Housing law passes",
                        "author": [{"@type": "Person", "name": "Jane Doe"}],
                        "datePublished": "2025-03-06T18:30:00+01:00",
                        "dateModified": "2025-03-07T09:00:00+01:00",
                    },
                ],
            }
        )
    )
    markup = f"<html><head>{head}</head><body><article><h1>Housing law passes</h1>{BODY}</article></body></html>"
    parsed = parse_page(markup, "https://courier.example.com/2025/03/06/housing")
    titles = {c.value: c.sources for c in parsed.candidates["title"]}
    assert {"jsonld", "og", "h1", "title-cut"} <= set(titles["Housing law passes"])
    assert "Housing law passes | The Courier" not in titles  # cut at the site name: never uncut
    authors = {c.value: c.sources for c in parsed.candidates["authors"]}
    assert "jsonld" in authors[("Jane Doe",)] and "meta+norm" in authors[("Jane Doe",)]
    assert authors[("By Jane Doe",)] == ["meta"]  # as given, beside the normalised form
    days = {c.value[:10]: c.sources for c in parsed.candidates["date"]}
    assert {"jsonld-published", "meta-published", "url"} <= set(days["2025-03-06"])
    assert days["2025-03-07"] == ["jsonld-modified"]


def test_last_first_names_are_also_offered_first_last():
    tree = html.document_fromstring(
        "<html><head><meta name='author' content='Brazil, Rachel'></head><body></body></html>"
    )
    found, _ = htmlmeta.gather(tree, None).candidates({}, None)
    values = [c.value for c in found["authors"]]
    assert ("Brazil, Rachel",) in values and ("Rachel Brazil",) in values


def test_a_date_after_today_or_without_a_day_is_no_candidate():
    today = date(2025, 1, 1)
    assert htmlmeta.iso_date("2025-06-01T10:00:00Z", today) == ""
    assert htmlmeta.iso_date("March 2024", today) == ""
    assert htmlmeta.iso_date("2024-02-30", today) == ""
    assert htmlmeta.iso_date("2024-12-31", today) == "2024-12-31"


def test_the_ranker_follows_its_weights():
    tree = html.document_fromstring(
        "<html><head><title>Port blockade ends after three days</title></head>"
        "<body><h1>Port blockade ends</h1></body></html>"
    )
    found, page = htmlmeta.gather(tree, "https://site.example.com/a").candidates({}, "Site")
    cands = found["title"]
    names = htmlmeta.feature_names("title")
    assert htmlmeta.features("title", cands, page).shape == (len(cands), len(names))
    for source, winner in (
        ("src=title", "Port blockade ends after three days"),
        ("src=h1", "Port blockade ends"),
    ):
        w = np.zeros(len(names))
        w[names.index(source)] = 1.0
        ranker = htmlmeta.Ranker({"title": Linear.of(w)})
        best = ranker.pick("title", cands, page)
        assert best is not None and best.value == winner


def test_jsonld_author_list_and_modified_date_are_not_preferred():
    head = jsonld(
        {
            "@type": "NewsArticle",
            "headline": "Port blockade ends",
            "author": [
                {"@type": "Person", "name": "Jane Doe"},
                {"@type": "Person", "name": "John Roe"},
            ],
            "datePublished": "2024-05-02T08:00:00+02:00",
            "dateModified": "2024-05-09T08:00:00+02:00",
        }
    )
    markup = f"<html><head><title>Port blockade ends - Courier</title>{head}</head><body><article>{BODY}</article></body></html>"
    out = extract_page(markup, "https://courier.example.com/a")
    assert out["title"] == "Port blockade ends"
    assert out["authors"] == ["Jane Doe", "John Roe"]
    assert out["published"].isoformat() == "2024-05-02T08:00:00+02:00"


def test_shipped_model_has_every_field_and_its_feature_names():
    blob = json.loads(htmlmeta.MODEL_PATH.read_text(encoding="utf-8"))
    for name in htmlmeta.FIELDS:
        assert blob[name]["features"] == htmlmeta.feature_names(name)
        assert len(blob[name]["weights"]) == len(htmlmeta.feature_names(name))


def _page(site: str, host: str) -> htmlmeta.Page:
    return htmlmeta.Page(set(), "", site, host, None, date(2025, 1, 1))


@pytest.mark.parametrize(
    ("title", "site", "host", "headline"),
    [
        ("Valencia fire toll rises | Spain | The Guardian", "The Guardian", "theguardian.com",
         "Valencia fire toll rises"),
        ("Kyiv hit by missile - National | Globalnews.ca", "Global News", "globalnews.ca",
         "Kyiv hit by missile"),
        ("Sind wir zu sanft? - Panorama - derStandard.at › Panorama", "", "derstandard.at",
         "Sind wir zu sanft?"),
        ("장동혁, 한동훈 제명했지만 부담 커졌다-정치ㅣ한국일보", "한국일보", "hankookilbo.com",
         "장동혁, 한동훈 제명했지만 부담 커졌다"),
        # a kicker before a colon is the headline's, not a section
        ("Brexit: Talks resume | The Courier", "The Courier", "courier.example.com",
         "Brexit: Talks resume"),
        # a long part before the site name is the headline's second half
        ("Housing law passes - landlords must register every flat | Courier", "Courier",
         "courier.example.com", "Housing law passes - landlords must register every flat"),
    ],
)  # fmt: skip
def test_title_loses_site_name_and_section_suffixes(title, site, host, headline):
    assert htmlmeta.cut_title(title, _page(site, host)) == headline
