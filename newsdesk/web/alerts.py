"""Alerts on the web: the ``/alerts`` page (each alert, its new articles, its Atom feed), the
forms that save, mark read and remove alerts, and the ``/api/alerts`` endpoints.

Reads are guarded like every page (``can_read``); saving, marking read and removing are writes,
guarded like ``POST /api/articles`` (``can_write``: the API token, which a browser holds in the
HttpOnly, SameSite=Strict cookie that ``/login`` sets, so another site cannot post the forms).
Alert pages are never cached (``no-cache``): marking read must show at once.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from newsdesk import api as libapi
from newsdesk.errors import BadArgument, NotFound
from newsdesk.models import Alert
from newsdesk.web import atom
from newsdesk.web.pages.common import brief
from newsdesk.web.routes import (
    _page_or_404,
    _settings,
    _store,
    _token_ok,
    can_read,
    can_write,
    respond,
    split_json,
    wants_json,
)

MAX_FORM_BYTES = 4096
NEWS = 50  # articles listed per alert

pages = APIRouter(include_in_schema=False, dependencies=[Depends(can_read)])
api = APIRouter(prefix="/api", tags=["alerts"], dependencies=[Depends(can_read)])


def alert_json(a: Alert) -> dict[str, Any]:
    """An alert as pages and the API show it: its fields, its page and its feed."""
    return asdict(a) | {
        "page": target_page(a),
        "url": f"/alerts/{a.id}",
        "feed": f"/alerts/{a.id}.atom",
    }


def target_page(a: Alert) -> str:
    """The page of what the alert follows."""
    if a.kind == "search":
        return "/search?" + urlencode({"q": a.target})
    if a.kind == "person":
        return "/person/" + quote(a.target, safe="")
    return f"/{a.kind}/{a.target}"


def _fresh(resp: Response) -> Response:
    resp.headers["Cache-Control"] = "private, no-cache"
    return resp


def _alert_id(value: str) -> int:
    if not value.isdigit():
        raise HTTPException(404, f"no alert {value!r}")
    return int(value)


def _list_ctx(request: Request, message: str = "") -> dict[str, Any]:
    found = libapi.alerts(_store(request))
    settings = _settings(request)
    return {
        "alerts": [alert_json(a) for a in found],
        "new": sum(a.new for a in found),
        "revised": sum(a.revised for a in found),
        "can_write": _token_ok(request),
        "writes_off": not settings.api_token,
        "message": message,
    }


# -- pages -------------------------------------------------------------------------------------
@pages.get("/alerts")
@pages.get("/alerts.json")
def alerts_page(request: Request) -> Response:
    return _fresh(respond(request, "alerts.html", _list_ctx(request), wants_json(request)))


@pages.get("/alerts/{alert_id}")
def alert_page(request: Request, alert_id: str) -> Response:
    alert_id, as_feed = atom.split(alert_id)
    if as_feed:
        feed = _page_or_404(atom.alert, _store(request), _alert_id(alert_id))
        return atom.response(request, _settings(request).public_reads, feed)
    alert_id, as_json = split_json(alert_id)
    aid = _alert_id(alert_id)
    news = _page_or_404(libapi.alert_news, _store(request), aid, NEWS)
    latest = libapi.alert_news(_store(request), aid, NEWS, new_only=False)
    fresh = {b.id for b in news.articles}
    ctx = {
        "alert": alert_json(news.alert),
        "articles": [brief(b) for b in news.articles],
        "revised": [dict(brief(b), mark="revised") for b in news.revised],
        "earlier": [brief(b) for b in latest.articles if b.id not in fresh],
        "can_write": _token_ok(request),
    }
    return _fresh(respond(request, "alert.html", ctx, wants_json(request, as_json)))


async def _form(request: Request) -> dict[str, str]:
    raw = await request.body()
    form = parse_qs(raw[:MAX_FORM_BYTES].decode("utf-8", "replace"))
    return {k: v[0] for k, v in form.items() if v}


def _back() -> Response:
    return RedirectResponse("/alerts", status_code=303)


@pages.post("/alerts", dependencies=[Depends(can_write)])
async def add_form(request: Request) -> Response:
    spec = (await _form(request)).get("alert", "")
    try:
        libapi.add_alert(_store(request), spec)
    except (BadArgument, NotFound) as exc:
        status = 404 if isinstance(exc, NotFound) else 422
        return _fresh(respond(request, "alerts.html", _list_ctx(request, str(exc)), False, status))
    return _back()


@pages.post("/alerts/read", dependencies=[Depends(can_write)])
async def read_all_form(request: Request) -> Response:
    libapi.mark_alerts_read(_store(request))
    return _back()


@pages.post("/alerts/{alert_id}/read", dependencies=[Depends(can_write)])
async def read_form(request: Request, alert_id: str) -> Response:
    if not libapi.mark_alerts_read(_store(request), [_alert_id(alert_id)]):
        raise HTTPException(404, f"no alert {alert_id}")
    return _back()


@pages.post("/alerts/{alert_id}/remove", dependencies=[Depends(can_write)])
async def remove_form(request: Request, alert_id: str) -> Response:
    if not libapi.remove_alerts(_store(request), [_alert_id(alert_id)]):
        raise HTTPException(404, f"no alert {alert_id}")
    return _back()


# -- the JSON API ------------------------------------------------------------------------------
class AlertIn(BaseModel):
    alert: str = Field(
        description='What to follow: "search:WORDS", "person:NAME", "story:N" or "thread:N".',
        max_length=500,
    )


def _json(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


@api.get("/alerts", summary="Every alert with its count of new articles")
def api_alerts(request: Request) -> Response:
    return _json({"alerts": [alert_json(a) for a in libapi.alerts(_store(request))]})


@api.post(
    "/alerts",
    summary="Save an alert (needs the API token)",
    description="201 with the new alert; 200 when it was already saved; 422 for a bad spec; "
    "404 for a story or thread that does not exist.",
    dependencies=[Depends(can_write)],
)
def api_add_alert(request: Request, body: AlertIn) -> Response:
    try:
        a, new = libapi.add_alert(_store(request), body.alert)
    except BadArgument as exc:
        raise HTTPException(422, str(exc)) from exc
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    return _json({"alert": alert_json(a), "created": new}, 201 if new else 200)


@api.get(
    "/alerts/{alert_id}", summary="One alert, its new articles and those revised, newest first"
)
def api_alert(request: Request, alert_id: int) -> Response:
    news = _page_or_404(libapi.alert_news, _store(request), alert_id, NEWS)
    return _json({"alert": alert_json(news.alert), "articles": [brief(b) for b in news.articles]})


@api.post(
    "/alerts/read",
    summary="Mark every alert read (needs the API token)",
    dependencies=[Depends(can_write)],
)
def api_read_all(request: Request) -> Response:
    return _json({"marked": libapi.mark_alerts_read(_store(request))})


@api.post(
    "/alerts/{alert_id}/read",
    summary="Mark one alert read (needs the API token)",
    dependencies=[Depends(can_write)],
)
def api_read(request: Request, alert_id: int) -> Response:
    if not libapi.mark_alerts_read(_store(request), [alert_id]):
        raise HTTPException(404, f"no alert {alert_id}")
    return _json({"marked": 1})


@api.delete(
    "/alerts/{alert_id}",
    summary="Remove an alert (needs the API token)",
    dependencies=[Depends(can_write)],
)
def api_remove(request: Request, alert_id: int) -> Response:
    if not libapi.remove_alerts(_store(request), [alert_id]):
        raise HTTPException(404, f"no alert {alert_id}")
    return _json({"removed": 1})


def install(app: FastAPI) -> None:
    app.include_router(api)
    app.include_router(pages)
