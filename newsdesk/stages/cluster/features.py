"""An article's clustering features: content words, proper nouns, numbers (a sparse bag), its date.

The bag's terms: content words (CJK text as character bigrams, since it has no spaces),
"e:" proper nouns (names of Cyrillic or Greek text transliterated to Latin), "n:" numbers,
"t:" headline words, and "x:" cross-language name keys
(:func:`newsdesk.nlp.translit.name_key`: Зеленський / Zelensky → ``x:zlnsk``), the evidence
that articles in different languages share besides their multilingual embeddings.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from typing import Any

from newsdesk.nlp import lexicons
from newsdesk.nlp.lexicons import CALENDAR_WORDS
from newsdesk.nlp.tokens import LETTER_WORD
from newsdesk.nlp.translit import alphabetic, latin, name_key

TITLE_WEIGHT = 1  # title words counted this many times
BAG_CHARS = 3600  # the sparse features read this much of the text (3x the embedding's lead)
_EPOCH = date(1970, 1, 1)

_STOP = lexicons.words("stopwords-en")
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*\d(?![\w])|(?<![\w.])\d(?![\w.,])")
_CAP = re.compile(
    r"(?<![\w’'])[A-Z][\w’'\-]*(?:[ \t]+(?:(?:of|de|del|da|al|bin|van|von|la|le|the)[ \t]+)?[A-Z][\w’'\-]*)*"
)
_CONNECT = frozenset({"of", "de", "del", "da", "al", "bin", "van", "von", "la", "le", "the"})
_SENT_START = re.compile(r"(?:^|[.!?:;\"“”]\s*|\n\s*)$")
_POSSESSIVE = re.compile(r"[’']s$")


def days(d: date | datetime | None) -> float | None:
    if d is None:
        return None
    if isinstance(d, datetime):
        d = d.date()
    return float((d - _EPOCH).days)


def proper_nouns(text: str) -> list[str]:
    """Capitalised word sequences, lower-cased: a cheap stand-in for named entities.

    Title-case headlines and sentence starts are the traps: a capitalised word that also
    occurs in lower case in the text ("Talks", "Peace") splits a sequence and is dropped, and a
    single word at a sentence or line start ("However", "Earlier", "Category") is kept only if
    it also appears capitalised in mid-sentence. Month and weekday names are dates, not names.
    """
    lower_vocab = {w for w in LETTER_WORD.findall(text) if w.islower()}
    mid: set[str] = set()
    found: list[tuple[list[str], bool]] = []
    for m in _CAP.finditer(text):
        at_start = bool(_SENT_START.search(text[max(0, m.start() - 3) : m.start()]))
        toks = [_POSSESSIVE.sub("", t) for t in m.group(0).split()]
        run: list[str] = []
        runs: list[tuple[list[str], bool]] = []
        for tok in toks:
            low = tok.lower()
            if run and low in _CONNECT:
                run.append(tok)  # "Bank of England"
                continue
            if low in _STOP or low in lower_vocab or low in CALENDAR_WORDS or len(low) < 2:
                _close(run, runs, at_start and run[:1] == toks[:1])
                run = []
                continue
            run.append(tok)
        _close(run, runs, at_start and run[:1] == toks[:1])
        for r, starts in runs:
            if not starts:
                mid.add(r[0])
            found.append((r, starts))
    seen = Counter(r[0] for r, _ in found if len(r) == 1)
    out = []
    for r, starts in found:
        if starts and len(r) == 1 and r[0] not in mid and seen[r[0]] < 2:
            continue
        out.append(" ".join(r).lower())
    return out


def _close(run: list[str], runs: list[tuple[list[str], bool]], starts: bool) -> None:
    while run and run[-1].lower() in _CONNECT:
        run.pop()
    if run:
        runs.append((list(run), starts and not runs))


def numbers(text: str) -> list[str]:
    out = []
    for m in _NUMBER.finditer(text):
        n = m.group(0).replace(",", "").rstrip(".")
        if len(n) >= 2:
            out.append(n)
    return out


def _latin_share(text: str) -> float:
    head = text[:400]
    if head.isascii():  # most news: no letter to look at one by one
        return 1.0
    letters = [c for c in head if c.isalpha()]
    return sum(1 for c in letters if c.isascii()) / len(letters) if letters else 1.0


# CJK scripts (no spaces between words): radicals, kana, ideographs, hangul, compatibility forms.
_CJK_RUN = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+")


def _cjk(word: str) -> bool:
    return _CJK_RUN.match(word) is not None


def _names(source: str) -> tuple[list[str], bool]:
    """Proper nouns of ``source`` and whether they were transliterated: as written in Latin
    text, transliterated from other alphabets (capitalisation survives transliteration); in
    CJK text only the Latin names it contains."""
    if _latin_share(source) < 0.5 and alphabetic(source):
        return proper_nouns(latin(source)), True
    return proper_nouns(source), False


def bag(title: str | None, text: str) -> Counter[str]:
    """The sparse features of one article: content words, "e:" proper nouns, "n:" numbers,
    "t:" headline words, "x:" cross-language name keys."""
    c: Counter[str] = Counter()
    body = text[:BAG_CHARS]
    for source, weight in ((title or "", TITLE_WEIGHT), (body, 1)):
        if not source:
            continue
        if _CJK_RUN.search(source):  # CJK runs apart from Latin words and digits
            source = _CJK_RUN.sub(lambda m: f" {m.group(0)} ", source)
        names, inflected = _names(source)
        for w in LETTER_WORD.findall(source):
            if _cjk(w):
                for i in range(len(w) - 1):
                    c[w[i : i + 2]] += weight
                continue
            low = w.lower()
            if len(low) > 2 and low not in _STOP:
                c[low] += weight
        for e in names:
            c["e:" + e] += weight
            parts = e.split()
            if len(parts) > 1:
                c["e:" + parts[-1]] += weight  # "hakan fidan" also matches a later "Fidan"
            key = name_key(
                parts[-1], inflected
            )  # surnames carry across languages (first names vary)
            if len(key) >= 2:
                c["x:" + key] += weight
        for n in numbers(source):
            c["n:" + n] += weight
    head = title or ""
    if _CJK_RUN.search(head):
        head = _CJK_RUN.sub(lambda m: f" {m.group(0)} ", head)
    for w in LETTER_WORD.findall(head):  # the headline alone, compared headline to headline
        if _cjk(w):
            for i in range(len(w) - 1):
                c["t:" + w[i : i + 2]] += 1
            continue
        low = w.lower()
        if len(low) > 2 and low not in _STOP:
            c["t:" + low] += 1
    return c


def dated_text(r: dict[str, Any]) -> str:
    """Text searched for the article's event date: the body, then its captions, which often
    carry the date of the pictured event ("... in Istanbul, Turkiye on July 23, 2025")."""
    captions = r.get("captions") or ()
    return "\n".join([r.get("text") or "", *[c for c in captions if isinstance(c, str)]])


def parse_datetime(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None
