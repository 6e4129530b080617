"""The docs are generated from the code and stay true: every setting, stage and command is
documented, the generated files are current, and README names only commands that exist."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from typer.main import get_command

from newsdesk import api
from newsdesk.cli import app
from newsdesk.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(get_command(app).commands)  # type: ignore[attr-defined]


def _generator():  # the docs/generate.py script, as a module
    spec = importlib.util.spec_from_file_location("docs_generate", DOCS / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_docs_are_current() -> None:
    stale = [str(p.relative_to(ROOT)) for p in _generator().stale()]
    assert stale == [], "run `make docs` (python docs/generate.py)"


@pytest.mark.parametrize("name", [s.name for s in SETTINGS])
def test_every_setting_is_documented(name: str) -> None:
    info = next(s for s in SETTINGS if s.name == name)
    settings_md = (DOCS / "settings.md").read_text(encoding="utf-8")
    assert f"## `{name}`" in settings_md and info.env in settings_md
    assert f"| `{name}` | `{info.env}` |" in README  # README lists every key and variable


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_documented(name: str) -> None:
    assert f"## `newsdesk {name}`" in (DOCS / "cli.md").read_text(encoding="utf-8")


def test_every_stage_is_documented() -> None:
    stages_md = (DOCS / "stages.md").read_text(encoding="utf-8")
    for s in api.stages():
        assert f"| `{s.name}` | {s.version} |" in stages_md


def test_readme_names_only_commands_that_exist() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    named = {m for b in blocks for m in re.findall(r"(?:^|\|\s*)newsdesk ([a-z][a-z-]*)", b, re.M)}
    assert named and named <= set(COMMANDS), named - set(COMMANDS)
    assert {"ingest", "serve", "search", "stories", "filter"} <= named


def test_how_to_add_a_stage_is_the_tested_recipe() -> None:
    how_to = (DOCS / "how-to-add-a-stage.md").read_text(encoding="utf-8")
    assert "class WordCount(BaseStage)" in how_to
    assert '[project.entry-points."newsdesk.stages"]' in how_to
    assert "how-to-add-a-stage.md" in (ROOT / "tests" / "test_registry.py").read_text()
