"""The api is the front door: typed functions, the CLI and web go through it, the demo corpus
ships with the package, and setting ``encoder`` reaches every stage that embeds."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import grimp
import pytest

from newsdesk import api
from newsdesk.models import SearchFilters
from newsdesk.nlp import embed
from newsdesk.settings import Settings

ROOT = Path(__file__).resolve().parents[1]

# What the thin layers may import from the package besides their own modules: the api, the
# types it hands out, settings and errors (and the Store type for annotations).
FRONT_DOOR = {
    "newsdesk.api",
    "newsdesk.models",
    "newsdesk.settings",
    "newsdesk.errors",
    "newsdesk.registry",  # UnknownStage, an error type
    "newsdesk.store",  # the Store type, in annotations
    "newsdesk.export",  # article_dict: the JSONL schema of an article
}


@pytest.mark.parametrize("layer", ["newsdesk.cli", "newsdesk.web"])
def test_cli_and_web_go_through_the_api(layer: str) -> None:
    graph = grimp.build_graph("newsdesk")
    found = {
        (m, n)
        for m in graph.find_descendants(layer) | {layer}
        for n in graph.find_modules_directly_imported_by(m)
        if not n.startswith((layer, "newsdesk.cli", "newsdesk.web")) and n not in FRONT_DOOR
    }
    assert found == set()


def test_every_api_function_is_typed_and_documented() -> None:
    public = {
        n for n, f in inspect.getmembers(api, inspect.isfunction)
        if f.__module__ == "newsdesk.api" and not n.startswith("_")
    }  # fmt: skip
    assert public == set(api.__all__)
    for name in api.__all__:
        fn = getattr(api, name)
        sig = inspect.signature(fn)
        assert fn.__doc__, f"api.{name} has no docstring"
        assert sig.return_annotation is not inspect.Signature.empty, f"api.{name} return type"
        for p in sig.parameters.values():
            assert p.annotation is not inspect.Parameter.empty, f"api.{name}({p.name}) type"


@pytest.mark.slow
def test_demo_corpus_ships_in_the_wheel(tmp_path: Path) -> None:
    """Built as a wheel and imported from there, far from the source tree, the demo corpus is
    found inside the package and ingests."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "-q", "-w", str(tmp_path / "dist")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (wheel,) = (tmp_path / "dist").glob("newsdesk-*.whl")
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    work = tmp_path / "elsewhere"
    work.mkdir()
    script = (
        "import json, newsdesk; from newsdesk import api;"
        "s = api.open_store('demo.db'); r = api.ingest(api.demo_paths(), s, run_stages=False);"
        "print(json.dumps([newsdesk.__file__, api.demo_paths(), r.added, len(r.errors)]))"
    )
    env = dict(os.environ, PYTHONPATH=str(site))
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    module, paths, added, errors = json.loads(run.stdout.splitlines()[-1])
    assert module.startswith(str(site))
    shipped = sorted(
        p.relative_to(ROOT / "demo" / "corpus").as_posix()
        for p in (ROOT / "demo" / "corpus").rglob("*")
        if p.is_file() and p.suffix != ".md"
    )
    assert (
        sorted(Path(p).relative_to(site / "newsdesk/resources/demo").as_posix() for p in paths)
        == shipped
    )
    assert added > 10 and errors == 0


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The encoder names every embedding asks for; each gets the real wordllama encoder (the
    minilm one needs torch, absent here), so only the name is recorded, nothing is faked."""
    names: list[str] = []
    real = embed._load

    def load(name: str) -> embed.Encoder:
        names.append(name)
        return real("wordllama")

    monkeypatch.setattr(embed, "_load", load)
    return names


def test_encoder_setting_reaches_every_stage_that_embeds(
    asked: list[str], tmp_path: Path, seed_paths: list[Path]
) -> None:
    settings = Settings.load(db=str(tmp_path / "e.db"), encoder="minilm")
    store = api.open_store(settings.db)
    api.ingest([str(p) for p in seed_paths], store, settings, run_stages=False)
    for stage in ("summarize", "embed", "cluster"):
        asked.clear()
        assert api.run(store, settings, only=[stage]).processed == {stage: 2}
        assert asked and set(asked) == {"minilm"}, stage
    asked.clear()
    story = api.stories(store, limit=1)[0]
    api.story(store, story.id, settings)
    api.search(store, "talks", filters=SearchFilters(), mode="semantic", settings=settings)
    assert asked and set(asked) == {"minilm"}
    asked.clear()
    out = list(
        api.stage_filter("summarize", [{"id": 1, "text": "One. Two. Three. Four."}], settings)
    )
    assert out and set(asked) == {"minilm"}
    store.close()
