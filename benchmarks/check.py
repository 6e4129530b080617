"""The benchmark gate: run each benchmark's quick mode and fail when a figure misses its floor.

    python benchmarks/check.py [--floors benchmarks/floors.toml] [--data ../shared/data]
                               [--only NAME ...] [--json]

``floors.toml`` lists, per benchmark, its quick-mode command (run from the repository root with
this Python; ``{data}`` is the shared data folder), the data sets it needs, and floors: a row of
its ``--json`` output (matched on the columns given in ``where``), a metric, the figure the quick
mode printed when the floor was set (``measured``) and a ``tolerance``; the floor is
``measured - tolerance`` (``measured + tolerance`` for a metric where lower is better,
``lower_is_better = true``). A benchmark whose data sets are absent is skipped, saying so (the
shared data lives outside the repository); a benchmark that fails to run fails the gate.

Exit status: 0 when every floor that ran holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FLOORS = ROOT / "benchmarks" / "floors.toml"
SHARED_DATA = ROOT.parent / "shared" / "data"


@dataclass(frozen=True, slots=True)
class Floor:
    where: dict[str, Any]
    metric: str
    measured: float
    tolerance: float
    lower_is_better: bool = False

    @property
    def floor(self) -> float:
        return (
            self.measured + self.tolerance
            if self.lower_is_better
            else self.measured - self.tolerance
        )

    def holds(self, value: float) -> bool:
        return value <= self.floor if self.lower_is_better else value >= self.floor


@dataclass(frozen=True, slots=True)
class Bench:
    name: str
    command: list[str]
    needs: list[str]
    timeout: int
    floors: list[Floor]


def load(path: Path) -> list[Bench]:
    with path.open("rb") as fh:
        doc = tomllib.load(fh)
    out = []
    for b in doc.get("bench", []):
        floors = [
            Floor(
                where=dict(f["where"]),
                metric=f["metric"],
                measured=float(f["measured"]),
                tolerance=float(f["tolerance"]),
                lower_is_better=bool(f.get("lower_is_better", False)),
            )
            for f in b.get("floor", [])
        ]
        out.append(
            Bench(
                b["name"],
                list(b["command"]),
                list(b.get("needs", [])),
                int(b.get("timeout", 600)),
                floors,
            )
        )
    return out


def run(bench: Bench, data: Path) -> list[dict[str, Any]]:
    """The rows the benchmark's quick mode prints (every ``{"rows": ...}`` line on stdout: a
    script with several tables prints one per table)."""
    cmd = [sys.executable, *(part.replace("{data}", str(data)) for part in bench.command)]
    done = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=bench.timeout, check=False
    )
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"exit {done.returncode}: {tail}")
    rows: list[dict[str, Any]] = []
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            rows.extend(json.loads(line).get("rows", []))
    if not rows:
        raise RuntimeError("printed no JSON rows")
    return rows


def find(rows: list[dict[str, Any]], where: dict[str, Any]) -> dict[str, Any] | None:
    hits = [r for r in rows if all(r.get(k) == v for k, v in where.items())]
    return hits[0] if len(hits) == 1 else None


def check(benches: list[Bench], data: Path) -> tuple[list[dict[str, Any]], bool]:
    """Run every benchmark whose data is present; (result rows, whether every floor held)."""
    results: list[dict[str, Any]] = []
    ok = True
    for b in benches:
        missing = [n for n in b.needs if not (data / n).exists()]
        if missing:
            results.append({"bench": b.name, "status": f"skipped: {', '.join(missing)} absent"})
            continue
        t0 = time.perf_counter()
        try:
            rows = run(b, data)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            ok = False
            results.append({"bench": b.name, "status": f"FAILED to run: {exc}"})
            continue
        seconds = round(time.perf_counter() - t0, 1)
        for f in b.floors:
            row = find(rows, f.where)
            value = None if row is None else row.get(f.metric)
            held = isinstance(value, int | float) and f.holds(float(value))
            ok = ok and held
            results.append(
                {
                    "bench": b.name,
                    "row": ", ".join(str(v) for v in f.where.values()),
                    "metric": f.metric,
                    "now": value if value is not None else "(no such row/metric)",
                    "floor": round(f.floor, 4),
                    "status": "ok" if held else "BELOW FLOOR",
                    "seconds": seconds,
                }
            )
    return results, ok


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--floors", type=Path, default=FLOORS)
    p.add_argument("--data", type=Path, default=SHARED_DATA, help="the shared data folder")
    p.add_argument("--only", action="append", help="only this benchmark (repeatable)")
    p.add_argument("--json", action="store_true", help="print one JSON object {'results': [...]}")
    args = p.parse_args(argv)
    benches = [b for b in load(args.floors) if not args.only or b.name in args.only]
    if not args.data.exists():
        print(
            f"bench-check: skipped, {args.data} is absent (the shared data lives outside the repo)"
        )
        return 0
    results, ok = check(benches, args.data)
    if args.json:
        print(json.dumps({"results": results, "ok": ok}))
    else:
        for r in results:
            print("  ".join(f"{k}={v}" for k, v in r.items()))
        print("bench-check: " + ("every floor holds" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
