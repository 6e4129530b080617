"""Quote linking: tagged speaker/cue/content spans grouped into attributions by rules.

Each content span goes to the nearest cue (same sentence first), each cue takes the nearest
speaker span of its sentence; quotations continue across sentences and paragraphs; a cue
left without a speaker may take the subject of its clause; a passive cue ("when asked") has
none; a cue without content takes the clause it introduces. The earlier switches were set on
the PolNeAR train split's tail (benchmarks/quotes.py ``--split train-tail``), the later ones
(passive cues, content fallback, speaker trimming, subject fallback on reported speech) by
5-fold article-disjoint cross-validation over train (``--cv 5``: cross-fitted tagger labels).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from newsdesk.stages.quotes.spans import (
    _apposition_subject,
    _evidential,
    _fallback_content,
    _passive_question,
    _subject,
    according_source,
    tidy_speaker,
)
from newsdesk.stages.quotes.tokens import Tokens


@dataclass(slots=True)
class Attribution:
    """One quote as token ranges (before resolution)."""

    cue: tuple[int, int] | None  # None: a quote paragraph with no cue (speaker from context)
    content: list[tuple[int, int]] = field(default_factory=list)
    source: tuple[int, int] | None = None


def all_spans(labels: Sequence[str]) -> dict[str, list[tuple[int, int]]]:
    """:func:`spans_of` for the three kinds at once (one pass over the labels)."""
    out: dict[str, list[tuple[int, int]]] = {"S": [], "C": [], "Q": []}
    kind = ""
    start = -1
    for i, lab in enumerate(labels):
        if lab == "O":
            if kind:
                out[kind].append((start, i))
                kind = ""
            continue
        k = lab[2]
        if lab[0] == "B" or k != kind:
            if kind:
                out[kind].append((start, i))
            kind, start = k, i
    if kind:
        out[kind].append((start, len(labels)))
    return out


def _gap(x: tuple[int, int], y: tuple[int, int]) -> int:
    if x[1] <= y[0]:
        return y[0] - x[1]
    if y[1] <= x[0]:
        return x[0] - y[1]
    return 0


# Linking thresholds: a content span links to a cue up to this many sentences away (a quote
# paragraph followed by "…, he said." in the next sentence); found on the train split.
MAX_SENTENCE_HOPS = 1
# Whether content reaching into a quotation is widened to the whole quotation (``_snap``).
SNAP_TO_QUOTATIONS = True
# A quote needs at least this many content tokens (shorter ones are mostly tagging noise).
MIN_CONTENT_TOKENS = 1
# Whether quoted content prefers a cue outside quotation marks (an inner cue is nested speech).
CUE_OUTSIDE_QUOTES = True
# Whether each cue picks its nearest speaker (True) or each speaker its nearest cue (False).
SPEAKER_PER_CUE = True
# Whether a quotation with no cue in reach continues the previous paragraph's quote (``link``).
ORPHAN_QUOTES = True
# Whether a quotation with no cue in its own sentence continues the quotation of the previous
# sentence's cue ("“A,” X said. “B.”": B is X's too) rather than going to a nearer cue of the
# next sentence (``_continued``). Found on the train split's tail (PolNeAR gold joins A and B).
CONTINUE_QUOTATIONS = True
# Whether a quotation linked across sentences (a later sentence's cue, or an orphan quotation
# paragraph) goes only to a cue that already holds quoted content or none at all: a reported
# cue ("Clinton’s track record said she …") does not take the next paragraph's quotation.
CONTINUE_ONLY_QUOTED = True
# Speaker span clean-up (``tidy_speaker``): PolNeAR gold takes the comma that closes an
# apposition ("Jack Mozloom, a spokesman for the NFIB, said": 922 of 1,028 train speakers with an
# inner comma and a comma after them) but not the comma after a bare name (798 of 803), and
# never a trailing relative pronoun ("…, who said").
TIDY_SPEAKERS = True
# Whether a direct quote's cue the tagger left without a speaker takes the name or pronoun that is the subject
# of its clause ("Romney fired back in March, attacking …", "…,” wrote Nordstrom.") (``_subject``).
SUBJECT_FALLBACK = True
# Whether the subject fallback also serves reported speech: +0.003 to +0.007 all-attribution
# speaker exact F1 on every CV fold (it cost more than it found on the train tail once).
SUBJECT_FALLBACK_REPORTED = True
# Whether the fallback first tries "Name, apposition, CUE" and "CUE Ms. Name" (``_apposition_subject``).
APPOSITION_SUBJECT = True
# Whether "X, he said, did Y" gets "X" as content beside "did Y" (``_parenthetical``).
PARENTHETICAL_CUES = True
# Whether a bare evidential cue ("seemed", "appears to", "reportedly") has no speaker: PolNeAR
# gold gives 171 of 176 such train cues none.
EVIDENTIAL_NO_SPEAKER = True
# Whether a question cue in the passive ("When asked about …", "Asked whether …", "was asked")
# has no speaker: PolNeAR gold gives 93 of 110 such train cues none (the asker is unnamed), and
# the tagger tends to lend them the answerer (``_passive_question``).
PASSIVE_QUESTIONS = True
# Whether a speech cue the tagger tagged without any content gets the clause it introduces (or,
# at a sentence's end, the words before its speaker) as content (``_fallback_content``) instead
# of being dropped: the cue and its speaker are found, PolNeAR counts the attribution.
CONTENT_FALLBACK = True


def _snap(toks: Tokens, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Content that starts or ends inside a quotation covers the whole quotation (merged)."""
    inq = toks.in_quote
    n = len(inq)
    para_start = [a for a, _ in toks.paragraphs]
    para_end = [b for _, b in toks.paragraphs]
    out: list[tuple[int, int]] = []
    for i, j in spans:
        p = bisect.bisect_right(para_start, i) - 1
        a, b = para_start[p], para_end[p]
        if inq[i] and i > a and inq[i - 1]:
            while i > a and inq[i - 1]:
                i -= 1
        if inq[j - 1] and j < min(b, n) and inq[j]:
            while j < b and inq[j]:
                j += 1
        if out and i <= out[-1][1] and out[-1][0] >= a:
            out[-1] = (out[-1][0], max(j, out[-1][1]))
        else:
            out.append((i, j))
    return out


