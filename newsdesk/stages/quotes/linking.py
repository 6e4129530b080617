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

from newsdesk.nlp import lexicons
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
# Speaker span clean-up (``tidy_speaker``): PolNeAR gold takes the comma that closes an
# apposition ("Jack Mozloom, a spokesman for the NFIB, said": 922 of 1,028 train speakers with an
# inner comma and a comma after them) but not the comma after a bare name (798 of 803), and
# never a trailing relative pronoun ("…, who said").
TIDY_SPEAKERS = True
# Whether speaker spans also lose the edges PolNeAR never marks (``_trim_speaker``,
# ``speaker_chars``): set by article-disjoint cross-validation over train (benchmarks/quotes.py
# ``--cv``).
TRIM_SPEAKERS = True
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


# Capitalised words that open sentences or clauses without naming anyone.
# Capitalised words that open sentences or clauses without naming anyone.
_NOT_NAMES = lexicons.words("quote-not-subjects") | lexicons.CALENDAR_WORDS
_SUBJECT_PRONOUNS = lexicons.words("pronouns-subject")
# What may come right before a clause's subject ("" = the sentence's start).
_CLAUSE_START = lexicons.words("quote-clause-starts") | {""}


def _apposition_subject(toks: Tokens, cue: tuple[int, int]) -> tuple[int, int] | None:
    """ "Scot Ross, executive director of One Wisconsin Now, said": the name that opens the
    clause, with its apposition and closing comma (as PolNeAR marks it), for a cue right after
    a comma; or "said Ms. Gil," — a titled name right after the cue."""
    words, sent, inq = toks.words, toks.sentence, toks.in_quote
    n = len(words)
    s = sent[cue[0]]
    j = cue[1]
    if j + 2 < n and words[j].lower() in _TITLES and words[j + 1] == "." and not inq[j]:
        e = j + 2
        while e < n and sent[e] == s and words[e][:1].isupper() and words[e].isalpha():
            e += 1
        if e > j + 2 and (e >= n or words[e] in (".", ",", ";")):
            return (j, e)
    c = cue[0] - 1
    if c < 2 or words[c] != "," or sent[c] != s or inq[c]:
        return None
    k = c - 1
    while k > 0 and sent[k - 1] == s and words[k - 1] != "," and not inq[k - 1]:
        k -= 1
    if k < 2 or words[k - 1] != ",":
        return None
    # the name before the apposition's opening comma, opening its clause
    e = k - 1
    i = e
    while (
        i > 0
        and sent[i - 1] == s
        and not inq[i - 1]
        and (
            (words[i - 1][:1].isupper() and words[i - 1].replace("’", "").isalpha())
            or (words[i - 1] == "." and i > 1 and words[i - 2].lower() in _TITLES)
        )
    ):
        i -= 1
    if i == e or words[i].lower() in _NOT_NAMES:
        return None
    before = words[i - 1].lower() if i > 0 and sent[i - 1] == s else ""
    if before not in _CLAUSE_START or before == ",":
        return None
    return (i, cue[0])


_TITLES = frozenset(k.rstrip(".") for k in lexicons.mapping("title-abbreviations")) | {
    "mr",
    "mrs",
    "ms",
    "dr",
}


