"""Near-duplicate detection (syndicated copies, small edits) with MinHash LSH (datasketch).

Each article's body becomes a set of word 5-shingles; its MinHash signature (128 permutations)
is stored beside the article, with one key per LSH band (``article_lsh``), and a lookup answers
"is there an earlier article whose estimated Jaccard similarity is above the threshold?" from
the articles sharing a band with the new one. datasketch computes the signatures and chooses
the banding for the threshold; its ``MinHashLSH`` keeps the bands in memory (or in Redis or
Cassandra), which meant loading every stored signature when an ingest started (1.5 CPU-s and
18 MB at 3k articles, so minutes and gigabytes at 1M), hence the bands kept in the store here.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import numpy as np
from datasketch import MinHash, MinHashLSH

from newsdesk.nlp.tokens import word_count, words

if TYPE_CHECKING:
    from sqlalchemy import Connection

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


def _values_of(s: str) -> np.ndarray:
    return np.frombuffer(bytes.fromhex(s), dtype="<u4").astype(np.uint32)


def _from_hex(s: str) -> MinHash:
    values = np.frombuffer(bytes.fromhex(s), dtype="<u4").astype(np.uint32)
    return MinHash(num_perm=NUM_PERM, hashvalues=values, scheme=SCHEME)


class NearDuplicateIndex:
    """MinHash LSH over the signatures of every stored article, its bands in the store."""

    def __init__(self, store: Store, threshold: float) -> None:
        self.store = store
        self.threshold = threshold
        banding = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)  # datasketch's choice
        self.bands, self.band_rows = int(banding.b), int(banding.r)
        self._values: dict[str, np.ndarray] = {}  # candidates' hash values, once read

    @classmethod
    def load(cls, store: Store, threshold: float) -> NearDuplicateIndex:
        """The index of ``store``; band keys made for stored signatures that have none (a store
        from before they were kept, or made for another threshold's banding)."""
        index = cls(store, threshold)
        banding = (index.bands, index.band_rows)
        with store.connect() as conn:
            if store.lsh_banding(conn) == banding:
                return index
        with store.begin() as conn:
            if store.lsh_banding(conn) != banding:  # (another writer may have made them)
                store.reset_lsh(conn, index.bands, index.band_rows)
                rows: list[tuple[str, int]] = []
                for key, sig in store.iter_minhashes():
                    rows += [(key, k) for k in index.band_keys(_from_hex(sig))]
                    if len(rows) >= 50_000:
                        store.set_lsh_bands(conn, rows)
                        rows = []
                store.set_lsh_bands(conn, rows)
        return index

    def band_keys(self, m: MinHash) -> list[int]:
        """One 64-bit key per band: a hash of the band's number and its hash values."""
        values = m.hashvalues.astype("<u4")
        r = self.band_rows
        return [
            int.from_bytes(
                hashlib.blake2b(
                    bytes([b]) + values[b * r : (b + 1) * r].tobytes(), digest_size=8
                ).digest(),
                "little",
                signed=True,
            )
            for b in range(self.bands)
        ]

    def original_of(self, conn: Connection, m: MinHash, exclude: str | None = None) -> str | None:
        """The most similar stored article at or above the threshold, if any (ties: the
        smallest id). Candidates' hash values are kept once read (many copies of one text share
        every band, and each new copy compares against all of them)."""
        ids = sorted(self.store.lsh_candidates(conn, self.band_keys(m)) - {exclude})
        missing = [i for i in ids if i not in self._values]
        if missing:
            if len(self._values) > 200_000:
                self._values.clear()
            for key, sig in self.store.minhashes(conn, missing).items():
                self._values[key] = _values_of(sig)
        ids = [i for i in ids if i in self._values]
        if not ids:
            return None
        # MinHash.jaccard (the share of equal hash values), for every candidate at once
        sims = np.count_nonzero(np.stack([self._values[i] for i in ids]) == m.hashvalues, axis=1)
        best = int(np.argmax(sims))
        return ids[best] if sims[best] / NUM_PERM >= self.threshold else None

    def begin(self, conn: Connection) -> PendingBatch:
        return PendingBatch(self, conn)


class PendingBatch:
    """Signatures of a batch being written in transaction ``conn``."""

    def __init__(self, index: NearDuplicateIndex, conn: Connection) -> None:
        self.index = index
        self.conn = conn
        self.items: list[tuple[str, MinHash]] = []

    def check(self, article_id: str, text: str) -> tuple[str | None, str]:
        """(id of the original this article duplicates, or None; the signature to store)."""
        m = signature(text)
        original = None
        if word_count(text) >= MIN_WORDS:
            original = self.index.original_of(self.conn, m, exclude=article_id)
            if original is None:
                for key, other in self.items:
                    if key != article_id and m.jaccard(other) >= self.index.threshold:
                        original = key
                        break
        self.items.append((article_id, m))
        return original, _to_hex(m)

    def write(self) -> None:
        """Store the batch's band keys, in its transaction, once its signatures are stored; a
        revised article's replace its old ones (the last, when one batch revised it twice)."""
        latest = dict(self.items)
        rows = [(key, k) for key, m in latest.items() for k in self.index.band_keys(m)]
        self.index.store.set_lsh_bands(self.conn, rows)
        for key in latest:  # a revised article's values are read again, once stored
            self.index._values.pop(key, None)
