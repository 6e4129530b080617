"""Alerts: saved searches and followed people, stories and threads, and what is new for each.

An alert is a row in ``alerts`` (its own schema component, migrated like a stage's tables):
its kind (``search``, ``person``, ``story``, ``thread``), its target (the words, the person's
name or id, the story or thread id) and ``seen_seq``, the newest article (``articles.seq``,
arrival order) it was last checked up to. What is new for it is every matching article that
arrived after that mark, however it arrived (``ingest``, ``watch``, ``POST /api/articles``):

- a search: articles holding every one of its words (the full-text index, stemmed; never the
  semantic neighbours a search page adds, which any article has);
- a person (or organization): articles that mention them (the ``entities`` stage);
- a story: its articles; a thread: the articles of each of its stories (the ``cluster`` stage).

An article stored before the mark whose text changed after the alert was last read (a newer
version arrived: the same URL or feed entry with other text) counts as revised, apart.

Near-duplicates (``duplicate_of``) are not counted: a syndicated copy is not news. Marking an
alert read moves its mark to the newest article the stage it depends on has processed, so an
article stored but not yet analysed is still new at the next check.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    func,
    select,
    update,
)

from newsdesk import registry
from newsdesk.errors import BadArgument, NotFound
from newsdesk.models import Alert, AlertKind
from newsdesk.search.fulltext import every_word
from newsdesk.search.query import query_terms
from newsdesk.stages.cluster.tables import stories, story_articles
from newsdesk.stages.entities.tables import find_person, people_table, person_mentions
from newsdesk.store import Store
from newsdesk.store.schema import (
    article_stages,
    article_versions,
    articles,
    component,
    metadata,
)
from newsdesk.views.threads import thread_label

alerts_table = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("target", Text, nullable=False),
    Column("created", String(32), nullable=False),
    Column("checked", String(32)),
    Column("seen_seq", Integer, nullable=False, default=0),
    UniqueConstraint("kind", "target", name="uq_alerts_kind_target"),
)


def _v1(conn: Connection) -> None:
    alerts_table.create(conn, checkfirst=True)


TABLES = component("alerts", [_v1])

KINDS: tuple[AlertKind, ...] = ("search", "person", "story", "thread")
# the stage whose tables an alert of each kind reads (its mark stops at what it has processed)
NEEDS = {"person": "entities", "story": "cluster", "thread": "cluster"}
SPEC_HELP = 'search:WORDS, person:NAME, story:N or thread:N (e.g. "search:port strike")'


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def parse(spec: str) -> tuple[AlertKind, str]:
    """``"search:port strike"`` → ``("search", "port strike")``; a bad spec is a BadArgument."""
    kind, sep, target = spec.partition(":")
    kind = kind.strip().lower()
    kind = {"org": "person", "organization": "person", "organisation": "person"}.get(kind, kind)
    target = " ".join(target.split())
    if not sep or kind not in KINDS:
        raise BadArgument(f"{spec!r} is not an alert: give {SPEC_HELP}")
    if not target:
        raise BadArgument(f"{spec!r} names nothing to follow after {kind}:")
    if kind in ("story", "thread") and not target.isdigit():
        raise BadArgument(f"{spec!r}: {kind}s are numbered ({kind}:12)")
    if kind == "search" and not query_terms(target):
        raise BadArgument(f"{spec!r}: a search needs at least one word")
    return kind, target


def _row(r: Any, label: str) -> Alert:
    return Alert(
        id=int(r.id),
        kind=r.kind,
        target=r.target,
        label=label,
        created=r.created,
        checked=r.checked,
        seen_seq=int(r.seen_seq or 0),
    )


def _person_id(conn: Connection, name: str) -> str | None:
    pid = conn.scalar(select(people_table.c.id).where(people_table.c.id == name))
    return pid or find_person(conn, name) or find_person(conn, name, "org")


def _label(conn: Connection, kind: str, target: str) -> str:
    if kind == "person":
        pid = _person_id(conn, target)
        name = pid and conn.scalar(select(people_table.c.name).where(people_table.c.id == pid))
        return str(name or target)
    if kind == "story":
        title = conn.scalar(select(stories.c.title).where(stories.c.id == int(target)))
        return str(title or f"story {target}")
    if kind == "thread":
        label = thread_label(conn, int(target))
        return f"thread {target}" + (f": {label}" if label else "")
    return target


def _exists(conn: Connection, kind: str, target: str) -> None:
    """A story or thread must exist to be followed (a person or a search may come later)."""
    if kind == "story" and conn.scalar(select(stories.c.id).where(stories.c.id == int(target))):
        return
    if kind == "thread" and conn.scalar(
        select(func.count()).select_from(stories).where(stories.c.thread_id == int(target))
    ):
        return
    if kind in ("story", "thread"):
        raise NotFound(f"no {kind} {target}")


def _newest_seq(conn: Connection) -> int:
    return int(conn.scalar(select(func.max(articles.c.seq))) or 0)


def add(store: Store, spec: str) -> tuple[Alert, bool]:
    """Save the alert ``spec`` (:data:`SPEC_HELP`); (the alert, whether it is new).

    A new alert starts at the newest article: what is already stored is not new to it."""
    kind, target = parse(spec)
    with store.begin() as conn:
        _exists(conn, kind, target)
        row = conn.execute(
            select(alerts_table).where(alerts_table.c.kind == kind, alerts_table.c.target == target)
        ).first()
        created = row is None
        if created:
            conn.execute(
                alerts_table.insert().values(
                    kind=kind, target=target, created=_now(), seen_seq=_newest_seq(conn)
                )
            )
            row = conn.execute(
                select(alerts_table).where(
                    alerts_table.c.kind == kind, alerts_table.c.target == target
                )
            ).one()
        alert = _row(row, _label(conn, kind, target))
    return alert, created


def remove(store: Store, ids: list[int]) -> int:
    """Delete these alerts; how many there were."""
    with store.begin() as conn:
        result = conn.execute(delete(alerts_table).where(alerts_table.c.id.in_(ids)))
    return int(result.rowcount or 0)


def _condition(conn: Connection, store: Store, a: Alert) -> Any:
    """The SQL condition on ``articles`` of the articles this alert follows (None: none yet)."""
    if a.kind == "search":
        return every_word(store, query_terms(a.target), a.seen_seq)
    if a.kind == "person":
        pid = _person_id(conn, a.target)
        if pid is None:
            return None
        return articles.c.id.in_(
            select(person_mentions.c.article_id).where(person_mentions.c.person_id == pid)
        )
    if a.kind == "story":
        return articles.c.id.in_(
            select(story_articles.c.article_id).where(story_articles.c.story_id == int(a.target))
        )
    members = select(stories.c.id).where(stories.c.thread_id == int(a.target))
    return articles.c.id.in_(
        select(story_articles.c.article_id).where(story_articles.c.story_id.in_(members))
    )


def matches(
    store: Store, a: Alert, new_only: bool = True, limit: int = 50, revised: bool = False
) -> tuple[int, list[str]]:
    """(how many, the ids of the newest ``limit``) of the articles matching ``a``: those that
    arrived after its mark (``new_only``), else all of them; with ``revised``, those stored
    before the mark that were revised after it was last read (a newer version arrived)."""
    after = a.seen_seq if new_only and not revised else 0
    with store.connect() as conn:
        cond = _condition(conn, store, replace(a, seen_seq=after))
        if cond is None:
            return 0, []
        where = [articles.c.seq > after, articles.c.duplicate_of.is_(None), cond]
        if revised:
            since = a.checked or a.created
            # times are to the second: a version stored in the second of the read counts (a
            # revision seen twice beats one never reported)
            changed = select(article_versions.c.article_id).where(
                article_versions.c.version > 1, article_versions.c.ingested_at >= since
            )
            where += [articles.c.seq <= a.seen_seq, articles.c.id.in_(changed)]
        total = int(conn.scalar(select(func.count()).select_from(articles).where(*where)) or 0)
        if not total or limit <= 0:
            return total, []
        ids = list(
            conn.scalars(
                select(articles.c.id).where(*where).order_by(articles.c.seq.desc()).limit(limit)
            )
        )
    return total, ids


def following(store: Store, spec: str, limit: int = 50) -> tuple[str, list[str]]:
    """(its label, the ids of its newest ``limit`` articles) of what an alert ``spec`` would
    follow, saved or not: the feeds of threads and alerts use it."""
    kind, target = parse(spec)
    with store.connect() as conn:
        _exists(conn, kind, target)
        label = _label(conn, kind, target)
    a = Alert(0, kind, target, label, created="", checked=None, seen_seq=0)
    return label, matches(store, a, new_only=False, limit=limit)[1]


def listed(store: Store, ids: list[int] | None = None) -> list[Alert]:
    """Every alert (or those of ``ids``), oldest first, with its counts of new and revised
    articles."""
    with store.connect() as conn:
        q = select(alerts_table).order_by(alerts_table.c.id)
        if ids is not None:
            q = q.where(alerts_table.c.id.in_(ids))
        found = [_row(r, _label(conn, r.kind, r.target)) for r in conn.execute(q).all()]
    return [
        replace(
            a,
            new=matches(store, a, limit=0)[0],
            revised=matches(store, a, limit=0, revised=True)[0],
        )
        for a in found
    ]


def get(store: Store, alert_id: int) -> Alert:
    found = listed(store, [alert_id])
    if not found:
        raise NotFound(f"no alert {alert_id}")
    return found[0]


def _processed_up_to(conn: Connection, stage: str | None) -> int:
    """The newest article such that ``stage`` has processed every article up to it."""
    newest = _newest_seq(conn)
    if stage is None:
        return newest
    try:
        version = registry.get_stage(stage).version
    except registry.UnknownStage:
        return newest
    done = select(article_stages.c.article_id).where(
        article_stages.c.stage == stage, article_stages.c.version == version
    )
    first_pending = conn.scalar(select(func.min(articles.c.seq)).where(articles.c.id.not_in(done)))
    return newest if first_pending is None else int(first_pending) - 1


def mark_read(store: Store, ids: list[int] | None = None) -> int:
    """Move these alerts' marks (default: every alert's) to the newest article they can have
    seen; how many alerts."""
    with store.begin() as conn:
        q = select(alerts_table.c.id, alerts_table.c.kind)
        if ids is not None:
            q = q.where(alerts_table.c.id.in_(ids))
        rows = conn.execute(q).all()
        marks = {stage: _processed_up_to(conn, stage) for stage in {*NEEDS.values(), None}}
        now = _now()
        for r in rows:
            seq = marks[NEEDS.get(r.kind)]
            conn.execute(
                update(alerts_table)
                .where(alerts_table.c.id == r.id, alerts_table.c.seen_seq < seq)
                .values(seen_seq=seq)
            )
            conn.execute(update(alerts_table).where(alerts_table.c.id == r.id).values(checked=now))
    return len(rows)
