"""Named entities on CoNLL-2003 valid: entity micro-F1 and per-type F1, newsdesk beside baselines.

Usage:  nice .venv/bin/python benchmarks/entities.py [--data ../shared/data/conll2003-ner] [--json]
        nice .venv/bin/python benchmarks/entities.py --skip-baselines     # the newsdesk rows only

Rows (one run):
- **newsdesk (documents)**: each valid document is one ``newsdesk entities -`` record, its
  sentences as tokens joined by single spaces, sentences separated by a blank line (the tagger's
  document features see the whole article, as in the store);
- **newsdesk (sentences)**: each sentence its own record (no document context);
- **rules (before #16)**: what the entities stage found before the trained tagger: "Title Name"
  mentions (PER) and resolved quote speakers (person -> PER, organization -> ORG);
- **CRF words only**: a CRF with the word and its two neighbours as its only features, trained
  here on the same train split (same crfsuite settings as the shipped model).

Scoring is the conlleval rule: an entity counts when its token span and type are exact; micro
P/R/F1 over all entities and F1 per type. A predicted span whose ends are not token boundaries
of the CoNLL text is counted in ``off_boundary`` (it can never match). Speed: articles (documents)
per CPU second of the filter, model load excluded. The shipped model's settings were chosen by
cross-validation over train documents (``scripts/train_ner.py --cv``; table in
``resources/ner.json``), never on these valid figures.
"""

from __future__ import annotations

import bisect
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, default_data, emit, parser

sys.path.insert(0, str(ROOT))
from newsdesk.nlp import ner
from scripts.train_ner import data_file, load_docs, predict, score, train


def doc_text(doc: list[list[tuple[str, str]]]) -> tuple[str, list[list[tuple[int, int]]]]:
    """The document as text (tokens joined by spaces, sentences by blank lines) + token offsets."""
    parts: list[str] = []
    offsets: list[list[tuple[int, int]]] = []
    pos = 0
    for k, sent in enumerate(doc):
        if k:
            parts.append("\n\n")
            pos += 2
        offs = []
        for i, (w, _) in enumerate(sent):
            if i:
                parts.append(" ")
                pos += 1
            parts.append(w)
            offs.append((pos, pos + len(w)))
            pos += len(w)
        offsets.append(offs)
    return "".join(parts), offsets


def labels_from_spans(
    offsets: list[list[tuple[int, int]]], spans: list[tuple[int, int, str]]
) -> tuple[list[list[str]], int]:
    """BIO labels per sentence from character spans; also how many spans miss token boundaries."""
    labels = [["O"] * len(o) for o in offsets]
    flat = [(k, i, s, e) for k, o in enumerate(offsets) for i, (s, e) in enumerate(o)]
    starts = [x[2] for x in flat]
    ends = [x[3] for x in flat]
    off = 0
    for s, e, typ in spans:
        a = bisect.bisect_left(starts, s)
        b = bisect.bisect_left(ends, e)
        if a >= len(flat) or b >= len(flat) or starts[a] != s or ends[b] != e:
            off += 1
            continue
        if flat[a][0] != flat[b][0]:
            off += 1  # crosses a sentence break
            continue
        k = flat[a][0]
        labels[k][flat[a][1]] = "B-" + typ
        for t in range(flat[a][1] + 1, flat[b][1] + 1):
            labels[k][t] = "I-" + typ
    return labels, off


def rules_spans(text: str) -> list[tuple[int, int, str]]:
    """The entities stage before the trained tagger: titled names and resolved quote speakers."""
    from newsdesk.nlp.names import analyse_mention, titled_names
    from newsdesk.stages.quotes.extract import extract

    out: list[tuple[int, int, str]] = []
    for name, _, _, (s, e) in titled_names(text):
        i = text.find(name, s, e)
        if i >= 0:
            out.append((i, i + len(name), "PER"))
    for q in extract(text):
        if not q["speaker"] or not q.get("speaker_kind"):
            continue
        s, e = q["speaker"]
        m = analyse_mention(text[s:e])
        if not m.name:
            continue
        i = text.find(m.name, s, e)
        if i >= 0 and q["speaker_kind"] in ("person", "org"):
            out.append((i, i + len(m.name), "PER" if q["speaker_kind"] == "person" else "ORG"))
    return sorted(set(out))


