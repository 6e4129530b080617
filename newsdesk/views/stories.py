"""Stories as readers see them: listings, one story's view, and the stored views.

The cluster stage (:mod:`newsdesk.stages.cluster`) decides which articles form a story; this
module reads its tables. A story view holds the most central headline, a multi-document
summary with each sentence attributed to its outlet, a timeline (articles and the dated events
their text states, :mod:`newsdesk.timeline`), the outlets and their article counts, and framing:
for each outlet, the terms and sentences it has that the others do not. Stories gather articles
in several languages: a view lists the languages with their article counts, and its summary is
in one language (the most common, or the one the reader asks for), naming the outlets in other
languages that it does not quote. Views in the default language are computed on first read and
stored in ``story_views``, keyed by what they were computed from; a view in another language
is computed when asked for.
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.exc import DBAPIError

from newsdesk.errors import NotFound, StoreError
from newsdesk.models import (
    UNKNOWN_OUTLET,
    Facet,
    Framing,
    StoryArticle,
    StoryBrief,
    StoryExtras,
    StoryRef,
    StoryView,
    SummarySentence,
    ThreadStory,
    ThreadView,
    TimelineEntry,
)
from newsdesk.nlp.dates import find_dates
from newsdesk.nlp.embed import get_encoder
from newsdesk.stages.cluster.features import bag
from newsdesk.stages.cluster.tables import stories, story_articles, story_views
from newsdesk.stages.summarize import summarize_multi
from newsdesk.store import article_from_row
from newsdesk.store.schema import articles
from newsdesk.views.summaries import get_summary
from newsdesk.views.threads import get_thread

if TYPE_CHECKING:
    from newsdesk.store import Store

log = logging.getLogger(__name__)


# -- read side: what the CLI and the web UI show -------------------------------------------
SUMMARY_SENTENCES = 5
SUMMARY_DOCS = 12  # the most central articles feed the story summary
FRAMING_TERMS = 6
FRAMING_SENTENCES = 2
TIMELINE_EVENTS = 12


def _brief(r: Any) -> StoryBrief:
    return StoryBrief(
        r["id"],
        r["title"],
        r["articles"],
        r["outlets"],
        r["first_published"],
        r["last_published"],
        r["thread_id"],
    )


def count_stories(store: Store) -> int:
    with store.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(stories)) or 0)


def list_stories(
    store: Store, limit: int = 20, offset: int = 0, order: str = "latest"
) -> list[StoryBrief]:
    """Stories, the latest (last article published) or the biggest (most articles) first."""
    if order == "biggest":
        keys = [stories.c.articles.desc(), stories.c.outlets.desc(), stories.c.id]
    elif order == "latest":
        keys = [
            stories.c.last_published.desc().nulls_last(),
            stories.c.articles.desc(),
            stories.c.id,
        ]
    else:
        raise ValueError(f"unknown order {order!r} (latest or biggest)")
    with store.connect() as conn:
        rows = conn.execute(select(stories).order_by(*keys).limit(limit).offset(offset)).mappings()
        return [_brief(r) for r in rows]


def article_ids(store: Store, story_id: int | str) -> list[str]:
    """Ids of a story's articles, in clustering order (empty for an unknown story)."""
    key = str(story_id)
    if not key.isdigit():
        return []
    with store.connect() as conn:
        return list(
            conn.scalars(
                select(story_articles.c.article_id)
                .where(story_articles.c.story_id == int(key))
                .order_by(story_articles.c.position)
            )
        )


def stories_of_articles(store: Store, ids: Sequence[str]) -> list[int]:
    """The stories these articles belong to, each once, in the order of ``ids``."""
    found: dict[str, int] = {}
    with store.connect() as conn:
        for i in range(0, len(ids), 500):
            chunk = list(ids[i : i + 500])
            found.update(
                conn.execute(
                    select(story_articles.c.article_id, story_articles.c.story_id).where(
                        story_articles.c.article_id.in_(chunk)
                    )
                ).all()
            )
    out: list[int] = []
    for a in ids:
        sid = found.get(a)
        if sid is not None and int(sid) not in out:
            out.append(int(sid))
    return out


def story_of_article(store: Store, article_id: str) -> int | None:
    """The id of the story an article belongs to (None until the cluster stage has run)."""
    with store.connect() as conn:
        sid = conn.scalar(
            select(story_articles.c.story_id).where(story_articles.c.article_id == article_id)
        )
    return int(sid) if sid is not None else None


