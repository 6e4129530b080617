"""Who said what: direct quotes and reported speech, with cue, speaker and content spans.

Why a trained tagger rather than hand-written rules: in news text the speaker mention carries
its apposition ("Nick Witney, a senior fellow at the European Council on Foreign Relations,
said …") and reported speech has no quotation marks to anchor it, so quotation-mark + cue-verb
rules stop at about 0.41 speaker-exact F1 on PolNeAR dev. No spaCy English model can be
installed here, so we train a linear-chain CRF (python-crfsuite, C code, fast to apply) on the
PolNeAR train split and ship it in ``newsdesk/resources/`` (script: ``scripts/train_quotes.py``).

Steps, for one text:
1. tokenise with a regex (offsets kept) and split into paragraphs and rough sentences;
2. tag every token ``B-/I-`` speaker (S), cue (C) or content (Q), or O, paragraph by paragraph,
   with word, shape, neighbour, quote-state and learned cue-lexicon features;
3. link each content span to the nearest cue (same sentence first) and each speaker span to the
   nearest cue in its sentence; a cue with content becomes one quote;
4. resolve the speaker mention to a person or role (:mod:`newsdesk.stages.entities`).

Speed: feature extraction dominates, so per-word feature strings are cached and every regex
is compiled once; tagging itself runs in crfsuite's C code.
"""

from __future__ import annotations

import bisect
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from newsdesk import resources
from newsdesk.nlp.lexicons import CALENDAR_WORDS
from newsdesk.stages.quotes.speakers import resolve_speakers

MODEL_PATH = resources.path("quotes.crfsuite")
LEXICON_PATH = resources.path("quotes_cues.json")

log = logging.getLogger(__name__)

# -- tokens ---------------------------------------------------------------------------------
# Words keep inner apostrophes/hyphens/dots ("don’t", "U.S", "well-known"); every other
# non-space character is its own token, so quotation marks are always separate tokens.
_TOKEN = re.compile(r"\w+(?:[’'\-.&]\w+)*|[^\w\s]")
_PARAGRAPH = re.compile(r"\n\s*\n|\n")

OPEN_QUOTES = frozenset("“«„‹‚‘")
CLOSE_QUOTES = frozenset("”»›’")
QUOTE_MARKS = frozenset('“”"«»„‹›‚‘’')
DOUBLE_MARKS = frozenset('“”"«»„')
# Abbreviations whose dot does not end a sentence.
_ABBREV = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "sen",
        "rep",
        "gov",
        "gen",
        "lt",
        "col",
        "sgt",
        "st",
        "jr",
        "sr",
        "prof",
        "rev",
        "u.s",
        "u.k",
        "u.n",
        "no",
        "vs",
        "v",
        "inc",
        "corp",
        "co",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "ft",
        "mt",
        "pres",
        "sec",
        "dept",
        "del",
        "ariz",
        "calif",
        "fla",
        "mass",
        "wash",
        "ore",
        "pa",
        "va",
        "ky",
        "tenn",
        "ill",
        "mich",
        "wis",
        "minn",
        "conn",
        "md",
        "nev",
        "okla",
    ]
)
_PRONOUNS = frozenset(["he", "she", "they", "i", "we", "it", "his", "her", "their"])


@dataclass(slots=True)
class Tokens:
    """Tokens of one text: strings, character offsets, paragraph and sentence of each."""

    text: str
    words: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    paragraphs: list[tuple[int, int]] = field(default_factory=list)  # token index ranges
    sentence: list[int] = field(default_factory=list)  # sentence number of each token
    in_quote: list[int] = field(default_factory=list)  # quote depth of each token (0 = outside)

    def char_span(self, i: int, j: int) -> tuple[int, int]:
        """Character span of tokens ``i..j-1``."""
        return self.starts[i], self.ends[j - 1]


