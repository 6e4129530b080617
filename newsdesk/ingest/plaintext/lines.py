"""A plain-text page as lines: split once, tokenised once, each knowing its blank-line context
and its character span in the page (so the ``clean -`` filter can return spans).

Renderers differ in how they break a paragraph, so lines are first put back together:

- a text browser (``w3m -dump``, ``lynx -dump``) wraps paragraphs at a fixed width: a line is
  joined to the next when the next line's first word would not have fit on it (the page is
  taken as wrapped when many of its lines end near the same column);
- a ``get_text("\\n")`` rendering puts every text node on its own line, so an inline link cuts
  a sentence in pieces: a line that does not end like a sentence is joined to a next line that
  starts in lower case or with punctuation, or when it ends with a comma, a hyphen or a
  function word ("of", "the");
- list bullets (``*``, ``•``, ``☆``, lynx's ``o``/``+``) are taken off (remembered as a feature),
  and lynx's numbered link markers (``[12]Text``) are dropped when a page has many.
"""

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
    bullet: bool = False  # the renderer drew a list bullet before it

    @classmethod
    def of(
        cls,
        text: str,
        blank_before: bool,
        blank_after: bool,
        start: int = 0,
        end: int = 0,
        bullet: bool = False,
    ) -> Line:
        words = tuple(TOKEN.findall(text))
        norm = " ".join(words).lower()
        return cls(
            text, blank_before, blank_after, words, norm, start, end, is_credit(text), bullet
        )


def split_lines(text: str) -> list[Line]:
    """Non-blank lines (whitespace collapsed, wrapped lines rejoined), each knowing whether a
    blank line is next to it and where it is in ``text``."""
    found: list[list] = []  # [text, start, end, blank_before, end column, bullet]
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
        lead = raw.index(stripped[0])
        start = m.start() + lead
        collapsed = " ".join(stripped.split())
        bullet = _BULLET.match(collapsed)
        if bullet:
            collapsed = collapsed[bullet.end() :]
        # the column the line ends at, as the renderer counted it: lynx's link markers
        # included (it wraps them with the text), CJK characters two columns wide
        col = lead + len(stripped)
        if not stripped.isascii():
            col += len(_WIDE.findall(stripped))
        found.append([collapsed, start, start + len(stripped), blank, col, bool(bullet)])
        blank = False
    found = _rejoin(found)
    if len(_LINK_REF.findall(text[:200_000])) >= _MIN_LINK_REFS:
        for f in found:
            f[0] = _LINK_REF.sub("", f[0]).strip() or f[0]
    return [
        Line.of(t, before, found[i + 1][3] if i + 1 < len(found) else True, start, end, bullet)
        for i, (t, start, end, before, _col, bullet) in enumerate(found)
    ]


# List bullets renderers draw: inscriptis/lynx "*", "+", "-", lynx "o" (before a capital or a
# digit: "o presidente" is Portuguese), w3m "•" and "☆", others "·", "▪", "◦", "‣", "►".
_BULLET = re.compile(r"^(?:[*+•☆★□■○●◆◇·▪◦‣►-]|o(?=\s+[A-Z0-9\[]))\s+(?=\S)")
# lynx's numbered link markers ("[12]Text"), dropped when a page has at least this many.
_LINK_REF = re.compile(r"\[\d{1,4}\](?=\S)")
_MIN_LINK_REFS = 5
# A wrapped page: at least this share of its lines (and 4) end within _WRAP_SLACK columns below
# one column (40.._MAX_WRAP), and at most _WRAP_LONGER of its lines are longer than that.
_WRAP_SHARE = 0.02
_WRAP_SLACK = 12
_WRAP_LONGER = 0.03
_MAX_WRAP = 200
# Characters a terminal draws two columns wide (CJK, Hangul, full-width forms): a text browser
# counts them so when it wraps.
_WIDE = re.compile(
    r"[\u1100-\u115f\u2e80-\u303e\u3041-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
)
_NODES_BLANK_SHARE = 0.05
_MAX_JOINED = 5000  # characters: a joined line never grows past this
_JOIN_END = re.compile(
    r"(?:,|-|–|\(|\b(?:of|the|a|an|and|or|to|in|on|for|with|by|at|from|der|die|das|und|von|mit|le|la|les|de|des|et|el|los|y|в|і|и|на|з|с|та)$)",
    re.I,
)
_CONT_START = re.compile(r"^[a-zà-ÿа-яёіїєґ,.;:!?)\]»”’%]")


def _wrap_width(found: list[list]) -> int:
    """The column a text browser wrapped this page at, or 0 if it is not wrapped.

    Wrapped text has (almost) no line past its width but unbreakable ones (URLs), and many line
    ends just below it; unwrapped text has line ends spread over every length.
    """
    cols = sorted((f[4] for f in found if "://" not in f[0]), reverse=True)
    if len(cols) < 4:
        return 0
    width = cols[min(len(cols) - 1, int(_WRAP_LONGER * len(cols)))]
    if not 40 <= width <= _MAX_WRAP:
        return 0
    near = sum(1 for c in cols if width - _WRAP_SLACK <= c <= width)
    if near < max(4, _WRAP_SHARE * len(found)):
        return 0
    # The share above is a lower bound: the longest wrapped lines end a few columns past it
    # (the width is the longest line end that is at most _WRAP_SLACK past the estimate).
    return next(c for c in cols if c <= width + _WRAP_SLACK)


def _rejoin(found: list[list]) -> list[list]:
    """Join the lines a renderer broke inside a paragraph (see the module docstring)."""
    if len(found) < 2:
        return found
    width = _wrap_width(found)
    # Text nodes one per line: a page (of some size) with almost no blank lines.
    nodes = len(found) >= 20 and sum(1 for f in found if f[3]) < _NODES_BLANK_SHARE * len(found)
    if not width and not nodes:
        return found
    out = [found[0]]
    for f in found[1:]:
        prev = out[-1]
        if (
            not f[3]
            and not f[5]
            and len(prev[0]) < _MAX_JOINED
            and _continues(prev, f, width, nodes)
        ):
            # CJK wrapped inside a run of characters has no space to put back
            glue = "" if _WIDE.match(prev[0][-1:]) and _WIDE.match(f[0][:1]) else " "
            prev[0] = f"{prev[0]}{glue}{f[0]}"
            prev[2] = f[2]
            prev[4] = f[4]
            continue
        out.append(f)
    return out


def _continues(prev: list, nxt: list, width: int, nodes: bool) -> bool:
    text = prev[0]
    if width and prev[4] <= width:
        first = nxt[0].split(" ", 1)[0]
        if prev[4] + 1 + len(first) > width:
            return True  # the next word did not fit: wrapped
    if not nodes or SENT_END.search(text[-4:]):
        return False
    return bool(_CONT_START.match(nxt[0]) or _JOIN_END.search(text[-6:]))


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
