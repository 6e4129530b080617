"""The positions map pages: one per story and per thread, each with its JSON twin.

``/story/{id}/positions`` and ``/thread/{id}/positions`` (``.json`` for the twin): the grid
(parties as columns, issues as rows grouped by class, coloured cells with a legend; each cell
opens its dated evidence on click through ``<details>``, which needs no script) and the same
map as a plain list. ``?as_of=YYYY-MM-DD`` and ``?since=YYYY-MM-DD`` as in the CLI.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import Response

from newsdesk import api as libapi
from newsdesk.web.routes import _page_or_404, _settings, _store, can_read, respond, wants_json

router = APIRouter(include_in_schema=False, dependencies=[Depends(can_read)])
_DAY = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
Day = Annotated[str | None, Query(description="A date: YYYY, YYYY-MM or YYYY-MM-DD.")]
STANCES = ("supports", "rejects", "conditional", "unclear", "no position found")


def _day(value: str | None, name: str) -> str | None:
    if value in (None, ""):
        return None
    if not _DAY.match(value):
        raise HTTPException(422, f"{name} must be a date YYYY-MM-DD, not {value!r}")
    return value


def _page(
    request: Request, kind: str, ident: str, as_of: str | None, since: str | None
) -> Response:
    as_json = request.url.path.endswith(".json")
    if not ident.isdigit():
        raise HTTPException(404, f"no {kind} {ident!r}")
    m = _page_or_404(
        libapi.positions,
        _store(request),
        f"{kind}:{ident}",
        as_of=_day(as_of, "as_of"),
        since=_day(since, "since"),
        settings=_settings(request),
    )
    if wants_json(request, as_json):
        return respond(request, None, m, True)
    ctx = {
        "m": m,
        "classes": list(m["classes"]),  # the map's classes, in its order
        "stances": STANCES,
        "back": f"/story/{m['stories'][0]}" if kind == "story" else None,
    }
    return respond(request, "positions.html", ctx, False)


@router.get("/story/{story_id}/positions")
@router.get("/story/{story_id}/positions.json")
def story_positions(
    request: Request, story_id: str, as_of: Day = None, since: Day = None
) -> Response:
    return _page(request, "story", story_id, as_of, since)


@router.get("/thread/{thread_id}/positions")
@router.get("/thread/{thread_id}/positions.json")
def thread_positions(
    request: Request, thread_id: str, as_of: Day = None, since: Day = None
) -> Response:
    return _page(request, "thread", thread_id, as_of, since)


def install(app: FastAPI) -> None:
    app.include_router(router)
