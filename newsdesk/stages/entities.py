"""People and organizations: names with roles, speaker resolution, merging across articles.

Why rules over regex tokens rather than a trained NER: no spaCy English model can be installed
here, and the names that matter are the ones the quote tagger already found as speakers
(trained on PolNeAR, see :mod:`newsdesk.stages.quotes`). What is left is well served by rules
that can be read and tested: titles before a name ("Turkish Foreign Minister Hakan Fidan"),
appositions after it ("Nick Witney, a senior fellow at …"), pronouns and role nouns ("he",
"the minister") pointing back to the latest matching speaker, surnames pointing to the first
full mention, and name variants ("Sergey"/"Sergei Lavrov") merged by surname plus a close first
name. Each rule is small and measured by the seed tests; the quote benchmark scores the spans.

Steps, per article:
1. find person mentions: capitalised runs preceded by a title, or named as speakers, or whose
   surname recurs alone;
2. resolve each quote's speaker mention to a name (or a role phrase when no name is given)
   and attach the role and the country/organization it speaks for;
3. the stage stores people, their aliases, roles over time, mentions and quote links, merging
   a new name into an existing person when the surnames agree and the first names are close.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    Column,
    Connection,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    func,
    or_,
    select,
)

from newsdesk.errors import NotFound
from newsdesk.models import Article
from newsdesk.registry import stage
from newsdesk.settings import Settings
from newsdesk.store.schema import component, metadata
from newsdesk.text import CALENDAR_WORDS

if TYPE_CHECKING:
    from newsdesk.store import Store

# -- lexicons (small, explicit) ------------------------------------------------------------
# Head nouns of roles. A role phrase is optional modifiers + one of these (+ "of X").
ROLE_HEADS = frozenset(
    [
        "minister",
        "president",
        "secretary",
        "senator",
        "congressman",
        "congresswoman",
        "representative",
        "governor",
        "mayor",
        "chancellor",
        "ambassador",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "envoy",
        "chairman",
        "chairwoman",
        "chair",
        "director",
        "chief",
        "ceo",
        "adviser",
        "advisor",
        "aide",
        "candidate",
        "nominee",
        "leader",
        "premier",
        "king",
        "queen",
        "prince",
        "general",
        "commander",
        "officer",
        "official",
        "diplomat",
        "negotiator",
        "prosecutor",
        "judge",
        "justice",
        "attorney",
        "lawyer",
        "economist",
        "analyst",
        "professor",
        "fellow",
        "researcher",
        "expert",
        "founder",
        "head",
        "deputy",
        "speaker",
        "manager",
        "strategist",
        "pollster",
        "commissioner",
        "representative-elect",
        "lawmaker",
        "sheriff",
        "lieutenant",
        "colonel",
        "admiral",
        "sergeant",
        "captain",
        "pope",
        "cardinal",
        "bishop",
        "rabbi",
        "imam",
        "editor",
        "correspondent",
        "columnist",
        "journalist",
        "president-elect",
        "frontrunner",
        "dictator",
        "monarch",
        "mp",
        "mep",
        "delegate",
        "superintendent",
        "executive",
        "treasurer",
        "coordinator",
    ]
)
ROLE_MODIFIERS = frozenset(
    [
        "foreign",
        "deputy",
        "prime",
        "vice",
        "defense",
        "defence",
        "interior",
        "finance",
        "justice",
        "health",
        "education",
        "energy",
        "trade",
        "economy",
        "economic",
        "state",
        "federal",
        "national",
        "senior",
        "junior",
        "former",
        "acting",
        "first",
        "chief",
        "assistant",
        "general",
        "press",
        "presidential",
        "democratic",
        "republican",
        "foreign-affairs",
        "top",
        "supreme",
        "high",
        "principal",
        "special",
        "white",
        "house",
        "campaign",
        "executive",
        "associate",
        "managing",
        "political",
        "military",
        "security",
        "intelligence",
        "environment",
        "agriculture",
        "transport",
        "labor",
        "labour",
        "culture",
        "digital",
        "home",
        "affairs",
        "treasury",
        "attorney",
        "majority",
        "minority",
        "house",
        "senate",
        "u.s",
        "us",
        "un",
        "eu",
        "nato",
    ]
)
DETERMINERS = frozenset(["the", "a", "an", "this", "that", "his", "her", "their", "its", "our"])
PRONOUNS = frozenset(["he", "she", "they", "i", "we", "him", "her", "them", "it"])
# Country adjectives and possessives → the country a speaker speaks for.
DEMONYMS = {
    "ukrainian": "Ukraine", "russian": "Russia", "turkish": "Turkey", "american": "United States",
    "u.s": "United States", "us": "United States", "british": "United Kingdom", "uk": "United Kingdom",
    "french": "France", "german": "Germany", "chinese": "China", "israeli": "Israel",
    "iranian": "Iran", "polish": "Poland", "italian": "Italy", "spanish": "Spain",
    "japanese": "Japan", "indian": "India", "canadian": "Canada", "mexican": "Mexico",
    "syrian": "Syria", "iraqi": "Iraq", "saudi": "Saudi Arabia", "egyptian": "Egypt",
    "belarusian": "Belarus", "hungarian": "Hungary", "european": "European Union",
    "palestinian": "Palestine", "north korean": "North Korea", "korean": "South Korea",
    "qatari": "Qatar", "swiss": "Switzerland", "dutch": "Netherlands", "swedish": "Sweden",
    "finnish": "Finland", "norwegian": "Norway", "danish": "Denmark", "austrian": "Austria",
    "romanian": "Romania", "moldovan": "Moldova", "georgian": "Georgia", "lithuanian": "Lithuania",
    "latvian": "Latvia", "estonian": "Estonia", "czech": "Czech Republic", "slovak": "Slovakia",
    "brazilian": "Brazil", "australian": "Australia", "pakistani": "Pakistan", "afghan": "Afghanistan",
}  # fmt: skip
_COUNTRIES = frozenset(DEMONYMS.values()) | {"Kremlin", "Moscow", "Kyiv", "Washington", "Beijing"}
_NOT_NAME = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "by",
        "with",
        "from",
        "as",
        "if",
        "it",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "this",
        "that",
        "these",
        "those",
        "his",
        "her",
        "their",
        "its",
        "our",
        "my",
        "your",
        "mr",
        "mrs",
        "ms",
        "dr",
        "sen",
        "rep",
        "gov",
        "gen",
        "said",
        "says",
        *CALENDAR_WORDS,
        "according",
        "however",
        "earlier",
        "later",
        "meanwhile",
        "also",
        "still",
        "even",
        "when",
        "while",
        "after",
        "before",
        "during",
        "since",
        "yet",
        "so",
        "then",
        "there",
        "here",
        "what",
        "who",
        "where",
        "why",
        "how",
    ]
)

_WORD = re.compile(r"[\w’'.\-]+|[^\w\s]")


@lru_cache(maxsize=50_000)
def _fold(s: str) -> str:
    """ASCII-folded lower case, for comparing name variants."""
    s = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in s if not unicodedata.combining(ch)).lower()


def _strip_possessive(w: str) -> str:
    for suf in ("’s", "'s", "’", "'"):
        if w.endswith(suf) and len(w) > len(suf) + 1:
            return w[: -len(suf)]
    return w


# Abbreviated titles → the role they name.
TITLE_ABBREV = {
    "sen.": "Senator", "rep.": "Representative", "gov.": "Governor", "gen.": "General",
    "pres.": "President", "lt.": "Lieutenant", "col.": "Colonel", "adm.": "Admiral",
}  # fmt: skip


def _name_word(w: str) -> bool:
    """A word that can be part of a person's name (capitalised, not a title or function word)."""
    b = _strip_possessive(w)
    lw = b.lower()
    if lw in TITLE_ABBREV or lw.rstrip(".") in _NOT_NAME:
        return False
    return (
        b[:1].isupper()
        and any(ch.islower() for ch in b[1:])
        and lw not in _NOT_NAME
        and lw not in ROLE_HEADS
        and lw not in ROLE_MODIFIERS
        and lw not in DEMONYMS
    )


