"""Gradient-boosted trees read from plain JSON, scored with numpy (no pickle, no sklearn at run time).

``scripts/train_cleaner.py`` fits scikit-learn's ``HistGradientBoostingClassifier`` and writes
every tree's nodes as flat lists: ``feature``, ``threshold`` (go left when ``x <= threshold``),
``left``/``right`` child indices (a leaf points at itself) and ``value`` (the leaf's raw score),
all trees one after the other, ``roots`` where each starts, and ``depth`` (the deepest path).

Hand-written rather than loading the sklearn object: a pickle ties the shipped model to one
sklearn version and runs code on load.

Two ways to score, the same numbers (to 1e-12): the training script also writes the trees as
an ONNX ``TreeEnsemble`` graph (``onnx``: base64 of the model bytes), which onnxruntime (already
a dependency, for the story encoders) scores in compiled code, 3.6x faster than numpy on these
pages (0.87 vs 3.2 CPU ms per page for both passes); a model without that form (an older one, or
one made by hand) is walked with numpy: all trees at once, one step per level over the
(tree, row) pairs not yet at a leaf. The ONNX form is made at training time, not at load: the
``onnx`` package that builds it takes a second to import.
"""

from __future__ import annotations

import base64
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
    onnx: bytes | None = None  # the same trees as an ONNX model (see the module docstring)
    child: np.ndarray = field(init=False)  # left and right child of node k at 2k, 2k + 1
    leaf: np.ndarray = field(init=False)  # node k is a leaf
    session: Any = field(init=False, default=None, repr=False)  # onnxruntime, when ``onnx``

    def __post_init__(self) -> None:
        self.child = np.stack([self.left, self.right], axis=1).ravel()
        self.leaf = self.left == np.arange(len(self.left))
        if self.onnx is not None:
            self.session = _session(self.onnx)

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
            base64.b64decode(d["onnx"]) if d.get("onnx") else None,
        )

    def raw(self, x: np.ndarray) -> np.ndarray:
        """The summed raw scores (log-odds) of every row of ``x``."""
        n = len(x)
        if n == 0:
            return np.zeros(0)
        if self.session is not None:
            x = np.ascontiguousarray(x, dtype=np.float64)
            return self.session.run(None, {"X": x})[0][:, 0] + self.base
        return self.walk(x)

    def walk(self, x: np.ndarray) -> np.ndarray:
        """:meth:`raw` with numpy, level by level (the scorer of a model without ONNX form)."""
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


def _session(model: bytes) -> Any:
    """An onnxruntime session on one thread (the cleaner runs in each ingest worker)."""
    import onnxruntime as ort  # lazy: 0.1 s to import, and only a model with ONNX form needs it

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])


def trees_to_onnx(d: dict[str, Any]) -> bytes:
    """The trees of a :func:`trees_to_json` dict as an ONNX ``TreeEnsemble`` (ai.onnx.ml 5)
    model, input ``X`` (rows x features, float64), output ``Y`` (the summed leaf values, without
    ``base``). Needs the ``onnx`` package (the ``bench`` extra: training only)."""
    import onnx  # lazy: training-time dependency, a second to import
    from onnx import TensorProto, helper, numpy_helper

    left, right = np.asarray(d["left"]), np.asarray(d["right"])
    feature = np.asarray(d["feature"], dtype=np.int64)
    threshold = np.asarray(d["threshold"], dtype=np.float64)
    roots = np.asarray(d["roots"])
    leaf = left == np.arange(len(left))
    # A TreeEnsemble tree starts at an interior node: a tree that is one leaf gets a split on
    # feature 0 whose both sides are that leaf.
    for r in roots[leaf[roots]]:
        k = len(left)
        left, right = np.append(left, r), np.append(right, r)
        feature, threshold = np.append(feature, 0), np.append(threshold, 0.0)
        leaf = np.append(leaf, False)
        roots = np.where(roots == r, k, roots)
    inner = np.flatnonzero(~leaf)  # ONNX numbers interior nodes and leaves separately
    leaves = np.flatnonzero(leaf)
    number = np.empty(len(left), dtype=np.int64)
    number[inner] = np.arange(len(inner))
    number[leaves] = np.arange(len(leaves))
    value = np.asarray(d["value"], dtype=np.float64)[leaves]
    feature, threshold = feature[inner], threshold[inner]
    node = helper.make_node(
        "TreeEnsemble",
        ["X"],
        ["Y"],
        domain="ai.onnx.ml",
        n_targets=1,
        aggregate_function=1,  # sum
        post_transform=0,  # none
        tree_roots=number[roots].tolist(),
        nodes_featureids=feature.tolist(),
        nodes_splits=numpy_helper.from_array(threshold),
        nodes_modes=numpy_helper.from_array(np.zeros(len(inner), dtype=np.uint8)),  # x <= split
        nodes_truenodeids=number[left[inner]].tolist(),
        nodes_trueleafs=leaf[left[inner]].astype(np.int64).tolist(),
        nodes_falsenodeids=number[right[inner]].tolist(),
        nodes_falseleafs=leaf[right[inner]].astype(np.int64).tolist(),
        leaf_targetids=[0] * len(leaves),
        leaf_weights=numpy_helper.from_array(value),
    )
    graph = helper.make_graph(
        [node],
        "cleaner_trees",
        [helper.make_tensor_value_info("X", TensorProto.DOUBLE, [None, None])],
        [helper.make_tensor_value_info("Y", TensorProto.DOUBLE, [None, 1])],
    )
    opsets = [helper.make_opsetid("", 21), helper.make_opsetid("ai.onnx.ml", 5)]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="newsdesk")
    onnx.checker.check_model(model)
    return model.SerializeToString()


def with_onnx(d: dict[str, Any]) -> dict[str, Any]:
    """``d`` (a :func:`trees_to_json` dict) with its ONNX form added."""
    return {**d, "onnx": base64.b64encode(trees_to_onnx(d)).decode("ascii")}


def trees_to_json(model: Any) -> dict[str, Any]:
    """The flat JSON form of a fitted binary ``HistGradientBoostingClassifier`` (with its ONNX
    form)."""
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
    return with_onnx(
        {
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
    )
