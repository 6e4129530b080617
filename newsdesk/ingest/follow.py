"""Following sources (``newsdesk watch``): feeds, OPML lists, sitemaps and URL lists, polled again.

Each followed source has a row in ``followed_sources`` (its own schema component, migrated by
the store like a stage's tables): kind, validators (ETag / Last-Modified), when it was last
polled, last gave something new, failed and will next be polled. ``followed_items`` remembers
which entries/pages of a source were seen, and a digest of each (a feed entry's title, text and
updated date; a sitemap entry's date), so a poll only builds what is new or changed: a changed
entry is built again and stored as a new version of its article (the article its guid gave
before, see :func:`newsdesk.ingest.store_articles`), as is a changed page at a known URL.

One cycle (:func:`poll`): every due source is fetched on a bounded thread pool (setting
``watch_workers``), with a conditional GET and a polite delay between two requests to one
host (setting ``watch_host_delay``); a 304 costs one request. What a source gives:

- a feed: its new entries (thin ones with the linked page's full text, see
  :mod:`newsdesk.ingest.feeds`);
- an OPML list or a sitemap index: the feeds / sitemaps it lists become followed sources;
- a sitemap or URL list: its new pages, newest first, at most ``watch_max_items`` per poll
  (the rest come in the next polls);
- anything else (an HTML page): the page, whenever it changed.

Nothing is lost on a stop or a crash: a source's articles are written first (the caller's
``write``, ingest's transactional batches), then its state and seen items in one transaction;
a crash in between re-fetches the same items, which ingest then finds already present. On a
stop (SIGTERM) requests not started are dropped and their sources stay due; requests in flight
finish (each bounded by the fetch timeout) and are written.

Failures back off: the next poll of a source that failed ``n`` times in a row waits
``every × 2^(n-1)`` (at least a minute, at most a day).
"""

from __future__ import annotations

import contextvars
import hashlib
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    String,
    Table,
    Text,
    inspect,
    select,
    text,
    update,
)

from newsdesk.errors import InputError
from newsdesk.ingest import feeds, fetch, lists, sources
from newsdesk.ingest.articles import build_article, extract
from newsdesk.models import (
    Article,
    FollowedSource,
    IngestError,
    IngestReport,
    RawDocument,
    WatchCycle,
)
from newsdesk.settings import Settings
from newsdesk.store import Store
from newsdesk.store.schema import component, metadata

