"""Fetching URLs (only inside :func:`fetch_enabled`: ``newsdesk ingest --fetch``, ``watch``).

http(s) only, whatever listed the URL (an argument, an OPML file, a feed, a sitemap, a URL
list, the API), with a timeout, a size limit and a redirect limit; every failure is an
:class:`~newsdesk.errors.InputError` naming the URL. A redirect to another scheme is refused.

Server-side request forgery: a fetched list could name ``http://127.0.0.1:…`` or
``http://169.254.169.254/`` (a cloud metadata service) and have newsdesk store and publish what
answers there. So every connection is checked *after* it is made, on the address the socket is
connected to (which also covers redirects and DNS names that resolve to an internal address):
loopback, link-local, private, shared, reserved and multicast addresses are refused unless
setting ``fetch_private_addresses`` allows them (tests serving on loopback turn it on).
Fetching through a proxy checks the proxy's address.

:func:`get` is the conditional GET of ``newsdesk watch``: it sends ``If-None-Match`` /
``If-Modified-Since`` and reports a 304 as "not modified" instead of an error.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from http.client import HTTPMessage
from typing import IO, Any

from newsdesk.errors import InputError

FETCH_TIMEOUT = 20.0  # seconds per connection attempt / read
MAX_REDIRECTS = 5
USER_AGENT = "newsdesk/0.1 (+https://github.com/newsdesk; feed and page ingest)"


@dataclass(slots=True)
class _FetchState:
    max_bytes: int
    timeout: float
    allow_private: bool = False
    seen: set[str] = field(default_factory=set)  # URLs fetched in this run (OPML loops)


_FETCH: ContextVar[_FetchState | None] = ContextVar("newsdesk_fetch", default=None)


def is_url(name: str) -> bool:
    """Whether ``name`` is an http(s) URL with a host: the only URLs newsdesk fetches."""
    if not name.lower().startswith(("http://", "https://")):
        return False
    try:
        return bool(urllib.parse.urlsplit(name).hostname)
    except ValueError:  # e.g. a malformed IPv6 literal
        return False


def check_url(where: str, url: str) -> str:
    """``url`` stripped, if it is an http(s) URL; else an InputError naming ``where``."""
    url = url.strip()
    if not is_url(url):
        shown = url if len(url) <= 100 else url[:100] + "…"
        raise InputError(where, f"not an http(s) URL ({shown!r}); only http and https are fetched")
    return url


@contextmanager
def fetch_enabled(
    max_bytes: int, timeout: float = FETCH_TIMEOUT, allow_private: bool = False
) -> Iterator[None]:
    """Inside this block, URL inputs (and the feeds OPML files list) are fetched.

    ``allow_private``: setting ``fetch_private_addresses`` (off: internal addresses refused).
    """
    token = _FETCH.set(_FetchState(max_bytes, timeout, allow_private))
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


class _AddressRefused(OSError):
    """A connection to an internal address (loopback, private, link-local …) while refused."""


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _guarded_connection(
    address: tuple[str, int], timeout: float | None = None, source_address: object = None
) -> socket.socket:
    """``socket.create_connection``, then the SSRF check on the address actually connected to."""
    sock = socket.create_connection(address, timeout, source_address)  # type: ignore[arg-type]
    state = _FETCH.get()
    if state is not None and not state.allow_private:
        peer = sock.getpeername()[0]
        if _internal(peer):
            sock.close()
            raise _AddressRefused(
                f"refused: {address[0]} is an internal address ({peer}); "
                "setting fetch_private_addresses allows it"
            )
    return sock


class _GuardedHTTP(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_connection


class _GuardedHTTPS(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_connection


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTP, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTPS, req, context=self._context)  # type: ignore[attr-defined]


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


# urllib's own handlers, with the two connection classes swapped for the guarded ones
_OPENER = urllib.request.build_opener(_Redirects(), _HTTPHandler(), _HTTPSHandler())


@dataclass(frozen=True, slots=True)
class Response:
    """One conditional GET: ``body`` is None when the server answered 304 Not Modified."""

    url: str  # after redirects
    body: bytes | None
    etag: str | None
    last_modified: str | None
    content_type: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.body is None


def fetch(url: str, max_bytes: int) -> bytes:
    """The body at ``url`` (http/https only), bounded in time, size and redirects.

    Each URL is fetched once per :func:`fetch_enabled` block (feed lists that loop).
    """
    state = _FETCH.get()
    if state is None:
        raise InputError(url, "fetching URLs needs --fetch")
    check_url(url, url)
    if url in state.seen:
        raise InputError(url, "already fetched in this run (feed list loop?)")
    state.seen.add(url)
    body = get(url, max_bytes).body
    assert body is not None  # no validators sent: never a 304
    return body


def get(
    url: str, max_bytes: int, etag: str | None = None, last_modified: str | None = None
) -> Response:
    """GET ``url`` inside :func:`fetch_enabled`; with ``etag``/``last_modified`` a conditional GET."""
    state = _FETCH.get()
    if state is None:
        raise InputError(url, "fetching URLs needs --fetch")
    check_url(url, url)
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)
    try:
        with _OPENER.open(request, timeout=state.timeout) as resp:
            length = resp.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise InputError(
                    url, f"response too large ({int(length):,} bytes; limit {max_bytes:,})"
                )
            body = resp.read(max_bytes + 1)
            final = resp.geturl()
            got_etag = resp.headers.get("ETag")
            got_modified = resp.headers.get("Last-Modified")
            ctype = resp.headers.get("Content-Type")
    except _RedirectRefused as exc:
        raise InputError(url, str(exc)) from exc
    except urllib.error.HTTPError as exc:
        if exc.code == 304 and (etag or last_modified):
            return Response(
                url,
                None,
                exc.headers.get("ETag") or etag,
                exc.headers.get("Last-Modified") or last_modified,
            )
        if 300 <= exc.code < 400 and "not allowed" in str(exc.msg):  # urllib: file:, data: …
            raise InputError(url, "refused redirect to a non-HTTP URL") from exc
        if 300 <= exc.code < 400:
            raise InputError(url, f"too many redirects (more than {MAX_REDIRECTS})") from exc
        raise InputError(url, f"HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, _AddressRefused):
            raise InputError(url, str(reason)) from exc
        if isinstance(reason, socket.timeout | TimeoutError):
            raise InputError(url, f"timed out after {state.timeout:g}s") from exc
        raise InputError(url, f"cannot fetch: {reason}") from exc
    except _AddressRefused as exc:
        raise InputError(url, str(exc)) from exc
    except TimeoutError as exc:
        raise InputError(url, f"timed out after {state.timeout:g}s") from exc
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise InputError(url, f"cannot fetch: {exc}") from exc
    if len(body) > max_bytes:
        raise InputError(url, f"response too large (over {max_bytes:,} bytes)")
    # a gzip body (Content-Encoding or a .gz file) is undone, bounded, by sources.read_source
    return Response(final, body, got_etag, got_modified, ctype)
