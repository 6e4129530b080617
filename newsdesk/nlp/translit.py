"""Names across scripts: Latin transliteration and a spelling-tolerant key.

``latin("Зеленський")`` is ``"Zelens'kiy"`` (anyascii's tables, Unicode to ASCII for every
script); ``name_key`` reduces a transliterated name to its first letter and its consonants, so
that the spellings outlets and transliteration schemes give one name meet:
Зеленський / Зеленский / Zelensky / Zelenskyy → ``zlnsk``; Київ / Киев / Kyiv / Kiev → ``kv``.
The key is coarse on purpose: it is evidence shared between articles in different languages,
beside their multilingual embeddings, never the whole test.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NOT_LETTER = re.compile(r"[^a-z]+")
_VOWELS = re.compile(r"[aeiouy]+")
_REPEAT = re.compile(r"(.)\1+")
# Scripts whose letters transliterate to names letter by letter (alphabets); ideographs
# (CJK) and syllabaries become syllable strings that are no name key.
_ALPHABETIC = ("LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "GEORGIAN")


def latin(text: str) -> str:
    """``text`` in ASCII Latin letters (anyascii), capitalisation kept."""
    from anyascii import anyascii  # lazy: a large table, loaded by the first non-English name

    return str(anyascii(text))


# Case endings of Slavic names, transliterated ("Байденом" → "baydenom" → "bayden"): a name
# transliterated from an inflecting alphabet loses the longest that leaves 3+ letters.
_ENDINGS = tuple(
    sorted(
        [
            "ogo",
            "ego",
            "omu",
            "emu",
            "oyu",
            "eyu",
            "ami",
            "yami",
            "akh",
            "ykh",
            "ikh",
            "om",
            "em",
            "im",
            "ym",
            "ov",
            "ev",
            "iy",
            "yi",
            "ii",
            "a",
            "u",
            "e",
            "i",
            "y",
            "o",
        ],
        key=len,
        reverse=True,
    )
)


@lru_cache(maxsize=65536)
def name_key(name: str, inflected: bool = False) -> str:
    """A spelling-tolerant key of a name: first letter + consonants, repeats collapsed.

    ``inflected``: the name was transliterated from a language that declines names (Cyrillic
    text), so a case ending is cut first.
    """
    low = _NOT_LETTER.sub("", (latin(name) if not name.isascii() else name).lower())
    if inflected:
        for end in _ENDINGS:
            if low.endswith(end) and len(low) - len(end) >= 3:
                low = low[: -len(end)]
                break
    if len(low) < 2:
        return low
    return _REPEAT.sub(r"\1", low[0] + _VOWELS.sub("", low[1:]))


def alphabetic(text: str) -> bool:
    """True when the letters of ``text`` are (mostly) of alphabets: Latin, Cyrillic, Greek…"""
    letters = [c for c in text[:400] if c.isalpha()]
    if not letters:
        return True
    ok = sum(1 for c in letters if unicodedata.name(c, "").startswith(_ALPHABETIC))
    return ok >= 0.8 * len(letters)
