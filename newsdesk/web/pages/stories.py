"""Story pages: the front page, story listings, one story (cached with its view)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from newsdesk import api
from newsdesk.errors import NotFound
from newsdesk.models import StoryBrief, StoryExtras, StoryView, ThreadStory
from newsdesk.settings import Settings
from newsdesk.store import Store
from newsdesk.web import cache, chart
from newsdesk.web.pages.common import brief, listing, or_none, page_args, quotes

STORY_QUOTES = 50  # quotes listed on a story page


def card(s: StoryBrief | ThreadStory, extras: StoryExtras | None = None) -> dict[str, Any]:
    """A story as the lists show it (a thread's stories have no outlet count)."""
    n_outlets = s.outlets if isinstance(s, StoryBrief) else None
    out: dict[str, Any] = {
        "id": str(s.id),
        "title": s.title or "(untitled story)",
        "summary": None,
        "outlets": [],
        "n_outlets": n_outlets,
        "size": s.articles,
        "first": or_none(s.first_published),
        "last": or_none(s.last_published),
        "thread_id": s.thread_id if isinstance(s, StoryBrief) else None,
    }
    if extras is not None:
        if extras.outlets:
            out["outlets"] = [{"name": o.name, "articles": o.articles} for o in extras.outlets]
        if extras.summary:
            out["summary"] = extras.summary
    return out


def view_card(view: StoryView) -> dict[str, Any]:
    """The story page's head: its brief, outlets with counts, and its summary's text."""
    out = card(view.story)
    text = " ".join(s.text for s in view.summary if s.text)
    out["summary"] = text if view.summary else None
    if view.outlets:
        out["outlets"] = [{"name": str(o), "articles": n} for o, n in view.outlets]
    return out


def _extras(store: Store, items: Sequence[StoryBrief]) -> dict[int, StoryExtras]:
    """:func:`api.story_extras` for a page of stories, cached per story and its size/date."""
    url = str(store.engine.url)
    out: dict[int, StoryExtras] = {}
    todo: list[tuple[int, tuple[Any, ...]]] = []
    for s in items:
        key = (url, s.id, (s.articles, s.last_published))
        hit = cache.get(cache.extras, key)
        if hit is not None:
            out[s.id] = hit
        else:
            todo.append((s.id, key))
    if todo:
        fresh = api.story_extras(store, [sid for sid, _ in todo])
        for sid, key in todo:
            out[sid] = cache.put(cache.extras, key, fresh.get(sid, StoryExtras()))
    return out


def stories(store: Store, order: str, page: int, size: int) -> dict[str, Any]:
    """A page of stories, the latest or the biggest first, with outlets and a short summary."""
    page, size, offset = page_args(page, size)
    items = api.stories(store, size + 1, offset, order)
    more = len(items) > size
    items = items[:size]
    extras = _extras(store, items)
    cards = [card(s, extras.get(s.id)) for s in items]
    return {"stories": cards, "order": order, "page": page, "size": size, "more": more}


def _biggest(store: Store) -> dict[str, Any]:
    key = (str(store.engine.url), api.newest_seq(store))
    return cache.through(cache.biggest, key, lambda: stories(store, "biggest", 1, 4))


def front_page(
    store: Store, page: int, size: int, since: tuple[int, str] | None = None
) -> dict[str, Any]:
    """The latest stories (and the biggest, on page 1); the latest articles until stories exist.

    ``since`` (the newest article's sequence number at the reader's last visit, and its time):
    the stories and articles new or updated since are marked, and counted (``since``)."""
    latest = stories(store, "latest", page, size)
    out: dict[str, Any] = {
        "stories": latest,
        "biggest": _biggest(store) if page == 1 else None,
        "articles": None,
        "since": None,
    }
    if not latest["stories"]:
        out["articles"] = listing(store, page, size)
    elif page == 1:
        out["coverage"], out["chart"] = _coverage(store, latest["stories"][: chart.FRONT_STORIES])
    if since is not None:
        _mark(store, out, *since)
    return out


def _coverage(store: Store, cards: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], Any]:
    """The top stories' articles per day (for the JSON twin) and their chart (for the page)."""
    ids = [int(c["id"]) for c in cards]
    key = (str(store.engine.url), api.newest_seq(store), tuple(ids))
    days = cache.through(cache.coverage, key, lambda: api.story_coverage(store, ids))
    titles = {int(c["id"]): c["title"] for c in cards}
    data = [{"id": sid, "title": titles[sid], "days": days[sid]} for sid in ids]
    return data, chart.coverage_svg(days, titles)


