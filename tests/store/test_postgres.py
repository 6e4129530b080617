"""The store on PostgreSQL: a throwaway PostgreSQL server on 127.0.0.1, started by a fixture.

ingest → articles / show / export → re-ingest, the same calls as on SQLite, through
``postgresql+psycopg://``. Skipped (with the reason) when no PostgreSQL binaries are installed
(``apt-get install postgresql``; ``.ci/run`` does it) or psycopg is missing.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from glob import glob
from pathlib import Path

import pytest

from newsdesk import api
from newsdesk.api import open_store
from newsdesk.settings import Settings

pytestmark = pytest.mark.postgres

DATA = Path(__file__).parents[1] / "data"
INPUTS = [DATA / "hostile.html", DATA / "cp1251.html", DATA / "pages.warc.gz"]


def _bindir() -> Path | None:
    found = sorted(glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    pytest.importorskip(
        "psycopg", reason="psycopg is not installed (pip install 'newsdesk[postgres]')"
    )
    bindir = _bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL binaries (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="newsdesk-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: run it as the postgres user
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()

    def run(*cmd: str) -> None:
        subprocess.run([*as_user, *cmd], check=True, capture_output=True, timeout=120)

    run(
        str(bindir / "initdb"),
        "-D",
        str(data),
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--no-sync",
    )
    opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w", "start")
    try:
        run(
            str(bindir / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "newsdesk",
        )
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/newsdesk"
    finally:
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


def _ingest_both(pg_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = Settings.load(db=pg_url)
    pg = open_store(pg_url)
    lite = open_store(str(tmp_path / "lite.db"))
    paths = [str(p) for p in INPUTS]
    return (
        settings,
        pg,
        lite,
        api.ingest(paths, pg, settings, run_stages=False),
        api.ingest(paths, lite, settings, run_stages=False),
    )


def test_round_trip_on_postgres(pg_url, tmp_path):
    settings, pg, lite, on_pg, on_lite = _ingest_both(pg_url, tmp_path)
    try:
        assert on_pg.ok, on_pg.errors
        assert (on_pg.added, on_pg.near_duplicates) == (on_lite.added, on_lite.near_duplicates)
        # list: same articles, same order, same fields, on both backends
        got = api.articles(pg, limit=50)
        want = api.articles(lite, limit=50)
        assert [a.id for a in got] == [a.id for a in want]
        assert got == want  # dataclass equality: every field, spans, dates with their zones
        # show by id prefix
        assert api.show(pg, got[0].id[:8]) == got[0]
        # filters
        outlet = next(a.outlet for a in got if a.outlet)
        assert {a.outlet for a in api.articles(pg, outlet=outlet)} == {outlet}
        # re-ingest adds nothing
        again = api.ingest([str(p) for p in INPUTS], pg, settings, run_stages=False)
        assert again.added == 0 and again.unchanged == on_pg.added
        # export → ingest into a fresh SQLite store → same articles
        buf = io.StringIO()
        assert api.export(pg, "jsonl", buf) == len(got)
        rows = [json.loads(line) for line in buf.getvalue().splitlines()]
        assert {r["id"] for r in rows} == {a.id for a in got}
        out = tmp_path / "pg.jsonl"
        out.write_text(buf.getvalue(), encoding="utf-8")
        back = open_store(str(tmp_path / "back.db"))
        report = api.ingest([str(out)], back, settings, run_stages=False)
        assert report.ok and report.added == len(got)
        assert {a.id for a in back.iter_articles()} == {a.id for a in got}
        back.close()
        csv_buf = io.StringIO()
        assert api.export(pg, "csv", csv_buf) == len(got)
    finally:
        pg.close()
        lite.close()


def test_migrations_are_idempotent_on_postgres(pg_url):
    first = open_store(pg_url)
    first.close()
    second = open_store(pg_url)  # every registered component already at its version
    assert second.dialect == "postgresql"
    second.close()


def test_revised_articles_on_postgres(pg_url, tmp_path):
    """The same URL with changed text is a version on PostgreSQL too (hash index on url)."""
    settings = Settings.load(db=pg_url)
    pg = open_store(pg_url)
    url = "https://harbour.example/" + "long-slug-" * 400  # over a B-tree entry's 2.7 kB
    first = "The northern pier will close for repairs after inspectors found cracks. " * 4
    paths = []
    for n, text in enumerate([first, first + "Ferries move south.", first]):
        p = tmp_path / f"v{n}.jsonl"
        p.write_text(json.dumps({"url": url, "title": f"Pier {n}", "text": text}) + "\n")
        paths.append(str(p))
    try:
        [aid] = api.ingest([paths[0]], pg, settings, run_stages=False).added_ids
        again = api.ingest([paths[1]], pg, settings, run_stages=False)
        assert (again.added, again.revised, again.revised_ids) == (0, 1, [aid])
        hits = api.search(pg, "ferries", mode="text", settings=settings).hits
        assert [h.article_id for h in hits] == [aid]
        same = api.ingest([paths[1]], pg, settings, run_stages=False)
        assert (same.revised, same.unchanged) == (0, 1)
        back = api.ingest([paths[2]], pg, settings, run_stages=False)
        assert back.revised == 1
        versions = api.article_versions(pg, aid)
        assert [(v.version, v.title) for v in versions] == [
            (1, "Pier 0"),
            (2, "Pier 1"),
            (3, "Pier 2"),
        ]
        assert api.show(pg, aid).text == first.strip()
        changes = api.article_changes(pg, aid, 1, 2)
        assert ("+", "Ferries move south.") in changes.words
        assert api.search(pg, "ferries", mode="text", settings=settings).hits == ()
    finally:
        pg.close()
