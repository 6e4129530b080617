"""Library entry points: one function per user-visible action; the CLI and web call these."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from newsdesk import export as exportlib
from newsdesk import ingest as ingestlib
from newsdesk.models import Article, IngestReport
from newsdesk.settings import Settings
from newsdesk.store import Store, open_store

DEMO_CORPUS = Path(__file__).resolve().parent.parent / "demo" / "corpus"


def demo_paths() -> list[str]:
    """The demo corpus's article files (its SOURCES.md documents them and is not an article)."""
    return [str(p) for p in sorted(DEMO_CORPUS.rglob("*")) if p.is_file() and p.suffix != ".md"]


__all__ = ["articles", "export", "ingest", "open_store", "show"]


def ingest(
    paths: Iterable[str],
    store: Store,
    settings: Settings | None = None,
    on_file: ingestlib.Progress | None = None,
    run_stages: bool = True,
    fetch: bool = False,
) -> IngestReport:
    """Ingest files, folders, globs or ``-`` (stdin) into ``store``; with ``fetch``, URLs too."""
    settings = settings or Settings.load()
    if not fetch:
        return ingestlib.ingest(paths, store, settings, on_file, run_stages)
    with ingestlib.sources.fetch_enabled(settings.max_file_bytes):
        return ingestlib.ingest(paths, store, settings, on_file, run_stages)


def articles(
    store: Store,
    limit: int = 20,
    offset: int = 0,
    outlet: str | None = None,
    category: str | None = None,
) -> list[Article]:
    """Latest articles first."""
    return store.list_articles(limit=limit, offset=offset, outlet=outlet, category=category)


def show(store: Store, article_id: str) -> Article:
    """One article by id (or unique id prefix)."""
    return store.get_article(article_id)


def iter_all(store: Store) -> Iterator[Article]:
    return store.iter_articles()


def export(store: Store, fmt: str, out: TextIO) -> int:
    """Write every article as ``jsonl`` or ``csv``; return how many."""
    if fmt == "jsonl":
        return exportlib.write_jsonl(store.iter_articles(), out)
    if fmt == "csv":
        return exportlib.write_csv(store.iter_articles(), out)
    raise ValueError(f"unknown export format {fmt!r} (jsonl or csv)")
