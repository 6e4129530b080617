"""Maximal marginal relevance: pick high-scoring sentences that do not repeat each other."""

from __future__ import annotations

import numpy as np


def mmr(
    scores: np.ndarray,
    V: np.ndarray,
    k: int,
    redundancy: float,
    allowed: np.ndarray,
    duplicate: float = 1.01,
    strict: bool = False,
) -> list[int]:
    """Greedy MMR: best score minus ``redundancy`` × the max cosine to sentences already chosen.

    ``V`` holds unit sentence vectors. Sentences closer than ``duplicate`` (cosine) to a chosen
    one are skipped while others remain; with ``strict`` they are never chosen (fewer than
    ``k`` come back instead). Returns the chosen indices in the order they were picked.
    """
    chosen: list[int] = []
    maxsim = np.zeros(len(scores), dtype=np.float32)
    avail = allowed.copy()
    for _ in range(k):
        ok = avail & (maxsim < duplicate)
        if not ok.any() and not strict:
            ok = avail
        if not ok.any():
            break
        gain = np.where(ok, scores - redundancy * maxsim, -np.inf)
        i = int(np.argmax(gain))
        chosen.append(i)
        avail[i] = False
        maxsim = np.maximum(maxsim, V @ V[i])
    return chosen
