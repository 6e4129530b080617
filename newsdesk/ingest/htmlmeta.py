"""Title, authors and publication date of an HTML page: candidates from every place a page states
them, one picked per field by a small learned ranker.

Candidates (each value keeps the names of every source that gave it):

- title: JSON-LD ``headline``/``name`` of the article object, ``og:title``, ``twitter:title``,
  ``<meta name=title|dc.title|parsely-title>``, ``itemprop=headline``, ``<title>``, ``<title>``
  and ``og:title`` with the site-name suffix cut, the ``<h1>``s, trafilatura's title;
- authors: JSON-LD ``author`` (Person or Organization), ``<meta name=author|byl|dc.creator|
  parsely-author|sailthru.author>``, ``article:author`` (names, not profile URLs),
  ``rel=author`` links, ``itemprop=author``, elements whose class says byline/author, and
  trafilatura's author; each also normalised (lists split on "," "and" "&" "und" …; "By",
  "Von", roles and e-mail addresses taken off) and with the outlet's own name dropped, as
  separate candidates;
- date: JSON-LD ``datePublished``/``dateCreated``/``dateModified``, the ``<meta>`` dates
  (``article:published_time``, ``og:published_time``, ``pubdate``, ``dc.date`` …), the first
  ``<time datetime>``, the date in the URL, and htmldate's (via trafilatura) original date.

Each distinct value is one row of features (which sources gave it, how many agree, its shape:
length, separators, the site name in it, names that look like people's, time of day stated …);
:class:`Ranker` scores rows with one logistic model per field (:mod:`newsdesk.nlp.linear`,
weights in ``resources/metadata_ranker.json``, trained site-disjoint by
``scripts/train_metadata.py``) and the best-scoring value wins. Without a model file the
hand-made order of the sources decides (the previous behaviour's order).
"""

from __future__ import annotations

import html as htmllib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from lxml import html

from newsdesk import resources
from newsdesk.nlp import lexicons
from newsdesk.nlp.linear import Linear

MODEL_PATH = resources.path("metadata_ranker.json")
FIELDS = ("title", "authors", "date")
MAX_CANDIDATES = 40

_SPACE = re.compile(r"\s+")
# "Headline | Site", "Headline - Site", "Headline：Site" (CJK), "Headline-정치ㅣ한국일보" …
_TITLE_SEP = re.compile(r"\s+[|\-–—:·•»]+\s+|\s*[｜：|ㅣ]\s*|-(?=[^-]*ㅣ)")
MAX_SUFFIX_WORDS = 6  # a site-name suffix is short; a longer tail is part of the headline
# Section names between the headline and the site name ("Headline - Politics | Site") are cut
# too when this short (cut <title>s equal to the gold, fundus + trafilatura-eval: 443 with no
# section cut, 465 with 1-2 words, 470 with 3, 468 with 4). Re-chosen inside 10 site-disjoint
# folds (0-6, by an inner site-disjoint CV of the ranker): nested fundus title 0.854 (0.853 ±
# 0.082), as reported for 3; every value 1-6 gives 0.854 (0 gives 0.848), so 3 stays.
MAX_SECTION_WORDS = 3

TITLE_SOURCES = (
    "jsonld", "og", "og-cut", "twitter", "meta", "itemprop", "title", "title-cut",
    "h1", "h1-article", "trafilatura",
)  # fmt: skip
AUTHOR_SOURCES = (
    "jsonld", "jsonld-org", "meta", "article-author", "parsely", "rel-author", "itemprop",
    "byline-class", "trafilatura",
)  # fmt: skip
DATE_SOURCES = (
    "jsonld-published", "jsonld-created", "jsonld-modified", "meta-published", "meta-modified",
    "meta-other", "time", "url", "htmldate",
)  # fmt: skip

