"""WARC archives (warcio): every HTML page captured in them goes through the HTML path.

- ``response`` records (and ``resource`` records) whose payload is HTML become pages: URL from
  ``WARC-Target-URI``, encoding from the HTTP ``Content-Type`` (else the page's own
  declaration), and ``WARC-Date`` as the publication date when the page states none;
- everything else (requests, metadata, warcinfo, revisits, images, redirects, errors) is skipped
  quietly;
- a broken record is reported as one error naming the file, the record number and its byte
  offset, and reading resumes at the next record boundary found after it (the next gzip member
  of a ``.warc.gz``, the next ``WARC/1.x`` header line of a plain WARC);
- a file that ends inside a record (an interrupted download or copy) is reported as
  "truncated at byte N" and the partial page is not kept.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from newsdesk.ingest.decode import declared_encoding, decode
from newsdesk.models import IngestError, RawDocument

log = logging.getLogger(__name__)

MAX_RECORD_BYTES = 20_000_000  # decompressed payload of one page
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_GZIP_MEMBER = b"\x1f\x8b\x08"
_WARC_HEADER = re.compile(rb"(?:^|\r?\n)WARC/1\.\d\r?\n")


def read_warc(name: str, data: bytes) -> Iterator[RawDocument | IngestError]:
    """Pages of a WARC (gzip or plain); broken records are reported and skipped."""
    gz = data[:2] == b"\x1f\x8b"
    pos = 0
    number = 0  # records seen, for error messages (1-based in messages)
    pages = errors = 0
    while pos < len(data):
        it = ArchiveIterator(io.BytesIO(data[pos:]), check_digests=False)
        records = iter(it)
        failed_at: int | None = None
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except Exception as exc:  # broken headers, bad gzip member, truncated file …
                number += 1
                failed_at = pos + it.offset
                yield _broken(name, number, failed_at, exc)
                errors += 1
                break
            number += 1
            start = pos + it.offset
            try:
                _check(record)
                doc = _page(name, number, record)
                missing = _unread(record)
            except Exception as exc:  # a payload that cannot be read (bad chunking, gzip …)
                failed_at = start
                yield _broken(name, number, start, exc)
                errors += 1
                break
            if missing:
                # the file ends inside this record: its page is partial, so none of it is kept
                length = int(record.rec_headers.get_header("Content-Length") or 0)
                yield IngestError(
                    f"{name}#record {number} (offset {start})",
                    f"truncated WARC: truncated at byte {len(data)}, inside record {number} "
                    f"({length - missing:,} of its {length:,} content bytes present)",
                )
                errors += 1
                break
            if doc is not None:
                pages += 1
                yield doc
        if failed_at is None:
            break
        pos = _next_boundary(data, failed_at + 1, gz)
    if pages == 0 and errors == 0:
        yield IngestError(name, f"no HTML pages in this WARC ({number} records)")


class _BrokenRecord(ValueError):
    pass


def _check(record: Any) -> None:
    # warcio yields a header block it cannot make sense of as a record with no type, and then
    # takes the rest of the file as its content: that is a broken record, not the end.
    missing = [h for h in ("WARC-Type", "Content-Length") if not record.rec_headers.get_header(h)]
    if missing:
        raise _BrokenRecord(f"record header without {' and '.join(missing)}")


def _unread(record: Any) -> int:
    """Bytes of the record's declared content the file does not have (0 for a whole record)."""
    raw = record.raw_stream
    while raw.read(1 << 16):  # what the page reader left (non-HTML records, trailing bytes)
        pass
    return int(getattr(raw, "limit", 0) or 0)


def _broken(name: str, number: int, offset: int, exc: Exception) -> IngestError:
    if isinstance(exc, _BrokenRecord | ArchiveLoadFailed):
        reason = str(exc)
    else:  # warcio fails deep inside on malformed headers; name the exception
        reason = f"malformed record ({exc.__class__.__name__}: {exc})"
    reason = " ".join(reason.split())[:200]
    return IngestError(f"{name}#record {number} (offset {offset})", f"broken WARC record: {reason}")


def _next_boundary(data: bytes, start: int, gz: bool) -> int:
    if gz:
        found = data.find(_GZIP_MEMBER, start)
        return found if found >= 0 else len(data)
    m = _WARC_HEADER.search(data, start)
    if not m:
        return len(data)
    return m.start() + (len(m.group(0)) - len(m.group(0).lstrip(b"\r\n")))


def _page(name: str, number: int, record: Any) -> RawDocument | None:
    if record.rec_type not in {"response", "resource"}:
        return None
    if record.rec_type == "response":
        http = record.http_headers
        if http is None:
            return None
        status = http.get_statuscode() or ""
        if not status.startswith("2"):
            return None
        ctype = http.get_header("Content-Type") or ""
    else:
        ctype = record.rec_headers.get_header("Content-Type") or ""
    if not ctype.lower().lstrip().startswith(_HTML_TYPES):
        return None
    payload = record.content_stream().read(MAX_RECORD_BYTES + 1)
    if len(payload) > MAX_RECORD_BYTES:
        raise ValueError(f"HTML payload over {MAX_RECORD_BYTES:,} bytes")
    if not payload.strip():
        return None
    url = record.rec_headers.get_header("WARC-Target-URI")
    m = _CHARSET.search(ctype)
    where = f"{name}#record {number}"
    text = decode(where, payload, m.group(1) if m else declared_encoding(payload))
    fields: dict[str, object] = {}
    warc_date = record.rec_headers.get_header("WARC-Date")
    if warc_date:
        fields["fallback_published"] = warc_date
    return RawDocument(where, "html", text, url=url or None, fields=fields)