def story_members(store: Store, story_id: int) -> tuple[str | None, list[str]]:
    """A story's title and article ids in timeline order (published, then clustering order).

    Reads the stories tables only: the article page needs a story's neighbours, not its view.
    """
    with store.connect() as conn:
        title = conn.scalar(select(stories.c.title).where(stories.c.id == story_id))
        ids = list(
            conn.scalars(
                select(story_articles.c.article_id)
                .join(articles, articles.c.id == story_articles.c.article_id)
                .where(story_articles.c.story_id == story_id)
                .order_by(articles.c.published.nulls_last(), story_articles.c.position)
            )
        )
    return title, ids


def story_stamp(store: Store, story_id: int) -> tuple[Any, ...] | None:
    """What changes when a story changes (its size, last date, title); None: no such story.

    One indexed read: callers key their caches of a story's view and page by it.
    """
    with store.connect() as conn:
        row = conn.execute(
            select(stories.c.articles, stories.c.last_published, stories.c.title).where(
                stories.c.id == story_id
            )
        ).first()
    return None if row is None else tuple(row)


def story_titles(store: Store, story_ids: Sequence[int]) -> list[StoryRef]:
    """The titles of these stories, in the order given (None for an unknown id)."""
    if not story_ids:
        return []
    with store.connect() as conn:
        titles = dict(
            conn.execute(
                select(stories.c.id, stories.c.title).where(stories.c.id.in_(list(story_ids)))
            ).all()
        )
    return [StoryRef(i, titles.get(i)) for i in story_ids]


def story_extras(store: Store, story_ids: Sequence[int]) -> dict[int, StoryExtras]:
    """Outlets and a short summary for a page of stories, in two queries (not one view each).

    The summary is the stored summary of the story's most central article (highest join score):
    the multi-document summary is computed by the story page, too costly for 20 cards at once.
    A story with no articles is left out.
    """
    if not story_ids:
        return {}
    ids = list(story_ids)
    with store.connect() as conn:
        rows = conn.execute(
            select(story_articles.c.story_id, articles.c.outlet, func.count())
            .join(articles, articles.c.id == story_articles.c.article_id)
            .where(story_articles.c.story_id.in_(ids))
            .group_by(story_articles.c.story_id, articles.c.outlet)
        ).all()
        central = conn.execute(
            select(
                story_articles.c.story_id, story_articles.c.article_id, story_articles.c.score
            ).where(story_articles.c.story_id.in_(ids))
        ).all()
    outlets: dict[int, list[Facet]] = {}
    for sid, outlet, n in rows:
        outlets.setdefault(int(sid), []).append(Facet(outlet or UNKNOWN_OUTLET, int(n)))
    best: dict[int, tuple[float, str]] = {}
    for sid, aid, score in central:
        if int(sid) not in best or score > best[int(sid)][0]:
            best[int(sid)] = (float(score), aid)
    with store.connect() as conn:
        texts = {a.id: a for a in store.articles_by_ids(conn, [aid for _, aid in best.values()])}
    out: dict[int, StoryExtras] = {}
    for sid, found in outlets.items():
        summary = None
        a = texts.get(best[sid][1]) if sid in best else None
        if a is not None:
            s = get_summary(store, a.id)
            if s is not None:
                parts = [a.text[b:e] for b, e in s.sentences if 0 <= b < e <= len(a.text)]
                summary = " ".join(parts) or None
        ranked = tuple(sorted(found, key=lambda f: (-f.articles, f.name)))
        out[sid] = StoryExtras(outlets=ranked, summary=summary)
    return out


def get_story(store: Store, story_id: int, language: str | None = None) -> StoryView:
    """Everything a story page shows: summary, timeline, outlets, framing, thread, languages.

    The view is computed once and stored in ``story_views`` with the version it was computed
    from (see :func:`_view_version`); a later call returns the stored view while that version
    still holds. The cluster stage drops the stored views of the stories it changes.
    ``language`` (ISO 639-1): only that language's articles, and the summary in it; computed
    each time unless it is the story's main language.
    """
    if language:
        view = get_story(store, story_id)
        if language == view.language:
            return view
        return compute_story(store, story_id, language)
    with store.connect() as conn:
        version = _view_version(conn, story_id)
        if version is None:
            raise NotFound(f"no story {story_id}")
        row = conn.execute(
            select(story_views.c.version, story_views.c.payload).where(
                story_views.c.story_id == story_id
            )
        ).first()
    if row is not None and row[0] == version:
        try:
            return view_from_json(row[1])
        except (ValueError, KeyError, TypeError):
            log.warning("stored view of story %s unreadable; recomputing", story_id)
    view = compute_story(store, story_id)
    _store_view(store, story_id, version, view)
    return view


