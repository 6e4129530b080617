"""Date expressions resolved against the article date (newsdesk.nlp.dates)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from newsdesk.nlp.dates import anchor_date, find_dates
from tests.conftest import SEEDS

REF = date(2025, 11, 13)  # a Thursday


def test_empty_text():
    assert find_dates("", REF) == []


@pytest.mark.parametrize(
    ("text", "expected", "granularity"),
    [
        ("talks in Istanbul on July 23, 2025.", date(2025, 7, 23), "day"),
        ("the talks held in Istanbul in March 2022 failed", date(2022, 3, 1), "month"),
        ("signed on 23 July 2025 in Geneva", date(2025, 7, 23), "day"),
        ("published 2025-01-02 at noon", date(2025, 1, 2), "day"),
        ("He told The Times on November 11 that", date(2025, 11, 11), "day"),
        ("On Tuesday he said", date(2025, 11, 11), "day"),
        ("last Friday the minister", date(2025, 11, 7), "day"),
        ("yesterday, officials said", date(2025, 11, 12), "day"),
        ("annexed in 2014 by Russia", date(2014, 1, 1), "year"),
    ],
)
def test_resolves(text, expected, granularity):
    found = find_dates(text, REF)
    assert len(found) == 1
    m = found[0]
    assert m.date == expected
    assert m.granularity == granularity
    assert text[m.span[0] : m.span[1]] == m.text  # spans are offsets into the exact text


def test_month_day_without_year_is_the_past_not_next_year():
    # a January article citing "December 28" means the December just gone
    (m,) = find_dates("The ceasefire of December 28 held.", date(2026, 1, 5))
    assert m.date == date(2025, 12, 28)


def test_relative_forms_need_a_reference():
    assert find_dates("On Tuesday he said, and yesterday too; the meeting of March 3.") == []
    # absolute forms do not
    assert [m.date for m in find_dates("on July 23, 2025 and in March 2022")] == [
        date(2025, 7, 23),
        date(2022, 3, 1),
    ]


def test_verbs_and_words_are_not_months():
    assert find_dates("We may meet soon; they march on; a sun-lit day", REF) == []


def test_datetime_reference_and_invalid_dates():
    assert find_dates("on February 30, 2025", REF) == []
    (m,) = find_dates("on Monday", datetime(2025, 11, 13, 23, 0, tzinfo=UTC))
    assert m.date == date(2025, 11, 10)


def test_anchor_date_of_the_seeds():
    """Undated articles sit at the latest date they state: the 2025 talks vs those of 2022."""
    texts = {p.name[:3]: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    assert anchor_date(texts["000"]) == date(2025, 7, 23)
    assert anchor_date(texts["004"]) == date(2022, 3, 1)
    assert anchor_date("no dates at all") is None
    assert anchor_date("on July 23, 2025", date(2025, 8, 1)) == date(2025, 8, 1)
