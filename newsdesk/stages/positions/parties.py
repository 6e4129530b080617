"""Parties: who an actor speaks for — a table of aliases (TOML) and one resolver.

The shipped table is ``resources/parties.toml``; a user table (setting ``parties_file``) is merged
over it (same key: aliases added, or replaced with ``replace = true``; ``drop = true`` removes a
party; new keys add parties). :func:`resolve` is the one door from an actor mention to a party,
so a better entity tagger can slot in behind it later without touching the claims code.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from newsdesk.errors import NewsdeskError
from newsdesk.nlp.names import analyse_mention
from newsdesk.resources import path as resource_path

SHIPPED = "parties.toml"


class PartiesError(NewsdeskError):
    """A party table that cannot be read (bad TOML, a party without a name)."""


@dataclass(frozen=True, slots=True)
class Party:
    key: str
    name: str
    kind: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PartyMention:
    party: str  # the party's name
    span: tuple[int, int]
    alias: str


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise PartiesError(f"party table {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PartiesError(f"party table {path}: {exc}") from exc


def merge(base: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    """``user`` over ``base`` (see the module docstring for the rules)."""
    out = {k: dict(v) for k, v in base.items()}
    for key, entry in user.items():
        if not isinstance(entry, dict):
            raise PartiesError(f"party {key!r}: expected a table, got {type(entry).__name__}")
        if entry.get("drop"):
            out.pop(key, None)
            continue
        cur = out.setdefault(key, {})
        aliases = list(entry.get("aliases", []))
        if entry.get("replace") or "aliases" not in cur:
            cur["aliases"] = aliases
        else:
            cur["aliases"] = list(cur["aliases"]) + [a for a in aliases if a not in cur["aliases"]]
        for field in ("name", "kind"):
            if field in entry:
                cur[field] = entry[field]
    return out


class PartyTable:
    """The parties and a compiled matcher over all their aliases."""

    def __init__(self, raw: dict[str, Any]) -> None:
        parties = []
        for key, entry in raw.items():
            name = entry.get("name") or key
            aliases = tuple(dict.fromkeys([name, *entry.get("aliases", [])]))
            parties.append(Party(key, name, entry.get("kind", "country"), aliases))
        self.parties = tuple(parties)
        self._by_alias: dict[str, str] = {}
        pats: list[tuple[int, str]] = []
        for p in self.parties:
            for a in p.aliases:
                folded = _fold(a)
                self._by_alias.setdefault(folded, p.name)
                body = re.escape(a).replace(r"\ ", r"\s+")
                body = body.replace("'", "['’]").replace("’", "['’]")
                # single words keep their case ("US" is not "us"); phrases ignore it
                pats.append((len(a), body if " " in a else f"(?-i:{body})"))
        pats.sort(key=lambda x: -x[0])
        alt = "|".join(p for _, p in pats) or r"(?!x)x"
        self._rx = re.compile(rf"(?<![\w\-])(?:{alt})(?:['’]s)?(?![\w\-])", re.IGNORECASE)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parties)

    def find(self, text: str) -> Iterator[PartyMention]:
        """Every alias of a party in ``text``, longest first at each place, in text order."""
        for m in self._rx.finditer(text):
            alias = re.sub(r"['’]s$", "", m.group(0))
            party = self._by_alias.get(_fold(alias))
            if party:
                yield PartyMention(party, (m.start(), m.end()), alias)

    def lookup(self, phrase: str | None) -> str | None:
        """The party an exact alias or a phrase containing one names, else None."""
        if not phrase:
            return None
        hit = self._by_alias.get(_fold(phrase)) if " " in phrase.strip() else None
        if hit:
            return hit
        found = list(self.find(phrase))
        return found[0].party if found else None


def _fold(s: str) -> str:
    s = s.replace("’", "'").strip().lower()
    s = re.sub(r"^the\s+", "", s)
    return re.sub(r"\s+", " ", s)


@cache
def load_parties(user_file: str = "") -> PartyTable:
    """The shipped party table with ``user_file`` (a TOML path, may be empty) merged over it."""
    raw = _read(resource_path(SHIPPED))
    if user_file:
        raw = merge(raw, _read(Path(user_file).expanduser()))
    return PartyTable(raw)


def resolve(
    table: PartyTable, mention: str | None, role: str | None = None, org: str | None = None
) -> str | None:
    """The party an actor speaks for: by the organisation it states, its own words, its role.

    "Ukraine’s Deputy Foreign Minister Serhiy Kyslytsia" → Ukraine (the possessive country of
    the title); "the Kremlin" → Russia; "Russian Foreign Minister Sergey Lavrov" → Russia. The
    organisation (``org``) given by the quotes stage wins over the mention's words, since it is
    what the speaker was introduced as speaking for.
    """
    for phrase in (org, mention, role):
        hit = table.lookup(phrase)
        if hit:
            return hit
    if mention and any(ch.isupper() for ch in mention):
        m = analyse_mention(mention)
        for phrase in (m.org, m.name):
            hit = table.lookup(phrase)
            if hit:
                return hit
    return None
