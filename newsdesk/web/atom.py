"""Atom feeds out: every story, person and search page (and the front page) as a feed a feed
reader can subscribe to, newest articles first.

Written with the standard library's ElementTree (hand-built because Atom needs a dozen
elements, which does not warrant a dependency; ElementTree escapes every text and attribute,
so untrusted titles and outlets cannot break out of the XML). Each entry links to the article
page on this server and, when the article's own URL is http(s), to the original as
``rel="related"``.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import Response

from newsdesk import api
from newsdesk.models import ArticleBrief
from newsdesk.store import Store

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
MAX_ENTRIES = 50


@dataclass(frozen=True, slots=True)
class Feed:
    title: str
    path: str  # the HTML page this feed follows (its alternate link)
    entries: tuple[ArticleBrief, ...]
    summaries: dict[str, str]  # article id -> a line of text for the entry


MAX_AGE = 30  # seconds, as the pages


def split(value: str) -> tuple[str, bool]:
    """``("x", True)`` for ``"x.atom"``: the path form of a page's Atom feed."""
    if value.endswith(".atom"):
        return value[: -len(".atom")], True
    return value, False


def response(request: Request, public: bool, feed: Feed) -> Response:
    """A page's Atom feed, with the pages' ETag / 304 handling."""
    body = render(feed, str(request.base_url).rstrip("/"))
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={MAX_AGE}" if public else "private, no-cache",
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=MEDIA_TYPE, headers=headers)


_FEED_PAGES = re.compile(r"^/(?:story/\d+|thread/\d+|alerts/\d+|person/.+|organization/.+)$")


def feed_url(path: str, q: str | None = None) -> str | None:
    """The Atom feed of the page at ``path``, for pages that have one (front, story, thread,
    alert, person, organization, a search with a query)."""
    if path == "/":
        return "/index.atom"
    if path == "/search" and q:
        return "/search.atom?" + urlencode({"q": q})
    if _FEED_PAGES.match(path) and not path.endswith((".json", ".atom")):
        return path + ".atom"
    return None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _stamp(value: str | None) -> str:
    if not value:
        return _now()
    return value if "T" in value else value + "T00:00:00+00:00"


def render(feed: Feed, base: str) -> bytes:
    """The Atom document of ``feed``; ``base`` is this server's root URL (no trailing slash)."""
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(root, f"{{{ATOM}}}title").text = feed.title
    ET.SubElement(root, f"{{{ATOM}}}id").text = base + feed.path
    ET.SubElement(root, f"{{{ATOM}}}link", rel="alternate", href=base + feed.path)
    ET.SubElement(root, f"{{{ATOM}}}link", rel="self", href=base + _atom_path(feed.path))
    newest = max((e.published or "" for e in feed.entries), default="")
    ET.SubElement(root, f"{{{ATOM}}}updated").text = _stamp(newest or None)
    ET.SubElement(root, f"{{{ATOM}}}generator").text = "newsdesk"
    for a in feed.entries:
        e = ET.SubElement(root, f"{{{ATOM}}}entry")
        page = f"{base}/article/{quote(a.id, safe='')}"
        ET.SubElement(e, f"{{{ATOM}}}title").text = a.title or "(untitled)"
        ET.SubElement(e, f"{{{ATOM}}}id").text = page
        ET.SubElement(e, f"{{{ATOM}}}link", rel="alternate", href=page)
        if a.url and a.url.startswith(("http://", "https://")):
            ET.SubElement(e, f"{{{ATOM}}}link", rel="related", href=a.url)
        ET.SubElement(e, f"{{{ATOM}}}updated").text = _stamp(a.published)
        if a.published:
            ET.SubElement(e, f"{{{ATOM}}}published").text = _stamp(a.published)
        author = ET.SubElement(e, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = a.outlet or "unknown outlet"
        if feed.summaries.get(a.id):
            ET.SubElement(e, f"{{{ATOM}}}summary").text = feed.summaries[a.id]
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")


def _atom_path(path: str) -> str:
    if "?" in path:
        page, query = path.split("?", 1)
        return (page.rstrip("/") or "/index") + ".atom?" + query
    return (path.rstrip("/") or "/index") + ".atom"


def _newest(briefs: Iterable[ArticleBrief]) -> tuple[ArticleBrief, ...]:
    return tuple(sorted(briefs, key=lambda b: b.published or "", reverse=True)[:MAX_ENTRIES])


def front(store: Store) -> Feed:
    items = api.article_briefs(store, limit=MAX_ENTRIES)
    return Feed("newsdesk: latest articles", "/", tuple(items), {})


def story(store: Store, story_id: int) -> Feed:
    view = api.story(store, story_id)
    briefs = api.article_briefs(store, ids=[a.id for a in view.articles])
    title = f"Story: {view.story.title or story_id}"
    return Feed(title, f"/story/{story_id}", _newest(briefs), {})


def person(store: Store, name: str, kind: str = "person") -> Feed:
    d = api.person(store, name)
    briefs = api.article_briefs(store, ids=[m.id for m in d.articles])
    said: dict[str, str] = {}
    for q in d.quotes:
        said.setdefault(q.quote.article_id, f"{d.name}: {api.quoted(q.text)}")
    path = f"/{'person' if kind == 'person' else 'organization'}/{quote(name, safe='')}"
    return Feed(f"{d.name} in the news", path, _newest(briefs), said)


def search(store: Store, q: str, ids: Sequence[str]) -> Feed:
    briefs = api.article_briefs(store, ids=list(ids))
    return Feed(f"Search: {q}", f"/search?q={quote(q)}", _newest(briefs), {})


def thread(store: Store, thread_id: int) -> Feed:
    """The newest articles of every story of a thread."""
    label, briefs = api.following(store, f"thread:{thread_id}", MAX_ENTRIES)
    return Feed(f"Thread: {label}", f"/thread/{thread_id}", _newest(briefs), {})


def alert(store: Store, alert_id: int) -> Feed:
    """An alert's newest matching articles (a feed reader keeps track of what is new)."""
    news = api.alert_news(store, alert_id, MAX_ENTRIES, new_only=False)
    a = news.alert
    return Feed(f"Alert: {a.kind} {a.label}", f"/alerts/{a.id}", _newest(news.articles), {})