@dataclass(slots=True)
class Mention:
    """A speaker mention analysed: the name in it, its role words, the country it speaks for."""

    name: str | None = None
    role: str | None = None
    org: str | None = None
    pronoun: bool = False
    is_org: bool = False  # "The New York Post", "the Clinton campaign": not a person
    role_head: str | None = None  # head noun when the mention is a bare role ("the minister")
    phrase: str = ""


def analyse_mention(mention: str) -> Mention:
    """Split "Ukraine’s Deputy Foreign Minister Serhiy Kyslytsia" into name, role and country."""
    m = Mention(phrase=mention.strip())
    # apposition: "Nick Witney, a senior fellow at the European Council …"
    head, _, appos = mention.partition(",")
    appos = appos.strip().strip(",").strip()
    words = [w for w in _WORD.findall(head) if w[:1].isalnum() or w in {"’s", "'s"}]
    if not words:
        return m
    if words[-1].lower() in PRONOUNS and (len(words) == 1 or not _name_word(words[-2])):
        m.pronoun = True
        return m
    # the last run of name words is the name; the words before it are the title
    end = len(words)
    while end > 0 and not _name_word(words[end - 1]):
        end -= 1
    start = end
    while (
        start > 0
        and _name_word(words[start - 1])
        and _strip_possessive(words[start - 1]) == words[start - 1]
    ):
        start -= 1
    if end > start:
        m.name = " ".join(
            _strip_possessive(w) if i == end - 1 else w
            for i, w in enumerate(words[start:end], start=start)
        )
        title_words = words[:start]
        m.is_org = (
            bool(title_words) and title_words[-1].lower() in DETERMINERS
        ) or m.name in _COUNTRIES
    else:
        title_words = words
    # role from the title words ("Deputy Foreign Minister") or from the apposition
    role_words: list[str] = []
    for w in title_words:
        lw = _strip_possessive(w).lower()
        if lw.rstrip(".") in DEMONYMS:
            lw = lw.rstrip(".")
        if lw in TITLE_ABBREV:
            role_words.append(TITLE_ABBREV[lw])
            continue
        if lw in DEMONYMS or (
            _strip_possessive(w) != w and w[:1].isupper() and lw not in ROLE_HEADS
        ):
            country = DEMONYMS.get(lw) or _strip_possessive(w)
            m.org = m.org or country
            continue
        if lw in ROLE_HEADS or lw in ROLE_MODIFIERS or (role_words and lw in {"of", "for"}):
            role_words.append(w)
        elif role_words and w[:1].isupper():
            role_words.append(w)  # "Secretary of State", "Minister for Europe"
    heads = [w for w in role_words if w.lower() in ROLE_HEADS or w in TITLE_ABBREV.values()]
    if heads:
        while role_words and role_words[-1].lower() in {"of", "for", "and"}:
            role_words.pop()
        m.role = " ".join(role_words)
        m.role_head = heads[-1].lower()
    if appos:
        a_words = _WORD.findall(appos)
        if any(w.lower() in ROLE_HEADS for w in a_words):
            lead = a_words[0].lower() if a_words else ""
            m.role = m.role or " ".join(a_words[1:] if lead in DETERMINERS else a_words)
            for k, w in enumerate(a_words):
                if w.lower() in {"at", "of", "for"} and k + 1 < len(a_words):
                    rest = [x for x in a_words[k + 1 :] if x.lower() != "the"]
                    caps = []
                    for x in rest:
                        if x[:1].isupper() or (x.lower() in {"of", "for", "on", "and"} and caps):
                            caps.append(x)
                        else:
                            break
                    if caps:
                        m.org = m.org or " ".join(caps).strip()
                    break
    if m.name is None and m.role is None:
        m.role_head = None
    for w in title_words:
        lw = w.lower().rstrip(".")
        if lw in DEMONYMS and not m.org:
            m.org = DEMONYMS[lw]
    return m


