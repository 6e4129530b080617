"""One handler per page; the HTML page and its JSON twin come from the same function.

Read handlers are ``async def``: their work is short and CPU-bound (SQLite reads, rendering),
so running them on the event loop saves two thread-pool hops per request, which cost tens of
ms on a busy machine. Handlers that can take long stay in the thread pool so they never stall
the loop: ingest (runs the stages), story pages (a first view computes the story's summary,
timeline and framing) and search (the first search over a big store builds the vector index).

A page answers JSON when its path ends in ``.json`` or the client sends
``Accept: application/json``. Every read response carries an ETag (a hash of the body) and
Cache-Control; a matching ``If-None-Match`` gets 304. The ``/api`` routes are the documented
JSON API (OpenAPI at ``/api/openapi.json``); ``POST /api/articles`` needs the API token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import tempfile
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from newsdesk import api as libapi
from newsdesk.errors import NotFound
from newsdesk.models import IngestReport
from newsdesk.settings import Settings
from newsdesk.store import Store
from newsdesk.web import atom, login, posted
from newsdesk.web.pages import articles as article_pages
from newsdesk.web.pages import people as people_pages
from newsdesk.web.pages import search as search_pages
from newsdesk.web.pages import stories as story_pages
from newsdesk.web.pages.common import MAX_PAGE_SIZE, PAGE_SIZE, listing

PAGE_MAX_AGE = 30  # seconds: pages change when articles arrive; short enough to feel live
MAX_POST_DOCUMENTS = 1000

Page = Annotated[int, Query(ge=1, le=100_000, description="1-based page number.")]
Size = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page.")]


# -- plumbing ----------------------------------------------------------------------------------
def _store(request: Request) -> Store:
    return request.app.state.store


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _token(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return (
        request.headers.get("x-newsdesk-token")
        or request.cookies.get("newsdesk_token")
        or request.query_params.get("token")
        or ""
    )


def _token_ok(request: Request) -> bool:
    expected = _settings(request).api_token
    return bool(expected) and hmac.compare_digest(_token(request).encode(), expected.encode())


async def can_read(request: Request) -> None:
    """Reads are open when ``public_reads`` is on; otherwise they need the API token."""
    if _settings(request).public_reads or _token_ok(request):
        return
    raise HTTPException(401, "reading needs the API token", headers={"WWW-Authenticate": "Bearer"})


async def can_write(request: Request) -> None:
    if not _settings(request).api_token:
        raise HTTPException(
            403, "writes are disabled: set the api_token setting (NEWSDESK_API_TOKEN)"
        )
    if not _token_ok(request):
        raise HTTPException(
            401, "a valid API token is required", headers={"WWW-Authenticate": "Bearer"}
        )


def split_json(value: str) -> tuple[str, bool]:
    """``("x", True)`` for ``"x.json"``: the path form of a page's JSON twin."""
    if value.endswith(".json"):
        return value[: -len(".json")], True
    return value, False


def wants_json(request: Request, suffix: bool = False) -> bool:
    if suffix or request.url.path.endswith(".json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def respond(
    request: Request, template: str | None, ctx: dict[str, Any], as_json: bool, status: int = 200
) -> Response:
    """Render ``ctx`` as HTML (``template``) or JSON, with ETag / Cache-Control / 304 handling."""
    if as_json or template is None:
        body = json.dumps(ctx, ensure_ascii=False, default=str).encode()
        media = "application/json"
    else:
        env = request.app.state.templates
        page = env.get_template(template).render(**ctx, **_common(request))
        body = page.encode()
        media = "text/html; charset=utf-8"
    etag = '"' + hashlib.blake2b(body + media.encode(), digest_size=12).hexdigest() + '"'
    public = _settings(request).public_reads
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={PAGE_MAX_AGE}" if public else "private, no-cache",
        "Vary": "Accept, Authorization, Cookie" if not public else "Accept",
    }
    if status == 200 and etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, status_code=status, media_type=media, headers=headers)


