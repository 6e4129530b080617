"""Outlets: one canonical name per publisher; authors without slugs, job titles or publishers."""

from __future__ import annotations

import pytest

from newsdesk.ingest.articles import build_article
from newsdesk.nlp.outlets import clean_authors, load_table, outlet_name, registered_domain
from newsdesk.settings import Settings


@pytest.mark.parametrize(
    ("stated", "url", "want"),
    [
        # issue 16: "Ndr" and "ndr.de" were two outlets, so were "DW.COM" and "Deutsche Welle"
        ("Ndr", "https://www.ndr.de/nachrichten/a.html", "NDR"),
        (None, "https://www.ndr.de/nachrichten/b.html", "NDR"),
        ("DW.COM", "https://www.dw.com/en/a", "Deutsche Welle"),
        ("Deutsche Welle", None, "Deutsche Welle"),
        ("DW.COM", None, "Deutsche Welle"),
        # a copyright line or a headline is never the outlet
        (
            "© MMVIII, CBS Corporation. All Rights Reserved.",
            "https://www.cbsnews.com/a",
            "CBS News",
        ),
        (
            "© 2024 Local Paper. All rights reserved.",
            "https://localpaper.example/a",
            "localpaper.example",
        ),
        (
            "Storms tear through Iowa and Kansas as tornado season begins early",
            "https://wx.example.org/a",
            "example.org",
        ),
        # aliases and sections merge into the publisher
        ("CNN (Opinion)", "https://edition.cnn.com/2021/x", "CNN"),
        ("Wall Street Journal (News)", "https://www.wsj.com/articles/x", "The Wall Street Journal"),
        (
            "Breaking: fire downtown | Harbour Times",
            "https://harbourtimes.example/a",
            "Harbour Times",
        ),
        # a byline standing in for the outlet is not the outlet
        ("Jennifer Rubin", "https://opinion.smallpaper.com/a", "smallpaper.com"),
        # a stated name the table does not know stays as stated
        ("The Courier", "https://courier.example.com/a", "The Courier"),
    ],
)
def test_outlet_names(stated, url, want):
    assert outlet_name([stated], url) == want


def test_registered_domain():
    assert registered_domain("https://news.bbc.co.uk/x") == "bbc.co.uk"
    assert registered_domain(None) is None


def test_every_article_with_a_url_has_an_outlet(tmp_path):
    art = build_article(
        {"text": "Some text here.", "url": "https://blog.smallpaper.example.org/a"},
        "x",
        Settings(),
    )
    assert art.outlet == "example.org"


def test_authors_deduplicated_without_job_titles_or_publishers():
    got = clean_authors(
        ["Chuck Ross", "Chuck-Ross", "Journalist", "Condé Nast", "Staff Writer", "CNN", "Jane Doe"],
        "CNN",
    )
    assert got == ("Chuck Ross", "Jane Doe")


def test_user_outlet_table_merges_over_the_shipped_one(tmp_path):
    mine = tmp_path / "outlets.toml"
    mine.write_text(
        '[[outlet]]\nname = "Harbour Times"\ndomains = ["harbour.example"]\naliases = ["HT"]\n',
        encoding="utf-8",
    )
    table = load_table(str(mine))
    assert outlet_name(["HT"], None, table) == "Harbour Times"
    assert outlet_name([None], "https://www.harbour.example/a", table) == "Harbour Times"
    assert outlet_name([None], "https://www.dw.com/a", table) == "Deutsche Welle"
    art = build_article(
        {"text": "Some text.", "url": "https://harbour.example/b", "outlet": "harbour"},
        "x",
        Settings(outlets=str(mine)),
    )
    assert art.outlet == "Harbour Times"


def test_a_broken_outlet_table_is_named(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[[outlet]\nname =", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.toml"):
        load_table(str(bad))
