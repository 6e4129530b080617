"""Commands over stories: ``stories``, ``story ID``, ``threads``, ``recluster``, ``cluster -``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from newsdesk import api
from newsdesk.cli.common import (
    DbOption,
    JsonFlag,
    app,
    console,
    err_console,
    handled,
    opened,
    print_json,
    print_jsonl,
    stdin_records,
)
from newsdesk.settings import Settings
from newsdesk.stages.cluster import Cluster
from newsdesk.views.stories import StoryView, get_story, list_stories
from newsdesk.views.threads import list_threads


def _day(value: str | None) -> str:
    return value[:10] if value else ""


@app.command("stories")
def stories_cmd(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(help="How many.")] = 20,
    offset: Annotated[int, typer.Option(help="Skip this many (pagination).")] = 0,
    order: Annotated[str, typer.Option(help="latest or biggest.")] = "latest",
    as_json: JsonFlag = False,
) -> None:
    """List stories: articles about one event across outlets.

    Example:  newsdesk stories --order biggest --limit 5
    """
    if order not in {"latest", "biggest"}:
        raise typer.BadParameter("must be latest or biggest", param_hint="--order")
    with opened(db) as (store, _):
        items = list_stories(store, limit=limit, offset=offset, order=order)
    if as_json:
        print_json([asdict(s) for s in items])
        return
    table = Table("id", "last", "articles", "outlets", "title", "thread")
    for s in items:
        table.add_row(
            str(s.id),
            _day(s.last_published),
            str(s.articles),
            str(s.outlets),
            escape(s.title or "(untitled)"),
            "" if s.thread_id == s.id else str(s.thread_id),
        )
    console.print(table)


def print_story(view: StoryView, articles: bool = True) -> None:
    """Render one story (also used by ``newsdesk demo``)."""
    s = view.story
    console.print(f"[bold]{escape(s.title or '(untitled)')}[/bold]  [dim]story {s.id}[/dim]")
    outlets = ", ".join(f"{o} ({n})" for o, n in view.outlets)
    span = " – ".join(
        dict.fromkeys(x for x in (_day(s.first_published), _day(s.last_published)) if x)
    )
    console.print(
        f"  {s.articles} articles · {outlets}" + (f" · {span}" if span else ""), markup=False
    )
    if view.summary:
        console.print("  [underline]Summary[/underline]")
        for sent in view.summary:
            console.print(
                f"  • {sent.text} [{sent.outlet or 'unknown'}]", markup=False, soft_wrap=True
            )
    if view.timeline:
        console.print("  [underline]Timeline[/underline]")
        for t in view.timeline:
            what = t.text if t.kind == "event" else f"{t.outlet or 'unknown'}: {t.text}"
            console.print(f"  {t.date[:10]:<10}  {what}", markup=False, soft_wrap=True)
    if view.framing:
        console.print("  [underline]Framing[/underline]")
        for f in view.framing:
            console.print(
                f"  {f.outlet}: {', '.join(f.terms) or '—'}", markup=False, soft_wrap=True
            )
            for sent in f.sentences:
                console.print(f"      “{sent}”", markup=False, soft_wrap=True)
    if view.thread is not None:
        others = [t for t in view.thread.stories if t.id != s.id]
        console.print(f"  [underline]Thread[/underline] {escape(view.thread.label)}")
        for t in others:
            console.print(
                f"  {_day(t.first_published):<10}  story {t.id}: {t.title or '(untitled)'}",
                markup=False,
            )
    if articles:
        console.print("  [underline]Articles[/underline]")
        for a in view.articles:
            console.print(
                f"  {_day(a.published):<10}  {a.outlet or 'unknown'}: {a.title or '(untitled)'}  {a.id[:10]}",
                markup=False,
                soft_wrap=True,
            )


@app.command("story")
def story_cmd(
    story_id: Annotated[int, typer.Argument(help="Story id (see `newsdesk stories`).")],
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Show one story: summary with outlets, timeline, outlets, framing per outlet, thread.

    Example:  newsdesk story 3 --json
    """
    with opened(db) as (store, _):
        view = get_story(store, story_id)
    if as_json:
        print_json(asdict(view))
        return
    print_story(view)


@app.command("threads")
def threads_cmd(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(help="How many.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """List threads: stories that are episodes of one long-running matter.

    Example:  newsdesk threads --json
    """
    with opened(db) as (store, _):
        items = list_threads(store, limit=limit)
    if as_json:
        print_json([asdict(t) for t in items])
        return
    if not items:
        console.print("no threads yet", markup=False)
    for t in items:
        console.print(f"[bold]thread {t.id}[/bold]: {escape(t.label)}")
        for s in t.stories:
            console.print(
                f"  {_day(s.first_published):<10}  story {s.id}: {s.title or '(untitled)'}",
                markup=False,
            )


@app.command("recluster")
def recluster_cmd(db: DbOption = None) -> None:
    """Rebuild every story from scratch (after changing clustering settings).

    Example:  newsdesk recluster --db news.db
    """
    with opened(db) as (store, settings), handled():
        report = api.recluster(store, settings)
    err_console.print(f"{report['articles']} articles in {report['stories']} stories", markup=False)


@app.command("cluster")
def cluster_filter(
    source: Annotated[str, typer.Argument(help="- to read JSONL records from stdin.")] = "-",
) -> None:
    """Cluster raw JSONL records {"id", "text"[, "title", "published"]} from stdin; no store.

    Writes one JSONL line per record, in input order: {"id", "story", "score", "new_story",
    "thread"}; story ids count from 1 in order of creation. Records are clustered in batches
    of story_batch (4096) articles, so output comes a batch at a time; a line with "merged"
    lists earlier stories that are now part of its story.

    Example:  cat articles.jsonl | newsdesk cluster -
    """
    if source != "-":
        raise typer.BadParameter("only - (stdin) is supported", param_hint="SOURCE")

    stage = Cluster.from_settings(Settings.load())  # newsdesk.toml / NEWSDESK_* as for a store
    for out in stage.filter(stdin_records(require_text=True)):
        print_jsonl(out)
