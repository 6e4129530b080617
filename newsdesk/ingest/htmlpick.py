"""A second main-text candidate for an HTML page, and a learned choice between the two.

trafilatura (fast mode) is the first extractor. Resiliparse's main-content heuristics
(``extract_plain_text(main_content=True)`` over a Lexbor tree, ~3 ms a page against
trafilatura's ~30) give a second text that keeps more: on most pages more furniture, but where
trafilatura was unsure (it dropped paragraphs, or a short page fell back to its baseline)
more of the article. Which one is kept is decided by gradient-boosted trees
(``resources/html_pick.json``, :mod:`newsdesk.ingest.plaintext.trees`) over features of both
texts and the page: their lengths and paragraph counts, how much of each the other contains
(word 4-gram shingles), the share of short and link-like lines, sentence punctuation, and
the page's whole visible text (density). Trained site-disjoint on zyte-article-bench,
fundus-news-pages and trafilatura-eval by ``scripts/train_htmlpick.py``, each page weighted by
how much the choice changes its F1. Without the model file, or without Resiliparse, the first
text is kept.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from newsdesk import resources
from newsdesk.ingest.plaintext.trees import Trees

MODEL_PATH = resources.path("html_pick.json")

_TOKEN = re.compile(r"\w+")
_SENT_END = re.compile(r"[.!?…:»\"”)]$")

FEATURES = (
    "a_log_chars", "b_log_chars", "ratio_b_a", "a_paras", "b_paras", "a_in_b", "b_in_a",
    "a_mean_para", "b_mean_para", "a_short_lines", "b_short_lines", "a_sent_end", "b_sent_end",
    "page_log_chars", "a_density", "b_density", "b_extra_short", "b_extra_sent_end",
    "b_extra_log_chars", "a_empty",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Second:
    """The second candidate's text and the page's whole visible text."""

    text: str
    page_text: str


def second(markup: str) -> Second | None:
    """Resiliparse's main text and full text of the page (None without Resiliparse)."""
    try:
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.html import HTMLTree
    except ImportError:  # an optional speed-up of quality, never a requirement
        return None
    try:
        tree = HTMLTree.parse(markup)
        opts: dict[str, Any] = {"alt_texts": False, "list_bullets": False, "links": False}
        main = extract_plain_text(tree, main_content=True, comments=False, **opts)
        full = extract_plain_text(tree, main_content=False, **opts)
    except Exception:  # a page Lexbor cannot take keeps trafilatura's text
        return None
    return Second(main, full)


def features(a: str, b: Second) -> np.ndarray:
    """One row: the first text ``a`` (paragraphs), the second candidate and the page."""
    a_paras = _paras(a)
    b_paras = _paras(b.text)
    sa, sb = _shingles(a), _shingles(b.text)
    a_in_b = _contained(sa, sb)
    b_in_a = _contained(sb, sa)
    a_keys = {_key(p) for p in a_paras}
    extra = [p for p in b_paras if _key(p) not in a_keys]
    page_chars = max(len(b.page_text), 1)
    return np.array(
        [
            math.log1p(len(a)),
            math.log1p(len(b.text)),
            min(len(b.text) / max(len(a), 1), 50.0),
            min(len(a_paras), 200),
            min(len(b_paras), 200),
            a_in_b,
            b_in_a,
            _mean_len(a_paras),
            _mean_len(b_paras),
            _share(a_paras, lambda p: len(p) < 40),
            _share(b_paras, lambda p: len(p) < 40),
            _share(a_paras, lambda p: bool(_SENT_END.search(p))),
            _share(b_paras, lambda p: bool(_SENT_END.search(p))),
            math.log1p(len(b.page_text)),
            min(len(a) / page_chars, 1.0),
            min(len(b.text) / page_chars, 1.0),
            _share(extra, lambda p: len(p) < 40),
            _share(extra, lambda p: bool(_SENT_END.search(p))),
            math.log1p(sum(len(p) for p in extra)),
            float(not a.strip()),
        ],
        dtype=np.float64,
    )


@cache
def default_model() -> tuple[Trees, float] | None:
    """The shipped trees and their threshold (None without the model file)."""
    if not MODEL_PATH.exists():
        return None
    blob = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    return Trees.from_json(blob["trees"]), float(blob["threshold"])


def choose(a: str, b: Second | None, model: tuple[Trees, float] | None = None) -> tuple[str, float]:
    """The text to keep and the model's probability that the second one is better."""
    model = model or default_model()
    if b is None or model is None or not b.text.strip():
        return a, 0.0
    trees, threshold = model
    p = float(trees.predict(features(a, b)[None, :])[0])
    return (b.text if p > threshold else a), p


# -- helpers -------------------------------------------------------------------------------------


def _paras(text: str) -> list[str]:
    return [p.strip() for p in text.splitlines() if p.strip()]


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    toks = _TOKEN.findall(text.lower())
    return Counter(tuple(toks[i : i + 4]) for i in range(max(len(toks) - 3, 0)))


def _contained(x: Counter[tuple[str, ...]], y: Counter[tuple[str, ...]]) -> float:
    total = sum(x.values())
    return sum((x & y).values()) / total if total else 0.0


def _mean_len(paras: list[str]) -> float:
    return math.log1p(sum(len(p) for p in paras) / len(paras)) if paras else 0.0


def _share(paras: list[str], test: Any) -> float:
    return sum(1 for p in paras if test(p)) / len(paras) if paras else 0.0


def _key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())
