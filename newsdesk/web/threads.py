"""The thread page: a thread's stories in time order, their coverage chart (articles per day
per story, its latest :data:`~newsdesk.web.chart.FRONT_STORIES` stories) and its newest
articles, with its JSON twin (``/thread/N.json``) and its Atom feed (``/thread/N.atom``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import Response

from newsdesk import api as libapi
from newsdesk.web import atom, chart
from newsdesk.web.pages.common import brief
from newsdesk.web.pages.stories import card
from newsdesk.web.routes import (
    _page_or_404,
    _settings,
    _store,
    can_read,
    respond,
    split_json,
    wants_json,
)

LATEST = 20  # newest articles listed

router = APIRouter(include_in_schema=False, dependencies=[Depends(can_read)])


@router.get("/thread/{thread_id}")
def thread_page(request: Request, thread_id: str) -> Response:
    thread_id, as_feed = atom.split(thread_id)
    thread_id, as_json = split_json(thread_id)
    if not thread_id.isdigit():
        raise HTTPException(404, f"no thread {thread_id!r}")
    if as_feed:
        feed = _page_or_404(atom.thread, _store(request), int(thread_id))
        return atom.response(request, _settings(request).public_reads, feed)
    t = _page_or_404(libapi.thread, _store(request), int(thread_id))
    _, latest = libapi.following(_store(request), f"thread:{t.id}", LATEST)
    charted = t.stories[-chart.FRONT_STORIES :]
    days = libapi.story_coverage(_store(request), [s.id for s in charted])
    ctx: dict[str, Any] = {
        "thread": {"id": t.id, "label": t.label, "stories": [card(s) for s in t.stories]},
        "articles": [brief(b) for b in latest],
        "coverage": [{"id": s.id, "title": s.title, "days": days[s.id]} for s in charted],
    }
    as_json = wants_json(request, as_json)
    if not as_json:  # the chart is the page's picture of the numbers the twin holds
        titles = {s.id: s.title for s in charted}
        ctx["chart"] = chart.coverage_svg(days, titles, max_days=None)
    return respond(request, "thread.html", ctx, as_json)


def install(app: FastAPI) -> None:
    app.include_router(router)
