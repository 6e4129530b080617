"""Names in mentions: speaker mentions analysed into name, role and country; "Title Name"
spans; name variants and stable person keys.

Which spans are names is the entity tagger's call (:mod:`newsdesk.nlp.ner`); this module reads
what a mention says around the name: titles before it ("Turkish Foreign Minister Hakan
Fidan"), appositions after it ("Nick Witney, a senior fellow at …"), pronouns and role nouns
for the quote speaker resolution (:mod:`newsdesk.stages.quotes.speakers`), and name variants
("Sergey"/"Sergei Lavrov", "Сергей Лавров") merged by surname plus a close first name. Each rule
is small and tested (tests/stages/test_entities.py, tests/stages/test_people.py).

The word lists (role heads and modifiers, determiners, pronouns, demonyms, not-names, titles)
live in ``resources/lexicons/*.txt``, read through :mod:`newsdesk.nlp.lexicons`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

from newsdesk.nlp import lexicons

# -- lexicons (resources/lexicons/*.txt) -----------------------------------------------------
# Head nouns of roles. A role phrase is optional modifiers + one of these (+ "of X").
ROLE_HEADS = lexicons.words("role-heads")
ROLE_MODIFIERS = lexicons.words("role-modifiers")
DETERMINERS = lexicons.words("determiners")
PRONOUNS = lexicons.words("pronouns-personal")
# Country adjectives and possessives → the country a speaker speaks for.
DEMONYMS = lexicons.mapping("demonyms")
_COUNTRIES = frozenset(DEMONYMS.values()) | lexicons.words("seats-of-government")
_NOT_NAME = lexicons.words("not-names") | lexicons.CALENDAR_WORDS

NAME_TOKEN = re.compile(r"[\w’'.\-]+|[^\w\s]")


@lru_cache(maxsize=50_000)
def fold(s: str) -> str:
    """ASCII-folded lower case, for comparing name variants; other scripts are transliterated
    (anyascii: "Сергей Лавров" -> "sergey lavrov"), so a name merges across scripts where the
    transliteration matches (then :func:`same_person` allows a letter's difference)."""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    if not s.isascii():
        s = anyascii(s)
    return s.lower()


def _strip_possessive(w: str) -> str:
    for suf in ("’s", "'s", "’", "'"):
        if w.endswith(suf) and len(w) > len(suf) + 1:
            return w[: -len(suf)]
    return w


# Abbreviated titles → the role they name.
TITLE_ABBREV = lexicons.mapping("title-abbreviations")


_ORG_WORDS = lexicons.words("organization-words")
_JOINERS = frozenset({"and", "of", "for", "&"})
# Party members as a group ("Republicans", "Senate Democrats"): an organisation, not a person.
_PARTY_MEMBERS = frozenset(
    k + "s" for k in lexicons.mapping("parties") if len(k) > 1 and not k.endswith("s")
)


def _name_word(w: str) -> bool:
    """A word that can be part of a person's name (capitalised, not a title or function word)."""
    b = _strip_possessive(w)
    lw = b.lower()
    if lw in TITLE_ABBREV or lw.rstrip(".") in _NOT_NAME:
        return False
    return (
        b[:1].isupper()
        and any(ch.islower() for ch in b[1:])
        and not any(ch.isdigit() for ch in b)  # "Covid-19"
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
    words = [w for w in NAME_TOKEN.findall(head) if w[:1].isalnum() or w in {"’s", "'s"}]
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
    # "Food and Drug Administration", "Court of Appeals": runs joined by "and"/"of" into one
    # organisation's name when a word of it is an organisation word
    while start > 1 and words[start - 1].lower() in _JOINERS and _name_word(words[start - 2]):
        s2 = start - 1
        while (
            s2 > 0
            and _name_word(words[s2 - 1])
            and _strip_possessive(words[s2 - 1]) == words[s2 - 1]
        ):
            s2 -= 1
        if not any(w.lower() in _ORG_WORDS for w in words[s2:end]):
            break
        start = s2
    if end > start:
        m.name = " ".join(
            _strip_possessive(w) if i == end - 1 else w
            for i, w in enumerate(words[start:end], start=start)
        )
        title_words = words[:start]
        m.is_org = (
            (bool(title_words) and title_words[-1].lower() in DETERMINERS)
            or m.name in _COUNTRIES
            or any(w.lower() in _ORG_WORDS for w in m.name.split())
            or m.name.split()[-1].lower() in _PARTY_MEMBERS  # "Senate Republicans"
        )
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
        a_words = NAME_TOKEN.findall(appos)
        if any(w.lower() in ROLE_HEADS for w in a_words):
            lead = a_words[0].lower() if a_words else ""
            m.role = m.role or " ".join(a_words[1:] if lead in DETERMINERS else a_words)
            for k, w in enumerate(a_words):
                if w.lower() in {"at", "of", "for"} and k + 1 < len(a_words):
                    rest = [x for x in a_words[k + 1 :] if x.lower() != "the"]
                    caps: list[str] = []
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


# Anchored on the title itself (fast: no backtracking over leading words); the words before it
# ("Ukraine’s", "Turkish", "Former") are picked up by _LEADING on a short window.
_TITLED = re.compile(
    r"\b(?:(?:" + "|".join(lexicons.phrases("title-modifiers-phrases")) + r")\s+)*"
    r"(?:" + "|".join(lexicons.phrases("titles-phrases")) + r")"
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
    pa, pb = fold(a).split(), fold(b).split()
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
    parts = fold(name).replace(".", "").split()
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return f"{parts[-1]}-{parts[0][0]}"
