"""Layout features of a page's lines for the body/furniture classifier (two passes).

Pass 1: one row of layout features per line (length, words, punctuation, capitalisation,
function-word ratio, a learned furniture/body vocabulary, repetition, position, distance to the
densest block of long lines, blank lines around it) plus a few of the same features of the
neighbours. Pass 2 adds the pass-1 scores of the neighbours and of a window around the line.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from itertools import repeat

import numpy as np

from newsdesk.ingest.plaintext.lines import SENT_END, Line
from newsdesk.nlp import lexicons

_UPPER = re.compile(r"[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄҐΑ-Ω]")
_SEPARATORS = re.compile(r"[|·•►»«›‹/]")
_FUNCTION_WORDS = lexicons.words("function-words")
_CONTEXT_OFFSETS = (-3, -2, -1, 1, 2, 3)
_WINDOW = 5
N_ROW = 37  # features of the line itself
N_BASE = N_ROW + 7  # and of the page around it


def base_features(lines: Sequence[Line], lexicon: dict[str, float]) -> np.ndarray:
    """One row of layout features per line (see the module docstring)."""
    n = len(lines)
    nwords = [len(ln.words) for ln in lines]
    counts = Counter(ln.norm for ln in lines)
    # The main block: clusters of long lines (gap <= 6 lines); the one with most words wins.
    long_idx = [i for i, w in enumerate(nwords) if w >= 15]
    start = end = -1
    if long_idx:
        best, cur_start, cur_words, prev = -1, long_idx[0], 0, long_idx[0]
        for i in long_idx:
            if i - prev > 6:
                cur_start, cur_words = i, 0
            cur_words += nwords[i]
            prev = i
            if cur_words > best:
                best, start, end = cur_words, cur_start, i
    max_words = max(nwords) if nwords else 1
    rows: list[tuple[float, ...]] = []
    for i, ln in enumerate(lines):
        t = ln.text
        words = ln.words
        w = nwords[i]
        lower = t.lower()
        lwords = ln.norm.split(" ") if w else []
        lens = list(map(len, words))
        n_alnum = sum(lens)  # characters inside word tokens (a regex pass per count is slower)
        n_digits = sum(map(len, filter(str.isdigit, words)))
        lex = list(map(lexicon.get, lwords, repeat(0.0, w)))
        tail = t[-4:]
        if start >= 0:
            before = max(0, start - i)
            after = max(0, i - end)
        else:
            before = after = n
        rows.append(
            (
                math.log1p(len(t)),
                math.log1p(w),
                w <= 2,
                w <= 5,
                w >= 15,
                w >= 40,
                bool(SENT_END.search(tail)),
                t.endswith(":"),
                t[-1:].isalnum(),
                (t.count(",") + t.count(".") + t.count(";") + t.count(":")) / (w + 1),
                "," in t,
                sum(map(str.istitle, words)) / w if w else 0.0,
                len(_UPPER.findall(t)) / n_alnum if n_alnum else 0.0,
                n_digits / len(t),
                sum(map(_FUNCTION_WORDS.__contains__, lwords)) / w if w else 0.0,
                sum(map((4).__gt__, lens)) / w if w else 0.0,
                sum(lex) / len(lex) if lex else 0.0,
                min(lex) if lex else 0.0,
                max(lex) if lex else 0.0,
                counts[ln.norm] > 1,
                i / n,
                ln.blank_before,
                ln.blank_after,
                bool(_SEPARATORS.search(t)),
                "©" in t or "copyright" in lower,
                _is_linkish(t, lower),
                not t[:1].isalnum(),
                start <= i <= end,
                math.log1p(before),
                math.log1p(after),
                w / max_words if max_words else 0.0,
                ln.credit,
                ln.bullet,
                t[:1].islower(),
                math.log1p(n - 1 - i),
                math.log1p(counts[ln.norm]),
                t.count("|") + t.count("•") + t.count("·"),
            )
        )
    base = np.array(rows, dtype=np.float64).reshape(n, N_ROW)
    return np.hstack([base, _page_context(base, nwords, n)])


def _page_context(base: np.ndarray, nwords: list[int], n: int) -> np.ndarray:
    """The page around each line: how long the lines are on this page (renderers and sites
    differ), the run of short lines it sits in (menus), and windows of long/link-like lines."""
    if n == 0:
        return np.zeros((0, N_BASE - N_ROW))
    words = np.asarray(nwords, dtype=np.float64)
    long = (words >= 15).astype(np.float64)
    short = words <= 5
    linkish = base[:, 25]
    # the run of consecutive short lines each line belongs to (0 for a long line)
    run = np.zeros(n)
    i = 0
    while i < n:
        if short[i]:
            j = i
            while j < n and short[j]:
                j += 1
            run[i:j] = j - i
            i = j
        else:
            i += 1
    page = np.array([math.log1p(n), float(long.mean()), math.log1p(float(np.median(words)))])
    cols = [np.log1p(run), *(_window_mean(long, k) for k in (3, 10)), _window_mean(linkish, 3)]
    return np.column_stack([*cols, np.broadcast_to(page, (n, 3))])


def _window_mean(v: np.ndarray, k: int) -> np.ndarray:
    """Mean of ``v`` over the ``k`` lines on either side of each line (the line included)."""
    n = len(v)
    csum = np.concatenate([[0.0], np.cumsum(v)])
    idx = np.arange(n)
    lo, hi = np.maximum(0, idx - k), np.minimum(n, idx + k + 1)
    return (csum[hi] - csum[lo]) / (hi - lo)


def _is_linkish(t: str, lower: str) -> bool:
    """A URL, e-mail address or @handle in the line (cheap test first)."""
    if "@" in t or "www." in lower or "://" in t:
        return True
    return ".com" in lower or ".org" in lower


# log words, ends a sentence, mean lexicon score, title-case ratio, bullet, link-like, blank before
_CTX_COLS = (1, 6, 16, 11, 32, 25, 21)


def features_pass1(lines: Sequence[Line], lexicon: dict[str, float]) -> np.ndarray:
    """Base features of each line and a few base features of its neighbours (±1, ±2)."""
    base = base_features(lines, lexicon)
    n = len(lines)
    parts = [base]
    for off in _CONTEXT_OFFSETS:
        ctx = np.zeros((n, len(_CTX_COLS) + 1))
        lo, hi = max(0, -off), min(n, n - off)
        if hi > lo:
            ctx[lo:hi, :-1] = base[lo + off : hi + off][:, _CTX_COLS]
            ctx[lo:hi, -1] = 1.0
        parts.append(ctx)
    return np.hstack(parts)


def features_pass2(x1: np.ndarray, p1: np.ndarray) -> np.ndarray:
    """Pass-1 features plus pass-1 scores of the neighbours, a window mean and the best above/below."""
    n = len(p1)
    cols = [p1]
    for off in _CONTEXT_OFFSETS:
        c = np.zeros(n)
        lo, hi = max(0, -off), min(n, n - off)
        if hi > lo:
            c[lo:hi] = p1[lo + off : hi + off]
        cols.append(c)
    csum = np.concatenate([[0.0], np.cumsum(p1)])
    idx = np.arange(n)
    start = np.maximum(0, idx - _WINDOW)
    stop = np.minimum(n, idx + _WINDOW + 1)
    cols.append((csum[stop] - csum[start]) / (stop - start))
    cols.append(np.maximum.accumulate(p1) if n else p1)  # best score so far (above)
    cols.append(np.maximum.accumulate(p1[::-1])[::-1] if n else p1)  # best score below
    return np.hstack([x1, np.column_stack(cols)])
