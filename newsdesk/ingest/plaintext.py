"""Scraped plain-text pages (the seed format). PLACEHOLDER: first line = title, rest = body.

The real cleaner (line classification of page furniture) replaces this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from newsdesk.ingest.decode import decode
from newsdesk.models import IngestError, RawDocument


def read_plaintext(name: str, data: bytes) -> Iterator[RawDocument | IngestError]:
    yield RawDocument(name, "plaintext", decode(name, data))


def parse_page(doc: RawDocument) -> dict[str, Any]:
    lines = [ln.strip() for ln in doc.content.splitlines()]
    lines = [ln for ln in lines if ln]
    if not lines:
        return {"text": ""}
    return {"title": lines[0], "text": "\n\n".join(lines[1:]), "url": doc.url}
