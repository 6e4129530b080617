"""Average-link grouping of a batch beside fixed earlier stories."""

from __future__ import annotations

import numpy as np


def average_link(margins: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Greedy average-link clustering of a batch's articles, beside fixed earlier stories.

    ``margins`` is (m, m + s): row i is article i's score minus its join threshold against
    every article of the batch (columns < m, symmetric) and every candidate story (columns
    >= m, of ``sizes[m + j]`` members each). The closest pair of groups (or a group and a story)
    is joined while its margin, averaged over all member pairs (UPGMA, Lance-Williams update),
    is >= 0; stories are never joined to each other here (see the merge step). Returns each
    article's group (the lowest article index in it) and, per group, the story column it
    joined (-1: a new story). ``margins`` is overwritten.
    Hand-written: scipy's linkage has no fixed clusters and no rectangular form, and sklearn's
    needs the whole square matrix of stories too.
    """
    m = margins.shape[0]
    group = np.arange(m)
    joined = np.full(m, -1)
    if m == 0:
        return group, joined
    M = margins
    size = sizes.astype(np.float64, copy=True)
    best = M.max(axis=1)
    arg = M.argmax(axis=1)
    while True:
        r = int(np.argmax(best))
        if not best[r] >= 0:
            break
        c = int(arg[r])
        if c < m:  # two groups of new articles: b goes into a
            a, b = min(r, c), max(r, c)
            row = (size[a] * M[a] + size[b] * M[b]) / (size[a] + size[b])
            M[a] = row
            M[:, a] = row[:m]
            M[b] = -np.inf
            M[:, b] = -np.inf
            M[a, a] = -np.inf
            size[a] += size[b]
            group[group == b] = a
            changed, gone = a, b
        else:  # a group joins a story
            M[:, c] = (size[r] * M[:, r] + size[c] * M[:, c]) / (size[r] + size[c])
            M[r] = -np.inf
            M[:, r] = -np.inf
            size[c] += size[r]
            joined[r] = c
            changed, gone = c, r
        best[gone] = -np.inf
        stale = (arg == changed) | (arg == gone)
        stale[gone] = False
        if c < m:
            stale[changed] = True
        for x in np.flatnonzero(stale):
            arg[x] = int(np.argmax(M[x]))
            best[x] = M[x, arg[x]]
        up = M[:, changed] > best
        best[up] = M[up, changed]
        arg[up] = changed
    return group, joined
