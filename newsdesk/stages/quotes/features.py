"""Quote tagger features: crfsuite feature lists for a paragraph of tokens.

Word, shape, suffix, neighbour, quote-state, cue-lexicon and (v2/v3) role-word, distance to a
quotation and speaker-candidate features. Speed: feature extraction dominates tagging, so
per-word feature strings are cached and every constant string is built once.

The word lists here (``quote-tagger-*`` lexicons) are frozen with the shipped model
(resources/quotes.crfsuite): changing one means retraining (scripts/train_quotes.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from newsdesk.nlp import lexicons
from newsdesk.stages.quotes.tokens import QUOTE_MARKS, Tokens

_PRONOUNS = lexicons.words("quote-tagger-pronouns")
# Role nouns and titles (v2 feature "rw"): speakers often carry them ("Spokeswoman Jessica Ditto").
_ROLE_WORDS = lexicons.words("quote-tagger-role-words")


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
