"""Bytes → text: BOMs, strict UTF-8, then charset detection (cp1251, koi8-r, latin-1 …)."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from newsdesk.errors import InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(name: str, data: bytes, declared: str | None = None) -> str:
    """Decode ``data``; ``declared`` is an encoding the container states (HTTP/meta charset)."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        raise InputError(name, "cannot determine the text encoding")
    return data.decode(best.encoding, errors="replace")
