"""Rendering shared by several commands (a story is printed by ``story`` and by ``demo``)."""

from __future__ import annotations

from rich.markup import escape

from newsdesk import api
from newsdesk.cli.common import console, counted
from newsdesk.models import StoryView


def day(value: str | None) -> str:
    """The date part of an ISO 8601 date-time string."""
    return value[:10] if value else ""


def print_story(view: StoryView, articles: bool = True) -> None:
    """Render one story (also used by ``newsdesk demo``)."""
    s = view.story
    console.print(f"[bold]{escape(s.title or '(untitled)')}[/bold]  [dim]story {s.id}[/dim]")
    outlets = ", ".join(f"{o} ({n})" for o, n in view.outlets)
    span = " – ".join(
        dict.fromkeys(x for x in (day(s.first_published), day(s.last_published)) if x)
    )
    console.print(
        f"  {counted(s.articles, 'article')} · {outlets}" + (f" · {span}" if span else ""),
        markup=False,
    )
    if view.summary:
        console.print("  [underline]Summary[/underline]")
        for sent in view.summary:
            console.print(
                f"  • {sent.text} [{sent.outlet or 'unknown'}]", markup=False, soft_wrap=True
            )
    if view.timeline:
        console.print("  [underline]Timeline[/underline]")
        for t in view.timeline:
            what = t.text if t.kind == "event" else f"{t.outlet or 'unknown'}: {t.text}"
            console.print(f"  {t.date[:10]:<10}  {what}", markup=False, soft_wrap=True)
    if view.framing:
        console.print("  [underline]Framing[/underline]")
        for f in view.framing:
            console.print(
                f"  {f.outlet}: {', '.join(f.terms) or '—'}", markup=False, soft_wrap=True
            )
            for line in f.sentences:
                console.print(f"      {api.quoted(line)}", markup=False, soft_wrap=True)
    if view.thread is not None:
        others = [o for o in view.thread.stories if o.id != s.id]
        console.print(f"  [underline]Thread[/underline] {escape(view.thread.label)}")
        for o in others:
            console.print(
                f"  {day(o.first_published):<10}  story {o.id}: {o.title or '(untitled)'}",
                markup=False,
            )
    if articles:
        console.print("  [underline]Articles[/underline]")
        for a in view.articles:
            console.print(
                f"  {day(a.published):<10}  {a.outlet or 'unknown'}: {a.title or '(untitled)'}  {a.id[:10]}",
                markup=False,
                soft_wrap=True,
            )
