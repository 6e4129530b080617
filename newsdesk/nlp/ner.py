"""Named entities (PER, ORG, LOC, MISC) from a CRF trained on CoNLL-2003, with character spans.

Why a trained CRF rather than rules over capitalised words: rules cannot tell "General Motors"
from "General Smith", "Court of Appeals" from a person, or "Miami Herald" from a place; on the
CoNLL-2003 valid split the old rules score far below the tagger (``benchmarks/entities.py``
prints both). No spaCy/flair English model can be installed here, so we train a linear-chain
CRF (python-crfsuite: C code, a few thousand sentences a second) with ``scripts/train_ner.py``
on the CoNLL-2003 **train** split and ship it as ``resources/ner.crfsuite``. The model is
derived from Reuters RCV1 news distributed for research use (see ``resources/NER.md``).

Features (per token, ±2 window): the word and its lower case, prefixes/suffixes up to 4,
word shape and its short form, neighbours' words and shapes, capitalisation in an all-caps
headline, place/nationality/organisation gazetteers (``resources/lexicons``), title words
before a name, distributional word clusters (k-means over WordLlama word vectors, shipped as
``resources/ner_clusters.npz``; so a word never seen in training still gets its class), and
document-level features: whether the same word is also written in lower case, or capitalised
inside a sentence, or as part of a longer capitalised name elsewhere in the text.

Tokens are cut so that a CoNLL sentence given as its tokens joined by single spaces comes back
token for token (``benchmarks/entities.py`` checks that every span lands on token boundaries).
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

from newsdesk import resources
from newsdesk.nlp import lexicons
from newsdesk.nlp.sentences import sentence_spans

MODEL_PATH = resources.path("ner.crfsuite")
CLUSTERS_PATH = resources.path("ner_clusters.npz")
TYPES = ("PER", "ORG", "LOC", "MISC")
# Feature sets a model can be trained with (scripts/train_ner.py; "words" is the benchmark's
# plain baseline and has its own featurizer there).
FEATURE_SETS = ("local", "gaz", "doc", "full", "multi")
# The cluster granularities each feature set reads from resources/ner_clusters.npz.
CLUSTER_KEYS = {"full": ("centroids",), "multi": ("k64", "centroids", "k1024")}

log = logging.getLogger(__name__)

# A word keeps inner hyphens, dots, ampersands, slashes and apostrophes ("U.S", "1-0", "AT&T",
# "o'clock"), numbers their separators ("47,600"), and "--", "...", "C$" stay whole; a
# possessive "'s" is its own token (as in CoNLL); any other non-space character is a token.
_TOKEN = re.compile(
    r"\+?\d+(?:[.,:]\d+)+|\+\d+|[A-Z]{1,3}\$|-{2,}|\.{2,}|['’]s\b"
    r"|\w+(?:(?:\.-|[\-.&/])\w+|['’](?![sS]\b)\w+)*|[^\w\s]"
)
_ABBREV = lexicons.words("abbreviations") | lexicons.words("abbreviations-before-number")


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity mention: character span into the text, type, and the text it covers."""

    start: int
    end: int
    type: str
    name: str


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Token spans of ``text[start:end]``; a final dot stays on abbreviations and initials."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    taken = start  # end of the last token (a dot kept on a word is no token of its own)
    for m in _TOKEN.finditer(text, start, end):
        s, e = m.span()
        if s < taken:
            continue
        if e < end and text[e] == "." and (m.group()[:1].isalpha() or m.group()[:1].isdigit()):
            w = m.group()
            # "U.S." "J." "Corp." "Jan.": the dot belongs to the word (CoNLL tokenizes them so)
            if "." in w or (len(w) == 1 and w.isupper()) or w.lower() in _ABBREV:
                e += 1
        out.append((s, e))
        taken = e
    return out


# -- features ---------------------------------------------------------------------------------
@lru_cache(maxsize=100_000)
def shape(w: str) -> str:
    """Word shape: X for upper, x for lower, d for digit, other characters as written."""
    out = []
    for ch in w:
        if ch.isupper():
            out.append("X")
        elif ch.islower():
            out.append("x")
        elif ch.isdigit():
            out.append("d")
        else:
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=100_000)
def short_shape(w: str) -> str:
    """:func:`shape` with repeats collapsed ("Xxxxx" -> "Xx", "dd-dd" -> "d-d")."""
    s = shape(w)
    return re.sub(r"(.)\1+", r"\1", s)


