"""The small typed data model shared by every layer.

This module imports nothing from the rest of the package, so every layer can import it.
Objects are frozen: stages return new objects (``dataclasses.replace``) instead of mutating.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Span = tuple[int, int]
"""A half-open character span ``[start, end)`` into an article's ``text``."""


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One document as found in an input, before extraction.

    ``kind`` names the parser that turns it into an :class:`Article`
    (``"plaintext"``, ``"html"``, ``"record"`` for already-structured input such as JSONL or feeds).
    """

    source: str  # file path, URL or "<stdin>", plus "#n" for the n-th record of a container
    kind: str
    content: str = ""
    url: str | None = None
    fields: dict[str, object] = field(
        default_factory=dict
    )  # structured metadata found by the reader


@dataclass(frozen=True, slots=True)
class Article:
    """A clean article: body text plus metadata."""

    id: str  # stable: hash of canonical URL + normalised content
    source: str  # where it came from (provenance)
    text: str  # the clean body, paragraphs separated by blank lines
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: datetime | None = None
    authors: tuple[str, ...] = ()
    category: str | None = None
    language: str | None = None
    captions: tuple[str, ...] = ()
    reading_minutes: int | None = None  # as stated by the page ("2 min read"), else estimated
    word_count: int = 0
    sentences: tuple[Span, ...] = ()  # sentence spans into ``text``
    duplicate_of: str | None = None  # id of the original when this is a near-duplicate
    content_hash: str = ""  # hash of the normalised text alone (exact-duplicate detection)


@dataclass(frozen=True, slots=True)
class IngestError:
    """One input that could not be ingested, and why (one line)."""

    source: str
    reason: str


@dataclass(slots=True)
class IngestReport:
    """What an ingest did: counts, and every error with the input it came from."""

    seen: int = 0  # articles read from the inputs
    added: int = 0  # new articles stored
    unchanged: int = 0  # already in the store (re-ingest)
    near_duplicates: int = 0  # stored, linked to an original
    errors: list[IngestError] = field(default_factory=list)
    added_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True, slots=True)
class Summary:
    """An extractive summary: sentence spans into the article text, in article order."""

    article_id: str
    sentences: tuple[Span, ...]
    method: str

    def text_of(self, text: str) -> str:
        return " ".join(text[s:e] for s, e in self.sentences)


QuoteKind = Literal["direct", "reported"]


@dataclass(frozen=True, slots=True)
class Quote:
    """Who said what: spans into the article text, with the resolved speaker."""

    article_id: str
    content: tuple[Span, ...]
    kind: QuoteKind
    cue: Span | None = None
    speaker: Span | None = None
    speaker_name: str | None = (
        None  # resolved entity name ("Serhiy Kyslytsia", "the Ukrainian foreign minister")
    )
    role: str | None = None  # "Deputy Foreign Minister"
    entity_id: str | None = None
    published: datetime | None = None
