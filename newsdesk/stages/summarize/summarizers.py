"""Extractive summaries: "No time to read? Get a summary".

One interface, ``summarize(doc, length, method=...) -> Summary``, with the summarizers as peers
behind the :class:`Summarizer` protocol (``select(doc, k) -> sentence indices``):

- ``lead``: the first k sentences (Lead-3 at the default length);
- ``lexrank`` / ``textrank``: sumy's implementations, fed newsdesk's own sentences and word
  tokens (no NLTK data is needed: sumy only tokenizes through the tokenizer we pass);
- ``newsdesk`` (default): a sentence scorer over position, sentence length, centrality over
  sentence embeddings, quote and attribution cues, dangling openers and page debris, then MMR
  selection against redundancy. Its weights are a logistic model trained by
  ``scripts/train_summarizer.py`` on the shared training parts of the CNN/DailyMail sets and
  shipped as ``newsdesk/resources/summarizer.json``; without that file it uses hand-set weights.

Every summary is whole sentences, in article order, ``length.count(n)`` of them (3 by
default, fewer for short articles), and avoids opening on a dangling pronoun or a quote
without its speaker when another choice exists.

``summarize_multi`` does the same over several documents (story summaries): each chosen
sentence keeps the index of its document, and near-duplicates across documents are dropped.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar, Protocol

import numpy as np

from newsdesk import resources
from newsdesk.models import Article, Span, Summary
from newsdesk.nlp.embed import get_encoder
from newsdesk.nlp.sentences import sentence_spans

log = logging.getLogger(__name__)

MODEL_FILE = resources.path("summarizer.json")
DEFAULT_METHOD = "newsdesk"
DEFAULT_SENTENCES = 3

# -- length -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Length:
    """How long a summary is: ``sentences`` (default 3) or a ``ratio`` of the article's sentences.

    With neither given, short articles get fewer sentences: about a third of them, at least one.
    """

    sentences: int | None = None
    ratio: float | None = None

    def count(self, n: int) -> int:
        if n <= 0:
            return 0
        if self.ratio is not None:
            return max(1, min(n, round(self.ratio * n)))
        if self.sentences is not None:
            return max(0, min(n, self.sentences))
        return min(DEFAULT_SENTENCES, max(1, math.ceil(n / 3)))


def as_length(length: Length | int | float | None) -> Length:
    if length is None or isinstance(length, Length):
        return length or Length()
    if isinstance(length, float) and 0 < length < 1:
        return Length(ratio=length)
    return Length(sentences=int(length))


# -- documents ----------------------------------------------------------------------------------

_WORD = re.compile(r"\w+(?:['’]\w+)*")


@dataclass(slots=True)
class Doc:
    """An article prepared for the summarizers: text, sentence spans, and lazily derived views."""

    text: str
    sentences: tuple[Span, ...]
    title: str | None = None
    id: str = ""
    _strings: list[str] | None = field(default=None, repr=False)
    _tokens: list[list[str]] | None = field(default=None, repr=False)
    _words: list[list[str]] | None = field(default=None, repr=False)
    _vectors: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def of(
        cls,
        text: str,
        title: str | None = None,
        sentences: Sequence[Span] | None = None,
        id: str = "",
    ) -> Doc:
        spans = tuple(sentences) if sentences else tuple(sentence_spans(text))
        return cls(text=text, sentences=spans, title=title, id=id)

    def __len__(self) -> int:
        return len(self.sentences)

    @property
    def strings(self) -> list[str]:
        if self._strings is None:
            self._strings = [self.text[s:e] for s, e in self.sentences]
        return self._strings

    @property
    def tokens(self) -> list[list[str]]:
        """Word tokens of each sentence, as written."""
        if self._tokens is None:
            self._tokens = [_WORD.findall(s) for s in self.strings]
        return self._tokens

    @property
    def words(self) -> list[list[str]]:
        """Word tokens of each sentence, lower-cased."""
        if self._words is None:
            # tokens hold no spaces: lower-case each sentence's tokens in one go
            self._words = [" ".join(t).lower().split() for t in self.tokens]
        return self._words

    def vectors(self) -> np.ndarray:
        if self._vectors is None:
            self._vectors = get_encoder().encode(self.strings)
        return self._vectors


class Summarizer(Protocol):
    """A summarizer picks ``k`` sentences (indices into ``doc.sentences``) from a document."""

    name: str

    def select(self, doc: Doc, k: int) -> list[int]: ...


# -- baselines ----------------------------------------------------------------------------------


class Lead:
    """The first k sentences: Lead-3, the classic news baseline."""

    name = "lead"

    def select(self, doc: Doc, k: int) -> list[int]:
        return list(range(min(k, len(doc))))


class _WordTokenizer:
    """sumy's tokenizer seam, fed by newsdesk's word pattern (no NLTK punkt data needed)."""

    language = "english"

    def to_words(self, sentence: str) -> list[str]:
        return _WORD.findall(sentence)

    def to_sentences(self, paragraph: str) -> list[str]:  # pragma: no cover - never called
        return [paragraph]


class _Sumy:
    name = ""
    _factory: ClassVar[str] = ""

    def __init__(self) -> None:
        self._summarizer: Any = None

    def _get(self) -> Any:
        if self._summarizer is None:
            try:
                from sumy.nlp.stemmers import Stemmer
                from sumy.utils import get_stop_words
            except ImportError as exc:  # sumy is in the "bench" extra
                raise RuntimeError(
                    f"the {self.name} summarizer needs sumy: pip install 'newsdesk[bench]'"
                ) from exc

            module, cls = self._factory.rsplit(".", 1)
            mod = __import__(module, fromlist=[cls])
            summarizer = getattr(mod, cls)(Stemmer("english"))
            summarizer.stop_words = get_stop_words("english")
            self._summarizer = summarizer
        return self._summarizer

    def select(self, doc: Doc, k: int) -> list[int]:
        if k <= 0 or not len(doc):
            return []
        if k >= len(doc):
            return list(range(len(doc)))
        from sumy.models.dom import ObjectDocumentModel, Paragraph
        from sumy.models.dom import Sentence as SumySentence

        tok = _WordTokenizer()
        sents = [SumySentence(s, tok) for s in doc.strings]
        index = {id(s): i for i, s in enumerate(sents)}
        chosen = self._get()(ObjectDocumentModel([Paragraph(sents)]), k)
        return sorted(index[id(s)] for s in chosen)


class LexRank(_Sumy):
    """LexRank (Erkan & Radev 2004), sumy's implementation."""

    name = "lexrank"
    _factory = "sumy.summarizers.lex_rank.LexRankSummarizer"


