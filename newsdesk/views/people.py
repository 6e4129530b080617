"""People and organizations as readers see them: listings and dossiers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    func,
    select,
)

from newsdesk.errors import NotFound
from newsdesk.models import CoMention, Dossier, Mention, PersonBrief, RoleSpan, StoredQuote
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


def person(store: Store, name_or_id: str) -> Dossier:
    """A person's dossier: roles over time, quotes in date order, articles, stories, co-mentions."""
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
        mentions = conn.execute(
            select(pm, articles.c.title, articles.c.outlet)
            .join(articles, articles.c.id == pm.c.article_id)
            .where(pm.c.person_id == pid)
            .order_by(pm.c.published.nulls_last(), pm.c.article_id)
        ).all()
        roles: dict[tuple[str, str | None], dict[str, Any]] = {}
        for m in mentions:
            if not m.role:
                continue
            r = roles.setdefault(
                (m.role, m.org),
                {
                    "role": m.role,
                    "org": m.org,
                    "first": m.published,
                    "last": m.published,
                    "articles": 0,
                },
            )
            r["articles"] += 1
            if m.published and (r["first"] is None or m.published < r["first"]):
                r["first"] = m.published
            if m.published and (r["last"] is None or m.published > r["last"]):
                r["last"] = m.published
        quote_rows = conn.execute(
            select(quotes_table)
            .where(quotes_table.c.entity_id == pid)
            .order_by(
                quotes_table.c.published.nulls_last(), quotes_table.c.article_id, quotes_table.c.seq
            )
        ).all()
        found: list[StoredQuote] = [quote_from_row(r) for r in quote_rows]
        article_ids = [m.article_id for m in mentions]
        co = conn.execute(
            select(people_table.c.id, people_table.c.name, func.count(pm.c.article_id).label("n"))
            .join(pm, pm.c.person_id == people_table.c.id)
            .where(pm.c.article_id.in_(article_ids), pm.c.person_id != pid)
            .group_by(people_table.c.id, people_table.c.name)
            .order_by(func.count(pm.c.article_id).desc(), people_table.c.name)
            .limit(20)
        ).all()
    stories = stories_of_articles(store, article_ids)
    return Dossier(
        id=pid,
        name=row.name,
        kind=row.kind,
        org=row.org,
        aliases=tuple(aliases),
        roles=tuple(
            RoleSpan(r["role"], r["org"], r["first"], r["last"], r["articles"])
            for r in sorted(roles.values(), key=lambda r: (r["first"] or "", r["role"]))
        ),
        quotes=tuple(found),
        articles=tuple(Mention(m.article_id, m.title, m.outlet, m.published) for m in mentions),
        stories=tuple(stories),
        mentioned_with=tuple(CoMention(c.id, c.name, int(c.n)) for c in co),
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
