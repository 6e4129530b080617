"""Near-duplicate detection (syndicated copies, small edits) with MinHash LSH (datasketch).

Each article's body becomes a set of word 5-shingles; its MinHash signature (128 permutations)
is stored beside the article, and an in-memory LSH index over all stored signatures answers
"is there an earlier article whose estimated Jaccard similarity is above the threshold?".
The index is rebuilt from the stored signatures when an ingest starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
from datasketch import MinHash, MinHashLSH

from newsdesk.nlp.tokens import word_count, words

if TYPE_CHECKING:
    from newsdesk.store import Store

NUM_PERM = 128
SHINGLE = 5  # words; 5-word shingles keep common phrases from matching unrelated articles
MIN_WORDS = 20
SCHEME = "affine32"  # datasketch's hashing scheme; stored signatures must be read back with it  # below this, a shingle set is too small for a meaningful similarity


def signature(text: str) -> MinHash:
    tokens = [w.lower() for w in words(text)]
    if len(tokens) < SHINGLE:
        shingles = {" ".join(tokens)}
    else:
        shingles = {" ".join(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}
    m = MinHash(num_perm=NUM_PERM, scheme=SCHEME)
    m.update_batch([s.encode("utf-8") for s in shingles])
    return m


def _to_hex(m: MinHash) -> str:
    return m.hashvalues.astype("<u4").tobytes().hex()


def _from_hex(s: str) -> MinHash:
    values = np.frombuffer(bytes.fromhex(s), dtype="<u4").astype(np.uint32)
    return MinHash(num_perm=NUM_PERM, hashvalues=values, scheme=SCHEME)


class NearDuplicateIndex:
    """LSH over the signatures of every stored article."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.signatures: dict[str, MinHash] = {}

    @classmethod
    def load(cls, store: Store, threshold: float) -> NearDuplicateIndex:
        index = cls(threshold)
        index.add_all((k, _from_hex(v)) for k, v in store.iter_minhashes())
        return index

    def add_all(self, items: Iterable[tuple[str, MinHash]]) -> None:
        with self.lsh.insertion_session() as session:
            for key, m in items:
                if key not in self.signatures:
                    session.insert(key, m)
                    self.signatures[key] = m

    def original_of(self, m: MinHash, exclude: str | None = None) -> str | None:
        """The most similar indexed article above the threshold, if any."""
        best, best_sim = None, self.threshold
        for key in self.lsh.query(m):
            if key == exclude:
                continue
            sim = m.jaccard(self.signatures[key])
            if sim >= best_sim:
                best, best_sim = key, sim
        return best

    def begin(self) -> PendingBatch:
        return PendingBatch(self)


class PendingBatch:
    """Signatures of a batch being written; added to the index only after the commit."""

    def __init__(self, index: NearDuplicateIndex) -> None:
        self.index = index
        self.items: list[tuple[str, MinHash]] = []

    def check(self, article_id: str, text: str) -> tuple[str | None, str]:
        """(id of the original this article duplicates, or None; the signature to store)."""
        m = signature(text)
        original = None
        if word_count(text) >= MIN_WORDS:
            original = self.index.original_of(m, exclude=article_id)
            if original is None:
                for key, other in self.items:
                    if key != article_id and m.jaccard(other) >= self.index.threshold:
                        original = key
                        break
        self.items.append((article_id, m))
        return original, _to_hex(m)

    def commit(self) -> None:
        """Add the batch's signatures to the index; a revised article's replaces its old one
        (the last, when one batch revised it twice)."""
        latest = dict(self.items)
        for key in latest:
            if key in self.index.signatures:
                self.index.lsh.remove(key)
                del self.index.signatures[key]
        self.index.add_all(latest.items())