def _common(request: Request) -> dict[str, Any]:
    params = dict(request.query_params)
    params.pop("token", None)

    def page_url(page: int) -> str:
        return request.url.path + "?" + urlencode(dict(params, page=page))

    return {
        "path": request.url.path,
        "q": params.get("q", ""),
        "page_url": page_url,
        "json_url": _json_url(request),
        "atom_url": atom.feed_url(request.url.path, request.query_params.get("q")),
        "features": request.app.state.features,
    }


def _json_url(request: Request) -> str:
    path = request.url.path.rstrip("/") or "/index"
    query = request.url.query
    return path + ".json" + ("?" + query if query else "")


def _page_or_404(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from exc


# -- HTML pages (each with its JSON twin) ------------------------------------------------------
pages = APIRouter(include_in_schema=False, dependencies=[Depends(can_read)])


@pages.get("/articles")
@pages.get("/articles.json")
async def article_list(request: Request, page: Page = 1, size: Size = PAGE_SIZE) -> Response:
    ctx = listing(_store(request), page, size)
    ctx["heading"] = "Latest articles"
    return respond(request, "listing.html", ctx, wants_json(request))


@pages.get("/article/{article_id}")
async def article(request: Request, article_id: str) -> Response:
    article_id, as_json = split_json(article_id)
    ctx = _page_or_404(article_pages.article_page, _store(request), article_id)
    return respond(request, "article.html", ctx, wants_json(request, as_json))


@pages.get("/stories")
@pages.get("/stories.json")
async def story_list(
    request: Request,
    page: Page = 1,
    size: Size = PAGE_SIZE,
    order: Annotated[str, Query(pattern="^(latest|biggest)$")] = "latest",
) -> Response:
    ctx = story_pages.stories(_store(request), order, page, size)
    return respond(request, "stories.html", ctx, wants_json(request))


@pages.get("/index.atom")
async def front_atom(request: Request) -> Response:
    return atom.response(request, _settings(request).public_reads, atom.front(_store(request)))


@pages.get("/story/{story_id}")
def story(request: Request, story_id: str) -> Response:
    story_id, as_feed = atom.split(story_id)
    if as_feed:
        if not story_id.isdigit():
            raise HTTPException(404, f"no story {story_id!r}")
        return atom.response(
            request,
            _settings(request).public_reads,
            _page_or_404(atom.story, _store(request), int(story_id)),
        )
    story_id, as_json = split_json(story_id)
    ctx = _page_or_404(story_pages.story_page, _store(request), story_id, _settings(request))
    as_json = wants_json(request, as_json)
    if as_json:  # the chart is the HTML page's picture of the data the JSON already holds
        ctx = {k: v for k, v in ctx.items() if k != "chart"}
    return respond(request, "story.html", ctx, as_json)


@pages.get("/outlets")
@pages.get("/outlets.json")
async def outlets(request: Request) -> Response:
    ctx = {
        "heading": "Outlets",
        "kind": "outlet",
        "items": article_pages.facet(_store(request), "outlet"),
    }
    return respond(request, "facets.html", ctx, wants_json(request))


@pages.get("/outlet/{name:path}")
async def outlet(request: Request, name: str, page: Page = 1, size: Size = PAGE_SIZE) -> Response:
    name, as_json = split_json(name)
    ctx = listing(_store(request), page, size, outlet=name)
    if not ctx["articles"] and page == 1:
        raise HTTPException(404, f"no outlet {name!r}")
    ctx.update(heading=name, kind="outlet", name=name)
    return respond(request, "listing.html", ctx, wants_json(request, as_json))


@pages.get("/categories")
@pages.get("/categories.json")
async def categories(request: Request) -> Response:
    ctx = {
        "heading": "Categories",
        "kind": "category",
        "items": article_pages.facet(_store(request), "category"),
    }
    return respond(request, "facets.html", ctx, wants_json(request))


@pages.get("/category/{name:path}")
async def category(request: Request, name: str, page: Page = 1, size: Size = PAGE_SIZE) -> Response:
    name, as_json = split_json(name)
    ctx = listing(_store(request), page, size, category=name)
    if not ctx["articles"] and page == 1:
        raise HTTPException(404, f"no category {name!r}")
    ctx.update(heading=name, kind="category", name=name)
    return respond(request, "listing.html", ctx, wants_json(request, as_json))


def _entities(request: Request, kind: str, page: int, size: int) -> Response:
    ctx = people_pages.people_page(_store(request), page, size, kind=kind)
    ctx.update(kind=kind, heading="People" if kind == "person" else "Organizations")
    return respond(request, "people.html", ctx, wants_json(request))


def _entity(request: Request, kind: str, name: str, page: int, size: int) -> Response:
    name, as_feed = atom.split(name)
    if as_feed:
        return atom.response(
            request,
            _settings(request).public_reads,
            _page_or_404(atom.person, _store(request), name, kind),
        )
    name, as_json = split_json(name)
    ctx = _page_or_404(people_pages.person_page, _store(request), name, page, size)
    ctx["kind"] = kind
    return respond(request, "person.html", ctx, wants_json(request, as_json))


@pages.get("/people")
@pages.get("/people.json")
async def people(request: Request, page: Page = 1, size: Size = PAGE_SIZE) -> Response:
    return _entities(request, "person", page, size)


@pages.get("/person/{name:path}")
async def person(request: Request, name: str, page: Page = 1, size: Size = PAGE_SIZE) -> Response:
    return _entity(request, "person", name, page, size)


@pages.get("/organizations")
@pages.get("/organizations.json")
async def organizations(request: Request, page: Page = 1, size: Size = PAGE_SIZE) -> Response:
    return _entities(request, "organization", page, size)


@pages.get("/organization/{name:path}")
async def organization(
    request: Request, name: str, page: Page = 1, size: Size = PAGE_SIZE
) -> Response:
    return _entity(request, "organization", name, page, size)


@pages.get("/sources")
@pages.get("/sources.json")
async def followed_sources(request: Request) -> Response:
    """The sources ``newsdesk watch`` follows and where their polling stands."""
    items = [asdict(s) for s in libapi.followed_sources(_store(request))]
    return respond(request, "sources.html", {"items": items}, wants_json(request))


SinceQ = Annotated[date | None, Query(description="Published on or after this day (YYYY-MM-DD).")]
UntilQ = Annotated[date | None, Query(description="Published on or before this day (YYYY-MM-DD).")]
ModeQ = Annotated[
    str, Query(pattern="^(hybrid|text|semantic)$", description="hybrid, text or semantic.")
]


@pages.get("/search")
@pages.get("/search.json")
def search_page(
    request: Request,
    q: str = "",
    page: Page = 1,
    size: Size = PAGE_SIZE,
    since: SinceQ = None,
    until: UntilQ = None,
    outlet: str = "",
    person: str = "",
    story: str = "",
    mode: ModeQ = "hybrid",
) -> Response:
    ctx = search_pages.search_page(
        _store(request),
        _settings(request),
        q,
        page,
        size,
        since,
        until,
        outlet,
        person,
        story,
        mode,
    )
    return respond(request, "search.html", ctx, wants_json(request))


@pages.get("/search.atom")
def search_atom(request: Request, q: str = "") -> Response:
    """A search as a feed: its newest matching articles (subscribe to a saved search)."""
    if not q.strip():
        raise HTTPException(404, "a search feed needs ?q=")
    results = libapi.search(_store(request), q, limit=atom.MAX_ENTRIES, settings=_settings(request))
    feed = atom.search(_store(request), q, [h.article_id for h in results.hits])
    return atom.response(request, _settings(request).public_reads, feed)


@pages.get("/api")
@pages.get("/api.json")
async def api_index(request: Request) -> Response:
    schema = request.app.openapi()
    endpoints = []
    for path, ops in schema.get("paths", {}).items():
        for method, op in ops.items():
            endpoints.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "parameters": [
                        {"name": p["name"], "in": p["in"], "description": p.get("description", "")}
                        for p in op.get("parameters", [])
                    ],
                }
            )
    ctx = {"info": schema.get("info", {}), "endpoints": endpoints}
    return respond(request, "api.html", ctx, wants_json(request))


