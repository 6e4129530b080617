"""Story-summary redundancy: the cut-offs of ``newsdesk.stages.summarize.redundancy``, measured.

When do two sentences "say the same thing"? No labelled set of same-fact pairs is at hand, but
NeuS (neus-mds, AllSides roundups) holds many pairs that are *not* redundant by construction:
the sentences of one outlet's lead (up to its 4th), and the sentences of the editors' neutral
roundup (an editor does not repeat a fact). A pair of sentences is called redundant when it is
more alike than 99 in 100 such pairs. Measured on the training split, the events whose leads
are also in the demo corpus left out (so the demo-corpus test, tests/stages/test_summarize.py,
is not scored on the pairs that set its cut-off); K event-disjoint folds: each fold's cut-off
is the 99th percentile of the other folds' pairs; on the held-out fold, the share of
written-side-by-side pairs flagged (false alarms) and of pairs of two outlets' first sentences
(which mostly report the same event: a rough recall) flagged. Rows: each signal alone, the
shipped rule (cosine or overlap, the shipped cut-offs), mean ± spread over folds.

Usage:  python benchmarks/summary_redundancy.py [--data DIR] [--folds K] [--json]
"""

from __future__ import annotations

import hashlib
import itertools
import json
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, default_data, emit, files, parser, read_jsonl

from newsdesk.nlp.embed import get_encoder
from newsdesk.nlp.sentences import sentence_spans
from newsdesk.stages.summarize.redundancy import COSINE, OVERLAP, content_words, overlap

PERCENTILE = 99
IN_DOC = 4  # sentences of a lead compared with each other


def fold_of(key: str, k: int) -> int:
    return int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) % k


def split(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def load(folder: Path) -> tuple[list[tuple[str, int, str, str]], int]:
    """(event, label, sentence, sentence): label 0 = written side by side, 1 = two outlets'
    first sentences; and how many events were left out as demo-corpus events."""
    demo = ROOT / "demo" / "corpus" / "allsides-stories.jsonl"
    demo_leads = {json.loads(line)["text"][:80] for line in demo.open(encoding="utf-8")}
    pairs: list[tuple[str, int, str, str]] = []
    left_out = 0
    for path in files(folder, "*train*.jsonl", "*train*.jsonl.gz"):
        for ex in read_jsonl(path):
            if any(d["text"][:80] in demo_leads for d in ex["documents"]):
                left_out += 1
                continue
            docs = [s for s in (split(d["text"]) for d in ex["documents"]) if s]
            for a, b in itertools.combinations(docs, 2):
                pairs.append((ex["id"], 1, a[0], b[0]))
            for sents in [*(d[:IN_DOC] for d in docs), split(ex["reference"])]:
                for a, b in itertools.combinations(sents, 2):
                    pairs.append((ex["id"], 0, a, b))
    return pairs, left_out


def main() -> None:
    ap = parser(__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=default_data("neus-mds"))
    ap.add_argument("--folds", type=int, default=10)
    args = ap.parse_args()
    pairs, left_out = load(args.data)
    enc = get_encoder()
    sents = sorted({s for p in pairs for s in p[2:]})
    at = {s: i for i, s in enumerate(sents)}
    V = enc.encode(sents)
    words = [content_words(s) for s in sents]
    a = np.array([at[p[2]] for p in pairs])
    b = np.array([at[p[3]] for p in pairs])
    signals = {
        "cosine": np.einsum("ij,ij->i", V[a], V[b]),
        "overlap": np.array([overlap(words[i], words[j]) for i, j in zip(a, b, strict=True)]),
    }
    label = np.array([p[1] for p in pairs])
    fold = np.array([fold_of(p[0], args.folds) for p in pairs])
    rows = []
    cuts: dict[str, list[float]] = {name: [] for name in signals}
    flagged: dict[str, list[tuple[float, float]]] = {name: [] for name in [*signals, "either"]}
    for f in range(args.folds):
        train, test = (fold != f) & (label == 0), fold == f
        hit = {}
        for name, x in signals.items():
            t = float(np.percentile(x[train], PERCENTILE))
            cuts[name].append(t)
            hit[name] = x >= t
        hit["either"] = hit["cosine"] | hit["overlap"]
        for name, h in hit.items():
            flagged[name].append((h[test & (label == 0)].mean(), h[test & (label == 1)].mean()))
    for name, vals in flagged.items():
        cut = cuts.get(name)
        rows.append(
            {
                "signal": f"{name} (CV)",
                "cut_off": _ms(cut, 3) if cut else "both above",
                "side_by_side_flagged": _ms([v[0] for v in vals], 4),
                "first_sentences_flagged": _ms([v[1] for v in vals], 3),
            }
        )
    shipped = COSINE.get(enc.name)
    if shipped is not None:
        h = (signals["cosine"] >= shipped) | (signals["overlap"] >= OVERLAP)
        rows.append(
            {
                "signal": "shipped: cosine or overlap (all pairs)",
                "cut_off": f"{shipped} / {OVERLAP}",
                "side_by_side_flagged": f"{h[label == 0].mean():.4f}",
                "first_sentences_flagged": f"{h[label == 1].mean():.3f}",
            }
        )
    notes = [
        f"encoder {enc.name}; neus-mds train: {int((label == 0).sum())} pairs written side by "
        f"side, {int((label == 1).sum())} pairs of first sentences; {left_out} demo-corpus "
        f"events left out; {args.folds} event-disjoint folds, cut-off = "
        f"{PERCENTILE}th percentile of the other folds' side-by-side pairs"
    ]
    emit(rows, args.json, title="Story summaries: when two sentences say the same", notes=notes)


def _ms(vals: list[float], digits: int) -> str:
    return f"{statistics.mean(vals):.{digits}f} ± {statistics.pstdev(vals):.{digits}f}"


if __name__ == "__main__":
    main()
