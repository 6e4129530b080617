"""Commands over the positions map: ``positions`` (and the ``positions -`` filter), ``stance -``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from newsdesk import api
from newsdesk.cli.common import (
    STORE,
    JsonFlag,
    StdinArgument,
    app,
    console,
    counted,
    end_of_stdin,
    handled,
    only_stdin,
    opened,
    print_json,
    print_jsonl,
    print_records,
    stdin_records,
    with_settings,
)
from newsdesk.settings import Settings

STYLE = {
    "supports": "green",
    "rejects": "red",
    "conditional": "yellow",
    "unclear": "blue",
    "no position found": "dim",
}


@app.command("positions")
@with_settings(*STORE, "parties_file", "issues_file")
def positions_cmd(
    settings: Settings,
    story_or_thread: Annotated[
        str,
        typer.Argument(
            help="A story id (12 or story:12), a thread (thread:3 or t3), or - to read the JSONL "
            "articles of one story {id, text, published?, title?} from stdin (no store)."
        ),
    ],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The map as of this date (YYYY-MM-DD).")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Also list the cells whose stance changed since this date."),
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="md (a briefing with the quotes) or csv.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Where each party stands, issue by issue: common ground, grey zone, unacceptable.

    Parties are columns, issues rows; every cell is the party's latest stance (supports,
    rejects, conditional, unclear) backed by dated evidence. With ``-``, reads one story's
    articles as JSONL on stdin and prints one JSON map (claims with character spans into each
    text, parties, issues, cells, classes).

    Example:  newsdesk positions 12 --format md
    Example:  newsdesk positions thread:3 --as-of 2025-11-12 --since 2025-11-01 --json
    Example:  cat story.jsonl | newsdesk positions -
    """
    if fmt not in (None, "md", "csv"):
        raise typer.BadParameter("md or csv", param_hint="--format")
    if story_or_thread == "-":
        with handled():
            m = api.positions_records(
                stdin_records(require_text=True), as_of=as_of, since=since, settings=settings
            )
        print_jsonl(m)
        end_of_stdin()
        return
    with opened(settings) as store, handled():
        m = api.positions(store, story_or_thread, as_of=as_of, since=since, settings=settings)
    if as_json:
        print_json(m)
        return
    if fmt:
        sys.stdout.write(api.positions_briefing(m, fmt) + ("\n" if fmt == "md" else ""))
        return
    console.print(
        f"[bold]{m.get('title') or ''}[/bold]  ({m['kind']} {m['id']}, {counted(m['articles'], 'article')})",
        markup=True,
    )
    if not m["issues"]:
        console.print("no positions found", markup=False)
        return
    table = Table("issue", "class", *m["parties"], show_lines=True)
    for r in m["issues"]:
        cells = []
        for p in m["parties"]:
            cell = r["cells"][p]
            st = cell["stance"]
            quote = cell["evidence"][-1]["text"] if cell["evidence"] else ""
            quote = api.excerpt(quote, 140)
            day = (cell.get("date") or "")[:10]
            text = f"[{STYLE.get(st, '')}]{st}[/]"
            if quote:
                text += f"\n{day} {escape(api.quoted(quote))}"
            cells.append(text)
        table.add_row(escape(r["label"]), r["class"], *cells)
    console.print(table)
    for c in m.get("changes") or []:
        console.print(f"since {m['since']}: {c['party']} on {c['label']}: {c['from']} → {c['to']}",
                      markup=False)  # fmt: skip


@app.command("rebuild-positions")
@with_settings(*STORE, "parties_file", "batch_size")
def rebuild_positions_cmd(settings: Settings) -> None:
    """Read every article's claims again, e.g. after editing the party table (``parties_file``).

    Issues and the issue file (``issues_file``) apply when a map is shown; no rebuild needed.

    Example:  newsdesk rebuild-positions --parties-file my-parties.toml
    """
    with opened(settings) as store, handled():
        n = api.rebuild_positions(store, settings)
    console.print(f"claims read again from {counted(n, 'article')}", markup=False)


@app.command("stance")
@with_settings()
def stance_cmd(settings: Settings, source: StdinArgument) -> None:
    """The ``stance -`` filter: the stance of a text's actor toward a target.

    Reads {"id", "text", "target"?, "actor"?} per line and writes {"id", "stance", "score",
    "scores"}: stance is supports, rejects, conditional or unclear — toward the target, or
    toward the action the text states when no target is given.

    Example:  echo '{"id": 1, "text": "Russia rejected a ceasefire."}' | newsdesk stance -
    """
    only_stdin(source)
    print_records(api.stage_filter("positions", stdin_records(require_text=True), settings))
