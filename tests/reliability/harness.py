"""Helpers of the reliability suite: run the CLI, SIGKILL it at a point of its progress, and
compare whole stores (every table, row by row) for crash consistency."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, func, select, text

from newsdesk.store import db_url

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "newsdesk" / "resources" / "demo"

# Columns whose values legitimately differ between two runs over the same input.
VOLATILE = {"ingested_at", "seconds", "created_at", "updated_at"}
# Surrogate keys PostgreSQL draws from sequences (not rolled back with a killed transaction);
# rows are compared without them, and what refers to them is compared through the rows.
SURROGATE = {
    ("claims", "id"),
    ("quotes", "id"),
    ("articles", "seq"),
    ("article_vectors", "article_seq"),
}
SKIP_TABLES = {"schema_migrations"}


def env(**extra: str) -> dict[str, str]:
    out = dict(os.environ, PYTHONPATH=str(ROOT), NEWSDESK_STORY_VIEWS="true")
    out.update(extra)
    return out


def cli(*args: str, db: str, check: bool = True, **extra: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "newsdesk", *args, "--db", db]
    done = subprocess.run(cmd, env=env(**extra), capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done


def progress(db: str) -> int:
    """How far a run has got: articles stored + stage marks + story views (0 if unreadable)."""
    engine = create_engine(db_url(db))
    try:
        with engine.connect() as conn:
            n = 0
            for table in ("articles", "article_stages", "story_views", "story_articles"):
                try:
                    n += int(conn.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
                except Exception:  # not created yet
                    conn.rollback()
            return n
    except Exception:
        return 0
    finally:
        engine.dispose()


def kill_at(args: list[str], db: str, target: int, timeout: float = 300, **extra: str) -> bool:
    """Start ``newsdesk ARGS --db DB`` and SIGKILL it once its progress reaches ``target``.

    True if it was killed, False if it finished first.
    """
    cmd = [sys.executable, "-m", "newsdesk", *args, "--db", db]
    proc = subprocess.Popen(
        cmd, env=env(**extra), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if progress(db) >= target:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return True
            time.sleep(0.02)
        if proc.poll() is None:
            proc.kill()
            raise AssertionError(f"{args} ran past {timeout}s")
        return False
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def kill_after(args: list[str], db: str, delay: float, **extra: str) -> bool:
    """Start ``newsdesk ARGS --db DB`` and SIGKILL it after ``delay`` seconds (if still running)."""
    cmd = [sys.executable, "-m", "newsdesk", *args, "--db", db]
    proc = subprocess.Popen(
        cmd, env=env(**extra), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def kill_points(total: int, n: int, seed: int) -> list[int]:
    """``n`` random progress targets in (0, total), reproducible by ``seed``."""
    rng = random.Random(seed)
    return sorted(rng.randint(1, max(1, total - 1)) for _ in range(n))


def _norm(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, bytes | memoryview):
        return hashlib.sha1(bytes(value)).hexdigest()
    return value


def snapshot(db: str) -> dict[str, Counter[tuple[Any, ...]]]:
    """Every table of the store as a multiset of normalised rows (fts shadow tables left out)."""
    engine = create_engine(db_url(db))
    meta = MetaData()
    meta.reflect(engine)
    out: dict[str, Counter[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for name, table in sorted(meta.tables.items()):
            if name in SKIP_TABLES or name.startswith("articles_fts"):
                continue
            cols = [
                c
                for c in table.columns
                if c.name not in VOLATILE and (name, c.name) not in SURROGATE
            ]
            rows = conn.execute(select(*cols)).all()
            out[name] = Counter(tuple(_norm(v) for v in r) for r in rows)
        if "articles" in meta.tables:
            arts = meta.tables["articles"]
            order = list(conn.scalars(select(arts.c.id).order_by(arts.c.seq)))
            out["articles:arrival order"] = Counter({tuple(order): 1})
    engine.dispose()
    return out


def differences(a: dict[str, Counter[Any]], b: dict[str, Counter[Any]]) -> list[str]:
    """Tables whose rows differ, with a few of the differing rows."""
    out = []
    for name in sorted(set(a) | set(b)):
        x, y = a.get(name, Counter()), b.get(name, Counter())
        if x != y:
            only_a, only_b = list((x - y).elements())[:2], list((y - x).elements())[:2]
            out.append(
                f"{name}: {sum(x.values())} vs {sum(y.values())} rows; "
                f"only in first {str(only_a)[:300]}; only in second {str(only_b)[:300]}"
            )
    return out


def integrity(db: str) -> list[str]:
    """Duplicate and orphan rows: what a half-written batch would leave."""
    engine = create_engine(db_url(db))
    meta = MetaData()
    meta.reflect(engine)
    problems: list[str] = []
    with engine.connect() as conn:
        arts = meta.tables["articles"]
        ids = set(conn.scalars(select(arts.c.id)))
        for name, table in meta.tables.items():
            if "article_id" in table.c and name != "articles":
                refs = Counter(conn.scalars(select(table.c.article_id)))
                orphans = set(refs) - ids
                if orphans:
                    problems.append(f"{name}: {len(orphans)} rows of unknown articles")
        for name, key in [
            ("article_minhash", "article_id"),
            ("story_articles", "article_id"),
            ("article_vectors", "article_id"),
            ("summaries", "article_id"),
        ]:
            if name in meta.tables:
                t = meta.tables[name]
                dup = conn.execute(
                    select(t.c[key]).group_by(t.c[key]).having(func.count() > 1)
                ).all()
                if dup:
                    problems.append(f"{name}: {len(dup)} duplicated {key}")
        if "story_articles" in meta.tables and "stories" in meta.tables:
            sa, st = meta.tables["story_articles"], meta.tables["stories"]
            sids = set(conn.scalars(select(st.c.id)))
            missing = set(conn.scalars(select(sa.c.story_id))) - sids
            if missing:
                problems.append(f"story_articles: {len(missing)} stories that do not exist")
            empty = sids - set(conn.scalars(select(sa.c.story_id)))
            if empty:
                problems.append(f"stories: {len(empty)} stories without articles")
    engine.dispose()
    return problems