def tokenize(text: str) -> Tokens:
    """Tokens with offsets, paragraphs, rough sentences (not broken inside quotes), quote depth."""
    toks = Tokens(text)
    words, starts, ends = toks.words, toks.starts, toks.ends
    spans = [m.span() for m in _TOKEN.finditer(text)]
    words.extend([text[s:e] for s, e in spans])
    starts.extend([s for s, _ in spans])
    ends.extend([e for _, e in spans])
    # paragraphs: token ranges between line breaks
    first = 0
    for m in _PARAGRAPH.finditer(text):
        cut = bisect.bisect_left(starts, m.start(), first)
        if cut > first:
            toks.paragraphs.append((first, cut))
        first = cut
    if len(words) > first:
        toks.paragraphs.append((first, len(words)))
    sentence, depth_of = toks.sentence, toks.in_quote
    sent = -1
    for a, b in toks.paragraphs:
        sent += 1
        depth = 0
        single = 0
        end_pending = False
        # Only quotation marks and sentence-final punctuation change the state: jump between them.
        done = a
        for i in range(a, b):
            w = words[i]
            if len(w) != 1 or (w not in QUOTE_MARKS and w not in ".?!"):
                continue
            if end_pending and (i > done or w in "“«„‹‘" or (w == '"' and depth == 0)):
                # the first ordinary token (or opening mark) after the stop opens a sentence
                sent += 1
                end_pending = False
            n = i - done
            if n:
                sentence.extend([sent] * n)
                depth_of.extend([depth + single] * n)
            done = i + 1
            sentence.append(sent)
            if w in ".?!":
                depth_of.append(depth + single)
                if (
                    depth == 0
                    and single == 0
                    and not (w == "." and i > a and _no_stop(words[i - 1]))
                ):
                    end_pending = True
                continue
            before = depth + single
            if w == '"':
                closing = depth > 0 and i > a and starts[i] == ends[i - 1]
                depth = depth - 1 if closing else depth + 1
            elif w in "“«„‹":
                # German style „…“ closes with “
                if w == "“" and depth > 0 and _last_open_is_low(words, a, i):
                    depth -= 1
                else:
                    depth += 1
            elif w in "”»›":
                depth = max(0, depth - 1)
            elif w in "‘‚":
                if i + 1 < b and starts[i + 1] == ends[i]:
                    single += 1
            elif w == "’" and single > 0 and (i + 1 >= b or starts[i + 1] != ends[i]):
                single -= 1
            # a mark belongs to the quote it opens or closes
            depth_of.append(max(before, depth + single))
            after = depth + single
            if before > 0 and after == 0 and i > a and words[i - 1] in (".", "?", "!"):
                end_pending = True  # “… we won.” | He left.
        n = b - done
        if n:
            if end_pending:
                sent += 1
            sentence.extend([sent] * n)
            depth_of.extend([depth + single] * n)
    return toks


def _no_stop(prev: str) -> bool:
    """Whether a dot after ``prev`` does not end a sentence: "Mr.", "R." (initial), "U.S.", "G.K."."""
    return prev.lower() in _ABBREV or (len(prev) == 1 and prev.isupper()) or "." in prev


def _last_open_is_low(words: list[str], a: int, i: int) -> bool:
    for k in range(i - 1, a - 1, -1):
        if words[k] == "„":
            return True
        if words[k] in "“”":
            return False
    return False


# -- features -------------------------------------------------------------------------------
@lru_cache(maxsize=200_000)
def _shape(w: str) -> str:
    if w.isalpha():
        if w.isupper():
            return "AA" if len(w) > 1 else "A"
        if w[0].isupper():
            return "Aa"
        return "a"
    if w.isdigit():
        return "0"
    if len(w) == 1:
        if w in QUOTE_MARKS:
            return "Q"
        return w if w in ",.;:?!—–-()" else "P"
    if w[0].isupper():
        return "Aa."
    return "x"


