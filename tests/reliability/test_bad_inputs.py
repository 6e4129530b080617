"""Bad inputs (issue 20): every input of the generated corpus is ingested cleanly or refused with
one error line naming it, never a traceback; the counts reconcile exactly."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from newsdesk.api import open_store
from newsdesk.store.schema import articles
from tests.reliability import harness
from tests.reliability.bad_inputs import write_corpus
from tests.reliability.conftest import full

pytestmark = pytest.mark.slow

LIMIT = 5_000_000  # max_file_bytes for this corpus: the bomb and the long line exceed it


def test_bad_input_corpus_reconciles(tmp_path: Path) -> None:
    folder = tmp_path / "inputs"
    expect = write_corpus(folder, full(), LIMIT)
    db = str(tmp_path / "bad.db")
    args = [str(folder / name) for name in expect]
    t0 = time.monotonic()
    done = harness.cli(
        "ingest", "--no-stages", *args, db=db, check=False, NEWSDESK_MAX_FILE_BYTES=str(LIMIT)
    )
    seconds = time.monotonic() - t0
    out = done.stderr
    assert "Traceback" not in out, out[-3000:]
    assert done.returncode == 1  # some inputs are refused
    errors = [ln for ln in out.splitlines() if ln.startswith("error: ")]
    summary = out.strip().splitlines()[-1]
    m = re.fullmatch(
        r"(\d+) read, (\d+) added \((\d+) near-duplicates linked\), (\d+) revised, "
        r"(\d+) already present, (\d+) errors",
        summary,
    )
    assert m, summary
    read, added, _, revised, present, n_errors = map(int, m.groups())
    assert n_errors == len(errors)
    store = open_store(db)
    with store.connect() as conn:
        sources = list(conn.scalars(select(articles.c.source)))
    store.close()
    # nothing lost, nothing doubled (a second text at a stored URL is a version, not an article)
    assert added == len(sources) and read == added + revised + present

    def stored_from(name: str) -> int:
        path = str(folder / name)
        return sum(1 for s in sources if s == path or s.startswith(tuple(path + x for x in "#/:")))

    def errors_of(name: str) -> list[str]:
        path = str(folder / name)
        return [e for e in errors if e.startswith(tuple(f"error: {path}{x}" for x in ":#/"))]

    accounted = 0
    for name, what in expect.items():
        got, errs = stored_from(name), errors_of(name)
        accounted += len(errs)
        if what == "ingest":
            assert got >= 1, (name, errs)
        elif what == "refuse":
            assert got == 0 and len(errs) == 1, (name, errs)
        elif what == "any":
            assert got >= 1 or len(errs) == 1, (name, errs)
        elif what == "folder":  # a symlink loop: its one real page once, the dangling link named
            assert got == 1 and len(errs) == 1, (name, errs)
            assert "broken symbolic link" in errs[0], errs
    assert accounted == len(errors), "an error line names no input"
    # the truncated WARC: its first page in, one error saying where the file ends
    assert any("truncated at byte 1400" in e for e in errors_of("truncated.warc.gz"))
    assert stored_from("big-feed.xml") == (100_000 if full() else 2_000)
    assert any("over the limit" in e for e in errors_of("bomb.html.gz"))
    assert any("too large" in e for e in errors_of("long-line.txt"))
    assert seconds < (1800 if full() else 300)