followed_sources = Table(
    "followed_sources",
    metadata,
    Column("url", Text, primary_key=True),
    Column("kind", String(16)),
    Column("listed_by", Text),
    Column("every_s", Integer, nullable=False),
    Column("added", String(32), nullable=False),
    Column("next_poll", String(32), nullable=False),
    Column("last_polled", String(32)),
    Column("last_ok", String(32)),
    Column("last_new", String(32)),
    Column("polls", Integer, nullable=False, default=0),
    Column("not_modified", Integer, nullable=False, default=0),
    Column("items", Integer, nullable=False, default=0),
    Column("articles", Integer, nullable=False, default=0),
    Column("failures", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("etag", Text),
    Column("last_modified", Text),
)
followed_items = Table(
    "followed_items",
    metadata,
    Column("source_url", Text, primary_key=True),
    Column("item", Text, primary_key=True),  # guid, else link, else a hash of the text
    Column("article_id", String(40)),
    Column("seen", String(32), nullable=False),
    Column("digest", String(40)),  # what the item looked like (None: unknown, never re-read)
)


def _v1(conn: Connection) -> None:
    followed_sources.create(conn, checkfirst=True)
    followed_items.create(conn, checkfirst=True)


def _v2(conn: Connection) -> None:
    if "digest" not in {c["name"] for c in inspect(conn).get_columns("followed_items")}:
        conn.execute(text("ALTER TABLE followed_items ADD COLUMN digest VARCHAR(40)"))


TABLES = component("followed_sources", [_v1, _v2])

MIN_BACKOFF_S = 60
MAX_BACKOFF_S = 86_400


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat(timespec="seconds")


def _now() -> datetime:
    return datetime.now(UTC)


# -- the followed sources --------------------------------------------------------------------
def follow(
    store: Store,
    urls: Iterable[str],
    every_s: int,
    listed_by: str | None = None,
    conn: Connection | None = None,
) -> int:
    """Follow ``urls`` (http(s) only; each checked), polling every ``every_s`` seconds.

    A URL already followed keeps its state; named again by the user (not by a list), it takes
    the new interval. Returns how many are new.
    """
    checked = [fetch.check_url(u, u) for u in urls]
    if conn is None:
        with store.begin() as c:
            return follow(store, checked, every_s, listed_by, c)
    now = _iso(_now())
    known = set(
        conn.scalars(select(followed_sources.c.url).where(followed_sources.c.url.in_(checked)))
    )
    new = [u for u in dict.fromkeys(checked) if u not in known]
    if new:
        conn.execute(
            followed_sources.insert(),
            [
                {"url": u, "every_s": every_s, "added": now, "next_poll": now,
                 "listed_by": listed_by, "polls": 0, "not_modified": 0, "items": 0,
                 "articles": 0, "failures": 0}
                for u in new
            ],
        )  # fmt: skip
    if listed_by is None and known:
        conn.execute(
            update(followed_sources)
            .where(followed_sources.c.url.in_(sorted(known)))
            .values(every_s=every_s)
        )
    return len(new)


def unfollow(store: Store, urls: Iterable[str]) -> int:
    """Stop following ``urls`` (their articles stay). Returns how many were followed."""
    urls = list(urls)
    with store.begin() as conn:
        conn.execute(followed_items.delete().where(followed_items.c.source_url.in_(urls)))
        return conn.execute(
            followed_sources.delete().where(followed_sources.c.url.in_(urls))
        ).rowcount


def followed(store: Store) -> list[FollowedSource]:
    """Every followed source, in the order they were added."""
    with store.connect() as conn:
        rows = conn.execute(
            select(followed_sources).order_by(followed_sources.c.added, followed_sources.c.url)
        ).mappings()
        return [_source(r) for r in rows]


def _source(row: Any) -> FollowedSource:
    return FollowedSource(**{k: row[k] for k in FollowedSource.__slots__})


def due(store: Store, now: datetime | None = None) -> list[FollowedSource]:
    """The sources whose next poll is due, most overdue first."""
    stamp = _iso(now or _now())
    with store.connect() as conn:
        rows = conn.execute(
            select(followed_sources)
            .where(followed_sources.c.next_poll <= stamp)
            .order_by(followed_sources.c.next_poll, followed_sources.c.url)
        ).mappings()
        return [_source(r) for r in rows]


def next_due(store: Store) -> datetime | None:
    """When the next source is due (None when nothing is followed)."""
    with store.connect() as conn:
        stamp = conn.scalar(select(followed_sources.c.next_poll).order_by("next_poll").limit(1))
    return datetime.fromisoformat(stamp) if stamp else None


def backoff_s(every_s: int, failures: int) -> int:
    """Seconds until the next poll after ``failures`` failed polls in a row."""
    base = max(every_s, MIN_BACKOFF_S)
    return min(base * 2 ** min(failures - 1, 16), MAX_BACKOFF_S)


# -- one poll --------------------------------------------------------------------------------
class HostGate:
    """At most one request per ``delay`` seconds to each host (polite crawling), across threads."""

    def __init__(self, delay: float, stop: threading.Event) -> None:
        self.delay = delay
        self.stop = stop
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, url: str) -> bool:
        """Block until ``url``'s host may be asked again; False if a stop came meanwhile."""
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            now = time.monotonic()
            at = max(now, self._next.get(host, now))
            self._next[host] = at + self.delay
        if at > now and self.stop.wait(at - now):
            return False
        return not self.stop.is_set()


