"""The CLI: every command has help with an example; errors are one line, never a traceback."""

from __future__ import annotations

import json

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from newsdesk import api
from newsdesk.cli import app

runner = CliRunner()
COMMANDS = sorted(get_command(app).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_example(name):
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    doc = get_command(app).commands[name].help or ""  # type: ignore[attr-defined]
    assert "Example:" in doc, f"`newsdesk {name}` docstring lacks an Example: line"


def test_ingest_articles_show_export(tmp_path, seed_paths):
    db = str(tmp_path / "c.db")
    r = runner.invoke(app, ["ingest", *map(str, seed_paths), "--db", db])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["articles", "--db", db, "--json"])
    items = json.loads(r.stdout)
    assert len(items) == 2 and all("text" not in i for i in items)
    r = runner.invoke(app, ["show", items[0]["id"][:8], "--db", db, "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["id"] == items[0]["id"]
    r = runner.invoke(app, ["export", "--format", "csv", "--db", db])
    assert r.exit_code == 0 and r.stdout.splitlines()[0].startswith("id,url,title")


def test_unknown_article_is_a_one_line_error(tmp_path):
    api.open_store(str(tmp_path / "e.db")).close()  # an empty store (a missing one is refused)
    r = runner.invoke(app, ["show", "nope", "--db", str(tmp_path / "e.db")])
    assert r.exit_code == 1
    assert "no article 'nope'" in r.output and "Traceback" not in r.output


def test_bad_inputs_give_exit_1_and_keep_good_ones(tmp_path, seed_paths):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00\x01\x02\x03" * 10)
    db = str(tmp_path / "b.db")
    r = runner.invoke(app, ["ingest", str(bad), *map(str, seed_paths), "--db", db])
    assert r.exit_code == 1
    assert f"{bad}: binary file" in r.output
    assert "2 added" in r.output


def test_serve_connections_get_tcp_nodelay():
    """`serve`'s listening socket says TCP, so asyncio sets TCP_NODELAY on each connection
    (without it every two-write response waited ~40 ms for the client's delayed ACK)."""
    import asyncio
    import socket

    from newsdesk.cli.web import listen

    async def check() -> int:
        sock = listen("127.0.0.1", 0)
        seen: list[int] = []
        accepted = asyncio.Event()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            conn = writer.get_extra_info("socket")
            seen.append(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            accepted.set()
            writer.close()

        server = await asyncio.start_server(handle, sock=sock)
        async with server:
            _, w = await asyncio.open_connection(*sock.getsockname()[:2])
            await asyncio.wait_for(accepted.wait(), timeout=60)  # a loaded machine is slow
            w.close()
        return seen[0]

    # A thread of its own: a browser test earlier in the same worker can leave an event loop
    # running in the main thread, where asyncio.run() refuses to start.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, check()).result(timeout=120) != 0
