"""Request limits and write guards (issue 20): path traversal on static routes, oversized URLs
and bodies refused before parsing, the token compared in constant time, a write rate limit."""

from __future__ import annotations

import hmac
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
import uvicorn
from fastapi.testclient import TestClient

from newsdesk.settings import Settings
from newsdesk.store import Store
from newsdesk.web.app import MAX_BODY_BYTES, create_app
from tests.web.conftest import TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def client(web_store: Store, web_settings: Settings) -> TestClient:
    return TestClient(create_app(web_settings, store=web_store))


@pytest.fixture(scope="module")
def live(web_store: Store, web_settings: Settings) -> Iterator[int]:
    """A real uvicorn server (raw request paths reach it unnormalised), its port."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(web_settings, store=web_store)
    srv = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield port
    srv.should_exit = True
    thread.join(timeout=10)
    sock.close()


def _raw_get(port: int, path: str) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../../../etc/passwd",
        "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/%252e%252e/%252e%252e/etc/passwd",
        "/static/..\\..\\..\\etc\\passwd",
        "/static/../app.py",
        "/static/%2e%2e/app.py",
        "/static//etc/passwd",
        "/favicon.ico/../../etc/passwd",
    ],
)
def test_static_routes_never_leave_their_folder(live: int, path: str) -> None:
    status, body = _raw_get(live, path)
    assert status in {400, 404}, (status, body[:200])
    assert b"root:" not in body and b"def create_app" not in body


def test_oversized_urls_and_bodies_are_refused(client: TestClient) -> None:
    assert client.get("/search?q=" + "a" * 10_000).status_code == 414
    big = b"[" + b'{"text": "x"},' * (MAX_BODY_BYTES // 14) + b'{"text": "x"}]'
    r = client.post(
        "/api/articles", content=big, headers=AUTH | {"content-type": "application/json"}
    )
    assert r.status_code == 413 and "request body over" in r.json()["detail"]
    r = client.post(
        "/api/articles",
        content=b"[]",
        headers=AUTH | {"content-type": "application/json", "content-length": "10000000000"},
    )
    assert r.status_code == 413


def test_token_is_compared_in_constant_time(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    r = client.post("/api/articles", json=[], headers={"Authorization": "Bearer wrong-token"})
    assert r.status_code == 401
    assert calls == [(b"wrong-token", TOKEN.encode())]


def test_writes_are_rate_limited(web_store: Store, web_settings: Settings) -> None:
    app = create_app(replace(web_settings, write_rate_limit=3), store=web_store)
    with TestClient(app) as c:
        codes = [c.post("/api/articles", json=[], headers=AUTH).status_code for _ in range(5)]
        assert codes[:3] == [422, 422, 422]  # no documents: refused by the route, but counted
        assert codes[3:] == [429, 429]
        r = c.post("/api/articles", json=[], headers=AUTH)
        assert r.headers["retry-after"] == "60"
        assert c.get("/").status_code == 200  # reads are not limited
