"""Crash consistency (issue 20): SIGKILL `ingest`, `run` and `recluster` at random points; after
re-running the same command the store is identical, table by table and row by row, to one an
uninterrupted run built, with no duplicate and no orphan row. SQLite and PostgreSQL.

Quick mode: 60 real articles (the demo's AllSides stories), a few kill points per command.
Full mode: the whole AllSides set and 50 kill points per command (hours on two cores).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reliability import harness
from tests.reliability.conftest import full

pytestmark = pytest.mark.slow

N_ARTICLES = 237 if full() else 60
KILLS = 50 if full() else 2
BATCH = "20"  # small transactions: many batch boundaries for the kills to fall between


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lines = (harness.DEMO / "allsides-stories.jsonl").read_text(encoding="utf-8").splitlines()
    path = tmp_path_factory.mktemp("corpus") / "stream.jsonl"
    path.write_text("\n".join(lines[:N_ARTICLES]) + "\n", encoding="utf-8")
    return path


class Backend:
    """Fresh stores on one backend: SQLite files, or databases on a throwaway PostgreSQL."""

    def __init__(self, folder: Path, pg_url: str | None = None) -> None:
        self.folder, self.pg_url, self.n = folder, pg_url, 0

    def new(self, copy_of: str | None = None) -> str:
        self.n += 1
        if self.pg_url is None:
            db = str(self.folder / f"s{self.n}.db")
            if copy_of:
                src, dst = sqlite3.connect(copy_of), sqlite3.connect(db)
                src.backup(dst)
                src.close()
                dst.close()
            return db
        import psycopg

        base = self.pg_url.replace("postgresql+psycopg://", "postgresql://")
        name = f"crash{self.n}"
        with psycopg.connect(base, autocommit=True) as conn:
            template = f" TEMPLATE {copy_of.rsplit('/', 1)[1]}" if copy_of else ""
            conn.execute(f"CREATE DATABASE {name}{template}")
        return self.pg_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Backend:
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "sqlite":
        return Backend(folder)
    return Backend(folder, request.getfixturevalue("pg_url"))


@pytest.fixture(scope="module")
def reference(backend: Backend, corpus: Path) -> tuple[str, int]:
    """A store an uninterrupted ingest built, and its final progress count."""
    db = backend.new()
    harness.cli("ingest", str(corpus), db=db, NEWSDESK_BATCH_SIZE=BATCH)
    assert harness.integrity(db) == []
    return db, harness.progress(db)


def _same(db: str, ref: str) -> None:
    assert harness.integrity(db) == []
    assert harness.differences(harness.snapshot(db), harness.snapshot(ref)) == []


def _kill_repeatedly(
    args: list[str], db: str, targets: list[int], finish: Callable[[], None]
) -> int:
    killed = sum(harness.kill_at(args, db, t, NEWSDESK_BATCH_SIZE=BATCH) for t in targets)
    assert harness.integrity(db) == [], "a kill left half a batch"
    finish()
    return killed


def test_killed_ingest_ends_identical(backend: Backend, corpus: Path, reference) -> None:
    ref, total = reference
    db = backend.new()
    targets = harness.kill_points(total, KILLS, seed=20)
    args = ["ingest", str(corpus)]
    killed = _kill_repeatedly(
        args, db, targets, lambda: harness.cli(*args, db=db, NEWSDESK_BATCH_SIZE=BATCH)
    )
    assert killed >= 1
    _same(db, ref)


def _quick_postgres(backend: Backend) -> None:
    if backend.pg_url and not full():
        pytest.skip("quick mode kills only ingest on PostgreSQL (full mode: every command)")


def test_killed_run_ends_identical(backend: Backend, corpus: Path, reference) -> None:
    _quick_postgres(backend)
    ref, total = reference
    db = backend.new()
    harness.cli("ingest", "--no-stages", str(corpus), db=db, NEWSDESK_BATCH_SIZE=BATCH)
    start = harness.progress(db)
    targets = harness.kill_points(total - start, KILLS, seed=21)
    killed = _kill_repeatedly(
        ["run"],
        db,
        [start + t for t in targets],
        lambda: harness.cli("run", db=db, NEWSDESK_BATCH_SIZE=BATCH),
    )
    assert killed >= 1
    _same(db, ref)


@pytest.fixture(scope="module")
def reclustered(backend: Backend, reference) -> tuple[str, float]:
    _quick_postgres(backend)
    ref, _ = reference
    db = backend.new(copy_of=ref)
    t0 = time.monotonic()
    harness.cli("recluster", db=db)
    return db, time.monotonic() - t0


def test_killed_recluster_ends_identical(backend: Backend, reference, reclustered) -> None:
    ref, _ = reference
    want, seconds = reclustered
    db = backend.new(copy_of=ref)
    # recluster first forgets every story, so its progress is not monotonic: kill by time
    killed = 0
    for delay in sorted(t / 1000 for t in harness.kill_points(int(seconds * 1000), KILLS, 22)):
        killed += harness.kill_after(["recluster"], db, delay)
        assert harness.integrity(db) == []
    delay = seconds / 2
    while not killed and delay > 0.01:  # each run beat its kill (a quicker machine): kill sooner
        killed += harness.kill_after(["recluster"], db, delay)
        assert harness.integrity(db) == []
        delay /= 2
    assert killed >= 1
    harness.cli("recluster", db=db)
    _same(db, want)