@dataclass(slots=True)
class Polled:
    """What one source gave in one poll (built in a worker, written by the cycle)."""

    source: FollowedSource
    kind: str | None = None
    not_modified: bool = False
    error: str | None = None  # the source itself failed (fetch, parse)
    skipped: bool = False  # a stop came before its request started
    capped: bool = False  # new items were left for the next poll (so no validators are kept)
    etag: str | None = None
    last_modified: str | None = None
    items: list[tuple[str, Article]] = field(default_factory=list)  # (item key, article)
    digests: dict[str, str | None] = field(default_factory=dict)  # item key -> its digest
    revising: dict[str, str] = field(default_factory=dict)  # changed item key -> its article
    problems: list[IngestError] = field(default_factory=list)  # per-item errors
    listed: list[str] = field(default_factory=list)  # URLs to follow (OPML, sitemap index)


def _item_key(doc: RawDocument) -> str:
    guid = doc.fields.get("guid")
    if isinstance(guid, str) and guid:
        return guid
    if doc.url:
        return doc.url
    return "sha1:" + hashlib.sha1(doc.content.encode()).hexdigest()


def _digest(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(str(p or "") for p in parts).encode()).hexdigest()


def _entry_digest(doc: RawDocument) -> str:
    f = doc.fields
    return _digest(f.get("title"), doc.content, f.get("updated"), doc.url)


# a seen item: its digest and its article's id
Seen = dict[str, tuple[str | None, str | None]]


def _is_new(seen: Seen, key: str, digest: str | None, out: Polled) -> bool:
    """Whether item ``key`` is new, or seen with another digest (then noted as a revision)."""
    if key not in seen:
        out.digests[key] = digest
        return True
    before, article_id = seen[key]
    if before is None or digest is None or before == digest:
        return False
    out.digests[key] = digest
    if article_id:
        out.revising[key] = article_id
    return True


def _build(doc: RawDocument | IngestError, key: str, out: Polled, settings: Settings) -> None:
    if isinstance(doc, IngestError):
        out.problems.append(doc)
        return
    try:
        out.items.append((key, build_article(extract(doc), doc.source, settings)))
    except InputError as exc:
        out.problems.append(IngestError(exc.source, exc.reason))


def poll_source(
    src: FollowedSource,
    validators: tuple[str | None, str | None],
    seen: Seen,
    settings: Settings,
    gate: HostGate,
) -> Polled:
    """Fetch one source (a conditional GET with ``validators``: ETag, Last-Modified) and build
    what is new in it (items not in ``seen``) or changed (seen with another digest). Never
    raises."""
    out = Polled(src)
    if not gate.wait(src.url):
        out.skipped = True
        return out
    limit = settings.max_file_bytes
    try:
        resp = fetch.get(src.url, limit, *validators)
        out.etag, out.last_modified = resp.etag, resp.last_modified
        if resp.not_modified:
            out.not_modified = True
            out.kind = src.kind
            return out
        body = resp.body or b""
        if body[:2] == b"\x1f\x8b":
            body = sources.gunzip(src.url, body, limit)
        kind = sources.sniff(src.url, body)
        if kind == "opml":
            out.kind = "opml"
            for n, raw in enumerate(feeds.feed_urls(src.url, body), 1):
                _listed(out, f"{src.url}#outline{n}", raw)
        elif kind in {"sitemap", "urls"}:
            _poll_list(src, body, kind, seen, settings, gate, out)
        elif kind == "feed":
            out.kind = "feed"
            _poll_feed(src, body, seen, settings, gate, out)
        else:
            out.kind = "page"
            for doc in sources.read_source(src.url, body, limit):
                key = "sha1:" + hashlib.sha1(body).hexdigest()
                if _is_new(seen, key, key, out):  # a changed page: a new key, the same URL
                    _build(doc, key, out, settings)
    except InputError as exc:
        out.error = exc.reason
    except Exception as exc:  # a parser bug on one source must not stop the others
        out.error = f"unexpected {exc.__class__.__name__}: {exc}"
    return out


