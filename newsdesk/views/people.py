"""People and organizations as readers see them: listings and dossiers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    func,
    select,
)

from newsdesk.errors import NotFound
from newsdesk.models import CoMention, Dossier, Mention, PersonBrief, RoleSpan, StoredQuote
from newsdesk.stages.cluster.tables import story_articles
from newsdesk.stages.entities.tables import (
    find_person,
    people_table,
    person_aliases,
    person_mentions,
)
from newsdesk.stages.quotes.tables import quotes_table
from newsdesk.store.schema import articles
from newsdesk.views.quotes import quote_from_row
from newsdesk.views.stories import stories_of_articles

if TYPE_CHECKING:
    from newsdesk.store import Store


def people(
    store: Store, limit: int = 50, offset: int = 0, kind: str = "person"
) -> list[PersonBrief]:
    """People, most quoted first: id, name, latest role, org, quote and article counts."""
    pm = person_mentions
    q = (
        select(
            people_table.c.id,
            people_table.c.name,
            people_table.c.kind,
            people_table.c.org,
            func.sum(pm.c.quotes).label("quotes"),
            func.count(pm.c.article_id).label("articles"),
        )
        .join(pm, pm.c.person_id == people_table.c.id)
        .where(people_table.c.kind == kind)
        .group_by(people_table.c.id, people_table.c.name, people_table.c.kind, people_table.c.org)
        .order_by(
            func.sum(pm.c.quotes).desc(), func.count(pm.c.article_id).desc(), people_table.c.name
        )
        .limit(limit)
        .offset(offset)
    )
    with store.connect() as conn:
        rows = conn.execute(q).all()
        out = []
        for r in rows:
            role = conn.scalar(
                select(pm.c.role)
                .where(pm.c.person_id == r.id, pm.c.role.is_not(None))
                .order_by(pm.c.published.desc().nulls_last())
                .limit(1)
            )
            out.append(
                PersonBrief(
                    id=r.id,
                    name=r.name,
                    kind=r.kind,
                    role=role,
                    org=r.org,
                    quotes=int(r.quotes or 0),
                    articles=int(r.articles or 0),
                )
            )
    return out


def person(store: Store, name_or_id: str, limit: int | None = None, offset: int = 0) -> Dossier:
    """A person's dossier: roles over time, quotes in date order, articles, stories, co-mentions.

    ``limit``: a page of at most ``limit`` quotes and ``limit`` articles (from ``offset``), the
    latest first, as the web page shows them (``quote_count`` and ``article_count`` say how many
    there are in all), and the ``limit`` stories holding most of their articles; roles and
    co-mentions always cover every article. Without it, every quote, article and story, oldest
    first.
    """
    pm = person_mentions
    with store.connect() as conn:
        row = conn.execute(select(people_table).where(people_table.c.id == name_or_id)).first()
        if row is None:
            pid = find_person(conn, name_or_id)
            row = (
                conn.execute(select(people_table).where(people_table.c.id == pid)).first()
                if pid
                else None
            )
        if row is None:
            raise NotFound(f"no person {name_or_id!r}")
        pid = row.id
        aliases = sorted(
            set(
                conn.scalars(select(person_aliases.c.name).where(person_aliases.c.person_id == pid))
            )
            - {row.name}
        )
        # 1. roles: one row per (role, org), aggregated in SQL (MIN/MAX skip missing dates)
        role_rows = conn.execute(
            select(
                pm.c.role,
                pm.c.org,
                func.min(pm.c.published),
                func.max(pm.c.published),
                func.count(),
            )
            .where(pm.c.person_id == pid, pm.c.role.is_not(None), pm.c.role != "")
            .group_by(pm.c.role, pm.c.org)
        ).all()
        # 2. stories: in the whole dossier, every story in order of first appearance; in a page,
        # the ``limit`` stories holding most of their articles (a much-quoted person is in
        # hundreds), counted in SQL
        theirs = select(pm.c.article_id).where(pm.c.person_id == pid)
        if limit is None:
            article_ids = list(
                conn.scalars(theirs.order_by(pm.c.published.nulls_last(), pm.c.article_id))
            )
        else:
            sa = story_articles
            story_ids = list(
                conn.scalars(
                    select(sa.c.story_id)
                    .where(sa.c.article_id.in_(theirs.scalar_subquery()))
                    .group_by(sa.c.story_id)
                    .order_by(func.count().desc(), sa.c.story_id.desc())
                    .limit(limit)
                )
            )
            article_count = int(
                conn.scalar(select(func.count()).select_from(pm).where(pm.c.person_id == pid)) or 0
            )
        # 3. the articles and quotes shown: a page of them (latest first), or all (oldest first);
        # the page of mentions is cut before the join, so only its articles are read
        latest = limit is not None

        def by_date(published: Any, *keys: Any) -> list[Any]:
            if latest:
                return [published.desc().nulls_last(), *(k.desc() for k in keys)]
            return [published.nulls_last(), *keys]

        shown = (
            select(pm.c.article_id, pm.c.published)
            .where(pm.c.person_id == pid)
            .order_by(*by_date(pm.c.published, pm.c.article_id))
        )
        qt = quotes_table.c
        quote_q = (
            select(quotes_table)
            .where(qt.entity_id == pid)
            .order_by(*by_date(qt.published, qt.article_id), qt.seq)
        )
        if limit is not None:
            shown = shown.limit(limit).offset(offset)
            quote_q = quote_q.limit(limit).offset(offset)
        page = shown.subquery()
        mention_q = (
            select(page.c.article_id, articles.c.title, articles.c.outlet, page.c.published)
            .join(articles, articles.c.id == page.c.article_id)
            .order_by(*by_date(page.c.published, page.c.article_id))
        )
        if limit is not None:
            quote_count = int(
                conn.scalar(
                    select(func.count())
                    .select_from(quotes_table)
                    .where(quotes_table.c.entity_id == pid)
                )
                or 0
            )
        mentions = conn.execute(mention_q).all()
        found: list[StoredQuote] = [quote_from_row(r) for r in conn.execute(quote_q)]
        if limit is None:
            quote_count, article_count = len(found), len(article_ids)
        # 4. co-mentions: counted per person over a subquery of their articles, then named
        # (grouping the joined rows by id and name: 11 -> 7.7 ms for a 250-article person)
        counts = (
            select(pm.c.person_id, func.count().label("n"))
            .where(pm.c.article_id.in_(theirs.scalar_subquery()), pm.c.person_id != pid)
            .group_by(pm.c.person_id)
            .subquery()
        )
        co = conn.execute(
            select(people_table.c.id, people_table.c.name, counts.c.n)
            .join(counts, counts.c.person_id == people_table.c.id)
            .order_by(counts.c.n.desc(), people_table.c.name)
            .limit(20)
        ).all()
    if limit is None:
        story_ids = stories_of_articles(store, article_ids)
    return Dossier(
        id=pid,
        name=row.name,
        kind=row.kind,
        org=row.org,
        aliases=tuple(aliases),
        roles=tuple(
            RoleSpan(role, org, first, last, int(n))
            for role, org, first, last, n in sorted(role_rows, key=lambda r: (r[2] or "", r[0]))
        ),
        quotes=tuple(found),
        articles=tuple(Mention(m.article_id, m.title, m.outlet, m.published) for m in mentions),
        stories=tuple(story_ids),
        mentioned_with=tuple(CoMention(c.id, c.name, int(c.n)) for c in co),
        quote_count=quote_count,
        article_count=article_count,
    )


def organizations(store: Store, limit: int = 50, offset: int = 0) -> list[PersonBrief]:
    """Organizations that speak ("The New York Post", "the Kremlin"), most quoted first."""
    return people(store, limit, offset, kind="org")


def organization(store: Store, name_or_id: str) -> Dossier:
    """An organization's page: the same dossier as :func:`person`."""
    return person(store, name_or_id)


def article_ids(store: Store, name_or_id: str) -> set[str]:
    """Ids of the articles that mention this person (by id or name); empty when unknown."""
    with store.connect() as conn:
        pid = conn.scalar(select(people_table.c.id).where(people_table.c.id == name_or_id))
        pid = pid or find_person(conn, name_or_id)
        if pid is None:
            return set()
        return set(
            conn.scalars(
                select(person_mentions.c.article_id).where(person_mentions.c.person_id == pid)
            )
        )
