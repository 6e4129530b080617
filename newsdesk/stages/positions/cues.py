"""Stance cue phrases (support, reject, condition, demand, negation, negative targets) as regexes.

The phrases live in ``resources/lexicons/stance-*-phrases.txt`` (English, German, Danish); a
``*`` in a phrase stands for any word ending. Matching is case-insensitive and on word starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from newsdesk.nlp.lexicons import phrases, words

KINDS = ("support", "reject", "condition", "demand")
LEXICONS = {
    "support": phrases("stance-support-phrases"),
    "reject": phrases("stance-reject-phrases"),
    "condition": phrases("stance-condition-phrases"),
    "demand": phrases("stance-demand-phrases"),
}


def _pattern(phrase: str) -> str:
    parts = []
    for word in phrase.split():
        stem = re.escape(word.replace("*", ""))
        parts.append(stem + (r"[\w\-]*" if word.endswith("*") else r"(?![\w\-])"))
    return r"\s+".join(parts)


@cache
def cue_regex(kind: str) -> re.Pattern[str]:
    """One regex for every phrase of ``stance-<kind>-phrases``, longest phrases first."""
    pats = sorted((_pattern(p) for p in LEXICONS[kind]), key=len, reverse=True)
    return re.compile(r"(?<![\w\-])(?:" + "|".join(pats) + ")", re.IGNORECASE)


@cache
def target_negative_regex() -> re.Pattern[str]:
    pats = sorted((_pattern(p) for p in phrases("target-negative-phrases")), key=len, reverse=True)
    return re.compile(r"(?<![\w\-])(?:" + "|".join(pats) + ")", re.IGNORECASE)


_WORD = re.compile(r"[\w’']+")
_RETREAT = frozenset({"off", "down", "away"})


@dataclass(frozen=True, slots=True)
class Cue:
    kind: str  # support | reject | condition | demand
    span: tuple[int, int]
    negated: bool  # a negation word shortly before it ("did not accept")


def find_cues(text: str) -> list[Cue]:
    """Every cue in ``text`` in text order; a support/reject cue after a near negation is marked."""
    neg = words("negations")
    out: list[Cue] = []
    for kind in KINDS:
        for m in cue_regex(kind).finditer(text):
            after = _WORD.match(text[m.end() :].lstrip())
            if " " not in m.group(0) and after and after.group(0).lower() in _RETREAT:
                continue  # "backing off", "back down": a retreat, not support
            # a negation governs a cue right before it ("did not accept", "won't agree"); two
            # words, so that "has not abandoned his call for" does not negate "call for"
            before = _WORD.findall(text[max(0, m.start() - 30) : m.start()].lower())[-2:]
            negated = any(w in neg or w.endswith("n't") or w.endswith("n’t") for w in before)
            out.append(Cue(kind, (m.start(), m.end()), negated))
    out.sort(key=lambda c: c.span)
    return out


def target_direction(target: str) -> int:
    """+1 when ``target`` names an action for its object, −1 when against it ("ban X").

    Each negative marker flips once ("should not ban" is for): a motion is rarely doubly negated,
    and a parity rule needs no training data.
    """
    n = len(target_negative_regex().findall(target or ""))
    return -1 if n % 2 else 1


def cue_features(text: str) -> list[float]:
    """Counts of each cue kind (support/reject, plain and negated; condition; demand; negations; side)."""
    cues = find_cues(text)
    neg = words("negations")
    n_neg = sum(1 for w in _WORD.findall(text.lower()) if w in neg or w.endswith("n't"))
    f = [0.0] * 8
    for c in cues:
        if c.kind == "support":
            f[1 if c.negated else 0] += 1
        elif c.kind == "reject":
            f[3 if c.negated else 2] += 1
        elif c.kind == "condition":
            f[4] += 1
        else:
            f[5] += 1
    f[6] = float(n_neg)
    # one signed feature for the side the cues take: the same weight serves every language
    f[7] = f[0] + f[3] + f[5] - f[1] - f[2]
    return [max(min(v, 3.0), -3.0) for v in f]
