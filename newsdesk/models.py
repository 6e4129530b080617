"""The small typed data model shared by every layer.

This module imports nothing from the rest of the package, so every layer can import it.
Objects are frozen: stages return new objects (``dataclasses.replace``) instead of mutating.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

Span = tuple[int, int]
"""A half-open character span ``[start, end)`` into an article's ``text``."""


# The label a story shows for articles without an outlet; pages show it as text, not a link
# (there is no outlet page for it).
UNKNOWN_OUTLET = "unknown"


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One document as found in an input, before extraction.

    ``kind`` names the parser that turns it into an :class:`Article`
    (``"plaintext"``, ``"html"``, ``"record"`` for already-structured input such as JSONL or feeds).
    """

    source: str  # file path, URL or "<stdin>", plus "#n" for the n-th record of a container
    kind: str
    content: str = ""
    url: str | None = None
    fields: dict[str, object] = field(
        default_factory=dict
    )  # structured metadata found by the reader


@dataclass(frozen=True, slots=True)
class Article:
    """A clean article: body text plus metadata."""

    id: str  # stable: hash of canonical URL + normalised content
    source: str  # where it came from (provenance)
    text: str  # the clean body, paragraphs separated by blank lines
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: datetime | None = None
    authors: tuple[str, ...] = ()
    category: str | None = None
    language: str | None = None
    captions: tuple[str, ...] = ()
    reading_minutes: int | None = None  # as stated by the page ("2 min read"), else estimated
    word_count: int = 0
    sentences: tuple[Span, ...] = ()  # sentence spans into ``text``
    duplicate_of: str | None = None  # id of the original when this is a near-duplicate
    content_hash: str = ""  # hash of the normalised text alone (exact-duplicate detection)


@dataclass(frozen=True, slots=True)
class IngestError:
    """One input that could not be ingested, and why (one line)."""

    source: str
    reason: str

    def __post_init__(self) -> None:
        if "\n" in self.reason or "\r" in self.reason:  # one line, whatever the parser said
            object.__setattr__(self, "reason", " ".join(self.reason.split()))


@dataclass(slots=True)
class IngestReport:
    """What an ingest did: counts, and every error with the input it came from."""

    seen: int = 0  # articles read from the inputs
    added: int = 0  # new articles stored
    unchanged: int = 0  # already in the store (re-ingest)
    revised: int = 0  # stored articles whose text changed: a new version each (same URL/guid)
    near_duplicates: int = 0  # stored, linked to an original
    errors: list[IngestError] = field(default_factory=list)
    added_ids: list[str] = field(default_factory=list)
    known_ids: list[str] = field(default_factory=list)  # inputs already stored (the unchanged)
    revised_ids: list[str] = field(default_factory=list)  # the revised articles (stable ids)
    # an input that is a version of a stored article: its built id -> the stored article's id
    version_of: dict[str, str] = field(default_factory=dict)
    # analysis stages run after the ingest: articles each processed (the new ones and any an
    # interrupted earlier run left pending), and, with --no-stages, articles each still awaits
    stages_run: dict[str, int] = field(default_factory=dict)
    stages_pending: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True, slots=True)
class FollowedSource:
    """A source ``newsdesk watch`` follows, and where its polling stands (times: ISO 8601 UTC)."""

    url: str
    kind: str | None  # feed, opml, sitemap, urls, page; None until first fetched
    listed_by: str | None  # the OPML file or sitemap index that listed it
    every_s: int  # seconds between polls
    added: str
    next_poll: str
    last_polled: str | None = None
    last_ok: str | None = None
    last_new: str | None = None  # when a poll last stored a new article
    polls: int = 0
    not_modified: int = 0  # polls answered 304 Not Modified
    items: int = 0  # items seen (entries, pages)
    articles: int = 0  # articles stored from it
    failures: int = 0  # consecutive failed polls (0 after a success)
    last_error: str | None = None


@dataclass(slots=True)
class WatchCycle:
    """One poll of every due source."""

    polled: int = 0
    not_modified: int = 0
    failed: int = 0
    new_items: int = 0
    added: int = 0  # articles stored
    revised: int = 0  # stored articles that changed (a new version each)
    new_sources: int = 0  # feeds an OPML file or sitemap index listed, now followed
    errors: list[IngestError] = field(default_factory=list)
    added_ids: list[str] = field(default_factory=list)
    revised_ids: list[str] = field(default_factory=list)
    stopped: bool = False  # a stop (SIGTERM) came during the cycle; unpolled sources stay due
    seconds: float = 0.0


AlertKind = Literal["search", "person", "story", "thread"]


@dataclass(frozen=True, slots=True)
class Alert:
    """A saved search or a followed person, story or thread, and what is new for it.

    ``seen_seq``: the newest article (by arrival, ``articles.seq``) it was last checked up to;
    ``new``: how many matching articles arrived after it; ``revised``: how many stored before
    it were revised since the alert was last read (times: ISO 8601 UTC)."""

    id: int
    kind: AlertKind
    target: str  # the words, the person's name or id, the story or thread id
    label: str  # how lists show it: the words, the person's name, the story's title
    created: str
    checked: str | None  # when it was last marked read; None: never
    seen_seq: int
    new: int = 0
    revised: int = 0  # matching articles stored before the mark, revised since it was read


@dataclass(frozen=True, slots=True)
class Changes:
    """What arrived since a mark (an article sequence number and its time, ISO 8601 UTC): the
    front page's "new since your last visit"."""

    since_seq: int
    since: str
    new_articles: int = 0
    revised_articles: int = 0
    new_stories: int = 0  # every article of the story arrived after the mark
    updated_stories: int = 0  # older stories that gained (or had revised) articles since
    stories: dict[int, str] = field(default_factory=dict)  # of those asked: "new" | "updated"
    articles: dict[str, str] = field(default_factory=dict)  # of those asked: "new" | "revised"


