"""Inputs that list other inputs: XML sitemaps (news sitemaps too) and URL lists (``urls.txt``).

A sitemap (``<urlset>``) lists pages, a sitemap index (``<sitemapindex>``) lists sitemaps; a
Google News sitemap adds each page's title, publication date, language and publication name,
which the page's article keeps when the page itself does not say. A URL list is a text file of
one http(s) URL a line (blank lines and ``#`` comments allowed). Entries come newest first
(by publication date, else ``lastmod``), so a capped fetch takes the latest pages.

Parsed with lxml without entity expansion or network access (an untrusted sitemap cannot
make the parser read files or expand entities).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from newsdesk.errors import InputError

_NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
_URL_LINE = re.compile(rb"^[a-z][a-z0-9+.-]*:/{1,3}\S+$", re.I)


@dataclass(frozen=True, slots=True)
class Listed:
    """One URL a list names, with what the list says about it."""

    url: str
    when: str | None = None  # publication date or lastmod, as the list gives it (ISO 8601)
    fields: dict[str, Any] = field(default_factory=dict)  # Article fields a news sitemap gives


@dataclass(frozen=True, slots=True)
class UrlList:
    kind: str  # "pages" (a urlset or a URL list) or "sitemaps" (a sitemap index)
    entries: list[Listed]


def sitemap_root(head: bytes) -> str | None:
    """``urlset`` or ``sitemapindex`` when ``head`` starts a sitemap, else None."""
    m = re.search(rb"<(?:[\w-]+:)?(urlset|sitemapindex)[\s>]", head[:4096])
    return m.group(1).decode() if m else None


def looks_like_url_list(data: bytes) -> bool:
    """Whether every non-blank, non-comment line of the first 64 KB is a URL, one at least
    http(s) (the others, ``file:`` …, are then refused one by one)."""
    lines = [ln.strip() for ln in data[:65536].splitlines()]
    if len(data) > 65536 and lines:
        lines = lines[:-1]  # the last line may be cut
    urls = [ln for ln in lines if ln and not ln.startswith(b"#")]
    return (
        bool(urls)
        and all(_URL_LINE.match(ln) for ln in urls)
        and any(ln.lower().startswith((b"http://", b"https://")) for ln in urls)
    )


def read_url_list(name: str, data: bytes) -> UrlList:
    entries: list[Listed] = []
    seen: set[str] = set()
    for raw in data.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        if line and not line.startswith("#") and line not in seen:
            seen.add(line)
            entries.append(Listed(line))
    if not entries:
        raise InputError(name, "URL list names no URL")
    return UrlList("pages", entries)


def read_sitemap(name: str, data: bytes) -> UrlList:
    """The pages (or, for an index, the sitemaps) a sitemap lists, newest first."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, recover=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(name, f"malformed sitemap ({exc.msg})") from exc
    tag = etree.QName(root).localname
    if tag not in {"urlset", "sitemapindex"}:
        raise InputError(name, f"not a sitemap (root <{tag}>)")
    entries: list[Listed] = []
    seen: set[str] = set()
    for el in root:
        if not isinstance(el.tag, str) or etree.QName(el).localname not in {"url", "sitemap"}:
            continue
        loc = _child_text(el, "loc")
        if not loc or loc in seen:
            continue
        seen.add(loc)
        fields: dict[str, Any] = {}
        news = el.find(f"{_NEWS}news")
        if news is not None:
            fields = {
                "title": _text(news.find(f"{_NEWS}title")),
                "published": _text(news.find(f"{_NEWS}publication_date")),
                "outlet": _text(news.find(f"{_NEWS}publication/{_NEWS}name")),
                "language": (_text(news.find(f"{_NEWS}publication/{_NEWS}language")) or "")[:2]
                or None,
            }
            fields = {k: v for k, v in fields.items() if v}
        when = fields.get("published") or _child_text(el, "lastmod")
        entries.append(Listed(loc, when, fields))
    if not entries:
        raise InputError(name, "sitemap lists no URL")
    # newest first; undated entries keep their order after the dated ones
    entries.sort(key=lambda e: e.when or "", reverse=True)
    return UrlList("sitemaps" if tag == "sitemapindex" else "pages", entries)


def _child_text(el: Any, local: str) -> str | None:
    for child in el:
        if isinstance(child.tag, str) and etree.QName(child).localname == local:
            return _text(child)
    return None


def _text(el: Any) -> str | None:
    if el is None or el.text is None:
        return None
    s = " ".join(el.text.split())
    return s or None


# The header ``newsdesk export --format csv`` writes (and CSVs like it): not an input format.
_CSV_HEADER = re.compile(rb"^[\w\"]+(,[\w\" ]+){3,}\r?$")


def looks_like_csv(data: bytes) -> bool:
    """Whether the first line is a comma-separated header naming ``text`` or ``title`` fields."""
    first = data.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    if not _CSV_HEADER.match(first):
        return False
    names = {n.strip(b' "').lower() for n in first.rstrip(b"\r").split(b",")}
    return bool(names & {b"text", b"title", b"url", b"body"})