class Featurizer:
    """Turns a paragraph of tokens into crfsuite feature lists (cached per word form)."""

    def __init__(self, cue_lexicon: dict[str, float], version: int = 1) -> None:
        self.cue = cue_lexicon
        # version 2 adds role-word, distance-to-quotation and sentence-cue features
        self.version = version
        self._cache: dict[str, _WordFeats] = {}

    def _word(self, w: str) -> _WordFeats:
        got = self._cache.get(w)
        if got is not None:
            return got
        lw = w.lower()
        sh = _shape(w)
        p = self.cue.get(lw, 0.0)
        cb = "3" if p >= 0.5 else "2" if p >= 0.2 else "1" if p >= 0.05 else "0"
        f0 = ["w=" + lw, "s=" + sh, "x=" + lw[-3:], "c=" + cb]
        if lw in _PRONOUNS:
            f0.append("pron")
        m1 = ["w-1=" + lw, "s-1=" + sh, "c-1=" + cb]
        p1 = ["w+1=" + lw, "s+1=" + sh, "c+1=" + cb]
        if self.version >= 2 and lw in _ROLE_WORDS:
            f0.append("rw")
            m1.append("rw-1")
            p1.append("rw+1")
        got = _WordFeats(
            lw,
            p >= 0.2,
            p >= 0.5,
            f0,
            m1,
            p1,
            ["w-2=" + lw, "c-2=" + cb],
            ["w+2=" + lw, "c+2=" + cb],
            "lcw=" + lw,
            "rcw=" + lw,
        )
        got.cap = sh in ("Aa", "AA", "A", "Aa.")
        if len(self._cache) < 200_000:
            self._cache[w] = got
        return got

    def paragraph(self, toks: Tokens, a: int, b: int) -> list[list[str]]:
        """Feature lists of tokens ``a..b-1`` (one paragraph)."""
        sent, inq = toks.sentence, toks.in_quote
        per = [self._word(w) for w in toks.words[a:b]]
        n = b - a
        # nearest likely cue word to the left / right within the same sentence
        left: list[int] = [-1] * n
        right: list[int] = [-1] * n
        last = -1
        for k in range(n):
            if k and sent[a + k] != sent[a + k - 1]:
                last = -1
            left[k] = last
            if per[k].cue:
                last = k
        last = -1
        for k in range(n - 1, -1, -1):
            if k < n - 1 and sent[a + k] != sent[a + k + 1]:
                last = -1
            right[k] = last
            if per[k].cue:
                last = k
        # sentence-level facts: has a quotation mark; position of token in sentence
        has_q = {sent[i] for i in range(a, b) if inq[i]}
        v2 = self.version >= 2
        if v2:
            strong = {sent[a + k] for k in range(n) if per[k].strong}
            # distance after the last quotation closed / before the next one opens (same sentence)
            after = [0] * n
            before = [0] * n
            d = 0
            for k in range(n if any(inq[a:b]) else 0):
                i = a + k
                if k and sent[i] != sent[i - 1]:
                    d = 0
                if inq[i]:
                    d = 0
                    if k + 1 < n and not inq[i + 1]:
                        d = 1
                    continue
                if d:
                    after[k] = d if d < 4 else 0
                    d = d + 1 if d < 4 else 0
            d = 0
            for k in range(n - 1 if any(inq[a:b]) else -1, -1, -1):
                i = a + k
                if k < n - 1 and sent[i] != sent[i + 1]:
                    d = 0
                if inq[i]:
                    d = 1 if k > 0 and not inq[i - 1] else 0
                    continue
                if d:
                    before[k] = d if d < 4 else 0
                    d = d + 1 if d < 4 else 0
        # a paragraph that opens with a quotation mark: a quote paragraph, speaker often later
        pq = inq[a] > 0
        v3 = self.version >= 3
        if v3:
            extra = self._speaker_candidates(per, inq, sent, a, n)
        out: list[list[str]] = []
        sent_start = a
        for k in range(n):
            i = a + k
            pk = per[k]
            if k and sent[i] != sent[i - 1]:
                sent_start = i
            f = pk.f0.copy()
            if k > 0:
                f += per[k - 1].m1
                f.append("b-=" + per[k - 1].low + "|" + pk.low)
            else:
                f.append("BOP")
            if k > 1:
                f += per[k - 2].m2
            if k + 1 < n:
                f += per[k + 1].p1
                f.append("b+=" + pk.low + "|" + per[k + 1].low)
            else:
                f.append("EOP")
            if k + 2 < n:
                f += per[k + 2].p2
            d = inq[i]
            f.append(_Q[d if d < 2 else 2])
            if k > 0:
                f.append(_QM1[1 if inq[i - 1] else 0])
            if k + 1 < n:
                f.append(_QP1[1 if inq[i + 1] else 0])
            pos = i - sent_start
            f.append(_SP[pos if pos < 9 else 8])
            if sent[i] in has_q:
                f.append("sq")
            if pq:
                f.append("pq")
            if v2:
                if after[k]:
                    f.append(_AQ[after[k]])
                if before[k]:
                    f.append(_BQ[before[k]])
                if sent[i] in strong:
                    f.append("sc")
            if v3 and extra[k]:
                f += extra[k]
            lc = left[k]
            if lc >= 0:
                dist = k - lc
                f.append(_LC[dist if dist < 9 else 8])
                f.append(per[lc].lcw)
            rc = right[k]
            if rc >= 0:
                dist = rc - k
                f.append(_RC[dist if dist < 9 else 8])
                f.append(per[rc].rcw)
            out.append(f)
        return out

    @staticmethod
    def _speaker_candidates(
        per: list[_WordFeats], inq: list[int], sent: list[int], a: int, n: int
    ) -> list[list[str]]:
        """v3 features: speaker candidates around cue words that stand outside quotation marks.

        "cro" marks a cue word outside quotes; "crc"/"ccr" a capitalised run (a name or title,
        inner dots allowed: "Sen. John Smith") right before / right after such a cue; "ap" the
        tokens of an apposition between a capitalised word and a cue (", a senior fellow at
        X, said"), which gold speaker spans include.
        """
        extra: list[list[str]] = [[] for _ in range(n)]
        cueo = [per[k].cue and not inq[a + k] for k in range(n)]
        if not any(cueo):
            return extra
        for k in range(n):
            if cueo[k]:
                extra[k].append("cro")
        k = 0
        while k < n:
            if not per[k].cap or inq[a + k]:
                k += 1
                continue
            e = k + 1
            while (
                e < n
                and not inq[a + e]
                and sent[a + e] == sent[a + k]
                and (per[e].cap or (per[e].low == "." and e + 1 < n and per[e + 1].cap))
            ):
                e += 1
            tags = []
            if e < n and cueo[e] and sent[a + e] == sent[a + e - 1]:
                tags.append("crc")
            if k > 0 and cueo[k - 1] and sent[a + k] == sent[a + k - 1]:
                tags.append("ccr")
            if tags:
                for j in range(k, e):
                    extra[j] += tags
                extra[k].append("crB")
            k = e
        for k in range(2, n):
            if not cueo[k] or per[k - 1].low != ",":
                continue
            j = k - 2
            stop = max(0, k - 20)
            while j > stop and per[j].low != "," and not inq[a + j] and sent[a + j] == sent[a + k]:
                j -= 1
            if j > 0 and per[j].low == "," and per[j - 1].cap and not inq[a + j - 1]:
                for t in range(j, k):
                    extra[t].append("ap")
                t = j - 1
                while t >= 0 and per[t].cap and not inq[a + t] and t >= j - 6:
                    extra[t].append("apn")
                    t -= 1
        return extra


