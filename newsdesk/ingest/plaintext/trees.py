"""Gradient-boosted trees read from plain JSON, scored with numpy (no pickle, no sklearn at run time).

``scripts/train_cleaner.py`` fits scikit-learn's ``HistGradientBoostingClassifier`` and writes
every tree's nodes as flat lists: ``feature``, ``threshold`` (go left when ``x <= threshold``),
``left``/``right`` child indices (a leaf points at itself) and ``value`` (the leaf's raw score),
all trees one after the other, ``roots`` where each starts, and ``depth`` (the deepest path).

Hand-written rather than loading the sklearn object: a pickle ties the shipped model to one
sklearn version and runs code on load. Scoring walks all trees at once, one numpy step per
level, so a page of a few hundred lines costs well under a millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(slots=True)
class Trees:
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    depth: int
    base: float

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Trees:
        return cls(
            np.asarray(d["feature"], dtype=np.intp),
            np.asarray(d["threshold"], dtype=np.float64),
            np.asarray(d["left"], dtype=np.intp),
            np.asarray(d["right"], dtype=np.intp),
            np.asarray(d["value"], dtype=np.float64),
            np.asarray(d["roots"], dtype=np.intp),
            int(d["depth"]),
            float(d["base"]),
        )

    def raw(self, x: np.ndarray) -> np.ndarray:
        """The summed raw scores (log-odds) of every row of ``x``."""
        n = len(x)
        if n == 0:
            return np.zeros(0)
        node = np.broadcast_to(self.roots, (n, len(self.roots))).copy()
        rows = np.arange(n)[:, None]
        for _ in range(self.depth):
            go_left = x[rows, self.feature[node]] <= self.threshold[node]
            node = np.where(go_left, self.left[node], self.right[node])
        return self.value[node].sum(axis=1) + self.base

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Probability of the positive class for every row of ``x``."""
        return 1.0 / (1.0 + np.exp(-np.clip(self.raw(x), -30, 30)))


def trees_to_json(model: Any) -> dict[str, Any]:
    """The flat JSON form of a fitted binary ``HistGradientBoostingClassifier``."""
    feature: list[int] = []
    threshold: list[float] = []
    left: list[int] = []
    right: list[int] = []
    value: list[float] = []
    roots: list[int] = []
    depth = 0
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        off = len(feature)
        roots.append(off)
        for k, nd in enumerate(nodes):
            if nd["is_leaf"]:
                feature.append(0)
                threshold.append(0.0)
                left.append(off + k)
                right.append(off + k)
                value.append(round(float(nd["value"]), 6))
            else:
                feature.append(int(nd["feature_idx"]))
                threshold.append(float(nd["num_threshold"]))
                left.append(off + int(nd["left"]))
                right.append(off + int(nd["right"]))
                value.append(0.0)
            depth = max(depth, int(nd["depth"]))
    return {
        "kind": "trees",
        "feature": feature,
        "threshold": threshold,
        "left": left,
        "right": right,
        "value": value,
        "roots": roots,
        "depth": depth,
        "base": float(np.ravel(model._baseline_prediction)[0]),
    }
