"""Who said what on PolNeAR: quote attribution scored as BBC's Citron scores it (re-implemented).

Usage:  nice .venv/bin/python benchmarks/quotes.py [--data ../shared/data/polnear] [--split dev] [--json]
        nice .venv/bin/python benchmarks/quotes.py --split train-tail [--tail 150]

        nice .venv/bin/python benchmarks/quotes.py --split train-tail --model M --cues C
        nice .venv/bin/python benchmarks/quotes.py --cv 5 [--cv-cache DIR] [--cv-iterations 150]

``--cv K`` is how the linking rules and switches are chosen: article-disjoint K-fold
cross-validation over train (fold k = the articles whose rank by id is k mod K), each fold
tagged by a CRF trained on the other folds (cached, ~10 min per fold on a shared machine), then
linked and scored by the current rules; rows give the mean and the spread (sd) over the folds.
Dev is never read in that mode: it stays the reported figure.

``--split train-tail`` scores the last 150 train articles (by id) for developing the linking
rules without looking at dev. The shipped CRF was trained on every train article
(scripts/train_quotes.py reads the whole split), so on this slice tagger errors look smaller
than on dev: use it to study the rules' errors, not as a held-out figure. For an honest
validation figure train with ``scripts/train_quotes.py --holdout 150 --model M --lexicon C``
(same slice left out) and score that model here with ``--model M --cues C``.

Gold: the first annotator listed for each article. Spans are compared as token sets (regex
tokens ``\\w+`` / single punctuation, independent of the tagger's own tokenizer).

- **cue-match rule** (Citron ``metrics.py``): a prediction matches a gold attribution when
  their cue spans overlap (``p.start <= g.end and p.end > g.start``, in tokens); speaker exact
  = identical speaker token sets (both absent counts as identical), content exact likewise;
  P = predictions with a matching gold / predictions, R = gold with a matching prediction / gold.
- **one-to-one rule**: each prediction (text order) pairs with the unpaired gold attribution of
  largest content overlap (at least one token); content overlap = the pair exists; speaker
  overlap = the speakers share a token (or both are absent).
- **direct** = the gold (resp. predicted) content contains a quotation mark; **all** = every
  attribution.

Rows: newsdesk (the ``newsdesk quotes -`` filter code path: speech and attitude cues only);
newsdesk quotes+stances (those plus the stance statements, "agreed to"/"rejected", that go to
the positions map instead of the quotes: PolNeAR counts both as attributions); and a baseline
from the same run:
quotation-marked spans + cue-verb patterns ("X said", "said X", "according to X"), speaker =
the name next to the cue. Speed = articles per second of the newsdesk filter (wall clock and
CPU time), model load excluded (reported separately).
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, default_data, emit, parser

sys.path.insert(0, str(ROOT))
from scripts.train_quotes import load_polnear, train

_TOK = re.compile(r"\w+|[^\w\s]")
_QUOTE_CH = set('“”"«»„‹›‘')


def has_quote_mark(text: str, spans: list[tuple[int, int]]) -> bool:
    """A quotation mark inside the spans; ’ counts only when not between letters (apostrophe)."""
    for s, e in spans:
        for i in range(s, e):
            ch = text[i]
            if ch in _QUOTE_CH:
                return True
            if ch == "’" and not (
                0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha()
            ):
                return True
    return False


class TokenIndex:
    """Maps character spans of one text to sets of token numbers."""

    def __init__(self, text: str) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for m in _TOK.finditer(text):
            self.starts.append(m.start())
            self.ends.append(m.end())

    def tokens(self, spans: list[tuple[int, int]] | None) -> frozenset[int]:
        import bisect

        out: set[int] = set()
        for s, e in spans or ():
            i = bisect.bisect_right(self.ends, s)
            j = bisect.bisect_left(self.starts, e)
            out.update(range(i, j))
        return frozenset(out)


def _q(text: str, idx: TokenIndex, cue: Any, speaker: Any, content: Any) -> dict[str, Any]:
    content = [tuple(c) for c in content]
    return {
        "cue": idx.tokens([tuple(cue)] if cue else []),
        "speaker": idx.tokens(speaker),
        "content": idx.tokens(content),
        "direct": has_quote_mark(text, content),
    }


def _overlap_cue(p: frozenset[int], g: frozenset[int]) -> bool:
    # p.start <= g.end and p.end > g.start on token ranges (inclusive ends)
    return bool(p) and bool(g) and min(p) <= max(g) and max(p) >= min(g)


class Score:
    """Running counts for one system on one subset (direct or all)."""

    def __init__(self) -> None:
        self.n_pred = self.n_gold = 0
        self.sp_p = self.sp_r = self.ct_p = self.ct_r = 0  # cue-match exact counts
        self.o_pairs_sp = self.o_pairs_ct = 0  # one-to-one

    def add(self, preds: list[dict[str, Any]], golds: list[dict[str, Any]]) -> None:
        self.n_pred += len(preds)
        self.n_gold += len(golds)
        for p in preds:
            m = [g for g in golds if _overlap_cue(p["cue"], g["cue"])]
            self.sp_p += any(g["speaker"] == p["speaker"] for g in m)
            self.ct_p += any(g["content"] == p["content"] for g in m)
        for g in golds:
            m = [p for p in preds if _overlap_cue(p["cue"], g["cue"])]
            self.sp_r += any(g["speaker"] == p["speaker"] for p in m)
            self.ct_r += any(g["content"] == p["content"] for p in m)
        paired: set[int] = set()
        for p in preds:
            best, best_k = 0, -1
            for k, g in enumerate(golds):
                if k in paired:
                    continue
                ov = len(p["content"] & g["content"])
                if ov > best:
                    best, best_k = ov, k
            if best_k < 0:
                continue
            paired.add(best_k)
            g = golds[best_k]
            self.o_pairs_ct += 1
            both_empty = not p["speaker"] and not g["speaker"]
            self.o_pairs_sp += both_empty or bool(p["speaker"] & g["speaker"])

    def row(self) -> dict[str, float]:
        def f1(tp_p: int, tp_r: int) -> tuple[float, float, float]:
            p = tp_p / self.n_pred if self.n_pred else 0.0
            r = tp_r / self.n_gold if self.n_gold else 0.0
            return p, r, (2 * p * r / (p + r) if p + r else 0.0)

        sp = f1(self.sp_p, self.sp_r)
        ct = f1(self.ct_p, self.ct_r)
        osp = f1(self.o_pairs_sp, self.o_pairs_sp)
        oct_ = f1(self.o_pairs_ct, self.o_pairs_ct)
        return {
            "pred": self.n_pred,
            "gold": self.n_gold,
            "speaker_exact_P": sp[0],
            "speaker_exact_R": sp[1],
            "speaker_exact_F1": sp[2],
            "content_exact_F1": ct[2],
            "1to1_speaker_overlap_P": osp[0],
            "1to1_speaker_overlap_R": osp[1],
            "1to1_speaker_overlap_F1": osp[2],
            "1to1_content_overlap_F1": oct_[2],
        }


# -- baseline -------------------------------------------------------------------------------
_CUE_VERBS = (
    r"said|says|told|added|asked|noted|explained|insisted|argued|stressed|warned|claimed|"
    r"wrote|continued|declared|emphasized|emphasised|replied|stated|tweeted|announced|suggested"
)
_NAME = r"(?:[A-Z][\w’'.\-]+(?:\s+[A-Z][\w’'.\-]+){0,3}|[Hh]e|[Ss]he|[Tt]hey|[Ii]|[Ww]e)"
_QUOTED = re.compile(r"“[^”\n]{3,}”|\"[^\"\n]{3,}\"|«[^»\n]{3,}»|„[^“\n]{3,}“")
_AFTER_NAME_CUE = re.compile(rf"\s*,?\s*(?P<name>{_NAME})\s+(?P<cue>{_CUE_VERBS})\b")
_AFTER_CUE_NAME = re.compile(rf"\s*,?\s*(?P<cue>{_CUE_VERBS})\s+(?P<name>{_NAME})")
_BEFORE = re.compile(rf"(?P<name>{_NAME})\s+(?P<cue>{_CUE_VERBS})\s*[:,]?\s*$")
_ACCORDING = re.compile(rf"(?P<cue>according to)\s+(?P<name>{_NAME})")
_REPORTED = re.compile(
    rf"(?P<name>{_NAME})\s+(?P<cue>{_CUE_VERBS})\s+(?:that\s+)?(?P<content>[^.\n]+)"
)


def baseline(text: str) -> list[dict[str, Any]]:
    """Quotation-marked spans + cue-verb patterns; speaker = the name next to the cue."""
    out: list[dict[str, Any]] = []
    taken: list[tuple[int, int]] = []
    for m in _QUOTED.finditer(text):
        after = text[m.end() : m.end() + 80]
        before = text[max(0, m.start() - 80) : m.start()]
        hit = _AFTER_NAME_CUE.match(after) or _AFTER_CUE_NAME.match(after)
        if hit:
            base = m.end()
        else:
            hit = _BEFORE.search(before)
            base = m.start() - len(before)
        if not hit:
            continue
        cue = (base + hit.start("cue"), base + hit.end("cue"))
        spk = (base + hit.start("name"), base + hit.end("name"))
        out.append({"content": [(m.start(), m.end())], "cue": cue, "speaker": [spk]})
        taken.append((m.start(), m.end()))
    for m in _ACCORDING.finditer(text):
        start = text.rfind(".", 0, m.start()) + 1
        content = (start + len(text[start:]) - len(text[start:].lstrip()), m.start())
        if content[1] - content[0] > 10:
            out.append({"content": [content], "cue": m.span("cue"), "speaker": [m.span("name")]})
    for m in _REPORTED.finditer(text):
        if any(s <= m.start() < e for s, e in taken) or "“" in m.group("content"):
            continue
        out.append(
            {"content": [m.span("content")], "cue": m.span("cue"), "speaker": [m.span("name")]}
        )
    return out


def load_split(folder: Path, split: str, tail: int = 150) -> list[dict[str, Any]]:
    """Articles of ``dev``, ``train`` or ``train-tail`` (the last ``tail`` train articles by id)."""
    if split == "train-tail":
        arts = sorted(load_polnear(folder, "train"), key=lambda a: a["id"])
        return arts[-tail:]
    return load_polnear(folder, split)


# -- article-disjoint cross-validation over train ------------------------------------------
class _FixedLabels:
    """A stand-in tagger that returns labels computed earlier (by a fold model) for one text."""

    def __init__(self, labels: dict[str, list[str]]) -> None:
        self.labels = labels
        self.current: str = ""

    def tag(self, toks: Any) -> list[str]:
        return self.labels[self.current]


def cv_labels(
    arts: list[dict[str, Any]], folds: int, cache: Path, iterations: int
) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Cross-fitted CRF labels: fold ``k`` = the train articles whose rank by id is ``k`` mod
    ``folds``; each fold is tagged by a CRF (and cue lexicon) trained on the other folds.

    Fold models and their labels are cached in ``cache`` (a fold is retrained only when its
    files are missing), so rule changes can be scored again in seconds.
    """
    import gzip
    import json

    from newsdesk.stages.quotes import tagger as q
    from newsdesk.stages.quotes.tokens import tokenize

    order = sorted(a["id"] for a in arts)
    fold_of = {aid: i % folds for i, aid in enumerate(order)}
    cache.mkdir(parents=True, exist_ok=True)
    labels: dict[str, list[str]] = {}
    for k in range(folds):
        stem = cache / f"fold{k}of{folds}-it{iterations}"
        lab_path = stem.with_suffix(".labels.json.gz")
        if not lab_path.exists():
            model, lex = stem.with_suffix(".crfsuite"), stem.with_suffix(".cues.json")
            if not model.exists():
                t0 = time.perf_counter()
                rest = [a for a in arts if fold_of[a["id"]] != k]
                train(rest, model, lex, iterations=iterations)
                print(
                    f"fold {k}: trained on {len(rest)} articles in {time.perf_counter() - t0:.0f}s",
                    file=sys.stderr,
                )
            tagger = q.QuoteTagger(model, lex)
            fold = {a["id"]: tagger.tag(tokenize(a["text"])) for a in arts if fold_of[a["id"]] == k}
            with gzip.open(lab_path, "wt", encoding="utf-8") as fh:
                json.dump(fold, fh)
        with gzip.open(lab_path, "rt", encoding="utf-8") as fh:
            labels.update(json.load(fh))
    return fold_of, labels


