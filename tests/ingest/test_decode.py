"""Bytes → text: BOMs, declared charsets, Cyrillic single-byte encodings, mixed UTF-8/cp1252."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from newsdesk.ingest.decode import declared_encoding, decode

DATA = Path(__file__).parents[1] / "data"

RU = "Президент России заявил, что переговоры продолжатся на следующей неделе в Москве."
UK = "Міністр закордонних справ України заявив, що переговори триватимуть у Києві. Їхні партнери згодні."


@pytest.mark.parametrize(
    ("bom", "enc"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_byte_order_marks(bom, enc):
    assert decode("x", bom + RU.encode(enc)) == RU


@pytest.mark.parametrize("enc", ["cp1251", "koi8_r", "utf-8"])
def test_russian_in_each_encoding_without_declaration(enc):
    assert decode("x", RU.encode(enc)) == RU


@pytest.mark.parametrize("enc", ["cp1251", "koi8_u", "utf-8"])
def test_ukrainian_in_each_encoding_without_declaration(enc):
    assert decode("x", UK.encode(enc)) == UK


def test_koi8r_page_mislabelled_as_windows_1251():
    data = (DATA / "koi8r-mislabelled.html").read_bytes()
    assert declared_encoding(data) == "cp1251"
    text = decode("x", data)
    assert "Переговоры продолжатся в Стамбуле" in text


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cp1251.html", "Переговоры продолжатся в Стамбуле"),
        ("cp1251-undeclared.html", "Министр иностранных дел России"),
        ("koi8r.txt", "Министр иностранных дел России"),
        ("uk-cp1251.txt", "Міністр закордонних справ України"),
        ("uk-koi8u.txt", "Міністр закордонних справ України"),
    ],
)
def test_cyrillic_files(name, expected):
    data = (DATA / name).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the file really is in a legacy encoding
    assert expected in decode(name, data)


def test_mostly_utf8_with_stray_cp1252_bytes_is_repaired():
    data = (DATA / "mixed-utf8-cp1252.html").read_bytes()
    text = decode("x", data)
    assert "critics “warn”" in text  # the cp1252 quotes, repaired
    assert "Café owners “cautiously optimistic”" in text  # the UTF-8 around them, intact
    assert "\ufffd" not in text


def test_declared_latin1_is_read_as_cp1252():
    data = (
        b'<html><head><meta charset="ISO-8859-1"></head><body>caf\xe9 \x93quoted\x94</body></html>'
    )
    assert "café “quoted”" in decode("x", data)


def test_xml_encoding_declaration():
    data = '<?xml version="1.0" encoding="windows-1251"?><rss><title>Новости дня</title></rss>'
    raw = data.encode("cp1251")
    assert declared_encoding(raw) == "cp1251"
    assert "Новости дня" in decode("x", raw)


def test_http_declared_encoding_is_used():
    raw = "Grüße aus Köln, schöne Straße".encode("cp1252")
    assert decode("x", raw, declared="windows-1252") == "Grüße aus Köln, schöne Straße"


def test_valid_utf8_wins_over_a_wrong_declaration():
    raw = ('<meta charset="koi8-r"><p>' + RU + "</p>").encode("utf-8")
    assert RU in decode("x", raw)
