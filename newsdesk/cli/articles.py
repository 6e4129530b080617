"""Commands over articles and the pipeline: ingest, articles, show, export, run, stages, demo."""

from __future__ import annotations

import sys
from dataclasses import asdict, replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from newsdesk import api
from newsdesk.cli.common import (
    STAGES,
    STORE,
    JsonFlag,
    app,
    console,
    counted,
    err_console,
    handled,
    opened,
    print_json,
    with_settings,
)
from newsdesk.cli.progress import StageProgress
from newsdesk.cli.render import print_story
from newsdesk.export import article_dict
from newsdesk.models import Article, IngestReport
from newsdesk.registry import UnknownStage
from newsdesk.settings import Settings

INGEST = ("max_file_bytes", "workers", "scheduler", "words_per_minute", "near_duplicate_threshold")


@app.command()
@with_settings(*STORE, *INGEST, *STAGES)
def ingest(
    settings: Settings,
    paths: Annotated[list[str], typer.Argument(help="Files, folders, globs, or - for stdin.")],
    no_stages: Annotated[
        bool, typer.Option("--no-stages", help="Store articles only; skip analysis.")
    ] = False,
    fetch: Annotated[
        bool,
        typer.Option("--fetch", help="Fetch http(s) URL arguments and the feeds OPML files list."),
    ] = False,
) -> None:
    """Ingest articles from files, folders, globs or stdin into the store.

    Formats are sniffed per file: scraped plain-text pages, HTML, RSS/Atom/OPML, JSONL, WARC
    (gzip too). Bad inputs are reported one line each; the rest of the batch goes on; the exit
    status is 1 if anything failed.

    Example:  newsdesk ingest demo/corpus --db news.db
    Example:  newsdesk ingest --fetch https://example.org/feed.xml feeds.opml
    """
    with opened(settings, create=True) as store:
        with StageProgress(err_console) as progress:
            report = api.ingest(
                paths,
                store,
                settings,
                on_file=progress.file,
                run_stages=not no_stages,
                fetch=fetch,
                progress=progress.stage,
            )
        _render_report(report)
        if not report.ok:
            raise typer.Exit(1)


def _render_report(report: IngestReport) -> None:
    for e in report.errors:
        err_console.print(f"error: {e.source}: {e.reason}", markup=False, soft_wrap=True)
    if report.stages_pending:
        err_console.print(
            "pending analysis: "
            + ", ".join(f"{k} {n}" for k, n in report.stages_pending.items())
            + " articles; `newsdesk run` finishes them",
            markup=False,
            soft_wrap=True,
        )
    err_console.print(
        f"{report.seen} read, {report.added} added ({report.near_duplicates} near-duplicates linked), "
        f"{report.revised} revised, {report.unchanged} already present, {len(report.errors)} errors",
        markup=False,
        soft_wrap=True,
    )


