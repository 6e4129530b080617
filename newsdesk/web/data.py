"""What the pages show, as plain JSON-able dicts: each page's HTML and its JSON twin come from here.

Stories, summaries, quotes and people come from other components that may be absent (not
installed, not landed yet, or failing): every such read goes through :func:`feature` and
:func:`_call`, so a missing feature omits its section instead of breaking the page.
Values from articles are untrusted; they are returned as plain strings and the templates
escape them (Jinja2 autoescape), and URLs are only kept when they are http(s).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select

from newsdesk.errors import NotFound
from newsdesk.export import article_dict
from newsdesk.models import Article
from newsdesk.store import Store
from newsdesk.store.schema import articles

log = logging.getLogger(__name__)

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


# -- guarded access to other components --------------------------------------------------------
@cache
def feature(module: str, name: str) -> Callable[..., Any] | None:
    """``module.name`` if that module imports cleanly and defines it, else None (cached)."""
    try:
        mod = importlib.import_module(module)
    except Exception as exc:  # absent or half-done: the page goes on without this section
        log.info("feature %s.%s unavailable: %s", module, name, exc)
        return None
    return getattr(mod, name, None)


def _call(fn: Callable[..., Any] | None, *args: Any, **kwargs: Any) -> Any:
    if fn is None:
        return None
    try:
        return fn(*args, **kwargs)
    except NotFound:
        return None
    except Exception:  # another component's bug must not take the page down
        log.exception("%s failed", getattr(fn, "__qualname__", fn))
        return None


def features() -> dict[str, bool]:
    """Which optional parts are present (shown on pages and in /api)."""
    return {
        "summaries": feature("newsdesk.views.summaries", "get_summary") is not None,
        "stories": feature("newsdesk.views.stories", "list_stories") is not None,
        "quotes": feature("newsdesk.views.quotes", "quotes_for_article") is not None,
        "people": feature("newsdesk.views.people", "people") is not None,
        "organizations": feature("newsdesk.views.people", "organizations") is not None,
        "semantic_search": True,
    }


# -- generic conversion ------------------------------------------------------------------------
def jsonable(obj: Any, depth: int = 0) -> Any:
    """Dataclasses, dates, tuples, sets → JSON-able values (bounded depth)."""
    if depth > 8:
        return str(obj)
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name), depth + 1) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): jsonable(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [jsonable(v, depth + 1) for v in obj]
    if hasattr(obj, "_asdict"):
        return jsonable(obj._asdict(), depth + 1)
    return str(obj)


def pick(obj: Any, *names: str, default: Any = None) -> Any:
    """The first present, non-empty attribute/key of ``obj`` among ``names``."""
    for n in names:
        v = obj.get(n) if isinstance(obj, dict) else getattr(obj, n, None)
        if v not in (None, "", (), []):
            return v
    return default


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL, else None: never a javascript:/data: link."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ord(c) < 33 for c in url):
        return None
    return url


def page_args(page: int, size: int) -> tuple[int, int, int]:
    page = max(1, page)
    size = max(1, min(MAX_PAGE_SIZE, size))
    return page, size, (page - 1) * size


# -- articles ----------------------------------------------------------------------------------
def brief(a: Article) -> dict[str, Any]:
    return {
        "id": a.id,
        "title": a.title or "(untitled)",
        "outlet": a.outlet,
        "published": a.published.isoformat() if a.published else None,
        "authors": list(a.authors),
        "category": a.category,
        "reading_minutes": a.reading_minutes,
        "url": safe_url(a.url),
    }


def summary_of(store: Store, a: Article) -> dict[str, Any] | None:
    s = _call(feature("newsdesk.views.summaries", "get_summary"), store, a.id)
    if s is None:
        return None
    spans = [tuple(x) for x in pick(s, "sentences", default=())]
    sentences = [a.text[b:e] for b, e in spans if 0 <= b < e <= len(a.text)]
    return {"text": " ".join(sentences), "sentences": sentences, "method": pick(s, "method")}


def quotes_view(text: str | None, quotes: Any) -> list[dict[str, Any]]:
    out = []
    for item in quotes or ():
        # a stored quote (``.quote`` + its ``.text``) or a Quote / dict
        q = getattr(item, "quote", item)
        stored_text = getattr(item, "text", None) if q is not item else None
        content = pick(q, "content", default=())
        if isinstance(stored_text, str):
            said = stored_text
        elif text is not None and content and not isinstance(content, str):
            said = " … ".join(text[b:e] for b, e in content if 0 <= b < e <= len(text))
        else:
            said = pick(q, "text", "quote", default=content if isinstance(content, str) else "")
        out.append(
            {
                "text": said,
                "kind": pick(q, "kind"),
                "speaker": pick(q, "speaker_name", "speaker_mention")
                or getattr(item, "speaker_mention", None)
                or _str_or_none(pick(q, "speaker")),
                "role": pick(q, "role"),
                "entity_id": pick(q, "entity_id"),
                "article_id": pick(q, "article_id"),
                "published": jsonable(pick(q, "published")),
            }
        )
    return out


def _str_or_none(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def story_id_of(store: Store, article_id: str) -> str | None:
    s = _call(feature("newsdesk.views.stories", "story_of_article"), store, article_id)
    if s is None:
        return None
    if isinstance(s, str | int):
        return str(s)
    v = pick(s, "id", "story_id")
    return str(v) if v is not None else None


def article_page(store: Store, article_id: str) -> dict[str, Any]:
    a = store.get_article(article_id)  # NotFound → 404
    paragraphs = [p.strip() for p in a.text.split("\n\n") if p.strip()]
    out: dict[str, Any] = {
        "article": dict(
            brief(a), captions=list(a.captions), language=a.language, word_count=a.word_count
        ),
        "paragraphs": paragraphs,
        "text": a.text,
        "duplicate_of": a.duplicate_of,
        "summary": summary_of(store, a),
        "quotes": quotes_view(
            a.text, _call(feature("newsdesk.views.quotes", "quotes_for_article"), store, a.id)
        ),
        "story": None,
        "previous": None,
        "next": None,
        "people": [],
    }
    sid = story_id_of(store, a.id)
    if sid is not None:
        title, ids = _story_members(store, sid)
        out["story"] = {"id": sid, "title": title}
        if a.id in ids:
            i = ids.index(a.id)
            neighbours = {}
            for key, j in (("previous", i - 1), ("next", i + 1)):
                if 0 <= j < len(ids):
                    neighbours[key] = ids[j]
            with store.connect() as conn:
                found = {x.id: x for x in store.articles_by_ids(conn, list(neighbours.values()))}
            for key, nid in neighbours.items():
                if nid in found:
                    out[key] = brief(found[nid])
    names = []
    for q in out["quotes"]:
        if q["speaker"] and q["speaker"] not in names:
            names.append(q["speaker"])
    out["people"] = names
    return out


def _story_members(store: Store, story_id: str) -> tuple[str | None, list[str]]:
    """A story's title and article ids in timeline order (published, then clustering order).

    Reads the stories tables directly when they are there: the full story view (summary,
    framing) is far costlier and the article page needs only its neighbours.
    """
    members = feature("newsdesk.stages.cluster.tables", "story_articles")
    table = feature("newsdesk.stages.cluster.tables", "stories")
    if members is None or table is None:
        view = _story_view(store, story_id)
        head = pick(view, "story", default=view) if view is not None else None
        return (pick(head, "title") if head is not None else None), story_article_ids(view)
    key = _story_key(story_id)
    with store.connect() as conn:
        title = conn.scalar(select(table.c.title).where(table.c.id == key))
        ids = list(
            conn.scalars(
                select(members.c.article_id)
                .join(articles, articles.c.id == members.c.article_id)
                .where(members.c.story_id == key)
                .order_by(articles.c.published.nulls_last(), members.c.position)
            )
        )
    return title, ids


def story_article_ids(story: Any) -> list[str]:
    """Article ids of a story view in its own (timeline) order."""
    for attr in ("article_ids", "articles", "timeline"):
        items = pick(story, attr)
        if not items:
            continue
        ids: list[str] = []
        for it in items:
            v = it if isinstance(it, str) else pick(it, "article_id", "id")
            if isinstance(v, str) and v not in ids:
                ids.append(v)
        if ids:
            return ids
    return []


def listing(
    store: Store, page: int, size: int, outlet: str | None = None, category: str | None = None
) -> dict[str, Any]:
    page, size, offset = page_args(page, size)
    items = latest_briefs(store, size + 1, offset, outlet=outlet, category=category)
    return {"articles": items[:size], "page": page, "size": size, "more": len(items) > size}


_BRIEF_COLUMNS = (
    "id",
    "title",
    "outlet",
    "published",
    "authors",
    "category",
    "reading_minutes",
    "url",
)


def latest_briefs(
    store: Store, limit: int, offset: int, outlet: str | None = None, category: str | None = None
) -> list[dict[str, Any]]:
    """Latest first, as :func:`brief` dicts; walks the (published, seq) index, reads 8 columns only."""
    q = select(*(articles.c[c] for c in _BRIEF_COLUMNS))
    if outlet:
        q = q.where(articles.c.outlet == outlet)
    if category:
        q = q.where(articles.c.category == category)
    q = (
        q.order_by(articles.c.published.desc().nulls_last(), articles.c.seq.desc())
        .limit(limit)
        .offset(offset)
    )
    with store.connect() as conn:
        rows = conn.execute(q).mappings().all()
    return [_brief_row(r) for r in rows]


def briefs_by_ids(store: Store, ids: list[str]) -> list[dict[str, Any]]:
    """:func:`brief` dicts for ``ids`` in that order, reading 8 columns (no article text)."""
    found: dict[str, dict[str, Any]] = {}
    with store.connect() as conn:
        for i in range(0, len(ids), 500):
            q = select(*(articles.c[c] for c in _BRIEF_COLUMNS)).where(
                articles.c.id.in_(ids[i : i + 500])
            )
            found.update((r["id"], _brief_row(r)) for r in conn.execute(q).mappings())
    return [found[i] for i in ids if i in found]


def _brief_row(r: Any) -> dict[str, Any]:
    return {
        "id": r["id"],
        "title": r["title"] or "(untitled)",
        "outlet": r["outlet"],
        "published": r["published"],
        "authors": json.loads(r["authors"] or "[]"),
        "category": r["category"],
        "reading_minutes": r["reading_minutes"],
        "url": safe_url(r["url"]),
    }


# -- outlets and categories (cached: a GROUP BY over every article, refreshed when it grows) ----
_facets: dict[tuple[str, str], tuple[tuple[int, int], list[dict[str, Any]]]] = {}
_facets_lock = threading.Lock()


def _stamp(store: Store) -> tuple[int, int]:
    with store.connect() as conn:
        n, top = conn.execute(select(func.count(), func.max(articles.c.seq))).one()
    return int(n or 0), int(top or 0)


def facet(store: Store, column: str) -> list[dict[str, Any]]:
    """Every distinct outlet (or category) with its article count, most articles first."""
    key = (str(store.engine.url), column)
    stamp = _stamp(store)
    with _facets_lock:
        hit = _facets.get(key)
        if hit and hit[0] == stamp:
            return hit[1]
    col = articles.c[column]
    with store.connect() as conn:
        rows = conn.execute(
            select(col, func.count())
            .where(col.is_not(None))
            .group_by(col)
            .order_by(func.count().desc(), col)
        ).all()
    value = [{"name": r[0], "articles": int(r[1])} for r in rows]
    with _facets_lock:
        _facets[key] = (stamp, value)
    return value


# -- stories -----------------------------------------------------------------------------------
def _story_key(story_id: str) -> int | str:
    return int(story_id) if story_id.isdigit() else story_id


def story_card(store: Store, s: Any, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A story as the lists show it. ``s`` is a story brief (or a view with a ``.story`` brief)."""
    head = pick(s, "story", default=s)
    size = pick(head, "articles", "size", "n_articles")
    n_outlets = pick(head, "outlets")
    card = {
        "id": str(pick(head, "id", "story_id", default="")),
        "title": pick(head, "title", "headline", default="(untitled story)"),
        "summary": None,
        "outlets": [] if isinstance(n_outlets, int) else _outlets(n_outlets),
        "n_outlets": n_outlets if isinstance(n_outlets, int) else None,
        "size": size if isinstance(size, int) else None,
        "first": jsonable(pick(head, "first_published", "first", "start")),
        "last": jsonable(pick(head, "last_published", "last", "updated")),
        "thread_id": jsonable(pick(head, "thread_id")),
    }
    summary = pick(s, "summary")
    if summary is not None:
        card["summary"] = summary if isinstance(summary, str) else _summary_text(summary)
    if pick(s, "outlets") is not None and not isinstance(pick(s, "outlets"), int):
        card["outlets"] = _outlets(pick(s, "outlets"))
    if extra:
        card.update({k: v for k, v in extra.items() if v})
    return card


