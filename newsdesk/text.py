"""Shared text helpers: sentence spans, words, reading time, language, normalisation.

Sentence splitting uses syntok (segtok v2): rule-based, handles abbreviations such as
"U.S.", "Dr." and "Jan. 5", and reports token offsets, so sentences come back as
character spans into the exact input text.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from functools import lru_cache

from syntok import segmenter

from newsdesk.models import Span

_WORD = re.compile(r"\w+(?:[’'\-]\w+)*", re.UNICODE)
_SPACE = re.compile(r"\s+")


def sentence_spans(text: str) -> list[Span]:
    """Split ``text`` into sentences; return ``(start, end)`` spans with no surrounding space."""
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
