"""Briefings out (brief md/html/json), exports of every table, backup of a live store, and the
paper cuts a new user hit (missing --db, id prefixes, stages --db, run with nothing pending)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from lxml import html as lxml_html
from typer.testing import CliRunner

from newsdesk import api
from newsdesk.cli import app
from newsdesk.nlp.tokens import quoted, unquoted
from newsdesk.settings import Settings

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
runner = CliRunner()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int]:
    """A store of the seed pages, analysed; and the thread their two stories form."""
    db = str(tmp_path_factory.mktemp("brief") / "seeds.db")
    store = api.open_store(db)
    settings = Settings.load(db=db)
    report = api.ingest([str(SEEDS)], store, settings)
    assert report.added == 2, report.errors
    threads = api.threads(store)
    store.close()
    assert threads, "the two seed stories form a thread"
    return db, threads[0].id


def test_thread_briefing_markdown(seeded):
    db, thread = seeded
    r = runner.invoke(app, ["brief", f"thread:{thread}", "--db", db])
    assert r.exit_code == 0, r.output
    md = r.output
    assert md.startswith("# Thread: ")
    store = api.open_store(db, create=False)
    try:
        titles = [s.title for s in api.threads(store)[0].stories]
    finally:
        store.close()
    for title in titles:
        assert f"## {title}" in md
    for section in ("### Summary", "### Who said what", "### Articles"):
        assert section in md
    assert "““" not in md and "””" not in md  # quotation marks never doubled


def test_story_briefing_html_is_escaped_and_self_contained(seeded, tmp_path):
    db, _ = seeded
    out = tmp_path / "story.html"
    r = runner.invoke(app, ["brief", "1", "--format", "html", "-o", str(out), "--db", db])
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    doc = lxml_html.fromstring(page)
    assert doc.xpath("//h1") and not doc.xpath("//script")
    assert all(h.startswith(("http://", "https://")) for h in doc.xpath("//a/@href"))
    assert "““" not in page


def test_since_keeps_only_what_is_newer(seeded):
    db, _ = seeded
    store = api.open_store(db, create=False)
    try:
        everything = api.briefing(store, "1")
        nothing = api.briefing(store, "1", since="2999-01-01")
    finally:
        store.close()
    assert everything["articles"] and not nothing["articles"] and not nothing["timeline"]
    assert nothing["summary"] == everything["summary"]  # the story's own summary stays


def test_search_briefing_and_bad_targets(seeded):
    db, _ = seeded
    r = runner.invoke(app, ["brief", "search:Istanbul", "--db", db])
    assert r.exit_code == 0 and r.output.startswith("# Search: Istanbul"), r.output
    r = runner.invoke(app, ["brief", "thread:x", "--db", db])
    assert r.exit_code == 1 and "thread" in r.output
    r = runner.invoke(app, ["brief", "1", "--format", "pdf", "--db", db])
    assert r.exit_code != 0 and "print the html" in r.output


@pytest.mark.parametrize("what", ["stories", "membership", "quotes", "people", "summaries"])
def test_export_every_table(seeded, what):
    db, _ = seeded
    r = runner.invoke(app, ["export", "--what", what, "--db", db])
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    store = api.open_store(db, create=False)
    try:
        expected = {
            "stories": len(api.stories(store, limit=1000)),
            "membership": api.count_articles(store),
            "quotes": len(api.quotes(store, limit=10_000)),
            "people": len(api.people(store, limit=10_000))
            + len(api.people(store, 10_000, kind="org")),
            "summaries": api.count_articles(store),
        }[what]
    finally:
        store.close()
    assert len(rows) == expected and expected > 0
    buf = io.StringIO()
    store = api.open_store(db, create=False)
    try:
        n = api.export(store, "csv", buf, what)
    finally:
        store.close()
    table = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert n == len(table) == expected and set(table[0]) == set(rows[0])


def test_backup_of_a_live_store_has_what_the_wal_holds(tmp_path):
    db = str(tmp_path / "live.db")
    store = api.open_store(db)
    api.ingest([str(SEEDS)], store, Settings.load(db=db), run_stages=False)
    assert Path(db + "-wal").exists()  # the store is open: commits may sit in the WAL
    dest = tmp_path / "copy.db"
    size = api.backup(store, str(dest))
    assert size == dest.stat().st_size > 0
    with sqlite3.connect(dest) as conn:
        assert conn.execute("select count(*) from articles").fetchone()[0] == 2
    r = runner.invoke(app, ["backup", str(dest), "--db", db])
    assert r.exit_code == 1 and "never overwrites" in r.output
    store.close()


# -- paper cuts ----------------------------------------------------------------------------
def test_a_mistyped_db_is_refused_not_created(tmp_path):
    missing = tmp_path / "typo.db"
    for argv in (["articles"], ["stories"], ["show", "abc"], ["sources"], ["run"]):
        r = runner.invoke(app, [*argv, "--db", str(missing)])
        assert r.exit_code == 1 and "no store at" in r.output, (argv, r.output)
    assert not missing.exists()


def test_show_takes_a_unique_prefix_of_any_length(tmp_path):
    db = str(tmp_path / "p.db")
    store = api.open_store(db)
    api.ingest([str(SEEDS)], store, Settings.load(db=db), run_stages=False)
    ids = sorted(a.id for a in store.iter_articles())
    store.close()
    n = next(k for k in range(1, 20) if ids[0][:k] != ids[1][:k])
    r = runner.invoke(app, ["show", ids[0][:n], "--db", db, "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["id"] == ids[0]
    if n > 1:
        r = runner.invoke(app, ["show", ids[0][: n - 1], "--db", db])
        assert r.exit_code == 1 and "more than one article" in r.output


def test_stages_takes_db_and_run_says_when_nothing_is_pending(seeded):
    db, _ = seeded
    r = runner.invoke(app, ["stages", "--db", db, "--json"])
    assert r.exit_code == 0, r.output
    assert all(s["pending"] == 0 for s in json.loads(r.stdout))
    r = runner.invoke(app, ["run", "--db", db])
    assert r.exit_code == 0 and "nothing pending" in r.output


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("“And Facebook said”", "“And Facebook said”"),
        ('"And Facebook said"', "“And Facebook said”"),
        ("“And Facebook …", "“And Facebook …”"),
        ("the players' union", "“the players' union”"),
        ("«Non»", "“Non”"),
    ],
)
def test_quotation_marks_are_never_doubled(text, want):
    assert quoted(text) == want and quoted(quoted(text)) == want
    assert unquoted(want) == want[1:-1]


def test_serve_on_a_busy_port_fails_before_saying_serving(seeded):
    import socket

    db, _ = seeded
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        r = runner.invoke(app, ["serve", "--port", str(port), "--db", db])
    assert r.exit_code == 1 and "cannot listen on 127.0.0.1" in r.output
    assert "serving" not in r.output
