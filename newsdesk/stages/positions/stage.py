"""The ``positions`` stage (claims per article) and its two filters, ``stance -`` and ``positions -``.

- stage: for each article, the claims (``claims.extract`` over the text and the article's
  quotes), each with the party, the stance (``stance``), the target and its vector, stored in
  ``claims``; maps are built on the read side per story and thread (``newsdesk.views.positions``);
- ``stance -`` (:meth:`Positions.filter`, :func:`stance_records`): JSONL ``{"id", "text",
  "target"?, "actor"?}`` → ``{"id", "stance", "score", "scores"}``;
- ``positions -`` (:func:`positions_map`): JSONL articles of one story ``{"id", "text",
  "published"?, "title"?}`` → one JSON map: claims with character spans into each text, parties,
  issues, cells, classes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from sqlalchemy import Connection, select

from newsdesk.models import Article
from newsdesk.registry import BaseStage
from newsdesk.settings import Settings
from newsdesk.stages.positions import issues as issuelib
from newsdesk.stages.positions.claims import Claim, extract
from newsdesk.stages.positions.mapping import MapClaim, build_map
from newsdesk.stages.positions.parties import PartyTable, load_parties
from newsdesk.stages.positions.stance import StanceModel, default_embed, load_model
from newsdesk.stages.positions.tables import CLAIMS, claims_table
from newsdesk.stages.quotes.extract import QuoteTagger, load_tagger
from newsdesk.stages.quotes.extract import extract as extract_quotes
from newsdesk.stages.quotes.tables import quotes_table
from newsdesk.store.schema import Component

if TYPE_CHECKING:
    from newsdesk.store import Store

Embed = Callable[[Sequence[str]], np.ndarray]

# Added to a cue-found claim's polarity log-odds times the cue's side (+1/−1). Chosen on the
# tune half of MPQA's English news documents (benchmarks/positions.py "cue prior" rows); the
# model alone reads German, Danish and debate claims, where cues mean less.
CUE_PRIOR = 2.0


@dataclass(slots=True)
class Analysed:
    """One article's claims with their stance and vectors."""

    article_id: str
    text: str
    published: str | None
    claims: list[Claim]
    vectors: np.ndarray  # target vectors (evidence vectors for quotes)
    text_vectors: np.ndarray  # vectors of the stance texts


def analyse(
    items: Sequence[tuple[str, str, str | None, Sequence[dict[str, Any]]]],
    parties: PartyTable,
    model: StanceModel,
    embed: Embed | None = None,
    cue_prior: float = CUE_PRIOR,
) -> list[Analysed]:
    """Claims, stance and vectors for ``items`` = (article id, text, date, quotes), batched."""
    embed = embed or default_embed
    per = [(aid, text, day, extract(text, parties, quotes)) for aid, text, day, quotes in items]
    flat = [c for *_, cs in per for c in cs]
    stance_texts = [c.stance_text for c in flat]
    targets = [c.target for c in flat if c.target]
    unique = sorted(set(stance_texts) | set(targets))
    vecs = embed(unique) if unique else np.zeros((0, 384), dtype=np.float32)
    where = {t: vecs[i] for i, t in enumerate(unique)}
    if flat:
        text_vecs = np.vstack([where[t] for t in stance_texts])
        results = model.predict(
            stance_texts,
            [c.party for c in flat],
            vectors=text_vecs,
            sides=[c.side for c in flat],
            cue_prior=cue_prior,
        )
        for c, r in zip(flat, results, strict=True):
            c.stance, c.score, c.scores = r.stance, r.score, r.scores
    out, k = [], 0
    for aid, text, day, cs in per:
        n = len(cs)
        tv = np.vstack([where[c.stance_text] for c in cs]) if n else np.zeros((0, 384), np.float32)
        v = np.vstack([where[c.target] if c.target else where[c.stance_text] for c in cs]) if n else tv
        out.append(Analysed(aid, text, day, cs, v, tv))
        k += n
    return out


# -- the positions - filter ----------------------------------------------------------------
def positions_map(
    records: Iterable[dict[str, Any]],
    parties: PartyTable | None = None,
    model: StanceModel | None = None,
    tagger: QuoteTagger | None = None,
    embed: Embed | None = None,
    issue_file: issuelib.IssueFile | None = None,
    as_of: str | None = None,
    since: str | None = None,
) -> dict[str, Any]:
    """``newsdesk positions -``: the articles of one story → one map (see the module docstring)."""
    parties = parties or load_parties()
    model = model or load_model()
    tagger = tagger or load_tagger()
    recs = list(records)
    items = []
    for n, r in enumerate(recs):
        text = str(r.get("text") or "")
        rid = str(r.get("id", n + 1))
        items.append((rid, text, r.get("published"), extract_quotes(text, tagger)))
    done = analyse(items, parties, model, embed)
    titles = {str(r.get("id", n + 1)): r.get("title") for n, r in enumerate(recs)}
    return map_of(done, issue_file or issuelib.IssueFile(), titles, as_of=as_of, since=since)


