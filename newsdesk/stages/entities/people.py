"""The people, organizations and places one article names: the entity tagger's mentions, grouped.

Only what the tagger (:mod:`newsdesk.nlp.ner`) calls a name becomes an entry: a PER mention
is a person, ORG an organization, LOC a place (MISC — nationalities, events — is not listed).
Within the article, a person's later short mentions ("Starmer") join the full name ("Keir
Starmer"), variants join by :func:`~newsdesk.nlp.names.same_person`; organizations and places
group by their folded name. Roles come from titles and appositions only
(:mod:`~newsdesk.stages.entities.roles`); a quote's resolved speaker is linked to the person it
names, and a quote whose speaker is no tagged name links to nobody.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from newsdesk.nlp import lexicons
from newsdesk.nlp.names import ROLE_HEADS, ROLE_MODIFIERS, fold, same_person
from newsdesk.nlp.ner import Entity
from newsdesk.nlp.outlets import load_table
from newsdesk.nlp.sentences import sentence_spans
from newsdesk.stages.entities.roles import apposition_after, title_before
from newsdesk.stages.entities.tables import alias_key

KINDS = {"PER": "person", "ORG": "org", "LOC": "place"}
_POSSESSIVE = re.compile(r"\s*[’']s$")
# Words that are never a whole name even when the tagger says so ("Officials", "Please").
_NEVER_NAMES = (
    lexicons.words("not-names")
    | lexicons.words("pronouns-personal")
    | lexicons.words("determiners")
    | lexicons.words("not-entity-words")
)
_TITLES = lexicons.words("title-words")
_TITLE_ABBREV_WORDS = {k.rstrip(".") for k in lexicons.mapping("title-abbreviations")}
_PARTY_WORDS = {k for k in lexicons.mapping("parties") if len(k) > 1} | {"democrats", "republicans"}
_DEMONYM_WORDS = set(lexicons.mapping("demonyms")) | {"black", "white", "latino", "latinos"}
_ORG_WORDS = lexicons.words("organization-words")
_PLACE_WORDS = lexicons.words("place-words")
_EVENT_WORDS = lexicons.words("event-words")
_PARTY_TAG = re.compile(r"^[DRI]-[A-Z]")
_LOWER_WORD = re.compile(r"\b[a-z]+\b")
# "Team Biden", "Camp Trump": a campaign named after a person, an organization (as a person it
# made a lone "Biden" ambiguous between Joe Biden and "Team Biden" in the demo store).
_CAMPAIGN_LEADS = {"team", "camp"}
# Outlet names and aliases (resources/outlets.toml): an organization whatever the tagger says.
_OUTLETS = frozenset(fold(n) for n in load_table().by_alias.values())


@dataclass(slots=True)
class Entry:
    """One person, organization or place of an article."""

    name: str
    kind: str  # person | org | place
    mentions: int = 0
    quotes: int = 0
    role: str | None = None
    org: str | None = None  # whom they speak for: a country, party, employer
    spans: list[tuple[int, int]] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)  # other names it goes by here ("FDA")

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "mentions": self.mentions,
            "quotes": self.quotes,
            "role": self.role,
            "org": self.org,
            "aliases": list(self.aliases),
        }


def clean_name(text: str, kind: str) -> str | None:
    """The name of a mention: possessive, leading titles and party words off; None when it is
    no name ("Officials", "they", "Connecticut Democrat", "D-Ariz")."""
    name = " ".join(text.split())
    name = _POSSESSIVE.sub("", name)
    words = name.split()
    # "Gov. Kathy Hochul", "Republican George W. Bush", "As Kyslytsia": the name is what follows
    while len(words) > 1 and _lead_word(words[0], kind):
        words.pop(0)
    while len(words) > 1 and words[-1].lower().rstrip(".") in _TITLE_ABBREV_WORDS:
        words.pop()  # "Joint Chiefs of Staff Gen."
    if not words:
        return None
    if all(w.lower().strip(".’'") in _NEVER_NAMES for w in words):
        return None
    if not any(ch.isalpha() for ch in name) or not (
        words[0][:1].isupper() or words[0][:1].isdigit()
    ):
        return None
    if _PARTY_TAG.match(name):
        return None
    if words[0].lower() in _EVENT_WORDS and len(words) > 1:
        return None  # "Hurricane Ida"
    if kind == "person":
        last = words[-1].lower()
        if last in ROLE_HEADS:
            return None  # "Staff Chair": a role, not a name
        if len(words) == 1 and last in _ORG_WORDS:
            return None  # "Motors" cut from "General Motors"
        # "Connecticut Democrat", "Black Americans": a description, not a name
        if last in _PARTY_WORDS or last.rstrip("s") in _DEMONYM_WORDS or last in _DEMONYM_WORDS:
            return None
    return " ".join(words)


def _lead_word(word: str, kind: str) -> bool:
    low = word.lower().rstrip(".")
    if kind == "person":
        return (
            low in _TITLES
            or low in ROLE_HEADS
            or low in ROLE_MODIFIERS
            or low in _PARTY_WORDS
            or low in _TITLE_ABBREV_WORDS
            or low in _DEMONYM_WORDS
            or low in _NEVER_NAMES
        )
    return low in _NEVER_NAMES and low not in {"the"}


_JOINED = re.compile(r"\b([A-Z][a-z]+) (?:and|of|&) $")


def _joined_org(text: str, m: Entity) -> Entity:
    """An organisation the tagger cut at "and"/"of" ("A Food and [Drug Administration]"): the
    capitalised word before the joiner belongs to it when the name has an organisation word."""
    hit = _JOINED.search(text, max(0, m.start - 30), m.start)
    if hit is None or hit.group(1).lower() in _NEVER_NAMES:
        return m
    if not any(w.lower() in _ORG_WORDS for w in text[m.start : m.end].split()):
        return m
    return Entity(hit.start(1), m.end, m.type, text[hit.start(1) : m.end])


def article_entities(
    text: str, mentions: Sequence[Entity], quotes: Sequence[dict[str, Any]] = ()
) -> list[Entry]:
    """People, organizations and places of one article, with roles and quote counts.

    Mentions with the same name are one entry whose kind is their majority type (the tagger
    may call "Kaiser Permanente" PER once and ORG twice); a person's short mention joins the
    full name it ends or starts ("Starmer", "Keir", "Xi" -> "Keir Starmer", "Xi Jinping"); an
    organization mention holding a person's name ("State Antony Blinken") or equal to a
    person's surname ("Newsom") is that person's; a name in the outlet table is an organization.
    A one-word person stands only when quoted, given a role or an honorific ("Lord Alli"), and
    no one-word entry when the article also writes the word in lower case ("Black", "black").
    """
    sents = sentence_spans(text)
    starts = [s for s, _ in sents]
    named: list[tuple[Entity, str]] = []
    for m in mentions:
        if m.type not in KINDS:
            continue
        if m.type == "ORG":
            m = _joined_org(text, m)
        name = clean_name(text[m.start : m.end], KINDS[m.type])
        if name:
            named.append((m, name))
    # 1. the kind of each name: the majority of its mentions' types (ties: person first)
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for m, name in named:
        votes[fold(name)][KINDS[m.type]] += 1
    order = {"person": 0, "org": 1, "place": 2}

    def kind_of(name: str) -> str:
        if fold(name) in _OUTLETS:
            return "org"
        c = votes[fold(name)]
        kind = min(c, key=lambda k: (-c[k], order[k]))
        last = name.split()[-1].lower()
        if kind == "person" and len(name.split()) > 1:
            if name.split()[0].lower() in _CAMPAIGN_LEADS:
                return "org"
            # "Border Patrol", "Kaiser Permanente Medical Center", "Mecklenberg County"
            if last in _ORG_WORDS:
                return "org"
            if last in _PLACE_WORDS:
                return "place"
        return kind

    entries: list[Entry] = []
    people: list[Entry] = []
    by_key: dict[tuple[str, str], Entry] = {}
    # full names first, so that a short mention finds its person whatever the order
    for m, name in sorted(named, key=lambda x: (-len(x[1].split()), x[0].start)):
        kind = kind_of(name)
        entry = _find(people, by_key, name, kind)
        if entry is None and kind != "person":
            entry = _person_inside(people, name)  # "State Antony Blinken", "Newsom"
        if entry is None:
            entry = Entry(name, kind)
            entries.append(entry)
            if kind == "person":
                people.append(entry)
            else:
                by_key[(kind, alias_key(name, kind))] = entry
        entry.mentions += 1
        entry.spans.append((m.start, m.end))
        if entry.kind == "person" and (entry.role is None or entry.org is None):
            k = _sentence_of(starts, m.start)
            s0, s1 = sents[k] if sents else (0, len(text))
            for r in (title_before(text, m.start, s0), apposition_after(text, m.end, s1)):
                entry.role = entry.role or r.role
                entry.org = entry.org or r.speaks_for
    entries = _merge_acronyms(entries, by_key)
    for q in quotes:
        name = q.get("speaker_name")
        name = clean_name(name, "person") if name else None  # "Sir Keir" -> "Keir"
        if not name:
            continue
        target = _find(people, by_key, name, "person") or _find(people, by_key, name, "org")
        if target is not None:
            target.quotes += 1
            q["entity_name"] = target.name
    lower = {w.lower() for w in _LOWER_WORD.findall(text) if w.islower()}
    kept = []
    for e in entries:
        if len(e.name.split()) == 1 and (e.kind == "person" or not e.name.isupper()):
            if e.name.lower() in lower:
                continue  # "Black" beside "black": a common word capitalised
            if e.kind == "person" and not (e.quotes or e.role or _titled(text, e)):
                continue  # a lone name the article never completes, titles or quotes
        kept.append(e)
    kept.sort(key=lambda e: min(s for s, _ in e.spans))
    return kept


# Words an acronym skips ("Food and Drug Administration" → FDA) and national prefixes it may
# leave out ("U.S. Food and Drug Administration" → FDA).
_ACRONYM_SKIP = frozenset({"and", "of", "the", "for", "on", "in", "to", "&"})
_ACRONYM_PREFIXES = frozenset({"U.S.", "US", "U.K.", "UK"})


def _acronyms(name: str) -> set[str]:
    """The acronyms a full organization name can go by: the initials of its words (small words
    skipped), without a leading "U.S.", and of the part before a last "and" ("Centers for
    Disease Control and Prevention" → CDC). Hand-written: the library implementations
    (Schwartz–Hearst) read only "Name (ACRONYM)" definitions, which news copy rarely writes."""
    words = name.split()
    if words and words[0].lower() == "the":
        words = words[1:]
    variants = [words]
    if len(words) > 2 and words[0] in _ACRONYM_PREFIXES:
        variants.append(words[1:])
    for v in list(variants):
        if "and" in v[2:] and len(v) - v[::-1].index("and") - 1 >= 3:
            variants.append(v[: len(v) - v[::-1].index("and") - 1])
    out = set()
    for v in variants:
        letters = [w[0] for w in v if w.lower() not in _ACRONYM_SKIP and w[:1].isupper()]
        if len(letters) >= 2 and len(letters) == sum(w.lower() not in _ACRONYM_SKIP for w in v):
            out.add("".join(letters))
    return out


def _merge_acronyms(entries: list[Entry], by_key: dict[tuple[str, str], Entry]) -> list[Entry]:
    """An organization's acronym joins its full name in the same article ("FDA" with "Food and
    Drug Administration"): one entry, the acronym kept as its alias (so an article that writes
    only "FDA" finds the same organization in the store). An acronym two names share stays."""
    full: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        if e.kind == "org" and len(e.name.split()) > 1:
            for a in _acronyms(e.name):
                full[a].append(e)
    out = []
    for e in entries:
        acr = e.name.replace(".", "")
        targets = full.get(acr, []) if e.kind == "org" and _is_acronym(e.name) else []
        if len(targets) != 1:
            out.append(e)
            continue
        t = targets[0]
        t.mentions += e.mentions
        t.quotes += e.quotes
        t.spans.extend(e.spans)
        t.aliases.append(e.name)
        by_key[("org", alias_key(e.name, "org"))] = t  # a quote by "FDA" is t's
    return out


def _is_acronym(name: str) -> bool:
    letters = name.replace(".", "")
    return " " not in name and 2 <= len(letters) <= 7 and letters.isalpha() and letters.isupper()


def _titled(text: str, e: Entry) -> bool:
    """Whether a mention of ``e`` follows an honorific ("Lord Alli", "Mr. Newsom")."""
    for s, _ in e.spans:
        before = text[max(0, s - 12) : s].split()
        if before and before[-1].lower().rstrip(".") in _TITLES:
            return True
    return False


def _person_inside(people: list[Entry], name: str) -> Entry | None:
    """The person an organization or place mention really names ("State Antony Blinken")."""
    f = f" {fold(name)} "
    for p in people:
        pf = fold(p.name)
        if len(pf.split()) > 1 and f" {pf} " in f:
            return p
        if fold(name) == pf.split()[-1] and len(pf.split()) > 1:
            return p
    return None


def _find(
    people: list[Entry], by_key: dict[tuple[str, str], Entry], name: str, kind: str
) -> Entry | None:
    if kind != "person":
        return by_key.get((kind, alias_key(name, kind)))
    parts = fold(name).split()
    hits = []
    for p in people:
        pp = fold(p.name).split()
        if pp == parts:
            return p
        # "Starmer", "Keir Starmer" or "Keir" within an article naming "Sir Keir Starmer";
        # "Sergei Lavrov" beside "Sergey Lavrov". Two candidates ("Johnson" in an article
        # naming Boris and Mike Johnson): no one, the short name stays apart.
        short = len(parts) < len(pp) and (pp[-len(parts) :] == parts or pp[: len(parts)] == parts)
        if short or same_person(p.name, name):
            hits.append(p)
    return hits[0] if len(hits) == 1 else None


def _sentence_of(starts: list[int], pos: int) -> int:
    return max(0, bisect.bisect_right(starts, pos) - 1)
