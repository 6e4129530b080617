"""Exceptions. Library code raises these; only the CLI turns them into messages and exit codes."""

from __future__ import annotations


class NewsdeskError(Exception):
    """Base class of every error newsdesk raises on purpose."""


class InputError(NewsdeskError):
    """An input (file, record, URL) that cannot be ingested. ``str()`` is one line naming it."""

    def __init__(self, source: str, reason: str) -> None:
        reason = " ".join(reason.split())  # parsers' messages may span lines (lxml's do)
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class StoreError(NewsdeskError):
    """The store cannot be opened, migrated or written."""


class NotFound(NewsdeskError):
    """A requested object (article, story, person) does not exist."""


class BadArgument(NewsdeskError, ValueError):
    """A value the user gave that means nothing (an alert that is not ``kind:target``)."""