def _bucket(d: int) -> str:
    return str(d) if d < 4 else "4" if d < 8 else "8"


# Constant feature strings, built once (the tagger's hot loop only picks from these).
_Q = ("q=0", "q=1", "q=2")
_QM1 = ("q-1=0", "q-1=1")
_QP1 = ("q+1=0", "q+1=1")
_SP = tuple("sp=" + _bucket(d) for d in range(9))
_LC = tuple("lc=" + _bucket(d) for d in range(9))
_RC = tuple("rc=" + _bucket(d) for d in range(9))
_AQ = ("", "aq=1", "aq=2", "aq=3")
_BQ = ("", "bq=1", "bq=2", "bq=3")
# Role nouns and titles (v2 feature "rw"): speakers often carry them ("Spokeswoman Jessica Ditto").
# Not entities.ROLE_HEADS: this set is a CRF feature, frozen with the shipped model
# (resources/quotes.crfsuite); changing it means retraining (scripts/train_quotes.py).
_ROLE_WORDS = frozenset(
    [
        "minister",
        "president",
        "secretary",
        "senator",
        "sen",
        "rep",
        "gov",
        "governor",
        "mayor",
        "chancellor",
        "ambassador",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "envoy",
        "chairman",
        "chairwoman",
        "chair",
        "director",
        "chief",
        "ceo",
        "adviser",
        "advisor",
        "aide",
        "candidate",
        "nominee",
        "leader",
        "official",
        "officials",
        "diplomat",
        "prosecutor",
        "judge",
        "attorney",
        "lawyer",
        "analyst",
        "professor",
        "fellow",
        "expert",
        "head",
        "deputy",
        "speaker",
        "manager",
        "strategist",
        "pollster",
        "commissioner",
        "lawmaker",
        "lawmakers",
        "sheriff",
        "general",
        "commander",
        "officer",
        "spokesmen",
        "source",
        "sources",
        "correspondent",
        "editor",
        "executive",
    ]
)


