"""The positions map: parties × issues, each cell a party's stance with its dated evidence.

- **Cell** (party × issue): the party's latest stance (by date, then text order), its history
  (every claim, dated) and all its evidence; a cell with no claim says "no position found".
- **Class** of an issue, from the latest stance of each party that took a position
  (supports / rejects / conditional):
  *unacceptable* — one party rejects what another supports;
  *common ground* — at least two parties take a position, all the same firm side (all supports
  or all rejects), none shifting;
  *grey zone* — everything else: conditional, mixed or shifting positions, or one party heard.
- **Time**: the map as of a date uses the claims dated on or before it; ``since`` lists the
  cells whose latest stance differs from what it was on that date.

The read side (``newsdesk.views.positions``) and the ``positions -`` filter both build maps here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

COMMON = "common ground"
GREY = "grey zone"
UNACCEPTABLE = "unacceptable"
CLASSES = (COMMON, GREY, UNACCEPTABLE)
POSITIONS = ("supports", "rejects", "conditional")
NO_POSITION = "no position found"


@dataclass(frozen=True, slots=True)
class MapClaim:
    """A claim as the map reads it (from the claims table or the filter)."""

    id: str
    article_id: str
    party: str
    issue: str
    stance: str
    score: float
    date: str | None  # ISO date or datetime of the article
    order: int  # text order within the article
    evidence: str  # the evidence text
    spans: tuple[tuple[int, int], ...]
    actor: str
    kind: str
    target: str | None = None
    outlet: str | None = None
    title: str | None = None


def _key(c: MapClaim) -> tuple[str, str, int]:
    return (c.date or "", c.article_id, c.order)


def _latest(claims: Sequence[MapClaim]) -> MapClaim | None:
    """The latest claim with a position (an unclear one only when nothing else was said).

    Statements (a stance cue on the issue's own target) decide the cell when there are any;
    a quote joined to the issue by similarity adds evidence and decides only alone.
    """
    if not claims:
        return None
    statements = [c for c in claims if c.kind == "statement"]
    pool = statements or list(claims)
    firm = [c for c in pool if c.stance in POSITIONS]
    return max(firm or pool, key=_key)


def _deciding(claims: Sequence[MapClaim]) -> list[MapClaim]:
    statements = [c for c in claims if c.kind == "statement"]
    return statements or list(claims)


def classify(cells: dict[str, list[MapClaim]]) -> tuple[str, str]:
    """The issue's class and a short reason, from its cells' claims."""
    latest = {p: _latest(cs) for p, cs in cells.items() if cs}
    pos = {p: c.stance for p, c in latest.items() if c and c.stance in POSITIONS}
    sides = set(pos.values())
    supporters = sorted(p for p, s in pos.items() if s == "supports")
    rejecters = sorted(p for p, s in pos.items() if s == "rejects")
    if supporters and rejecters:
        return UNACCEPTABLE, f"{', '.join(rejecters)} rejects what {', '.join(supporters)} supports"
    shifting = [
        p
        for p, cs in cells.items()
        if len({c.stance for c in _deciding(cs) if c.stance in POSITIONS}) > 1
    ]
    if len(pos) >= 2 and len(sides) == 1 and "conditional" not in sides and not shifting:
        return COMMON, f"every party heard {next(iter(sides))}"
    if len(pos) <= 1:
        who = next(iter(pos), None)
        return GREY, f"only {who} heard" if who else "no clear position"
    if shifting:
        return GREY, f"shifting: {', '.join(sorted(shifting))}"
    return GREY, "conditional or mixed positions"


def _cell(claims: Sequence[MapClaim]) -> dict[str, Any]:
    if not claims:
        return {"stance": NO_POSITION, "history": [], "evidence": []}
    ordered = sorted(claims, key=_key)
    latest = _latest(ordered)
    assert latest is not None
    history: list[dict[str, Any]] = []
    for c in ordered:
        if not history or history[-1]["stance"] != c.stance:
            history.append({"date": c.date, "stance": c.stance, "claim": c.id})
    return {
        "stance": latest.stance,
        "score": latest.score,
        "date": latest.date,
        "history": history,
        "evidence": [
            {
                "claim": c.id,
                "article_id": c.article_id,
                "date": c.date,
                "stance": c.stance,
                "text": c.evidence,
                "spans": [list(s) for s in c.spans],
                "actor": c.actor,
                "kind": c.kind,
                "outlet": c.outlet,
                "title": c.title,
            }
            for c in _distinct(ordered)
        ],
    }


def _distinct(claims: Sequence[MapClaim]) -> list[MapClaim]:
    """One piece of evidence per (article, text): several cues of one sentence are one quote."""
    seen: set[tuple[str, str]] = set()
    out = []
    for c in claims:
        if (c.article_id, c.evidence) not in seen:
            seen.add((c.article_id, c.evidence))
            out.append(c)
    return out


def build_map(
    claims: Sequence[MapClaim],
    issues: Sequence[dict[str, Any]],
    as_of: str | None = None,
    since: str | None = None,
) -> dict[str, Any]:
    """The map over ``claims`` (each with its ``issue`` id) for ``issues`` ({id, label, …}).

    ``as_of``/``since``: ISO dates (``YYYY-MM-DD``); a claim counts on a date when its article's
    date starts with or sorts before it. Claims without a date count for every date.
    """

    def upto(day: str | None) -> list[MapClaim]:
        if not day:
            return list(claims)
        return [c for c in claims if not c.date or c.date[: len(day)] <= day]

    now = upto(as_of)
    by_issue: dict[str, dict[str, list[MapClaim]]] = {}
    for c in now:
        by_issue.setdefault(c.issue, {}).setdefault(c.party, []).append(c)
    party_counts: dict[str, int] = {}
    for c in now:
        if c.issue:
            party_counts[c.party] = party_counts.get(c.party, 0) + 1
    parties = sorted(party_counts, key=lambda p: (-party_counts[p], p))
    rows = []
    for iss in issues:
        cells_claims = by_issue.get(iss["id"], {})
        if not cells_claims:
            continue
        cls, why = classify(cells_claims)
        rows.append(
            {
                **iss,
                "class": cls,
                "why": why,
                "cells": {p: _cell(cells_claims.get(p, [])) for p in parties},
            }
        )
    out: dict[str, Any] = {
        "as_of": as_of,
        "parties": parties,
        "issues": rows,
        "classes": {k: [r["id"] for r in rows if r["class"] == k] for k in CLASSES},
        "unassigned": len([c for c in now if not c.issue]),
    }
    if since:
        before = build_map(claims, issues, as_of=since)
        was = {
            (r["id"], p): cell["stance"] for r in before["issues"] for p, cell in r["cells"].items()
        }
        changes = []
        for r in rows:
            for p, cell in r["cells"].items():
                old = was.get((r["id"], p), NO_POSITION)
                if old != cell["stance"]:
                    changes.append(
                        {
                            "issue": r["id"],
                            "label": r["label"],
                            "party": p,
                            "from": old,
                            "to": cell["stance"],
                        }
                    )
        old_class = {r["id"]: r["class"] for r in before["issues"]}
        out["since"] = since
        out["changes"] = changes
        out["class_changes"] = [
            {
                "issue": r["id"],
                "label": r["label"],
                "from": old_class.get(r["id"]),
                "to": r["class"],
            }
            for r in rows
            if old_class.get(r["id"]) != r["class"]
        ]
    return out