def _continued(
    toks: Tokens, atts: list[Attribution], cue_sent: list[int], span: tuple[int, int], k: int
) -> int:
    """The cue a quotation with no cue in its own sentence belongs to (``k``: the nearest one).

    A quotation that opens a sentence right after a sentence whose cue already carries quoted
    content in the same paragraph ("“A,” X said. “B.”") continues that quote, even when a cue of
    the next sentence, or a later cue of that sentence without a quotation ("“A,” X said,
    referring to Y. “B.”"), is closer.
    """
    sent, inq = toks.sentence, toks.in_quote
    s0 = sent[span[0]]
    para_start = [a for a, _ in toks.paragraphs]
    p0 = para_start[bisect.bisect_right(para_start, span[0]) - 1]
    best = k
    for j, att in enumerate(atts):
        c = att.cue
        if c is None or cue_sent[j] != s0 - 1 or c[0] < p0:
            continue
        if any(inq[a] and sent[a] == cue_sent[j] for a, _ in att.content):
            best = j  # the last such cue of the previous sentence
    return best


def _quoted_or_empty(toks: Tokens, att: Attribution) -> bool:
    """Whether ``att`` holds no content yet or some quoted content (a quotation may continue it)."""
    return not att.content or any(any(toks.in_quote[a:b]) for a, b in att.content)


