"""The clusterer's state for a store: rebuilt from the database, its faiss index kept beside it."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import (
    func,
    select,
)

from newsdesk.nlp.dates import anchor_date
from newsdesk.nlp.embed import embed_text
from newsdesk.settings import Settings
from newsdesk.stages.cluster.clusterer import Clusterer, Item
from newsdesk.stages.cluster.features import bag, dated_text, days, parse_datetime
from newsdesk.stages.cluster.languages import language_group
from newsdesk.stages.cluster.records import add_multilingual, items_from_records, priors_of
from newsdesk.stages.cluster.tables import story_articles
from newsdesk.store.schema import articles

if TYPE_CHECKING:
    from newsdesk.nlp.embed import Encoder


log = logging.getLogger(__name__)


def index_path(store: Any, settings: Settings | None = None) -> str | None:
    """Where the faiss index of a store lives: setting ``stories_index``, else beside a SQLite
    file (``<db>.stories.faiss``); None for other databases without the setting."""
    if settings is not None and settings.stories_index:
        return settings.stories_index
    url = store.engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return f"{url.database}.stories.faiss"
    return None


@dataclass(slots=True)
class _Engine:
    clusterer: Clusterer
    saved: int = 0  # vectors in the index file


ENGINES: dict[str, _Engine] = {}


def record_of(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "title": row["title"],
        "text": row["text"],
        "published": row["published"],
        "duplicate_of": row["duplicate_of"],
        "captions": json.loads(row["captions"] or "[]"),
        "language": row["language"] or "",
    }


def _load_index(path: str | None, encoder: Encoder) -> tuple[Any, dict[str, Any]] | None:

    import faiss

    if not path or not Path(path).exists() or not Path(path + ".json").exists():
        return None
    try:
        with open(path + ".json", encoding="utf-8") as fh:
            meta = json.load(fh)
        if meta.get("encoder") != encoder.name or meta.get("dim") != encoder.dim:
            return None
        return faiss.read_index(path), meta
    except (OSError, ValueError, RuntimeError):
        log.warning("story index %s unreadable; rebuilding from the database", path)
        return None


def save_index(path: str | None, eng: _Engine, encoder: Encoder) -> None:

    import faiss

    cl = eng.clusterer
    if not path or not cl.keys:
        return
    tmp = path + ".tmp"
    faiss.write_index(cl.index, tmp)
    Path(tmp).replace(path)
    meta = {
        "n": len(cl.keys),
        "last_key": cl.keys[-1],
        "encoder": encoder.name,
        "dim": encoder.dim,
        # the per-language running means the stored (centred) vectors were centred with
        "means": {
            f"{lang}|{space}": [acc[1], [float(x) for x in acc[0]]]
            for (lang, space), acc in cl.means.items()
            if space == "fast"
        },
    }
    with open(path + ".json.tmp", "w", encoding="utf-8") as fh:
        json.dump(meta, fh)
    Path(path + ".json.tmp").replace(path + ".json")
    eng.saved = len(cl.keys)


def _rebuild_engine(
    conn: Any,
    path: str | None,
    encoder: Encoder,
    join: float | None = None,
    mencoder: Encoder | None = None,
) -> _Engine:
    """The clusterer state for what the database holds: index file where fresh, else re-encoded.

    Multilingual vectors are encoded again (the index file holds the fast ones) when the
    store holds more than one language.
    """
    cl = Clusterer(
        encoder.dim,
        join=join,
        mdim=mencoder.dim if mencoder else 0,
        priors=priors_of(encoder, mencoder),
    )
    loaded = _load_index(path, encoder)
    q = (
        select(story_articles.c.story_id, story_articles.c.position, articles)
        .join(articles, articles.c.id == story_articles.c.article_id)
        .order_by(story_articles.c.position)
    )
    rows = conn.execute(q).mappings().all()
    vectors = None
    if loaded is not None:
        index, meta = loaded
        n = int(meta.get("n", 0))
        if 0 < n <= len(rows) and rows[n - 1]["id"] == meta.get("last_key"):
            vectors = index.reconstruct_n(0, n)
            for key, (count, total) in (meta.get("means") or {}).items():
                lang, space = key.split("|")
                cl.means[(lang, space)] = [np.asarray(total, np.float64), int(count)]
    reused = 0 if vectors is None else len(vectors)
    for i in range(0, len(rows), 2048):
        chunk = rows[i : i + 2048]
        items = (
            items_from_records([record_of(r) for r in chunk], encoder)
            if i + len(chunk) > reused
            else None
        )
        if items is None:  # every vector of this chunk is in the file: skip the encoder
            assert vectors is not None  # reused > 0
            items = [
                Item(
                    r["id"],
                    vectors[i + j],
                    bag(r["title"], r["text"]),
                    days(anchor_date(dated_text(record_of(r)), parse_datetime(r["published"]))),
                    r["duplicate_of"],
                    lang=language_group(r["language"]),
                    centred=True,
                )
                for j, r in enumerate(chunk)
            ]
        elif reused > i:
            assert vectors is not None
            for j in range(min(len(chunk), reused - i)):
                items[j].vec = vectors[i + j]
                items[j].centred = True  # vectors from the file were centred when added
        if mencoder is not None and cl.mixed(items):
            recs = [record_of(r) for r in chunk]
            add_multilingual(items, [embed_text(r["title"], r["text"]) for r in recs], mencoder)
        cl.restore(items, [int(r["story_id"]) for r in chunk])
    eng = _Engine(cl, saved=reused)
    log.info(
        "story clusterer rebuilt: %d articles (%d vectors from the index file)", len(rows), reused
    )
    return eng


def engine_for(
    store: Any,
    conn: Any,
    settings: Any,
    encoder: Encoder,
    join: float | None = None,
    mencoder: Encoder | None = None,
) -> _Engine:
    key = str(store.engine.url)
    n_db = int(conn.scalar(select(func.count()).select_from(story_articles)) or 0)
    last = conn.scalar(
        select(story_articles.c.article_id).order_by(story_articles.c.position.desc()).limit(1)
    )
    eng = ENGINES.get(key)
    path = index_path(store, settings)
    if eng is None or len(eng.clusterer.keys) != n_db or (n_db and eng.clusterer.keys[-1] != last):
        eng = _rebuild_engine(conn, path, encoder, join, mencoder)
        ENGINES[key] = eng
    # What the engine holds is committed now: persist the index when it has grown enough.
    grown = len(eng.clusterer.keys) - eng.saved
    if grown and grown >= max(1, eng.saved // 10):
        save_index(path, eng, encoder)
    return eng
