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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from newsdesk.nlp import lexicons
from newsdesk.nlp.names import ROLE_HEADS, fold, same_person
from newsdesk.nlp.ner import Entity
from newsdesk.nlp.sentences import sentence_spans
from newsdesk.stages.entities.roles import apposition_after, title_before

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

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "mentions": self.mentions,
            "quotes": self.quotes,
            "role": self.role,
            "org": self.org,
        }


def clean_name(text: str, kind: str) -> str | None:
    """The name of a mention: possessive and leading titles off; None when it is no name."""
    name = " ".join(text.split())
    name = _POSSESSIVE.sub("", name)
    words = name.split()
    while kind == "person" and len(words) > 1 and words[0].lower().rstrip(".") in _TITLES | ROLE_HEADS:
        words.pop(0)
    if not words:
        return None
    if all(w.lower().strip(".’'") in _NEVER_NAMES for w in words):
        return None
    if not any(ch.isalpha() for ch in name) or not words[0][:1].isupper() and not words[0][:1].isdigit():
        return None
    if kind == "person" and len(words) == 1 and words[0].lower() in ROLE_HEADS:
        return None
    return " ".join(words)


def article_entities(
    text: str, mentions: Sequence[Entity], quotes: Sequence[dict[str, Any]] = ()
) -> list[Entry]:
    """People, organizations and places of one article, with roles and quote counts."""
    sents = sentence_spans(text)
    starts = [s for s, _ in sents]
    entries: list[Entry] = []
    people: list[Entry] = []
    by_key: dict[tuple[str, str], Entry] = {}
    # full names first, so that a surname mention finds its person whatever the order
    ordered = sorted(
        (m for m in mentions if m.type in KINDS), key=lambda m: (-len(m.name.split()), m.start)
    )
    for m in ordered:
        kind = KINDS[m.type]
        name = clean_name(text[m.start : m.end], kind)
        if not name:
            continue
        entry = _find(people, by_key, name, kind)
        if entry is None:
            entry = Entry(name, kind)
            entries.append(entry)
            if kind == "person":
                people.append(entry)
            else:
                by_key[(kind, fold(name).removeprefix("the "))] = entry
        entry.mentions += 1
        entry.spans.append((m.start, m.end))
        if kind == "person" and (entry.role is None or entry.org is None):
            k = _sentence_of(starts, m.start)
            s0, s1 = sents[k] if sents else (0, len(text))
            for r in (title_before(text, m.start, s0), apposition_after(text, m.end, s1)):
                entry.role = entry.role or r.role
                entry.org = entry.org or r.speaks_for
    for q in quotes:
        name = q.get("speaker_name")
        if not name:
            continue
        target = _find(people, by_key, name, "person") or _find(people, by_key, name, "org")
        if target is not None:
            target.quotes += 1
            q["entity_name"] = target.name
    entries.sort(key=lambda e: min(s for s, _ in e.spans))
    return entries


def _find(
    people: list[Entry], by_key: dict[tuple[str, str], Entry], name: str, kind: str
) -> Entry | None:
    if kind != "person":
        return by_key.get((kind, fold(name).removeprefix("the ")))
    parts = fold(name).split()
    for p in people:
        pp = fold(p.name).split()
        if pp == parts or same_person(p.name, name):
            return p
        # "Starmer" or "Keir Starmer" within an article naming "Sir Keir Starmer"
        if len(parts) < len(pp) and pp[-len(parts) :] == parts:
            return p
    return None


def _sentence_of(starts: list[int], pos: int) -> int:
    return max(0, bisect.bisect_right(starts, pos) - 1)