def _subject(toks: Tokens, cue: tuple[int, int]) -> tuple[int, int] | None:
    """A speaker for a cue the tagger left without one: "wrote Nordstrom." or "Romney … said".

    Right after the cue, a capitalised name that ends the clause; else, in the cue's sentence
    before it and outside quotation marks, the nearest name (capitalised words, initials
    allowed) or subject pronoun that opens a clause (sentence start, a comma, "when", "and" …:
    not "in Orlando", "MSNBC’s Rachel Maddow") and is followed by a lower-case word (its verb).
    """
    words, sent, inq = toks.words, toks.sentence, toks.in_quote
    n = len(words)
    s = sent[cue[0]]

    def name_end(i: int) -> int:
        j = i
        while j < n and sent[j] == s and not inq[j]:
            w = words[j]
            if w[0].isupper() and w.lower() not in _NOT_NAMES and w.replace("’", "").isalpha():
                j += 1
            elif w == "." and j > i and len(words[j - 1]) == 1:
                j += 1  # an initial: "Carlton W. Reeves"
            else:
                break
        return j

    j = cue[1]
    if j < n and not inq[j]:
        e = name_end(j)
        if e > j and (e >= n or words[e] in (".", ",", ";") or sent[e] != s):
            return (j, e)
    k = cue[0] - 1
    while k >= 0 and sent[k] == s:
        if inq[k]:
            k -= 1
            continue
        w = words[k]
        nxt = words[k + 1] if k + 1 < n else ""
        if w.lower() in _SUBJECT_PRONOUNS and nxt[:1].islower():
            return (k, k + 1)
        if w[0].isupper() and w.isalpha() and w.lower() not in _NOT_NAMES:
            i = k
            while (
                i > 0
                and sent[i - 1] == s
                and not inq[i - 1]
                and (
                    (
                        words[i - 1][0].isupper()
                        and words[i - 1].isalpha()
                        and words[i - 1].lower() not in _NOT_NAMES
                    )
                    or (words[i - 1] == "." and i > 1 and len(words[i - 2]) == 1)
                    or (len(words[i - 1]) == 1 and words[i - 1].isupper())
                )
            ):
                i -= 1
            e = name_end(i)
            before = words[i - 1].lower() if i > 0 and sent[i - 1] == s else ""
            if e < n and words[e][:1].islower() and before in _CLAUSE_START and e <= cue[0]:
                return (i, e)
            k = i - 1
            continue
        k -= 1
    return None


_QUESTION_CUES = lexicons.words("quote-question-cues")
_PASSIVE_BEFORE = lexicons.words("quote-passive-before")
_PASSIVE_PARTICIPLES = lexicons.words("quote-passive-participles")
_BE = frozenset({"is", "was", "were", "are", "been", "being", "be", "am"})


def _passive_question(toks: Tokens, cue: tuple[int, int]) -> bool:
    """Whether ``cue`` reports in the passive with no agent: a question verb opening a clause
    ("When asked …", "Asked whether …") or a be-verb before a reporting participle ("she was
    asked", "he is expected to", "Sanders, who is said to …"), not followed by "by"."""
    words = toks.words
    n = len(words)
    low = [w.lower() for w in words[max(0, cue[0] - 3) : cue[1]]]
    if cue[1] < n and words[cue[1]].lower() == "by":
        return False
    off = cue[0] - max(0, cue[0] - 3)  # index of the cue's first word in ``low``
    for k, w in enumerate(low):
        if w not in _PASSIVE_PARTICIPLES or k + 1 < off:  # in the cue or right before it
            continue
        # a be-verb right before it, adverbs and "not" allowed in between
        m = k - 1
        while m >= 0 and (low[m].endswith("ly") or low[m] in {"not", "also", "never", "often"}):
            m -= 1
        if m >= 0 and low[m] in _BE:
            return True
    first = cue[0]
    if words[first].lower() not in _QUESTION_CUES:
        return False
    before = words[first - 1].lower() if first > 0 else ""
    opens = first == 0 or toks.sentence[first - 1] != toks.sentence[first] or before in {",", ";"}
    return before in _PASSIVE_BEFORE or (opens and words[first][:1].isupper())


_EVIDENTIAL = lexicons.words("quote-evidential-cues")
_EVIDENTIAL_FILLERS = frozenset({"still", "also", "not", "to", "be", "often", "now"})


def _evidential(toks: Tokens, cue: tuple[int, int]) -> bool:
    """Whether ``cue`` is a bare evidential ("seemed", "still seems to", "reportedly")."""
    low = [toks.words[k].lower() for k in range(*cue)]
    return any(w in _EVIDENTIAL for w in low) and all(
        w in _EVIDENTIAL or w in _EVIDENTIAL_FILLERS or (w.endswith("ly") and w.isalpha())
        for w in low
    )


