"""Walk inputs, read bytes safely, sniff each file's format, and hand it to its reader.

Never drops an input silently: every path either yields documents or an :class:`IngestError`
naming it and saying why (one line). Formats are sniffed from content first (magic bytes,
first markup), the file extension only breaks ties.

Sniffing never refuses a real page: text is a text page unless it *is* something else. A
file is JSON/JSONL only when it parses as such (a whole JSON document, or JSONL whose lines
mostly parse, the broken ones then reported by line number by the JSONL reader), so a scraped
page that starts with ``[Skip to content]`` or ``{{`` is a text page; it is HTML only when it
starts with a real tag, so ``<< Back`` is text too. Only binary formats, empty files and
XML documents that are neither feeds nor pages are refused.

URLs (``http://``, ``https://``) are inputs too, but only inside :func:`fetch_enabled`
(``newsdesk ingest --fetch``): fetched with a timeout, a size limit and a redirect limit, and
every failure names the URL. Without it a URL argument is reported, not fetched.
"""

from __future__ import annotations

import codecs
import glob
import json
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import urljoin

from newsdesk.errors import InputError
from newsdesk.ingest import fetch, lists
from newsdesk.models import IngestError, RawDocument

STDIN = "-"

# Magic numbers of common binary formats, to name them in the error message.
_BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or Office document)",
    b"\x7fELF": "an executable",
    b"BZh": "a bzip2 archive",
    b"\xfd7zXZ": "an xz archive",
    b"SQLite format 3": "a SQLite database",
}

_EXT_KIND = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".warc": "warc",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
    ".opml": "opml",
    ".csv": "csv",
}

CSV_REFUSED = (
    "CSV is not an input format (newsdesk export writes CSV for spreadsheets; "
    "to re-ingest an export use JSONL: newsdesk export --format jsonl)"
)


def expand(paths: Iterable[str]) -> Iterator[str | IngestError]:
    """Files under ``paths`` (folders recursively, globs expanded, ``-`` kept), sorted per argument."""
    for p in paths:
        if p == STDIN:
            yield STDIN
            continue
        if fetch.is_url(p):
            yield p if fetch.fetching() else IngestError(p, "is a URL: fetching it needs --fetch")
            continue
        matches = sorted(glob.glob(p, recursive=True)) if glob.has_magic(p) else [p]
        if not matches:
            yield IngestError(p, "no file matches this pattern")
        for m in matches:
            path = Path(m)
            if path.is_dir():
                for f in sorted(f for f in path.rglob("*") if not _hidden(f, path)):
                    if f.is_file():
                        yield str(f)
                    elif f.is_symlink() and not f.exists():  # said, not skipped silently
                        yield IngestError(str(f), "broken symbolic link (its target is missing)")
            elif path.is_file():
                yield str(path)
            elif path.exists():
                yield IngestError(m, "not a regular file")
            else:
                yield IngestError(m, "no such file or directory")


def _hidden(f: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in f.relative_to(root).parts)


def read_bytes(name: str, max_bytes: int) -> bytes:
    """The file's bytes (stdin for ``-``, the body for a URL), refusing inputs over ``max_bytes``."""
    if fetch.is_url(name):
        return fetch.fetch(name, max_bytes)
    if name == STDIN:
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        path = Path(name)
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(name, f"file too large ({size:,} bytes; limit {max_bytes:,})")
        data = path.read_bytes()
    if len(data) > max_bytes:
        raise InputError(name, f"input too large (over {max_bytes:,} bytes)")
    return data


def gunzip(name: str, data: bytes, max_bytes: int) -> bytes:
    """Decompress gzip data, bounded (no zip bombs); truncated or corrupt data is an InputError."""
    parts: list[bytes] = []
    size = 0
    rest = data
    while rest:  # a gzip file may hold several members, one after the other
        d = zlib.decompressobj(wbits=zlib.MAX_WBITS | 32)
        try:
            out = d.decompress(rest, max_bytes + 1 - size)
        except zlib.error as exc:
            raise InputError(name, f"corrupt gzip data ({exc})") from exc
        size += len(out)
        parts.append(out)
        if size > max_bytes or d.unconsumed_tail:
            raise InputError(name, f"decompressed size over the limit of {max_bytes:,} bytes")
        if not d.eof:
            raise InputError(name, "truncated gzip file (unexpected end of data)")
        rest = d.unused_data
        if rest[:2] != b"\x1f\x8b":
            break  # trailing garbage after the last member is ignored, as gzip(1) does
    return b"".join(parts)


