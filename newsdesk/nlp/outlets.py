"""Outlets and authors: one canonical name per publisher, aliases merged, authors deduplicated.

The outlet of an article comes from, in this order: the outlet table (``resources/outlets.toml``,
plus the user's own table named by the ``outlets`` setting, merged over it) looked up by the
URL's registered domain (``bbc.co.uk``, via ``tld`` and the Public Suffix List it ships); a
stated name (``og:site_name``, JSON-LD publisher, the feed's title, a JSONL field), cleaned and
looked up among the table's names and aliases; else a name from the registered domain. A stated
name that reads as a copyright line, a headline or a person's byline is never used.

Authors: slug variants ("Chuck-Ross") folded into one, job titles ("Journalist", "Staff
Writer") and publishers ("Condé Nast", the outlet itself) dropped.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from newsdesk import resources
from newsdesk.nlp import lexicons

TABLE_PATH = resources.path("outlets.toml")

_COPYRIGHT = re.compile(r"©|\(c\)|copyright|all rights reserved", re.I)
_DOMAIN_LIKE = re.compile(r"^[\w\-]+(?:\.[\w\-]+)*\.[a-z]{2,}$", re.I)
# "CNN (Online News)": the publisher is the part before the brackets
_SUFFIX = re.compile(r"\s*\([^)]*\)$")
_SEPARATORS = re.compile(r"\s+[|–—]\s+|\s+-\s+|\s*:\s+")
# A stated name longer than this is a headline or a sentence, not a publisher's name.
MAX_NAME_WORDS = 6
_DETERMINERS = lexicons.words("determiners")
# "Chuck-Ross": capitalised words joined by hyphens, no space (a byline taken from a URL slug)
_SLUG = re.compile(r"^[A-Z][a-z]+(?:-[A-Z][a-z]+)+$")
_JOB_WORDS = lexicons.words("role-heads") | lexicons.words("byline-job-words")


def key(text: str) -> str:
    """Letters and digits only, accents folded, lower case ("DW.COM" -> "dwcom")."""
    s = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in s if ch.isalnum() and not unicodedata.combining(ch)).lower()


@dataclass(slots=True)
class OutletTable:
    """Canonical outlet names by registered domain and by folded alias."""

    by_domain: dict[str, str] = field(default_factory=dict)
    by_alias: dict[str, str] = field(default_factory=dict)
    publishers: set[str] = field(default_factory=set)  # folded names of publishing groups

    def add(self, path: Path) -> None:
        with open(path, "rb") as fh:
            try:
                data = tomllib.load(fh)
            except tomllib.TOMLDecodeError as exc:
                raise ValueError(f"outlet table {path}: {exc}") from exc
        for entry in data.get("outlet", []):
            name = str(entry.get("name") or "").strip()
            if not name:
                raise ValueError(f"outlet table {path}: an [[outlet]] without a name")
            for d in entry.get("domains", []):
                self.by_domain[str(d).lower().removeprefix("www.")] = name
            for a in [name, *entry.get("aliases", [])]:
                self.by_alias[key(str(a))] = name
        for p in data.get("publishers", {}).get("names", []):
            self.publishers.add(key(str(p)))


@lru_cache(maxsize=8)
def load_table(extra: str = "") -> OutletTable:
    """The shipped outlet table, with the user's TOML file ``extra`` merged over it."""
    table = OutletTable()
    table.add(TABLE_PATH)
    if extra:
        path = Path(extra).expanduser()
        if not path.is_file():
            raise ValueError(f"outlet table {extra!r} does not exist")
        table.add(path)
    return table


def registered_domain(url: str | None) -> str | None:
    """The registrable domain of ``url`` ("https://edition.cnn.com/x" -> "cnn.com")."""
    if not url:
        return None
    from tld import get_fld  # lazy: reads the Public Suffix List on first use

    host = (urlsplit(url).hostname or "").lower()
    if not host:
        return None
    fld = get_fld(host, fix_protocol=True, fail_silently=True)
    return str(fld) if fld else host.removeprefix("www.")