def _fallback_content(
    toks: Tokens, cue: tuple[int, int], source: tuple[int, int] | None
) -> tuple[tuple[int, int], bool] | None:
    """Content for a cue the tagger gave none: the rest of its sentence after it ("Cardin
    stressed that …"; True: after the cue), else the words of its sentence before the speaker
    and cue ("…, he said."; False)."""
    words, sent = toks.words, toks.sentence
    n = len(words)
    s = sent[cue[0]]
    i = cue[1]
    if source and source[0] <= i < source[1]:
        i = source[1]  # "according to X": what follows the speaker, not the speaker
    while i < n and sent[i] == s and words[i] in (",", ":"):
        i += 1
    j = i
    while j < n and sent[j] == s:
        j += 1
    while j > i and words[j - 1] in (".", "!", "?", ";", ","):
        j -= 1
    if sum(1 for k in range(i, j) if words[k][:1].isalnum()) >= 2:
        return (i, j), True
    head = min(cue[0], source[0]) if source and source[0] < cue[0] else cue[0]
    a = head
    while a > 0 and sent[a - 1] == s:
        a -= 1
    b = head
    while b > a and words[b - 1] in (",", ":", "—", "–", "-"):
        b -= 1
    if sum(1 for k in range(a, b) if words[k][:1].isalnum()) >= 2:
        return (a, b), False
    return None


# Words the tagger sometimes leaves at a speaker span's end that PolNeAR gold never ends on
# ("Lewandowski earlier said", "Weld, who added"): a relative pronoun, a time adverb.
_TRAILING_NOT_SPEAKER = lexicons.words("quote-trailing-not-speaker")


_LEADING_NOT_SPEAKER = lexicons.words("quote-leading-not-speaker")
_TIME_WORDS = lexicons.words("weekdays") | {"week", "year", "month", "night", "morning", "today"}


def _trim_speaker(toks: Tokens, i: int, j: int, cue: tuple[int, int] | None) -> tuple[int, int]:
    """Edges PolNeAR gold leaves out of a speaker span (measured on cross-validated train folds):
    a leading "Of Sanders," or "which"/"how"; a trailing adverb ("Cruz gingerly"), "both", or
    time phrase ("on Thursday", "this week"); and the missing ")" of "(D-Va.)" or the object of
    a dangling "of" ("Paul Sperry of Counter Jihad")."""
    words, sent = toks.words, toks.sentence
    n = len(words)
    if j - i > 2 and words[i].lower() in _PREPOSITIONS and words[i][:1].isupper():
        comma = next((k for k in range(i + 1, j - 1) if words[k] == ","), None)
        if comma is not None:
            i = comma + 1
    if j - i > 1 and words[i].lower() in _LEADING_NOT_SPEAKER:
        i += 1
    # a headline or list item before a dash ("Pollsters agree - Carl Bialik"), stray marks
    dash = max((k for k in range(i, j - 1) if words[k] in _DASHES), default=-1)
    if dash >= 0 and words[dash + 1][:1].isupper():
        i = dash + 1
    while j - i > 1 and not words[i][:1].isalnum() and words[i] != "(":
        i += 1
    # the title the tagger left out ("Mr. Trump")
    if i > 1 and words[i - 1] == "." and words[i - 2].lower() in _TITLES and words[i][:1].isupper():
        i -= 2
    # the name before an apposition the tagger took alone ("Sarah Aubrey, who oversees
    # programming at TNT, said"): gold marks name, apposition and closing comma
    if (
        cue
        and i > 1
        and words[i - 1] == ","
        and words[i][:1].islower()
        and ((j == cue[0] - 1 and words[j] == ",") or (words[j - 1] == "," and j == cue[0]))
        and all(not toks.in_quote[k] and sent[k] == sent[i] for k in range(i - 1, cue[0]))
    ):
        a = i - 1
        while (
            a > 0
            and sent[a - 1] == sent[i]
            and (
                (words[a - 1][:1].isupper() and words[a - 1].replace("’", "").isalpha())
                or (words[a - 1] == "." and a > 1 and len(words[a - 2]) <= 3)
            )
        ):
            a -= 1
        before = words[a - 1].lower() if a > 0 and sent[a - 1] == sent[i] else ""
        if a < i - 1 and words[a].lower() not in _NOT_NAMES and before in _CLAUSE_START:
            i, j = a, cue[0]
    while j - i > 1:
        w = words[j - 1]
        low = w.lower()
        if (w.islower() and len(w) > 3 and low.endswith("ly")) or low == "both":
            j -= 1
        elif low in _TIME_WORDS and j - i > 2 and words[j - 2].lower() in {"on", "this", "last"}:
            j -= 2
        else:
            break
    if (
        cue
        and j - i == 1
        and words[i].lower() == "who"
        and i > 1
        and words[i - 1] == ","
        and cue[0] - j >= 3
        and words[cue[0] - 1] == ","
        and all(sent[k] == sent[i] and not toks.in_quote[k] for k in range(j, cue[0]))
    ):
        # "Mrs. Clinton, who did not say …, said": the cue's subject is the name, and gold marks
        # the name with its relative clause and closing comma (225 of 284 train cases)
        a = i - 1
        while (
            a > 0
            and sent[a - 1] == sent[i]
            and (words[a - 1][:1].isupper() or (words[a - 1] == "." and a > 1))
        ):
            a -= 1
        if a < i - 1:
            i, j = a, cue[0]
    if j < n and words[j] == ")":
        opened = sum(1 for k in range(i, j) if words[k] == "(")
        if opened > sum(1 for k in range(i, j) if words[k] == ")"):
            j += 1
    if words[j - 1] == "of" and j < n and not (cue and cue[0] <= j < cue[1]):
        e = j
        while e < n and sent[e] == sent[j] and words[e][:1].isupper() and not toks.in_quote[e]:
            e += 1
        if e > j:
            j = e
    return (i, j) if j > i else (i, i + 1)