def _gazetteers() -> dict[tuple[str, ...], set[str]]:
    """Lower-cased token tuples -> the gazetteer classes they are in."""
    gaz: dict[tuple[str, ...], set[str]] = defaultdict(set)

    def add(phrase: str, cls: str) -> None:
        toks = tuple(phrase[s:e].lower() for s, e in tokenize(phrase))
        if toks and len(toks) <= 6:
            gaz[toks].add(cls)

    for p in lexicons.phrases("places-phrases"):
        add(p, "loc")
    for c in lexicons.mapping("demonyms").values():
        add(c, "loc")
    for d in lexicons.mapping("demonyms"):
        add(d, "nat")
    for w in lexicons.words("organization-words"):
        add(w, "orgw")
    for w in lexicons.words("role-heads") | lexicons.words("title-words"):
        add(w, "title")
    return dict(gaz)


class Featurizer:
    """Turns a document (sentences of tokens) into crfsuite feature lists.

    ``clusters``: word -> cluster id for the words of a document (or None: no cluster features).
    """

    def __init__(self, use_doc: bool = True, use_gaz: bool = True) -> None:
        self.use_doc = use_doc
        self.use_gaz = use_gaz
        self.gaz = _gazetteers() if use_gaz else {}
        self.max_gaz = max((len(k) for k in self.gaz), default=0)
        self._cache: dict[str, list[str]] = {}

    def _word(self, w: str) -> list[str]:
        got = self._cache.get(w)
        if got is not None:
            return got
        lw = w.lower()
        sh = shape(w)
        f = [
            "w=" + w,
            "lw=" + lw,
            "sh=" + (sh if len(sh) <= 6 else short_shape(w)),
            "ss=" + short_shape(w),
            "p1=" + w[:1],
            "p2=" + w[:2],
            "p3=" + w[:3],
            "p4=" + w[:4],
            "s1=" + lw[-1:],
            "s2=" + lw[-2:],
            "s3=" + lw[-3:],
            "s4=" + lw[-4:],
        ]
        if w[:1].isupper():
            f.append("cap")
        if w.isupper() and len(w) > 1:
            f.append("allcap")
        if any(ch.isdigit() for ch in w):
            f.append("digit")
        if "-" in w:
            f.append("hyph")
        if "." in w:
            f.append("dot")
        if len(self._cache) < 100_000:
            self._cache[w] = f
        return f

    def document(
        self,
        sentences: Sequence[Sequence[str]],
        clusters: dict[str, tuple[str, ...]] | None = None,
        first: Sequence[Sequence[str]] | None = None,
    ) -> list[list[list[str]]]:
        """Feature lists for every token of every sentence of one document.

        ``first``: a first-pass tagger's labels of the same document (two-stage tagging): each
        token then also gets its first-pass label and the majority type its word form has
        elsewhere in the document (:func:`first_pass_features`).
        """
        doc = self._doc_facts(sentences) if self.use_doc else None
        out = [self.sentence(s, doc, clusters) for s in sentences]
        if first is not None:
            for f, extra in zip(out, first_pass_features(sentences, first), strict=True):
                for ft, ex in zip(f, extra, strict=True):
                    ft.extend(ex)
        return out

    @staticmethod
    def _doc_facts(sentences: Sequence[Sequence[str]]) -> dict[str, set[str]]:
        """Per word form, what the rest of the document shows about it."""
        facts: dict[str, set[str]] = defaultdict(set)
        for sent in sentences:
            headline = len(sent) > 1 and all(not w.islower() for w in sent if w.isalpha())
            for i, w in enumerate(sent):
                if not w[:1].isalpha():
                    continue
                lw = w.lower()
                if w.islower():
                    facts[lw].add("lower")
                elif w[:1].isupper() and i > 0 and not headline:
                    facts[lw].add("capmid")
                    nxt = sent[i + 1] if i + 1 < len(sent) else ""
                    prv = sent[i - 1]
                    if nxt[:1].isupper() or prv[:1].isupper():
                        facts[lw].add("inseq")
        return facts

    def _gaz_tags(self, low: Sequence[str], words: Sequence[str]) -> list[list[str]]:
        n = len(low)
        tags: list[list[str]] = [[] for _ in range(n)]
        if not self.gaz:
            return tags
        i = 0
        while i < n:
            hit = 0
            for k in range(min(self.max_gaz, n - i), 0, -1):
                classes = self.gaz.get(tuple(low[i : i + k]))
                if classes and words[i][:1].isupper():
                    for c in classes:
                        tags[i].append("g" + c + "B")
                        for j in range(i + 1, i + k):
                            tags[j].append("g" + c + "I")
                    hit = k
                    break
            i += hit if hit and hit > 1 else 1
        return tags

    def sentence(
        self,
        words: Sequence[str],
        doc: dict[str, set[str]] | None = None,
        clusters: dict[str, tuple[str, ...]] | None = None,
    ) -> list[list[str]]:
        n = len(words)
        low = [w.lower() for w in words]
        per = [self._word(w) for w in words]
        shapes = [short_shape(w) for w in words]
        alpha = [w for w in words if w.isalpha()]
        headline = n > 1 and bool(alpha) and all(not w.islower() for w in alpha)
        gaz = self._gaz_tags(low, words)
        cl = [clusters.get(w, ()) if clusters is not None else () for w in words]
        out: list[list[str]] = []
        for i in range(n):
            f = ["bias", *per[i]]
            if i == 0:
                f.append("BOS")
            if i == n - 1:
                f.append("EOS")
            if headline:
                f.append("head")
            for d in (-2, -1, 1, 2):
                j = i + d
                if 0 <= j < n:
                    f.append(f"lw{d:+d}=" + low[j])
                    f.append(f"ss{d:+d}=" + shapes[j])
                    for c in cl[j]:
                        f.append(f"c{d:+d}{c}")
                    for g in gaz[j]:
                        f.append(f"{g}{d:+d}")
            if i > 0:
                f.append("b-=" + low[i - 1] + "|" + low[i])
            if i + 1 < n:
                f.append("b+=" + low[i] + "|" + low[i + 1])
            for c in cl[i]:
                f.append("c" + c)
            f.extend(gaz[i])
            if doc is not None and words[i][:1].isupper():
                facts = doc.get(low[i])
                if facts:
                    f.extend("d" + x for x in facts)
                if i == 0 or headline:
                    f.append("dini")
            out.append(f)
        return out