_ARTICLE_TYPES = re.compile(r"article|posting|report|news|blog|webpage", re.I)
_AUTHOR_SPLIT = re.compile(
    r"\s*(?:[,;/|•·]|\s(?:and|und|et|y|e|en|og|och|i|и|та|і|und von)\s|&|\+)\s*", re.I
)
_BY = re.compile(
    r"^(?:(?:written|words|reporting|text|story|photos?|interview)\s+)?"
    r"(?:by|von|par|por|door|di|da|de|av|af|от|автор(?:ы)?|autor(?:in|es)?|author|text)"
    r"(?:\s*:\s*|\s+)",
    re.I,
)
_EMAIL = re.compile(r"\S+@\S+")
_LAST_FIRST = re.compile(r"^[^\W\d][\w'’\-]+, [^\W\d][\w.'’\-]+(?: [^\W\d][\w.'’\-]+)?$")
_DATED_BY = re.compile(r"^.*\d.*?\b(?:by|von|par|por|door|di|от)\s+", re.I)
_URL_DATE = re.compile(r"/(20\d\d|19\d\d)[/-](\d\d?)[/-](\d\d?)(?:/|-|$|\.)")
_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")
_HAS_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d")
_ROLE_WORDS = lexicons.words("role-heads") | lexicons.words("byline-job-words")
_ROLE_MODIFIERS = lexicons.words("role-modifiers")

_META_TITLE = (
    "//meta[@name='title' or @name='dc.title' or @name='DC.title' or @name='parsely-title' "
    "or @name='sailthru.title']/@content"
)
_META_AUTHOR = (
    "//meta[@name='author' or @name='Author' or @name='byl' or @name='dc.creator' "
    "or @name='DC.creator' or @name='sailthru.author' or @property='author']/@content"
)
_PARSELY_AUTHOR = "//meta[@name='parsely-author' or @name='parsely-authors']/@content"
_META_PUBLISHED = (
    "//meta[@property='article:published_time' or @name='article:published_time' "
    "or @property='og:published_time' or @itemprop='datePublished' or @name='pubdate' "
    "or @name='publishdate' or @name='publish-date' or @name='parsely-pub-date' "
    "or @name='sailthru.date' or @name='article.published' or @name='dc.date.issued' "
    "or @name='DC.date.issued' or @name='citation_publication_date']/@content"
)
_META_MODIFIED = (
    "//meta[@property='article:modified_time' or @property='og:updated_time' "
    "or @itemprop='dateModified' or @name='lastmod' or @name='last-modified']/@content"
)
_META_OTHER_DATE = "//meta[@name='date' or @name='dc.date' or @name='DC.date']/@content"
_ARTICLE_AUTHOR = "//meta[@property='article:author' or @name='article:author']/@content"


@dataclass(slots=True)
class Candidate:
    """One distinct value of a field and the sources that gave it (in order of first sight)."""

    value: Any  # str (title), tuple[str, ...] (authors), str "YYYY-MM-DD[...]" (date)
    sources: list[str] = field(default_factory=list)
    order: int = 0  # when it was first seen (the hand-made preference)


@dataclass(slots=True)
class Page:
    """What the features of every candidate need to know about the page."""

    h1: set[str]
    title_tag: str
    site: str
    host: str
    url: str | None
    now: date


# -- candidates ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Gathered:
    """The raw (source, value) pairs of every field, before trafilatura's are added."""

    titles: list[tuple[str, str]]
    authors: list[tuple[str, list[str]]]
    dates: list[tuple[str, str]]
    title_tag: str
    h1: set[str]
    site: str
    host: str
    url: str | None

    def candidates(
        self, traf: dict[str, Any], site: str | None
    ) -> tuple[dict[str, list[Candidate]], Page]:
        """Every candidate of every field, merged by value, and the page facts features use.

        ``traf``: trafilatura's metadata (``title``, ``author``, ``date``); ``site``: its site
        name (the page's og:site_name when trafilatura has none).
        """
        page = Page(self.h1, self.title_tag, site or self.site, self.host, self.url, _today())
        # a <title> or og:title cut at a site-name suffix is never the headline uncut
        titles = []
        for source, value in [*self.titles, ("trafilatura", traf.get("title") or "")]:
            if source not in ("og", "title"):
                titles.append((source, value))
                continue
            cut = cut_title(value, page)
            if cut == clean_text(value):
                titles.append((source, value))
            titles.append((source + "-cut", cut))
        authors = [*self.authors, ("trafilatura", (traf.get("author") or "").split(";"))]
        dates = [*self.dates, ("htmldate", traf.get("date") or "")]
        out = {
            "title": _merge((s, clean_text(v)) for s, v in titles),
            "authors": _merge(_author_variants(authors, page)),
            "date": _merge((s, iso_date(v, page.now)) for s, v in dates),
        }
        return out, page


