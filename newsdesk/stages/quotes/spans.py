"""Span rules of the quote linker: who a cue's speaker is when the tagger gave none, which
edges of a speaker span PolNeAR marks, which cues have no speaker, and content for a cue the
tagger gave none. Each rule was chosen by article-disjoint cross-validation over PolNeAR train
(benchmarks/quotes.py ``--cv``); :mod:`~newsdesk.stages.quotes.linking` applies them.
"""

from __future__ import annotations

from newsdesk.nlp import lexicons
from newsdesk.stages.quotes.tokens import Tokens, _no_stop

# Whether a speaker span loses a trailing parenthetical set off by commas ("Clinton, in her
# campaign,", "Trump, appearing after Clinton at the forum,") (``_trim_parenthetical``).
PARENTHETICAL_SPEAKERS = True

# Whether a speaker span loses the full stop that ends its sentence (not an abbreviation's dot).
STOP_NOT_SPEAKER = True

# Whether speaker spans also lose the edges PolNeAR never marks (``_trim_speaker``,
# ``speaker_chars``): set by article-disjoint cross-validation over train (benchmarks/quotes.py
# ``--cv``).
TRIM_SPEAKERS = True

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
        if ROLE_AFTER_CUE:
            role = _role_after(toks, j)
            if role is not None:
                return role
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
            opens = before in _CLAUSE_START or (
                SUBJECT_AFTER_QUOTATION and before in _CLOSING_MARKS and i > 0 and inq[i - 1]
            )
            if e < n and words[e][:1].islower() and opens and e <= cue[0]:
                return (i, e)
            k = i - 1
            continue
        k -= 1
    return None


# Whether a name right after a closing quotation mark opens a clause for the subject fallback
# ("“I think she will,” Gillibrand replied.") (``_subject``).
SUBJECT_AFTER_QUOTATION = True
_CLOSING_MARKS = frozenset({"”", '"', "’", "»"})

# Whether the subject fallback takes a role phrase right after the cue ("“…,” said the Florida
# senator, “…”") (``_role_after``).
ROLE_AFTER_CUE = True
_ROLE_WORDS = lexicons.words("role-heads") | lexicons.words("role-modifiers")
_ROLE_DETERMINERS = frozenset({"the", "a", "an", "his", "her", "their", "its"})


def _role_after(toks: Tokens, j: int) -> tuple[int, int] | None:
    """ "the Florida senator" at ``j``: a determiner, then at most five capitalised words or role
    words ending on a role head or name, closed by a comma, stop, semicolon or quotation mark."""
    words, sent, inq = toks.words, toks.sentence, toks.in_quote
    n = len(words)
    if words[j].lower() not in _ROLE_DETERMINERS:
        return None
    e = j + 1
    while (
        e < n
        and e - j <= 5
        and sent[e] == sent[j]
        and not inq[e]
        and (
            (words[e][:1].isupper() and words[e].replace("’", "").replace("'", "").isalpha())
            or words[e].lower() in _ROLE_WORDS
            or words[e].endswith("-year-old")
        )
    ):
        e += 1
    if e == j + 1 or e - j > 5:
        return None
    if e < n and words[e] not in (".", ",", ";", "“", '"') and sent[e] == sent[j]:
        return None
    last = words[e - 1]
    if (
        last.lower() not in _ROLE_HEADS
        and not last[:1].isupper()
        and not last.endswith("-year-old")
    ):
        return None
    return (j, e)


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
    dash = max(
        (k for k in range(i, j - 1) if words[k] in _DASHES or words[k].lower() in _CLAUSE_CUTS),
        default=-1,
    )
    if dash >= 0 and (words[dash + 1][:1].isupper() or words[dash].lower() in _CLAUSE_CUTS):
        i = dash + 1
    while j - i > 1 and not words[i][:1].isalnum() and words[i] != "(":
        i += 1
    if j - i > 2 and words[i].islower() and words[i] in _PREPOSITIONS:
        # "for now the FDA": a lower-case adverbial phrase before the speaker's determiner
        det = next((k for k in range(i + 1, j - 1) if words[k] in {"the", "a", "an"}), None)
        if det is not None:
            i = det
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
    if PARENTHETICAL_SPEAKERS:
        j = _trim_parenthetical(toks, i, j)
    if (
        STOP_NOT_SPEAKER
        and j - i > 1
        and words[j - 1] in (".", "!", "?")
        and not _no_stop(words[j - 2])
    ):
        j -= 1  # "says Acs, a student from New Mexico." : the sentence's stop
    if words[j - 1] == "of" and j < n and not (cue and cue[0] <= j < cue[1]):
        e = j
        while e < n and sent[e] == sent[j] and words[e][:1].isupper() and not toks.in_quote[e]:
            e += 1
        if e > j:
            j = e
    return (i, j) if j > i else (i, i + 1)


_PARENTHETICAL_OPENERS = lexicons.words("quote-parenthetical-openers")
_ROLE_HEADS = lexicons.words("role-heads")


def _trim_parenthetical(toks: Tokens, i: int, j: int) -> int:
    """The end of speaker span ``i..j`` without trailing parentheticals: a last comma segment
    opened by a participle ("Obama, dedicating the museum on Saturday,") or by one of
    :data:`_PARENTHETICAL_OPENERS` ("Trump, meanwhile,"), which PolNeAR gold leaves out (the
    comma before it stays for :func:`tidy_speaker` to judge). Not a participle that opens an
    apposition ("Murshed Zaheed, acting political director of CREDO Action,")."""
    words = toks.words
    while True:
        end = j - 1 if words[j - 1] == "," else j
        k = next((x for x in range(end - 1, i, -1) if words[x] == ","), None)
        if k is None or k + 1 >= end or toks.in_quote[k + 1]:
            return j
        first = words[k + 1]
        low = first.lower()
        segment = {w.lower() for w in words[k + 1 : end]}
        participle = first.islower() and len(low) > 4 and low.endswith("ing") and low != "including"
        if not (low in _PARENTHETICAL_OPENERS and first.islower()) and not (
            participle and not segment & _ROLE_HEADS
        ):
            return j
        j = k + 1


_PREPOSITIONS = lexicons.words("quote-leading-prepositions")
_DASHES = frozenset({"-", "—", "–", "~"})
# Conjunctions a speaker span never runs across ("… granted an authorization, though for now
# the FDA said"): the speaker starts after the last one.
_CLAUSE_CUTS = frozenset({"though", "although", "but", "whereas", "because"})


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


def according_source(toks: Tokens, cue: tuple[int, int]) -> tuple[int, int] | None:
    """The source after "according to": up to the clause's end (comma, stop, semicolon)."""
    words, sent = toks.words, toks.sentence
    if [w.lower() for w in words[cue[0] : cue[1]]] != ["according", "to"]:
        return None
    n = len(words)
    i = j = cue[1]
    while j < n and sent[j] == sent[cue[0]] and words[j] not in (",", ".", ";", ":", "“", '"'):
        j += 1
    return (i, j) if j > i else None
