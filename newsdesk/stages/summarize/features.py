"""The newsdesk summarizer's sentence features: position, length, centrality, cues.

:data:`FEATURES` names the columns of :func:`features`; the shipped model file lists them too.
"""

from __future__ import annotations

import re

import numpy as np

from newsdesk.nlp import lexicons
from newsdesk.nlp.embed import get_encoder
from newsdesk.nlp.names import DEMONYMS
from newsdesk.nlp.tokens import DIGIT_START, PLAIN_WORD
from newsdesk.stages.summarize.doc import Doc

# Words that make a sentence lean on the one before it when it opens a summary.
DANGLING = lexicons.words("dangling-openers-en")
_QUOTE_OPEN = ("“", '"', "``", "‘", "'", "«", "„")
_SAY_VERBS = (
    r"(?:said|says|say|told|tells|added|adds|according|stated|explained|insisted|claimed|"
    r"warned|wrote|argued|noted|asked|announced|confirmed|declared|replied)"
)
_SAY = re.compile(rf"\b{_SAY_VERBS}\b")  # matched against the lower-cased sentence
_QUOTE_CHAR = re.compile(r"[“”\"«»„]|``|''")
_DEBRIS = re.compile(
    r"\bpublished\s*:|\bupdated\s*:|\blast updated\b|\bscroll down\b|\bclick here\b|\bread more\b|"
    r"\bdaily mail reporter\b|\bfollow @|\|\s|^\s*by\s*\.|\bphoto\s*:|\bsign up\b|\bsubscribe\b|"
    r"\bcopyright\b|\ball rights reserved\b|\bcaption\b"
)  # lower-cased sentence
_CLOSERS = " \t\n'\"”’)]»"
# Not content words for the keyword feature. Not stopwords-en (the clustering list): the shipped
# summarizer model was fitted on the keyword feature as this shorter list defines it.
_STOP = lexicons.words("stopwords-en-summary")

# Feature names, in the order of :func:`features`' columns (the model file lists them too).
FEATURES = (
    "bias",
    "pos0",
    "pos1",
    "pos2",
    "pos3",
    "pos4",
    "pos5_9",
    "pos10_plus",
    "rel_pos",
    "log_words",
    "short",
    "long",
    "centrality",
    "centrality_rank",
    "title_sim",
    "first_sim",
    "quote_open",
    "has_quote",
    "attributed",
    "dangling",
    "question",
    "no_end",
    "debris",
    "digits",
    "capitals",
    "keywords",
    "caption",
    "words_8_15",
    "words_15_25",
    "words_25_35",
    "lead_sim",
)


