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
    blocked: np.ndarray | None = None,
) -> list[int]:
    """Greedy MMR: best score minus ``redundancy`` × the max cosine to sentences already chosen.

    ``V`` holds unit sentence vectors. Sentences closer than ``duplicate`` (cosine) to a chosen
    one are skipped while others remain, and so are those ``blocked[i]`` marks for a chosen
    ``i`` (a square boolean matrix: pairs that may not both be chosen); with ``strict`` they are
    never chosen (fewer than ``k`` come back instead). Returns the chosen indices in the order
    they were picked.
    """
    chosen: list[int] = []
    maxsim = np.zeros(len(scores), dtype=np.float32)
    clash = np.zeros(len(scores), dtype=bool)
    avail = allowed.copy()
    for _ in range(k):
        ok = avail & (maxsim < duplicate) & ~clash
        if not ok.any() and not strict:
            ok = avail
        if not ok.any():
            break
        gain = np.where(ok, scores - redundancy * maxsim, -np.inf)
        i = int(np.argmax(gain))
        chosen.append(i)
        avail[i] = False
        maxsim = np.maximum(maxsim, V @ V[i])
        if blocked is not None:
            clash |= blocked[i]
    return chosen
