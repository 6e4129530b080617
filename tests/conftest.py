"""Shared fixtures: a real SQLite store in tmp_path, settings, the seed pages, shared data."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.api import open_store
from newsdesk.settings import Settings
from newsdesk.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = FIXTURES / "seeds"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.load(db=str(tmp_path / "news.db"))


@pytest.fixture
def store(settings: Settings) -> Store:
    s = open_store(settings.db)
    yield s
    s.close()


@pytest.fixture
def seed_paths() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


def shared(name: str) -> Path:
    """A folder of ../shared/data, or skip the test saying why."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"../shared/data/{name} is absent (evaluation data lives outside the repo)")
    return path