class TextRank(_Sumy):
    """TextRank (Mihalcea & Tarau 2004), sumy's implementation."""

    name = "textrank"
    _factory = "sumy.summarizers.text_rank.TextRankSummarizer"


# -- the newsdesk method ------------------------------------------------------------------------

# Words that make a sentence lean on the one before it when it opens a summary.
DANGLING = frozenset(
    [
        "he",
        "she",
        "they",
        "it",
        "its",
        "his",
        "her",
        "their",
        "them",
        "him",
        "this",
        "these",
        "those",
        "that",
        "there",
        "such",
        "also",
        "but",
        "and",
        "however",
        "meanwhile",
        "instead",
        "yet",
        "so",
        "then",
        "still",
        "both",
        "neither",
        "nor",
        "or",
        "because",
        "while",
        "whereas",
        "moreover",
        "furthermore",
        "besides",
        "additionally",
        "nevertheless",
        "nonetheless",
        "thus",
        "hence",
        "therefore",
        "otherwise",
        "likewise",
        "similarly",
        "later",
        "afterwards",
        "earlier",
    ]
)
_QUOTE_OPEN = ("“", '"', "``", "‘", "'", "«", "„")
_SAY = re.compile(
    r"\b(?:said|says|say|told|tells|added|adds|according|stated|explained|insisted|claimed|"
    r"warned|wrote|argued|noted|asked|announced|confirmed|declared|replied)\b"
)  # matched against the lower-cased sentence
_QUOTE_CHAR = re.compile(r"[“”\"«»„]|``|''")
_DEBRIS = re.compile(
    r"\bpublished\s*:|\bupdated\s*:|\blast updated\b|\bscroll down\b|\bclick here\b|\bread more\b|"
    r"\bdaily mail reporter\b|\bfollow @|\|\s|^\s*by\s*\.|\bphoto\s*:|\bsign up\b|\bsubscribe\b|"
    r"\bcopyright\b|\ball rights reserved\b|\bcaption\b"
)  # lower-cased sentence
_CLOSERS = " \t\n'\"”’)]»"
_DIGIT_WORD = re.compile(r"(?<!\w)\d")  # a word starting with a digit
_STOP = frozenset(
    "the a an of to in and or for on at by with from as is are was were be been being has have had "  # noqa: SIM905
    "it its he she they his her their them this that these those not but said says will would "
    "could can may who which what when where there than then also after before about into over "
    "more most up out new one two s t i we you our your my".split()
)

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

