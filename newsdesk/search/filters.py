"""Search filters: date range, outlet, language, person, story; as SQL conditions on ``articles a``."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from newsdesk.models import SearchFilters

Filters = SearchFilters  # the name search has always used


def filter_sql(filters: Filters) -> tuple[list[str], dict[str, Any]]:
    where: list[str] = []
    params: dict[str, Any] = {}
    if filters.since:
        where.append("a.published >= :since")
        params["since"] = filters.since.isoformat()
    if filters.until:
        where.append("a.published < :until")
        params["until"] = day_after(filters.until)
    if filters.outlet:
        where.append("a.outlet = :outlet")
        params["outlet"] = filters.outlet
    if filters.language:
        where.append("a.language = :language")
        params["language"] = filters.language.lower()
    return where, params


def day_after(d: date | datetime) -> str:
    if isinstance(d, datetime):
        return d.isoformat()
    return (d + timedelta(days=1)).isoformat()