def map_of(
    done: Sequence[Analysed],
    issue_file: issuelib.IssueFile,
    titles: dict[str, Any] | None = None,
    as_of: str | None = None,
    since: str | None = None,
) -> dict[str, Any]:
    """Group the claims of analysed articles into issues and build the map (with the claims)."""
    flat = [(a, i, c) for a in done for i, c in enumerate(a.claims)]
    if flat:
        vectors = np.vstack([a.vectors[i] for a, i, _ in flat])
        text_vectors = np.vstack([a.text_vectors[i] for a, i, _ in flat])
    else:
        vectors = text_vectors = np.zeros((0, 384), dtype=np.float32)
    found = issuelib.group(
        [c.target for *_, c in flat],
        [c.stance_text for *_, c in flat],
        vectors,
        text_vectors,
        issue_file,
    )
    issue_of = {m: iss.id for iss in found for m in iss.members}
    claims_out, map_claims = [], []
    for k, (a, i, c) in enumerate(flat):
        cid = f"{a.article_id}#{i}"
        d = {"id": cid, "article_id": a.article_id, "published": a.published, **c.as_dict(a.text)}
        d["issue"] = issue_of.get(k)
        claims_out.append(d)
        map_claims.append(
            MapClaim(
                cid, a.article_id, c.party, issue_of.get(k) or "", c.stance, c.score,
                a.published, i, d["evidence_text"], c.evidence, c.actor, c.kind, c.target,
                None, (titles or {}).get(a.article_id),
            )
        )  # fmt: skip
    out = build_map(map_claims, [issuelib.as_dict(iss) for iss in found], as_of=as_of, since=since)
    out["claims"] = claims_out
    return out


# -- the stance - filter -------------------------------------------------------------------
def stance_records(
    records: Iterable[dict[str, Any]],
    model: StanceModel | None = None,
    embed: Embed | None = None,
    batch: int = 64,
) -> Iterator[dict[str, Any]]:
    """``newsdesk stance -``: ``{"id", "text", "target"?, "actor"?}`` → ``{"id", "stance", "score", "scores"}``."""
    model = model or load_model()
    buf: list[dict[str, Any]] = []

    def flush() -> Iterator[dict[str, Any]]:
        texts = [str(r.get("text") or "") for r in buf]
        res = model.predict(
            texts,
            [str(r.get("actor") or "") for r in buf],
            [r.get("target") for r in buf],
            embed=embed,
        )
        for r, s in zip(buf, res, strict=True):
            yield {"id": r.get("id"), "stance": s.stance, "score": s.score, "scores": s.scores}
        buf.clear()

    for rec in records:
        buf.append(rec)
        if len(buf) >= batch:
            yield from flush()
    if buf:
        yield from flush()


# -- the stage ------------------------------------------------------------------------------
def _f16(v: np.ndarray) -> bytes:
    return np.asarray(v, dtype=np.float16).tobytes()


def from_f16(b: bytes | None) -> np.ndarray:
    if not b:
        return np.zeros(384, dtype=np.float32)
    return np.frombuffer(b, dtype=np.float16).astype(np.float32)


class Positions(BaseStage):
    """Claims per article: party, stance (e5 + TF-IDF model), target, evidence — for the map."""

    name: ClassVar[str] = "positions"
    version: ClassVar[int] = 1
    requires: ClassVar[frozenset[str]] = frozenset({"text", "sentences", "quotes"})
    provides: ClassVar[frozenset[str]] = frozenset({"claims"})
    tables: ClassVar[tuple[Component, ...]] = (CLAIMS,)

    def __init__(self, parties_file: str = "") -> None:
        self.parties = load_parties(parties_file)
        self._model: StanceModel | None = None

    @property
    def model(self) -> StanceModel:
        if self._model is None:
            self._model = load_model()
        return self._model

    @classmethod
    def from_settings(cls, settings: Settings) -> Positions:
        return cls(settings.parties_file)

    def process(self, store: Store, conn: Connection, batch: Sequence[Article]) -> None:
        ids = [a.id for a in batch]
        if not ids:
            return
        conn.execute(claims_table.delete().where(claims_table.c.article_id.in_(ids)))
        quotes: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        rows = conn.execute(
            select(quotes_table).where(quotes_table.c.article_id.in_(ids)).order_by(
                quotes_table.c.article_id, quotes_table.c.seq
            )
        ).mappings()
        for q in rows:
            spk = (q["speaker_start"], q["speaker_end"]) if q["speaker_start"] is not None else None
            quotes[q["article_id"]].append(
                {
                    "content": [tuple(s) for s in json.loads(q["content"])],
                    "speaker": spk,
                    "speaker_name": q["speaker_name"],
                    "role": q["role"],
                    "org": q["org"],
                }
            )
        items = [
            (a.id, a.text, a.published.isoformat() if a.published else None, quotes[a.id])
            for a in batch
        ]
        out = []
        for a in analyse(items, self.parties, self.model):
            for i, c in enumerate(a.claims):
                out.append(
                    {
                        "article_id": a.article_id,
                        "seq": i,
                        "kind": c.kind,
                        "party": c.party,
                        "actor": c.actor,
                        "actor_start": c.actor_span[0] if c.actor_span else None,
                        "actor_end": c.actor_span[1] if c.actor_span else None,
                        "evidence": json.dumps([list(s) for s in c.evidence]),
                        "evidence_text": " … ".join(a.text[s:e] for s, e in c.evidence),
                        "target": c.target,
                        "target_start": c.target_span[0] if c.target_span else None,
                        "target_end": c.target_span[1] if c.target_span else None,
                        "cue": c.cue,
                        "stance": c.stance,
                        "score": c.score,
                        "published": a.published,
                        "vector": _f16(a.vectors[i]),
                        "text_vector": _f16(a.text_vectors[i]),
                    }
                )
        if out:
            conn.execute(claims_table.insert(), out)

    def filter(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """``stance -``: JSONL ``{"id", "text", "target"?, "actor"?}`` → ``{"id", "stance", "score", "scores"}``."""
        return stance_records(records, self.model)
