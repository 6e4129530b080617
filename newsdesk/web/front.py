"""The front page, and "new since your last visit" on it.

The visit is remembered in a cookie (``newsdesk_visit``; HttpOnly, SameSite=Lax, no script
needed): the mark the page compares against (the newest article's sequence number and the
time of the previous visit) and the last page load. Loads less than :data:`VISIT_GAP_S` apart
are one visit, so a reload, or coming back from a story, keeps the marks; the first load after
a longer gap starts a new visit, and what was new before is no longer. The page then marks the
stories and articles that arrived (or were revised) after the mark and says how many: "3 new
stories and 2 updated since your last visit, 14:02 UTC". The page is personal, so it is
``private, no-cache``. Its JSON twin reads the cookie but never sets it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response

from newsdesk import api as libapi
from newsdesk.web.pages import stories as story_pages
from newsdesk.web.pages.common import PAGE_SIZE
from newsdesk.web.routes import Page, Size, _store, can_read, respond, wants_json

COOKIE = "newsdesk_visit"
VISIT_GAP_S = 30 * 60
COOKIE_MAX_AGE = 400 * 86_400  # browsers keep a cookie at most 400 days

router = APIRouter(include_in_schema=False, dependencies=[Depends(can_read)])


@dataclass(frozen=True, slots=True)
class Visit:
    """The mark compared against (``since_*``) and the last page load (``last_*``): times in
    seconds since the epoch, sequence numbers of the newest article then."""

    since_t: int
    since_seq: int
    last_t: int
    last_seq: int

    def value(self) -> str:
        return f"{self.since_t}.{self.since_seq}.{self.last_t}.{self.last_seq}"


def read(value: str | None) -> Visit | None:
    """The visit a cookie value holds; None for none or anything malformed (never an error)."""
    parts = (value or "").split(".")
    if len(parts) != 4 or not all(p.isdigit() and len(p) <= 12 for p in parts):
        return None
    return Visit(*(int(p) for p in parts))


def advance(prev: Visit | None, now: int, seq: int) -> Visit:
    """The visit after a page load at ``now`` with ``seq`` the newest article."""
    if prev is None:
        return Visit(now, seq, now, seq)  # a first visit: nothing is new yet
    if now - prev.last_t > VISIT_GAP_S:  # a new visit: compare with the end of the last one
        return Visit(prev.last_t, prev.last_seq, now, seq)
    return Visit(prev.since_t, prev.since_seq, now, seq)


def _iso(t: int) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds")


@router.get("/")
@router.get("/index.json")
async def front(request: Request, page: Page = 1, size: Size = PAGE_SIZE) -> Response:
    store = _store(request)
    as_json = wants_json(request)
    prev = read(request.cookies.get(COOKIE))
    visit = prev if as_json else advance(prev, int(time.time()), libapi.newest_seq(store))
    since = None
    if visit is not None and prev is not None:
        since = (visit.since_seq, _iso(visit.since_t))
    ctx = story_pages.front_page(store, page, size, since)
    if as_json:  # the chart is the page's picture of the "coverage" numbers the twin holds
        ctx.pop("chart", None)
    resp = respond(request, "front.html", ctx, as_json)
    resp.headers["Cache-Control"] = "private, no-cache"
    resp.headers["Vary"] = "Accept, Authorization, Cookie"
    if not as_json and visit is not None:
        resp.set_cookie(
            COOKIE,
            visit.value(),
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return resp


def install(app: FastAPI) -> None:
    app.include_router(router)
