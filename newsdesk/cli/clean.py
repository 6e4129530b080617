"""The plain-text page cleaner as a filter: raw scraped pages in, clean bodies out."""

from __future__ import annotations

from typing import Annotated

import typer

from newsdesk.cli.common import app, print_jsonl, stdin_records


@app.command("clean")
def clean_filter(
    source: Annotated[str, typer.Argument(help="- to read JSONL records from stdin.")] = "-",
) -> None:
    """Clean scraped plain-text pages given as JSONL records {"id", "text"} on stdin; no store.

    Writes one JSONL line per record: {"id", "title", "category", "reading_minutes", "authors",
    "captions", "published" (those found), "text" (the article body), "body_spans": [[start,
    end], ...]}, spans being character offsets of the body paragraphs in that record's text.

    Example:  jq -Rs '{id: 1, text: .}' page.txt | newsdesk clean -
    """
    if source != "-":
        raise typer.BadParameter("only - (stdin) is supported", param_hint="SOURCE")
    from newsdesk.ingest.plaintext import filter_records as clean_records  # lazy: numpy model load

    for out in clean_records(stdin_records()):
        print_jsonl(out)
