"""Ingest: inputs → clean articles → the store, in transactional batches.

Steps:
1. ``sources.expand`` walks paths; ``sources.read_source`` sniffs each and yields documents;
2. each document is extracted by its kind's parser (plain text, HTML, structured record);
3. ``build_article`` adds id, sentences, word count, reading time, language;
4. per batch: exact duplicates (same id) are skipped, near-duplicates linked to their original
   (MinHash LSH), and the batch is written in one transaction — so an interrupted ingest leaves
   whole batches only, and running the same command again adds exactly what is missing;
5. the caller (:func:`newsdesk.api.ingest`) then runs the analysis stages over what is new.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace

from newsdesk.ingest import fetch, sources
from newsdesk.ingest.articles import Progress, articles_from, build_article, extract
from newsdesk.ingest.dedupe import NearDuplicateIndex
from newsdesk.ingest.distributed import articles_from_cluster
from newsdesk.models import Article, IngestError, IngestReport
from newsdesk.settings import Settings
from newsdesk.store import Store

log = logging.getLogger(__name__)

__all__ = [
    "Progress",
    "articles_from",
    "build_article",
    "extract",
    "fetch",
    "ingest",
    "near_duplicate_index",
    "sources",
    "store_articles",
]


def ingest(
    paths: Iterable[str],
    store: Store,
    settings: Settings,
    on_file: Progress | None = None,
) -> IngestReport:
    """Ingest every article under ``paths`` into ``store`` (no analysis: see ``api.ingest``).

    With ``settings.workers`` > 0 or ``settings.scheduler`` set, reading and extraction run on a
    Dask cluster (see :mod:`newsdesk.ingest.distributed`); writing stays here, one writer.
    """
    if settings.workers > 0 or settings.scheduler:
        items = articles_from_cluster(paths, settings, on_file)
    else:
        items = articles_from(paths, settings, on_file)
    return store_articles(items, store, settings)


def near_duplicate_index(store: Store, settings: Settings) -> NearDuplicateIndex:
    """The near-duplicate index of every stored article (loading it reads every signature)."""
    return NearDuplicateIndex.load(store, settings.near_duplicate_threshold)


def store_articles(
    items: Iterable[Article | IngestError],
    store: Store,
    settings: Settings,
    index: NearDuplicateIndex | None = None,
) -> IngestReport:
    """Write built articles in transactional batches (exact duplicates skipped, near-duplicates
    linked); errors are collected in the report. Also the write path of ``newsdesk watch``,
    which passes one ``index`` for a whole cycle (it mirrors the store after each commit), as
    loading it reads every stored signature."""
    report = IngestReport()
    if index is None:
        index = near_duplicate_index(store, settings)
    batch: list[Article] = []
    seen_in_run: set[str] = set()
    for item in items:
        if isinstance(item, IngestError):
            report.errors.append(item)
            continue
        report.seen += 1
        if item.id in seen_in_run:
            report.unchanged += 1
            report.known_ids.append(item.id)
            continue
        seen_in_run.add(item.id)
        batch.append(item)
        if len(batch) >= settings.batch_size:
            _write_batch(store, index, batch, report)
            batch.clear()
    if batch:
        _write_batch(store, index, batch, report)
    return report


def _write_batch(
    store: Store, index: NearDuplicateIndex, batch: list[Article], report: IngestReport
) -> None:
    with store.begin() as conn:
        existing = store.existing_ids(conn, [a.id for a in batch])
        fresh = [a for a in batch if a.id not in existing]
        report.unchanged += len(batch) - len(fresh)
        report.known_ids.extend(a.id for a in batch if a.id in existing)
        linked: list[Article] = []
        signatures: list[tuple[str, str]] = []
        pending = index.begin()
        for a in fresh:
            original, signature = pending.check(a.id, a.text)
            if original is None:
                original = store.id_by_content_hash(conn, a.content_hash)
            if original is not None:
                a = replace(a, duplicate_of=original)
                report.near_duplicates += 1
            linked.append(a)
            signatures.append((a.id, signature))
        store.add_articles(conn, linked)
        store.add_minhashes(conn, signatures)
    pending.commit()  # only once the transaction committed: the index mirrors the store
    report.added += len(linked)
    report.added_ids.extend(a.id for a in linked)
