"""The web layer's one cache home: every cache, its size and what invalidates it.

Each key holds what changes when the cached value would: a store's URL plus

- ``facets``: the article count and newest sequence number (a GROUP BY over every article,
  redone when articles arrive);
- ``biggest``: the newest sequence number, and at most ``BIGGEST_TTL`` seconds ("biggest"
  sorts every story by size);
- ``extras``: a story's size and last date (its card's outlets and summary);
- ``views`` and ``pages``: a story's size, last date and title (a story view is computed on
  demand: summary, timeline, framing; the page adds its articles and quotes);
- ``coverage``: the newest sequence number and the stories charted (the front page's chart).

cachetools caches are not thread-safe: every read and write goes through :data:`LOCK`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from cachetools import Cache, LRUCache, TTLCache

T = TypeVar("T")

BIGGEST_TTL = 10.0  # seconds: "biggest" sorts every story by size; recompute at most this often
EXTRAS_CACHE = 4096  # story cards (outlets, central summary)
VIEW_CACHE = 512  # story views and story pages

LOCK = threading.Lock()
facets: LRUCache[Hashable, Any] = LRUCache(maxsize=64)
biggest: TTLCache[Hashable, Any] = TTLCache(maxsize=64, ttl=BIGGEST_TTL)
extras: LRUCache[Hashable, Any] = LRUCache(maxsize=EXTRAS_CACHE)
views: LRUCache[Hashable, Any] = LRUCache(maxsize=VIEW_CACHE)
pages: LRUCache[Hashable, Any] = LRUCache(maxsize=VIEW_CACHE)
coverage: LRUCache[Hashable, Any] = LRUCache(maxsize=64)
ALL = (facets, biggest, extras, views, pages, coverage)


def get(cache: Cache[Hashable, Any], key: Hashable) -> Any:
    """The cached value of ``key``, or None."""
    with LOCK:
        return cache.get(key)


def put(cache: Cache[Hashable, Any], key: Hashable, value: T) -> T:
    with LOCK:
        cache[key] = value
    return value


def through(cache: Cache[Hashable, Any], key: Hashable, compute: Callable[[], T]) -> T:
    """The cached value of ``key``, else ``compute()`` stored under it (computed unlocked)."""
    hit = get(cache, key)
    if hit is not None:
        return hit
    return put(cache, key, compute())


def clear() -> None:
    """Forget everything (tests; a store rebuilt under the same URL)."""
    with LOCK:
        for c in ALL:
            c.clear()
