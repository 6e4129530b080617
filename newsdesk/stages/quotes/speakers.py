"""Speaker resolution within one article: pronouns, "the minister", surnames -> the person named earlier."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from newsdesk.nlp.names import (
    DETERMINERS,
    NAME_TOKEN,
    ROLE_HEADS,
    ROLE_MODIFIERS,
    Mention,
    analyse_mention,
    fold,
    same_person,
    titled_names,
)


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
        who: _Known | None
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
        who = None
        kind = "person"
        if m.name and _quoted_title(text[s:e], m.name):
            # "passages of “Peril,” a book …": a quoted title names a work, not a person
            who, kind = _Known(_role_phrase(m.phrase), None, None, is_role=True), "other"
        elif m.pronoun:
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
            org_name = ("the " + m.name) if m.name and lead in DETERMINERS else (m.name or m.phrase)
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


_QUOTED = re.compile(r"[“\"‘«][^”\"’»]*[”\"’»]")


def _quoted_title(phrase: str, name: str) -> bool:
    """Whether ``name`` stands only inside quotation marks in ``phrase`` (a book or show title)."""
    return name in "".join(m.group() for m in _QUOTED.finditer(phrase)) and name not in _QUOTED.sub(
        " ", phrase
    )


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
        if fold(k.name) == fold(name):
            return k
        if len(parts) == 1 and fold(kp[-1]) == fold(parts[0]):
            return k
        if same_person(k.name, name):
            return k
    return None


def _match_role(known: list[_Known], m: Mention) -> _Known | None:
    """The latest speaker whose role has this head noun and no conflicting modifier."""
    words = {w.lower() for w in NAME_TOKEN.findall(m.phrase)} - DETERMINERS
    for k in reversed(known):
        if m.role_head not in k.heads:
            continue
        kwords = {w.lower() for w in NAME_TOKEN.findall(k.name + " " + (k.role or ""))}
        extra = {w for w in words if w in ROLE_MODIFIERS and w not in kwords}
        if not extra:
            return k
    return None