def _summary_text(summary: Any) -> str:
    if isinstance(summary, list | tuple):
        parts = [
            item if isinstance(item, str) else str(pick(item, "text", "sentence", default=""))
            for item in summary
        ]
        return " ".join(p for p in parts if p)
    return str(pick(summary, "text", default=""))


def _outlets(outlets: Any) -> list[dict[str, Any]]:
    out = []
    if isinstance(outlets, dict):
        outlets = list(outlets.items())
    if not isinstance(outlets, list | tuple):
        return out
    for o in outlets:
        if isinstance(o, str):
            out.append({"name": o, "articles": None})
        elif isinstance(o, list | tuple) and o:
            out.append({"name": str(o[0]), "articles": o[1] if len(o) > 1 else None})
        else:
            out.append(
                {
                    "name": pick(o, "name", "outlet", default="?"),
                    "articles": pick(o, "articles", "count"),
                }
            )
    return out


_extras: dict[tuple[str, str, Any], dict[str, Any]] = {}
EXTRAS_CACHE = 4096


def _card_extras(store: Store, cards: list[Any]) -> dict[str, dict[str, Any]]:
    """:func:`_story_extras` for a page of story briefs, cached per story and its size/date."""
    out: dict[str, dict[str, Any]] = {}
    todo = []
    url = str(store.engine.url)
    for s in cards:
        sid = pick(s, "id")
        if sid is None:
            continue
        key = (url, str(sid), (pick(s, "articles"), pick(s, "last_published")))
        if key in _extras:
            out[str(sid)] = _extras[key]
        else:
            todo.append((sid, key))
    if todo:
        fresh = _story_extras(store, [sid for sid, _ in todo])
        for sid, key in todo:
            value = fresh.get(str(sid), {})
            if len(_extras) >= EXTRAS_CACHE:
                _extras.pop(next(iter(_extras)))
            _extras[key] = out[str(sid)] = value
    return out


