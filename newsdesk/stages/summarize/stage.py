"""The ``summarize`` stage: a short extractive summary of every article."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import Connection

from newsdesk.models import Article, Span, Summary
from newsdesk.registry import BaseStage
from newsdesk.settings import Settings
from newsdesk.stages.summarize.doc import DEFAULT_SENTENCES, Doc, Length
from newsdesk.stages.summarize.summarizers import (
    DEFAULT_METHOD,
    Summarizer,
    get_summarizer,
    summarize,
)
from newsdesk.stages.summarize.tables import SUMMARIES, summaries
from newsdesk.store.schema import Component

if TYPE_CHECKING:
    from newsdesk.store import Store


class Summarize(BaseStage):
    """Add a short extractive summary to each article ("No time to read? Get a summary")."""

    name: ClassVar[str] = "summarize"
    requires: ClassVar[frozenset[str]] = frozenset({"text", "sentences"})
    provides: ClassVar[frozenset[str]] = frozenset({"summary"})
    tables: ClassVar[tuple[Component, ...]] = (SUMMARIES,)

    def __init__(
        self,
        length: Length | None = None,
        method: str | Summarizer = DEFAULT_METHOD,
    ) -> None:
        self.length = length or Length()
        self.summarizer = get_summarizer(method) if isinstance(method, str) else method

    @classmethod
    def from_settings(cls, settings: Settings) -> Summarize:
        n = settings.summary_sentences
        return cls(Length(sentences=None if n == DEFAULT_SENTENCES else n))

    def summarize(self, doc: Doc) -> Summary:
        return summarize(doc, self.length, self.summarizer)

    def process(self, store: Store, conn: Connection, batch: Sequence[Article]) -> None:
        ids = [a.id for a in batch]
        if not ids:
            return
        conn.execute(summaries.delete().where(summaries.c.article_id.in_(ids)))
        rows = []
        for a in batch:
            s = self.summarize(Doc.of(a.text, a.title, a.sentences, a.id))
            rows.append(
                {
                    "article_id": a.id,
                    "method": s.method,
                    "sentences": json.dumps([list(p) for p in s.sentences]),
                }
            )
        conn.execute(summaries.insert(), rows)

    def filter(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """JSONL records ``{"id", "text"[, "title", "sentences"]}`` → ``{"id", "summary",
        "sentences"}``; a record's own ``sentences`` (``[start, end]`` spans into its text, in
        order) are the ones it is summarised from, else its text is split here."""
        for r in records:
            text = str(r.get("text") or "")
            spans = _spans(r.get("sentences"), len(text))
            doc = Doc.of(text, r.get("title"), spans, str(r.get("id", "")))
            s = self.summarize(doc)
            yield {
                "id": r.get("id"),
                "summary": s.text_of(text),
                "sentences": [list(p) for p in s.sentences],
            }


def _spans(value: Any, n: int) -> list[Span] | None:
    """``value`` as sentence spans into a text of ``n`` characters, or None if it is not."""
    if not isinstance(value, list) or not value:
        return None
    out: list[Span] = []
    for item in value:
        if not (isinstance(item, list | tuple) and len(item) == 2):
            return None
        a, b = item
        if not (isinstance(a, int) and isinstance(b, int)) or not 0 <= a < b <= n:
            return None
        if out and a < out[-1][1]:
            return None
        out.append((a, b))
    return out
