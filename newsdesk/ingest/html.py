"""HTML pages: main text and metadata with trafilatura (+ htmldate for the date).

Steps, per page:
1. decode the bytes (:mod:`newsdesk.ingest.decode`: BOM, meta charset, Cyrillic, mixed);
2. parse once with lxml (trafilatura's loader); everything below reads that one tree;
3. trafilatura's fast cascade gives the main text and its metadata (title, authors, date via
   htmldate, site name, categories/tags);
4. from the tree directly: canonical URL (``<link rel=canonical>``, then ``og:url``; http(s) only,
   so a ``javascript:`` URL can never become the article's URL), a full publication timestamp
   when the page states one, image captions (``<figcaption>``), and the page language;
5. caption paragraphs are taken out of the body: a caption is kept once, as a caption.

Hostile markup is safe by construction: only text nodes are ever read (scripts, styles and
event attributes are dropped by the extractor or never looked at), and URLs are checked.
Fast mode: the readability/jusText fallbacks of trafilatura's default mode made extraction
about 1.6x slower on zyte-article-bench for no gain in F1 (0.956 default vs 0.959 fast).
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml import etree, html
from trafilatura.utils import load_html

from newsdesk.errors import InputError
from newsdesk.ingest.decode import declared_encoding, decode
from newsdesk.models import IngestError, RawDocument
from newsdesk.nlp.language import detect_language

log = logging.getLogger(__name__)

MAX_CAPTIONS = 30
MAX_CAPTION_CHARS = 600

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w\w")
_NOT_TEXT = "//script|//style|//noscript|//template|//iframe|//object|//embed|//svg"
_LANG = re.compile(r"^[a-zA-Z]{2,3}(?=$|[-_])")
_JSONLD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{10,40})"')

# Where pages state a full publication timestamp (htmldate returns the day only).
_DATE_XPATHS = (
    "//meta[@property='article:published_time']/@content",
    "//meta[@name='article:published_time']/@content",
    "//meta[@property='og:published_time']/@content",
    "//meta[@itemprop='datePublished']/@content",
    "//time[@itemprop='datePublished']/@datetime",
    "//meta[@name='pubdate']/@content",
    "//meta[@name='date']/@content",
    "//meta[@name='dc.date.issued']/@content",
)


def read_html(name: str, data: bytes) -> Iterator[RawDocument | IngestError]:
    """One HTML page (the file's URL is its name when it was fetched)."""
    url = name if name.startswith(("http://", "https://")) else None
    yield RawDocument(name, "html", decode(name, data, declared_encoding(data)), url=url)


def extract_html(doc: RawDocument) -> dict[str, Any]:
    """Text and metadata of an HTML page, as :class:`~newsdesk.models.Article` field values.

    Fields the container already knows (JSONL fields) win over what the page says; fields named
    ``fallback_<name>`` (e.g. the WARC-Date) are used only when the page says nothing.
    """
    out = extract_page(doc.content, doc.url, doc.source)
    if not _WORD.search(out["text"]):
        raise InputError(doc.source, "no article text found in this HTML page")
    for key, value in doc.fields.items():
        if key.startswith("fallback_"):
            field = key.removeprefix("fallback_")
            if not out.get(field) and value:
                out[field] = value
        elif key not in {"html", "text"} and value:
            out[key] = value
    return out


def extract_page(markup: str, url: str | None = None, source: str = "<html>") -> dict[str, Any]:
    """Main text + metadata of one page (a dict of Article fields; ``text`` may be empty)."""
    # 2. one parse; <noscript>/<template> content is never shown to readers of a scripted page
    tree = _parse(markup, source)
    for hidden in tree.xpath("//noscript|//template"):
        hidden.drop_tree()
    # 4. straight from the tree (before trafilatura, which works on its own copy)
    canonical = _canonical_url(tree, url)
    captions = _captions(tree)
    stamp = _timestamp(tree, markup)
    lang = _html_lang(tree)
    # 3. trafilatura: main text and metadata
    doc = trafilatura.bare_extraction(
        tree,
        url=canonical or url,
        fast=True,
        include_comments=False,
        include_tables=True,
        with_metadata=True,
        date_extraction_params=_date_params(),
    )
    text = ""
    meta: dict[str, Any] = {}
    if doc is not None:
        assert not isinstance(doc, dict)  # bare_extraction(as_dict=False): a Document
        text = doc.text or ""
        meta = {
            "title": _clean_title(doc.title, tree, doc.sitename, canonical or url),
            "authors": _authors(doc.author, doc.sitename, canonical or url),
            "outlet": doc.sitename,
            "published": _published(doc.date, stamp),
            "category": _first(doc.categories),
        }
    else:
        meta = {"title": _title(tree), "published": stamp}
    if not text.strip():
        # trafilatura discards pages whose main text is short (a two-line brief); its baseline
        # (JSON-LD articleBody, <article>, then all <p>) still gets their text
        try:
            bare = copy.deepcopy(tree)
            for bad in bare.xpath(_NOT_TEXT):
                bad.drop_tree()
            text = trafilatura.baseline(bare)[1] or ""
        except Exception:  # the baseline is a last resort; never fail the page because of it
            text = ""
    # 5. paragraphs: blank-line separated; captions only as captions; the headline is the title,
    # not the body's first paragraph (+0.003 F1, exact pages 30 % → 39 % on zyte-article-bench)
    text = _paragraphs(text, captions, meta.get("title"))
    return {
        "text": text,
        "url": canonical or url,
        "captions": captions,
        # the text's own language first: templates often keep a wrong <html lang>
        "language": detect_language(text) or lang,
        **{k: v for k, v in meta.items() if v},
    }


def fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed entry's content), paragraphs blank-line separated.

    Trafilatura is made for whole pages and drops short fragments, so a feed entry's HTML is
    rendered directly: scripts, styles and embeds removed, block elements become paragraphs.
    """
    if not fragment or not fragment.strip():
        return ""
    if "<" not in fragment:
        return _SPACE.sub(" ", fragment).strip()
    try:
        root = html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    for bad in root.xpath(_NOT_TEXT):
        bad.drop_tree()
    blocks = {
        "p",
        "div",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "tr",
        "figure",
    }
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag == "br":
            el.tail = "\n" + (el.tail or "")
        elif el.tag in blocks:
            el.tail = "\n\n" + (el.tail or "")
            el.text = "\n\n" + (el.text or "")
    raw = "".join(t for t in root.itertext() if isinstance(t, str))
    paras = [_SPACE.sub(" ", p).strip() for p in re.split(r"\n\s*\n", raw)]
    return "\n\n".join(p for p in paras if p)


# -- helpers -------------------------------------------------------------------------------


def _date_params() -> dict[str, Any]:
    # No extensive search: its last resorts turn a "© 2025" footer into 2025-01-01, and a
    # missing date is better than a made-up one (a WARC-Date or feed date can fill the gap).
    # Same 172/178 correct days as the extensive search on fundus-news-pages.
    return {
        "original_date": True,
        "extensive_search": False,
        "max_date": datetime.now(UTC).strftime("%Y-%m-%d"),
    }


def _parse(markup: str, source: str) -> html.HtmlElement:
    if not markup.strip():
        raise InputError(source, "empty HTML page")
    tree = load_html(markup)
    if tree is None:
        raise InputError(source, "malformed HTML (no document tree could be built)")
    return tree


def _http_url(value: str | None, base: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    try:
        absolute = urljoin(base, value) if base else value
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    return absolute


def _canonical_url(tree: html.HtmlElement, url: str | None) -> str | None:
    for href in tree.xpath("//link[@href]"):
        rel = (href.get("rel") or "").lower().split()
        if "canonical" in rel:
            found = _http_url(href.get("href"), url)
            if found:
                return found
    for content in tree.xpath("//meta[@property='og:url' or @name='og:url']/@content"):
        found = _http_url(str(content), url)
        if found:
            return found
    return _http_url(url, None)


def _text_of(el: html.HtmlElement) -> str:
    for bad in el.xpath(".//script|.//style|.//noscript"):
        bad.drop_tree()
    return _SPACE.sub(" ", " ".join(t for t in el.itertext() if isinstance(t, str))).strip()


def _captions(tree: html.HtmlElement) -> list[str]:
    seen: dict[str, None] = {}
    for el in tree.xpath("//figcaption"):
        text = _text_of(el)
        if text and len(text) <= MAX_CAPTION_CHARS:
            seen.setdefault(text, None)
        if len(seen) >= MAX_CAPTIONS:
            break
    return list(seen)


def _timestamp(tree: html.HtmlElement, markup: str) -> datetime | None:
    candidates = [str(v) for xp in _DATE_XPATHS for v in tree.xpath(xp)]
    m = _JSONLD_DATE.search(markup)
    if m:
        candidates.append(m.group(1))
    for value in candidates:
        stamp = _iso(value)
        if stamp is not None:
            return stamp
    return None


def _iso(value: str) -> datetime | None:
    value = value.strip().replace("Z", "+00:00")
    if len(value) < 10:
        return None
    try:
        d = datetime.fromisoformat(value)
    except ValueError:
        return None
    return d if 1990 <= d.year <= 2100 else None


def _published(day: str | None, stamp: datetime | None) -> datetime | str | None:
    """htmldate's day, made a full timestamp when the page states one for (about) that day."""
    if stamp is not None and day:
        try:
            d = date.fromisoformat(day[:10])
        except ValueError:
            return stamp
        if abs((stamp.date() - d).days) <= 1:
            return stamp
        return day
    return stamp or day


def _html_lang(tree: html.HtmlElement) -> str | None:
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not lang:
        for value in tree.xpath("//meta[@http-equiv='content-language']/@content"):
            lang = str(value)
            break
    m = _LANG.match((lang or "").strip())
    return m.group(0).lower() if m else None


def _title(tree: html.HtmlElement) -> str | None:
    for el in tree.xpath("//title|//h1"):
        text = _text_of(el)
        if text:
            return text
    return None


# "Headline | Site", "Headline - Site", "Headline：Site" (CJK), "Headline-정치ㅣ한국일보" …
_TITLE_SEP = re.compile(r"\s+[|\-–—:·•»]+\s+|\s*[｜：|ㅣ]\s*|-(?=[^-]*ㅣ)")
MAX_SUFFIX_WORDS = 6  # a site-name suffix is short; a longer tail is part of the headline


def _clean_title(
    title: str | None, tree: html.HtmlElement, site: str | None, url: str | None
) -> str | None:
    """The headline without the site-name suffix page titles carry.

    The ``<title>`` (or og:title) is cut at its last separator when the part before it is the
    page's ``<h1>``, or when the part after it is short and names the site (its name or host).
    """
    title = _SPACE.sub(" ", title or "").strip()
    if not title:
        return None
    cuts = [m for m in _TITLE_SEP.finditer(title) if m.start() > 0]
    if not cuts:
        return title
    heads = {_key(_text_of(h)) for h in tree.xpath("//h1")[:3]}
    host = (urlsplit(url).hostname or "").removeprefix("www.").split(".")[0] if url else ""
    names = {_key(n) for n in (site, host) if n and _key(n)}
    for m in reversed(cuts):
        head, tail = title[: m.start()].strip(), title[m.end() :].strip()
        if not head:
            continue
        if _key(head) in heads:
            return head
        if len(tail.split()) <= MAX_SUFFIX_WORDS and any(
            n in _key(tail) or _key(tail) in n for n in names
        ):
            return head
    return title


def _key(text: str | None) -> str:
    return "".join(ch for ch in (text or "").lower() if ch.isalnum())


_AUTHOR_LABEL = re.compile(r"^(?:by|von|par|por|door|di|autor(?:in)?|author|text)[:\s]+", re.I)


def _authors(value: str | None, site: str | None, url: str | None) -> list[str]:
    """Author names; the outlet itself is dropped when real names are there beside it."""
    if not value:
        return []
    names = [_AUTHOR_LABEL.sub("", a.strip()).strip() for a in value.split(";")]
    names = [n for n in names if n]
    host = (urlsplit(url).hostname or "").removeprefix("www.") if url else ""
    outlet = {k for k in (_key(site), _key(host), _key(host.rsplit(".", 1)[0])) if len(k) >= 3}

    def is_outlet(name: str) -> bool:
        k = _key(name)
        return any(k == o or (len(k) >= 4 and (k in o or o in k)) for o in outlet)

    people = [n for n in names if not is_outlet(n)]
    return people or names


def _first(values: list[str] | None) -> str | None:
    for v in values or []:
        if v and v.strip():
            return v.strip()
    return None


def _paragraphs(text: str, captions: list[str], title: str | None) -> str:
    drop = {_SPACE.sub(" ", c).strip().lower() for c in captions}
    paras: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.lower() in drop:
            continue
        paras.append(line)
    if len(paras) > 1 and title and _key(paras[0]) == _key(title):
        paras = paras[1:]
    return "\n\n".join(paras)
