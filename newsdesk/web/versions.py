"""Revised articles on the web: what changed, and every version.

``/article/{id}/changes`` (``.json`` for the twin): the word diff between two versions
(``?old=N&new=M``; default: the previous and the current one), removed words struck through and
added ones marked, then the unified line diff, every version linked; the article text is
untrusted, so it is only ever rendered through the templates' autoescaping.
``/api/articles/{id}/versions``: every version with its text.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import Response

from newsdesk.web.pages import articles as article_pages
from newsdesk.web.routes import _page_or_404, _store, can_read, respond, wants_json

pages = APIRouter(include_in_schema=False, dependencies=[Depends(can_read)])
api = APIRouter(prefix="/api", dependencies=[Depends(can_read)])
Version = Annotated[int | None, Query(ge=1, le=1_000_000, description="A version number.")]


@pages.get("/article/{article_id}/changes")
@pages.get("/article/{article_id}/changes.json")
async def article_changes(
    request: Request, article_id: str, old: Version = None, new: Version = None
) -> Response:
    ctx = _page_or_404(article_pages.changes_page, _store(request), article_id, old, new)
    return respond(request, "changes.html", ctx, wants_json(request))


@api.get(
    "/articles/{article_id}/versions",
    tags=["articles"],
    summary="Every version of a revised article, oldest first, with its text",
)
async def api_versions(request: Request, article_id: str) -> Response:
    ctx = _page_or_404(article_pages.versions_json, _store(request), article_id)
    return respond(request, None, ctx, True)


def install(app: FastAPI) -> None:
    app.include_router(api)
    app.include_router(pages)