def first_pass_features(
    sentences: Sequence[Sequence[str]], labels: Sequence[Sequence[str]]
) -> list[list[list[str]]]:
    """Two-stage features (Krishnan & Manning 2006): what the first pass said here and elsewhere.

    Per token: its first-pass label and its neighbours' ("s1=", "s1-1=", "s1+1="); the type its
    word form most often has inside first-pass entities elsewhere in the document, this
    position left out ("tm="); and, inside a first-pass entity, the type that entity's string
    most often has in the document ("em="). So "Clinton" alone takes the PER of "Bill
    Clinton" three sentences back, and a team named like its city keeps one type per article.
    """
    tok_types: dict[str, Counter[str]] = defaultdict(Counter)
    ent_types: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    spans_of = []
    for sent, labs in zip(sentences, labels, strict=True):
        spans = bio_spans(labs)
        spans_of.append(spans)
        for i, j, t in spans:
            ent_types[tuple(sent[i:j])][t] += 1
            for k in range(i, j):
                tok_types[sent[k]][t] += 1
    out: list[list[list[str]]] = []
    for sent, labs, spans in zip(sentences, labels, spans_of, strict=True):
        n = len(sent)
        feats: list[list[str]] = [[] for _ in range(n)]
        for i in range(n):
            f = feats[i]
            f.append("s1=" + labs[i])
            if i > 0:
                f.append("s1-1=" + labs[i - 1])
            if i + 1 < n:
                f.append("s1+1=" + labs[i + 1])
            c = tok_types.get(sent[i])
            if c:
                own = labs[i][2:] if labs[i] != "O" else ""
                best, count = "", 0
                for t, k in c.items():
                    k -= t == own
                    if k > count:
                        best, count = t, k
                if best:
                    f.append("tm=" + best)
        for i, j, _ in spans:
            c = ent_types[tuple(sent[i:j])]
            em = max(c, key=lambda t: (c[t], t))
            for k in range(i, j):
                feats[k].append("em=" + em)
        out.append(feats)
    return out