def _listed(out: Polled, where: str, raw: str) -> None:
    try:
        out.listed.append(fetch.check_url(where, sources.listed_url(out.source.url, raw)))
    except InputError as exc:
        out.problems.append(IngestError(exc.source, exc.reason))


def _poll_feed(
    src: FollowedSource, body: bytes, seen: Seen, settings: Settings, gate: HostGate,
    out: Polled,
) -> None:  # fmt: skip
    fresh = 0
    for doc in feeds.feed_entries(src.url, body):
        if isinstance(doc, IngestError):
            if "recovered entries kept" not in doc.reason and not out.items:
                raise InputError(doc.source, doc.reason)  # the feed itself is broken
            out.problems.append(doc)
            continue
        key = _item_key(doc)
        if not _is_new(seen, key, _entry_digest(doc), out):
            continue
        fresh += 1
        if fresh > settings.watch_max_items:
            out.capped = True  # the rest next time
            break
        if feeds.is_thin(doc) and doc.url and gate.wait(doc.url):
            for full in feeds.full_text(doc):
                _build(full, key, out, settings)
        else:
            _build(doc, key, out, settings)


def _poll_list(
    src: FollowedSource, body: bytes, kind: str, seen: Seen, settings: Settings,
    gate: HostGate, out: Polled,
) -> None:  # fmt: skip
    listing = (
        lists.read_sitemap(src.url, body)
        if kind == "sitemap"
        else lists.read_url_list(src.url, body)
    )
    out.kind = "sitemap" if kind == "sitemap" else "urls"
    if listing.kind == "sitemaps":
        for n, entry in enumerate(listing.entries, 1):
            _listed(out, f"{src.url}#{n}", entry.url)
        return
    fresh = 0
    for n, entry in enumerate(listing.entries, 1):
        # a sitemap entry's new date (lastmod) fetches its page again; a URL list's never
        if not _is_new(seen, entry.url, _digest(entry.when) if entry.when else None, out):
            continue
        fresh += 1
        if fresh > settings.watch_max_items or not gate.wait(entry.url):
            out.capped = True  # the rest next time (or after a stop)
            break
        try:
            url = fetch.check_url(f"{src.url}#{n}", sources.listed_url(src.url, entry.url))
            page = fetch.get(url, settings.max_file_bytes).body or b""
            for doc in sources.read_source(url, page, settings.max_file_bytes):
                _build(sources.with_fallbacks(doc, entry.fields), entry.url, out, settings)
        except InputError as exc:
            out.problems.append(IngestError(exc.source, exc.reason))


# -- one cycle -------------------------------------------------------------------------------
# stores the articles; the mapping: built id -> the stored article a changed item revises
Writer = Callable[[list[Article | IngestError], dict[str, str]], IngestReport]


def poll(
    store: Store,
    settings: Settings,
    write: Writer,
    stop: threading.Event | None = None,
    now: datetime | None = None,
) -> WatchCycle:
    """Poll every due source once; ``write`` stores the articles (ingest's batches)."""
    stop = stop or threading.Event()
    started = time.monotonic()
    cycle = WatchCycle()
    todo = due(store, now)
    if not todo:
        return cycle
    validators = _load_validators(store, [s.url for s in todo])
    gate = HostGate(settings.watch_host_delay, stop)
    with (
        fetch.fetch_enabled(
            settings.max_file_bytes, allow_private=settings.fetch_private_addresses
        ),
        ThreadPoolExecutor(max(1, settings.watch_workers), thread_name_prefix="watch") as pool,
    ):
        pending: set[Future[Polled]] = set()
        for src in todo:
            etag, modified, seen = validators.get(src.url, (None, None, {}))
            ctx = contextvars.copy_context()  # the fetch_enabled state, in the worker thread
            pending.add(
                pool.submit(ctx.run, poll_source, src, (etag, modified), seen, settings, gate)
            )
        while pending:
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in done:
                _record(store, fut.result(), write, cycle)
            if stop.is_set():
                for fut in pending:
                    fut.cancel()
        cycle.stopped = stop.is_set()
    cycle.seconds = time.monotonic() - started
    return cycle