def features(doc: Doc) -> np.ndarray:
    """One row of :data:`FEATURES` per sentence of ``doc`` (float32)."""
    n = len(doc)
    X = np.zeros((n, len(FEATURES)), dtype=np.float32)
    if n == 0:
        return X
    col = {name: j for j, name in enumerate(FEATURES)}
    V = doc.vectors()
    centroid = V.mean(axis=0)
    norm = float(np.linalg.norm(centroid)) or 1.0
    cent = V @ (centroid / norm)
    order = np.argsort(-cent)
    rank = np.empty(n, dtype=np.float32)
    rank[order] = np.arange(n, dtype=np.float32)
    first = V @ V[0]
    title_sim = np.zeros(n, dtype=np.float32)
    if doc.title:
        t = get_encoder().encode([doc.title])[0]
        title_sim = V @ t
    X[:, col["bias"]] = 1.0
    pos = np.arange(n)
    for j, lo, hi in (
        ("pos0", 0, 1),
        ("pos1", 1, 2),
        ("pos2", 2, 3),
        ("pos3", 3, 4),
        ("pos4", 4, 5),
        ("pos5_9", 5, 10),
        ("pos10_plus", 10, 10**9),
    ):
        X[(pos >= lo) & (pos < hi), col[j]] = 1.0
    X[:, col["rel_pos"]] = pos / max(1, n - 1)
    X[:, col["centrality"]] = cent
    X[:, col["centrality_rank"]] = 1.0 - rank / max(1, n - 1)
    X[:, col["title_sim"]] = title_sim
    X[:, col["first_sim"]] = first
    # similarity to the lead (the first three sentences other than itself)
    lead = V[: min(3, n)] @ V.T
    for i in range(min(3, n)):
        lead[i, i] = -1.0
    X[:, col["lead_sim"]] = lead.max(axis=0) if n > 1 else 0.0
    # SumBasic-style keyword weight: mean in-document frequency of the sentence's content words
    freq: dict[str, int] = {}
    for ws in doc.words:
        for w in ws:
            if w not in _STOP and len(w) > 2:
                freq[w] = freq.get(w, 0) + 1
    total = max(1, sum(freq.values()))
    # per-sentence cues, built as columns (one numpy assignment per feature)
    strings, words = doc.strings, doc.words
    low = [s.lower() for s in strings]
    nw = np.array([len(ws) for ws in words], dtype=np.float32)
    tails = [s.rstrip(_CLOSERS)[-1:] for s in strings]
    attributed = np.array([_SAY.search(t) is not None for t in low])
    keywords = []
    for ws in words:
        content = [freq[w] for w in ws if w in freq]
        keywords.append(100.0 * sum(content) / len(content) / total if content else 0.0)
    X[:, col["log_words"]] = np.log1p(nw)
    X[:, col["short"]] = nw < 8
    X[:, col["long"]] = nw > 45
    X[:, col["quote_open"]] = [s.lstrip().startswith(_QUOTE_OPEN) for s in strings]
    X[:, col["has_quote"]] = [_QUOTE_CHAR.search(s) is not None for s in strings]
    X[:, col["attributed"]] = attributed
    X[:, col["dangling"]] = [bool(ws) and ws[0] in DANGLING for ws in words]
    X[:, col["question"]] = [t == "?" for t in tails]
    X[:, col["no_end"]] = [t not in (".", "!", "?", "…") or not t for t in tails]
    X[:, col["debris"]] = [_has_debris(t) for t in low]
    X[:, col["digits"]] = [DIGIT_START.search(s) is not None for s in strings]
    X[:, col["capitals"]] = [
        sum(1 for w in toks[1:] if w[0].isupper()) for toks in doc.tokens
    ] / np.maximum(nw, 1)
    X[:, col["keywords"]] = keywords
    X[:, col["caption"]] = ~attributed & np.array([_is_caption(s) for s in strings])
    X[:, col["words_8_15"]] = (nw >= 8) & (nw < 15)
    X[:, col["words_15_25"]] = (nw >= 15) & (nw < 25)
    X[:, col["words_25_35"]] = (nw >= 25) & (nw < 35)
    return X


# Literal cues that must be present for _DEBRIS to match: cheap substring tests first.
_DEBRIS_KEYS = (
    "published", "updated", "scroll down", "click here", "read more", "daily mail reporter",
    "follow @", "|", "photo", "sign up", "subscribe", "copyright", "all rights reserved", "caption",
)  # fmt: skip


def _has_debris(low: str) -> bool:
    """Page furniture in a lower-cased sentence (bylines, timestamps, calls to action)."""
    if not (low.lstrip().startswith("by") or any(k in low for k in _DEBRIS_KEYS)):
        return False
    return _DEBRIS.search(low) is not None


def _is_caption(s: str) -> bool:
    """A picture caption run into the text: "Big brother is watching: a camera points at…"."""
    colon = s.find(":", 0, 60)
    return colon > 0 and s[colon + 1 : colon + 2] == " " and len(s[:colon].split()) <= 4


# An attribution to a pronoun anywhere in the sentence: "Kremlin representatives, he said,
# denied…", "“They know us,” he noted." (matched against the lower-cased sentence).
_PRONOUN_SAYS = re.compile(
    rf"\b(?:he|she|they)\s+(?:also\s+|then\s+|later\s+)?{_SAY_VERBS}\b"
    rf"|\b{_SAY_VERBS}\s+(?:he|she|they)\b"
)
_NAME_WORD = re.compile(r"[A-Z][\w’'.-]*")


def is_dangling_opener(doc: Doc, i: int) -> bool:
    """Would sentence ``i`` leave the reader asking "who?" if it opened the summary?

    Yes when it opens on a pronoun or a connective (:data:`DANGLING`), on a quote with no
    speaker, or when it attributes what it says to a pronoun ("…, he said, …") without naming
    anyone before that pronoun: a capitalised word other than the sentence's first and other
    than a nationality ("Russian", :data:`newsdesk.nlp.names.DEMONYMS`) counts as a name.
    """
    ws = doc.words[i]
    if not ws:
        return True
    if ws[0] in DANGLING:
        return True
    s = doc.strings[i].lstrip()
    low = s.lower()
    # a quote that opens the sentence with no speaker named in it
    if s.startswith(_QUOTE_OPEN) and not _SAY.search(low):
        return True
    m = _PRONOUN_SAYS.search(low)
    if m is None:
        return False
    before = PLAIN_WORD.findall(s[: m.start()])[1:]  # the first word is capitalised anyway
    return not any(
        _NAME_WORD.fullmatch(w) and w != "I" and w.lower() not in DEMONYMS for w in before
    )
