"""RSS/Atom feeds (feedparser) and OPML feed lists.

A feed gives one article per entry: title, link, published (else updated), author(s),
categories, and the entry's HTML (``content:encoded``/Atom content, else the summary) rendered
to text by :func:`newsdesk.ingest.html.fragment_text`; the outlet is the feed's title.

Full text for thin feeds: when fetching is on and an entry carries only a summary (no
``content:encoded``/Atom content, fewer than :data:`THIN_WORDS` words), its link is fetched
(the same limits as ``--fetch``) and the page extracted; the feed's metadata (title, date,
authors, outlet, link) wins over the page's. If the page cannot be fetched or has no text, the
summary is kept and the problem is one error line.

An OPML file lists feeds (:func:`feed_urls`); :mod:`newsdesk.ingest.sources` follows them when
fetching is on (``newsdesk ingest --fetch``), else reports each OPML file as one clear error.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import feedparser
from lxml import etree

from newsdesk.errors import InputError
from newsdesk.ingest import fetch
from newsdesk.ingest.decode import declared_encoding, decode
from newsdesk.ingest.html import extract_html, fragment_text
from newsdesk.models import IngestError, RawDocument

# feedparser flags these but parses the feed fine: not worth an error.
_HARMLESS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)

# A summary-only entry shorter than this is a teaser: its link is fetched for the full text.
# (Feed teasers run 10-60 words; a feed carrying whole short articles uses content:encoded.)
THIN_WORDS = 120


def read_feed(name: str, data: bytes) -> Iterator[RawDocument | IngestError]:
    """Every entry of an RSS/Atom feed (with fetching on, thin entries with their full text)."""
    for doc in feed_entries(name, data):
        if isinstance(doc, RawDocument) and fetch.fetching() and is_thin(doc):
            yield from full_text(doc)
        else:
            yield doc


def feed_entries(name: str, data: bytes) -> Iterator[RawDocument | IngestError]:
    """Every entry of an RSS/Atom feed, as the feed gives it."""
    # bytes, never str: given a str, feedparser would treat it as a URL or a file name
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=True)
    entries = parsed.get("entries") or []
    if parsed.get("bozo") and not entries:
        exc = parsed.get("bozo_exception")
        reason = " ".join(str(exc).split()) if exc else "not well-formed"
        yield IngestError(name, f"malformed feed ({reason})")
        return
    if not entries:
        yield IngestError(name, "feed has no entries")
        return
    exc = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(exc, _HARMLESS):
        # recovered what it could: report the file as malformed, keep the entries it holds
        yield IngestError(
            name, f"malformed feed ({' '.join(str(exc).split())}); recovered entries kept"
        )
    feed = parsed.get("feed") or {}
    outlet = _clean(feed.get("title"))
    language = _clean(feed.get("language"))
    for n, entry in enumerate(entries, 1):
        yield _entry(f"{name}#{n}", entry, outlet, language)


def is_thin(doc: RawDocument) -> bool:
    """A summary-only entry with a link, shorter than :data:`THIN_WORDS` words."""
    return bool(
        doc.fields.get("summary_only")
        and doc.url
        and fetch.is_url(doc.url)
        and len(doc.content.split()) < THIN_WORDS
    )


def full_text(doc: RawDocument) -> Iterator[RawDocument | IngestError]:
    """The entry with its linked page's text (feed metadata kept); the summary if that fails."""
    assert doc.url
    try:
        page = fetch.fetch(doc.url, fetch.fetch_limit())
        html = decode(doc.url, page, declared_encoding(page))
        feed_fields = {k: v for k, v in doc.fields.items() if v and k != "summary_only"}
        out = extract_html(RawDocument(doc.source, "html", html, doc.url, feed_fields))
    except InputError as exc:
        yield IngestError(
            exc.source, f"full text not fetched ({exc.reason}); the feed's summary kept"
        )
        yield doc
        return
    if len(str(out.get("text") or "").split()) <= len(doc.content.split()):
        yield doc  # the page says less than the feed (a paywall, a cookie wall)
        return
    yield RawDocument(doc.source, "record", str(out.pop("text")), doc.url, out)


def _entry(
    where: str, entry: Any, outlet: str | None, language: str | None
) -> RawDocument | IngestError:
    text = ""
    summary_only = False
    for item in entry.get("content") or []:  # Atom content / RSS content:encoded
        text = _to_text(item.get("value"), item.get("type"))
        if text:
            break
    if not text:
        text = _to_text(entry.get("summary"), (entry.get("summary_detail") or {}).get("type"))
        summary_only = True
    if not text:
        return IngestError(where, "feed entry has no content or summary text")
    authors = [_clean(a.get("name")) for a in entry.get("authors") or [] if isinstance(a, dict)]
    if not any(authors) and entry.get("author"):
        authors = [_clean(entry.get("author"))]
    categories = [_clean(t.get("term")) for t in entry.get("tags") or [] if isinstance(t, dict)]
    fields: dict[str, Any] = {
        "title": _to_text(entry.get("title"), (entry.get("title_detail") or {}).get("type"))
        or None,
        "url": _clean(entry.get("link")),
        "outlet": outlet,
        "published": _when(entry.get("published_parsed") or entry.get("updated_parsed")),
        "authors": [a for a in authors if a],
        "category": next((c for c in categories if c), None),
        "language": (language or "")[:2].lower() or None,
        "guid": _clean(entry.get("id")),
        # a changed entry's new date (watch); ``in`` first: a missing one is no warning
        "updated": _when(entry["updated_parsed"]) if "updated_parsed" in entry else None,
        "summary_only": summary_only,
    }
    return RawDocument(where, "record", text, url=fields["url"], fields=fields)


def _to_text(value: Any, mime: str | None) -> str:
    if not isinstance(value, str) or not value.strip():
        return ""
    if mime and "html" not in mime:
        return "\n\n".join(p.strip() for p in value.split("\n\n") if p.strip())
    return fragment_text(value)


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    s = " ".join(value.split())
    return s or None


def _when(struct: time.struct_time | None) -> datetime | None:
    if not struct:
        return None
    try:
        return datetime(*struct[:6], tzinfo=UTC)  # feedparser normalises to UTC
    except (TypeError, ValueError):
        return None


def feed_urls(name: str, data: bytes) -> list[str]:
    """The feed URLs an OPML file lists (``xmlUrl`` of its outlines), in order."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(name, f"malformed OPML ({exc.msg})") from exc
    urls: list[str] = []
    for el in root.iter("outline"):
        url = (el.get("xmlUrl") or el.get("xmlurl") or "").strip()
        if url and url not in urls:
            urls.append(url)
    return urls