@dataclass(slots=True)
class _WordFeats:
    """Cached feature strings of one word form, per position relative to the token."""

    low: str
    cue: bool  # likely part of a cue (lexicon probability ≥ 0.2)
    strong: bool  # very likely part of a cue (≥ 0.5)
    f0: list[str]
    m1: list[str]
    p1: list[str]
    m2: list[str]
    p2: list[str]
    lcw: str
    rcw: str
    cap: bool = False  # capitalised word (a name or title candidate)


# -- model ----------------------------------------------------------------------------------
class QuoteTagger:
    """The shipped CRF plus its cue lexicon; load once per process with :func:`load_tagger`."""

    def __init__(self, model_path: Path = MODEL_PATH, lexicon_path: Path = LEXICON_PATH) -> None:
        import pycrfsuite

        with open(lexicon_path, encoding="utf-8") as fh:
            lexicon = json.load(fh)
        version = int(lexicon.pop("__version__", 1))
        self.featurizer = Featurizer(lexicon, version)
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(model_path))

    def tag(self, toks: Tokens) -> list[str]:
        labels: list[str] = []
        for a, b in toks.paragraphs:
            labels.extend(self.tagger.tag(self.featurizer.paragraph(toks, a, b)))
        return labels


@lru_cache(maxsize=1)
def load_tagger() -> QuoteTagger:
    return QuoteTagger()


# -- spans and linking ----------------------------------------------------------------------
@dataclass(slots=True)
class Attribution:
    """One quote as token ranges (before resolution)."""

    cue: tuple[int, int] | None  # None: a quote paragraph with no cue (speaker from context)
    content: list[tuple[int, int]] = field(default_factory=list)
    source: tuple[int, int] | None = None


