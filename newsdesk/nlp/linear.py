"""Linear models over standardised features: the one logistic scorer every trained model shares.

A model file stores ``mean``, ``scale`` and ``weights`` (plus an optional ``intercept``) as
plain JSON lists, never a pickle; :class:`Linear` turns a feature matrix into log-odds
(:meth:`Linear.decision`) or probabilities (:meth:`Linear.proba`). Fitting happens in the
training scripts (scikit-learn); only the arithmetic ships here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class Linear:
    """``((X - mean) / scale) @ weights + intercept``: log-odds of a logistic model."""

    weights: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    intercept: float = 0.0

    def decision(self, X: np.ndarray) -> np.ndarray:
        z = ((X - self.mean) / self.scale) @ self.weights
        return z + self.intercept if self.intercept else z

    def proba(self, X: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(self.decision(X), -30.0, 30.0)))

    def to_json(self) -> dict[str, Any]:
        return {
            "weights": [float(w) for w in self.weights],
            "mean": [float(m) for m in self.mean],
            "scale": [float(s) for s in self.scale],
            "intercept": float(self.intercept),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], dtype: Any = np.float32) -> Linear:
        return cls(
            weights=np.asarray(data["weights"], dtype=dtype),
            mean=np.asarray(data["mean"], dtype=dtype),
            scale=np.asarray(data["scale"], dtype=dtype),
            intercept=float(data.get("intercept", 0.0)),
        )

    @classmethod
    def of(cls, weights: Sequence[float], dtype: Any = np.float32) -> Linear:
        """Unstandardised weights (mean 0, scale 1): a hand-set model."""
        d = len(weights)
        return cls(
            np.asarray(weights, dtype=dtype), np.zeros(d, dtype=dtype), np.ones(d, dtype=dtype)
        )
