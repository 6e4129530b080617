"""Transactional batches: an interrupted ingest leaves whole batches, and re-running completes it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from typing import ClassVar

import pytest
from sqlalchemy import func, select

from newsdesk import api, pipeline, registry
from newsdesk.api import open_store
from newsdesk.settings import Settings
from newsdesk.store.schema import article_minhash, articles


def _write_corpus(path, n: int) -> None:
    with path.open("w") as fh:
        for i in range(n):
            words = " ".join(f"w{i}_{j}" for j in range(60))
            fh.write(
                json.dumps({"url": f"https://example.org/{i}", "title": f"T{i}", "text": words})
                + "\n"
            )


def _counts(store) -> tuple[int, int]:
    with store.connect() as conn:
        n_art = conn.scalar(select(func.count()).select_from(articles))
        n_sig = conn.scalar(select(func.count()).select_from(article_minhash))
    return n_art, n_sig


def test_failed_batch_rolls_back_whole(tmp_path, monkeypatch):
    corpus = tmp_path / "c.jsonl"
    _write_corpus(corpus, 25)
    settings = Settings.load(db=str(tmp_path / "s.db"), batch_size=10)
    store = open_store(settings.db)
    real = store.add_minhashes
    calls = {"n": 0}

    def flaky(conn, rows):
        calls["n"] += 1
        if calls["n"] == 2:  # articles of batch 2 are written, then this fails: all must roll back
            raise RuntimeError("simulated crash")
        return real(conn, rows)

    monkeypatch.setattr(store, "add_minhashes", flaky)
    with pytest.raises(RuntimeError):
        api.ingest([str(corpus)], store, settings, run_stages=False)
    assert _counts(store) == (10, 10)  # batch 1 whole, batch 2 not at all

    monkeypatch.setattr(store, "add_minhashes", real)
    report = api.ingest([str(corpus)], store, settings, run_stages=False)
    assert report.added == 15 and report.unchanged == 10
    assert _counts(store) == (25, 25)
    store.close()


def test_killed_ingest_resumes(tmp_path):
    corpus = tmp_path / "c.jsonl"
    _write_corpus(corpus, 3000)
    db = str(tmp_path / "k.db")
    env = dict(os.environ, NEWSDESK_BATCH_SIZE="50")
    cmd = [sys.executable, "-m", "newsdesk", "ingest", str(corpus), "--db", db, "--no-stages"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    store = open_store(db)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _counts(store)[0] < 100:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    n_art, n_sig = _counts(store)
    assert n_art == n_sig and n_art % 50 == 0  # whole batches only
    assert 0 < n_art < 3000, "the kill should land mid-ingest"
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert _counts(store) == (3000, 3000)
    store.close()


class _Counter(registry.BaseStage):
    """A test stage that records what it processed (registered only inside the test)."""

    name: ClassVar[str] = "test-counter"
    requires: ClassVar[frozenset[str]] = frozenset({"text"})
    provides: ClassVar[frozenset[str]] = frozenset({"counted"})
    seen: ClassVar[list[str]] = []
    fail_after: ClassVar[int | None] = None

    @classmethod
    def from_settings(cls, settings):
        return cls()

    def process(self, store, conn, batch):
        if self.fail_after is not None and len(self.seen) >= self.fail_after:
            raise RuntimeError("stage crash")
        self.seen.extend(a.id for a in batch)

    def filter(self, records):
        yield from records


def test_stage_resumes_after_crash(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "load_stages", lambda: {"test-counter": _Counter})
    monkeypatch.setattr(_Counter, "seen", [])
    corpus = tmp_path / "c.jsonl"
    _write_corpus(corpus, 12)
    settings = Settings.load(db=str(tmp_path / "p.db"), batch_size=5)
    store = open_store(settings.db)
    api.ingest([str(corpus)], store, settings, run_stages=False)
    monkeypatch.setattr(_Counter, "fail_after", 5)
    with pytest.raises(RuntimeError):
        pipeline.run(store, settings)
    assert len(store.pending_ids("test-counter")) == 7
    monkeypatch.setattr(_Counter, "fail_after", None)
    report = pipeline.run(store, settings)
    assert report.processed == {"test-counter": 7}
    assert sorted(_Counter.seen) == sorted(a.id for a in store.iter_articles())
    assert pipeline.run(store, settings).processed == {}
    store.close()


def test_rerun_ingest_finishes_stages_a_kill_left_pending(tmp_path, monkeypatch):
    """Issue 20: articles stored but not analysed (a kill during the stages) are finished by
    running the same ingest again, and the CLI says so; --no-stages says what is pending."""
    from typer.testing import CliRunner

    from newsdesk.cli import app

    monkeypatch.setattr(pipeline, "load_stages", lambda: {"test-counter": _Counter})
    monkeypatch.setattr(_Counter, "seen", [])
    corpus = tmp_path / "c.jsonl"
    _write_corpus(corpus, 12)
    settings = Settings.load(db=str(tmp_path / "r.db"), batch_size=5)
    store = open_store(settings.db)
    monkeypatch.setattr(_Counter, "fail_after", 5)  # the "kill": stages stop after one batch
    with pytest.raises(RuntimeError):
        api.ingest([str(corpus)], store, settings)
    monkeypatch.setattr(_Counter, "fail_after", None)
    assert store.count_pending("test-counter") == 7
    r = CliRunner().invoke(app, ["ingest", "--no-stages", "--db", settings.db, str(corpus)])
    assert r.exit_code == 0, r.output
    assert "pending analysis: test-counter 7 articles; `newsdesk run` finishes them" in r.output
    report = api.ingest([str(corpus)], store, settings)
    assert report.added == 0 and report.unchanged == 12
    assert report.stages_run == {"test-counter": 7}
    assert sorted(_Counter.seen) == sorted(a.id for a in store.iter_articles())
    r = CliRunner().invoke(app, ["ingest", "--db", settings.db, str(corpus)])
    assert r.exit_code == 0 and "analysed" not in r.output and "pending" not in r.output
    store.close()


def test_stage_order_respects_requirements():
    class A:
        name, requires, provides = "a", frozenset({"x"}), frozenset({"y"})

    class B:
        name, requires, provides = "b", frozenset({"text"}), frozenset({"x"})

    assert [c.name for c in registry.ordered({"a": A, "b": B})] == ["b", "a"]

    class C:
        name, requires, provides = "c", frozenset({"nowhere"}), frozenset()

    with pytest.raises(registry.RegistryError, match="nowhere"):
        registry.ordered({"c": C})
