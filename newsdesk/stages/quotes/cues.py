"""What a cue says: speech or attitude (a quote), a stance (a claim for the positions map), or an
action the tagger took for a cue (neither).

The quote tagger learned cues from PolNeAR, whose attributions include positions ("endorsed",
"rejected") and the odd action; newsdesk keeps quotes for speech and attitude ("said", "told",
"according to", "insisted", "warned", "believes"). A cue whose words include a stance verb
("agreed to discuss a two-hour pause", "rejected the plan") becomes a :class:`Stance` for the
positions map; an action verb ("authorized booster shots") is dropped; a denial is speech with
a that-clause or a quotation and a stance with a plain object ("denied Ukraine's national
identity").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from newsdesk.nlp import lexicons
from newsdesk.stages.quotes.tokens import Tokens

SPEECH, STANCE, ACTION = "speech", "stance", "action"
_ACTION = lexicons.words("action-not-cues")
_DENY = lexicons.words("deny-cues")


def _forms(base: str) -> tuple[str, ...]:
    """A regular verb's forms ("agree" -> agrees, agreed, agreeing; "veto" -> vetoes …)."""
    stem = base[:-1] if base.endswith("e") else base
    plural = base + ("es" if base.endswith(("o", "s", "sh", "ch", "x")) else "s")
    return (base, plural, stem + "ed", stem + "ing")


# Every form of a stance verb -> its base form, the claim's label ("agreed" -> "agree").
_STANCE = {f: base for base in lexicons.ordered("stance-cues") for f in _forms(base)}


@dataclass(frozen=True, slots=True)
class Stance:
    """A non-speech position statement: who takes which stance on what (character spans)."""

    stance: str  # the stance verb's base form: "agree", "reject", "dismiss", "propose", ...
    cue: tuple[int, int]
    holder: tuple[int, int] | None
    content: tuple[tuple[int, int], ...]


def classify(toks: Tokens, cue: tuple[int, int], content: Sequence[tuple[int, int]]) -> str:
    """:data:`SPEECH`, :data:`STANCE` or :data:`ACTION` for a cue (token range) and its content."""
    words = [toks.words[k].lower() for k in range(*cue)]
    if any(w in _STANCE for w in words):
        return STANCE
    if any(w in _ACTION for w in words):
        return ACTION
    if any(w in _DENY for w in words):
        first = min(content)[0] if content else cue[1]
        quoted = any(toks.in_quote[i] for a, b in content for i in range(a, b))
        opener = toks.words[first].lower() if first < len(toks.words) else ""
        return (
            SPEECH if quoted or opener in {"that", "it", "any", "having", "he", "she"} else STANCE
        )
    return SPEECH


def stance_label(toks: Tokens, cue: tuple[int, int]) -> str:
    """The base form of the cue's stance verb ("rejected" -> "reject"; denials -> "deny")."""
    for k in range(*cue):
        w = toks.words[k].lower()
        if w in _STANCE:
            return _STANCE[w]
        if w in _DENY:
            return "deny"
    return toks.words[cue[0]].lower()