def build_story_views(store: Store, story_ids: Iterable[int] | None = None) -> int:
    """Compute and store the views of these stories (default: every story lacking a current one).

    Run after ingest (or by a server at start-up) so that story pages are fast on first view.
    Returns how many views were computed.
    """
    with store.connect() as conn:
        ids = (
            [int(i) for i in story_ids]
            if story_ids is not None
            else [int(i) for i in conn.scalars(select(stories.c.id).order_by(stories.c.id))]
        )
        have = dict(conn.execute(select(story_views.c.story_id, story_views.c.version)).all())
    n = 0
    for sid in ids:
        with store.connect() as conn:
            version = _view_version(conn, sid)
        if version is None or have.get(sid) == version:
            continue
        _store_view(store, sid, version, compute_story(store, sid))
        n += 1
    return n


def stories_without_views(store: Store) -> list[int]:
    """Ids of stories with no stored view (new ones, and those the cluster stage changed)."""
    q = (
        select(stories.c.id)
        .outerjoin(story_views, story_views.c.story_id == stories.c.id)
        .where(story_views.c.story_id.is_(None))
        .order_by(stories.c.id)
    )
    with store.connect() as conn:
        return [int(i) for i in conn.scalars(q)]


def _view_version(conn: Any, story_id: int) -> str | None:
    """What a story's view depends on: its row, its newest article, its thread's stories.

    None when there is no such story. Two indexed queries; cheap next to computing the view.
    """
    head = conn.execute(select(stories).where(stories.c.id == story_id)).mappings().first()
    if head is None:
        return None
    newest = conn.execute(
        select(func.count(), func.max(articles.c.seq))
        .select_from(story_articles.join(articles, articles.c.id == story_articles.c.article_id))
        .where(story_articles.c.story_id == story_id)
    ).first()
    thread = conn.execute(
        select(
            func.count(),
            func.sum(stories.c.articles),
            func.max(stories.c.last_published),
            func.min(stories.c.first_published),
            func.max(stories.c.id),
        ).where(stories.c.thread_id == head["thread_id"])
    ).first()
    return json.dumps(
        [
            VIEW_FORMAT,
            head["title"],
            head["articles"],
            head["outlets"],
            head["first_published"],
            head["last_published"],
            head["thread_id"],
            [newest[0], newest[1]] if newest else None,
            [None if v is None else (v if isinstance(v, str) else int(v)) for v in thread or ()],
        ]
    )


def _store_view(store: Store, story_id: int, version: str, view: StoryView) -> None:
    """Write a computed view; a write that fails (store busy, read-only) only costs a recompute."""
    payload = view_to_json(view)
    try:
        # A cache entry must not wait up to the store's busy timeout behind a writer (an
        # ingest): Store.begin gives up on the write lock after 100 ms instead.
        with store.begin(busy_ms=100) as conn:
            conn.execute(delete(story_views).where(story_views.c.story_id == story_id))
            conn.execute(
                story_views.insert(),
                [{"story_id": story_id, "version": version, "payload": payload}],
            )
    except (DBAPIError, StoreError) as e:  # StoreError: Store.begin's "busy"/"read-only"
        log.info("story view %s not stored: %s", story_id, e)


# bump when StoryView's fields or how a view is computed change: stored views are then recomputed
# (3: story summaries without redundant sentences, #19)
VIEW_FORMAT = 3


def view_to_json(view: StoryView) -> str:
    """The JSON payload of a story view (tuples become lists; :func:`view_from_json` undoes it)."""
    return json.dumps(asdict(view), ensure_ascii=False, separators=(",", ":"))


