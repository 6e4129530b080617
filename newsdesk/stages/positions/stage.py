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
from newsdesk.nlp.language import detect_language
from newsdesk.registry import BaseStage
from newsdesk.settings import Settings
from newsdesk.stages.positions import issues as issuelib
from newsdesk.stages.positions.claims import Claim, extract
from newsdesk.stages.positions.mapping import MapClaim, build_map
from newsdesk.stages.positions.parties import PartyTable, load_parties
from newsdesk.stages.positions.stance import StanceModel, embedder, load_model
from newsdesk.stages.positions.tables import CLAIMS, claims_table
from newsdesk.stages.quotes.extract import QuoteTagger, load_tagger
from newsdesk.stages.quotes.extract import extract as extract_quotes
from newsdesk.stages.quotes.tables import quotes_table
from newsdesk.store.schema import Component

if TYPE_CHECKING:
    from newsdesk.store import Store

Embed = Callable[[Sequence[str]], np.ndarray]

# Added to a cue-found claim's polarity log-odds times the cue's side (+1/−1), per stance model.
# Chosen on the tune half of MPQA's English news documents (benchmarks/positions.py "cue prior"
# row, priors 0 / 0.5 / 1 / 2 / 4, the smallest of the best kept): e5 model 0.706 / 0.728 /
# 0.793 / 0.793 / 0.793 → 1 (report half 0.739, 0.552 without); WordLlama model (``--encoder
# wordllama``) 0.551 / 0.686 / 0.735 / 0.776 / 0.793 → 4 (report half 0.761, 0.411 without).
# The models alone read German, Danish and debate claims, where cues mean less.
CUE_PRIOR = {"e5": 1.0, "wordllama": 4.0}
# Encoders whose claims are grouped on their target's own vector; the others (e5) group on the
# stance text's vector, which the stance model needs anyway: an e5 target vector cost 21–42 % of
# the e5 tokens of ``positions -`` (AllSides via the e5 model / DEbateNet German pseudo-articles)
# and grouped German claims worse — the target rules read English. 199 claims of DEbateNet's
# articles (claim spans of one article joined, a German party table), pair-F1 against the
# sub-category of the span holding each claim, 5 article-disjoint folds, JOIN from the training
# folds: e5 target 0.642 ± 0.087, e5 stance text 0.788 ± 0.108 (paired +0.15, 3 folds up, 2
# equal), WordLlama target 0.625 ± 0.049, lexical only 0.495 ± 0.096, one issue 0.354.
TARGET_VECTORS = frozenset({"wordllama"})


@dataclass(slots=True)
class Analysed:
    """One article's claims with their stance and vectors."""

    article_id: str
    text: str
    published: str | None
    claims: list[Claim]
    vectors: np.ndarray  # grouping vectors: the target's (WordLlama) or the stance text's (e5)
    text_vectors: np.ndarray  # vectors of the stance texts
    encoder: str = "e5"


class Models:
    """The stance models, loaded on first use: the fast English one and the multilingual one."""

    def __init__(self, e5: StanceModel | None = None, fast: StanceModel | None = None) -> None:
        self._e5, self._fast = e5, fast

    @property
    def e5(self) -> StanceModel:
        if self._e5 is None:
            self._e5 = load_model(encoder="e5")
        return self._e5

    @property
    def fast(self) -> StanceModel:
        if self._fast is None:
            self._fast = load_model(encoder="wordllama")
        return self._fast

    def for_text(self, text: str, language: str | None = None) -> StanceModel:
        """The fast model for English, e5 for every other language (or an unknown one)."""
        lang = language or detect_language(text)
        return self.fast if lang == "en" else self.e5


