"""Raw records to clusterer items, and the online clustering of a stream of records.

``cluster_records`` is the ``newsdesk cluster -`` path; the stage builds items the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from newsdesk.nlp.dates import anchor_date
from newsdesk.nlp.embed import embed_text, encoder_mean, get_encoder
from newsdesk.nlp.language import detect_language
from newsdesk.stages.cluster.clusterer import BATCH, Assignment, Clusterer, Item
from newsdesk.stages.cluster.features import bag, dated_text, days
from newsdesk.stages.cluster.languages import language_group
from newsdesk.stages.cluster.scoring import DEFAULT, LONG_WORDS, Params

if TYPE_CHECKING:
    from newsdesk.nlp.embed import Encoder


def items_from_records(
    records: Sequence[dict[str, Any]], encoder: Encoder, mencoder: Encoder | None = None
) -> list[Item]:
    """Turn raw records ``{"id", "text", "title"?, "published"?, "duplicate_of"?,
    "language"?}`` into items; multilingual vectors (``mencoder``) for every record."""
    texts = [embed_text(r.get("title"), r.get("text") or "") for r in records]
    V = encoder.encode(texts) if records else np.zeros((0, encoder.dim), np.float32)
    out = []
    for r, v in zip(records, V, strict=True):
        pub = r.get("published")
        if isinstance(pub, str) and pub:
            try:
                pub = datetime.fromisoformat(pub)
            except ValueError:
                pub = None
        t = days(anchor_date(dated_text(r), pub if isinstance(pub, (date, datetime)) else None))
        title, body = r.get("title") or "", r.get("text") or ""
        words = len(title.split()) + len(body[: LONG_WORDS * 12].split())
        lang = r.get("language")
        if lang is None:
            # 400 characters: as accurate as 2,000 on trafilatura-eval (benchmarks/language.py)
            # at a fifth of the cost, which a 100k-article stream notices
            lang = detect_language(f"{title}\n{body[:400]}")
        item = Item(str(r["id"]), v, bag(title, body), t, r.get("duplicate_of"), words)
        item.lang = language_group(lang)
        out.append(item)
    if mencoder is not None:
        add_multilingual(out, texts, mencoder)
    return out


def priors_of(encoder: Encoder, mencoder: Encoder | None) -> dict[str, np.ndarray | None]:
    """The centring priors of a fast and a multilingual encoder (their mean news embeddings)."""
    return {
        "fast": encoder_mean(encoder.name),
        "multi": encoder_mean(mencoder.name) if mencoder is not None else None,
    }


def add_multilingual(items: Sequence[Item], texts: Sequence[str], mencoder: Encoder) -> None:
    """Give ``items`` (whose embedding inputs are ``texts``) their multilingual vectors."""
    todo = [i for i, it in enumerate(items) if it.mvec is None]
    if todo:
        M = mencoder.encode([texts[i] for i in todo])
        for i, mv in zip(todo, M, strict=True):
            items[i].mvec = mv


def cluster_records(
    records: Iterable[dict[str, Any]],
    encoder: Encoder | None = None,
    batch_size: int = BATCH,
    join: float | None = None,
    mencoder: Encoder | None = None,
    params: Params = DEFAULT,
) -> Iterator[tuple[dict[str, Any], Assignment]]:
    """Cluster a stream of raw records online, in batches; yield each record with its story.

    ``mencoder``: the multilingual encoder for cross-language scores, run only once the stream
    holds more than one language (a one-language stream never pays for it).
    """
    enc = encoder or get_encoder()
    clusterer = Clusterer(
        enc.dim,
        join=join,
        mdim=mencoder.dim if mencoder else 0,
        params=params,
        priors=priors_of(enc, mencoder),
    )
    buf: list[dict[str, Any]] = []

    def flush() -> Iterator[tuple[dict[str, Any], Assignment]]:
        items = items_from_records(buf, enc)
        if mencoder is not None and clusterer.mixed(items):
            texts = [embed_text(r.get("title"), r.get("text") or "") for r in buf]
            add_multilingual(items, texts, mencoder)
        yield from zip(buf, clusterer.add(items), strict=True)
        buf.clear()

    for r in records:
        buf.append(r)
        if len(buf) >= batch_size:
            yield from flush()
    if buf:
        yield from flush()
