"""Metadata lines of a plain-text page, recognised by their shape; and the title above the body.

``Label`` + value pairs (category/section/topic…, authors/by…), "N min read", date lines,
copyright lines, captions (a line repeated on the page, or one carrying a photo credit such as
"(Source: Getty Images)") — each is kept once, as metadata, never as body text.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from newsdesk.ingest.plaintext.lines import SENT_END, Line
from newsdesk.nlp import lexicons

_READING = re.compile(
    r"^(?:reading time:?\s*)?(\d{1,3})\s*(?:-\s*)?(?:min(?:ute)?s?\.?|мин\.?|min\.)"
    r"(?:\s+(?:read|reading|de lecture|lesezeit|lectura|читання|чтения))?$",
    re.IGNORECASE,
)
# Full English month names, then their three-letter forms (and "sept").
_MONTH_FULL = lexicons.MONTHS
_MONTH_ABBR = [a for m in _MONTH_FULL if (a := m[:3]) != m]
_MONTH_ABBR.insert(_MONTH_ABBR.index("sep") + 1, "sept")
_MONTHS = "|".join([*_MONTH_FULL, *_MONTH_ABBR])
_MONTH_NUM = {m: i for i, m in enumerate(_MONTH_FULL, 1)}
_MONTH_NUM.update({m[:3]: n for m, n in list(_MONTH_NUM.items())} | {"sept": 9})
_DATE_LINE = re.compile(
    rf"^(?:(?:published|updated|posted)(?: on)?:?\s*)?(?:\w+day,?\s+)?"
    rf"(?:(?P<mon>{_MONTHS})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})"
    rf"|(?P<day2>\d{{1,2}})\s+(?P<mon2>{_MONTHS})\.?,?\s+(?P<year2>\d{{4}})"
    rf"|(?P<iso>\d{{4}}-\d{{2}}-\d{{2}}))"
    rf"(?:,?\s*(?:at\s+)?\d{{1,2}}:\d{{2}}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{{2,4}})?)?$",
    re.IGNORECASE,
)
_CATEGORY_LABELS = frozenset(lexicons.phrases("category-label-phrases"))
_AUTHOR_LABELS = frozenset(lexicons.phrases("author-label-phrases"))
_COPYRIGHT = re.compile(
    r"^(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*"
    r"([A-Z][\w&.'’ -]{1,60}?)\s*(?:\d{4})?\s*(?:[.,|–-]\s*(?:all rights reserved.*)?)?$",
    re.IGNORECASE,
)
_BY_LINE = re.compile(r"^(?:by|von|par|por|автор:?)\s+(.{3,80})$", re.IGNORECASE)
_NAME_WORD = re.compile(r"^(?:[A-ZÀ-ÞА-ЯІЇЄҐ][\w’'\-.]*|de|da|van|von|der|la|le|bin|al|ibn)$")


@dataclass(slots=True)
class Meta:
    """Metadata found on a page, and the indices of the lines that state it."""

    used: set[int] = field(default_factory=set)
    category: str | None = None
    reading_minutes: int | None = None
    authors: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    published: str | None = None
    outlet: str | None = None


def _label(text: str) -> str:
    return text.lower().rstrip(":").strip()


def _is_name(text: str) -> bool:
    words = text.replace(",", " ").split()
    if not 2 <= len(words) <= 5 or (SENT_END.search(text) and not text.endswith(".")):
        return False
    return all(_NAME_WORD.match(w) for w in words) and any(w[:1].isupper() for w in words)


def _names(text: str) -> list[str]:
    parts = re.split(r"\s*(?:,|\band\b|\bund\b|\bet\b|\by\b|&)\s*", text)
    parts = [p.strip() for p in parts if p.strip()]
    return parts if parts and all(_is_name(p) for p in parts) else []


def find_metadata(lines: Sequence[Line]) -> Meta:
    """Label/value pairs, reading time, dates, bylines and captions, by their shape."""
    meta = Meta()
    norms = [ln.norm for ln in lines]
    counts = Counter(norms)
    seen_captions: set[str] = set()
    n = len(lines)
    for i, ln in enumerate(lines):
        t = ln.text
        label = _label(t)
        if label in _CATEGORY_LABELS and i + 1 < n:
            value = lines[i + 1].text
            if len(value.split()) <= 6 and not SENT_END.search(value):
                meta.category = meta.category or value
                meta.used.update((i, i + 1))
            continue
        if ":" in t and _label(t.split(":", 1)[0]) in _CATEGORY_LABELS:
            value = t.split(":", 1)[1].strip()
            if value and len(value.split()) <= 6:
                meta.category = meta.category or value
                meta.used.add(i)
            continue
        if label in _AUTHOR_LABELS:
            meta.used.add(i)
            j = i + 1
            while j < n and j <= i + 4 and (found := _names(lines[j].text)):
                meta.authors.extend(a for a in found if a not in meta.authors)
                meta.used.add(j)
                j += 1
            continue
        if (m := _BY_LINE.match(t)) and (found := _names(m.group(1))):
            meta.authors.extend(a for a in found if a not in meta.authors)
            meta.used.add(i)
            continue
        if (m := _READING.match(t)) and meta.reading_minutes is None:
            meta.reading_minutes = int(m.group(1))
            meta.used.add(i)
            continue
        if meta.outlet is None and (m := _COPYRIGHT.match(t)):
            meta.outlet = m.group(1).strip(" .,-–|")
            meta.used.add(i)
            continue
        if meta.published is None and (d := parse_date_line(t)):
            meta.published = d
            meta.used.add(i)
            continue
        words = len(ln.words)
        repeated = counts[norms[i]] > 1 and words >= 6 and bool(SENT_END.search(t[-4:]))
        if (repeated or ln.credit) and words >= 3:
            if norms[i] not in seen_captions:
                seen_captions.add(norms[i])
                meta.captions.append(t)
            meta.used.add(i)
    return meta


def parse_date_line(text: str) -> str | None:
    """The ISO day a date line states ("Published: November 12, 2025" → "2025-11-12")."""
    m = _DATE_LINE.match(text.strip())
    if not m:
        return None
    if m.group("iso"):
        return m.group("iso")
    mon = (m.group("mon") or m.group("mon2") or "").lower()[:4].rstrip(".")
    month = _MONTH_NUM.get(mon) or _MONTH_NUM.get(mon[:3])
    day = int(m.group("day") or m.group("day2"))
    year = int(m.group("year") or m.group("year2"))
    if not month or not 1 <= day <= 31:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def find_title(
    lines: Sequence[Line], used: set[int], body: list[int], scores: np.ndarray
) -> int | None:
    """The heading-like line above the body: 2–40 words, no sentence end, not metadata."""
    first_body = body[0] if body else len(lines)
    best, best_score = None, 0.0
    for i in range(first_body):
        t = lines[i].text
        words = len(lines[i].words)
        if i in used or not 2 <= words <= 40 or t.endswith((".", ":")) or t.endswith("?"):
            continue
        if t.startswith("<") and t.endswith(">"):  # markup a renderer left ("<a href…><img…></a>")
            continue
        # Longer headings, closer to the body, and not scored as furniture win.
        s = math.log1p(words) + 0.5 * float(scores[i]) - 0.02 * (first_body - i)
        if s > best_score:
            best, best_score = i, s
    # No heading above the body: a short first body line without a sentence end is the title.
    if best is None and len(body) > 1:
        first = lines[body[0]]
        if 2 <= len(first.words) <= 25 and not SENT_END.search(first.text[-4:]):
            return body[0]
    return best
