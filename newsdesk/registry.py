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
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from newsdesk.errors import NewsdeskError
from newsdesk.models import Article
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
}

# What ingest itself provides to the stages.
INGEST_PROVIDES = frozenset({"text", "sentences", "metadata"})


class RegistryError(NewsdeskError):
    """A stage that cannot be loaded: a duplicate name, a missing attribute, unmet needs."""


@runtime_checkable
class Stage(Protocol):
    """An analysis stage. :class:`BaseStage` gives the defaults of the optional parts."""

    name: ClassVar[str]
    version: ClassVar[int]  # bump when results change: the pipeline re-runs older articles
    requires: ClassVar[frozenset[str]]
    provides: ClassVar[frozenset[str]]
    tables: ClassVar[tuple[Component, ...]]  # schema components this stage owns
    batch_size: int  # the stage wants batches at least this big (0: the pipeline's default)

    @classmethod
    def from_settings(cls, settings: Settings) -> Stage: ...

    def process(self, store: Store, conn: Connection, batch: Sequence[Article]) -> None: ...

    def after_run(self, store: Store) -> None:
        """Called once after the pipeline's batches of a run (work over the whole run)."""

    def filter(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]: ...


class BaseStage:
    """Defaults for a stage's optional parts; built-in stages subclass it, plugins may."""

    name: ClassVar[str]
    version: ClassVar[int] = 1
    requires: ClassVar[frozenset[str]] = frozenset({"text"})
    provides: ClassVar[frozenset[str]] = frozenset()
    tables: ClassVar[tuple[Component, ...]] = ()
    batch_size: int = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> Stage:
        return cls()  # type: ignore[return-value]

    def after_run(self, store: Store) -> None:
        return None


_REQUIRED = ("name", "requires", "provides", "from_settings", "process", "filter")


def _load(name: str, value: str) -> type[Stage]:
    module, _, attr = value.partition(":")
    try:
        cls = getattr(import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise RegistryError(f"stage {name!r} ({value}) cannot be loaded: {exc}") from exc
    missing = [a for a in _REQUIRED if not hasattr(cls, a)]
    if missing:
        raise RegistryError(f"stage {name!r} ({value}) lacks {', '.join(missing)}")
    if cls.name != name:
        raise RegistryError(f"stage {value} is named {cls.name!r} but registered as {name!r}")
    for attr_name, default in (("version", 1), ("tables", ()), ("batch_size", 0)):
        if not hasattr(cls, attr_name):
            setattr(cls, attr_name, default)
    if not hasattr(cls, "after_run"):
        cls.after_run = BaseStage.after_run
    return cls  # type: ignore[no-any-return]


def declared() -> dict[str, str]:
    """Every stage declared in the entry-point group: name -> ``module:Class``.

    Raises :class:`RegistryError` when two packages declare one name differently.
    """
    found: dict[str, str] = {}
    own = False
    for ep in entry_points(group=GROUP):
        if ep.dist is not None and ep.dist.name == "newsdesk":
            own = True
        if ep.name in found and found[ep.name] != ep.value:
            raise RegistryError(
                f"two stages named {ep.name!r}: {found[ep.name]} and {ep.value}; "
                "uninstall one or rename it"
            )
        found[ep.name] = ep.value
    if not own:  # a source tree that was never installed: its built-ins are not in metadata
        for name, value in BUILTINS.items():
            if name in found and found[name] != value:
                raise RegistryError(f"two stages named {name!r}: {value} and {found[name]}")
            found.setdefault(name, value)
    return found


def load_stages() -> dict[str, type[Stage]]:
    """Built-in stages plus those of installed packages, by name."""
    return {name: _load(name, value) for name, value in sorted(declared().items())}


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