# -- the JSON API ------------------------------------------------------------------------------
api = APIRouter(prefix="/api", dependencies=[Depends(can_read)])


@api.get("/articles", tags=["articles"], summary="Latest articles (paginated)")
async def api_articles(
    request: Request,
    page: Page = 1,
    size: Size = PAGE_SIZE,
    outlet: str | None = None,
    category: str | None = None,
) -> Response:
    return respond(request, None, listing(_store(request), page, size, outlet, category), True)


@api.get(
    "/articles/{article_id}",
    tags=["articles"],
    summary="One article: text, metadata, summary, quotes",
)
async def api_article(request: Request, article_id: str) -> Response:
    return respond(
        request, None, _page_or_404(article_pages.article_json, _store(request), article_id), True
    )


@api.post(
    "/articles",
    tags=["articles"],
    summary="Ingest documents (needs the API token)",
    description="One document or a list of them, in the JSONL schema, as JSON; or NDJSON "
    "(`Content-Type: application/x-ndjson`, one document a line). The analysis stages run "
    "on what is new before the response. 201 when something was added.",
    response_model=posted.IngestOut,
    dependencies=[Depends(can_write)],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": posted.DOCUMENTS.json_schema()},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    },
)
async def api_ingest(request: Request) -> JSONResponse:
    docs = posted.documents(request.headers.get("content-type", ""), await request.body())
    if len(docs) > MAX_POST_DOCUMENTS:
        raise HTTPException(413, f"at most {MAX_POST_DOCUMENTS} documents per request")
    if not docs:
        raise HTTPException(422, "no documents")
    report = await run_in_threadpool(_ingest_posted, request, docs)
    ids = list(dict.fromkeys([*report.added_ids, *report.revised_ids, *report.known_ids]))
    out = posted.IngestOut(
        added=report.added,
        unchanged=report.unchanged,
        near_duplicates=report.near_duplicates,
        revised=report.revised,
        ids=ids,
        errors=[f"document {e.source.rsplit(':', 1)[-1]}: {e.reason}" for e in report.errors],
    )
    kept = report.unchanged or report.revised
    status = 201 if report.added else (422 if report.errors and not kept else 200)
    return JSONResponse(out.model_dump(), status_code=status, headers={"Cache-Control": "no-store"})