# -- clusters ---------------------------------------------------------------------------------
class Clusters:
    """Word -> cluster ids: the nearest k-means centroids of its WordLlama vector, at each of the
    shipped granularities (``centroids``: 256 clusters; ``k64``, ``k1024`` when present)."""

    def __init__(self, path: Path = CLUSTERS_PATH, keys: Sequence[str] | None = None) -> None:
        data = np.load(path)
        self.keys = tuple(keys) if keys is not None else tuple(sorted(data.files))
        self.centroids = [data[k].astype(np.float32) for k in self.keys]
        # feature value prefixes: "=17" for the 256 clusters (the first model's), "64=3" …
        self._prefix = ["=" if k == "centroids" else k[1:] + "=" for k in self.keys]
        self._cache: dict[str, tuple[str, ...]] = {}
        self._encoder: Any = None

    def _encode(self, words: list[str]) -> np.ndarray:
        if self._encoder is None:
            from newsdesk.nlp.embed import WordLlamaEncoder  # lazy: loads the word vectors

            self._encoder = WordLlamaEncoder()
        return self._encoder.encode(words)

    def of(self, words: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Cluster feature values of ``words`` (cached per word form)."""
        words = list(words)
        todo = sorted({w for w in words if w not in self._cache})
        if todo:
            vecs = self._encode(todo)
            # one BLAS thread: these products are small, and threads fighting over a shared
            # machine made them 40x slower in CPU time (0.43 s vs 0.01 s per 100 here)
            with _blas().limit(limits=1, user_api="blas"):
                ids = [np.argmax(vecs @ c.T, axis=1).tolist() for c in self.centroids]
            if len(self._cache) + len(todo) > 500_000:
                self._cache.clear()
            for n, w in enumerate(todo):
                self._cache[w] = tuple(
                    p + str(i[n]) for p, i in zip(self._prefix, ids, strict=True)
                )
        return {w: self._cache[w] for w in words}


@lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    """The process's thread pools, scanned once: ``threadpool_limits`` scans every loaded library
    on each call (0.67 CPU ms; a kept controller's ``limit`` 0.12 ms), and the tagger limits
    BLAS for every text it reads."""
    return ThreadpoolController()


# -- spans ------------------------------------------------------------------------------------
def bio_spans(labels: Sequence[str]) -> list[tuple[int, int, str]]:
    """``(i, j, type)`` token ranges of BIO labels (an I- after another type starts a new one)."""
    out: list[tuple[int, int, str]] = []
    start, typ = -1, ""
    for i, lab in enumerate(labels):
        if lab == "O":
            if start >= 0:
                out.append((start, i, typ))
            start, typ = -1, ""
            continue
        t = lab[2:]
        if lab[0] == "B" or t != typ:
            if start >= 0:
                out.append((start, i, typ))
            start, typ = i, t
    if start >= 0:
        out.append((start, len(labels), typ))
    return out


class EntityTagger:
    """The shipped CRF plus its word clusters; load once per process with :func:`load_tagger`."""

    def __init__(self, model_path: Path = MODEL_PATH, clusters_path: Path = CLUSTERS_PATH) -> None:
        import pycrfsuite

        # the feature set the model was trained with (scripts/train_ner.py writes it beside)
        with open(model_path.with_suffix(".json"), encoding="utf-8") as fh:
            meta = json.load(fh)
        features = meta["features"]
        if features not in FEATURE_SETS:
            raise ValueError(f"{model_path}: unknown feature set {features!r}")
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(model_path))
        # a second pass over the first one's labels (two-stage tagging), when shipped
        self.second = None
        if meta.get("second"):
            self.second = pycrfsuite.Tagger()
            self.second.open(str(model_path.with_name(meta["second"])))
        self.featurizer = Featurizer(
            use_doc=features in ("doc", "full", "multi"),
            use_gaz=features in ("gaz", "doc", "full", "multi"),
        )
        self.clusters = (
            Clusters(clusters_path, CLUSTER_KEYS[features]) if features in CLUSTER_KEYS else None
        )

    def tag_tokens(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """BIO labels for a document given as sentences of word strings."""
        cl = self.clusters.of(w for s in sentences for w in s) if self.clusters else None
        feats = self.featurizer.document(sentences, cl)
        labels = [self.tagger.tag(f) if f else [] for f in feats]
        if self.second is None:
            return labels
        extra = first_pass_features(sentences, labels)
        for f, ex in zip(feats, extra, strict=True):
            for ft, e in zip(f, ex, strict=True):
                ft.extend(e)
        return [self.second.tag(f) if f else [] for f in feats]

    def entities(self, text: str) -> list[Entity]:
        """Entity mentions of ``text`` (sentences split by :func:`newsdesk.nlp.sentences`)."""
        spans: list[list[tuple[int, int]]] = []
        for s, e in sentence_spans(text):
            toks = tokenize(text, s, e)
            if toks:
                spans.append(toks)
        words = [[text[s:e] for s, e in toks] for toks in spans]
        out: list[Entity] = []
        for toks, labels in zip(spans, self.tag_tokens(words), strict=True):
            for i, j, typ in bio_spans(labels):
                s, e = toks[i][0], toks[j - 1][1]
                out.append(Entity(s, e, typ, " ".join(text[s:e].split())))
        return out


@lru_cache(maxsize=1)
def load_tagger() -> EntityTagger:
    return EntityTagger()


def entities(text: str, tagger: EntityTagger | None = None) -> list[Entity]:
    """Entity mentions of ``text`` with the shipped tagger."""
    return (tagger or load_tagger()).entities(text)