_PREPOSITIONS = lexicons.words("quote-leading-prepositions")
_DASHES = frozenset({"-", "—", "–", "~"})


def tidy_speaker(
    toks: Tokens, source: tuple[int, int], cue: tuple[int, int] | None
) -> tuple[int, int]:
    """Speaker span as PolNeAR marks it: apposition's closing comma in; a trailing "who", time
    adverb ("earlier") or bare name's comma out; edges by :func:`_trim_speaker`."""
    i, j = source
    words = toks.words
    if TRIM_SPEAKERS:
        i, j = _trim_speaker(toks, i, j, cue)
    while j - i > 1 and words[j - 1] in _TRAILING_NOT_SPEAKER:
        j -= 1
    inner = any(words[x] == "," for x in range(i + 1, j - 1))
    if j - i > 1 and words[j - 1] == "," and not inner:
        j -= 1
    elif (
        inner
        and words[j - 1] != ","
        and j < len(words)
        and words[j] == ","
        and toks.sentence[j] == toks.sentence[j - 1]
        and not (cue and cue[0] <= j < cue[1])
    ):
        j += 1
    return (i, j) if j > i else source


_CLITICS = ("’s", "'s", "’ll", "'ll", "’re", "'re", "’ve", "'ve", "’d", "'d", "’m", "'m")
_PRONOUNS = lexicons.words("pronouns-subject") | {"it", "you", "who"}


def speaker_chars(toks: Tokens, source: tuple[int, int]) -> tuple[int, int]:
    """Character span of a speaker: a pronoun's contraction cut ("he’s said" -> "he"), as
    PolNeAR's word tokens separate it."""
    s, e = toks.char_span(*source)
    if TRIM_SPEAKERS and source[1] - source[0] == 1:
        w = toks.words[source[0]]
        for c in _CLITICS:
            if w.endswith(c) and w[: -len(c)].lower() in _PRONOUNS:
                return s, e - len(c)
    return s, e


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
        atts[_continued(toks, atts, cue_sent, span, k)].content.append(span)
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
                    APPOSITION_SUBJECT and _apposition_subject(toks, att.cue)
                ) or _subject(toks, att.cue)
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
