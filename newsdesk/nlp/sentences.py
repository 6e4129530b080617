"""Sentence spans: character offsets into the exact text.

Sentence splitting is a small rule-based splitter of our own (``sentence_spans``): it handles
abbreviations such as "U.S.", "Dr." and "Jan. 5", initials, closing quotes after the full stop
(typographic, straight, and PTB-style ``''``), line and paragraph breaks, and returns character
spans into the exact input text. Measured on the 70 shared SummEval articles (one core, machine
shared with other jobs): syntok splits about 130 articles/s, pysbd about 30, this splitter
several thousand; the summarizer's floor of 200 articles/s, splitting included, rules the first
two out (benchmarks/summaries.py measures the three side by side).
"""

from __future__ import annotations

import re

from newsdesk.models import Span
from newsdesk.nlp import lexicons

# Words that end in a full stop without ending the sentence...
_ABBREVIATIONS = lexicons.words("abbreviations")
# ...and those that do so only before a number ("Jan. 5", "No. 10").
_BEFORE_NUMBER = lexicons.words("abbreviations-before-number")
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


def excerpt(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a sentence end, else at a word end + "…".

    Whole sentences are kept while they fit, so a cut never falls after an abbreviation or an
    initial ("Judges James C…."); a first sentence longer than ``limit`` is cut at its last
    whole word, without the punctuation before the cut.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    end = 0
    for _, e in sentence_spans(text):
        if e > limit:
            break
        end = e
    if end:
        return text[:end]
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-–—") + "…"
