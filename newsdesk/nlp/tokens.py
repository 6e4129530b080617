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


# Quotation marks a quoted text may already carry at its ends (curly, straight, guillemets,
# low-9): stripped before a briefing wraps the text in its own, so “x” never shows as ““x””.
_QUOTE_MARKS = "\"'“”„‟‘’‚‛«»‹›「」『』"
_DOUBLE_MARKS = '"“”„‟«»「」『』'


def unquoted(text: str) -> str:
    """``text`` without the quotation marks around it (and without surrounding space)."""
    s = text.strip()
    while len(s) >= 2 and s[0] in _QUOTE_MARKS and s[-1] in _QUOTE_MARKS:
        s = s[1:-1].strip()
    # a double mark at one end only, whose partner the sentence split dropped (never an
    # apostrophe: "the players'" keeps it)
    if s[:1] in _DOUBLE_MARKS and not any(c in _DOUBLE_MARKS for c in s[1:]):
        s = s[1:].strip()
    if s[-1:] in _DOUBLE_MARKS and not any(c in _DOUBLE_MARKS for c in s[:-1]):
        s = s[:-1].strip()
    return s


def quoted(text: str) -> str:
    """``text`` in curly quotation marks, once: “…”."""
    return f"“{unquoted(text)}”"
