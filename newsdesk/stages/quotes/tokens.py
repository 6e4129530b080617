"""Quote tokens: words with character offsets, paragraphs, rough sentences and quote depth.

Words keep inner apostrophes/hyphens/dots ("don’t", "U.S", "well-known"); every other non-space
character is its own token, so quotation marks are always separate tokens. Not
:data:`newsdesk.nlp.tokens.WORD`: the tagger needs punctuation as tokens and dots inside words,
and the shipped CRF (resources/quotes.crfsuite) was trained on exactly these tokens.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from newsdesk.nlp import lexicons

_TOKEN = re.compile(r"\w+(?:[’'\-.&]\w+)*|[^\w\s]")
_PARAGRAPH = re.compile(r"\n\s*\n|\n")

QUOTE_MARKS = frozenset('“”"«»„‹›‚‘’')
# Abbreviations whose dot does not end a sentence.
_ABBREV = (
    lexicons.words("abbreviations")
    | lexicons.words("abbreviations-before-number")
    | lexicons.words("abbreviations-us-states")
)


@dataclass(slots=True)
class Tokens:
    """Tokens of one text: strings, character offsets, paragraph and sentence of each."""

    text: str
    words: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    paragraphs: list[tuple[int, int]] = field(default_factory=list)  # token index ranges
    sentence: list[int] = field(default_factory=list)  # sentence number of each token
    in_quote: list[int] = field(default_factory=list)  # quote depth of each token (0 = outside)

    def char_span(self, i: int, j: int) -> tuple[int, int]:
        """Character span of tokens ``i..j-1``."""
        return self.starts[i], self.ends[j - 1]


def tokenize(text: str) -> Tokens:
    """Tokens with offsets, paragraphs, rough sentences (not broken inside quotes), quote depth."""
    toks = Tokens(text)
    words, starts, ends = toks.words, toks.starts, toks.ends
    spans = [m.span() for m in _TOKEN.finditer(text)]
    words.extend([text[s:e] for s, e in spans])
    starts.extend([s for s, _ in spans])
    ends.extend([e for _, e in spans])
    # paragraphs: token ranges between line breaks
    first = 0
    for m in _PARAGRAPH.finditer(text):
        cut = bisect.bisect_left(starts, m.start(), first)
        if cut > first:
            toks.paragraphs.append((first, cut))
        first = cut
    if len(words) > first:
        toks.paragraphs.append((first, len(words)))
    sentence, depth_of = toks.sentence, toks.in_quote
    sent = -1
    for a, b in toks.paragraphs:
        sent += 1
        depth = 0
        single = 0
        end_pending = False
        # Only quotation marks and sentence-final punctuation change the state: jump between them.
        done = a
        for i in range(a, b):
            w = words[i]
            if len(w) != 1 or (w not in QUOTE_MARKS and w not in ".?!"):
                continue
            if end_pending and (i > done or w in "“«„‹‘" or (w == '"' and depth == 0)):
                # the first ordinary token (or opening mark) after the stop opens a sentence
                sent += 1
                end_pending = False
            n = i - done
            if n:
                sentence.extend([sent] * n)
                depth_of.extend([depth + single] * n)
            done = i + 1
            sentence.append(sent)
            if w in ".?!":
                depth_of.append(depth + single)
                if (
                    depth == 0
                    and single == 0
                    and not (w == "." and i > a and _no_stop(words[i - 1]))
                ):
                    end_pending = True
                continue
            before = depth + single
            if w == '"':
                closing = depth > 0 and i > a and starts[i] == ends[i - 1]
                depth = depth - 1 if closing else depth + 1
            elif w in "“«„‹":
                # German style „…“ closes with “
                if w == "“" and depth > 0 and _last_open_is_low(words, a, i):
                    depth -= 1
                else:
                    depth += 1
            elif w in "”»›":
                depth = max(0, depth - 1)
            elif w in "‘‚":
                if i + 1 < b and starts[i + 1] == ends[i]:
                    single += 1
            elif w == "’" and single > 0 and (i + 1 >= b or starts[i + 1] != ends[i]):
                single -= 1
            # a mark belongs to the quote it opens or closes
            depth_of.append(max(before, depth + single))
            after = depth + single
            if before > 0 and after == 0 and i > a and words[i - 1] in (".", "?", "!"):
                end_pending = True  # “… we won.” | He left.
        n = b - done
        if n:
            if end_pending:
                sent += 1
            sentence.extend([sent] * n)
            depth_of.extend([depth + single] * n)
    return toks


def _no_stop(prev: str) -> bool:
    """Whether a dot after ``prev`` does not end a sentence: "Mr.", "R." (initial), "U.S.", "G.K.",
    a party and state ("Rep. Bobby Scott (D-Va.) said")."""
    return (
        prev.lower() in _ABBREV
        or (len(prev) == 1 and prev.isupper())
        or "." in prev
        or bool(_PARTY_STATE.match(prev))
    )


_PARTY_STATE = re.compile(r"[DRI]-[A-Z][a-z]{1,4}$")


def _last_open_is_low(words: list[str], a: int, i: int) -> bool:
    for k in range(i - 1, a - 1, -1):
        if words[k] == "„":
            return True
        if words[k] in "“”":
            return False
    return False


# A quotation mark; ’ only when it is not an apostrophe between two letters ("don’t").
_QUOTE_MARK = re.compile(r"[“”\"«»„‹›‚‘]|’(?![^\W\d_])|(?<![^\W\d_])’")


def is_direct(text: str, spans: Iterable[tuple[int, int]]) -> bool:
    """Whether content contains a quotation mark: the benchmark's definition of a direct quote."""
    return any(_QUOTE_MARK.search(text, s, e) for s, e in spans)
