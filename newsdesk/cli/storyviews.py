"""``story-views``: compute and store the story pages' views ahead of their first view."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from newsdesk import api
from newsdesk.cli.common import STORE, JsonFlag, app, console, opened, print_json, with_settings
from newsdesk.settings import Settings


@app.command("story-views")
@with_settings(*STORE, "encoder")
def story_views_cmd(
    settings: Settings,
    story: Annotated[
        list[int] | None, typer.Option(help="Only this story (repeatable); default: every story.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Compute and store the view of every story lacking a current one (fast first views).

    Run after ingest: the web UI and ``newsdesk story`` then read stored views.

    Example:  newsdesk story-views --db news.db
    """
    t0 = time.perf_counter()
    with opened(settings) as store:
        n = api.build_story_views(store, story or None, settings)
    out = {"computed": n, "seconds": round(time.perf_counter() - t0, 2)}
    if as_json:
        print_json(out)
    else:
        console.print(f"{n} story views computed in {out['seconds']} s", markup=False)
