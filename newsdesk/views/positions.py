"""Positions maps as readers see them: per story and per thread, as of a date, what changed since.

The positions stage stores claims per article (``newsdesk.stages.positions``); this module reads
the claims of a story's (or a thread's) articles, groups them into issues and builds the map
(``stages.positions.mapping``), and renders it as Markdown (a briefing with its quotes) or CSV.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from newsdesk.errors import NotFound
from newsdesk.nlp.tokens import quoted
from newsdesk.settings import Settings
from newsdesk.stages.cluster.tables import stories, story_articles
from newsdesk.stages.entities.tables import person_mentions
from newsdesk.stages.positions.issues import load_issue_file
from newsdesk.stages.positions.mapping import CLASSES, NO_POSITION
from newsdesk.stages.positions.stage import from_rows, map_of
from newsdesk.stages.positions.tables import claims_table
from newsdesk.store.schema import articles

STANCE_WORDS = {
    "supports": "supports",
    "rejects": "rejects",
    "conditional": "conditional",
    "unclear": "unclear",
    NO_POSITION: "—",
}


def parse_ref(ref: str) -> tuple[str, int]:
    """``"12"`` / ``"story:12"`` → ("story", 12); ``"thread:3"`` / ``"t3"`` → ("thread", 3)."""
    s = str(ref).strip().lower()
    kind = "story"
    for prefix, k in (("story:", "story"), ("thread:", "thread"), ("s", "story"), ("t", "thread")):
        if s.startswith(prefix) and s[len(prefix) :].isdigit():
            kind, s = k, s[len(prefix) :]
            break
    if not s.isdigit():
        raise NotFound(f"no story or thread {ref!r} (give a story id, story:ID or thread:ID)")
    return kind, int(s)


def _story_ids(conn: Any, kind: str, ident: int) -> tuple[list[int], str | None]:
    if kind == "story":
        row = conn.execute(
            select(stories.c.id, stories.c.title).where(stories.c.id == ident)
        ).first()
        if row is None:
            raise NotFound(f"no story {ident}")
        return [ident], row.title
    rows = conn.execute(
        select(stories.c.id, stories.c.title)
        .where(stories.c.thread_id == ident)
        .order_by(stories.c.first_published.nulls_last(), stories.c.id)
    ).all()
    if not rows:
        raise NotFound(f"no thread {ident}")
    return [r.id for r in rows], rows[0].title


def positions_map(
    store: Any,
    ref: str,
    as_of: str | None = None,
    since: str | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """The positions map of a story or thread (``ref``: see :func:`parse_ref`)."""
    settings = settings or Settings.load()
    kind, ident = parse_ref(ref)
    with store.connect() as conn:
        story_ids, title = _story_ids(conn, kind, ident)
        meta = conn.execute(
            select(
                articles.c.id, articles.c.title, articles.c.outlet, articles.c.published,
                story_articles.c.story_id,
            )
            .join(story_articles, story_articles.c.article_id == articles.c.id)
            .where(story_articles.c.story_id.in_(story_ids))
        ).all()  # fmt: skip
        ids = [m.id for m in meta]
        rows = (
            conn.execute(
                select(claims_table)
                .where(claims_table.c.article_id.in_(ids))
                .order_by(
                    claims_table.c.published.nulls_first(),
                    claims_table.c.article_id,
                    claims_table.c.seq,
                )
            )
            .mappings()
            .all()
            if ids
            else []
        )
    titles = {m.id: m.title for m in meta}
    outlets = {m.id: m.outlet for m in meta}
    done = from_rows(rows)
    issue_file = load_issue_file(settings.issues_file)
    out = map_of(done, issue_file, titles, as_of=as_of, since=since, outlets=outlets)
    out.update(
        {
            "kind": kind,
            "id": ident,
            "title": title,
            "stories": story_ids,
            "articles": len(ids),
        }
    )
    return out


def person_positions(store: Any, person_id: str, names: Sequence[str]) -> list[dict[str, Any]]:
    """The stories whose claims this person (or organization) made, for the person's page.

    A claim is theirs when it is in one of their articles and its actor as written holds one of
    ``names`` (their name, aliases, and for a person the surname, as the articles write "Lavrov"
    after "Sergei Lavrov"): the claims table keeps the actor's words, not an entity id. Per
    story: the party they spoke for (the most frequent), the claim count and the latest date.
    """
    keys = sorted({n.strip().lower() for n in names if len(n.strip()) > 2})
    if not keys:
        return []
    theirs = select(person_mentions.c.article_id).where(person_mentions.c.person_id == person_id)
    with store.connect() as conn:
        rows = conn.execute(
            select(
                claims_table.c.actor, claims_table.c.party, claims_table.c.published,
                story_articles.c.story_id, stories.c.title,
            )
            .join(story_articles, story_articles.c.article_id == claims_table.c.article_id)
            .join(stories, stories.c.id == story_articles.c.story_id)
            .where(claims_table.c.article_id.in_(theirs.scalar_subquery()))
        ).all()  # fmt: skip
    # one pattern for every name (a search per name and row was most of this function's time)
    theirs_re = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(k) for k in keys) + r")(?!\w)")
    by: dict[int, dict[str, Any]] = {}
    for r in rows:
        if not theirs_re.search((r.actor or "").lower()):
            continue
        s = by.setdefault(
            int(r.story_id),
            {"story": int(r.story_id), "title": r.title, "parties": Counter(), "claims": 0,
             "last": None},
        )  # fmt: skip
        s["parties"][r.party] += 1
        s["claims"] += 1
        if r.published and (s["last"] is None or r.published > s["last"]):
            s["last"] = r.published
    out = []
    for s in by.values():
        party = s.pop("parties").most_common(1)[0][0]
        out.append({**s, "party": party})
    out.sort(key=lambda s: (s["last"] or "", s["story"]), reverse=True)
    return out


def to_markdown(m: dict[str, Any]) -> str:
    """A briefing: the grid, then each issue by class with every cell's dated quotes."""
    parties = m["parties"]
    lines = [
        f"# Positions: {m.get('title') or m.get('kind', '')} ({m.get('kind')} {m.get('id')})",
        "",
    ]
    if m.get("as_of"):
        lines += [f"As of {m['as_of']}.", ""]
    if not m["issues"]:
        lines += ["No positions found.", ""]
        return "\n".join(lines)
    lines.append("| issue | class | " + " | ".join(parties) + " |")
    lines.append("|---|---|" + "---|" * len(parties))
    for r in m["issues"]:
        cells = [
            STANCE_WORDS.get(r["cells"][p]["stance"], r["cells"][p]["stance"]) for p in parties
        ]
        lines.append(f"| {_md(r['label'])} | {r['class']} | " + " | ".join(cells) + " |")
    lines.append("")
    for cls in CLASSES:
        group = [r for r in m["issues"] if r["class"] == cls]
        if not group:
            continue
        lines += [f"## {cls.capitalize()}", ""]
        for r in group:
            lines += [f"### {_md(r['label'])}", "", f"_{r['why']}_", ""]
            for p in parties:
                cell = r["cells"][p]
                if cell["stance"] == NO_POSITION:
                    continue
                lines.append(f"- **{p}**: {cell['stance']}")
                for ev in cell["evidence"]:
                    day = (ev.get("date") or "")[:10]
                    src = ", ".join(x for x in (ev.get("outlet"), day) if x)
                    lines.append(
                        f"  - {ev['stance']}: {_md(quoted(ev['text']))} ({src or ev['article_id']})"
                    )
            lines.append("")
    if m.get("changes") is not None:
        lines += [f"## Changed since {m.get('since')}", ""]
        for c in m["changes"] or []:
            lines.append(f"- {c['party']} on {_md(c['label'])}: {c['from']} → {c['to']}")
        if not m["changes"]:
            lines.append("- nothing")
        lines.append("")
    return "\n".join(lines)


def _md(s: str) -> str:
    return " ".join(str(s).split()).replace("|", "\\\\|")


def to_csv(m: dict[str, Any]) -> str:
    """One row per cell: issue, class, party, stance, date, evidence count, latest evidence."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(
        ["issue", "label", "class", "party", "stance", "date", "evidence", "latest_evidence"]
    )
    for r in m["issues"]:
        for p in m["parties"]:
            cell = r["cells"][p]
            ev = cell["evidence"]
            w.writerow(
                [r["id"], r["label"], r["class"], p, cell["stance"], cell.get("date") or "",
                 len(ev), ev[-1]["text"] if ev else ""]
            )  # fmt: skip
    return buf.getvalue()
