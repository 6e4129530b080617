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
    r = runner.invoke(app, ["brief", "1", "--format", "odt", "--db", db])
    assert r.exit_code != 0 and "md, html, json or pdf" in r.output


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


def _pdf_text(data: bytes) -> str:
    pypdf = pytest.importorskip("pypdf", reason="pypdf reads the PDF back (the dev extra)")
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def _outline(data: bytes) -> list[str]:
    import pypdf

    def walk(items: list) -> list[str]:
        out: list[str] = []
        for it in items:
            out += walk(it) if isinstance(it, list) else [str(it["/Title"])]
        return out

    return walk(pypdf.PdfReader(io.BytesIO(data)).outline)


def _font_or_skip() -> None:
    from newsdesk.views.briefing_pdf import FontMissing, font_files

    try:
        font_files()
    except FontMissing as exc:
        pytest.skip(str(exc))


def test_thread_briefing_pdf(seeded, tmp_path):
    """The seeds' thread as PDF: every section's real content reads back from the file."""
    _font_or_skip()
    db, thread = seeded
    out = tmp_path / "thread.pdf"
    r = runner.invoke(
        app, ["brief", f"thread:{thread}", "--format", "pdf", "-o", str(out), "--db", db]
    )
    assert r.exit_code == 0, r.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and f"({len(data):,} bytes)" in r.output
    text = _pdf_text(data)
    store = api.open_store(db, create=False)
    try:
        b = api.briefing(store, f"thread:{thread}")
    finally:
        store.close()
    assert text.startswith(f"Thread: {b['title']}")
    for s in b["stories"]:
        assert " ".join(s["title"].split()) in text
        for x in s["summary"]:
            assert " ".join(x["text"].split()) in text  # every summary sentence
        for q in s["quotes"][:3]:
            assert " ".join(q["text"].split()[:6]) in text  # who said what
        for a in s["articles"]:
            assert " ".join(a["title"].split()) in text
    assert b["positions"] and "Positions" in text  # the seeds' thread has a positions map
    for p in b["positions"]["parties"]:
        assert p in text
    assert b["positions"]["issues"][0]["label"] in text
    titles = _outline(data)  # sections are bookmarks
    assert titles[0] == f"Thread: {b['title']}" and {"Summary", "Who said what"} <= set(titles)
    assert "““" not in text and "””" not in text


def test_pdf_briefing_carries_cyrillic_and_links(tmp_path):
    """A Russian and a Ukrainian report of one story, with links: Cyrillic text in the PDF."""
    _font_or_skip()
    data_dir = Path(__file__).parent / "data"
    records = []
    for name, enc, url, outlet in [
        ("koi8r.txt", "koi8_r", "https://ru.example/talks", "Вести"),
        ("uk-cp1251.txt", "cp1251", "https://ua.example/talks", "Правда"),
    ]:
        title, body = (data_dir / name).read_bytes().decode(enc).split("\n", 1)
        records.append({"url": url, "outlet": outlet, "title": title, "text": body})
    path = tmp_path / "cyr.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    settings = Settings.load(db=str(tmp_path / "cyr.db"))
    store = api.open_store(settings.db)
    try:
        assert api.ingest([str(path)], store, settings).added == 2
        [story] = api.stories(store)
        b = api.briefing(store, str(story.id), settings=settings)
    finally:
        store.close()
    assert b["title"] == "Переговоры продолжатся в Стамбуле"
    data = api.briefing_pdf(b, settings)
    text = _pdf_text(data)
    assert "Переговоры продолжатся в Стамбуле" in text
    assert "Переговори триватимуть у Стамбулі" in text  # the Ukrainian article's title
    assert any(" ".join(x["text"].split()) in text for x in b["summary"])
    assert "Вести" in text and "Правда" in text
    import pypdf

    uris = {
        a["/A"]["/URI"]
        for page in pypdf.PdfReader(io.BytesIO(data)).pages
        for a in (x.get_object() for x in page.get("/Annots") or [])
        if "/A" in a
    }
    assert {"https://ru.example/talks", "https://ua.example/talks"} <= uris


def test_pdf_briefing_needs_a_font_and_says_so(seeded, tmp_path):
    db, _ = seeded
    r = runner.invoke(
        app,
        ["brief", "1", "--format", "pdf", "-o", str(tmp_path / "x.pdf"), "--db", db,
         "--pdf-font", str(tmp_path / "nope.ttf")],
    )  # fmt: skip
    assert r.exit_code == 1 and "no font file" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "x.pdf").exists()


def test_search_briefing_pdf_to_stdout(seeded):
    _font_or_skip()
    db, _ = seeded
    r = runner.invoke(app, ["brief", "search:Istanbul", "--format", "pdf", "--db", db])
    assert r.exit_code == 0 and r.stdout_bytes.startswith(b"%PDF-")
    text = _pdf_text(r.stdout_bytes)
    assert text.startswith("Search: Istanbul") and "Russia Never Intended Real Peace Talks" in text


def test_web_pages_never_double_quotation_marks(seeded):
    # the paper cut was in the briefing and the framing (““And Facebook …””); the pages that
    # show quotes, framing and evidence must not double them either
    from fastapi.testclient import TestClient

    from newsdesk.web.app import create_app

    db, thread = seeded
    store = api.open_store(db, create=False)
    try:
        client = TestClient(create_app(Settings.load(db=db), store=store))
        people = client.get("/people.json").json()["items"]
        assert people
        pages = [
            "/story/1",
            "/story/2",
            f"/thread/{thread}",
            f"/thread/{thread}/positions",
            *(f"/person/{p['id']}" for p in people[:8]),
        ]
        marks = 0
        for path in pages:
            r = client.get(path)
            assert r.status_code == 200, path
            text = lxml_html.fromstring(r.text).text_content()
            marks += text.count("“")
            for doubled in ("““", "””", '“"', '"”', "«“", "”»"):
                assert doubled not in text, (path, doubled)
        assert marks > 0  # the pages do show quoted text
    finally:
        store.close()
