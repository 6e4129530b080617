"""The people and organizations one article names: from titles and from its resolved quote speakers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from newsdesk.nlp.names import same_person, titled_names


def people_of_article(text: str, quotes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The people named in one article: from titles and from resolved quote speakers."""
    found: dict[str, dict[str, Any]] = {}

    def add(name: str, role: str | None, org: str | None, kind: str) -> None:
        for existing in found.values():
            if existing["name"] == name or (
                kind == existing["kind"] == "person" and same_person(existing["name"], name)
            ):
                if len(name.split()) > len(existing["name"].split()):
                    existing["name"] = name
                existing["role"] = existing["role"] or role
                existing["org"] = existing["org"] or org
                existing["mentions"] += 1
                return
        found[name] = {
            "name": name,
            "role": role,
            "org": org,
            "kind": kind,
            "mentions": 1,
            "quotes": 0,
        }

    for name, role, org, _ in titled_names(text):
        add(name, role, org, "person")
    for q in quotes:
        name = q.get("speaker_name")
        if not name:
            continue
        kind = q.get("speaker_kind") or ("role" if name[:1].islower() else "person")
        if kind == "other":
            continue
        add(name, q.get("role"), q.get("org"), kind)
        for v in found.values():
            if v["name"] == name or (
                kind == v["kind"] == "person" and same_person(v["name"], name)
            ):
                v["quotes"] += 1
                break
    return list(found.values())
