"""Shared text helpers: sentence spans, words, reading time, language, normalisation.

Sentence splitting is a small rule-based splitter of our own (``sentence_spans``): it handles
abbreviations such as "U.S.", "Dr." and "Jan. 5", initials, closing quotes after the full stop
(typographic, straight, and PTB-style ``''``), line and paragraph breaks, and returns character
spans into the exact input text. Measured on the 70 shared SummEval articles (one core, machine
shared with other jobs): syntok splits about 130 articles/s, pysbd about 30, this splitter
several thousand; the summarizer's floor of 200 articles/s, splitting included, rules the first
two out. ``syntok_sentence_spans`` keeps the syntok version for comparison.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from functools import lru_cache

from newsdesk.models import Span

# Month and weekday names (lower case): capitalised, yet neither names nor sentence subjects.
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
CALENDAR_WORDS = frozenset(WEEKDAYS + MONTHS)

_WORD = re.compile(r"\w+(?:[’'\-]\w+)*", re.UNICODE)
_SPACE = re.compile(r"\s+")


# Words that end in a full stop without ending the sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms messrs dr prof st jr sr gen col lt sgt capt cmdr adm maj gov sen rep "  # noqa: SIM905
    "rev hon pres supt insp det cpl pvt inc ltd co corp bros vs etc al approx dept "
    "est mt ft vol fig cf e.g i.e a.m p.m u.s u.k u.n e.u".split()
)
# ...and those that do so only before a number ("Jan. 5", "No. 10").
_BEFORE_NUMBER = frozenset(
    "jan feb mar apr jun jul aug sep sept oct nov dec no nos art p pp".split()  # noqa: SIM905
)
_CANDIDATE = re.compile(r"""[.!?…]+(?:\s*(?:''|["”’»)\]]))*(?=\s)|[。！？]+["”’」』)]*""")
_LINE_BREAK = re.compile(r"\n[ \t]*(?:\n\s*)?")
_OPENERS = "\"“‘'`([«„¿¡-–—•*"


def sentence_spans(text: str) -> list[Span]:
    """Split ``text`` into sentences; return ``(start, end)`` spans with no surrounding space.

    Steps: 1. line breaks end a sentence when a blank line follows or the next line does not
    start in lower case (a hard-wrapped line does); 2. within each block, a run of ``.!?…``
    (plus closing quotes/brackets) followed by space ends a sentence when the next word starts
    with an upper-case letter, a digit or an opening quote, and the word before is not a known
    abbreviation, an initial ("V. Stiviano") or a dotted abbreviation ("U.S.").
    """
    spans: list[Span] = []
    block_start = 0
    for m in _LINE_BREAK.finditer(text):
        nxt = text[m.end() : m.end() + 1]
        if "\n" in m.group()[1:] or not nxt.islower():
            _split_block(text, block_start, m.start(), spans)
            block_start = m.end()
    _split_block(text, block_start, len(text), spans)
    return spans


def _split_block(text: str, start: int, end: int, spans: list[Span]) -> None:
    pos = start
    for m in _CANDIDATE.finditer(text, start, end):
        stop = m.end()
        if text[m.start()] not in "。！？":
            # the next word must look like a sentence start
            j = stop
            while j < end and text[j].isspace():
                j += 1
            k = j
            while k < end and text[k] in _OPENERS:
                k += 1
            if k >= end:
                continue
            if (
                text[j] in "\"'"
                and k < end
                and text[k].isspace()
                and _open_quotes(text, pos, m.start())
            ):
                # a standalone straight quote closing a quote this sentence opened (tokenized text)
                stop = j + 1
                j = k
                while j < end and text[j].isspace():
                    j += 1
                k = j
                while k < end and text[k] in _OPENERS:
                    k += 1
                if k >= end:
                    continue
            if k == j and not (text[k].isupper() or text[k].isdigit()):
                continue
            if text[m.start()] == "." and _is_abbreviation(text, pos, m.start(), text[k]):
                continue
        _add_span(text, pos, stop, spans)
        pos = stop
    _add_span(text, pos, end, spans)


def _open_quotes(text: str, lo: int, hi: int) -> bool:
    """Does ``text[lo:hi]`` leave a standalone straight quote open (an odd number of them)?"""
    seg = text[lo:hi]
    return (seg.count(' " ') + seg.startswith('" ')) % 2 == 1 or (
        seg.count(" ' ") + seg.startswith("' ")
    ) % 2 == 1


def _is_abbreviation(text: str, lo: int, dot: int, following: str) -> bool:
    i = dot
    while i > lo and not text[i - 1].isspace():
        i -= 1
    word = text[i:dot].lstrip(_OPENERS).lower()
    if not word:
        return False
    if len(word) == 1 and word.isalpha():
        return True  # an initial
    if word in _ABBREVIATIONS or ("." in word and word.replace(".", "").isalpha()):
        return True
    return word in _BEFORE_NUMBER and following.isdigit()


def _add_span(text: str, start: int, end: int, spans: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def syntok_sentence_spans(text: str) -> list[Span]:
    """Sentence spans by syntok (slower; kept for comparison in the benchmarks)."""
    from syntok import segmenter

    spans: list[Span] = []
    for paragraph in segmenter.analyze(text):
        for sentence in paragraph:
            if not sentence:
                continue
            first, last = sentence[0], sentence[-1]
            start, end = first.offset, last.offset + len(last.value)
            if end > start:
                spans.append((start, end))
    return spans


def words(text: str) -> list[str]:
    """Word tokens (letters/digits, keeping inner apostrophes and hyphens)."""
    return _WORD.findall(text)


def word_count(text: str) -> int:
    return sum(1 for _ in _WORD.finditer(text))


def reading_minutes(n_words: int, words_per_minute: int = 230) -> int:
    """Estimated reading time in whole minutes, at least 1."""
    return max(1, math.ceil(n_words / words_per_minute))


def normalise(text: str) -> str:
    """Unicode NFC, lower case, single spaces: the form hashed for exact-duplicate detection."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:32]


@lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when too short or unsure."""
    sample = text[:2000]
    if word_count(sample) < 3:
        return None
    lang, prob = _identifier().classify(sample)
    return str(lang) if prob >= 0.5 else None
