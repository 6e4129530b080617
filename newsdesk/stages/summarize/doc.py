"""What the summarizers read: a document's sentences and their words, and how long a summary is."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from newsdesk.models import Span
from newsdesk.nlp.embed import get_encoder
from newsdesk.nlp.sentences import sentence_spans
from newsdesk.nlp.tokens import PLAIN_WORD

DEFAULT_SENTENCES = 3


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
            self._tokens = [PLAIN_WORD.findall(s) for s in self.strings]
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
