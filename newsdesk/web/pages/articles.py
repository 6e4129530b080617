"""Article pages: the latest articles, one article, outlets and categories."""

from __future__ import annotations

from typing import Any

from newsdesk import api
from newsdesk.store import Store
from newsdesk.web import cache
from newsdesk.web.pages.common import article_brief, brief, listing, or_none, quotes

__all__ = ["article_json", "article_page", "changes_page", "facet", "listing", "versions_json"]


def article_page(store: Store, article_id: str) -> dict[str, Any]:
    """An article: metadata, paragraphs, summary, quotes, its story and neighbours there."""
    v = api.article_view(store, article_id)  # NotFound → 404
    a = v.article
    said = quotes(v.quotes)
    # the speakers resolved to a person (a bare "experts" or "the bank" has no page to link)
    people: list[dict[str, str]] = []
    for q in said:
        if q["speaker"] and q.get("entity_id") and all(p["id"] != q["entity_id"] for p in people):
            people.append({"id": str(q["entity_id"]), "name": q["speaker"]})
    return {
        "article": dict(
            article_brief(a),
            captions=list(a.captions),
            language=a.language,
            word_count=a.word_count,
        ),
        "paragraphs": [p.strip() for p in a.text.split("\n\n") if p.strip()],
        "text": a.text,
        "duplicate_of": a.duplicate_of,
        "summary": None
        if v.summary is None
        else {
            "text": " ".join(v.summary),
            "sentences": list(v.summary),
            "method": or_none(v.summary_method),
        },
        "quotes": said,
        "story": None if v.story is None else {"id": str(v.story.id), "title": v.story.title},
        "previous": None if v.previous is None else brief(v.previous),
        "next": None if v.next is None else brief(v.next),
        "people": people,
        "revisions": v.revisions,
    }


def changes_page(
    store: Store, article_id: str, old: int | None = None, new: int | None = None
) -> dict[str, Any]:
    """``/article/ID/changes``: what changed between two versions (default: the last revision),
    as word runs (kept, removed, added) and a unified diff, with every version listed."""
    d = api.article_changes(store, article_id, old, new)  # NotFound → 404
    return {
        "article": {"id": d.article_id, "title": d.new.title},
        "old": _version(d.old),
        "new": _version(d.new),
        "title_changed": d.title_changed,
        "words": [{"op": op, "text": text} for op, text in d.words],
        "unified": list(d.unified),
        "added_words": d.added_words,
        "removed_words": d.removed_words,
        "versions": versions_json(store, d.article_id)["versions"],
    }


def versions_json(store: Store, article_id: str) -> dict[str, Any]:
    """``/api/articles/ID/versions``: every version, oldest first, with its text."""
    found = api.article_versions(store, article_id)  # NotFound → 404
    return {
        "id": found[0].article_id,
        "revisions": len(found) - 1,
        "versions": [dict(_version(v), text=v.text) for v in found],
    }


def _version(v: Any) -> dict[str, Any]:
    return {
        "version": v.version,
        "title": v.title,
        "ingested_at": v.ingested_at,
        "source": v.source,
        "url": v.url,
        "words": len(v.text.split()),
    }


def article_json(store: Store, article_id: str) -> dict[str, Any]:
    """``/api/articles/ID``: the article page's data with the text inside the article."""
    ctx = article_page(store, article_id)
    ctx["article"] = dict(ctx["article"], text=ctx.pop("text"))
    ctx.pop("paragraphs", None)
    return ctx


def facet(store: Store, column: str) -> list[dict[str, Any]]:
    """Every distinct outlet (or category) with its article count, most articles first.

    Cached until articles arrive (a GROUP BY over every article).
    """
    key = (str(store.engine.url), column, api.articles_stamp(store))
    found = cache.through(cache.facets, key, lambda: api.facet(store, column))
    return [{"name": f.name, "articles": f.articles} for f in found]