def score(
    arts: list[dict[str, Any]], tagger: Any, predicted: dict[str, Any] | None = None
) -> dict[tuple[str, str], Score]:
    """Scores of the three systems on ``arts`` (``predicted``: the newsdesk quotes, if known)."""
    from newsdesk.stages.quotes.extract import analyse

    names = ("newsdesk", "newsdesk quotes+stances", "baseline")
    scores = {(s, sub): Score() for s in names for sub in ("direct", "all")}
    for a in arts:
        text = a["text"]
        if isinstance(tagger, _FixedLabels):
            tagger.current = a["id"]
        quotes, stances = analyse(text, tagger)
        if predicted is not None:
            quotes = predicted[a["id"]]
        idx = TokenIndex(text)
        golds = [_q(text, idx, g["cue"][0], g["source"], g["content"]) for g in a["gold"]]
        systems = {
            "newsdesk": [
                _q(text, idx, x["cue"], [x["speaker"]] if x["speaker"] else [], x["content"])
                for x in quotes
            ],
            # PolNeAR's attributions include positions ("endorsed", "rejected"), which newsdesk
            # gives the positions map as stance statements instead of quotes: this row adds them
            "newsdesk quotes+stances": [
                _q(text, idx, x["cue"], [x["speaker"]] if x["speaker"] else [], x["content"])
                for x in [*quotes, *stances]
            ],
            "baseline": [
                _q(text, idx, x["cue"], x["speaker"], x["content"]) for x in baseline(text)
            ],
        }
        for name, preds in systems.items():
            scores[(name, "all")].add(preds, golds)
            scores[(name, "direct")].add(
                [x for x in preds if x["direct"]], [g for g in golds if g["direct"]]
            )
    return scores


