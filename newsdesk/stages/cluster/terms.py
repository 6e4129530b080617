"""The sparse side of the clusterer: a growing vocabulary with online document frequencies.

An article's bag (:func:`newsdesk.stages.cluster.features.bag`: content words, "e:" proper
nouns, "n:" numbers, "t:" headline words) becomes unit TF-IDF vectors of its body and of its
headline; a story keeps the sums of its members' vectors (:func:`add_sparse`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

CENTROID_TERMS = 1000  # terms kept in a story's sparse sums (the strongest)
ENTITY_WEIGHT = 1.0  # weight of a proper-noun term in the sparse vector
NUMBER_WEIGHT = 1.0


def add_sparse(
    ids: np.ndarray, sums: np.ndarray, more_ids: np.ndarray, more: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The sum of two sparse vectors (sorted unique ids, values), keeping the CENTROID_TERMS
    strongest. The new ids are inserted where they sort (no set union: a story's sums take
    one article at a time, and np.union1d re-sorted the whole story each time)."""
    pos = np.searchsorted(ids, more_ids)
    hit = np.zeros(len(more_ids), bool)
    inside = pos < len(ids)
    hit[inside] = ids[pos[inside]] == more_ids[inside]
    new = ~hit
    u = np.insert(ids, pos[new], more_ids[new])
    merged = np.insert(np.asarray(sums, np.float64), pos[new], 0.0)
    # where each of more_ids sits now: its old place plus the new ids inserted before it
    merged[pos + np.cumsum(new) - new] += more
    if len(u) > 2 * CENTROID_TERMS:  # keep the strongest terms (ties: older ids first)
        keep = np.sort(np.lexsort((u, -merged))[:CENTROID_TERMS])
        u, merged = u[keep], merged[keep]
    return u, merged


@dataclass(slots=True)
class Features:
    """One article's sparse features: term ids with unit TF-IDF weights, body and headline."""

    ids: np.ndarray
    w: np.ndarray
    tids: np.ndarray
    wt: np.ndarray
    ents: int  # how many proper nouns
    xids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # cross-language
    wx: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float64))
    xents: int = 0  # how many cross-language name keys


class Terms:
    """The vocabulary, which terms are proper nouns or headline words, and document frequencies."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.is_entity = np.zeros(1024, dtype=bool)
        self.is_title = np.zeros(1024, dtype=bool)
        self.is_xname = np.zeros(1024, dtype=bool)  # "x:" name keys
        self.is_cross = np.zeros(1024, dtype=bool)  # "x:" name keys and "n:" numbers
        self.df = np.zeros(1024, dtype=np.float64)
        self.docs = 0  # articles counted in df

    def encode_bag(self, b: Counter[str]) -> tuple[np.ndarray, np.ndarray]:
        ids, tfs = [], []
        for term, count in b.items():
            i = self.vocab.get(term)
            if i is None:
                i = len(self.vocab)
                self.vocab[term] = i
                if i >= len(self.df):
                    grow = len(self.df)
                    self.df = np.concatenate([self.df, np.zeros(grow)])
                    self.is_entity = np.concatenate([self.is_entity, np.zeros(grow, bool)])
                    self.is_title = np.concatenate([self.is_title, np.zeros(grow, bool)])
                    self.is_xname = np.concatenate([self.is_xname, np.zeros(grow, bool)])
                    self.is_cross = np.concatenate([self.is_cross, np.zeros(grow, bool)])
                self.is_entity[i] = term.startswith("e:")
                self.is_title[i] = term.startswith("t:")
                self.is_xname[i] = term.startswith("x:")
                self.is_cross[i] = self.is_xname[i] or term.startswith("n:")
            weight = (
                ENTITY_WEIGHT
                if term.startswith("e:")
                else NUMBER_WEIGHT
                if term.startswith("n:")
                else 1.0
            )
            ids.append(i)
            tfs.append(weight * (1.0 + math.log(count)))
        order = np.argsort(np.asarray(ids, dtype=np.int64), kind="stable")
        return (
            np.asarray(ids, dtype=np.int64)[order],
            np.asarray(tfs, dtype=np.float64)[order],
        )

    def featurize(self, bags: Sequence[Counter[str]]) -> list[Features]:
        """Unit TF-IDF vectors of articles (body, headline, cross-language names and numbers).
        Document frequencies count the whole batch first, so within a batch the features do not
        depend on the order."""
        encoded = [self.encode_bag(b) for b in bags]
        for ids, _ in encoded:
            self.df[ids] += 1.0
        self.docs += len(encoded)
        out = []
        for all_ids, tfs in encoded:
            idf = np.log((self.docs + 1.0) / (self.df[all_ids] + 1.0)) + 1.0
            head = self.is_title[all_ids]
            xname = self.is_xname[all_ids]
            parts = []
            for mask in (~head & ~xname, head, self.is_cross[all_ids]):
                w = tfs[mask] * idf[mask]
                parts += [all_ids[mask], w / (float(np.linalg.norm(w)) or 1.0)]
            ents = int(self.is_entity[parts[0]].sum())
            xents = int(self.is_xname[parts[4]].sum())
            out.append(
                Features(parts[0], parts[1], parts[2], parts[3], ents, parts[4], parts[5], xents)
            )
        return out

    def csr(self, rows: Sequence[tuple[np.ndarray, np.ndarray | None]]) -> Any:
        """A sparse matrix over the vocabulary, one row per (term ids, weights or None = 1)."""
        from scipy.sparse import csr_matrix

        lengths = [len(ids) for ids, _ in rows]
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        if not rows or not indptr[-1]:
            return csr_matrix((len(rows), len(self.vocab)), dtype=np.float32)
        indices = np.concatenate([ids for ids, _ in rows])
        data = np.concatenate([np.ones(len(ids)) if w is None else w for ids, w in rows]).astype(
            np.float32
        )
        return csr_matrix((data, indices, indptr), shape=(len(rows), len(self.vocab)))

    def matrices(self, rows: Sequence[Sequence[np.ndarray]]) -> tuple[Any, Any, Any, Any, Any]:
        """Body TF-IDF, headline TF-IDF, proper-noun (0/1), cross-language TF-IDF and name-key
        (0/1) rows, from (ids, w, tids, wt, xids, wx) of articles or the sums of stories."""
        body = self.csr([(r[0], r[1]) for r in rows])
        head = self.csr([(r[2], r[3]) for r in rows])
        cross = self.csr([(r[4], r[5]) for r in rows])
        xnames = self.csr([(r[4][self.is_xname[r[4]]], None) for r in rows])
        return body, head, self.entities([r[0] for r in rows]), cross, xnames

    def entities(self, term_ids: Sequence[np.ndarray]) -> Any:
        return self.csr([(ids[self.is_entity[ids]], None) for ids in term_ids])
