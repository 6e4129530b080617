from sqlalchemy import select

from newsdesk import api
from newsdesk.api import open_store
from newsdesk.store.schema import article_stages, schema_migrations


def test_open_store_migrates_once(tmp_path):
    db = str(tmp_path / "x.db")
    s1 = open_store(db)
    s1.close()
    s2 = open_store(db)  # second open: nothing to do, no error
    with s2.connect() as conn:
        versions = dict(
            conn.execute(select(schema_migrations.c.component, schema_migrations.c.version)).all()
        )
    assert versions["core"] >= 1
    s2.close()


def test_sqlite_uses_wal(store):
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_ingest_is_idempotent(store, settings, seed_paths):
    first = api.ingest([str(p) for p in seed_paths], store, settings)
    assert first.added == 2 and first.ok
    again = api.ingest([str(p) for p in seed_paths], store, settings)
    assert again.added == 0 and again.unchanged == 2
    assert store.count_articles() == 2


def test_export_jsonl_round_trips(store, settings, seed_paths, tmp_path):
    api.ingest([str(p) for p in seed_paths], store, settings)
    out = tmp_path / "out.jsonl"
    with out.open("w") as fh:
        assert api.export(store, "jsonl", fh) == 2
    other = open_store(str(tmp_path / "other.db"))
    report = api.ingest([str(out)], other, settings)
    assert report.added == 2
    a = {x.id: x for x in other.iter_articles()}
    b = {x.id: x for x in store.iter_articles()}
    assert a.keys() == b.keys()
    for k in a:
        assert (a[k].title, a[k].text, a[k].captions, a[k].reading_minutes) == (
            b[k].title,
            b[k].text,
            b[k].captions,
            b[k].reading_minutes,
        )
    other.close()


def test_stage_marks_carry_the_version(store, settings, seed_paths):
    """mark_done records the version; pending_ids counts older versions as pending."""
    api.ingest([str(p) for p in seed_paths], store, settings, run_stages=False)
    ids = [a.id for a in store.iter_articles()]
    assert store.pending_ids("s", 1) == ids
    with store.begin() as conn:
        store.mark_done(conn, "s", ids[:1], 0.5, version=1)
    assert store.pending_ids("s", 1) == ids[1:]
    assert store.pending_ids("s", 2) == ids  # a new version: everything again
    with store.begin() as conn:
        store.mark_done(conn, "s", ids, 1.0, version=2)  # replaces the older mark
    assert store.pending_ids("s", 2) == []
    assert store.pending_ids("s", 1) == ids
    with store.connect() as conn:
        rows = conn.execute(select(article_stages.c.article_id, article_stages.c.version)).all()
    assert sorted(rows) == sorted((i, 2) for i in ids)


def test_write_transactions_take_turns(tmp_path):
    """Issue 20: Store.begin takes the write lock before reading, so two writers (two processes
    in real use; two stores on one file here) never interleave a read-then-write."""
    import threading
    import time

    from newsdesk.api import open_store as open_full

    db = str(tmp_path / "turns.db")
    one, two = open_full(db), open_full(db)
    events: list[str] = []
    inside = threading.Event()

    def first() -> None:
        with one.begin():
            events.append("first in")
            inside.set()
            time.sleep(0.5)
            events.append("first out")

    t = threading.Thread(target=first)
    t.start()
    inside.wait(10)
    with two.begin():
        events.append("second in")
    t.join()
    assert events == ["first in", "first out", "second in"]
    one.close()
    two.close()
