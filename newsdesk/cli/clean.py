"""The stages as filters on raw text: ``filter STAGE -``, and the short forms ``clean -``,
``embed -``, ``entities -`` (``summarize -``, ``quotes -`` and ``cluster -`` live with their
area's commands)."""

from __future__ import annotations

from typing import Annotated

import typer

from newsdesk import api
from newsdesk.cli.common import (
    StdinArgument,
    app,
    handled,
    only_stdin,
    print_records,
    stdin_records,
    with_settings,
)
from newsdesk.settings import Settings


@app.command("filter")
@with_settings("encoder", "summary_sentences", "story_threshold", "story_batch")
def filter_cmd(
    settings: Settings,
    stage: Annotated[str, typer.Argument(help="A stage's name (see `newsdesk stages`).")],
    source: StdinArgument = "-",
) -> None:
    """Run any registered stage (a plugin's too) as a filter on JSONL records from stdin; no store.

    Reads {"id", "text", ...} per line and writes one JSONL result per record, spans being
    character offsets into that record's text: `newsdesk filter quotes -` is `newsdesk quotes -`.

    Example:  cat articles.jsonl | newsdesk filter entities -
    """
    only_stdin(source)
    with handled():
        results = api.stage_filter(stage, stdin_records(), settings)
    print_records(results)


@app.command("clean")
def clean_filter(source: StdinArgument = "-") -> None:
    """Clean scraped plain-text pages given as JSONL records {"id", "text"} on stdin; no store.

    Writes one JSONL line per record: {"id", "title", "category", "reading_minutes", "authors",
    "captions", "published" (those found), "text" (the article body), "body_spans": [[start,
    end], ...]}, spans being character offsets of the body paragraphs in that record's text.

    Example:  jq -Rs '{id: 1, text: .}' page.txt | newsdesk clean -
    """
    only_stdin(source)
    print_records(api.clean(stdin_records()))


@app.command("embed")
@with_settings("encoder")
def embed_filter(settings: Settings, source: StdinArgument = "-") -> None:
    """Embed JSONL records {"id", "text"[, "title"]} from stdin (title + lead, as stored); no store.

    Writes one JSONL line per record: {"id", "model", "vector": [...]}, the unit-length vector
    the embed stage stores for semantic search.

    Example:  echo '{"id": 1, "title": "Ferry opens", "text": "The ferry opened."}' | newsdesk embed -
    """
    only_stdin(source)
    print_records(api.stage_filter("embed", stdin_records(), settings))


@app.command("entities")
@with_settings()
def entities_filter(settings: Settings, source: StdinArgument = "-") -> None:
    """Find the people and organizations of JSONL records {"id", "text"} from stdin; no store.

    Writes one JSONL line per record: {"id", "people": [{"name", "role", "org", ...}]}.

    Example:  echo '{"id": 1, "text": "Foreign Minister Sergei Lavrov said no."}' | newsdesk entities -
    """
    only_stdin(source)
    print_records(api.stage_filter("entities", stdin_records(), settings))
