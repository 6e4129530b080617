"""The ``alerts`` command: saved searches and followed people, stories and threads."""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from newsdesk import api
from newsdesk.cli.common import (
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
from newsdesk.models import Alert, AlertNews
from newsdesk.settings import Settings

ACTIONS = ("list", "add", "remove", "check", "read")
NOTHING_NEW = 3  # `check --exit-code`: the exit status when no alert has anything new


@app.command()
@with_settings(*STORE)
def alerts(
    settings: Settings,
    action: Annotated[
        str, typer.Argument(help="list (the default), add, remove, check or read.")
    ] = "list",
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            help="add: search:WORDS, person:NAME, story:N or thread:N; remove, check, read: "
            "alert ids (default for check and read: every alert)."
        ),
    ] = None,
    mark_read: Annotated[
        bool, typer.Option("--mark-read", help="check: then mark what it printed as read.")
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="check: at most this many articles per alert.")
    ] = 20,
    exit_code: Annotated[
        bool,
        typer.Option(
            "--exit-code",
            help=f"check: exit with status {NOTHING_NEW} when nothing is new or revised "
            "(0 when something is).",
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Alerts: saved searches and followed people, stories and threads, each with the count of
    articles that arrived since it was last marked read (however they came: ingest, watch, the
    API) and of those revised since. A search matches articles holding all of its words.

    Example:  newsdesk alerts add "search:port strike" person:"Jane Doe" story:12 thread:3
    Example:  newsdesk alerts                      # each alert and how many are new
    Example:  newsdesk alerts check --mark-read    # print what is new, then mark it read (cron)
    Example:  newsdesk alerts remove 2
    """
    if action not in ACTIONS:
        raise typer.BadParameter(f"one of {', '.join(ACTIONS)}", param_hint="ACTION")
    targets = targets or []
    if action == "add" and not targets:
        raise typer.BadParameter("add what? search:WORDS, person:NAME, story:N or thread:N")
    ids: list[int] | None = None
    if action in ("remove", "check", "read") and targets:
        bad = [t for t in targets if not t.isdigit()]
        if bad:
            raise typer.BadParameter(f"alert ids are numbers ({bad[0]!r})", param_hint="TARGETS")
        ids = [int(t) for t in targets]
    if action == "remove" and not ids:
        raise typer.BadParameter("remove which alert? give its id (newsdesk alerts lists them)")
    with opened(settings, create=action == "add") as store, handled():
        if action == "add":
            for spec in targets:
                a, new = api.add_alert(store, spec)
                err_console.print(
                    f"alert {a.id}: {a.kind} {a.label}" + ("" if new else " (already saved)"),
                    markup=False,
                    soft_wrap=True,
                )
            return
        if action == "remove":
            n = api.remove_alerts(store, ids or [])
            err_console.print(f"{n} of {counted(len(ids or []), 'alert')} removed", markup=False)
            return
        if action == "read":
            n = api.mark_alerts_read(store, ids)
            err_console.print(f"{counted(n, 'alert')} marked read", markup=False)
            return
        found = api.alerts(store, ids)
        if ids and len(found) < len(ids):
            missing = sorted(set(ids) - {a.id for a in found})
            raise typer.BadParameter(f"no alert {missing[0]}", param_hint="TARGETS")
        if action == "list":
            _print_list(found, as_json)
            return
        news = [api.alert_news(store, a.id, limit) for a in found if a.new or a.revised]
        _print_news(news, as_json)
        if mark_read and found:
            api.mark_alerts_read(store, [a.id for a in found])
    if action == "check" and exit_code and not news:
        raise typer.Exit(NOTHING_NEW)


def _print_list(found: list[Alert], as_json: bool) -> None:
    if as_json:
        print_json([asdict(a) for a in found])
        return
    if not found:
        err_console.print(
            'no alerts (newsdesk alerts add "search:WORDS" person:NAME story:N thread:N)',
            markup=False,
        )
        return
    table = Table("id", "kind", "following", "new", "revised", "last read")
    for a in found:
        table.add_row(
            str(a.id), a.kind, a.label, str(a.new), str(a.revised), (a.checked or "never")[:19]
        )
    console.print(table)


def _print_news(news: list[AlertNews], as_json: bool) -> None:
    if as_json:
        print_json(
            [
                {
                    "alert": asdict(n.alert),
                    "articles": [asdict(b) for b in n.articles],
                    "revised": [asdict(b) for b in n.revised],
                }
                for n in news
            ]
        )
        return
    for n in news:
        a = n.alert
        said = counted(a.new, "new article") + (f", {a.revised} revised" if a.revised else "")
        sys.stdout.write(f"alert {a.id} ({a.kind} {a.label}): {said}\n")
        for b, tag in [*((b, "") for b in n.articles), *((b, " (revised)") for b in n.revised)]:
            day = (b.published or "")[:10]
            sys.stdout.write(
                f"  {b.id[:12]}  {day:10}  {b.outlet or '?'}: {b.title or '(untitled)'}{tag}\n"
            )
        if a.new > len(n.articles):
            sys.stdout.write(f"  … and {a.new - len(n.articles)} more\n")
