"""Shared pieces of the CLI: the Typer app, the --db option, opening the store, errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from newsdesk.api import open_store
from newsdesk.errors import NewsdeskError
from newsdesk.settings import Settings
from newsdesk.store import Store

app = typer.Typer(
    name="newsdesk",
    help="Turn piles of news articles into briefings: ingest, summarize, cluster, quote, search.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="SQLite file or SQLAlchemy URL [env: NEWSDESK_DB; default: newsdesk.db]"
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def settings_for(db: str | None, **overrides: Any) -> Settings:
    return Settings.load(db=db, **overrides)


@contextmanager
def opened(db: str | None, **overrides: Any) -> Iterator[tuple[Store, Settings]]:
    """Settings and an open store; library errors exit with a one-line message."""
    settings = settings_for(db, **overrides)
    with handled():
        store = open_store(settings.db)
        try:
            yield store, settings
        finally:
            store.close()


@contextmanager
def handled() -> Iterator[None]:
    try:
        yield
    except NewsdeskError as exc:
        fail(str(exc))


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[red]error:[/red] {message}", markup=True, soft_wrap=True)
    raise typer.Exit(code)


def stdin_records(require_text: bool = False) -> Iterator[dict[str, Any]]:
    """JSONL objects from stdin for the ``newsdesk <stage> -`` filters; a bad line stops with its number.

    A record without an ``"id"`` gets its line number, so every output line can be matched up.
    """
    for n, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            fail(f"stdin line {n}: not JSON ({exc.msg})")
        if not isinstance(rec, dict):
            fail(f"stdin line {n}: expected a JSON object")
        if require_text and not isinstance(rec.get("text"), str):
            fail(f"stdin line {n}: expected a JSON object with a text string")
        rec.setdefault("id", n)
        yield rec


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def print_jsonl(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()
