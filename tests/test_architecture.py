"""The package's shape: imports point one way, no cycles, no import dodging a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "newsdesk"

# Higher layers may import lower ones, never the reverse (newsdesk/README layering):
# models, errors, settings, resources, nlp <- store <- registry <- ingest, stages <- pipeline
# <- views <- search <- api <- cli, web.
FORBIDDEN = {
    "newsdesk.models": ["newsdesk.store", "newsdesk.nlp", "newsdesk.stages", "newsdesk.api"],
    "newsdesk.nlp": [
        "newsdesk.store", "newsdesk.registry", "newsdesk.ingest", "newsdesk.stages",
        "newsdesk.pipeline", "newsdesk.views", "newsdesk.search", "newsdesk.api",
        "newsdesk.cli", "newsdesk.web",
    ],
    "newsdesk.store": [
        "newsdesk.registry", "newsdesk.ingest", "newsdesk.stages", "newsdesk.pipeline",
        "newsdesk.views", "newsdesk.search", "newsdesk.api", "newsdesk.cli", "newsdesk.web",
    ],
    "newsdesk.registry": [
        "newsdesk.ingest", "newsdesk.stages", "newsdesk.pipeline", "newsdesk.views",
        "newsdesk.search", "newsdesk.api", "newsdesk.cli", "newsdesk.web",
    ],
    "newsdesk.ingest": [
        "newsdesk.stages", "newsdesk.pipeline", "newsdesk.views", "newsdesk.search",
        "newsdesk.api", "newsdesk.cli", "newsdesk.web",
    ],
    "newsdesk.stages": [
        "newsdesk.ingest", "newsdesk.pipeline", "newsdesk.views", "newsdesk.search",
        "newsdesk.api", "newsdesk.cli", "newsdesk.web",
    ],
    "newsdesk.pipeline": ["newsdesk.views", "newsdesk.search", "newsdesk.api", "newsdesk.cli", "newsdesk.web"],
    "newsdesk.views": ["newsdesk.pipeline", "newsdesk.search", "newsdesk.api", "newsdesk.cli", "newsdesk.web"],
    "newsdesk.search": ["newsdesk.pipeline", "newsdesk.api", "newsdesk.cli", "newsdesk.web"],
    "newsdesk.api": ["newsdesk.cli", "newsdesk.web"],
}  # fmt: skip


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("newsdesk")


def test_no_import_cycles(graph: grimp.ImportGraph) -> None:
    cycles = sorted(
        {
            tuple(sorted((m, n)))
            for m in graph.modules
            for n in graph.find_modules_directly_imported_by(m)
            if graph.chain_exists(importer=n, imported=m)
        }
    )
    assert cycles == []


@pytest.mark.parametrize("lower", sorted(FORBIDDEN))
def test_imports_point_down(graph: grimp.ImportGraph, lower: str) -> None:
    upward = {
        higher: graph.find_shortest_chain(importer=lower, imported=higher, as_packages=True)
        for higher in FORBIDDEN[lower]
        if graph.chain_exists(importer=lower, imported=higher, as_packages=True)
    }
    assert upward == {}


def _local_imports(path: Path) -> list[tuple[int, str]]:
    """newsdesk imports inside functions without a ``# lazy:`` reason on their line."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for fn in ast.walk(ast.parse(source)):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            if (
                isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith("newsdesk")
                and not any("# lazy:" in ln for ln in lines[node.lineno - 1 : node.end_lineno])
            ):
                found.append((node.lineno, node.module or ""))
    return found


MODULES = sorted(str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("module", MODULES)
def test_no_import_inside_a_function_to_dodge_a_cycle(module: str) -> None:
    assert _local_imports(PACKAGE.parent / module) == []


@pytest.mark.parametrize("module", MODULES)
def test_no_module_over_600_lines_without_a_reason(module: str) -> None:
    text = (PACKAGE.parent / module).read_text(encoding="utf-8")
    doc = ast.get_docstring(ast.parse(text)) or ""
    assert text.count("\n") <= 600 or "Size:" in doc, "split it, or say why at its top (Size: ...)"