def _tidy_content(toks: Tokens, span: tuple[int, int]) -> tuple[int, int]:
    """Reported content that the tagger starts inside a date before "that" ("said on Sept. 9
    that all troops …" tagged from "9") starts at "that", as PolNeAR gold does (2,398 train
    contents open with "that")."""
    i, j = span
    words = toks.words
    if toks.in_quote[i]:
        return span
    for k in range(i, min(i + 3, j)):
        if words[k].lower() == "that":
            lead = words[i:k]
            if lead and all(w.isdigit() or w in {",", "."} for w in lead):
                return (k, j)
            break
    return span


def _parenthetical(toks: Tokens, att: Attribution) -> None:
    """ "Kremlin representatives, he said, denied …": a speaker and cue set off by commas inside
    the sentence they report; the words before them are content too (PolNeAR marks both)."""
    if att.cue is None or not att.content:
        return
    words, sent = toks.words, toks.sentence
    head = min(att.cue[0], att.source[0]) if att.source else att.cue[0]
    tail = max(att.cue[1], att.source[1]) if att.source else att.cue[1]
    if head < 2 or words[head - 1] != "," or tail >= len(words) or words[tail] != ",":
        return
    first = min(att.content)
    if first[0] != tail + 1 or toks.in_quote[first[0]]:
        return
    a = head - 1
    while a > 0 and sent[a - 1] == sent[head] and not toks.in_quote[a - 1]:
        a -= 1
    if a > 0 and sent[a - 1] == sent[head]:
        return  # a quotation before: not a reported sentence split by its cue
    if any(words[k][:1].isalnum() for k in range(a, head - 1)):
        att.content.insert(0, (a, head - 1))


def _without_source(toks: Tokens, att: Attribution) -> list[tuple[int, int]]:
    """Content spans with the speaker's words cut from their edges (a speaker found after the
    content was guessed: "according to X" is no quote of "X"); spans inside it dropped."""
    if att.source is None:
        return att.content
    a, b = att.source
    out = []
    for i, j in att.content:
        if a <= i < b:
            i = b
            while i < j and toks.words[i] in (",", ":"):
                i += 1
        if a < j <= b:
            j = a
            while j > i and toks.words[j - 1] in (",", ":"):
                j -= 1
        if j > i:
            out.append((i, j))
    return out