@app.command()
@with_settings(*STORE)
def articles(
    settings: Settings,
    limit: Annotated[int, typer.Option(help="How many.")] = 20,
    offset: Annotated[int, typer.Option(help="Skip this many (pagination).")] = 0,
    outlet: Annotated[
        str | None, typer.Option(help="Only this outlet (any case, or a unique part of its name).")
    ] = None,
    category: Annotated[str | None, typer.Option(help="Only this category.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List the latest articles.

    Example:  newsdesk articles --limit 5 --json
    """
    with opened(settings) as store:
        with handled():
            outlet = api.resolve_outlet(store, outlet) if outlet else None
        items = api.articles(store, limit=limit, offset=offset, outlet=outlet, category=category)
    if as_json:
        print_json([_brief(a) for a in items])
        return
    table = Table("id", "date", "outlet", "title", "min")
    for a in items:
        table.add_row(
            a.id[:10],
            a.published.date().isoformat() if a.published else "",
            a.outlet or "",
            a.title or "(untitled)",
            str(a.reading_minutes or ""),
        )
    console.print(table)


def _brief(a: Article) -> dict[str, object]:
    d = article_dict(a)
    d.pop("text")
    return d


@app.command()
@with_settings(*STORE)
def show(
    settings: Settings,
    article_id: Annotated[str, typer.Argument(help="Article id (or a unique prefix of it).")],
    versions: Annotated[
        bool, typer.Option("--versions", help="List the article's versions (a revised article).")
    ] = False,
    changes: Annotated[
        bool,
        typer.Option("--changes", help="What changed in the last revision (a unified diff)."),
    ] = False,
    from_version: Annotated[
        int | None,
        typer.Option(help="With --changes: compare this version with the current one."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show one article: metadata, then the clean text; or its versions, or what changed.

    An article ingested again with changed text (the same URL) is revised: it keeps its id and
    every version is kept.

    Example:  newsdesk show 3f2a9c1b
    Example:  newsdesk show 3f2a9c1b --changes
    """
    with opened(settings) as store:
        a = api.show(store, article_id)
        if versions or changes:
            _show_versions(store, a.id, changes, from_version, as_json)
            return
        summary = api.stored_summary(store, a)
        revisions = len(api.article_versions(store, a.id)) - 1
    if as_json:
        print_json(
            {
                **article_dict(a),
                "summary": summary.text_of(a.text) if summary else None,
                "revisions": revisions,
            }
        )
        return
    console.print(f"[bold]{escape(a.title or '(untitled)')}[/bold]")
    meta = [
        a.outlet or "",
        a.published.date().isoformat() if a.published else "",
        ", ".join(a.authors),
        a.category or "",
        f"{a.reading_minutes} min read" if a.reading_minutes else "",
    ]
    console.print(" · ".join(m for m in meta if m), markup=False)
    console.print(f"id {a.id}  source {a.source}", markup=False, style="dim")
    if revisions:
        console.print(
            f"revised {counted(revisions, 'time')} (newsdesk show {a.id[:10]} --changes)",
            markup=False,
            style="dim",
        )
    if a.duplicate_of:
        console.print(f"near-duplicate of {a.duplicate_of}", markup=False, style="dim")
    for c in a.captions:
        console.print(f"[caption] {c}", markup=False, style="italic")
    if summary and summary.sentences:
        console.print()
        console.print("Summary", style="bold", markup=False)
        for start, end in summary.sentences:
            console.print(f"• {a.text[start:end]}", markup=False)
    console.print()
    console.print(a.text, markup=False)


def _show_versions(
    store: Any, article_id: str, changes: bool, from_version: int | None, as_json: bool
) -> None:
    if not changes:
        found = api.article_versions(store, article_id)
        if as_json:
            print_json([asdict(v) for v in found])
            return
        table = Table("version", "ingested", "words", "title", "source")
        for v in found:
            table.add_row(
                str(v.version), v.ingested_at, str(len(v.text.split())), v.title or "", v.source
            )
        console.print(table)
        return
    with handled():
        diff = api.article_changes(store, article_id, from_version)
    if as_json:
        print_json(asdict(diff))
        return
    if diff.old.version == diff.new.version:
        err_console.print(f"article {article_id} was never revised", markup=False)
        return
    if diff.title_changed:
        console.print(f"title: {diff.old.title or ''} -> {diff.new.title or ''}", markup=False)
    for line in diff.unified:
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else None
        console.print(line, markup=False, style=style, highlight=False, soft_wrap=True)
    err_console.print(
        f"{counted(diff.added_words, 'word')} added, {diff.removed_words} removed", markup=False
    )


@app.command()
@with_settings(*STORE)
def export(
    settings: Settings,
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    what: Annotated[
        str,
        typer.Option(
            "--what",
            help="articles, stories, membership (story of each article), quotes, people or summaries.",
        ),
    ] = "articles",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: stdout).")
    ] = None,
) -> None:
    """Export every article (JSONL re-ingests) or every story, story membership, quote, person or
    summary, as JSONL or CSV.

    Example:  newsdesk export --format jsonl -o articles.jsonl
    Example:  newsdesk export --what quotes --format csv -o quotes.csv
    """
    if fmt not in {"jsonl", "csv"}:
        raise typer.BadParameter("must be jsonl or csv", param_hint="--format")
    if what not in api.EXPORTS:
        raise typer.BadParameter(f"must be one of {', '.join(api.EXPORTS)}", param_hint="--what")
    with opened(settings) as store, handled():
        if output is None:
            n = api.export(store, fmt, sys.stdout, what)
        else:
            with output.open("w", encoding="utf-8", newline="") as fh:
                n = api.export(store, fmt, fh, what)
    one, many = _NOUNS[what]
    err_console.print(f"{n} {one if n == 1 else many} exported", markup=False)


_NOUNS = {
    "articles": ("article", "articles"),
    "stories": ("story", "stories"),
    "membership": ("story membership", "story memberships"),
    "quotes": ("quote", "quotes"),
    "people": ("person or organization", "people and organizations"),
    "summaries": ("summary", "summaries"),
}


@app.command()
@with_settings(*STORE, *STAGES)
def run(
    settings: Settings,
    stage: Annotated[list[str] | None, typer.Option(help="Only this stage (repeatable).")] = None,
) -> None:
    """Run the analysis stages over every article they have not processed yet.

    A stage whose version changed runs again over the articles an older version processed
    (for the cluster stage, use ``newsdesk recluster``).

    Example:  newsdesk run --stage summarize
    """
    with opened(settings) as store, handled(), StageProgress(err_console) as progress:
        try:
            report = api.run(store, settings, only=stage, progress=progress.stage)
        except UnknownStage as exc:
            raise typer.BadParameter(str(exc), param_hint="--stage") from exc
    # each stage's line (articles, seconds, rate) was printed as it finished
    if not any(report.processed.values()):
        err_console.print("nothing pending: every stage is up to date", markup=False)


@app.command()
@with_settings(*STORE)
def stages(settings: Settings, given: dict[str, Any], as_json: JsonFlag = False) -> None:
    """List the analysis stages in the order they run, with what each needs and provides;
    with --db, also how many articles each has still to process there.

    Example:  newsdesk stages
    Example:  newsdesk stages --db news.db
    """
    with handled():
        infos = api.stages()
    pending: dict[str, int] = {}
    if "db" in given:
        with opened(settings) as store:
            pending = api.pending_counts(store)
    if as_json:
        print_json([asdict(i) | ({"pending": pending[i.name]} if pending else {}) for i in infos])
        return
    table = Table(
        "stage", "version", "requires", "provides", "from", *(["pending"] if pending else [])
    )
    for i in infos:
        table.add_row(
            i.name,
            str(i.version),
            ", ".join(i.requires),
            ", ".join(i.provides),
            i.source,
            *([str(pending[i.name])] if pending else []),
        )
    console.print(table)


@app.command()
@with_settings(*STORE, *STAGES)
def demo(
    settings: Settings,
    given: dict[str, Any],
    limit: Annotated[int, typer.Option(help="Articles in the briefing.")] = 10,
) -> None:
    """Ingest the bundled demo corpus and print a short briefing (the store: demo.db by default).

    Example:  newsdesk demo --db demo.db
    """
    if "db" not in given:
        settings = replace(settings, db="demo.db")
    with opened(settings, create=True) as store:
        with StageProgress(err_console) as progress:
            report = api.demo(store, settings, on_file=progress.file, progress=progress.stage)
        _render_report(report)
        latest = api.articles(store, limit=limit)
        total = api.count_articles(store)
        top = [s for s in api.stories(store, limit=50, order="biggest") if s.outlets > 1][:3]
        views = [api.story(store, s.id, settings) for s in top]
    console.rule(f"newsdesk briefing — {counted(total, 'article')}")
    for a in latest:
        date = a.published.date().isoformat() if a.published else "undated"
        console.print(f"[bold]{escape(a.title or '(untitled)')}[/bold]")
        console.print(
            f"  {a.outlet or 'unknown outlet'} · {date} · {a.reading_minutes or '?'} min read · {a.id[:10]}",
            markup=False,
        )
    # the top multi-outlet stories of the demo corpus, with their summaries (issue 4)
    console.rule("top stories across outlets")
    for view in views:
        print_story(view, articles=False)
        console.print()
