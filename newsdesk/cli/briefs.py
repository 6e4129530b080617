"""Briefings out: ``brief`` (a story, thread or search as Markdown, HTML, JSON or PDF) and
``backup``."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from newsdesk import api
from newsdesk.cli.common import STORE, app, err_console, handled, opened, with_settings
from newsdesk.settings import Settings


@app.command()
@with_settings(*STORE, "encoder", "pdf_font")
def brief(
    settings: Settings,
    target: Annotated[
        str,
        typer.Argument(
            help='A story id ("12"), a thread ("thread:3") or a search ("search:port strike").'
        ),
    ],
    since: Annotated[
        str | None, typer.Option(help="Only what was published on or after this day (YYYY-MM-DD).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="md, html, json or pdf.")] = "md",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: stdout).")
    ] = None,
) -> None:
    """A briefing to hand on: summary, timeline, outlets, framing, quotes, the positions map
    (when there is one) and every article, with links.

    Example:  newsdesk brief thread:3 --format md -o briefing.md
    Example:  newsdesk brief 12 --since 2021-10-15 --format html -o story.html
    Example:  newsdesk brief thread:3 --format pdf -o briefing.pdf
    """
    if fmt not in {"md", "html", "json", "pdf"}:
        raise typer.BadParameter("must be md, html, json or pdf", param_hint="--format")
    if fmt == "pdf" and output is None and sys.stdout.isatty():
        raise typer.BadParameter("a PDF is not for a terminal: give -o FILE", param_hint="--output")
    if since is not None:
        try:
            since = date.fromisoformat(since).isoformat()
        except ValueError:
            raise typer.BadParameter("a day as YYYY-MM-DD", param_hint="--since") from None
    with opened(settings) as store, handled():
        b = api.briefing(store, target, since, settings)
    if fmt == "pdf":
        with handled():
            data = api.briefing_pdf(b, settings)
        if output is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            output.write_bytes(data)
            err_console.print(
                f"briefing written to {output} ({len(data):,} bytes)", markup=False, soft_wrap=True
            )
        return
    text = (
        json.dumps(b, ensure_ascii=False, indent=2, default=str) + "\n"
        if fmt == "json"
        else api.render_briefing(b, fmt)
    )
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"briefing written to {output}", markup=False)


@app.command()
@with_settings(*STORE)
def backup(
    settings: Settings,
    dest: Annotated[Path, typer.Argument(help="The backup file to write (never overwritten).")],
) -> None:
    """A consistent copy of a live SQLite store (SQLite's online backup: safe while serve,
    ingest or watch write; what is still in the WAL is included).

    Example:  newsdesk backup news-2026-03-01.db --db news.db
    """
    with opened(settings) as store, handled():
        size = api.backup(store, str(dest))
    err_console.print(f"{settings.db} backed up to {dest} ({size:,} bytes)", markup=False)