def link(toks: Tokens, labels: Sequence[str]) -> list[Attribution]:
    """Group tagged spans into attributions: content → nearest cue, speaker → nearest cue."""
    spans = all_spans(labels)
    cues = spans["C"]
    sent = toks.sentence
    atts = [Attribution(c) for c in cues]
    cue_sent = [sent[c[0]] for c in cues]

    def nearest(span: tuple[int, int], hops: int) -> int | None:
        s0, s1 = sent[span[0]], sent[span[1] - 1]
        best: tuple[int, int, int, int, int] | None = None
        for k, c in enumerate(cues):
            cs = cue_sent[k]
            hop = 0 if s0 <= cs <= s1 else (s0 - cs if cs < s0 else cs - s1)
            if hop > hops:
                continue
            # same sentence first, then (for quoted content) a cue outside quotation marks, then
            # fewest tokens between, then a cue after the span
            nested = (
                1 if CUE_OUTSIDE_QUOTES and toks.in_quote[c[0]] and toks.in_quote[span[0]] else 0
            )
            key = (hop, nested, _gap(span, c), 0 if c[0] >= span[1] else 1, k)
            if best is None or key < best:
                best = key
        return None if best is None else best[4]

    orphans: list[tuple[int, int]] = []
    contents = spans["Q"]
    if SNAP_TO_QUOTATIONS:
        contents = _snap(toks, contents)
    inq = toks.in_quote
    late: list[tuple[tuple[int, int], int]] = []
    for span in contents:
        k = nearest(span, MAX_SENTENCE_HOPS)
        if k is not None:
            if CONTINUE_QUOTATIONS and cue_sent[k] != sent[span[0]] and inq[span[0]]:
                late.append((span, k))  # decided once every same-sentence link is known
            else:
                atts[k].content.append(span)
        elif ORPHAN_QUOTES and inq[span[0]] and inq[span[1] - 1]:
            orphans.append(span)
    for span, k in late:
        k = _continued(toks, atts, cue_sent, span, k)
        if CONTINUE_ONLY_QUOTED and not _quoted_or_empty(toks, atts[k]):
            if ORPHAN_QUOTES and inq[span[1] - 1]:
                orphans.append(span)
            continue
        atts[k].content.append(span)
    sources = spans["S"]
    if SPEAKER_PER_CUE:
        # each cue takes the nearest speaker span of its sentence (speakers may be shared:
        # "X said … and added …")
        for k, att in enumerate(atts):
            best_gap = None
            for span in sources:
                if sent[span[0]] != cue_sent[k] and sent[span[1] - 1] != cue_sent[k]:
                    continue
                g = _gap(span, cues[k])
                if best_gap is None or g < best_gap:
                    best_gap, att.source = g, span
    else:
        for span in sources:
            k = nearest(span, 0)
            if k is not None:
                cur, cue = atts[k].source, atts[k].cue
                if cue is None:
                    continue
                if cur is None or _gap(span, cue) < _gap(cur, cue):
                    atts[k].source = span
    # A cue whose sentence has a speaker but which got none (second cue of "X said … and added
    # …") borrows the speaker of the nearest earlier cue in the same sentence.
    for k, att in enumerate(atts):
        if att.source is None:
            for j in range(k - 1, -1, -1):
                if cue_sent[j] != cue_sent[k]:
                    break
                if atts[j].source is not None:
                    att.source = atts[j].source
                    break
    if orphans:
        # A quotation with no cue in reach (a paragraph that is all quote) continues the quote
        # of the previous paragraph: attach it to the nearest earlier cue one paragraph back.
        para_start = [a for a, _ in toks.paragraphs]
        for span in orphans:
            p = bisect.bisect_right(para_start, span[0]) - 1
            best = None
            for k, att in enumerate(atts):
                c = att.cue
                if c is not None and c[0] < span[0] and para_start[max(p - 1, 0)] <= c[0]:
                    if CONTINUE_ONLY_QUOTED and not _quoted_or_empty(toks, att):
                        continue
                    best = k
            if best is not None:
                atts[best].content.append(span)
    if CONTENT_FALLBACK:
        taken = sorted(c for att in atts for c in att.content)
        for att in atts:
            if not att.content and att.cue is not None:
                found = _fallback_content(toks, att.cue, att.source)
                if found is None:
                    continue
                c, after = found
                # what a cue introduces may hold another attribution (PolNeAR nests them), but not
                # a quotation another cue holds, nor the words before "…, he said." that another
                # cue holds (that cue's quote)
                clash = any(t[0] < c[1] and c[0] < t[1] for t in taken)
                if not clash or (after and not any(inq[c[0] : c[1]])):
                    att.content.append(c)
    if SUBJECT_FALLBACK:
        for att in atts:
            if (
                att.source is None
                and att.cue is not None
                and (SUBJECT_FALLBACK_REPORTED or any(any(inq[a:b]) for a, b in att.content))
            ):
                att.source = (
                    according_source(toks, att.cue)
                    or (APPOSITION_SUBJECT and _apposition_subject(toks, att.cue))
                    or _subject(toks, att.cue)
                )
    if TIDY_SPEAKERS:
        for att in atts:
            if att.source is not None:
                att.source = tidy_speaker(toks, att.source, att.cue)
    if PASSIVE_QUESTIONS:
        for att in atts:
            if att.cue is not None and _passive_question(toks, att.cue):
                att.source = None
    if EVIDENTIAL_NO_SPEAKER:
        for att in atts:
            if att.cue is not None and _evidential(toks, att.cue):
                att.source = None
    for att in atts:
        att.content = [_tidy_content(toks, c) for c in _without_source(toks, att)]
    if PARENTHETICAL_CUES:
        for att in atts:
            _parenthetical(toks, att)
    return [a for a in atts if sum(j - i for i, j in a.content) >= MIN_CONTENT_TOKENS]