_CV_METRICS = (
    "speaker_exact_F1",
    "content_exact_F1",
    "1to1_speaker_overlap_F1",
    "1to1_content_overlap_F1",
)


def run_cv(args: Any) -> None:
    """``--cv K``: cross-fitted fold labels over train, every fold scored; mean ± spread."""
    import statistics

    arts = load_polnear(args.data, "train")
    if args.limit:
        arts = sorted(arts, key=lambda a: a["id"])[: args.limit]
    fold_of, labels = cv_labels(arts, args.cv, args.cv_cache, args.cv_iterations)
    tagger = _FixedLabels(labels)
    per_fold: dict[str, list[dict[str, float]]] = {}
    for k in range(args.cv):
        fold = [a for a in arts if fold_of[a["id"]] == k]
        for (name, sub), sc in score(fold, tagger).items():
            per_fold.setdefault(f"{name} ({sub})", []).append(sc.row())
    rows = []
    for system, fold_rows in per_fold.items():
        row: dict[str, Any] = {"system": system}
        for m in _CV_METRICS:
            vals = [r[m] for r in fold_rows]
            row[m] = statistics.fmean(vals)
            row[m + "_sd"] = statistics.stdev(vals) if len(vals) > 1 else 0.0
        rows.append(row)
    emit(
        rows,
        args.json,
        title=f"quotes — PolNeAR train, {args.cv}-fold article-disjoint CV, {len(arts)} articles",
        notes=[
            f"Each fold is tagged by a CRF trained on the other folds ({args.cv_iterations} "
            "L-BFGS iterations, otherwise the shipped settings), then linked and scored by the "
            "shipped rules; mean and sample standard deviation over the folds. Dev is not read."
        ],
    )


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=default_data("polnear"))
    p.add_argument(
        "--split",
        default="dev",
        choices=["dev", "train", "train-tail"],
        help="dev for the figures; train-tail = the last --tail train articles by id (rule "
        "development; the shipped CRF was trained on ALL train articles, tail included, so "
        "tagger errors look smaller there than on dev)",
    )
    p.add_argument("--tail", type=int, default=150, help="size of the train-tail slice")
    p.add_argument("--limit", type=int, default=0, help="only the first N articles")
    p.add_argument(
        "--model", type=Path, help="score this CRF instead of the shipped one (with --cues)"
    )
    p.add_argument("--cues", type=Path, help="the cue lexicon written with --model")
    p.add_argument(
        "--cv",
        type=int,
        default=0,
        metavar="K",
        help="K-fold article-disjoint cross-validation over train (fold models trained and "
        "cached in --cv-cache on first use: minutes per fold); for choosing rules and settings",
    )
    p.add_argument(
        "--cv-cache",
        type=Path,
        default=Path.home() / ".cache" / "newsdesk" / "quotes-cv",
        help="where the fold models and their labels are kept",
    )
    p.add_argument("--cv-iterations", type=int, default=150, help="L-BFGS iterations per fold")
    args = p.parse_args()
    if args.cv:
        run_cv(args)
        return

    from newsdesk.stages.quotes import tagger as q
    from newsdesk.stages.quotes.stage import filter_records

    arts = load_split(args.data, args.split, args.tail)
    if args.limit:
        arts = arts[: args.limit]
    t0 = time.perf_counter()
    if args.model or args.cues:
        tagger = q.QuoteTagger(args.model or q.MODEL_PATH, args.cues or q.LEXICON_PATH)
    else:
        tagger = q.load_tagger()
    load_s = time.perf_counter() - t0
    records = [{"id": a["id"], "text": a["text"]} for a in arts]
    t0, c0 = time.perf_counter(), time.process_time()
    predicted = {r["id"]: r["quotes"] for r in filter_records(records, tagger)}
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    scores = score(arts, tagger, predicted)
    rows = []
    for (name, sub), sc in scores.items():
        row: dict[str, Any] = {"system": f"{name} ({sub})"}
        row.update(sc.row())
        if name == "newsdesk":
            row["articles_per_s"] = len(arts) / seconds if seconds else 0.0
            row["articles_per_cpu_s"] = len(arts) / cpu if cpu else 0.0
        rows.append(row)
    emit(
        rows,
        args.json,
        title=f"quotes — PolNeAR {args.split}, {len(arts)} articles"
        + (f", model {args.model}" if args.model else ""),
        notes=[
            f"newsdesk: {seconds:.2f}s wall, {cpu:.2f}s CPU for {len(arts)} articles (model load "
            f"{load_s:.2f}s, excluded); one process, one core; articles_per_s is wall-clock, "
            "articles_per_cpu_s is CPU time (the fairer figure when the machine is shared)."
        ],
    )


if __name__ == "__main__":
    main()
