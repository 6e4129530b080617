"""Shared benchmark plumbing: data folders, row tables, --json output, timing, memory.

Conventions (every script): ``--data DIR`` takes a folder in the format of the matching
``../shared/data/`` set and loads every data file in it by pattern (file names differ between
splits); ``--json`` prints one object ``{"rows": [{"system": ..., "<metric>": value}, ...]}``;
otherwise a plain table. The newsdesk row's system name contains "newsdesk".
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))


def revision_tree(work: Path, rev: str) -> tuple[Path, str]:
    """A detached git worktree of revision ``rev`` under ``work`` (made once), and its short id:
    the "before" code of a benchmark's before/after rows (``--against REV``)."""
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", rev],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    tree = work / f"rev-{sha}"
    if not tree.exists():
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), sha],
            check=True,
            capture_output=True,
        )
    return tree, sha


def default_data(name: str) -> Path:
    return SHARED_DATA / name


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--json", action="store_true", help="print one JSON object {'rows': [...]}")
    return p


def files(folder: Path, *patterns: str) -> list[Path]:
    """Every file in ``folder`` matching any of ``patterns`` (sorted), or exit with a message."""
    found = sorted({p for pat in patterns for p in folder.glob(pat)})
    if not found:
        sys.exit(f"no data files matching {patterns} in {folder}")
    return found


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def emit(
    rows: Sequence[dict[str, Any]], as_json: bool, title: str = "", notes: Sequence[str] = ()
) -> None:
    """Print ``rows`` as JSON or as an aligned table (columns = union of keys, in first-seen order)."""
    if as_json:
        print(json.dumps({"rows": list(rows), "notes": list(notes)}, ensure_ascii=False))
        return
    if title:
        print(f"\n## {title}\n")
    cols: list[str] = []
    for r in rows:
        cols.extend(k for k in r if k not in cols)
    cells = [[_fmt(r.get(c)) for c in cols] for r in rows]
    widths = [
        max(len(c), *(len(row[i]) for row in cells)) if cells else len(c)
        for i, c in enumerate(cols)
    ]
    print("| " + " | ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        print("| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |")
    for n in notes:
        print(f"\n{n}")


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.4f}" if abs(v) < 10 else f"{v:.1f}"
    return str(v)


@contextmanager
def timer() -> Iterator[dict[str, float]]:
    out: dict[str, float] = {}
    t0 = time.perf_counter()
    yield out
    out["seconds"] = time.perf_counter() - t0


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB.

    Linux's ``VmHWM`` first: ``ru_maxrss`` survives ``fork`` + ``exec``, so a child started by a
    big parent reports the parent's peak (every scale row of benchmarks/stories.py read 953 MB).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# -- zyte-article-bench metric (re-implemented from its SOURCE.md; shared by extraction/textpages)
_TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Multiset of word ``n``-gram shingles (tokens = ``\\w+``, Unicode)."""
    tokens = _TOKEN.findall(text or "")
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def page_pr(gold: str, pred: str) -> tuple[float, float]:
    """Precision and recall of one page: TP/FP/FN normalised by their sum (long pages weigh no more)."""
    g, p = shingles(gold), shingles(pred)
    tp = sum((g & p).values())
    fp = sum(p.values()) - tp
    fn = sum(g.values()) - tp
    total = tp + fp + fn
    if total == 0:  # both empty
        return 1.0, 1.0
    tp, fp, fn = tp / total, fp / total, fn / total
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


def zyte_score(pairs: Iterable[tuple[str, str]]) -> dict[str, float]:
    """(gold, prediction) pages → P and R averaged over pages, F1 of the averages, exact accuracy."""
    prs, exact = [], 0
    for gold, pred in pairs:
        prs.append(page_pr(gold, pred or ""))
        exact += _TOKEN.findall(gold or "") == _TOKEN.findall(pred or "")
    if not prs:
        return {"f1": 0.0, "precision": 0.0, "recall": 0.0, "accuracy": 0.0}
    precision = sum(p for p, _ in prs) / len(prs)
    recall = sum(r for _, r in prs) / len(prs)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall, "accuracy": exact / len(prs)}
