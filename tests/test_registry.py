"""The stage seam with a real plugin package: installed (a dist-info with an entry point on
sys.path), found through the entry-point group, its table migrated on its first run, run end to
end, re-run when its version changes, and usable as a ``-`` filter; duplicates are errors.

The plugin's code is the recipe of docs/how-to-add-a-stage.md, read from the document.
"""

from __future__ import annotations

import importlib
import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from newsdesk import api, pipeline, registry
from newsdesk.cli import app
from newsdesk.registry import RegistryError, UnknownStage
from newsdesk.settings import Settings
from newsdesk.store import open_store as bare_open
from newsdesk.store.schema import article_stages

RECIPE = Path(__file__).resolve().parents[1] / "docs" / "how-to-add-a-stage.md"
_counter = itertools.count()


def recipe_code() -> str:
    """The plugin module of the how-to (its first python block)."""
    return re.search(r"```python\n(.*?)```", RECIPE.read_text(encoding="utf-8"), re.S).group(1)


def install(root: Path, dist: str, module: str, entries: dict[str, str], code: str) -> None:
    """A package ``module`` and its distribution ``dist`` (dist-info with entry points) in ``root``."""
    (root / module).mkdir(parents=True)
    (root / module / "__init__.py").write_text(code, encoding="utf-8")
    info = root / f"{dist.replace('-', '_')}-0.1.dist-info"  # the wheel spec: no hyphen in a name
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    lines = "".join(f"{name} = {value}\n" for name, value in entries.items())
    (info / "entry_points.txt").write_text(f"[newsdesk.stages]\n{lines}")
    importlib.invalidate_caches()


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The how-to's wordcount stage, installed as package ``newsdesk_wordcount_N``."""
    module = f"newsdesk_wordcount_{next(_counter)}"
    site = tmp_path / "site"
    install(
        site, module.replace("_", "-"), module, {"wordcount": f"{module}:WordCount"}, recipe_code()
    )
    monkeypatch.syspath_prepend(str(site))
    yield module
    sys.modules.pop(module, None)


