"""RSS/Atom feeds and OPML lists. PLACEHOLDER, to be completed with feedparser."""

from __future__ import annotations

from collections.abc import Iterator

from newsdesk.models import IngestError, RawDocument


def read_feed(name: str, data: bytes) -> Iterator[RawDocument | IngestError]:
    yield IngestError(name, "feed reading is not implemented yet")
