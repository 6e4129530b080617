"""The shipped word lists: each one parses, is read by some module, and lists no word twice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsdesk.nlp import lexicons

PACKAGE = Path(lexicons.__file__).resolve().parents[1]
LEXICONS = sorted(p.stem for p in (PACKAGE / "resources" / "lexicons").glob("*.txt"))
SOURCE = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("name", LEXICONS)
def test_every_lexicon_is_read_by_name_somewhere(name: str) -> None:
    assert re.search(rf"""\(\s*["']{re.escape(name)}["']\s*\)""", SOURCE), f"{name}.txt is unused"


@pytest.mark.parametrize("name", LEXICONS)
def test_no_lexicon_lists_a_word_twice(name: str) -> None:
    path = PACKAGE / "resources" / "lexicons" / f"{name}.txt"
    body = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and ln[0] != "#"]
    if all(" = " in ln for ln in body):
        items = [ln.split("=")[0].strip() for ln in body]
    elif "phrases" in name:
        items = list(lexicons.phrases(name))
    else:
        items = list(lexicons.ordered(name))
    assert items, f"{name}.txt is empty"
    assert len(items) == len(set(items))


def test_mapping_reads_keys_and_values_with_inner_spaces() -> None:
    assert lexicons.mapping("demonyms")["north korean"] == "North Korea"
    assert lexicons.mapping("title-abbreviations")["sen."] == "Senator"


def test_a_missing_lexicon_is_named_in_the_error() -> None:
    with pytest.raises(FileNotFoundError, match="no-such-list"):
        lexicons.words("no-such-list")
