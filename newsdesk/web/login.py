"""Logging in to a private UI (setting ``public_reads = false``): a form that takes the API token
and keeps it in an HttpOnly, SameSite=Strict cookie, which the pages then accept (the token is
never put in a URL, where logs and the Referer header would keep it)."""

from __future__ import annotations

import hmac
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

COOKIE = "newsdesk_token"
MAX_FORM_BYTES = 4096

router = APIRouter(include_in_schema=False)


def _page(request: Request, status: int, message: str) -> Response:
    env = request.app.state.templates
    body = env.get_template("login.html").render(
        message=message, path="/login", q="", json_url="/api", atom_url=None,
        features=request.app.state.features, page_url=lambda n: "/login",
    )  # fmt: skip
    headers = {"Cache-Control": "no-store"}
    return Response(body, status, media_type="text/html; charset=utf-8", headers=headers)


@router.get("/login")
async def login_form(request: Request) -> Response:
    return _page(request, 200, "")


@router.post("/login")
async def login(request: Request) -> Response:
    """Check the token; on success set the cookie and go to the front page."""
    raw = await request.body()
    form = parse_qs(raw[:MAX_FORM_BYTES].decode("utf-8", "replace"))
    token = (form.get("token") or [""])[0].strip()
    expected = request.app.state.settings.api_token
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        return _page(request, 401, "That token is not the one this server expects.")
    resp = RedirectResponse("/", status_code=303)
    secure = request.url.scheme == "https"
    resp.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure)
    return resp


@router.post("/logout")
async def logout() -> Response:
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE)
    return resp
