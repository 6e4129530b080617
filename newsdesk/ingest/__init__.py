"""Ingest: inputs → clean articles → the store, in transactional batches.

Steps:
1. ``sources.expand`` walks paths; ``sources.read_source`` sniffs each and yields documents;
2. each document is extracted by its kind's parser (plain text, HTML, structured record);
3. ``build_article`` adds id, sentences, word count, reading time, language;
4. per batch: exact duplicates (same id) are skipped, near-duplicates linked to their original
   (MinHash LSH), and the batch is written in one transaction — so an interrupted ingest leaves
   whole batches only, and running the same command again adds exactly what is missing;
   an article whose URL (or, from ``watch``, feed guid) is stored with other text is a new
   *version* of the stored one (:meth:`Store.revise_article`: its id stays, the old text goes to
   the versions table, its analysis is redone by the next run), not a second article;
5. the caller (:func:`newsdesk.api.ingest`) then runs the analysis stages over what is new.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from newsdesk.ingest import fetch, sources
from newsdesk.ingest.articles import Progress, articles_from, build_article, extract
from newsdesk.ingest.dedupe import NearDuplicateIndex, PendingBatch
from newsdesk.ingest.distributed import articles_from_cluster
from newsdesk.models import Article, IngestError, IngestReport
from newsdesk.settings import Settings
from newsdesk.store import Store

if TYPE_CHECKING:
    from sqlalchemy import Connection

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
    """The near-duplicate index of every stored article (its band keys are in the store; a
    store from before they were kept gets them once, from the stored signatures)."""
    return NearDuplicateIndex.load(store, settings.near_duplicate_threshold)


def store_articles(
    items: Iterable[Article | IngestError],
    store: Store,
    settings: Settings,
    index: NearDuplicateIndex | None = None,
    version_of: Mapping[str, str] | None = None,
) -> IngestReport:
    """Write built articles in transactional batches (exact duplicates skipped, near-duplicates
    linked, changed texts at a stored URL made new versions); errors are collected in the
    report. Also the write path of ``newsdesk watch``, which passes one ``index`` for a whole
    cycle, and ``version_of`` (built id -> the stored article a feed entry's guid belongs to)."""
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
            _write_batch(store, index, batch, report, version_of or {})
            batch.clear()
    if batch:
        _write_batch(store, index, batch, report, version_of or {})
    return report


def _write_batch(
    store: Store,
    index: NearDuplicateIndex,
    batch: list[Article],
    report: IngestReport,
    version_of: Mapping[str, str],
) -> None:
    with store.begin() as conn:
        wanted = [a.id for a in batch] + [version_of[a.id] for a in batch if a.id in version_of]
        current = store.content_hashes(conn, wanted)
        fresh: list[Article] = []
        revisions: list[tuple[Article, str | None]] = []  # (article, stored id; None: by URL)
        fresh_urls: set[str] = set()
        for a in batch:
            target = version_of.get(a.id)
            if target not in current:  # no guid, or its article is no longer stored
                target = None
            if target is None and a.id in current:
                if current[a.id] == a.content_hash:
                    report.unchanged += 1
                    report.known_ids.append(a.id)
                    continue
                target = a.id  # revised since, and now back to this text
            if target is None and a.url:
                if a.url in fresh_urls:  # a second text of a URL new in this batch
                    revisions.append((a, None))  # looked up once the batch's new ones are in
                    continue
                found = store.article_at_url(conn, a.url)
                target = found[0] if found else None
            if target is not None:
                revisions.append((a, target))
            else:
                fresh.append(a)
                if a.url:
                    fresh_urls.add(a.url)
        linked: list[Article] = []
        signatures: list[tuple[str, str]] = []
        pending = index.begin(conn)
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
        for a, target in revisions:
            _revise(store, conn, pending, a, target, report)
        pending.write()  # the band keys, in the batch's transaction
    report.added += len(linked)
    report.added_ids.extend(a.id for a in linked)


def _revise(
    store: Store,
    conn: Connection,
    pending: PendingBatch,
    a: Article,
    target: str | None,
    report: IngestReport,
) -> None:
    """Store ``a`` as a new version of ``target`` (None: the article at ``a``'s URL), or count it
    unchanged when that article's current text is ``a``'s."""
    if target is None:
        found = store.article_at_url(conn, a.url or "")
        target = found[0] if found else None
    # (found: ``a``'s URL came first in this batch, and that article is stored by now)
    assert target is not None
    if store.content_hashes(conn, [target]).get(target) == a.content_hash:
        report.unchanged += 1
        report.known_ids.append(target)
    else:
        original, signature = pending.check(target, a.text)
        if original is None:
            original = store.id_by_content_hash(conn, a.content_hash, exclude=target)
        store.revise_article(conn, target, replace(a, id=target, duplicate_of=original), signature)
        report.revised += 1
        report.revised_ids.append(target)
    if a.id != target:
        report.version_of[a.id] = target
