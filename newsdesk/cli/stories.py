"""Commands over stories: ``stories``, ``story ID``, ``threads``, ``recluster``, ``cluster -``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from newsdesk import api
from newsdesk.cli.common import (
    STAGES,
    STORE,
    JsonFlag,
    StdinArgument,
    app,
    console,
    counted,
    err_console,
    handled,
    only_stdin,
    opened,
    print_json,
    print_records,
    stdin_records,
    with_settings,
)
from newsdesk.cli.render import day, print_story
from newsdesk.settings import Settings


@app.command("stories")
@with_settings(*STORE)
def stories_cmd(
    settings: Settings,
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
    with opened(settings) as store:
        items = api.stories(store, limit=limit, offset=offset, order=order)
    if as_json:
        print_json([asdict(s) for s in items])
        return
    table = Table("id", "last", "articles", "outlets", "title", "thread")
    for s in items:
        table.add_row(
            str(s.id),
            day(s.last_published),
            str(s.articles),
            str(s.outlets),
            escape(s.title or "(untitled)"),
            "" if s.thread_id == s.id else str(s.thread_id),
        )
    console.print(table)


@app.command("story")
@with_settings(*STORE, "encoder")
def story_cmd(
    settings: Settings,
    story_id: Annotated[int, typer.Argument(help="Story id (see `newsdesk stories`).")],
    as_json: JsonFlag = False,
) -> None:
    """Show one story: summary with outlets, timeline, outlets, framing per outlet, thread.

    Example:  newsdesk story 3 --json
    """
    with opened(settings) as store:
        view = api.story(store, story_id, settings)
    if as_json:
        print_json(asdict(view))
        return
    print_story(view)


@app.command("threads")
@with_settings(*STORE)
def threads_cmd(
    settings: Settings,
    limit: Annotated[int, typer.Option(help="How many.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """List threads: stories that are episodes of one long-running matter.

    Example:  newsdesk threads --json
    """
    with opened(settings) as store:
        items = api.threads(store, limit=limit)
    if as_json:
        print_json([asdict(t) for t in items])
        return
    if not items:
        console.print("no threads yet", markup=False)
    for t in items:
        console.print(f"[bold]thread {t.id}[/bold]: {escape(t.label)}")
        for s in t.stories:
            console.print(
                f"  {day(s.first_published):<10}  story {s.id}: {s.title or '(untitled)'}",
                markup=False,
            )


@app.command("recluster")
@with_settings(*STORE, *STAGES)
def recluster_cmd(settings: Settings) -> None:
    """Rebuild every story from scratch (after changing clustering settings or the stage).

    Example:  newsdesk recluster --db news.db --story-threshold 0.3
    """
    with opened(settings) as store, handled():
        report = api.recluster(store, settings)
    err_console.print(
        f"{counted(report.articles, 'article')} in {counted(report.stories, 'story')}", markup=False
    )


@app.command("cluster")
@with_settings("encoder", "story_threshold", "story_batch")
def cluster_filter(settings: Settings, source: StdinArgument = "-") -> None:
    """Cluster raw JSONL records {"id", "text"[, "title", "published"]} from stdin; no store.

    Writes one JSONL line per record, in input order: {"id", "story", "score", "new_story",
    "thread"}; story ids count from 1 in order of creation. Records are clustered in batches
    of story_batch (4096) articles, so output comes a batch at a time; a line with "merged"
    lists earlier stories that are now part of its story.

    Example:  cat articles.jsonl | newsdesk cluster -
    """
    only_stdin(source)
    print_records(api.stage_filter("cluster", stdin_records(require_text=True), settings))
