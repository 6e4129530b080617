"""Claims in one article: who (which party) takes which stance on what, with the evidence span.

A claim comes from one of two places:

- a **statement**: a clause with a stance cue (``cues``: agree to, reject, dismiss, propose,
  demand, prerequisite, would need to …) and a party as its actor — "The only proposal Russia
  agreed to discuss was a two-hour pause …", "Any other issues, including a temporary ceasefire,
  were dismissed" (agentless passive: the actor of the claim just before), "Lavrov claimed that
  the … of Ukraine are prerequisites" (the demanded item is the subject before the copula);
- a **quote** (direct or reported, from the quotes stage) whose speaker resolves to a party and
  that holds no statement already: its stance is the model's, its target none (a quote joins an
  issue when it is close to one; it does not make an issue of its own).

Targets are cut from the clause by a few rules over words, not by a parser: no dependency
parser for English can be installed here, and the rules are small and tested on the seeds.
The stance of each claim is decided by the learned model (``stance``), not by the cue.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from newsdesk.models import Span
from newsdesk.nlp.lexicons import words as lexicon_words
from newsdesk.nlp.sentences import sentence_spans
from newsdesk.stages.positions.cues import Cue, find_cues
from newsdesk.stages.positions.parties import PartyMention, PartyTable, resolve

MAX_TARGET_WORDS = 14  # a target longer than this is cut at a clause boundary or here
PASSIVE_AUX = frozenset({"was", "were", "been", "be", "is", "are", "being", "got"})
COPULAS = frozenset({"was", "were", "is", "are", "remain", "remains", "be"})
LIGHT_VERBS = frozenset(
    [
        "discuss",
        "consider",
        "hold",
        "negotiate",
        "allow",
        "talk",
        "about",
        "examine",
        "study",
        "explore",
        "review",
    ]
)
PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i"})
DETERMINERS = re.compile(
    r"^(?:the|a|an|any|all|some|this|that|these|those|its|their|his|her|our|other|such|"
    r"so-called|further|also|even|to|and|or|but)\s+",
    re.IGNORECASE,
)
# Clause boundaries inside a sentence: each clause holds at most one claim per cue.
_SEGMENT = re.compile(r";\s+|,?\s+and that\s+|,\s+but\s+|,\s+underscoring that\s+|\s+—\s+|—")
_TARGET_END = re.compile(
    r",|;|:|\s+(?:in order to|because|which|so that|while|whereas|after|before|as well as|"
    r"only if|on condition|provided|unless|until|despite|although|though|but|and that|and [a-z]+ed|"
    r"and [a-z]+ing|as part of|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\s"
    r"|\s(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday|tomorrow)\b"
    r"|\s+and\s+(?:we|they|he|she|it|i)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w’'\-]+")
_NEXT_WORD = re.compile(r"\s*([\w’'\-]+)")
_AUX = re.compile(
    r"\s(?:was|were|is|are|had|has|have|did|does|do|would|could|will|must|should|can|remain|"
    r"remains)\s",
    re.IGNORECASE,
)
PREPOSITIONS = frozenset(
    [
        "between",
        "of",
        "in",
        "with",
        "from",
        "to",
        "against",
        "for",
        "at",
        "on",
        "about",
        "among",
        "over",
        "under",
        "into",
        "than",
    ]
)
# "a corporate tax rate increase pushed by Biden": the participle's agent backs the noun phrase
_BACKED_BY = re.compile(
    r"\s+(?:pushed|proposed|backed|demanded|favou?red|sought|championed|offered|endorsed|"
    r"supported|floated|put forward|advocated)\s+by\s+",
    re.IGNORECASE,
)
_TRAILING = re.compile(
    r"\s+(?:that|which|who|whom|whose|and|or|but|of|to|for|with|by)$", re.IGNORECASE
)
_INCLUDING = re.compile(r"\b(?:including|such as|notably)\s+", re.IGNORECASE)


@dataclass(slots=True)
class Claim:
    """One claim; ``stance``/``score`` are filled by the stance model (``extract`` leaves them)."""

    party: str
    actor: str  # the actor as written ("Kremlin representatives", "he")
    actor_span: Span | None
    evidence: tuple[Span, ...]  # spans of the text that state the claim
    stance_text: str  # what the stance model reads (the clause)
    target: str | None  # the item the stance is about, as written
    target_span: Span | None
    cue: str | None
    cue_span: Span | None
    kind: str  # statement | quote
    sentence: int
    side: int = 0  # the side the cue takes: +1 for, −1 against, 0 none (quotes)
    stance: str = "unclear"
    score: float = 0.0
    scores: dict[str, float] = field(default_factory=dict)

    def as_dict(self, text: str) -> dict[str, Any]:
        return {
            "party": self.party,
            "actor": self.actor,
            "actor_span": list(self.actor_span) if self.actor_span else None,
            "evidence": [list(s) for s in self.evidence],
            "evidence_text": " … ".join(text[s:e] for s, e in self.evidence),
            "target": self.target,
            "target_span": list(self.target_span) if self.target_span else None,
            "cue": self.cue,
            "kind": self.kind,
            "stance": self.stance,
            "score": self.score,
        }


def clean_target(phrase: str) -> str:
    """A target as a label: leading determiners and quotes off, white space collapsed."""
    for q in '“”"':
        phrase = phrase.replace(q, "")
    s = " ".join(phrase.split()).strip(" ,.;:'‘’()")
    for _ in range(3):
        s2 = _TRAILING.sub("", DETERMINERS.sub("", s))
        if s2 == s:
            break
        s = s2
    return s.strip(" ,.;:“”\"'‘’()")


def _words_before(text: str, pos: int, n: int = 2) -> list[str]:
    return [w.lower() for w in _WORD.findall(text[max(0, pos - 40) : pos])][-n:]


def _clause_words_before(text: str, pos: int, n: int) -> list[str]:
    """Up to ``n`` words before ``pos`` within its comma-free stretch ("with Russia, the" → the)."""
    head = text[max(0, pos - 40) : pos]
    cut = max(head.rfind(","), head.rfind(";"), head.rfind(":"))
    return [w.lower() for w in _WORD.findall(head[cut + 1 :])][-n:]


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start] in " ,;:“”\"'‘’(—–-":
        start += 1
    while end > start and text[end - 1] in " ,.;:“”\"'‘’)—–-":
        end -= 1
    return (start, end) if end > start else None


def _cut(text: str, start: int, end: int) -> Span | None:
    """The phrase from ``start``: up to a clause boundary or MAX_TARGET_WORDS words."""
    m = _TARGET_END.search(text, start, end)
    stop = m.start() if m else end
    words = list(_WORD.finditer(text, start, stop))
    if len(words) > MAX_TARGET_WORDS:
        stop = words[MAX_TARGET_WORDS - 1].end()
    return _trim(text, start, stop)


def _after_cue(text: str, cue_end: int, seg_end: int) -> tuple[Span | None, bool]:
    """The object of a cue: light verbs ("discuss") and a pseudo-cleft copula skipped.

    After "that" the object is a clause: its subject is the target ("insisted that [the
    so-called agreements] were not …"), cut at its first auxiliary or copula.
    """
    pos = cue_end
    clause = False
    for _ in range(3):
        m = _NEXT_WORD.match(text, pos, seg_end)
        if not m:
            break
        w = m.group(1).lower()
        if w == "that":
            clause = True
        if w in LIGHT_VERBS or w in COPULAS or w in {"that", "to", "on", "for"}:
            pos = m.end()
            continue
        break
    span = _cut(text, pos, seg_end)
    if span and clause:
        aux = _AUX.search(text, span[0], span[1])
        if aux is None:
            return None, clause  # no verb after "that" within the phrase: not a clause we read
        span = _trim(text, span[0], aux.start())
    return span, clause


def _subject_before(text: str, seg_start: int, pos: int) -> Span | None:
    """The subject before ``pos`` (a passive verb, a copula): after "that", or the clause start."""
    head = text[seg_start:pos]
    that = max(head.rfind(" that "), head.rfind("That "))
    start = seg_start + (that + 5 if that >= 0 else 0)
    inc = None
    for m in _INCLUDING.finditer(text, start, pos):
        inc = m
    if inc:
        start = inc.end()
    return _trim(text, start, pos)


def _segments(text: str, start: int, end: int) -> list[Span]:
    out, pos = [], start
    for m in _SEGMENT.finditer(text, start, end):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    return [s for s in out if s[1] > s[0]]


def _actor(
    text: str, mentions: Sequence[PartyMention], seg: Span, cue: Cue, passive: bool
) -> PartyMention | None:
    before = [
        m
        for m in mentions
        if seg[0] <= m.span[0]
        and m.span[1] <= cue.span[0]
        and not PREPOSITIONS & set(_clause_words_before(text, m.span[0], 3))
    ]
    if before:
        return before[-1]
    if passive:  # "… were dismissed by Russia"
        after = [m for m in mentions if m.span[0] >= cue.span[1] and m.span[1] <= seg[1]]
        return after[0] if after else None
    return None


def _is_pronoun_subject(text: str, seg: Span, cue: Cue) -> str | None:
    words = [w.lower() for w in _WORD.findall(text[seg[0] : cue.span[0]])]
    for w in words[:3]:
        if w in PRONOUNS:
            return w
    return None


def extract(
    text: str,
    parties: PartyTable,
    quotes: Sequence[dict[str, Any]] = (),
    sentences: Sequence[Span] | None = None,
) -> list[Claim]:
    """Every claim in ``text`` (stance not yet decided), in text order.

    ``quotes``: the quotes stage's records for this text (``content``, ``speaker``,
    ``speaker_name``, ``role``, ``org``); they give speakers to claims inside them and become
    quote claims of their own.
    """
    sents = list(sentences) if sentences is not None else sentence_spans(text)
    mentions = list(parties.find(text))
    quote_party: list[tuple[Span, str, str, Span | None]] = []
    for q in quotes:
        spk = q.get("speaker")
        mention = text[spk[0] : spk[1]] if spk else q.get("speaker_name")
        party = resolve(parties, mention, q.get("role"), q.get("org"))
        if party:
            for s, e in q.get("content") or ():
                quote_party.append(((s, e), party, mention or "", tuple(spk) if spk else None))

    claims: list[Claim] = []
    last: Claim | None = None
    for si, (ss, se) in enumerate(sents):
        sent_mentions = [m for m in mentions if ss <= m.span[0] < se]
        for seg in _segments(text, ss, se):
            for cue in find_cues(text[seg[0] : seg[1]]):
                cue = Cue(cue.kind, (cue.span[0] + seg[0], cue.span[1] + seg[0]), cue.negated)
                claim = _statement(text, si, seg, cue, sent_mentions, quote_party, last, claims)
                if claim:
                    backer = _backed_by(text, claim, sent_mentions)
                    claims.append(claim)
                    last = claim
                    claims.extend(_coordinated(text, claim, sent_mentions))
                    if backer:
                        claims.append(backer)
    covered = [c.evidence[0] for c in claims]
    for span, party, mention, spk in quote_party:
        # a statement already read from this span explains it (whoever it names: the quotes
        # stage reads some actions as speech, "he said, denied Ukraine’s national identity")
        if any(s < span[1] and span[0] < e for s, e in covered):
            continue
        si = next((i for i, (s, e) in enumerate(sents) if s <= span[0] < e), 0)
        claims.append(
            Claim(party, mention, spk, (span,), text[span[0] : span[1]], None, None, None, None,
                  "quote", si)
        )  # fmt: skip
    claims.sort(key=lambda c: (c.evidence[0][0], c.kind))
    return claims


def _statement(
    text: str,
    si: int,
    seg: Span,
    cue: Cue,
    mentions: Sequence[PartyMention],
    quote_party: Sequence[tuple[Span, str, str, Span | None]],
    last: Claim | None,
    claims: Sequence[Claim],
) -> Claim | None:
    before = _words_before(text, cue.span[0])
    passive = bool(before) and before[-1] in PASSIVE_AUX
    copular = cue.kind == "demand" and bool(before) and before[-1] in COPULAS
    modal = cue.kind == "condition" and text[cue.span[0] : cue.span[1]].lower().split()[0] in {
        "would",
        "will",
        "must",
    }
    if cue.kind == "condition" and not modal:
        return None  # "only if …" qualifies another claim; it is not one
    # the target
    target: Span | None = None
    if passive or copular or modal:
        aux = cue.span[0]
        if passive or copular:
            m = re.search(r"\s[\w’'\-]+\s*$", text[seg[0] : cue.span[0]])
            aux = seg[0] + m.start() if m else cue.span[0]
        target = _subject_before(text, seg[0], aux)
    clause = False
    if not (passive or copular or modal):
        target, clause = _after_cue(text, cue.span[1], seg[1])
    if not target:
        return None
    # the actor
    actor = _actor(text, mentions, seg, cue, passive)
    if actor and target[0] <= actor.span[0] < target[1]:
        actor = None  # the party named inside the target is not its actor ("Ukraine’s rights")
    party, actor_text, actor_span = None, "", None
    if actor:
        party, actor_text, actor_span = actor.party, actor.alias, actor.span
    else:
        inside = [(p, m, s) for span, p, m, s in quote_party if span[0] <= cue.span[0] < span[1]]
        pronoun = _is_pronoun_subject(text, seg, cue)
        if inside:
            party, actor_text, actor_span = inside[0]
        elif (passive or pronoun or modal) and last and last.sentence >= si - 1:
            party, actor_text, actor_span = last.party, last.actor, last.actor_span
        elif pronoun and si > 0:
            prev = [c for c in claims if c.sentence == si - 1]
            if prev:
                party, actor_text, actor_span = prev[0].party, prev[0].actor, prev[0].actor_span
    if not party:
        return None
    t = text[target[0] : target[1]]
    label = clean_target(t)
    stop = lexicon_words("stopwords-en")
    if not any(
        len(w) > 2 and w.lower() not in stop and not w[0].isdigit() for w in _WORD.findall(label)
    ):
        return None  # nothing to take a stance on ("also", "and the $1.7")
    if any(m.span == target for m in mentions):
        return None  # a target that is a party is a relative clause ("proposals that Kyiv did")
    # what the stance model reads: from the actor (or a few words before the cue, for its
    # negation) to the end of the target, or to the cue when the target comes first
    lead = [m.start() for m in _WORD.finditer(text, seg[0], cue.span[0])][-4:]
    start = max(seg[0], lead[0] if lead else cue.span[0])
    if actor_span is not None and seg[0] <= actor_span[0] < cue.span[0]:
        start = actor_span[0]
    start = min(start, target[0])
    end = max(cue.span[1], target[1]) if target[0] < cue.span[0] else target[1]
    if target[0] > cue.span[0]:  # the clause after the target ("… were not genuine agreements")
        m = _TARGET_END.search(text, target[1], seg[1])
        end = m.start() if m else seg[1]
    evidence = (seg[0], seg[1])
    stance_text = text[start:end].strip()
    side = cue_side(cue)
    if clause:
        # "insisted that [X] were not genuine agreements": the side toward X is the predicate's,
        # not the cue's; a negation there says against, else the model decides alone
        pred = _WORD.findall(text[target[1] : end].lower())
        neg = lexicon_words("negations")
        side = -1 if any(w in neg or w.endswith(("n't", "n’t")) for w in pred) else 0
    return Claim(
        party,
        actor_text,
        actor_span,
        (evidence,),
        stance_text,
        t,
        target,
        text[cue.span[0] : cue.span[1]],
        cue.span,
        "statement",
        si,
        side,
    )


_AND = re.compile(r"\s*(?:,|and|,\s*and|as well as|along with)\s*$")


def _coordinated(text: str, claim: Claim, mentions: Sequence[PartyMention]) -> list[Claim]:
    """The same claim for parties coordinated with its actor: "Israel and Hamas agreed to …"."""
    if claim.actor_span is None:
        return []
    out, start = [], claim.actor_span[0]
    for m in sorted(mentions, key=lambda m: -m.span[0]):
        if m.span[1] > start:
            continue
        if not _AND.fullmatch(text[m.span[1] : start]) or m.party == claim.party:
            break
        out.append(replace(claim, party=m.party, actor=m.alias, actor_span=m.span))
        start = m.span[0]
    return out


def _backed_by(text: str, claim: Claim, mentions: Sequence[PartyMention]) -> Claim | None:
    """Cut "X pushed by PARTY" out of ``claim``'s target; return PARTY's claim backing X."""
    if claim.target_span is None:
        return None
    s, e = claim.target_span
    m = _BACKED_BY.search(text, s, e)
    if not m:
        return None
    party = next((p for p in mentions if p.span[0] == m.end()), None)
    head = _trim(text, s, m.start())
    if head is None:
        return None
    claim.target_span, claim.target = head, text[head[0] : head[1]]
    if party is None:
        return None
    cue = (m.start() + len(m.group(0)) - len(m.group(0).lstrip()), m.end())
    return Claim(
        party.party, party.alias, party.span, claim.evidence,
        text[head[0] : party.span[1]], claim.target, head,
        " ".join(text[cue[0] : cue[1]].split()), cue, "statement", claim.sentence, 1,
    )  # fmt: skip


def cue_side(cue: Cue) -> int:
    """+1 when the cue backs its target (agree, demand, would need to; "did not reject"), −1 against."""
    if cue.kind == "reject":
        return 1 if cue.negated else -1
    if cue.kind == "support":
        return -1 if cue.negated else 1
    return 1