# Hand-set weights used when no trained model is shipped (lead bias, centrality, length prior).
_FALLBACK = {
    "pos0": 2.0,
    "pos1": 1.2,
    "pos2": 0.8,
    "pos3": 0.4,
    "pos4": 0.2,
    "rel_pos": -1.0,
    "centrality": 3.0,
    "short": -1.5,
    "long": -0.5,
    "quote_open": -0.6,
    "dangling": -0.4,
    "question": -1.0,
    "no_end": -1.0,
    "debris": -3.0,
}


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
    X[:, col["digits"]] = [_DIGIT_WORD.search(s) is not None for s in strings]
    X[:, col["capitals"]] = [
        sum(1 for w in toks[1:] if w[0].isupper()) for toks in doc.tokens
    ] / np.maximum(nw, 1)
    X[:, col["keywords"]] = keywords
    X[:, col["caption"]] = ~attributed & np.array([_is_caption(s) for s in strings])
    X[:, col["words_8_15"]] = (nw >= 8) & (nw < 15)
    X[:, col["words_15_25"]] = (nw >= 15) & (nw < 25)
    X[:, col["words_25_35"]] = (nw >= 25) & (nw < 35)
    return X


@dataclass(frozen=True, slots=True)
class ScorerModel:
    """A linear sentence scorer: standardise features, then a weighted sum (log-odds)."""

    weights: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    redundancy: float = 0.5  # MMR penalty on the max cosine to already chosen sentences
    duplicate: float = 1.01  # skip sentences with a cosine above this to a chosen one
    info: dict[str, Any] = field(default_factory=dict)

    def score(self, X: np.ndarray) -> np.ndarray:
        return ((X - self.mean) / self.scale) @ self.weights

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(FEATURES),
            "weights": [float(w) for w in self.weights],
            "mean": [float(m) for m in self.mean],
            "scale": [float(s) for s in self.scale],
            "redundancy": self.redundancy,
            "duplicate": self.duplicate,
            "info": self.info,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScorerModel:
        names = data["features"]
        if list(names) != list(FEATURES):
            raise ValueError("summarizer model was trained on other features; retrain it")
        return cls(
            weights=np.asarray(data["weights"], dtype=np.float32),
            mean=np.asarray(data["mean"], dtype=np.float32),
            scale=np.asarray(data["scale"], dtype=np.float32),
            redundancy=float(data.get("redundancy", 0.5)),
            duplicate=float(data.get("duplicate", 1.01)),
            info=dict(data.get("info", {})),
        )

    @classmethod
    def fallback(cls) -> ScorerModel:
        w = np.array([_FALLBACK.get(f, 0.0) for f in FEATURES], dtype=np.float32)
        d = len(FEATURES)
        zeros, ones = np.zeros(d, dtype=np.float32), np.ones(d, dtype=np.float32)
        return cls(w, zeros, ones, 0.5, 0.9, {"fallback": True})


