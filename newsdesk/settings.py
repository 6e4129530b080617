"""Settings: each declared once with its default and help; env ``NEWSDESK_<NAME>`` overrides.

Precedence: defaults < ``newsdesk.toml`` (current directory) < ``NEWSDESK_*`` environment
< explicit keyword arguments (the CLI passes its flags this way).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

DEFAULT_DB = "newsdesk.db"


@dataclass(frozen=True, slots=True)
class Settings:
    db: str = DEFAULT_DB  # SQLite path or SQLAlchemy URL (sqlite:///x.db, postgresql://…)
    max_file_bytes: int = 50_000_000  # inputs larger than this are refused with an error
    batch_size: int = 200  # articles per ingest transaction
    workers: int = 0  # >0: extract on a local Dask cluster of this many worker processes
    scheduler: str = ""  # address of an existing Dask scheduler (tcp://host:8786) to extract on
    words_per_minute: int = 230  # reading-time estimate when the page states none
    near_duplicate_threshold: float = 0.8  # estimated Jaccard of word 5-shingles
    summary_sentences: int = 3
    encoder: str = ""  # sentence encoder for summaries/stories/search: "" = wordllama, or "minilm"
    story_threshold: float = 0.0  # score to join a story; 0 = tuned defaults by text length
    story_batch: int = 4096  # articles grouped by average link at once (memory ~ batch²)
    story_views: bool = True  # store story pages' views after clustering (fast first views)
    stories_index: str = ""  # faiss index file; "" = beside a SQLite store (<db>.stories.faiss)
    api_token: str = ""  # token required for write endpoints of the web API; empty = writes off
    public_reads: bool = True  # whether the web UI / API can be read without the token

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """Build settings from defaults, ``newsdesk.toml``, environment, then ``overrides``."""
        s = cls()
        toml = Path("newsdesk.toml")
        if toml.is_file():
            with toml.open("rb") as fh:
                s = s._with(tomllib.load(fh))
        env = {
            f.name: os.environ[f"NEWSDESK_{f.name.upper()}"]
            for f in fields(cls)
            if f"NEWSDESK_{f.name.upper()}" in os.environ
        }
        s = s._with(env)
        return s._with({k: v for k, v in overrides.items() if v is not None})

    def _with(self, values: dict[str, Any]) -> Settings:
        known = {f.name: f for f in fields(self)}
        clean: dict[str, Any] = {}
        for key, value in values.items():
            if key not in known:
                continue
            default = getattr(self, key)
            if isinstance(default, bool) and isinstance(value, str):
                value = value.strip().lower() in {"1", "true", "yes", "on"}
            elif isinstance(default, int) and not isinstance(default, bool):
                value = int(value)
            elif isinstance(default, float):
                value = float(value)
            clean[key] = value
        return replace(self, **clean)