def view_from_json(payload: str) -> StoryView:
    d = json.loads(payload)
    th = d.get("thread")
    return StoryView(
        story=StoryBrief(**d["story"]),
        articles=tuple(StoryArticle(**a) for a in d["articles"]),
        summary=tuple(SummarySentence(**x) for x in d["summary"]),
        timeline=tuple(TimelineEntry(**t) for t in d["timeline"]),
        outlets=tuple((o, n) for o, n in d["outlets"]),
        framing=tuple(
            Framing(f["outlet"], f["articles"], tuple(f["terms"]), tuple(f["sentences"]))
            for f in d["framing"]
        ),
        thread=None
        if th is None
        else ThreadView(th["id"], th["label"], tuple(ThreadStory(**t) for t in th["stories"])),
        languages=tuple((lang, n) for lang, n in d.get("languages", ())),
        language=d.get("language"),
        other_languages=tuple((o, lang) for o, lang in d.get("other_languages", ())),
    )


def main_language(languages: Counter[str]) -> str | None:
    """A story's main language: its most common (ties: English first, then by code)."""
    known = {k: v for k, v in languages.items() if k != UNDETERMINED} or dict(languages)
    if not known:
        return None
    return min(known, key=lambda k: (-known[k], k != "en", k))


UNDETERMINED = "und"  # no language detected


def compute_story(store: Store, story_id: int, language: str | None = None) -> StoryView:
    """The story view computed from the store (what :func:`get_story` stores).

    ``language``: only that language's articles (the summary in it); default: every article,
    the summary in the story's main language.
    """
    with store.connect() as conn:
        head = conn.execute(select(stories).where(stories.c.id == story_id)).mappings().first()
        if head is None:
            raise NotFound(f"no story {story_id}")
        rows = (
            conn.execute(
                select(articles, story_articles.c.score, story_articles.c.position)
                .join(story_articles, story_articles.c.article_id == articles.c.id)
                .where(story_articles.c.story_id == story_id)
                .order_by(articles.c.published.nulls_last(), story_articles.c.position)
            )
            .mappings()
            .all()
        )
    members = [(article_from_row(r), float(r["score"]), int(r["position"])) for r in rows]
    langs = Counter(a.language or UNDETERMINED for a in (m[0] for m in members))
    lang = language or main_language(langs)
    if language:
        members = [m for m in members if (m[0].language or UNDETERMINED) == language]
    arts = [a for a, _, _ in members]
    brief = _brief(head)
    listed = tuple(
        StoryArticle(a.id, a.title, a.outlet, a.published.isoformat() if a.published else None, s)
        for a, s, _ in members
    )
    outlets = Counter(a.outlet or UNKNOWN_OUTLET for a in arts)
    # The summary reads the most central articles: the original first, then by join score.
    central = [
        a for a, _, _ in sorted(members, key=lambda m: (m[0].duplicate_of is not None, -m[1], m[2]))
    ]
    # the summary reads the reader's language: the central articles in it (all, if none is)
    own = [a for a in central if (a.language or UNDETERMINED) == lang] or central
    mine = {a.id for a in own}
    others = sorted(
        {
            (a.outlet or UNKNOWN_OUTLET, a.language or UNDETERMINED)
            for a in central
            if a.id not in mine
        }
    )
    central = [a for a in own if a.duplicate_of is None][:SUMMARY_DOCS] or own[:SUMMARY_DOCS]
    return StoryView(
        story=brief,
        articles=listed,
        summary=tuple(story_summary(central)),
        timeline=tuple(timeline(arts)),
        outlets=tuple(sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0]))),
        framing=tuple(framing(arts)),
        thread=get_thread(store, brief.thread_id),
        languages=tuple(sorted(langs.items(), key=lambda kv: (-kv[1], kv[0]))),
        language=lang,
        other_languages=tuple(others),
    )


def story_summary(docs: Sequence[Any], length: int = SUMMARY_SENTENCES) -> list[SummarySentence]:
    """A multi-document summary, each sentence attributed to its article and outlet."""
    picked = summarize_multi([(a.text, a.title, a.sentences) for a in docs], length)
    return [
        SummarySentence(docs[d].text[s:e].strip(), docs[d].id, docs[d].outlet)
        for d, (s, e) in picked
    ]


def _sentence_at(a: Any, pos: int) -> tuple[int, int]:
    for s, e in a.sentences:
        if s <= pos < e:
            return s, e
    start = a.text.rfind("\n", 0, pos) + 1
    end = a.text.find("\n", pos)
    return start, end if end >= 0 else len(a.text)


