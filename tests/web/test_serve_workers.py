"""`newsdesk serve --workers N`: N server processes on one socket, stopped together by SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from newsdesk.cli import app

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 300  # seconds: each worker imports the web app (11 s on a loaded 2-core machine)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _workers(pid: int) -> list[int]:
    """The server processes under ``pid``: multiprocessing's spawned children (not its
    resource tracker), from /proc."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    out = []
    for child in map(int, children):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:  # gone meanwhile
            continue
        if b"spawn_main" in cmdline:
            out.append(child)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_workers_below_one_is_refused(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["serve", "--db", str(tmp_path / "x.db"), "--workers", "0"])
    assert r.exit_code == 2
    assert "must be 1 or more" in r.output


def test_two_workers_serve_pages_and_stop_on_sigterm(tmp_path: Path, seed_paths) -> None:
    db = str(tmp_path / "news.db")
    r = CliRunner().invoke(app, ["ingest", "--no-stages", *map(str, seed_paths), "--db", db])
    assert r.exit_code == 0, r.output
    port = _port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=str(ROOT), NEWSDESK_API_TOKEN="", OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "newsdesk", "serve", "--db", db, "--port", str(port)]
    proc = subprocess.Popen(
        [*cmd, "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # so that a failed test can still stop the whole group
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        workers: list[int] = []
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()[1].decode()[-2000:]
            workers = _workers(proc.pid)
            try:
                up = httpx.get(base + "/api/features", timeout=5).status_code == 200
            except httpx.HTTPError:
                up = False
            if up and len(workers) == 2:
                break
            time.sleep(0.5)
        assert len(workers) == 2, f"workers: {workers}"
        with httpx.Client(base_url=base, timeout=60) as client:
            for path in ("/", "/articles", "/search?q=president", "/stories", "/api/features"):
                assert client.get(path).status_code == 200, path
        assert all(_alive(w) for w in workers)  # none was restarted as hung meanwhile
        assert _workers(proc.pid) == workers

        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()[-2000:]
        assert b"with 2 processes" in out
        assert b"Traceback" not in err
        assert not any(_alive(w) for w in workers)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