def _story_extras(store: Store, story_ids: list[int | str]) -> dict[str, dict[str, Any]]:
    """Outlets and a short summary for a page of stories, in two queries (not one view each).

    The summary is the stored summary of the story's most central article (highest join score):
    the multi-document summary is computed by the story page, too costly for 20 cards at once.
    """
    table = feature("newsdesk.stages.cluster.tables", "story_articles")
    if table is None or not story_ids:
        return {}
    out: dict[str, dict[str, Any]] = {}
    with store.connect() as conn:
        rows = conn.execute(
            select(table.c.story_id, articles.c.outlet, func.count())
            .join(articles, articles.c.id == table.c.article_id)
            .where(table.c.story_id.in_(story_ids))
            .group_by(table.c.story_id, articles.c.outlet)
        ).all()
        central = conn.execute(
            select(table.c.story_id, table.c.article_id, table.c.score).where(
                table.c.story_id.in_(story_ids)
            )
        ).all()
    for sid, outlet, n in rows:
        out.setdefault(str(sid), {"outlets": []})["outlets"].append(
            {"name": outlet or "unknown", "articles": int(n)}
        )
    for v in out.values():
        v["outlets"].sort(key=lambda o: (-o["articles"], o["name"]))
    best: dict[str, tuple[float, str]] = {}
    for sid, aid, score in central:
        if str(sid) not in best or score > best[str(sid)][0]:
            best[str(sid)] = (float(score), aid)
    get = feature("newsdesk.views.summaries", "get_summary")
    if get is not None:
        with store.connect() as conn:
            arts = {a.id: a for a in store.articles_by_ids(conn, [aid for _, aid in best.values()])}
        for sid, (_, aid) in best.items():
            a = arts.get(aid)
            if a is not None:
                summ = summary_of(store, a)
                if summ:
                    out.setdefault(sid, {})["summary"] = summ["text"]
    return out