@dataclass(slots=True)
class _Known:
    name: str
    role: str | None
    org: str | None
    is_role: bool  # a role phrase standing in for an unnamed person
    heads: set[str] = field(default_factory=set)


def resolve_speakers(text: str, quotes: list[dict[str, Any]]) -> None:
    """Fill ``speaker_name``, ``role`` (and ``org``) of each quote dict in place.

    Rules, in text order: a mention with a name → that name, completed from an earlier full
    mention of the same surname; a pronoun → the latest resolved speaker; a bare role noun
    ("the minister") → the latest speaker holding that role; "they"/"we" → the latest
    organization; a quote without a speaker span → a person named earlier in its sentence, or,
    for a paragraph that is all quote, the previous paragraph's speaker.
    """
    known: list[_Known] = []
    # "Title Name" mentions (e.g. in the lead sentence) complete later surnames and roles and
    # are antecedents of pronouns; they enter ``known`` in text order, as the quotes do.
    titled = sorted(titled_names(text), key=lambda t: t[3][0])
    t_next = 0
    last: _Known | None = None
    last_org: _Known | None = None
    last_para = -1
    for q in sorted(quotes, key=lambda q: (q["cue"] or q["content"][0])[0]):
        pos = (q["cue"] or q["content"][0])[0]
        while t_next < len(titled) and titled[t_next][3][0] < pos:
            name, role, org, _ = titled[t_next]
            _remember(known, name, role, org, is_role=False)
            t_next += 1
        para = text.count("\n\n", 0, pos)
        if q["speaker"] is None:
            who = _speaker_in_sentence(text, pos, known)
            if (
                who is None
                and last is not None
                and para - last_para <= 1
                and _opens_paragraph(text, q)
            ):
                who = last  # a quote paragraph continues the previous paragraph's speaker
            if who is None:
                q["speaker_name"] = q["role"] = q["org"] = q["speaker_kind"] = None
            else:
                q["speaker_name"], q["role"], q["org"] = who.name, who.role, who.org
                q["speaker_kind"] = "role" if who.is_role else "person"
            continue
        s, e = q["speaker"]
        m = analyse_mention(text[s:e])
        who: _Known | None = None
        kind = "person"
        if m.pronoun:
            plural = text[s:e].split()[-1].lower() in {"they", "we", "them"}
            if plural:
                who, kind = (
                    (last_org, "org") if last_org and para - last_para <= 1 else (None, "other")
                )
            else:
                who = last or _latest_person(known)
        elif m.is_org:
            # "The New York Post" → "the New York Post"; "Russia", "the Kremlin" as named
            lead = m.phrase.split(m.name or "\0")[0].strip().lower()
            org_name = ("the " + m.name) if lead in DETERMINERS else (m.name or m.phrase)
            who, kind = _Known(org_name, m.role, m.org, is_role=True), "org"
        elif m.name:
            who = _match_name(known, m.name)
            if who is None or len(m.name.split()) > len(who.name.split()):
                who = _remember(known, m.name, m.role, m.org, is_role=False)
            else:
                who.role = m.role or who.role
                who.org = m.org or who.org
        elif m.role_head:
            who = _match_role(known, m)
            if who is None:
                who = _remember(known, _role_phrase(m.phrase), m.role, m.org, is_role=True)
                who.heads.add(m.role_head)
                kind = "role"
            elif who.is_role:
                kind = "role"
        elif any(ch.isalnum() for ch in m.phrase):
            who, kind = _Known(_role_phrase(m.phrase), None, m.org, is_role=True), "other"
        if who is None:
            q["speaker_name"] = q["role"] = q["org"] = None
            q["speaker_kind"] = None
        else:
            q["speaker_name"], q["role"], q["org"] = who.name, who.role, who.org
            q["speaker_kind"] = kind if not m.pronoun else ("role" if who.is_role else "person")
            if kind in ("person", "role"):
                last = who
            elif kind == "org":
                last_org = who
        last_para = para