def spans_of(labels: Sequence[str], kind: str) -> list[tuple[int, int]]:
    """Maximal token ranges labelled ``B-kind``/``I-kind`` (an ``I`` after another kind starts one)."""
    b_lab, i_lab = "B-" + kind, "I-" + kind
    out: list[tuple[int, int]] = []
    start = -1
    for i, lab in enumerate(labels):
        if lab == i_lab:
            if start < 0:
                start = i
        elif lab == b_lab:
            if start >= 0:
                out.append((start, i))
            start = i
        elif start >= 0:
            out.append((start, i))
            start = -1
    if start >= 0:
        out.append((start, len(labels)))
    return out


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
# Whether a direct quote's cue the tagger left without a speaker takes the name or pronoun that is the subject
# of its clause ("Romney fired back in March, attacking …", "…,” wrote Nordstrom.") (``_subject``).
SUBJECT_FALLBACK = True


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
_NOT_NAMES = frozenset(
    [
        "the",
        "a",
        "an",
        "in",
        "on",
        "at",
        "of",
        "for",
        "to",
        "from",
        "with",
        "by",
        "but",
        "and",
        "or",
        "so",
        "if",
        "when",
        "while",
        "after",
        "before",
        "as",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "there",
        "here",
        "then",
        "yet",
        "still",
        "also",
        "last",
        "next",
        "earlier",
        "later",
        *CALENDAR_WORDS,
        "mr",
        "mrs",
        "ms",
        "dr",
    ]
)
_SUBJECT_PRONOUNS = frozenset(["he", "she", "they", "i", "we"])
# What may come right before a clause's subject ("" = the sentence's start).
_CLAUSE_START = frozenset(
    [
        *("", ",", ";", ":", "—", "–", "-", "."),  # "." here is an abbreviation's ("U.S.")
        *("when", "while", "after", "before", "as", "and", "but", "then", "because", "since"),
        *("although", "though", "if", "so"),
    ]
)


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


# Words the tagger sometimes leaves at a speaker span's end that PolNeAR gold never ends on
# ("Lewandowski earlier said", "Weld, who added"): a relative pronoun, a time adverb.
_TRAILING_NOT_SPEAKER = frozenset(
    ["who", "which", "also", "earlier", "later", "then", "recently", "previously", "again"]
)


def tidy_speaker(
    toks: Tokens, source: tuple[int, int], cue: tuple[int, int] | None
) -> tuple[int, int]:
    """Speaker span as PolNeAR marks it: apposition's closing comma in; a trailing "who", time
    adverb ("earlier") or bare name's comma out."""
    i, j = source
    words = toks.words
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
                cur = atts[k].source
                if cur is None or _gap(span, atts[k].cue) < _gap(cur, atts[k].cue):
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
    if SUBJECT_FALLBACK:
        for att in atts:
            # quoted content only: on reported speech the guess cost more than it found (train)
            if (
                att.source is None
                and att.cue is not None
                and any(any(inq[a:b]) for a, b in att.content)
            ):
                att.source = _subject(toks, att.cue)
    if TIDY_SPEAKERS:
        for att in atts:
            if att.source is not None:
                att.source = tidy_speaker(toks, att.source, att.cue)
    return [a for a in atts if sum(j - i for i, j in a.content) >= MIN_CONTENT_TOKENS]


# -- extraction -----------------------------------------------------------------------------
# A quotation mark; ’ only when it is not an apostrophe between two letters ("don’t").
_QUOTE_MARK = re.compile(r"[“”\"«»„‹›‚‘]|’(?![^\W\d_])|(?<![^\W\d_])’")


def is_direct(text: str, spans: Iterable[tuple[int, int]]) -> bool:
    """Whether content contains a quotation mark: the benchmark's definition of a direct quote."""
    return any(_QUOTE_MARK.search(text, s, e) for s, e in spans)


def extract(text: str, tagger: QuoteTagger | None = None) -> list[dict[str, Any]]:
    """Quotes in ``text`` as dicts of character spans (the ``quotes -`` record format)."""
    tagger = tagger or load_tagger()
    toks = tokenize(text)
    if not toks.words:
        return []
    labels = tagger.tag(toks)
    atts = link(toks, labels)
    out: list[dict[str, Any]] = []
    for att in atts:
        content = [list(toks.char_span(*c)) for c in sorted(att.content)]
        out.append(
            {
                "content": content,
                "cue": list(toks.char_span(*att.cue)) if att.cue else None,
                "speaker": list(toks.char_span(*att.source)) if att.source else None,
                "speaker_name": None,
                "role": None,
                "kind": "direct" if is_direct(text, [tuple(c) for c in content]) else "reported",
            }
        )
    resolve_speakers(text, out)
    return out
