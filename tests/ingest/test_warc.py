"""WARC archives: HTML responses become articles; broken records are reported and skipped."""

from __future__ import annotations

from pathlib import Path

from newsdesk import api
from newsdesk.ingest.warc import read_warc
from newsdesk.models import IngestError, RawDocument

DATA = Path(__file__).parents[1] / "data"


def read(name: str) -> list[RawDocument | IngestError]:
    path = DATA / name
    return list(read_warc(str(path), path.read_bytes()))


def test_html_responses_only():
    items = read("pages.warc.gz")
    assert all(isinstance(i, RawDocument) for i in items)
    assert [i.url for i in items] == ["https://news.example.org/a", "https://news.example.org/b"]
    assert all(i.kind == "html" and i.fields.get("fallback_published") for i in items)
    # the second page was served as windows-1251: the HTTP charset decoded it
    assert "Переговоры продолжатся в Стамбуле" in items[1].content


def test_broken_record_in_gzip_warc_is_reported_and_reading_goes_on():
    items = read("broken.warc.gz")
    errors = [i for i in items if isinstance(i, IngestError)]
    pages = [i for i in items if isinstance(i, RawDocument)]
    assert len(errors) == 1
    assert "broken.warc.gz#record 3 (offset " in errors[0].source
    assert errors[0].reason.startswith("broken WARC record")
    assert [p.url for p in pages] == ["https://news.example.org/a", "https://news.example.org/b"]


def test_broken_record_in_plain_warc_is_reported_and_reading_goes_on():
    items = read("broken.warc")
    errors = [i for i in items if isinstance(i, IngestError)]
    pages = [i for i in items if isinstance(i, RawDocument)]
    assert len(errors) == 1 and "record 3 (offset 1480)" in errors[0].source
    assert "without WARC-Type" in errors[0].reason
    assert [p.url for p in pages] == ["https://news.example.org/a", "https://news.example.org/b"]


def test_warc_without_html(tmp_path):
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "info.warc.gz"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record("info.warc.gz", {"software": "x"}))
    items = list(read_warc(str(path), path.read_bytes()))
    assert len(items) == 1 and "no HTML pages" in items[0].reason


def test_warc_through_ingest_uses_url_and_warc_date(store, settings):
    report = api.ingest([str(DATA / "broken.warc.gz")], store, settings, run_stages=False)
    assert report.added == 2
    assert len(report.errors) == 1 and "broken.warc.gz#record 3" in report.errors[0].source
    urls = sorted(a.url for a in store.iter_articles())
    assert urls == ["https://news.example.org/a", "https://news.example.org/b"]
    assert all(a.published is not None for a in store.iter_articles())  # WARC-Date fallback


def test_gzip_warc_with_another_name_is_sniffed(tmp_path, store, settings):
    odd = tmp_path / "crawl.dat"
    odd.write_bytes((DATA / "pages.warc.gz").read_bytes())
    report = api.ingest([str(odd)], store, settings, run_stages=False)
    assert report.ok and report.added == 2


def test_truncated_warc_names_the_byte_it_ends_at(tmp_path):
    """Issue 20: a WARC cut short (an interrupted download) says where, and keeps no partial page."""
    import gzip

    whole = gzip.decompress((DATA / "pages.warc.gz").read_bytes())
    for name, data in [
        ("cut.warc", whole[: len(whole) * 2 // 3]),
        ("cut.warc.gz", (DATA / "pages.warc.gz").read_bytes()[:1400]),
    ]:
        items = list(read_warc(name, data))
        errors = [i for i in items if isinstance(i, IngestError)]
        pages = [i for i in items if isinstance(i, RawDocument)]
        assert len(errors) == 1, items
        assert f"truncated at byte {len(data)}" in errors[0].reason
        assert [p.url for p in pages] == ["https://news.example.org/a"]  # the whole record only