def _domain_name(domain: str, table: OutletTable) -> str:
    """An outlet name for a domain the table does not know: "NDR" for ndr.de, else the domain."""
    if domain in table.by_domain:
        return table.by_domain[domain]
    label = domain.split(".", 1)[0]
    return label.upper() if len(label) <= 4 and label.isalpha() else domain


def clean_name(name: str | None, domain: str | None = None) -> str | None:
    """A stated outlet name without section suffixes, or None when it is no publisher's name."""
    if not name:
        return None
    name = " ".join(name.split())
    if _COPYRIGHT.search(name):
        return None
    parts = [p.strip() for p in _SEPARATORS.split(name) if p.strip()]
    if len(parts) > 1:
        # "Headline | Outlet", "Fox News - Online": keep the part that names the site
        dk = key(domain.split(".", 1)[0]) if domain else ""
        hits = [p for p in parts if dk and key(p).startswith(dk)]
        if not hits:
            return None
        name = hits[0]
    name = _SUFFIX.sub("", name).strip(" -|·")
    if _DOMAIN_LIKE.match(name):
        return name
    if not name or len(name.split()) > MAX_NAME_WORDS or name.endswith((".", "!", "?")):
        return None
    return name


def outlet_name(
    stated: Iterable[str | None], url: str | None, table: OutletTable | None = None
) -> str | None:
    """The canonical outlet of an article: its domain in the table, else a clean stated name
    (mapped through the table's aliases), else a name from the registered domain."""
    table = table or load_table()
    domain = registered_domain(url)
    if domain and domain in table.by_domain:
        return table.by_domain[domain]
    for raw in stated:
        name = clean_name(raw, domain)
        if not name:
            continue
        if _DOMAIN_LIKE.match(name):  # "DW.COM": a domain given as the name
            return _domain_name(name.lower().removeprefix("www."), table)
        k = key(name)
        if k in table.by_alias:
            return table.by_alias[k]
        if url and _looks_like_byline(name, url):
            continue
        if domain and k == key(domain.split(".", 1)[0]) and (name.islower() or len(k) <= 4):
            # "ndr", "Ndr" for ndr.de: the domain's own short name, spelled as for the domain
            return _domain_name(domain, table)
        return name
    return _domain_name(domain, table) if domain else None


def _looks_like_byline(name: str, url: str | None) -> bool:
    """A person's name standing where the outlet should ("Jennifer Rubin" on washingtonpost.com):
    two or three capitalised words, no article among them, none of them in the host name."""
    words = name.split()
    if not 2 <= len(words) <= 3 or not all(w[:1].isupper() and w[1:].islower() for w in words):
        return False
    if any(w.lower() in _DETERMINERS for w in words):
        return False
    host = key(urlsplit(url).hostname or "") if url else ""
    return not any(key(w) in host for w in words if len(w) > 2)


def clean_authors(
    authors: Sequence[str], outlet: str | None, table: OutletTable | None = None
) -> tuple[str, ...]:
    """Authors without slug duplicates ("Chuck Ross"/"Chuck-Ross"), job titles ("Journalist")
    or publishing groups ("Condé Nast"); the article's own outlet only when it stands alone.

    A news agency credited beside a writer ("Reuters", "AFP") stays: pages credit wires as
    authors, and fundus-news-pages' gold does too (benchmarks/extraction.py author_acc).
    """
    table = table or load_table()
    seen: dict[str, str] = {}
    for raw in authors:
        name = " ".join(str(raw).split()).strip(" ,;")
        if not name:
            continue
        if _SLUG.match(name):
            name = name.replace("-", " ")  # a URL slug: "Chuck-Ross"
        k = key(name)
        if not k or k in table.publishers or _is_job_title(name):
            continue
        if k not in seen or (seen[k].islower() and not name.islower()):
            seen[k] = name
    names = list(seen.values())
    own = key(outlet) if outlet else ""
    people = [n for n in names if key(n) != own]
    return tuple(people or names)


def _is_job_title(name: str) -> bool:
    words = [w.lower().strip(".,") for w in name.split()]
    return bool(words) and all(w in _JOB_WORDS for w in words)
