"""Words: the tokens, counts, reading time and normalised form every stage shares."""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata

# The word patterns every stage shares, one copy each (each stage's benchmark chose its own).
# A word: letters/digits, keeping inner apostrophes and hyphens ("don't", "well-known").
WORD = re.compile(r"\w+(?:[’'\-]\w+)*", re.UNICODE)
# A word split at hyphens ("well", "known"), apostrophes kept: the summarizer's sentence tokens
# (its features and sumy's tokenizer; the shipped summarizer model was trained on them).
PLAIN_WORD = re.compile(r"\w+(?:['’]\w+)*")
# A word that starts with a letter (no numbers), hyphens and apostrophes kept: the clustering
# features' content words (numbers are features of their own there).
LETTER_WORD = re.compile(r"[^\W\d_][\w’'\-]*", re.UNICODE)
# Where a word starts with a digit.
DIGIT_START = re.compile(r"(?<!\w)\d")
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