def stories(store: Store, order: str, page: int, size: int) -> dict[str, Any] | None:
    fn = feature("newsdesk.views.stories", "list_stories")
    if fn is None:
        return None
    page, size, offset = page_args(page, size)
    items = _call(fn, store, size + 1, offset, order)
    if items is None:
        return None
    more = len(items) > size
    items = items[:size]
    extras = _card_extras(store, items)
    cards = [story_card(store, s, extras.get(str(pick(s, "id")))) for s in items]
    return {"stories": cards, "order": order, "page": page, "size": size, "more": more}


_biggest: dict[str, tuple[float, int, Any]] = {}
BIGGEST_TTL = 10.0  # seconds: "biggest" sorts every story by size; recompute at most this often


def _biggest_stories(store: Store) -> dict[str, Any] | None:
    key = str(store.engine.url)
    with store.connect() as conn:
        top = int(conn.scalar(select(func.max(articles.c.seq))) or 0)
    hit = _biggest.get(key)
    now = time.monotonic()
    if hit and hit[1] == top and now - hit[0] < BIGGEST_TTL:
        return hit[2]
    value = stories(store, "biggest", 1, 4)
    _biggest[key] = (now, top, value)
    return value


def front_page(store: Store, page: int, size: int) -> dict[str, Any]:
    latest = stories(store, "latest", page, size)
    biggest = _biggest_stories(store) if latest is not None and page == 1 else None
    out: dict[str, Any] = {"stories": latest, "biggest": biggest, "articles": None}
    if latest is None or not latest["stories"]:
        out["articles"] = listing(store, page, size)
    return out


