"""HTML pages: main text and metadata with trafilatura. PLACEHOLDER, to be completed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import trafilatura

from newsdesk.ingest.decode import decode
from newsdesk.models import IngestError, RawDocument


def read_html(name: str, data: bytes) -> Iterator[RawDocument | IngestError]:
    yield RawDocument(name, "html", decode(name, data))


def extract_html(doc: RawDocument) -> dict[str, Any]:
    text = trafilatura.extract(doc.content, url=doc.url, include_comments=False) or ""
    meta = trafilatura.extract_metadata(doc.content, default_url=doc.url)
    out: dict[str, Any] = {"text": text, "url": doc.url}
    if meta is not None:
        out.update(title=meta.title, outlet=meta.sitename, published=meta.date)
    out.update({k: v for k, v in doc.fields.items() if k != "html" and v})
    return out
