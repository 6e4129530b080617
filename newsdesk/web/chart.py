"""A story's timeline chart, as server-rendered SVG: articles per day, stacked by outlet, with
the dated events the articles state marked above the bars.

Hand-written SVG rather than a charting library: a bar chart of a few dozen rects needs no
JavaScript and no dependency, renders in every browser and in the HTML briefing alike, and
every text in it goes through :func:`markupsafe.escape` (outlet names and event sentences are
untrusted). Spans longer than :data:`MAX_BARS` days are bucketed by week, then by month.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from markupsafe import Markup, escape

from newsdesk.models import StoryView

MAX_BARS = 60
WIDTH, HEIGHT = 640, 180
LEFT, RIGHT, TOP, BOTTOM = 28, 8, 22, 34
MAX_OUTLETS = 8  # the rest are stacked as "other outlets"
PALETTE = ("#3b6ea5", "#d9822b", "#4f9a5b", "#b8475a", "#7a5ea8", "#8c6d46", "#c36fb0", "#6b7b8c")
OTHER = "#b9bec4"


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
    first, last = min(d for d, _ in dated), max(d for d, _ in dated)
    span = (last - first).days + 1
    unit = "day" if span <= MAX_BARS else "week" if span <= MAX_BARS * 7 else "month"
    top = [o for o, _ in Counter(o for _, o in dated).most_common(MAX_OUTLETS)]
    counts: dict[date, Counter[str]] = defaultdict(Counter)
    for d, o in dated:
        counts[_bucket(d, first, unit)][o if o in top else "other outlets"] += 1
    buckets = _buckets(first, last, unit)
    events = [
        (d, t.text)
        for t in view.timeline
        if t.kind == "event" and (d := _day(t.date)) and first <= d <= last
    ]
    return _render(buckets, counts, top, events, unit, first)


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


def _render(
    buckets: Sequence[date],
    counts: dict[date, Counter[str]],
    top: Sequence[str],
    events: Sequence[tuple[date, str]],
    unit: str,
    first: date,
) -> Markup:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    peak = max(sum(c.values()) for c in counts.values())
    bar_w = plot_w / len(buckets)
    colour = {o: PALETTE[i % len(PALETTE)] for i, o in enumerate(top)} | {"other outlets": OTHER}
    order = [*top, "other outlets"]
    parts = [
        f'<svg class="timeline-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT + 18 * ((len(order) + 3) // 4)}" '
        f'aria-label="Articles per {unit}, by outlet">',
        f"<title>Articles per {unit}, by outlet</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        'stroke="#999"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end" font-size="10">{peak}</text>',
    ]
    for i, b in enumerate(buckets):
        y: float = TOP + plot_h
        for o in order:
            n = counts.get(b, Counter()).get(o, 0)
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            parts.append(
                f'<rect x="{LEFT + i * bar_w + 1:.1f}" y="{y:.1f}" width="{max(bar_w - 2, 1):.1f}" '
                f'height="{h:.1f}" fill="{colour[o]}"><title>{escape(b.isoformat())}: '
                f"{n} from {escape(o)}</title></rect>"
            )
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
    for k, o in enumerate(order):
        if o == "other outlets" and not any(c.get(o) for c in counts.values()):
            continue
        x, y = LEFT + (k % 4) * (plot_w / 4), HEIGHT + 18 * (k // 4)
        parts.append(
            f'<rect x="{x:.1f}" y="{y - 12}" width="10" height="10" fill="{colour[o]}"/>'
            f'<text x="{x + 14:.1f}" y="{y - 3}" font-size="11">{escape(o[:28])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