# Story views are computed on demand (summary, timeline, framing): keep recent ones, keyed by
# the story's size and last date so that a story that grows is recomputed.
_views: dict[tuple[str, str, Any], tuple[Any, ...]] = {}
_views_lock = threading.Lock()
VIEW_CACHE = 512


def _story_stamp(store: Store, story_id: str) -> tuple[bool, tuple[str, str, Any]]:
    """(whether the story exists, cache key): its size, last date and title change when it grows."""
    table = feature("newsdesk.stages.cluster.tables", "stories")
    stamp: Any = None
    if table is not None:
        with store.connect() as conn:
            row = conn.execute(
                select(table.c.articles, table.c.last_published, table.c.title).where(
                    table.c.id == _story_key(story_id)
                )
            ).first()
        if row is None:
            return False, (str(store.engine.url), story_id, None)
        stamp = tuple(row)
    return True, (str(store.engine.url), story_id, stamp)


def _story_view(store: Store, story_id: str, key: tuple[str, str, Any] | None = None) -> Any:
    if key is None:
        exists, key = _story_stamp(store, story_id)
        if not exists:
            return None
    cacheable = key[2] is not None
    with _views_lock:
        hit = _views.get(key)
    if hit is not None and cacheable:
        return hit[0]
    view = _call(feature("newsdesk.views.stories", "get_story"), store, _story_key(story_id))
    if view is not None and cacheable:
        with _views_lock:
            if len(_views) >= VIEW_CACHE:
                _views.pop(next(iter(_views)))
            _views[key] = (view,)
    return view