@cache
def shipped_model() -> ScorerModel:
    """The model shipped in ``newsdesk/resources/summarizer.json``, else the hand-set weights."""
    if MODEL_FILE.is_file():
        return ScorerModel.from_json(json.loads(MODEL_FILE.read_text(encoding="utf-8")))
    log.warning("no %s; using hand-set summarizer weights", MODEL_FILE.name)
    return ScorerModel.fallback()


def _mmr(
    scores: np.ndarray,
    V: np.ndarray,
    k: int,
    redundancy: float,
    allowed: np.ndarray,
    duplicate: float = 1.01,
) -> list[int]:
    """Greedy MMR: best score minus ``redundancy`` × the max cosine to sentences already chosen.

    Sentences closer than ``duplicate`` (cosine) to a chosen one are skipped while others remain.
    """
    chosen: list[int] = []
    maxsim = np.zeros(len(scores), dtype=np.float32)
    avail = allowed.copy()
    for _ in range(k):
        ok = avail & (maxsim < duplicate)
        if not ok.any():
            ok = avail
        if not ok.any():
            break
        gain = np.where(ok, scores - redundancy * maxsim, -np.inf)
        i = int(np.argmax(gain))
        chosen.append(i)
        avail[i] = False
        maxsim = np.maximum(maxsim, V @ V[i])
    return chosen


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


def _is_dangling_opener(doc: Doc, i: int) -> bool:
    """Would sentence ``i`` leave the reader asking "who?" if it opened the summary?"""
    ws = doc.words[i]
    if not ws:
        return True
    if ws[0] in DANGLING:
        return True
    s = doc.strings[i].lstrip()
    # a quote that opens the sentence with no speaker named in it
    return s.startswith(_QUOTE_OPEN) and not _SAY.search(s.lower())


class Newsdesk:
    """Position, length, centrality, quote and debris cues, learned weights; MMR selection."""

    name = "newsdesk"

    def __init__(self, model: ScorerModel | None = None) -> None:
        self.model = model

    def scores(self, doc: Doc) -> np.ndarray:
        model = self.model or shipped_model()
        return model.score(features(doc))

    def select(self, doc: Doc, k: int) -> list[int]:
        n = len(doc)
        if k <= 0 or n == 0:
            return []
        if k >= n:
            return list(range(n))
        model = self.model or shipped_model()
        scores = model.score(features(doc))
        V = doc.vectors()
        allowed = np.array([bool(w) for w in doc.words])
        if allowed.sum() < k:
            allowed[:] = True
        chosen = sorted(_mmr(scores, V, k, model.redundancy, allowed, model.duplicate))
        return _fix_opener(doc, chosen, scores)


def _fix_opener(doc: Doc, chosen: list[int], scores: np.ndarray) -> list[int]:
    """Avoid opening on a dangling pronoun or a speakerless quote when another choice exists.

    Try, in order: the sentence just before the opener (often the antecedent), then the best
    non-dangling unchosen sentence before the opener; keep the choice if none exists.
    """
    if not chosen or not _is_dangling_opener(doc, chosen[0]):
        return chosen
    first = chosen[0]
    candidates = [j for j in range(first) if j not in chosen and not _is_dangling_opener(doc, j)]
    if not candidates:
        return chosen
    prev = first - 1
    if prev in candidates:
        # keep the dangling sentence and add its antecedent instead of the weakest other pick
        rest = chosen[1:]
        if rest:
            weakest = min(rest, key=lambda j: scores[j])
            rest.remove(weakest)
            return sorted([prev, first, *rest]) if len(chosen) > 1 else [prev]
        return [prev]
    best = max(candidates, key=lambda j: scores[j])
    return sorted([best, *chosen[1:]])