def _gunzip_head(data: bytes, n: int = 64) -> bytes:
    """The first ``n`` decompressed bytes of gzip data (b"" if they cannot be read)."""
    try:
        return zlib.decompressobj(wbits=zlib.MAX_WBITS | 32).decompress(data[:4096], n)
    except zlib.error:
        return b""


def sniff(name: str, data: bytes) -> str:
    """The format of ``data``: jsonl, warc, feed, opml, sitemap, urls (a URL list), html or text.

    Raises InputError otherwise (binary files, other XML, CSV).
    """
    if not data.strip(b" \t\r\n\x00"):
        raise InputError(name, "empty file")
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise InputError(name, f"binary file ({what}), not an article source")
    if data.startswith(b"WARC/"):
        return "warc"
    head = data[:8192]
    if _looks_binary(head):
        raise InputError(name, "binary file (not text)")
    start = _head_text(head).lstrip("\ufeff \t\r\n\x00")
    if not start:
        raise InputError(name, "empty file")
    ext_kind = _EXT_KIND.get(Path(name.removesuffix(".gz")).suffix.lower())
    if start[0] in "{[":
        return "jsonl" if _is_json(data) else "text"
    if start[0] == "<" and _MARKUP_START.match(start):
        lowered = start.encode("utf-8", "replace").lower()
        if b"<opml" in lowered:
            return "opml"
        if b"<rss" in lowered or b"<rdf:rdf" in lowered or b"<feed" in lowered:
            return "feed"
        if lists.sitemap_root(lowered):
            return "sitemap"
        if b"<html" in lowered or b"<!doctype html" in lowered or b"<body" in lowered:
            return "html"
        root = _xml_root(lowered)
        if root is not None and root not in _HTML_ROOTS:
            # an XML document whose root is neither a feed nor HTML (sitemap, SVG, TEI …)
            raise InputError(
                name, f"XML document with root <{root}> is neither a feed nor an HTML page"
            )
        if ext_kind in {"feed", "html"} or root is not None or _HTML_TAG.search(lowered):
            return ext_kind if ext_kind in {"feed", "html"} else "html"
    if lists.looks_like_url_list(data):
        return "urls"
    if ext_kind == "csv" or lists.looks_like_csv(data):
        raise InputError(name, CSV_REFUSED)
    return "text"


# A document starts with markup: a tag, a comment, a doctype or an XML declaration. Text that
# merely starts with "<" ("<< Back to news", "<3") is a text page.
_MARKUP_START = re.compile(r"<(?:!--|!doctype|\?xml|/?[a-z][\w.:-]*(?:\s[^<>]*)?/?>)", re.I)
# A saved fragment is HTML when a known HTML tag opens or closes somewhere in its head.
_HTML_TAG = re.compile(rb"</?(?:p|div|span|a|br|h[1-6]|article|section|main|ul|li|table|img)\b")
# JSONL is sniffed from its first lines: at least this share of them must parse as JSON.
_JSONL_SAMPLE = 50
_JSONL_MIN_SHARE = 0.5


