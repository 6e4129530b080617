"""Ingest on a real local Dask cluster stores exactly what a local ingest stores."""

import json

import pytest

from newsdesk import api
from newsdesk.api import open_store
from newsdesk.settings import Settings

pytest.importorskip(
    "dask.distributed", reason="the 'scale' extra (dask[distributed]) is not installed"
)


@pytest.mark.slow
def test_dask_ingest_matches_local(tmp_path, seed_paths):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(6):
        (folder / f"{i}.jsonl").write_text(
            json.dumps({"url": f"https://e.org/{i}", "title": f"T{i}", "text": f"Story {i}. " * 30})
            + "\n"
        )
    (folder / "bad.bin").write_bytes(b"\x00\x01\x02")
    paths = [str(folder), *map(str, seed_paths)]

    local = open_store(str(tmp_path / "local.db"))
    r1 = api.ingest(paths, local, Settings.load(db="x"), run_stages=False)
    dist = open_store(str(tmp_path / "dist.db"))
    r2 = api.ingest(paths, dist, Settings.load(db="x", workers=2), run_stages=False)

    assert (r1.added, r1.seen, len(r1.errors)) == (r2.added, r2.seen, len(r2.errors)) == (8, 8, 1)
    assert r2.errors[0].source.endswith("bad.bin")
    ids = lambda s: [(a.id, a.title, a.duplicate_of) for a in s.iter_articles()]  # noqa: E731
    assert ids(local) == ids(dist)
    local.close()
    dist.close()


@pytest.mark.slow
def test_dask_ingest_fetches_urls_when_asked(tmp_path):
    import functools
    import http.server
    import threading

    site = tmp_path / "site"
    site.mkdir()
    (site / "a.jsonl").write_text(
        json.dumps({"url": "https://e.org/a", "text": "Fetched story. " * 20})
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/a.jsonl"
        store = open_store(str(tmp_path / "f.db"))
        report = api.ingest(
            [url],
            store,
            Settings.load(db="x", workers=1, fetch_private_addresses=True),
            run_stages=False,
            fetch=True,
        )
        assert report.added == 1 and report.ok, report.errors
        store.close()
    finally:
        server.shutdown()
