"""The body of ``POST /api/articles``: the document schema, and JSON or NDJSON parsed into it."""

from __future__ import annotations

from fastapi import HTTPException
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError


class ArticleIn(BaseModel):
    """One document in the JSONL schema; ``text`` or ``html`` is required."""

    model_config = ConfigDict(extra="ignore")
    text: str | None = Field(None, description="Clean body, paragraphs separated by blank lines.")
    html: str | None = Field(
        None, description="A whole HTML page, extracted like an ingested page."
    )
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: str | None = Field(None, description="ISO 8601 date or date-time.")
    authors: list[str] | str | None = None
    category: str | None = None
    language: str | None = None
    captions: list[str] | None = None
    reading_minutes: int | None = None


class IngestOut(BaseModel):
    added: int
    unchanged: int
    near_duplicates: int
    revised: int = Field(
        0, description="Stored articles (same URL) whose text changed: a new version each."
    )
    ids: list[str] = Field(
        description="The id of every document sent: the new ones, the revised ones (their "
        "article's id, which a revision keeps), then those already stored."
    )
    errors: list[str]


DOCUMENTS = TypeAdapter(ArticleIn | list[ArticleIn])
_DOC = TypeAdapter(ArticleIn)
_NDJSON = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")


def documents(content_type: str, raw: bytes) -> list[ArticleIn]:
    """The documents of a POST body: JSON (one object or a list) or NDJSON (one a line).

    Parsed here rather than by FastAPI's body parameter, which reads JSON only; a body that
    does not parse is a 422 naming what is wrong (the line, for NDJSON)."""
    try:
        if content_type.split(";")[0].strip().lower() in _NDJSON:
            docs = []
            for n, line in enumerate(raw.decode("utf-8").splitlines(), 1):
                if line.strip():
                    try:
                        docs.append(_DOC.validate_json(line))
                    except ValidationError as exc:
                        raise HTTPException(422, f"line {n}: {_first_error(exc)}") from exc
            return docs
        body = DOCUMENTS.validate_json(raw)
    except UnicodeDecodeError as exc:
        raise HTTPException(422, "the body is not UTF-8") from exc
    except ValidationError as exc:
        raise HTTPException(422, _first_error(exc)) from exc
    return body if isinstance(body, list) else [body]


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ()))
    return f"{where}: {err['msg']}" if where else str(err["msg"])
