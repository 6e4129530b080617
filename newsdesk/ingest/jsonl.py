"""JSONL input: one article per line, in the schema ``newsdesk export --format jsonl`` writes.

Schema (one JSON object per line; only ``text`` or ``html`` is required)::

    {"id": "…",            # ignored on input: ids are recomputed from URL + content
     "url": "https://…", "title": "…", "outlet": "…",
     "published": "2025-07-23T10:00:00+00:00",   # ISO 8601 (a date alone is fine)
     "authors": ["…"], "category": "…", "language": "en",
     "captions": ["…"], "reading_minutes": 2,
     "text": "clean body, paragraphs separated by blank lines",
     "html": "<html>…"}     # instead of text: extracted like an HTML page

A single JSON array of such objects is accepted too. A malformed line is reported with its
line number and the other lines are read. (Sniffing sends a file here only when it parses as
JSON or most of its lines do; any other text is a text page.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from newsdesk.ingest.decode import decode
from newsdesk.models import IngestError, RawDocument


def read_jsonl(name: str, data: bytes) -> Iterator[RawDocument | IngestError]:
    text = decode(name, data)
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except json.JSONDecodeError:
            items = None  # not one array: read it line by line (each broken line is reported)
        if isinstance(items, list):
            for i, obj in enumerate(items, 1):
                yield _record(name, i, obj)
            return
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield IngestError(f"{name}:{lineno}", f"malformed JSON ({exc.msg})")
            continue
        yield _record(name, lineno, obj)


def _record(name: str, n: int, obj: object) -> RawDocument | IngestError:
    where = f"{name}:{n}"
    if not isinstance(obj, dict):
        return IngestError(where, "a JSONL line must be a JSON object")
    if isinstance(obj.get("html"), str) and not isinstance(obj.get("text"), str):
        return RawDocument(where, "html", obj["html"], url=_str(obj.get("url")), fields=obj)
    if not isinstance(obj.get("text"), str) or not obj["text"].strip():
        return IngestError(where, 'record has no "text" (or "html") string')
    return RawDocument(where, "record", obj["text"], url=_str(obj.get("url")), fields=obj)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
