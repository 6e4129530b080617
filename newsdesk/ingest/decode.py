"""Bytes → text: BOMs, UTF-8, declared charsets, Cyrillic and other legacy encodings.

Steps (first that applies wins):
1. a byte-order mark (UTF-8, UTF-16, UTF-32) says the encoding; UTF-16/32 without one is
   recognised by its NULs in every other (every fourth) byte;
2. strict UTF-8: valid UTF-8 that is not plain ASCII is UTF-8 whatever a page declares;
3. *mostly* UTF-8 (a few stray bytes that are not, typically cp1252 quotes pasted into a
   UTF-8 page): decoded as UTF-8 with each invalid byte repaired as cp1252, not as U+FFFD;
4. an encoding the container declares (HTTP header, ``<meta charset>``, ``<?xml encoding?>``)
   passed as ``declared`` or found in the first bytes — except that a declared Cyrillic
   single-byte encoding is checked against its rivals (pages labelled cp1251 that are koi8-r
   are common);
5. detection (charset-normalizer), with the same Cyrillic check: cp1251 and koi8-r put upper
   and lower case at swapped byte ranges, so real Russian/Ukrainian text decoded with the wrong
   one is mostly capitals; we pick the decoding that gives the most ordinary (lower-case)
   Cyrillic text.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes

from newsdesk.errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: its BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Mostly UTF-8: at least this many correctly encoded non-ASCII characters per invalid byte.
# Cyrillic cp1251 text happens to contain a few valid UTF-8 pairs (upper-case letter + "і"),
# but far fewer than its invalid bytes, so a ratio of 3 separates the two cleanly.
_MOSTLY_UTF8_RATIO = 3

_CYRILLIC_SINGLE_BYTE = frozenset(
    codecs.lookup(e).name
    for e in ("cp1251", "koi8_r", "koi8_u", "iso8859_5", "cp866", "mac_cyrillic")
)

_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)"""
    rb"""|<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""",
    re.IGNORECASE,
)

# WHATWG: browsers treat these labels as windows-1252, and so do we.
_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252"}

_HEAD = 4096  # bytes searched for a declaration


def declared_encoding(data: bytes) -> str | None:
    """The encoding a document declares in its first bytes (meta charset or XML declaration)."""
    m = _DECLARED.search(data[:_HEAD])
    if not m:
        return None
    label = (m.group(1) or m.group(2)).decode("ascii").lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode(name: str, data: bytes, declared: str | None = None) -> str:
    """Decode ``data``; ``declared`` is an encoding the container states (HTTP/meta charset).

    NUL characters are dropped from the result: no text means one, and a scraped page may
    carry a few stray ones.
    """
    text = _decode(name, data, declared)
    return text.replace("\x00", "") if "\x00" in text else text


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a byte-order mark (NULs in every other byte), or None."""
    head = data[:4096]
    even, odd = head[0::2], head[1::2]
    if len(even) < 4 or len(odd) < 4:
        return None
    e, o = even.count(0) / len(even), odd.count(0) / len(odd)
    if min(e, o) > 0.45:
        enc = "utf-32-le" if data[:1] != b"\x00" else "utf-32-be"
    elif o > 0.3 and e < 0.05:
        enc = "utf-16-le"
    elif e > 0.3 and o < 0.05:
        enc = "utf-16-be"
    else:
        return None
    return data[: len(data) // 4 * 4 if "32" in enc else len(data) // 2 * 2].decode(
        enc, errors="replace"
    )


def _decode(name: str, data: bytes, declared: str | None) -> str:
    # 1. byte-order marks
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc, errors="replace")
    wide = _utf16_without_bom(data) if b"\x00" in data[:4096] else None
    if wide is not None:
        return wide
    # 2. strict UTF-8
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # 3. mostly UTF-8 with stray single-byte characters
    repaired = _repair_mixed(data)
    if repaired is not None:
        return repaired
    # 4. what the document says
    declared = _lookup(declared) or declared_encoding(data)
    if declared and declared not in {"utf-8", "utf-16", "utf-32"}:
        if declared in _CYRILLIC_SINGLE_BYTE:
            return _best_cyrillic(data)
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    # 5. detection
    return _detect(name, data)


def _lookup(label: str | None) -> str | None:
    if not label:
        return None
    label = _ALIASES.get(label.strip().lower(), label.strip().lower())
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _cp1252_repair(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    # cp1252 leaves five bytes undefined; latin-1 maps every byte, so use it for those.
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in bad), exc.end


codecs.register_error("newsdesk-cp1252", _cp1252_repair)


def _repair_mixed(data: bytes) -> str | None:
    """UTF-8 text with a few invalid bytes repaired as cp1252, or None if it is not mostly UTF-8."""
    rough = data.decode("utf-8", errors="replace")
    bad = rough.count("\ufffd")
    good = sum(1 for ch in rough if ord(ch) > 127) - bad
    if good < _MOSTLY_UTF8_RATIO * bad:
        return None
    return data.decode("utf-8", errors="newsdesk-cp1252")


# The most frequent letters of Russian and Ukrainian prose (≈ 70 % of letters in either).
_COMMON_CYRILLIC = frozenset("оеаинтсрвлкдмупяі")


def _cyrillic_score(text: str) -> float:
    """How much ``text`` looks like ordinary Cyrillic prose (0..1).

    A wrong single-byte decoding permutes the letters: the frequent lower-case letters of real
    prose turn into rare letters, capitals or box-drawing symbols, so the share of common
    lower-case Cyrillic letters among all letters drops sharply.
    """
    common = letters = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
            if ch in _COMMON_CYRILLIC:
                common += 1
        elif ch > "\x7f" and unicodedata.category(ch).startswith("S"):
            letters += 1  # box drawing and other symbols: what a letter became in a wrong decoding
    return common / letters if letters else 0.0


def _best_cyrillic(data: bytes) -> str:
    sample = data[:100_000]
    best, best_score = "cp1251", -1.0
    for enc in ("cp1251", "koi8_r", "koi8_u", "iso8859_5", "cp866"):
        score = _cyrillic_score(sample.decode(enc, errors="replace"))
        if score > best_score + 1e-9:
            best, best_score = enc, score
    return data.decode(best, errors="replace")


def _detect(name: str, data: bytes) -> str:
    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        raise InputError(name, "cannot determine the text encoding")
    enc = codecs.lookup(best.encoding).name
    text = data.decode(enc, errors="replace")
    if (enc in _CYRILLIC_SINGLE_BYTE or _cyrillic_score(text) > 0.3) and _has_high_bytes_cyrillic(
        data
    ):
        return _best_cyrillic(data)
    return text


def _has_high_bytes_cyrillic(data: bytes) -> bool:
    """Whether a Cyrillic single-byte decoding makes sense: many bytes ≥ 0xC0 (letters there)."""
    sample = data[:100_000]
    high = sum(1 for b in sample if b >= 0xC0)
    return high >= 0.1 * sum(1 for b in sample if b >= 0x80)
