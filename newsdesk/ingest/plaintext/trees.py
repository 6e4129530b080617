"""Gradient-boosted trees read from plain JSON, scored with numpy (no pickle, no sklearn at run time).

``scripts/train_cleaner.py`` fits scikit-learn's ``HistGradientBoostingClassifier`` and writes
every tree's nodes as flat lists: ``feature``, ``threshold`` (go left when ``x <= threshold``),
``left``/``right`` child indices (a leaf points at itself) and ``value`` (the leaf's raw score),
all trees one after the other, ``roots`` where each starts, and ``depth`` (the deepest path).

Hand-written rather than loading the sklearn object: a pickle ties the shipped model to one
sklearn version and runs code on load. Scoring walks all trees at once, one numpy step per
level over the (tree, row) pairs not yet at a leaf (the trees are up to 17 levels deep but
most paths end after a few), so a page of a few hundred lines costs well under a millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    child: np.ndarray = field(init=False)  # left and right child of node k at 2k, 2k + 1
    leaf: np.ndarray = field(init=False)  # node k is a leaf

    def __post_init__(self) -> None:
        self.child = np.stack([self.left, self.right], axis=1).ravel()
        self.leaf = self.left == np.arange(len(self.left))

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
        n_trees = len(self.roots)
        flat = np.ascontiguousarray(x, dtype=np.float64).ravel()
        node = np.tile(self.roots, n)  # row-major: (row, tree)
        row_at = np.repeat(np.arange(n) * x.shape[1], n_trees)  # each pair's row in ``flat``
        active = np.arange(len(node))
        for _ in range(self.depth):
            nd = node[active]
            go_right = flat[row_at[active] + self.feature[nd]] > self.threshold[nd]
            nd = self.child[2 * nd + go_right]
            node[active] = nd
            active = active[~self.leaf[nd]]
            if not len(active):
                break
        return self.value[node].reshape(n, n_trees).sum(axis=1) + self.base

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
