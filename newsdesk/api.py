"""Library entry points: one function per user-visible action; the CLI and web call these.

This is the one orchestrator: it opens the store with every registered stage's tables, runs
ingest and then the pipeline, stores story views after clustering, and rebuilds stories.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

from newsdesk import export as exportlib
from newsdesk import ingest as ingestlib
from newsdesk import pipeline, registry
from newsdesk.models import Article, IngestReport
from newsdesk.pipeline import PipelineReport
from newsdesk.settings import Settings
from newsdesk.stages.cluster import stage as cluster_stage
from newsdesk.store import Store
from newsdesk.store import open_store as _open_store
from newsdesk.views import stories as story_views
from newsdesk.views import threads as thread_views

DEMO_CORPUS = Path(__file__).resolve().parent.parent / "demo" / "corpus"

__all__ = [
    "articles",
    "build_story_views",
    "export",
    "ingest",
    "open_store",
    "recluster",
    "run",
    "show",
]


def open_store(db: str) -> Store:
    """Open (creating and migrating as needed) the store at ``db`` with every stage's tables."""
    return _open_store(db, registry.components())


def demo_paths() -> list[str]:
    """The demo corpus's article files (its SOURCES.md documents them and is not an article)."""
    return [str(p) for p in sorted(DEMO_CORPUS.rglob("*")) if p.is_file() and p.suffix != ".md"]


def ingest(
    paths: Iterable[str],
    store: Store,
    settings: Settings | None = None,
    on_file: ingestlib.Progress | None = None,
    run_stages: bool = True,
    fetch: bool = False,
) -> IngestReport:
    """Ingest files, folders, globs or ``-`` (stdin) into ``store``; with ``fetch``, URLs too.

    With ``run_stages`` the analysis stages then run over what is new (:func:`run`).
    """
    settings = settings or Settings.load()
    if fetch:
        with ingestlib.fetch.fetch_enabled(settings.max_file_bytes):
            report = ingestlib.ingest(paths, store, settings, on_file)
    else:
        report = ingestlib.ingest(paths, store, settings, on_file)
    if run_stages and report.added:
        run(store, settings)
    return report


def run(
    store: Store,
    settings: Settings | None = None,
    only: Sequence[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> PipelineReport:
    """Run the pending analysis stages (all, or those in ``only``); then store story views.

    Story pages open from a stored view (p95 ~36 ms at 100k articles) instead of computing it
    on the first request (p95 ~280 ms; benchmarks/web.py), so after clustering the views of
    the stories that changed are computed here (setting ``story_views``).
    """
    settings = settings or Settings.load()
    report = pipeline.run(store, settings, only=only, progress=progress)
    if settings.story_views and report.processed.get(cluster_stage.Cluster.name):
        story_views.build_story_views(store, story_views.stories_without_views(store))
    return report


def recluster(store: Store, settings: Settings | None = None) -> dict[str, int]:
    """Full rebuild: forget every story and cluster all articles again, in arrival order."""
    settings = settings or Settings.load()
    cluster_stage.reset(store, settings)
    thread_views.forget_names()  # story ids are reused by the new clustering
    report = run(store, settings, only=[cluster_stage.Cluster.name])
    cluster_stage.save_state(store, settings)
    return {
        "articles": report.processed.get(cluster_stage.Cluster.name, 0),
        "stories": story_views.count_stories(store),
    }


def build_story_views(store: Store, story_ids: Iterable[int] | None = None) -> int:
    """Compute and store story views (default: every story lacking a current one); how many."""
    return story_views.build_story_views(store, story_ids)


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