def gather(tree: html.HtmlElement, url: str | None) -> Gathered:
    """What the page's tree states (read before trafilatura, which may change the tree)."""
    objs = _jsonld_articles(tree)
    title_tag = _text(tree.xpath("//title[1]"))
    h1s = [_text([h]) for h in tree.xpath("//h1")[:3]]
    h1_article = _text(tree.xpath("(//article//h1|//main//h1)[1]"))
    host = (urlsplit(url).hostname or "").removeprefix("www.") if url else ""
    site = _first_str(tree.xpath("//meta[@property='og:site_name']/@content"))

    titles: list[tuple[str, str]] = []
    for obj in objs:
        for k in ("headline", "name"):
            if isinstance(obj.get(k), str):
                titles.append(("jsonld", obj[k]))
                break
    titles.append(
        ("og", _first_str(tree.xpath("//meta[@property='og:title' or @name='og:title']/@content")))
    )
    titles.append(("twitter", _first_str(tree.xpath("//meta[@name='twitter:title']/@content"))))
    titles.append(("meta", _first_str(tree.xpath(_META_TITLE))))
    itemprop = tree.xpath("//*[@itemprop='headline']")
    if itemprop:
        titles.append(("itemprop", itemprop[0].get("content") or _text(itemprop[:1])))
    titles.append(("title", title_tag))
    titles += [("h1", h) for h in h1s] + [("h1-article", h1_article)]

    authors: list[tuple[str, list[str]]] = []
    for obj in objs:
        people, orgs = _jsonld_authors(obj.get("author"))
        authors += [("jsonld", people), ("jsonld-org", orgs)]
    authors.append(("meta", [str(v) for v in tree.xpath(_META_AUTHOR)]))
    authors.append(("article-author", _names_not_urls(tree.xpath(_ARTICLE_AUTHOR))))
    authors.append(("parsely", [str(v) for v in tree.xpath(_PARSELY_AUTHOR)]))
    authors.append(("rel-author", _texts(tree.xpath("//a[@rel='author']")[:6])))
    authors.append(("itemprop", _itemprop_authors(tree)))
    authors.append(("byline-class", _byline_texts(tree)))

    dates: list[tuple[str, str]] = []
    for obj in objs:
        for k, src in (
            ("datePublished", "jsonld-published"),
            ("dateCreated", "jsonld-created"),
            ("dateModified", "jsonld-modified"),
        ):
            if isinstance(obj.get(k), str):
                dates.append((src, obj[k]))
    dates += [("meta-published", str(v)) for v in tree.xpath(_META_PUBLISHED)[:3]]
    dates += [("meta-modified", str(v)) for v in tree.xpath(_META_MODIFIED)[:2]]
    dates += [("meta-other", str(v)) for v in tree.xpath(_META_OTHER_DATE)[:2]]
    dates += [("time", str(v)) for v in tree.xpath("//time[@datetime]/@datetime")[:2]]
    m = _URL_DATE.search(urlsplit(url).path if url else "")
    if m:
        dates.append(("url", f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"))
    heads = {key(h) for h in h1s if h}
    return Gathered(titles, authors, dates, title_tag, heads, site, host, url)


def _merge(pairs: Any) -> list[Candidate]:
    by_key: dict[Any, Candidate] = {}
    for source, value in pairs:
        if not value:
            continue
        k = _value_key(value)
        if not k:
            continue
        cand = by_key.get(k)
        if cand is None:
            if len(by_key) >= MAX_CANDIDATES:
                continue
            cand = by_key[k] = Candidate(value, order=len(by_key))
        if source not in cand.sources:
            cand.sources.append(source)
    return list(by_key.values())


def _value_key(value: Any) -> Any:
    if isinstance(value, tuple):
        return frozenset(key(v) for v in value if key(v))
    if isinstance(value, str) and _ISO_DAY.match(value):
        return value[:10]
    return key(value)


def _jsonld_articles(tree: html.HtmlElement) -> list[dict[str, Any]]:
    """The JSON-LD objects that describe the page's article (``@graph`` flattened)."""
    found: list[dict[str, Any]] = []
    for script in tree.xpath("//script[@type='application/ld+json']")[:10]:
        try:
            data = json.loads(script.text_content() or "")
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack and len(found) < 10:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.extend(item["@graph"] if isinstance(item["@graph"], list) else [])
                kind = item.get("@type")
                kind = " ".join(kind) if isinstance(kind, list) else str(kind or "")
                if _ARTICLE_TYPES.search(kind) and "website" not in kind.lower():
                    found.append(item)
    return found


def _jsonld_authors(value: Any) -> tuple[list[str], list[str]]:
    people: list[str] = []
    orgs: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            people.append(item)
        elif isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, list):
                name = " ".join(str(n) for n in name)
            if isinstance(name, str):
                kind = str(item.get("@type") or "")
                (orgs if "organization" in kind.lower() else people).append(name)
    return people, orgs


def _names_not_urls(values: list[Any]) -> list[str]:
    return [str(v) for v in values if not str(v).strip().lower().startswith(("http", "/", "www."))]


def _itemprop_authors(tree: html.HtmlElement) -> list[str]:
    out = []
    for el in tree.xpath("//*[@itemprop='author']")[:6]:
        names = el.xpath(".//*[@itemprop='name']")
        if names:
            out.append(names[0].get("content") or _text(names[:1]))
        elif el.get("content"):
            out.append(el.get("content") or "")
        else:
            out.append(_text([el]))
    return [o for o in out if 0 < len(o) <= 120]


def _byline_texts(tree: html.HtmlElement) -> list[str]:
    """Texts of elements whose class says byline/author; when one holds several links, each
    link's text (a list of author pages: "A, B and C" with the names as links)."""
    els = tree.xpath(
        "//*[not(self::script or self::style or self::meta or self::link or self::body "
        "or self::html)][contains(translate(@class, 'BYLINEAUTHOR', 'bylineauthor'), 'byline') "
        "or contains(translate(@class, 'AUTHOR', 'author'), 'author-name') "
        "or contains(translate(@class, 'AUTHOR', 'author'), 'authorname')]"
    )
    out: list[str] = []
    for el in els[:4]:
        links = _texts(el.xpath(".//a")[:8])
        if len(links) >= 2:
            out += [t for t in links if len(t) <= 80]
            continue
        t = _text([el])
        if 0 < len(t) <= 120:
            out.append(t)
    return out


def _author_variants(
    sources: list[tuple[str, list[str]]], page: Page
) -> list[tuple[str, tuple[str, ...]]]:
    """Each source's names as given, normalised (split, "By" and roles off) and without the
    outlet's own name: three candidates the ranker can choose between."""
    outlet = {k for k in (key(page.site), key(page.host), key(page.host.rsplit(".", 1)[0])) if k}
    out: list[tuple[str, tuple[str, ...]]] = []
    for src, raw in sources:
        given = tuple(dict.fromkeys(n for n in map(clean_text, raw) if n and len(n) <= 120))
        if not given:
            continue
        out.append((src, given))
        if all(_LAST_FIRST.match(n) for n in given):  # "Brazil, Rachel" -> "Rachel Brazil"
            flipped = tuple(" ".join(reversed(n.split(",", 1))).strip() for n in given)
            out.append((src + "+norm", tuple(" ".join(f.split()) for f in flipped)))
        split = tuple(dict.fromkeys(n for r in given for n in split_names(r)))
        if split:
            out.append((src + "+norm", split))
            people = tuple(n for n in split if not _is_outlet(n, outlet))
            if people and people != split:
                out.append((src + "+people", people))
    return out


def split_names(value: str) -> list[str]:
    """One byline string as names: "By A and B, Reporter" -> ["A", "B"]."""
    value = _EMAIL.sub(" ", value)
    value = re.sub(r"\([^)]*\)", " ", value)
    out = []
    for part in _AUTHOR_SPLIT.split(value):
        part = _DATED_BY.sub("", part)  # "05.06.2025 um 14:46 von A"
        part = _BY.sub("", part.strip(" .:-–—")).strip(" .:-–—")
        words = part.split()
        if words and words[-1].lower().strip(".,") in _ROLE_WORDS:
            # "Political Correspondent", "Redakteurin": a job, not a name; "Jane Doe Reporter"
            words.pop()
            while words and words[-1].lower().strip(".,") in _ROLE_WORDS | _ROLE_MODIFIERS:
                words.pop()
        while words and words[0].lower().strip(".,") in _ROLE_WORDS:
            words.pop(0)
        name = " ".join(words)
        if name and not any(ch.isdigit() for ch in name) and len(words) <= 6:
            out.append(name)
    return out


def _is_outlet(name: str, outlet: set[str]) -> bool:
    k = key(name)
    return any(k == o or (len(k) >= 4 and (k in o or o in k)) for o in outlet)


def cut_title(title: str, page: Page) -> str:
    """The headline without the site-name suffix page titles carry.

    Cut at the last separator when the part before it is the page's ``<h1>``, or when the
    part after it is short and names the site (its name or host); then also at the section
    names before the site's ("Headline - Politics | Site", "Headline-정치ㅣ한국일보"): parts
    of at most :data:`MAX_SECTION_WORDS` words not after a colon (a kicker's headline stays).
    """
    title = clean_text(title)
    cuts = [m for m in _TITLE_SEP.finditer(title) if m.start() > 0]
    host = page.host.split(".")[0]
    names = {key(n) for n in (page.site, host) if n and key(n)}
    for j in range(len(cuts) - 1, -1, -1):
        head, tail = title[: cuts[j].start()].strip(), title[cuts[j].end() :].strip()
        if head and key(head) in page.h1:
            return head
        if len(tail.split()) <= MAX_SUFFIX_WORDS and any(
            n in key(tail) or key(tail) in n for n in names
        ):
            while j > 0 and ":" not in cuts[j - 1].group():
                section = title[cuts[j - 1].end() : cuts[j].start()]
                if len(section.split()) > MAX_SECTION_WORDS:
                    break
                j -= 1
            return title[: cuts[j].start()].strip()
    return title


def iso_date(value: str, today: date) -> str:
    """The value as ISO text when it states a plausible date (not after today), else ""."""
    value = (value or "").strip()
    m = _ISO_DAY.match(value)
    if not m:
        return ""
    try:
        day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return ""
    if day.year < 1990 or day > today:
        return ""
    return value


# -- features ------------------------------------------------------------------------------------


def features(name: str, cands: list[Candidate], page: Page) -> np.ndarray:
    """One row per candidate of field ``name``."""
    fn = {"title": _title_row, "authors": _author_row, "date": _date_row}[name]
    return np.array([fn(c, cands, page) for c in cands], dtype=np.float64).reshape(len(cands), -1)


def feature_names(name: str) -> list[str]:
    common = ["n_sources", "share_sources", "order", "first"]
    if name == "title":
        return [*(f"src={s}" for s in TITLE_SOURCES), *common, "is_h1", "in_title_tag",
                "title_prefix", "log_chars", "words", "has_sep", "has_site", "upper", "longest"]  # fmt: skip
    if name == "authors":
        return [*(f"src={s}" for s in AUTHOR_SOURCES), "norm", "people", *common, "n_names",
                "max_words", "one_word", "lower", "has_site", "in_title", "nonalpha",
                "long_name", "subset_of_other", "superset_of_other"]  # fmt: skip
    return [*(f"src={s}" for s in DATE_SOURCES), *common, "has_time", "earliest", "latest",
            "days_to_htmldate", "days_to_url", "age_days"]  # fmt: skip


def _common(c: Candidate, cands: list[Candidate]) -> list[float]:
    n = len({s.split("+")[0] for s in c.sources})
    total = len({s.split("+")[0] for x in cands for s in x.sources}) or 1
    return [float(n), n / total, float(c.order), float(c.order == 0)]


def _title_row(c: Candidate, cands: list[Candidate], page: Page) -> list[float]:
    v: str = c.value
    k = key(v)
    tk = key(page.title_tag)
    site = key(page.site) or key(page.host.split(".")[0])
    return [
        *(float(s in c.sources) for s in TITLE_SOURCES),
        *_common(c, cands),
        float(k in page.h1),
        float(bool(k) and k in tk),
        float(bool(k) and tk.startswith(k) and k != tk),
        float(np.log1p(len(v))),
        float(min(len(v.split()), 40)),
        float(bool(_TITLE_SEP.search(v))),
        float(bool(site) and len(site) >= 3 and site in k),
        float(v.isupper()),
        float(len(v) == max(len(x.value) for x in cands)),
    ]


def _author_row(c: Candidate, cands: list[Candidate], page: Page) -> list[float]:
    names: tuple[str, ...] = c.value
    keys = {key(n) for n in names}
    site = key(page.site) or key(page.host.split(".")[0])
    bases = {s.split("+")[0] for s in c.sources}
    others = [frozenset(key(n) for n in x.value) for x in cands if x is not c]
    words = [len(n.split()) for n in names]
    return [
        *(float(s in bases) for s in AUTHOR_SOURCES),
        float(any(s.endswith("+norm") for s in c.sources)),
        float(any(s.endswith("+people") for s in c.sources)),
        *_common(c, cands),
        float(min(len(names), 10)),
        float(max(words)),
        float(min(words) == 1),
        float(any(n.islower() for n in names)),
        float(bool(site) and any(site in k or k in site for k in keys if len(k) >= 3)),
        float(any(k and k in key(page.title_tag) for k in keys)),
        float(any(not all(ch.isalpha() or ch in " .'-’" for ch in n) for n in names)),
        float(max(len(n) for n in names) > 40),
        float(any(keys < o for o in others)),
        float(any(keys > o for o in others)),
    ]


def _date_row(c: Candidate, cands: list[Candidate], page: Page) -> list[float]:
    day = _day(c.value)
    days = [_day(x.value) for x in cands]
    html_day = next((_day(x.value) for x in cands if "htmldate" in x.sources), None)
    url_day = next((_day(x.value) for x in cands if "url" in x.sources), None)

    def gap(other: date | None) -> float:
        return float(min(abs((day - other).days), 400)) if other and day else -1.0

    return [
        *(float(s in c.sources) for s in DATE_SOURCES),
        *_common(c, cands),
        float(any(bool(_HAS_TIME.match(x.value)) for x in cands if _value_key(x.value) == day)),
        float(day is not None and all(d is None or day <= d for d in days)),
        float(day is not None and all(d is None or day >= d for d in days)),
        gap(html_day),
        gap(url_day),
        float(min((page.now - day).days, 4000)) if day else -1.0,
    ]


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


# -- the ranker ----------------------------------------------------------------------------------


class Ranker:
    """One logistic model per field; the best-scoring candidate wins."""

    def __init__(self, models: dict[str, Linear] | None = None) -> None:
        self.models = models or {}

    @classmethod
    def from_json(cls, blob: dict[str, Any]) -> Ranker:
        return cls({f: Linear.from_json(blob[f]) for f in FIELDS if f in blob})

    def pick(self, name: str, cands: list[Candidate], page: Page) -> Candidate | None:
        if not cands:
            return None
        model = self.models.get(name)
        if model is None:
            return cands[0]
        scores = model.decision(features(name, cands, page))
        return cands[int(np.argmax(scores))]


@cache
def default_ranker() -> Ranker:
    if not MODEL_PATH.exists():
        return Ranker()
    return Ranker.from_json(json.loads(MODEL_PATH.read_text(encoding="utf-8")))


# -- small helpers -------------------------------------------------------------------------------


def key(text: str | None) -> str:
    return "".join(ch for ch in (text or "").lower() if ch.isalnum())


def clean_text(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    return _SPACE.sub(" ", htmllib.unescape(value)).strip()


def _text(els: list[Any]) -> str:
    if not els or not isinstance(els[0], html.HtmlElement):
        return ""
    el = els[0]
    parts = [t for t in el.itertext() if isinstance(t, str)]
    return _SPACE.sub(" ", " ".join(parts)).strip()


def _texts(els: list[Any]) -> list[str]:
    return [t for t in (_text([e]) for e in els) if t]


def _first_str(values: list[Any]) -> str:
    for v in values:
        if str(v).strip():
            return str(v).strip()
    return ""


def _today() -> date:
    return datetime.now(UTC).date()