def _mark(store: Store, out: dict[str, Any], since_seq: int, since: str) -> None:
    """Mark what is new since the reader's last visit (copies: the cards may be cached)."""
    keys = [k for k in ("stories", "biggest") if out[k]]
    sids = [int(c["id"]) for k in keys for c in out[k]["stories"]]
    aids = [a["id"] for a in out["articles"]["articles"]] if out["articles"] else []
    ch = api.changes_since(store, since_seq, since, sids, aids)
    for k in keys:
        cards = [dict(c, mark=ch.stories.get(int(c["id"]))) for c in out[k]["stories"]]
        out[k] = dict(out[k], stories=cards)
    if out["articles"]:
        marked = [dict(a, mark=ch.articles.get(a["id"])) for a in out["articles"]["articles"]]
        out["articles"] = dict(out["articles"], articles=marked)
    out["since"] = {
        "time": since,
        "new_articles": ch.new_articles,
        "revised_articles": ch.revised_articles,
        "new_stories": ch.new_stories,
        "updated_stories": ch.updated_stories,
    }


def _story_id(story_id: str) -> int:
    if not story_id.isdigit():
        raise NotFound(f"no story {story_id!r}")
    return int(story_id)


def _key(store: Store, sid: int, story_id: str) -> tuple[Any, ...]:
    stamp = api.story_stamp(store, sid)
    if stamp is None:
        raise NotFound(f"no story {story_id!r}")
    return (str(store.engine.url), story_id, stamp)


def _view(store: Store, sid: int, key: tuple[Any, ...], settings: Settings) -> StoryView:
    return cache.through(cache.views, key, lambda: api.story(store, sid, settings))


def story_page(store: Store, story_id: str, settings: Settings) -> dict[str, Any]:
    """A story: summary, timeline, framing, thread, articles, quotes; cached whole with the view
    (same key: the story's size, last date and title)."""
    sid = _story_id(story_id)
    key = _key(store, sid, story_id)
    return cache.through(cache.pages, key, lambda: _story_page(store, sid, key, settings))


def _story_page(store: Store, sid: int, key: tuple[Any, ...], settings: Settings) -> dict[str, Any]:
    view = _view(store, sid, key, settings)
    ids = list(dict.fromkeys(a.id for a in view.articles))
    thread = view.thread
    return {
        "story": view_card(view),
        "chart": chart.timeline_svg(view),
        "articles": [brief(b) for b in api.article_briefs(store, ids=ids)],
        "summary_sentences": [
            {"text": s.text, "outlet": or_none(s.outlet), "article_id": or_none(s.article_id)}
            for s in view.summary
        ],
        "timeline": [
            {
                "date": or_none(t.date),
                "granularity": or_none(t.granularity),
                "kind": or_none(t.kind),
                "text": t.text,
                "article_id": or_none(t.article_id),
                "outlet": or_none(t.outlet),
            }
            for t in view.timeline
        ],
        "framing": [
            {
                "outlet": or_none(f.outlet),
                "articles": f.articles,
                "terms": list(f.terms),
                "sentences": list(f.sentences),
            }
            for f in view.framing
        ],
        "thread": None
        if thread is None
        else {
            "id": thread.id,
            "label": or_none(thread.label),
            "stories": [card(t) for t in thread.stories],
        },
        "quotes": quotes(api.quotes(store, story_id=sid, limit=STORY_QUOTES, offset=0)),
    }


def warm_story_views(store: Store, settings: Settings, per_list: int = 12) -> int:
    """Compute the views of the front page's stories ahead of the first click; how many."""
    done = 0
    for order in ("latest", "biggest"):
        for c in stories(store, order, 1, per_list)["stories"]:
            sid = int(c["id"])
            stamp = api.story_stamp(store, sid)
            if stamp is not None:
                _view(store, sid, (str(store.engine.url), c["id"], stamp), settings)
                done += 1
    return done
