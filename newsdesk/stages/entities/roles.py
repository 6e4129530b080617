"""A person mention's role and whom they speak for: from the title before the name and the
apposition after it, cut at clause boundaries.

Rules, because the tagger marks names, not roles, and CoNLL-2003 has no role annotation: the
title is the run of capitalised role words, demonyms and possessives right before the name
("Ukraine's Deputy Foreign Minister Serhiy Kyslytsia"); the apposition is the noun phrase
between the commas after the name (", a senior fellow at the European Council on Foreign
Relations,") and is only taken when it opens like a noun phrase, holds a role noun and no verb
or clause word, so ", introduced the bill in mid-December and …" never becomes a role.
"Speaks for" is the country of a demonym ("Turkish"), the organisation after "of/at/for" or a
possessive ("Ukraine's"), and the party of "(D-N.Y.)" or "Democrat"/"Republican".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsdesk.nlp import lexicons
from newsdesk.nlp.names import DEMONYMS, DETERMINERS, ROLE_HEADS, ROLE_MODIFIERS, analyse_mention

_WORD = re.compile(r"[\w’'.\-&]+|[^\w\s]")
_CLAUSE_WORDS = lexicons.words("apposition-stop-words")
_PARTY_TAG = re.compile(r"^\s*\((?P<party>[DRI])\s*[-–]\s*(?P<state>[A-Z][\w.\s]{0,14})\)")
_PARTIES = lexicons.mapping("parties")
# An apposition longer than this is a clause, not a role (the longest role in the seed and demo
# pages, "the deputy head of the presidential office of Ukraine", is 9 words).
MAX_APPOSITION_WORDS = 12


@dataclass(slots=True)
class Role:
    """What the text says a person is: a role phrase and whom they speak for."""

    role: str | None = None
    speaks_for: str | None = None


def title_before(text: str, start: int, sentence_start: int) -> Role:
    """The title right before a name at ``start`` ("Turkish Foreign Minister" -> role, Turkey)."""
    window = text[max(sentence_start, start - 80) : start]
    words = _WORD.findall(window)
    title: list[str] = []
    for w in reversed(words):
        lw = w.lower().rstrip(".")
        bare = re.sub(r"[’']s$", "", w)
        if (
            lw in ROLE_HEADS
            or lw in ROLE_MODIFIERS
            or lw in DEMONYMS
            or w.lower() in lexicons.mapping("title-abbreviations")
            or (w != bare and bare[:1].isupper())
            or (title and w[:1].isupper() and w.isalpha())
            or (title and lw in {"of", "for"})
        ):
            title.insert(0, w)
            continue
        break
    while title and title[0].lower() in {"of", "for"}:
        title.pop(0)
    if not title:
        return Role()
    m = analyse_mention(" ".join([*title, "Xname"]))
    return Role(m.role, m.org)


def apposition_after(text: str, end: int, sentence_end: int) -> Role:
    """The apposition after a name ending at ``end``: ", a senior fellow at X," -> role, X."""
    rest = text[end:sentence_end]
    party = _PARTY_TAG.match(rest)
    if party:
        return Role(None, _PARTIES.get(party.group("party").lower()))
    if not rest.startswith(","):
        return Role()
    body = rest[1:]
    cut = re.search(r"[,;:()\u2014\u2013]|\.(?:\s|$)", body)
    phrase = (body[: cut.start()] if cut else body).strip()
    words = _WORD.findall(phrase)
    if not words or len(words) > MAX_APPOSITION_WORDS:
        return Role()
    lows = [w.lower() for w in words]
    first = lows[0]
    party_name = next((_PARTIES[w] for w in lows if len(w) > 1 and w in _PARTIES), None)
    if party_name and len(words) <= 5 and not any(w in ROLE_HEADS for w in lows):
        return Role(None, party_name)  # ", a Brooklyn Democrat,"
    opens = (
        first in DETERMINERS
        or first in ROLE_MODIFIERS
        or first in ROLE_HEADS
        or first in DEMONYMS
        or (words[0][:1].isupper() and re.search(r"[’']s$", words[0]) is not None)
    )
    if not opens or not any(w in ROLE_HEADS for w in lows):
        return Role()
    for w in lows:
        if w in _CLAUSE_WORDS or (
            (w.endswith("ed") or w.endswith("ing"))
            and w not in ROLE_MODIFIERS
            and w not in ROLE_HEADS
        ):
            return Role()
    role_words = words[1:] if first in DETERMINERS else words
    speaks_for = None
    for k, w in enumerate(lows):
        if w in {"at", "of", "for", "with"} and k + 1 < len(words):
            org: list[str] = []
            for x in words[k + 1 :]:
                if x[:1].isupper() or (org and x.lower() in {"of", "for", "on", "and", "the"}):
                    org.append(x)
                elif x.lower() == "the" and not org:
                    continue
                else:
                    break
            while org and org[-1].lower() in {"of", "for", "on", "and", "the"}:
                org.pop()
            if org:
                speaks_for = " ".join(org)
                break
    if speaks_for is None:
        for w in lows:
            if w in DEMONYMS:
                speaks_for = DEMONYMS[w]
                break
        for w in words:
            if re.search(r"[’']s$", w) and w[:1].isupper():
                speaks_for = re.sub(r"[’']s$", "", w)
                break
    return Role(" ".join(role_words) or None, speaks_for)