def _speaker_in_sentence(text: str, pos: int, known: list[_Known]) -> _Known | None:
    """A known person named earlier in the sentence of ``pos`` (a cue whose speaker was missed)."""
    start = max(text.rfind(". ", 0, pos), text.rfind("\n", 0, pos)) + 1
    window = text[start:pos]
    for k in reversed(known):
        if not k.is_role and k.name.split()[-1] in window:
            return k
    return None


def _opens_paragraph(text: str, q: dict[str, Any]) -> bool:
    """Whether the quote's content starts its paragraph (a paragraph that is all quote)."""
    s = q["content"][0][0]
    line_start = text.rfind("\n", 0, s) + 1
    return not text[line_start:s].strip()


def _role_phrase(phrase: str) -> str:
    """A role mention as a name: lower-cased article, no apposition ("The minister" → "the minister")."""
    p = phrase.split(",")[0].strip()
    first, _, rest = p.partition(" ")
    if first.lower() in DETERMINERS:
        return ("the " + rest).strip()
    return p


def _remember(
    known: list[_Known], name: str, role: str | None, org: str | None, is_role: bool
) -> _Known:
    for k in known:
        if k.name == name:
            k.role = role or k.role
            k.org = org or k.org
            known.remove(k)
            known.append(k)
            return k
    k = _Known(name, role, org, is_role)
    if role:
        k.heads.update(w.lower() for w in role.split() if w.lower() in ROLE_HEADS)
    known.append(k)
    return k


