"""Shared pieces of the CLI: the Typer app, settings as flags, opening the store, errors, output.

Settings reach a command through :func:`with_settings`: the command declares a ``settings``
parameter and names the settings it reads; each becomes a flag named like the setting
(``summary_sentences`` → ``--summary-sentences``), with the settings table's help, and the
command receives the loaded :class:`~newsdesk.settings.Settings` (defaults < newsdesk.toml <
NEWSDESK_* < the flags given).
"""

from __future__ import annotations

import functools
import inspect
import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from newsdesk import api
from newsdesk.errors import NewsdeskError
from newsdesk.settings import BY_NAME, Settings
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

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
StdinArgument = Annotated[str, typer.Argument(help="- to read JSONL records from stdin.")]

# The settings every command that opens a store takes as flags.
STORE = ("db",)
# The settings the analysis stages read (commands that run them take these as flags).
STAGES = ("batch_size", "summary_sentences", "encoder", "story_threshold", "story_batch", "story_views", "stories_index")  # fmt: skip

Command = Callable[..., None]


def with_settings(
    *names: str, aliases: Mapping[str, Sequence[str]] | None = None
) -> Callable[[Command], Command]:
    """Give a command one flag per setting in ``names``, and call it with ``settings=``.

    The command's own ``settings: Settings`` parameter is replaced by the flags; a command that
    also declares ``given: dict[str, Any]`` receives the flags given on the command line.
    ``aliases`` keeps the short names users have (``--sentences`` for ``summary_sentences``).
    """
    extra = dict(aliases or {})

    def decorate(fn: Command) -> Command:
        sig = inspect.signature(fn, eval_str=True)
        own = [p for p in sig.parameters.values() if p.name not in ("settings", "given")]
        flags = [_flag(name, extra.get(name, ())) for name in names]

        @functools.wraps(fn)
        def command(**kwargs: Any) -> None:
            flags = {n: kwargs.pop(n, None) for n in names}
            given = {n: v for n, v in flags.items() if v is not None}
            with handled():
                settings = Settings.load(**given)
            if "given" in sig.parameters:
                kwargs["given"] = given
            fn(settings=settings, **kwargs)

        params = [*own, *flags]
        command.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in params}
        return command

    return decorate


def _flag(name: str, aliases: Sequence[str]) -> inspect.Parameter:
    """A keyword parameter whose Typer option is the setting ``name``'s flag, help from the table."""
    info = BY_NAME[name]
    decls = [f"{info.flag}/--no-{info.flag[2:]}" if info.type is bool else info.flag, *aliases]
    help = f"{info.help} [setting {info.name}, env {info.env}]"
    option = typer.Option(*decls, help=help, show_default=False)
    annotation = Annotated[info.type | None, option]  # type: ignore[name-defined]
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation
    )


@contextmanager
def opened(settings: Settings, create: bool = False) -> Iterator[Store]:
    """The store of ``settings``, open; library errors exit with a one-line message.

    Only commands that write articles (``create``: ingest, demo, watch) create a missing store;
    the others refuse a file that does not exist (a mistyped ``--db``).
    """
    with handled():
        store = api.open_store(settings.db, create=create)
        try:
            yield store
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


def only_stdin(source: str) -> None:
    """The ``<stage> -`` filters read stdin only."""
    if source != "-":
        raise typer.BadParameter("only - (stdin) is supported", param_hint="SOURCE")


# Lines of stdin that stdin_records skipped in this command (reset when it starts reading):
# counted there, reported by end_of_stdin once the results are out. Raising at the end of
# stdin instead lost the results a batching filter (cluster, positions) had not written yet.
_skipped = [0]


def stdin_records(require_text: bool = True) -> Iterator[dict[str, Any]]:
    """JSONL objects from stdin for the ``newsdesk <stage> -`` filters.

    A line that is not a JSON object (or, with ``require_text``, has no ``"text"`` string) is
    one error line on stderr naming its line number, and reading goes on, as ``ingest`` does;
    once the results are written, any such line makes the exit status 1 (:func:`end_of_stdin`,
    which :func:`print_records` calls). A record without an ``"id"`` gets its line number, so
    every output line can be matched up.
    """
    _skipped[0] = 0
    for n, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            _skipped[0] += 1
            err_console.print(f"error: stdin line {n}: not JSON ({exc.msg}); skipped", markup=False)
            continue
        if not isinstance(rec, dict):
            _skipped[0] += 1
            err_console.print(f"error: stdin line {n}: not a JSON object; skipped", markup=False)
            continue
        if require_text and not isinstance(rec.get("text"), str):
            _skipped[0] += 1
            err_console.print(
                f'error: stdin line {n}: no "text" string to analyse; skipped', markup=False
            )
            continue
        rec.setdefault("id", n)
        yield rec


def end_of_stdin() -> None:
    """After a filter has written its results: exit 1 when stdin_records skipped lines."""
    bad, _skipped[0] = _skipped[0], 0
    if bad:
        sys.stdout.flush()
        err_console.print(f"{counted(bad, 'line')} skipped", markup=False)
        raise typer.Exit(1)


def counted(n: int, one: str, many: str | None = None) -> str:
    """``1 article``, ``3 articles``, ``2 stories``: a number and its noun, agreeing."""
    if many is None:
        many = one[:-1] + "ies" if one.endswith("y") else one + "s"
    return f"{n} {one if n == 1 else many}"


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def print_jsonl(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def print_records(records: Iterator[dict[str, Any]]) -> None:
    """Write a filter's results as JSONL, one line each as it comes; errors in one line."""
    with handled():
        for out in records:
            print_jsonl(out)
    end_of_stdin()