def row(system: str, sc: dict[str, float], **extra: Any) -> dict[str, Any]:
    r: dict[str, Any] = {"system": system}
    r.update({k: round(v, 4) for k, v in sc.items()})
    r.update(extra)
    return r


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=default_data("conll2003-ner"))
    p.add_argument("--split", default="valid", help="file name part of the split to score")
    p.add_argument("--skip-baselines", action="store_true")
    p.add_argument("--model", type=Path, default=ner.MODEL_PATH, help="a model to score")
    args = p.parse_args()

    from newsdesk.stages.entities.stage import filter_records

    docs = load_docs(data_file(args.data, args.split))
    gold = [[[t for _, t in s] for s in d] for d in docs]
    texts = [doc_text(d) for d in docs]
    t0 = time.perf_counter()
    tagger = ner.EntityTagger(args.model)
    load_s = time.perf_counter() - t0
    rows = []

    def run(records: list[dict[str, Any]]) -> tuple[dict[str, list[Any]], float]:
        c0 = time.process_time()
        out = {r["id"]: r["entities"] for r in filter_records(records, tagger)}
        return out, time.process_time() - c0

    # documents as records
    recs = [{"id": n, "text": t} for n, (t, _) in enumerate(texts)]
    found, cpu = run(recs)
    pred, off = [], 0
    for n, (_, offsets) in enumerate(texts):
        labs, o = labels_from_spans(offsets, [(*e["span"], e["type"]) for e in found[n]])
        pred.append(labs)
        off += o
    rows.append(
        row(
            "newsdesk (documents)",
            score(gold, pred),
            off_boundary=off,
            articles_per_cpu_s=round(len(docs) / cpu, 1),
        )
    )
    # sentences as records (tokens joined by single spaces)
    sent_recs = []
    for n, d in enumerate(docs):
        for k, s in enumerate(d):
            sent_recs.append({"id": f"{n}/{k}", "text": " ".join(w for w, _ in s)})
    found, cpu = run(sent_recs)
    pred, off = [], 0
    for n, d in enumerate(docs):
        labs_doc = []
        for k, s in enumerate(d):
            offs = []
            pos = 0
            for w, _ in s:
                offs.append((pos, pos + len(w)))
                pos += len(w) + 1
            labs, o = labels_from_spans(
                [offs], [(*e["span"], e["type"]) for e in found[f"{n}/{k}"]]
            )
            labs_doc.append(labs[0])
            off += o
        pred.append(labs_doc)
    rows.append(row("newsdesk (sentences)", score(gold, pred), off_boundary=off))

    if not args.skip_baselines:
        pred, off = [], 0
        for text, offsets in texts:
            labs, o = labels_from_spans(offsets, rules_spans(text))
            pred.append(labs)
            off += o
        rows.append(row("rules (before #16)", score(gold, pred), off_boundary=off))
        meta = json.loads(args.model.with_suffix(".json").read_text(encoding="utf-8"))
        train_docs = load_docs(data_file(args.data, "train"))
        with tempfile.TemporaryDirectory() as tmp:
            model = Path(tmp) / "words.crfsuite"
            train(train_docs, "words", meta["c1"], meta["c2"], model, meta["iterations"])
            rows.append(row("CRF words only", score(gold, predict(docs, "words", model))))

    notes = [
        f"CoNLL-2003 {args.split}: {len(docs)} documents, "
        f"{sum(len(s) for d in docs for s in d)} tokens; model load {load_s:.2f}s (excluded)."
    ]
    meta_path = args.model.with_suffix(".json")
    if meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        notes.append(
            f"shipped model: setting {meta.get('setting', meta['features'])}, c1 {meta['c1']}, c2 {meta['c2']}, "
            f"{meta['iterations']} iterations; chosen by CV on train documents:"
        )
        for r in meta.get("cv", []):
            notes.append(f"  {json.dumps(r)}")
    emit(rows, args.json, title=f"entities — CoNLL-2003 {args.split}", notes=notes)


if __name__ == "__main__":
    main()
