"""The ``entities`` stage's CPU on a fresh store, and a dump of what it stored (#20).

A synthetic stream of ``--n`` articles (``benchmarks/scale.py``'s generator) is ingested once
into a SQLite store with the stages the entities stage reads before it: ``quotes`` (its
speakers) and ``cluster`` (the story of a lone surname). Then, each in a fresh process on its
own copy of that store, ``api.run(only=["entities"])`` runs with this tree's code and, with
``--against REV``, with that revision's, interleaved (``--runs`` each). Reported: CPU seconds
of the stage (process time, the tagger's model load included), of which the tagger
(``EntityTagger.entities``), and the ratio against REV. The entity tables each run stored
(people, person_aliases, person_mentions, quotes.entity_id/speaker_name, ids included) are
dumped and compared: the row says whether they equal the first run's.

Usage:  nice python benchmarks/entity_store.py [--n 500] [--runs 2] [--against REV] [--json]
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TABLES = {
    "people": "SELECT id, name, kind, org FROM people ORDER BY id",
    "person_aliases": "SELECT person_id, alias, name, last_word FROM person_aliases"
    " ORDER BY person_id, alias",
    "person_mentions": "SELECT person_id, article_id, mentions, quotes, role, org, published"
    " FROM person_mentions ORDER BY person_id, article_id",
    "quotes": "SELECT id, entity_id, speaker_name FROM quotes ORDER BY id",
}


def child(db: str, out: str) -> None:
    """Run the entities stage on ``db`` (newsdesk from PYTHONPATH); write CPU and the dump."""
    import sqlite3

    from newsdesk import api
    from newsdesk.nlp import ner
    from newsdesk.settings import Settings

    tagger_cpu = [0.0]
    entities = ner.EntityTagger.entities

    def timed(self: Any, text: str) -> Any:
        t = time.process_time()
        try:
            return entities(self, text)
        finally:
            tagger_cpu[0] += time.process_time() - t

    ner.EntityTagger.entities = timed  # type: ignore[method-assign]
    store = api.open_store(db)
    t0 = time.process_time()
    report = api.run(store, Settings.load(), only=["entities"])
    cpu = time.process_time() - t0
    con = sqlite3.connect(db)
    dump = {name: [list(r) for r in con.execute(sql)] for name, sql in TABLES.items()}
    con.close()
    Path(out).write_text(
        json.dumps(
            {
                "cpu_s": cpu,
                "tagger_cpu_s": tagger_cpu[0],
                "processed": dict(report.processed),
                "dump": dump,
                "newsdesk": api.__file__,
            }
        )
    )


def prepare(work: Path, n: int) -> Path:
    """A store of ``n`` stream articles with the quotes and cluster stages run."""
    from _common import ROOT
    from scale import stream, write_jsonl

    src = work / f"stream-{n}.jsonl"
    write_jsonl(stream(n, 0.05), src)
    db = work / "base.db"
    for f in work.glob(db.name + "*"):
        f.unlink()
    code = (
        "import sys; from newsdesk import api; from newsdesk.settings import Settings;"
        "s = api.open_store(sys.argv[2]); api.ingest([sys.argv[1]], s, run_stages=False);"
        "api.run(s, Settings.load(), only=['quotes', 'cluster'])"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    subprocess.run([sys.executable, "-c", code, str(src), str(db)], env=env, check=True)
    return db


def measure(base: Path, work: Path, tree: Path, i: int) -> dict[str, Any]:
    db = work / f"run-{i}.db"
    for f in base.parent.glob(base.name + "*"):
        shutil.copy(f, work / (db.name + f.name[len(base.name) :]))
    out = work / f"run-{i}.json"
    env = dict(os.environ, PYTHONPATH=str(tree), OMP_NUM_THREADS="1")
    subprocess.run([sys.executable, __file__, "--child", str(db), str(out)], env=env, check=True)
    r: dict[str, Any] = json.loads(out.read_text())
    for f in work.glob(db.name + "*"):
        f.unlink()
    return r


def digest(dump: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(dump, sort_keys=True).encode()).hexdigest()[:12]


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    from _common import ROOT, emit, parser, revision_tree

    p = parser(__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=500, help="articles in the stream")
    p.add_argument("--runs", type=int, default=2, help="runs per code tree (interleaved)")
    p.add_argument("--against", default="", help="also run the stage from this git revision")
    p.add_argument("--work", type=Path, default=None, help="keep the stores here")
    p.add_argument("--dump", type=Path, default=None, help="write the first run's tables here")
    args = p.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="entity-store-"))
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    base = prepare(work, args.n)
    notes = [f"store of {args.n} articles (quotes, cluster) in {time.perf_counter() - t0:.0f} s"]
    trees = [("newsdesk (this tree)", ROOT)]
    if args.against:
        tree, sha = revision_tree(work, args.against)
        trees.insert(0, (f"newsdesk {sha}", tree))
    rows: list[dict[str, Any]] = []
    first: dict[str, Any] | None = None
    cpu: dict[str, list[float]] = {}
    for i in range(args.runs):
        for label, tree in trees:
            r = measure(base, work, tree, len(rows))
            first = first or r["dump"]
            cpu.setdefault(label, []).append(r["cpu_s"])
            rows.append(
                {
                    "system": label,
                    "run": i + 1,
                    "articles": r["processed"].get("entities", 0),
                    "cpu_s": round(r["cpu_s"], 2),
                    "tagger_cpu_s": round(r["tagger_cpu_s"], 2),
                    "rest_cpu_s": round(r["cpu_s"] - r["tagger_cpu_s"], 2),
                    **{f"rows_{k}": len(v) for k, v in r["dump"].items()},
                    "tables": digest(r["dump"]),
                    "same_as_first": r["dump"] == first,
                }
            )
    if args.dump and first is not None:
        args.dump.write_text(json.dumps(first, indent=0))
    if args.against:
        before, after = cpu.values()
        notes.append(
            f"CPU ratio this tree / {trees[0][0]}: {sum(after) / sum(before):.3f}"
            f" (min {min(after):.2f} s vs {min(before):.2f} s)"
        )
    emit(rows, args.json, "entities stage on a fresh store", notes)
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
