"""A plain-text page as lines: split once, tokenised once, each knowing its blank-line context
and its character span in the page (so the ``clean -`` filter can return spans)."""

from __future__ import annotations

import re
from typing import NamedTuple

TOKEN = re.compile(r"\w+")
# A line that ends like a sentence (closing quotes and brackets allowed after the mark).
SENT_END = re.compile(r"[.!?…:;。！？][\"'”’»)\]」』]*$|[\"”»」』]$")
_CREDIT_END = re.compile(
    r"\((?:source|photo|image|credit|foto|bild|photograph|picture|фото)s?\s*:[^()]{2,80}\)\s*$"
    r"|\b(?:getty images|ap photo|afp|reuters|shutterstock|epa(?:-efe)?|imago)\s*\)?\s*$"
    r"|\b(?:photo|image|credit|foto|bild|photograph)s?\s*(?::|by)\s*[^.:!?()]{2,60}$",
    re.IGNORECASE,
)
_CREDIT_START = re.compile(r"(?:photo|image|credit|foto|bild|photograph)s?\s*:\s*\S", re.IGNORECASE)
_CREDIT_HINT = re.compile(r"\)|getty|photo|afp|reuters|shutterstock|epa|imago", re.IGNORECASE)
_SEGMENT = re.compile(r"[^\r\n]+")


class Line(NamedTuple):
    """One non-blank line of a page, tokenised once; ``start``/``end`` locate it in the page.

    (A named tuple: pages have hundreds of lines and a tuple is the cheapest record to build.)
    """

    text: str  # whitespace collapsed
    blank_before: bool
    blank_after: bool
    words: tuple[str, ...] = ()
    norm: str = ""  # lower-cased words joined by single spaces (compares lines)
    start: int = 0  # character span of the stripped line in the page text
    end: int = 0
    credit: bool = False  # carries a photo credit ("(Source: Getty Images)")

    @classmethod
    def of(
        cls, text: str, blank_before: bool, blank_after: bool, start: int = 0, end: int = 0
    ) -> Line:
        words = tuple(TOKEN.findall(text))
        norm = " ".join(words).lower()
        return cls(text, blank_before, blank_after, words, norm, start, end, is_credit(text))


def split_lines(text: str) -> list[Line]:
    """Non-blank lines (whitespace collapsed), each knowing whether a blank line is next to it
    and where it is in ``text``."""
    found: list[tuple[str, int, int, bool]] = []
    blank, prev_end = True, 0
    for m in _SEGMENT.finditer(text):
        gap = text[prev_end : m.start()]
        prev_end = m.end()
        if gap.count("\n") + gap.count("\r") - gap.count("\r\n") >= 2:
            blank = True
        raw = m.group()
        stripped = raw.strip()
        if not stripped:
            blank = True
            continue
        start = m.start() + raw.index(stripped[0])
        found.append((" ".join(stripped.split()), start, start + len(stripped), blank))
        blank = False
    return [
        Line.of(t, before, found[i + 1][3] if i + 1 < len(found) else True, start, end)
        for i, (t, start, end, before) in enumerate(found)
    ]


def norm(s: str) -> str:
    """The comparison form of a text: lower-cased ``\\w+`` tokens joined by single spaces."""
    return " ".join(TOKEN.findall(s)).lower()


def is_credit(t: str) -> bool:
    """A photo credit at the end ("(Source: Getty Images)") or start ("Photo: …") of a line."""
    tail = t[-60:]
    if _CREDIT_HINT.search(tail):
        return bool(_CREDIT_END.search(tail))
    return ":" in t[:12] and bool(_CREDIT_START.match(t))


def sentence_like(line: Line) -> bool:
    """A full sentence: 8+ words (or 50+ characters: CJK has no spaces) ending like one."""
    long = len(line.words) >= 8 or len(line.text) >= 50
    return long and bool(SENT_END.search(line.text[-4:]))