_pages: dict[tuple[str, str, Any], dict[str, Any]] = {}


def warm_story_views(store: Store, per_list: int = 12) -> int:
    """Compute the views of the front page's stories ahead of the first click; how many."""
    done = 0
    for order in ("latest", "biggest"):
        page = stories(store, order, 1, per_list) or {"stories": []}
        for card in page["stories"]:
            if _story_view(store, card["id"]) is not None:
                done += 1
    return done


def story_page(store: Store, story_id: str) -> dict[str, Any]:
    """The story page's data; cached whole with the view (same key: the story's size and date)."""
    exists, key = _story_stamp(store, story_id)
    if not exists:
        raise NotFound(f"no story {story_id!r}")
    if key[2] is not None and key in _pages:
        return _pages[key]
    ctx = _story_page(store, story_id, key)
    if key[2] is not None:
        with _views_lock:
            if len(_pages) >= VIEW_CACHE:
                _pages.pop(next(iter(_pages)))
            _pages[key] = ctx
    return ctx


def _story_page(store: Store, story_id: str, key: tuple[str, str, Any]) -> dict[str, Any]:
    view = _story_view(store, story_id, key)
    if view is None:
        raise NotFound(f"no story {story_id!r}")
    card = story_card(store, view)
    arts = briefs_by_ids(store, story_article_ids(view))
    quotes = _call(
        feature("newsdesk.views.quotes", "quotes"),
        store,
        story_id=_story_key(story_id),
        limit=50,
        offset=0,
    )
    framing = [
        {
            "outlet": pick(f, "outlet"),
            "articles": pick(f, "articles"),
            "terms": list(pick(f, "terms", default=[])),
            "sentences": list(pick(f, "sentences", default=[])),
        }
        for f in pick(view, "framing", default=[]) or []
    ]
    timeline = [
        {
            "date": jsonable(pick(t, "date")),
            "granularity": pick(t, "granularity"),
            "kind": pick(t, "kind"),
            "text": pick(t, "text", default=""),
            "article_id": pick(t, "article_id"),
            "outlet": pick(t, "outlet"),
        }
        for t in pick(view, "timeline", default=[]) or []
    ]
    thread = pick(view, "thread")
    thread_view = None
    if thread is not None:
        thread_view = {
            "id": jsonable(pick(thread, "id")),
            "label": pick(thread, "label"),
            "stories": [story_card(store, t) for t in pick(thread, "stories", default=[]) or []],
        }
    return {
        "story": card,
        "articles": arts,
        "summary_sentences": _summary_sentences(pick(view, "summary")),
        "timeline": timeline,
        "framing": framing,
        "thread": thread_view,
        "quotes": quotes_view(None, quotes),
    }


def _summary_sentences(summary: Any) -> list[dict[str, Any]]:
    if not isinstance(summary, list | tuple):
        return []
    out = []
    for item in summary:
        if isinstance(item, str):
            out.append({"text": item, "outlet": None, "article_id": None})
        else:
            out.append(
                {
                    "text": str(pick(item, "text", "sentence", default="")),
                    "outlet": pick(item, "outlet"),
                    "article_id": pick(item, "article_id"),
                }
            )
    return out


# -- people and organizations --------------------------------------------------------------------
def people_page(store: Store, page: int, size: int, kind: str = "people") -> dict[str, Any] | None:
    fn = feature("newsdesk.views.people", kind)
    if fn is None:
        return None
    page, size, offset = page_args(page, size)
    items = _call(fn, store, size + 1, offset)
    if items is None:
        return None
    return {
        "items": [_entity_card(p) for p in items[:size]],
        "page": page,
        "size": size,
        "more": len(items) > size,
    }


def _entity_card(p: Any) -> dict[str, Any]:
    if isinstance(p, str):
        return {"id": p, "name": p, "role": None, "quotes": None, "articles": None}
    quotes = pick(p, "quotes", "n_quotes", "quote_count")
    return {
        "id": str(pick(p, "id", "entity_id", "name", default="")),
        "name": pick(p, "name", "canonical", default="?"),
        "role": pick(p, "role", "roles"),
        "org": pick(p, "org"),
        "quotes": quotes if isinstance(quotes, int) else None,
        "articles": pick(p, "articles") if isinstance(pick(p, "articles"), int) else None,
    }


