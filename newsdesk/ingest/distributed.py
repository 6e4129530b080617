"""Batch ingest on Dask distributed: workers read and extract, this process writes.

Reading, sniffing and extraction (trafilatura, the plain-text cleaner, sentence splitting)
are CPU-bound and independent per file, so they scale out; writing stays in the calling
process (one writer keeps the store's transactions and near-duplicate links simple and
deterministic). Results come back in input order, so a distributed ingest stores exactly
what a local one would, in the same order. With ``settings.scheduler`` the files must be
readable at the same paths on every worker (shared storage); without it a LocalCluster of
``settings.workers`` processes is started and stopped here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack

from newsdesk.ingest import fetch, sources
from newsdesk.ingest.articles import articles_from
from newsdesk.models import Article, IngestError
from newsdesk.settings import Settings

# Files in flight per worker: enough to keep workers busy, bounded so memory stays flat.
INFLIGHT_PER_WORKER = 8


def _extract_file(path: str, settings: Settings, fetching: bool) -> list[Article | IngestError]:
    if not fetching:
        return list(articles_from([path], settings))
    # the caller's --fetch, on the worker
    with fetch.fetch_enabled(
        settings.max_file_bytes, allow_private=settings.fetch_private_addresses
    ):
        return list(articles_from([path], settings))


def articles_from_cluster(
    paths: Iterable[str], settings: Settings, on_file: Callable[[str], None] | None = None
) -> Iterator[Article | IngestError]:
    from dask.distributed import Client, LocalCluster

    logging.getLogger("distributed").setLevel(logging.WARNING)
    with ExitStack() as stack:
        if settings.scheduler:
            client = stack.enter_context(Client(settings.scheduler))
        else:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=settings.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    host="127.0.0.1",
                    silence_logs=logging.WARNING,
                )
            )
            client = stack.enter_context(Client(cluster))
        n_workers = max(1, len(client.scheduler_info()["workers"]))
        window = n_workers * INFLIGHT_PER_WORKER
        pending: list = []  # futures in input order
        for item in sources.expand(paths):
            if isinstance(item, IngestError):
                yield item
                continue
            if item == sources.STDIN:  # stdin exists only here
                yield from articles_from([item], settings, on_file)
                continue
            if on_file:
                on_file(item)
            pending.append(
                client.submit(_extract_file, item, settings, fetch.fetching(), pure=False)
            )
            while len(pending) >= window:
                yield from pending.pop(0).result()
        for fut in pending:
            yield from fut.result()
