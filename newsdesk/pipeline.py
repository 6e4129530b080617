"""Run the registered stages over stored articles, in batches, resumably.

Steps, for each stage in dependency order:
1. find the articles this stage has not processed at its current ``version`` (``article_stages``
   records the version that processed each article: bumping a stage's version re-runs it over
   the older articles);
2. process them in batches, each batch in one transaction together with its "done" marks,
   so a crash leaves every batch either fully processed or untouched;
3. running again picks up exactly the articles still pending;
4. a stage's ``after_run(store)`` is called once after its batches.

Before a stage first runs, the store migrates the tables the stage owns (``Stage.tables``), so a
plugin's tables exist however the store was opened.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from newsdesk.nlp.embed import use_encoder
from newsdesk.registry import Stage, UnknownStage, load_stages, ordered
from newsdesk.settings import Settings
from newsdesk.store import Store

log = logging.getLogger(__name__)


@dataclass(slots=True)
class PipelineReport:
    """How many articles each stage processed in a run, and in how many seconds."""

    processed: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def run(
    store: Store,
    settings: Settings,
    only: Sequence[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> PipelineReport:
    """Process every pending article with every stage (or the stages named in ``only``).

    Every stage embeds with setting ``encoder`` (:func:`newsdesk.nlp.embed.use_encoder`).
    """
    report = PipelineReport()
    stages = load_stages()
    if only:
        unknown = set(only) - set(stages)
        if unknown:
            raise UnknownStage(f"unknown stage(s): {', '.join(sorted(unknown))}")
    with use_encoder(settings.encoder, settings.e5_threads):
        for cls in ordered(stages):
            if not only or cls.name in only:
                _run_stage(cls, store, settings, report, progress)
    return report


def pending_counts(store: Store) -> dict[str, int]:
    """Articles each registered stage has still to process (stages with none left out)."""
    counts = {}
    for cls in ordered(load_stages()):
        n = store.count_pending(cls.name, cls.version)
        if n:
            counts[cls.name] = n
    return counts


def _run_stage(
    cls: type[Stage],
    store: Store,
    settings: Settings,
    report: PipelineReport,
    progress: Callable[[str, int, int], None] | None,
) -> None:
    pending = store.pending_ids(cls.name, cls.version)
    if not pending:
        return
    store.ensure(cls.tables)
    instance = cls.from_settings(settings)
    start = time.perf_counter()
    done = 0
    # a stage may want bigger batches than ingest's (clustering: average link per batch)
    size = max(settings.batch_size, instance.batch_size)
    if progress:
        progress(cls.name, 0, len(pending))
    for i in range(0, len(pending), size):
        ids = pending[i : i + size]
        t0 = time.perf_counter()
        with store.begin() as conn:
            batch = store.articles_by_ids(conn, ids)
            instance.process(store, conn, batch)
            store.mark_done(conn, cls.name, ids, time.perf_counter() - t0, cls.version)
        done += len(ids)
        if progress:
            progress(cls.name, done, len(pending))
    instance.after_run(store)
    report.processed[cls.name] = done
    report.seconds[cls.name] = time.perf_counter() - start
    log.info("stage %s: %d articles in %.1fs", cls.name, done, report.seconds[cls.name])