def _ingest_posted(request: Request, docs: list[posted.ArticleIn]) -> IngestReport:
    """Ingest the posted documents through the JSONL reader (one path for every input)."""
    with tempfile.TemporaryDirectory(prefix="newsdesk-api-") as tmp:
        path = Path(tmp) / "api-post.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for d in docs:
                fh.write(json.dumps(d.model_dump(exclude_none=True), ensure_ascii=False) + "\n")
        return libapi.ingest([str(path)], _store(request), _settings(request))


@api.get("/stories", tags=["stories"], summary="Stories, latest or biggest first (paginated)")
async def api_stories(
    request: Request,
    page: Page = 1,
    size: Size = PAGE_SIZE,
    order: Annotated[str, Query(pattern="^(latest|biggest)$")] = "latest",
) -> Response:
    return respond(request, None, story_pages.stories(_store(request), order, page, size), True)


@api.get(
    "/stories/{story_id}", tags=["stories"], summary="One story: summary, timeline, outlets, quotes"
)
def api_story(request: Request, story_id: str) -> Response:
    ctx = _page_or_404(story_pages.story_page, _store(request), story_id, _settings(request))
    return respond(request, None, ctx, True)


@api.get(
    "/search", tags=["search"], summary="Full-text + semantic search, fused by reciprocal rank"
)
def api_search(
    request: Request,
    q: Annotated[str, Query(description="Words to look for.")],
    page: Page = 1,
    size: Size = PAGE_SIZE,
    since: SinceQ = None,
    until: UntilQ = None,
    outlet: Annotated[str, Query(description="Only this outlet.")] = "",
    person: Annotated[str, Query(description="Only articles quoting/naming this person.")] = "",
    story: Annotated[str, Query(description="Only articles of this story id.")] = "",
    mode: ModeQ = "hybrid",
) -> Response:
    ctx = search_pages.search_page(
        _store(request),
        _settings(request),
        q,
        page,
        size,
        since,
        until,
        outlet,
        person,
        story,
        mode,
    )
    for h in ctx["hits"]:
        h.pop("pieces", None)
    return respond(request, None, ctx, True)