def analyse(
    items: Sequence[tuple[str, str, str | None, Sequence[dict[str, Any]]]],
    parties: PartyTable,
    models: Models | StanceModel,
    embed: Embed | None = None,
    cue_prior: float | None = None,
    languages: Sequence[str | None] | None = None,
) -> list[Analysed]:
    """Claims, stance and vectors for ``items`` = (article id, text, date, quotes), batched.

    Each article is read by the model for its language (``Models.for_text``); a single
    ``StanceModel`` (and ``embed``) reads them all. ``cue_prior``: default per model (CUE_PRIOR).
    """
    if isinstance(models, StanceModel):
        return _analyse(items, parties, models, embed or embedder(models.encoder), cue_prior)
    langs = list(languages) if languages is not None else [None] * len(items)
    chosen = [models.for_text(it[1], lang) for it, lang in zip(items, langs, strict=True)]
    out: dict[int, Analysed] = {}
    for model in {id(m): m for m in chosen}.values():
        idx = [i for i, m in enumerate(chosen) if m is model]
        done = _analyse([items[i] for i in idx], parties, model, embedder(model.encoder), cue_prior)
        out.update(zip(idx, done, strict=True))
    return [out[i] for i in range(len(items))]


def _analyse(
    items: Sequence[tuple[str, str, str | None, Sequence[dict[str, Any]]]],
    parties: PartyTable,
    model: StanceModel,
    embed: Embed,
    cue_prior: float | None,
) -> list[Analysed]:
    if cue_prior is None:
        cue_prior = CUE_PRIOR.get(model.encoder, 1.0)
    per = [(aid, text, day, extract(text, parties, quotes)) for aid, text, day, quotes in items]
    flat = [c for *_, cs in per for c in cs]
    stance_texts = [c.stance_text for c in flat]
    by_target = model.encoder in TARGET_VECTORS
    targets = [c.target for c in flat if c.target and by_target]
    unique = sorted(set(stance_texts) | set(targets))
    vecs = embed(unique) if unique else np.zeros((0, 0), dtype=np.float32)
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
    out = []
    dim = vecs.shape[1] if vecs.size else 0
    for aid, text, day, cs in per:
        if cs:
            tv = np.vstack([where[c.stance_text] for c in cs])
            v = np.vstack([where[_grouped_on(c, model.encoder)] for c in cs])
        else:
            tv = v = np.zeros((0, dim), dtype=np.float32)
        out.append(Analysed(aid, text, day, cs, v, tv, model.encoder))
    return out


# -- the positions - filter ----------------------------------------------------------------
def positions_map(
    records: Iterable[dict[str, Any]],
    parties: PartyTable | None = None,
    models: Models | StanceModel | None = None,
    tagger: QuoteTagger | None = None,
    embed: Embed | None = None,
    issue_file: issuelib.IssueFile | None = None,
    as_of: str | None = None,
    since: str | None = None,
) -> dict[str, Any]:
    """``newsdesk positions -``: the articles of one story → one map (see the module docstring).

    A record's ``language`` (ISO 639-1), when given, picks the stance model; else it is detected.
    """
    parties = parties or load_parties()
    models = models or Models()
    tagger = tagger or load_tagger()
    recs = list(records)
    items = []
    for n, r in enumerate(recs):
        text = str(r.get("text") or "")
        rid = str(r.get("id", n + 1))
        items.append((rid, text, r.get("published"), extract_quotes(text, tagger)))
    done = analyse(items, parties, models, embed, languages=[r.get("language") for r in recs])
    titles = {str(r.get("id", n + 1)): r.get("title") for n, r in enumerate(recs)}
    return map_of(done, issue_file or issuelib.IssueFile(), titles, as_of=as_of, since=since)


