"""Commands over summaries: the ``summarize -`` JSONL filter and ``summary ID``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from newsdesk import api
from newsdesk.cli.common import (
    STORE,
    JsonFlag,
    StdinArgument,
    app,
    console,
    handled,
    only_stdin,
    opened,
    print_json,
    print_records,
    stdin_records,
    with_settings,
)
from newsdesk.settings import Settings

SUMMARIZERS = api.summarizers()
# ``--sentences`` / ``-n`` were these commands' names for setting summary_sentences: kept.
SENTENCES = {"summary_sentences": ("--sentences", "-n")}
RatioOption = Annotated[
    float | None,
    typer.Option("--ratio", min=0.0, max=1.0, help="Summary length as a share of the sentences."),
]
MethodOption = Annotated[
    str | None,
    typer.Option("--method", help=f"Summarizer: {', '.join(SUMMARIZERS)} (default newsdesk)."),
]


def _check(given: dict[str, Any], ratio: float | None, method: str | None) -> None:
    if method is not None and method not in SUMMARIZERS:
        raise typer.BadParameter(f"choose one of {', '.join(SUMMARIZERS)}", param_hint="--method")
    if "summary_sentences" in given and ratio is not None:
        raise typer.BadParameter("give --sentences or --ratio, not both")
    if "summary_sentences" in given and given["summary_sentences"] < 1:
        raise typer.BadParameter("must be at least 1", param_hint="--summary-sentences")


@app.command("summarize")
@with_settings("summary_sentences", "encoder", aliases=SENTENCES)
def summarize_filter(
    settings: Settings,
    given: dict[str, Any],
    source: StdinArgument = "-",
    ratio: RatioOption = None,
    method: MethodOption = None,
) -> None:
    """Summarize raw JSONL records {"id", "text"[, "title"]} from stdin; no store involved.

    Writes one JSONL line per record: {"id", "summary", "sentences": [[start, end], ...]}, spans
    being character offsets into that record's text. A text that looks like a scraped page
    (the page cleaner drops 40% of its lines or more: menus, share and cookie lines) is
    summarised from its article body only.

    Example:  echo '{"id": 1, "text": "One. Two. Three. Four."}' | newsdesk summarize - --sentences 2
    """
    only_stdin(source)
    _check(given, ratio, method)
    print_records(api.summarize_records(stdin_records(), settings, ratio=ratio, method=method))


@app.command()
@with_settings(*STORE, "summary_sentences", "encoder", aliases=SENTENCES)
def summary(
    settings: Settings,
    given: dict[str, Any],
    article_id: Annotated[str, typer.Argument(help="Article id (or a unique prefix of it).")],
    as_json: JsonFlag = False,
    ratio: RatioOption = None,
    method: MethodOption = None,
) -> None:
    """Show an article's summary (the stored one, or computed now for another length/method).

    Example:  newsdesk summary 3f2a9c1b --json
    """
    _check(given, ratio, method)
    with opened(settings) as store, handled():
        a, s = api.summary(
            store, article_id, given.get("summary_sentences"), ratio=ratio, method=method
        )
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