def person_page(store: Store, name_or_id: str, kind: str = "person") -> dict[str, Any]:
    fn = feature("newsdesk.views.people", kind)
    dossier = _call(fn, store, name_or_id)
    if dossier is None:
        raise NotFound(f"no {kind} {name_or_id!r}")
    data = jsonable(dossier)
    quotes = quotes_view(None, pick(dossier, "quotes", default=[]))
    arts_raw = pick(dossier, "articles", default=[])
    art_ids = [x if isinstance(x, str) else pick(x, "article_id", "id") for x in arts_raw]
    with store.connect() as conn:
        arts = [
            brief(a)
            for a in store.articles_by_ids(conn, [i for i in art_ids if isinstance(i, str)])
        ]
    story_ids = [
        x if isinstance(x, int | str) else pick(x, "id", "story_id")
        for x in pick(dossier, "stories", default=[])
    ]
    known = {
        "quotes",
        "articles",
        "name",
        "id",
        "roles",
        "aliases",
        "stories",
        "mentioned_with",
        "kind",
        "org",
    }
    return {
        "entity": {
            "id": str(pick(dossier, "id", "entity_id", default=name_or_id)),
            "name": pick(dossier, "name"),
            "kind": pick(dossier, "kind"),
            "org": pick(dossier, "org"),
            "aliases": [str(a) for a in pick(dossier, "aliases", default=[])],
        },
        "roles": [
            {
                "role": pick(r, "role"),
                "org": pick(r, "org"),
                "first": jsonable(pick(r, "first")),
                "last": jsonable(pick(r, "last")),
                "articles": pick(r, "articles"),
            }
            for r in pick(dossier, "roles", default=[])
            if not isinstance(r, str)
        ],
        "quotes": quotes,
        "articles": arts,
        "stories": _story_titles(store, [i for i in story_ids if i is not None]),
        "mentioned_with": [_entity_card(p) for p in pick(dossier, "mentioned_with", default=[])],
        "details": {k: v for k, v in data.items() if k not in known}
        if isinstance(data, dict)
        else {},
    }


def _story_titles(store: Store, ids: list[Any]) -> list[dict[str, Any]]:
    table = feature("newsdesk.stages.cluster.tables", "stories")
    if table is None or not ids:
        return [{"id": str(i), "title": f"Story {i}"} for i in ids]
    keys = [_story_key(str(i)) for i in ids]
    with store.connect() as conn:
        titles = dict(
            conn.execute(select(table.c.id, table.c.title).where(table.c.id.in_(keys))).all()
        )
    return [{"id": str(k), "title": titles.get(k) or f"Story {k}"} for k in keys]


# -- search ------------------------------------------------------------------------------------
def search_page(
    store: Store,
    q: str,
    page: int,
    size: int,
    since: date | None = None,
    until: date | None = None,
    outlet: str | None = None,
    person: str | None = None,
    story: str | None = None,
    mode: str = "hybrid",
) -> dict[str, Any]:
    from newsdesk.search import Filters, search

    page, size, offset = page_args(page, size)
    res = search(
        store,
        q,
        limit=size,
        offset=offset,
        filters=Filters(
            since=since,
            until=until,
            outlet=outlet or None,
            person=person or None,
            story=story or None,
        ),
        mode=mode,
    )
    return {
        "query": q,
        "mode": res.mode,
        "filters": {
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
            "outlet": outlet,
            "person": person,
            "story": story,
        },
        "hits": [dict(h.as_dict(), pieces=[list(p) for p in h.snippet]) for h in res.hits],
        "page": page,
        "size": size,
        "more": res.more,
    }


def article_json(a: Article) -> dict[str, Any]:
    d = article_dict(a)
    d["url"] = safe_url(a.url)
    return d
