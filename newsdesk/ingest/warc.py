"""WARC archives. PLACEHOLDER, to be completed with warcio."""

from __future__ import annotations

from collections.abc import Iterator

from newsdesk.models import IngestError, RawDocument


def read_warc(name: str, data: bytes) -> Iterator[RawDocument | IngestError]:
    yield IngestError(name, "WARC reading is not implemented yet")
