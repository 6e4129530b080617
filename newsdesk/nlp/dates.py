"""Date expressions in article text, resolved against the article's own date.

``find_dates(text, reference)`` returns every date mention it can resolve, as a span into the
exact text plus the resolved date and its granularity ("on July 23, 2025" → 2025-07-23, day;
"in March 2022" → 2022-03-01, month; "on Tuesday" → the Tuesday on or before the reference).

Why hand-written: dateparser parses one known expression well (and is used for nothing
here), but its ``search_dates`` scans free text slowly and is noisy on news prose ("may",
"march", "sun" as words; bare numbers as days), and it gives no spans. The patterns below are
the few forms news text uses, matched with word boundaries and a month/weekday vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from newsdesk.models import Span
from newsdesk.nlp.lexicons import MONTHS, WEEKDAYS

Granularity = Literal["day", "month", "year"]

# month names and their three-letter abbreviations ("Jan", "Sept" too) -> month number
_MONTHS = {n: i for i, m in enumerate(MONTHS, 1) for n in (m, m[:3])} | {"sept": 9}
_WEEKDAYS = {d: i for i, d in enumerate(WEEKDAYS)}  # Monday = 0, as date.weekday()
_MONTH = r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"

# Order matters: the longest, most specific forms first; overlapping later matches are dropped.
_PATTERNS: list[tuple[re.Pattern[str], Granularity]] = [
    (re.compile(rf"\b{_MONTH} {_DAY},? {_YEAR}\b"), "day"),  # July 23, 2025
    (re.compile(rf"\b{_DAY} {_MONTH},? {_YEAR}\b"), "day"),  # 23 July 2025
    (
        re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mm>[01]\d)-(?P<day>[0-3]\d)\b"),
        "day",
    ),  # 2025-07-23
    (re.compile(rf"\b{_MONTH},? {_YEAR}\b"), "month"),  # March 2022
    (re.compile(rf"\b{_MONTH} {_DAY}\b(?!,? (?:19|20)\d\d)"), "day"),  # July 23 (year from context)
    (re.compile(rf"\b{_DAY} {_MONTH}\b"), "day"),  # 23 July
    (re.compile(rf"\b(?i:in|since|by|until|from|during|of|early|late|mid-?)\s+{_YEAR}\b"), "year"),
    (
        re.compile(
            r"\b(?i:on|last|this|since|until|by|late|early)\s+"
            r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
        ),
        "day",
    ),
    (re.compile(r"\b(?P<rel>yesterday|today|tomorrow)\b", re.IGNORECASE), "day"),
]

# A month-day with no year lies at most this far after the article date; beyond, it is last year's.
_FUTURE_SLACK_DAYS = 60


@dataclass(frozen=True, slots=True)
class DateMention:
    """One resolved date expression: where it is, what it says, what date it means."""

    span: Span
    text: str
    date: date
    granularity: Granularity


def _as_date(reference: datetime | date | None) -> date | None:
    if reference is None:
        return None
    return reference.date() if isinstance(reference, datetime) else reference


def _month(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")]


def _resolve(m: re.Match[str], gran: Granularity, ref: date | None) -> date | None:
    g = m.groupdict()
    if g.get("rel"):
        if ref is None:
            return None
        return ref + timedelta(days={"yesterday": -1, "today": 0, "tomorrow": 1}[g["rel"].lower()])
    if g.get("weekday"):
        if ref is None:
            return None
        back = (ref.weekday() - _WEEKDAYS[g["weekday"].lower()]) % 7
        if m.group(0).lower().startswith("this") and back:
            return ref + timedelta(days=7 - back) if back > 3 else ref - timedelta(days=back)
        if m.group(0).lower().startswith("last") and back == 0:
            back = 7
        return ref - timedelta(days=back)
    year = int(g["year"]) if g.get("year") else None
    month = int(g["mm"]) if g.get("mm") else (_month(g["month"]) if g.get("month") else 1)
    day = int(g["day"]) if g.get("day") else 1
    if year is None:
        if ref is None:
            return None
        year = ref.year
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if (candidate - ref).days > _FUTURE_SLACK_DAYS:
            year -= 1  # "on November 11" in a January article means last November
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str, reference: datetime | date | None = None) -> list[DateMention]:
    """Every resolvable date expression in ``text``, in text order (spans never overlap)."""
    ref = _as_date(reference)
    taken: list[Span] = []
    out: list[DateMention] = []
    for pattern, gran in _PATTERNS:
        for m in pattern.finditer(text):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            d = _resolve(m, gran, ref)
            if d is None:
                continue
            if gran == "month" and not m.group("month")[0].isupper():
                continue
            taken.append((s, e))
            out.append(DateMention((s, e), m.group(0), d, gran))
    out.sort(key=lambda x: x.span)
    return out


def anchor_date(text: str, reference: datetime | date | None = None) -> date | None:
    """The date an article is about: its own date, else the latest fully stated date in its text.

    Used as the time coordinate of undated articles when clustering (an undated piece about
    "the talks held in Istanbul in March 2022" sits in March 2022).
    """
    ref = _as_date(reference)
    if ref is not None:
        return ref
    found = [d.date for d in find_dates(text) if d.granularity in ("day", "month")]
    return max(found) if found else None
