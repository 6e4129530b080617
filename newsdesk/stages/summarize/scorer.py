"""The newsdesk summarizer's sentence scorer: a logistic model over :data:`FEATURES`.

Trained by ``scripts/train_summarizer.py`` and shipped as ``newsdesk/resources/summarizer.json``;
without that file the hand-set :data:`_FALLBACK` weights apply.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from newsdesk import resources
from newsdesk.nlp.linear import Linear
from newsdesk.stages.summarize.features import FEATURES

log = logging.getLogger(__name__)

MODEL_FILE = resources.path("summarizer.json")

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
        return Linear(self.weights, self.mean, self.scale).decision(X)

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