def map_of(
    done: Sequence[Analysed],
    issue_file: issuelib.IssueFile,
    titles: dict[str, Any] | None = None,
    as_of: str | None = None,
    since: str | None = None,
    outlets: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Group the claims of analysed articles into issues and build the map (with the claims)."""
    flat = [(a, i, c) for a in done for i, c in enumerate(a.claims)]
    encoders = {a.encoder for a, _, _ in flat}
    mixed = len(encoders) > 1
    encoder = "e5" if mixed or not encoders else encoders.pop()
    if mixed:  # articles read by both models: one vector space (e5) for grouping
        vectors, text_vectors = _e5_vectors(flat)
    elif flat:
        vectors = np.vstack([a.vectors[i] for a, i, _ in flat])
        text_vectors = np.vstack([a.text_vectors[i] for a, i, _ in flat])
    else:
        vectors = text_vectors = np.zeros((0, 0), dtype=np.float32)
    found = issuelib.group(
        [c.target for *_, c in flat],
        [c.stance_text for *_, c in flat],
        vectors,
        text_vectors,
        issue_file,
        encoder=encoder,
    )
    issue_of = {m: iss.id for iss in found for m in iss.members}
    claims_out, map_claims = [], []
    for k, (a, i, c) in enumerate(flat):
        cid = f"{a.article_id}#{i}"
        d = {"id": cid, "article_id": a.article_id, "published": a.published, **c.as_dict(a.text)}
        if not a.text:  # from stored rows: the evidence text was stored, the article not read
            d["evidence_text"] = c.stance_text
        d["issue"] = issue_of.get(k)
        claims_out.append(d)
        map_claims.append(
            MapClaim(
                cid, a.article_id, c.party, issue_of.get(k) or "", c.stance, c.score,
                a.published, i, d["evidence_text"], c.evidence, c.actor, c.kind, c.target,
                (outlets or {}).get(a.article_id), (titles or {}).get(a.article_id),
            )
        )  # fmt: skip
    out = build_map(map_claims, [issuelib.as_dict(iss) for iss in found], as_of=as_of, since=since)
    out["claims"] = claims_out
    return out


def _grouped_on(claim: Claim, encoder: str) -> str:
    """The text whose vector groups ``claim`` into an issue (see TARGET_VECTORS)."""
    if claim.target and encoder in TARGET_VECTORS:
        return claim.target
    return claim.stance_text


def _e5_vectors(flat: Sequence[tuple[Analysed, int, Claim]]) -> tuple[np.ndarray, np.ndarray]:
    """Target and stance-text vectors of every claim in e5's space, for grouping a map whose
    articles were read by both models: the e5-read claims keep the vectors they have (the same
    texts through the same encoder), the others are embedded once per distinct text."""
    todo = sorted({c.stance_text for a, _, c in flat if a.encoder != "e5"})
    new = dict(zip(todo, embedder("e5")(todo), strict=True)) if todo else {}
    vectors, text_vectors = [], []
    for a, i, c in flat:
        if a.encoder == "e5":
            vectors.append(a.vectors[i])
            text_vectors.append(a.text_vectors[i])
        else:
            vectors.append(new[_grouped_on(c, "e5")])
            text_vectors.append(new[c.stance_text])
    return np.vstack(vectors), np.vstack(text_vectors)


def from_rows(rows: Sequence[Any]) -> list[Analysed]:
    """Stored claims rows (one article's rows together, in ``seq`` order) back as ``Analysed``."""
    by: dict[str, list[Any]] = {}
    for r in rows:
        by.setdefault(r["article_id"], []).append(r)
    out = []
    for aid, rs in by.items():
        rs = sorted(rs, key=lambda r: r["seq"])
        claims = []
        for r in rs:
            actor = (r["actor_start"], r["actor_end"]) if r["actor_start"] is not None else None
            target = (r["target_start"], r["target_end"]) if r["target_start"] is not None else None
            claims.append(
                Claim(
                    r["party"],
                    r["actor"] or "",
                    actor,
                    tuple(tuple(s) for s in json.loads(r["evidence"])),
                    r["evidence_text"],
                    r["target"],
                    target,
                    r["cue"],
                    None,
                    r["kind"],
                    r["seq"],
                    stance=r["stance"],
                    score=float(r["score"]),
                )
            )
        vecs = [from_f16(r["vector"]) for r in rs]
        tvecs = [from_f16(r["text_vector"]) for r in rs]
        enc = rs[0]["encoder"] or "e5"
        out.append(
            Analysed(aid, "", rs[0]["published"], claims, np.vstack(vecs), np.vstack(tvecs), enc)
        )
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
        return np.zeros(0, dtype=np.float32)
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
        self.models = Models()

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
            select(quotes_table)
            .where(quotes_table.c.article_id.in_(ids))
            .order_by(quotes_table.c.article_id, quotes_table.c.seq)
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
        langs = [a.language for a in batch]
        for a in analyse(items, self.parties, self.models, languages=langs):
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
                        "encoder": a.encoder,
                    }
                )
        if out:
            conn.execute(claims_table.insert(), out)

    def filter(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """``stance -``: JSONL ``{"id", "text", "target"?, "actor"?}`` → ``{"id", "stance", "score", "scores"}``."""
        return stance_records(records, self.models.e5)
