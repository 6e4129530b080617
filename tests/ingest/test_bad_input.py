"""Bad input: one line per failure naming the file and the reason, the rest ingested, exit 1."""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from typer.testing import CliRunner

from newsdesk import api
from newsdesk.api import open_store
from newsdesk.cli import app
from newsdesk.settings import Settings

DATA = Path(__file__).parents[1] / "data"
GOOD = DATA / "hostile.html"  # a real page (hostile markup, but a good article)

# file → the reason its one-line error must contain
BAD = {
    "binary.html": "binary file",
    "empty.html": "empty file",
    "truncated.html.gz": "truncated gzip",
    "malformed.html": "no article text",
    "malformed-feed.xml": "malformed feed",
    "sitemap.xml": "list of 1 page: fetching it needs --fetch",  # a sitemap is a list
}


def test_each_bad_input_is_one_line_and_the_rest_is_ingested(tmp_path):
    db = str(tmp_path / "bad.db")
    args = [str(DATA / name) for name in BAD] + [str(GOOD), str(DATA / "broken.warc.gz")]
    r = CliRunner().invoke(app, ["ingest", "--no-stages", "--db", db, *args])
    assert r.exit_code == 1
    assert "Traceback" not in r.output
    lines = [ln for ln in r.output.splitlines() if ln.startswith("error: ")]
    for name, reason in BAD.items():
        mine = [ln for ln in lines if ln.startswith(f"error: {DATA / name}")]
        assert mine, f"no error line for {name}: {r.output}"
        assert any(reason in ln for ln in mine), (name, mine)
    assert any("broken.warc.gz#record 3 (offset" in ln for ln in lines)
    # the good page and the two good pages of the broken WARC are in
    store = open_store(db)
    urls = {a.url for a in store.iter_articles()}
    store.close()
    assert "https://news.example.org/2025/05/tram-extension" in urls
    assert {"https://news.example.org/a", "https://news.example.org/b"} <= urls
    assert r.output.rstrip().splitlines()[-1].endswith(f"{len(lines)} errors")


def test_binary_kinds_are_named(tmp_path, store, settings):
    pdf = tmp_path / "report.html"
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(range(256)))
    png = tmp_path / "photo.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    report = api.ingest([str(pdf), str(png), str(GOOD)], store, settings, run_stages=False)
    reasons = {e.source: e.reason for e in report.errors}
    assert "a PDF document" in reasons[str(pdf)]
    assert "a PNG image" in reasons[str(png)]
    assert report.added == 1


def test_file_over_the_size_limit(tmp_path):
    small = Settings.load(db=str(tmp_path / "s.db"), max_file_bytes=1000)
    store = open_store(small.db)
    big = tmp_path / "big.html"
    big.write_bytes(GOOD.read_bytes() * 2)
    assert big.stat().st_size > 1000
    report = api.ingest([str(big), str(DATA / "cp1251.html")], store, small, run_stages=False)
    assert [(e.source, e.reason.split(" (")[0]) for e in report.errors] == [
        (str(big), "file too large")
    ]
    assert report.added == 1
    store.close()


def test_gzip_bomb_is_bounded(tmp_path):
    small = Settings.load(db=str(tmp_path / "s.db"), max_file_bytes=10_000)
    store = open_store(small.db)
    bomb = tmp_path / "bomb.html.gz"
    bomb.write_bytes(gzip.compress(b"<p>" + b"a" * 5_000_000))
    report = api.ingest([str(bomb)], store, small, run_stages=False)
    assert "decompressed size over the limit" in report.errors[0].reason
    store.close()


def test_size_limit_from_environment_in_the_cli(tmp_path):
    big = tmp_path / "big.html"
    big.write_bytes(GOOD.read_bytes())
    r = CliRunner().invoke(
        app,
        ["ingest", "--no-stages", "--db", str(tmp_path / "e.db"), str(big)],
        env={"NEWSDESK_MAX_FILE_BYTES": "100"},
    )
    assert r.exit_code == 1 and f"error: {big}: file too large" in r.output


@pytest.mark.parametrize(
    "name", ["cp1251.html", "cp1251-undeclared.html", "koi8r-mislabelled.html"]
)
def test_wrong_or_missing_encoding_declarations_still_ingest(name, store, settings):
    report = api.ingest([str(DATA / name)], store, settings, run_stages=False)
    assert report.ok, report.errors
    assert "Министр иностранных дел России" in next(store.iter_articles()).text


def test_mixed_encoding_page_ingests_repaired(store, settings):
    report = api.ingest([str(DATA / "mixed-utf8-cp1252.html")], store, settings, run_stages=False)
    assert report.ok
    a = next(store.iter_articles())
    assert "critics “warn”" in a.text and "\ufffd" not in a.text


def test_missing_and_unmatched_paths(tmp_path, store, settings):
    report = api.ingest(
        [str(tmp_path / "nope.html"), str(tmp_path / "*.warc"), str(GOOD)],
        store,
        settings,
        run_stages=False,
    )
    reasons = [e.reason for e in report.errors]
    assert reasons == ["no such file or directory", "no file matches this pattern"]
    assert report.added == 1


# Arbitrary bytes, often starting like one of the formats we sniff, so every reader gets fuzzed.
PREFIXES = [b"", b"<html><body><p>", b"<?xml version='1.0'?><rss><channel><item>", b"WARC/1.0\r\n",
            b"\x1f\x8b\x08\x00", b"{\"text\": \"", b"<opml><body><outline xmlUrl='", b"\xef\xbb\xbf",
            b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><content type='html'>"]  # fmt: skip


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(prefix=st.sampled_from(PREFIXES), blob=st.binary(max_size=400))
def test_arbitrary_bytes_never_raise_and_never_lose_a_good_file(prefix, blob):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        weird = folder / "a-weird.html"
        weird.write_bytes(prefix + blob)
        (folder / "b-good.html").write_bytes(GOOD.read_bytes())
        s = Settings.load(db=str(Path(tmp) / "p.db"))
        store = open_store(s.db)
        try:
            report = api.ingest([str(folder)], store, s, run_stages=False)  # must not raise
            urls = {a.url for a in store.iter_articles()}
        finally:
            store.close()
        assert "https://news.example.org/2025/05/tram-extension" in urls
        # the weird file is accounted for: an error naming it, or articles read from it
        named = any(e.source.startswith(str(weird)) for e in report.errors)
        assert named or report.seen >= 2
        assert all("\n" not in e.reason for e in report.errors)


def test_a_few_nul_bytes_are_removed_not_refused(tmp_path, store, settings):
    """Issue 20: stray NULs (a bad copy) do not make a page binary; they are dropped."""
    page = GOOD.read_bytes()
    at = page.index(b"<body")
    dirty = tmp_path / "nul.html"
    dirty.write_bytes(page[:at] + b"\x00\x00" + page[at:].replace(b"tram", b"tr\x00am", 3))
    doc = tmp_path / "nul.jsonl"
    doc.write_text(
        '{"title": "Nul\\u0000 title", "text": "A body with a NUL\\u0000 escape in it, '
        'long enough to be an article."}\n'
    )
    report = api.ingest([str(dirty), str(doc)], store, settings, run_stages=False)
    assert report.errors == [] and report.added == 2
    texts = [(a.title or "") + a.text for a in store.iter_articles()]
    assert all("\x00" not in t for t in texts)
    assert any("tram" in t for t in texts)