def timeline(arts: Sequence[Any]) -> list[TimelineEntry]:
    """Articles by publication date and the dated events their text mentions, in date order."""
    out: list[TimelineEntry] = []
    for a in arts:
        if a.published:
            out.append(
                TimelineEntry(
                    a.published.isoformat(),
                    "published",
                    "article",
                    a.title or "(untitled)",
                    a.id,
                    a.outlet,
                )
            )
    events: dict[str, TimelineEntry] = {}
    counts: Counter[str] = Counter()
    for a in arts:
        own = a.published.date() if a.published else None
        for m in find_dates(a.text, a.published):
            if m.granularity == "year" or (own is not None and m.date == own):
                continue  # a bare year is too vague; the article's own day is already listed
            s, e = _sentence_at(a, m.span[0])
            sentence = " ".join(a.text[s:e].split())
            if len(sentence) > 300:
                sentence = sentence[:297] + "…"
            key = m.date.isoformat() if m.granularity == "day" else m.date.isoformat()[:7]
            counts[key] += 1
            if key not in events or len(sentence) < len(events[key].text):
                events[key] = TimelineEntry(key, m.granularity, "event", sentence, a.id, a.outlet)
    keep = sorted(events, key=lambda k: (-counts[k], k))[:TIMELINE_EVENTS]
    out.extend(events[k] for k in keep)
    out.sort(key=lambda t: (t.date[:10], t.kind != "event", t.article_id))
    return out


def framing(arts: Sequence[Any]) -> list[Framing]:
    """Per outlet: terms it uses far more than the other outlets, and its least-shared sentences.

    Terms are ranked by a smoothed log-odds ratio (Monroe et al. 2008, informative Dirichlet
    prior) of the outlet's counts against the other outlets'; sentences by how far each is from
    the closest sentence of any other outlet (embedding cosine), among sentences of 8+ words.
    """
    by_outlet: dict[str, list[Any]] = {}
    for a in arts:
        by_outlet.setdefault(a.outlet or UNKNOWN_OUTLET, []).append(a)
    if len(by_outlet) < 2:
        return []
    counts: dict[str, Counter[str]] = {}
    for o, group in by_outlet.items():
        bags: Counter[str] = Counter()
        for a in group:
            bags.update(bag(a.title, a.text))  # counts are positive: as summing the Counters
        counts[o] = bags
    total: Counter[str] = Counter()
    for outlet_bag in counts.values():
        total.update(outlet_bag)
    n_total = sum(total.values())
    sents: list[tuple[str, str]] = []
    for o, group in by_outlet.items():
        for a in group:
            for s, e in a.sentences[:60]:
                text = " ".join(a.text[s:e].split())
                if len(text.split()) >= 8:
                    sents.append((o, text))
    sims = None
    if sents:
        V = get_encoder().encode([t for _, t in sents])
        sims = V @ V.T
    out = []
    for o, group in sorted(by_outlet.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        mine = counts[o]
        n_mine = sum(mine.values())
        titles = [(a.title or "").lower() for a in group]
        n_rest = n_total - n_mine
        scored = []
        for term, c in mine.items():
            if c < 2 and not any(term.removeprefix("e:") in t for t in titles):
                continue
            prior = total[term] / n_total * 10.0
            rest = total[term] - c
            delta = math.log((c + prior) / (n_mine + 10.0 - c - prior)) - math.log(
                (rest + prior) / (n_rest + 10.0 - rest - prior)
            )
            var = 1.0 / (c + prior) + 1.0 / (rest + prior)
            scored.append((delta / math.sqrt(var), term))
        scored.sort(key=lambda x: (-x[0], x[1]))
        terms = tuple(
            t.removeprefix("e:").removeprefix("n:")
            for z, t in scored[: FRAMING_TERMS * 2]
            if z > 1.0
        )
        terms = tuple(dict.fromkeys(terms))[:FRAMING_TERMS]
        picked: tuple[str, ...] = ()
        if sims is not None:
            idx = [i for i, (so, _) in enumerate(sents) if so == o]
            other = [j for j, (so, _) in enumerate(sents) if so != o]
            if idx and other:
                closest = sims[np.ix_(idx, other)].max(axis=1)  # closest other-outlet sentence
                near = {i: float(v) for i, v in zip(idx, closest, strict=True)}
                novelty = sorted(idx, key=lambda i: (near[i], i))
                picked = tuple(sents[i][1] for i in novelty[:FRAMING_SENTENCES])
        out.append(Framing(o, len(group), terms, picked))
    return out