def _corpus(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i, words in enumerate(["one two three", "four five", "six seven eight nine"]):
            fh.write(
                json.dumps({"url": f"https://example.org/{i}", "title": f"T{i}", "text": words})
                + "\n"
            )
    return path


def _counts(store) -> dict[str, int]:
    with store.connect() as conn:
        return dict(conn.execute(text("SELECT article_id, words FROM wordcount_words")).all())


def test_plugin_is_found_through_the_entry_point_group(plugin: str) -> None:
    assert registry.declared()["wordcount"] == f"{plugin}:WordCount"
    infos = {i.name: i for i in api.stages()}
    assert infos["wordcount"].source == f"{plugin}:WordCount"
    assert {"embed", "summarize", "quotes", "entities", "cluster"} <= set(infos)
    r = CliRunner().invoke(app, ["stages", "--json"])
    assert r.exit_code == 0 and "wordcount" in {i["name"] for i in json.loads(r.stdout)}


def test_plugin_table_exists_on_its_first_run(plugin: str, tmp_path: Path) -> None:
    """The store was created before the plugin was installed: the pipeline migrates its table."""
    settings = Settings.load(db=str(tmp_path / "p.db"))
    store = api.open_store(settings.db)
    with store.connect() as conn:
        tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
    assert "wordcount_words" in tables  # opened with the plugin installed: migrated at open
    store.close()
    # a store opened without any stage's tables, as an older newsdesk would leave it
    bare = bare_open(str(tmp_path / "bare.db"))
    api.ingest([str(_corpus(tmp_path / "c.jsonl"))], bare, settings, run_stages=False)
    report = pipeline.run(bare, settings, only=["wordcount"])
    assert report.processed == {"wordcount": 3}
    assert sorted(_counts(bare).values()) == [2, 3, 4]
    bare.close()


def test_plugin_runs_end_to_end_and_reruns_on_a_new_version(plugin: str, tmp_path: Path) -> None:
    settings = Settings.load(db=str(tmp_path / "e.db"))
    store = api.open_store(settings.db)
    report = api.ingest([str(_corpus(tmp_path / "c.jsonl"))], store, settings)
    assert report.added == 3
    assert sorted(_counts(store).values()) == [2, 3, 4]
    assert api.run(store, settings).processed == {}  # nothing pending
    cls = sys.modules[plugin].WordCount
    cls.version = 2
    assert len(store.pending_ids("wordcount", 2)) == 3
    assert api.run(store, settings, only=["wordcount"]).processed == {"wordcount": 3}
    with store.connect() as conn:
        versions = set(
            conn.scalars(
                select(article_stages.c.version).where(article_stages.c.stage == "wordcount")
            )
        )
    assert versions == {2}
    assert api.run(store, settings).processed == {}
    store.close()


def test_plugin_filter_in_the_cli(plugin: str) -> None:
    lines = '{"id": "a", "text": "Three little words"}\n{"text": "two words"}\n'
    r = CliRunner().invoke(app, ["filter", "wordcount", "-"], input=lines)
    assert r.exit_code == 0, r.output
    assert [json.loads(x) for x in r.stdout.splitlines()] == [
        {"id": "a", "words": 3},
        {"id": 2, "words": 2},
    ]


def test_plugin_filter_in_a_fresh_process(plugin: str, tmp_path: Path) -> None:
    """An installed plugin, found by a new ``newsdesk`` process through package metadata."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path / "site"), *sys.path]))
    done = subprocess.run(
        [sys.executable, "-m", "newsdesk", "filter", "wordcount", "-"],
        input='{"id": 1, "text": "a b c d"}\n',
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"id": 1, "words": 4}


def test_unknown_stage_is_a_one_line_error() -> None:
    r = CliRunner().invoke(app, ["filter", "nosuchstage", "-"], input="{}\n")
    assert r.exit_code == 1
    assert "unknown stage 'nosuchstage'" in r.output and "Traceback" not in r.output
    with pytest.raises(UnknownStage):
        registry.get_stage("nosuchstage")


def test_two_packages_with_one_stage_name_are_an_error(
    plugin: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other"
    install(other, "wordcount-rival", "wordcount_rival", {"wordcount": "wordcount_rival:Rival"}, "")
    monkeypatch.syspath_prepend(str(other))
    with pytest.raises(RegistryError) as err:
        registry.load_stages()
    message = str(err.value)
    assert "two stages named 'wordcount'" in message
    assert "wordcount-rival" in message and plugin.replace("_", "-") in message


def test_a_plugin_named_like_a_builtin_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    install(site, "my-summaries", "my_summaries", {"summarize": "my_summaries:Mine"}, "")
    monkeypatch.syspath_prepend(str(site))
    with pytest.raises(RegistryError, match=r"two stages named 'summarize'.*my-summaries"):
        registry.declared()


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("class Bad:\n    name = 'bad'\n", "lacks version, requires, provides, tables"),
        (
            "from newsdesk.registry import BaseStage\n"
            "class Bad(BaseStage):\n    name = 'bad'\n    def process(self, s, c, b): pass\n",
            "lacks filter",
        ),
        (
            "from newsdesk.registry import BaseStage\n"
            "class Bad(BaseStage):\n    name = 'other'\n"
            "    def process(self, s, c, b): pass\n    def filter(self, r): return iter(())\n",
            "is named 'other' but registered as 'bad'",
        ),
        (
            "from newsdesk.registry import BaseStage\n"
            "class Bad(BaseStage):\n    name = 'bad'\n    tables = ('not a component',)\n"
            "    def process(self, s, c, b): pass\n    def filter(self, r): return iter(())\n",
            "tables must be newsdesk.store.schema.Component",
        ),
    ],
)
def test_a_broken_stage_is_refused_saying_why(
    code: str, problem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = f"broken_stage_{next(_counter)}"
    site = tmp_path / "site"
    install(site, module.replace("_", "-"), module, {"bad": f"{module}:Bad"}, code)
    monkeypatch.syspath_prepend(str(site))
    with pytest.raises(RegistryError, match=re.escape(problem)):
        registry.load_stages()
    sys.modules.pop(module, None)
