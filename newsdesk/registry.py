"""The stage seam: every analysis stage, built-in or third-party, comes in through this door.

A stage says what it reads and writes (``requires`` / ``provides``) so the pipeline can order
stages, and which tables it owns (``tables``: schema components the store migrates before the
stage first runs). Each stage works two ways:

- ``process(store, conn, batch)``: on stored articles, writing its results through ``conn``
  inside the pipeline's transaction (the pipeline marks the batch done in the same transaction);
- ``filter(records)``: on raw JSONL records ``{"id", "text", ...}``, no store involved
  (``newsdesk <stage> -``), yielding one result dict per record, spans as character offsets.

Stages are found through the entry-point group ``newsdesk.stages``; newsdesk's own stages are
declared there too (pyproject.toml), so built-ins and plugins load the same way. Two stages with
one name are an error, never a silent choice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from importlib import import_module
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self, runtime_checkable

from newsdesk.errors import NewsdeskError
from newsdesk.models import Article, StageInfo
from newsdesk.settings import Settings
from newsdesk.store.schema import Component

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from newsdesk.store import Store

GROUP = "newsdesk.stages"

# newsdesk's own stages, as pyproject.toml declares them in the entry-point group; read from
# here only when the package runs from a source tree that was never installed (no metadata).
BUILTINS = {
    "embed": "newsdesk.stages.embed:Embed",
    "summarize": "newsdesk.stages.summarize:Summarize",
    "quotes": "newsdesk.stages.quotes:Quotes",
    "entities": "newsdesk.stages.entities:Entities",
    "cluster": "newsdesk.stages.cluster:Cluster",
    "positions": "newsdesk.stages.positions:Positions",
}

# What ingest itself provides to the stages.
INGEST_PROVIDES = frozenset({"text", "sentences", "metadata"})


class RegistryError(NewsdeskError):
    """A stage that cannot be loaded: a duplicate name, a missing attribute, unmet needs."""


class UnknownStage(RegistryError, ValueError):
    """A stage name that no installed package declares."""


@runtime_checkable
class Stage(Protocol):
    """An analysis stage. :class:`BaseStage` gives the defaults of the optional parts."""

    name: ClassVar[str]
    # Bump when the stage's results change (a new model, a fixed rule): the pipeline then runs
    # the stage again over every article it processed with an older version.
    version: ClassVar[int]
    requires: ClassVar[frozenset[str]]
    provides: ClassVar[frozenset[str]]
    tables: ClassVar[tuple[Component, ...]]  # schema components this stage owns
    batch_size: int  # the stage wants batches at least this big (0: the pipeline's default)

    @classmethod
    def from_settings(cls, settings: Settings) -> Stage: ...

    def process(self, store: Store, conn: Connection, batch: Sequence[Article]) -> None:
        """Analyse ``batch`` and write the results through ``conn`` (the batch's transaction)."""

    def after_run(self, store: Store) -> None:
        """Called once after the pipeline's batches of a run (work over the whole run)."""

    def filter(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """``newsdesk <name> -``: one result per JSONL record ``{"id", "text", ...}``."""


class BaseStage:
    """Defaults for a stage's optional parts; built-in stages subclass it, plugins may."""

    name: ClassVar[str]
    version: ClassVar[int] = 1
    requires: ClassVar[frozenset[str]] = frozenset({"text"})
    provides: ClassVar[frozenset[str]] = frozenset()
    tables: ClassVar[tuple[Component, ...]] = ()
    batch_size: int = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls()

    def after_run(self, store: Store) -> None:
        return None


# What :func:`_load` checks a class has (the protocol's members) and the type of each value.
_ATTRIBUTES: dict[str, type] = {
    "name": str,
    "version": int,
    "requires": frozenset,
    "provides": frozenset,
    "tables": tuple,
    "batch_size": int,
}
_METHODS = ("from_settings", "process", "after_run", "filter")


def check_stage(cls: object, name: str, source: str) -> type[Stage]:
    """``cls`` if it is a stage class named ``name``, else a :class:`RegistryError` saying why.

    Every part of the protocol must be there (subclass :class:`BaseStage` for the defaults):
    a stage is never patched up behind its author's back.
    """
    where = f"stage {name!r} ({source})"
    if not isinstance(cls, type):
        raise RegistryError(f"{where} is not a class")
    missing = [a for a in (*_ATTRIBUTES, *_METHODS) if not hasattr(cls, a)]
    if missing:
        raise RegistryError(
            f"{where} lacks {', '.join(missing)} (subclass newsdesk.registry.BaseStage)"
        )
    values = {a: getattr(cls, a) for a in (*_ATTRIBUTES, *_METHODS)}
    for attr, want in _ATTRIBUTES.items():
        if not isinstance(values[attr], want) or isinstance(values[attr], bool):
            raise RegistryError(f"{where}: {attr} must be {_words(want)}")
    for attr in _METHODS:
        if not callable(values[attr]):
            raise RegistryError(f"{where}: {attr} must be a method")
    if not all(isinstance(c, Component) for c in values["tables"]):
        raise RegistryError(f"{where}: tables must be newsdesk.store.schema.Component objects")
    if values["name"] != name:
        raise RegistryError(f"{where} is named {values['name']!r} but registered as {name!r}")
    if values["version"] < 1:
        raise RegistryError(f"{where}: version must be 1 or more")
    stage: type[Stage] = cls
    return stage


def _words(want: type) -> str:
    return {str: "a string", int: "an integer", frozenset: "a frozenset", tuple: "a tuple"}[want]


def _load(name: str, value: str) -> type[Stage]:
    module, _, attr = value.partition(":")
    try:
        cls = import_module(module)
        for part in attr.split("."):
            cls = getattr(cls, part)
    except (ImportError, AttributeError) as exc:
        raise RegistryError(f"stage {name!r} ({value}) cannot be loaded: {exc}") from exc
    return check_stage(cls, name, value)


def declared() -> dict[str, str]:
    """Every stage declared in the entry-point group: name -> ``module:Class``.

    Raises :class:`RegistryError` when two packages declare one name (a plugin named like a
    built-in included): which one to run is never chosen silently.
    """
    found: dict[str, str] = {}
    by: dict[str, str] = {}
    own = False
    for ep in entry_points(group=GROUP):
        dist = ep.dist.name if ep.dist is not None else "?"
        if dist == "newsdesk":
            own = True
        if ep.name in found and found[ep.name] != ep.value:
            raise RegistryError(
                f"two stages named {ep.name!r}: {found[ep.name]} (from {by[ep.name]}) and "
                f"{ep.value} (from {dist}); uninstall one or rename it"
            )
        found[ep.name], by[ep.name] = ep.value, dist
    if not own:  # a source tree that was never installed: its built-ins are not in metadata
        for name, value in BUILTINS.items():
            if name in found and found[name] != value:
                raise RegistryError(
                    f"two stages named {name!r}: {value} (newsdesk) and {found[name]} "
                    f"(from {by[name]}); uninstall one or rename it"
                )
            found.setdefault(name, value)
    return found


def load_stages() -> dict[str, type[Stage]]:
    """Built-in stages plus those of installed packages, by name."""
    return {name: _load(name, value) for name, value in sorted(declared().items())}


def get_stage(name: str) -> type[Stage]:
    """The stage class registered as ``name``; :class:`UnknownStage` names the known ones."""
    found = declared()
    if name not in found:
        raise UnknownStage(f"unknown stage {name!r}; installed: {', '.join(sorted(found))}")
    return _load(name, found[name])


def stage_infos() -> list[StageInfo]:
    """Every loaded stage in the order the pipeline runs them."""
    found = declared()
    return [
        StageInfo(
            name=cls.name,
            version=cls.version,
            requires=tuple(sorted(cls.requires)),
            provides=tuple(sorted(cls.provides)),
            source=found[cls.name],
        )
        for cls in ordered(load_stages())
    ]


def components(stages: Iterable[type[Stage]] | None = None) -> list[Component]:
    """The schema components of ``stages`` (default: every loaded stage), each once."""
    out: dict[str, Component] = {}
    for cls in stages if stages is not None else load_stages().values():
        for comp in cls.tables:
            out.setdefault(comp.name, comp)
    return list(out.values())


def ordered(stages: dict[str, type[Stage]]) -> list[type[Stage]]:
    """Stages in an order where each one's ``requires`` is provided by ingest or an earlier stage."""
    have = set(INGEST_PROVIDES)
    todo = sorted(stages.values(), key=lambda c: c.name)
    out: list[type[Stage]] = []
    while todo:
        ready = [c for c in todo if c.requires <= have]
        if not ready:
            missing = {c.name: sorted(c.requires - have) for c in todo}
            raise RegistryError(f"stages with unmet requirements: {missing}")
        for c in ready:
            out.append(c)
            have |= c.provides
            todo.remove(c)
    return out
