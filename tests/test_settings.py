"""Settings: one table; defaults < newsdesk.toml < NEWSDESK_* < flags/kwargs; unknown keys fail."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsdesk.cli import app
from newsdesk.settings import SETTINGS, Settings, SettingsError

runner = CliRunner()


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean working directory and environment: no newsdesk.toml, no NEWSDESK_* variables."""
    monkeypatch.chdir(tmp_path)
    for info in SETTINGS:
        monkeypatch.delenv(info.env, raising=False)
    return tmp_path


def test_unknown_key_in_toml_names_key_and_file(here: Path) -> None:
    (here / "newsdesk.toml").write_text('summary_sentence = 4\nencoder = ""\n')
    with pytest.raises(SettingsError) as err:
        Settings.load()
    message = str(err.value)
    assert "newsdesk.toml" in message and "'summary_sentence'" in message
    assert "summary_sentences" in message  # the suggestion


def test_wrong_type_names_key_and_source(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (here / "newsdesk.toml").write_text('batch_size = "many"\n')
    with pytest.raises(
        SettingsError, match=r"newsdesk\.toml: setting 'batch_size' must be an integer"
    ):
        Settings.load()
    (here / "newsdesk.toml").unlink()
    monkeypatch.setenv("NEWSDESK_STORY_VIEWS", "maybe")
    with pytest.raises(SettingsError, match="NEWSDESK_STORY_VIEWS: setting 'story_views'"):
        Settings.load()


def test_unknown_keyword_argument_is_an_error(here: Path) -> None:
    with pytest.raises(SettingsError, match="unknown setting 'sentences'"):
        Settings.load(sentences=4)


def test_invalid_toml_is_one_line(here: Path) -> None:
    (here / "newsdesk.toml").write_text("batch_size = = 3\n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        Settings.load()


def test_precedence_defaults_toml_env_kwargs(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings.load().summary_sentences == 3
    (here / "newsdesk.toml").write_text("summary_sentences = 4\nstory_views = false\n")
    assert Settings.load().summary_sentences == 4
    assert Settings.load().story_views is False
    monkeypatch.setenv("NEWSDESK_SUMMARY_SENTENCES", "5")
    assert Settings.load().summary_sentences == 5
    assert Settings.load(summary_sentences=6).summary_sentences == 6
    assert Settings.load(summary_sentences=None).summary_sentences == 5  # a flag not given


def test_named_config_file_must_exist(here: Path) -> None:
    with pytest.raises(SettingsError, match="no such settings file"):
        Settings.load(config=here / "missing.toml")


def test_table_matches_the_dataclass() -> None:
    assert [s.name for s in SETTINGS] == [f.name for f in fields(Settings)]
    defaults = Settings()
    for info in SETTINGS:
        assert info.help.strip(), f"{info.name} has no help"
        assert getattr(defaults, info.name) == info.default
        assert isinstance(info.default, info.type)
        assert info.env == "NEWSDESK_" + info.name.upper()
        assert info.flag == "--" + info.name.replace("_", "-")


def test_cli_flag_env_and_toml_are_one_name(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``summarize -`` honours --summary-sentences, its old alias --sentences, env and toml."""
    text = " ".join(f"Sentence number {n} says something new about the harbour." for n in range(12))
    line = '{"id": 1, "text": "' + text + '"}\n'

    def count(*args: str) -> int:
        r = runner.invoke(app, ["summarize", "-", "--method", "lead", *args], input=line)
        assert r.exit_code == 0, r.output
        return len(json.loads(r.stdout)["sentences"])

    assert count() == 3
    (here / "newsdesk.toml").write_text("summary_sentences = 1\n")
    assert count() == 1
    monkeypatch.setenv("NEWSDESK_SUMMARY_SENTENCES", "2")
    assert count() == 2
    assert count("--summary-sentences", "4") == 4
    assert count("--sentences", "5") == 5
    assert count("-n", "4") == 4


def test_cli_reports_bad_settings_in_one_line(here: Path) -> None:
    (here / "newsdesk.toml").write_text("colour = 'blue'\n")
    r = runner.invoke(app, ["articles", "--db", str(here / "x.db")])
    assert r.exit_code == 1
    assert "unknown setting 'colour'" in r.output and "Traceback" not in r.output
