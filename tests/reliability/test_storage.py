"""A full disk and a read-only store (issue 20): one clear error line, nothing half-written, and
the same command finishes the work once there is room.

Both use a small tmpfs mounted for the test (root, or a user allowed to mount); where mounting is
not allowed the read-only case falls back to a file without write permission (non-root), and the
full-disk case is skipped, saying why.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability import harness

pytestmark = pytest.mark.slow

CORPUS = harness.DEMO / "allsides-stories.jsonl"


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip()[:100]})")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True, check=False)


def _remount(mnt: Path, opts: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{opts}", str(mnt)], check=True, capture_output=True)


def test_full_disk_is_one_clear_error_and_resumes(tmpfs: Path) -> None:
    db = str(tmpfs / "full.db")
    done = harness.cli("ingest", "--no-stages", str(CORPUS), db=db, check=False,
                       NEWSDESK_BATCH_SIZE="20")  # fmt: skip
    assert done.returncode == 1
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: the store's disk is full"), lines
    assert "rolled back" in lines[0]
    _remount(tmpfs, "size=50m")
    assert harness.integrity(db) == []
    stored = sum(harness.snapshot(db)["articles"].values())
    assert 0 < stored < 237 and stored % 20 == 0  # whole batches only
    harness.cli("ingest", "--no-stages", str(CORPUS), db=db, NEWSDESK_BATCH_SIZE="20")
    assert sum(harness.snapshot(db)["articles"].values()) == 237
    assert harness.integrity(db) == []


def test_read_only_store_is_one_clear_error(tmp_path: Path) -> None:
    small = tmp_path / "small.jsonl"
    small.write_text("\n".join(CORPUS.read_text().splitlines()[:10]) + "\n")
    more = harness.DEMO / "allsides-negotiations.jsonl"
    mnt = tmp_path / "ro"
    mnt.mkdir()
    mounted = (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(mnt)],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    try:
        db = str(mnt / "ro.db")
        harness.cli("ingest", "--no-stages", str(small), db=db)
        before = harness.snapshot(db)
        if mounted:
            _remount(mnt, "ro")
        elif os.geteuid() != 0:
            for p in mnt.iterdir():
                p.chmod(0o444)
            mnt.chmod(0o555)
        else:
            pytest.skip("root, and no tmpfs to remount read-only: permissions would not apply")
        done = harness.cli("ingest", "--no-stages", str(more), db=db, check=False)
        assert done.returncode == 1
        assert "Traceback" not in done.stderr, done.stderr[-2000:]
        lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and "is read-only" in lines[0], lines
        if mounted:
            _remount(mnt, "rw")
        else:
            mnt.chmod(0o755)
            for p in mnt.iterdir():
                p.chmod(0o644)
        assert harness.snapshot(db) == before  # nothing written
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True, check=False)
