"""The stage seam: every analysis stage (built-in or third-party) registers here.

A stage says what it reads and writes (``requires`` / ``provides``) so the pipeline can order
stages. Each stage works two ways:

- ``process(store, conn, batch)``: on stored articles, writing its results through ``conn``
  inside the pipeline's transaction (the pipeline marks the batch done in the same transaction);
- ``filter(records)``: on raw JSONL records ``{"id", "text", ...}``, no store involved
  (``newsdesk <stage> -``), yielding one result dict per record, spans as character offsets.

Third-party packages add stages with an entry point in group ``newsdesk.stages``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar, runtime_checkable

from newsdesk.models import Article
from newsdesk.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from newsdesk.store import Store


@runtime_checkable
class Stage(Protocol):
    """An analysis stage. Optional, read by the pipeline when present: ``batch_size`` (the stage
    wants batches at least this big, e.g. clustering) and ``after_run(store)`` (work over the
    whole run, e.g. stored story views)."""

    name: ClassVar[str]
    requires: ClassVar[frozenset[str]]
    provides: ClassVar[frozenset[str]]

    @classmethod
    def from_settings(cls, settings: Settings) -> Stage: ...

    def process(self, store: Store, conn: Connection, batch: Sequence[Article]) -> None: ...

    def filter(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]: ...


S = TypeVar("S")
_STAGES: dict[str, type] = {}

# What ingest itself provides to the stages.
INGEST_PROVIDES = frozenset({"text", "sentences", "metadata"})


def stage(cls: type[S]) -> type[S]:
    """Class decorator: register a stage under ``cls.name``."""
    _STAGES[cls.name] = cls  # type: ignore[attr-defined]
    return cls


def load_stages() -> dict[str, type]:
    """Built-in stages plus those of installed packages (entry point group ``newsdesk.stages``)."""
    import newsdesk.stages  # noqa: F401  (registers the built-ins)

    for ep in entry_points(group="newsdesk.stages"):
        cls = ep.load()
        _STAGES.setdefault(cls.name, cls)
    return dict(_STAGES)


def ordered(stages: dict[str, type]) -> list[type]:
    """Stages in an order where each one's ``requires`` is provided by ingest or an earlier stage."""
    have = set(INGEST_PROVIDES)
    todo = sorted(stages.values(), key=lambda c: c.name)
    out: list[type] = []
    while todo:
        ready = [c for c in todo if c.requires <= have]
        if not ready:
            missing = {c.name: sorted(c.requires - have) for c in todo}
            raise RuntimeError(f"stages with unmet requirements: {missing}")
        for c in ready:
            out.append(c)
            have |= c.provides
            todo.remove(c)
    return out
