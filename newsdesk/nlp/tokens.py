"""Words: the tokens, counts, reading time and normalised form every stage shares."""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata

# A word: letters/digits, keeping inner apostrophes and hyphens ("don't", "well-known").
WORD = re.compile(r"\w+(?:[’'\-]\w+)*", re.UNICODE)
_SPACE = re.compile(r"\s+")


def words(text: str) -> list[str]:
    """Word tokens (letters/digits, keeping inner apostrophes and hyphens)."""
    return WORD.findall(text)


def word_count(text: str) -> int:
    return sum(1 for _ in WORD.finditer(text))


def reading_minutes(n_words: int, words_per_minute: int = 230) -> int:
    """Estimated reading time in whole minutes, at least 1."""
    return max(1, math.ceil(n_words / words_per_minute))


def normalise(text: str) -> str:
    """Unicode NFKC, lower case, single spaces: the form hashed for exact-duplicate detection."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:32]
