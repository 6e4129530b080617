"""benchmarks/check.py, the benchmark gate: floors hold or fail, absent data skips, a broken
benchmark fails; and benchmarks/floors.toml names real scripts, data sets and rows."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _check():  # benchmarks/check.py as a module
    spec = importlib.util.spec_from_file_location("bench_check", ROOT / "benchmarks" / "check.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_check"] = module
    spec.loader.exec_module(module)
    return module


FAKE = """
import json, sys
f1 = float(sys.argv[1])
print("a table nobody parses")
print(json.dumps({"rows": [{"system": "newsdesk", "set": "a", "f1": f1}, {"system": "base", "set": "a", "f1": 0.1}]}))
"""


def _floors(tmp_path: Path, f1: float, needs: str = "set-a", script: str = FAKE) -> Path:
    (tmp_path / "fake.py").write_text(script)
    floors = tmp_path / "floors.toml"
    floors.write_text(
        f"""
[[bench]]
name = "fake"
command = ["{tmp_path / "fake.py"}", "{f1}"]
needs = ["{needs}"]
[[bench.floor]]
where = {{ system = "newsdesk", set = "a" }}
metric = "f1"
measured = 0.80
tolerance = 0.01
"""
    )
    (tmp_path / "data" / "set-a").mkdir(parents=True, exist_ok=True)
    return floors


@pytest.mark.parametrize(("f1", "status"), [(0.80, 0), (0.79, 0), (0.789, 1)])
def test_a_floor_holds_or_fails(tmp_path: Path, f1: float, status: int) -> None:
    floors = _floors(tmp_path, f1)
    assert _check().main(["--floors", str(floors), "--data", str(tmp_path / "data")]) == status


def test_absent_data_skips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    floors = _floors(tmp_path, 0.0, needs="not-here")
    assert _check().main(["--floors", str(floors), "--data", str(tmp_path / "data")]) == 0
    assert "skipped: not-here absent" in capsys.readouterr().out
    assert _check().main(["--floors", str(floors), "--data", str(tmp_path / "nowhere")]) == 0


def test_a_benchmark_that_fails_to_run_fails_the_gate(tmp_path: Path) -> None:
    floors = _floors(tmp_path, 0.9, script="raise SystemExit('no data files')")
    assert _check().main(["--floors", str(floors), "--data", str(tmp_path / "data")]) == 1


def test_a_missing_row_fails_the_gate(tmp_path: Path) -> None:
    floors = _floors(tmp_path, 0.9, script=FAKE.replace('"newsdesk"', '"renamed"'))
    assert _check().main(["--floors", str(floors), "--data", str(tmp_path / "data")]) == 1


def test_floors_file_names_real_scripts_and_sets() -> None:
    with (ROOT / "benchmarks" / "floors.toml").open("rb") as fh:
        doc = tomllib.load(fh)
    assert doc["bench"], "no benchmark floors"
    shared = {"polnear", "cnndm-realsumm", "cnndm-summeval", "bbc-news-summary", "neus-mds",
              "allsides-stories", "googlenews-ts", "mmds2025-clustering", "zyte-article-bench",
              "fundus-news-pages", "trafilatura-eval", "l3s-gn1", "conll2003-ner",
              "debatenet-mig15", "ibm-claim-stance", "polstance", "mpqa3"}  # fmt: skip
    for b in doc["bench"]:
        assert (ROOT / b["command"][0]).is_file(), b["command"][0]
        assert "--json" in b["command"]
        assert set(b["needs"]) <= shared
        assert b["floor"], b["name"]
        for f in b["floor"]:
            assert 0 < f["tolerance"] < abs(f["measured"]) * 0.2, (b["name"], f)
