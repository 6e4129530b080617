"""Commands over summaries: the ``summarize -`` JSONL filter and ``summary ID``."""

from __future__ import annotations

from typing import Annotated

import typer

from newsdesk import api
from newsdesk.cli.common import (
    DbOption,
    JsonFlag,
    app,
    console,
    handled,
    opened,
    print_json,
    print_jsonl,
    stdin_records,
)
from newsdesk.stages.summarize import SUMMARIZERS, Length, Summarize, summarize
from newsdesk.views.summaries import get_summary

SentencesOption = Annotated[
    int | None, typer.Option("--sentences", "-n", min=1, help="Sentences per summary (default 3).")
]
RatioOption = Annotated[
    float | None,
    typer.Option("--ratio", min=0.0, max=1.0, help="Summary length as a share of the sentences."),
]
MethodOption = Annotated[
    str, typer.Option("--method", help=f"Summarizer: {', '.join(SUMMARIZERS)}.")
]


def _length(sentences: int | None, ratio: float | None) -> Length:
    if sentences is not None and ratio is not None:
        raise typer.BadParameter("give --sentences or --ratio, not both")
    return Length(sentences=sentences, ratio=ratio)


@app.command("summarize")
def summarize_filter(
    source: Annotated[str, typer.Argument(help="- to read JSONL records from stdin.")] = "-",
    sentences: SentencesOption = None,
    ratio: RatioOption = None,
    method: MethodOption = "newsdesk",
) -> None:
    """Summarize raw JSONL records {"id", "text"[, "title"]} from stdin; no store involved.

    Writes one JSONL line per record: {"id", "summary", "sentences": [[start, end], ...]}, spans
    being character offsets into that record's text.

    Example:  echo '{"id": 1, "text": "One. Two. Three. Four."}' | newsdesk summarize - --sentences 2
    """
    if source != "-":
        raise typer.BadParameter("only - (stdin) is supported", param_hint="SOURCE")
    if method not in SUMMARIZERS:
        raise typer.BadParameter(f"choose one of {', '.join(SUMMARIZERS)}", param_hint="--method")
    stage = Summarize(_length(sentences, ratio), method)

    for out in stage.filter(stdin_records()):
        print_jsonl(out)


@app.command()
def summary(
    article_id: Annotated[str, typer.Argument(help="Article id (or a unique prefix of it).")],
    db: DbOption = None,
    as_json: JsonFlag = False,
    sentences: SentencesOption = None,
    ratio: RatioOption = None,
    method: MethodOption = "newsdesk",
) -> None:
    """Show an article's summary (the stored one, or computed now for another length/method).

    Example:  newsdesk summary 3f2a9c1b --json
    """
    if method not in SUMMARIZERS:
        raise typer.BadParameter(f"choose one of {', '.join(SUMMARIZERS)}", param_hint="--method")
    length = _length(sentences, ratio)
    with opened(db) as (store, _), handled():
        a = api.show(store, article_id)
        s = None
        if sentences is None and ratio is None and method == "newsdesk":
            s = get_summary(store, a.id)
        if s is None:
            s = summarize(a, length, method)
    if as_json:
        print_json(
            {
                "id": a.id,
                "title": a.title,
                "method": s.method,
                "summary": s.text_of(a.text),
                "sentences": [list(p) for p in s.sentences],
            }
        )
        return
    if a.title:
        console.print(a.title, style="bold", markup=False)
    for start, end in s.sentences:
        console.print(f"• {a.text[start:end]}", markup=False)
