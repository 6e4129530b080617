"""Coverage charts as server-rendered SVG: stacked bars of articles per day, one colour per
series. A story's timeline chart stacks its outlets and marks the dated events its articles
state; the front page's chart and a thread's stack their stories, each bar and legend entry a
link to its story. One renderer (:func:`stacked_svg`) draws them all.

Hand-written SVG rather than a charting library: a bar chart of a few dozen rects needs no
JavaScript and no dependency, renders in every browser and in the HTML briefing alike, and
every text in it goes through :func:`markupsafe.escape` (outlet names, story titles and event
sentences are untrusted). Spans longer than :data:`MAX_BARS` days are bucketed by week, then
by month. Each data bar is a ``rect.bar`` with a ``<title>`` (its day, count and series).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

from newsdesk.models import StoryView

MAX_BARS = 60
WIDTH, HEIGHT = 640, 180
LEFT, RIGHT, TOP, BOTTOM = 28, 8, 22, 34
MAX_OUTLETS = 8  # the rest are stacked as "other outlets"
PALETTE = ("#3b6ea5", "#d9822b", "#4f9a5b", "#b8475a", "#7a5ea8", "#8c6d46", "#c36fb0", "#6b7b8c")
OTHER = "#b9bec4"
OTHER_OUTLETS = "other outlets"
FRONT_STORIES = 8  # stories in the front page's chart (one colour each)
FRONT_DAYS = MAX_BARS  # the front page's chart: at most the last days up to the newest article


@dataclass(frozen=True, slots=True)
class Series:
    """One colour of a chart: its key in the data, its legend label, and where it links."""

    key: str
    label: str
    href: str | None = None


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _bucket(d: date, first: date, unit: str) -> date:
    if unit == "day":
        return d
    if unit == "week":
        return first + timedelta(days=(d - first).days // 7 * 7)
    return d.replace(day=1)


def timeline_svg(view: StoryView) -> Markup | None:
    """The chart of one story (None when fewer than two articles are dated)."""
    dated = [(d, a.outlet or "unknown") for a in view.articles if (d := _day(a.published))]
    if len(dated) < 2:
        return None
    top = [o for o, _ in Counter(o for _, o in dated).most_common(MAX_OUTLETS)]
    points = [(d, o if o in top else OTHER_OUTLETS) for d, o in dated]
    series = [Series(o, o) for o in top] + [Series(OTHER_OUTLETS, OTHER_OUTLETS)]
    events = [(d, t.text) for t in view.timeline if t.kind == "event" and (d := _day(t.date))]
    return stacked_svg(points, series, "outlet", "timeline-chart", events)


def coverage_svg(
    days: Mapping[int, Mapping[str, int]],
    titles: Mapping[int, str | None],
    max_days: int | None = FRONT_DAYS,
) -> Markup | None:
    """Coverage per story: articles per day of each story in ``days`` (story id → day →
    count, in the order to stack), from the stories' first day, but at most ``max_days`` days
    up to the newest (None: all, by week or month when long; a thread's chart). The front
    page's chart. None when no story has a dated article."""
    dated = [d for per in days.values() for k in per if (d := _day(k))]
    if not dated:
        return None
    last = max(dated)
    first = min(dated)
    if max_days is not None:
        first = max(first, last - timedelta(days=max_days - 1))
    points = [
        (d, str(sid))
        for sid, per in days.items()
        for k, n in per.items()
        if (d := _day(k)) and d >= first
        for _ in range(n)
    ]
    series = [Series(str(sid), titles.get(sid) or f"story {sid}", f"/story/{sid}") for sid in days]
    return stacked_svg(
        points, series, "story", "coverage-chart", span=(first, last), legend_cols=2, label_chars=44
    )


def stacked_svg(
    points: Sequence[tuple[date, str]],
    series: Sequence[Series],
    per: str,
    css: str,
    events: Sequence[tuple[date, str]] = (),
    span: tuple[date, date] | None = None,
    legend_cols: int = 4,
    label_chars: int = 28,
) -> Markup | None:
    """Articles per day (or week, month), one stacked bar segment per series with articles:
    ``points`` are (day, series key) per article; ``span`` the days shown (default: the
    points' own); ``events`` dated marks above the bars. None when there is nothing to draw."""
    if not points:
        return None
    first, last = span or (min(d for d, _ in points), max(d for d, _ in points))
    days = (last - first).days + 1
    unit = "day" if days <= MAX_BARS else "week" if days <= MAX_BARS * 7 else "month"
    counts: dict[date, Counter[str]] = defaultdict(Counter)
    for d, key in points:
        if first <= d <= last:
            counts[_bucket(d, first, unit)][key] += 1
    shown = [s for s in series if any(c.get(s.key) for c in counts.values())]
    if not shown:
        return None
    buckets = _buckets(first, last, unit)
    marks = [(d, t) for d, t in events if first <= d <= last]
    return _render(buckets, counts, shown, marks, unit, first, per, css, legend_cols, label_chars)


def _buckets(first: date, last: date, unit: str) -> list[date]:
    out: list[date] = []
    d = _bucket(first, first, unit)
    while d <= last:
        out.append(d)
        if unit == "day":
            d += timedelta(days=1)
        elif unit == "week":
            d += timedelta(days=7)
        else:
            d = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return out


def _link(href: str | None, inner: str) -> str:
    return f'<a href="{escape(href)}">{inner}</a>' if href else inner


def _render(
    buckets: Sequence[date],
    counts: dict[date, Counter[str]],
    series: Sequence[Series],
    events: Sequence[tuple[date, str]],
    unit: str,
    first: date,
    per: str,
    css: str,
    legend_cols: int,
    label_chars: int,
) -> Markup:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    peak = max(sum(c.values()) for c in counts.values())
    bar_w = plot_w / len(buckets)
    colour = {
        s.key: OTHER if s.key == OTHER_OUTLETS else PALETTE[i % len(PALETTE)]
        for i, s in enumerate(series)
    }
    rows = (len(series) + legend_cols - 1) // legend_cols
    title = f"Articles per {unit}, by {per}"
    parts = [
        f'<svg class="{escape(css)}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT + 18 * rows}" aria-label="{title}">',
        f"<title>{title}</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        'stroke="#999"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end" font-size="10">{peak}</text>',
    ]
    for i, b in enumerate(buckets):
        y: float = TOP + plot_h
        for s in series:
            n = counts.get(b, Counter()).get(s.key, 0)
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            bar = (
                f'<rect class="bar" x="{LEFT + i * bar_w + 1:.1f}" y="{y:.1f}" '
                f'width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}" fill="{colour[s.key]}">'
                f"<title>{escape(b.isoformat())}: {n} from {escape(s.label)}</title></rect>"
            )
            parts.append(_link(s.href, bar))
    for d, text in events:
        x = LEFT + (buckets.index(_bucket(d, first, unit)) + 0.5) * bar_w
        parts.append(
            f'<g class="event"><line x1="{x:.1f}" y1="{TOP - 8}" x2="{x:.1f}" y2="{TOP + plot_h}" '
            f'stroke="#444" stroke-dasharray="2,3"/><circle cx="{x:.1f}" cy="{TOP - 10}" r="4" '
            f'fill="#444"><title>{escape(d.isoformat())}: {escape(text[:200])}</title></circle></g>'
        )
    labels = {0, len(buckets) - 1, len(buckets) // 2}
    for i in sorted(labels):
        # the first and last labels align with the plot's edges, so that neither is cut off
        anchor = "start" if i == 0 else "end" if i == len(buckets) - 1 else "middle"
        x = LEFT + (i + {"start": 0.0, "end": 1.0, "middle": 0.5}[anchor]) * bar_w
        parts.append(
            f'<text x="{x:.1f}" y="{TOP + plot_h + 14}" text-anchor="{anchor}" font-size="10">'
            f"{escape(buckets[i].isoformat())}</text>"
        )
    for k, s in enumerate(series):
        x, y = LEFT + (k % legend_cols) * (plot_w / legend_cols), HEIGHT + 18 * (k // legend_cols)
        label = s.label if len(s.label) <= label_chars else s.label[: label_chars - 1] + "…"
        parts.append(
            _link(
                s.href,
                f'<rect class="key" x="{x:.1f}" y="{y - 12}" width="10" height="10" '
                f'fill="{colour[s.key]}"/><text x="{x + 14:.1f}" y="{y - 3}" font-size="11">'
                f"{escape(label)}</text>",
            )
        )
    parts.append("</svg>")
    return Markup("".join(parts))
