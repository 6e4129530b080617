"""Commands over who said what: ``quotes`` (and the ``quotes -`` filter), ``people``, ``person``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from newsdesk import api
from newsdesk.cli.common import (
    STORE,
    JsonFlag,
    app,
    console,
    counted,
    only_stdin,
    opened,
    print_json,
    print_records,
    stdin_records,
    with_settings,
)
from newsdesk.models import Dossier, StoredQuote
from newsdesk.settings import Settings


def _quote_dict(sq: StoredQuote) -> dict[str, Any]:
    q = sq.quote
    return {
        "id": sq.id,
        "article_id": q.article_id,
        "published": q.published.isoformat() if q.published else None,
        "kind": q.kind,
        "text": sq.text,
        "speaker_name": q.speaker_name,
        "speaker_mention": sq.speaker_mention,
        "role": q.role,
        "org": sq.org,
        "person_id": q.entity_id,
        "content": [list(c) for c in q.content],
        "cue": list(q.cue) if q.cue else None,
        "speaker": list(q.speaker) if q.speaker else None,
    }


@app.command("quotes")
@with_settings(*STORE)
def quotes_cmd(
    settings: Settings,
    source: Annotated[
        str | None, typer.Argument(help="- to read JSONL records {id, text} from stdin (no store).")
    ] = None,
    speaker: Annotated[
        str | None, typer.Option(help="Only quotes by this person (name or id).")
    ] = None,
    story: Annotated[
        str | None, typer.Option(help="Only quotes from articles of this story.")
    ] = None,
    limit: Annotated[int, typer.Option(help="How many.")] = 30,
    offset: Annotated[int, typer.Option(help="Skip this many (pagination).")] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Who said what: stored quotes, newest first, or the ``quotes -`` filter on raw JSONL.

    With ``-``, reads {"id", "text"} per line on stdin and writes {"id", "quotes": [...]}, each
    quote {"content", "cue", "speaker", "speaker_name", "role", "kind"}: content is a list of
    (start, end) spans, cue and speaker one span or null, all character offsets into that text.

    Example:  newsdesk quotes --speaker Lavrov --json
    Example:  echo '{"id": 1, "text": "\\"We will win,\\" she said."}' | newsdesk quotes -
    """
    if source is not None:
        only_stdin(source)
        print_records(api.stage_filter("quotes", stdin_records(), settings))
        return
    with opened(settings) as store:
        found = api.quotes(store, speaker=speaker, story_id=story, limit=limit, offset=offset)
    if as_json:
        print_json({"quotes": [_quote_dict(q) for q in found]})
        return
    table = Table("date", "speaker", "role", "kind", "quote", show_lines=False)
    for sq in found:
        q = sq.quote
        text = api.excerpt(sq.text, 160)
        table.add_row(
            q.published.date().isoformat() if q.published else "",
            q.speaker_name or "",
            q.role or "",
            q.kind,
            text,
        )
    console.print(table)


@app.command("people")
@with_settings(*STORE)
def people_cmd(
    settings: Settings,
    limit: Annotated[int, typer.Option(help="How many.")] = 30,
    offset: Annotated[int, typer.Option(help="Skip this many (pagination).")] = 0,
    as_json: JsonFlag = False,
) -> None:
    """People and speakers, most quoted first, with their latest role and country/organization.

    Example:  newsdesk people --limit 10 --json
    """
    with opened(settings) as store:
        found = api.people(store, limit=limit, offset=offset)
    if as_json:
        print_json({"people": [asdict(p) for p in found]})
        return
    table = Table("id", "name", "role", "for", "quotes", "articles")
    for p in found:
        table.add_row(p.id, p.name, p.role or "", p.org or "", str(p.quotes), str(p.articles))
    console.print(table)


def dossier_dict(d: Dossier) -> dict[str, Any]:
    """The JSON form of a dossier (``newsdesk person --json``)."""
    return {
        "id": d.id,
        "name": d.name,
        "kind": d.kind,
        "org": d.org,
        "aliases": list(d.aliases),
        "roles": [asdict(r) for r in d.roles],
        "quotes": [
            {
                "id": sq.id,
                "article_id": sq.quote.article_id,
                "published": sq.quote.published.isoformat() if sq.quote.published else None,
                "kind": sq.quote.kind,
                "text": sq.text,
                "role": sq.quote.role,
                "speaker_mention": sq.speaker_mention,
            }
            for sq in d.quotes
        ],
        "articles": [asdict(m) for m in d.articles],
        "stories": list(d.stories),
        "mentioned_with": [asdict(m) for m in d.mentioned_with],
    }


@app.command("person")
@with_settings(*STORE)
def person_cmd(
    settings: Settings,
    name_or_id: Annotated[str, typer.Argument(help="A person's id or name (any variant).")],
    as_json: JsonFlag = False,
) -> None:
    """A person's dossier: roles over time, quotes in date order, articles, stories, co-mentions.

    Example:  newsdesk person "Sergei Lavrov" --json
    """
    with opened(settings) as store:
        d = api.person(store, name_or_id)
    if as_json:
        print_json(dossier_dict(d))
        return
    console.print(f"[bold]{escape(d.name)}[/bold]  ({escape(d.id)})", markup=True)
    if d.aliases:
        console.print("also: " + ", ".join(d.aliases), markup=False)
    for r in d.roles:
        console.print(f"  {r.first or '?'} … {r.last or '?'}  {r.role}", markup=False)
    console.print(
        f"\n{counted(len(d.quotes), 'quote')}, {counted(len(d.articles), 'article')}", markup=False
    )
    for sq in d.quotes:
        day = sq.quote.published.isoformat()[:10] if sq.quote.published else ""
        console.print(f"  {day}  [{sq.quote.kind}] {sq.text[:150]}", markup=False)
    if d.stories:
        console.print("stories: " + ", ".join(str(s) for s in d.stories), markup=False)
    if d.mentioned_with:
        with_ = ", ".join(f"{m.name} ({m.articles})" for m in d.mentioned_with[:10])
        console.print("mentioned with: " + with_, markup=False)