def _head_text(head: bytes) -> str:
    """The first bytes as text, enough to see how the document starts (BOMs honoured)."""
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return head[: len(head) // 4 * 4].decode(enc, errors="replace")
    return head.decode("utf-8", errors="replace")


def _is_json(data: bytes) -> bool:
    """Whether ``data`` is one JSON document, or JSONL whose first lines mostly parse."""
    text = _full_text(data)
    if text is None:
        return False
    stripped = text.lstrip("\ufeff \t\r\n")
    try:
        json.loads(stripped)
        return True
    except ValueError:  # JSONDecodeError, or a number too large to convert
        pass
    lines = [ln for ln in stripped.splitlines() if ln.strip()][:_JSONL_SAMPLE]
    parsed = 0
    for line in lines:
        try:
            json.loads(line)
        except ValueError:
            continue
        parsed += 1
    # A text page whose first line happens to be JSON ("[1]") is still text: most lines must parse.
    return bool(lines) and parsed >= max(1.0, _JSONL_MIN_SHARE * len(lines))


def _full_text(data: bytes) -> str | None:
    """The bytes as UTF-8/16/32 text (the encodings JSON allows), or None."""
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(enc, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace")


# Tags an HTML fragment may start with (a page without <html>/<body>, e.g. a saved <div>).
_HTML_ROOTS = frozenset(
    [
        "head",
        "meta",
        "title",
        "link",
        "base",
        "style",
        "script",
        "div",
        "p",
        "article",
        "section",
        "main",
        "header",
        "nav",
        "span",
        "a",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "ul",
        "ol",
        "img",
        "figure",
        "form",
        "iframe",
        "noscript",
        "center",
        "font",
        "b",
        "i",
        "em",
        "strong",
        "br",
        "hr",
        "!--",
    ]
)
_FIRST_TAG = re.compile(rb"<\s*([a-z_][\w.:-]*)")


def _xml_root(head: bytes) -> str | None:
    """The first element name after the XML declaration, comments and doctype, if it is XML."""
    if not head.startswith(b"<?xml"):
        return None
    body = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!doctype[^>]*>", b"", head, flags=re.S)
    m = _FIRST_TAG.search(body)
    if not m:
        return None
    return m.group(1).decode("ascii", "replace").split(":")[-1]


def _looks_binary(head: bytes) -> bool:
    """Binary rather than text: many NUL or other control bytes.

    UTF-16/32 text has NULs in every other (every fourth) byte, with or without a BOM; a
    scraped page may carry a few stray NULs. Neither is binary: only NULs that are frequent
    and not in the fixed positions of a UTF-16/32 encoding, or many other control bytes, are.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    nuls = head.count(b"\x00")
    if nuls > max(8, len(head) // 100) and not _utf16_shape(head):
        return True
    controls = sum(1 for b in head if 0 < b < 9 or 13 < b < 32)
    return controls > max(8, len(head) // 100)


def _utf16_shape(head: bytes) -> bool:
    """NULs concentrated in even or odd byte positions, as in UTF-16/32 text without a BOM."""
    even, odd = head[0::2], head[1::2]
    if not even or not odd:
        return False
    e, o = even.count(0) / len(even), odd.count(0) / len(odd)
    return (max(e, o) > 0.3 and min(e, o) < 0.05) or min(e, o) > 0.45


def _is_utf16(data: bytes) -> bool:
    """UTF-16/32 text (a BOM, or the NUL pattern of one), whose NULs are part of the text."""
    head = data[:8192]
    return head.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_shape(head)


def read_opml(name: str, data: bytes) -> Iterator[RawDocument | IngestError]:
    """With fetching on, the documents of every feed an OPML file lists; else one error.

    Only http(s) feeds are fetched: an outline whose ``xmlUrl`` is ``file:``, ``ftp:`` … (or
    relative, in a local OPML file) is one error line naming the outline, and the rest of the
    list is read. A relative ``xmlUrl`` in a fetched OPML file is resolved against its URL.
    """
    from newsdesk.ingest.feeds import feed_urls  # lazy: its parser library

    try:
        urls = feed_urls(name, data)
    except InputError as exc:
        yield IngestError(exc.source, exc.reason)
        return
    if not urls:
        yield IngestError(name, "OPML file lists no feeds (no outline with xmlUrl)")
        return
    if not fetch.fetching():
        yield IngestError(name, f"OPML list of {len(urls)} feeds: fetching them needs --fetch")
        return
    for n, raw in enumerate(urls, 1):
        try:
            url = fetch.check_url(f"{name}#outline{n}", listed_url(name, raw))
            body = fetch.fetch(url, fetch.fetch_limit())
            yield from read_source(url, body, fetch.fetch_limit())
        except InputError as exc:
            yield IngestError(exc.source, exc.reason)


def read_list(name: str, data: bytes) -> Iterator[RawDocument | IngestError]:
    """With fetching on, the page of every URL a sitemap or URL list names (the sitemaps of a
    sitemap index, in turn); else one error. A news sitemap's title, date, language and
    publication are kept for pages that do not state them."""
    try:
        listing = (
            lists.read_sitemap(name, data)
            if lists.sitemap_root(data[:4096].lower())
            else lists.read_url_list(name, data)
        )
    except InputError as exc:
        yield IngestError(exc.source, exc.reason)
        return
    n = len(listing.entries)
    what = ("sitemap" if listing.kind == "sitemaps" else "page") + ("" if n == 1 else "s")
    if not fetch.fetching():
        yield IngestError(
            name, f"list of {n} {what}: fetching {'it' if n == 1 else 'them'} needs --fetch"
        )
        return
    for n, entry in enumerate(listing.entries, 1):
        try:
            url = fetch.check_url(f"{name}#{n}", listed_url(name, entry.url))
            body = fetch.fetch(url, fetch.fetch_limit())
            for doc in read_source(url, body, fetch.fetch_limit()):
                yield with_fallbacks(doc, entry.fields)
        except InputError as exc:
            yield IngestError(exc.source, exc.reason)


def with_fallbacks(
    doc: RawDocument | IngestError, fields: dict[str, object]
) -> RawDocument | IngestError:
    """``doc`` with what a list said about it: the publication's name (a news sitemap's
    ``<news:name>``, the publisher's own) wins; the rest is used only when the page says
    nothing (``fallback_`` fields)."""
    if isinstance(doc, IngestError) or not fields:
        return doc
    extra: dict[str, object] = {f"fallback_{k}": v for k, v in fields.items() if v}
    if fields.get("outlet"):
        extra["outlet"] = fields["outlet"]
    return RawDocument(doc.source, doc.kind, doc.content, doc.url, {**extra, **doc.fields})


def listed_url(listed_in: str, url: str) -> str:
    """A URL a list names (OPML, sitemap, URL list), resolved against the list's own URL when
    the list was fetched; anything else is returned as it is (and refused by the caller's
    :func:`~newsdesk.ingest.fetch.check_url` unless it is http(s))."""
    url = url.strip()
    if fetch.is_url(listed_in) and "://" not in url and not url.lower().startswith(_SCHEMES):
        return urljoin(listed_in, url)
    return url


_SCHEMES = ("file:", "data:", "javascript:", "mailto:", "ftp:")


def read_source(name: str, data: bytes, max_bytes: int) -> Iterator[RawDocument | IngestError]:
    """Every document in one input; per-record problems come back as IngestError items."""
    if data[:2] == b"\x1f\x8b":
        if _gunzip_head(data).startswith(b"WARC/"):
            kind = "warc"  # warcio reads record-wise gzip itself
        else:
            data = gunzip(name, data, max_bytes)
            kind = sniff(name, data)
    else:
        kind = sniff(name, data)
    if kind != "warc" and b"\x00" in data and not _is_utf16(data):
        data = data.replace(b"\x00", b"")  # stray NULs (sniff refused files full of them)
    reader = _reader(kind)
    yield from reader(name, data)


def _reader(kind: str) -> Callable[[str, bytes], Iterator[RawDocument | IngestError]]:
    # Imported lazily: each reader pulls in its own library (trafilatura, feedparser, warcio).
    if kind == "jsonl":
        from newsdesk.ingest.jsonl import read_jsonl  # lazy: its parser library

        return read_jsonl
    if kind == "warc":
        from newsdesk.ingest.warc import read_warc  # lazy: its parser library

        return read_warc
    if kind == "opml":
        return read_opml
    if kind in {"sitemap", "urls"}:
        return read_list
    if kind == "feed":
        from newsdesk.ingest.feeds import read_feed  # lazy: its parser library

        return read_feed
    if kind == "html":
        from newsdesk.ingest.html import read_html  # lazy: its parser library

        return read_html
    from newsdesk.ingest.plaintext import (
        read_plaintext,
    )  # lazy: its parser library

    return read_plaintext