def _latest_person(known: list[_Known]) -> _Known | None:
    return known[-1] if known else None


def _match_name(known: list[_Known], name: str) -> _Known | None:
    """An earlier person this name refers to: same full name, or same surname (latest first)."""
    parts = name.split()
    for k in reversed(known):
        if k.is_role:
            continue
        kp = k.name.split()
        if _fold(k.name) == _fold(name):
            return k
        if len(parts) == 1 and _fold(kp[-1]) == _fold(parts[0]):
            return k
        if same_person(k.name, name):
            return k
    return None


def _match_role(known: list[_Known], m: Mention) -> _Known | None:
    """The latest speaker whose role has this head noun and no conflicting modifier."""
    words = {w.lower() for w in _WORD.findall(m.phrase)} - DETERMINERS
    for k in reversed(known):
        if m.role_head not in k.heads:
            continue
        kwords = {w.lower() for w in _WORD.findall(k.name + " " + (k.role or ""))}
        extra = {w for w in words if w in ROLE_MODIFIERS and w not in kwords}
        if not extra:
            return k
    return None


# Anchored on the title itself (fast: no backtracking over leading words); the words before it
# ("Ukraine’s", "Turkish", "Former") are picked up by _LEADING on a short window.
_TITLED = re.compile(
    r"\b(?:(?:Deputy|Vice|Prime|Foreign|Defen[cs]e|Interior|Finance|Senior|Former|Acting|Chief|"
    r"Secretary|Press|First|General|State|Economy|Justice|Health|Trade|Energy)\s+)*"
    r"(?:Minister|President|Secretary|Senator|Sen\.|Rep\.|Gov\.|Governor|Mayor|Chancellor|"
    r"Ambassador|Spokesman|Spokeswoman|Spokesperson|Envoy|Chairman|Chairwoman|Premier|King|"
    r"Queen|Prince|General|Gen\.|Commander|Director|Pope|Speaker|Leader|Adviser|Advisor)"
    r"(?:\s+(?:of|for)\s+(?:the\s+)?[A-Z][\w\-]+(?:\s+[A-Z][\w\-]+)?)?\s+"
    r"(?P<name>[A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+){0,2})"
)
_LEADING = re.compile(r"(?:(?:[A-Z][\w’'.\-]*’s|[A-Z][\w.\-]+)\s+){1,3}$")


def titled_names(text: str) -> Iterator[tuple[str, str | None, str | None, tuple[int, int]]]:
    """``(name, role, org, span)`` for every "Title Name" in ``text`` ("Russian Foreign Minister Sergey Lavrov")."""
    for mt in _TITLED.finditer(text):
        name_words = mt.group("name").split()
        while name_words and not _name_word(name_words[-1]):
            name_words.pop()
        if not name_words:
            continue
        name_words[-1] = _strip_possessive(name_words[-1])
        start = mt.start()
        lead = _LEADING.search(text, max(0, start - 60), start)
        if lead:
            start = lead.start()
        title = text[start : mt.start("name")]
        m = analyse_mention(title + " ".join(name_words))
        if m.name:
            yield m.name, m.role, m.org, (start, mt.end())


# -- people across articles -----------------------------------------------------------------
def same_person(a: str, b: str) -> bool:
    """Whether two full names are variants of one person ("Sergey Lavrov" / "Sergei Lavrov")."""
    pa, pb = _fold(a).split(), _fold(b).split()
    if not pa or not pb or pa[-1] != pb[-1]:
        return False
    if len(pa) == 1 or len(pb) == 1:
        return True
    fa, fb = pa[0].rstrip("."), pb[0].rstrip(".")
    if fa == fb or (len(fa) == 1 and fb.startswith(fa)) or (len(fb) == 1 and fa.startswith(fb)):
        return True
    return _edit_distance(fa, fb) <= 1 + (min(len(fa), len(fb)) >= 6)


def _edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def person_key(name: str) -> str:
    """A stable id for a person name: folded surname + first initial ("lavrov-s")."""
    parts = _fold(name).replace(".", "").split()
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return f"{parts[-1]}-{parts[0][0]}"