@dataclass(frozen=True, slots=True)
class AlertNews:
    """An alert and its newest matching articles since it was last checked (newest first),
    and those revised since."""

    alert: Alert
    articles: tuple[ArticleBrief, ...]
    revised: tuple[ArticleBrief, ...] = ()


@dataclass(frozen=True, slots=True)
class Summary:
    """An extractive summary: sentence spans into the article text, in article order."""

    article_id: str
    sentences: tuple[Span, ...]
    method: str

    def text_of(self, text: str) -> str:
        return " ".join(text[s:e] for s, e in self.sentences)


QuoteKind = Literal["direct", "reported"]


@dataclass(frozen=True, slots=True)
class Quote:
    """Who said what: spans into the article text, with the resolved speaker."""

    article_id: str
    content: tuple[Span, ...]
    kind: QuoteKind
    cue: Span | None = None
    speaker: Span | None = None
    speaker_name: str | None = (
        None  # resolved entity name ("Serhiy Kyslytsia", "the Ukrainian foreign minister")
    )
    role: str | None = None  # "Deputy Foreign Minister"
    entity_id: str | None = None
    published: datetime | None = None


# -- the read side: what views, search and the api hand to the CLI and the web ------------------
# Dates on the read side are the store's ISO 8601 strings (they sort and serialise as stored).


@dataclass(frozen=True, slots=True)
class Facet:
    """A value of a listing facet (an outlet, a category) and how many articles have it."""

    name: str
    articles: int


@dataclass(frozen=True, slots=True)
class ArticleBrief:
    """An article as listings show it: metadata without the text."""

    id: str
    title: str | None
    outlet: str | None
    published: str | None
    authors: tuple[str, ...]
    category: str | None
    reading_minutes: int | None
    url: str | None


@dataclass(frozen=True, slots=True)
class StoredQuote:
    """A stored quote: the :class:`Quote`, its text, and its row id."""

    id: int
    quote: Quote
    text: str
    speaker_mention: str | None = None
    org: str | None = None


@dataclass(frozen=True, slots=True)
class StoryBrief:
    """A story as listings show it."""

    id: int
    title: str | None
    articles: int
    outlets: int
    first_published: str | None
    last_published: str | None
    thread_id: int


@dataclass(frozen=True, slots=True)
class StoryArticle:
    id: str
    title: str | None
    outlet: str | None
    published: str | None
    score: float


@dataclass(frozen=True, slots=True)
class SummarySentence:
    """A sentence of a story summary, attributed to its article and outlet."""

    text: str
    article_id: str
    outlet: str | None


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    date: str  # ISO date (or datetime for articles)
    granularity: str  # "day" | "month" | "year" | "published"
    kind: str  # "article" | "event"
    text: str  # the headline, or the sentence stating the dated event
    article_id: str
    outlet: str | None


@dataclass(frozen=True, slots=True)
class Framing:
    """What one outlet says that the others do not."""

    outlet: str
    articles: int
    terms: tuple[str, ...]
    sentences: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ThreadStory:
    """A story as a thread lists it."""

    id: int
    title: str | None
    articles: int
    first_published: str | None
    last_published: str | None


@dataclass(frozen=True, slots=True)
class ThreadView:
    """A thread: its label (what its stories share) and its stories in time order."""

    id: int
    label: str
    stories: tuple[ThreadStory, ...]


@dataclass(frozen=True, slots=True)
class StoryView:
    """Everything a story page shows."""

    story: StoryBrief
    articles: tuple[StoryArticle, ...]
    summary: tuple[SummarySentence, ...]
    timeline: tuple[TimelineEntry, ...]
    outlets: tuple[tuple[str, int], ...]
    framing: tuple[Framing, ...]
    thread: ThreadView | None = None  # when the story belongs to a thread
    languages: tuple[tuple[str, int], ...] = ()  # (ISO 639-1 or "und", articles), most first
    language: str | None = None  # the language of the summary (and of the articles, if asked)
    # outlets with articles in other languages than the summary's: (outlet, language)
    other_languages: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class StoryExtras:
    """What a story card adds to its brief: outlets with counts, and a short summary."""

    outlets: tuple[Facet, ...] = ()
    summary: str | None = None  # the stored summary of the story's most central article


