"""Walk inputs, read bytes safely, sniff each file's format, and hand it to its reader.

Never drops an input silently: every path either yields documents or an :class:`IngestError`
naming it and saying why (one line). Formats are sniffed from content first (magic bytes,
first markup), the file extension only breaks ties.

URLs (``http://``, ``https://``) are inputs too, but only inside :func:`fetch_enabled`
(``newsdesk ingest --fetch``): fetched with a timeout, a size limit and a redirect limit, and
every failure names the URL. Without it a URL argument is reported, not fetched.
"""

from __future__ import annotations

import glob
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import urljoin

from newsdesk.errors import InputError
from newsdesk.ingest import fetch
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
}


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
                files = sorted(f for f in path.rglob("*") if f.is_file() and not _hidden(f, path))
                yield from (str(f) for f in files)
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
    """The format of ``data``: jsonl, warc, feed, opml, html or text. Raises InputError otherwise."""
    if not data.strip():
        raise InputError(name, "empty file")
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise InputError(name, f"binary file ({what}), not an article source")
    if data.startswith(b"WARC/"):
        return "warc"
    head = data[:8192]
    if _looks_binary(head):
        raise InputError(name, "binary file (not text)")
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    ext_kind = _EXT_KIND.get(Path(name.removesuffix(".gz")).suffix.lower())
    if lowered.startswith((b"{", b"[")):
        return "jsonl"
    if lowered.startswith(b"<"):
        if b"<opml" in lowered:
            return "opml"
        if b"<rss" in lowered or b"<rdf:rdf" in lowered or b"<feed" in lowered:
            return "feed"
        if b"<html" in lowered or b"<!doctype html" in lowered or b"<body" in lowered:
            return "html"
        root = _xml_root(lowered)
        if root is not None and root not in _HTML_ROOTS:
            # an XML document whose root is neither a feed nor HTML (sitemap, SVG, TEI …)
            raise InputError(
                name, f"XML document with root <{root}> is neither a feed nor an HTML page"
            )
        if ext_kind in {"feed", "html"}:
            return ext_kind
        return "html"
    return "text"


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
    if b"\x00" in head:
        # UTF-16 text has NULs too; a BOM says it is text.
        return not head.startswith((b"\xff\xfe", b"\xfe\xff"))
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > max(8, len(head) // 100)


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
