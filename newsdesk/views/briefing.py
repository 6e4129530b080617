"""Briefings out (``newsdesk brief``): a story, a thread or a search as Markdown or HTML.

A briefing is what someone who was not following needs: the summary (each sentence with its
outlet and a link), the timeline, the outlets, how each frames it, who said what, the positions
map when the store has one, and every article with its link. ``since`` keeps what was
published on or after a day (the summary, framing and map stay the story's own).

The briefing is first a plain dict (:func:`story_briefing`, :func:`thread_briefing`,
:func:`search_briefing`; also what ``--format json`` prints), then rendered by
:func:`to_markdown` or :func:`to_html` (Jinja2, autoescaped: every field is untrusted text).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from jinja2 import Environment, select_autoescape

from newsdesk.errors import NotFound
from newsdesk.models import SearchResults, StoryView
from newsdesk.nlp.tokens import quoted
from newsdesk.store import Store
from newsdesk.views import articles as article_views
from newsdesk.views import quotes as quote_views
from newsdesk.views import threads as thread_views

Briefing = dict[str, Any]
MAX_QUOTES = 12


def _after(date: str | None, since: str | None) -> bool:
    return since is None or (date or "")[:10] >= since[:10]


def story_briefing(
    store: Store,
    view: StoryView,
    since: str | None = None,
    positions: Briefing | None = None,
) -> Briefing:
    """The briefing of one story (``view``: its story view)."""
    s = view.story
    briefs = {b.id: b for b in article_views.briefs_by_ids(store, [a.id for a in view.articles])}

    def link(article_id: str) -> str | None:
        b = briefs.get(article_id)
        return b.url if b else None

    quotes = []
    for q in quote_views.quotes(store, story_id=s.id, limit=200):
        when = q.quote.published.isoformat() if q.quote.published else None
        if not _after(when, since):
            continue
        speaker = q.quote.speaker_name or q.speaker_mention or "unattributed"
        role = q.quote.role
        if role and role.lower() in speaker.lower():
            role = None  # "the Ukrainian foreign minister, foreign minister"
        quotes.append(
            {
                "speaker": speaker,
                "role": role,
                "text": q.text,
                "date": (when or "")[:10] or None,
                "outlet": briefs[q.quote.article_id].outlet
                if q.quote.article_id in briefs
                else None,
                "url": link(q.quote.article_id),
            }
        )
        if len(quotes) >= MAX_QUOTES:
            break
    return {
        "kind": "story",
        "id": s.id,
        "title": s.title or "(untitled)",
        "first_published": s.first_published,
        "last_published": s.last_published,
        "since": since,
        "articles_total": s.articles,
        "outlets": [{"outlet": o, "articles": n} for o, n in view.outlets],
        "summary": [
            {"text": x.text, "outlet": x.outlet, "url": link(x.article_id)} for x in view.summary
        ],
        "timeline": [
            {
                "date": t.date[:10],
                "kind": t.kind,
                "text": t.text,
                "outlet": t.outlet,
                "url": link(t.article_id),
            }
            for t in view.timeline
            if _after(t.date, since)
        ],
        "framing": [
            {"outlet": f.outlet, "terms": list(f.terms), "sentences": list(f.sentences)}
            for f in view.framing
        ],
        "quotes": quotes,
        "positions": positions if positions and positions.get("issues") else None,
        "articles": [
            {
                "title": a.title or "(untitled)",
                "outlet": a.outlet,
                "date": (a.published or "")[:10] or None,
                "url": link(a.id),
                "id": a.id,
            }
            for a in view.articles
            if _after(a.published, since)
        ],
    }


def thread_briefing(
    store: Store,
    thread_id: int,
    story: Callable[[int], StoryView],
    since: str | None = None,
    positions: Briefing | None = None,
) -> Briefing:
    """The briefing of a thread: each of its stories in time order (``story`` opens a view)."""
    thread = thread_views.get_thread(store, thread_id)
    if thread is None:
        raise NotFound(f"no thread {thread_id}")
    stories = [
        story_briefing(store, story(s.id), since)
        for s in thread.stories
        if _after(s.last_published, since)
    ]
    return {
        "kind": "thread",
        "id": thread.id,
        "title": thread.label,
        "since": since,
        "stories": stories,
        "positions": positions if positions and positions.get("issues") else None,
    }


def search_briefing(
    store: Store, query: str, results: SearchResults, since: str | None = None
) -> Briefing:
    """The briefing of a search: its results, best first."""
    urls = {
        b.id: b.url
        for b in article_views.briefs_by_ids(store, [h.article_id for h in results.hits])
    }
    articles = []
    for h in results.hits:
        when = h.published.isoformat() if h.published else None
        if not _after(when, since):
            continue
        articles.append(
            {
                "title": h.title or "(untitled)",
                "outlet": h.outlet,
                "date": (when or "")[:10] or None,
                "url": urls.get(h.article_id),
                "id": h.article_id,
                "snippet": "".join(piece for piece, _ in h.snippet),
            }
        )
    return {"kind": "search", "title": query, "since": since, "articles": articles}


# -- Markdown --------------------------------------------------------------------------------
def _md(text: Any) -> str:
    """Inline Markdown: one line, with the characters that would start markup escaped."""
    s = " ".join(str(text).split())
    for ch in "\\`*_[]<>|":
        s = s.replace(ch, "\\" + ch)
    return s


def _md_link(text: str, url: str | None) -> str:
    if url and url.startswith(("http://", "https://")):
        return f"[{_md(text)}](<{url.replace('>', '%3E').replace(' ', '%20')}>)"
    return _md(text)


def to_markdown(b: Briefing) -> str:
    lines: list[str] = []
    if b["kind"] == "thread":
        lines += [f"# Thread: {_md(b['title'])}", ""]
        if b.get("since"):
            lines += [f"Since {b['since']}.", ""]
        for s in b["stories"]:
            lines += _story_md(s, level=2)
        lines += _positions_md(b.get("positions"), level=2)
    elif b["kind"] == "search":
        lines += [f"# Search: {_md(b['title'])}", ""]
        n = len(b["articles"])
        lines += [f"{n} {'result' if n == 1 else 'results'}.", ""]
        for a in b["articles"]:
            meta = ", ".join(x for x in (a.get("outlet"), a.get("date")) if x)
            lines.append(
                f"- {_md_link(a['title'], a.get('url'))}" + (f" ({_md(meta)})" if meta else "")
            )
            if a.get("snippet"):
                lines.append(f"  {_md(a['snippet'])}")
        lines.append("")
    else:
        lines += _story_md(b, level=1)
    return "\n".join(lines).rstrip() + "\n"


def _story_md(s: Briefing, level: int) -> list[str]:
    h = "#" * level
    span = " – ".join(
        dict.fromkeys(x[:10] for x in (s.get("first_published"), s.get("last_published")) if x)
    )
    n = s["articles_total"]
    lines = [f"{h} {_md(s['title'])}", ""]
    outlets = ", ".join(f"{_md(o['outlet'])} ({o['articles']})" for o in s["outlets"])
    lines += [
        f"Story {s['id']} · {n} {'article' if n == 1 else 'articles'}"
        + (f" · {span}" if span else "")
        + (f" · since {s['since']}" if s.get("since") else ""),
        "",
    ]
    if outlets:
        lines += [f"**Outlets:** {outlets}", ""]
    if s["summary"]:
        lines += [f"{h}# Summary", ""]
        for x in s["summary"]:
            src = _md_link(x["outlet"] or "source", x.get("url"))
            lines.append(f"- {_md(x['text'])} ({src})")
        lines.append("")
    if s["timeline"]:
        lines += [f"{h}# Timeline", ""]
        for t in s["timeline"]:
            what = _md(t["text"]) if t["kind"] == "event" else _md_link(t["text"], t.get("url"))
            who = f" — {_md(t['outlet'])}" if t.get("outlet") and t["kind"] != "event" else ""
            lines.append(f"- **{t['date']}** {what}{who}")
        lines.append("")
    if s["framing"]:
        lines += [f"{h}# Framing", ""]
        for f in s["framing"]:
            terms = ", ".join(_md(t) for t in f["terms"]) or "—"
            lines.append(f"- **{_md(f['outlet'])}**: {terms}")
            lines += [f"  - {_md(quoted(x))}" for x in f["sentences"]]
        lines.append("")
    if s["quotes"]:
        lines += [f"{h}# Who said what", ""]
        for q in s["quotes"]:
            who = _md(q["speaker"]) + (f", {_md(q['role'])}" if q.get("role") else "")
            src = ", ".join(x for x in (q.get("outlet"), q.get("date")) if x)
            lines.append(
                f"- **{who}**: {_md(quoted(q['text']))}"
                + (f" ({_md_link(src, q.get('url'))})" if src else "")
            )
        lines.append("")
    lines += _positions_md(s.get("positions"), level + 1)
    if s["articles"]:
        lines += [f"{h}# Articles", ""]
        for a in s["articles"]:
            meta = ", ".join(x for x in (a.get("outlet"), a.get("date")) if x)
            lines.append(
                f"- {_md_link(a['title'], a.get('url'))}" + (f" ({_md(meta)})" if meta else "")
            )
        lines.append("")
    return lines


def _positions_md(m: Briefing | None, level: int) -> list[str]:
    if not m:
        return []
    h = "#" * level
    parties = m["parties"]
    lines = [f"{h} Positions", "", "| issue | " + " | ".join(_md(p) for p in parties) + " |"]
    lines.append("|---|" + "---|" * len(parties))
    for r in m["issues"]:
        cells = [_md(r["cells"][p]["stance"]) for p in parties]
        lines.append(f"| {_md(r['label'])} | " + " | ".join(cells) + " |")
    return [*lines, ""]


# -- HTML ------------------------------------------------------------------------------------
_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_ENV.filters["quoted"] = quoted
_ENV.filters["safe_url"] = lambda u: u if u and str(u).startswith(("http://", "https://")) else None

_STORY = """
{% macro link(text, url) %}{% if url | safe_url %}<a href="{{ url }}">{{ text }}</a>{% else %}{{ text }}{% endif %}{% endmacro %}
{% macro story(s, h) %}
<section class="story">
<h{{ h }}>{{ s.title }}</h{{ h }}>
<p class="meta">Story {{ s.id }} · {{ s.articles_total }} {{ "article" if s.articles_total == 1 else "articles" }}{% if s.first_published %} · {{ s.first_published[:10] }}{% if s.last_published and s.last_published[:10] != s.first_published[:10] %} – {{ s.last_published[:10] }}{% endif %}{% endif %}{% if s.since %} · since {{ s.since }}{% endif %}</p>
{% if s.outlets %}<p class="outlets"><strong>Outlets:</strong> {% for o in s.outlets %}{{ o.outlet }} ({{ o.articles }}){% if not loop.last %}, {% endif %}{% endfor %}</p>{% endif %}
{% if s.summary %}<h{{ h + 1 }}>Summary</h{{ h + 1 }}><ul>{% for x in s.summary %}<li>{{ x.text }} <span class="src">({{ link(x.outlet or "source", x.url) }})</span></li>{% endfor %}</ul>{% endif %}
{% if s.timeline %}<h{{ h + 1 }}>Timeline</h{{ h + 1 }}><ul class="timeline">{% for t in s.timeline %}<li><time>{{ t.date }}</time> {% if t.kind == "event" %}{{ t.text }}{% else %}{{ link(t.text, t.url) }}{% if t.outlet %} — {{ t.outlet }}{% endif %}{% endif %}</li>{% endfor %}</ul>{% endif %}
{% if s.framing %}<h{{ h + 1 }}>Framing</h{{ h + 1 }}><ul>{% for f in s.framing %}<li><strong>{{ f.outlet }}</strong>: {{ f.terms | join(", ") or "—" }}{% for x in f.sentences %}<blockquote>{{ x | quoted }}</blockquote>{% endfor %}</li>{% endfor %}</ul>{% endif %}
{% if s.quotes %}<h{{ h + 1 }}>Who said what</h{{ h + 1 }}><ul>{% for q in s.quotes %}<li><strong>{{ q.speaker }}</strong>{% if q.role %}, {{ q.role }}{% endif %}: {{ q.text | quoted }}{% if q.outlet or q.date %} <span class="src">({{ link([q.outlet, q.date] | select | join(", "), q.url) }})</span>{% endif %}</li>{% endfor %}</ul>{% endif %}
{% if s.positions %}{{ positions(s.positions, h + 1) }}{% endif %}
{% if s.articles %}<h{{ h + 1 }}>Articles</h{{ h + 1 }}><ul>{% for a in s.articles %}<li>{{ link(a.title, a.url) }}{% if a.outlet or a.date %} ({{ [a.outlet, a.date] | select | join(", ") }}){% endif %}</li>{% endfor %}</ul>{% endif %}
</section>
{% endmacro %}
{% macro positions(m, h) %}
<h{{ h }}>Positions</h{{ h }}>
<table><thead><tr><th>issue</th>{% for p in m.parties %}<th>{{ p }}</th>{% endfor %}</tr></thead><tbody>
{% for r in m.issues %}<tr><td>{{ r.label }}</td>{% for p in m.parties %}<td>{{ r.cells[p].stance }}</td>{% endfor %}</tr>{% endfor %}
</tbody></table>
{% endmacro %}
<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ b.title }} — briefing</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
.meta, .src, time { color: #666; } time { font-variant-numeric: tabular-nums; margin-right: .5em; }
blockquote { margin: .3em 0 .3em 1em; color: #444; } table { border-collapse: collapse; }
td, th { border: 1px solid #ccc; padding: .2em .5em; text-align: left; }
</style></head><body>
{% if b.kind == "thread" %}
<h1>Thread: {{ b.title }}</h1>{% if b.since %}<p class="meta">Since {{ b.since }}.</p>{% endif %}
{% for s in b.stories %}{{ story(s, 2) }}{% endfor %}
{% if b.positions %}{{ positions(b.positions, 2) }}{% endif %}
{% elif b.kind == "search" %}
<h1>Search: {{ b.title }}</h1>
<p class="meta">{{ b.articles | length }} {{ "result" if b.articles | length == 1 else "results" }}.</p>
<ul>{% for a in b.articles %}<li>{{ link(a.title, a.url) }}{% if a.outlet or a.date %} ({{ [a.outlet, a.date] | select | join(", ") }}){% endif %}{% if a.snippet %}<br><small>{{ a.snippet }}</small>{% endif %}</li>{% endfor %}</ul>
{% else %}
{{ story(b, 1) }}
{% endif %}
<footer class="meta">Made by newsdesk.</footer>
</body></html>
"""


def to_html(b: Briefing) -> str:
    """A self-contained HTML page (inline style, no script)."""
    return _ENV.from_string(_STORY).render(b=b)


__all__: Sequence[str] = [
    "search_briefing",
    "story_briefing",
    "thread_briefing",
    "to_html",
    "to_markdown",
]