@dataclass(frozen=True, slots=True)
class StoryRef:
    id: int
    title: str | None


@dataclass(frozen=True, slots=True)
class ArticleView:
    """Everything an article page shows: the article, its summary and quotes, its story."""

    article: Article
    summary: tuple[str, ...] | None  # the stored summary's sentences; None: none stored
    summary_method: str | None
    quotes: tuple[StoredQuote, ...]
    story: StoryRef | None = None
    previous: ArticleBrief | None = None  # neighbours in the story's timeline order
    next: ArticleBrief | None = None
    revisions: int = 0  # how many times the text changed since it was first stored


@dataclass(frozen=True, slots=True)
class ArticleVersion:
    """One version of a revised article (1: the text first stored; the last: the current)."""

    article_id: str
    version: int
    title: str | None
    text: str
    content_hash: str
    url: str | None
    source: str
    published: str | None  # ISO 8601, as stored
    ingested_at: str  # when this version arrived (ISO 8601 UTC)


@dataclass(frozen=True, slots=True)
class ArticleChanges:
    """What changed between two versions of an article: a word diff and a unified line diff.

    ``words`` is a list of (op, text) runs, op one of ``=`` (kept), ``-`` (removed),
    ``+`` (added), in reading order; ``unified`` is ``difflib.unified_diff``'s lines.
    """

    article_id: str
    old: ArticleVersion
    new: ArticleVersion
    title_changed: bool
    words: tuple[tuple[str, str], ...]
    unified: tuple[str, ...]
    added_words: int
    removed_words: int


@dataclass(frozen=True, slots=True)
class PersonBrief:
    """A person (or an organization) as listings show it."""

    id: str
    name: str
    kind: str
    role: str | None  # the latest role stated
    org: str | None
    quotes: int
    articles: int


@dataclass(frozen=True, slots=True)
class RoleSpan:
    """A role a person was given, and when (first and last article stating it)."""

    role: str
    org: str | None
    first: str | None
    last: str | None
    articles: int


@dataclass(frozen=True, slots=True)
class Mention:
    """An article that mentions a person."""

    id: str
    title: str | None
    outlet: str | None
    published: str | None


@dataclass(frozen=True, slots=True)
class CoMention:
    """Someone mentioned in the same articles, and in how many."""

    id: str
    name: str
    articles: int


@dataclass(frozen=True, slots=True)
class Dossier:
    """A person's (or an organization's) page: roles over time, quotes by date, articles, stories."""

    id: str
    name: str
    kind: str
    org: str | None
    aliases: tuple[str, ...]
    roles: tuple[RoleSpan, ...]
    quotes: tuple[StoredQuote, ...]
    articles: tuple[Mention, ...]
    stories: tuple[int, ...]
    mentioned_with: tuple[CoMention, ...]
    quote_count: int = 0  # quotes and articles in all (``quotes``/``articles`` may be a page)
    article_count: int = 0


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One result: the article's metadata, its fused score and where each retriever ranked it."""

    article_id: str
    title: str | None
    outlet: str | None
    published: datetime | None
    score: float
    text_rank: int | None  # 1-based rank in the full-text list, None if not found there
    semantic_rank: int | None
    snippet: tuple[tuple[str, bool], ...] = ()  # (piece, is_match) — plain text, never markup

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.article_id,
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published.isoformat() if self.published else None,
            "score": round(self.score, 6),
            "text_rank": self.text_rank,
            "semantic_rank": self.semantic_rank,
            "snippet": "".join(p for p, _ in self.snippet),
        }


@dataclass(frozen=True, slots=True)
class SearchResults:
    """A page of search results and what ran."""

    query: str
    hits: tuple[SearchHit, ...] = ()
    mode: str = "hybrid"  # what actually ran: hybrid, text or semantic
    more: bool = False  # whether a next page exists


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Restrictions on a search: date range, outlet, person, story, language."""

    since: date | datetime | None = None
    until: date | datetime | None = None
    outlet: str | None = None
    person: str | None = None
    story: str | None = None
    language: str | None = None  # ISO 639-1, as detected at ingest (articles.language)


@dataclass(frozen=True, slots=True)
class StageInfo:
    """A registered analysis stage, as ``newsdesk stages`` lists it."""

    name: str
    version: int
    requires: tuple[str, ...]
    provides: tuple[str, ...]
    source: str  # ``module:Class``


@dataclass(frozen=True, slots=True)
class ReclusterReport:
    articles: int
    stories: int
