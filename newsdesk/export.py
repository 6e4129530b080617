"""Writers for ``newsdesk export``: JSONL (round-trips through ingest) and CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, TextIO

from newsdesk.models import Article

FIELDS = (
    "id", "url", "title", "outlet", "published", "authors", "category", "language",
    "captions", "reading_minutes", "word_count", "duplicate_of", "source", "text",
)  # fmt: skip


def article_dict(a: Article) -> dict[str, Any]:
    """The JSON form of an article (the JSONL schema of ``newsdesk.ingest.jsonl``)."""
    return {
        "id": a.id,
        "url": a.url,
        "title": a.title,
        "outlet": a.outlet,
        "published": a.published.isoformat() if a.published else None,
        "authors": list(a.authors),
        "category": a.category,
        "language": a.language,
        "captions": list(a.captions),
        "reading_minutes": a.reading_minutes,
        "word_count": a.word_count,
        "duplicate_of": a.duplicate_of,
        "source": a.source,
        "text": a.text,
    }


def write_jsonl(articles: Iterable[Article], out: TextIO) -> int:
    n = 0
    for a in articles:
        out.write(json.dumps(article_dict(a), ensure_ascii=False) + "\n")
        n += 1
    return n


def write_records(
    records: Iterable[dict[str, Any]], columns: tuple[str, ...], fmt: str, out: TextIO
) -> int:
    """Flat records (stories, quotes, people …) as JSONL or as CSV with ``columns``."""
    writer = csv.DictWriter(out, fieldnames=columns) if fmt == "csv" else None
    if writer:
        writer.writeheader()
    n = 0
    for r in records:
        if writer:
            writer.writerow(r)
        else:
            out.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")
        n += 1
    return n


def write_csv(articles: Iterable[Article], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    n = 0
    for a in articles:
        row = article_dict(a)
        row["authors"] = "; ".join(row["authors"])
        row["captions"] = " | ".join(row["captions"])
        writer.writerow(row)
        n += 1
    return n
