"""Inputs -> clean articles, ready to store: read, sniff, extract, build (id, sentences, counts, language).

Never raises for bad input: each input yields articles or an :class:`IngestError` naming it.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from newsdesk.errors import InputError
from newsdesk.ingest import sources
from newsdesk.models import Article, IngestError, RawDocument
from newsdesk.nlp import outlets, tokens
from newsdesk.nlp.language import detect_language
from newsdesk.nlp.sentences import sentence_spans
from newsdesk.settings import Settings

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


def iter_documents(
    paths: Iterable[str], max_bytes: int, on_file: Progress | None = None
) -> Iterator[RawDocument | IngestError]:
    """Every document in every input, or an error naming the input (never raises for bad input)."""
    for item in sources.expand(paths):
        if isinstance(item, IngestError):
            yield item
            continue
        if on_file:
            on_file(item)
        name = "<stdin>" if item == sources.STDIN else item
        try:
            data = sources.read_bytes(item, max_bytes)
            yield from sources.read_source(name, data, max_bytes)
        except InputError as exc:
            yield IngestError(exc.source, exc.reason)
        except OSError as exc:
            yield IngestError(name, f"cannot read: {exc.strerror or exc}")
        except Exception as exc:  # a parser bug must not stop the batch; report it with the file
            log.exception("unexpected error reading %s", name)
            yield IngestError(name, f"unexpected {exc.__class__.__name__}: {exc}")


def extract(doc: RawDocument) -> dict[str, Any]:
    """Text and metadata of one document, as a dict of :class:`Article` field values."""
    if doc.kind == "plaintext":
        from newsdesk.ingest.plaintext import (
            parse_page,
        )  # lazy: its parser library

        return parse_page(doc)
    if doc.kind == "html":
        from newsdesk.ingest.html import extract_html  # lazy: its parser library

        try:
            return extract_html(doc)
        except InputError:
            if not _fragment(doc.content):
                raise
            # A text page that happens to open with a tag (a renderer left an ad's
            # "<a href=…><img …></a>" above the text): sniffed as an HTML fragment, it has no
            # document tree or no article in it; read it as the text page it is.
            from newsdesk.ingest.plaintext import parse_page  # lazy: its model

            fields = parse_page(RawDocument(doc.source, "plaintext", doc.content, url=doc.url))
            if not str(fields.get("text") or "").strip():
                raise
            return fields
    return dict(doc.fields, text=doc.content)


# A whole HTML document declares itself in its head; a fragment (a saved <div>, or text that
# opens with a tag) does not.
_DOCUMENT = re.compile(r"<(?:!doctype\s+html|html|head|body)\b", re.I)


def _fragment(content: str) -> bool:
    return not _DOCUMENT.search(content[:20_000])


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+-]*):(?!\d)")  # a scheme, not host:port


def canonical_url(url: str | None) -> str | None:
    """Normalised URL (lower-case host, no fragment or tracking parameters).

    Only an http(s) URL is an article's URL: ``javascript:``, ``data:``, ``file:`` and the like
    are dropped (None), so they are never linked and never make two articles versions of one.
    """
    if not url:
        return None
    scheme = _SCHEME.match(url.strip())
    if scheme and scheme.group(1).lower() not in ("http", "https"):
        return None
    from courlan import normalize_url

    try:
        return str(normalize_url(url.strip(), strict=True))
    except Exception:  # malformed URL: keep it as given rather than lose the article
        return url.strip()


def build_article(fields: dict[str, Any], source: str, settings: Settings) -> Article:
    """An :class:`Article` from extracted fields: id, sentences, counts, language."""
    body = _clean_body(str(fields.get("text") or ""))
    if not body:
        raise InputError(source, "no article text found")
    url = canonical_url(_opt_str(fields.get("url")))
    chash = tokens.content_hash(body)
    article_id = hashlib.sha256(f"{url or ''}\n{chash}".encode()).hexdigest()[:20]
    n_words = tokens.word_count(body)
    stated = fields.get("reading_minutes")
    table = outlets.load_table(settings.outlets)
    outlet = outlets.outlet_name([_opt_str(fields.get("outlet"))], url, table)
    return Article(
        id=article_id,
        source=source,
        text=body,
        title=_opt_str(fields.get("title")),
        url=url,
        outlet=outlet,
        published=_date(fields.get("published")),
        authors=outlets.clean_authors(
            [str(a) for a in _list(fields.get("authors"))], outlet, table
        ),
        category=_opt_str(fields.get("category")),
        language=_opt_str(fields.get("language")) or detect_language(body),
        captions=tuple(str(c).strip() for c in _list(fields.get("captions")) if str(c).strip()),
        reading_minutes=int(stated)
        if isinstance(stated, int | float) and stated > 0
        else tokens.reading_minutes(n_words, settings.words_per_minute),
        word_count=n_words,
        sentences=tuple(sentence_spans(body)),
        content_hash=chash,
    )


def _clean_body(body: str) -> str:
    body = body.replace("\x00", "")  # NUL: from a JSON escape or a page; no store keeps it
    lines = [ln.rstrip() for ln in body.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out = "\n".join(lines).strip()
    while "\n\n\n" in out:
        out = out.replace("\n\n\n", "\n\n")
    return out


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    s = " ".join(str(value).replace("\x00", "").split())
    return s or None


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in (p.strip() for p in value.split(";")) if v]
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _date(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not value:
        return None
    try:
        d = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def articles_from(
    paths: Iterable[str], settings: Settings, on_file: Progress | None = None
) -> Iterator[Article | IngestError]:
    """Every article under ``paths``, built and ready to store, or an error naming its input."""
    for doc in iter_documents(paths, settings.max_file_bytes, on_file):
        if isinstance(doc, IngestError):
            yield doc
            continue
        try:
            yield build_article(extract(doc), doc.source, settings)
        except InputError as exc:
            yield IngestError(exc.source, exc.reason)
        except Exception as exc:  # a parser bug on one page must not stop the batch
            log.exception("unexpected error extracting %s", doc.source)
            yield IngestError(doc.source, f"unexpected {exc.__class__.__name__}: {exc}")
