"""Fetching URLs (only inside :func:`fetch_enabled`, i.e. ``newsdesk ingest --fetch``).

http(s) only, with a timeout, a size limit and a redirect limit; every failure is an
:class:`~newsdesk.errors.InputError` naming the URL. A redirect to another scheme is refused.
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from http.client import HTTPMessage
from typing import IO

from newsdesk.errors import InputError

FETCH_TIMEOUT = 20.0  # seconds per connection attempt / read
MAX_REDIRECTS = 5
USER_AGENT = "newsdesk/0.1 (+https://github.com/newsdesk; feed and page ingest)"


@dataclass(slots=True)
class _FetchState:
    max_bytes: int
    timeout: float
    seen: set[str] = field(default_factory=set)  # URLs fetched in this run (OPML loops)


_FETCH: ContextVar[_FetchState | None] = ContextVar("newsdesk_fetch", default=None)


def is_url(name: str) -> bool:
    return name.startswith(("http://", "https://"))


@contextmanager
def fetch_enabled(max_bytes: int, timeout: float = FETCH_TIMEOUT) -> Iterator[None]:
    """Inside this block, URL inputs (and the feeds OPML files list) are fetched."""
    token = _FETCH.set(_FetchState(max_bytes, timeout))
    try:
        yield
    finally:
        _FETCH.reset(token)


def fetching() -> bool:
    return _FETCH.get() is not None


def fetch_limit() -> int:
    state = _FETCH.get()
    return state.max_bytes if state else 0


class _RedirectRefused(Exception):
    pass


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if not is_url(newurl):  # never follow a redirect to file:, ftp: …
            raise _RedirectRefused(f"refused redirect to a non-HTTP URL ({newurl[:100]})")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_Redirects())


def fetch(url: str, max_bytes: int) -> bytes:
    """The body at ``url`` (http/https only), bounded in time, size and redirects."""
    state = _FETCH.get()
    if state is None:
        raise InputError(url, "fetching URLs needs --fetch")
    if url in state.seen:
        raise InputError(url, "already fetched in this run (feed list loop?)")
    state.seen.add(url)
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
    )
    try:
        with _OPENER.open(request, timeout=state.timeout) as resp:
            length = resp.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise InputError(
                    url, f"response too large ({int(length):,} bytes; limit {max_bytes:,})"
                )
            body = resp.read(max_bytes + 1)
    except _RedirectRefused as exc:
        raise InputError(url, str(exc)) from exc
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400 and "not allowed" in str(exc.msg):  # urllib: file:, data: …
            raise InputError(url, "refused redirect to a non-HTTP URL") from exc
        if 300 <= exc.code < 400:
            raise InputError(url, f"too many redirects (more than {MAX_REDIRECTS})") from exc
        raise InputError(url, f"HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, socket.timeout | TimeoutError):
            raise InputError(url, f"timed out after {state.timeout:g}s") from exc
        raise InputError(url, f"cannot fetch: {reason}") from exc
    except TimeoutError as exc:
        raise InputError(url, f"timed out after {state.timeout:g}s") from exc
    except (OSError, ValueError) as exc:
        raise InputError(url, f"cannot fetch: {exc}") from exc
    if len(body) > max_bytes:
        raise InputError(url, f"response too large (over {max_bytes:,} bytes)")
    return body