@api.get("/people", tags=["people"], summary="People, most quoted first (paginated)")
async def api_people(request: Request, page: Page = 1, size: Size = PAGE_SIZE) -> Response:
    return respond(request, None, people_pages.people_page(_store(request), page, size), True)


# One dossier handler for both kinds: person_page looks the name up whatever its kind.
@api.get(
    "/people/{name}",
    tags=["people"],
    summary="A person's dossier: roles, quotes, articles (quotes and articles paginated, latest first)",
)
@api.get(
    "/organizations/{name}",
    tags=["people"],
    summary="An organization's dossier (quotes and articles paginated, latest first)",
)
async def api_person(
    request: Request, name: str, page: Page = 1, size: Size = PAGE_SIZE
) -> Response:
    ctx = _page_or_404(people_pages.person_page, _store(request), name, page, size)
    return respond(request, None, ctx, True)


@api.get("/organizations", tags=["people"], summary="Organizations (paginated)")
async def api_organizations(request: Request, page: Page = 1, size: Size = PAGE_SIZE) -> Response:
    ctx = people_pages.people_page(_store(request), page, size, kind="organization")
    return respond(request, None, ctx, True)


@api.get("/outlets", tags=["articles"], summary="Outlets with their article counts")
async def api_outlets(request: Request) -> Response:
    return respond(request, None, {"items": article_pages.facet(_store(request), "outlet")}, True)


@api.get("/categories", tags=["articles"], summary="Categories with their article counts")
async def api_categories(request: Request) -> Response:
    return respond(request, None, {"items": article_pages.facet(_store(request), "category")}, True)


@api.get("/features", tags=["meta"], summary="Which optional parts this server has")
async def api_features(request: Request) -> Response:
    return respond(request, None, request.app.state.features, True)


# -- errors ------------------------------------------------------------------------------------
def install(app: FastAPI) -> None:
    app.include_router(api)
    app.include_router(login.router)
    app.include_router(pages)

    def error_page(request: Request, status: int, detail: Any, headers: dict[str, str]) -> Response:
        if request.url.path.startswith("/api") or wants_json(request):
            return JSONResponse({"detail": detail}, status_code=status, headers=headers)
        page = request.app.state.templates.get_template("error.html")
        body = page.render(status=status, detail=str(detail), **_common(request)).encode()
        return Response(body, status, media_type="text/html; charset=utf-8", headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {}, **{"Cache-Control": "no-store"})
        return error_page(request, exc.status_code, exc.detail, headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        """A bad query parameter: JSON for the API, an error page (not raw JSON) for pages."""
        if request.url.path.startswith("/api") or wants_json(request):
            return await request_validation_exception_handler(request, exc)
        said = "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors())
        return error_page(request, 422, f"bad request ({said})", {"Cache-Control": "no-store"})
