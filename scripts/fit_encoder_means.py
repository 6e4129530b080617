"""Fit each encoder's mean embedding; write newsdesk/resources/encoder_means.json.

The story clusterer subtracts each language's running mean from the embeddings (the shared
direction every text has; removing it lifted cross-language pair recall on mmds2025). A store
that holds only a few articles of a language has no reliable mean yet, so the running mean
starts from this prior: the mean unit embedding of title + lead over the shared story sets
(allsides-stories, googlenews-ts, mmds2025-clustering; each set weighted equally), renormalised
only by the clusterer. It is a statistic of the training sets (384 or 512 numbers per
encoder), not their text.

Usage:  python scripts/fit_encoder_means.py [--data ../shared/data] [--encoders wordllama,e5,use,minilm]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _embcache import cached, save_all  # noqa: E402
from stories import load_allsides, load_googlenews, load_mmds  # noqa: E402

from newsdesk.nlp.embed import MEANS_FILE, embed_text  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--encoders", default="wordllama,e5,use,minilm")
    ap.add_argument("--out", type=Path, default=MEANS_FILE)
    args = ap.parse_args()
    sets = [
        load_allsides(args.data / "allsides-stories"),
        load_googlenews(args.data / "googlenews-ts"),
        load_mmds(args.data / "mmds2025-clustering"),
    ]
    out = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    for name in [e for e in args.encoders.split(",") if e]:
        enc = cached(name)
        means = [
            enc.encode([embed_text(r.get("title"), r["text"]) for r in rows]).mean(axis=0)
            for rows in sets
        ]
        out[name] = [round(float(x), 6) for x in np.mean(means, axis=0)]
        print(f"{name}: |mean| = {np.linalg.norm(out[name]):.3f}")
    save_all()
    args.out.write_text(json.dumps(out) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
