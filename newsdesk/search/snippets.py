"""Result snippets: a window of plain text around the first query word, matches marked."""

from __future__ import annotations

import re
from collections.abc import Sequence

SNIPPET_CHARS = 240


def snippet_pattern(terms: Sequence[str]) -> re.Pattern[str]:
    """The query words as one pattern (a word starting with any of them), for :func:`snippet`."""
    return re.compile(r"\b(" + "|".join(re.escape(t) for t in terms) + r")\w*", re.IGNORECASE)


def snippet(
    body: str,
    terms: Sequence[str],
    width: int = SNIPPET_CHARS,
    pattern: re.Pattern[str] | None = None,
) -> list[tuple[str, bool]]:
    """A window of ``body`` around the first query word, as (piece, is_match) pairs of plain text."""
    if not body:
        return []
    pattern = pattern or snippet_pattern(terms)
    first = pattern.search(body)
    start = 0 if first is None else max(0, first.start() - width // 3)
    if start:
        space = body.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    end = min(len(body), start + width)
    window = body[start:end].replace("\n", " ")
    pieces: list[tuple[str, bool]] = []
    if start:
        pieces.append(("… ", False))
    pos = 0
    for m in pattern.finditer(window):
        if m.start() > pos:
            pieces.append((window[pos : m.start()], False))
        pieces.append((m.group(0), True))
        pos = m.end()
    if pos < len(window):
        pieces.append((window[pos:], False))
    if end < len(body):
        pieces.append((" …", False))
    return pieces
