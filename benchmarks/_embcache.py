"""An embedding cache for benchmarks: each encoder's vectors of the shared sets, computed once.

The machine is shared and the multilingual encoders run at a few texts per CPU-second, so the
benchmarks wrap each encoder in :class:`CachedEncoder`: vectors are keyed by the SHA-1 of the
exact input text and kept in ``$NEWSDESK_EMBED_CACHE/<encoder>.npz`` (default
``/tmp/stories/emb``). A cached vector is the encoder's own output for that text, so results
are the same as without the cache; only time is saved.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

CACHE = Path(os.environ.get("NEWSDESK_EMBED_CACHE", "/tmp/stories/emb"))


class CachedEncoder:
    """An :class:`newsdesk.nlp.embed.Encoder` that remembers every vector it computed."""

    def __init__(self, encoder: Any) -> None:
        self.inner = encoder
        self.name = encoder.name
        self.dim = encoder.dim
        self.multilingual = getattr(encoder, "multilingual", False)
        self.path = CACHE / f"{self.name}.npz"
        self.vectors: dict[str, np.ndarray] = {}
        self.dirty = 0
        if self.path.exists():
            with np.load(self.path) as z:
                for k, v in zip(z["keys"], z["vectors"], strict=True):
                    self.vectors[str(k)] = v
        self.cpu_seconds = 0.0  # time spent encoding texts not in the cache
        self.encoded = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import time

        keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
        todo = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in self.vectors}.items()
        )
        if todo:
            t0 = time.process_time()
            V = self.inner.encode([t for _, t in todo])
            self.cpu_seconds += time.process_time() - t0
            self.encoded += len(todo)
            for (k, _), v in zip(todo, V, strict=True):
                self.vectors[k] = np.asarray(v, np.float32)
            self.dirty += len(todo)
            if self.dirty >= 256:
                self.save()
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([self.vectors[k] for k in keys]).astype(np.float32)

    def save(self) -> None:
        if not self.dirty:
            return
        CACHE.mkdir(parents=True, exist_ok=True)
        keys = np.array(sorted(self.vectors))
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vectors=np.stack([self.vectors[k] for k in keys]))
        tmp.replace(self.path)
        self.dirty = 0


_ENCODERS: dict[str, CachedEncoder] = {}


def cached(name: str) -> CachedEncoder:
    """The cached encoder ``name`` (one per process)."""
    if name not in _ENCODERS:
        from newsdesk.nlp.embed import get_encoder

        _ENCODERS[name] = CachedEncoder(get_encoder(name))
    return _ENCODERS[name]


def save_all() -> None:
    for enc in _ENCODERS.values():
        enc.save()