def _load_validators(
    store: Store, urls: Sequence[str]
) -> dict[str, tuple[str | None, str | None, Seen]]:
    out: dict[str, tuple[str | None, str | None, Seen]] = {}
    with store.connect() as conn:
        for url, etag, modified in conn.execute(
            select(
                followed_sources.c.url, followed_sources.c.etag, followed_sources.c.last_modified
            ).where(followed_sources.c.url.in_(list(urls)))
        ):
            out[url] = (etag, modified, {})
        for url, item, digest, article_id in conn.execute(
            select(
                followed_items.c.source_url,
                followed_items.c.item,
                followed_items.c.digest,
                followed_items.c.article_id,
            ).where(followed_items.c.source_url.in_(list(urls)))
        ):
            out[url][2][item] = (digest, article_id)
    return out


def _record(store: Store, polled: Polled, write: Writer, cycle: WatchCycle) -> None:
    """Write one source's articles, then (one transaction) its seen items and new state."""
    src = polled.source
    if polled.skipped:
        return  # stays due
    now = _iso(_now())
    cycle.polled += 1
    cycle.errors.extend(polled.problems)
    added = revised = 0
    ids: dict[str, str] = {}
    if polled.items:
        version_of = {
            a.id: polled.revising[key] for key, a in polled.items if key in polled.revising
        }
        report = write([a for _, a in polled.items], version_of)
        cycle.errors.extend(report.errors)
        added, revised = report.added, report.revised
        cycle.added += added
        cycle.added_ids.extend(report.added_ids)
        cycle.revised += revised
        cycle.revised_ids.extend(report.revised_ids)
        ids = {key: report.version_of.get(a.id, a.id) for key, a in polled.items}
        cycle.new_items += sum(1 for key in ids if key not in polled.revising)
    values: dict[str, Any] = {"last_polled": now, "polls": followed_sources.c.polls + 1}
    if polled.error is not None:
        cycle.failed += 1
        cycle.errors.append(IngestError(src.url, polled.error))
        failures = src.failures + 1
        values |= {
            "failures": failures,
            "last_error": polled.error,
            "next_poll": _iso(_now() + timedelta(seconds=backoff_s(src.every_s, failures))),
        }
    else:
        values |= {
            "failures": 0,
            "last_error": None,
            "last_ok": now,
            "next_poll": _iso(_now() + timedelta(seconds=src.every_s)),
            # a capped poll keeps no validators: a 304 next time would hide the items left
            "etag": None if polled.capped else polled.etag,
            "last_modified": None if polled.capped else polled.last_modified,
            "kind": polled.kind,
            "items": followed_sources.c["items"] + len(set(ids) - set(polled.revising)),
            "articles": followed_sources.c.articles + added,
        }
        if polled.not_modified:
            cycle.not_modified += 1
            values["not_modified"] = followed_sources.c.not_modified + 1
        if added or revised:
            values["last_new"] = now
    with store.begin() as conn:
        new = {k: v for k, v in ids.items() if k not in polled.revising}
        if new:
            conn.execute(
                followed_items.insert(),
                [{"source_url": src.url, "item": k, "article_id": v, "seen": now,
                  "digest": polled.digests.get(k)} for k, v in new.items()],
            )  # fmt: skip
        for k in ids.keys() & polled.revising.keys():
            conn.execute(
                update(followed_items)
                .where(followed_items.c.source_url == src.url, followed_items.c.item == k)
                .values(digest=polled.digests.get(k), seen=now)
            )
        conn.execute(
            update(followed_sources).where(followed_sources.c.url == src.url).values(values)
        )
        if polled.listed:
            cycle.new_sources += follow(store, polled.listed, src.every_s, src.url, conn)