SUMMARIZERS: dict[str, type] = {
    "newsdesk": Newsdesk,
    "lead": Lead,
    "lexrank": LexRank,
    "textrank": TextRank,
}


@cache
def get_summarizer(name: str = DEFAULT_METHOD) -> Summarizer:
    """The summarizer called ``name`` (one instance per process)."""
    try:
        return SUMMARIZERS[name]()  # type: ignore[no-any-return]
    except KeyError:
        raise ValueError(
            f"unknown summarizer {name!r}; choose one of {', '.join(SUMMARIZERS)}"
        ) from None


def summarize(
    doc: Doc | Article | str,
    length: Length | int | float | None = None,
    method: str | Summarizer = DEFAULT_METHOD,
) -> Summary:
    """Summarize one document: whole sentences, in article order."""
    if isinstance(doc, str):
        d, article_id = Doc.of(doc), ""
    elif isinstance(doc, Article):
        d, article_id = Doc.of(doc.text, doc.title, doc.sentences, doc.id), doc.id
    else:
        d, article_id = doc, doc.id
    summarizer = get_summarizer(method) if isinstance(method, str) else method
    k = as_length(length).count(len(d))
    idx = sorted(set(summarizer.select(d, k))) if k else []
    return Summary(
        article_id=article_id, sentences=tuple(d.sentences[i] for i in idx), method=summarizer.name
    )


# -- several documents (story summaries) --------------------------------------------------------

# Two sentences from different documents with a cosine above this say the same thing.
DUPLICATE_COSINE = 0.9


def summarize_multi(
    docs: Sequence[tuple[str, str | None, Sequence[Span]]],
    length: Length | int | float | None = None,
    model: ScorerModel | None = None,
) -> list[tuple[int, Span]]:
    """Summarize several documents about one story; each sentence keeps its document's index.

    ``docs`` are ``(text, title, sentence spans)`` (empty spans: split here). Sentences are
    scored within their own document (position, centrality, cues), then against the pooled
    centroid (what the outlets agree on); MMR with a strong redundancy penalty and a hard
    near-duplicate cut keeps one version of each fact. Output order: by position in the source
    document, then document index.
    """
    prepared = [Doc.of(t, title, spans or None) for t, title, spans in docs]
    pool: list[tuple[int, int]] = [
        (d, i) for d, doc in enumerate(prepared) for i in range(len(doc))
    ]
    if not pool:
        return []
    scorer = model or shipped_model()
    local = np.concatenate([scorer.score(features(doc)) for doc in prepared if len(doc)])
    V = np.concatenate([doc.vectors() for doc in prepared if len(doc)])
    centroid = V.mean(axis=0)
    centroid /= float(np.linalg.norm(centroid)) or 1.0
    pooled = V @ centroid
    scores = local + 3.0 * (pooled - pooled.mean())
    n_total = len(pool)
    if length is None:
        k = min(DEFAULT_SENTENCES, n_total)
    else:
        k = as_length(length).count(n_total)
    allowed = np.array([bool(prepared[d].words[i]) for d, i in pool])
    chosen: list[int] = []
    maxsim = np.zeros(n_total, dtype=np.float32)
    for _ in range(k):
        ok = allowed & (maxsim < DUPLICATE_COSINE)
        if not ok.any():
            break
        gain = np.where(ok, scores - 1.0 * maxsim, -np.inf)
        j = int(np.argmax(gain))
        chosen.append(j)
        allowed[j] = False
        maxsim = np.maximum(maxsim, V @ V[j])
    picked = sorted((pool[j][1], pool[j][0]) for j in chosen)
    return [(d, prepared[d].sentences[i]) for i, d in picked]
