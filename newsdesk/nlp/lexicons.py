"""Word lists shipped as data files, one home for the language data every layer shares.

Each list is ``newsdesk/resources/lexicons/<name>.txt``: words separated by white space (or one
phrase a line in files whose name says ``phrases``, or one ``key = value`` a line for
:func:`mapping`), ``#`` starts a comment. Lists are read once
per process. Keeping them out of the code lets a reader see and edit the language data without
reading the algorithms, and keeps one copy of each list.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

_DIR = files("newsdesk") / "resources" / "lexicons"


def _lines(name: str) -> list[str]:
    path = _DIR / f"{name}.txt"
    if not path.is_file():
        raise FileNotFoundError(f"no lexicon {name!r} (looked for {path})")
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


@cache
def ordered(name: str) -> tuple[str, ...]:
    """The words of lexicon ``name`` in file order (white-space separated)."""
    return tuple(w for line in _lines(name) for w in line.split())


@cache
def words(name: str) -> frozenset[str]:
    """The words of lexicon ``name`` as a set."""
    return frozenset(ordered(name))


@cache
def phrases(name: str) -> tuple[str, ...]:
    """The lines of lexicon ``name``, one phrase each (inner spaces kept)."""
    return tuple(" ".join(line.split()) for line in _lines(name))


@cache
def mapping(name: str) -> dict[str, str]:
    """The ``key = value`` lines of lexicon ``name`` as a dict (inner spaces kept on both sides)."""
    out: dict[str, str] = {}
    for line in _lines(name):
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"lexicon {name!r}: no '=' in {line!r}")
        out[" ".join(key.split())] = " ".join(value.split())
    return out


MONTHS = ordered("months")
WEEKDAYS = ordered("weekdays")
# Capitalised, yet neither names nor sentence subjects.
CALENDAR_WORDS = frozenset(MONTHS + WEEKDAYS)