def people_of_article(text: str, quotes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The people named in one article: from titles and from resolved quote speakers."""
    found: dict[str, dict[str, Any]] = {}

    def add(name: str, role: str | None, org: str | None, kind: str) -> None:
        for existing in found.values():
            if existing["name"] == name or (
                kind == existing["kind"] == "person" and same_person(existing["name"], name)
            ):
                if len(name.split()) > len(existing["name"].split()):
                    existing["name"] = name
                existing["role"] = existing["role"] or role
                existing["org"] = existing["org"] or org
                existing["mentions"] += 1
                return
        found[name] = {
            "name": name,
            "role": role,
            "org": org,
            "kind": kind,
            "mentions": 1,
            "quotes": 0,
        }

    for name, role, org, _ in titled_names(text):
        add(name, role, org, "person")
    for q in quotes:
        name = q.get("speaker_name")
        if not name:
            continue
        kind = q.get("speaker_kind") or ("role" if name[:1].islower() else "person")
        if kind == "other":
            continue
        add(name, q.get("role"), q.get("org"), kind)
        for v in found.values():
            if v["name"] == name or (
                kind == v["kind"] == "person" and same_person(v["name"], name)
            ):
                v["quotes"] += 1
                break
    return list(found.values())


def filter_records(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """``newsdesk entities -``: the people of each ``{"id", "text"}`` record."""
    from newsdesk.stages.quotes import extract, load_tagger

    tagger = load_tagger()
    for rec in records:
        text = rec.get("text") or ""
        yield {"id": rec.get("id"), "people": people_of_article(text, extract(text, tagger))}


# -- store ----------------------------------------------------------------------------------
people_table = Table(
    "people",
    metadata,
    Column("id", String(80), primary_key=True),  # person_key of the first full name seen
    Column("name", Text, nullable=False),  # the longest full name seen
    Column("kind", String(16), nullable=False),  # person | org
    Column("org", Text),  # country/organization they speak for (latest stated)
)
person_aliases = Table(
    "person_aliases",
    metadata,
    Column("person_id", String(80), ForeignKey("people.id"), primary_key=True),
    Column("alias", String(200), primary_key=True),  # folded name variant
    Column("name", Text, nullable=False),  # the variant as written
)
person_mentions = Table(
    "person_mentions",
    metadata,
    Column("person_id", String(80), ForeignKey("people.id"), primary_key=True),
    Column("article_id", String(40), ForeignKey("articles.id"), primary_key=True),
    Column("mentions", Integer, nullable=False, default=1),
    Column("quotes", Integer, nullable=False, default=0),
    Column("role", Text),  # the role the article gives them
    Column("org", Text),
    Column("published", String(32)),
    Index("ix_person_mentions_article", "article_id"),
)


def _entities_v1(conn: Connection) -> None:
    for t in (people_table, person_aliases, person_mentions):
        t.create(conn, checkfirst=True)


component("entities", [_entities_v1])


def _find_person(conn: Connection, name: str, kind: str = "person") -> str | None:
    """The id of the stored person this name refers to (alias, or surname + close first name)."""
    folded = _alias(name, kind)
    pid = conn.scalar(select(person_aliases.c.person_id).where(person_aliases.c.alias == folded))
    if pid or kind == "org":
        return str(pid) if pid else None
    surname = folded.split()[-1] if folded.split() else ""
    if not surname:
        return None
    cands = conn.execute(
        select(person_aliases.c.person_id, person_aliases.c.name).where(
            or_(person_aliases.c.alias == surname, person_aliases.c.alias.endswith(" " + surname))
        )
    ).all()
    ids = {r.person_id for r in cands if same_person(r.name, name)}
    if len(ids) == 1:
        return str(ids.pop())
    return None


def _alias(name: str, kind: str) -> str:
    """The folded form a name is looked up by ("the New York Post" → "new york post")."""
    folded = _fold(name)
    return folded.removeprefix("the ") if kind == "org" else folded


def _unique_id(conn: Connection, base: str) -> str:
    pid, n = base, 1
    while conn.scalar(select(people_table.c.id).where(people_table.c.id == pid)) is not None:
        n += 1
        pid = f"{base}-{n}"
    return pid


@stage
class Entities:
    """People and organizations from titles and quote speakers, merged across articles."""

    name: ClassVar[str] = "entities"
    requires: ClassVar[frozenset[str]] = frozenset({"text", "quotes"})
    provides: ClassVar[frozenset[str]] = frozenset({"people"})

    @classmethod
    def from_settings(cls, settings: Settings) -> Entities:
        return cls()

    def process(self, store: Store, conn: Connection, batch: Sequence[Article]) -> None:
        from newsdesk.stages.quotes import quotes_table

        ids = [a.id for a in batch]
        if not ids:
            return
        conn.execute(person_mentions.delete().where(person_mentions.c.article_id.in_(ids)))
        for a in batch:
            rows = conn.execute(
                select(quotes_table)
                .where(quotes_table.c.article_id == a.id)
                .order_by(quotes_table.c.seq)
            ).all()
            qs = [
                {
                    "speaker_name": r.speaker_name,
                    "role": r.role,
                    "org": r.org,
                    "speaker_mention": r.speaker_mention,
                    "speaker_kind": r.speaker_kind,
                }
                for r in rows
            ]
            published = a.published.isoformat() if a.published else None
            name_to_id: dict[str, str] = {}
            mentions: dict[str, dict[str, Any]] = {}  # two spellings can resolve to one person
            for p in people_of_article(a.text, qs):
                if p["kind"] == "role":
                    continue  # an unnamed role ("the minister") is a speaker, not a person page
                pid = self._upsert(conn, p)
                name_to_id[p["name"]] = pid
                row = mentions.setdefault(
                    pid,
                    {"person_id": pid, "article_id": a.id, "mentions": 0, "quotes": 0,
                     "role": None, "org": None, "published": published},
                )  # fmt: skip
                row["mentions"] += p["mentions"]
                row["quotes"] += p["quotes"]
                row["role"] = row["role"] or p["role"]
                row["org"] = row["org"] or p["org"]
            if mentions:
                conn.execute(person_mentions.insert(), list(mentions.values()))
            for r in rows:
                if not r.speaker_name:
                    continue
                pid = name_to_id.get(r.speaker_name) or next(
                    (v for k, v in name_to_id.items() if same_person(k, r.speaker_name)), None
                )
                conn.execute(
                    quotes_table.update().where(quotes_table.c.id == r.id).values(entity_id=pid)
                )

    def _upsert(self, conn: Connection, p: dict[str, Any]) -> str:
        name, kind = p["name"], p["kind"]
        pid = _find_person(conn, name, kind)
        if pid is None:
            if kind == "org":
                base = "org-" + "-".join(_alias(name, kind).replace(".", "").split())
            else:
                base = person_key(name) or "person"
            pid = _unique_id(conn, base)
            conn.execute(
                people_table.insert().values(id=pid, name=name, kind=p["kind"], org=p["org"])
            )
        else:
            cur = conn.execute(select(people_table).where(people_table.c.id == pid)).first()
            values: dict[str, Any] = {}
            if cur is not None and len(name.split()) > len(cur.name.split()):
                values["name"] = name
            if p["org"]:
                values["org"] = p["org"]
            if values:
                conn.execute(people_table.update().where(people_table.c.id == pid).values(**values))
        folded = _alias(name, kind)
        if (
            conn.scalar(
                select(person_aliases.c.person_id).where(
                    person_aliases.c.person_id == pid, person_aliases.c.alias == folded
                )
            )
            is None
        ):
            conn.execute(person_aliases.insert().values(person_id=pid, alias=folded, name=name))
        return pid

    def filter(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """JSONL ``{"id", "text"}`` → ``{"id", "people": [{"name", "role", "org", ...}]}``."""
        return filter_records(records)


def people(
    store: Store, limit: int = 50, offset: int = 0, kind: str = "person"
) -> list[dict[str, Any]]:
    """People, most quoted first: id, name, latest role, org, quote and article counts."""
    pm = person_mentions
    q = (
        select(
            people_table.c.id,
            people_table.c.name,
            people_table.c.kind,
            people_table.c.org,
            func.sum(pm.c.quotes).label("quotes"),
            func.count(pm.c.article_id).label("articles"),
        )
        .join(pm, pm.c.person_id == people_table.c.id)
        .where(people_table.c.kind == kind)
        .group_by(people_table.c.id, people_table.c.name, people_table.c.kind, people_table.c.org)
        .order_by(
            func.sum(pm.c.quotes).desc(), func.count(pm.c.article_id).desc(), people_table.c.name
        )
        .limit(limit)
        .offset(offset)
    )
    with store.connect() as conn:
        rows = conn.execute(q).all()
        out = []
        for r in rows:
            role = conn.scalar(
                select(pm.c.role)
                .where(pm.c.person_id == r.id, pm.c.role.is_not(None))
                .order_by(pm.c.published.desc().nulls_last())
                .limit(1)
            )
            out.append(
                {
                    "id": r.id,
                    "name": r.name,
                    "kind": r.kind,
                    "role": role,
                    "org": r.org,
                    "quotes": int(r.quotes or 0),
                    "articles": int(r.articles or 0),
                }
            )
    return out


def person(store: Store, name_or_id: str) -> dict[str, Any]:
    """A person's dossier: roles over time, quotes in date order, articles, stories, co-mentions."""
    from newsdesk.stages.quotes import StoredQuote, _from_row, quotes_table
    from newsdesk.store.schema import articles

    pm = person_mentions
    with store.connect() as conn:
        row = conn.execute(select(people_table).where(people_table.c.id == name_or_id)).first()
        if row is None:
            pid = _find_person(conn, name_or_id)
            row = (
                conn.execute(select(people_table).where(people_table.c.id == pid)).first()
                if pid
                else None
            )
        if row is None:
            raise NotFound(f"no person {name_or_id!r}")
        pid = row.id
        aliases = sorted(
            set(
                conn.scalars(select(person_aliases.c.name).where(person_aliases.c.person_id == pid))
            )
            - {row.name}
        )
        mentions = conn.execute(
            select(pm, articles.c.title, articles.c.outlet)
            .join(articles, articles.c.id == pm.c.article_id)
            .where(pm.c.person_id == pid)
            .order_by(pm.c.published.nulls_last(), pm.c.article_id)
        ).all()
        roles: dict[tuple[str, str | None], dict[str, Any]] = {}
        for m in mentions:
            if not m.role:
                continue
            r = roles.setdefault(
                (m.role, m.org),
                {
                    "role": m.role,
                    "org": m.org,
                    "first": m.published,
                    "last": m.published,
                    "articles": 0,
                },
            )
            r["articles"] += 1
            if m.published and (r["first"] is None or m.published < r["first"]):
                r["first"] = m.published
            if m.published and (r["last"] is None or m.published > r["last"]):
                r["last"] = m.published
        quote_rows = conn.execute(
            select(quotes_table)
            .where(quotes_table.c.entity_id == pid)
            .order_by(
                quotes_table.c.published.nulls_last(), quotes_table.c.article_id, quotes_table.c.seq
            )
        ).all()
        found: list[StoredQuote] = [_from_row(r) for r in quote_rows]
        article_ids = [m.article_id for m in mentions]
        co = conn.execute(
            select(people_table.c.id, people_table.c.name, func.count(pm.c.article_id).label("n"))
            .join(pm, pm.c.person_id == people_table.c.id)
            .where(pm.c.article_id.in_(article_ids), pm.c.person_id != pid)
            .group_by(people_table.c.id, people_table.c.name)
            .order_by(func.count(pm.c.article_id).desc(), people_table.c.name)
            .limit(20)
        ).all()
    stories: list[Any] = []
    try:
        from newsdesk.stories import story_of_article  # type: ignore[attr-defined]
    except ImportError:
        story_of_article = None
    if story_of_article is not None:
        for aid in article_ids:
            sid = story_of_article(store, aid)
            if sid is not None and sid not in stories:
                stories.append(sid)
    return {
        "id": pid,
        "name": row.name,
        "kind": row.kind,
        "org": row.org,
        "aliases": aliases,
        "roles": sorted(roles.values(), key=lambda r: (r["first"] or "", r["role"])),
        "quotes": [
            {
                "id": sq.id,
                "article_id": sq.quote.article_id,
                "published": sq.quote.published.isoformat() if sq.quote.published else None,
                "kind": sq.quote.kind,
                "text": sq.text,
                "role": sq.quote.role,
                "speaker_mention": sq.speaker_mention,
            }
            for sq in found
        ],
        "articles": [
            {"id": m.article_id, "title": m.title, "outlet": m.outlet, "published": m.published}
            for m in mentions
        ],
        "stories": stories,
        "mentioned_with": [{"id": c.id, "name": c.name, "articles": int(c.n)} for c in co],
    }


def organizations(store: Store, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Organizations that speak ("The New York Post", "the Kremlin"), most quoted first."""
    return people(store, limit, offset, kind="org")


def organization(store: Store, name_or_id: str) -> dict[str, Any]:
    """An organization's page: the same dossier as :func:`person`."""
    return person(store, name_or_id)
