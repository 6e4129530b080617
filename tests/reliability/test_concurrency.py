"""Concurrency (issue 20): a CLI ingest, `POST /api/articles` and `newsdesk run` write one SQLite
store at once while pages are read. No "database is locked" (or any error) reaches a user, no
article is lost or doubled, and reads answer within their timeout meanwhile."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.reliability import harness
from tests.reliability.conftest import full

pytestmark = pytest.mark.slow

TOKEN = "concurrency-token"
READ_TIMEOUT = 30.0  # seconds: what a page read may wait behind a writer at most


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_up(base: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError("serve exited")
        try:
            if httpx.get(base + "/", timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise AssertionError("serve did not come up")


def test_cli_ingest_api_posts_and_run_at_once(tmp_path: Path) -> None:
    lines = (harness.DEMO / "allsides-stories.jsonl").read_text(encoding="utf-8").splitlines()
    n = len(lines) if full() else 90
    a, b, c = lines[: n // 3], lines[n // 3 : 2 * n // 3], lines[2 * n // 3 : n]
    db = str(tmp_path / "busy.db")
    seed = tmp_path / "seed.jsonl"
    seed.write_text("\n".join(a) + "\n", encoding="utf-8")
    harness.cli("ingest", "--no-stages", str(seed), db=db)  # `run` has pending work from start
    cli_part = tmp_path / "cli.jsonl"
    cli_part.write_text("\n".join(b) + "\n", encoding="utf-8")
    posts = [json.loads(x) for x in c]

    port = _port()
    base = f"http://127.0.0.1:{port}"
    env = harness.env(NEWSDESK_API_TOKEN=TOKEN, NEWSDESK_BATCH_SIZE="10")
    serve = subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "serve", "--db", db, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    problems: list[str] = []
    slowest = [0.0]
    stop = threading.Event()
    try:
        _wait_up(base, serve)

        def read() -> None:
            with httpx.Client(base_url=base, timeout=READ_TIMEOUT) as client:
                while not stop.is_set():
                    for path in ("/", "/articles", "/search?q=president", "/stories"):
                        t0 = time.monotonic()
                        try:
                            r = client.get(path)
                        except httpx.HTTPError as exc:
                            problems.append(f"GET {path}: {exc!r}")
                            continue
                        slowest[0] = max(slowest[0], time.monotonic() - t0)
                        if r.status_code != 200:
                            problems.append(f"GET {path}: {r.status_code} {r.text[:200]}")

        def post() -> None:
            with httpx.Client(base_url=base, timeout=300) as client:
                for i in range(0, len(posts), 5):
                    r = client.post(
                        "/api/articles",
                        json=posts[i : i + 5],
                        headers={"Authorization": f"Bearer {TOKEN}"},
                    )
                    if r.status_code not in (200, 201):
                        problems.append(f"POST: {r.status_code} {r.text[:300]}")

        reader = threading.Thread(target=read)
        poster = threading.Thread(target=post)
        reader.start()
        cmd = [sys.executable, "-m", "newsdesk"]
        ingest = subprocess.Popen(
            [*cmd, "ingest", str(cli_part), "--db", db], env=env, stderr=subprocess.PIPE, text=True
        )
        run = subprocess.Popen(
            [*cmd, "run", "--db", db], env=env, stderr=subprocess.PIPE, text=True
        )
        poster.start()
        for name, proc in (("ingest", ingest), ("run", run)):
            _, err = proc.communicate(timeout=900)
            if proc.returncode != 0 or "locked" in err:
                problems.append(f"{name} ({proc.returncode}): {err[-1500:]}")
        poster.join(timeout=900)
        stop.set()
        reader.join(timeout=120)
    finally:
        stop.set()
        serve.terminate()
        _, err = serve.communicate(timeout=60)
    assert "locked" not in err.decode("utf-8", "replace"), err[-2000:]
    assert problems == []
    assert slowest[0] < READ_TIMEOUT
    # every article exactly once, all of them analysed, nothing half-written
    assert harness.integrity(db) == []
    finish = harness.cli("run", db=db)
    assert "nothing pending" in finish.stderr, f"work was left pending: {finish.stderr}"
    snap = harness.snapshot(db)
    assert sum(snap["articles"].values()) == n
