"""Property-based fuzzing (hypothesis) of every parser entry point (issue 20): on any input each
reader yields documents or one-line errors, and each function that may refuse raises only
:class:`InputError`; extraction and article building never raise anything else either."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from newsdesk.errors import InputError
from newsdesk.ingest import sources
from newsdesk.ingest.articles import build_article, extract
from newsdesk.ingest.decode import decode
from newsdesk.ingest.feeds import feed_urls, read_feed
from newsdesk.ingest.html import read_html
from newsdesk.ingest.jsonl import read_jsonl
from newsdesk.ingest.lists import read_sitemap, read_url_list
from newsdesk.ingest.plaintext import read_plaintext
from newsdesk.ingest.warc import read_warc
from newsdesk.models import IngestError, RawDocument
from newsdesk.settings import Settings
from tests.reliability.conftest import full

pytestmark = pytest.mark.slow

FUZZ = hsettings(
    max_examples=400 if full() else 100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# bytes that often start like a format the readers know, so that each gets past its sniffing
PREFIXES = [b"", b"<html><body><article><p>", b"<?xml version='1.0'?><rss><channel><item><title>",
            b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 40\r\n\r\n", b"\x1f\x8b\x08\x00",
            b'{"text": "', b"<opml><body><outline xmlUrl='", b"\xef\xbb\xbf", b"\xff\xfe",
            b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><content type='html'>",
            b"<?xml version='1.0'?><urlset><url><loc>", b"https://example.org/a\n"]  # fmt: skip
inputs = st.builds(lambda p, b: p + b, st.sampled_from(PREFIXES), st.binary(max_size=600))
texts = st.text(max_size=600)
READERS: list[Callable[[str, bytes], Iterator[RawDocument | IngestError]]] = [
    read_feed,
    read_html,
    read_jsonl,
    read_plaintext,
    read_warc,
]
SETTINGS = Settings.load(db=":memory:")


def _documents(items: Iterator[RawDocument | IngestError]) -> list[RawDocument]:
    """The documents; a reader may also refuse its whole input with InputError (the caller,
    ``iter_documents``, reports it as the input's one error line)."""
    docs = []
    try:
        for item in items:
            assert isinstance(item, RawDocument | IngestError)
            if isinstance(item, IngestError):
                assert item.reason and "\n" not in item.reason
            else:
                docs.append(item)
    except InputError as exc:
        assert "\n" not in exc.reason
    return docs


def _build_all(docs: list[RawDocument]) -> None:
    for doc in docs[:5]:
        with contextlib.suppress(InputError):
            build_article(extract(doc), doc.source, SETTINGS)


@FUZZ
@given(data=inputs, which=st.integers(0, len(READERS) - 1))
def test_readers_yield_documents_or_errors(data: bytes, which: int) -> None:
    _build_all(_documents(READERS[which]("fuzz", data)))


@FUZZ
@given(data=inputs)
def test_read_source_sniffs_anything(data: bytes) -> None:
    _build_all(_documents(sources.read_source("fuzz", data, 1_000_000)))


@FUZZ
@given(data=inputs)
def test_refusing_functions_raise_input_error_only(data: bytes) -> None:
    for fn in (
        lambda: sources.sniff("fuzz", data),
        lambda: sources.gunzip("fuzz", data, 100_000),
        lambda: feed_urls("fuzz", data),
        lambda: read_url_list("fuzz", data),
        lambda: read_sitemap("fuzz", data),
    ):
        try:
            fn()
        except InputError as exc:
            assert "\n" not in exc.reason


@FUZZ
@given(
    data=inputs, declared=st.sampled_from([None, "utf-8", "cp1251", "koi8-r", "bogus", "utf-16"])
)
def test_decode_returns_text_or_refuses(data: bytes, declared: str | None) -> None:
    try:
        assert isinstance(decode("fuzz", data, declared), str)
    except InputError as exc:  # "cannot determine the text encoding"
        assert "\n" not in exc.reason


@FUZZ
@given(
    text=texts,
    title=st.none() | texts,
    url=st.none() | st.text(max_size=80),
    published=st.none() | st.text(max_size=30),
    authors=st.lists(st.text(max_size=40), max_size=3),
)
def test_build_article_from_any_fields(text, title, url, published, authors) -> None:
    fields = {"text": text, "title": title, "url": url, "published": published, "authors": authors}
    try:
        a = build_article(fields, "fuzz", SETTINGS)
    except InputError:
        return
    assert a.text and "\x00" not in a.text
    assert all(0 <= s < e <= len(a.text) for s, e in a.sentences)
