"""The cleaner: score every line, keep the main run of article lines, pick the title.

The weights live in ``newsdesk/resources/cleaner.json`` (plain JSON, no pickle), written by
``scripts/train_cleaner.py``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from newsdesk import resources
from newsdesk.ingest.decode import decode
from newsdesk.ingest.plaintext.features import features_pass1, features_pass2
from newsdesk.ingest.plaintext.lines import Line, sentence_like, split_lines
from newsdesk.ingest.plaintext.metadata import Meta, find_metadata, find_title
from newsdesk.ingest.plaintext.trees import Trees
from newsdesk.models import IngestError, RawDocument
from newsdesk.nlp.sentences import sentence_spans

MODEL_PATH = resources.path("cleaner.json")

# A line is body when the second pass scores it at least this (tuned on the training pages).
BODY_THRESHOLD = 0.5
# A text looks like a scraped page (``as_page``) when the cleaner removes at least this share of
# its lines: chosen by site-disjoint cross-validation in benchmarks/pagelike.py.
PAGE_REMOVED_SHARE = 0.4
# Runs of article lines at most this many lines apart belong to one body (in-article
# furniture such as "Advertisement" or a photo caption sits between them). 25, not 6: on 10
# site-disjoint folds (benchmarks/textpages.py, 1415 pages), better in 15 of 16 set x renderer
# cells, e.g. zyte inscriptis 0.916 -> 0.924, w3m 0.887 -> 0.895 (12 and 50 were worse on folds 0-3).
MAX_GAP = 25
# A lone article line above the main block joins it across at most this many lines.
MAX_LEAD_GAP = 3


@dataclass(frozen=True, slots=True)
class CleanPage:
    """What the cleaner found on one page."""

    text: str  # the article body, paragraphs separated by blank lines
    title: str | None = None
    category: str | None = None
    reading_minutes: int | None = None
    authors: tuple[str, ...] = ()
    captions: tuple[str, ...] = ()
    published: str | None = None  # ISO date, when a date line states it
    outlet: str | None = None  # from a copyright line ("© 2025 Example Media")
    body_lines: tuple[int, ...] = field(default=(), repr=False)  # indices into split_lines()
    body_spans: tuple[tuple[int, int], ...] = ()  # each body line's span in the page text
    line_count: int = field(default=0, repr=False)  # the page's lines (split_lines())

    @property
    def removed_share(self) -> float:
        """The share of the page's lines that are not article body (0 for an empty page)."""
        return 1.0 - len(self.body_lines) / self.line_count if self.line_count else 0.0

    def as_fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text}
        for key in ("title", "category", "reading_minutes", "published", "outlet"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.authors:
            out["authors"] = list(self.authors)
        if self.captions:
            out["captions"] = list(self.captions)
        return out


@dataclass(slots=True)
class Logistic:
    """A standardised logistic regression read from plain JSON (mean, scale, coef, intercept).

    (The shipped model's passes are trees; a pass may be a logistic regression, as models
    trained before #15 were.)
    """

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Logistic:
        return cls(
            np.asarray(d["mean"], dtype=np.float64),
            np.asarray(d["scale"], dtype=np.float64),
            np.asarray(d["coef"], dtype=np.float64),
            float(d["intercept"]),
        )

    def predict(self, x: np.ndarray) -> np.ndarray:
        z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def scorer(d: dict[str, Any]) -> Logistic | Trees:
    """A pass's model from its JSON: gradient-boosted trees or a logistic regression."""
    return Trees.from_json(d) if d.get("kind") == "trees" else Logistic.from_json(d)


class Cleaner:
    """The line classifier plus the metadata rules; load once, call :meth:`clean` per page."""

    def __init__(self, model: dict[str, Any]) -> None:
        self.lexicon: dict[str, float] = {k: float(v) for k, v in model["lexicon"].items()}
        self.pass1 = scorer(model["pass1"])
        self.pass2 = scorer(model["pass2"])
        self.threshold = float(model.get("threshold", BODY_THRESHOLD))
        self.info: dict[str, Any] = dict(model.get("info", {}))

    @classmethod
    def load(cls, path: str | Path = MODEL_PATH) -> Cleaner:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def line_scores(self, lines: Sequence[Line]) -> np.ndarray:
        """Probability that each line belongs to the article body."""
        if not lines:
            return np.zeros(0)
        x1 = features_pass1(lines, self.lexicon)
        p1 = self.pass1.predict(x1)
        return self.pass2.predict(features_pass2(x1, p1))

    def clean(self, text: str) -> CleanPage:
        """Title, metadata and the article body of one plain-text page."""
        lines = split_lines(text)
        if not lines:
            return CleanPage(text="")
        meta = find_metadata(lines)
        scores = self.line_scores(lines)
        is_body = [s >= self.threshold and i not in meta.used for i, s in enumerate(scores)]
        body = main_run(lines, is_body, scores)
        if not any(sentence_like(lines[i]) for i in body):
            # No confident article lines: a page with sentences (or long lines: a text browser
            # lays tables out side by side) still has a body (never refuse a real page), the
            # block of them the model liked best; a page of short lines only (menus) has none.
            prose = [
                (sentence_like(ln) or len(ln.words) >= 12) and i not in meta.used
                for i, ln in enumerate(lines)
            ]
            body = main_run(lines, prose, np.maximum(scores, 0.05)) if any(prose) else []
        if not body:
            return self._narrow_columns(lines, meta)
        title_idx = find_title(lines, meta.used, body, scores)
        body = [i for i in body if i != title_idx]
        return CleanPage(
            text="\n\n".join(lines[i].text for i in body),
            title=lines[title_idx].text if title_idx is not None else None,
            category=meta.category,
            reading_minutes=meta.reading_minutes,
            authors=tuple(meta.authors),
            captions=tuple(meta.captions),
            published=meta.published,
            outlet=meta.outlet or None,
            body_lines=tuple(body),
            body_spans=tuple((lines[i].start, lines[i].end) for i in body),
            line_count=len(lines),
        )

    def _narrow_columns(self, lines: Sequence[Line], meta: Meta) -> CleanPage:
        """The last resort of a page with text but no article line: a text browser that lays a
        page out as a table wraps each column at its own width ("SEOUL, South / Korea - Special /
        prosecutors ..." at 18 columns beside a 100-column page), so no line is a sentence and
        the page-wide wrap width rejoins none. Each block of lines between blank lines is read
        as one paragraph; the blocks that are sentences (outside the metadata) are the body.
        A page of menus and headlines keeps no body (no block is a sentence).
        """
        blocks: list[list[int]] = []
        for i, ln in enumerate(lines):
            if i in meta.used:
                continue
            if blocks and not ln.blank_before and blocks[-1][-1] == i - 1:
                blocks[-1].append(i)
            else:
                blocks.append([i])
        keep = []
        for block in blocks:
            joined = Line.of(" ".join(lines[i].text for i in block), True, True)
            if len(block) > 1 and sentence_like(joined):
                keep.append((block, joined.text))
        used = [i for block, _ in keep for i in block]
        # No title: the heading-like line above such a body is a cell of another column.
        return CleanPage(
            text="\n\n".join(text for _, text in keep),
            category=meta.category,
            reading_minutes=meta.reading_minutes,
            authors=tuple(meta.authors),
            captions=tuple(meta.captions),
            published=meta.published,
            outlet=meta.outlet or None,
            body_lines=tuple(used),
            body_spans=tuple((lines[b[0]].start, lines[b[-1]].end) for b, _ in keep),
            line_count=len(lines),
        )


def main_run(lines: Sequence[Line], is_body: list[bool], scores: np.ndarray) -> list[int]:
    """Body lines around the strongest block of article lines.

    Article lines are grouped into runs (split where two or more other lines come between);
    the run with the most text (score-weighted) is the main block, so a long list of links
    that each look a little like body loses to a few confident paragraphs. Runs above and
    below join it while they are close (``MAX_GAP`` lines). Below the block, what follows
    furniture is body again only with 2+ sentence-like lines (a continuation after an ad
    break); a heading with one paragraph under it is a teaser or an appeal ("Support … /
    Your donation powers…"). Above it, a lone line may join when close (a lead above a photo and its caption).
    """
    hits = [i for i, b in enumerate(is_body) if b]
    if not hits:
        return []
    runs: list[list[int]] = [[hits[0]]]
    for i in hits[1:]:
        if i - runs[-1][-1] > 2:
            runs.append([i])
        else:
            runs[-1].append(i)
    # Weight: score x sqrt(characters). On trafilatura-eval (with/without snippets) this beat
    # line counts (F1 0.870 vs 0.841), characters (0.868) and log-characters (0.859).
    mass = [float(sum(scores[i] * math.sqrt(len(lines[i].text)) for i in r)) for r in runs]
    best = max(range(len(runs)), key=mass.__getitem__)
    lo = hi = best
    while hi + 1 < len(runs):
        nxt = runs[hi + 1]
        if nxt[0] - runs[hi][-1] - 1 > MAX_GAP or sum(sentence_like(lines[i]) for i in nxt) < 2:
            break
        hi += 1
    while lo > 0:
        prev = runs[lo - 1]
        gap = runs[lo][0] - prev[-1] - 1
        if gap > MAX_GAP or (len(prev) < 2 and gap > MAX_LEAD_GAP):
            break
        lo -= 1
    body = [i for r in runs[lo : hi + 1] for i in r]
    # The last segment after a furniture line: a heading with at most one paragraph under it
    # ("Support … Media Team" / "Your donation powers…") is a box, not the article's end.
    cut = max((k for k in range(1, len(body)) if body[k] - body[k - 1] > 1), default=0)
    tail = body[cut:]
    if cut and not sentence_like(lines[tail[0]]) and sum(sentence_like(lines[i]) for i in tail) < 2:
        return body[:cut]
    return body


@lru_cache(maxsize=1)
def default_cleaner() -> Cleaner:
    """The shipped model, loaded once per process."""
    return Cleaner.load(MODEL_PATH)


def clean_text(text: str) -> CleanPage:
    """Clean one plain-text page with the shipped model."""
    return default_cleaner().clean(text)


def removed_share(text: str, cleaner: Cleaner | None = None) -> float:
    """The share of ``text``'s lines the cleaner does not keep as article body."""
    return (cleaner or default_cleaner()).clean(text).removed_share


def as_page(text: str) -> CleanPage | None:
    """The cleaned page when ``text`` looks like a scraped page, else None (an article).

    It looks like a page when the cleaner finds a body and removes at least
    :data:`PAGE_REMOVED_SHARE` of its lines (menus, share boxes, cookie lines, related
    headlines); an article's paragraphs are kept (``benchmarks/pagelike.py`` measures both).
    """
    page = default_cleaner().clean(text)
    return page if page.body_spans and page.removed_share >= PAGE_REMOVED_SHARE else None


def page_sentences(text: str) -> tuple[list[tuple[int, int]], str | None] | None:
    """When ``text`` looks like a scraped page (:func:`as_page`): the sentence spans of its
    article body, as character offsets into ``text`` itself, and the page's title; else None.

    Sentences are split inside each body line's own span of ``text``, so a summary built on
    them quotes the input exactly (the cleaned text joins lines and collapses spaces).
    """
    page = as_page(text)
    if page is None:
        return None
    spans = [(a + s, a + e) for a, b in page.body_spans for s, e in sentence_spans(text[a:b])]
    return spans, page.title


def filter_records(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Clean raw records ``{"id", "text"}`` (no store): one result per record.

    Each result: ``id``, ``text`` (the clean body), ``title``/``category``/``reading_minutes``/
    ``authors``/``captions``/``published`` when found, and ``body_spans``: the ``[start, end)``
    character span of every body paragraph in the record's original text.
    """
    cleaner = default_cleaner()
    for rec in records:
        text = rec.get("text")
        if not isinstance(text, str):
            yield {"id": rec.get("id"), "error": 'record has no "text" string'}
            continue
        page = cleaner.clean(text)
        yield {
            "id": rec.get("id"),
            **page.as_fields(),
            "body_spans": [list(span) for span in page.body_spans],
        }


# --- ingest entry points ----------------------------------------------------------------------


def read_plaintext(name: str, data: bytes) -> Iterator[RawDocument | IngestError]:
    """One plain-text page."""
    yield RawDocument(name, "plaintext", decode(name, data))


def parse_page(doc: RawDocument) -> dict[str, Any]:
    """Article fields of one scraped plain-text page (title, text, category, captions…)."""
    fields = clean_text(doc.content).as_fields()
    if doc.url:
        fields["url"] = doc.url
    return fields
